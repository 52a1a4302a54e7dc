using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Completion;

/// <summary>
/// <c>vfioctl completion bash|zsh</c>: a script that asks vfioctl itself what can come next, through System.CommandLine's
/// <c>[suggest:N]</c> directive, so verbs, options, parent and type names and device UUIDs complete from the one command
/// tree (no list to keep in step). The script drops the program name, then passes the rest of the line up to the cursor.
/// </summary>
internal sealed class CompletionCommand(CliConsole console)
{
    public static readonly string[] Shells = ["bash", "zsh"];

    private const string Bash = """
        # vfioctl tab completion for bash. Install: vfioctl completion bash > /etc/bash_completion.d/vfioctl
        # (or, for one shell: source <(vfioctl completion bash)). vfioctl answers through its [suggest:N] directive.
        _vfioctl_complete()
        {
            local line="${COMP_LINE:0:COMP_POINT}"
            local rest=""
            [[ "$line" == *[[:space:]]* ]] && rest="${line#*[[:space:]]}"
            local cur="${COMP_WORDS[COMP_CWORD]}"
            local IFS=$'\n'
            COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#rest}]" "$rest" 2>/dev/null)" -- "$cur") )
        }
        complete -o default -F _vfioctl_complete vfioctl
        """;

    private const string Zsh = """
        #compdef vfioctl
        # vfioctl tab completion for zsh. Install: vfioctl completion zsh > "${fpath[1]}/_vfioctl"
        # (or, for one shell: source <(vfioctl completion zsh)). vfioctl answers through its [suggest:N] directive.
        _vfioctl() {
            local rest="${(j: :)${words[2,CURRENT]}}"
            local -a suggestions
            suggestions=("${(@f)$("${words[1]}" "[suggest:${#rest}]" "$rest" 2>/dev/null)}")
            compadd -a suggestions
        }
        if [[ "$(whence -w compdef 2>/dev/null)" == *function* ]]; then
            compdef _vfioctl vfioctl
        fi
        """;

    public int Execute(string shell)
    {
        console.Output.WriteLine(shell == "zsh" ? Zsh : Bash);
        return ExitCodes.Ok;
    }
}
