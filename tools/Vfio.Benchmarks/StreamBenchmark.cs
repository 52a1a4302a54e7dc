using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;
using Vfio.Sdk;

namespace Vfio.Benchmarks;

/// <summary>
/// Stream envelope: save -> envelope -> load of a large device state through the emulated device, the migration
/// driver and an in-process pipe, against a plain memory copy of the same bytes in the same run (ratio); peak memory;
/// and stop-copy downtime with and without pre-copy when 1% of the state is dirtied per iteration.
/// Usage: <c>stream [MiB ...] [--no-target] [--chunk KiB]</c> (default 256 1024; <c>--no-target</c>: the destination loads each page
/// in <c>LoadSection</c> from the received bytes instead of having them copied straight into the page). A Stopwatch
/// ratio run: each case moves gigabytes once.
/// </summary>
internal static class StreamBenchmark
{
    private const int PageSize = 1 << 20;
    private const int PreCopyIterations = 5;
    private static bool s_inPlace = true;
    private static int s_chunkSize = StreamFormat.DefaultChunkSize; // of the in-process transfers (--chunk KiB)

    public static int Run(string[] args)
    {
        s_inPlace = !args.Contains("--no-target");
        args = args.Where(a => a != "--no-target").ToArray();
        int chunkAt = Array.IndexOf(args, "--chunk");
        if (chunkAt >= 0)
        {
            s_chunkSize = int.Parse(args[chunkAt + 1], CultureInfo.InvariantCulture) << 10;
            args = [.. args[..chunkAt], .. args[(chunkAt + 2)..]];
        }
        int[] sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [256, 1024];
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}; destination pages {(s_inPlace ? "loaded in place (LoadTarget)" : "loaded in LoadSection")}; in-process chunks of {s_chunkSize >> 10} KiB");
        Console.WriteLine($"| state | memcpy | one process, one thread (MigrationStreamDecodingStream) | its bandwidth / memcpy's | allocated | one process, two threads (double-buffered chunks) | its bandwidth / memcpy's | through an OS pipe, two threads | ratio | allocated during transfer | peak working set | rise during transfer | stop-copy, no pre-copy | stop-copy after pre-copy (1%/iter) | source part of it | pre-copy bytes resent |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        // Warm-up: every path, over and over for two seconds (three times at least), before timing. Tier-0 code for the
        // CRC and copy loops is several times slower, and tiered compilation promotes a method only after 100 ms without
        // new tier-0 code and 30 calls, in the background: after a single 16 MiB warm-up the compiler's thread was still
        // busy (100-170 ms of CPU) during the first two 1 GiB transfers, which ran at half the speed of the later ones.
        var warm = Stopwatch.StartNew();
        for (int n = 0; n < 3 || warm.Elapsed < TimeSpan.FromSeconds(2); n++)
        {
            if (!RunSize(16, print: false))
            {
                return 1;
            }
        }
        foreach (int mib in sizes)
        {
            if (!RunSize(mib, print: true))
            {
                return 1;
            }
        }
        return 0;
    }

    private static bool RunSize(int mib, bool print)
    {
        long bytes = (long)mib << 20;
        DeviceConfiguration config = DeviceConfiguration.Off(new ModelDescriptionBuilder("bench.example/bulk").Version("1").Latest("1").Build());
        const MigrationFeatures features = MigrationFeatures.StopCopy | MigrationFeatures.PreCopy;
        using var sourceDevice = new BulkDevice("src", config, features, mib);
        using var destinationDevice = new BulkDevice("dst", config, features, mib);
        sourceDevice.Fill(seed: mib);
        using var source = new EmulatedVfioDevice("src", sourceDevice);
        using var destination = new EmulatedVfioDevice("dst", destinationDevice);
        MigrationDriver sourceDriver = MigrationDriver.Open(source);
        MigrationDriver destinationDriver = MigrationDriver.Open(destination);

        // Baseline: the same bytes copied page by page, no envelope, no state format. The first pass faults the
        // destination pages in; the second is timed.
        var sw = new Stopwatch();
        for (int pass = 0; pass < 2; pass++)
        {
            sw.Restart();
            for (int i = 0; i < sourceDevice.Pages.Length; i++)
            {
                sourceDevice.Pages[i].CopyTo(destinationDevice.Pages[i], 0);
            }
        }
        TimeSpan memcpy = sw.Elapsed;
        foreach (byte[] page in destinationDevice.Pages)
        {
            Array.Clear(page);
        }

        // Full stop-copy migration: STOP_COPY -> envelope -> pipe -> envelope reader -> RESUMING -> load.
        GC.Collect();
        // Both devices' pages are resident now (the baseline wrote them): the rise of the peak resident set during the
        // transfer is what source, envelope, pipe and destination take on top of the two states, an upper bound of
        // what the destination's load takes on top of its own state.
        bool peakReset = ResetPeakWorkingSet();
        long residentBefore = Process.GetCurrentProcess().WorkingSet64;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        sw.Restart();
        Transfer(sourceDriver, destinationDriver, sourceDevice, preCopy: false, out TimeSpan _);
        TimeSpan full = sw.Elapsed;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long destinationAllocated = DestinationAllocated;
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        string rise = peakReset ? $"{(peak - residentBefore) / (1 << 20)} MiB" : "n/a";
        if (!destinationDevice.SameAs(sourceDevice))
        {
            Console.Error.WriteLine($"{mib} MiB: destination differs from source after the stop-copy migration");
            return false;
        }

        // The same migration in one process, no transport: the writer's output is a MigrationStreamDecodingStream that decodes
        // into the destination (two copies per byte: page -> chunk buffer, chunk buffer -> page).
        foreach (byte[] page in destinationDevice.Pages)
        {
            Array.Clear(page);
        }
        sourceDriver.TransitionTo(MigrationState.Stop);
        destinationDriver.TransitionTo(MigrationState.Stop);
        GC.Collect();
        long allocatedBeforeLocal = GC.GetTotalAllocatedBytes(precise: true);
        sw.Restart();
        TransferInProcess(sourceDriver, destinationDriver, sourceDevice, twoThreads: false);
        TimeSpan local = sw.Elapsed;
        long allocatedLocal = GC.GetTotalAllocatedBytes(precise: true) - allocatedBeforeLocal;
        if (!destinationDevice.SameAs(sourceDevice))
        {
            Console.Error.WriteLine($"{mib} MiB: destination differs from source after the in-process migration");
            return false;
        }
        foreach (byte[] page in destinationDevice.Pages)
        {
            Array.Clear(page);
        }
        sw.Restart();
        TransferInProcess(sourceDriver, destinationDriver, sourceDevice, twoThreads: true);
        TimeSpan local2 = sw.Elapsed;
        if (!destinationDevice.SameAs(sourceDevice))
        {
            Console.Error.WriteLine($"{mib} MiB: destination differs from source after the two-thread in-process migration");
            return false;
        }

        // Pre-copy: stream everything while running, re-send the dirty 1% a few times, then stop.
        sourceDriver.TransitionTo(MigrationState.Running);
        destinationDriver.TransitionTo(MigrationState.Running);
        TimeSpan preCopyDowntime = Transfer(sourceDriver, destinationDriver, sourceDevice, preCopy: true, out TimeSpan sourcePart);
        if (!destinationDevice.SameAs(sourceDevice))
        {
            Console.Error.WriteLine($"{mib} MiB: destination differs from source after the pre-copy migration");
            return false;
        }

        if (!print)
        {
            return true;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {mib} MiB | {Rate(bytes, memcpy)} | {Rate(bytes, local)} | **{memcpy / local:F2}x** | {allocatedLocal / (1 << 20)} MiB | {Rate(bytes, local2)} | **{memcpy / local2:F2}x** | {Rate(bytes, full)} | {full / memcpy:F1}x | {allocated / (1 << 20)} MiB ({destinationAllocated / (1 << 20)} MiB destination) | {peak / (1 << 20)} MiB | {rise} | " +
            $"{full.TotalMilliseconds:F0} ms | {preCopyDowntime.TotalMilliseconds:F0} ms | {sourcePart.TotalMilliseconds:F0} ms | {sourceDevice.ResentBytes / (1 << 20)} MiB |"));
        return true;
    }

    /// <summary>Moves the source's state into the destination; returns the downtime (STOP_COPY to destination loaded).</summary>
    private static TimeSpan Transfer(MigrationDriver sourceDriver, MigrationDriver destinationDriver, BulkDevice sourceDevice, bool preCopy, out TimeSpan sourcePart)
    {
        // An OS pipe between the two sides, as in "vfioctl save | ssh host vfioctl load", with the loader on its own
        // thread. Neither side buffers more than the kernel's pipe buffer plus one chunk.
        var pipeOut = new AnonymousPipeServerStream(PipeDirection.Out);
        var pipeIn = new AnonymousPipeClientStream(PipeDirection.In, pipeOut.ClientSafePipeHandle);
        Task load = Task.Factory.StartNew(() =>
        {
            long destinationStart = GC.GetAllocatedBytesForCurrentThread();
            using Stream input = pipeIn;
            var reader = new MigrationStreamReader(input, _ => { });
            using (reader)
            using (MigrationDataStream resuming = destinationDriver.TransitionTo(MigrationState.Resuming)!)
            {
                reader.CopyTo(resuming);
            }
            destinationDriver.TransitionTo(MigrationState.Stop); // runs the load
            DestinationAllocated = GC.GetAllocatedBytesForCurrentThread() - destinationStart;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        using Stream output = pipeOut;
        var writer = new MigrationStreamWriter(output, sourceDevice.CreateStreamHeader());
        var random = new Random(42);
        Stopwatch downtime;
        if (preCopy)
        {
            using MigrationDataStream session = sourceDriver.TransitionTo(MigrationState.PreCopy)!;
            Drain(session, writer);
            for (int i = 0; i < PreCopyIterations; i++)
            {
                sourceDevice.DirtyOnePercent(random);
                Drain(session, writer);
            }
            sourceDevice.DirtyOnePercent(random);
            downtime = Stopwatch.StartNew();
            sourceDriver.TransitionTo(MigrationState.StopCopy);
            Drain(session, writer);
        }
        else
        {
            downtime = Stopwatch.StartNew();
            using MigrationDataStream session = sourceDriver.TransitionTo(MigrationState.StopCopy)!;
            Drain(session, writer);
        }
        writer.Complete();
        sourcePart = downtime.Elapsed;
        output.Dispose(); // EOF for the reader's trailing-data probe
        load.GetAwaiter().GetResult();
        TimeSpan total = downtime.Elapsed;
        sourceDriver.TransitionTo(MigrationState.Stop);
        return total;
    }

    /// <summary>
    /// Stop-copy migration in one thread of one process: the source's data is read straight into the writer's chunk
    /// buffer, and the writer writes each record into a <see cref="MigrationStreamDecodingStream"/>, which verifies it in place
    /// and writes the payload into the destination's RESUMING session.
    /// </summary>
    private static void TransferInProcess(MigrationDriver sourceDriver, MigrationDriver destinationDriver, BulkDevice sourceDevice, bool twoThreads)
    {
        using (MigrationDataStream resuming = destinationDriver.TransitionTo(MigrationState.Resuming)!)
        using (var sink = new MigrationStreamDecodingStream(new MigrationStreamDecoder(_ => { }, s_chunkSize), resuming))
        {
            var writer = new MigrationStreamWriter(sink, sourceDevice.CreateStreamHeader(), s_chunkSize);
            using (MigrationDataStream session = sourceDriver.TransitionTo(MigrationState.StopCopy)!)
            {
                int n;
                Task inFlight = Task.CompletedTask;
                while ((n = session.TryRead(writer.GetChunkMemory().Span, out uint? crc)) > 0)
                {
                    writer.Advance(n, crc);
                    if (writer.IsChunkFull)
                    {
                        if (twoThreads)
                        {
                            // Double-buffered: the other core verifies and loads this chunk while this one fills the next.
                            inFlight.GetAwaiter().GetResult();
                            inFlight = writer.StartWriteChunk(CancellationToken.None);
                        }
                        else
                        {
                            writer.WriteChunk();
                        }
                    }
                }
                inFlight.GetAwaiter().GetResult();
            }
            writer.Complete();
            sink.Finish();
        }
        destinationDriver.TransitionTo(MigrationState.Stop); // runs the load
        sourceDriver.TransitionTo(MigrationState.Stop);
    }

    /// <summary>Bytes the destination thread allocated in the last transfer (the received fields, held until the load).</summary>
    private static long DestinationAllocated { get; set; }

    // As vfioctl's source half: the device reads straight into the writer's chunk buffer, with its checksum of the bytes
    // (the record's CRC then costs no pass), and what is buffered goes out when the session has nothing more now.
    private static void Drain(MigrationDataStream session, MigrationStreamWriter writer)
    {
        int n;
        while ((n = session.TryRead(writer.GetChunkMemory().Span, out uint? crc)) > 0)
        {
            writer.Advance(n, crc);
            if (writer.IsChunkFull)
            {
                writer.WriteChunk();
            }
        }
        writer.WriteChunk();
    }

    // Linux: writing 5 to /proc/self/clear_refs resets the peak resident set size (VmHWM, PeakWorkingSet64).
    private static bool ResetPeakWorkingSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"cannot reset the peak working set ({e.Message}); the rise column is n/a");
            return false;
        }
    }

    private static string Rate(long bytes, TimeSpan t) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / t.TotalSeconds / (1 << 30):F2} GiB/s");

    /// <summary>A device whose state is N pages of 1 MiB, each a pre-copy section.</summary>
    private sealed class BulkDevice : MigratableDevice
    {
        private readonly string[] _names;

        public BulkDevice(string name, DeviceConfiguration configuration, MigrationFeatures features, int pages)
            : base(name, configuration, features)
        {
            Pages = Enumerable.Range(0, pages).Select(_ => new byte[PageSize]).ToArray();
            _names = Enumerable.Range(0, pages).Select(i => "p" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        }

        public byte[][] Pages { get; }

        private uint Generation { get; set; }

        protected override IReadOnlyList<string> Sections => _names;

        protected override long EstimateSectionSize(string section) => PageSize + 16;

        // Pages are loaded as they arrive (see docs/benchmarks.md for the figures with this off), straight into the
        // page unless --no-target.
        protected override bool LoadsSectionsEarly => true;

        protected override Memory<byte> LoadTarget(string section, string field, int length) =>
            s_inPlace ? Pages[int.Parse(section.AsSpan(1), CultureInfo.InvariantCulture)] : default;

        protected override void LoadSection(string section, DeviceStateReader reader)
        {
            byte[] page = Pages[int.Parse(section.AsSpan(1), CultureInfo.InvariantCulture)];
            ReadOnlySpan<byte> data = reader.ReadBytes("data").Span;
            if (data != page.AsSpan())
            {
                data.CopyTo(page); // not in place: copy from the received bytes
            }
        }

        public void Fill(int seed)
        {
            var random = new Random(seed);
            foreach (byte[] page in Pages)
            {
                random.NextBytes(page);
            }
        }

        public void DirtyOnePercent(Random random)
        {
            for (int i = 0; i < Math.Max(1, Pages.Length / 100); i++)
            {
                int p = random.Next(Pages.Length);
                Pages[p][random.Next(PageSize)] ^= 0x5A;
                MarkDirty(_names[p]);
            }
            Generation++;
        }

        public bool SameAs(BulkDevice other) =>
            Generation == other.Generation && Pages.Zip(other.Pages).All(p => p.First.AsSpan().SequenceEqual(p.Second));

        protected override void SaveSection(string section, DeviceStateWriter writer) =>
            writer.WriteBytes("data", Pages[int.Parse(section.AsSpan(1), CultureInfo.InvariantCulture)]);

        protected override void SaveState(DeviceStateWriter writer) => writer.WriteU32("generation", Generation);

        protected override void LoadState(DeviceStateReader reader)
        {
            Generation = reader.ReadU32("generation");
        }

        protected override void OnReset() => Generation = 0;
    }
}
