using System.Runtime.InteropServices;
using BpfSharp.Compiler;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// Local storage maps (task, socket, inode, cgroup) and the untyped escape hatch (#14 F2), compiled from C#: the
/// object declares them as libbpf expects; in the kernel (task storage and the untyped map), task storage lives per task (a program run
/// by BPF_PROG_TEST_RUN on one thread counts in that thread's storage, which user space reads through the thread's
/// pidfd).
/// </summary>
public sealed partial class LocalStorageMapTests
{
    private const string Source = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public static unsafe class Storage
        {
            static readonly TaskStorageMap<long> PerTask = new();
            static readonly UntypedMap Raw = new(type: 1, keySize: 4, valueSize: 8, maxEntries: 4);

            [RawTracepoint("sys_enter")]
            public static int CountTask(void* ctx)
            {
                long* n = PerTask.GetOrCreate(Bpf.GetCurrentTaskBtf());
                if (n == null)
                {
                    return -1;
                }

                *n += 1;
                return (int)*n;
            }

            [RawTracepoint("sys_enter")]
            public static int ForgetTask(void* ctx) => (int)PerTask.Delete(Bpf.GetCurrentTaskBtf());

            [Xdp]
            public static int UseRaw(XdpMd* ctx)
            {
                uint key = 2;
                long value = 1234;
                Raw.Update(&key, &value);
                long* stored = (long*)Raw.Lookup(&key);
                return stored == null ? -1 : (int)*stored;
            }
        }

        // Compiled only: the owners these need (full sockets, inodes, cgroups as BTF pointers) come from program
        // types this kernel refuses (fentry, LSM).
        public static unsafe class OtherOwners
        {
            static readonly SocketStorageMap<long> PerSocket = new();
            static readonly InodeStorageMap<long> PerInode = new();
            static readonly CgroupStorageMap<long> PerCgroup = new();

            [Fentry("security_socket_connect")]
            public static int Touch(void* sock)
            {
                long* s = PerSocket.GetOrCreate(sock);
                long* i = PerInode.Get(sock);
                long* c = PerCgroup.Get(sock);
                return (int)(PerSocket.Delete(sock) + PerInode.Delete(sock) + PerCgroup.Delete(sock));
            }
        }
        """;

    [Fact]
    public void LocalStorageAndUntypedMapsWorkInTheKernel()
    {
        var project = TinyBpfProject.Create("local-storage", ("Storage.cs", Source));
        try
        {
            var (code, output) = project.Build();
            Assert.True(code == 0, output);
            var others = BpfCompiler.Compile(project.AssemblyPath, new BpfCompilerOptions { ProgramFilter = n => n.StartsWith("OtherOwners.", StringComparison.Ordinal) });
            Assert.True(others.Success, string.Join("\n", others.Diagnostics));
            var declared = ObjectSpec.Read(others.Object!, "others.bpf.o").Maps.ToDictionary(m => m.Name, m => (m.Type, m.KeySize, m.ValueSize, m.MaxEntries, m.Flags));
            // libbpf's declarations: __type(key, int), __type(value, long), BPF_F_NO_PREALLOC, no max_entries.
            Assert.Equal((BpfMapType.SkStorage, 4u, 8u, 0u, 1u), declared["PerSocket"]);
            Assert.Equal((BpfMapType.InodeStorage, 4u, 8u, 0u, 1u), declared["PerInode"]);
            Assert.Equal((BpfMapType.CgrpStorage, 4u, 8u, 0u, 1u), declared["PerCgroup"]);

            var compiled = BpfCompiler.Compile(project.AssemblyPath, new BpfCompilerOptions { ProgramFilter = n => n.StartsWith("Storage.", StringComparison.Ordinal) });
            Assert.True(compiled.Success, string.Join("\n", compiled.Diagnostics));
            var spec = ObjectSpec.Read(compiled.Object!, "storage.bpf.o");
            var maps = spec.Maps.ToDictionary(m => m.Name, m => (m.Type, m.KeySize, m.ValueSize, m.MaxEntries, m.Flags));
            Assert.Equal((BpfMapType.TaskStorage, 4u, 8u, 0u, 1u), maps["PerTask"]);
            Assert.Equal((BpfMapType.Hash, 4u, 8u, 4u, 0u), maps["Raw"]);

            KernelObjects.RequireBpf();
            using var collection = BpfCollection.Load(spec);
            Assert.Equal(BpfMapType.TaskStorage, collection.Maps["PerTask"].Type);
            Assert.Equal(BpfMapType.Hash, collection.Maps["Raw"].Type);

            Assert.Equal(1234u, collection.Programs["UseRaw"].TestRun(new byte[64]).ReturnValue);
            Assert.True(collection.Maps["Raw"].TryLookup(2u, out long raw));
            Assert.Equal(1234, raw);

            // One thread: its task's storage counts the runs; deleting it starts over.
            var results = new List<long>();
            long seenFromUserSpace = -1;
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    // raw_tp test runs take no repeat count (the kernel answers EINVAL to one).
                    uint Run(string name) => collection.Programs[name].TestRun(default, repeat: 0, contextIn: new byte[16]).ReturnValue;
                    results.Add(Run("CountTask"));
                    results.Add(Run("CountTask"));
                    results.Add(Run("CountTask"));
                    var pidfd = PidfdOpenThread();
                    try
                    {
                        seenFromUserSpace = collection.Maps["PerTask"].TryLookup(pidfd, out long v) ? v : -1;
                    }
                    finally
                    {
                        Close(pidfd);
                    }

                    results.Add(Run("ForgetTask"));
                    results.Add((int)Run("ForgetTask"));
                    results.Add(Run("CountTask"));
                    results.Add(Run("ForgetTask"));
                }
                catch (Exception e)
                {
                    failure = e; // rethrown on the test's thread: an exception escaping a thread ends the test host
                }
            });
            thread.Start();
            thread.Join();
            Assert.Null(failure);
            Assert.Equal([1, 2, 3, 0, -2 /* -ENOENT: already gone */, 1, 0], results);
            Assert.Equal(3, seenFromUserSpace);
        }
        finally
        {
            Directory.Delete(project.ProjectDirectory, recursive: true);
        }
    }

    /// <summary>A pidfd of the calling thread (pidfd_open with PIDFD_THREAD, Linux 6.9+): the key of its task storage.</summary>
    private static int PidfdOpenThread()
    {
        const long SysPidfdOpen = 434, PidfdThread = 0x80; // O_EXCL
        long SysGettid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 178 : 186;
        var fd = (int)Syscall(SysPidfdOpen, Syscall(SysGettid, 0, 0), PidfdThread);
        Assert.True(fd >= 0, $"pidfd_open(PIDFD_THREAD) failed: errno {Marshal.GetLastPInvokeError()}");
        return fd;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a, long b);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
