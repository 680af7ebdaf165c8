using System.Globalization;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;

namespace BpfSharp.Linux.Inspection;

/// <summary>
/// Prints map entries the way <c>bpftool map dump</c> and <c>map lookup</c> do: as hex bytes
/// (<c>key: 00 01  value: …</c>) for maps without BTF, as <c>{"key": …, "value": …}</c> objects formatted with
/// the map's BTF otherwise, and in bpftool's <c>-j</c> form (hex byte arrays plus a <c>"formatted"</c> member).
/// Per-CPU values are split into one value per possible CPU.
/// </summary>
/// <param name="info">The map.</param>
/// <param name="btf">The BTF holding the map's key and value types, or null to print hex only.</param>
public sealed class BpfMapEntryFormatter(BpfMapInfo info, BtfSpec? btf)
{
    private readonly BpfMapInfo _info = info ?? throw new ArgumentNullException(nameof(info));

    /// <summary>The BTF used for formatted output, or null.</summary>
    public BtfSpec? Btf { get; } = btf;

    /// <summary>Number of possible CPUs (the number of values a per-CPU lookup returns).</summary>
    public static int PossibleCpuCount => Interop.PossibleCpus.Count;

    /// <summary>Bytes a lookup of this map returns: the value size, or one 8-byte-aligned slot per possible CPU.</summary>
    public int ValueBufferSize => _info.IsPerCpu ? Stride * PossibleCpuCount : _info.ValueSize;

    private int Stride => (_info.ValueSize + 7) & ~7;

    /// <summary>
    /// Reads the BTF of <paramref name="info"/>'s key and value as bpftool does (the map's BTF object, or the
    /// kernel's BTF for struct_ops values), or null when the map has no value type.
    /// </summary>
    /// <exception cref="BpfSyscallException">The BTF object could not be read.</exception>
    public static BtfSpec? ReadBtf(BpfMapInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.BtfVmlinuxValueTypeId != 0) return RunningKernel.Btf;
        if (info.BtfValueTypeId != 0) return KernelBtfObjects.ReadById(info.BtfId);
        return null;
    }

    /// <summary>bpftool's plain hex form of one entry (<c>print_entry_plain</c>).</summary>
    public void WriteHex(StringBuilder output, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var keySize = _info.KeySize;
        var valueSize = _info.ValueSize;
        if (!_info.IsPerCpu)
        {
            var breakNames = keySize > 16 || valueSize > 16;
            var singleLine = keySize + valueSize <= 24 && !breakNames;
            if (keySize > 0)
            {
                output.Append("key:").Append(breakNames ? '\n' : ' ');
                AppendHex(output, key[..keySize]);
                output.Append(singleLine ? "  " : "\n");
            }
            if (valueSize > 0)
            {
                output.Append("value:").Append(breakNames ? '\n' : ' ');
                AppendHex(output, value[..valueSize]);
            }
            output.Append('\n');
            return;
        }
        if (keySize > 0)
        {
            output.Append("key:\n");
            AppendHex(output, key[..keySize]);
            output.Append('\n');
        }
        if (valueSize == 0) return;
        for (var cpu = 0; cpu < PossibleCpuCount; cpu++)
        {
            output.Append(CultureInfo.InvariantCulture, $"value (CPU {cpu:D2}):").Append(valueSize > 16 ? '\n' : ' ');
            AppendHex(output, value.Slice(cpu * Stride, valueSize));
            output.Append('\n');
        }
    }

    /// <summary>bpftool's plain form of an entry whose lookup failed (<c>print_entry_error_msg</c>).</summary>
    public void WriteHexError(StringBuilder output, ReadOnlySpan<byte> key, string message)
    {
        ArgumentNullException.ThrowIfNull(output);
        var breakNames = _info.KeySize > 16 || message.Length > 16;
        var singleLine = _info.KeySize + message.Length <= 24 && !breakNames;
        output.Append("key:").Append(breakNames ? '\n' : ' ');
        AppendHex(output, key);
        output.Append(singleLine ? "  " : "\n");
        output.Append("value:").Append(breakNames ? '\n' : ' ').Append(message).Append('\n');
    }

    /// <summary>
    /// The BTF-formatted entry (<c>do_dump_btf</c>): <c>{"key": …, "value": …}</c>, or <c>"values"</c> with one
    /// <c>{"cpu": N, "value": …}</c> per possible CPU for per-CPU maps.
    /// </summary>
    /// <param name="writer">Receives the object.</param>
    /// <param name="key">The key bytes.</param>
    /// <param name="value">The value bytes (<see cref="ValueBufferSize"/> of them).</param>
    /// <param name="plainText">bpftool's plain-text flavour (map dump without <c>-j</c>) rather than its JSON one.</param>
    /// <exception cref="InvalidOperationException">There is no BTF.</exception>
    public bool WriteFormatted(BpftoolJsonWriter writer, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool plainText)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var btf = Btf ?? throw new InvalidOperationException("The map has no BTF to format its entries with.");
        var ok = true;
        writer.StartObject();
        if (_info.BtfKeyTypeId != 0)
        {
            writer.Name("key");
            ok = BtfValueFormatter.Write(btf, _info.BtfKeyTypeId, key, writer, plainText);
        }
        var valueType = _info.BtfVmlinuxValueTypeId != 0 ? _info.BtfVmlinuxValueTypeId : _info.BtfValueTypeId;
        if (ok && !_info.IsPerCpu)
        {
            writer.Name("value");
            ok = BtfValueFormatter.Write(btf, valueType, value, writer, plainText);
        }
        else if (ok)
        {
            writer.Name("values");
            writer.StartArray();
            for (var cpu = 0; cpu < PossibleCpuCount && ok; cpu++)
            {
                writer.StartObject();
                writer.Number("cpu", cpu);
                writer.Name("value");
                ok = BtfValueFormatter.Write(btf, valueType, value[(cpu * Stride)..], writer, plainText);
                writer.EndObject();
            }
            writer.EndArray();
        }
        writer.EndObject();
        return ok;
    }

    /// <summary>bpftool's <c>-j</c> form of an entry (<c>print_entry_json</c>): hex arrays, plus <c>"formatted"</c> with BTF.</summary>
    public void WriteJson(BpftoolJsonWriter writer, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.StartObject();
        writer.Name("key");
        writer.HexBytes(key[.._info.KeySize]);
        if (!_info.IsPerCpu)
        {
            writer.Name("value");
            writer.HexBytes(value[.._info.ValueSize]);
        }
        else
        {
            writer.Name("values");
            writer.StartArray();
            for (var cpu = 0; cpu < PossibleCpuCount; cpu++)
            {
                writer.StartObject();
                writer.Number("cpu", cpu);
                writer.Name("value");
                writer.HexBytes(value.Slice(cpu * Stride, _info.ValueSize));
                writer.EndObject();
            }
            writer.EndArray();
        }
        if (Btf is not null)
        {
            writer.Name("formatted");
            WriteFormatted(writer, key, value, plainText: false);
        }
        writer.EndObject();
    }

    /// <summary>bpftool's <c>fprint_hex</c>: bytes separated by a space, two spaces after every 8, a new line after every 16.</summary>
    public static void AppendHex(StringBuilder output, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(output);
        for (var i = 0; i < data.Length; i++)
        {
            if (i > 0) output.Append(i % 16 == 0 ? "\n" : i % 8 == 0 ? "  " : " ");
            output.Append(data[i].ToString("x2", CultureInfo.InvariantCulture));
        }
    }
}
