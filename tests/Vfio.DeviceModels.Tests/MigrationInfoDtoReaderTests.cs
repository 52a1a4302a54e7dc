using System.Text.Json;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels;

/// <summary>
/// <see cref="MigrationInfoDtoReader"/> (the serializer-free read of a migration info document) against the
/// source-generated serializer: what it reads, the serializer reads alike; what the serializer refuses, it declines
/// (and <see cref="MigrationInfo.Parse"/> then reports the serializer's error, as before).
/// </summary>
public sealed class MigrationInfoDtoReaderTests
{
    private const string Alphabet = "{}[],:\"\\ nul0123$abeu\u00e9\t";

    private static readonly string[] Written =
    [
        new MigrationInfo([TestNicModels.NicV3]).ToJson(),
        new MigrationInfo([TestNicModels.NicV3, SampleModels.Mixed]).ToJson(),
        new MigrationInfo([]).ToJson(),
        """
        {"models": {"vendor-a.com/my-nic": {
            "params": {"rx-filter-size": {"type": "int", "allowed_values": "0-64",
                                          "off_value": "0", "init_value": "32", "description": "filter entries"}},
            "versions": {"1": {}, "2": {"rx-filter-size": "32"}}, "latest": "2"}}}
        """,
        """{"models":{"a.b/c":{"params":{"x":{"type":"bool","off_value":"off","init_value":"on","since":"2"}},"versions":{"1":{"$base":"0","x":"on"}},"latest":"1"}}}""",
    ];

    [Fact]
    public void Written_documents_are_read_without_the_serializer_and_alike()
    {
        foreach (string json in Written)
        {
            Assert.True(MigrationInfoDtoReader.TryRead(json, out MigrationInfoDto? read), json);
            Assert.Equal(Serialized(Deserialize(json)), Serialized(read));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{} {}")]
    [InlineData("{},")]
    [InlineData("{\"models\": {}, }")]
    [InlineData("{\"models\": {} /* c */}")]
    [InlineData("{\"models\": {}, \"models\": {}}")]
    [InlineData("{\"models\": {\"a\": null, \"a\": null}}")]
    [InlineData("{\"models\": {\"a\": {\"latest\": \"1\", \"latest\": \"2\"}}}")]
    [InlineData("{\"models\": {\"a\": {\"params\": {\"p\": {\"type\": \"int\", \"type\": \"int\"}}}}}")]
    [InlineData("{\"models\": {\"a\": {\"versions\": {\"1\": {\"x\": \"1\", \"x\": \"2\"}}}}}")]
    [InlineData("{\"models\": {\"a\": {\"versions\": {\"1\": {\"x\": null}}}}}")]
    [InlineData("{\"models\": {\"a\": {\"versions\": {\"1\": {\"x\": 1}}}}}")]
    [InlineData("{\"models\": {\"a\": {\"latest\": 2}}}")]
    [InlineData("{\"models\": {\"a\": {\"Latest\": \"2\"}}}")]
    [InlineData("{\"models\": {\"a\": {\"extra\": [1, {\"b\": 2}]}}}")]
    [InlineData("{\"Models\": {}}")]
    [InlineData("{\"models\": []}")]
    [InlineData("{\"models\": \"x\"}")]
    [InlineData("{\"$id\": \"1\", \"models\": {}}")]
    [InlineData("{\"models\": {\"$id\": null, \"$ref\": null, \"$type\": null, \"$values\": null}}")]
    [InlineData("{\"models\": {\"a\": {\"params\": {\"$type\": {\"type\": \"int\"}}}}}")]
    [InlineData("{\"mod\\u0065ls\": {\"\\u0061\": {\"l\\u0061test\": \"\\u00e9\"}}}")]
    [InlineData("\ufeff{\"models\": {}}")]
    [InlineData("  {\"models\": null}  \n")]
    [InlineData("{\"models\": {\"a\": {\"params\": null, \"versions\": null, \"latest\": null}}}")]
    [InlineData("{\"models\": {\"a\": {\"params\": {\"p\": null}, \"versions\": {\"1\": null}}}}")]
    [InlineData("{\"models\": {\"a\": {\"params\": {\"p\": {\"type\": null, \"since\": \"1\", \"description\": \"\"}}}}}")]
    [InlineData("{\"models\": {\"\\ud800\": null}}")]
    public void Edge_cases_are_read_alike_or_declined(string json) => AssertAlikeOrDeclined(json);

    [Fact]
    public void Text_that_is_not_valid_UTF_16_is_declined()
    {
        // A lone surrogate: the serializer's transcoding refuses it, and so must the reader.
        string json = "{\"models\": {\"" + '\ud800' + "\": null}}";
        Assert.False(MigrationInfoDtoReader.TryRead(json, out _));
        Assert.ThrowsAny<ArgumentException>(() => Deserialize(json));
    }

    [Fact]
    public void Mutated_documents_are_read_alike_or_declined()
    {
        (int read, int declined) = TextMutator.Tally(new Random(17), Written, 4000, Mutate, AssertAlikeOrDeclined);
        // Both sides are exercised: mutations that keep the shape (in a string, in white space) and ones that break it.
        Assert.InRange(read, 100, 3900);
        Assert.InRange(declined, 100, 3900);
    }

    [Fact]
    public void Parse_reports_the_serializers_error_for_a_document_it_declines()
    {
        // A repeated key: declined by the reader, refused by the serializer (duplicates are not allowed) with its path.
        const string json = "{\"models\": {\"a.b/c\": null, \"a.b/c\": null}}";
        Assert.False(MigrationInfoDtoReader.TryRead(json, out _));
        JsonException serializer = Assert.ThrowsAny<JsonException>(() => Deserialize(json));
        DeviceModelException e = Assert.Throws<DeviceModelException>(() => MigrationInfo.Parse(json));
        Assert.Contains(serializer.Message, e.Message, StringComparison.Ordinal);
    }

    /// <summary>True when the reader read it (and the serializer read the same); false when it declined.</summary>
    private static bool AssertAlikeOrDeclined(string json)
    {
        if (!MigrationInfoDtoReader.TryRead(json, out MigrationInfoDto? read))
        {
            return false;
        }
        // What the reader takes, the serializer takes, with the same result.
        Assert.Equal(Serialized(Deserialize(json)), Serialized(read));
        return true;
    }

    private static MigrationInfoDto? Deserialize(string json) => JsonSerializer.Deserialize(json, DocumentJsonContext.Default.MigrationInfoDto);

    private static string Serialized(MigrationInfoDto? dto) =>
        dto is null ? "(null)" : JsonSerializer.Serialize(dto, DocumentJsonContext.Default.MigrationInfoDto);

    private static string Mutate(Random random, string s) => TextMutator.Mutate(random, s, Alphabet, maxEdits: 2, maxSlice: 40);
}
