namespace BpfSharp.Kernel;

/// <summary>Flags of <see cref="Bpf.GetStackid"/> and <see cref="Bpf.GetStack"/>; the low 8 bits are the number of frames to skip.</summary>
[Flags]
public enum StackIdFlags : ulong
{
    /// <summary>Kernel stack, no frames skipped.</summary>
    None = 0,
    /// <summary><c>BPF_F_SKIP_FIELD_MASK</c>: the bits holding the number of frames to skip.</summary>
    [BtfName("BPF_F_SKIP_FIELD_MASK")] SkipFieldMask = 0xff,
    /// <summary><c>BPF_F_USER_STACK</c>: the user-space stack instead of the kernel stack.</summary>
    [BtfName("BPF_F_USER_STACK")] UserStack = 256,
    /// <summary><c>BPF_F_FAST_STACK_CMP</c>: compare stacks by hash only.</summary>
    [BtfName("BPF_F_FAST_STACK_CMP")] FastStackCmp = 512,
    /// <summary><c>BPF_F_REUSE_STACKID</c>: on a hash collision, overwrite the old stack.</summary>
    [BtfName("BPF_F_REUSE_STACKID")] ReuseStackId = 1024,
    /// <summary><c>BPF_F_USER_BUILD_ID</c>: (for <see cref="Bpf.GetStack"/>) user frames as build id + offset.</summary>
    [BtfName("BPF_F_USER_BUILD_ID")] UserBuildId = 2048,
}
