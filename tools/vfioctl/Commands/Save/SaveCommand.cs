using Vfio.Errors;
using Vfio.Files;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Save;

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
        if (options.Channels > 1)
        {
            outcome = await SaveToChannels(source, ChannelPaths.For(output, options.Channels, "-o"), options, cancellationToken).ConfigureAwait(false);
        }
        else if (output == "-")
        {
            if (console.OutputIsTerminal)
            {
                throw CliErrors.StreamOnTerminal(save: true);
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

    /// <summary>
    /// A save over several channels: each channel that names a FIFO or character device is written in place, each other
    /// one beside its target and renamed on success, as <see cref="SaveToFile"/> does for one; a failed save leaves no
    /// channel file that looks whole.
    /// </summary>
    private async Task<MigrationOutcome> SaveToChannels(MigrationSource source, IReadOnlyList<string> paths, MigrationOptions options, CancellationToken cancellationToken)
    {
        var files = new List<(string Path, FileStream File, bool Partial)>(paths.Count);
        var outputs = new List<Stream>(paths.Count);
        bool committed = false;
        VfioFileException? failure = null;
        try
        {
            foreach (string path in paths)
            {
                bool partial = CliFiles.ClassifyOutput(path) != CliFiles.OutputKind.Stream;
                FileStream file = partial ? CliFiles.CreatePartial(path) : CliFiles.OpenExistingForWrite(path);
                files.Add((path, file, partial));
                string written = partial ? path + ".partial" : path;
                var guarded = new FileFaultStream(file, $"writing the migration stream to '{written}'", written,
                    partial ? "the partial streams are removed and no stream file is written" : "the reader has what was written so far; the save is rolled back");
                outputs.Add(partial ? new BufferedStream(guarded, 64 * 1024) : guarded);
            }
            MigrationOutcome outcome = await Save(source, outputs, options, cancellationToken).ConfigureAwait(false);
            if (!outcome.Succeeded)
            {
                return outcome;
            }
            try
            {
                for (int i = 0; i < files.Count; i++)
                {
                    await outputs[i].FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (files[i].Partial)
                    {
                        FileSync.File(files[i].File, $"fsync of the migration stream '{files[i].Path}.partial'", "the partial streams are removed and no stream file is written");
                    }
                    await files[i].File.DisposeAsync().ConfigureAwait(false);
                }
                foreach ((string path, _, bool partial) in files)
                {
                    if (partial)
                    {
                        CliFiles.CommitPartial(path);
                    }
                }
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
            foreach ((string path, FileStream file, bool partial) in files)
            {
                await file.DisposeAsync().ConfigureAwait(false);
                if (!committed && partial && CliFiles.DiscardPartial(path) is string left)
                {
                    console.Error.WriteLine($"save {source.Device}: {left}");
                }
            }
        }
        MigrationOutcome resumed = orchestrator.Resume(source, force: true);
        throw new VfioFileException(failure.Code, failure.Errno, failure.Operation, failure.Path,
            $"no complete set of stream files was written; source {source.Device} {(resumed.Succeeded ? "was resumed and runs" : $"could not be resumed ({resumed}); 'vfioctl resume {source.Device}' runs it again")}",
            failure);
    }

    private Task<MigrationOutcome> Save(MigrationSource source, IReadOnlyList<Stream> outputs, MigrationOptions options, CancellationToken cancellationToken) =>
        ProgressDisplay.RunAsync(console, "save", progress => orchestrator.SaveAsync(source, outputs, options, progress, cancellationToken), _json);

    private Task<MigrationOutcome> Save(MigrationSource source, Stream output, MigrationOptions options, CancellationToken cancellationToken) =>
        ProgressDisplay.RunAsync(console, "save", progress => orchestrator.SaveAsync(source, output, options, progress, cancellationToken), _json);
}
