using Vfio.Manager.Conformance;
using Vfio.Conformance;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;
using Vfio.Samples.Nic;
using Vfio.Samples.Serial;
using Vfio.Samples.VendorGuide;
using Vfio.Sdk;

namespace Vfio.Tests.Samples.Conformance;

/// <summary>
/// Streams the sample devices saved (as <c>vfioctl save</c> writes them), kept in tests/testdata/streams/devices so
/// that a later build that can no longer load them fails the kit's <c>saved-streams-load</c>. They were written once by
/// <see cref="Write"/>; set STREAMS_REGEN=1 to rewrite them, which is a device-state format change: say so in the commit.
/// </summary>
public sealed class SavedStreamGoldenTests
{
    public static TheoryData<string> Files() => new(Goldens.Select(g => g.File));

    private sealed record Golden(string File, DeviceImplementation SavedBy, string Configuration, DeviceImplementation LoadedBy);

    private static readonly Golden[] Goldens =
    [
        new("my-nic@2.version=2.bin", NicImplementations.Old, "version=2", NicImplementations.Current),
        new("my-nic@3.version=3.bin", NicImplementations.Current, "version=3", NicImplementations.Current),
        new("mtty-sdk@mtty-sdk-2.bin", SerialImplementations.DualPort, "", SerialImplementations.DualPort),
        new("scratchpad@2.version=1.bin", ScratchpadImplementation.Build, "version=1", ScratchpadImplementation.Build),
    ];

    private static string Directory => Path.Combine(RepositoryRoot(), "tests", "testdata", "streams", "devices");

    [Theory]
    [MemberData(nameof(Files))]
    public void The_current_build_still_loads_a_saved_stream(string file)
    {
        Golden golden = Goldens.Single(g => g.File == file);
        EnsureWritten(golden);
        using Host host = Host.Create(golden.LoadedBy, golden.Configuration);

        ConformanceOptions options = SavedStreamFiles.Read(Directory, host.Code.Configuration, "loader");
        ConformanceReport report = ConformanceKit.Run(host.Vfio, options);

        Assert.Contains(options.SavedStreams, s => s.Name == file);
        ConformanceCheck check = report[ConformanceChecks.SavedStreamsLoad];
        Assert.True(check.Outcome == CheckOutcome.Pass, check.Detail);
        Assert.True(report.Passed, string.Join("\n", report.Failures.Select(f => $"{f.Name}: {f.Detail}")));
    }

    [Fact]
    public void Streams_of_another_model_or_configuration_are_not_loaded_and_are_named()
    {
        foreach (Golden golden in Goldens)
        {
            EnsureWritten(golden);
        }
        using Host host = Host.Create(ScratchpadImplementation.Build, "version=2");

        ConformanceOptions options = SavedStreamFiles.Read(Directory, host.Code.Configuration, "loader");

        Assert.Empty(options.SavedStreams);
        Assert.Equal(Goldens.Length, options.SavedStreamsSkipped.Count);
        Assert.All(options.SavedStreamsSkipped, s => Assert.Contains("E5007", s, StringComparison.Ordinal));
    }

    [Fact]
    public void A_saved_stream_that_no_longer_loads_fails_the_check()
    {
        Golden golden = Goldens.Single(g => g.File == "my-nic@3.version=3.bin");
        EnsureWritten(golden);
        using Host host = Host.Create(golden.LoadedBy, golden.Configuration);
        byte[] data = SavedStreamFiles.Unwrap(Path.Combine(Directory, golden.File), host.Code.Configuration, "loader");

        ConformanceReport report = ConformanceKit.Run(host.Vfio, new ConformanceOptions { SavedStreams = [new SavedStream("cut.bin", data.AsMemory(0, data.Length - 10))] });

        ConformanceCheck check = report[ConformanceChecks.SavedStreamsLoad];
        Assert.Equal(CheckOutcome.Fail, check.Outcome);
        Assert.StartsWith("cut.bin", check.Detail, StringComparison.Ordinal);
        Assert.Equal(MigrationState.Running, host.Vfio.CurrentMigrationState);
    }

    private static void EnsureWritten(Golden golden)
    {
        string path = Path.Combine(Directory, golden.File);
        if (Environment.GetEnvironmentVariable("STREAMS_REGEN") == "1")
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllBytes(path, Write(golden));
        }
        Assert.True(File.Exists(path), $"golden stream {path} is missing (STREAMS_REGEN=1 writes it)");
    }

    /// <summary>What <c>vfioctl save</c> writes for the device: the envelope around its STOP_COPY data.</summary>
    private static byte[] Write(Golden golden)
    {
        using Host host = Host.Create(golden.SavedBy, golden.Configuration);
        switch (host.Code)
        {
            case NicDevice nic:
                nic.SimulateTraffic(seed: 5, packets: 120);
                break;
            case SerialDevice serial:
                serial.WriteRegister(1, 7, 0x42);
                break;
            case ScratchpadDevice pad:
                pad.Write(4000, "saved by an older build"u8);
                break;
        }
        using var envelope = new MemoryStream();
        var writer = new MigrationStreamWriter(envelope, host.Code.CreateStreamHeader());
        using (MigrationDataStream data = MigrationDriver.Open(host.Vfio).TransitionTo(MigrationState.StopCopy)!)
        {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = data.Read(buffer)) > 0)
            {
                writer.Write(buffer.AsSpan(0, n));
            }
        }
        writer.Complete();
        return envelope.ToArray();
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
        throw new InvalidOperationException("Vfio.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed class Host : IDisposable
    {
        private Host(MigratableDevice code, EmulatedVfioDevice vfio)
        {
            Code = code;
            Vfio = vfio;
        }

        public MigratableDevice Code { get; }

        public EmulatedVfioDevice Vfio { get; }

        public static Host Create(DeviceImplementation implementation, string configuration)
        {
            DeviceConfiguration config = configuration.Length == 0
                ? DeviceConfiguration.FromInit(implementation.Model)
                : DeviceConfiguration.Parse(implementation.Model, configuration, "golden");
            var code = (MigratableDevice)implementation.Create("golden", config);
            return new Host(code, new EmulatedVfioDevice("golden", code, implementation.Protocol, implementation.Features));
        }

        public void Dispose()
        {
            Vfio.Dispose();
            Code.Dispose();
        }
    }
}
