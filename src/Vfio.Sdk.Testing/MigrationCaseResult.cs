namespace Vfio.Sdk.Testing;

/// <summary>One case of <see cref="MigrationTestKit.Prove{TDevice}"/>: a source build, a configuration, a destination build, a mode.</summary>
public sealed class MigrationCaseResult
{
    internal MigrationCaseResult(string sourceBuild, string destinationBuild, string configuration, bool preCopy)
    {
        SourceBuild = sourceBuild;
        DestinationBuild = destinationBuild;
        Configuration = configuration;
        PreCopy = preCopy;
    }

    /// <summary>The implementation id of the source build.</summary>
    public string SourceBuild { get; }

    /// <summary>The implementation id of the destination build.</summary>
    public string DestinationBuild { get; }

    /// <summary>The source's configuration, as text of its build's model.</summary>
    public string Configuration { get; }

    /// <summary>The configuration the destination was created with (the check's answer); null when the check refused.</summary>
    public string? DestinationConfiguration { get; internal set; }

    /// <summary>True when the state moved with pre-copy rounds before the stop, false for stop-and-copy only.</summary>
    public bool PreCopy { get; }

    /// <summary>The case's name as failures quote it, e.g. <c>vendor-a.com/my-nic@3 -> vendor-a.com/my-nic@2, version=2, pre-copy</c>.</summary>
    public string Name => $"{SourceBuild} -> {DestinationBuild}, {(Configuration.Length == 0 ? "(off values)" : Configuration)}, {(PreCopy ? "pre-copy" : "stop-copy")}";

    /// <summary>Device-state bytes that moved, in total (pre-copy rounds and stop-and-copy).</summary>
    public long StateBytes { get; internal set; }

    /// <summary>Of <see cref="StateBytes"/>, those read while the source still ran (pre-copy).</summary>
    public long PreCopyBytes { get; internal set; }

    /// <summary>Bytes of sections the source sent again because they changed after being sent.</summary>
    public long ResentBytes { get; internal set; }

    /// <summary>Bytes of the stream envelope (header, chunks, trailer) that carried the state.</summary>
    public long EnvelopeBytes { get; internal set; }

    /// <summary>The destination's migration state after the case (RUNNING when it passed).</summary>
    public Devices.MigrationState DestinationState { get; internal set; }

    /// <summary>The source's described state after the migration; null without a <c>Describe</c> option or after a failure before it.</summary>
    public IReadOnlyDictionary<string, string>? SourceDescription { get; internal set; }

    /// <summary>The destination's described state after the migration; null without a <c>Describe</c> option or after a failure before it.</summary>
    public IReadOnlyDictionary<string, string>? DestinationDescription { get; internal set; }

    /// <summary>Why the case failed; null when it passed.</summary>
    public string? Failure { get; internal set; }

    /// <summary>True when the case passed.</summary>
    public bool Passed => Failure is null;

    /// <summary>One line: the case's name and what moved, or why it failed.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => Passed
        ? $"{Name}: {StateBytes} bytes of state moved ({PreCopyBytes} while running, {ResentBytes} re-sent) in {EnvelopeBytes} bytes of envelope"
        : $"{Name}: FAILED: {Failure}";
}
