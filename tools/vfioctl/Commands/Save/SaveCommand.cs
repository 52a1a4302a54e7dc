using Mdev.Manager.Migration;
using Mdev.Manager.Names;
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
    private bool _json;

    public async Task<int> ExecuteAsync(MdevUuid uuid, string output, MigrationOptions options, CancellationToken cancellationToken, bool json = false)
    {
        _json = json;
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
        else if (CliFiles.ClassifyOutput(output) == CliFiles.OutputKind.Stream)
        {
            // A FIFO or a character device the operator named: written in place, never replaced by a regular file.
            FileStream target = CliFiles.OpenExistingForWrite(output);
            await using (target.ConfigureAwait(false))
            {
                outcome = await Save(source, new FileFaultStream(target, $"writing the migration stream to '{output}'", output,
                    "the reader has what was written so far; the save is rolled back"), options, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            outcome = await SaveToFile(source, output, options, cancellationToken).ConfigureAwait(false);
        }
        if (json)
        {
            ProgressDisplay.WriteOutcome(console.Error, "save", outcome);
        }
        else
        {
            console.Error.WriteLine($"save {uuid}: {outcome}");
        }
        if (outcome.StateLeft && !outcome.Succeeded)
        {
            console.Error.WriteLine($"the whole stream had been written before the failure: {uuid} stays stopped, marked as moved away; 'vfioctl resume --force {uuid}' once no load of it runs.");
        }
        outcome.ThrowIfFailed();
        console.Error.WriteLine($"source {uuid} is stopped and marked as moved away (its whole state was written). After the load succeeds elsewhere: 'vfioctl abort {uuid}'; " +
            $"if it failed or never ran: 'vfioctl resume --force {uuid}'.");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Writes beside the target and renames on success: a failed save never leaves a file that looks whole, nor its
    /// <c>.partial</c>. Created owner-only, never through a link (<see cref="CliFiles.CreatePartial"/>). A failure to put
    /// the finished stream on disk (flush, fsync, rename) is a failed save too: the source, already stopped, is resumed.
    /// </summary>
    private async Task<MigrationOutcome> SaveToFile(MigrationSource source, string output, MigrationOptions options, CancellationToken cancellationToken)
    {
        string partial = output + ".partial";
        FileStream file = CliFiles.CreatePartial(output);
        bool committed = false;
        VfioFileException? failure = null;
        try
        {
            var guarded = new FileFaultStream(file, $"writing the migration stream to '{partial}'", partial,
                "the partial stream is removed and no stream file is written");
            var buffered = new BufferedStream(guarded, 64 * 1024);
            MigrationOutcome outcome = await Save(source, buffered, options, cancellationToken).ConfigureAwait(false);
            if (!outcome.Succeeded)
            {
                return outcome;
            }
            try
            {
                await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
                FileSync.File(file, $"fsync of the migration stream '{partial}'", "the partial stream is removed and no stream file is written");
                await file.DisposeAsync().ConfigureAwait(false);
                CliFiles.CommitPartial(output);
                committed = true;
                return outcome;
            }
            catch (VfioFileException e)
            {
                failure = e;
            }
        }
        finally
        {
            // Unbuffered: disposing after a failed write has nothing left to flush, so it cannot fail again here.
            await file.DisposeAsync().ConfigureAwait(false);
            if (!committed && CliFiles.DiscardPartial(output) is string left)
            {
                console.Error.WriteLine($"save {source.Device}: {left}");
            }
        }
        // The stream is complete in the device's eyes but not on disk: the save failed, so the source runs again. The
        // orchestrator marked it moved away when the end record went out; this command knows that record reached no
        // reader (the partial file is gone), which is exactly what --force asserts.
        MigrationOutcome resumed = orchestrator.Resume(source, force: true);
        throw new VfioFileException(failure.Code, failure.Errno, failure.Operation, failure.Path,
            $"no stream file was written; source {source.Device} {(resumed.Succeeded ? "was resumed and runs" : $"could not be resumed ({resumed}); 'vfioctl resume {source.Device}' runs it again")}",
            failure);
    }

    private Task<MigrationOutcome> Save(MigrationSource source, Stream output, MigrationOptions options, CancellationToken cancellationToken) =>
        ProgressDisplay.RunAsync(console, "save", progress => orchestrator.SaveAsync(source, output, options, progress, cancellationToken), _json);
}
