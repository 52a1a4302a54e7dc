using Vfio.DeviceModels;

namespace Vfio.Tests.DeviceModels;

/// <summary>Generated configurations print to canonical text that parses back to an equal configuration.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public void Generated_configurations_round_trip()
    {
        var random = new Random(20261122);
        for (int m = 0; m < 50; m++)
        {
            ModelDescription model = Generators.Model(random, m);
            for (int i = 0; i < 40; i++)
            {
                DeviceConfiguration c = Generators.Configuration(random, model);
                string text = c.ToString();
                DeviceConfiguration back = DeviceConfiguration.Parse(model, text);
                Assert.Equal(c, back);
                Assert.Equal(c.GetHashCode(), back.GetHashCode());
                Assert.Equal(text, back.ToString());
                // Canonical text never names a parameter at its off value, and is sorted.
                string[] names = text.Length == 0 ? [] : text.Split(',').Select(s => s[..s.IndexOf('=')]).ToArray();
                Assert.Equal(names.Order(StringComparer.Ordinal), names);
                Assert.All(names, n => Assert.False(c.IsOff(n)));
                Assert.Equal(model.Parameters.Count(p => !c.IsOff(p.Name)), names.Length);
            }
        }
    }

    [Fact]
    public void Generated_text_with_versions_and_padding_zeros_parses_to_its_meaning()
    {
        var random = new Random(7);
        for (int m = 0; m < 30; m++)
        {
            ModelDescription model = Generators.Model(random, m);
            for (int i = 0; i < 30; i++)
            {
                // Build text from a version plus overrides, and the expected map independently.
                var expected = model.Parameters.ToDictionary(p => p.Name, p => p.OffValue);
                var items = new List<string>();
                if (model.Versions.Count > 0 && random.Next(2) == 0)
                {
                    ModelVersion v = model.Versions[random.Next(model.Versions.Count)];
                    items.Add("version=" + v.Name);
                    foreach (ModelVersion step in Chain(model, v))
                    {
                        foreach (var kv in step.Assignments)
                        {
                            expected[kv.Key] = model.GetParameter(kv.Key).Normalize(kv.Value);
                        }
                    }
                }
                foreach (ParameterSpec p in model.Parameters.Where(_ => random.Next(3) == 0))
                {
                    string value = Generators.AllowedValue(random, p);
                    expected[p.Name] = value;
                    items.Add(p.Name + "=" + (p.Type == ParameterType.Int ? "00" + value : value));
                }
                items = items.OrderBy(_ => random.Next()).ToList();
                DeviceConfiguration c = DeviceConfiguration.Parse(model, string.Join(',', items));
                Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), c.Values);
            }
        }
    }

    private static IEnumerable<ModelVersion> Chain(ModelDescription model, ModelVersion v)
    {
        var chain = new Stack<ModelVersion>();
        for (ModelVersion? cur = v; cur is not null; cur = cur.BasedOn is null ? null : model.Versions.Single(x => x.Name == cur.BasedOn))
        {
            chain.Push(cur);
        }
        return chain;
    }
}
