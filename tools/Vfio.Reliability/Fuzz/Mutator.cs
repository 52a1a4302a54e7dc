using System.Buffers.Binary;
using System.Text;

// System.Random is the point here: a seeded, reproducible generator of hostile inputs, not a secret.
#pragma warning disable CA5394

namespace Vfio.Reliability.Fuzz;

/// <summary>The ways an input is damaged; each case applies one to four of them to a seed input.</summary>
internal enum MutationKind
{
    BitFlip,
    ByteSet,
    Truncate,
    ExtendGarbage,
    Splice,
    DuplicateRange,
    DeleteRange,
    HugeLength,
    SwapNumber,
    InsertSpecialChar,
    DeepNesting,
    LongToken,
    SwapAdjacentRange,
    RepeatToken,
}

/// <summary>
/// Mutation of byte inputs, deterministic from the <see cref="Random"/> it is given. Binary formats and text
/// (UTF-8) share the byte mutators; the text mutators (numbers, special characters, nesting, long tokens) work on
/// the bytes too, so a text target still sees invalid UTF-8 now and then.
/// </summary>
internal static class Mutator
{
    /// <summary>Largest input a mutation may produce: big enough for long tokens, small enough to keep cases fast.</summary>
    public const int MaxInputLength = 1 << 20;

    private static readonly MutationKind[] Kinds = Enum.GetValues<MutationKind>();

    // Values that break length and count fields: zero, one-off-the-end, sign bits, the type maxima.
    private static readonly ulong[] HugeValues =
    [
        0xFFFF_FFFF, int.MaxValue, (ulong)int.MaxValue + 1, 1UL << 63, ulong.MaxValue, 0x8000_0000, 0xFFFF, 0x1_0000,
        0, 1, 0x7FFF_FFFF_FFFF_FFFF, 64UL << 20, (64UL << 20) + 1, 1UL << 30,
    ];

    private static readonly string[] SpecialChars =
    [
        "\0", "\n", "\r\n", "\t", " ", ",", "=", "/", "..", "../", "\\", "\"", "'", "{", "}", "[", "]", ":", "-", "\u00e9",
        "\u0130", "\u212a", "\u200b", "\ufeff", "\ufffd", "\ud83d\ude00", "\u202e", "\u0085", "\u2028", "\u001b", "\u007f",
        "%n", "$base", "version", "\u00a0",
    ];

    /// <summary>Builds one case input: a seed picked by <paramref name="random"/>, mutated one to four times.</summary>
    public static byte[] Mutate(Random random, IReadOnlyList<byte[]> seeds)
    {
        byte[] input = seeds[random.Next(seeds.Count)];
        int rounds = 1 + random.Next(4);
        for (int i = 0; i < rounds; i++)
        {
            input = Apply(Kinds[random.Next(Kinds.Length)], random, input, seeds);
        }
        return input.Length > MaxInputLength ? input[..MaxInputLength] : input;
    }

    /// <summary>Applies one mutation; never changes <paramref name="input"/> itself.</summary>
    public static byte[] Apply(MutationKind kind, Random random, byte[] input, IReadOnlyList<byte[]> seeds) => kind switch
    {
        MutationKind.BitFlip => BitFlip(random, input),
        MutationKind.ByteSet => ByteSet(random, input),
        MutationKind.Truncate => input.Length == 0 ? input : input[..random.Next(input.Length)],
        MutationKind.ExtendGarbage => Concat(input, Garbage(random, 1 + random.Next(random.Next(2) == 0 ? 16 : 4096))),
        MutationKind.Splice => Splice(random, input, seeds[random.Next(seeds.Count)]),
        MutationKind.DuplicateRange => DuplicateRange(random, input),
        MutationKind.DeleteRange => DeleteRange(random, input),
        MutationKind.HugeLength => HugeLength(random, input),
        MutationKind.SwapNumber => SwapNumber(random, input),
        MutationKind.InsertSpecialChar => Insert(random, input, Encoding.UTF8.GetBytes(SpecialChars[random.Next(SpecialChars.Length)])),
        MutationKind.DeepNesting => DeepNesting(random, input),
        MutationKind.LongToken => Insert(random, input, LongToken(random)),
        MutationKind.SwapAdjacentRange => SwapRanges(random, input),
        MutationKind.RepeatToken => RepeatToken(random, input),
        _ => input,
    };

    private static byte[] BitFlip(Random random, byte[] input)
    {
        if (input.Length == 0)
        {
            return [(byte)random.Next(256)];
        }
        byte[] copy = (byte[])input.Clone();
        int flips = 1 + random.Next(4);
        for (int i = 0; i < flips; i++)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }
        return copy;
    }

    private static byte[] ByteSet(Random random, byte[] input)
    {
        if (input.Length == 0)
        {
            return [0];
        }
        byte[] copy = (byte[])input.Clone();
        copy[random.Next(copy.Length)] = random.Next(3) switch
        {
            0 => 0x00,
            1 => 0xFF,
            _ => (byte)random.Next(256),
        };
        return copy;
    }

    private static byte[] Garbage(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        byte[] result = new byte[a.Length + b.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        return result;
    }

    private static byte[] Insert(Random random, byte[] input, ReadOnlySpan<byte> insert)
    {
        int at = random.Next(input.Length + 1);
        byte[] result = new byte[input.Length + insert.Length];
        input.AsSpan(0, at).CopyTo(result);
        insert.CopyTo(result.AsSpan(at));
        input.AsSpan(at).CopyTo(result.AsSpan(at + insert.Length));
        return result;
    }

    private static readonly string[] Separators = [",", ", ", "|", "\n", " ", "->"];

    private static byte[] Splice(Random random, byte[] a, byte[] b)
    {
        if (random.Next(4) == 0)
        {
            // Two whole inputs joined: a list where one value was expected.
            return [.. a, .. Encoding.UTF8.GetBytes(Separators[random.Next(Separators.Length)]), .. b];
        }
        int cutA = random.Next(a.Length + 1);
        int cutB = random.Next(b.Length + 1);
        return Concat(a.AsSpan(0, cutA), b.AsSpan(cutB));
    }

    private static (int Start, int Length) Range(Random random, int length, int maxLength)
    {
        int start = random.Next(length);
        return (start, 1 + random.Next(Math.Min(maxLength, length - start)));
    }

    private static byte[] DuplicateRange(Random random, byte[] input)
    {
        if (input.Length == 0)
        {
            return input;
        }
        (int start, int length) = Range(random, input.Length, 4096);
        return Insert(random, input, input.AsSpan(start, length));
    }

    private static byte[] DeleteRange(Random random, byte[] input)
    {
        if (input.Length == 0)
        {
            return input;
        }
        (int start, int length) = Range(random, input.Length, random.Next(2) == 0 ? 16 : 4096);
        return Concat(input.AsSpan(0, start), input.AsSpan(start + length));
    }

    private static byte[] SwapRanges(Random random, byte[] input)
    {
        if (input.Length < 2)
        {
            return input;
        }
        int mid = 1 + random.Next(input.Length - 1);
        (int s1, int l1) = Range(random, mid, 64);
        (int s2, int l2) = Range(random, input.Length - mid, 64);
        s2 += mid;
        return [.. input.AsSpan(0, s1), .. input.AsSpan(s2, l2), .. input.AsSpan(s1 + l1, s2 - s1 - l1), .. input.AsSpan(s1, l1), .. input.AsSpan(s2 + l2)];
    }

    // Writes a huge or boundary value over 1, 2, 4 or 8 bytes at a random offset, little- or big-endian: the
    // length and count fields of the binary formats sit at such offsets. In text, writes the value's digits.
    private static byte[] HugeLength(Random random, byte[] input)
    {
        ulong value = HugeValues[random.Next(HugeValues.Length)];
        if (random.Next(4) == 0)
        {
            return Insert(random, input, Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        int width = 1 << random.Next(4);
        if (input.Length < width)
        {
            return input;
        }
        byte[] copy = (byte[])input.Clone();
        // Aligned offsets hit real fields more often than random ones.
        int at = random.Next(2) == 0 ? random.Next(input.Length - width + 1) : random.Next((input.Length - width) / 4 + 1) * 4;
        Span<byte> field = copy.AsSpan(at, width);
        Span<byte> le = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(le, value);
        le[..width].CopyTo(field);
        if (random.Next(4) == 0)
        {
            field.Reverse();
        }
        return copy;
    }

    // Replaces a run of ASCII digits by another number: 0, -1, a boundary, or very long.
    private static byte[] SwapNumber(Random random, byte[] input)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < input.Length; i++)
        {
            if (char.IsAsciiDigit((char)input[i]))
            {
                int start = i;
                while (i < input.Length && char.IsAsciiDigit((char)input[i]))
                {
                    i++;
                }
                runs.Add((start, i - start));
            }
        }
        string replacement = random.Next(8) switch
        {
            0 => "0",
            1 => "-1",
            2 => "4294967295",
            3 => "2147483648",
            4 => "9223372036854775808",
            5 => "18446744073709551616",
            6 => new string('9', 1 + random.Next(400)),
            _ => random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        byte[] digits = Encoding.ASCII.GetBytes(replacement);
        if (random.Next(8) == 0)
        {
            // A number where a name was expected.
            return digits;
        }
        if (runs.Count == 0)
        {
            return Insert(random, input, digits);
        }
        (int s, int l) = runs[random.Next(runs.Count)];
        return [.. input.AsSpan(0, s), .. digits, .. input.AsSpan(s + l)];
    }

    private static byte[] DeepNesting(Random random, byte[] input)
    {
        int depth = random.Next(2) == 0 ? 64 + random.Next(8) : 1 + random.Next(5000);
        (string open, string close) = random.Next(3) switch
        {
            0 => ("[", "]"),
            1 => ("{\"a\":", "}"),
            _ => ("{\"models\":{\"x.y/z\":", "}}"),
        };
        var sb = new StringBuilder(depth * (open.Length + close.Length));
        for (int i = 0; i < depth; i++)
        {
            sb.Append(open);
        }
        sb.Append(random.Next(2) == 0 ? "1" : "{}");
        if (random.Next(3) != 0)
        {
            for (int i = 0; i < depth; i++)
            {
                sb.Append(close);
            }
        }
        byte[] nest = Encoding.UTF8.GetBytes(sb.ToString());
        return random.Next(2) == 0 ? nest : Insert(random, input, nest);
    }

    private static byte[] LongToken(Random random)
    {
        int length = random.Next(3) switch
        {
            0 => 256 + random.Next(3),
            1 => 65535 + random.Next(3),
            _ => 1 + random.Next(200_000),
        };
        byte[] token = new byte[length];
        token.AsSpan().Fill((byte)"a0-.,=/{[\"x"[random.Next(11)]);
        return token;
    }

    // Repeats a short range many times: the same field, item or parameter over and over.
    private static byte[] RepeatToken(Random random, byte[] input)
    {
        if (input.Length == 0)
        {
            return input;
        }
        (int start, int length) = Range(random, input.Length, 32);
        int times = 2 + random.Next(random.Next(2) == 0 ? 8 : 2000);
        byte[] repeated = new byte[length * times];
        for (int i = 0; i < times; i++)
        {
            input.AsSpan(start, length).CopyTo(repeated.AsSpan(i * length));
        }
        return Insert(random, input, repeated);
    }
}
