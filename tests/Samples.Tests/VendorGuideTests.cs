using System.Text.RegularExpressions;
using Vfio.DeviceModels;
using Vfio.Sdk;
using Vfio.DeviceModels.State;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;
using Vfio.Samples.VendorGuide;

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
        DeviceImplementation build = ScratchpadImplementation.Build;
        DeviceConfiguration configuration = DeviceConfiguration.Parse(build.Model, "version=2");
        using var sourceDevice = (ScratchpadDevice)build.Create("pad-src", configuration);
        using var destinationDevice = (ScratchpadDevice)build.Create("pad-dst", configuration);
        using var source = new EmulatedVfioDevice("pad-src", sourceDevice, build.Emulation);
        using var destination = new EmulatedVfioDevice("pad-dst", destinationDevice, build.Emulation);
        sourceDevice.Write(100, "hello"u8);
        sourceDevice.RingDoorbell();

        // Check before anything moves.
        CompatibilityChecker.Check(sourceDevice.Configuration, destinationDevice.Configuration, "pad-src", "pad-dst")
            .ThrowIfIncompatible();

        // Save: pre-copy while the guest keeps writing, then stop-and-copy, into the stream envelope.
        using var envelope = new MemoryStream();
        var writer = new MigrationStreamWriter(envelope, sourceDevice.CreateStreamHeader());
        MigrationDriver sourceDriver = MigrationDriver.Open(source);
        using (MigrationDataStream saving = sourceDriver.TransitionTo(MigrationState.PreCopy)!)
        {
            CopyAvailable(saving, writer);              // every page once
            sourceDevice.Write(5000, "dirty"u8);        // page 1 changes: it is sent again
            sourceDriver.TransitionTo(MigrationState.StopCopy);
            CopyAvailable(saving, writer);              // page 1, the registers, the end marker
        }
        writer.Complete();

        // Load: check the header against the destination while it still runs, then resume and copy.
        envelope.Position = 0;
        MigrationDriver destinationDriver = MigrationDriver.Open(destination);
        using var reader = new MigrationStreamReader(envelope, destinationDevice.ValidateStreamHeader);
        reader.ReadHeader(); // another model or configuration: E5007, and the destination never left RUNNING
        using (MigrationDataStream resuming = destinationDriver.TransitionTo(MigrationState.Resuming)!)
        {
            reader.CopyTo(resuming);
        }
        Assert.True(reader.IsComplete);
        destinationDriver.TransitionTo(MigrationState.Running);

        Assert.Equal(sourceDevice.DescribeState(), destinationDevice.DescribeState());
        // guide step 7 ends
        Assert.InRange(sourceDevice.ResentBytes, ScratchpadDevice.PageSize, ScratchpadDevice.PageSize + 64); // page 1 only
        Assert.Equal(MigrationState.Running, destinationDevice.State);
        Assert.Equal("2", destinationDevice.DescribeState()["writes"]);
    }

    // guide helper begins
    /// <summary>Copies what the device has now: until "nothing now" (-1) in PRE_COPY, until the end (0) in STOP_COPY.</summary>
    private static void CopyAvailable(MigrationDataStream saving, MigrationStreamWriter writer)
    {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = saving.TryRead(buffer)) > 0)
        {
            writer.Write(buffer.AsSpan(0, n));
        }
    }
    // guide helper ends

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
