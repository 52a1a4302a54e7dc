namespace Vfio.Tests.Abi;

/// <summary>
/// One fact of the ABI: a C expression (a macro or enum constant, <c>sizeof(struct x)</c>, <c>offsetof(struct x, f)</c>,
/// or a field's size) and the value the C# side holds for it.
/// </summary>
/// <param name="CExpression">The expression the generated C program prints; also the item's unique key.</param>
/// <param name="Value">The C# value.</param>
/// <param name="Guard">A macro the header defines only when it has this item (Linux 6.2+ additions); null when
/// every supported header (6.1 and later) has it.</param>
/// <param name="CSharpName">The C# member the value comes from (a field name, or a struct/field pair), for the
/// coverage test.</param>
/// <param name="Mirrors">Public enum members that must carry the same value (e.g. <c>MigrationState.StopCopy</c>).</param>
public sealed record AbiItem(string CExpression, ulong Value, string? Guard, string CSharpName, IReadOnlyList<Enum> Mirrors);
