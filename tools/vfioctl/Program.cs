// vfioctl: the operator's command line. Everything else lives in Cli/ and Commands/ (STYLE P12).
using System.CommandLine;
using Vfioctl.Cli;

using var app = new CliApplication(Console.Out, Console.Error, Console.OpenStandardInput, Console.OpenStandardOutput);
RootCommand root = RootCommandDefinition.Create(app);
return await app.RunAsync(root, args).ConfigureAwait(false);
