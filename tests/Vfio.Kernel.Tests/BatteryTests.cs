namespace Vfio.Tests.Kernel;

/// <summary>
/// Each check of the kernel battery (tools/kernel-lab/Battery) as one test: the published vfioctl against the kernel's
/// mtty devices in a Linux 6.12 guest. The list is fixed here, so a check the battery stops running fails too.
/// </summary>
[Collection(KernelStageCollection.Name)]
public sealed class BatteryTests(KernelStage stage)
{
    private static readonly string[] Names =
    [
        "environment",
        "types",
        "start-pinned",
        "start-refuses-ports-1",
        "list-model-and-configuration",
        "describe",
        "models-without-libssl",
        "capabilities",
        "check-refuses-mtty-1",
        "define-start-stop-undefine",
        "migrate-stop-copy",
        "migrate-pre-copy",
        "migrate-pipe",
        "corrupt-streams-refused",
        "foreign-type-stream-refused",
        "kill-save-then-resume",
        "kill-load-then-abort",
        "conform",
        "vmm-holds-device",
        "vmm-prepare-destination",
        "vmm-incoming-fails-source-runs",
        "vmm-migration",
        "no-unhandled-exception",
        "remove-restores-instances",
    ];

    public static TheoryData<string> Checks => [.. Names];

    [KernelLabTheory]
    [MemberData(nameof(Checks))]
    public void Check_holds_on_the_real_kernel(string check)
    {
        StageRun run = stage.Run;
        Assert.True(run.Checks.TryGetValue(check, out CheckOutcome? outcome),
            $"the battery did not report '{check}' (stage exit {run.ExitCode}); its log:\n{run.Log}");
        Assert.True(outcome!.Passed, $"{check}: {outcome.Detail}");
    }

    [KernelLabFact]
    public void The_stage_runs_every_check_and_exits_0()
    {
        StageRun run = stage.Run;
        string[] unexpected = [.. run.Checks.Keys.Except(Names)];
        Assert.True(unexpected.Length == 0, $"the battery reports checks no test names: {string.Join(", ", unexpected)}");
        Assert.True(run.ExitCode == 0, $"stage exit {run.ExitCode}; its log:\n{run.Log}");
        Assert.Contains($"{Names.Length} passed, 0 failed", run.Log, StringComparison.Ordinal);
    }
}
