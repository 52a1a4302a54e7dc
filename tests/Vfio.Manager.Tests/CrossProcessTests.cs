using System.Diagnostics;
using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager;

/// <summary>Several processes create devices on one emulated parent at once; the host lock keeps the count exact.</summary>
public sealed class CrossProcessTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void ChildProcessesCreatingAtOnce_NeitherLoseNorDoubleCountInstances()
    {
        const int Pool = 10;
        const int Processes = 3;
        const int AttemptsEach = 6;
        var parent = ParentDeviceName.Parse("0000:00:04.0");
        var type = MdevTypeName.Parse("vendor-nic-1");
        EmulatedSysfs sysfs = new EmulatedHostBuilder(_tree.Root).AddType(parent, type, "NIC", Pool, TestNicModels.Design).Build();

        var children = Enumerable.Range(0, Processes).Select(_ => Start(_tree.Root, parent, type, AttemptsEach)).ToList();
        var lines = new List<string>();
        foreach (Process child in children)
        {
            using (child)
            {
                string output = child.StandardOutput.ReadToEnd();
                string error = child.StandardError.ReadToEnd();
                child.WaitForExit();
                Assert.True(child.ExitCode == 0, $"helper exited {child.ExitCode}: {error}");
                lines.AddRange(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        var created = lines.Where(l => l.StartsWith("created ", StringComparison.Ordinal)).Select(l => l[8..]).ToList();
        var refused = lines.Where(l => l.StartsWith("refused ", StringComparison.Ordinal)).Select(l => l[8..]).ToList();
        Assert.Equal(Processes * AttemptsEach, lines.Count);
        Assert.Equal(Pool, created.Count);
        Assert.All(refused, code => Assert.Equal(ErrorCatalogue.Id(ErrorCode.NoInstancesAvailable), code));
        var host = new MdevHost(sysfs);
        Assert.Equal(0, host.GetSupportedType(parent, type).AvailableInstances);
        Assert.Equal(created.Order(StringComparer.Ordinal), host.GetDevices().Select(d => d.Uuid.ToString()));
        // Every device got its migration files from the type's model, whichever process created it.
        Assert.All(host.GetDevices(), d => Assert.Equal(TestNicModels.Design.Id, d.Migration!.Model));
    }

    private static Process Start(string root, ParentDeviceName parent, MdevTypeName type, int attempts)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "exec", typeof(HelperProgram).Assembly.Location, "create-devices", root, parent.Value, type.Value, attempts.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info)!;
    }
}
