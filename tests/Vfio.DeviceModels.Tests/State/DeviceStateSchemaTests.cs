using Vfio.DeviceModels.State;
using Vfio.Errors;

namespace Vfio.Tests.DeviceModels.State;

public sealed class DeviceStateSchemaTests
{
    private static DeviceStateSchema Old() => DeviceState.ExportSchema("vendor-a.com/my-nic", w =>
    {
        w.WriteU32("head", 0);
        w.WriteU16("legacy-mode", 0);
        w.WriteU64("stat", 0, FieldPresence.Optional);
        w.WriteSection("rx", s => s.WriteU32("tail", 0));
    });

    private static DeviceStateSchema New() => DeviceState.ExportSchema("vendor-a.com/my-nic", w =>
    {
        w.WriteU32("head", 0);
        w.WriteSection("rx", s =>
        {
            s.WriteU64("tail", 0);
            s.WriteBool("rss", false, since: "3");
        });
        w.WriteString("note", "", FieldPresence.Optional, since: "3");
    });

    [Fact]
    public void Export_ListsPathsTypesPresenceAndSince()
    {
        DeviceStateSchema schema = New();
        Assert.Equal(
            [
                new StateFieldSchema("head", StateFieldType.U32, true, null),
                new StateFieldSchema("rx", StateFieldType.Section, true, null),
                new StateFieldSchema("rx/tail", StateFieldType.U64, true, null),
                new StateFieldSchema("rx/rss", StateFieldType.Bool, true, "3"),
                new StateFieldSchema("note", StateFieldType.String, false, "3"),
            ],
            schema.Fields);
    }

    [Fact]
    public void Json_RoundTrips_AndSpellsTypesAsWords()
    {
        string json = New().ToJson();
        DeviceStateSchema back = DeviceStateSchema.FromJson(json);

        Assert.Equal(New().Fields, back.Fields);
        Assert.Equal("vendor-a.com/my-nic", back.ModelId);
        Assert.Contains("\"type\": \"Section\"", json);
        Assert.Contains("\"since\": \"3\"", json);
    }

    [Fact]
    public void FromJson_Garbage_IsDocumentInvalid()
    {
        Assert.Equal(ErrorCode.DocumentInvalid, Assert.Throws<VfioException>(() => DeviceStateSchema.FromJson("{\"fields\": 3")).Code);
        Assert.Equal(ErrorCode.DocumentInvalid, Assert.Throws<VfioException>(() => DeviceStateSchema.FromJson("{}")).Code);
    }

    [Fact]
    public void Diff_ReportsWhichDirectionEachChangeBreaks()
    {
        var changes = DeviceStateSchemaDiff.Compare(Old(), New()).ToDictionary(c => c.Path);

        Assert.Equal((SchemaChangeKind.RequiredFieldRemoved, MigrationDirections.OldToNew), (changes["legacy-mode"].Kind, changes["legacy-mode"].Breaks));
        Assert.Equal((SchemaChangeKind.OptionalFieldRemoved, MigrationDirections.None), (changes["stat"].Kind, changes["stat"].Breaks));
        Assert.Equal((SchemaChangeKind.TypeChanged, MigrationDirections.OldToNew | MigrationDirections.NewToOld), (changes["rx/tail"].Kind, changes["rx/tail"].Breaks));
        Assert.Equal((SchemaChangeKind.RequiredFieldAdded, MigrationDirections.NewToOld), (changes["rx/rss"].Kind, changes["rx/rss"].Breaks));
        Assert.Contains("since 3", changes["rx/rss"].Description);
        Assert.Equal((SchemaChangeKind.OptionalFieldAdded, MigrationDirections.None), (changes["note"].Kind, changes["note"].Breaks));
        Assert.False(changes.ContainsKey("head"));
        Assert.Equal(5, changes.Count);
    }

    [Fact]
    public void Diff_AgreesWithTheLoader()
    {
        // What the diff calls breaking new->old really fails: the old loader meets the new required field.
        byte[] newState = DeviceState.Save(w =>
        {
            w.WriteU32("head", 0);
            w.WriteSection("rx", s =>
            {
                s.WriteU64("tail", 0);
                s.WriteBool("rss", false, since: "3");
            });
        });
        var e = Assert.Throws<DeviceStateException>(() => DeviceState.Load(newState, "old-dev", r =>
        {
            r.ReadU32("head");
            r.ReadSection("rx").TryReadU64("tail", out _);
        }));
        Assert.Equal(ErrorCode.DeviceStateFieldUnknown, e.Code);
        Assert.Equal("rx/rss", e.Field);
    }
}
