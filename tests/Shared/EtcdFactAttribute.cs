namespace Vfio.Tests.Shared;

/// <summary>A fact that needs /usr/bin/etcd: skipped, naming etcd-server, where it is missing, except under CI=true.</summary>
[Xunit.Sdk.XunitTestCaseDiscoverer(Vfio.Tests.Shared.ExplainedSkipFactDiscoverer.TypeName, TestAssembly.Name)]
public sealed class EtcdFactAttribute : FactAttribute
{
    public EtcdFactAttribute()
    {
        if (EtcdServer.WhyNot is string why && !EtcdServer.Required)
        {
            Skip = why;
        }
    }
}
