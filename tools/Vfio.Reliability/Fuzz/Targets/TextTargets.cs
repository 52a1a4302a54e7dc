using System.Text;
using Vfio.Errors;
using Vfio.Manager.Definitions;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.DeviceModels;
using Vfio.Samples.Nic;
using Vfio.Samples.Serial;

namespace Vfio.Reliability.Fuzz.Targets;

/// <summary>Configuration text, model ids, value syntax, sysfs attribute files and names.</summary>
internal static class TextTargets
{
    private static readonly ModelDescription[] Models = [NicModel.Current, NicModel.Old, SerialModel.DualPort];

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new FuzzTarget("configuration-text",
            "DeviceConfiguration.Parse against the sample models (versions as aliases, overrides); a parsed configuration must reparse equal",
            () => SeedCorpus.Utf8("version=3", "version=2,rx-filter-size=64", "rss=on,rx-filter-size=7", "", "version=1", "ports=2", "rx-filter-size=0032"),
            ParseConfiguration);
        yield return new FuzzTarget("foreign-configuration",
            "ForeignConfiguration.Parse (a configuration of a model this host does not describe) and the compatibility check of it",
            () => SeedCorpus.Utf8("rss=on,rx-filter-size=32", "rx-filter-size=64", "", "ports=2", "a=b,c=d-e"),
            ParseForeign);
        yield return new FuzzTarget("model-id",
            "DeviceModelId.Parse, with the suggestion it offers for near misses",
            () => SeedCorpus.Utf8(NicModel.Id, SerialModel.Id, "HTTPS://Vendor-A.com/my-nic/", "a.b/c/d.e_f"),
            input => _ = DeviceModelId.Parse(Text(input)));
        yield return new FuzzTarget("value-syntax",
            "AllowedValues.Parse, ParameterSpec and ModelVersion: 'type|allowed|off|init|version' lines as a manifest carries them",
            () => SeedCorpus.Utf8("int|0-64|0|32|2", "bool|off,on|off|on|3", "str|fast,slow|slow|fast|1.0-rc", "int|0-3,4-7,512|0|512|9", "int|9223372036854775807|9223372036854775807|9223372036854775807|x"),
            ParseValueSyntax);
        yield return new FuzzTarget("sysfs-attribute",
            "SysfsAttributes.ParseLine and ParseInt (available_instances, name, migration/<param> files)",
            () => SeedCorpus.Utf8("4\n", "0\n", "vfio-pci\n", "on\n", "2147483647\n", "mtty-2\n"),
            ParseAttribute);
        yield return new FuzzTarget("names",
            "MdevUuid, ParentDeviceName, MdevTypeName, AttributeName and definition attribute paths (every name that becomes a path)",
            () => SeedCorpus.Utf8("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", "0000:00:03.0", "mtty-2", "i915-GVTg_V5_4", "rx-filter-size", "migration/rss", "mtty"),
            ParseNames);
    }

    /// <summary>Input bytes as text (invalid UTF-8 becomes U+FFFD, as a reader of a file would see it).</summary>
    public static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    private static void ParseConfiguration(byte[] input)
    {
        string text = Text(input);
        ModelDescription model = Models[input.Length % Models.Length];
        DeviceConfiguration config = DeviceConfiguration.Parse(model, text, "fuzz");
        // The canonical text is a configuration too, and the same one.
        DeviceConfiguration again = DeviceConfiguration.Parse(model, config.ToString());
        if (!again.Equals(config) || again.ToString() != config.ToString())
        {
            throw new InvalidOperationException($"'{text}' parsed to '{config}', which reparses to '{again}'");
        }
        _ = config.ToForeign("fuzz");
    }

    private static void ParseForeign(byte[] input)
    {
        string text = Text(input);
        ModelDescription model = Models[input.Length % Models.Length];
        ForeignConfiguration foreign = ForeignConfiguration.Parse(model.Id, text, "fuzz");
        _ = CompatibilityChecker.Check(foreign.Model, foreign.Values, "fuzz-src", model);
    }

    private static void ParseValueSyntax(byte[] input)
    {
        string[] parts = Text(input).Split('|');
        if (parts.Length != 5)
        {
            throw new VfioException(ErrorCode.ParameterSpecInvalid, "not five fields");
        }
        ParameterType type = parts[0] switch
        {
            "bool" => ParameterType.Bool,
            "int" => ParameterType.Int,
            _ => ParameterType.Str,
        };
        AllowedValues allowed = AllowedValues.Parse(type, parts[1]);
        // Round trip: the canonical text of the allowed values parses to the same set.
        if (!AllowedValues.Parse(type, allowed.Text).Equals(allowed))
        {
            throw new InvalidOperationException($"allowed values '{parts[1]}' print as '{allowed.Text}', which parses differently");
        }
        var spec = new ParameterSpec("p", type, allowed, parts[2], parts[3], "fuzz", null);
        _ = allowed.Contains(spec.InitValue) && allowed.IsSubsetOf(allowed);
        var model = new ModelDescription(DeviceModelId.Parse("fuzz.example/m"), [spec],
            [new ModelVersion("1"), new ModelVersion(parts[4], new Dictionary<string, string> { ["p"] = parts[3] }, "1")], parts[4]);
        _ = DeviceConfiguration.Parse(model, "version=" + parts[4]);
    }

    private static void ParseAttribute(byte[] input)
    {
        string text = Text(input);
        var path = new SysfsPath("/sys", "bus/mdev/devices/x/migration/rss");
        if (input.Length % 2 == 0)
        {
            _ = SysfsAttributes.ParseInt(path, text);
        }
        else
        {
            _ = SysfsAttributes.ParseLine(path, text);
        }
    }

    // Every name parser sees every input: TryParse and Parse must agree and an accepted name must print as given.
    private static void ParseNames(byte[] input)
    {
        string text = Text(input);
        bool any = false;
        if (MdevUuid.TryParse(text, out MdevUuid uuid))
        {
            any = true;
            Agree(text, uuid.ToString(), MdevUuid.Parse(text).ToString());
        }
        if (ParentDeviceName.TryParse(text, out ParentDeviceName parent))
        {
            any = true;
            Agree(text, parent.ToString(), ParentDeviceName.Parse(text).ToString());
        }
        if (MdevTypeName.TryParse(text, out MdevTypeName type))
        {
            any = true;
            Agree(text, type.ToString(), MdevTypeName.Parse(text).ToString());
        }
        if (AttributeName.TryParse(text, out AttributeName attribute))
        {
            any = true;
            Agree(text, attribute.ToString(), AttributeName.Parse(text).ToString());
        }
        DefinitionAttributes.RequireSafePath("fuzz.json", 0, text);
        if (!any)
        {
            // Refused by every TryParse: Parse must refuse with the catalogue error, not anything else.
            _ = (input.Length % 4) switch
            {
                0 => MdevUuid.Parse(text).ToString(),
                1 => ParentDeviceName.Parse(text).ToString(),
                2 => MdevTypeName.Parse(text).ToString(),
                _ => AttributeName.Parse(text).ToString(),
            };
            throw new InvalidOperationException($"{NameRulesQuote(text)} was refused by TryParse but accepted by Parse");
        }
    }

    private static void Agree(string text, string parsed, string viaParse)
    {
        if (parsed != text || viaParse != text)
        {
            throw new InvalidOperationException($"name {NameRulesQuote(text)} parsed to '{parsed}' / '{viaParse}'");
        }
    }

    private static string NameRulesQuote(string text) => NameRules.Quote(text.Length > 80 ? text[..80] : text);
}
