using System.Globalization;
using System.Text;
using Vfio.Errors;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Manager.Emulation;

/// <summary>
/// A pool of hardware units that several types of one emulated parent draw from, as the kernel's mtty sample
/// shares its 24 ports between <c>mtty-1</c> (one port per device) and <c>mtty-2</c> (two ports per device):
/// creating a device takes its type's units from the pool, removing it gives them back, and every member type's
/// <c>available_instances</c> is the free units divided by its units per instance.
/// </summary>
/// <remarks>Kept in <c>var/lib/vfio-emu/pools/&lt;parent&gt;</c> (what a driver keeps in memory) as lines
/// <c>units &lt;n&gt;</c>, <c>free &lt;n&gt;</c> and one <c>&lt;type&gt; &lt;units per instance&gt;</c> per member type.</remarks>
/// <param name="Units">The pool's size.</param>
/// <param name="Free">The units no device holds.</param>
/// <param name="UnitsPerInstance">Each member type and the units one of its devices takes.</param>
public sealed record EmulatedInstancePool(int Units, int Free, IReadOnlyDictionary<MdevTypeName, int> UnitsPerInstance)
{
    /// <summary>The <c>available_instances</c> a member type shows.</summary>
    /// <param name="type">A member type.</param>
    /// <returns>Free units divided by the type's units per instance.</returns>
    public int AvailableInstances(MdevTypeName type) => Free / UnitsPerInstance[type];

    internal string Format()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"units {Units}\nfree {Free}\n");
        foreach (KeyValuePair<MdevTypeName, int> member in UnitsPerInstance.OrderBy(m => m.Key.Value, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{member.Key} {member.Value}\n");
        }
        return text.ToString();
    }

    /// <exception cref="VfioException"><see cref="ErrorCode.SysfsAttributeMalformed"/> naming the line that does not parse.</exception>
    internal static EmulatedInstancePool Parse(SysfsPath file, string content)
    {
        string[] lines = content.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int units = -1;
        int free = -1;
        var members = new Dictionary<MdevTypeName, int>();
        for (int i = 0; i < lines.Length; i++)
        {
            string[] fields = lines[i].Split(' ');
            if (fields.Length != 2 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                throw SysfsAttributes.Malformed(file, i + 1, content, "expected '<name> <non-negative number>'");
            }
            switch (fields[0])
            {
                case "units":
                    units = number;
                    break;
                case "free":
                    free = number;
                    break;
                default:
                    if (!MdevTypeName.TryParse(fields[0], out MdevTypeName type) || number == 0)
                    {
                        throw SysfsAttributes.Malformed(file, i + 1, content, "expected '<type> <units per instance, at least 1>'");
                    }
                    members[type] = number;
                    break;
            }
        }
        if (units < 0 || free < 0 || free > units || members.Count == 0)
        {
            throw SysfsAttributes.Malformed(file, 1, content, "expected 'units <n>', 'free <n>' (at most units) and at least one member type");
        }
        return new EmulatedInstancePool(units, free, members);
    }
}
