using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Loading;

/// <summary>
/// A global data section (<c>.data</c>, <c>.rodata</c>, <c>.bss</c>, <c>.kconfig</c>...) held by the kernel as a
/// one-element array map created with <c>BPF_F_MMAPABLE</c>, mapped into this process: reads and writes go straight to
/// the value the programs see. Read-only sections are mapped read-only (the map is frozen).
/// </summary>
public sealed unsafe class BpfGlobalData : IDisposable
{
    private void* _address;
    private readonly nuint _length;

    internal BpfGlobalData(DataSectionSpec spec, BpfMap map, int size, bool readOnly, IReadOnlyList<GlobalVariableSpec> variables)
    {
        Variables = variables;
        Spec = spec;
        Map = map;
        IsReadOnly = readOnly;
        Size = size;
        _length = (nuint)((Size + Environment.SystemPageSize - 1) / Environment.SystemPageSize * Environment.SystemPageSize);
        using var lease = map.FileDescriptor.Borrow();
        const int ProtRead = 1, ProtWrite = 2, MapShared = 1;
        var address = LibC.Mmap(null, _length, readOnly ? ProtRead : ProtRead | ProtWrite, MapShared, lease.Fd, 0);
        if (address == LibC.MapFailed)
            throw new BpfLoadException($"mmap of map '{spec.Name}' failed: errno {Marshal.GetLastPInvokeError()}");
        _address = address;
    }

    /// <summary>The section as the object describes it (variables, offsets).</summary>
    public DataSectionSpec Spec { get; }
    /// <summary>The variables with their offsets in the map value (for <c>.kconfig</c>, the loader's layout).</summary>
    public IReadOnlyList<GlobalVariableSpec> Variables { get; }
    /// <summary>The section name.</summary>
    public string Name => Spec.Name;
    /// <summary>The array map holding the data.</summary>
    public BpfMap Map { get; }
    /// <summary>True for <c>.rodata*</c> and <c>.kconfig</c>.</summary>
    public bool IsReadOnly { get; }
    /// <summary>Size of the section in bytes.</summary>
    public int Size { get; }

    /// <summary>The live bytes (read-only sections: do not write; the mapping is read-only and writing faults).</summary>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_address is null, this);
            return new Span<byte>(_address, Size);
        }
    }

    /// <summary>The bytes of one variable.</summary>
    /// <exception cref="KeyNotFoundException">No variable of that name.</exception>
    public Span<byte> GetVariableBytes(string name)
    {
        foreach (var v in Variables)
            if (v.Name == name) return Span.Slice((int)v.Offset, (int)v.Size);
        throw new KeyNotFoundException($"section '{Name}' has no variable '{name}'");
    }

    /// <summary>Reads a variable as <typeparamref name="T"/> (its size must not exceed the variable's).</summary>
    public T Read<T>(string name) where T : unmanaged
    {
        var bytes = GetVariableBytes(name);
        if (sizeof(T) > bytes.Length) throw new ArgumentException($"'{name}' is {bytes.Length} bytes, {typeof(T).Name} is {sizeof(T)}");
        return MemoryMarshal.Read<T>(bytes);
    }

    /// <summary>Writes a variable of a writable section.</summary>
    public void Write<T>(string name, T value) where T : unmanaged
    {
        if (IsReadOnly) throw new InvalidOperationException($"section '{Name}' is read-only after load");
        var bytes = GetVariableBytes(name);
        if (sizeof(T) > bytes.Length) throw new ArgumentException($"'{name}' is {bytes.Length} bytes, {typeof(T).Name} is {sizeof(T)}");
        MemoryMarshal.Write(bytes, in value);
    }

    /// <summary>Unmaps the memory (the map itself is owned by the collection).</summary>
    public void Dispose()
    {
        if (_address is null) return;
        LibC.Munmap(_address, _length);
        _address = null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Size} bytes{(IsReadOnly ? ", read-only" : "")})";
}
