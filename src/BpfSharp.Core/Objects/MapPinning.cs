namespace BpfSharp.Objects;

/// <summary>libbpf pinning modes (<c>enum libbpf_pin_type</c>).</summary>
public enum MapPinning : uint
{
    /// <summary><c>LIBBPF_PIN_NONE</c>.</summary>
    None = 0,
    /// <summary><c>LIBBPF_PIN_BY_NAME</c>: pin under the pin root by map name.</summary>
    ByName = 1,
}
