namespace BpfSharp.Linux;

/// <summary>Program load flags (<c>prog_flags</c> of <c>BPF_PROG_LOAD</c>, the <c>BPF_F_*</c> constants).</summary>
[Flags]
public enum BpfProgramLoadFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary><c>BPF_F_STRICT_ALIGNMENT</c>: verify alignment as if the CPU required it.</summary>
    StrictAlignment = 1u << 0,
    /// <summary><c>BPF_F_ANY_ALIGNMENT</c>: skip alignment checks (testing only).</summary>
    AnyAlignment = 1u << 1,
    /// <summary><c>BPF_F_TEST_RND_HI32</c>: poison upper halves of 32-bit subregisters (testing only).</summary>
    TestRandomHi32 = 1u << 2,
    /// <summary><c>BPF_F_TEST_STATE_FREQ</c>: checkpoint verifier states often (testing only).</summary>
    TestStateFrequency = 1u << 3,
    /// <summary><c>BPF_F_SLEEPABLE</c>: the program may sleep.</summary>
    Sleepable = 1u << 4,
    /// <summary><c>BPF_F_XDP_HAS_FRAGS</c>: XDP program understands multi-buffer packets.</summary>
    XdpHasFrags = 1u << 5,
    /// <summary><c>BPF_F_XDP_DEV_BOUND_ONLY</c>: XDP program bound to one device.</summary>
    XdpDeviceBoundOnly = 1u << 6,
}
