using System.Reflection;
using System.Runtime.InteropServices;
using Vfio.Devices;
using Vfio.Kernel;

namespace Vfio.Tests.Abi;

/// <summary>
/// Proves the ABI list is complete: every constant and struct field declared in Interop.Vfio (and the errno and
/// open-flag constants) has its item, with the same value, and every member of the public enums that mirror the
/// kernel is bound to one. A constant added without an item fails here before it can drift from the header.
/// </summary>
public sealed class AbiCoverageTests
{
    private const BindingFlags Statics = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<string, AbiItem> s_byName = AbiTable.Items
        .Where(i => !i.CExpression.Contains('('))
        .ToDictionary(i => i.CExpression, StringComparer.Ordinal);

    private static readonly HashSet<string> s_expressions = AbiTable.Items.Select(i => i.CExpression).ToHashSet(StringComparer.Ordinal);

    public static TheoryData<string> InteropConstantClasses => new() { "Vfio", "Errno", "Libc" };

    [Theory]
    [MemberData(nameof(InteropConstantClasses))]
    public void EveryInteropConstant_IsListedWithItsValue(string nestedClass)
    {
        Type type = typeof(Interop).GetNestedType(nestedClass, BindingFlags.NonPublic)!;
        var fields = type.GetFields(Statics)
            .Where(f => f.IsLiteral || f.IsInitOnly)
            .Where(f => !f.Name.StartsWith("s_", StringComparison.Ordinal)) // the errno name table is data, not ABI
            .ToArray();
        Assert.NotEmpty(fields);

        var problems = new List<string>();
        foreach (FieldInfo field in fields)
        {
            object raw = (field.IsLiteral ? field.GetRawConstantValue() : field.GetValue(null))!;
            ulong value = raw is nuint n ? n : Convert.ToUInt64(raw, System.Globalization.CultureInfo.InvariantCulture);
            if (!s_byName.TryGetValue(field.Name, out AbiItem? item))
            {
                problems.Add($"Interop.{nestedClass}.{field.Name} is not in AbiTable");
            }
            else if (item.Value != value)
            {
                problems.Add($"AbiTable binds {field.Name} to {item.Value}, but Interop.{nestedClass}.{field.Name} is {value}");
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void EveryInteropStruct_HasItsSizeAndEveryFieldListed()
    {
        Type[] structs = typeof(Interop.Vfio).GetNestedTypes(BindingFlags.NonPublic | BindingFlags.Public)
            .Where(t => t.IsValueType && !t.IsEnum)
            .ToArray();
        Assert.NotEmpty(structs);

        var problems = new List<string>();
        foreach (Type s in structs)
        {
            // Explicit layout is allowed for a struct whose offsets the code needs as constants
            // (vfio_device_migration_info): each offset is still compared with gcc's offsetof below.
            if (!(s.IsLayoutSequential || s.IsExplicitLayout) || s.StructLayoutAttribute?.Pack is not (0 or 8))
            {
                problems.Add($"{s.Name} is not a sequential (or explicit) struct with natural packing");
            }
            Require($"sizeof(struct {s.Name})");
            foreach (FieldInfo f in s.GetFields(Instance))
            {
                if (!f.FieldType.IsPrimitive && f.FieldType.DeclaringType != typeof(Interop.Vfio))
                {
                    problems.Add($"{s.Name}.{f.Name} has type {f.FieldType.Name}: kernel structs hold fixed-width integers and kernel structs only");
                }
                Require($"offsetof(struct {s.Name}, {f.Name})");
                Require($"sizeof(((struct {s.Name} *)0)->{f.Name})");
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));

        void Require(string expression)
        {
            if (!s_expressions.Contains(expression))
            {
                problems.Add(expression + " is not in AbiTable");
            }
        }
    }

    public static TheoryData<Type> MirroredEnums => new()
    {
        typeof(MigrationState), typeof(V1DeviceState), typeof(MigrationFeatures), typeof(VfioDeviceFlags),
        typeof(VfioRegionFlags), typeof(VfioIrqFlags), typeof(VfioExtension), typeof(VfioGroupFlags),
    };

    [Theory]
    [MemberData(nameof(MirroredEnums))]
    public void EveryMemberOfAPublicKernelEnum_IsBoundToAnItem(Type enumType)
    {
        var bound = AbiTable.Items.SelectMany(i => i.Mirrors).Where(m => m.GetType() == enumType).Select(m => m.ToString()).ToHashSet();
        // "None" (0) of a flags enum is the absence of every flag, not a kernel constant.
        string[] unbound = Enum.GetNames(enumType).Where(n => n != "None" && !bound.Contains(n)).ToArray();
        Assert.True(unbound.Length == 0, $"{enumType.Name} members without an ABI item: {string.Join(", ", unbound)}");
    }

    [Fact]
    public void NoItem_IsListedTwice()
    {
        var duplicates = AbiTable.Items.GroupBy(i => i.CExpression).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.Empty(duplicates);
    }
}
