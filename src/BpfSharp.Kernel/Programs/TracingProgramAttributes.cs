namespace BpfSharp.Kernel;

/// <summary>
/// <c>SEC("kprobe.multi/PATTERN")</c>: one program on every traceable kernel function matching the glob ('*', '?');
/// the context is <see cref="PtRegs"/>. Needs Linux 5.18 built with fprobe.
/// </summary>
public sealed class KprobeMultiAttribute(string pattern) : BpfProgramAttribute("kprobe.multi/" + pattern);

/// <summary><c>SEC("kretprobe.multi/PATTERN")</c>: as <see cref="KprobeMultiAttribute"/>, when the functions return.</summary>
public sealed class KretprobeMultiAttribute(string pattern) : BpfProgramAttribute("kretprobe.multi/" + pattern);

/// <summary>
/// <c>SEC("uprobe.multi/PATH:PATTERN")</c>: one program on every function of an executable or library whose name
/// matches the glob (Linux 6.6+); the context is <see cref="PtRegs"/>. Without a target, attach it from user space.
/// </summary>
public sealed class UprobeMultiAttribute(string target = "") : BpfProgramAttribute(target.Length == 0 ? "uprobe.multi" : "uprobe.multi/" + target);

/// <summary><c>SEC("uretprobe.multi/PATH:PATTERN")</c>: as <see cref="UprobeMultiAttribute"/>, when the functions return.</summary>
public sealed class UretprobeMultiAttribute(string target = "") : BpfProgramAttribute(target.Length == 0 ? "uretprobe.multi" : "uretprobe.multi/" + target);

/// <summary><c>SEC("fmod_ret/FUNCTION")</c>: runs after an error-injectable kernel function and may replace its return value.</summary>
public sealed class FmodRetAttribute(string function) : BpfProgramAttribute("fmod_ret/" + function);

/// <summary><c>SEC("lsm/HOOK")</c>: a BPF LSM program on a security hook (e.g. <c>file_open</c>); return 0 to allow, -errno to deny.</summary>
public sealed class LsmAttribute(string hook) : BpfProgramAttribute("lsm/" + hook);

/// <summary>
/// <c>SEC("freplace/FUNCTION")</c>: replaces a global function of another loaded program; the loader needs that
/// program (<c>BpfLoaderOptions</c>) to resolve the target.
/// </summary>
public sealed class FreplaceAttribute(string function) : BpfProgramAttribute("freplace/" + function);

/// <summary>
/// <c>SEC("usdt/PATH:PROVIDER:NAME")</c>: a USDT probe (a <c>sys/sdt.h</c> <c>STAP_PROBE</c> site) of an executable or
/// shared library; the context is <see cref="PtRegs"/> and <see cref="Usdt"/> reads the probe's arguments. With no
/// target (<c>SEC("usdt")</c>), attach it from user space (<c>BpfObject.AttachUsdt</c>).
/// </summary>
public sealed class UsdtAttribute : BpfProgramAttribute
{
    /// <summary>A USDT program attached from user space.</summary>
    public UsdtAttribute() : base("usdt")
    {
    }

    /// <summary>A USDT program on <paramref name="provider"/>:<paramref name="name"/> of <paramref name="path"/>, attached by its section.</summary>
    /// <param name="path">The executable or shared library (no ':').</param>
    /// <param name="provider">The USDT provider.</param>
    /// <param name="name">The USDT name.</param>
    public UsdtAttribute(string path, string provider, string name) : base($"usdt/{path}:{provider}:{name}")
    {
    }
}
