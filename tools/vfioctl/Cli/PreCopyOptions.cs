using System.CommandLine;
using Vfio.Manager.Migration;

namespace Vfio.Ctl.Cli;

/// <summary>The pre-copy and chunking options of save and migrate (MigrationOptions).</summary>
internal sealed class PreCopyOptions
{
    public Option<bool> NoPreCopy { get; } = new("--no-precopy") { Description = "Skip pre-copy even if the device supports it: stop the source, then copy everything" };
    public Option<int> MaxRounds { get; } = new("--max-precopy-rounds") { Description = "At most this many pre-copy rounds before stop-copy", DefaultValueFactory = _ => MigrationOptions.Default.MaxPreCopyIterations };
    public Option<long> DirtyThreshold { get; } = new("--dirty-threshold") { Description = "Stop pre-copying once a round leaves fewer dirty bytes than this", DefaultValueFactory = _ => MigrationOptions.Default.DirtyBytesThreshold };
    public Option<int> ChunkSize { get; } = new("--chunk-size") { Description = "Bytes per stream chunk (memory use is bounded by it)", DefaultValueFactory = _ => MigrationOptions.Default.ChunkSize };
    public Option<int> Channels { get; } = ChannelsOption("Split the data over N channels written in parallel (save: -o FILE writes FILE, FILE.1 .. FILE.N-1; load needs the same N)");

    /// <summary>The --channels option (save, load, migrate), 1 to 64.</summary>
    public static Option<int> ChannelsOption(string description)
    {
        var option = new Option<int>("--channels") { Description = description, DefaultValueFactory = _ => 1 };
        option.Validators.Add(r =>
        {
            int value = r.GetValueOrDefault<int>();
            if (value is < 1 or > 64)
            {
                r.AddError($"--channels must be 1 to 64, not {value}.");
            }
        });
        return option;
    }

    public void AddTo(Command command)
    {
        command.Options.Add(NoPreCopy);
        command.Options.Add(MaxRounds);
        command.Options.Add(DirtyThreshold);
        command.Options.Add(ChunkSize);
        command.Options.Add(Channels);
        MaxRounds.Validators.Add(r => Positive(r.GetValueOrDefault<int>(), "--max-precopy-rounds", r.AddError, allowZero: true));
        DirtyThreshold.Validators.Add(r => Positive(r.GetValueOrDefault<long>(), "--dirty-threshold", r.AddError, allowZero: true));
        ChunkSize.Validators.Add(r => Positive(r.GetValueOrDefault<int>(), "--chunk-size", r.AddError, allowZero: false));
    }

    public MigrationOptions Read(ParseResult r, bool force = false) => new()
    {
        Force = force,
        UsePreCopy = !r.GetValue(NoPreCopy),
        MaxPreCopyIterations = r.GetValue(MaxRounds),
        DirtyBytesThreshold = r.GetValue(DirtyThreshold),
        ChunkSize = r.GetValue(ChunkSize),
        Channels = r.GetValue(Channels),
    };

    private static void Positive(long value, string name, Action<string> addError, bool allowZero)
    {
        if (value < 0 || (!allowZero && value == 0))
        {
            addError($"{name} must be {(allowZero ? "0 or more" : "at least 1")}, not {value}.");
        }
    }
}
