using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Errors;
using Vfio.Manager.Names;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;

namespace Vfio.Manager.Migration;

/// <summary>
/// The destination half: consumes the stream envelope into an open destination whose configuration accepted the
/// stream's header (RESUMING, the data, RESUMING -> STOP), runs it, and after a failure resets and stops it.
/// <c>load</c> runs it alone; <c>migrate</c> feeds it from a <see cref="SourceHalf"/> through a pipe.
/// </summary>
internal sealed class DestinationHalf(MigrationContext context, OpenedDevice device)
{
    public OpenedDevice Device { get; } = device;

    /// <summary>
    /// A reader of the envelope whose header is read with no check attached: the caller checks it (<see cref="Accept"/>),
    /// after creating the device it is bound for if need be, before any data is read.
    /// </summary>
    public static MigrationChannelReader OpenReader(IReadOnlyList<Stream> inputs, MigrationOptions options, IReadOnlyList<string>? channelNames = null) =>
        new(inputs, static _ => { }, Math.Max(options.ChunkSize, MigrationStreamWriter.DefaultChunkSize), channelNames);

    /// <summary>
    /// The stream-level guard: a header must suit this destination's configuration. With <paramref name="forced"/> (a
    /// configuration refusal was overridden) only the model must match: a model mismatch is never forced.
    /// </summary>
    public void Accept(MigrationStreamHeader header, bool forced)
    {
        ArgumentNullException.ThrowIfNull(header);
        StreamHeaderValidator.Check(forced ? new MigrationStreamHeader(header.ModelId, Device.Configuration.ToString(), header.DeviceName) : header,
            Device.Configuration, Device.Name);
    }

    /// <summary>
    /// Loads the rest of the stream (its header already read and accepted). <paramref name="loaded"/> runs once the
    /// destination holds the whole state and before it may run: the journal learns it there.
    /// </summary>
    public async Task ConsumeAsync(MigrationChannelReader reader, MigrationOutcome outcome, IProgress<MigrationProgress>? progress, Action loaded,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using (MigrationDataStream data = context.Transition(Device, MigrationState.Resuming) ?? throw MigrationContext.NoSession(Device, MigrationState.Resuming))
        {
            context.Reach(MigrationCheckpoint.ResumingEntered);
            IProgress<long>? bytes = progress is null ? null : new ByteProgress(progress);
            try
            {
                outcome.Bytes = await reader.CopyToAsync(data, bytes, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // A failed load still says how far it got: the stream bytes received, and the device data delivered of them.
                outcome.Bytes = reader.DataLength;
                outcome.StreamBytes = reader.StreamOffset;
            }
        }
        // RESUMING -> STOP is where the device loads what it received.
        progress?.Report(new MigrationProgress(MigrationPhase.Loading, outcome.Bytes, 0));
        context.Transition(Device, MigrationState.Stop)?.Dispose();
        // A fresh device reads RUNNING too: recovery must not take a created-but-empty destination for a finished one.
        loaded();
        context.Reach(MigrationCheckpoint.DestinationLoaded);
    }

    /// <summary>STOP -> RUNNING: the point of no return.</summary>
    public void Run(MigrationOutcome outcome)
    {
        context.Transition(Device, MigrationState.Running)?.Dispose();
        outcome.DestinationState = Device.Driver.GetState();
        context.Reach(MigrationCheckpoint.DestinationRunning);
    }

    /// <summary>After a failure: reset and stopped if it took an arc, else only stopped; returns its state.</summary>
    public MigrationState? RollBack(string code) => Device.Touched ? context.ResetAndStop(Device, code) : context.Stop(Device, code);

    /// <summary>
    /// E6041: an existing destination that has run (RUNNING, not fresh) holds a guest's live state. Refused before
    /// anything moves unless forced (then logged and recorded), or null when it may be loaded into.
    /// </summary>
    /// <param name="endpoint">The destination's host, whose migration log records an override.</param>
    /// <param name="fresh">Whether nothing opened the device before this operation (<see cref="IsFresh"/>): an
    /// emulated device can tell; on the kernel a device reads RUNNING whenever it is opened, so RUNNING there is taken
    /// as having run.</param>
    /// <param name="force">Proceed anyway (<see cref="MigrationOptions.Force"/>).</param>
    /// <param name="verb">load or migrate, for the message and the migration log.</param>
    /// <param name="overrides">Records the override.</param>
    /// <param name="outcome">Receives the override, or the destination's state with the refusal.</param>
    public VfioException? RefuseIfRun(MigrationEndpoint endpoint, bool fresh, bool force, string verb, MigrationOverrides overrides, MigrationOutcome outcome)
    {
        MigrationState state = Device.Driver.GetState();
        if (fresh || state != MigrationState.Running)
        {
            return null;
        }
        VfioException refusal = ManagerErrors.DestinationHasRun(Device.Name, state, load: verb == MigrationJournalEntry.Load);
        if (overrides.TryForce(force, endpoint, verb, Device.Name, [new ForcedProblem(refusal.Code, refusal.Message)], outcome))
        {
            return null;
        }
        outcome.DestinationState = state;
        return refusal;
    }

    /// <summary>Whether an existing device is fresh: an emulated device nothing opened yet (the kernel cannot tell).</summary>
    public static bool IsFresh(MigrationEndpoint endpoint, MdevUuid device) => endpoint.Tree.Sysfs is EmulatedSysfs emulated && !emulated.IsOpened(device);

    private sealed class ByteProgress(IProgress<MigrationProgress> inner) : IProgress<long>
    {
        public void Report(long value) => inner.Report(new MigrationProgress(MigrationPhase.Loading, value, 0));
    }
}
