namespace Vfio.DeviceModels;

/// <summary>An inclusive range of integer parameter values, written <c>0-64</c> or, for one value, <c>512</c>.</summary>
/// <param name="Min">The smallest value in the range.</param>
/// <param name="Max">The largest value in the range; not smaller than <paramref name="Min"/>.</param>
public readonly record struct IntRange(long Min, long Max)
{
    /// <summary>Whether <paramref name="value"/> lies in the range.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when <c>Min &lt;= value &lt;= Max</c>.</returns>
    public bool Contains(long value) => value >= Min && value <= Max;

    /// <summary>The canonical text: <c>Min-Max</c>, or just the number when the range holds one value.</summary>
    /// <returns>The text form used in allowed-value lists and capability documents.</returns>
    public override string ToString() =>
        Min == Max
            ? Min.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Min}-{Max}");
}
