using Vfio.Errors;

namespace Vfio.Ctl.Cli;

/// <summary>
/// Every <see cref="VfioException"/> the command line raises itself (usage errors, 7xxx, and the document, host and
/// check refusals its verbs state), one factory per situation: each fact is passed once and lands both in the message
/// and on its property. Sites throw what a factory returns; RepositoryTests keep it that way.
/// </summary>
internal static class CliErrors
{
    // ---- usage ----

    /// <summary>usage-error: more than one channel on stdin or stdout.</summary>
    internal static VfioException ChannelsNeedFile(int channels, string option) =>
        new(ErrorCode.UsageError,
            $"--channels {channels} needs {option} FILE: channel 0 is FILE, channel i is FILE.i (files or FIFOs); stdin and stdout carry one channel only.");

    /// <summary>stream-channel-missing: channel <paramref name="index"/> of a load does not exist.</summary>
    internal static VfioException ChannelMissing(IReadOnlyList<string> paths, int index) =>
        new(ErrorCode.StreamChannelMissing,
            $"channel {index} of {paths.Count} ({paths[index]}) does not exist: a save with --channels {paths.Count} -o {paths[0]} writes {paths[0]} and {paths[0]}.1 .. {paths[0]}.{paths.Count - 1}; nothing was loaded")
        { Value = paths[index], Expected = "an existing file or FIFO" };

    /// <summary>usage-error: faults go only into emulated devices.</summary>
    internal static VfioException FaultsNeedEmulated(string device) =>
        new(ErrorCode.UsageError, "faults can only be injected into emulated devices; add --emulated <dir>.") { Device = device };

    /// <summary>usage-error: a name that is no driver bug.</summary>
    internal static VfioException NotADriverBug(string name, IEnumerable<string> known) =>
        new(ErrorCode.UsageError, $"'{name}' is not a driver bug; expected one of {string.Join(", ", known)}.") { Value = name };

    /// <summary>usage-error: a text that is no state arc.</summary>
    internal static VfioException NotAStateArc(string text, IEnumerable<string> states) =>
        new(ErrorCode.UsageError, $"'{text}' is not a state arc such as RUNNING->STOP; states: {string.Join(", ", states)}.") { Value = text };

    /// <summary>usage-error: a demo root that already holds a demo.</summary>
    internal static VfioException DemoExists(string root) =>
        new(ErrorCode.UsageError,
            $"'{root}' already holds a demo (host-a, host-b); add --replace to build it again from scratch, or give --root an empty or new directory.") { Value = root };

    /// <summary>usage-error: a document asked for on stdin while stdin is a terminal.</summary>
    internal static VfioException StdinIsTerminal(string kind) =>
        new(ErrorCode.UsageError, $"refusing to read the {kind} from a terminal; pipe it (vfioctl describe <uuid> --json | ...) or name a file.");

    /// <summary>usage-error: an output path that is a symbolic link.</summary>
    internal static VfioException OutputIsLink(string path, string link) =>
        new(ErrorCode.UsageError, $"refusing to write the migration stream through the symbolic link '{path}' (-> '{link}'); name the file itself.")
        {
            Value = path,
            Expected = "a regular file or a new name",
        };

    /// <summary>usage-error: a named file that cannot be opened (it does not exist).</summary>
    internal static VfioException CannotOpen(string path, Exception e) =>
        new(ErrorCode.UsageError, $"cannot open '{path}': {e.Message}", e) { Value = path };

    // ---- documents and hosts ----

    /// <summary>document-invalid: a document file that cannot be read; the runtime's exception says why.</summary>
    internal static VfioException DocumentUnreadable(string kind, string path, Exception e) =>
        new(ErrorCode.DocumentInvalid, $"cannot read the {kind} '{path}': {e.Message}", e) { Value = path };

    /// <summary>document-invalid: a document file that is not what it must be.</summary>
    internal static VfioException DocumentInvalid(string kind, string path, string problem, string expected) =>
        new(ErrorCode.DocumentInvalid, $"cannot read the {kind} '{path}': {problem}; expected {expected}.") { Value = path, Expected = expected };

    /// <summary>document-invalid: standard input could not be read.</summary>
    internal static VfioException StdinUnreadable(string kind, Exception e) =>
        new(ErrorCode.DocumentInvalid, $"cannot read the {kind} from standard input: {e.Message}", e) { Value = "-" };

    /// <summary>document-invalid: a fleet folder that does not exist.</summary>
    internal static VfioException FleetFolderMissing(string folder) =>
        new(ErrorCode.DocumentInvalid, $"the fleet folder '{folder}' does not exist.") { Value = folder };

    /// <summary>An error raised reading one file of many, restated with the file in front; its facts are kept.</summary>
    internal static VfioException InFile(string file, VfioException e) =>
        new(e.Code, $"{file}: {e.Message}", e) { Value = e.Value, Parameter = e.Parameter, Expected = e.Expected };

    /// <summary>emulated-host-invalid: an --emulated (or --root) folder that is no emulated host; <paramref name="why"/> says what it is.</summary>
    internal static VfioException NotAnEmulatedHost(string option, string full, string why) =>
        new(ErrorCode.EmulatedHostInvalid,
            $"{option} '{full}' {why}; an emulated host is a folder laid out by 'vfioctl demo --root DIR' (DIR/host-a, DIR/host-b) or by EmulatedHostBuilder") { Value = full };

    // ---- check, start, conform, demo ----

    /// <summary>migration-info-missing: a type without migration information; <paramref name="rest"/> ends the sentence.</summary>
    internal static VfioException TypeHasNoMigrationInfo(string type, string where, string rest) =>
        new(ErrorCode.MigrationInfoMissing, $"type {type}{where} publishes no migration information (no migration_info.json and no manifest){rest}") { Value = type };

    /// <summary>migration-info-missing: a host document that lists no type with migration information.</summary>
    internal static VfioException HostHasNoMigrationInfo(string host) =>
        new(ErrorCode.MigrationInfoMissing, $"host {host}'s capability document lists no type with migration information.") { Value = host };

    /// <summary>The type ran out of instances for a generated UUID: restated to say that no device was created.</summary>
    internal static VfioException NoInstanceCreated(string parent, string type, VfioException e) =>
        new(e.Code, $"type {type} of parent {parent} has no instance available (available_instances is 0); no device was created.", e)
        {
            Value = $"{parent}/{type}",
        };

    /// <summary>device-state-conflict: the conformance kit needs a device nothing else has open.</summary>
    internal static VfioException ConformDeviceBusy(string device, VfioException e) =>
        new(ErrorCode.DeviceStateConflict,
            $"device {device} is open elsewhere (a VM, or another vfioctl): the conformance kit stops and resets the device, so it " +
            $"runs only on a device nothing else has open; close the other user and run it again ({e.Message})", e)
        {
            Device = device,
            Expected = "a device nothing else has open",
        };

    /// <summary>recovery-failed: the demo's injected fault did not roll back as designed.</summary>
    internal static VfioException DemoRollbackFailed(string outcome) =>
        new(ErrorCode.RecoveryFailed, "the demo's fault did not roll back as designed: " + outcome);

    /// <summary>device-state-load-failed: the demo's destination state differs from the source's.</summary>
    internal static VfioException DemoStateDiffers(int different) =>
        new(ErrorCode.DeviceStateLoadFailed, $"the destination's state differs from the source's in {different} field(s).");

    /// <summary>usage-error: the binary migration stream asked to go to, or come from, a terminal.</summary>
    /// <param name="save">True for save (to stdout), false for load (from stdin).</param>
    internal static VfioException StreamOnTerminal(bool save) =>
        new(ErrorCode.UsageError, save
            ? "refusing to write the binary migration stream to a terminal; pipe it (| vfioctl load ...) or use -o <file>."
            : "refusing to read the binary migration stream from a terminal; pipe it (vfioctl save ... | vfioctl load ...) or use -i <file>.");

    /// <summary>lab-contract-missing: traffic asked of a device whose code does not run here or lacks the lab contract.</summary>
    /// <param name="uuid">The device.</param>
    /// <param name="codeType">The device code's type, or null when its code does not run in this process.</param>
    /// <param name="contract">The lab contract's type name.</param>
    internal static VfioException LabContractMissing(string uuid, string? codeType, string? contract) =>
        new(ErrorCode.LabContractMissing, codeType is null
            ? $"device {uuid} does not run its code in this process (a kernel device); traffic drives devices of an emulated host (--emulated) whose code implements the lab contract, ILabTraffic"
            : $"device {uuid} runs {codeType}, which does not implement the lab contract ({contract}); traffic drives only devices that do (the sample NIC does)")
        {
            Device = uuid,
            Value = codeType,
            Expected = contract,
        };

    /// <summary>device-state-conflict: traffic asked of a device that does not execute.</summary>
    internal static VfioException TrafficNeedsRunning(string uuid, string state) =>
        new(ErrorCode.DeviceStateConflict, $"device {uuid} is in {state}; traffic flows only while it runs ('vfioctl resume {uuid}' runs a stopped source again)")
        {
            Device = uuid,
            Value = state,
            Expected = "RUNNING",
        };

    /// <summary>model-unknown: state fields asked of a device that runs no SDK device code in this process.</summary>
    internal static VfioException NoSdkDeviceCode(string uuid) =>
        new(ErrorCode.ModelUnknown,
            $"device {uuid} does not run SDK device code in this process; state fields exist only for devices of an emulated host whose code saves in the device-state format (a MigratableDevice)")
        { Device = uuid };

    /// <summary>migration-info-missing: --config given for a type that publishes no migration model.</summary>
    internal static VfioException ConfigWithoutModel(string text, string type, string? uuid) =>
        new(ErrorCode.MigrationInfoMissing, $"--config \"{text}\" cannot be pinned on {type}: the type publishes no migration model.")
        { Device = uuid, Value = text };
}
