using Vfio.Kernel;

namespace Vfio.Tests.Kernel;

public sealed class VfioNodeHoldersTests
{
    [Fact]
    public void FakeProc_NamesEachProcessWhoseFdsIncludeTheNode_InPidOrder()
    {
        DirectoryInfo proc = Directory.CreateTempSubdirectory("vfio-proc-");
        try
        {
            Process(proc, 4711, "qemu-system-x86", ("3", "/dev/vfio/vfio"), ("4", "/dev/vfio/7"));
            Process(proc, 12, "libvirtd", ("9", "/dev/vfio/7"));
            Process(proc, 99, "bash", ("0", "/dev/pts/0"), ("5", "/dev/vfio/70"));
            Directory.CreateDirectory(Path.Combine(proc.FullName, "self", "fd"));
            File.WriteAllText(Path.Combine(proc.FullName, "uptime"), "1.0 1.0\n");

            IReadOnlyList<VfioNodeHolder> holders = VfioNodeHolders.Find("/dev/vfio/7", proc.FullName);

            Assert.Equal([new VfioNodeHolder(12, "libvirtd"), new VfioNodeHolder(4711, "qemu-system-x86")], holders);
            Assert.Equal("qemu-system-x86 (pid 4711)", holders[1].ToString());
        }
        finally
        {
            proc.Delete(recursive: true);
        }
    }

    [Fact]
    public void AProcessWithoutComm_IsNamedByPidOnly_AndAMissingProcRoot_FindsNone()
    {
        DirectoryInfo proc = Directory.CreateTempSubdirectory("vfio-proc-");
        try
        {
            Directory.CreateDirectory(Path.Combine(proc.FullName, "300", "fd"));
            File.CreateSymbolicLink(Path.Combine(proc.FullName, "300", "fd", "7"), "/dev/vfio/2");

            Assert.Equal([new VfioNodeHolder(300, "?")], VfioNodeHolders.Find("/dev/vfio/2", proc.FullName));
            Assert.Empty(VfioNodeHolders.Find("/dev/vfio/2", Path.Combine(proc.FullName, "absent")));
        }
        finally
        {
            proc.Delete(recursive: true);
        }
    }

    [Fact]
    public void RealProc_FindsThisTestProcess_HoldingAFileOpen()
    {
        string path = Path.Combine(Path.GetTempPath(), $"vfio-held-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite))
            {
                IReadOnlyList<VfioNodeHolder> held = VfioNodeHolders.Find(path);

                VfioNodeHolder me = Assert.Single(held);
                Assert.Equal(Environment.ProcessId, me.Pid);
                Assert.Equal(File.ReadAllText($"/proc/{Environment.ProcessId}/comm").Trim(), me.Command);
            }
            Assert.Empty(VfioNodeHolders.Find(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Process(DirectoryInfo proc, int pid, string comm, params (string Fd, string Target)[] fds)
    {
        string dir = Path.Combine(proc.FullName, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(dir, "fd"));
        File.WriteAllText(Path.Combine(dir, "comm"), comm + "\n");
        foreach ((string fd, string target) in fds)
        {
            File.CreateSymbolicLink(Path.Combine(dir, "fd", fd), target);
        }
    }
}
