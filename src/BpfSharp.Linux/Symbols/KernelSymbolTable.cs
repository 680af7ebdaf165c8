using System.Text;

namespace BpfSharp.Linux.Symbols;

/// <summary>A kernel symbol from <c>/proc/kallsyms</c>.</summary>
/// <param name="Name">The symbol name (<c>do_sys_openat2</c>).</param>
/// <param name="Address">Its address (0 for every symbol when <c>kptr_restrict</c> hides addresses).</param>
/// <param name="Type">The nm-style type letter (<c>T</c> global text, <c>t</c> local text, <c>d</c> data...).</param>
/// <param name="Module">The module that defines it, or null for vmlinux.</param>
public readonly record struct KernelSymbol(string Name, ulong Address, char Type, string? Module);

/// <summary>An address resolved to the symbol at or below it.</summary>
/// <param name="Symbol">The nearest symbol at or below the address.</param>
/// <param name="Offset">How far past the symbol's start the address is.</param>
public readonly record struct KernelAddress(KernelSymbol Symbol, ulong Offset)
{
    /// <summary>bcc's spelling: <c>name+0x1a</c>, with <c> [module]</c> for module symbols.</summary>
    public override string ToString() =>
        Symbol.Module is null ? $"{Symbol.Name}+0x{Offset:x}" : $"{Symbol.Name}+0x{Offset:x} [{Symbol.Module}]";
}

/// <summary>
/// The kernel's symbol table (<c>/proc/kallsyms</c>) sorted by address, for turning kernel stack addresses into
/// <c>symbol+offset</c> (what <c>bpf_get_stackid</c>/<c>bpf_get_stack</c> return). Lookup is a binary search over
/// a flat address array; names are kept as UTF-8 in one buffer and become strings only when returned. At equal
/// addresses the name that sorts last wins, as in libbpf-tools' <c>ksyms__map_addr</c>.
/// </summary>
public sealed class KernelSymbolTable
{
    /// <summary>Where the running kernel lists its symbols.</summary>
    public const string KallsymsPath = "/proc/kallsyms";

    private readonly ulong[] _addresses;
    private readonly int[] _nameStarts;
    private readonly ushort[] _nameLengths;
    private readonly char[] _types;
    private readonly int[] _modules; // index into _moduleNames, -1 for vmlinux
    private readonly string[] _moduleNames;
    private readonly byte[] _names;
    private Dictionary<string, int>? _byName;

    private KernelSymbolTable(ulong[] addresses, int[] nameStarts, ushort[] nameLengths, char[] types, int[] modules,
        string[] moduleNames, byte[] names)
    {
        _addresses = addresses;
        _nameStarts = nameStarts;
        _nameLengths = nameLengths;
        _types = types;
        _modules = modules;
        _moduleNames = moduleNames;
        _names = names;
    }

    /// <summary>How many symbols the table holds.</summary>
    public int Count => _addresses.Length;

    /// <summary>
    /// True when every address is 0: the reader lacks the privilege to see addresses (<c>kptr_restrict</c>), so
    /// nothing can be resolved.
    /// </summary>
    public bool AddressesHidden { get; private init; }

    /// <summary>Reads the running kernel's <c>/proc/kallsyms</c>.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="FormatException">A line is not <c>address type name [module]</c>.</exception>
    public static KernelSymbolTable Load() => Load(KallsymsPath);

    /// <summary>Reads a file in <c>/proc/kallsyms</c> format.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="FormatException">A line is not <c>address type name [module]</c> (the message names the file and line).</exception>
    public static KernelSymbolTable Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(InputFiles.ReadAll(path), path);
    }

    /// <summary>Parses <c>/proc/kallsyms</c> text: <c>ffffffff81000000 T _stext</c>, <c>... t name\t[module]</c>.</summary>
    /// <exception cref="FormatException">A line is malformed; the message names <paramref name="source"/> and the line.</exception>
    public static KernelSymbolTable Parse(ReadOnlySpan<byte> text, string source = KallsymsPath)
    {
        var addresses = new List<ulong>(capacity: 1 << 16);
        var nameStarts = new List<int>(capacity: 1 << 16);
        var nameLengths = new List<ushort>(capacity: 1 << 16);
        var types = new List<char>(capacity: 1 << 16);
        var modules = new List<int>(capacity: 1 << 16);
        var moduleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var moduleNames = new List<string>();
        var names = new MemoryStream(text.Length / 2);
        var lineNumber = 0;
        var allZero = true;
        while (!text.IsEmpty)
        {
            lineNumber++;
            var newline = text.IndexOf((byte)'\n');
            var line = newline < 0 ? text : text[..newline];
            text = newline < 0 ? default : text[(newline + 1)..];
            if (line.IsEmpty) continue;

            var firstSpace = line.IndexOf((byte)' ');
            if (firstSpace <= 0 || firstSpace + 3 > line.Length || line[firstSpace + 2] != (byte)' ')
                throw Malformed(source, lineNumber, "expected 'address type name'");
            if (!TryParseHex(line[..firstSpace], out var address))
                throw Malformed(source, lineNumber, "the address is not hexadecimal");
            var type = (char)line[firstSpace + 1];
            var rest = line[(firstSpace + 3)..];
            var tab = rest.IndexOf((byte)'\t');
            var name = tab < 0 ? rest : rest[..tab];
            if (name.IsEmpty || name.Length > ushort.MaxValue) throw Malformed(source, lineNumber, "empty or oversized symbol name");
            var module = -1;
            if (tab >= 0)
            {
                var moduleText = rest[(tab + 1)..].Trim((byte)' ');
                if (moduleText.Length < 3 || moduleText[0] != (byte)'[' || moduleText[^1] != (byte)']')
                    throw Malformed(source, lineNumber, "the module is not written as [name]");
                var moduleName = Encoding.UTF8.GetString(moduleText[1..^1]);
                if (!moduleIndex.TryGetValue(moduleName, out module))
                {
                    module = moduleNames.Count;
                    moduleIndex.Add(moduleName, module);
                    moduleNames.Add(moduleName);
                }
            }
            allZero &= address == 0;
            addresses.Add(address);
            nameStarts.Add((int)names.Length);
            nameLengths.Add((ushort)name.Length);
            names.Write(name);
            types.Add(type);
            modules.Add(module);
        }

        var nameBytes = names.ToArray();
        // Sort by address, then by name bytes (ksym_cmp's order), carrying the other columns along.
        var order = new int[addresses.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var addressArray = addresses.ToArray();
        var startArray = nameStarts.ToArray();
        var lengthArray = nameLengths.ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = addressArray[a].CompareTo(addressArray[b]);
            return c != 0 ? c : nameBytes.AsSpan(startArray[a], lengthArray[a]).SequenceCompareTo(nameBytes.AsSpan(startArray[b], lengthArray[b]));
        });
        return new KernelSymbolTable(
            Permute(addressArray, order), Permute(startArray, order), Permute(lengthArray, order),
            Permute(types.ToArray(), order), Permute(modules.ToArray(), order), moduleNames.ToArray(), nameBytes)
        {
            AddressesHidden = allZero && addresses.Count > 0,
        };
    }

    /// <summary>
    /// The symbol at or below <paramref name="address"/> and the offset into it; false when the address is below
    /// every symbol or the addresses are hidden.
    /// </summary>
    public bool TryResolve(ulong address, out KernelAddress resolved)
    {
        resolved = default;
        if (AddressesHidden || _addresses.Length == 0) return false;
        var index = LastAtOrBelow(address);
        if (index < 0) return false;
        resolved = new KernelAddress(SymbolAt(index), address - _addresses[index]);
        return true;
    }

    /// <summary>
    /// <c>name+0x1a</c> (with <c> [module]</c> for module code) for an address, or <c>0x…</c> when it cannot be
    /// resolved.
    /// </summary>
    public string Format(ulong address) => TryResolve(address, out var resolved) ? resolved.ToString() : $"0x{address:x}";

    /// <summary>The first symbol named <paramref name="name"/> (by address order), or null.</summary>
    public KernelSymbol? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var byName = _byName;
        if (byName is null)
        {
            byName = new Dictionary<string, int>(_addresses.Length, StringComparer.Ordinal);
            for (var i = 0; i < _addresses.Length; i++) byName.TryAdd(NameAt(i), i);
            _byName = byName;
        }
        return byName.TryGetValue(name, out var index) ? SymbolAt(index) : null;
    }

    // Largest index whose address is <= target, the last of equal addresses; -1 if none.
    private int LastAtOrBelow(ulong target)
    {
        int low = 0, high = _addresses.Length - 1, found = -1;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            if (_addresses[mid] <= target) { found = mid; low = mid + 1; }
            else high = mid - 1;
        }
        return found;
    }

    private string NameAt(int index) => Encoding.UTF8.GetString(_names, _nameStarts[index], _nameLengths[index]);

    private KernelSymbol SymbolAt(int index) =>
        new(NameAt(index), _addresses[index], _types[index], _modules[index] < 0 ? null : _moduleNames[_modules[index]]);

    private static T[] Permute<T>(T[] values, int[] order)
    {
        var result = new T[values.Length];
        for (var i = 0; i < order.Length; i++) result[i] = values[order[i]];
        return result;
    }

    private static bool TryParseHex(ReadOnlySpan<byte> digits, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > 16) return false;
        foreach (var d in digits)
        {
            int v = d switch
            {
                >= (byte)'0' and <= (byte)'9' => d - '0',
                >= (byte)'a' and <= (byte)'f' => d - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => d - 'A' + 10,
                _ => -1,
            };
            if (v < 0) return false;
            value = (value << 4) | (uint)v;
        }
        return true;
    }

    private static FormatException Malformed(string source, int line, string detail) =>
        new($"{source}: line {line}: {detail}");
}
