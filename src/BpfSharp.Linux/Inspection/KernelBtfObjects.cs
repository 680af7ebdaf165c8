using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Inspection;

/// <summary>
/// Reads BTF objects the kernel holds (<c>BPF_BTF_GET_FD_BY_ID</c>, then the raw data through
/// <c>BPF_OBJ_GET_INFO_BY_FD</c>), as bpftool's <c>btf__load_from_kernel_by_id</c> does: the BTF of a program or
/// map, or a kernel module's split BTF (parsed over the running kernel's vmlinux BTF).
/// </summary>
public static class KernelBtfObjects
{
    /// <summary>Reads and parses the BTF object with <paramref name="id"/>.</summary>
    /// <exception cref="BpfSyscallException">No such BTF object or the kernel refused.</exception>
    /// <exception cref="BpfFormatException">The kernel's bytes do not parse (never expected).</exception>
    public static unsafe BtfSpec ReadById(int id)
    {
        using var fd = BpfObjectLookup.OpenById(BpfObjectKind.Btf, id);
        var sizes = default(BtfInfo);
        BpfSyscall.GetInfo(fd, ref sizes);
        var data = new byte[sizes.BtfSize];
        var name = new byte[64];
        fixed (byte* d = data)
        fixed (byte* n = name)
        {
            var request = new BtfInfo { Btf = (ulong)d, BtfSize = (uint)data.Length, Name = (ulong)n, NameLength = (uint)name.Length };
            BpfSyscall.GetInfo(fd, ref request);
        }
        var end = Array.IndexOf(name, (byte)0);
        var objectName = Encoding.UTF8.GetString(name, 0, end < 0 ? name.Length : end);
        // A kernel BTF other than vmlinux is a module's, split over vmlinux.
        var baseSpec = sizes.KernelBtf != 0 && objectName != "vmlinux" ? RunningKernel.Btf : null;
        return BtfSpec.Parse(data, baseSpec, $"btf id {id}");
    }

    /// <summary><c>struct bpf_btf_info</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    private struct BtfInfo
    {
        [FieldOffset(0)] public ulong Btf;
        [FieldOffset(8)] public uint BtfSize;
        [FieldOffset(12)] public uint Id;
        [FieldOffset(16)] public ulong Name;
        [FieldOffset(24)] public uint NameLength;
        [FieldOffset(28)] public uint KernelBtf;
    }
}
