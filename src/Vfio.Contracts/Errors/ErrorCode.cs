namespace Vfio.Errors;

/// <summary>
/// The project's error catalogue: one stable code for every failure a user can meet.
/// </summary>
/// <remarks>
/// Numbers are stable and never reused; a code is printed as <c>E1234</c> with its kebab-case name
/// (<see cref="ErrorCatalogue"/>), and <c>docs/errors.md</c> has one section per code.
/// The catalogue lives in the lowest assembly so that every layer (bindings, models, manager, CLI)
/// raises codes from the same list. Ranges: 1xxx kernel and bindings, 2xxx models and configurations,
/// 3xxx compatibility, 4xxx device state machine and device state, 5xxx migration stream,
/// 6xxx manager (sysfs, definitions, orchestration), 7xxx command line.
/// </remarks>
public enum ErrorCode
{
    // 1xxx: kernel interface and bindings
    /// <summary>A system call on a VFIO file failed; the message names the call and errno.</summary>
    KernelCallFailed = 1001,
    /// <summary>The VFIO container reports an API version this library does not speak.</summary>
    ApiVersionUnsupported = 1002,
    /// <summary>The container does not support the IOMMU type or extension that was asked for.</summary>
    ExtensionUnsupported = 1003,
    /// <summary>The IOMMU group is not viable: not every device in it is bound to a VFIO driver.</summary>
    GroupNotViable = 1004,
    /// <summary>A region or device-info capability chain is malformed (out of bounds, backwards, looping).</summary>
    CapabilityChainMalformed = 1005,
    /// <summary>The device has no region, IRQ or capability of the kind asked for.</summary>
    RegionNotFound = 1006,
    /// <summary>The device does not support a <c>VFIO_DEVICE_FEATURE</c> that was asked for.</summary>
    FeatureUnsupported = 1007,
    /// <summary>A name or path from input would address a location outside its root.</summary>
    PathInvalid = 1008,
    /// <summary>A region read or write went outside the region or returned fewer bytes than asked.</summary>
    RegionAccessInvalid = 1009,

    // 2xxx: device models and configurations
    /// <summary>A model id is not of the form <c>&lt;domain&gt;/&lt;path&gt;</c>.</summary>
    ModelIdInvalid = 2001,
    /// <summary>A parameter specification is invalid (name, type, allowed values, off or init value).</summary>
    ParameterSpecInvalid = 2002,
    /// <summary>A model description is invalid (duplicate parameter, bad version, unknown latest version).</summary>
    ModelDescriptionInvalid = 2003,
    /// <summary>Configuration text could not be parsed.</summary>
    ConfigurationMalformed = 2004,
    /// <summary>A configuration names a parameter the model does not have.</summary>
    ParameterUnknown = 2005,
    /// <summary>A configuration names the same parameter twice.</summary>
    ParameterDuplicate = 2006,
    /// <summary>A value is not among a parameter's allowed values.</summary>
    ValueNotAllowed = 2007,
    /// <summary>A configuration names a version the model does not define.</summary>
    VersionUnknown = 2008,
    /// <summary>A capability, host or device document is malformed or misses a required field.</summary>
    DocumentInvalid = 2009,
    /// <summary>A device model is not known to this host or registry.</summary>
    ModelUnknown = 2010,

    // 3xxx: compatibility between a source and a destination
    /// <summary>Source and destination run different device models.</summary>
    ModelMismatch = 3001,
    /// <summary>The source uses a parameter the destination does not know.</summary>
    ParameterUnknownToDestination = 3002,
    /// <summary>The destination does not accept the source's value of a parameter.</summary>
    ValueNotAcceptedByDestination = 3003,
    /// <summary>A parameter only the destination knows is not at its off value on the destination device.</summary>
    DestinationOnlyFeatureEnabled = 3004,
    /// <summary>An existing destination device runs a configuration different from the source's.</summary>
    ConfigurationMismatch = 3005,

    // 4xxx: device state machine and device state
    /// <summary>A state change asked for an arc the state machine does not allow.</summary>
    IllegalStateArc = 4001,
    /// <summary>The device refused a state change.</summary>
    DeviceRefusedState = 4002,
    /// <summary>The device is in the ERROR state and must be reset.</summary>
    DeviceInErrorState = 4003,
    /// <summary>The device supports neither migration protocol, or not the feature asked for.</summary>
    MigrationUnsupported = 4004,
    /// <summary>The arc is refused in user space because the kernel's planner cannot take it safely.</summary>
    UnsafeStateArc = 4005,
    /// <summary>A v1 <c>device_state</c> value is not one of the documented combinations.</summary>
    V1StateInvalid = 4006,
    /// <summary>The device's state data could not be loaded.</summary>
    DeviceStateLoadFailed = 4007,
    /// <summary>Device state holds a required field this implementation does not know.</summary>
    DeviceStateFieldUnknown = 4008,
    /// <summary>Device state is malformed (bad tag, type, length or missing required field).</summary>
    DeviceStateMalformed = 4009,
    /// <summary>Recovery after a failed state change (recovery state, then reset) failed too.</summary>
    RecoveryFailed = 4010,
    /// <summary>The driver conformance kit (<c>vfioctl conform</c>) found at least one check the device fails.</summary>
    ConformanceFailed = 4011,
    /// <summary>
    /// Device state differs from what the saving device checksummed: a byte changed between the saving device and the
    /// loading one. Never forceable.
    /// </summary>
    DeviceStateChecksumMismatch = 4012,

    // 5xxx: migration stream
    /// <summary>The stream does not start with the envelope magic.</summary>
    StreamMagic = 5001,
    /// <summary>The stream's format version is not supported.</summary>
    StreamFormatVersion = 5002,
    /// <summary>A chunk's CRC32C does not match its data.</summary>
    StreamCrc = 5003,
    /// <summary>The stream ended before its end record.</summary>
    StreamTruncated = 5004,
    /// <summary>A length field exceeds the limit the reader allows.</summary>
    StreamLengthOversized = 5005,
    /// <summary>Bytes follow the end record.</summary>
    StreamTrailingData = 5006,
    /// <summary>The stream's model or configuration does not match the destination device.</summary>
    StreamHeaderMismatch = 5007,
    /// <summary>The stream holds a record of an unknown kind, or a malformed record.</summary>
    StreamRecordInvalid = 5008,
    /// <summary>The end record's totals do not match what was received.</summary>
    StreamLengthMismatch = 5009,
    /// <summary>A channel of a multi-channel transfer is the wrong one: another transfer's, another index or count, a
    /// channel given where a single stream was expected, or one whose data ended out of step with the others.</summary>
    StreamChannelMismatch = 5010,
    /// <summary>A channel of a multi-channel transfer cannot be opened or is not there.</summary>
    StreamChannelMissing = 5011,

    // 6xxx: manager
    /// <summary>A sysfs attribute file holds text that does not parse.</summary>
    SysfsAttributeMalformed = 6001,
    /// <summary>A UUID, parent, type or attribute name is invalid or would escape the root.</summary>
    NameInvalid = 6002,
    /// <summary>No such parent device.</summary>
    ParentNotFound = 6003,
    /// <summary>The parent has no such mdev type.</summary>
    TypeNotFound = 6004,
    /// <summary>No such mediated device.</summary>
    DeviceNotFound = 6005,
    /// <summary>The type has no instance available.</summary>
    NoInstancesAvailable = 6006,
    /// <summary>A device with that UUID already exists.</summary>
    DeviceExists = 6007,
    /// <summary>No such persistent definition.</summary>
    DefinitionNotFound = 6008,
    /// <summary>A persistent definition file is malformed.</summary>
    DefinitionInvalid = 6009,
    /// <summary>A definition with that UUID already exists.</summary>
    DefinitionExists = 6010,
    /// <summary>A migration parameter read back from the device differs from what was written.</summary>
    ConfigurationReadbackMismatch = 6011,
    /// <summary>The device was already opened; its configuration can no longer change.</summary>
    DeviceAlreadyOpened = 6012,
    /// <summary>Manager options are invalid.</summary>
    OptionsInvalid = 6013,
    /// <summary>The migration was cancelled; the source was resumed.</summary>
    MigrationCancelled = 6014,
    /// <summary>The device or host lock could not be taken in time.</summary>
    LockTimeout = 6015,
    /// <summary>The type has no migration information (no attribute file and no manifest).</summary>
    MigrationInfoMissing = 6016,
    /// <summary>The device is not in a state that allows the operation (e.g. resume of a running device).</summary>
    DeviceStateConflict = 6017,
    /// <summary>A save, load or migration of the device was interrupted (its process died); resume or abort it first.</summary>
    MigrationInterrupted = 6018,

    // 6xxx, migration safety (issue 13): a source whose state moved away
    /// <summary>The device's state moved away (a save wrote the whole stream, its destination runs, or abort retired it); running it again needs --force.</summary>
    StateMovedAway = 6030,

    // 6040-6049: the VMM workflow and overrides (issue 20)
    /// <summary>Another process (in production the VMM the device is assigned to) holds the device's VFIO group open, so vfioctl cannot open it.</summary>
    DeviceHeld = 6040,
    /// <summary>A load was asked into a destination that has run since it was created (RUNNING, or resumed once); it needs --force.</summary>
    DestinationHasRun = 6041,

    // 6050-6059: device plug-ins of an emulated host (issue 16): the implementations vfioctl loads at run time
    /// <summary>A plug-in assembly the emulated host's configuration names does not exist.</summary>
    PluginNotFound = 6050,
    /// <summary>A plug-in file is not a .NET assembly, or it (or an assembly it needs) cannot be loaded.</summary>
    PluginNotLoadable = 6051,
    /// <summary>A plug-in assembly has no usable entry point: no <c>[assembly: DevicePlugin(typeof(...))]</c>, an entry type that is not an <c>IDevicePlugin</c>, or an entry that failed.</summary>
    PluginEntryMissing = 6052,
    /// <summary>Two device implementations with one id: in one plug-in, or in two plug-ins of the same host.</summary>
    DeviceImplementationDuplicate = 6053,
    /// <summary>A type of the emulated host names a device implementation that none of its plug-ins provides.</summary>
    DeviceImplementationMissing = 6054,
    /// <summary>The emulated host's configuration (<c>etc/vfio-emu/host.json</c>) cannot be read or parsed.</summary>
    EmulatedHostConfigurationInvalid = 6055,
    /// <summary>A lab verb (<c>traffic</c>) was asked of a device whose code does not implement the lab contract.</summary>
    LabContractMissing = 6056,

    // 6060-6069: fleet store (issue 18)
    /// <summary>No endpoint of the fleet store (etcd) answered within the time allowed.</summary>
    FleetStoreUnreachable = 6060,
    /// <summary>The fleet store's TLS options are invalid: a file is missing, a certificate has no key, an https endpoint has no CA, or TLS files were given for a plain-text endpoint.</summary>
    FleetStoreTlsInvalid = 6061,
    /// <summary>The fleet store answered but refused or failed a request (permission denied, lease not found, request too large).</summary>
    FleetStoreRequestFailed = 6062,
    /// <summary>A fleet store option is invalid: an endpoint, the key prefix, the lease TTL or the re-publish interval.</summary>
    FleetStoreOptionsInvalid = 6063,

    // 6xxx, operational faults (issue 13, files): a file the manager or the CLI reads or writes failed at the
    // system call; the message names the operation, the path, the errno name and what was kept.
    /// <summary>A file could not be written because its file system is mounted read-only (EROFS).</summary>
    FileSystemReadOnly = 6090,
    /// <summary>The user may not create, write, read or remove a file (EACCES, EPERM).</summary>
    FilePermissionDenied = 6091,
    /// <summary>A file could not be written: no space left on its file system, or the quota is used up (ENOSPC, EDQUOT).</summary>
    FileSystemFull = 6092,
    /// <summary>A file operation failed with an I/O error or another errno not catalogued on its own (EIO, ...).</summary>
    FileIoFailed = 6093,
    /// <summary>A path names a file of the wrong kind: a directory, a FIFO, a device or a link where a regular file belongs.</summary>
    FileKindInvalid = 6094,

    // 7xxx: command line
    /// <summary>The command line is wrong.</summary>
    UsageError = 7001,
    /// <summary>An emulated host directory (<c>--emulated</c>, <c>--to-root</c>) does not exist or is not an emulated host (no <c>sys/class/mdev_bus</c>).</summary>
    EmulatedHostInvalid = 7010,

    // 7xxx, operational faults (issue 13, files)
    /// <summary>A failure no other code describes reached the command line: a bug; exit code 70 (EX_SOFTWARE).</summary>
    InternalError = 7099,
}
