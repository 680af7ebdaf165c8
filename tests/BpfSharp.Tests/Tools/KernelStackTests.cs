using System.Runtime.InteropServices;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.Symbols;
using BpfSharp.Linux.Tools;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// A real kernel stack, symbolised: a clang-built tp_btf/sys_enter program stores bpf_get_stack's frames when this
/// process calls getppid; every frame must resolve into kernel text, the syscall entry path must be among them
/// (do_syscall_64 on x86-64, invoke_syscall on arm64), and its address must agree with /proc/kallsyms.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed partial class KernelStackTests(ITestOutputHelper output)
{
    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall(long number);

    [Fact]
    public void SyscallStackResolvesToTheEntryPath()
    {
        KernelObjects.RequireBpf();
        var obj = Path.Combine(ToolTestKit.Directory, "kstack.bpf.o");
        lock (typeof(KernelStackTests))
        {
            if (!File.Exists(obj))
                ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", "-I", ExternalTool.MultiarchIncludeDirectory,
                    "-c", ToolTestKit.Source("kstack.bpf.c"), "-o", obj);
        }
        using var collection = BpfCollection.Load(ObjectSpec.Load(obj));
        var getppid = SyscallNames.Number("getppid");
        collection.Maps["config"].Update(BitConverter.GetBytes(0u), BitConverter.GetBytes((ulong)Environment.ProcessId));
        collection.Maps["config"].Update(BitConverter.GetBytes(1u), BitConverter.GetBytes((ulong)getppid));
        using (SectionAttach.Attach(collection.Programs["on_sys_enter"], "tp_btf/sys_enter"))
            Syscall(getppid);

        var stack = new byte[8 + 64 * 8];
        Assert.True(collection.Maps["stacks"].TryLookup(BitConverter.GetBytes(0u), stack));
        var size = BitConverter.ToInt64(stack);
        Assert.True(size > 0, $"bpf_get_stack returned {size}");
        var frames = Enumerable.Range(0, (int)size / 8).Select(i => BitConverter.ToUInt64(stack, 8 + i * 8)).ToList();

        var symbols = KernelSymbolTable.Load();
        var resolved = frames.Select(ip => symbols.TryResolve(ip, out var r) ? r : throw new Xunit.Sdk.XunitException($"0x{ip:x} does not resolve")).ToList();
        output.WriteLine(string.Join('\n', resolved));
        var entry = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "invoke_syscall" : "do_syscall_64";
        var frame = resolved.First(r => r.Symbol.Name == entry);
        Assert.Equal(symbols.Find(entry)!.Value.Address, frame.Symbol.Address);
        Assert.True(frame.Offset > 0); // a return address inside the function, not its start
        Assert.All(resolved, r => Assert.Contains(r.Symbol.Type, "TtWw"));
    }
}
