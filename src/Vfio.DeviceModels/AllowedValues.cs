using System.Diagnostics.CodeAnalysis;
using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// The values a parameter accepts: for integers a set of ranges (<c>0-255,512</c>), for booleans and strings a
/// list of tokens (<c>off,on</c>, <c>ring,fifo</c>). Immutable. Integer ranges are kept sorted and merged; tokens
/// are kept in the order the vendor declared them (without duplicates), which is the order every table and
/// document prints, while equality, hashing and fingerprints use the canonical form (<see cref="CanonicalText"/>,
/// tokens sorted ordinal), so two sets with the same values compare equal however they were written.
/// </summary>
public sealed class AllowedValues : IEquatable<AllowedValues>
{
    private readonly IntRange[] _ranges;
    private readonly string[] _tokens;
    private readonly string[] _sorted;

    private AllowedValues(ParameterType type, IntRange[] ranges, string[] tokens)
    {
        Type = type;
        _ranges = ranges;
        _tokens = tokens;
        _sorted = [.. tokens.Order(StringComparer.Ordinal)];
        Text = type == ParameterType.Int ? string.Join(',', ranges) : string.Join(',', tokens);
        CanonicalText = type == ParameterType.Int ? Text : string.Join(',', _sorted);
    }

    /// <summary>The parameter type the set belongs to.</summary>
    public ParameterType Type { get; }

    /// <summary>For <see cref="ParameterType.Int"/>: the sorted, merged ranges; empty for other types.</summary>
    public IReadOnlyList<IntRange> Ranges => _ranges;

    /// <summary>For <see cref="ParameterType.Bool"/> and <see cref="ParameterType.Str"/>: the tokens in declared order; empty for integers.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>The text as declared, e.g. <c>0-64,128</c> or <c>ring,fifo</c>: what tables and documents print.</summary>
    public string Text { get; }

    /// <summary>The canonical text (tokens sorted ordinal), e.g. <c>fifo,ring</c>: what equality and fingerprints use.</summary>
    public string CanonicalText { get; }

    /// <summary>Both boolean values, <c>off,on</c>: the usual set for a switch.</summary>
    public static AllowedValues BoolBoth { get; } = new(ParameterType.Bool, [], ["off", "on"]);

    /// <summary>Builds an integer set from ranges; overlapping and adjacent ranges are merged.</summary>
    /// <param name="ranges">At least one range with <c>0 &lt;= Min &lt;= Max</c>.</param>
    /// <returns>The set.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterSpecInvalid"/> when a range is empty, negative or none is given.</exception>
    public static AllowedValues FromRanges(IEnumerable<IntRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        IntRange[] sorted = ranges.OrderBy(r => r.Min).ThenBy(r => r.Max).ToArray();
        if (sorted.Length == 0)
        {
            throw Invalid(ParameterType.Int, string.Empty, "an integer parameter needs at least one allowed range");
        }
        var merged = new List<IntRange>(sorted.Length);
        foreach (IntRange r in sorted)
        {
            if (r.Min < 0 || r.Max < r.Min)
            {
                throw Invalid(ParameterType.Int, r.ToString(), $"range {r.Min}-{r.Max} is empty or negative");
            }
            // Merge when overlapping or adjacent (0-3 and 4-7 are 0-7); the Max check avoids overflow at long.MaxValue.
            if (merged.Count > 0 && (merged[^1].Max == long.MaxValue || r.Min <= merged[^1].Max + 1))
            {
                merged[^1] = merged[^1] with { Max = Math.Max(merged[^1].Max, r.Max) };
            }
            else
            {
                merged.Add(r);
            }
        }
        return new AllowedValues(ParameterType.Int, [.. merged], []);
    }

    /// <summary>Builds a boolean or string set from tokens, keeping their order; later duplicates are dropped.</summary>
    /// <param name="type"><see cref="ParameterType.Bool"/> (tokens <c>on</c>/<c>off</c> only) or <see cref="ParameterType.Str"/>.</param>
    /// <param name="tokens">At least one token without ',', '=' or white space.</param>
    /// <returns>The set.</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterSpecInvalid"/> when a token is not a value of the type or none is given.</exception>
    public static AllowedValues FromTokens(ParameterType type, IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (type == ParameterType.Int)
        {
            return Parse(type, string.Join(',', tokens));
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var declared = new List<string>();
        foreach (string token in tokens)
        {
            if (!ValueSyntax.TryNormalize(type, token, out string? canonical, out string expected))
            {
                throw Invalid(type, token ?? string.Empty, $"'{token}' is not {expected}");
            }
            if (seen.Add(canonical))
            {
                declared.Add(canonical);
            }
        }
        if (declared.Count == 0)
        {
            throw Invalid(type, string.Empty, "at least one allowed value is needed");
        }
        return new AllowedValues(type, [], [.. declared]);
    }

    /// <summary>Parses the text form used in capability documents: <c>0-255,512</c> for integers, <c>a,b</c> otherwise.</summary>
    /// <param name="type">The parameter type.</param>
    /// <param name="text">The comma-separated list.</param>
    /// <returns>The set (tokens in the order written).</returns>
    /// <exception cref="DeviceModelException"><see cref="ErrorCode.ParameterSpecInvalid"/> when the text is empty, has an empty item or an item that is not a value or range of the type.</exception>
    public static AllowedValues Parse(ParameterType type, string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Invalid(type, text ?? string.Empty, "the allowed-values list is empty");
        }
        string[] items = text.Split(',');
        if (items.Any(i => i.Length == 0))
        {
            throw Invalid(type, text, "the allowed-values list has an empty item");
        }
        if (type != ParameterType.Int)
        {
            return FromTokens(type, items);
        }
        var ranges = new List<IntRange>(items.Length);
        foreach (string item in items)
        {
            int dash = item.IndexOf('-', StringComparison.Ordinal);
            string lo = dash < 0 ? item : item[..dash];
            string hi = dash < 0 ? item : item[(dash + 1)..];
            if (!ValueSyntax.TryParseInt(lo, out long min) || !ValueSyntax.TryParseInt(hi, out long max))
            {
                throw Invalid(type, text, $"'{item}' is not a non-negative integer or a range 'min-max'");
            }
            if (max < min)
            {
                throw Invalid(type, text, $"range '{item}' ends before it starts");
            }
            ranges.Add(new IntRange(min, max));
        }
        return FromRanges(ranges);
    }

    /// <summary>Whether a value (in canonical text) is in the set.</summary>
    /// <param name="canonicalValue">The value as normalised for the set's type (see <see cref="ParameterSpec.TryNormalize"/>).</param>
    /// <returns><see langword="true"/> when the value is allowed.</returns>
    public bool Contains(string canonicalValue)
    {
        if (Type == ParameterType.Int)
        {
            if (!ValueSyntax.TryParseInt(canonicalValue, out long n))
            {
                return false;
            }
            // Ranges are sorted and disjoint: binary search for the last range starting at or before n.
            int lo = 0, hi = _ranges.Length - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                if (_ranges[mid].Min <= n)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            return hi >= 0 && _ranges[hi].Contains(n);
        }
        return Array.BinarySearch(_sorted, canonicalValue, StringComparer.Ordinal) >= 0;
    }

    /// <summary>Whether every value of this set is also in <paramref name="other"/> (same type required).</summary>
    /// <param name="other">The other set.</param>
    /// <returns><see langword="true"/> when this set is a subset of the other; <see langword="false"/> when the types differ.</returns>
    public bool IsSubsetOf(AllowedValues other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Type != other.Type)
        {
            return false;
        }
        if (Type != ParameterType.Int)
        {
            return _tokens.All(other.Contains);
        }
        // The other's ranges are merged, so a contiguous range of ours is covered only by one of theirs.
        return _ranges.All(r => other._ranges.Any(o => o.Min <= r.Min && r.Max <= o.Max));
    }

    /// <inheritdoc/>
    public bool Equals([NotNullWhen(true)] AllowedValues? other) =>
        other is not null && Type == other.Type && string.Equals(CanonicalText, other.CanonicalText, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AllowedValues);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, StringComparer.Ordinal.GetHashCode(CanonicalText));

    /// <summary>The text as declared, e.g. <c>0-64,128</c>.</summary>
    /// <returns><see cref="Text"/>.</returns>
    public override string ToString() => Text;

    private static DeviceModelException Invalid(ParameterType type, string text, string why) =>
        ModelErrors.AllowedValuesInvalid(type, text, why);

}
