// vfioctl: the operator's command line. Everything else lives in Cli/ and Commands/ (STYLE P12).
using System.CommandLine;
using Microsoft.Win32.SafeHandles;
using Vfioctl.Cli;

// The binary stdout of 'save -o -' is a FileStream on fd 1, not Console.OpenStandardOutput(): the console stream
// swallows EPIPE, so a reader that went away (a cut ssh, a load that failed) would let the save "succeed" and stop
// the source while the state went nowhere. On fd 1 a broken pipe is an IOException and the save fails, named.
using var app = new CliApplication(Console.Out, Console.Error, Console.OpenStandardInput,
    () => new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0));
RootCommand root = RootCommandDefinition.Create(app);
return await app.RunAsync(root, args).ConfigureAwait(false);
