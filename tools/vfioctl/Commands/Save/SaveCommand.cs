using Mdev.Manager;
using Vfio;
using Vfioctl.Cli;
using Vfioctl.Host;
using Vfioctl.Output;

namespace Vfioctl.Commands.Save;

/// <summary>
/// <c>vfioctl save</c>: the source half. Only the stream goes to stdout; everything a person reads goes to stderr,
/// so <c>vfioctl save A | ssh host vfioctl load B</c> carries nothing but the envelope.
/// </summary>
internal sealed class SaveCommand(MigrationOrchestrator orchestrator, MigrationHosts hosts, CliConsole console, TerminationSignals signals)
{
    public async Task<int> ExecuteAsync(MdevUuid uuid, string output, MigrationOptions options, CancellationToken cancellationToken)
    {
        using IDisposable moving = signals.MoveState();
        var source = new MigrationSource(hosts.Local, uuid);
        MigrationOutcome outcome;
        if (output == "-")
        {
            if (console.OutputIsTerminal)
            {
                throw new VfioException(ErrorCode.UsageError, "refusing to write the binary migration stream to a terminal; pipe it (| vfioctl load ...) or use -o <file>.");
            }
            Stream stdout = console.OpenOutput();
            await using (stdout.ConfigureAwait(false))
            {
                outcome = await Save(source, stdout, options, cancellationToken).ConfigureAwait(false);
                await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        else
        {
            // Written beside the target and renamed on success: a failed save never leaves a file that looks whole.
            // Created owner-only, never through a link (CliFiles.CreatePartial).
            FileStream file = CliFiles.CreatePartial(output);
            await using (file.ConfigureAwait(false))
            {
                outcome = await Save(source, file, options, cancellationToken).ConfigureAwait(false);
            }
            if (outcome.Succeeded)
            {
                CliFiles.CommitPartial(output);
            }
            else
            {
                CliFiles.DiscardPartial(output);
            }
        }
        console.Error.WriteLine($"save {uuid}: {outcome}");
        if (outcome.StateLeft && !outcome.Succeeded)
        {
            console.Error.WriteLine($"the whole stream had been written before the failure: {uuid} stays stopped, marked as moved away; 'vfioctl resume --force {uuid}' once no load of it runs.");
        }
        outcome.ThrowIfFailed();
        console.Error.WriteLine($"source {uuid} is stopped and marked as moved away (its whole state was written). After the load succeeds elsewhere: 'vfioctl abort {uuid}'; " +
            $"if it failed or never ran: 'vfioctl resume --force {uuid}'.");
        return ExitCodes.Ok;
    }

    private Task<MigrationOutcome> Save(MigrationSource source, Stream output, MigrationOptions options, CancellationToken cancellationToken) =>
        ProgressDisplay.RunAsync(console, "save", progress => orchestrator.SaveAsync(source, output, options, progress, cancellationToken));
}
