using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Vfio.Tests.Abi;

/// <summary>
/// Generates a C program that prints every item of <see cref="AbiTable"/> as gcc sees it through linux/vfio.h,
/// compiles it, runs it once per test run and keeps the answers.
/// </summary>
internal sealed class AbiProbe
{
    private static readonly Lazy<AbiProbe> s_instance = new(() => Run(UapiHeader.Locate(), AbiTable.Items));

    private AbiProbe(UapiHeader header, string versionLine, IReadOnlyDictionary<string, ulong?> values)
    {
        Header = header;
        VersionLine = versionLine;
        Values = values;
    }

    public static AbiProbe Instance => s_instance.Value;

    public UapiHeader Header { get; }

    /// <summary>What the program printed about LINUX_VERSION_CODE.</summary>
    public string VersionLine { get; }

    /// <summary>C expression -> value, or null when the header lacks the item (its guard is undefined).</summary>
    public IReadOnlyDictionary<string, ulong?> Values { get; }

    public string Describe() => $"{Header.VfioHeaderPath} ({Header.Origin}), {VersionLine}";

    internal static string GenerateSource(UapiHeader header, IEnumerable<AbiItem> items)
    {
        var c = new StringBuilder();
        c.AppendLine("#define _GNU_SOURCE"); // F_GETPIPE_SZ and F_SETPIPE_SZ in <fcntl.h>
        c.AppendLine("#include <stddef.h>");
        c.AppendLine("#include <stdio.h>");
        c.AppendLine("#include <errno.h>");
        c.AppendLine("#include <fcntl.h>");
        c.AppendLine("#include <poll.h>");
        c.AppendLine("#include <sys/types.h>");
        c.AppendLine("#include <linux/ioctl.h>");
        c.AppendLine("#include <linux/vfio.h>");
        c.AppendLine("#include <linux/version.h>");
        c.AppendLine("int main(void)");
        c.AppendLine("{");
        c.AppendLine(header.HasOwnVersionHeader
            ? "    printf(\"#version\\tLINUX_VERSION_CODE %d (%d.%d.%d)\\n\", LINUX_VERSION_CODE, LINUX_VERSION_CODE >> 16, (LINUX_VERSION_CODE >> 8) & 255, LINUX_VERSION_CODE & 255);"
            : "    printf(\"#version\\tLINUX_VERSION_CODE %d (%d.%d.%d) from the system linux/version.h, which may not match this vfio.h\\n\", LINUX_VERSION_CODE, LINUX_VERSION_CODE >> 16, (LINUX_VERSION_CODE >> 8) & 255, LINUX_VERSION_CODE & 255);");
        foreach (AbiItem item in items)
        {
            if (item.Guard is not null)
            {
                c.Append("#ifdef ").AppendLine(item.Guard);
            }
            c.Append(CultureInfo.InvariantCulture, $"    printf(\"%s\\t%llu\\n\", \"{item.CExpression}\", (unsigned long long)({item.CExpression}));").AppendLine();
            if (item.Guard is not null)
            {
                c.AppendLine("#else");
                c.Append(CultureInfo.InvariantCulture, $"    printf(\"%s\\tMISSING\\n\", \"{item.CExpression}\");").AppendLine();
                c.AppendLine("#endif");
            }
        }
        c.AppendLine("    return 0;");
        c.AppendLine("}");
        return c.ToString();
    }

    private static AbiProbe Run(UapiHeader header, IReadOnlyList<AbiItem> items)
    {
        if (!File.Exists(header.VfioHeaderPath))
        {
            throw new InvalidOperationException($"no linux/vfio.h at {header.VfioHeaderPath} ({header.Origin}); run .ci/fetch-vfio-header or set VFIO_UAPI_INCLUDE");
        }
        string dir = Directory.CreateTempSubdirectory("vfio-abi-").FullName;
        try
        {
            string source = Path.Combine(dir, "abi.c");
            string program = Path.Combine(dir, "abi");
            File.WriteAllText(source, GenerateSource(header, items));
            // -D__user=: the linux-headers-*-common copy is the unprocessed uapi file and still has __user markers.
            Exec("gcc", ["-std=gnu11", "-Wall", "-Werror", "-D__user=", "-I", header.IncludeDirectory, "-o", program, source]);
            string output = Exec(program, []);

            var values = new Dictionary<string, ulong?>(StringComparer.Ordinal);
            string versionLine = "LINUX_VERSION_CODE unknown";
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = line.Split('\t');
                if (parts[0] == "#version")
                {
                    versionLine = parts[1];
                    continue;
                }
                values[parts[0]] = parts[1] == "MISSING" ? null : ulong.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            return new AbiProbe(header, versionLine, values);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Exec(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + file);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}:\n{stderr.Result}");
        }
        return stdout;
    }
}
