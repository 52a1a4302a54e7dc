using System.Text.RegularExpressions;
using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Samples.VendorGuide;
using Vfio.Sdk;
using Vfio.Sdk.Testing;

namespace Vfio.Tests.Samples;

/// <summary>
/// Keeps docs/vendor-guide.md honest: every C# block in the guide must be, line for line, code that this repository
/// compiles (the example device in samples/VendorGuide/, this file, the compatibility matrix test), and the guide's
/// migration step runs here as written.
/// </summary>
public sealed class VendorGuideTests
{
    [Fact]
    public void EveryCodeBlockOfTheGuide_IsCompiledCode_LineForLine()
    {
        string root = RepositoryRoot();
        string guide = File.ReadAllText(Path.Combine(root, "docs", "vendor-guide.md")).ReplaceLineEndings("\n");
        MatchCollection blocks = Regex.Matches(guide, @"<!-- literal: (?<file>\S+) -->\n```csharp\n(?<code>.*?)```", RegexOptions.Singleline);
        int csharpBlocks = Regex.Count(guide, "```csharp");

        Assert.True(blocks.Count >= 8, $"the guide has {blocks.Count} checked code blocks");
        Assert.Equal(csharpBlocks, blocks.Count); // no C# block escapes the check
        foreach (Match block in blocks)
        {
            string[] file = Lines(File.ReadAllText(Path.Combine(root, block.Groups["file"].Value)));
            string[] code = Lines(block.Groups["code"].Value);
            Assert.True(ContainsRun(file, code), $"a code block of the guide is not in {block.Groups["file"].Value}:\n{block.Groups["code"].Value}");
        }
    }

    [Fact]
    public void Step7_MigrateTheScratchpad()
    {
        // guide step 7 begins
        MigrationProof proof = MigrationTestKit.Prove(ScratchpadImplementation.Build, ScratchpadImplementation.Build,
            new MigrationTestOptions<ScratchpadDevice>
            {
                Exercise = pad => { pad.Write(100, "hello"u8); pad.RingDoorbell(); },  // the guest, before the migration
                WhilePreCopy = pad => pad.Write(5000, "dirty"u8),  // page 1 changes during pre-copy: it is sent again
                Describe = pad => pad.DescribeState(),             // what must be equal on both sides
            });
        // guide step 7 ends
        Assert.Equal(4, proof.Cases.Count); // versions 1 and 2, each with stop-and-copy and with pre-copy
        MigrationCaseResult preCopied = proof.Case(ScratchpadImplementation.Build.Id, ScratchpadImplementation.Build.Id, "version=2", preCopy: true);
        Assert.Equal(preCopied.SourceDescription, preCopied.DestinationDescription);
        Assert.InRange(preCopied.ResentBytes, ScratchpadDevice.PageSize, ScratchpadDevice.PageSize + 64); // page 1 only
        Assert.Equal(MigrationState.Running, preCopied.DestinationState);
        Assert.Equal("2", preCopied.DestinationDescription!["writes"]);
    }

    [Fact]
    public void Step7_AFailedCase_IsNamed()
    {
        // A destination that loses the doorbell: the kit names the case and the field.
        MigrationTestException failure = Assert.Throws<MigrationTestException>(() => MigrationTestKit.Prove(ScratchpadImplementation.Build, ScratchpadImplementation.Build,
            new MigrationTestOptions<ScratchpadDevice>
            {
                Exercise = pad => pad.RingDoorbell(),
                Describe = pad => pad.Name == "kit-destination" ? new Dictionary<string, string>(pad.DescribeState()) { ["doorbell"] = "lost" } : pad.DescribeState(),
                Configurations = ["version=1"],
            }));

        Assert.Contains("example.com/scratchpad@2 -> example.com/scratchpad@2, version=1, stop-copy: FAILED", failure.Message);
        Assert.Contains("doorbell: 1 -> lost", failure.Message);
        Assert.All(failure.Proof!.Cases, c => Assert.False(c.Passed));
    }

    [Fact]
    public void Version1Destination_RefusesAVersion2Source_BeforeAnythingMoves()
    {
        DeviceImplementation build = ScratchpadImplementation.Build;
        using var sourceDevice = (ScratchpadDevice)build.Create("pad-src", DeviceConfiguration.Parse(build.Model, "version=2"));
        using var destinationDevice = (ScratchpadDevice)build.Create("pad-dst", DeviceConfiguration.Parse(build.Model, "version=1"));

        CompatibilityResult check = CompatibilityChecker.Check(sourceDevice.Configuration, destinationDevice.Configuration, "pad-src", "pad-dst");
        VfioException header = Assert.ThrowsAny<VfioException>(() => destinationDevice.ValidateStreamHeader(sourceDevice.CreateStreamHeader()));

        Assert.Equal(ErrorCode.ConfigurationMismatch, Assert.Single(check.Problems).Code);
        Assert.Equal(ErrorCode.StreamHeaderMismatch, header.Code);
    }

    [Fact]
    public void Schema_Version1ToVersion2_AddsTheRequiredChecksum_AndNothingElse()
    {
        DeviceImplementation build = ScratchpadImplementation.Build;
        using var v1 = (MigratableDevice)build.Create("a", DeviceConfiguration.Parse(build.Model, "version=1"));
        using var v2 = (MigratableDevice)build.Create("b", DeviceConfiguration.Parse(build.Model, "version=2"));

        SchemaChange change = Assert.Single(DeviceStateSchemaDiff.Compare(v1.ExportSchema(), v2.ExportSchema()));

        Assert.Equal(("checksum", SchemaChangeKind.RequiredFieldAdded), (change.Path, change.Kind));
    }

    private static string[] Lines(string text) =>
        text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    private static bool ContainsRun(string[] file, string[] run)
    {
        for (int start = 0; start + run.Length <= file.Length; start++)
        {
            if (file.AsSpan(start, run.Length).SequenceEqual(run))
            {
                return true;
            }
        }
        return false;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vfio.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("no Vfio.sln above " + AppContext.BaseDirectory);
    }
}
