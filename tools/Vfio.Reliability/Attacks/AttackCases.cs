using System.Diagnostics;
using System.Text;
using Vfio.Tests.Support;
using Vfio.Reliability.Faults;

namespace Vfio.Reliability.Attacks;

/// <summary>
/// The operational attacks of docs/reliability.md ("Operational faults"): what goes wrong on an ordinary host (a full
/// or failing disk, a read-only mount, an unprivileged user, a FIFO or directory where a file belongs, a huge
/// document, one bad definition, an upper-case UUID, a test variable in the environment), each tried through the CLI.
/// </summary>
internal static class AttackCases
{
    private const string S = AttackHost.Source;
    private const string D = AttackHost.Defined;
    private const string New = "a1000000-0000-4000-8000-0000000000f1";
    private const string Bad = "a1000000-0000-4000-8000-0000000000f2";
    private const string UpperUuid = "A1000000-0000-4000-8000-0000000000F3";
    private const string DefinitionPath = "etc/mdevctl.d/0000:00:03.0/";
    private const string JournalPath = "vfio-migrate/journal";
    private const string DeviceStatePath = "vfio-emu/devices/";

    /// <summary>Every attack; <paramref name="bigMiB"/> is the size of the oversized capability document.</summary>
    public static IReadOnlyList<AttackCase> All(int bigMiB) =>
    [
        .. DurableWrites(),
        .. ReadOnlyHosts(),
        .. Unprivileged(),
        .. FileKinds(),
        .. Hangs(),
        .. Unbounded(bigMiB),
        .. BadFiles(),
        new("traffic-stopped-device", "state", "E6017", async h =>
        {
            await h.MustAsync("save", S, "-o", Path.Join(h.Output, "s.bin")).ConfigureAwait(false);
            return AttackResult.Judge(await h.RunAsync("traffic", S, "-n", "5").ConfigureAwait(false), "E6017");
        }),
        TestHook(),
    ];

    // A full, failing or read-only disk at each step of each durable write: the old content or the new, never a stray
    // temporary or partial file, the error naming the errno and what was kept.
    private static IEnumerable<AttackCase> DurableWrites()
    {
        foreach ((string op, string errno, string code) in new[] { ("open", "ENOSPC", "E6092"), ("write", "ENOSPC", "E6092"), ("fsync", "EIO", "E6093"), ("rename", "EIO", "E6093") })
        {
            yield return new($"define-{op}-{errno}", "errno", code, async h =>
            {
                ProcessResult run = await h.RunAsync(FaultShim.Environment(DefinitionPath + ".", op, errno), "define", "-u", New, "-p", AttackHost.Parent, "-t", AttackHost.Type, "--config", AttackHost.Config).ConfigureAwait(false);
                return AttackResult.Judge(run, code, Named(run, errno, DefinitionPath), NoStray(h), (!File.Exists(h.DefinitionFile(New)), "the definition was created anyway"));
            });
        }
        foreach ((string op, string errno, string code) in new[] { ("write", "ENOSPC", "E6092"), ("rename", "EIO", "E6093") })
        {
            yield return new($"modify-{op}-{errno}", "errno", code, async h =>
            {
                byte[] before = await File.ReadAllBytesAsync(h.DefinitionFile(D)).ConfigureAwait(false);
                ProcessResult run = await h.RunAsync(FaultShim.Environment(DefinitionPath + ".", op, errno), "modify", "-u", D, "--auto").ConfigureAwait(false);
                return AttackResult.Judge(run, code, Named(run, errno, DefinitionPath), NoStray(h),
                    (before.AsSpan().SequenceEqual(File.ReadAllBytes(h.DefinitionFile(D))), "the old definition changed"));
            });
        }
        yield return new("undefine-unlink-EIO", "errno", "E6093", async h =>
        {
            ProcessResult run = await h.RunAsync(FaultShim.Environment(DefinitionPath + D, "unlink", "EIO"), "undefine", "-u", D).ConfigureAwait(false);
            return AttackResult.Judge(run, "E6093", Named(run, "EIO", D), (File.Exists(h.DefinitionFile(D)), "the definition is gone though the error says it was kept"));
        });
        foreach ((string op, string errno, string code) in new[] { ("open", "EROFS", "E6090"), ("write", "ENOSPC", "E6092"), ("fsync", "EIO", "E6093"), ("rename", "EIO", "E6093") })
        {
            yield return new($"save-o-{op}-{errno}", "errno", code, async h =>
            {
                string file = Path.Join(h.Output, "saved.bin");
                ProcessResult run = await h.RunAsync(FaultShim.Environment(file, op, errno), "save", S, "-o", file).ConfigureAwait(false);
                return AttackResult.Judge(run, code, Named(run, errno, file), NoStray(h), (!File.Exists(file), "a stream file was left"),
                    (await h.StateOfAsync(S).ConfigureAwait(false) == "RUNNING", "the source does not run"));
            });
        }
        foreach ((string op, string errno, string code) in new[] { ("write", "ENOSPC", "E6092"), ("rename", "EIO", "E6093"), ("open", "EROFS", "E6090") })
        {
            yield return new($"migrate-journal-{op}-{errno}", "errno", code, async h =>
            {
                ProcessResult run = await h.RunAsync(FaultShim.Environment(JournalPath, op, errno), "migrate", S, "--to-type", $"{AttackHost.Parent}/{AttackHost.Type}").ConfigureAwait(false);
                return AttackResult.Judge(run, code, Named(run, errno, JournalPath), NoStray(h),
                    (await h.StateOfAsync(S).ConfigureAwait(false) == "RUNNING", "the source does not run"),
                    (h.JournalEntries().Count == 0, "a journal entry was left"), (h.Devices().Count == 1, "a destination was left"));
            });
        }
        yield return new("traffic-device-state-write-ENOSPC", "errno", "E6092", async h =>
        {
            string state = Path.Join(h.Root, "var", "lib", "vfio-emu", "devices", S, "device.state");
            byte[] before = await File.ReadAllBytesAsync(state).ConfigureAwait(false);
            ProcessResult run = await h.RunAsync(FaultShim.Environment(DeviceStatePath + S + "/.device.state", "write", "ENOSPC"), "traffic", S, "-n", "5").ConfigureAwait(false);
            return AttackResult.Judge(run, "E6092", Named(run, "ENOSPC", "device.state"), NoStray(h),
                (before.AsSpan().SequenceEqual(File.ReadAllBytes(state)), "the device state changed though the write failed"));
        });
    }

    // A read-only definitions store or emulated host: refused at once, not waited out as a lock timeout (E6015). The code
    // tells the two apart, so no clock is needed (a clock failed these cases on a loaded machine).
    private static (bool, string) NotWaitedOut(ProcessResult run) =>
        (!run.Err.Contains("E6015", StringComparison.Ordinal), "waited out as a lock timeout (E6015) instead of refusing at once");

    private static IEnumerable<AttackCase> ReadOnlyHosts()
    {
        yield return new("define-readonly-store", "read-only", "E6090", async h =>
        {
            ProcessResult run = await h.RunAsync(FaultShim.Environment("mdevctl.d/.vfioctl.lock", "open", "EROFS"),
                "define", "-u", New, "-p", AttackHost.Parent, "-t", AttackHost.Type, "--config", AttackHost.Config).ConfigureAwait(false);
            return AttackResult.Judge(run, "E6090", Named(run, "EROFS", ".vfioctl.lock"), NotWaitedOut(run));
        });
        yield return new("start-readonly-host", "read-only", "E6090", async h =>
        {
            ProcessResult run = await h.RunAsync(FaultShim.Environment("vfio-emu/", "open", "EROFS"),
                "start", "-u", New, "-p", AttackHost.Parent, "-t", AttackHost.Type, "--config", AttackHost.Config).ConfigureAwait(false);
            return AttackResult.Judge(run, "E6090", Named(run, "EROFS", "vfio-emu"), NotWaitedOut(run),
                (!h.Devices().Contains(New), "the device was created anyway"));
        });
    }

    // A user who does not own the host (uid 65534 through setpriv, when the suite runs as root).
    private static IEnumerable<AttackCase> Unprivileged()
    {
        foreach (string[] args in new[]
        {
            new[] { "define", "-u", New, "-p", AttackHost.Parent, "-t", AttackHost.Type, "--config", AttackHost.Config },
            ["undefine", "-u", D],
            ["stop", "-u", S],
            ["start", "-u", New, "-p", AttackHost.Parent, "-t", AttackHost.Type, "--config", AttackHost.Config],
            ["save", S, "-o", "/tmp/vfio-attack-unprivileged.bin"],
        })
        {
            yield return new($"unprivileged-{args[0]}", "unprivileged", "E6091", async h =>
            {
                if (!OperatingSystem.IsLinux() || Posix.GetUid() != 0 || !File.Exists("/usr/bin/setpriv"))
                {
                    return AttackResult.NotApplicableHere("needs root and setpriv to run vfioctl as another user");
                }
                File.Delete("/tmp/vfio-attack-unprivileged.bin");
                var nobody = new VfioctlProcess(h.Cli.Path, TimeSpan.FromSeconds(90))
                {
                    Launcher = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp"],
                };
                ProcessResult run = await nobody.RunAsync(["--emulated", h.Root, .. args]).ConfigureAwait(false);
                return AttackResult.Judge(run, "E6091", Named(run, "EACCES", h.Root), (await h.StateOfAsync(S).ConfigureAwait(false) == "RUNNING", "the source does not run"),
                    (File.Exists(h.DefinitionFile(D)), "a definition was removed"), (!File.Exists("/tmp/vfio-attack-unprivileged.bin"), "a stream file was written"));
            });
        }
    }

    // What sits at an output or state path is not a regular file.
    private static IEnumerable<AttackCase> FileKinds()
    {
        yield return new("save-o-directory", "file kind", "E6094", async h =>
        {
            ProcessResult run = await h.RunAsync("save", S, "-o", h.Output).ConfigureAwait(false);
            return AttackResult.Judge(run, "E6094", Named(run, "EISDIR", h.Output), NoStray(h), (!File.Exists(h.Output + ".partial"), "a .partial was left beside the directory"),
                (await h.StateOfAsync(S).ConfigureAwait(false) == "RUNNING", "the source does not run"));
        });
        yield return new("save-o-char-device", "file kind", "ok", async h =>
        {
            // A private node of the null device (1:3), never the system's /dev/null: a vfioctl that replaced its target
            // by a regular file would otherwise break /dev/null for the whole machine.
            string device = Path.Join(h.Output, "null");
            if (Posix.MkCharDevice(device, 1, 3) != 0)
            {
                return AttackResult.NotApplicableHere("mknod needs root");
            }
            ProcessResult run = await h.RunAsync("save", S, "-o", device).ConfigureAwait(false);
            bool stillDevice = Vfio.IO.UnixFileStatus.TryLstat(device, out Vfio.IO.UnixFileStatus status, out _) && status.Kind == Vfio.IO.UnixFileKind.CharacterDevice;
            return AttackResult.Judge(run, "ok", (stillDevice, "the character device was replaced by a regular file"), NoStray(h));
        });
        yield return new("save-o-fifo", "file kind", "ok", async h =>
        {
            string fifo = Path.Join(h.Output, "pipe");
            if (Posix.MkFifo(fifo) != 0)
            {
                return AttackResult.NotApplicableHere("mkfifo failed");
            }
            // The reader is a child process (cat), so a save that never opens the FIFO cannot leave this process blocked in open(2).
            using var reader = Process.Start(new ProcessStartInfo("cat", [fifo]) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var received = new MemoryStream();
            Task copy = reader.StandardOutput.BaseStream.CopyToAsync(received);
            ProcessResult run = await h.RunAsync("save", S, "-o", fifo).ConfigureAwait(false);
            if (await Task.WhenAny(copy, Task.Delay(TimeSpan.FromSeconds(20))).ConfigureAwait(false) != copy)
            {
                reader.Kill();
            }
            await reader.WaitForExitAsync().ConfigureAwait(false);
            bool stillFifo = Vfio.IO.UnixFileStatus.TryLstat(fifo, out Vfio.IO.UnixFileStatus status, out _) && status.Kind == Vfio.IO.UnixFileKind.Fifo;
            return AttackResult.Judge(run, "ok", (stillFifo, "the FIFO was replaced by a regular file"),
                (received.Length > 8 && Encoding.ASCII.GetString(received.GetBuffer(), 0, 8) == "VFIOMIG1", $"the reader got {received.Length} bytes, not the stream"), NoStray(h));
        });
    }

    // A FIFO planted at the journal path must not block a migration verb forever.
    private static IEnumerable<AttackCase> Hangs()
    {
        foreach (string[] args in new[] { new[] { "migrate", S, "--to-type", $"{AttackHost.Parent}/{AttackHost.Type}" }, ["resume", S], ["save", S, "-o", "{out}"] })
        {
            yield return new($"journal-fifo-{args[0]}", "hang", "E6094", async h =>
            {
                Directory.CreateDirectory(h.Journal);
                if (Posix.MkFifo(Path.Join(h.Journal, S + ".json")) != 0)
                {
                    return AttackResult.NotApplicableHere("mkfifo failed");
                }
                string[] line = [.. args.Select(a => a == "{out}" ? Path.Join(h.Output, "s.bin") : a)];
                var quick = new VfioctlProcess(h.Cli.Path, TimeSpan.FromSeconds(30)) { Launcher = h.Cli.Launcher };
                ProcessResult run = await quick.RunAsync(["--emulated", h.Root, .. line]).ConfigureAwait(false);
                return AttackResult.Judge(run, "E6094", Named(run, "", "journal"), (await h.StateOfAsync(S).ConfigureAwait(false) == "RUNNING", "the source does not run"));
            });
        }
    }

    // A capability document far larger than any real one: refused unread, not parsed into gigabytes.
    private static IEnumerable<AttackCase> Unbounded(int bigMiB)
    {
        foreach (string verb in new[] { "models", "capabilities" })
        {
            yield return new($"huge-migration-info-{verb}", "unbounded", "E2009", async h =>
            {
                string document = Directory.EnumerateFiles(Path.Join(h.Root, "sys", "devices"), "migration_info.json", SearchOption.AllDirectories).First();
                string text = (await File.ReadAllTextAsync(document).ConfigureAwait(false)).TrimEnd();
                await using (var stream = new FileStream(document, FileMode.Create, FileAccess.Write))
                {
                    // Valid JSON: the original document with megabytes of white space before its closing brace.
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(text[..^1])).ConfigureAwait(false);
                    byte[] spaces = new byte[1024 * 1024];
                    Array.Fill(spaces, (byte)' ');
                    for (int i = 0; i < bigMiB; i++)
                    {
                        await stream.WriteAsync(spaces).ConfigureAwait(false);
                    }
                    await stream.WriteAsync("}"u8.ToArray()).ConfigureAwait(false);
                }
                ProcessResult run = await h.RunAsync(verb).ConfigureAwait(false);
                return AttackResult.Judge(run, "E2009", (run.Err.Contains("refused unread", StringComparison.Ordinal), "the document was read before it was refused"));
            });
        }
    }

    // One malformed definition, and a definition stored under an upper-case UUID.
    private static IEnumerable<AttackCase> BadFiles()
    {
        static async Task PlantBad(AttackHost h) => await File.WriteAllTextAsync(h.DefinitionFile(Bad), "{ this is not json").ConfigureAwait(false);
        yield return new("list-with-one-bad-definition", "bad file", "ok", async h =>
        {
            await PlantBad(h).ConfigureAwait(false);
            ProcessResult run = await h.RunAsync("list").ConfigureAwait(false);
            return AttackResult.Judge(run, "ok", (run.Out.Contains(S, StringComparison.Ordinal), "the good device is not listed"),
                (run.Err.Contains("warning E6009", StringComparison.Ordinal) && run.Err.Contains(Bad, StringComparison.Ordinal), "the bad definition is not reported"));
        });
        yield return new("list-defined-with-one-bad-definition", "bad file", "ok", async h =>
        {
            await PlantBad(h).ConfigureAwait(false);
            ProcessResult run = await h.RunAsync("list", "--defined").ConfigureAwait(false);
            return AttackResult.Judge(run, "ok", (run.Out.Contains(D, StringComparison.Ordinal), "the good definition is not listed"),
                (run.Err.Contains("warning E6009", StringComparison.Ordinal), "the bad definition is not reported"));
        });
        yield return new("start-good-beside-a-bad-definition", "bad file", "ok", async h =>
        {
            await PlantBad(h).ConfigureAwait(false);
            ProcessResult run = await h.RunAsync("start", "-u", D).ConfigureAwait(false);
            return AttackResult.Judge(run, "ok", (h.Devices().Contains(D), "the good definition was not started"));
        });
        yield return new("start-the-bad-definition", "bad file", "E6009", async h =>
        {
            await PlantBad(h).ConfigureAwait(false);
            return AttackResult.Judge(await h.RunAsync("start", "-u", Bad).ConfigureAwait(false), "E6009", (!h.Devices().Contains(Bad), "the bad definition started"));
        });
        yield return new("upper-case-uuid-listed", "spelling", "ok", async h =>
        {
            File.Move(h.DefinitionFile(D), h.DefinitionFile(D.ToUpperInvariant()));
            ProcessResult run = await h.RunAsync("list", "--defined").ConfigureAwait(false);
            return AttackResult.Judge(run, "ok", (run.Out.Contains(D, StringComparison.Ordinal), "the upper-case definition is not listed"));
        });
        yield return new("upper-case-uuid-defined-again", "spelling", "E6010", async h =>
        {
            File.Move(h.DefinitionFile(D), h.DefinitionFile(UpperUuid));
            ProcessResult run = await h.RunAsync("define", "-u", UpperUuid.ToLowerInvariant(), "-p", AttackHost.Parent, "-t", AttackHost.Type, "--config", AttackHost.Config).ConfigureAwait(false);
            return AttackResult.Judge(run, "E6010", (!File.Exists(h.DefinitionFile(UpperUuid.ToLowerInvariant())), "a second file was created for the same device"));
        });
    }

    // VFIOCTL_PAUSE_AT in a user's environment: a production build ignores it. A test build (Debug, or
    // -p:VfioTestHooks=true) honours it by design, so there the case does not apply.
    private static AttackCase TestHook() => new("pause-variable-in-production", "test hook", "ok", async h =>
    {
        ProcessResult probe = await h.Cli.RunAsync(["--emulated", h.Root, "resume", "00000000-0000-4000-8000-000000000000"],
            new Dictionary<string, string> { ["VFIOCTL_PAUSE_AT"] = "probe-not-a-checkpoint" }).ConfigureAwait(false);
        if (probe.Err.Contains("VFIOCTL_PAUSE_AT", StringComparison.Ordinal))
        {
            return AttackResult.NotApplicableHere("the vfioctl under test is a test build (hooks compiled in); run the suite against a Release build");
        }
        var quick = new VfioctlProcess(h.Cli.Path, TimeSpan.FromSeconds(60)) { Launcher = h.Cli.Launcher };
        ProcessResult run = await quick.RunAsync(["--emulated", h.Root, "migrate", S, "--to-type", $"{AttackHost.Parent}/{AttackHost.Type}"],
            new Dictionary<string, string> { ["VFIOCTL_PAUSE_AT"] = "SourceOpened" }).ConfigureAwait(false);
        return AttackResult.Judge(run, "ok");
    });

    private static (bool, string) Named(ProcessResult run, string errno, string path) =>
        (run.Err.Contains(errno, StringComparison.Ordinal) && run.Err.Contains(path, StringComparison.Ordinal), $"the error does not name {errno} and {path}");

    private static (bool, string) NoStray(AttackHost h)
    {
        IReadOnlyList<string> stray = h.StrayFiles();
        return (stray.Count == 0, "stray files left: " + string.Join(", ", stray));
    }
}
