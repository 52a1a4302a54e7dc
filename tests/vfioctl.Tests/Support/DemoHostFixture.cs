using Vfio.Ctl.Commands.Demo;

namespace Vfio.Tests.Vfioctl.Support;

/// <summary>A fresh pair of emulated demo hosts (host-a: new NIC build, host-b: old build) in a temp directory.</summary>
public sealed class DemoHostFixture : IDisposable
{
    public DemoHostFixture()
    {
        Root = Directory.CreateTempSubdirectory("vfioctl-tests-").FullName;
        DemoHosts.Create(Root);
    }

    public string Root { get; }

    public string HostA => DemoHosts.HostA(Root);

    public string HostB => DemoHosts.HostB(Root);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
