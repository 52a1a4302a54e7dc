using Vfio.DeviceModels.State;
using Vfio.Errors;

namespace Vfio.Tests.DeviceModels.State;

/// <summary>
/// Regression (fuzz run, docs/reliability.md): a schema JSON listing one field path twice was accepted, and the
/// schema diff then failed with an ArgumentException (a duplicate dictionary key) instead of a catalogue error.
/// </summary>
public sealed class SchemaDuplicatePathTests
{
    private const string Duplicate = """
        {"model": "vendor-a.com/my-nic", "fields": [
          {"path": "head", "type": "U32", "required": true},
          {"path": "rx/tail", "type": "U32", "required": true},
          {"path": "head", "type": "U16", "required": false}]}
        """;

    [Fact]
    public void FromJson_WithAFieldPathTwice_IsDocumentInvalid_NamingThePath()
    {
        var e = Assert.Throws<VfioException>(() => DeviceStateSchema.FromJson(Duplicate));

        Assert.Equal(ErrorCode.DocumentInvalid, e.Code);
        Assert.Equal("head", e.Parameter);
        Assert.Contains("'head'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_WithTheSameNameInTwoSections_IsAccepted()
    {
        DeviceStateSchema schema = DeviceStateSchema.FromJson("""
            {"model": "vendor-a.com/my-nic", "fields": [
              {"path": "rx/head", "type": "U32", "required": true},
              {"path": "tx/head", "type": "U32", "required": true}]}
            """);

        Assert.Empty(DeviceStateSchemaDiff.Compare(schema, schema));
    }
}
