using Vfio.Errors;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.Devices;
using Vfio.Kernel;

namespace Vfio.Manager.Errors;

/// <summary>
/// Every <see cref="VfioException"/> the manager raises (catalogue range 6xxx, and the kernel, model and document codes
/// it meets on a host), one factory per situation: each fact (device, parameter, value, expectation) is passed once and
/// lands both in the message and on its property. Sites throw what a factory returns; RepositoryTests keep it that way.
/// </summary>
internal static class ManagerErrors
{
    // ---- names, paths, sysfs attributes ----

    /// <summary>name-invalid: a name that failed its rule; names its kind, quotes the input and says why.</summary>
    internal static VfioException NameInvalid(string kind, string? input, string problem, string expected) =>
        new(ErrorCode.NameInvalid, $"{kind} {NameRules.Quote(input)} is invalid: {problem}; expected {expected}.")
        {
            Value = input,
            Expected = expected,
        };

    /// <summary>path-invalid: a path whose symbolic links lead outside the tree's root.</summary>
    internal static VfioException PathOutsideRoot(SysfsPath path, string resolved) =>
        new(ErrorCode.PathInvalid,
            $"'{path.FullPath}' resolves to '{resolved}', which is outside the root '{path.Root}'; a symbolic link in the tree leads out of it.")
        {
            Value = path.FullPath,
            Expected = $"a location below {path.Root}",
        };

    /// <summary>path-invalid: a path whose symbolic links loop.</summary>
    internal static VfioException PathLinksLoop(SysfsPath path, int maxHops) =>
        new(ErrorCode.PathInvalid, $"'{path.FullPath}' passes through more than {maxHops} symbolic links; the links loop.")
        {
            Value = path.FullPath,
        };

    /// <summary>path-invalid: a saved streams directory that does not exist.</summary>
    internal static VfioException SavedStreamsDirectoryMissing(string directory) =>
        new(ErrorCode.PathInvalid, $"the saved streams directory {directory} does not exist")
        {
            Value = directory,
            Expected = "a directory of streams written by vfioctl save",
        };

    /// <summary>sysfs-attribute-malformed: an attribute's content broke its format at a line.</summary>
    internal static VfioException AttributeMalformed(SysfsPath path, int line, string content, string problem) =>
        new(ErrorCode.SysfsAttributeMalformed, $"{path.FullPath}:{line}: {problem}, got {NameRules.Quote(content)}.")
        {
            Value = content,
        };

    /// <summary>sysfs-attribute-malformed: a device's <c>migration/state</c> file names no migration state.</summary>
    internal static VfioException MigrationStateMalformed(MdevUuid device, string file, string text) =>
        new(ErrorCode.SysfsAttributeMalformed, $"{file}: '{text}' is not a migration state")
        {
            Device = device.ToString(),
            Value = text,
            Expected = string.Join(", ", Enum.GetNames<MigrationState>()),
        };

    /// <summary>kernel-call-failed: reading a sysfs file failed.</summary>
    internal static VfioException SysfsReadFailed(SysfsPath path, Exception e) =>
        new(ErrorCode.KernelCallFailed, $"cannot read '{path.FullPath}': {e.Message}", e) { Value = path.FullPath };

    /// <summary>kernel-call-failed: writing a sysfs file failed; <paramref name="why"/> is the runtime's or the emulated kernel's reason.</summary>
    internal static VfioException SysfsWriteFailed(SysfsPath path, string value, string why, Exception? inner = null) =>
        new(ErrorCode.KernelCallFailed, $"writing {NameRules.Quote(value)} to '{path.FullPath}' failed: {why}", inner)
        {
            Value = value,
        };

    // ---- parents, types, devices ----

    /// <summary>parent-not-found.</summary>
    internal static VfioException ParentNotFound(ParentDeviceName parent, SysfsPath bus) =>
        new(ErrorCode.ParentNotFound, $"there is no mdev parent device {parent} under {bus.FullPath}.")
        {
            Device = parent.Value,
        };

    /// <summary>type-not-found: names the types the parent has (empty for none).</summary>
    internal static VfioException TypeNotFound(ParentDeviceName parent, MdevTypeName type, string known) =>
        new(ErrorCode.TypeNotFound, $"parent {parent} has no mdev type {type}; it has: {(known.Length == 0 ? "none" : known)}.")
        {
            Device = parent.Value,
            Value = type.Value,
            Expected = known,
        };

    /// <summary>device-exists: creating a device whose UUID is taken; <paramref name="advice"/> ends the message.</summary>
    internal static VfioException DeviceExists(MdevUuid uuid, string advice) =>
        new(ErrorCode.DeviceExists, $"mediated device {uuid} already exists{advice}") { Device = uuid.ToString() };

    /// <summary>no-instances-available: the type has no free instance; <paramref name="detail"/> follows "available".</summary>
    internal static VfioException NoInstancesAvailable(ParentDeviceName parent, MdevTypeName type, MdevUuid uuid, string detail) =>
        new(ErrorCode.NoInstancesAvailable, $"type {type} of parent {parent} has no instance available{detail} for {uuid}.")
        {
            Device = uuid.ToString(),
            Value = type.Value,
        };

    /// <summary>device-not-found: <paramref name="what"/> completes "mediated device {uuid} ...".</summary>
    internal static VfioException DeviceNotFound(MdevUuid uuid, string what, Exception? inner = null) =>
        new(ErrorCode.DeviceNotFound, $"mediated device {uuid} {what}", inner) { Device = uuid.ToString() };

    /// <summary>device-not-found: a device with no iommu_group link (no vfio_mdev driver bound).</summary>
    internal static VfioException NoIommuGroup(MdevUuid device) =>
        new(ErrorCode.DeviceNotFound, $"mediated device {device} has no iommu_group link; is the vfio_mdev driver bound to it?")
        {
            Device = device.ToString(),
            Expected = "an iommu_group link",
        };

    /// <summary>device-held: another process holds the device's IOMMU group; names the holders and the VMM workflow.</summary>
    internal static VfioException DeviceHeld(MdevUuid device, string node, IReadOnlyList<VfioNodeHolder> holders, Exception? busy)
    {
        string? named = holders.Count == 0 ? null : string.Join(", ", holders);
        string by = named ?? "another process (none that this user may inspect in /proc)";
        return new VfioException(ErrorCode.DeviceHeld,
            $"{device} is held by {by}: its IOMMU group {node} is open there, and the kernel lets one process hold a group. " +
            $"If a VMM (QEMU) runs the device, the VMM migrates its state: describe it with 'vfioctl describe {device}" +
            " --json', prepare the destination with 'vfioctl check --device' and 'vfioctl start --like', then migrate the VM " +
            "(docs/operator-guide.md, \"When a VMM holds the device\"). list, describe, check and types work meanwhile.", busy)
        {
            Device = device.ToString(),
            Value = named,
        };
    }

    /// <summary>device-state-conflict: <paramref name="what"/> completes "mediated device {uuid} ..."; <paramref name="state"/> and
    /// <paramref name="expected"/> are set when the conflict is a state.</summary>
    internal static VfioException DeviceStateConflict(MdevUuid uuid, string what, string? state = null, string? expected = null) =>
        new(ErrorCode.DeviceStateConflict, $"mediated device {uuid} {what}")
        {
            Device = uuid.ToString(),
            Value = state,
            Expected = expected,
        };

    /// <summary>device-already-opened: a migration parameter written after the device was opened.</summary>
    internal static VfioException ParameterFrozen(MdevUuid uuid, AttributeName parameter, string text) =>
        new(ErrorCode.DeviceAlreadyOpened,
            $"mediated device {uuid} has been opened; its migration parameter {parameter} can no longer change (refused {NameRules.Quote(text)}).")
        {
            Device = uuid.ToString(),
            Parameter = parameter.Value,
            Value = text,
        };

    /// <summary>kernel-call-failed: the emulated kernel refused a write to a device file; <paramref name="file"/> names it
    /// ("create of p/t", "remove of uuid", "migration/x of uuid") and <paramref name="why"/> says why.</summary>
    internal static VfioException EmulatedWriteRefused(string file, string value, string why, MdevUuid? device = null, AttributeName? parameter = null, string? expected = null) =>
        new(ErrorCode.KernelCallFailed, $"writing {NameRules.Quote(value)} to {file} failed: {why}.")
        {
            Device = device?.ToString(),
            Parameter = parameter?.Value,
            Value = value,
            Expected = expected,
        };

    /// <summary>kernel-call-failed: a device's record of a moved state could not be removed.</summary>
    internal static VfioException MovedRecordNotRemoved(MdevUuid uuid, Exception e) =>
        new(ErrorCode.KernelCallFailed, $"mediated device {uuid}: its record of a moved state could not be removed: {e.Message}", e)
        {
            Device = uuid.ToString(),
        };

    // ---- models, configurations, migration info ----

    /// <summary>model-unknown: a device runs a model its type's document does not describe.</summary>
    internal static VfioException ModelNotDescribed(MdevUuid device, string model, string document) =>
        new(ErrorCode.ModelUnknown, $"device {device} runs model {model}, which {document} does not describe.")
        {
            Device = device.ToString(),
            Value = model,
        };

    /// <summary>model-unknown: the emulated host has no description of the model a device runs.</summary>
    internal static VfioException EmulatedModelNotDescribed(MdevUuid device, string model) =>
        new(ErrorCode.ModelUnknown, $"the emulated host has no description of model {model} of device {device}.")
        {
            Device = device.ToString(),
            Value = model,
        };

    /// <summary>model-unknown: an emulated type names no device implementation (its file is missing).</summary>
    internal static VfioException NoImplementationNamed(MdevUuid device, string type, string file) =>
        new(ErrorCode.ModelUnknown,
            $"type {type} of mediated device {device} names no device implementation ({file} is missing); lay the type out with EmulatedHostBuilder.AddType(..., DeviceImplementation)")
        {
            Device = device.ToString(),
            Value = type,
        };

    /// <summary>model-mismatch: a configuration of a model the device's type does not run.</summary>
    internal static VfioException TypeRunsOtherModels(MdevUuid uuid, MdevType type, string runs, string model) =>
        new(ErrorCode.ModelMismatch, $"device {uuid}: type {type.Name} of parent {type.Parent} runs {runs}, not {model}.")
        {
            Device = uuid.ToString(),
            Value = model,
            Expected = runs,
        };

    /// <summary>migration-info-missing: a type without a document to check a device against.</summary>
    internal static VfioException NoDocumentToCheck(MdevUuid device, MdevType type) =>
        new(ErrorCode.MigrationInfoMissing,
            $"type {type.Name} of parent {type.Parent} has no migration_info.json and no manifest, so device {device} cannot be checked against it")
        {
            Device = device.ToString(),
            Value = type.Name.Value,
        };

    /// <summary>migration-info-missing: a type without migration information to pin a configuration by.</summary>
    internal static VfioException NoMigrationInfoToPin(MdevUuid device, MdevType type) =>
        new(ErrorCode.MigrationInfoMissing,
            $"device {device}: type {type.Name} of parent {type.Parent} has no migration information (no migration_info.json and no manifest), so no configuration can be pinned.")
        {
            Device = device.ToString(),
            Value = type.Name.Value,
        };

    /// <summary>configuration-readback-mismatch: the device runs another model than the one pinned.</summary>
    internal static VfioException ModelReadbackMismatch(MdevUuid uuid, string running, string expected) =>
        new(ErrorCode.ConfigurationReadbackMismatch, $"device {uuid} reports model {running} in migration/model; expected {expected}.")
        {
            Device = uuid.ToString(),
            Value = running,
            Expected = expected,
        };

    /// <summary>configuration-readback-mismatch: a parameter reads back another value than was written.</summary>
    internal static VfioException ParameterReadbackMismatch(MdevUuid uuid, string parameter, string read, string expected, string where) =>
        new(ErrorCode.ConfigurationReadbackMismatch, $"device {uuid}: parameter {parameter} reads back {NameRules.Quote(read)} from {where}; expected '{expected}'.")
        {
            Device = uuid.ToString(),
            Parameter = parameter,
            Value = read,
            Expected = expected,
        };

    /// <summary>document-invalid: a document the manager reads; <paramref name="what"/> follows "{path}: ".</summary>
    internal static VfioException DocumentInvalid(string path, string what, string? expected = null, Exception? inner = null) =>
        new(ErrorCode.DocumentInvalid, $"{path}: {what}", inner) { Value = path, Expected = expected };

    /// <summary>An error raised while reading a file, restated with the file's path in front; its facts are kept.</summary>
    internal static VfioException InFile(string path, VfioException e) =>
        new(e.Code, $"{path}: {e.Message}", e) { Value = e.Value, Parameter = e.Parameter, Expected = e.Expected };

    /// <summary>An error about a device implementation, restated for the device that names it.</summary>
    internal static VfioException ForDevice(MdevUuid device, string implementation, VfioException e) =>
        new(e.Code, $"mediated device {device}: {e.Message}", e) { Device = device.ToString(), Value = implementation };

    /// <summary>An error that names no device, given the device it concerns; its message and other facts are kept.</summary>
    internal static VfioException NamingDevice(MdevUuid device, VfioException e) =>
        new(e.Code, e.Message, e)
        {
            Device = device.ToString(),
            Value = e.Value,
            Expected = e.Expected,
        };

    // ---- definitions ----

    /// <summary>definition-exists.</summary>
    internal static VfioException DefinitionExists(MdevUuid uuid, ParentDeviceName parent, string path) =>
        new(ErrorCode.DefinitionExists, $"mediated device {uuid} is already defined under parent {parent} ({path}).")
        {
            Device = uuid.ToString(),
        };

    /// <summary>definition-not-found.</summary>
    internal static VfioException DefinitionNotFound(MdevUuid uuid, ParentDeviceName? parent, string root) =>
        new(ErrorCode.DefinitionNotFound,
            $"mediated device {uuid} is not defined{(parent is ParentDeviceName p ? " under parent " + p : string.Empty)} in {root}.")
        {
            Device = uuid.ToString(),
        };

    /// <summary>definition-invalid: <paramref name="problem"/> says what is wrong with the file.</summary>
    internal static VfioException DefinitionInvalid(string file, string problem, Exception? inner = null, MdevUuid? device = null, string? expected = null) =>
        new(ErrorCode.DefinitionInvalid, $"definition {file} is invalid: {problem}.", inner)
        {
            Value = file,
            Device = device?.ToString(),
            Expected = expected,
        };

    // ---- migration journal and recovery ----

    /// <summary>migration-cancelled.</summary>
    internal static VfioException MigrationCancelled(string device, Exception e) =>
        new(ErrorCode.MigrationCancelled, $"the migration of {device} was cancelled", e) { Device = device };

    /// <summary>kernel-call-failed: an I/O failure of no catalogue code during a migration.</summary>
    internal static VfioException MigrationIoFailed(string device, Exception e) =>
        new(ErrorCode.KernelCallFailed, $"{device}: I/O failed during the migration: {e.Message}", e) { Device = device };

    /// <summary>migration-unsupported: entering a state opened no data session.</summary>
    internal static VfioException NoSession(string device, MigrationState state) =>
        new(ErrorCode.MigrationUnsupported, $"{device}: entering {state} opened no data session") { Device = device, Value = state.ToString() };

    /// <summary>migration-interrupted: a journal entry names an interrupted operation; says what resume and abort do.</summary>
    internal static VfioException MigrationInterrupted(MdevUuid device, MigrationJournalEntry entry)
    {
        string what = entry.Operation == MigrationJournalEntry.Load
            ? $"'vfioctl abort {device}' resets it{(entry.DestinationCreated ? " and removes it" : "")}"
            : $"'vfioctl resume {device}' runs the source again, 'vfioctl abort {device}' ends it if its state runs elsewhere";
        return new(ErrorCode.MigrationInterrupted,
            $"a {entry.Operation} of {device} started at {entry.Started:u} by process {entry.ProcessId} was interrupted; {what}")
        {
            Device = device.ToString(),
            Value = entry.Operation,
            Expected = "no interrupted migration",
        };
    }

    /// <summary>migration-interrupted: a journal entry that does not parse.</summary>
    internal static VfioException JournalUnparsable(MdevUuid device, string path, Exception e) =>
        new(ErrorCode.MigrationInterrupted,
            $"the migration journal {path} of {device} does not parse ({e.Message}); a migration of the device was interrupted: check its state with 'vfioctl describe {device}', then 'vfioctl abort {device}' or 'vfioctl resume {device}'", e)
        {
            Device = device.ToString(),
            Value = path,
        };

    /// <summary>migration-interrupted: resume on the destination of an interrupted load.</summary>
    internal static VfioException ResumeOfLoadDestination(MdevUuid device, MigrationJournalEntry entry) =>
        new(ErrorCode.MigrationInterrupted,
            $"{device} is the destination of an interrupted load and holds no complete state; 'vfioctl abort {device}' resets it{(entry.DestinationCreated ? " and removes it" : "")}")
        {
            Device = device.ToString(),
            Value = entry.Operation,
            Expected = "a source",
        };

    /// <summary>migration-interrupted: the interrupted migrate had switched over, so the source stays stopped.</summary>
    internal static VfioException AlreadySwitchedOver(MdevUuid device, string? destination) =>
        new(ErrorCode.MigrationInterrupted,
            $"the interrupted migrate of {device} had already switched over: {destination} runs, so {device} stays stopped; the journal is cleared ('vfioctl abort {device}' resets it)")
        {
            Device = device.ToString(),
            Value = destination,
            Expected = "a destination that does not run",
        };

    /// <summary>migration-interrupted: the interrupted migrate's destination host cannot be opened by this command.</summary>
    internal static VfioException DestinationHostUnreachable(string? source, MdevUuid destination, string destinationRoot) =>
        new(ErrorCode.MigrationInterrupted,
            $"the interrupted migrate of {source} went to {destination} on the host at {destinationRoot}, which this command cannot open; end it there with 'vfioctl --emulated {destinationRoot} abort {destination}'")
        {
            Device = source,
            Value = destinationRoot,
        };

    /// <summary>state-moved-away: the record that a device's state moved away does not parse.</summary>
    internal static VfioException MovedRecordUnparsable(MdevUuid device, string path, Exception e) =>
        new(ErrorCode.StateMovedAway,
            $"the record {path} that the state of {device} moved away does not parse ({e.Message}); the state is taken to run elsewhere: 'vfioctl resume --force {device}' only once no other device runs it", e)
        {
            Device = device.ToString(),
            Value = path,
        };

    /// <summary>state-moved-away: resume without --force of a source whose state moved away.</summary>
    internal static VfioException NotResumedStateMoved(MdevUuid device, MovedAwayRecord moved) =>
        new(ErrorCode.StateMovedAway,
            $"{device} is not resumed: {moved.Describe()}. Running it again could run the guest twice. If the destination runs, 'vfioctl abort {device}' retires this source; " +
            $"if no device runs its state (the load failed, or the stream was never loaded), 'vfioctl resume --force {device}'")
        {
            Device = device.ToString(),
            Value = moved.Kind,
            Expected = "a source whose state did not move away, or --force",
        };

    /// <summary>state-moved-away: resume --force refused because the destination runs.</summary>
    internal static VfioException NotResumedDestinationRuns(MdevUuid device, MovedAwayRecord moved, MdevUuid destination) =>
        new(ErrorCode.StateMovedAway,
            $"{device} is not resumed, even with --force: {moved.Describe()}, and {destination} is RUNNING now; stop or abort {destination} first")
        {
            Device = device.ToString(),
            Value = destination.ToString(),
            Expected = "a destination that does not run",
        };


    // ---- the emulated host ----

    /// <summary>device-implementation-missing: no plug-in provides the implementation a type runs.</summary>
    internal static VfioException ImplementationMissing(MdevUuid device, string type, string id, string root, string plugins, string configuration) =>
        new(ErrorCode.DeviceImplementationMissing,
            $"type {type} of mediated device {device} runs device implementation '{id}', which no plug-in of the emulated host {root} provides: {plugins}; add the plug-in that provides it to {configuration}")
        {
            Device = device.ToString(),
            Value = id,
        };

    /// <summary>emulated-host-configuration-invalid.</summary>
    internal static VfioException HostConfigurationInvalid(string path, string why, Exception? inner = null) =>
        new(ErrorCode.EmulatedHostConfigurationInvalid,
            $"the emulated host's configuration {path} cannot be used: {why}; expected {{ \"plugins\": [ \"<assembly path, absolute or relative to the host's root>\", ... ] }}", inner)
        {
            Value = path,
            Expected = "a host configuration document",
        };

    /// <summary>options-invalid: the emulated host's options.</summary>
    internal static VfioException HostOptionsInvalid(IEnumerable<string> failures)
    {
        string all = string.Join("; ", failures);
        return new(ErrorCode.OptionsInvalid, $"emulated host options: {all}") { Value = all };
    }

    /// <summary>lock-timeout.</summary>
    internal static VfioException LockTimeout(string what, string lockFile, TimeSpan timeout, Exception? last) =>
        new(ErrorCode.LockTimeout, $"{what} '{lockFile}' was not released within {timeout.TotalSeconds:0.###} s; another process holds it.", last)
        {
            Value = lockFile,
        };

    // ---- migration halves, options, plug-ins ----

    /// <summary>device-state-conflict: a source that is not RUNNING when a save starts.</summary>
    internal static VfioException SourceNotRunning(string device, MigrationState state) =>
        new(ErrorCode.DeviceStateConflict, $"source {device} is in {state}, not RUNNING; resume or abort the earlier migration first")
        {
            Device = device,
            Value = state.ToString(),
            Expected = nameof(MigrationState.Running),
        };

    /// <summary>device-refused-state: ENOMSG from a data_fd in STOP_COPY, where vfio.h allows only data or the end.</summary>
    internal static VfioException NoDataInStopCopy() =>
        new(ErrorCode.DeviceRefusedState, "the device reported no data available (ENOMSG) in STOP_COPY, where vfio.h allows only data or the end");

    /// <summary>destination-has-run: a load or migrate into a device that is RUNNING and has run since it was created.</summary>
    /// <param name="device">The destination.</param>
    /// <param name="state">Its state.</param>
    /// <param name="load">True for load, false for migrate.</param>
    internal static VfioException DestinationHasRun(string device, MigrationState state, bool load)
    {
        string verb = load ? "load" : "migrate";
        string elsewhere = load ? "load into a new device (--parent/--type)" : "migrate to a new device (--to-type)";
        return new(ErrorCode.DestinationHasRun,
            $"destination {device} is RUNNING and has run since it was created: {(load ? "loading" : "migrating")} would stop it and overwrite its live state; " +
            $"{elsewhere}, or 'vfioctl {verb} --force' once nothing uses {device}; nothing was stopped")
        {
            Device = device,
            Value = state.ToString(),
            Expected = "a destination that never ran (fresh, or STOP)",
        };
    }

    /// <summary>options-invalid: <see cref="MigrationOptions"/> values outside their ranges; <paramref name="failures"/> names each.</summary>
    internal static VfioException MigrationOptionsInvalid(string failures) =>
        new(ErrorCode.OptionsInvalid, $"migration options: {failures}") { Value = failures };

    /// <summary>device-implementation-duplicate: two plug-ins (or one, twice) provide the same implementation id.</summary>
    internal static VfioException ImplementationDuplicate(string id, string where, string named) =>
        new(ErrorCode.DeviceImplementationDuplicate,
            $"device implementation '{id}' is provided {where} (plug-ins named in {named}); an implementation id names one build of one device, so each may be provided once")
        {
            Value = id,
        };

    /// <summary>plugin-not-found: a plug-in file the host's configuration names does not exist.</summary>
    internal static VfioException PluginNotFound(string path, string named, string root) =>
        new(ErrorCode.PluginNotFound,
            $"device plug-in {path} does not exist (named in {named}); build or copy the plug-in there, or correct its path (absolute, or relative to {root})")
        {
            Value = path,
        };

    /// <summary>plugin-not-loadable: a plug-in that exists but cannot be loaded, and why.</summary>
    internal static VfioException PluginNotLoadable(string path, string named, string why, Exception? inner) =>
        new(ErrorCode.PluginNotLoadable, $"device plug-in {path} (named in {named}) cannot be loaded: {why}", inner) { Value = path };

    /// <summary>plugin-entry-missing: a plug-in without a usable <c>[assembly: DevicePlugin]</c> entry point, and why.</summary>
    internal static VfioException PluginEntryMissing(string path, string named, string why, Exception? inner) =>
        new(ErrorCode.PluginEntryMissing, $"device plug-in {path} (named in {named}) has no usable entry point: {why}", inner)
        {
            Value = path,
            Expected = "[assembly: DevicePlugin(typeof(MyPlugin))] with MyPlugin : IDevicePlugin",
        };
}
