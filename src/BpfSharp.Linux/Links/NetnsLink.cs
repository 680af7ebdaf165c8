using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// A program attached to a network namespace through a BPF link (<c>BPF_LINK_CREATE</c> on a namespace fd):
/// sk_lookup (<see cref="BpfAttachType.SkLookup"/>, 5.9+) and flow dissector (<see cref="BpfAttachType.FlowDissector"/>, 5.8+).
/// </summary>
public sealed class NetnsLink : BpfLink
{
    /// <summary>The calling thread's own network namespace.</summary>
    public const string CurrentNamespace = "/proc/thread-self/ns/net";

    private NetnsLink(BpfFileDescriptor fd, string namespacePath, BpfAttachType attachType) : base(fd)
    {
        NamespacePath = namespacePath;
        AttachType = attachType;
    }

    /// <summary>The namespace file the link was made on (<c>/proc/PID/ns/net</c>, <c>/run/netns/NAME</c>, ...).</summary>
    public string NamespacePath { get; }

    /// <summary>The hook.</summary>
    public BpfAttachType AttachType { get; }

    /// <summary>Attaches <paramref name="program"/> to the network namespace at <paramref name="namespacePath"/>.</summary>
    /// <param name="program">An sk_lookup or flow dissector program.</param>
    /// <param name="attachType"><see cref="BpfAttachType.SkLookup"/> or <see cref="BpfAttachType.FlowDissector"/>.</param>
    /// <param name="namespacePath">A network namespace file; by default the calling thread's.</param>
    /// <exception cref="BpfAttachException">The namespace file cannot be opened.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static NetnsLink Attach(BpfProgram program, BpfAttachType attachType, string namespacePath = CurrentNamespace)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentException.ThrowIfNullOrEmpty(namespacePath);
        var raw = LibC.Open(namespacePath, LibC.OReadOnly | LibC.OCloexec);
        if (raw < 0) throw new BpfAttachException($"cannot open network namespace {namespacePath}", Marshal.GetLastPInvokeError());
        using var ns = new BpfFileDescriptor(raw);
        using var lease = ns.Borrow();
        var fd = Create(program, (uint)lease.Fd, attachType);
        try
        {
            return new NetnsLink(fd, namespacePath, attachType);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }
}
