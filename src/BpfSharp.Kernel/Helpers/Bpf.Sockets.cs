namespace BpfSharp.Kernel;

public static unsafe partial class Bpf
{
    /// <summary><c>bpf_sk_redirect_map</c>: redirects the socket buffer to a socket of a sockmap (sk_skb verdict).</summary>
    /// <param name="skb">The context.</param>
    /// <param name="map">A <see cref="SockMap"/>.</param>
    /// <param name="key">The slot.</param>
    /// <param name="flags"><c>BPF_F_INGRESS</c> (1) for the socket's receive side.</param>
    /// <returns><see cref="SkAction.Pass"/> on success, else <see cref="SkAction.Drop"/>.</returns>
    [BpfHelper(52)]
    public static long SkRedirectMap(SkBuff* skb, KernelMap map, uint key, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sock_map_update</c>: adds the socket of a sockops event to a sockmap.</summary>
    /// <param name="ops">The context.</param>
    /// <param name="map">A <see cref="SockMap"/>.</param>
    /// <param name="key">The slot (a <c>u32</c>).</param>
    /// <param name="flags"><see cref="UpdateFlags"/>.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(53)]
    public static long SockMapUpdate(SockOps* ops, KernelMap map, void* key, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sock_ops_cb_flags_set</c>: enables the optional sockops callbacks (<c>BPF_SOCK_OPS_*_CB_FLAG</c>).</summary>
    /// <param name="ops">The context.</param>
    /// <param name="flags">The callbacks wanted.</param>
    /// <returns>0, or a negative errno (the flags the kernel does not know, when positive).</returns>
    [BpfHelper(59)]
    public static long SockOpsCbFlagsSet(SockOps* ops, int flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_msg_redirect_map</c>: redirects the message to a socket of a sockmap (sk_msg).</summary>
    /// <param name="msg">The context.</param>
    /// <param name="map">A <see cref="SockMap"/>.</param>
    /// <param name="key">The slot.</param>
    /// <param name="flags"><c>BPF_F_INGRESS</c> (1) for the socket's receive side.</param>
    /// <returns><see cref="SkAction.Pass"/> on success, else <see cref="SkAction.Drop"/>.</returns>
    [BpfHelper(60)]
    public static long MsgRedirectMap(SkMsgMd* msg, KernelMap map, uint key, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_msg_apply_bytes</c>: applies this verdict to the next <paramref name="bytes"/> bytes without running again.</summary>
    /// <param name="msg">The context.</param>
    /// <param name="bytes">The byte count.</param>
    /// <returns>0.</returns>
    [BpfHelper(61)]
    public static long MsgApplyBytes(SkMsgMd* msg, uint bytes) => throw new BpfOnlyException();

    /// <summary><c>bpf_msg_cork_bytes</c>: holds the verdict until <paramref name="bytes"/> bytes have accumulated.</summary>
    /// <param name="msg">The context.</param>
    /// <param name="bytes">The byte count.</param>
    /// <returns>0.</returns>
    [BpfHelper(62)]
    public static long MsgCorkBytes(SkMsgMd* msg, uint bytes) => throw new BpfOnlyException();

    /// <summary><c>bpf_msg_pull_data</c>: makes bytes <paramref name="start"/>..<paramref name="end"/> of the message readable at <c>data</c>.</summary>
    /// <param name="msg">The context.</param>
    /// <param name="start">The first byte.</param>
    /// <param name="end">One past the last byte.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(63)]
    public static long MsgPullData(SkMsgMd* msg, uint start, uint end, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_bind</c>: binds the socket of a connect4/6 program to a local address first.</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="address">A <c>struct sockaddr_in</c> or <c>sockaddr_in6</c>.</param>
    /// <param name="addressLength">Its size.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(64)]
    public static long Bind(SockAddr* ctx, void* address, int addressLength) => throw new BpfOnlyException();

    /// <summary><c>bpf_sock_hash_update</c>: adds the socket of a sockops event to a sockhash.</summary>
    /// <param name="ops">The context.</param>
    /// <param name="map">A <see cref="SockHash{TKey}"/>.</param>
    /// <param name="key">The key.</param>
    /// <param name="flags"><see cref="UpdateFlags"/>.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(70)]
    public static long SockHashUpdate(SockOps* ops, KernelMap map, void* key, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_msg_redirect_hash</c>: redirects the message to a socket of a sockhash (sk_msg).</summary>
    /// <param name="msg">The context.</param>
    /// <param name="map">A <see cref="SockHash{TKey}"/>.</param>
    /// <param name="key">The key.</param>
    /// <param name="flags"><c>BPF_F_INGRESS</c> (1) for the socket's receive side.</param>
    /// <returns><see cref="SkAction.Pass"/> on success, else <see cref="SkAction.Drop"/>.</returns>
    [BpfHelper(71)]
    public static long MsgRedirectHash(SkMsgMd* msg, KernelMap map, void* key, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sk_redirect_hash</c>: redirects the socket buffer to a socket of a sockhash (sk_skb verdict).</summary>
    /// <param name="skb">The context.</param>
    /// <param name="map">A <see cref="SockHash{TKey}"/>.</param>
    /// <param name="key">The key.</param>
    /// <param name="flags"><c>BPF_F_INGRESS</c> (1) for the socket's receive side.</param>
    /// <returns><see cref="SkAction.Pass"/> on success, else <see cref="SkAction.Drop"/>.</returns>
    [BpfHelper(72)]
    public static long SkRedirectHash(SkBuff* skb, KernelMap map, void* key, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sysctl_get_name</c>: the sysctl's name, relative to <c>/proc/sys</c> (flags 0) or its base name (<c>BPF_F_SYSCTL_BASE_NAME</c>, 1).</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="buffer">The destination.</param>
    /// <param name="length">Its size.</param>
    /// <param name="flags">0 or 1.</param>
    /// <returns>The length copied (without the NUL), or <c>-E2BIG</c> when truncated.</returns>
    [BpfHelper(101)]
    public static long SysctlGetName(Sysctl* ctx, byte* buffer, ulong length, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sysctl_get_current_value</c>: the sysctl's current value as text.</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="buffer">The destination.</param>
    /// <param name="length">Its size.</param>
    /// <returns>The length copied, <c>-E2BIG</c> when truncated, <c>-EINVAL</c> when unreadable.</returns>
    [BpfHelper(102)]
    public static long SysctlGetCurrentValue(Sysctl* ctx, byte* buffer, ulong length) => throw new BpfOnlyException();

    /// <summary><c>bpf_sysctl_get_new_value</c>: the value being written, as text.</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="buffer">The destination.</param>
    /// <param name="length">Its size.</param>
    /// <returns>The length copied, <c>-E2BIG</c> when truncated, <c>-EINVAL</c> on a read.</returns>
    [BpfHelper(103)]
    public static long SysctlGetNewValue(Sysctl* ctx, byte* buffer, ulong length) => throw new BpfOnlyException();

    /// <summary><c>bpf_sysctl_set_new_value</c>: replaces the value being written.</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="buffer">The new text.</param>
    /// <param name="length">Its length.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(104)]
    public static long SysctlSetNewValue(Sysctl* ctx, byte* buffer, ulong length) => throw new BpfOnlyException();
}
