using System.Text.Json;
using System.Text.Json.Nodes;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.Errors;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels;

/// <summary>The JSON schemas in docs/schemas and the readers agree on which fields are required.</summary>
public sealed class SchemaTests
{
    private static JsonNode Schema(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "docs", "schemas", name)))!;

    private static string[] Required(JsonNode node) => node["required"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    [Fact]
    public void Every_required_parameter_field_of_the_schema_is_required_by_the_reader()
    {
        string[] required = Required(Schema("migration-info.schema.json")["$defs"]!["param"]!);
        Assert.Equal(["type", "off_value", "init_value"], required);
        foreach (string field in required.Append("allowed_values"))
        {
            JsonNode doc = JsonNode.Parse(new MigrationInfo([TestNicModels.NicV3]).ToJson())!;
            doc["models"]!["vendor-a.com/my-nic"]!["params"]!["rx-filter-size"]!.AsObject().Remove(field);
            var e = Assert.Throws<DeviceModelException>(() => MigrationInfo.Parse(doc.ToJsonString()));
            Assert.Equal(ErrorCode.DocumentInvalid, e.Code);
            Assert.Equal($"models.vendor-a.com/my-nic.params.rx-filter-size.{field}", e.Parameter);
        }
    }

    [Fact]
    public void Host_schema_required_fields_are_required_by_the_reader()
    {
        JsonNode schema = Schema("host-capabilities.schema.json");
        JsonNode typeSchema = schema["properties"]!["parents"]!["additionalProperties"]!["properties"]!["types"]!["additionalProperties"]!;
        var host = new HostCapabilities("h", [new ParentCapabilities("p", [new TypeCapabilities("t", new MigrationInfo([TestNicModels.NicV2]), 2)])]);
        foreach (string field in Required(schema))
        {
            JsonNode doc = JsonNode.Parse(host.ToJson())!;
            doc.AsObject().Remove(field);
            Assert.Equal(field, Assert.Throws<DeviceModelException>(() => HostCapabilities.Parse(doc.ToJsonString())).Parameter);
        }
        foreach (string field in Required(typeSchema))
        {
            JsonNode doc = JsonNode.Parse(host.ToJson())!;
            doc["parents"]!["p"]!["types"]!["t"]!.AsObject().Remove(field);
            Assert.Equal($"parents.p.types.t.{field}", Assert.Throws<DeviceModelException>(() => HostCapabilities.Parse(doc.ToJsonString())).Parameter);
        }
    }

    [Fact]
    public void Device_schema_required_fields_are_required_by_the_reader()
    {
        string json = DeviceDocument.From(DeviceConfiguration.FromInit(TestNicModels.NicV3), "u", "t").ToJson();
        foreach (string field in Required(Schema("device.schema.json")))
        {
            JsonNode doc = JsonNode.Parse(json)!;
            doc.AsObject().Remove(field);
            Assert.Equal(field, Assert.Throws<DeviceModelException>(() => DeviceDocument.Parse(doc.ToJsonString())).Parameter);
        }
    }

    [Fact]
    public void Written_documents_use_only_schema_properties()
    {
        JsonNode schema = Schema("migration-info.schema.json");
        string[] paramProps = schema["$defs"]!["param"]!["properties"]!.AsObject().Select(kv => kv.Key).ToArray();
        string[] modelProps = schema["$defs"]!["model"]!["properties"]!.AsObject().Select(kv => kv.Key).ToArray();
        using JsonDocument doc = JsonDocument.Parse(new MigrationInfo([TestNicModels.NicV3]).ToJson());
        JsonElement model = doc.RootElement.GetProperty("models").GetProperty("vendor-a.com/my-nic");
        Assert.All(model.EnumerateObject(), p => Assert.Contains(p.Name, modelProps));
        foreach (JsonProperty param in model.GetProperty("params").EnumerateObject())
        {
            Assert.All(param.Value.EnumerateObject(), p => Assert.Contains(p.Name, paramProps));
        }
    }

    [Fact]
    public void A_full_device_document_uses_only_schema_properties_and_reads_back_equal()
    {
        string[] props = Schema("device.schema.json")["properties"]!.AsObject().Select(kv => kv.Key).ToArray();
        DeviceConfiguration configuration = DeviceConfiguration.FromInit(TestNicModels.NicV3);
        DeviceDocument written = DeviceDocument.From(configuration, "u", "t") with
        {
            Parent = "0000:00:03.0",
            Parameters = TestNicModels.NicV3.Parameters.ToDictionary(p => p.Name, p => configuration[p.Name]),
            Protocol = "v2",
            Features = ["STOP_COPY", "PRE_COPY"],
            StopCopyBytes = 4096,
        };

        string json = written.ToJson();
        DeviceDocument read = DeviceDocument.Parse(json);

        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.All(doc.RootElement.EnumerateObject(), p => Assert.Contains(p.Name, props));
        Assert.Equal(10, props.Length);
        Assert.Equal(written.Configuration, read.Configuration);
        Assert.Equal(written.Parameters, read.Parameters);
        Assert.Equal(["STOP_COPY", "PRE_COPY"], read.Features);
        Assert.Equal(4096UL, read.StopCopyBytes);
        Assert.Equal(("0000:00:03.0", "v2"), (read.Parent, read.Protocol));
    }

    [Theory]
    [InlineData("\"parameters\": {\"rx-filter-size\": \"8\"}", "parameters.rx-filter-size")]
    [InlineData("\"protocol\": \"v3\"", "protocol")]
    [InlineData("\"stopCopyBytes\": \"lots\"", null)]
    [InlineData("\"features\": 7", null)]
    public void A_device_document_whose_optional_fields_are_wrong_is_refused(string field, string? path)
    {
        string json = $"{{\"model\": \"vendor-a.com/my-nic\", \"configuration\": \"rx-filter-size=16\", {field}}}";

        var e = Assert.Throws<DeviceModelException>(() => DeviceDocument.Parse(json));

        Assert.Equal(ErrorCode.DocumentInvalid, e.Code);
        if (path is not null)
        {
            Assert.Equal(path, e.Parameter);
        }
    }
}
