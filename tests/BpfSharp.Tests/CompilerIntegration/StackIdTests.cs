using BpfSharp.Compiler;
using BpfSharp.Instructions;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// <c>StackTraceMap.GetStackId(ctx, 0)</c> is what bcc's tools write: it must compile in C# (no CS0121 between
/// overloads), pass the flags the C call passes, and load with its stack map.
/// </summary>
public sealed class StackIdTests
{
    private const string Source = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public static unsafe class Stacks
        {
            static readonly StackTraceMap StackMap = new(maxEntries: 64);
            static readonly ArrayMap<long> Ids = new(maxEntries: 2);

            [PerfEvent]
            public static int Sample(void* ctx)
            {
                Ids.Update(0, StackMap.GetStackId(ctx, 0));
                Ids.Update(1, StackMap.GetStackId(ctx, 3, StackIdFlags.UserStack | StackIdFlags.FastStackCmp));
                return 0;
            }
        }
        """;

    [Fact]
    public void GetStackIdWithZeroCompilesAndPassesTheCFlags()
    {
        var project = TinyBpfProject.Create("stack-id", ("Stacks.cs", Source));
        try
        {
            var (code, output) = project.Build();
            Assert.True(code == 0, output);
            var compiled = BpfCompiler.Compile(project.AssemblyPath);
            Assert.True(compiled.Success, string.Join("\n", compiled.Diagnostics));
            var spec = ObjectSpec.Read(compiled.Object!, "stacks.bpf.o");

            // r3 = flags before each call to bpf_get_stackid (helper 27): 0, then 3 | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP.
            var insns = spec.Programs.Single(p => p.Name == "Sample").Instructions.ToArray();
            var flags = new List<long>();
            for (var i = 0; i < insns.Length; i++)
            {
                if (insns[i].Opcode != 0x85 || insns[i].Immediate != 27) continue;
                var set = insns[..i].Last(x => x.Destination == 3 && (x.Opcode & 0x07) is 0x07 or 0x04);
                flags.Add(set.Immediate);
            }
            Assert.Equal([0L, 3 | 256 | 512], flags);

            KernelObjects.RequireBpf();
            using var collection = BpfCollection.Load(spec);
            Assert.Equal(BpfMapType.StackTrace, collection.Maps["StackMap"].Type);
        }
        finally
        {
            Directory.Delete(project.ProjectDirectory, recursive: true);
        }
    }
}
