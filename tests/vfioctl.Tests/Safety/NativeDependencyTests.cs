using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Vfio.Tests.Vfioctl.Safety;

/// <summary>
/// What the shipped program may need of the host it runs on. A minimal hypervisor image has glibc and nothing else:
/// no libssl, no ICU. On Linux every type in System.Security.Cryptography is OpenSSL's, and a verb that touched one
/// aborted there ("No usable version of libssl was found", exit 134) in the kernel lab's guest. So no assembly that
/// vfioctl loads for its verbs may reference that namespace at all: read from the assemblies' metadata, not from a list
/// of call sites. Vfio.Fleet.Etcd is the one exception, on purpose: it is loaded only by `publish` and `find --etcd`,
/// whose TLS to the fleet store is OpenSSL's by nature.
/// </summary>
public sealed class NativeDependencyTests
{
    private static readonly string[] ProductAssemblies =
        ["Vfio.Interop.dll", "Vfio.DeviceModels.dll", "Vfio.Manager.dll", "vfioctl.dll",
         // The samples are a plug-in now: vfioctl's build places them in plugins/samples/ beside it.
         "plugins/samples/Samples.Catalog.dll", "plugins/samples/Samples.Nic.dll", "plugins/samples/Samples.Serial.dll"];

    public static TheoryData<string> Assemblies => [.. ProductAssemblies];

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void No_product_assembly_references_the_OpenSSL_backed_crypto_types(string assembly)
    {
        string path = Path.Join(AppContext.BaseDirectory, assembly);
        Assert.True(File.Exists(path), $"{assembly} is not beside the tests; the list of product assemblies is stale");
        using var pe = new PEReader(File.OpenRead(path));
        MetadataReader metadata = pe.GetMetadataReader();
        string[] crypto = [.. metadata.TypeReferences
            .Select(handle => metadata.GetTypeReference(handle))
            .Select(type => $"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}")
            .Where(name => name.StartsWith("System.Security.Cryptography", StringComparison.Ordinal))];
        Assert.True(crypto.Length == 0, $"{assembly} references {string.Join(", ", crypto)}: it would need libssl on Linux");
    }

    /// <summary>
    /// A published vfioctl (single-file, ReadyToRun or NativeAOT) must run alone: no native helper library beside it.
    /// Mono.Posix needed libMonoPosixHelper.so for every call; the product's few libc calls beyond .NET's API go through
    /// Tmds.LibC (DllImport of libc.so.6 itself) and its own LibraryImport bindings, so no product assembly may reference
    /// a library that brings its own native helper.
    /// </summary>
    [Theory]
    [MemberData(nameof(Assemblies))]
    public void No_product_assembly_needs_a_native_helper_library(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(Path.Join(AppContext.BaseDirectory, assembly)));
        MetadataReader metadata = pe.GetMetadataReader();
        string[] references = [.. metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name))];
        Assert.DoesNotContain(references, name => name.StartsWith("Mono.Posix", StringComparison.Ordinal));
        string[] modules = [.. Enumerable.Range(1, metadata.GetTableRowCount(TableIndex.ModuleRef))
            .Select(row => metadata.GetString(metadata.GetModuleReference(MetadataTokens.ModuleReferenceHandle(row)).Name))];
        // vfio-process-symbols is resolved to the process's own global scope (libc, seen through LD_PRELOAD): Interop.ProcessCalls.
        Assert.True(modules.All(m => m is "libc" or "libc.so.6" or "vfio-process-symbols"),
            $"{assembly} imports native code from {string.Join(", ", modules)}; only libc is on every host");
    }

    [Fact]
    public void The_metadata_scan_sees_a_crypto_reference_where_there_is_one()
    {
        // The test assembly itself hashes with SHA-256 below, so the same scan must find it here.
        _ = System.Security.Cryptography.SHA256.HashData([1, 2, 3]);
        using var pe = new PEReader(File.OpenRead(typeof(NativeDependencyTests).Assembly.Location));
        MetadataReader metadata = pe.GetMetadataReader();
        Assert.Contains(metadata.TypeReferences, handle =>
            metadata.GetString(metadata.GetTypeReference(handle).Namespace) == "System.Security.Cryptography");
    }
}
