using Vfio.Errors;
using Vfio.Manager.Definitions;
using Vfio.Manager.Names;

namespace Vfio.Tests.Manager;

/// <summary>
/// One unreadable definition is that device's problem only, and a UUID is one device however its letters are cased
/// (RFC 4122): the store lists, finds, refuses a second definition of and rewrites an upper-case file name as its
/// canonical lower-case UUID.
/// </summary>
public sealed class DefinitionSpellingTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Good = "c0000000-0000-4000-8000-000000000001";
    private const string Bad = "c0000000-0000-4000-8000-000000000002";
    private const string Upper = "C0000000-0000-4000-8000-00000000000A";
    private const string Json = "{\n  \"mdev_type\": \"mynic-4q\",\n  \"start\": \"manual\",\n  \"attrs\": []\n}\n";
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private DefinitionStore Store => new(_tree.PathOf("etc/mdevctl.d"));

    private static MdevDefinition Definition(string uuid, string type = "mynic-4q") =>
        new(MdevUuid.Parse(uuid), ParentDeviceName.Parse(Parent), MdevTypeName.Parse(type), false, []);

    [Fact]
    public void A_malformed_definition_is_reported_and_the_others_are_still_listed()
    {
        _tree.File($"etc/mdevctl.d/{Parent}/{Good}", Json).File($"etc/mdevctl.d/{Parent}/{Bad}", "{ not json");
        var skipped = new List<VfioException>();

        IReadOnlyList<MdevDefinition> listed = Store.List(skipped);

        Assert.Equal([Good], listed.Select(d => d.Uuid.ToString()));
        VfioException bad = Assert.Single(skipped);
        Assert.Equal(ErrorCode.DefinitionInvalid, bad.Code);
        Assert.Equal(Bad, bad.Device);
        // Without a place to report it, the strict listing still names it.
        Assert.Equal(ErrorCode.DefinitionInvalid, Assert.Throws<VfioException>(() => Store.List()).Code);
    }

    [Fact]
    public void Finding_a_good_definition_does_not_read_another_devices_malformed_file()
    {
        _tree.File($"etc/mdevctl.d/{Parent}/{Good}", Json).File($"etc/mdevctl.d/{Parent}/{Bad}", "{ not json");

        Assert.Equal(Good, Store.Require(MdevUuid.Parse(Good)).Uuid.ToString());
        Assert.Equal(ErrorCode.DefinitionInvalid, Assert.Throws<VfioException>(() => Store.Find(MdevUuid.Parse(Bad))).Code);
    }

    [Fact]
    public void Defining_another_device_beside_a_malformed_file_succeeds()
    {
        _tree.File($"etc/mdevctl.d/{Parent}/{Bad}", "{ not json");

        Store.Define(Definition(Good));

        Assert.True(File.Exists(_tree.PathOf($"etc/mdevctl.d/{Parent}/{Good}")));
    }

    [Fact]
    public void An_upper_case_file_name_is_listed_and_found_under_the_canonical_uuid()
    {
        _tree.File($"etc/mdevctl.d/{Parent}/{Upper}", Json);

        MdevDefinition listed = Assert.Single(Store.List());
        Assert.Equal(Upper.ToLowerInvariant(), listed.Uuid.ToString());
        Assert.NotNull(Store.Find(MdevUuid.Parse(Upper.ToLowerInvariant())));
    }

    [Fact]
    public void Defining_the_lower_case_uuid_of_an_upper_case_file_is_definition_exists_and_writes_no_second_file()
    {
        _tree.File($"etc/mdevctl.d/{Parent}/{Upper}", Json);

        VfioException e = Assert.Throws<VfioException>(() => Store.Define(Definition(Upper.ToLowerInvariant())));

        Assert.Equal(ErrorCode.DefinitionExists, e.Code);
        Assert.Equal([Upper], Directory.GetFiles(_tree.PathOf($"etc/mdevctl.d/{Parent}")).Select(Path.GetFileName));
    }

    [Fact]
    public void Modifying_an_upper_case_file_rewrites_it_under_the_canonical_name_only()
    {
        _tree.File($"etc/mdevctl.d/{Parent}/{Upper}", Json);

        Store.Modify(Definition(Upper.ToLowerInvariant(), "mynic-8q"));

        Assert.Equal([Upper.ToLowerInvariant()], Directory.GetFiles(_tree.PathOf($"etc/mdevctl.d/{Parent}")).Select(Path.GetFileName));
        Assert.Equal("mynic-8q", Store.Require(MdevUuid.Parse(Upper.ToLowerInvariant())).Type.Value);
    }

    [Fact]
    public void Undefining_removes_every_spelling_of_the_uuid()
    {
        _tree.File($"etc/mdevctl.d/{Parent}/{Upper}", Json).File($"etc/mdevctl.d/{Parent}/{Upper.ToLowerInvariant()}", Json);

        Assert.Single(Store.List());
        Store.Undefine(MdevUuid.Parse(Upper.ToLowerInvariant()));

        Assert.Empty(Directory.GetFiles(_tree.PathOf($"etc/mdevctl.d/{Parent}")));
    }

    [Fact]
    public void TryParseIgnoringCase_takes_any_case_but_only_the_8_4_4_4_12_form()
    {
        Assert.True(MdevUuid.TryParseIgnoringCase(Upper, out MdevUuid uuid));
        Assert.Equal(Upper.ToLowerInvariant(), uuid.ToString());
        Assert.False(MdevUuid.TryParseIgnoringCase("{" + Upper + "}", out _));
        Assert.False(MdevUuid.TryParseIgnoringCase(Upper.Replace("-", "", StringComparison.Ordinal), out _));
        // The strict parser the command line uses is unchanged.
        Assert.False(MdevUuid.TryParse(Upper, out _));
    }
}
