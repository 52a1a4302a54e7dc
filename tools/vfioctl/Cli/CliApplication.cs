using System.CommandLine;
using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Cli;

/// <summary>
/// One run of vfioctl: parses, builds the services from the global options (validated before any verb runs),
/// invokes the verb, and is the ONE place where a <see cref="VfioException"/> becomes an error line and an exit code.
/// No exception leaves it: a file call's failure that no layer named is still printed with its errno's code, and
/// anything else as <see cref="ErrorCode.InternalError"/> in one line (the stack trace only with <c>--verbose</c>).
/// </summary>
internal sealed class CliApplication : IDisposable
{
    private readonly Func<Stream> _openInput;
    private readonly Func<Stream> _openOutput;
    private readonly bool _errorIsTerminal;
    private readonly bool _outputIsTerminal;
    private readonly bool _inputIsTerminal;
    private ParseResult? _parse;
    private ServiceProvider? _services;

    public CliApplication(TextWriter output, TextWriter error, Func<Stream> openInput, Func<Stream> openOutput, bool? errorIsTerminal = null, bool? outputIsTerminal = null, bool? inputIsTerminal = null)
    {
        Output = output;
        Error = error;
        _openInput = openInput;
        _openOutput = openOutput;
        _errorIsTerminal = errorIsTerminal ?? !Console.IsErrorRedirected;
        _outputIsTerminal = outputIsTerminal ?? !Console.IsOutputRedirected;
        _inputIsTerminal = inputIsTerminal ?? !Console.IsInputRedirected;
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>The signals a verb that moves state turns into a rollback; none (a test process's signals stay its own) unless Program.cs registers them.</summary>
    public TerminationSignals Signals { get => _signals ??= TerminationSignals.None(Error); init => _signals = value; }

    private TerminationSignals? _signals;

    /// <summary>Extra registrations, for tests that replace a boundary (the emulated device catalog). The manager's
    /// options are a ready instance built from the command line, not the options pipeline: <c>Configure&lt;T&gt;</c> here has no effect.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Resolves a verb's behaviour class; builds and validates the services on first use.</summary>
    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The services, built from the global options of the parsed command line.</summary>
    public IServiceProvider Services => _services ??= BuildServices(_parse ?? throw new InvalidOperationException("no command line parsed yet"));

    public async Task<int> RunAsync(RootCommand root, IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        _parse = root.Parse(args);
        if (_parse.Errors.Count > 0)
        {
            foreach (var parseError in _parse.Errors)
            {
                ErrorReport.Write(Error, ErrorCode.UsageError, parseError.Message);
            }
            Error.WriteLine("  run 'vfioctl --help' (or 'vfioctl <verb> --help') for usage");
            return ExitCodes.Usage;
        }
        try
        {
            // Signals are TerminationSignals' (a rollback first), not System.CommandLine's (an exit after 2 s).
            var configuration = new InvocationConfiguration { Output = Output, Error = Error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Signals.Token);
            return await _parse.InvokeAsync(configuration, linked.Token).ConfigureAwait(false);
        }
        catch (VfioException e) when (e.Code == ErrorCode.MigrationCancelled && Signals.Received is { } signal)
        {
            ErrorReport.Write(Error, e.Code, $"{e.Message} by {TerminationSignals.Name(signal)}; rolled back as after a failure (the verb's last line says where each device was left)");
            return ExitCodes.Signalled(signal);
        }
        catch (VfioException e)
        {
            ErrorReport.Write(Error, e.Code, e.Message);
            return ExitCodes.For(e.Code);
        }
        catch (OptionsValidationException e)
        {
            ErrorReport.Write(Error, ErrorCode.OptionsInvalid, string.Join("; ", e.Failures));
            return ExitCodes.For(ErrorCode.OptionsInvalid);
        }
        catch (OperationCanceledException)
        {
            ErrorReport.Write(Error, ErrorCode.MigrationCancelled, "cancelled by the operator (Ctrl+C); devices were left as the verb's rollback put them.");
            return Signals.Received is { } signal ? ExitCodes.Signalled(signal) : ExitCodes.For(ErrorCode.MigrationCancelled);
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            // A file call no layer wrapped: the runtime's message names the path; the errno picks the code.
            VfioFileException named = FileFault.From(e, "a file operation", "", $"the runtime's message, naming the file: {e.Message}");
            ErrorReport.Write(Error, named.Code, named.Message);
            WriteTraceIfVerbose(e);
            return ExitCodes.For(named.Code);
        }
        catch (Exception e)
        {
            // The last resort: a bug. One line and a code, never an unhandled exception's stack trace on the terminal.
            ErrorReport.Write(Error, ErrorCode.InternalError,
                $"internal error: {e.GetType().Name}: {e.Message} (a bug in vfioctl; run again with --verbose for the stack trace and report it)");
            WriteTraceIfVerbose(e);
            return ExitCodes.For(ErrorCode.InternalError);
        }
    }

    private void WriteTraceIfVerbose(Exception e)
    {
        if (_parse?.GetValue(GlobalOptions.Verbose) == true)
        {
            Error.WriteLine(TerminalText.Block(e.ToString()));
        }
    }

    public void Dispose() => _services?.Dispose();

    /// <summary>
    /// Whether building the services checks that every registered service can be constructed. On in Debug builds (the
    /// tests', so a registration a verb cannot resolve fails every test run); off in Release, where the check would build
    /// a call site for every verb's class (most of which a run never uses) at each start, and a verb's own services are
    /// still resolved, and checked, when it runs.
    /// </summary>
#if DEBUG
    internal const bool ValidateServicesOnBuild = true;
#else
    internal const bool ValidateServicesOnBuild = false;
#endif

    private ServiceProvider BuildServices(ParseResult parse)
    {
        // A typo in --emulated must not read as an empty host (an explicit --sysfs-root says where sys/ is instead).
        if (parse.GetValue(GlobalOptions.Emulated) is string emulated && parse.GetValue(GlobalOptions.SysfsRoot) is null)
        {
            EmulatedRoot.Require("--emulated", emulated);
        }
        // The options are built here and checked when registered (a bad --sysfs-root fails before any verb touches the
        // host), with the manager's rules, as a ready instance; so are the logger factory and the one logger a verb
        // takes. Every service a verb resolves is then a closed registration: the options and logging pipelines' open
        // generics (IOptions<>, IOptionsFactory<>, ILogger<>, the start-up validator's) would be closed at every start,
        // and under NativeAOT built by the runtime type loader (docs/benchmarks.md, "CLI start-up").
        var options = new MdevManagerOptions();
        HostOptions.Apply(options, parse);
        var services = new ServiceCollection();
        services.AddMdevManager(options);
        services.AddSingleton(new CliConsole(Output, Error, _openInput, _openOutput, _errorIsTerminal, _outputIsTerminal, _inputIsTerminal));
        services.AddSingleton(Signals);
        CommandServices.Add(services);
        LogLevel minimum = parse.GetValue(GlobalOptions.Verbose) ? LogLevel.Debug : LogLevel.Warning;
        AddLogging(services, new StderrLoggerProvider(Error, minimum), minimum);
        ConfigureServices?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = ValidateServicesOnBuild });
    }

    /// <summary>
    /// What <c>AddLogging(l =&gt; l.SetMinimumLevel(minimum).AddProvider(provider))</c> registers, as closed registrations:
    /// the factory, and <see cref="ILogger{TCategoryName}"/> of the categories vfioctl's services take; any other category
    /// still resolves, through the open generic.
    /// </summary>
    private static void AddLogging(IServiceCollection services, ILoggerProvider provider, LogLevel minimum)
    {
        services.AddSingleton<ILoggerFactory>(_ => new LoggerFactory([provider], new LoggerFilterOptions { MinLevel = minimum }));
        services.AddSingleton<ILogger<MigrationOrchestrator>>(p => new Logger<MigrationOrchestrator>(p.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
    }
}
