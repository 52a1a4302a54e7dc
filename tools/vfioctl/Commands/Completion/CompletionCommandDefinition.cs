using System.CommandLine;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Completion;

internal static class CompletionCommandDefinition
{
    public static readonly Argument<string> ShellArgument = new("shell")
    {
        Description = "bash or zsh",
        CustomParser = r =>
        {
            string shell = r.Tokens.Count > 0 ? r.Tokens[0].Value : string.Empty;
            if (!CompletionCommand.Shells.Contains(shell, StringComparer.Ordinal))
            {
                r.AddError($"'{shell}' is not a shell vfioctl completes in; expected one of {string.Join(", ", CompletionCommand.Shells)}.");
            }
            return shell;
        },
    };

    public static Command Create(CliApplication app)
    {
        Command command = new("completion", "Print the tab-completion script for bash or zsh (install: vfioctl completion bash > /etc/bash_completion.d/vfioctl; or source <(vfioctl completion bash))");
        command.Arguments.Add(ShellArgument);
        command.SetAction((ParseResult r) => app.Get<CompletionCommand>().Execute(r.GetValue(ShellArgument)!));
        return command;
    }
}
