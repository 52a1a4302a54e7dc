using System.Globalization;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Diff;
using Vfio.DeviceModels.Documents;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels;

public sealed class MigrationInfoDiffTests
{
    [Fact]
    public void Newer_nic_widens_the_filter_and_adds_rss()
    {
        MigrationInfoDiff d = MigrationInfoDiff.Compare(TestNicModels.NicV2, TestNicModels.NicV3);
        Assert.Equal(
            [DiffKind.ParameterAdded, DiffKind.AllowedValuesWidened, DiffKind.VersionAdded, DiffKind.LatestChanged],
            d.Findings.Select(f => f.Kind));
        DiffFinding rss = d.Findings[0];
        Assert.Equal("rss", rss.Subject);
        Assert.Equal(MigrationImpact.None, rss.OldToNew);
        Assert.Equal(MigrationImpact.SomeConfigurations, rss.NewToOld);
        DiffFinding rx = d.Findings[1];
        Assert.Equal(("0-32", "0-128"), (rx.OldValue, rx.NewValue));
        Assert.False(d.BreaksOldToNew);
        Assert.True(d.BreaksNewToOld);
    }

    [Fact]
    public void Same_description_has_no_changes()
    {
        MigrationInfoDiff d = MigrationInfoDiff.Compare(TestNicModels.NicV3, MigrationInfo.Parse(new MigrationInfo([TestNicModels.NicV3]).ToJson()).Models[0]);
        Assert.Empty(d.Findings);
        Assert.Equal("no changes", d.ToString());
    }

    [Fact]
    public void Narrowing_and_off_value_and_redefinition_are_reported()
    {
        ModelDescription older = new ModelDescriptionBuilder("example.org/x")
            .Int("n", "0-64", "0", "8").Str("mode", "a,b", "a", "b")
            .Version("1").Version("2", null, ("n", "8")).Build();
        ModelDescription newer = new ModelDescriptionBuilder("example.org/x")
            .Int("n", "0-16", "0", "4").Str("mode", "a,b,c", "c", "b")
            .Version("1").Version("2", null, ("n", "16")).Build();
        MigrationInfoDiff d = MigrationInfoDiff.Compare(older, newer);
        Assert.Contains(d.Findings, f => f is { Kind: DiffKind.OffValueChanged, Subject: "mode", OldValue: "a", NewValue: "c" });
        Assert.Contains(d.Findings, f => f is { Kind: DiffKind.AllowedValuesWidened, Subject: "mode" });
        Assert.Contains(d.Findings, f => f is { Kind: DiffKind.InitValueChanged, Subject: "n", OldToNew: MigrationImpact.None, NewToOld: MigrationImpact.None });
        Assert.Contains(d.Findings, f => f is { Kind: DiffKind.AllowedValuesNarrowed, Subject: "n", OldToNew: MigrationImpact.SomeConfigurations, NewToOld: MigrationImpact.None });
        Assert.Contains(d.Findings, f => f is { Kind: DiffKind.VersionRedefined, Subject: "2", OldValue: "n=8", NewValue: "n=16" });
        Assert.True(d.BreaksOldToNew);
        Assert.True(d.BreaksNewToOld);
    }

    [Fact]
    public void Version_that_only_spells_out_off_values_is_not_redefined()
    {
        ModelDescription older = new ModelDescriptionBuilder("example.org/x").Version("1").Build();
        ModelDescription newer = new ModelDescriptionBuilder("example.org/x").Bool("rss", "off", "on").Version("1", null, ("rss", "off")).Build();
        Assert.DoesNotContain(MigrationInfoDiff.Compare(older, newer).Findings, f => f.Kind == DiffKind.VersionRedefined);
    }

    [Fact]
    public void Type_change_breaks_everything_and_models_added_or_removed_are_reported()
    {
        ModelDescription a = new ModelDescriptionBuilder("example.org/x").Int("q", "0-1", "0", "0").Build();
        ModelDescription b = new ModelDescriptionBuilder("example.org/x").Bool("q", "off", "off").Build();
        DiffFinding t = Assert.Single(MigrationInfoDiff.Compare(a, b).Findings);
        Assert.Equal((DiffKind.TypeChanged, MigrationImpact.AllConfigurations, MigrationImpact.AllConfigurations), (t.Kind, t.OldToNew, t.NewToOld));

        MigrationInfoDiff models = MigrationInfoDiff.Compare(new MigrationInfo([a]), new MigrationInfo([TestNicModels.NicV3]));
        Assert.Equal([DiffKind.ModelRemoved, DiffKind.ModelAdded], models.Findings.Select(f => f.Kind));
    }

    /// <summary>
    /// Soundness against the runtime check: when the diff says a direction is unaffected, no generated configuration
    /// of that side is refused by the other side's description.
    /// </summary>
    [Fact]
    public void A_direction_the_diff_calls_safe_never_fails_the_runtime_check()
    {
        var random = new Random(4242);
        int refusedSeen = 0;
        for (int round = 0; round < 300; round++)
        {
            (ModelDescription older, ModelDescription newer) = Pair(random);
            MigrationInfoDiff d = MigrationInfoDiff.Compare(older, newer);
            for (int i = 0; i < 20; i++)
            {
                bool oldToNewOk = CompatibilityChecker.Check(Generators.Configuration(random, older), newer).IsCompatible;
                bool newToOldOk = CompatibilityChecker.Check(Generators.Configuration(random, newer), older).IsCompatible;
                Assert.True(oldToNewOk || d.BreaksOldToNew, d.ToString());
                Assert.True(newToOldOk || d.BreaksNewToOld, d.ToString());
                refusedSeen += (oldToNewOk ? 0 : 1) + (newToOldOk ? 0 : 1);
            }
        }
        Assert.True(refusedSeen > 0); // the generator does produce breaking pairs
    }

    private static (ModelDescription, ModelDescription) Pair(Random random)
    {
        var older = new ModelDescriptionBuilder("example.org/gen");
        var newer = new ModelDescriptionBuilder("example.org/gen");
        for (int i = 0; i < 4; i++)
        {
            string name = "p" + i.ToString(CultureInfo.InvariantCulture);
            int roll = random.Next(6);
            int max = random.Next(1, 50), max2 = roll == 3 ? max + random.Next(1, 20) : roll == 4 ? random.Next(0, max) : max;
            if (roll != 1)
            {
                older.Parameter(ParameterSpec.Int(name, $"0-{max}", "0", "0"));
            }
            if (roll != 2)
            {
                newer.Parameter(ParameterSpec.Int(name, $"0-{max2}", "0", "0"));
            }
        }
        return (older.Build(), newer.Build());
    }
}
