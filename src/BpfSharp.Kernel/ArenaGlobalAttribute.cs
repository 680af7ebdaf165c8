namespace BpfSharp.Kernel;

/// <summary>
/// Places a static field in the arena (C's <c>__arena</c> global, section <c>.addr_space.1</c>): the loader copies
/// its initial value into the arena's last pages, and programs and user space (<c>BpfCollection.Arena</c>,
/// <c>ReadVariable</c>/<c>WriteVariable</c>) share it there. The class must declare the object's
/// <see cref="ArenaMap"/>.
/// </summary>
/// <remarks>
/// A program reaches the field through its arena address: the compiler loads the address and converts it to the
/// kernel form before each access (<c>addr_space_cast(p, 0, 1)</c>, as clang does), so <c>&amp;field</c> is the kernel
/// form too; store an address where user space reads it with <see cref="Arena.ToUser{T}(T*)"/>. Arena memory is
/// not zeroed by the verifier's rules for globals: a field's value is what its initialiser, user space or a program
/// last wrote.
/// </remarks>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class ArenaGlobalAttribute : Attribute
{
}
