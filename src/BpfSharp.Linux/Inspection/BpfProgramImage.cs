using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Inspection;

/// <summary>A <c>struct bpf_func_info</c> record: a function starts at an instruction and has a BTF FUNC type.</summary>
/// <param name="InstructionOffset">Index of the function's first instruction (in 8-byte slots).</param>
/// <param name="TypeId">The FUNC type in the program's BTF.</param>
public readonly record struct BpfFunctionInfo(int InstructionOffset, int TypeId);

/// <summary>A <c>struct bpf_line_info</c> record: the source line an instruction comes from.</summary>
/// <param name="InstructionOffset">Index of the instruction (in 8-byte slots).</param>
/// <param name="FileNameOffset">String offset of the file name in the program's BTF.</param>
/// <param name="LineOffset">String offset of the source line's text in the program's BTF.</param>
/// <param name="LineColumn">Line number (upper 22 bits) and column (lower 10 bits).</param>
public readonly record struct BpfLineInfo(int InstructionOffset, uint FileNameOffset, uint LineOffset, uint LineColumn)
{
    /// <summary>The source line number.</summary>
    public uint Line => LineColumn >> 10;
    /// <summary>The source column.</summary>
    public uint Column => LineColumn & 0x3ff;
}

/// <summary>
/// The code of a loaded program as the kernel returns it (<c>BPF_OBJ_GET_INFO_BY_FD</c> with buffers): the
/// verifier-rewritten ("xlated") instructions, the JIT image, the function and line info, and the addresses of the
/// JIT-compiled functions. The data behind <c>bpftool prog dump</c>.
/// </summary>
public sealed class BpfProgramImage
{
    /// <summary>The xlated instructions (8-byte slots; map references carry map ids).</summary>
    public required byte[] Xlated { get; init; }
    /// <summary>The JIT-compiled machine code, or empty when the program is not JIT-compiled.</summary>
    public required byte[] Jited { get; init; }
    /// <summary>Kernel addresses of the JIT-compiled functions (main program first).</summary>
    public required ulong[] JitedSymbols { get; init; }
    /// <summary>Byte lengths of the JIT-compiled functions, in the order of <see cref="JitedSymbols"/>.</summary>
    public required uint[] JitedFunctionLengths { get; init; }
    /// <summary>Function info (xlated instruction offsets), or empty without BTF.</summary>
    public required BpfFunctionInfo[] Functions { get; init; }
    /// <summary>Line info (xlated instruction offsets), or empty without BTF.</summary>
    public required BpfLineInfo[] Lines { get; init; }
    /// <summary>The program's BTF id, or 0.</summary>
    public required int BtfId { get; init; }

    /// <summary>Reads the code of the program behind <paramref name="fd"/>.</summary>
    /// <exception cref="BpfSyscallException">The fd is not a program, or the kernel refused (EPERM without CAP_SYS_ADMIN).</exception>
    public static unsafe BpfProgramImage Read(BpfFileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var sizes = default(ProgInfo);
        BpfSyscall.GetInfo(fd, ref sizes);
        var xlated = new byte[sizes.XlatedProgLen];
        var jited = new byte[sizes.JitedProgLen];
        var ksyms = new ulong[sizes.NrJitedKsyms];
        var funcLens = new uint[sizes.NrJitedFuncLens];
        var funcRecord = (int)Math.Max(sizes.FuncInfoRecSize, 8);
        var lineRecord = (int)Math.Max(sizes.LineInfoRecSize, 16);
        var funcBytes = new byte[sizes.NrFuncInfo * funcRecord];
        var lineBytes = new byte[sizes.NrLineInfo * lineRecord];
        fixed (byte* x = xlated)
        fixed (byte* j = jited)
        fixed (ulong* k = ksyms)
        fixed (uint* l = funcLens)
        fixed (byte* f = funcBytes)
        fixed (byte* li = lineBytes)
        {
            // Only the arrays are requested; every other field stays zero as the kernel requires.
            var request = default(ProgInfo);
            request.XlatedProgLen = (uint)xlated.Length;
            request.XlatedProgInsns = (ulong)x;
            request.JitedProgLen = (uint)jited.Length;
            request.JitedProgInsns = (ulong)j;
            request.NrJitedKsyms = (uint)ksyms.Length;
            request.JitedKsyms = (ulong)k;
            request.NrJitedFuncLens = (uint)funcLens.Length;
            request.JitedFuncLens = (ulong)l;
            request.NrFuncInfo = sizes.NrFuncInfo;
            request.FuncInfoRecSize = (uint)funcRecord;
            request.FuncInfo = (ulong)f;
            request.NrLineInfo = sizes.NrLineInfo;
            request.LineInfoRecSize = (uint)lineRecord;
            request.LineInfo = (ulong)li;
            BpfSyscall.GetInfo(fd, ref request);
            // A program can change between the two calls only by being replaced; keep what the kernel filled in.
            if (request.XlatedProgLen < xlated.Length) xlated = xlated[..(int)request.XlatedProgLen];
        }
        var functions = new BpfFunctionInfo[sizes.NrFuncInfo];
        for (var i = 0; i < functions.Length; i++)
        {
            var r = funcBytes.AsSpan(i * funcRecord);
            functions[i] = new BpfFunctionInfo((int)MemoryMarshal.Read<uint>(r), (int)MemoryMarshal.Read<uint>(r[4..]));
        }
        var lines = new BpfLineInfo[sizes.NrLineInfo];
        for (var i = 0; i < lines.Length; i++)
        {
            var r = lineBytes.AsSpan(i * lineRecord);
            lines[i] = new BpfLineInfo((int)MemoryMarshal.Read<uint>(r), MemoryMarshal.Read<uint>(r[4..]),
                MemoryMarshal.Read<uint>(r[8..]), MemoryMarshal.Read<uint>(r[12..]));
        }
        return new BpfProgramImage
        {
            Xlated = xlated,
            Jited = jited,
            JitedSymbols = ksyms,
            JitedFunctionLengths = funcLens,
            Functions = functions,
            Lines = lines,
            BtfId = (int)sizes.BtfId,
        };
    }
}
