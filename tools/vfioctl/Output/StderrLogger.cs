using Microsoft.Extensions.Logging;

namespace Vfio.Ctl.Output;

/// <summary>
/// The manager's logs (state arcs, pre-copy rounds, rollbacks) as plain lines on stderr, never stdout, so they can
/// not corrupt a stream on <c>save -o -</c>. Warnings always; everything with <c>--verbose</c>. Each entry is one
/// line: control characters in it are escaped (<see cref="TerminalText.Line"/>), so a logged name cannot forge another.
/// </summary>
internal sealed class StderrLoggerProvider(TextWriter error, LogLevel minimum) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private sealed class Logger(StderrLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            string line = $"{logLevel.ToString().ToLowerInvariant()} {category}[{eventId.Id}]: {TerminalText.Line(formatter(state, exception))}";
            lock (provider._gate)
            {
                provider.Error.WriteLine(line);
            }
        }
    }

    private TextWriter Error => error;

    private LogLevel Minimum => minimum;
}
