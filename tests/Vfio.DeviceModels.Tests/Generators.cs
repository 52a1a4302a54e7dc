using System.Globalization;
using Vfio.DeviceModels;

namespace Vfio.Tests.DeviceModels;

/// <summary>Hand-written generators of models and configurations, driven by a seeded <see cref="Random"/>.</summary>
internal static class Generators
{
    public static ModelDescription Model(Random random, int n)
    {
        var b = new ModelDescriptionBuilder($"gen{n}.example.org/dev{random.Next(5)}");
        int count = random.Next(0, 7);
        var specs = new List<ParameterSpec>();
        for (int i = 0; i < count; i++)
        {
            specs.Add(Spec(random, $"p{i}-{(char)('a' + random.Next(26))}"));
        }
        foreach (ParameterSpec s in specs)
        {
            b.Parameter(s);
        }
        int versions = random.Next(0, 4);
        for (int v = 1; v <= versions; v++)
        {
            var assignments = specs.Where(_ => random.Next(3) == 0).Select(s => (s.Name, AllowedValue(random, s))).ToArray();
            b.Version(v.ToString(CultureInfo.InvariantCulture), v > 1 && random.Next(2) == 0 ? (v - 1).ToString(CultureInfo.InvariantCulture) : null, assignments);
        }
        return b.Build();
    }

    public static ParameterSpec Spec(Random random, string name)
    {
        switch (random.Next(3))
        {
            case 0:
                return ParameterSpec.Bool(name, "off", random.Next(2) == 0 ? "on" : "off");
            case 1:
                long a = random.Next(0, 100), len = random.Next(0, 1000);
                string allowed = random.Next(2) == 0 ? $"{a}-{a + len}" : $"{a}-{a + len},{a + len + 10}";
                return ParameterSpec.Int(name, allowed, a.ToString(CultureInfo.InvariantCulture), (a + random.Next(0, (int)len + 1)).ToString(CultureInfo.InvariantCulture));
            default:
                string[] tokens = Enumerable.Range(0, random.Next(1, 5)).Select(i => "t" + i).ToArray();
                return ParameterSpec.Str(name, string.Join(',', tokens), tokens[0], tokens[random.Next(tokens.Length)]);
        }
    }

    public static string AllowedValue(Random random, ParameterSpec p)
    {
        if (p.Type == ParameterType.Int)
        {
            IntRange r = p.AllowedValues.Ranges[random.Next(p.AllowedValues.Ranges.Count)];
            return (r.Min + (long)(random.NextDouble() * (r.Max - r.Min + 1))).ToString(CultureInfo.InvariantCulture);
        }
        return p.AllowedValues.Tokens[random.Next(p.AllowedValues.Tokens.Count)];
    }

    public static DeviceConfiguration Configuration(Random random, ModelDescription model) =>
        DeviceConfiguration.FromValues(model, model.Parameters.Select(p => KeyValuePair.Create(p.Name, AllowedValue(random, p))));
}
