using BpfSharp.Btf;
using BpfSharp.Linux.Features;
using BpfSharp.Linux.Links;

namespace BpfSharp.Linux.Tools;

/// <summary>
/// Questions a tool asks before choosing its attach points (libbpf-tools' <c>tracepoint_exists</c>,
/// <c>fentry_can_attach</c>, <c>kprobe_exists</c>, <c>probe_tp_btf</c>): whether a tracepoint, raw tracepoint,
/// kernel function, kfunc or BTF type exists on the running kernel. Answers come from tracefs, the kernel's BTF
/// (vmlinux and loaded modules) and <c>/proc/kallsyms</c>; none loads a program.
/// </summary>
public static class TracingProbes
{
    /// <summary>
    /// Whether the classic tracepoint <paramref name="category"/>/<paramref name="name"/> exists: its directory in
    /// the mounted tracefs, or, when tracefs is not mounted, the raw tracepoint of the same name in BTF (every
    /// classic tracepoint has one).
    /// </summary>
    public static bool TracepointExists(string category, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(category);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (category.Contains('/') || name.Contains('/') || category.Contains("..") || name.Contains("..")) return false;
        var root = Tracefs.FindRoot();
        return root is not null ? Directory.Exists(Path.Combine(root, "events", category, name)) : RawTracepointExists(name);
    }

    /// <summary>
    /// Whether <c>raw_tp/</c> and <c>tp_btf/</c> can name <paramref name="name"/>: the kernel's BTF has the
    /// <c>btf_trace_<paramref name="name"/></c> typedef the loader resolves them through.
    /// </summary>
    public static bool RawTracepointExists(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return BtfTypeExists("btf_trace_" + name, BtfKind.Typedef);
    }

    /// <summary>Whether vmlinux or a loaded module has a BTF type <paramref name="name"/> of kind <paramref name="kind"/>.</summary>
    public static bool BtfTypeExists(string name, BtfKind kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (RunningKernel.Btf.FindByName(name, kind) > 0) return true;
        foreach (var module in RunningKernel.GetModuleNames())
            if (RunningKernel.GetModuleBtf(module)?.FindByName(name, kind) > 0) return true;
        return false;
    }

    /// <summary>Whether the kfunc <paramref name="name"/> exists (a FUNC in vmlinux or module BTF).</summary>
    public static bool KfuncExists(string name) => BpfFeatureProbes.Kfunc(name);

    /// <summary>
    /// Whether the kernel has a function (text symbol) named <paramref name="name"/> in <c>/proc/kallsyms</c> (what
    /// a kprobe or fentry needs; whether the kernel lets you attach is a separate question).
    /// </summary>
    public static bool KernelFunctionExists(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var line in File.ReadLines(Symbols.KernelSymbolTable.KallsymsPath))
        {
            // "address type name[\tmodule]"
            var span = line.AsSpan();
            if (span.Length < 20) continue;
            var firstSpace = span.IndexOf(' ');
            if (firstSpace < 0 || firstSpace + 3 > span.Length) continue;
            var type = span[firstSpace + 1];
            if (type is not ('T' or 't' or 'W' or 'w')) continue;
            var symbol = span[(firstSpace + 3)..];
            var tab = symbol.IndexOf('\t');
            if (tab >= 0) symbol = symbol[..tab];
            if (symbol.SequenceEqual(name)) return true;
        }
        return false;
    }
}
