using Mdev.Manager.Emulation;
using Mdev.Manager.Host;
using Mdev.Manager.Options;
using Mdev.Manager.Sysfs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mdev.Manager.Tests;

public sealed class OptionsTests
{
    private static ServiceProvider Build(Action<MdevManagerOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddMdevManager(configure);
        return services.BuildServiceProvider();
    }

    [Theory]
    [InlineData(nameof(MdevManagerOptions.SysfsRoot))]
    [InlineData(nameof(MdevManagerOptions.ConfigRoot))]
    [InlineData(nameof(MdevManagerOptions.ManifestDir))]
    public void MissingPath_FailsAtStart(string option)
    {
        using ServiceProvider provider = Build(o =>
        {
            switch (option)
            {
                case nameof(MdevManagerOptions.SysfsRoot): o.SysfsRoot = ""; break;
                case nameof(MdevManagerOptions.ConfigRoot): o.ConfigRoot = ""; break;
                default: o.ManifestDir = ""; break;
            }
        });
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(e.Failures, f => f.Contains(option, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryCrossFieldProblem_IsReportedTogether()
    {
        using ServiceProvider provider = Build(o =>
        {
            o.SysfsRoot = "/";
            o.Emulated = true;
            o.ConfigRoot = "relative/mdevctl.d";
            o.LockTimeout = TimeSpan.Zero;
            o.StateChangeTimeout = TimeSpan.FromHours(1);
        });
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        string all = string.Join("\n", e.Failures);
        Assert.Contains("emulated host needs its own directory", all);
        Assert.Contains("'relative/mdevctl.d' is not an absolute path", all);
        Assert.Contains(nameof(MdevManagerOptions.LockTimeout), all);
        Assert.Contains(nameof(MdevManagerOptions.StateChangeTimeout), all);
    }

    [Fact]
    public void ValidOptions_StartAndChooseTheSeam()
    {
        using var tree = new TempTree();
        using ServiceProvider emulated = Build(o => { o.SysfsRoot = tree.Root; o.Emulated = true; });
        emulated.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<EmulatedSysfs>(emulated.GetRequiredService<ISysfs>());
        Assert.Equal(tree.Root, emulated.GetRequiredService<MdevHost>().Sysfs.Layout.Root.FullPath);

        using ServiceProvider real = Build(_ => { });
        real.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<RealSysfs>(real.GetRequiredService<ISysfs>());
    }
}
