using System.Globalization;
using Vfio.Errors;
using Vfio.Manager.Definitions;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.Manager.Sysfs;

namespace Vfio.Reliability.Concurrency;

/// <summary>Something the verifier found wrong: its kind (count, device, definition, stray-file, operation) and what.</summary>
internal sealed record Finding(string Kind, string Detail)
{
    public override string ToString() => $"{Kind}: {Detail}";
}

/// <summary>
/// Checks the host and the store after the workers are done, from a process that did none of the work: exact
/// instance counts (per type, and for the shared pool), every device accounted for by a logged create or start that
/// no later stop undid, every definition whole and equal to a write that could have been the last one, no
/// definition lost, no temporary file or device state left behind, and every operation ended in success or an
/// expected catalogue refusal.
/// </summary>
internal static class ConcurrencyVerifier
{
    /// <summary>The refusals concurrent operations may meet; anything else (E1001 from a race, a crash, a hang) is a finding.</summary>
    public static IReadOnlyDictionary<string, string> ExpectedRefusals { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ErrorCatalogue.Id(ErrorCode.DeviceNotFound)] = "the picked device was stopped by another worker first",
        [ErrorCatalogue.Id(ErrorCode.NoInstancesAvailable)] = "the type (or the shared pool) ran out of instances",
        [ErrorCatalogue.Id(ErrorCode.DeviceExists)] = "a definition was started while its device was running",
        [ErrorCatalogue.Id(ErrorCode.DefinitionNotFound)] = "the picked definition was undefined by another worker first",
        [ErrorCatalogue.Id(ErrorCode.DefinitionExists)] = "(a random UUID collided; not expected in practice)",
        [ErrorCatalogue.Id(ErrorCode.DeviceStateConflict)] = "stop of a device another worker had open",
        [ErrorCatalogue.Id(ErrorCode.DeviceAlreadyOpened)] = "another worker opened a device while its creator was still pinning its configuration (the creation is rolled back)",
    };

    private static readonly string OpenedWhileCreated = ErrorCatalogue.Id(ErrorCode.DeviceAlreadyOpened);

    public static List<Finding> Verify(string hostRoot, IReadOnlyList<OperationRecord> records)
    {
        var findings = new List<Finding>();
        EmulatedHost emulated = ConcurrencyHost.Open(hostRoot);
        EmulatedSysfs sysfs = emulated.Sysfs;
        MdevHost host = emulated.Tree;
        IReadOnlyList<MdevDevice> devices = host.GetDevices();
        CheckOperations(records, findings);
        CheckCounts(sysfs, host, devices, findings);
        CheckDevices(devices, records, findings);
        CheckDefinitions(hostRoot, records, findings);
        CheckStrayFiles(hostRoot, devices, findings);
        return findings;
    }

    private static void CheckOperations(IReadOnlyList<OperationRecord> records, List<Finding> findings)
    {
        foreach (OperationRecord r in records.Where(r => !r.Succeeded && !ExpectedRefusals.ContainsKey(r.Outcome)))
        {
            findings.Add(new Finding("operation", $"worker {r.Worker} #{r.Sequence} {r.Operation} via {r.Via} on {r.Uuid ?? "-"}: {r.Outcome} {r.Detail}"));
        }
    }

    private static void CheckCounts(EmulatedSysfs sysfs, MdevHost host, IReadOnlyList<MdevDevice> devices, List<Finding> findings)
    {
        int Live(ConcurrencyType t) => devices.Count(d => d.Parent == t.Parent && d.Type == t.Type);
        foreach (ConcurrencyType type in ConcurrencyHost.Types.Where(t => t.Capacity is not null))
        {
            int available = host.GetSupportedType(type.Parent, type.Type).AvailableInstances;
            if (available + Live(type) != type.Capacity)
            {
                findings.Add(new Finding("count", $"{type.Parent}/{type.Type}: available_instances {available} + {Live(type)} devices != capacity {type.Capacity}"));
            }
        }
        EmulatedInstancePool? pool = sysfs.ReadInstancePool(ConcurrencyHost.SerialParent);
        if (pool is null || pool.Units != ConcurrencyHost.SerialPorts)
        {
            findings.Add(new Finding("count", $"{ConcurrencyHost.SerialParent}: the shared pool is {(pool is null ? "missing" : $"{pool.Units} units")}, expected {ConcurrencyHost.SerialPorts}"));
            return;
        }
        int held = ConcurrencyHost.Types.Where(t => t.Capacity is null).Sum(t => Live(t) * ConcurrencyHost.PortsPerDevice[t.Type]);
        if (pool.Free + held != pool.Units)
        {
            findings.Add(new Finding("count", $"{ConcurrencyHost.SerialParent}: {pool.Free} free ports + {held} held by devices != {pool.Units} ports"));
        }
        foreach (ConcurrencyType type in ConcurrencyHost.Types.Where(t => t.Capacity is null))
        {
            int available = host.GetSupportedType(type.Parent, type.Type).AvailableInstances;
            if (available != pool.AvailableInstances(type.Type))
            {
                findings.Add(new Finding("count", $"{type.Parent}/{type.Type}: available_instances {available}, but {pool.Free} free ports make {pool.AvailableInstances(type.Type)}"));
            }
        }
        foreach (MdevDevice device in devices.Where(d => !ConcurrencyHost.Types.Any(t => t.Parent == d.Parent && t.Type == d.Type)))
        {
            findings.Add(new Finding("device", $"{device.Uuid} is of {device.Parent}/{device.Type}, which the host does not have"));
        }
        CheckCountFiles(sysfs, host, pool, held, findings);
    }

    // The counts are derived from the devices; the files a reader of the tree sees (available_instances, the pool's
    // free line) are copies rewritten after every change, so once the run is over they must agree too.
    private static void CheckCountFiles(EmulatedSysfs sysfs, MdevHost host, EmulatedInstancePool pool, int held, List<Finding> findings)
    {
        foreach (ConcurrencyType type in ConcurrencyHost.Types)
        {
            string file = File.ReadAllText(sysfs.Layout.TypeAvailableInstances(type.Parent, type.Type).FullPath).Trim();
            int available = host.GetSupportedType(type.Parent, type.Type).AvailableInstances;
            if (file != available.ToString(CultureInfo.InvariantCulture))
            {
                findings.Add(new Finding("count", $"{type.Parent}/{type.Type}: the available_instances file reads {file}, the devices make {available}"));
            }
        }
        SysfsPath poolFile = new(sysfs.Layout.Root.FullPath, $"var/lib/vfio-emu/pools/{ConcurrencyHost.SerialParent}");
        EmulatedInstancePool written = EmulatedInstancePool.Parse(poolFile, File.ReadAllText(poolFile.FullPath));
        if (written.Free != pool.Free)
        {
            findings.Add(new Finding("count", $"{ConcurrencyHost.SerialParent}: the pool file says {written.Free} free ports, but {held} held by devices leave {pool.Free}"));
        }
    }

    private static void CheckDevices(IReadOnlyList<MdevDevice> devices, IReadOnlyList<OperationRecord> records, List<Finding> findings)
    {
        var live = devices.Select(d => d.Uuid.ToString()).ToHashSet(StringComparer.Ordinal);
        ILookup<string, OperationRecord> byDevice = records
            .Where(r => r.Uuid is not null && r.Operation is "create" or "start" or "stop")
            .ToLookup(r => r.Uuid!, StringComparer.Ordinal);
        foreach (string uuid in live.Union(byDevice.Select(g => g.Key)))
        {
            OperationRecord[] history = [.. byDevice[uuid]];
            if (history.Any(r => r.Outcome is OperationRecord.Crash or OperationRecord.Hang || (r.Operation is "create" or "start" && r.Outcome == OpenedWhileCreated)))
            {
                // Its outcome is unknown: a crash (already a finding), or a creation refused because another worker
                // opened the device mid-pinning, whose rollback is itself refused while that worker holds it open.
                continue;
            }
            OperationRecord[] made = [.. history.Where(r => r.Succeeded && r.Operation is "create" or "start")];
            OperationRecord[] stopped = [.. history.Where(r => r.Succeeded && r.Operation == "stop")];
            bool present = live.Contains(uuid);
            // Each successful create/start or stop is one state change; the last one decides. Which one was last is
            // known up to overlap: an event is a candidate unless another event began after it ended.
            OperationRecord[] events = [.. made, .. stopped];
            if (events.Length == 0)
            {
                if (present)
                {
                    findings.Add(new Finding("device", $"{uuid} exists but no logged create or start made it"));
                }
                continue;
            }
            OperationRecord[] lastCandidates = [.. events.Where(e => !events.Any(o => o.Start > e.End))];
            bool explained = present
                ? lastCandidates.Any(e => e.Operation != "stop")
                : lastCandidates.Any(e => e.Operation == "stop");
            if (!explained)
            {
                findings.Add(new Finding("device", present
                    ? $"{uuid} exists although its last logged change was a successful stop"
                    : $"{uuid} is gone although no successful stop came after its last create/start (a lost device)"));
            }
        }
    }

    private static void CheckDefinitions(string hostRoot, IReadOnlyList<OperationRecord> records, List<Finding> findings)
    {
        string configRoot = ConcurrencyHost.ConfigRoot(hostRoot);
        var store = new DefinitionStore(configRoot, ConcurrencyHost.LockTimeout);
        var onDisk = new Dictionary<string, MdevDefinition?>(StringComparer.Ordinal);
        if (Directory.Exists(configRoot))
        {
            foreach (string parentDirectory in Directory.EnumerateDirectories(configRoot))
            {
                foreach (string file in Directory.EnumerateFiles(parentDirectory))
                {
                    string name = Path.GetFileName(file);
                    if (!MdevUuid.TryParse(name, out MdevUuid uuid) || !ParentDeviceName.TryParse(Path.GetFileName(parentDirectory), out ParentDeviceName parent))
                    {
                        continue;
                    }
                    try
                    {
                        onDisk[name] = store.Find(uuid, parent);
                    }
                    catch (VfioException e)
                    {
                        findings.Add(new Finding("definition", $"{file} is torn or invalid: {ErrorCatalogue.Id(e.Code)} {e.Message}"));
                        onDisk[name] = null;
                    }
                }
            }
        }
        ILookup<string, OperationRecord> byUuid = records
            .Where(r => r.Uuid is not null && r.Operation is "define" or "modify" or "undefine")
            .ToLookup(r => r.Uuid!, StringComparer.Ordinal);
        foreach (string uuid in onDisk.Keys.Union(byUuid.Select(g => g.Key)))
        {
            OperationRecord[] history = [.. byUuid[uuid]];
            if (history.Any(r => r.Outcome is OperationRecord.Crash or OperationRecord.Hang))
            {
                continue;
            }
            OperationRecord[] events = [.. history.Where(r => r.Succeeded)];
            bool present = onDisk.TryGetValue(uuid, out MdevDefinition? definition);
            if (events.Length == 0)
            {
                if (present)
                {
                    findings.Add(new Finding("definition", $"{uuid} is defined but no logged define wrote it"));
                }
                continue;
            }
            OperationRecord[] lastCandidates = [.. events.Where(e => !events.Any(o => o.Start > e.End))];
            if (!present)
            {
                if (!lastCandidates.Any(e => e.Operation == "undefine"))
                {
                    string last = string.Join(" | ", lastCandidates.Select(e => $"{e.Operation} {e.Definition}"));
                    findings.Add(new Finding("definition", $"{uuid} is lost: its file is gone but its last successful change was a write ({last})"));
                }
                continue;
            }
            if (definition is null)
            {
                continue; // torn: already a finding
            }
            string content = OperationRecord.Canonical(definition);
            if (!lastCandidates.Any(e => e.Operation != "undefine" && e.Definition == content))
            {
                string expected = string.Join(" | ", lastCandidates.Select(e => e.Operation == "undefine" ? "undefined" : e.Definition));
                findings.Add(new Finding("definition", $"{uuid} holds '{content}', which is not its last successful change ({expected})"));
            }
        }
    }

    private static void CheckStrayFiles(string hostRoot, IReadOnlyList<MdevDevice> devices, List<Finding> findings)
    {
        foreach (string file in Directory.EnumerateFiles(hostRoot, "*.tmp", new EnumerationOptions
        {
            // sysfs links form cycles (a device's mdev_type leads back to its devices/ entry): never follow one.
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = false,
        }))
        {
            findings.Add(new Finding("stray-file", $"temporary file left behind: {Path.GetRelativePath(hostRoot, file)}"));
        }
        string temporary = Path.Join(hostRoot, "var", "lib", "vfio-emu", "tmp");
        if (Directory.Exists(temporary))
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(temporary))
            {
                findings.Add(new Finding("stray-file", $"left in the staging directory: {Path.GetRelativePath(hostRoot, entry)}"));
            }
        }
        string states = Path.Join(hostRoot, "var", "lib", "vfio-emu", "devices");
        if (Directory.Exists(states))
        {
            var live = devices.Select(d => d.Uuid.ToString()).ToHashSet(StringComparer.Ordinal);
            foreach (string state in Directory.EnumerateDirectories(states).Where(d => !live.Contains(Path.GetFileName(d))))
            {
                findings.Add(new Finding("stray-file", $"device state of a device that does not exist: {Path.GetRelativePath(hostRoot, state)}"));
            }
        }
    }

    internal static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);
}
