namespace BpfSharp.Compiler;

/// <summary>
/// Stable diagnostic ids. 1xxx: front end (what C# may not do in BPF); 2xxx: program structure;
/// 3xxx: back end limits; 4xxx: CO-RE soundness.
/// </summary>
public static class DiagnosticIds
{
    /// <summary>An IL instruction with no BPF meaning (exceptions, allocation, boxing, …).</summary>
    public const string UnsupportedInstruction = "BPFS1001";
    /// <summary>Floating point.</summary>
    public const string FloatingPoint = "BPFS1002";
    /// <summary>A virtual or interface call.</summary>
    public const string VirtualCall = "BPFS1003";
    /// <summary>Recursion (BPF has no unbounded call stack).</summary>
    public const string Recursion = "BPFS1004";
    /// <summary>A string other than a literal passed to printk.</summary>
    public const string StringUse = "BPFS1005";
    /// <summary>A call to a method with no IL body that is not a helper or intrinsic.</summary>
    public const string UnknownMethod = "BPFS1006";
    /// <summary>A reference type (object, class, array) used as a value.</summary>
    public const string ReferenceType = "BPFS1007";
    /// <summary>Exception handling or throwing.</summary>
    public const string Exceptions = "BPFS1008";
    /// <summary>A static field initialiser that is not a constant or a map constructor.</summary>
    public const string NonConstantInitializer = "BPFS1009";
    /// <summary>A type the compiler cannot lay out or describe in BTF.</summary>
    public const string UnsupportedType = "BPFS1010";
    /// <summary>A map field used other than as the receiver of map methods or a helper argument.</summary>
    public const string MapUse = "BPFS1011";
    /// <summary>The assembly or a referenced assembly could not be read.</summary>
    public const string BadAssembly = "BPFS2001";
    /// <summary>No program entry points.</summary>
    public const string NoPrograms = "BPFS2002";
    /// <summary>An entry point with a wrong signature.</summary>
    public const string BadEntryPoint = "BPFS2003";
    /// <summary>Two maps or globals of one name (from different classes) in one object.</summary>
    public const string DuplicateName = "BPFS2004";
    /// <summary>A struct_ops definition the compiler cannot emit ([StructOps] classes, their methods and members).</summary>
    public const string StructOps = "BPFS2005";
    /// <summary>The 512-byte BPF stack is exceeded.</summary>
    public const string StackTooLarge = "BPFS3001";
    /// <summary>A helper or function call with more than five arguments.</summary>
    public const string TooManyArguments = "BPFS3002";
    /// <summary>A branch or offset that does not fit the instruction encoding.</summary>
    public const string OutOfRange = "BPFS3003";
    /// <summary>Size, offset, copy or local of a [Relocatable] type.</summary>
    public const string RelocatableLayout = "BPFS4001";
    /// <summary>A store through a [Relocatable] pointer the verifier does not trust (not a BTF pointer).</summary>
    public const string UntrustedKernelStore = "BPFS4002";
}
