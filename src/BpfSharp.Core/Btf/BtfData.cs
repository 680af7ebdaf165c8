namespace BpfSharp.Btf;

/// <summary>Where a parsed BTF's bytes live: a managed array, or memory mapped for the life of the process.</summary>
internal readonly record struct BtfData(byte[]? Array, nint Native, int Length)
{
    public bool IsEmpty => Array is null && Native == 0;
}
