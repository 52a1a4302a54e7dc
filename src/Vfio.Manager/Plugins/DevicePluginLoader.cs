using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Vfio.Errors;
using Vfio.Manager.Emulation;
using Vfio.Manager.Errors;
using Vfio.Sdk;

namespace Vfio.Manager.Plugins;

/// <summary>
/// Loads the device plug-ins an emulated host's configuration names (<see cref="EmulatedHostConfiguration"/>) and
/// gathers their implementations into one catalog. Each plug-in gets its own <see cref="AssemblyLoadContext"/>, which
/// resolves the plug-in's private dependencies from its <c>.deps.json</c> (<see cref="AssemblyDependencyResolver"/>) and
/// takes the SDK assemblies from the host, so a plug-in's <see cref="DeviceImplementation"/> is the host's type.
/// </summary>
/// <remarks>
/// <para>A plug-in is loaded once per process (by full path), however many hosts name it. Every failure is a
/// catalogued <see cref="VfioException"/>: E6050 (no such file), E6051 (not a .NET assembly, or not loadable),
/// E6052 (no usable entry point), E6053 (an implementation id twice).</para>
/// <para>Loading assemblies at run time needs the JIT: a NativeAOT build refuses with E6051.</para>
/// </remarks>
public static class DevicePluginLoader
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<DeviceImplementation>>> Loaded = new(StringComparer.Ordinal);

    /// <summary>Loads every plug-in the configuration names, in order, into a new catalog.</summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <returns>The implementations of all its plug-ins.</returns>
    /// <exception cref="VfioException">E6050-E6053 as described on the class.</exception>
    public static DeviceImplementationCatalog Load(EmulatedHostConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Load(configuration.PluginPaths, configuration.Path, configuration.Root);
    }

    /// <summary>Loads plug-ins by path (before a host names them: a tool that lays out a host from a plug-in's implementations).</summary>
    /// <param name="pluginPaths">The plug-in assemblies' full paths.</param>
    /// <returns>The implementations of all of them.</returns>
    /// <exception cref="VfioException">E6050-E6053 as described on the class.</exception>
    public static DeviceImplementationCatalog LoadFrom(IEnumerable<string> pluginPaths)
    {
        ArgumentNullException.ThrowIfNull(pluginPaths);
        return Load([.. pluginPaths.Select(p => Path.GetFullPath(p))], "the command", Environment.CurrentDirectory);
    }

    private static DeviceImplementationCatalog Load(IReadOnlyList<string> paths, string named, string root)
    {
        var catalog = new DeviceImplementationCatalog();
        var from = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            foreach (DeviceImplementation implementation in LoadPlugin(named, root, path))
            {
                if (from.TryGetValue(implementation.Id, out string? first))
                {
                    string where = first == path ? $"twice by {path}" : $"by {first} and by {path}";
                    throw ManagerErrors.ImplementationDuplicate(implementation.Id, where, named);
                }
                from[implementation.Id] = path;
                catalog.Add(implementation);
            }
        }
        return catalog;
    }

    /// <summary>The implementations of one plug-in, loading it on first use in this process.</summary>
    private static IReadOnlyList<DeviceImplementation> LoadPlugin(string named, string root, string path)
    {
        // First: in a NativeAOT build no plug-in can load, wherever it is (a published native vfioctl has no plugins/).
        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            throw NotLoadable(path, named, "this build of the program is compiled ahead of time (NativeAOT) and cannot load assemblies at run time; use the framework-dependent build (dotnet vfioctl.dll)", null);
        }
        if (!File.Exists(path))
        {
            throw ManagerErrors.PluginNotFound(path, named, root);
        }
        Lazy<IReadOnlyList<DeviceImplementation>> entry = Loaded.GetOrAdd(path, p => new Lazy<IReadOnlyList<DeviceImplementation>>(() => Open(p, named)));
        try
        {
            return entry.Value;
        }
        catch (VfioException)
        {
            // A failed load is not kept: the file may be fixed while this process runs (a long-lived test process).
            Loaded.TryRemove(new KeyValuePair<string, Lazy<IReadOnlyList<DeviceImplementation>>>(path, entry));
            throw;
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Plug-ins are loaded by a JIT build only; a NativeAOT build refuses them (E6051) before loading.")]
    [UnconditionalSuppressMessage("AOT", "IL3000", Justification = "The plug-in's location is its path on disk, given by the host's configuration.")]
    private static List<DeviceImplementation> Open(string path, string named)
    {
        try
        {
            _ = AssemblyName.GetAssemblyName(path);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException)
        {
            throw NotLoadable(path, named, "it is not a .NET assembly", e);
        }
        Assembly assembly;
        try
        {
            assembly = new PluginLoadContext(path).LoadFromAssemblyPath(path);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or InvalidOperationException)
        {
            throw NotLoadable(path, named, e.Message, e);
        }
        DevicePluginAttribute? attribute;
        try
        {
            attribute = assembly.GetCustomAttribute<DevicePluginAttribute>();
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException)
        {
            throw NotLoadable(path, named, $"an assembly it needs cannot be loaded ({e.Message})", e);
        }
        if (attribute is null)
        {
            throw EntryMissing(path, named, $"it has no [assembly: {nameof(DevicePluginAttribute).Replace("Attribute", "", StringComparison.Ordinal)}(typeof(...))] attribute naming its {nameof(IDevicePlugin)} entry type", null);
        }
        object? entry;
        try
        {
            entry = Activator.CreateInstance(attribute.EntryType);
        }
        catch (Exception e) when (e is TargetInvocationException or MissingMethodException or MemberAccessException or ArgumentException or NotSupportedException or TypeLoadException or FileNotFoundException)
        {
            throw EntryMissing(path, named, $"its entry type {attribute.EntryType.FullName} cannot be created ({(e.InnerException ?? e).Message})", e);
        }
        if (entry is not IDevicePlugin plugin)
        {
            throw EntryMissing(path, named, $"its entry type {attribute.EntryType.FullName} does not implement {typeof(IDevicePlugin).FullName} (of the host's SDK, {typeof(IDevicePlugin).Assembly.GetName().Name} {typeof(IDevicePlugin).Assembly.GetName().Version})", null);
        }
        List<DeviceImplementation> implementations;
        try
        {
            implementations = [.. plugin.Implementations];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw EntryMissing(path, named, $"its entry type {attribute.EntryType.FullName} failed to list its implementations ({e.GetType().Name}: {e.Message})", e);
        }
        if (implementations.Count == 0 || implementations.Any(i => i is null))
        {
            throw EntryMissing(path, named, $"its entry type {attribute.EntryType.FullName} lists {(implementations.Count == 0 ? "no implementations" : "a null implementation")}", null);
        }
        return implementations;
    }

    private static VfioException NotLoadable(string path, string named, string why, Exception? inner) =>
        ManagerErrors.PluginNotLoadable(path, named, why, inner);

    private static VfioException EntryMissing(string path, string named, string why, Exception? inner) =>
        ManagerErrors.PluginEntryMissing(path, named, why, inner);

    /// <summary>One plug-in's load context: its own dependencies from its .deps.json, the SDK's from the host.</summary>
    private sealed class PluginLoadContext(string path) : AssemblyLoadContext($"device plug-in {path}")
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        /// <summary>The assemblies whose types the host and its plug-ins exchange: the SDK (device models, the
        /// migration backend contract) and what those reference. A plug-in's own copy of one of them is never loaded.</summary>
        private static readonly HashSet<string> Shared = SharedNames();

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "A plug-in's dependencies are loaded by a JIT build only (see Open).")]
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name is string name && Shared.Contains(name))
            {
                return null;
            }
            string? found = _resolver.ResolveAssemblyToPath(assemblyName);
            return found is null ? null : LoadFromAssemblyPath(found);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            string? found = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
            return found is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(found);
        }

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only the names of the SDK's references are read; a build that trims them loads no plug-ins.")]
        private static HashSet<string> SharedNames()
        {
            Assembly[] contract = [typeof(IDevicePlugin).Assembly, typeof(Vfio.Devices.IMigrationBackend).Assembly, typeof(Vfio.DeviceModels.Lab.ILabTraffic).Assembly];
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (Assembly assembly in contract)
            {
                names.Add(assembly.GetName().Name!);
                foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
                {
                    names.Add(reference.Name!);
                }
            }
            return names;
        }
    }
}
