using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Emulation;

/// <summary>
/// An in-process VFIO device for CI and the demo: memory-backed regions and either migration protocol, emulated
/// the way the kernel documents them, with the device behaviour supplied by an <see cref="IMigrationBackend"/>.
/// The migration driver cannot tell it from a kernel device, which is the point.
/// </summary>
/// <remarks>
/// <para>Regions follow vfio-pci's numbering: 0-5 the BARs (BAR0 backed by memory, the others empty), 6 the ROM,
/// 7 config space (256 bytes), 8 VGA; with the v1 protocol, region 9 is the migration region (type 3, subtype 1): the
/// 32-byte <c>vfio_device_migration_info</c> header, then the data section from the next page boundary, announced by a
/// sparse-mmap capability as real drivers do. <see cref="VfioRegionInfo.Offset"/> is
/// <c>VFIO_PCI_INDEX_TO_OFFSET(index)</c> (index &lt;&lt; 40).</para>
/// <para>v2: <see cref="SetMigrationState"/> walks combination arcs like the kernel, forwarding each direct arc to
/// <see cref="IMigrationBackend.Step"/>, and returns a data session when an arc enters the saving group or RESUMING.
/// v1: a <c>device_state</c> write runs the same backend arcs; reading <c>pending_bytes</c> runs the save code
/// (pulls the next piece into the data section) and writing <c>data_size</c> runs the load code.</para>
/// <para>All members are serialised by one lock; the device may be used from several threads.</para>
/// </remarks>
public sealed partial class EmulatedVfioDevice : IVfioDevice
{
    private const uint ConfigIndex = 7;
    private const uint V1MigrationIndex = 9;
    private const int PciRegionCount = 9;
    private const ulong V1DataOffset = 4096;

    private readonly Lock _gate = new();
    private readonly IMigrationBackend _backend;
    private readonly MigrationProtocolKind _protocol;
    private readonly MigrationFeatures _features;
    private readonly byte[] _bar0;
    private readonly byte[] _config = new byte[256];
    private readonly byte[] _v1DataSection;
    private readonly VfioRegionInfo[] _regions;
    private bool _inError;
    private bool _disposed;

    /// <summary>Creates an emulated device.</summary>
    /// <param name="name">The device's name, reported in every error (e.g. an mdev UUID).</param>
    /// <param name="backend">The device behaviour behind the regions and the state machine.</param>
    /// <param name="options">Protocol, features and region sizes; null for v2 with the backend's features.</param>
    /// <exception cref="ArgumentException">
    /// The features lack STOP_COPY or ask for more than the backend supports, or a size is not positive.
    /// </exception>
    public EmulatedVfioDevice(string name, IMigrationBackend backend, EmulatedDeviceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(backend);
        options ??= new EmulatedDeviceOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Bar0Size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.V1DataSectionSize);
        Name = name;
        _backend = backend;
        _protocol = options.Protocol;
        if (_protocol == MigrationProtocolKind.V2Feature)
        {
            _features = options.Features ?? backend.Features;
            if (!_features.HasFlag(MigrationFeatures.StopCopy) || (_features & ~backend.Features) != 0)
            {
                throw new ArgumentException(
                    $"device {name}: features {_features} must include StopCopy and be a subset of the backend's {backend.Features}", nameof(options));
            }
        }
        else
        {
            // v1 has no P2P state; pre-copy (SAVING|RUNNING) exists when the backend can do it.
            _features = backend.Features & (MigrationFeatures.StopCopy | MigrationFeatures.PreCopy);
        }
        // A backend restored in ERROR (a process left the device there) stays in ERROR until a reset, as the kernel's would.
        _inError = backend.State == MigrationState.Error;
        _bar0 = new byte[options.Bar0Size];
        _v1DataSection = _protocol == MigrationProtocolKind.V1Region ? new byte[options.V1DataSectionSize] : [];
        _regions = BuildRegions();
    }

    /// <summary>
    /// Creates an emulated device that speaks a build's kernel protocol (a vendor build states it as
    /// <c>DeviceImplementation.Protocol</c> and <c>Features</c>), with the emulator's default region sizes.
    /// </summary>
    /// <param name="name">The device's name, reported in every error (e.g. an mdev UUID).</param>
    /// <param name="backend">The device behind the regions and the state machine.</param>
    /// <param name="protocol">The migration protocol the device speaks.</param>
    /// <param name="features">For v2, the flags the device reports; null for the backend's own.</param>
    /// <exception cref="ArgumentException">As <see cref="EmulatedVfioDevice(string, IMigrationBackend, EmulatedDeviceOptions?)"/>.</exception>
    public EmulatedVfioDevice(string name, IMigrationBackend backend, MigrationProtocolKind protocol, MigrationFeatures? features = null)
        : this(name, backend, new EmulatedDeviceOptions { Protocol = protocol, Features = protocol == MigrationProtocolKind.V2Feature ? features : null })
    {
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Fault injection points; settable at any time.</summary>
    public EmulatedFaults Faults { get; set; } = new();

    /// <summary>The migration state, ERROR included, whatever the protocol (what a host persists between processes).</summary>
    public MigrationState CurrentMigrationState
    {
        get
        {
            lock (_gate)
            {
                return CurrentState;
            }
        }
    }

    /// <summary>The protocol this device speaks.</summary>
    public MigrationProtocolKind Protocol => _protocol;

    /// <inheritdoc />
    public VfioDeviceInfo GetInfo()
    {
        ThrowIfDisposed();
        return new VfioDeviceInfo(VfioDeviceFlags.Pci | VfioDeviceFlags.Reset, (uint)_regions.Length, 5);
    }

    /// <inheritdoc />
    public VfioRegionInfo GetRegionInfo(uint index)
    {
        ThrowIfDisposed();
        return index < _regions.Length ? _regions[index] : throw NoSuchRegion(index);
    }

    /// <summary>
    /// The bytes <c>VFIO_DEVICE_GET_REGION_INFO</c> would return for a region: <c>struct vfio_region_info</c> followed
    /// by its capability chain, laid out as the kernel lays it out.
    /// </summary>
    internal byte[] GetRegionInfoBytes(uint index) => RegionInfoWriter.Write(GetRegionInfo(index));

    /// <inheritdoc />
    public VfioIrqInfo GetIrqInfo(uint index)
    {
        ThrowIfDisposed();
        // vfio-pci's indexes: INTx, MSI, MSI-X, ERR, REQ.
        return index switch
        {
            0 => new VfioIrqInfo(0, VfioIrqFlags.Eventfd | VfioIrqFlags.Maskable | VfioIrqFlags.Automasked, 1),
            1 or 2 => new VfioIrqInfo(index, VfioIrqFlags.Eventfd | VfioIrqFlags.NoResize, 1),
            3 or 4 => new VfioIrqInfo(index, VfioIrqFlags.Eventfd, 1),
            _ => throw EmulationErrors.NoSuchIrq(Name, index),
        };
    }

    /// <inheritdoc />
    public int ReadRegion(uint index, ulong offset, Span<byte> buffer)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (index == V1MigrationIndex && _protocol == MigrationProtocolKind.V1Region)
            {
                return ReadMigrationRegion(offset, buffer);
            }
            Memory(index, offset, buffer.Length).Span.CopyTo(buffer);
            return buffer.Length;
        }
    }

    /// <inheritdoc />
    public int WriteRegion(uint index, ulong offset, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (index == V1MigrationIndex && _protocol == MigrationProtocolKind.V1Region)
            {
                return WriteMigrationRegion(offset, data);
            }
            data.CopyTo(Memory(index, offset, data.Length).Span);
            return data.Length;
        }
    }

    /// <inheritdoc />
    public void Reset()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            bool wasInError = CurrentState == MigrationState.Error;
            _backend.Reset();
            _inError = wasInError && HasBug(EmulatedDriverBugs.ResetKeepsError);
            EndSession();
        }
    }

    /// <inheritdoc />
    public MigrationFeatures GetMigrationFeatures()
    {
        ThrowIfDisposed();
        return _protocol == MigrationProtocolKind.V2Feature ? _features : MigrationFeatures.None;
    }

    /// <inheritdoc />
    public MigrationState GetMigrationState()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            RequireV2("VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE");
            return CurrentState;
        }
    }

    /// <inheritdoc />
    public MigrationDataStream? SetMigrationState(MigrationState next)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            RequireV2("VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE");
            MigrationState from = RunArcs(next);
            if (!OpensSession(from, next) || (from == MigrationState.Stop && next == MigrationState.StopCopy && HasBug(EmulatedDriverBugs.NoDataFdOnStopCopy)))
            {
                return null;
            }
            return new EmulatedDataStream(this, _session, next == MigrationState.Resuming);
        }
    }

    /// <inheritdoc />
    public ulong GetMigrationDataSize()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            RequireV2("VFIO_DEVICE_FEATURE_MIG_DATA_SIZE");
            ulong size = _backend.GetStopCopySize();
            return HasBug(EmulatedDriverBugs.UnderestimatesDataSize) ? size / 64 : size;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            EndSession();
        }
    }

    private MigrationState CurrentState => _inError ? MigrationState.Error : _backend.State;

    private static bool IsSaving(MigrationState s) => s is MigrationState.PreCopy or MigrationState.PreCopyP2P or MigrationState.StopCopy;

    // vfio.h: entering the saving group from outside, or RESUMING, returns a new data_fd.
    private static bool OpensSession(MigrationState from, MigrationState to) =>
        (IsSaving(to) && !IsSaving(from)) || to == MigrationState.Resuming;

    /// <summary>
    /// Walks from the current state to <paramref name="target"/> like a kernel driver does for a combination arc,
    /// one backend arc at a time; returns the state the last arc started from.
    /// </summary>
    private MigrationState RunArcs(MigrationState target)
    {
        if (_inError)
        {
            throw EmulationErrors.InErrorState(Name, target);
        }
        MigrationState at = _backend.State;
        if (target == MigrationState.Error && HasBug(EmulatedDriverBugs.AcceptsErrorTarget))
        {
            _inError = true;
            EndSession();
            return at;
        }
        if (!MigrationArcs.IsSupported(target, _features))
        {
            if (HasBug(EmulatedDriverBugs.RefusalMovesState) && at != MigrationState.Stop && MigrationArcs.IsSupported(at, _backend.Features))
            {
                WalkBackend(MigrationState.Stop);
                EndSession();
            }
            throw EmulationErrors.StateUnsupported(Name, target, _features);
        }
        if (HasBug(EmulatedDriverBugs.RefusesCombinationArcs) && at != target && MigrationArcs.IsSupported(at, _features)
            && MigrationArcs.PlanPath(at, target, _features).Count > 1)
        {
            throw EmulationErrors.CombinationArcRefused(Name, at, target);
        }
        // The backend takes the arcs of its own feature set: a device reporting fewer flags (or speaking v1, which
        // has no P2P state) still passes through the backend's states internally, as a kernel driver would.
        IReadOnlyList<MigrationState> path;
        try
        {
            path = MigrationArcs.PlanPath(at, target, _backend.Features);
        }
        catch (VfioException ex) when (ex.Code is ErrorCode.IllegalStateArc or ErrorCode.UnsafeStateArc)
        {
            // Where the kernel's planner would spin (STOP_COPY -> PRE_COPY), the emulation refuses instead of hanging.
            throw EmulationErrors.PlanRefused(Name, ex);
        }
        MigrationState from = at;
        foreach (MigrationState next in path)
        {
            ApplyArc(at, next);
            from = at;
            at = next;
        }
        return from;
    }

    private void ApplyArc(MigrationState from, MigrationState to)
    {
        EmulatedFaults faults = Faults;
        var arc = new StateArc(from, to);
        if (faults.RefuseArc == arc)
        {
            throw EmulationErrors.ArcRefused(Name, arc);
        }
        if (faults.ErrorOnArc == arc)
        {
            _inError = true;
            EndSession();
            throw EmulationErrors.ArcFailed(Name, arc);
        }
        if (from == MigrationState.Resuming && HasBug(EmulatedDriverBugs.ResumingAcceptsGarbage))
        {
            AcceptWhateverWasLoaded(to);
        }
        else
        {
            _backend.Step(to);
        }
        if (OpensSession(from, to))
        {
            StartSession();
        }
        else if (!IsSaving(to))
        {
            EndSession();
        }
    }

    private bool HasBug(EmulatedDriverBugs bug) => (Faults.DriverBugs & bug) != 0;

    // Takes the backend's own direct arcs to a state (for the deliberate bugs, which move the device behind the user's back).
    private void WalkBackend(MigrationState target)
    {
        foreach (MigrationState next in MigrationArcs.PlanPath(_backend.State, target, _backend.Features))
        {
            _backend.Step(next);
        }
    }

    // EmulatedDriverBugs.ResumingAcceptsGarbage: whatever the load code thought of the data, leave RESUMING as asked.
    private void AcceptWhateverWasLoaded(MigrationState to)
    {
        try
        {
            _backend.Step(to);
        }
        catch (VfioException)
        {
            _backend.Reset();
            WalkBackend(to);
        }
    }

    private void RequireV2(string feature)
    {
        if (_protocol != MigrationProtocolKind.V2Feature)
        {
            throw EmulationErrors.V2FeatureOnV1(Name, feature);
        }
    }

    private Memory<byte> Memory(uint index, ulong offset, int length)
    {
        byte[] backing = index switch
        {
            0 => _bar0,
            ConfigIndex => _config,
            _ when index < _regions.Length => [],
            _ => throw NoSuchRegion(index),
        };
        if (offset > (ulong)backing.Length || (ulong)length > (ulong)backing.Length - offset)
        {
            throw OutOfRegion(index, offset, length, (ulong)backing.Length);
        }
        return backing.AsMemory((int)offset, length);
    }

    private VfioRegionInfo[] BuildRegions()
    {
        var regions = new List<VfioRegionInfo>(PciRegionCount + 1);
        for (uint i = 0; i < PciRegionCount; i++)
        {
            (VfioRegionFlags flags, ulong size) = i switch
            {
                0 => (VfioRegionFlags.Read | VfioRegionFlags.Write | VfioRegionFlags.Mmap, (ulong)_bar0.Length),
                ConfigIndex => (VfioRegionFlags.Read | VfioRegionFlags.Write, (ulong)_config.Length),
                _ => (VfioRegionFlags.None, 0UL),
            };
            regions.Add(new VfioRegionInfo(i, flags, size, (ulong)i << 40, []));
        }
        if (_protocol == MigrationProtocolKind.V1Region)
        {
            // Sparse mmap first, then the type, the order vendor drivers (e.g. NVIDIA's vGPU) add them in.
            RegionCapability[] caps =
            [
                new SparseMmapCapability([(V1DataOffset, (ulong)_v1DataSection.Length)]),
                new RegionTypeCapability(V1RegionLayout.RegionType, V1RegionLayout.RegionSubtype),
            ];
            regions.Add(new VfioRegionInfo(V1MigrationIndex,
                VfioRegionFlags.Read | VfioRegionFlags.Write | VfioRegionFlags.Mmap | VfioRegionFlags.Caps,
                V1DataOffset + (ulong)_v1DataSection.Length, (ulong)V1MigrationIndex << 40, caps));
        }
        return [.. regions];
    }

    private VfioException NoSuchRegion(uint index) => EmulationErrors.NoSuchRegion(Name, index, _regions?.Length);

    private VfioException OutOfRegion(uint index, ulong offset, int length, ulong size) => EmulationErrors.OutOfRegion(Name, index, offset, length, size);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
