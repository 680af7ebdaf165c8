using BpfSharp.Btf;
using BpfSharp.Compiler;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// gen csharp writes a C flexible array of structs (<c>struct upid numbers[]</c> in <c>struct pid</c>) as
/// <c>[FlexibleArray] InlineArray1OfUpid numbers</c>: the compiler must describe it as C does (an array of length 0
/// of <c>upid</c>, not an array of arrays), so that <c>pid-&gt;numbers[0].nr</c> relocates against the kernel.
/// </summary>
public sealed class FlexibleInlineArrayTests
{
    private const string Source = """
        using System.Runtime.CompilerServices;
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        [Relocatable("upid")]
        public unsafe struct Upid
        {
            public int nr;
            public void* ns;
        }

        [InlineArray(1)]
        public struct InlineArray1OfUpid
        {
            private Upid _element0;
        }

        [Relocatable("pid")]
        public unsafe struct Pid
        {
            public uint level;
            [FlexibleArray] public InlineArray1OfUpid numbers;
        }

        [Relocatable("task_struct")]
        public unsafe struct Task
        {
            public Pid* thread_pid;
        }

        public struct Seen
        {
            public int Nr;
        }

        public static unsafe class PidProbes
        {
            static readonly ArrayMap<Seen> Results = new(maxEntries: 1);

            [RawTracepoint("sys_enter")]
            public static int ReadPidNumber(void* ctx)
            {
                var task = (Task*)Bpf.GetCurrentTask();
                var seen = Results.Lookup(0);
                if (seen == null) return 0;
                seen->Nr = task->thread_pid->numbers[0].nr;
                return 0;
            }
        }
        """;

    [Fact]
    public void FlexibleInlineArrayIsAZeroLengthArrayOfItsElementAndRelocates()
    {
        var project = TinyBpfProject.Create("flexible-inline", ("PidProbes.cs", Source));
        try
        {
            var (code, output) = project.Build();
            Assert.True(code == 0, output);
            var compiled = BpfCompiler.Compile(project.AssemblyPath);
            Assert.True(compiled.Success, string.Join("\n", compiled.Diagnostics));
            var spec = ObjectSpec.Read(compiled.Object!, "pid.bpf.o");

            var btf = spec.Btf!;
            var pid = btf[btf.FindByName("pid", BtfKind.Struct)];
            var numbers = Enumerable.Range(0, pid.Vlen).Select(i => pid.GetMember(i)).Single(m => m.Name == "numbers");
            var array = btf[numbers.TypeId];
            Assert.Equal(BtfKind.Array, array.Kind);
            Assert.Equal(0u, array.ArrayLength);
            var element = btf[array.ArrayElementType];
            Assert.Equal(BtfKind.Struct, element.Kind);
            Assert.Equal("upid", element.Name);

            KernelObjects.RequireBpf();
            using var collection = BpfCollection.Load(spec);
            int tid = 0;
            var thread = new Thread(() =>
            {
                tid = BpfSharp.Tests.Infrastructure.NativeThread.Id();
                collection.Programs["ReadPidNumber"].TestRun(default, repeat: 0, contextIn: new byte[16]);
            });
            thread.Start();
            thread.Join();
            // numbers[0] is the pid in the initial namespace: the thread's id.
            Assert.True(collection.Maps["Results"].TryLookup(0u, out int nr));
            Assert.Equal(tid, nr);
        }
        finally
        {
            Directory.Delete(project.ProjectDirectory, recursive: true);
        }
    }
}
