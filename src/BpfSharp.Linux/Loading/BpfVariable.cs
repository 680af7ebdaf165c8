using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Loading;

/// <summary>
/// One global variable of a <see cref="BpfObject"/>, typed: before load it reads and writes the image that will be
/// loaded; after load it reads and writes the kernel's memory-mapped section directly (what the programs see), and
/// writing a <c>.rodata</c> variable throws. Found by name once, then accessed by offset.
/// </summary>
/// <typeparam name="T">The variable's C# type; its size must equal the variable's.</typeparam>
public sealed class BpfVariable<T> where T : unmanaged
{
    private readonly BpfObject _owner;

    internal BpfVariable(BpfObject owner, string name, int size)
    {
        if (size != System.Runtime.CompilerServices.Unsafe.SizeOf<T>())
            throw new ArgumentException($"global variable '{name}' is {size} bytes, {typeof(T).Name} is {System.Runtime.CompilerServices.Unsafe.SizeOf<T>()}");
        _owner = owner;
        Name = name;
    }

    /// <summary>The variable's name in the object.</summary>
    public string Name { get; }

    /// <summary>The current value.</summary>
    /// <exception cref="InvalidOperationException">Setting a read-only (<c>.rodata</c>) variable after load.</exception>
    public T Value
    {
        get => MemoryMarshal.Read<T>(_owner.GetVariableBytes(Name, forWrite: false));
        set => MemoryMarshal.Write(_owner.GetVariableBytes(Name, forWrite: true), in value);
    }

    /// <summary>The variable's bytes (read-only after load for <c>.rodata</c>).</summary>
    public ReadOnlySpan<byte> Bytes => _owner.GetVariableBytes(Name, forWrite: false);

    /// <inheritdoc />
    public override string ToString() => $"{Name} = {Value}";
}
