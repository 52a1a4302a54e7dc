using Vfio.DeviceModels;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Sdk.Testing;

/// <summary>
/// Proves that a vendor's device migrates between two builds of its driver, through the kernel protocol each build
/// speaks (the emulated VFIO device, which the migration driver cannot tell from a kernel device), in a few lines:
/// <code>
/// MigrationProof proof = MigrationTestKit.Prove(OldBuild, CurrentBuild);
/// </code>
/// </summary>
/// <remarks>
/// <para>A case is a source build, a configuration, a destination build and a mode. <see cref="Prove{TDevice}"/> runs
/// every version both builds describe (or the configurations given), in both directions (once when both builds are
/// the same), with stop-and-copy, and also with pre-copy rounds where both builds offer PRE_COPY. Each case checks
/// the configuration against the destination build first (the check must find it compatible: both builds describe
/// it), saves the source through its VFIO protocol into the stream envelope, validates the envelope's header
/// against the destination while it still runs, loads it through the destination's VFIO protocol and resumes it.</para>
/// <para>The destination must end in RUNNING, the envelope must be complete, and the states must agree: with a
/// <see cref="MigrationTestOptions{TDevice}.Describe"/> function, every described value of one build (the values
/// both builds describe, between two builds); without one, between two devices of one build, the device states
/// their own save code writes must be byte-identical. Between two builds the SDK's own load check stands in: a
/// required field the destination does not read fails the load.</para>
/// <para>The pieces (<see cref="Save"/>, <see cref="Load"/>, <see cref="Drain"/>) are public for tests that drive a
/// migration step by step.</para>
/// </remarks>
public static class MigrationTestKit
{
    private const string SourceName = "kit-source";
    private const string DestinationName = "kit-destination";

    /// <summary>Proves migration between two builds with no guest activity and the kit's own state comparison.</summary>
    /// <param name="first">One build.</param>
    /// <param name="second">The other build (the same object to prove a build against itself).</param>
    /// <returns>Every case, each with what moved.</returns>
    /// <exception cref="MigrationTestException">A case failed; the message names every failed case and why.</exception>
    public static MigrationProof Prove(DeviceImplementation first, DeviceImplementation second) =>
        Prove<MigratableDevice>(first, second, null);

    /// <summary>Proves migration between two builds, doing to the devices what <paramref name="options"/> says.</summary>
    /// <typeparam name="TDevice">The vendor's device class.</typeparam>
    /// <param name="first">One build.</param>
    /// <param name="second">The other build (the same object to prove a build against itself).</param>
    /// <param name="options">Guest activity, state description and configurations; null for the defaults.</param>
    /// <returns>Every case, each with what moved.</returns>
    /// <exception cref="MigrationTestException">A case failed; the message names every failed case and why, and
    /// <see cref="MigrationTestException.Proof"/> has them all.</exception>
    public static MigrationProof Prove<TDevice>(DeviceImplementation first, DeviceImplementation second, MigrationTestOptions<TDevice>? options)
        where TDevice : MigratableDevice
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        options ??= new MigrationTestOptions<TDevice>();
        if (first.Model.Id != second.Model.Id)
        {
            throw new MigrationTestException($"{first.Id} runs model {first.Model.Id} and {second.Id} runs {second.Model.Id}: a migration never crosses models");
        }
        (DeviceImplementation Source, DeviceImplementation Destination)[] directions =
            first.Id == second.Id ? [(first, first)] : [(first, second), (second, first)];
        var cases = new List<MigrationCaseResult>();
        foreach ((DeviceImplementation source, DeviceImplementation destination) in directions)
        {
            foreach (string configuration in options.ConfigurationsFor(source.Model, destination.Model))
            {
                cases.Add(RunCase(source, destination, configuration, preCopy: false, options));
                if (OffersPreCopy(source) && OffersPreCopy(destination))
                {
                    cases.Add(RunCase(source, destination, configuration, preCopy: true, options));
                }
            }
        }
        var proof = new MigrationProof(cases);
        if (cases.Count == 0)
        {
            throw new MigrationTestException($"{first.Id} and {second.Id} describe no version in common: nothing to prove") { Proof = proof };
        }
        MigrationCaseResult[] failed = [.. cases.Where(c => !c.Passed)];
        if (failed.Length > 0)
        {
            throw new MigrationTestException(
                $"{failed.Length} of {cases.Count} migration cases failed:{Environment.NewLine}{string.Join(Environment.NewLine, failed.AsEnumerable())}")
            { Proof = proof };
        }
        return proof;
    }

    /// <summary>
    /// Reads a device's data stream until the end of the data (0), or with <paramref name="stopAtNothingNow"/> also until
    /// "nothing now" (-1, pre-copy).
    /// </summary>
    /// <param name="stream">The data session.</param>
    /// <param name="stopAtNothingNow">True in PRE_COPY: stop when the device has nothing more now.</param>
    /// <param name="bufferSize">Bytes per read.</param>
    /// <returns>The bytes read.</returns>
    /// <exception cref="MigrationTestException">The stream answered "nothing now" where only pre-copy may.</exception>
    public static byte[] Drain(MigrationDataStream stream, bool stopAtNothingNow, int bufferSize = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bufferSize);
        using var all = new MemoryStream();
        byte[] buffer = new byte[bufferSize];
        while (true)
        {
            int n = stream.TryRead(buffer);
            if (n == 0 || (n < 0 && stopAtNothingNow))
            {
                return all.ToArray();
            }
            if (n < 0)
            {
                throw new MigrationTestException("the data stream answered 'nothing now' (-1) outside pre-copy");
            }
            all.Write(buffer, 0, n);
        }
    }

    /// <summary>
    /// Saves a device: with <paramref name="preCopy"/>, a pre-copy round, <paramref name="whilePreCopy"/>, another
    /// round, then STOP_COPY to the end of the data; otherwise STOP_COPY alone. Leaves the source in STOP_COPY.
    /// </summary>
    /// <param name="source">The source's driver, RUNNING.</param>
    /// <param name="preCopy">Whether to run pre-copy rounds first (the device must offer PRE_COPY).</param>
    /// <param name="whilePreCopy">Guest activity after the first pre-copy round; null for none.</param>
    /// <param name="bufferSize">Bytes per read.</param>
    /// <returns>The device's state, as the destination must receive it.</returns>
    /// <exception cref="MigrationTestException">A saving state opened no data session, or STOP_COPY opened a second one
    /// (vfio.h: the saving states share one).</exception>
    public static byte[] Save(MigrationDriver source, bool preCopy, Action? whilePreCopy = null, int bufferSize = 64 * 1024) =>
        SaveCounting(source, preCopy, whilePreCopy, bufferSize, out _);

    /// <summary>Loads a device's state into the destination and takes it to <paramref name="final"/>.</summary>
    /// <param name="destination">The destination's driver, RUNNING or STOP.</param>
    /// <param name="data">The state, as <see cref="Save"/> returned it.</param>
    /// <param name="final">Where the destination ends (default RUNNING).</param>
    /// <param name="recovery">What the driver does when the arc out of RESUMING fails; null for its default.</param>
    /// <param name="writeSize">Bytes per write into the data session.</param>
    /// <exception cref="MigrationTestException">RESUMING opened no data session.</exception>
    public static void Load(MigrationDriver destination, ReadOnlySpan<byte> data, MigrationState final = MigrationState.Running,
        RecoveryPolicy? recovery = null, int writeSize = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(writeSize);
        using (MigrationDataStream stream = destination.TransitionTo(MigrationState.Resuming)
            ?? throw new MigrationTestException($"device {destination.DeviceName}: RESUMING opened no data session"))
        {
            for (int at = 0; at < data.Length; at += writeSize)
            {
                stream.Write(data.Slice(at, Math.Min(writeSize, data.Length - at)));
            }
        }
        destination.TransitionTo(final, recovery)?.Dispose();
    }

    private static byte[] SaveCounting(MigrationDriver source, bool preCopy, Action? whilePreCopy, int bufferSize, out long preCopyBytes)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var all = new MemoryStream();
        if (preCopy)
        {
            using MigrationDataStream stream = source.TransitionTo(MigrationState.PreCopy)
                ?? throw new MigrationTestException($"device {source.DeviceName}: PRE_COPY opened no data session");
            all.Write(Drain(stream, stopAtNothingNow: true, bufferSize));
            if (whilePreCopy is not null)
            {
                whilePreCopy();
                all.Write(Drain(stream, stopAtNothingNow: true, bufferSize));
            }
            preCopyBytes = all.Length;
            if (source.TransitionTo(MigrationState.StopCopy) is MigrationDataStream second)
            {
                second.Dispose();
                throw new MigrationTestException($"device {source.DeviceName}: PRE_COPY -> STOP_COPY opened a second data session; vfio.h keeps the first");
            }
            all.Write(Drain(stream, stopAtNothingNow: false, bufferSize));
        }
        else
        {
            preCopyBytes = 0;
            using MigrationDataStream stream = source.TransitionTo(MigrationState.StopCopy)
                ?? throw new MigrationTestException($"device {source.DeviceName}: STOP_COPY opened no data session");
            all.Write(Drain(stream, stopAtNothingNow: false, bufferSize));
        }
        return all.ToArray();
    }

    private static MigrationCaseResult RunCase<TDevice>(DeviceImplementation sourceBuild, DeviceImplementation destinationBuild,
        string configuration, bool preCopy, MigrationTestOptions<TDevice> options)
        where TDevice : MigratableDevice
    {
        var result = new MigrationCaseResult(sourceBuild.Id, destinationBuild.Id, configuration, preCopy);
        try
        {
            DeviceConfiguration sourceConfiguration = DeviceConfiguration.Parse(sourceBuild.Model, configuration, SourceName);
            CompatibilityResult check = CompatibilityChecker.Check(sourceConfiguration, destinationBuild.Model, SourceName);
            if (!check.IsCompatible)
            {
                result.Failure = $"the compatibility check refuses it: {string.Join("; ", check.Problems)}";
                return result;
            }
            result.DestinationConfiguration = check.DestinationConfiguration!.ToString();
            using TDevice source = Create<TDevice>(sourceBuild, SourceName, sourceConfiguration);
            using TDevice destination = Create<TDevice>(destinationBuild, DestinationName, check.DestinationConfiguration);
            using var sourceVfio = new EmulatedVfioDevice(SourceName, source, sourceBuild.Protocol, sourceBuild.Features);
            using var destinationVfio = new EmulatedVfioDevice(DestinationName, destination, destinationBuild.Protocol, destinationBuild.Features);
            options.Exercise?.Invoke(source);

            byte[] state = SaveCounting(MigrationDriver.Open(sourceVfio), preCopy,
                options.WhilePreCopy is { } whilePreCopy ? () => whilePreCopy(source) : null, options.BufferSize, out long preCopyBytes);
            using var envelope = new MemoryStream();
            var writer = new MigrationStreamWriter(envelope, source.CreateStreamHeader());
            writer.Write(state);
            writer.Complete();
            (result.StateBytes, result.PreCopyBytes, result.ResentBytes, result.EnvelopeBytes) = (state.Length, preCopyBytes, source.ResentBytes, envelope.Length);

            envelope.Position = 0;
            MigrationDriver destinationDriver = MigrationDriver.Open(destinationVfio);
            using var reader = new MigrationStreamReader(envelope, destination.ValidateStreamHeader);
            reader.ReadHeader();
            using (MigrationDataStream resuming = destinationDriver.TransitionTo(MigrationState.Resuming)
                ?? throw new MigrationTestException($"device {DestinationName}: RESUMING opened no data session"))
            {
                reader.CopyTo(resuming);
            }
            if (!reader.IsComplete)
            {
                result.Failure = "the envelope ended before its trailer";
                return result;
            }
            destinationDriver.TransitionTo(MigrationState.Running)?.Dispose();
            result.DestinationState = ((IMigrationBackend)destination).State;
            result.Failure = Compare(sourceBuild.Id == destinationBuild.Id, source, destination, options, result);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result.Failure = e is VfioException vfio ? vfio.ToDisplayString() : $"{e.GetType().Name}: {e.Message}";
        }
        return result;
    }

    private static string? Compare<TDevice>(bool sameBuild, TDevice source, TDevice destination, MigrationTestOptions<TDevice> options, MigrationCaseResult result)
        where TDevice : MigratableDevice
    {
        if (result.DestinationState != MigrationState.Running)
        {
            return $"the destination ended in {result.DestinationState}, not Running";
        }
        if (options.Describe is { } describe)
        {
            IReadOnlyDictionary<string, string> before = describe(source), after = describe(destination);
            (result.SourceDescription, result.DestinationDescription) = (before, after);
            IEnumerable<string> names = sameBuild ? before.Keys.Union(after.Keys) : before.Keys.Intersect(after.Keys);
            string[] differ = [.. names.Where(n => !before.TryGetValue(n, out string? b) || !after.TryGetValue(n, out string? a) || a != b)
                .Select(n => $"{n}: {before.GetValueOrDefault(n, "(absent)")} -> {after.GetValueOrDefault(n, "(absent)")}")];
            return differ.Length == 0 ? null : $"the destination's state differs: {string.Join("; ", differ)}";
        }
        if (sameBuild && !Exported(source).AsSpan().SequenceEqual(Exported(destination)))
        {
            return "the destination's saved state differs from the source's (compare them with a Describe function to see which field)";
        }
        return null;
    }

    private static byte[] Exported(IPersistentMigrationBackend device)
    {
        using var output = new MemoryStream();
        device.ExportState(output);
        return output.ToArray();
    }

    private static TDevice Create<TDevice>(DeviceImplementation build, string name, DeviceConfiguration configuration)
        where TDevice : MigratableDevice
    {
        MigratableDevice device = build.Create(name, configuration);
        if (device is TDevice typed)
        {
            return typed;
        }
        string type = device.GetType().Name;
        device.Dispose();
        throw new MigrationTestException($"build {build.Id} creates a {type}, not a {typeof(TDevice).Name}");
    }

    // What a build offers through its protocol: v1 has no P2P states and no flags of its own.
    private static bool OffersPreCopy(DeviceImplementation build)
    {
        if (build.Protocol == MigrationProtocolKind.V2Feature && build.Features is { } flags)
        {
            return flags.HasFlag(MigrationFeatures.PreCopy);
        }
        using MigratableDevice probe = build.Create("kit-probe", DeviceConfiguration.FromInit(build.Model));
        return ((IMigrationBackend)probe).Features.HasFlag(MigrationFeatures.PreCopy);
    }
}
