using System.Collections.Concurrent;
using System.Globalization;

namespace BpfSharp.Linux.Symbols;

/// <summary>One line of <c>/proc/PID/maps</c>.</summary>
/// <param name="Start">First address of the mapping.</param>
/// <param name="End">One past its last address.</param>
/// <param name="Permissions">The <c>rwxp</c> flags as printed.</param>
/// <param name="FileOffset">Offset in the file of <paramref name="Start"/>.</param>
/// <param name="Device">The file's device (<c>major:minor</c>, as printed).</param>
/// <param name="Inode">The file's inode (0 for anonymous mappings).</param>
/// <param name="Path">The mapped path, a pseudo-name such as <c>[stack]</c>, or empty.</param>
public readonly record struct MemoryMapping(ulong Start, ulong End, string Permissions, ulong FileOffset, string Device, ulong Inode, string Path)
{
    /// <summary>Whether the mapping is executable.</summary>
    public bool IsExecutable => Permissions.Length > 2 && Permissions[2] == 'x';

    /// <summary>Whether the mapping is backed by a file with symbols to read (not anonymous memory or <c>[vdso]</c>).</summary>
    public bool IsFileBacked => Inode != 0 && Path.StartsWith('/');

    /// <summary>Parses <c>/proc/PID/maps</c> text.</summary>
    /// <exception cref="FormatException">A line is malformed; the message names <paramref name="source"/> and the line.</exception>
    public static IReadOnlyList<MemoryMapping> ParseMaps(string text, string source = "maps")
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<MemoryMapping>();
        var lineNumber = 0;
        Span<Range> fields = stackalloc Range[5];
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.AsSpan();
            if (line.IsWhiteSpace()) continue;
            // start-end perms offset dev inode [path]; the path may contain spaces and ends the line.
            var count = 0;
            var position = 0;
            while (count < 5)
            {
                while (position < line.Length && line[position] == ' ') position++;
                var start = position;
                while (position < line.Length && line[position] != ' ') position++;
                if (start == position) throw new FormatException($"{source}: line {lineNumber}: expected 'start-end perms offset dev inode [path]'");
                fields[count++] = start..position;
            }
            while (position < line.Length && line[position] == ' ') position++;
            var range = line[fields[0]];
            var dash = range.IndexOf('-');
            if (dash <= 0
                || !ulong.TryParse(range[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mapStart)
                || !ulong.TryParse(range[(dash + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mapEnd)
                || !ulong.TryParse(line[fields[2]], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var offset)
                || !ulong.TryParse(line[fields[4]], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
                throw new FormatException($"{source}: line {lineNumber}: an address, offset or inode is not a number");
            result.Add(new MemoryMapping(mapStart, mapEnd, line[fields[1]].ToString(), offset, line[fields[3]].ToString(), inode,
                line[position..].TrimEnd().ToString()));
        }
        return result;
    }
}

/// <summary>A user-space address resolved to a function of a mapped file.</summary>
/// <param name="Name">The function name (null when the file has no symbol covering the address).</param>
/// <param name="Offset">Offset into the function (or into the file when there is no symbol).</param>
/// <param name="File">The mapped file's path as <c>/proc/PID/maps</c> shows it.</param>
/// <param name="FileAddress">The link-time address in the file (the address with the load bias removed).</param>
public readonly record struct UserAddress(string? Name, ulong Offset, string File, ulong FileAddress)
{
    /// <summary><c>name+0x1a</c>, or <c>[file+0xaddress]</c> when the file has no covering symbol.</summary>
    public override string ToString() => Name is not null ? $"{Name}+0x{Offset:x}" : $"[{System.IO.Path.GetFileName(File)}+0x{FileAddress:x}]";
}

/// <summary>
/// Symbol tables of mapped files, cached per file (device and inode), shared between processes: a tool that
/// symbolises stacks of many processes reads libc once. Thread-safe. Files that cannot be read or parsed are
/// remembered as having no symbols.
/// </summary>
public sealed class SymbolFileCache
{
    private readonly ConcurrentDictionary<(string Device, ulong Inode, string Path), ElfSymbolTable?> _files = new();

    /// <summary>How many files have been read (or found unreadable).</summary>
    public int Count => _files.Count;

    /// <summary>The symbols of the file behind <paramref name="mapping"/> in process <paramref name="pid"/>, or null.</summary>
    public ElfSymbolTable? Get(int pid, MemoryMapping mapping) =>
        _files.GetOrAdd((mapping.Device, mapping.Inode, mapping.Path), static (key, pid) => TryLoad(pid, key.Path), pid);

    private static ElfSymbolTable? TryLoad(int pid, string path)
    {
        // Through the process's root first, so a process in another mount namespace (a container) resolves too.
        foreach (var candidate in new[] { $"/proc/{pid}/root{path}", path })
        {
            try
            {
                if (File.Exists(candidate)) return ElfSymbolTable.Load(candidate);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or BpfFormatException)
            {
                return null;
            }
        }
        return null;
    }
}

/// <summary>
/// User-space symbolisation for one process: its executable mappings from <c>/proc/PID/maps</c>, and for an
/// address the mapped file's function symbol. The load bias is removed through the file's own segments
/// (address − mapping start + mapping file offset, then the <c>PT_LOAD</c> segment holding that offset), which
/// is right for fixed-address executables, PIE executables and shared objects alike.
/// </summary>
public sealed class ProcessSymbols
{
    private readonly MemoryMapping[] _mappings;
    private readonly SymbolFileCache _files;

    private ProcessSymbols(int pid, MemoryMapping[] mappings, SymbolFileCache files)
    {
        Pid = pid;
        _mappings = mappings;
        _files = files;
    }

    /// <summary>The process whose mappings these are.</summary>
    public int Pid { get; }

    /// <summary>The process's executable, file-backed mappings, sorted by address.</summary>
    public IReadOnlyList<MemoryMapping> Mappings => _mappings;

    /// <summary>Reads <c>/proc/<paramref name="pid"/>/maps</c>; files are read lazily, on first lookup, through <paramref name="files"/>.</summary>
    /// <exception cref="IOException">The process is gone or its maps cannot be read.</exception>
    public static ProcessSymbols Load(int pid, SymbolFileCache? files = null)
    {
        var path = $"/proc/{pid}/maps";
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            throw new IOException($"{path}: no such process {pid}", e);
        }
        return FromMaps(pid, MemoryMapping.ParseMaps(text, path), files);
    }

    /// <summary>Symbolisation over mappings already read (e.g. a saved maps file).</summary>
    public static ProcessSymbols FromMaps(int pid, IEnumerable<MemoryMapping> mappings, SymbolFileCache? files = null)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        var executable = mappings.Where(m => m.IsExecutable && m.IsFileBacked).OrderBy(m => m.Start).ToArray();
        return new ProcessSymbols(pid, executable, files ?? new SymbolFileCache());
    }

    /// <summary>Resolves <paramref name="address"/>; false when no executable file mapping holds it.</summary>
    public bool TryResolve(ulong address, out UserAddress resolved)
    {
        resolved = default;
        int low = 0, high = _mappings.Length - 1, found = -1;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            if (_mappings[mid].Start <= address) { found = mid; low = mid + 1; }
            else high = mid - 1;
        }
        if (found < 0 || address >= _mappings[found].End) return false;
        var mapping = _mappings[found];
        var fileOffset = address - mapping.Start + mapping.FileOffset;
        var table = _files.Get(Pid, mapping);
        var fileAddress = table?.AddressOfFileOffset(fileOffset) ?? fileOffset;
        if (table is not null && table.TryFind(fileAddress, out var symbol, out var offset))
            resolved = new UserAddress(symbol.Name, offset, mapping.Path, fileAddress);
        else
            resolved = new UserAddress(null, fileAddress, mapping.Path, fileAddress);
        return true;
    }

    /// <summary><c>name+0x1a</c>, <c>[file+0x…]</c> without a symbol, or <c>0x…</c> outside every file mapping.</summary>
    public string Format(ulong address) => TryResolve(address, out var resolved) ? resolved.ToString() : $"0x{address:x}";
}
