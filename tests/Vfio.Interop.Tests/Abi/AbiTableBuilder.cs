using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Vfio.Tests.Abi;

/// <summary>Builds the one list of ABI items; refuses an item listed twice.</summary>
internal sealed class AbiTableBuilder
{
    private readonly List<AbiItem> _items = [];
    private readonly HashSet<string> _keys = [];

    public IReadOnlyList<AbiItem> Items => _items;

    /// <summary>A macro or enum constant: the C name is also the C# field name.</summary>
    public AbiTableBuilder Const(string name, ulong value, string? guard = null, params Enum[] mirrors) =>
        Add(new AbiItem(name, value, guard, name, mirrors));

    /// <summary>Any C expression with the value a type outside Interop has (Tmds.LibC's <c>off_t</c>, <c>pollfd</c>).</summary>
    public AbiTableBuilder Expr(string cExpression, ulong value, string csharpName) =>
        Add(new AbiItem(cExpression, value, null, csharpName, []));

    /// <summary>sizeof the struct, then offsetof and size of each named field, all under one guard.</summary>
    public AbiTableBuilder Struct<T>(string? guard, params string[] fields)
        where T : struct => Size<T>(guard).Fields<T>(guard, fields);

    /// <summary>sizeof the struct.</summary>
    public AbiTableBuilder Size<T>(string? guard)
        where T : struct
    {
        string name = typeof(T).Name;
        return Add(new AbiItem($"sizeof(struct {name})", (ulong)Unsafe.SizeOf<T>(), guard, name, []));
    }

    /// <summary>offsetof and size of each named field (public or private, by its C name).</summary>
    public AbiTableBuilder Fields<T>(string? guard, params string[] fields)
        where T : struct
    {
        string name = typeof(T).Name;
        foreach (string field in fields)
        {
            FieldInfo info = typeof(T).GetField(field, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                ?? throw new InvalidOperationException($"{name} has no field {field}");
            Add(new AbiItem($"offsetof(struct {name}, {field})", (ulong)Marshal.OffsetOf<T>(field), guard, name + "." + field, []));
            Add(new AbiItem($"sizeof(((struct {name} *)0)->{field})", (ulong)Marshal.SizeOf(info.FieldType), guard, name + "." + field, []));
        }
        return this;
    }

    private AbiTableBuilder Add(AbiItem item)
    {
        if (!_keys.Add(item.CExpression))
        {
            throw new InvalidOperationException($"ABI item {item.CExpression} is listed twice");
        }
        _items.Add(item);
        return this;
    }
}
