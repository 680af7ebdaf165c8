using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// One USDT argument's location (<c>struct __bpf_usdt_arg_spec</c> of libbpf's <c>usdt.bpf.h</c>, 16 bytes), as the
/// loader writes it: a constant, a register (its offset in <see cref="PtRegs"/>) or memory at a register plus an offset.
/// </summary>
[BtfName("__bpf_usdt_arg_spec")]
[StructLayout(LayoutKind.Sequential)]
public struct UsdtArgumentSpec
{
    /// <summary>The constant, or the offset added to the register's value (<c>val_off</c>).</summary>
    [BtfName("val_off")] public ulong ValueOffset;
    /// <summary>0 constant, 1 register, 2 memory at register + offset (<c>arg_type</c>).</summary>
    [BtfName("arg_type")] public uint Kind;
    /// <summary>The register's offset in <see cref="PtRegs"/> (<c>reg_off</c>).</summary>
    [BtfName("reg_off")] public short RegisterOffset;
    /// <summary>1 when the value is signed (<c>arg_signed</c>).</summary>
    [BtfName("arg_signed")] public byte IsSigned;
    /// <summary>64 minus the argument's size in bits (<c>arg_bitshift</c>).</summary>
    [BtfName("arg_bitshift")] public byte BitShift;
}

/// <summary>
/// A USDT site's argument specification (<c>struct __bpf_usdt_spec</c>, 208 bytes: the layout of libbpf up to 1.6,
/// which the loader recognises by the map's value size): twelve argument records, the USDT cookie and the count.
/// </summary>
[BtfName("__bpf_usdt_spec")]
[StructLayout(LayoutKind.Sequential)]
public struct UsdtSpecification
{
    /// <summary>Argument 0.</summary>
    public UsdtArgumentSpec Arg0;
    /// <summary>Argument 1.</summary>
    public UsdtArgumentSpec Arg1;
    /// <summary>Argument 2.</summary>
    public UsdtArgumentSpec Arg2;
    /// <summary>Argument 3.</summary>
    public UsdtArgumentSpec Arg3;
    /// <summary>Argument 4.</summary>
    public UsdtArgumentSpec Arg4;
    /// <summary>Argument 5.</summary>
    public UsdtArgumentSpec Arg5;
    /// <summary>Argument 6.</summary>
    public UsdtArgumentSpec Arg6;
    /// <summary>Argument 7.</summary>
    public UsdtArgumentSpec Arg7;
    /// <summary>Argument 8.</summary>
    public UsdtArgumentSpec Arg8;
    /// <summary>Argument 9.</summary>
    public UsdtArgumentSpec Arg9;
    /// <summary>Argument 10.</summary>
    public UsdtArgumentSpec Arg10;
    /// <summary>Argument 11.</summary>
    public UsdtArgumentSpec Arg11;
    /// <summary>The USDT cookie given at attach time (<c>usdt_cookie</c>).</summary>
    [BtfName("usdt_cookie")] public ulong Cookie;
    /// <summary>The number of arguments (<c>arg_cnt</c>).</summary>
    [BtfName("arg_cnt")] public short ArgumentCount;
}

/// <summary>
/// Reads the arguments of the USDT probe a <see cref="UsdtAttribute"/> program runs for, as libbpf's
/// <c>usdt.bpf.h</c> does (<c>bpf_usdt_arg</c>, <c>bpf_usdt_arg_cnt</c>, <c>bpf_usdt_cookie</c>): the BPF cookie
/// is the site's spec id, the key of the object's <c>__bpf_usdt_specs</c> map, which the loader fills at attach time.
/// </summary>
public static unsafe class Usdt
{
    /// <summary>At most this many arguments (<c>BPF_USDT_MAX_ARG_CNT</c>).</summary>
    public const int MaxArguments = 12;

    private const int ESRCH = 3, ENOENT = 2, EINVAL = 22;

#pragma warning disable IDE1006, SA1300, CA1707 // the names libbpf's usdt.c looks the maps up by
    /// <summary>Spec id → argument specification (<c>__bpf_usdt_specs</c>, <c>BPF_USDT_MAX_SPEC_CNT</c> entries).</summary>
    internal static readonly ArrayMap<UsdtSpecification> __bpf_usdt_specs = new(maxEntries: 256);
#pragma warning restore IDE1006, SA1300, CA1707

    /// <summary>The number of arguments of the current probe, or -ESRCH when the program was not attached as a USDT.</summary>
    /// <param name="ctx">The program's context.</param>
    public static int ArgCount(PtRegs* ctx)
    {
        UsdtSpecification* spec = __bpf_usdt_specs.Lookup((uint)Bpf.GetAttachCookie(ctx));
        if (spec == null) return -ESRCH;
        return spec->ArgumentCount;
    }

    /// <summary>The USDT cookie given when the program was attached (0 when it was not attached as a USDT).</summary>
    /// <param name="ctx">The program's context.</param>
    public static long Cookie(PtRegs* ctx)
    {
        UsdtSpecification* spec = __bpf_usdt_specs.Lookup((uint)Bpf.GetAttachCookie(ctx));
        if (spec == null) return 0;
        return (long)spec->Cookie;
    }

    /// <summary>
    /// Reads argument <paramref name="index"/> (from 0) of the current probe, widened to 64 bits (sign-extended
    /// when the spec says signed).
    /// </summary>
    /// <param name="ctx">The program's context.</param>
    /// <param name="index">The argument, from 0.</param>
    /// <param name="value">The value; 0 on error.</param>
    /// <returns>0, -ESRCH (not attached as a USDT), -ENOENT (no such argument) or the probe read's error.</returns>
    [BpfFunction]
    public static int Arg(PtRegs* ctx, ulong index, long* value)
    {
        *value = 0;
        UsdtSpecification* spec = __bpf_usdt_specs.Lookup((uint)Bpf.GetAttachCookie(ctx));
        if (spec == null) return -ESRCH;
        if (index >= MaxArguments || index >= (ulong)spec->ArgumentCount) return -ENOENT;
        UsdtArgumentSpec* arg = &spec->Arg0 + index;
        ulong v = 0;
        long err;
        uint kind = arg->Kind;
        if (kind == 0)
        {
            v = arg->ValueOffset;
        }
        else if (kind == 1)
        {
            // pt_regs is read through the helper: the verifier does not allow a variable offset into the context.
            err = Bpf.ProbeReadKernel(Unsafe.AsPointer(ref v), 8, (byte*)ctx + arg->RegisterOffset);
            if (err != 0) return (int)err;
        }
        else if (kind == 2)
        {
            err = Bpf.ProbeReadKernel(Unsafe.AsPointer(ref v), 8, (byte*)ctx + arg->RegisterOffset);
            if (err != 0) return (int)err;
            err = Bpf.ProbeReadUser(Unsafe.AsPointer(ref v), 8, (void*)(v + arg->ValueOffset));
            if (err != 0) return (int)err;
        }
        else
        {
            return -EINVAL;
        }
        int shift = arg->BitShift;
        v <<= shift;
        if (arg->IsSigned != 0) v = (ulong)((long)v >> shift);
        else v >>= shift;
        *value = (long)v;
        return 0;
    }
}
