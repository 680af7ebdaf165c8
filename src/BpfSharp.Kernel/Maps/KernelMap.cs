namespace BpfSharp.Kernel;

/// <summary>
/// The base of every map class. A map is declared as a <c>static readonly</c> field initialised with constant
/// constructor arguments (<c>static readonly HashMap&lt;uint, ulong&gt; Counts = new(maxEntries: 1024);</c>); inside a
/// BPF program, loading the field yields the map pointer (a <c>ld_imm64</c> with a map relocation). Helper
/// parameters that take a map are typed <see cref="KernelMap"/>. The map type, key and value come from the class and
/// its type arguments; the constructor's <c>maxEntries</c>, <c>flags</c> and <c>pinning</c> (or <c>size</c> for
/// <see cref="RingBuffer"/>) become the map definition.
/// </summary>
public abstract class KernelMap
{
    private protected KernelMap()
    {
    }
}
