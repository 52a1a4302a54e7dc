using Vfio.Errors;
using Vfio.Manager.Names;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vfio.DeviceModels;
using Vfio.Migration;

namespace Vfio.Manager.Migration;

/// <summary>
/// Migrates a mediated device's state in four steps (docs/orchestrator.md): (1) same model, (2) the destination accepts
/// every source parameter and value, both checked with every problem reported before any device state moves;
/// (3) save on the source (pre-copy rounds while it runs, then stop-copy) through the stream envelope into the
/// destination, whose side checks the stream header before it writes a byte into RESUMING; (4) on success only the
/// destination resumes, on failure only the source does.
/// </summary>
/// <remarks>
/// <para>Failures are results, not exceptions: every method returns a <see cref="MigrationOutcome"/> with the error
/// code and the state each side was left in. Rollback puts the source back in RUNNING through
/// <see cref="MigrationDriver"/>'s recovery policy (its recovery state, else a reset), resets the destination and
/// leaves it stopped, and removes a destination device the orchestrator created. Never are both sides running; when
/// neither is (a source stopped by <see cref="SaveAsync(MigrationSource, Stream, MigrationOptions?, IProgress{MigrationProgress}?, CancellationToken)"/>, or a rollback that failed) the outcome says so.</para>
/// <para>A failure the orchestrator cannot understand (anything other than a <see cref="VfioException"/>, an I/O
/// error or cancellation, such as the emulated host's injected crash) is treated as the process dying: nothing is
/// rolled back, the exception propagates, and <see cref="Resume"/> or <see cref="Abort"/> clean up afterwards.</para>
/// <para><see cref="SaveAsync(MigrationSource, Stream, MigrationOptions?, IProgress{MigrationProgress}?, CancellationToken)"/> and <see cref="LoadAsync(MigrationDestination, Stream, MigrationOptions?, IProgress{MigrationProgress}?, CancellationToken)"/> are the two halves for cross-host use
/// (<c>vfioctl save A | ssh host vfioctl load B</c>); <see cref="MigrateAsync"/> runs the same two halves in one
/// process, joined by a pipe. This class is the library API (docs/orchestrator.md, "Using the manager as a library"):
/// each call builds the one-purpose objects that do the work (a run per operation, the source and destination
/// halves, the destination's creation, the recovery of resume and abort) and holds no state between calls.</para>
/// </remarks>
public sealed class MigrationOrchestrator
{
    private readonly ILogger _logger;

    /// <summary>Creates an orchestrator.</summary>
    /// <param name="logger">Where arcs, rounds and rollbacks are logged; null for none.</param>
    public MigrationOrchestrator(ILogger<MigrationOrchestrator>? logger = null) => _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>
    /// Called at each <see cref="MigrationCheckpoint"/> a save, load or migration passes, on the thread doing the
    /// step; null for none. The fault matrix makes the CLI block here so it can be killed at an exact point.
    /// </summary>
    public Action<MigrationCheckpoint>? Checkpoint { get; init; }

    private MigrationContext Context => new(_logger, Checkpoint);

    /// <summary>
    /// Steps 1 and 2 alone: whether <paramref name="source"/> can migrate to <paramref name="destination"/>, with every
    /// problem found, without opening either device.
    /// </summary>
    /// <param name="source">The source device.</param>
    /// <param name="destination">An existing device, or a parent and type to create one on.</param>
    /// <returns>The check's result; when compatible, the configuration the destination runs or will be created with.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.DeviceNotFound"/>, <see cref="ErrorCode.TypeNotFound"/>,
    /// <see cref="ErrorCode.MigrationInfoMissing"/> and other reasons the two sides cannot even be described.</exception>
    public CompatibilityResult Check(MigrationSource source, MigrationDestination destination)
    {
        CompatibilityResult result = MigrationPlan.For(source, destination).Result;
        if (!result.IsCompatible)
        {
            _logger.CompatibilityRefused(source.Device.ToString(), destination.ExistingDevice?.ToString() ?? $"{destination.Parent}/{destination.Type}", string.Join("; ", result.Problems));
        }
        return result;
    }

    /// <summary>
    /// Migrates <paramref name="source"/> into <paramref name="destination"/> on this machine: checks, creates the
    /// destination if asked, saves through the envelope into the destination (pre-copy while the source runs, then
    /// stop-copy), and switches over: the destination RUNNING, the source STOP.
    /// </summary>
    /// <param name="source">The running source device.</param>
    /// <param name="destination">An existing device running the source's configuration, or a parent and type to create one on.</param>
    /// <param name="options">Pre-copy limits and chunk size; null for <see cref="MigrationOptions.Default"/>.</param>
    /// <param name="progress">Receives the phase, bytes and pre-copy round.</param>
    /// <param name="cancellationToken">Cancels the migration: a clean failure, source RUNNING, <see cref="ErrorCode.MigrationCancelled"/>.</param>
    /// <returns>
    /// The outcome. Refusals by steps 1-2 carry the first problem's 3xxx code and every problem in
    /// <see cref="MigrationOutcome.Problems"/>, with neither device touched; later failures carry the failing step's
    /// code with the source RUNNING and the destination reset (or removed, if created here).
    /// </returns>
    public Task<MigrationOutcome> MigrateAsync(MigrationSource source, MigrationDestination destination, MigrationOptions? options = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        return new MigrateRun(Context, source, destination, Validated(options), progress, cancellationToken).MigrateAsync();
    }

    /// <summary>
    /// The source half of a cross-host migration: saves the running source into <paramref name="output"/> (pre-copy,
    /// then stop-copy) and leaves it in STOP; on failure the source is RUNNING again. After a successful save, the
    /// operator either loads the stream elsewhere and <see cref="Abort"/>s the source, or <see cref="Resume"/>s it.
    /// </summary>
    /// <param name="source">The running source device.</param>
    /// <param name="output">Where the envelope goes (file, pipe, socket); not disposed.</param>
    /// <param name="options">Pre-copy limits and chunk size.</param>
    /// <param name="progress">Receives the phase, bytes and pre-copy round.</param>
    /// <param name="cancellationToken">Cancels the save; the source is then RUNNING.</param>
    /// <returns>The outcome: on success the source is STOP (<see cref="MigrationOutcome.NothingRunning"/>).</returns>
    public Task<MigrationOutcome> SaveAsync(MigrationSource source, Stream output, MigrationOptions? options = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(output);
        return SaveAsync(source, [output], options, progress, cancellationToken);
    }

    /// <summary>
    /// <see cref="SaveAsync(MigrationSource, Stream, MigrationOptions?, IProgress{MigrationProgress}?, CancellationToken)"/>
    /// over several channels (docs/stream-format.md "Channels"): chunk i goes to <c>outputs[i mod N]</c>.
    /// </summary>
    /// <param name="source">The running source device.</param>
    /// <param name="outputs">One stream per channel, channel 0 first (1 to 64); not disposed.</param>
    /// <param name="options">Pre-copy limits and chunk size.</param>
    /// <param name="progress">Receives the phase, bytes and pre-copy round.</param>
    /// <param name="cancellationToken">Cancels the save; the source is then RUNNING.</param>
    /// <returns>The outcome: on success the source is STOP (<see cref="MigrationOutcome.NothingRunning"/>).</returns>
    public Task<MigrationOutcome> SaveAsync(MigrationSource source, IReadOnlyList<Stream> outputs, MigrationOptions? options = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(outputs);
        return new SaveRun(Context, source, outputs, Validated(options), progress, cancellationToken).RunAsync();
    }

    /// <summary>
    /// The destination half of a cross-host migration: reads the envelope from <paramref name="input"/>, checks its
    /// header against the destination before anything moves (for a new device: against the type's description, then
    /// creates the device with the stream's configuration), loads it, and resumes the destination. On failure the
    /// destination is reset and left stopped (removed, if created here): nothing runs, the source side decides.
    /// </summary>
    /// <param name="destination">An existing device, or a parent and type to create one on.</param>
    /// <param name="input">The envelope; not disposed.</param>
    /// <param name="options">The chunk size limit (the largest chunk accepted).</param>
    /// <param name="progress">Receives the bytes loaded.</param>
    /// <param name="cancellationToken">Cancels the load; the destination is then reset.</param>
    /// <returns>The outcome; on success the destination is RUNNING.</returns>
    public Task<MigrationOutcome> LoadAsync(MigrationDestination destination, Stream input, MigrationOptions? options = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(input);
        return LoadAsync(destination, [input], options, progress, cancellationToken);
    }

    /// <summary>
    /// <see cref="LoadAsync(MigrationDestination, Stream, MigrationOptions?, IProgress{MigrationProgress}?, CancellationToken)"/>
    /// from several channels, reassembled in order. Every channel's header is read and checked before the destination
    /// moves: a missing, swapped or foreign channel (<see cref="ErrorCode.StreamChannelMismatch"/>) leaves it untouched.
    /// </summary>
    /// <param name="destination">An existing device, or a parent and type to create one on.</param>
    /// <param name="inputs">One stream per channel, channel 0 first, as many as the save wrote; not disposed.</param>
    /// <param name="options">The chunk size limit (the largest chunk accepted).</param>
    /// <param name="progress">Receives the bytes loaded.</param>
    /// <param name="cancellationToken">Cancels the load; the destination is then reset.</param>
    /// <returns>The outcome; on success the destination is RUNNING.</returns>
    public Task<MigrationOutcome> LoadAsync(MigrationDestination destination, IReadOnlyList<Stream> inputs, MigrationOptions? options = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(inputs);
        return new LoadRun(Context, destination, inputs, Validated(options), progress, cancellationToken).RunAsync();
    }

    /// <summary>
    /// Brings a source that a save left stopped (or a crash left anywhere) back to RUNNING, through the source
    /// recovery policy: its recovery state RUNNING, else a reset. Used when the load on the other side failed.
    /// </summary>
    /// <param name="source">The source device.</param>
    /// <returns>The outcome; <see cref="ErrorCode.DeviceStateConflict"/> when the device already runs;
    /// <see cref="ErrorCode.StateMovedAway"/> when its state moved away and <paramref name="force"/> is false.</returns>
    /// <remarks>
    /// <para>When the migration journal names the device (its save or migration was interrupted), the journal is finished
    /// first: the destination of an interrupted one-process migration is reset and stopped (removed if the migration
    /// created it) before the source resumes, and when that destination already runs, the source is left stopped and
    /// the outcome fails with <see cref="ErrorCode.MigrationInterrupted"/> (never two running). The outcome's
    /// <see cref="MigrationOutcome.Interrupted"/> tells that a journal entry was found.</para>
    /// <para>A source whose state moved away (<see cref="MigrationJournal.FindMoved"/>: a save wrote its whole stream, its
    /// destination runs, or <see cref="Abort"/> retired it) is refused with <see cref="ErrorCode.StateMovedAway"/>, as
    /// QEMU refuses to continue a VM left in "postmigrate". <paramref name="force"/> resumes it anyway, logged as a
    /// warning and in the migration log, except when the destination is known to run on a host this call can see.</para>
    /// </remarks>
    /// <param name="openHost">Opens another host by its root, for a journal whose destination lived elsewhere (<c>migrate --to-root</c>); null when there is none.</param>
    /// <param name="force">Resume a source whose state moved away: the operator asserts that no other device runs it.</param>
    public MigrationOutcome Resume(MigrationSource source, Func<string, MigrationEndpoint>? openHost = null, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new MigrationRecovery(Context).Resume(source, openHost, force);
    }

    /// <summary>
    /// Ends a migration on a device that must not run the guest (a destination after a crash, or a source whose state
    /// now runs elsewhere): the device is reset (<c>VFIO_DEVICE_RESET</c>, the only way out of RESUMING and ERROR) and
    /// left in STOP.
    /// </summary>
    /// <param name="host">The host.</param>
    /// <param name="device">The device.</param>
    /// <returns>The outcome, with the device's final state in <see cref="MigrationOutcome.DestinationState"/>.</returns>
    /// <remarks>When the migration journal names the device, the interrupted migration is ended too: a destination the
    /// interrupted load created is removed, and the destination of an interrupted one-process migration that does not
    /// run yet is reset (removed if created). <see cref="MigrationOutcome.Interrupted"/> tells that an entry was found.</remarks>
    /// <param name="openHost">Opens another host by its root, for a journal whose destination lived elsewhere; null when there is none.</param>
    public MigrationOutcome Abort(MigrationEndpoint host, MdevUuid device, Func<string, MigrationEndpoint>? openHost = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new MigrationRecovery(Context).Abort(host, device, openHost);
    }

    /// <summary>
    /// Whether <c>--force</c> may proceed past every one of <paramref name="codes"/>: only when each is in
    /// <see cref="ErrorCatalogue.Forceable"/> (a model mismatch, a bad stream, a device refusal never are).
    /// </summary>
    /// <param name="codes">The refusals' codes.</param>
    /// <returns>True when all can be forced.</returns>
    public static bool CanForce(IEnumerable<ErrorCode> codes) => MigrationOverrides.CanForce(codes);

    /// <summary>
    /// Logs refusals an operator forced past, loudly: one warning per problem (event 613) and one line per problem in
    /// the host's migration log (<c>var/lib/vfio-migrate/migration.log</c>). A log that cannot be written fails the
    /// forced operation before anything moves: an override is never unrecorded.
    /// </summary>
    /// <param name="host">The host whose migration log records it.</param>
    /// <param name="verb">The verb that was forced (<c>migrate</c>, <c>load</c>, <c>start --like</c>).</param>
    /// <param name="device">The device it concerns.</param>
    /// <param name="problems">The overridden problems.</param>
    /// <exception cref="VfioFileException">The migration log could not be written.</exception>
    public void RecordForced(MigrationEndpoint host, string verb, string device, IReadOnlyList<ForcedProblem> problems) =>
        new MigrationOverrides(_logger).Record(host, verb, device, problems);

    private static MigrationOptions Validated(MigrationOptions? options)
    {
        options ??= MigrationOptions.Default;
        options.Validate();
        return options;
    }
}
