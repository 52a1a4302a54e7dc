using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Vfio.Errors;
using Vfio.Manager.Definitions;
using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Samples;

namespace Vfio.Reliability.Concurrency;

/// <summary>
/// One worker process of the run: random operations on the shared host, through the manager library or (a share
/// of them) through a vfioctl child process, each logged with its outcome before the next one starts. The targets
/// of stop, start, modify, undefine and open are picked from what the host and the store hold at that moment, so
/// the workers keep colliding on the same devices and definitions.
/// </summary>
internal sealed partial class ConcurrencyWorker
{
    /// <summary>Operation names and their weights.</summary>
    private static readonly (string Name, int Weight)[] Operations =
    [
        ("create", 18), ("stop", 15), ("define", 12), ("modify", 8), ("undefine", 9), ("start", 13), ("open", 10), ("list", 8),
    ];

    private static readonly TimeSpan CliTimeout = TimeSpan.FromMinutes(2);

    private readonly ConcurrencyOptions _options;
    private readonly int _index;
    private readonly Random _random;
    private readonly MdevHost _host;
    private readonly MdevDefinitions _definitions;
    private readonly EmulatedDeviceOpener _opener;
    private readonly StreamWriter _log;

    /// <summary>The device or definition the current operation picked, kept for the log when the operation throws.</summary>
    private MdevUuid? _lastTarget;

    private ConcurrencyWorker(ConcurrencyOptions options, int index, StreamWriter log)
    {
        _options = options;
        _index = index;
        _log = log;
        // One stream per worker from the run's seed: the choices repeat, the interleaving is the machine's.
        _random = new Random(HashCode.Combine(options.Seed, index));
        EmulatedHost emulated = ConcurrencyHost.Open(options.HostRoot);
        _host = emulated.Tree;
        _definitions = new MdevDefinitions(_host, new DefinitionStore(ConcurrencyHost.ConfigRoot(options.HostRoot), ConcurrencyHost.LockTimeout));
        _opener = emulated.Opener;
    }

    public static int Run(ConcurrencyOptions options)
    {
        int index = options.Worker!.Value;
        Directory.CreateDirectory(options.LogDirectory);
        using var log = new StreamWriter(Path.Join(options.LogDirectory, $"worker-{index.ToString(CultureInfo.InvariantCulture)}.jsonl")) { AutoFlush = true };
        var worker = new ConcurrencyWorker(options, index, log);
        for (int n = 0; n < options.Operations; n++)
        {
            worker.Step(n);
        }
        return 0;
    }

    private void Step(int sequence)
    {
        string operation = Pick();
        bool cli = operation != "open" && _random.Next(100) < _options.CliPercent;
        long start = Stopwatch.GetTimestamp();
        MdevUuid? uuid = null;
        string? definition = null;
        string outcome;
        string? detail = null;
        try
        {
            (uuid, definition, outcome, detail) = cli ? RunCli(operation) : RunLibrary(operation);
        }
        catch (VfioException e)
        {
            outcome = ErrorCatalogue.Id(e.Code);
            detail = e.Message;
            uuid ??= e.Device is { } d && MdevUuid.TryParse(d, out MdevUuid u) ? u : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything but a catalogue error is what the run exists to find: logged in full, and the worker goes on.
            outcome = OperationRecord.Crash;
            detail = e.ToString();
        }
        long end = Stopwatch.GetTimestamp();
        // The target is logged even when the operation was refused, for the verifier's per-device history.
        _log.WriteLine(new OperationRecord(_index, sequence, operation, cli ? "cli" : "lib", (uuid ?? _lastTarget)?.ToString(), start, end, outcome, definition, detail).ToJsonLine());
        _lastTarget = null;
    }

    private string Pick()
    {
        int roll = _random.Next(Operations.Sum(o => o.Weight));
        foreach ((string name, int weight) in Operations)
        {
            if ((roll -= weight) < 0)
            {
                return name;
            }
        }
        return Operations[^1].Name;
    }

    private (MdevUuid?, string?, string, string?) RunLibrary(string operation)
    {
        switch (operation)
        {
            case "create":
            {
                (ConcurrencyType type, string? config) = PickType();
                MdevUuid uuid = Target(MdevUuid.NewUuid());
                _host.Create(type.Parent, type.Type, uuid, config is null ? null : DeviceConfiguration.Parse(Model(type), config, uuid.ToString()));
                return (uuid, null, OperationRecord.Ok, null);
            }
            case "stop":
            {
                if (PickDevice() is not MdevUuid uuid)
                {
                    return (null, null, OperationRecord.Ok, "nothing to stop");
                }
                _definitions.Stop(uuid);
                return (uuid, null, OperationRecord.Ok, null);
            }
            case "define":
            {
                (MdevDefinition wanted, _) = NewDefinition(MdevUuid.NewUuid());
                _definitions.Store.Define(wanted);
                return (wanted.Uuid, OperationRecord.Canonical(wanted), OperationRecord.Ok, null);
            }
            case "modify":
            {
                if (PickDefinition() is not MdevDefinition current)
                {
                    return (null, null, OperationRecord.Ok, "nothing to modify");
                }
                MdevDefinition changed = Modified(current).Definition;
                _definitions.Store.Modify(changed);
                return (current.Uuid, OperationRecord.Canonical(changed), OperationRecord.Ok, null);
            }
            case "undefine":
            {
                if (PickDefinition() is not MdevDefinition current)
                {
                    return (null, null, OperationRecord.Ok, "nothing to undefine");
                }
                _definitions.Store.Undefine(current.Uuid, current.Parent);
                return (current.Uuid, null, OperationRecord.Ok, null);
            }
            case "start":
            {
                if (PickDefinition() is not MdevDefinition current)
                {
                    return (null, null, OperationRecord.Ok, "nothing to start");
                }
                _definitions.Start(current.Uuid, current.Parent);
                return (current.Uuid, null, OperationRecord.Ok, null);
            }
            case "open":
            {
                if (PickDevice() is not MdevUuid uuid)
                {
                    return (null, null, OperationRecord.Ok, "nothing to open");
                }
                using (IVfioDevice device = _opener.Open(uuid))
                {
                    // Device info works on every protocol (the old NIC build has the v1 region, no v2 feature).
                    _ = device.GetInfo();
                    // Held open a moment, as a VMM holds it: a remove meanwhile must be refused, not tear it away.
                    Thread.Sleep(_random.Next(1, 6));
                }
                return (uuid, null, OperationRecord.Ok, null);
            }
            default:
            {
                _ = _definitions.List();
                _ = _host.GetParents();
                return (null, null, OperationRecord.Ok, null);
            }
        }
    }

    private (MdevUuid?, string?, string, string?) RunCli(string operation)
    {
        var args = new List<string> { "--emulated", _options.HostRoot, operation };
        MdevUuid? uuid = null;
        string? definition = null;
        switch (operation)
        {
            case "create":
            {
                (ConcurrencyType type, string? config) = PickType();
                uuid = Target(MdevUuid.NewUuid());
                args[2] = "start";
                args.AddRange(["--parent", type.Parent.Value, "--type", type.Type.Value, "--uuid", uuid.Value.ToString()]);
                if (config is not null)
                {
                    args.AddRange(["--config", config]);
                }
                break;
            }
            case "stop":
                if (PickDevice() is not MdevUuid device)
                {
                    return (null, null, OperationRecord.Ok, "nothing to stop");
                }
                uuid = device;
                args.AddRange(["--uuid", device.ToString()]);
                break;
            case "define":
            {
                (MdevDefinition wanted, string? config) = NewDefinition(MdevUuid.NewUuid());
                uuid = wanted.Uuid;
                definition = OperationRecord.Canonical(wanted);
                args.AddRange(["--uuid", wanted.Uuid.ToString(), "--parent", wanted.Parent.Value, "--type", wanted.Type.Value]);
                AddDefinitionOptions(args, wanted.AutoStart, config, manual: false);
                break;
            }
            case "modify":
            {
                if (PickDefinition() is not MdevDefinition current)
                {
                    return (null, null, OperationRecord.Ok, "nothing to modify");
                }
                (MdevDefinition changed, string? config) = Modified(current);
                uuid = current.Uuid;
                definition = OperationRecord.Canonical(changed);
                args.AddRange(["--uuid", current.Uuid.ToString(), "--parent", current.Parent.Value]);
                AddDefinitionOptions(args, changed.AutoStart, config, manual: true);
                break;
            }
            case "undefine":
            case "start":
            {
                if (PickDefinition() is not MdevDefinition current)
                {
                    return (null, null, OperationRecord.Ok, $"nothing to {operation}");
                }
                uuid = current.Uuid;
                args.AddRange(["--uuid", current.Uuid.ToString(), "--parent", current.Parent.Value]);
                if (operation == "start")
                {
                    // start takes --parent only for a transient device; a defined one is found by UUID.
                    args.RemoveRange(args.Count - 2, 2);
                }
                break;
            }
            default:
                args[2] = "list";
                break;
        }
        (int? exit, _, string error) = ChildProcess.Run(ChildProcess.Vfioctl, args, CliTimeout);
        if (exit is null)
        {
            return (uuid, definition, OperationRecord.Hang, $"vfioctl {string.Join(' ', args)} did not finish within {CliTimeout.TotalSeconds} s");
        }
        if (exit == 0)
        {
            return (uuid, definition, OperationRecord.Ok, null);
        }
        Match code = ErrorLine().Match(error);
        return code.Success
            ? (uuid, definition, code.Groups[1].Value, error.Split('\n')[0])
            : (uuid, definition, OperationRecord.Crash, $"vfioctl {string.Join(' ', args)} exited {exit} without a catalogue error: {error}");
    }

    private static void AddDefinitionOptions(List<string> args, bool auto, string? config, bool manual)
    {
        if (auto)
        {
            args.Add("--auto");
        }
        else if (manual)
        {
            args.Add("--manual");
        }
        if (config is { Length: > 0 })
        {
            args.AddRange(["--config", config]);
        }
    }

    private MdevUuid Target(MdevUuid uuid)
    {
        _lastTarget = uuid;
        return uuid;
    }

    private (ConcurrencyType Type, string? Config) PickType()
    {
        ConcurrencyType type = ConcurrencyHost.Types[_random.Next(ConcurrencyHost.Types.Count)];
        return (type, type.Configurations[_random.Next(type.Configurations.Count)]);
    }

    private ModelDescription Model(ConcurrencyType type) =>
        _host.GetSupportedType(type.Parent, type.Type).Migration?.DefaultModel
        ?? throw new InvalidOperationException($"{type.Parent}/{type.Type} lost its migration_info.json");

    private MdevUuid? PickDevice()
    {
        IReadOnlyList<MdevDevice> devices = _host.GetDevices();
        return devices.Count == 0 ? null : Target(devices[_random.Next(devices.Count)].Uuid);
    }

    private MdevDefinition? PickDefinition()
    {
        IReadOnlyList<MdevDefinition> definitions = _definitions.Store.List();
        if (definitions.Count == 0)
        {
            return null;
        }
        MdevDefinition picked = definitions[_random.Next(definitions.Count)];
        _lastTarget = picked.Uuid;
        return picked;
    }

    /// <summary>A new definition on a random type, pinned as <c>vfioctl define</c> pins it (no config: the init configuration).</summary>
    private (MdevDefinition Definition, string? Config) NewDefinition(MdevUuid uuid)
    {
        _lastTarget = uuid;
        (ConcurrencyType type, string? config) = PickType();
        return (Pin(uuid, type, config, autoStart: _random.Next(4) == 0), config);
    }

    private (MdevDefinition Definition, string? Config) Modified(MdevDefinition current)
    {
        ConcurrencyType type = ConcurrencyHost.Types.Single(t => t.Parent == current.Parent && t.Type == current.Type);
        // An explicit configuration where the type has any: "vfioctl modify" without --config keeps the old one.
        string?[] choices = type.Configurations.Where(c => c is not null).DefaultIfEmpty(null).ToArray();
        string? config = choices[_random.Next(choices.Length)];
        return (Pin(current.Uuid, type, config, autoStart: _random.Next(2) == 0), config);
    }

    private MdevDefinition Pin(MdevUuid uuid, ConcurrencyType type, string? config, bool autoStart)
    {
        ModelDescription model = Model(type);
        DeviceConfiguration pinned = config is null ? DeviceConfiguration.FromInit(model) : DeviceConfiguration.Parse(model, config, uuid.ToString());
        return _definitions.Pinned(uuid, type.Parent, type.Type, pinned, autoStart);
    }

    /// <summary>vfioctl's error line: <c>error E6006 no-instances-available: …</c>.</summary>
    [GeneratedRegex(@"^error (E\d{4}) ", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();
}
