using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.Errors;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels;

/// <summary>Bad input of any shape ends in a <see cref="DeviceModelException"/> with a catalogue code, never another exception.</summary>
public sealed class FuzzTests
{
    private const string Alphabet = "abcdefrsvx0123456789-=,/ .:\t_Ö\"{}[]";

    [Fact]
    public void Random_configuration_text_parses_or_is_refused_with_a_code()
    {
        var random = new Random(11);
        var codes = new HashSet<ErrorCode>();
        for (int i = 0; i < 20000; i++)
        {
            string text = Mutate(random, random.Next(2) == 0 ? "version=2,rx-filter-size=64,rss=on" : RandomText(random, 24));
            if (DeviceConfiguration.TryParse(TestNicModels.NicV3, text, out DeviceConfiguration? c, out DeviceModelException? e))
            {
                Assert.Equal(c, DeviceConfiguration.Parse(TestNicModels.NicV3, c.ToString()));
            }
            else
            {
                codes.Add(e.Code);
                Assert.InRange((int)e.Code, 2004, 2008);
            }
        }
        // The mutations reach every configuration refusal.
        Assert.Superset(new HashSet<ErrorCode> { ErrorCode.ConfigurationMalformed, ErrorCode.ParameterUnknown, ErrorCode.ParameterDuplicate, ErrorCode.ValueNotAllowed, ErrorCode.VersionUnknown }, codes);
    }

    [Fact]
    public void Random_model_ids_and_allowed_values_are_refused_with_their_code()
    {
        var random = new Random(12);
        for (int i = 0; i < 20000; i++)
        {
            string id = Mutate(random, "vendor-a.com/my-nic");
            if (!DeviceModelId.TryParse(id, out DeviceModelId parsed))
            {
                Assert.Equal(ErrorCode.ModelIdInvalid, Assert.Throws<DeviceModelException>(() => DeviceModelId.Parse(id)).Code);
            }
            else
            {
                Assert.Equal(id, parsed.ToString());
            }
            string ranges = Mutate(random, "0-255,512");
            try
            {
                AllowedValues a = AllowedValues.Parse(ParameterType.Int, ranges);
                Assert.Equal(a, AllowedValues.Parse(ParameterType.Int, a.Text));
            }
            catch (DeviceModelException e)
            {
                Assert.Equal(ErrorCode.ParameterSpecInvalid, e.Code);
            }
        }
    }

    [Fact]
    public void Mutated_documents_read_or_are_refused_as_invalid_documents()
    {
        var random = new Random(13);
        string json = new HostCapabilities("h", [new ParentCapabilities("p", [new TypeCapabilities("t", new MigrationInfo([TestNicModels.NicV3, SampleModels.Mixed]), 2)])]).ToJson();
        for (int i = 0; i < 3000; i++)
        {
            string mutated = Mutate(random, json);
            try
            {
                HostCapabilities h = HostCapabilities.Parse(mutated);
                Assert.NotNull(h.Host);
            }
            catch (DeviceModelException e)
            {
                Assert.Equal(ErrorCode.DocumentInvalid, e.Code);
            }
        }
    }

    private static string RandomText(Random random, int max) =>
        new(Enumerable.Range(0, random.Next(max)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());

    private static string Mutate(Random random, string s) => TextMutator.Mutate(random, s, Alphabet, maxEdits: 3, maxSlice: 20);
}
