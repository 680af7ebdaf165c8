using BpfSharp.Compiler;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Compiler;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// The C# programs of tests/BpfSharp.TestPrograms/Network compiled once: <c>NetworkHooks</c> (one program per hook
/// the network tests trigger, counting in <c>Counters</c>) and <c>CgroupHooks</c> (one trivial program per cgroup
/// hook).
/// </summary>
internal static class NetworkHookPrograms
{
    public const string HooksClass = "BpfSharp.TestPrograms.Network.NetworkHooks";
    public const string CgroupHooksClass = "BpfSharp.TestPrograms.Network.CgroupHooks";

    // Counters slots (see NetworkHooks).
    public const uint TcPackets = 0, XdpPackets = 1, ConnectRewrites = 2, ActiveEstablished = 3, Messages = 4, MessageBytes = 5,
        RedirectedMessages = 6, SysctlReads = 7, SysctlWritesDenied = 8, Getsockopts = 9, Setsockopts = 10, LookupsSteered = 11,
        DevMapRedirects = 12, OtherTcPackets = 13, XdpCpuMapRedirects = 14, SockHashAdds = 15, LastSysctlNameLength = 16;

    // Config slots.
    public const uint ConnectFromNetworkOrder = 0, ConnectToNetworkOrder = 1, TcAction = 2, LookupPort = 3;

    private static readonly Lazy<byte[]> Hooks = new(() => Compile(HooksClass));
    private static readonly Lazy<byte[]> Cgroup = new(() => Compile(CgroupHooksClass));

    public static ObjectSpec HooksSpec => ObjectSpec.Read(Hooks.Value, "network_hooks.bpf.o");

    public static ObjectSpec CgroupHooksSpec => ObjectSpec.Read(Cgroup.Value, "cgroup_hooks.bpf.o");

    public static BpfCollection LoadHooks() => BpfCollection.Load(HooksSpec);

    public static ulong Counter(BpfCollection collection, uint slot) =>
        collection.Maps["Counters"].TryLookup(slot, out ulong value) ? value : 0;

    public static void Configure(BpfCollection collection, uint slot, uint value) => collection.Maps["Config"].Update(slot, value);

    public static string Section(BpfCollection collection, string program) =>
        collection.Spec.Programs.Single(p => p.Name == program).SectionName;

    private static byte[] Compile(string className)
    {
        var compilation = BpfCompiler.Compile(CompiledTestPrograms.AssemblyPath,
            new BpfCompilerOptions { ProgramFilter = name => name.StartsWith(className + ".", StringComparison.Ordinal) });
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        return compilation.Object!;
    }
}
