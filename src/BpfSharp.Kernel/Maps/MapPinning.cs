namespace BpfSharp.Kernel;

/// <summary>Whether the loader pins the map in bpffs (libbpf's <c>LIBBPF_PIN_*</c>).</summary>
public enum MapPinning : uint
{
    /// <summary><c>LIBBPF_PIN_NONE</c>: not pinned.</summary>
    None = 0,
    /// <summary><c>LIBBPF_PIN_BY_NAME</c>: pinned (and reused if already pinned) under the map's name in the pin directory.</summary>
    ByName = 1,
}
