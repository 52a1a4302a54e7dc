using System.Diagnostics;
using System.Globalization;
using Vfio.DeviceModels.Streams;

namespace Vfio.Benchmarks;

/// <summary>
/// The stream envelope alone, in memory, against a plain copy of the same bytes in the same run.
/// Usage: <c>envelope [MiB=256] [--chunk KiB=1024] [--rounds R=5] [--only none|memcpy|crc|write|read|copyto]</c>.
/// </summary>
/// <remarks>
/// <para>Cases, each over the whole state in chunk-sized pieces (best of R rounds, so a noisy neighbour inflates
/// fewer of them):</para>
/// <list type="bullet">
/// <item><b>memcpy</b>: <c>Span.CopyTo</c> of each chunk into a destination array: one copy, the baseline.</item>
/// <item><b>crc</b>: CRC-32C of each chunk, nothing copied.</item>
/// <item><b>write</b>: <see cref="MigrationStreamWriter.Write"/> into a pre-sized MemoryStream (one copy, one CRC).</item>
/// <item><b>read</b>: <see cref="MigrationStreamReader.Read"/> of the envelope into the destination array, a chunk's
/// length at a time.</item>
/// <item><b>copyto</b>: <see cref="MigrationStreamReader.CopyTo"/> into a MemoryStream over the destination array.</item>
/// </list>
/// <para><c>--only X</c> sets everything up (data, destination, one envelope written) and then runs case X once,
/// without printing a table; <c>--only none</c> stops after the set-up. Under
/// <c>valgrind --tool=callgrind</c> the difference between X and none at two sizes gives instructions per byte
/// (docs/benchmarks.md).</para>
/// </remarks>
internal static class EnvelopeBenchmark
{
    public static int Run(string[] args)
    {
        int mib = 256;
        int chunk = StreamFormat.DefaultChunkSize;
        int rounds = 5;
        string? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--chunk":
                    chunk = int.Parse(args[++i], CultureInfo.InvariantCulture) << 10;
                    break;
                case "--rounds":
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--only":
                    only = args[++i];
                    break;
                default:
                    mib = int.Parse(args[i], CultureInfo.InvariantCulture);
                    break;
            }
        }

        long bytes = (long)mib << 20;
        byte[] data = new byte[bytes];
        Fill(data);
        byte[] destination = new byte[bytes];
        var header = new MigrationStreamHeader("bench.example/bulk", "", "bench0");
        var envelopeStream = new MemoryStream(checked((int)(bytes + (bytes / chunk + 2) * 64 + 1024)));
        Write(data, envelopeStream, header, chunk);
        byte[] envelope = envelopeStream.ToArray();

        var cases = new (string Name, Action Body)[]
        {
            ("memcpy", () => Memcpy(data, destination, chunk)),
            ("crc", () => Crc(data, chunk)),
            ("write", () => Write(data, envelopeStream, header, chunk)),
            ("read", () => Read(envelope, destination, chunk)),
            ("copyto", () => CopyTo(envelope, destination)),
        };

        if (only is not null)
        {
            if (only == "none")
            {
                return 0;
            }
            Action? body = cases.FirstOrDefault(c => c.Name == only).Body;
            if (body is null)
            {
                Console.Error.WriteLine($"unknown case '{only}'; expected none, {string.Join(", ", cases.Select(c => c.Name))}");
                return 2;
            }
            Console.Error.WriteLine($"crc32 instruction: {System.Runtime.Intrinsics.X86.Sse42.X64.IsSupported || System.Runtime.Intrinsics.Arm.Crc32.Arm64.IsSupported}");
            body();
            return Check(data, destination, only) ? 0 : 1;
        }

        // Warm-up: every case on the whole state, over and over for half a second (twice at least), so every loop
        // runs its fully optimised code when timed. Tiered compilation promotes a method only after 100 ms without new
        // tier-0 code and then 30 calls, in the background; two calls of a 2 MiB case (well under a millisecond) left
        // the CRC loop at tier 0 for the whole timed run (crc 10x memcpy instead of 1.8x).
        foreach ((string _, Action body) in cases)
        {
            var warm = Stopwatch.StartNew();
            for (int n = 0; n < 2 || warm.ElapsedMilliseconds < 500; n++)
            {
                body();
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{mib} MiB in {chunk >> 10} KiB chunks, best of {rounds} rounds, {Environment.ProcessorCount} CPUs, load average {LoadAverage()}"));
        Console.WriteLine("| case | best time | throughput | ratio to memcpy | allocated per GiB |");
        Console.WriteLine("|---|---|---|---|---|");
        TimeSpan baseline = TimeSpan.Zero;
        foreach ((string name, Action body) in cases)
        {
            Array.Clear(destination);
            TimeSpan best = TimeSpan.MaxValue;
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            for (int r = 0; r < rounds; r++)
            {
                var sw = Stopwatch.StartNew();
                body();
                best = TimeSpan.FromTicks(Math.Min(best.Ticks, sw.Elapsed.Ticks));
            }
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            if (!Check(data, destination, name))
            {
                return 1;
            }
            if (name == "memcpy")
            {
                baseline = best;
            }
            double perGiB = allocated / ((double)bytes * rounds / (1L << 30));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {best.TotalMicroseconds:F0} µs | {bytes / best.TotalSeconds / (1L << 30):F2} GiB/s | {best / baseline:F2}x | {perGiB:F0} B |"));
        }
        return 0;
    }

    // The copying cases must leave the data in the destination; the others leave it untouched.
    private static bool Check(byte[] data, byte[] destination, string name)
    {
        // CommonPrefixLength rather than SequenceEqual: under valgrind 3.19 the vectorised SequenceEqual of two
        // equal 40 MiB arrays was seen to return false (a valgrind emulation fault; natively it is true).
        int same = data.AsSpan().CommonPrefixLength(destination);
        if (name is "memcpy" or "read" or "copyto" && same != data.Length)
        {
            Console.Error.WriteLine($"{name}: the destination differs from the data at byte {same} of {data.Length}");
            return false;
        }
        return true;
    }

    private static void Memcpy(byte[] data, byte[] destination, int chunk)
    {
        for (int at = 0; at < data.Length; at += chunk)
        {
            int n = Math.Min(chunk, data.Length - at);
            data.AsSpan(at, n).CopyTo(destination.AsSpan(at, n));
        }
    }

    private static uint Crc(byte[] data, int chunk)
    {
        uint all = 0;
        for (int at = 0; at < data.Length; at += chunk)
        {
            all ^= Crc32C.Compute(data.AsSpan(at, Math.Min(chunk, data.Length - at)));
        }
        return all;
    }

    private static void Write(byte[] data, MemoryStream output, MigrationStreamHeader header, int chunk)
    {
        output.Position = 0;
        output.SetLength(0);
        var writer = new MigrationStreamWriter(output, header, chunk);
        writer.Write(data);
        writer.Complete();
    }

    private static void Read(byte[] envelope, byte[] destination, int chunk)
    {
        using var reader = new MigrationStreamReader(new MemoryStream(envelope, writable: false), _ => { }, chunk);
        int at = 0;
        int n;
        while ((n = reader.Read(destination.AsSpan(at, Math.Min(chunk, destination.Length - at)))) > 0)
        {
            at += n;
        }
    }

    private static void CopyTo(byte[] envelope, byte[] destination)
    {
        using var reader = new MigrationStreamReader(new MemoryStream(envelope, writable: false), _ => { }, StreamFormat.MaxChunkSizeLimit);
        using var sink = new MemoryStream(destination);
        reader.CopyTo(sink);
    }

    // xorshift64 over ulongs: cheap enough that the set-up does not dominate a callgrind run.
    private static void Fill(byte[] data)
    {
        Span<ulong> words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(data.AsSpan());
        ulong x = 0x9E37_79B9_7F4A_7C15ul;
        for (int i = 0; i < words.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            words[i] = x;
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
