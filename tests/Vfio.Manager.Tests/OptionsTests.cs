using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Tests.Manager.Migration;
using Vfio.Manager.Options;
using Vfio.Manager.Sysfs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Vfio.Tests.Manager;

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
    public void ReadyOptions_AreRefusedWithTheStartupValidationsFailures()
    {
        Action<MdevManagerOptions> configure = o =>
        {
            o.SysfsRoot = "/";
            o.Emulated = true;
            o.ConfigRoot = "relative/mdevctl.d";
            o.ManifestDir = "";
            o.LockTimeout = TimeSpan.Zero;
        };
        using ServiceProvider provider = Build(configure);
        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var options = new MdevManagerOptions();
        configure(options);

        var ready = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddMdevManager(options));

        Assert.Equal(atStart.Failures, ready.Failures);
        Assert.Equal(atStart.Message, ready.Message);
        Assert.Equal(typeof(MdevManagerOptions), ready.OptionsType);
        Assert.Contains(ready.Failures, f => f.Contains(nameof(MdevManagerOptions.ManifestDir), StringComparison.Ordinal));
    }

    [Fact]
    public void ReadyOptions_AreTheOnesResolvedAndChooseTheSeam()
    {
        using var tree = new TempTree();
        var options = new MdevManagerOptions { SysfsRoot = tree.Root, Emulated = true };
        using ServiceProvider provider = new ServiceCollection().AddMdevManager(options).BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        Assert.Same(options, provider.GetRequiredService<IOptions<MdevManagerOptions>>().Value);
        Assert.IsType<EmulatedSysfs>(provider.GetRequiredService<ISysfs>());
        Assert.Equal(tree.Root, provider.GetRequiredService<MdevHost>().Sysfs.Layout.Root.FullPath);
        Assert.Null(provider.GetService<IStartupValidator>());
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

    [Fact]
    public void MigrationOptions_BoundFromConfiguration_AreCheckedAtStartWithEveryFailureNamed()
    {
        var services = new ServiceCollection();
        services.AddMdevManager(o => o.SysfsRoot = "/");
        services.Configure<MigrationOptions>(o =>
        {
            o.MaxPreCopyIterations = -1;
            o.DirtyBytesThreshold = -5;
            o.ChunkSize = (64 << 20) + 1;
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        string all = string.Join("\n", e.Failures);
        Assert.Contains(nameof(MigrationOptions.MaxPreCopyIterations), all);
        Assert.Contains(nameof(MigrationOptions.DirtyBytesThreshold), all);
        Assert.Contains($"{(64 << 20) + 1} is outside 1 to {64 << 20} bytes", all);
    }

    [Fact]
    public void MigrationOptions_Defaults_StartAndAreNotShared()
    {
        using ServiceProvider provider = Build(o => o.SysfsRoot = "/");

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(8, provider.GetRequiredService<IOptions<MigrationOptions>>().Value.MaxPreCopyIterations);
        MigrationOptions.Default.ChunkSize = 1;
        Assert.Equal(1 << 20, MigrationOptions.Default.ChunkSize);
    }

    [Fact]
    public async Task MigrationOptions_PassedToOneCall_AreRefusedWithTheCatalogueCodeBeforeAnyDeviceIsOpened()
    {
        using var host = new EmulatedMigrationHost();
        MdevUuid uuid = host.CreateDevice(EmulatedMigrationHost.V2Type);

        var e = await Assert.ThrowsAsync<VfioException>(() => new MigrationOrchestrator().SaveAsync(
            new MigrationSource(host.Migration, uuid), new MemoryStream(), new MigrationOptions { ChunkSize = 0 }));

        Assert.Equal(ErrorCode.OptionsInvalid, e.Code);
        Assert.Contains("ChunkSize", e.Message, StringComparison.Ordinal);
        Assert.False(host.Sysfs.IsOpened(uuid));
    }

    [Fact]
    public void EmulatedHostOptions_OutOfRange_AreRefusedWithTheCatalogueCodeNamingEach()
    {
        using var tree = new TempTree();

        var e = Assert.Throws<VfioException>(() => new EmulatedHost(tree.Root, new EmulatedHostOptions { LockTimeout = TimeSpan.Zero, DeviceLockTimeout = TimeSpan.FromHours(1) }));

        Assert.Equal(ErrorCode.OptionsInvalid, e.Code);
        Assert.Contains("LockTimeout: 00:00:00", e.Message, StringComparison.Ordinal);
        Assert.Contains("DeviceLockTimeout: 01:00:00", e.Message, StringComparison.Ordinal);
    }
}
