using System.CommandLine;
using System.CommandLine.Parsing;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;

namespace Vfio.Ctl.Cli;

/// <summary>
/// Factories for the options several verbs share, spelled as mdevctl spells them. Names are parsed by the
/// command line parser itself, so a malformed UUID is a usage error (exit 64) before any service starts.
/// </summary>
internal static class CommonOptions
{
    public static Option<MdevUuid?> Uuid(string description)
    {
        Option<MdevUuid?> option = new("--uuid", "-u") { Description = description, HelpName = "uuid", CustomParser = ParseUuid };
        option.CompletionSources.Add(DeviceCompletion.Complete);
        return option;
    }

    public static Argument<MdevUuid> UuidArgument(string name, string description)
    {
        Argument<MdevUuid> argument = new(name) { Description = description, CustomParser = r => ParseUuid(r) ?? default };
        argument.CompletionSources.Add(DeviceCompletion.Complete);
        return argument;
    }

    public static Option<ParentDeviceName?> Parent(string description) => new("--parent", "-p")
    {
        Description = description,
        HelpName = "parent",
        CustomParser = r => Parse<ParentDeviceName>(r, ParentDeviceName.TryParse, "a parent device name such as 0000:00:03.0"),
    };

    public static Option<MdevTypeName?> Type(string description) => new("--type", "-t")
    {
        Description = description,
        HelpName = "type",
        CustomParser = r => Parse<MdevTypeName>(r, MdevTypeName.TryParse, "an mdev type name such as mtty-2"),
    };

    /// <summary><c>--json</c> on a read verb: one JSON document on stdout instead of the table (schemas in docs/schemas).</summary>
    public static Option<bool> Json(string what) => new("--json") { Description = $"Print {what} as one JSON document instead of the table" };

    /// <summary><c>--json</c> on migrate, save and load: progress and the outcome as JSON lines on stderr.</summary>
    public static Option<bool> JsonProgress() => new("--json")
    {
        Description = "Report progress and the outcome on stderr as JSON lines, one object per event ({\"event\":\"progress\"|\"outcome\",...})",
    };

    public static Option<bool> DumpJson() => new("--dumpjson", "--json") { Description = "Print JSON (the format mdevctl prints) instead of a table; --json is the same, as on the other read verbs" };

    public static Option<string?> Config() => new("--config", "-c")
    {
        Description = "Pinned migration configuration, e.g. \"version=2,rss=on\" (parameters not named take their off value)",
    };

    public static Option<bool> Auto() => new("--auto", "-a") { Description = "Start the device automatically at boot (mdevctl's start=auto)" };

    public static MdevUuid? ParseUuidValue(ArgumentResult r) => ParseUuid(r);

    private static MdevUuid? ParseUuid(ArgumentResult r) => Parse<MdevUuid>(r, MdevUuid.TryParse, "a UUID such as 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");

    private delegate bool TryParser<T>(string? text, out T value);

    private static T? Parse<T>(ArgumentResult result, TryParser<T> tryParse, string expected) where T : struct
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (tryParse(text, out T value))
        {
            return value;
        }
        result.AddError($"'{text}' is not {expected}.");
        return null;
    }

    /// <summary><c>--force</c> of the checked verbs (migrate, load, start --like): what it overrides is in the description;
    /// which codes can be forced at all is <see cref="Vfio.Errors.ErrorCatalogue.Forceable"/>.</summary>
    public static Option<bool> Force(string description) => new("--force") { Description = description };

    /// <summary>Prints one loud line per refusal a forced verb proceeded past (the manager logs and records them too).</summary>
    public static void WarnForced(TextWriter error, IEnumerable<ForcedProblem> overridden)
    {
        foreach (ForcedProblem problem in overridden)
        {
            error.WriteLine($"warning: {Output.TerminalText.Line(problem.ToString())}");
        }
    }
}
