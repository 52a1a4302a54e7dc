using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Microsoft.Extensions.Logging;
using Vfio.Devices;
using Vfio.Migration;
using DeviceFaults = Vfio.Emulation.EmulatedFaults;

namespace Vfio.Tests.Manager.Migration;

/// <summary>Rollbacks are logged with stable event ids, so an operator can see who was resumed and who was removed.</summary>
public sealed class LoggingTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task AFailedLoad_LogsTheSourceRollbackAndTheDestinationRemoval()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        var destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type);
        _host.Recording.FaultsOnOpen[destination.NewDeviceUuid!.Value] = new DeviceFaults { ErrorOnArc = new StateArc(MigrationState.Resuming, MigrationState.Stop) };
        var log = new ListLogger();

        MigrationOutcome outcome = await new MigrationOrchestrator(log).MigrateAsync(new MigrationSource(_host.Migration, source), destination);

        Assert.False(outcome.Succeeded);
        Assert.Contains(log.Entries, e => e.Id == 604 && e.Message.Contains(destination.NewDeviceUuid.Value.ToString(), StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Id == 605 && e.Message.StartsWith(source.ToString(), StringComparison.Ordinal) && e.Message.Contains("Running", StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Id == 606 && e.Message.Contains("E4003", StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Id == 602 && e.Message.Contains("Resuming", StringComparison.Ordinal));
    }

    private sealed class ListLogger : ILogger<MigrationOrchestrator>
    {
        private readonly List<(int Id, string Message)> _entries = [];

        public IReadOnlyList<(int Id, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((eventId.Id, formatter(state, exception)));
            }
        }
    }
}
