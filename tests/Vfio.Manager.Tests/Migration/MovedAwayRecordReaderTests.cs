using System.Text.Json;
using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager.Migration;

/// <summary>
/// <see cref="MovedAwayRecordReader"/> (the serializer-free read of a moved-away record) against the source-generated
/// serializer: what it reads, the serializer reads alike; what the serializer refuses, it declines (and
/// <see cref="MigrationJournal.FindMoved"/> then reports the serializer's error, as before).
/// </summary>
public sealed class MovedAwayRecordReaderTests : IDisposable
{
    private const string Alphabet = "{}[],:\"\\ nul0123-+.:TZabdeu\u00e9\t";

    private static readonly string[] Written =
    [
        Serialized(MovedAwayRecord.Now(MovedAwayRecord.DestinationRunning, "migrate", "b0000000-0000-4000-8000-000000000001", "/srv/host-b")),
        Serialized(MovedAwayRecord.Now(MovedAwayRecord.StreamSent, "save", null, null)),
        Serialized(new MovedAwayRecord { Kind = MovedAwayRecord.Retired, Operation = "abort", When = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2)), ProcessId = int.MaxValue }),
        """{"kind":"stream-sent","operation":"save","destination":null,"destination_root":null,"when":"2026-12-07T17:00:00Z","pid":-1}""",
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("vfio-moved-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Written_records_are_read_without_the_serializer_and_alike()
    {
        foreach (string json in Written)
        {
            Assert.True(MovedAwayRecordReader.TryRead(json, out MovedAwayRecord? read), json);
            Assert.Equal(Serialized(Deserialize(json)), Serialized(read));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"pid\": 1}")]
    [InlineData("{\"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1}")]
    [InlineData("{\"kind\": null, \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1}")]
    [InlineData("{\"kind\": \"k\", \"kind\": \"j\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1, \"pid\": 2}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1, \"extra\": [1]}")]
    [InlineData("{\"Kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"yesterday\", \"pid\": 1}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01\", \"pid\": 1}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00.1234567+05:30\", \"pid\": 1}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": 5, \"pid\": 1}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1.5}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1e3}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 2147483648}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": \"1\"}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1,}")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1} x")]
    [InlineData("{\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1} // c")]
    [InlineData("{\"k\\u0069nd\": \"\\u00e9\", \"operation\": \"o\", \"destination\": 1, \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1}")]
    [InlineData("{\"k\\u0069nd\": \"\\u00e9\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1}")]
    [InlineData("{\"kind\": \"\\ud800\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1}")]
    [InlineData("\ufeff {\"kind\": \"k\", \"operation\": \"o\", \"when\": \"2026-01-01T00:00:00Z\", \"pid\": 1}\n")]
    public void Edge_cases_are_read_alike_or_declined(string json) => AssertAlikeOrDeclined(json);

    [Fact]
    public void Mutated_records_are_read_alike_or_declined()
    {
        (int read, int declined) = TextMutator.Tally(new Random(19), Written, 4000, Mutate, AssertAlikeOrDeclined);
        // Both sides are exercised: mutations that keep the shape (in a string, in white space) and ones that break it.
        Assert.InRange(read, 100, 3900);
        Assert.InRange(declined, 100, 3900);
    }

    [Fact]
    public void FindMoved_reads_a_written_record_and_reports_the_serializers_error_for_one_it_declines()
    {
        var journal = new MigrationJournal(_root);
        var device = MdevUuid.Parse("a0000000-0000-4000-8000-000000000001");
        MovedAwayRecord record = MovedAwayRecord.Now(MovedAwayRecord.DestinationRunning, "migrate", "b0000000-0000-4000-8000-000000000001", null);
        journal.MarkMoved(device, record);
        Assert.Equal(Serialized(record), Serialized(journal.FindMoved(device)));

        // A repeated property that the serializer takes (the last one wins) but the reader declines.
        string path = Path.Join(_root, "var/lib/vfio-migrate/moved", device + ".json");
        File.WriteAllText(path, """{"kind":"retired","kind":"stream-sent","operation":"save","when":"2026-12-07T17:00:00Z","pid":7}""");
        Assert.Equal(MovedAwayRecord.StreamSent, journal.FindMoved(device)!.Kind);

        // Not JSON: the serializer's error, as the message's cause.
        const string broken = """{"kind":"retired",""";
        File.WriteAllText(path, broken);
        JsonException serializer = Assert.ThrowsAny<JsonException>(() => Deserialize(broken));
        VfioException e = Assert.Throws<VfioException>(() => journal.FindMoved(device));
        Assert.Equal(ErrorCode.StateMovedAway, e.Code);
        Assert.Contains($"({serializer.Message})", e.Message, StringComparison.Ordinal);
    }

    /// <summary>True when the reader read it (and the serializer read the same); false when it declined.</summary>
    private static bool AssertAlikeOrDeclined(string json)
    {
        if (!MovedAwayRecordReader.TryRead(json, out MovedAwayRecord? read))
        {
            return false;
        }
        // What the reader takes, the serializer takes, with the same result.
        Assert.Equal(Serialized(Deserialize(json)), Serialized(read));
        return true;
    }

    private static MovedAwayRecord? Deserialize(string json) => JsonSerializer.Deserialize(json, MigrationJournalJsonContext.Default.MovedAwayRecord);

    private static string Serialized(MovedAwayRecord? record) =>
        record is null ? "(null)" : JsonSerializer.Serialize(record, MigrationJournalJsonContext.Default.MovedAwayRecord);

    private static string Mutate(Random random, string s) => TextMutator.Mutate(random, s, Alphabet, maxEdits: 2, maxSlice: 40);
}
