using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>Network interface name to index lookups for the XDP and tc attach points.</summary>
public static class NetworkInterfaces
{
    /// <summary>The ifindex of interface <paramref name="name"/> in this process's network namespace.</summary>
    /// <exception cref="BpfAttachException">No such interface.</exception>
    public static int IndexOf(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var index = LibC.IfNameToIndex(name);
        if (index == 0) throw new BpfAttachException($"no network interface '{name}'", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        return (int)index;
    }
}
