# bash completion for bpfsharp: source this file (from ~/.bashrc), or copy it to
# ~/.local/share/bash-completion/completions/bpfsharp. The completion table comes from the tool beside this file
# ('bpfsharp completion bash'), so it always matches the installed verbs and options.
__bpfsharp_tool="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/bpfsharp"
if [[ -x "$__bpfsharp_tool" ]]; then
    source <("$__bpfsharp_tool" completion bash)
elif type -P bpfsharp >/dev/null; then
    source <(bpfsharp completion bash)
fi
unset __bpfsharp_tool
