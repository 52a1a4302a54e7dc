using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;

namespace Vfio.Tests.Manager;

/// <summary>
/// Types that share one pool of units, as the kernel's mtty shares its ports between mtty-1 (one port per device)
/// and mtty-2 (two): every member type's available_instances follows the pool.
/// </summary>
public sealed class InstancePoolTests : IDisposable
{
    private static readonly ParentDeviceName Parent = ParentDeviceName.Parse("mtty");
    private static readonly MdevTypeName Single = MdevTypeName.Parse("mtty-1");
    private static readonly MdevTypeName Dual = MdevTypeName.Parse("mtty-2");
    private readonly TempTree _tree = new();
    private readonly EmulatedSysfs _sysfs;
    private readonly MdevHost _host;

    public InstancePoolTests()
    {
        _sysfs = new EmulatedHostBuilder(_tree.Root)
            .AddType(Parent, Single, "Single port serial", 0)
            .AddType(Parent, Dual, "Dual port serial", 0)
            .ShareInstancePool(Parent, 5, (Single, 1), (Dual, 2))
            .Build();
        _host = new MdevHost(_sysfs);
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void NewPool_ShowsEachTypeTheFreeUnitsDividedByItsUnitsPerInstance()
    {
        Assert.Equal((5, 2), (Available(Single), Available(Dual)));
        EmulatedInstancePool pool = _sysfs.ReadInstancePool(Parent)!;
        Assert.Equal((5, 5), (pool.Units, pool.Free));
    }

    [Fact]
    public void CreatingADeviceOfOneType_LowersEveryMembersCount_AndRemovingRestoresIt()
    {
        MdevUuid dual = MdevUuid.NewUuid();
        _host.Create(Parent, Dual, dual);
        Assert.Equal((3, 1), (Available(Single), Available(Dual)));

        MdevUuid single = MdevUuid.NewUuid();
        _host.Create(Parent, Single, single);
        Assert.Equal((2, 1), (Available(Single), Available(Dual)));
        Assert.Equal(2, _sysfs.ReadInstancePool(Parent)!.Free);

        _host.Remove(dual);
        Assert.Equal((4, 2), (Available(Single), Available(Dual)));
        _host.Remove(single);
        Assert.Equal((5, 2), (Available(Single), Available(Dual)));
    }

    [Fact]
    public void TypeNeedingMoreUnitsThanAreFree_IsRefused_WhileASmallerTypeStillFits()
    {
        _host.Create(Parent, Dual, MdevUuid.NewUuid());
        _host.Create(Parent, Dual, MdevUuid.NewUuid());
        Assert.Equal((1, 0), (Available(Single), Available(Dual)));

        // Written straight to create, past the manager's own check: the emulated kernel counts the pool itself.
        var e = Assert.Throws<VfioException>(() => _sysfs.Write(_sysfs.Layout.TypeCreate(Parent, Dual), MdevUuid.NewUuid().ToString()));
        Assert.Equal(ErrorCode.NoInstancesAvailable, e.Code);
        Assert.Equal(1, _sysfs.ReadInstancePool(Parent)!.Free);

        _host.Create(Parent, Single, MdevUuid.NewUuid());
        Assert.Equal((0, 0), (Available(Single), Available(Dual)));
    }

    [Fact]
    public void TypesOutsideThePool_KeepTheirOwnCount()
    {
        var other = MdevTypeName.Parse("mtty-9");
        var sysfs = new EmulatedHostBuilder(_tree.Root).AddType(Parent, other, "Not pooled", 3).Build();
        new MdevHost(sysfs).Create(Parent, other, MdevUuid.NewUuid());
        Assert.Equal(2, _host.GetSupportedType(Parent, other).AvailableInstances);
        Assert.Equal((5, 2), (Available(Single), Available(Dual)));
    }

    [Fact]
    public void SharingAPoolWithATypeNotLaidOut_IsRefused()
    {
        var builder = new EmulatedHostBuilder(_tree.Root);
        Assert.Throws<ArgumentException>(() => builder.ShareInstancePool(Parent, 4, (MdevTypeName.Parse("mtty-7"), 1)));
    }

    private int Available(MdevTypeName type) => _host.GetSupportedType(Parent, type).AvailableInstances;
}
