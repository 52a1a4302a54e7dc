namespace Vfio.Devices;

/// <summary>
/// Strict parsing of <see cref="MigrationState"/> names as files and documents carry them (<c>Running</c>,
/// <c>StopCopy</c>). Unlike <see cref="Enum.TryParse{TEnum}(string?, out TEnum)"/>, a number (<c>3</c>), a
/// comma-separated list of names (<c>Stop, Running</c>, which Enum.TryParse ORs into <c>StopCopy</c>) or surrounding
/// white space is not a state.
/// </summary>
public static class MigrationStateNames
{
    private static readonly (string Name, MigrationState State)[] Names =
        [.. Enum.GetValues<MigrationState>().Select(s => (s.ToString(), s))];

    /// <summary>Parses exactly one state name.</summary>
    /// <param name="text">The text, e.g. <c>StopCopy</c>.</param>
    /// <param name="ignoreCase">Whether <c>STOPCOPY</c> and <c>stopcopy</c> are accepted too.</param>
    /// <param name="state">The state when the text is a name.</param>
    /// <returns>True when <paramref name="text"/> is the name of a state.</returns>
    public static bool TryParse(string? text, bool ignoreCase, out MigrationState state)
    {
        StringComparison comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach ((string name, MigrationState value) in Names)
        {
            if (string.Equals(name, text, comparison))
            {
                state = value;
                return true;
            }
        }
        state = default;
        return false;
    }

    /// <summary>Parses exactly one state name, case-sensitively.</summary>
    /// <param name="text">The text, e.g. <c>StopCopy</c>.</param>
    /// <param name="state">The state when the text is a name.</param>
    /// <returns>True when <paramref name="text"/> is the name of a state.</returns>
    public static bool TryParse(string? text, out MigrationState state) => TryParse(text, ignoreCase: false, out state);
}
