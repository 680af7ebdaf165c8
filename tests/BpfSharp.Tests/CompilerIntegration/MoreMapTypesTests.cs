using BpfSharp.Compiler;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// The map classes libbpf-tools ports needed (#14 F2): LPM trie, queue, stack, Bloom filter and cgroup array, each
/// compiled from C# and exercised in the kernel with BPF_PROG_TEST_RUN, its result read back from user space.
/// </summary>
public sealed class MoreMapTypesTests
{
    private const string Source = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public struct Prefix4
        {
            public uint Length;
            public uint Address;
        }

        public static unsafe class Maps
        {
            static readonly LpmTrieMap<Prefix4, uint> Routes = new(maxEntries: 16);
            static readonly QueueMap<uint> Fifo = new(maxEntries: 4);
            static readonly StackMap<uint> Lifo = new(maxEntries: 4);
            static readonly BloomFilterMap<uint> Seen = new(maxEntries: 64);
            static readonly CgroupArrayMap Cgroups = new(maxEntries: 1);
            static readonly ArrayMap<long> Results = new(maxEntries: 8);

            [Xdp]
            public static int Exercise(XdpMd* ctx)
            {
                Prefix4 key;
                key.Length = 32;
                key.Address = 0x0102000a;       // 10.0.2.1, in network byte order
                uint* route = Routes.Lookup(key);
                Results.Update(0, route != null ? (long)*route : -1);

                Fifo.Push(1);
                Fifo.Push(2);
                Fifo.Pop(out uint first);
                Results.Update(1, first);
                Lifo.Push(1);
                Lifo.Push(2);
                Lifo.Pop(out uint last);
                Results.Update(2, last);

                Seen.Add(42);
                Results.Update(3, Seen.MayContain(42) ? 1 : 0);
                return 2;
            }

            [RawTracepoint("sys_enter")]
            public static int InCgroup(void* ctx)
            {
                Results.Update(4, Cgroups.IsCurrentTaskUnder(0));
                return 0;
            }
        }
        """;

    [Fact]
    public void NewMapClassesWorkInTheKernel()
    {
        var project = TinyBpfProject.Create("more-maps", ("Maps.cs", Source));
        try
        {
            var (code, output) = project.Build();
            Assert.True(code == 0, output);
            var compiled = BpfCompiler.Compile(project.AssemblyPath);
            Assert.True(compiled.Success, string.Join("\n", compiled.Diagnostics));
            var spec = ObjectSpec.Read(compiled.Object!, "maps.bpf.o");
            var types = spec.Maps.ToDictionary(m => m.Name, m => (m.Type, m.KeySize, m.ValueSize, m.Flags));
            Assert.Equal((BpfMapType.LpmTrie, 8u, 4u, 1u), types["Routes"]);
            Assert.Equal((BpfMapType.Queue, 0u, 4u, 0u), types["Fifo"]);
            Assert.Equal((BpfMapType.Stack, 0u, 4u, 0u), types["Lifo"]);
            Assert.Equal((BpfMapType.BloomFilter, 0u, 4u, 0u), types["Seen"]);
            Assert.Equal((BpfMapType.CgroupArray, 4u, 4u, 0u), types["Cgroups"]);

            KernelObjects.RequireBpf();
            using var collection = BpfCollection.Load(spec);
            // 10.0.0.0/8 routes to 7: the /32 lookup of 10.0.2.1 finds it as the longest matching prefix.
            collection.Maps["Routes"].Update(stackalloc byte[] { 8, 0, 0, 0, 10, 0, 0, 0 }, BitConverter.GetBytes(7u));
            collection.Programs["Exercise"].TestRun(new byte[64]);

            // The root of the cgroup v2 hierarchy, wherever this machine mounted it.
            var cgroup2 = File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup2")?[1];
            Assert.SkipWhen(cgroup2 is null, "this machine has no cgroup v2 hierarchy mounted");
            var cgroupRoot = DirectoryFd.Open(cgroup2!);
            try
            {
                collection.Maps["Cgroups"].Update(0u, (uint)cgroupRoot);
            }
            finally
            {
                DirectoryFd.Close(cgroupRoot);
            }
            var thread = new Thread(() => collection.Programs["InCgroup"].TestRun(default, repeat: 0, contextIn: new byte[16]));
            thread.Start();
            thread.Join();

            long Result(uint i) => collection.Maps["Results"].TryLookup(i, out long v) ? v : long.MinValue;
            Assert.Equal(7, Result(0));   // LPM longest match
            Assert.Equal(1, Result(1));   // queue: first in, first out
            Assert.Equal(2, Result(2));   // stack: last in, first out
            Assert.Equal(1, Result(3));   // Bloom filter: an added value may be there
            Assert.Equal(1, Result(4));   // every task is under the root cgroup
        }
        finally
        {
            Directory.Delete(project.ProjectDirectory, recursive: true);
        }
    }

}

/// <summary>A directory fd (what a cgroup array slot takes): .NET opens no directories.</summary>
internal static partial class DirectoryFd
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY

    public static int Open(string path)
    {
        var fd = OpenNative(path, ReadOnlyDirectory);
        Assert.True(fd >= 0, $"open({path}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        return fd;
    }

    public static void Close(int fd) => CloseNative(fd);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseNative(int fd);
}
