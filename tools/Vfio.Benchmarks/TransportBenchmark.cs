using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;
using Vfio.DeviceModels.Streams;
using Vfio.IO;
using Vfio.Kernel;

namespace Vfio.Benchmarks;

/// <summary>
/// The migration transport at memory speed (issue 15 goals 1, 3 and 4): the envelope between a device data session and
/// its consumer, through OS pipes, against <c>cat</c> and a plain pipe copy of the same bytes in the same run.
/// Usage: <c>transport [MiB ...] [--channels 1,2,4] [--chunk KiB=1024] [--rounds R=3] [--pipe-size KiB] [--paced MiB/s]</c>
/// (default 256 1024).
/// </summary>
/// <remarks>
/// <para>The device is modelled as a perfect data session: <c>ReadData(span)</c> copies its state into the span it is
/// given and <c>WriteData(span)</c> copies the span into its state (one copy each, what the device side's zero-copy
/// work aims for), so the figures are the transport's, not a device-state format's. Cases:</para>
/// <list type="bullet">
/// <item>memcpy: state to state, chunk by chunk (one copy).</item>
/// <item>pipe copy: the state written into an OS pipe in chunks by one thread and read into the destination by another
/// (what <c>cat | cat</c> does in one process: two copies through the kernel).</item>
/// <item>cat | cat: <c>sh -c "cat FILE | cat &gt; /dev/null"</c> on a file of the same bytes (page cache).</item>
/// <item>envelope xN: device -> <see cref="MigrationChannelWriter"/> over N OS pipes -> <see cref="MigrationChannelReader"/>
/// -> device, each side on its own thread (N = 1 is the format 1.0 stream of <c>vfioctl save | vfioctl load</c>).</item>
/// <item>kernel path: <c>cat FILE</c> into a FIFO read through <see cref="KernelMigrationDataStream"/> (a data_fd that is a
/// pipe) -> one channel of <see cref="MigrationChannelWriter"/> (as <c>vfioctl save</c> drives it) -> a FIFO drained by
/// <c>cat &gt; /dev/null</c>, against <c>cat FILE | cat | cat &gt; /dev/null</c>.</item>
/// <item>paced envelope xN (with <c>--paced R</c>): the envelope xN case with every channel's writes held to R MiB/s, a
/// transport whose streams are each slower than the machine (one TCP connection's share of a link, or of the core that
/// serves it: what QEMU's multifd channels exist for). The speed-up of N channels over one then measures the channels
/// themselves, their overlap and the loader's in-order reassembly, rather than how many idle cores the machine has.</item>
/// </list>
/// <para>Each case runs R rounds; the best is reported (a noisy neighbour spoils fewer best rounds than means).</para>
/// <para>With <c>--pipe-size K</c> every in-process pipe (pipe copy, envelope cases) is grown to K KiB with
/// <see cref="UnixPipe.TryGrow"/> before it is used, as <c>vfioctl</c> grows its standard input and output and FIFOs to
/// a chunk; without it they keep the kernel's 64 KiB, as <c>cat | cat</c>'s do.</para>
/// </remarks>
internal static class TransportBenchmark
{
    public static int Run(string[] args)
    {
        var sizes = new List<int>();
        int[] channels = [1, 2, 4];
        int chunk = 1 << 20;
        int rounds = 3;
        int paced = 0;
        int pipeKiB = 0;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--channels":
                    channels = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                    break;
                case "--chunk":
                    chunk = int.Parse(args[++i], CultureInfo.InvariantCulture) << 10;
                    break;
                case "--rounds":
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--pipe-size":
                    pipeKiB = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--paced":
                    paced = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    sizes.Add(int.Parse(args[i], CultureInfo.InvariantCulture));
                    break;
            }
        }
        if (sizes.Count == 0)
        {
            sizes.AddRange([256, 1024]);
        }
        PipeBytes = pipeKiB << 10;
        Console.WriteLine($"load average at start: {LoadAverage()}; {Environment.ProcessorCount} CPUs; chunk {chunk >> 10} KiB; best of {rounds}; " +
            (PipeBytes > 0 ? $"in-process pipes grown to {pipeKiB} KiB" : "in-process pipes at the kernel's default size"));
        if (paced > 0)
        {
            RunPaced(16, channels, chunk, paced * 16, 1, print: false); // JIT every path first
            foreach (int mib in sizes)
            {
                RunPaced(mib, channels, chunk, paced, rounds, print: true);
            }
            Console.WriteLine($"load average at end: {LoadAverage()}");
            return 0;
        }
        RunSize(16, channels, chunk, 1, print: false); // JIT every path first
        foreach (int mib in sizes)
        {
            RunSize(mib, channels, chunk, rounds, print: true);
        }
        Console.WriteLine($"load average at end: {LoadAverage()}");
        return 0;
    }

    private static void RunSize(int mib, int[] channels, int chunk, int rounds, bool print)
    {
        long bytes = (long)mib << 20;
        byte[] state = new byte[bytes];
        new Random(mib).NextBytes(state);
        byte[] destination = new byte[bytes];
        string dir = Directory.CreateTempSubdirectory("vfio-transport-").FullName;
        string file = Path.Join(dir, "state.bin");
        try
        {
            File.WriteAllBytes(file, state);
            var results = new List<(string Case, TimeSpan Time, string Note)>();
            results.Add(("memcpy", Best(rounds, () => Memcpy(state, destination, chunk)), ""));
            TimeSpan pipe = Best(rounds, () => PipeCopy(state, destination, chunk));
            results.Add(("pipe copy (in process)", pipe, ""));
            TimeSpan cat = Best(rounds, () => Shell($"cat '{file}' | cat > /dev/null"));
            results.Add(("cat FILE \\| cat > /dev/null", cat, ""));
            Verify(state, destination, "pipe copy");
            Array.Clear(destination);
            TimeSpan sync = Best(rounds, () => EnvelopeSync(state, destination, chunk));
            Verify(state, destination, "envelope sync");
            results.Add(("envelope, synchronous (CopyFrom -> pipe -> CopyTo)", sync, ""));
            foreach (int n in channels)
            {
                Array.Clear(destination);
                long allocated = 0;
                TimeSpan t = Best(rounds, () => Envelope(state, destination, chunk, n, out allocated));
                Verify(state, destination, $"envelope x{n}");
                results.Add(($"envelope x{n} (device -> pipes -> device)", t, $"{allocated / 1024} KiB allocated"));
            }
            TimeSpan catChain = Best(rounds, () => Shell($"cat '{file}' | cat | cat > /dev/null"));
            results.Add(("cat FILE \\| cat \\| cat > /dev/null", catChain, ""));
            long kernelBytes = 0;
            TimeSpan kernel = Best(rounds, () => KernelPath(file, dir, chunk, out kernelBytes));
            results.Add(("cat FILE \\| KernelMigrationDataStream -> envelope \\| cat > /dev/null", kernel, $"{kernelBytes >> 20} MiB of envelope"));
            if (!print)
            {
                return;
            }
            TimeSpan memcpy = results[0].Time;
            Console.WriteLine();
            Console.WriteLine($"{mib} MiB (load average {LoadAverage()})");
            Console.WriteLine("| case | time | rate | vs memcpy | vs pipe copy | vs cat | note |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach ((string name, TimeSpan time, string note) in results)
            {
                TimeSpan catBase = name.StartsWith("cat FILE \\| Kernel", StringComparison.Ordinal) ? catChain : cat;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {time.TotalMilliseconds:F0} ms | {bytes / time.TotalSeconds / (1 << 30):F2} GiB/s | {memcpy / time:F2}x | {pipe / time:F2}x | {catBase / time:F2}x | {note} |"));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // The channels over streams that are each held to a rate: N channels against one, same bytes, same run.
    private static void RunPaced(int mib, int[] channels, int chunk, int mibPerSecond, int rounds, bool print)
    {
        long bytes = (long)mib << 20;
        byte[] state = new byte[bytes];
        new Random(mib).NextBytes(state);
        byte[] destination = new byte[bytes];
        var results = new List<(int Channels, TimeSpan Time)>();
        foreach (int n in channels)
        {
            Array.Clear(destination);
            TimeSpan t = Best(rounds, () => Envelope(state, destination, chunk, n, out long _, mibPerSecond));
            Verify(state, destination, $"paced envelope x{n}");
            results.Add((n, t));
        }
        if (!print)
        {
            return;
        }
        TimeSpan one = results.Find(r => r.Channels == 1).Time;
        Console.WriteLine();
        Console.WriteLine($"{mib} MiB, every channel held to {mibPerSecond} MiB/s (load average {LoadAverage()})");
        Console.WriteLine("| channels | time | rate | rate / (channels x pace) | speed-up over one channel |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach ((int n, TimeSpan time) in results)
        {
            double rate = bytes / time.TotalSeconds / (1 << 20);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n} | {time.TotalMilliseconds:F0} ms | {rate:F0} MiB/s | {rate / (n * mibPerSecond):F2} | {(one == default ? "" : $"{one / time:F2}x")} |"));
        }
    }

    // The capacity every in-process pipe is grown to (0: the kernel's default).
    private static int PipeBytes { get; set; }

    private static void Grow(AnonymousPipeServerStream pipe)
    {
        if (PipeBytes > 0 && UnixPipe.TryGrow(pipe.SafePipeHandle, PipeBytes) < PipeBytes)
        {
            throw new InvalidOperationException($"the pipe could not be grown to {PipeBytes >> 10} KiB");
        }
    }

    private static TimeSpan Best(int rounds, Action run)
    {
        TimeSpan best = TimeSpan.MaxValue;
        for (int i = 0; i < rounds; i++)
        {
            GC.Collect();
            var sw = Stopwatch.StartNew();
            run();
            sw.Stop();
            best = sw.Elapsed < best ? sw.Elapsed : best;
        }
        return best;
    }

    private static void Memcpy(byte[] state, byte[] destination, int chunk)
    {
        for (long at = 0; at < state.LongLength; at += chunk)
        {
            int n = (int)Math.Min(chunk, state.LongLength - at);
            state.AsSpan((int)at, n).CopyTo(destination.AsSpan((int)at, n));
        }
    }

    private static void PipeCopy(byte[] state, byte[] destination, int chunk)
    {
        using var output = new AnonymousPipeServerStream(PipeDirection.Out);
        using var input = new AnonymousPipeClientStream(PipeDirection.In, output.ClientSafePipeHandle);
        Grow(output);
        Task reader = Task.Factory.StartNew(() =>
        {
            long at = 0;
            int n;
            while ((n = input.Read(destination.AsSpan((int)at, (int)Math.Min(chunk, destination.LongLength - at)))) > 0)
            {
                at += n;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        for (long at = 0; at < state.LongLength; at += chunk)
        {
            output.Write(state.AsSpan((int)at, (int)Math.Min(chunk, state.LongLength - at)));
        }
        output.Dispose();
        reader.GetAwaiter().GetResult();
    }

    private static void Envelope(byte[] state, byte[] destination, int chunk, int channels, out long allocated, int pacedMiBPerSecond = 0)
    {
        var outputs = new AnonymousPipeServerStream[channels];
        var inputs = new AnonymousPipeClientStream[channels];
        for (int i = 0; i < channels; i++)
        {
            outputs[i] = new AnonymousPipeServerStream(PipeDirection.Out);
            inputs[i] = new AnonymousPipeClientStream(PipeDirection.In, outputs[i].ClientSafePipeHandle);
            Grow(outputs[i]);
        }
        var header = new MigrationStreamHeader("bench.example/bulk", "", "src");
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Task load = Task.Factory.StartNew(() =>
        {
            using var reader = new MigrationChannelReader(inputs, _ => { }, chunk);
            reader.CopyToAsync(new ArrayDevice(destination)).GetAwaiter().GetResult();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var device = new ArrayDevice(state);
        Stream[] channelOutputs = pacedMiBPerSecond > 0
            ? outputs.Select(o => (Stream)new PacedStream(o, (long)pacedMiBPerSecond << 20)).ToArray()
            : outputs;
        var writer = new MigrationChannelWriter(channelOutputs, header, chunk);
        writer.WriteHeadersAsync().AsTask().GetAwaiter().GetResult();
        while (true)
        {
            Memory<byte> memory = writer.GetChunkMemoryAsync().AsTask().GetAwaiter().GetResult();
            int n = device.Read(memory.Span); // the device's ReadData, straight into the chunk buffer
            if (n == 0)
            {
                break;
            }
            writer.Advance(n);
            if (writer.IsChunkFull)
            {
                writer.WriteChunkAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        writer.CompleteAsync().AsTask().GetAwaiter().GetResult();
        foreach (AnonymousPipeServerStream output in outputs)
        {
            output.Dispose();
        }
        load.GetAwaiter().GetResult();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        foreach (AnonymousPipeClientStream input in inputs)
        {
            input.Dispose();
        }
    }

    // The single stream with the synchronous shells, one blocking thread per side and no hand-off between threads.
    private static void EnvelopeSync(byte[] state, byte[] destination, int chunk)
    {
        using var output = new AnonymousPipeServerStream(PipeDirection.Out);
        using var input = new AnonymousPipeClientStream(PipeDirection.In, output.ClientSafePipeHandle);
        Grow(output);
        Task load = Task.Factory.StartNew(() =>
        {
            using var reader = new MigrationStreamReader(input, _ => { }, chunk);
            reader.CopyTo(new ArrayDevice(destination));
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        MigrationStreamWriter.CopyFrom(new ArrayDevice(state), output, new MigrationStreamHeader("bench.example/bulk", "", "src"), chunkSize: chunk);
        output.Dispose();
        load.GetAwaiter().GetResult();
    }

    // cat FILE > in.fifo; KernelMigrationDataStream(in.fifo) -> MigrationStreamWriter -> out.fifo; cat out.fifo > /dev/null.
    private static void KernelPath(string file, string dir, int chunk, out long envelopeBytes)
    {
        string inFifo = Path.Join(dir, "in.fifo");
        string outFifo = Path.Join(dir, "out.fifo");
        File.Delete(inFifo);
        File.Delete(outFifo);
        Shell($"mkfifo '{inFifo}' '{outFifo}'");
        using Process producer = StartShell($"cat '{file}' > '{inFifo}'");
        using Process consumer = StartShell($"cat '{outFifo}' > /dev/null");
        SafeFileHandle inHandle = File.OpenHandle(inFifo, FileMode.Open, FileAccess.Read);
        int fd = (int)inHandle.DangerousGetHandle();
        inHandle.SetHandleAsInvalid(); // the data stream owns the fd from here on
        using var data = new KernelMigrationDataStream(new SafeVfioHandle(fd), writable: false, "bench data_fd (a pipe)", "bench");
        using (var output = new FileStream(outFifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0))
        {
            // One channel of MigrationChannelWriter, as the manager's source half (vfioctl save) drives it: a chunk is
            // written on the channel's thread while the next one is read from the data_fd.
            var writer = new MigrationChannelWriter([output], new MigrationStreamHeader("bench.example/bulk", "", "src"), chunk);
            writer.WriteHeadersAsync().AsTask().GetAwaiter().GetResult();
            while (true)
            {
                int n = data.TryRead(writer.GetChunkMemoryAsync().AsTask().GetAwaiter().GetResult().Span);
                if (n <= 0)
                {
                    break;
                }
                writer.Advance(n);
                if (writer.IsChunkFull)
                {
                    writer.WriteChunkAsync().AsTask().GetAwaiter().GetResult();
                }
            }
            writer.CompleteAsync().AsTask().GetAwaiter().GetResult();
            envelopeBytes = writer.DataLength;
        }
        producer.WaitForExit();
        consumer.WaitForExit();
    }

    private static void Shell(string command)
    {
        using Process p = StartShell(command);
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' exited with {p.ExitCode}");
        }
    }

    private static Process StartShell(string command) =>
        Process.Start(new ProcessStartInfo("sh", ["-c", command]) { UseShellExecute = false }) ?? throw new InvalidOperationException("sh did not start");

    private static void Verify(byte[] state, byte[] destination, string what)
    {
        if (!state.AsSpan().SequenceEqual(destination))
        {
            throw new InvalidOperationException($"{what}: the destination differs from the state");
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>
    /// A write-only stream held to a rate: after each write it sleeps until the bytes written so far are due at that rate
    /// from the first write (a stream that is slower than the machine, as one connection can be).
    /// </summary>
    private sealed class PacedStream(Stream inner, long bytesPerSecond) : Stream
    {
        private readonly Stopwatch _clock = new();
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!_clock.IsRunning)
            {
                _clock.Start();
            }
            inner.Write(buffer);
            _written += buffer.Length;
            TimeSpan due = TimeSpan.FromSeconds((double)_written / bytesPerSecond);
            TimeSpan early = due - _clock.Elapsed;
            if (early > TimeSpan.Zero)
            {
                Thread.Sleep(early);
            }
        }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>A perfect device data session over an array: reads copy out of it, writes copy into it, one copy each.</summary>
    private sealed class ArrayDevice(byte[] state) : Stream
    {
        private long _at;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => state.LongLength;
        public override long Position { get => _at; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, state.LongLength - _at);
            state.AsSpan((int)_at, n).CopyTo(buffer);
            _at += n;
            return n;
        }
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            buffer.CopyTo(state.AsSpan((int)_at));
            _at += buffer.Length;
        }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
