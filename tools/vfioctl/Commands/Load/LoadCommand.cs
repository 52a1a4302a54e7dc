using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Load;

/// <summary><c>vfioctl load</c>: the destination half; the stream's header is checked before a byte is loaded.</summary>
internal sealed class LoadCommand(MigrationOrchestrator orchestrator, MigrationHosts hosts, CliConsole console, TerminationSignals signals)
{
    public async Task<int> ExecuteAsync(MdevUuid uuid, string input, ParentDeviceName? parent, MdevTypeName? type, CancellationToken cancellationToken, bool force = false, bool json = false, int channels = 1)
    {
        using IDisposable moving = signals.MoveState();
        MigrationDestination destination = parent is ParentDeviceName p && type is MdevTypeName t
            ? MigrationDestination.NewDevice(hosts.Local, p, t, uuid)
            : MigrationDestination.Existing(hosts.Local, uuid);
        if (input == "-" && console.InputIsTerminal)
        {
            throw CliErrors.StreamOnTerminal(save: false);
        }
        IReadOnlyList<string> paths = ChannelPaths.For(input, channels, "-i");
        IReadOnlyList<Stream> streams = input == "-" ? [console.OpenInput()] : ChannelPaths.OpenForLoad(paths);
        MigrationOutcome outcome;
        try
        {
            var options = new MigrationOptions { Force = force, Channels = channels };
            outcome = await ProgressDisplay.RunAsync(console, "load",
                progress => orchestrator.LoadAsync(destination, streams, options, progress, cancellationToken), json).ConfigureAwait(false);
        }
        finally
        {
            foreach (Stream stream in streams)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
        CommonOptions.WarnForced(console.Error, outcome.Overridden);
        if (json)
        {
            ProgressDisplay.WriteOutcome(console.Error, "load", outcome);
        }
        else
        {
            console.Error.WriteLine($"load {uuid}: {outcome}");
        }
        outcome.ThrowIfFailed();
        console.Output.WriteLine($"{uuid} loaded ({ProgressDisplay.Bytes(outcome.Bytes)}) and running");
        return ExitCodes.Ok;
    }
}
