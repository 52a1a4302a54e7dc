using System.Text.Json;
using System.Text.Json.Serialization;
using Vfio.Errors;
using Vfio.IO;
using Vfio.Manager.Emulation;
using Vfio.Manager.Errors;

namespace Vfio.Manager.Emulation;

/// <summary>
/// An emulated host's own configuration, <c>etc/vfio-emu/host.json</c> under its root: the device plug-ins whose
/// implementations its types run (<see cref="EmulatedHostBuilder.AddPlugin"/> writes it). A plug-in path is absolute, or
/// relative to the host's root; a host without the file has no plug-ins.
/// </summary>
/// <remarks>
/// <code>{ "plugins": [ "/opt/vendor/MyDevice.dll", "plugins/other/Other.dll" ] }</code>
/// Reading the configuration loads nothing: <see cref="EmulatedHost"/> loads the plug-ins when a device is first opened.
/// </remarks>
public sealed class EmulatedHostConfiguration
{
    /// <summary>The file's path relative to the host's root.</summary>
    public const string RelativePath = "etc/vfio-emu/host.json";

    /// <summary>Largest configuration file read; a larger one is refused unread.</summary>
    public const int MaxLength = 1 << 20;

    private EmulatedHostConfiguration(string root, string path, IReadOnlyList<string> plugins)
    {
        Root = root;
        Path = path;
        Plugins = plugins;
    }

    /// <summary>The host's root directory.</summary>
    public string Root { get; }

    /// <summary>The configuration file's full path (it may not exist).</summary>
    public string Path { get; }

    /// <summary>The plug-in paths as the file gives them.</summary>
    public IReadOnlyList<string> Plugins { get; }

    /// <summary>The plug-in paths made absolute (a relative one against <see cref="Root"/>), in the file's order.</summary>
    public IReadOnlyList<string> PluginPaths => [.. Plugins.Select(p => System.IO.Path.GetFullPath(p, Root))];

    /// <summary>The configuration file of the host at <paramref name="root"/>.</summary>
    /// <param name="root">The emulated host's root.</param>
    /// <returns>Its full path.</returns>
    public static string FileOf(string root) => System.IO.Path.Join(System.IO.Path.GetFullPath(root), RelativePath);

    /// <summary>Reads the configuration of the host at <paramref name="root"/>; a missing file is a host without plug-ins.</summary>
    /// <param name="root">The emulated host's root.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.EmulatedHostConfigurationInvalid"/> when the file is not a
    /// regular file, too large, not JSON, or lists something other than non-empty paths.</exception>
    public static EmulatedHostConfiguration Read(string root)
    {
        string fullRoot = System.IO.Path.GetFullPath(root);
        string path = FileOf(fullRoot);
        if (!UnixFileStatus.TryLstat(path, out _, out _))
        {
            return new EmulatedHostConfiguration(fullRoot, path, []);
        }
        // A FIFO would block the read, a device or a directory is no document: only a regular file (links followed) is read.
        if (!UnixFileStatus.TryStat(path, out UnixFileStatus status, out _) || status.Kind != UnixFileKind.Regular)
        {
            throw Invalid(path, "it is not a regular file");
        }
        if (status.Size > MaxLength)
        {
            throw Invalid(path, $"it is {status.Size} bytes; at most {MaxLength} are read");
        }
        EmulatedHostDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(File.ReadAllText(path), EmulatedHostJsonContext.Default.EmulatedHostDocument);
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"it is not a host configuration ({e.Message})", e);
        }
        string[] plugins = document?.Plugins ?? [];
        if (plugins.Any(string.IsNullOrWhiteSpace))
        {
            throw Invalid(path, "'plugins' lists an empty path");
        }
        return new EmulatedHostConfiguration(fullRoot, path, plugins);
    }

    /// <summary>Adds a plug-in path to the host's configuration file (once), creating the file if needed.</summary>
    internal static void AddPlugin(string root, string plugin)
    {
        EmulatedHostConfiguration current = Read(root);
        if (current.Plugins.Contains(plugin, StringComparer.Ordinal))
        {
            return;
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(current.Path)!);
        var document = new EmulatedHostDocument { Plugins = [.. current.Plugins, plugin] };
        File.WriteAllText(current.Path, JsonSerializer.Serialize(document, EmulatedHostJsonContext.Default.EmulatedHostDocument) + "\n");
    }

    private static VfioException Invalid(string path, string why, Exception? inner = null) =>
        ManagerErrors.HostConfigurationInvalid(path, why, inner);

}

/// <summary>The JSON form of <see cref="EmulatedHostConfiguration"/>.</summary>
internal sealed class EmulatedHostDocument
{
    [JsonPropertyName("plugins")]
    public string[]? Plugins { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EmulatedHostDocument))]
internal sealed partial class EmulatedHostJsonContext : JsonSerializerContext
{
}
