namespace Vfio.Tests.Support;

/// <summary>
/// Random small edits of a valid text, for the tests that feed parsers almost-valid input: delete, insert or replace a
/// character from the test's alphabet, or duplicate a slice (which makes repeated properties, keys and items).
/// </summary>
public static class TextMutator
{
    /// <summary>Applies 1 to <paramref name="maxEdits"/> edits to <paramref name="text"/>.</summary>
    /// <param name="random">The test's seeded generator.</param>
    /// <param name="text">The valid text.</param>
    /// <param name="alphabet">Characters an insertion or replacement draws from.</param>
    /// <param name="maxEdits">Most edits, at least 1.</param>
    /// <param name="maxSlice">Longest duplicated slice.</param>
    /// <returns>The edited text.</returns>
    public static string Mutate(Random random, string text, string alphabet, int maxEdits, int maxSlice)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(alphabet);
        var chars = text.ToList();
        int edits = random.Next(1, maxEdits + 1);
        for (int e = 0; e < edits; e++)
        {
            int at = chars.Count == 0 ? 0 : random.Next(chars.Count);
            switch (random.Next(4))
            {
                case 0 when chars.Count > 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, alphabet[random.Next(alphabet.Length)]);
                    break;
                case 2 when chars.Count > 0:
                    chars[at] = alphabet[random.Next(alphabet.Length)];
                    break;
                default:
                    int length = Math.Min(chars.Count - at, random.Next(1, maxSlice));
                    chars.InsertRange(at, chars.GetRange(at, length));
                    break;
            }
        }
        return new string([.. chars]);
    }

    /// <summary>
    /// Feeds <paramref name="rounds"/> edits of randomly chosen <paramref name="originals"/> to <paramref name="read"/>,
    /// which asserts what it checks and says whether the text was read (true) or declined (false).
    /// </summary>
    /// <param name="random">The test's seeded generator.</param>
    /// <param name="originals">Valid texts to edit.</param>
    /// <param name="rounds">How many edited texts.</param>
    /// <param name="mutate">One edit of a text (the test's <see cref="Mutate"/> with its alphabet).</param>
    /// <param name="read">The check; true when the text was read.</param>
    /// <returns>How many were read and how many declined, for the test to assert both sides were exercised.</returns>
    public static (int Read, int Declined) Tally(Random random, IReadOnlyList<string> originals, int rounds, Func<Random, string, string> mutate, Func<string, bool> read)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(originals);
        ArgumentNullException.ThrowIfNull(mutate);
        ArgumentNullException.ThrowIfNull(read);
        int taken = 0;
        for (int i = 0; i < rounds; i++)
        {
            if (read(mutate(random, originals[random.Next(originals.Count)])))
            {
                taken++;
            }
        }
        return (taken, rounds - taken);
    }
}
