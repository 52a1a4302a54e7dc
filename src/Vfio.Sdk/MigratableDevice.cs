using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Sdk;

/// <summary>
/// The base a vendor derives a migratable device from. It owns the model and the device's fixed configuration,
/// enforces the v2 state machine (only direct arcs legal for the device's features), runs the vendor's save and
/// load code in bounded pieces, and tracks which pre-copy sections changed since they were sent.
/// </summary>
/// <remarks>
/// <para>The vendor implements <see cref="SaveState"/> and <see cref="LoadState"/> (the device-state format of
/// docs/device-state-format.md), <see cref="OnReset"/>, and optionally <see cref="OnRunning"/> and
/// <see cref="OnStopped"/>. A device with bulk state declares <see cref="Sections"/>: each is saved on its own by
/// <see cref="SaveSection"/>, so the save never materialises more than one section, and with
/// <see cref="MigrationFeatures.PreCopy"/> the sections are streamed while the device runs; the device calls
/// <see cref="MarkDirty"/> when a section changes, and only changed sections are sent again. The loader sees each
/// section as a top-level section field of the same name (<see cref="DeviceStateReader.ReadSection"/>).</para>
/// <para>Like the kernel's mtty sample (<c>mtty_set_state</c>/<c>mtty_step_state</c>), <see cref="IMigrationBackend.Step"/> takes one
/// arc; planning a path is the caller's job (<see cref="MigrationArcs.NextStep"/>). Loading happens on the
/// RESUMING to STOP arc; a failed load leaves the device in ERROR until <see cref="IMigrationBackend.Reset"/>.</para>
/// <para>All members are serialised by one lock; <see cref="MarkDirty"/> may be called from the device's own
/// threads while a migration reads data.</para>
/// </remarks>
public abstract partial class MigratableDevice : IPersistentMigrationBackend, IDisposable
{
    private readonly Lock _sync = new();
    private MigrationState _state = MigrationState.Running;

    /// <summary>Creates the device in RUNNING with a fixed configuration.</summary>
    /// <param name="name">The device's name (mdev UUID, emulated name), used in every error.</param>
    /// <param name="configuration">The configuration it runs with; never changes afterwards.</param>
    /// <param name="features">The migration features it offers; must include <see cref="MigrationFeatures.StopCopy"/>.</param>
    /// <exception cref="ArgumentException">The features lack STOP_COPY.</exception>
    protected MigratableDevice(string name, DeviceConfiguration configuration, MigrationFeatures features = MigrationFeatures.StopCopy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configuration);
        if (!features.HasFlag(MigrationFeatures.StopCopy))
        {
            throw new ArgumentException($"device {name}: migration features {features} must include StopCopy", nameof(features));
        }
        Name = name;
        Configuration = configuration;
        Features = features;
    }

    /// <summary>The device's name.</summary>
    public string Name { get; }

    /// <summary>The device's model description.</summary>
    public ModelDescription Model => Configuration.Model;

    /// <summary>The configuration the device was created with; fixed for its lifetime.</summary>
    public DeviceConfiguration Configuration { get; }

    /// <summary>The migration features the device offers (what its constructor was given).</summary>
    protected MigrationFeatures Features { get; }

    /// <inheritdoc />
    MigrationFeatures IMigrationBackend.Features => Features;

    /// <inheritdoc />
    MigrationState IMigrationBackend.State => State;

    /// <summary>The device's migration state; guest-facing code checks it to refuse work while the device is stopped.</summary>
    protected MigrationState State
    {
        get
        {
            lock (_sync)
            {
                return _state;
            }
        }
    }

    /// <summary>
    /// The names of the bulk sections saved one at a time by <see cref="SaveSection"/> (and streamed during
    /// pre-copy). Empty by default: the whole state comes from <see cref="SaveState"/>.
    /// </summary>
    protected virtual IReadOnlyList<string> Sections => [];

    /// <summary>Largest single top-level field accepted when loading (default 1 GiB); bounds a hostile stream.</summary>
    protected virtual long MaxLoadFieldLength => DeviceState.DefaultMaxFieldLength;

    /// <summary>
    /// Takes one direct arc. Arcs that leave or enter execution run <see cref="OnStopped"/> or
    /// <see cref="OnRunning"/>; entering PRE_COPY or STOP_COPY starts a save session; STOP to RESUMING starts a
    /// load session and RESUMING to STOP loads the state.
    /// </summary>
    /// <param name="next">The next state.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.IllegalStateArc"/> for an arc that is not direct for
    /// <see cref="Features"/> (or for them without P2P, the view of the v1 protocol, which has no P2P states); <see cref="ErrorCode.DeviceInErrorState"/> in ERROR; <see cref="ErrorCode.DeviceRefusedState"/>
    /// when a hook fails (the state is unchanged).</exception>
    /// <exception cref="DeviceStateException">On RESUMING to STOP when the state does not load; the device is then in ERROR.</exception>
    void IMigrationBackend.Step(MigrationState next)
    {
        lock (_sync)
        {
            MigrationState from = _state;
            if (from == MigrationState.Error)
            {
                throw SdkErrors.InErrorState(Name, next);
            }
            if (!IsDirect(from, next))
            {
                throw SdkErrors.NotADirectArc(Name, from, next, Features);
            }
            if (from == MigrationState.Resuming)
            {
                FinishLoad();
            }
            RunHooks(from, next);
            if (IsSaving(next) && !IsSaving(from))
            {
                BeginSave();
            }
            else if (!IsSaving(next) && IsSaving(from))
            {
                EndSave();
            }
            if (next == MigrationState.Resuming)
            {
                BeginLoad();
            }
            _state = next;
        }
    }

    /// <inheritdoc />
    void IMigrationBackend.Reset()
    {
        lock (_sync)
        {
            EndSave();
            AbandonLoad();
            OnReset();
            _state = MigrationState.Running;
        }
    }

    /// <summary>Returns the pooled buffers of an open save or load session.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases session buffers; a derived device overrides it to release its own resources too.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_sync)
            {
                EndSave();
                AbandonLoad();
            }
        }
    }

    /// <summary>
    /// Records the schema of this device's state (every field, section, type, presence and since-version) by
    /// running its save code into a recorder; the device's state is not changed.
    /// </summary>
    /// <returns>The schema, for <see cref="DeviceStateSchema.ToJson"/> and <see cref="DeviceStateSchemaDiff"/>.</returns>
    public DeviceStateSchema ExportSchema()
    {
        lock (_sync)
        {
            return DeviceState.ExportSchema(Model.Id.ToString(), w =>
            {
                foreach (string section in Sections)
                {
                    w.WriteSection(section, s => SaveSection(section, s));
                }
                SaveState(w);
            });
        }
    }

    /// <summary>The stream header this device writes as a migration source.</summary>
    /// <returns>Its model id, configuration text and name.</returns>
    public MigrationStreamHeader CreateStreamHeader() => MigrationStreamHeader.For(Configuration, Name);

    /// <summary>Refuses a stream whose model or configuration differs from this device's, before any data moves.</summary>
    /// <param name="header">The stream's header.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.StreamHeaderMismatch"/>.</exception>
    public void ValidateStreamHeader(MigrationStreamHeader header) => StreamHeaderValidator.Check(header, Configuration, Name);

    /// <summary>Writes the device's state, apart from the <see cref="Sections"/>. Runs with the device stopped (STOP_COPY).</summary>
    /// <param name="writer">Where the fields go.</param>
    protected abstract void SaveState(DeviceStateWriter writer);

    /// <summary>Writes one of the <see cref="Sections"/>. May run while the device runs (PRE_COPY).</summary>
    /// <param name="section">The section's name.</param>
    /// <param name="writer">Where the section's fields go.</param>
    protected virtual void SaveSection(string section, DeviceStateWriter writer) =>
        throw new NotSupportedException($"device {Name} declares section '{section}' but does not override SaveSection");

    /// <summary>
    /// Loads a saved state: the fields of <see cref="SaveState"/> and the sections by name. Fields it does not read
    /// are unknown: required ones fail the load (<see cref="ErrorCode.DeviceStateFieldUnknown"/>), optional ones are skipped.
    /// </summary>
    /// <param name="reader">The saved fields.</param>
    protected abstract void LoadState(DeviceStateReader reader);

    /// <summary>Returns the device to its power-on state (<c>VFIO_DEVICE_RESET</c>).</summary>
    protected abstract void OnReset();

    /// <summary>Called when the device starts executing (entering RUNNING, RUNNING_P2P or PRE_COPY from a stopped state).</summary>
    protected virtual void OnRunning()
    {
    }

    /// <summary>Called when the device stops executing (entering STOP or STOP_COPY from a running state).</summary>
    protected virtual void OnStopped()
    {
    }

    // Direct for the device's features, or for the same features without P2P: a protocol with no P2P states (the
    // v1 region, or a v2 user that did not negotiate P2P) drives RUNNING <-> STOP and PRE_COPY -> STOP_COPY directly,
    // and the device must serve it. Arcs that are direct under neither view (combinations) are refused.
    private bool IsDirect(MigrationState from, MigrationState next) =>
        MigrationArcs.IsDirectArc(from, next, Features) ||
        (Features.HasFlag(MigrationFeatures.P2P) && MigrationArcs.IsDirectArc(from, next, Features & ~MigrationFeatures.P2P));

    private static bool IsExecuting(MigrationState s) =>
        s is MigrationState.Running or MigrationState.RunningP2P or MigrationState.PreCopy or MigrationState.PreCopyP2P;

    private static bool IsSaving(MigrationState s) =>
        s is MigrationState.PreCopy or MigrationState.PreCopyP2P or MigrationState.StopCopy;

    private void RunHooks(MigrationState from, MigrationState next)
    {
        bool wasRunning = IsExecuting(from);
        bool willRun = IsExecuting(next);
        if (wasRunning == willRun)
        {
            return;
        }
        try
        {
            if (willRun)
            {
                OnRunning();
            }
            else
            {
                OnStopped();
            }
        }
        catch (Exception e) when (e is not VfioException)
        {
            throw SdkErrors.ArcRefused(Name, from, next, e);
        }
    }
}
