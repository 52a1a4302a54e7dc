using System.Globalization;
using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.Names;

namespace Vfio.Manager.Sysfs;

/// <summary>
/// Attribute parsing in one place, strict: the kernel prints one value and one newline, so anything else (an
/// empty file, a second line, trailing junk after a number) is refused with
/// <see cref="ErrorCode.SysfsAttributeMalformed"/>, naming the file and the line and quoting the content.
/// </summary>
public static class SysfsAttributes
{
    /// <summary>Reads a one-line attribute.</summary>
    /// <param name="sysfs">The seam.</param>
    /// <param name="path">The attribute.</param>
    /// <returns>The line without its newline.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.SysfsAttributeMalformed"/> when the file is empty or has more than one line.</exception>
    public static string ReadLine(this ISysfs sysfs, SysfsPath path)
    {
        ArgumentNullException.ThrowIfNull(sysfs);
        return ParseLine(path, sysfs.ReadText(path));
    }

    /// <summary>Reads a non-negative decimal integer attribute such as <c>available_instances</c>.</summary>
    /// <param name="sysfs">The seam.</param>
    /// <param name="path">The attribute.</param>
    /// <returns>The value.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.SysfsAttributeMalformed"/> when the content is not exactly one such number.</exception>
    public static int ReadInt(this ISysfs sysfs, SysfsPath path)
    {
        ArgumentNullException.ThrowIfNull(sysfs);
        return ParseInt(path, sysfs.ReadText(path));
    }

    /// <summary>Parses one line: the content with at most one trailing newline, not empty, no other line break.</summary>
    /// <param name="path">The file the content came from (for the message).</param>
    /// <param name="content">The content.</param>
    /// <returns>The line.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.SysfsAttributeMalformed"/> when it is not one line.</exception>
    public static string ParseLine(SysfsPath path, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        string line = content.EndsWith('\n') ? content[..^1] : content;
        if (line.Length == 0)
        {
            throw Malformed(path, 1, content, "the file is empty; expected one value");
        }
        int lineBreak = line.IndexOfAny(['\n', '\r']);
        if (lineBreak >= 0)
        {
            int lineNumber = line.AsSpan(0, lineBreak).Count('\n') + 2;
            throw Malformed(path, lineNumber, content, "more than one line; expected a single value");
        }
        return line;
    }

    /// <summary>Parses one line holding a non-negative decimal integer and nothing else.</summary>
    /// <param name="path">The file the content came from (for the message).</param>
    /// <param name="content">The content.</param>
    /// <returns>The value.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.SysfsAttributeMalformed"/> when it is not such a number.</exception>
    public static int ParseInt(SysfsPath path, string content)
    {
        string line = ParseLine(path, content);
        if (!int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
        {
            throw Malformed(path, 1, content, "expected a non-negative decimal integer");
        }
        return value;
    }

    /// <summary>The error for a malformed attribute.</summary>
    internal static VfioException Malformed(SysfsPath path, int line, string content, string problem) =>
        ManagerErrors.AttributeMalformed(path, line, content, problem);

}
