using Vfio.Errors;

namespace Vfio.Tests.DeviceModels;

/// <summary>docs/errors.md has a section for every catalogue code, with the heading tools link to.</summary>
public sealed class ErrorDocsTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(Repo.Root, "docs", "errors.md"));

    public static TheoryData<ErrorCode> Codes()
    {
        var data = new TheoryData<ErrorCode>();
        foreach (ErrorCode c in ErrorCatalogue.All)
        {
            data.Add(c);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_code_has_a_section_with_an_example_and_advice(ErrorCode code)
    {
        string heading = $"## {ErrorCatalogue.Id(code)} {ErrorCatalogue.Name(code)}";
        int at = Array.IndexOf(Lines, heading);
        Assert.True(at >= 0, $"docs/errors.md has no section '{heading}'");
        string[] body = Lines.Skip(at + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).ToArray();
        Assert.Contains(body, l => l.StartsWith($"{ErrorCatalogue.Id(code)} {ErrorCatalogue.Name(code)}: ", StringComparison.Ordinal));
        Assert.Contains(body, l => l.StartsWith("What to do: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Sections_are_unique()
    {
        string[] headings = Lines.Where(l => l.StartsWith("## E", StringComparison.Ordinal)).ToArray();
        Assert.Equal(headings.Length, headings.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_section_says_whether_the_code_can_be_forced_as_the_code_decides(ErrorCode code)
    {
        string heading = $"## {ErrorCatalogue.Id(code)} {ErrorCatalogue.Name(code)}";
        string[] body = Lines.Skip(Array.IndexOf(Lines, heading) + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).ToArray();

        string line = Assert.Single(body, l => l.StartsWith("Can be forced: ", StringComparison.Ordinal));

        Assert.Equal(ErrorCatalogue.CanBeForced(code), line.StartsWith("Can be forced: yes", StringComparison.Ordinal));
        Assert.True(line.StartsWith("Can be forced: yes", StringComparison.Ordinal) || line == "Can be forced: no.", line);
    }

    [Fact]
    public void A_model_mismatch_and_a_bad_stream_can_never_be_forced()
    {
        ErrorCode[] never = [ErrorCode.ModelMismatch, ErrorCode.StreamCrc, ErrorCode.StreamTruncated, ErrorCode.StreamMagic, ErrorCode.StreamHeaderMismatch, ErrorCode.DeviceStateMalformed];

        Assert.All(never, c => Assert.False(ErrorCatalogue.CanBeForced(c), ErrorCatalogue.Id(c)));
        Assert.True(ErrorCatalogue.CanBeForced(ErrorCode.ConfigurationMismatch));
        Assert.True(ErrorCatalogue.CanBeForced(ErrorCode.DestinationHasRun));
    }
}
