using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Tests.Migration;

public sealed class MigrationArcsTests
{
    private static readonly MigrationFeatures[] FlagSets =
    [
        MigrationFeatures.StopCopy,
        MigrationFeatures.StopCopy | MigrationFeatures.P2P,
        MigrationFeatures.StopCopy | MigrationFeatures.PreCopy,
        MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy,
    ];

    public static TheoryData<MigrationState, MigrationState, MigrationFeatures> AllPairs()
    {
        var data = new TheoryData<MigrationState, MigrationState, MigrationFeatures>();
        foreach (MigrationFeatures flags in FlagSets)
        {
            foreach (MigrationState from in Enum.GetValues<MigrationState>())
            {
                foreach (MigrationState to in Enum.GetValues<MigrationState>())
                {
                    data.Add(from, to, flags);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Path_UsesOnlyDirectArcs_EndsAtTarget_AndMatchesKernel(MigrationState from, MigrationState to, MigrationFeatures flags)
    {
        (KernelFsmModel.Outcome kernel, List<MigrationState> kernelPath) = KernelFsmModel.Walk(from, to, flags);

        switch (kernel)
        {
            case KernelFsmModel.Outcome.Einval:
                VfioException illegal = Assert.Throws<VfioException>(() => MigrationArcs.PlanPath(from, to, flags));
                Assert.Equal(ErrorCode.IllegalStateArc, illegal.Code);
                break;
            case KernelFsmModel.Outcome.LoopsForever:
                VfioException unsafeArc = Assert.Throws<VfioException>(() => MigrationArcs.PlanPath(from, to, flags));
                Assert.Equal(ErrorCode.UnsafeStateArc, unsafeArc.Code);
                break;
            default:
                IReadOnlyList<MigrationState> path = MigrationArcs.PlanPath(from, to, flags);
                Assert.Equal(kernelPath, path);
                MigrationState at = from;
                foreach (MigrationState next in path)
                {
                    Assert.True(MigrationArcs.IsDirectArc(at, next, flags), $"{at} -> {next} is not a direct arc for {flags}");
                    at = next;
                }
                Assert.Equal(to, at);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void IsDirectArc_IsExactlyTheSetOfArcsTheKernelEmits(MigrationState from, MigrationState to, MigrationFeatures flags)
    {
        // An arc is direct when the kernel's planner, asked for some target from 'from', answers 'to' as the next
        // step; those are the arcs a driver receives.
        bool kernelEmits = Enum.GetValues<MigrationState>().Any(target =>
            KernelFsmModel.GetNextState(from, target, flags) is (KernelFsmModel.Outcome.Next, MigrationState next)
            && next == to && from != to);

        Assert.Equal(kernelEmits, MigrationArcs.IsDirectArc(from, to, flags));
    }

    [Theory]
    [InlineData(MigrationState.PreCopy)]
    [InlineData(MigrationState.PreCopyP2P)]
    public void StopCopyToPreCopy_OnFullFeaturedDevice_IsUnsafe(MigrationState target)
    {
        var flags = MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy;

        VfioException ex = Assert.Throws<VfioException>(() => MigrationArcs.NextStep(MigrationState.StopCopy, target, flags));

        Assert.Equal(ErrorCode.UnsafeStateArc, ex.Code);
        Assert.Contains("StopCopy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StopCopyToPreCopyP2P_WithoutP2P_IsIllegalNotUnsafe()
    {
        // The kernel answers EINVAL for an unsupported target before it reaches the looping table entry.
        VfioException ex = Assert.Throws<VfioException>(() => MigrationArcs.NextStep(
            MigrationState.StopCopy, MigrationState.PreCopyP2P, MigrationFeatures.StopCopy | MigrationFeatures.PreCopy));

        Assert.Equal(ErrorCode.IllegalStateArc, ex.Code);
    }

    [Theory]
    [InlineData(MigrationState.Error, MigrationState.Running)]
    [InlineData(MigrationState.Running, MigrationState.Error)]
    [InlineData(MigrationState.Error, MigrationState.Error)]
    public void Error_AsSourceOrTarget_IsRefused(MigrationState from, MigrationState to)
    {
        var flags = MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy;

        Assert.False(MigrationArcs.TryNextStep(from, to, flags, out _, out ErrorCode refusal));
        Assert.Equal(ErrorCode.IllegalStateArc, refusal);
        Assert.False(MigrationArcs.IsDirectArc(from, to, flags));
    }

    [Fact]
    public void WithoutStopCopyFlag_NothingIsSupported()
    {
        Assert.All(Enum.GetValues<MigrationState>(), s => Assert.False(MigrationArcs.IsSupported(s, MigrationFeatures.P2P | MigrationFeatures.PreCopy)));
    }

    [Fact]
    public void SameState_IsAnEmptyPath()
    {
        Assert.Empty(MigrationArcs.PlanPath(MigrationState.Running, MigrationState.Running, MigrationFeatures.StopCopy));
    }
}
