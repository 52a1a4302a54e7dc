// vfioctl: the operator's command line. Everything else lives in Cli/ and Commands/.
using System.CommandLine;
using Microsoft.Win32.SafeHandles;
using Vfio.Ctl.Cli;
using Vfio.IO;

// The binary stdout of 'save -o -' is a FileStream on fd 1, not Console.OpenStandardOutput(): the console stream
// swallows EPIPE, so a reader that went away (a cut ssh, a load that failed) would let the save "succeed" and stop
// the source while the state went nowhere. On fd 1 a broken pipe is an IOException and the save fails, named.
// Both are PolledStreams: a read or write waits with poll(2) and gives up when a signal cancels the verb, so a save
// blocked on a pipe nobody drains, or a load waiting for bytes, rolls back on Ctrl-C (TerminationSignals).
using var signals = TerminationSignals.Register(Console.Error);
// A pipe on either is grown to a chunk first (UnixPipe.TryGrow): 64 KiB would cost a sleep and a wake-up on each side
// for every 64 KiB of a migration stream.
using var app = new CliApplication(Console.Out, Console.Error,
    () =>
    {
        UnixPipe.TryGrow(new SafeFileHandle(0, ownsHandle: false));
        return new PolledStream(Console.OpenStandardInput(), 0, signals.Token);
    },
    () =>
    {
        var stdout = new SafeFileHandle(1, ownsHandle: false);
        UnixPipe.TryGrow(stdout);
        return new PolledStream(new FileStream(stdout, FileAccess.Write, bufferSize: 0), 1, signals.Token);
    })
{
    Signals = signals,
};
RootCommand root = RootCommandDefinition.Create(app, args);
return await app.RunAsync(root, args).ConfigureAwait(false);
