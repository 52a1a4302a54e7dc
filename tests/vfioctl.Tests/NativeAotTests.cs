using System.Diagnostics;
using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Commands.Demo;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// Issue 15, goal 5: vfioctl published with NativeAOT (<c>dotnet publish tools/vfioctl -c Release -p:PublishAot=true</c>)
/// is one executable that runs alone, prints what the framework-dependent vfioctl prints for the verbs that need no
/// plug-in, and refuses a verb that needs one with a catalogued E6051, never a stack trace. The publish is done once
/// per test run (<see cref="NativeVfioctl"/>), so the NativeAOT build cannot rot: a trim or AOT warning (errors here)
/// or a missing package fails this class. How fast it starts is measured in tools/vfioctl/startup-benchmark.sh, not here.
/// </summary>
[Collection(NativeVfioctlCollection.Name)]
public sealed class NativeAotTests : IDisposable
{
    private const string Device = "b0000000-0000-4000-8000-0000000000a1";
    private readonly NativeVfioctl _native;
    private readonly DemoHostFixture _hosts = new();

    public NativeAotTests(NativeVfioctl native) => _native = native;

    public void Dispose() => _hosts.Dispose();

    private string Parent => DemoHosts.Parent.Value;

    private string Type => DemoHosts.Type.Value;

    [Fact]
    public void The_publish_is_one_executable_that_needs_only_the_C_library()
    {
        Assert.Equal(["vfioctl"], Directory.GetFiles(_native.PublishDirectory).Select(Path.GetFileName));
        Assert.Empty(Directory.GetDirectories(_native.PublishDirectory));
        // Its dynamic section names the C library and the loader's companions only: no ICU, no libssl, no helper .so.
        (int code, string dynamic, string error) = NativeVfioctl.Run("readelf", new Dictionary<string, string>(), "-d", _native.Executable);
        Assert.True(code == 0, error);
        string[] needed = [.. dynamic.Split('\n').Where(l => l.Contains("(NEEDED)", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf('[', StringComparison.Ordinal) + 1)..l.IndexOf(']', StringComparison.Ordinal)])];
        Assert.NotEmpty(needed);
        Assert.All(needed, library => Assert.Matches(@"^(libc|libm|libdl|librt|libpthread|ld-linux-x86-64)\.so\.\d+$", library));
    }

    [Fact]
    public async Task Version_list_types_models_and_describe_print_what_the_framework_dependent_vfioctl_prints()
    {
        CliResult started = await Cli.RunAsync(["--emulated", _hosts.HostA, "start", "-u", Device, "-p", Parent, "-t", Type, "--config", "version=3"]);
        Assert.True(started.ExitCode == 0, started.Err);

        CliResult version = await _native.RunAsync("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Out);

        string[][] verbs =
        [
            ["list"], ["list", "--dumpjson"], ["types"], ["types", "--dumpjson"], ["models"], ["capabilities"], ["describe", Device],
        ];
        foreach (string[] verb in verbs)
        {
            CliResult jit = await Cli.RunAsync(["--emulated", _hosts.HostA, .. verb]);
            CliResult native = await _native.RunAsync(["--emulated", _hosts.HostA, .. verb]);
            Assert.True(native.ExitCode == jit.ExitCode, $"{string.Join(' ', verb)}: native exit {native.ExitCode}, framework-dependent {jit.ExitCode}\n{native.Err}");
            Assert.Equal(jit.Out, native.Out);
            Assert.Equal(jit.Err, native.Err);
        }
        Assert.Contains(Device, (await _native.RunAsync("--emulated", _hosts.HostA, "list")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_verbs_that_need_no_plugin_load_neither_libssl_nor_ICU()
    {
        // The dynamic loader's own record of every library the process opened (dlopen too): a host without libssl or
        // ICU must run these verbs.
        string trace = Directory.CreateDirectory(Path.Join(_hosts.Root, "ld")).FullName;
        foreach (string[] verb in new[] { new[] { "list" }, ["types"], ["models"], ["--version"] })
        {
            string[] args = verb[0] == "--version" ? verb : ["--emulated", _hosts.HostA, .. verb];
            CliResult result = await _native.RunAsync(new Dictionary<string, string> { ["LD_DEBUG"] = "libs", ["LD_DEBUG_OUTPUT"] = Path.Join(trace, verb[0].TrimStart('-')) }, args);
            Assert.True(result.ExitCode == 0, result.Err);
        }
        string[] files = Directory.GetFiles(trace);
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            Assert.Contains("libc.so", text, StringComparison.Ordinal);
            Assert.DoesNotContain("libssl", text, StringComparison.Ordinal);
            Assert.DoesNotContain("libcrypto", text, StringComparison.Ordinal);
            Assert.DoesNotContain("libicu", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_error_is_one_catalogued_line_and_its_exit_code()
    {
        CliResult missing = await _native.RunAsync("--emulated", Path.Join(_hosts.Root, "no-such-host"), "list");
        AssertCatalogued(missing, "E7010", 64);

        CliResult usage = await _native.RunAsync("--emulated", _hosts.HostA, "describe", "not-a-uuid");
        Assert.Equal(64, usage.ExitCode);
        Assert.StartsWith("error E7001", usage.Err, StringComparison.Ordinal);
        AssertNoStackTrace(usage);

        CliResult unknown = await _native.RunAsync("--emulated", _hosts.HostA, "describe", Device);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.StartsWith("error E", unknown.Err, StringComparison.Ordinal);
        AssertNoStackTrace(unknown);
    }

    [Fact]
    public async Task A_verb_that_runs_device_code_is_refused_with_E6051_naming_the_build_to_use()
    {
        CliResult started = await Cli.RunAsync(["--emulated", _hosts.HostA, "start", "-u", Device, "-p", Parent, "-t", Type, "--config", "version=3"]);
        Assert.True(started.ExitCode == 0, started.Err);

        CliResult traffic = await _native.RunAsync("--emulated", _hosts.HostA, "traffic", Device);
        AssertCatalogued(traffic, "E6051", 1);
        Assert.Contains("NativeAOT", traffic.Err, StringComparison.Ordinal);
        Assert.Contains("dotnet vfioctl.dll", traffic.Err, StringComparison.Ordinal);

        // The demo names the sample plug-in, which a native vfioctl neither has beside it nor could load.
        CliResult demo = await _native.RunAsync("demo", "--root", Path.Join(_hosts.Root, "demo"));
        AssertCatalogued(demo, "E6051", 1);
    }

    private static void AssertCatalogued(CliResult result, string id, int exitCode)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}, expected {exitCode}\n{result.Err}");
        Assert.StartsWith($"error {id} ", result.Err, StringComparison.Ordinal);
        Assert.Contains($"see docs/errors.md#{id.ToLowerInvariant()}", result.Err, StringComparison.Ordinal);
        AssertNoStackTrace(result);
    }

    private static void AssertNoStackTrace(CliResult result)
    {
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.Err, StringComparison.Ordinal);
    }
}

[CollectionDefinition(Name)]
public sealed class NativeVfioctlCollection : ICollectionFixture<NativeVfioctl>
{
    public const string Name = "native vfioctl";
}

/// <summary>
/// vfioctl published with NativeAOT once per test run, from this checkout, into a temp directory, then copied alone
/// into another one (so nothing beside it in the publish folder can be what makes it run). The build has its own
/// artifacts folder (<c>--artifacts-path</c>): it shares no bin/ or obj/ with the solution's build or a parallel test.
/// </summary>
public sealed class NativeVfioctl : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("vfioctl-aot-").FullName;

    public NativeVfioctl()
    {
        string root = Golden.RepositoryRoot();
        PublishDirectory = Path.Join(_work, "publish");
        (int code, string output, string error) = Run("dotnet", new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
            "publish", Path.Join(root, "tools", "vfioctl"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true",
            "--artifacts-path", Path.Join(_work, "artifacts"), "-o", PublishDirectory, "-nologo", "-v", "quiet");
        if (code != 0)
        {
            throw new InvalidOperationException($"dotnet publish -p:PublishAot=true failed (exit {code}); NativeAOT needs gcc or clang (.ci/run installs gcc):\n{output}\n{error}");
        }
        string alone = Directory.CreateDirectory(Path.Join(_work, "alone")).FullName;
        Executable = Path.Join(alone, "vfioctl");
        File.Copy(Path.Join(PublishDirectory, "vfioctl"), Executable); // keeps the mode: executable
    }

    public string PublishDirectory { get; }

    /// <summary>The native vfioctl, alone in its directory.</summary>
    public string Executable { get; }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    internal Task<CliResult> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    internal async Task<CliResult> RunAsync(Dictionary<string, string> environment, string[] args)
    {
        (int code, string output, string error) = await Task.Run(() => Run(Executable, environment, args));
        return new CliResult(code, output, error, []);
    }

    internal static (int Code, string Output, string Error) Run(string file, IDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach ((string key, string value) in environment)
        {
            info.Environment[key] = value;
        }
        using Process process = Process.Start(info)!;
        process.StandardInput.Close();
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} ran over 10 minutes");
        }
        return (process.ExitCode, output, error.Result);
    }
}
