using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// struct_ops types that vmlinux lacks: the load fails naming the map and the struct, and when a kernel module's BTF
/// defines the struct (a module's own ops type), the message names the module, since module struct_ops types are
/// not supported yet. This kernel has no module BTF, so the module lookup is checked on a directory of split BTF
/// files written here over the running kernel's vmlinux.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class StructOpsModuleTypeTests(ITestOutputHelper output)
{
    [Fact]
    public void AStructDefinedByAModulesBtfIsFoundInThatModule()
    {
        var vmlinux = BtfSpec.Load(Path.Combine(RunningKernel.BtfDirectory, "vmlinux"));
        var name = $"bpfsharp_mod_ops_{Environment.ProcessId}";
        var dir = TestPaths.NewScratchDirectory("module_btf");
        var builder = new BtfBuilder(vmlinux);
        var u32 = builder.AddInt("unsigned int", 4, BtfIntEncoding.None, 32);
        var ops = builder.AddStruct(name, 4);
        builder.AddMember(ops, "flags", u32, 0);
        File.WriteAllBytes(Path.Combine(dir, "bpfsharp_fake_mod"), builder.ToArray());
        File.WriteAllBytes(Path.Combine(dir, "a_broken_mod"), [1, 2, 3]); // unreadable BTF: skipped, not fatal
        File.WriteAllBytes(Path.Combine(dir, "vmlinux"), [0]);              // never read as a module

        Assert.True(vmlinux.FindByName(name, BtfKind.Struct) <= 0, "vmlinux has the struct already");
        Assert.Equal("bpfsharp_fake_mod", BpfObjectLoader.ModuleDefiningStruct(name, vmlinux, dir));
        Assert.Null(BpfObjectLoader.ModuleDefiningStruct(name + "_absent", vmlinux, dir));
        Assert.Null(BpfObjectLoader.ModuleDefiningStruct(name, vmlinux, Path.Combine(dir, "no_such_directory")));
    }

    [Fact]
    public void AStructOpsTypeTheKernelLacksFailsTheLoadNamingIt()
    {
        KernelObjects.RequireBpf();
        var o = StructOpsTests.CompileSource("no_such_ops", """
            struct bpfsharp_no_such_ops { __u32 (*ssthresh)(struct sock *sk); char name[16]; };
            SEC("struct_ops/s") __u32 s(void *ctx) { return 2; }
            SEC(".struct_ops") struct bpfsharp_no_such_ops missing = { .ssthresh = (void *)s, .name = "x" };
            """);
        var e = Assert.Throws<BpfLoadException>(() => BpfCollection.Load(o));
        output.WriteLine(e.Message);
        var modules = Directory.EnumerateFiles(RunningKernel.BtfDirectory).Count(f => Path.GetFileName(f) != "vmlinux");
        output.WriteLine($"{modules} module BTF files in {RunningKernel.BtfDirectory}");
        Assert.Equal("struct_ops map 'missing': struct bpfsharp_no_such_ops is not found in kernel BTF (vmlinux)", e.Message);
    }
}
