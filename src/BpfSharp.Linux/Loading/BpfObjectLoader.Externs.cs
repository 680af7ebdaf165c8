using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Loading;

public sealed partial class BpfObjectLoader
{
    /// <summary>The <c>.kconfig</c> map value: every extern set from the kernel config (libbpf's rules), weak ones may stay 0.</summary>
    private byte[] KconfigData(LoadState st)
    {
        var layout = st.Loadable?.KconfigLayout ?? [];
        var data = new byte[st.Loadable?.KconfigSize ?? 0];
        if (data.Length == 0) return data;
        var btf = _spec.Btf!;
        KernelConfig? config = null;
        foreach (var ext in _spec.Externs)
        {
            if (ext.Kind != ExternKind.Kconfig) continue;
            var (offset, size) = layout[ext.Name];
            var slot = data.AsSpan((int)offset, (int)size);
            var type = btf.SkipModifiersAndTypedefs(btf[ext.BtfTypeId].ReferencedTypeId);
            string? raw;
            if (ext.Name.StartsWith("LINUX_", StringComparison.Ordinal))
            {
                config ??= RunningConfig();
                raw = ext.Name switch
                {
                    "LINUX_KERNEL_VERSION" => config.KernelVersion.ToString(CultureInfo.InvariantCulture),
                    "LINUX_HAS_BPF_COOKIE" => "y",
                    "LINUX_HAS_SYSCALL_WRAPPER" => "y",
                    _ => throw new BpfLoadException($"extern (kcfg) '{ext.Name}': unrecognized virtual extern") { LoaderLog = [.. _log] },
                };
            }
            else
            {
                config ??= RunningConfig();
                raw = config[ext.Name];
            }
            if (raw is null)
            {
                if (ext.IsWeak) continue;
                throw new BpfLoadException($"extern (kcfg) '{ext.Name}': value not found") { LoaderLog = [.. _log] };
            }
            SetKconfigValue(ext.Name, type, btf, raw, slot);
        }
        return data;
    }

    private KernelConfig RunningConfig() =>
        _options.KernelConfig ?? (_options.UseRunningKernelCache ? RunningKernel.Config : KernelConfig.ReadRunning());

    private static void SetKconfigValue(string name, BtfType type, BtfSpec btf, string raw, Span<byte> slot)
    {
        bool isTristateChar = raw is "y" or "n" or "m";
        if (type.Kind == BtfKind.Enum && type.Name == "libbpf_tristate")
        {
            slot[0] = raw switch { "y" => 1, "n" => 0, "m" => 2, _ => throw Bad("not a tristate") };
            return;
        }
        if (type.Kind == BtfKind.Int && ((int)type.IntEncoding & 4) != 0) // bool
        {
            slot[0] = raw switch { "y" => 1, "n" => 0, _ => throw Bad("value is not y/n for a bool") };
            return;
        }
        if (type.Kind == BtfKind.Int && type.Size == 1 && isTristateChar)
        {
            slot[0] = (byte)raw[0];
            return;
        }
        if (type.Kind == BtfKind.Array)
        {
            if (raw.Length < 2 || raw[0] != '"' || raw[^1] != '"') throw Bad("string value expected");
            var text = Encoding.UTF8.GetBytes(raw[1..^1]);
            int n = Math.Min(text.Length, slot.Length - 1);
            text.AsSpan(0, n).CopyTo(slot);
            return;
        }
        if (type.Kind is BtfKind.Int or BtfKind.Enum or BtfKind.Enum64)
        {
            ulong v;
            bool ok = raw.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? ulong.TryParse(raw.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out v)
                : raw.StartsWith('-') ? TryNegative(raw, out v) : ulong.TryParse(raw, CultureInfo.InvariantCulture, out v);
            if (!ok) throw Bad($"value '{raw}' is not an integer");
            int size = slot.Length;
            if (size < 8 && (v >> (size * 8)) != 0 && (long)v >= 0) throw Bad($"value '{raw}' does not fit in {size} bytes");
            Span<byte> tmp = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(tmp, v);
            tmp[..Math.Min(size, 8)].CopyTo(slot);
            return;
        }
        throw Bad($"unsupported type {type.Kind}");

        BpfLoadException Bad(string why) => new($"extern (kcfg) '{name}': {why}");
        static bool TryNegative(string s, out ulong v)
        {
            bool ok = long.TryParse(s, CultureInfo.InvariantCulture, out long l);
            v = (ulong)l;
            return ok;
        }
    }

    /// <summary>Resolves a <c>__ksym</c> extern to a kernel BTF id (typed variables, kfuncs) or a kallsyms address (typeless).</summary>
    private (int BtfId, ulong Address, bool Found) ResolveKsym(LoadState st, ExternSpec ext)
    {
        var vmlinux = Vmlinux(st);
        var btf = _spec.Btf!;
        if (ext.IsFunction)
        {
            int id = vmlinux.FindByName(ext.Name, BtfKind.Func);
            if (id <= 0) return (0, 0UL, false);
            // libbpf checks the declared prototype against the kernel's; a weak extern that does not match stays unresolved.
            int localProto = btf[ext.BtfTypeId].ReferencedTypeId, kernelProto = vmlinux[id].ReferencedTypeId;
            if (CoRe.CoReTypeRules.TypesAreCompatible(btf, localProto, vmlinux, kernelProto) <= 0)
            {
                if (ext.IsWeak) return (0, 0UL, false);
                throw new BpfLoadException($"extern (func ksym) '{ext.Name}': func_proto [{localProto}] incompatible with vmlinux [{kernelProto}]")
                { LoaderLog = [.. _log] };
            }
            return (id, 0UL, true);
        }
        var target = btf[ext.BtfTypeId].ReferencedTypeId;
        bool typeless = target == 0 || btf.SkipModifiersAndTypedefs(target).Kind == BtfKind.Unknown;
        if (!typeless)
        {
            int id = vmlinux.FindByName(ext.Name, BtfKind.Var);
            return id > 0 ? (id, 0UL, true) : (0, 0UL, false);
        }
        if (st.KsymAddresses.Count == 0 && File.Exists("/proc/kallsyms"))
            foreach (var line in File.ReadLines("/proc/kallsyms"))
            {
                var parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 3 && ulong.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var addr))
                    st.KsymAddresses.TryAdd(parts[2], addr);
            }
        return st.KsymAddresses.TryGetValue(ext.Name, out var a) ? (0, a, true) : (0, 0UL, false);
    }
}
