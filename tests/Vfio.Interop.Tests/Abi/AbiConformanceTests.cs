using Xunit.Abstractions;

namespace Vfio.Tests.Abi;

/// <summary>Every <see cref="AbiTable"/> item against gcc's answer from linux/vfio.h.</summary>
public sealed class AbiConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryItemTheHeaderHas_MatchesTheCSharpDefinition()
    {
        AbiProbe probe = AbiProbe.Instance;
        output.WriteLine("compiled against " + probe.Describe());

        var mismatches = new List<string>();
        int checkedCount = 0;
        foreach (AbiItem item in AbiTable.Items)
        {
            if (probe.Values[item.CExpression] is not ulong c)
            {
                continue;
            }
            checkedCount++;
            if (c != item.Value)
            {
                mismatches.Add($"{item.CExpression}: C {c} (0x{c:x}), C# {item.CSharpName} = {item.Value} (0x{item.Value:x})");
            }
        }
        output.WriteLine($"{checkedCount} of {AbiTable.Items.Count} items checked");
        Assert.True(mismatches.Count == 0, $"ABI mismatches against {probe.Describe()}:\n" + string.Join('\n', mismatches));
        Assert.True(checkedCount > 0);
    }

    [AbiCompleteFact]
    public void TheHeader_HasEveryItem()
    {
        AbiProbe probe = AbiProbe.Instance;
        output.WriteLine("compiled against " + probe.Describe());
        string[] missing = AbiTable.Items.Where(i => probe.Values[i.CExpression] is null).Select(i => i.CExpression).ToArray();
        Assert.True(missing.Length == 0,
            $"{probe.Describe()} lacks {missing.Length} items, so they are unchecked (run .ci/fetch-vfio-header or set VFIO_UAPI_INCLUDE):\n" + string.Join('\n', missing));
    }

    [Fact]
    public void PublicEnumMirrors_CarryTheKernelValue()
    {
        var wrong = AbiTable.Items
            .SelectMany(i => i.Mirrors.Select(m => (Item: i, Mirror: m)))
            .Where(x => Convert.ToUInt64(x.Mirror, System.Globalization.CultureInfo.InvariantCulture) != x.Item.Value)
            .Select(x => $"{x.Mirror.GetType().Name}.{x.Mirror} = {Convert.ToUInt64(x.Mirror, System.Globalization.CultureInfo.InvariantCulture)}, {x.Item.CExpression} = {x.Item.Value}")
            .ToArray();
        Assert.True(wrong.Length == 0, string.Join('\n', wrong));
    }
}
