using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Vfio.KernelLab.Battery;

namespace Vfio.KernelLab;

/// <summary>
/// The operator's real migration: QEMU holds an mtty mdev and migrates the VM itself, while vfioctl describes the
/// source, checks the destination and creates it with the source's pinned configuration before QEMU's incoming
/// migration starts (docs/operator-guide.md, "When a VMM holds the device").
/// </summary>
internal sealed partial class MttyChecks
{
    private static readonly byte[] VmScratch = [0xa5, 0x5a];

    private Qemu? _vmSource;
    private string _vmSrc = "", _vmDst = "", _vmDocument = "";
    private int[] _vmPorts = [];

    private void RunVmmChecks()
    {
        battery.Check("vmm-holds-device", VmmHoldsDevice);
        battery.Check("vmm-prepare-destination", VmmPrepareDestination);
        battery.Check("vmm-incoming-fails-source-runs", VmmIncomingFails);
        battery.Check("vmm-migration", VmmMigration);
        _vmSource?.Dispose();
        _vmSource = null;
    }

    private string VmmHoldsDevice()
    {
        Require(Qemu.Unavailable() is null, Qemu.Unavailable() ?? "");
        string version = Qemu.Version();
        _vmSrc = StartDevice("mtty-2");
        _vmSource = Qemu.Start("src", _vmSrc, scratch, incoming: false);
        _vmPorts = [.. _vmSource.MttyPortBases(2)];
        for (int port = 0; port < 2; port++)
        {
            _vmSource.Out(_vmPorts[port] + MttyPorts.ScratchOffset, VmScratch[port]);
            byte back = _vmSource.In(_vmPorts[port] + MttyPorts.ScratchOffset);
            Require(back == VmScratch[port], $"the source VM reads 0x{back:x2} from UART{port}'s scratch register, wrote 0x{VmScratch[port]:x2}");
        }

        string holder = $"qemu-src (pid {_vmSource.Pid.ToString(CultureInfo.InvariantCulture)})";
        VfioctlResult save = Refused(vfioctl.Run("save", _vmSrc, "-o", Path.Join(scratch, "held.stream")), "E6040");
        Require(save.Stderr.Contains(holder, StringComparison.Ordinal), $"save names no holder '{holder}':\n{save.Stderr}");
        VfioctlResult describe = Ok(vfioctl.Run("describe", _vmSrc));
        Require(describe.Stdout.Contains("held by " + holder, StringComparison.Ordinal) && describe.Stdout.Contains(Model, StringComparison.Ordinal),
            $"describe of a held device shows no holder or model:\n{describe.Stdout}");
        VfioctlResult list = Ok(vfioctl.Run("list"));
        Require(list.Stdout.Contains(_vmSrc, StringComparison.Ordinal), $"list does not show the held device:\n{list.Stdout}");
        Ok(vfioctl.Run("types"));
        Ok(vfioctl.Run("check", "-u", _vmSrc, "--to-type", $"{Parent}/mtty-2"));
        return $"{version}; VM runs with {_vmSrc} (I/O BARs 0x{_vmPorts[0]:x}, 0x{_vmPorts[1]:x}); scratch 0x{VmScratch[0]:x2}/0x{VmScratch[1]:x2} written through the VM's ports; " +
            $"save refused with E6040 naming {holder}; list, types, describe, check work";
    }

    private Qemu SourceVm() =>
        _vmSource is not null && _vmDst.Length > 0 ? _vmSource : throw new CheckFailedException("no source VM or prepared destination: an earlier vmm check failed");

    private string VmmPrepareDestination()
    {
        Require(_vmSource is not null, "no source VM (vmm-holds-device failed)");
        VfioctlResult described = Ok(vfioctl.Run("describe", _vmSrc, "--json"));
        _vmDocument = Path.Join(scratch, "vm-source.json");
        File.WriteAllText(_vmDocument, described.Stdout);
        using (JsonDocument document = JsonDocument.Parse(described.Stdout))
        {
            Require(document.RootElement.ValueKind == JsonValueKind.Object && described.Stdout.Contains("kernel.org/samples/mtty", StringComparison.Ordinal),
                $"the device document is no object naming the model:\n{described.Stdout}");
        }

        // A destination that cannot take the source's configuration is refused before any VMM starts.
        // check prints every problem with its code on stdout and exits 2 (no error line: it answered the question).
        VfioctlResult wrong = vfioctl.Run(["check", "--device", _vmDocument, "--to-type", $"{Parent}/mtty-1"], stdinFile: null);
        string? problem = Regex.Match(wrong.Stdout, @"\b(E3\d{3}) ") is { Success: true } m ? m.Groups[1].Value : null;
        Require(wrong.ExitCode == 2 && problem is not null && !wrong.Crashed, $"check against mtty-1 was not refused: {wrong.Summary}\n{wrong.Stdout}\n{wrong.Stderr}");
        int devices = Devices().Count;
        VfioctlResult wrongStart = vfioctl.Run("start", "--like", _vmDocument, "-p", Parent, "-t", "mtty-1");
        Require(wrongStart.ExitCode != 0 && wrongStart.ErrorCode is not null && !wrongStart.Crashed && Devices().Count == devices,
            $"start --like on mtty-1 was not refused cleanly: {wrongStart.Summary}\n{wrongStart.Stderr}");

        Ok(vfioctl.Run(["check", "--device", "-", "--to-type", $"{Parent}/mtty-2"], stdinFile: _vmDocument));
        _vmDst = Ok(vfioctl.Run(["start", "--like", "-", "-p", Parent, "-t", "mtty-2"], stdinFile: _vmDocument)).Stdout.Trim();
        Require(Guid.TryParse(_vmDst, out _), $"start --like printed '{_vmDst}', not a UUID");
        _created.Add(_vmDst);
        VfioctlResult destination = Ok(vfioctl.Run("describe", _vmDst));
        // describe's parameter table: "ports     2     2   2" (name, value, off, allowed); ports=2 is mtty-2's off value,
        // so the canonical configuration line says every parameter is off.
        Require(Regex.IsMatch(destination.Stdout, @"^ports\s+2\s", RegexOptions.Multiline), $"the prepared destination has another configuration:\n{destination.Stdout}");
        return $"describe --json | check --device - | start --like - created {_vmDst} (ports=2); against mtty-1 check exited 2 with {problem} and start --like with {wrongStart.ErrorCode}, nothing created";
    }

    private string VmmIncomingFails()
    {
        Qemu source = SourceVm();
        string spare = Ok(vfioctl.Run("start", "--like", _vmDocument, "-p", Parent, "-t", "mtty-2")).Stdout.Trim();
        _created.Add(spare);
        string socket = Path.Join(scratch, "vm-failed.sock");
        using (Qemu doomed = Qemu.Start("doomed", spare, scratch, incoming: true))
        {
            doomed.Execute("migrate-incoming", $$"""{"uri":"unix:{{socket}}"}""");
            doomed.Kill();
        }
        source.Execute("migrate", $$"""{"uri":"unix:{{socket}}"}""");
        JsonElement info = source.WaitForMigration();
        string status = info.GetProperty("status").GetString() ?? "";
        Require(status == "failed", $"a migration to a destination VM that died ended '{status}'");
        source.WaitForStatus("running");
        byte still = source.In(_vmPorts[0] + MttyPorts.ScratchOffset);
        Require(still == VmScratch[0], $"after the failed migration the source VM reads 0x{still:x2}, not 0x{VmScratch[0]:x2}");
        Ok(vfioctl.Run("stop", "-u", spare));
        _created.Remove(spare);
        return $"the destination VM died: QEMU's migrate ended '{status}', the source VM is running with its registers; the prepared destination {spare} was removed with stop -u";
    }

    private string VmmMigration()
    {
        Qemu source = SourceVm();
        string socket = Path.Join(scratch, "vm.sock");
        var clock = Stopwatch.StartNew();
        long transferred;
        byte[] read = new byte[2];
        using (Qemu destination = Qemu.Start("dst", _vmDst, scratch, incoming: true))
        {
            destination.Execute("migrate-incoming", $$"""{"uri":"unix:{{socket}}"}""");
            source.Execute("migrate", $$"""{"uri":"unix:{{socket}}"}""");
            JsonElement info = source.WaitForMigration();
            string status = info.GetProperty("status").GetString() ?? "";
            Require(status == "completed", $"QEMU's migration ended '{status}': {info}\nsource: {source.Output}\ndestination: {destination.Output}");
            transferred = info.TryGetProperty("vfio", out JsonElement vfio) && vfio.TryGetProperty("transferred", out JsonElement bytes) ? bytes.GetInt64() : -1;
            destination.WaitForStatus("running");
            Require(source.Status() == "postmigrate", $"the source VM is '{source.Status()}' after the migration, not postmigrate");
            IReadOnlyList<int> ports = destination.MttyPortBases(2);
            for (int port = 0; port < 2; port++)
            {
                read[port] = destination.In(ports[port] + MttyPorts.ScratchOffset);
            }
            Require(read.AsSpan().SequenceEqual(VmScratch),
                $"the destination VM reads 0x{read[0]:x2}/0x{read[1]:x2} from the UARTs' scratch registers, the source's were 0x{VmScratch[0]:x2}/0x{VmScratch[1]:x2}");

            // The source side removes its device once the destination runs: its VMM first, then the mdev.
            source.Dispose();
            _vmSource = null;
            Ok(vfioctl.Run("stop", "-u", _vmSrc));
            _created.Remove(_vmSrc);
        }
        Ok(vfioctl.Run("stop", "-u", _vmDst));
        _created.Remove(_vmDst);
        return $"QEMU migrated the VM from {_vmSrc} to {_vmDst} over a unix socket in {clock.Elapsed.TotalSeconds:0.0} s " +
            $"(vfio: {(transferred < 0 ? "?" : transferred.ToString(CultureInfo.InvariantCulture))} bytes); the destination VM reads UART scratch " +
            $"0x{read[0]:x2}/0x{read[1]:x2}, the values written through the source VM; source postmigrate then removed, destination removed after";
    }
}
