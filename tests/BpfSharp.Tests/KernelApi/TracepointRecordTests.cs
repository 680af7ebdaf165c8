using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using BpfSharp.Kernel;
using BpfSharp.Kernel.Tracepoints;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.KernelApi;

/// <summary>
/// The fixed-layout tracepoint records of BpfSharp.Kernel.Tracepoints against the two descriptions the kernel
/// gives of them: the tracefs format file of each tracepoint (offset and size of every field) and the
/// <c>trace_event_raw_*</c> / <c>syscall_trace_*</c> struct of the running kernel's BTF.
/// </summary>
public sealed unsafe partial class TracepointRecordTests
{
    /// <summary>Each record type and tracepoints whose record it is.</summary>
    private static readonly Dictionary<Type, string[]> Records = new()
    {
        [typeof(SyscallEnter)] = ["syscalls/sys_enter_openat", "syscalls/sys_enter_read", "syscalls/sys_enter_execve"],
        [typeof(SyscallExit)] = ["syscalls/sys_exit_openat", "syscalls/sys_exit_read"],
        [typeof(RawSyscallEnter)] = ["raw_syscalls/sys_enter"],
        [typeof(RawSyscallExit)] = ["raw_syscalls/sys_exit"],
        [typeof(SchedSwitch)] = ["sched/sched_switch"],
        [typeof(SchedWakeup)] = ["sched/sched_wakeup", "sched/sched_wakeup_new", "sched/sched_waking"],
        [typeof(SchedProcessExec)] = ["sched/sched_process_exec"],
        [typeof(SchedProcessExit)] = ["sched/sched_process_exit"],
        [typeof(SchedProcessFork)] = ["sched/sched_process_fork"],
        [typeof(BlockRq)] = ["block/block_rq_insert", "block/block_rq_issue"],
        [typeof(BlockRqCompletion)] = ["block/block_rq_complete", "block/block_rq_error"],
    };

    public static TheoryData<string> RecordNames()
    {
        var data = new TheoryData<string>();
        foreach (var t in Records.Keys) data.Add(t.Name);
        return data;
    }

    private static Type ByName(string name) => Records.Keys.Single(t => t.Name == name);

    private static readonly Lazy<Dictionary<string, string>> FormatFiles = new(ReadFormatFiles);

    /// <summary>Every listed tracepoint's format file, from the mounted tracefs or one mounted privately in a
    /// child mount namespace (unshare -m) that the rest of the system never sees.</summary>
    private static Dictionary<string, string> ReadFormatFiles()
    {
        var events = Records.Values.SelectMany(e => e).ToArray();
        string text;
        var root = BpfSharp.Linux.Links.Tracefs.FindRoot();
        if (root is not null)
        {
            text = string.Concat(events.Select(e => $"### {e}\n" + File.ReadAllText(Path.Combine(root, "events", e, "format"))));
        }
        else
        {
            var dir = TestPaths.NewScratchDirectory("tracefs");
            try
            {
                text = AttachTestKit.Run("unshare", "-m", "sh", "-c",
                    $"mount -t tracefs nodev '{dir}' && for e in {string.Join(' ', events)}; do echo \"### $e\"; cat \"{dir}/events/$e/format\"; done");
            }
            finally
            {
                Directory.Delete(dir);
            }
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split("### ", StringSplitOptions.RemoveEmptyEntries))
        {
            int newline = part.IndexOf('\n');
            result[part[..newline]] = part[(newline + 1)..];
        }

        return result;
    }

    [GeneratedRegex(@"field:(?<decl>[^;]*);\s*offset:(?<offset>\d+);\s*size:(?<size>\d+);")]
    private static partial Regex FieldLine();

    /// <summary>(name, offset, size, data_loc) of every field of a format file, common ones included.</summary>
    private static List<(string Name, int Offset, int Size, bool DataLoc)> FormatFields(string format)
    {
        var fields = new List<(string, int, int, bool)>();
        foreach (Match m in FieldLine().Matches(format))
        {
            string decl = m.Groups["decl"].Value.Trim();
            string name = Regex.Replace(decl, @"\[[^\]]*\]$", "");
            name = name[(name.LastIndexOfAny([' ', '*']) + 1)..];
            fields.Add((name, int.Parse(m.Groups["offset"].Value), int.Parse(m.Groups["size"].Value), decl.StartsWith("__data_loc", StringComparison.Ordinal)));
        }

        return fields;
    }

    private static FieldInfo[] Fields(Type t) => t.GetFields(BindingFlags.Public | BindingFlags.Instance);

    [Theory]
    [MemberData(nameof(RecordNames))]
    public void EveryFieldOfTheFormatFileIsAtItsOffsetWithItsSize(string typeName)
    {
        var type = ByName(typeName);
        var byName = Fields(type).ToDictionary(f => KernelApiKit.BtfName(f)!, StringComparer.Ordinal);
        var entry = Fields(typeof(TraceEntry)).ToDictionary(f => "common_" + KernelApiKit.BtfName(f)!, StringComparer.Ordinal);
        bool syscallArgs = type == typeof(SyscallEnter);
        foreach (var tracepoint in Records[type])
        {
            Assert.True(FormatFiles.Value.TryGetValue(tracepoint, out var format) && format.Contains("field:"), $"no format file for {tracepoint}");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int argument = 0;
            foreach (var (name, offset, size, dataLoc) in FormatFields(format))
            {
                long actualOffset, actualSize;
                if (entry.TryGetValue(name, out var common))
                {
                    actualOffset = Marshal.OffsetOf(type, byName["ent"].Name) + Marshal.OffsetOf<TraceEntry>(common.Name);
                    actualSize = Marshal.SizeOf(common.FieldType);
                }
                else if (name is "__syscall_nr")
                {
                    (actualOffset, actualSize) = (Marshal.OffsetOf(type, byName["nr"].Name), Marshal.SizeOf(byName["nr"].FieldType));
                    seen.Add("nr");
                }
                else if (syscallArgs)
                {
                    // Each syscall argument is one 8-byte element of Args, in order.
                    (actualOffset, actualSize) = (Marshal.OffsetOf(type, byName["args"].Name) + (8L * argument++), 8);
                    Assert.True(argument <= 6, $"{tracepoint}: more than six arguments");
                    seen.Add("args");
                }
                else
                {
                    string btfName = dataLoc ? "__data_loc_" + name : name;
                    Assert.True(byName.TryGetValue(btfName, out var field), $"{tracepoint}: {type.Name} has no field for '{btfName}'");
                    (actualOffset, actualSize) = (Marshal.OffsetOf(type, field!.Name), Marshal.SizeOf(field.FieldType));
                    seen.Add(btfName);
                }

                Assert.True(offset == actualOffset && size == actualSize,
                    $"{tracepoint}: {name} is at {offset} ({size} bytes) in the format file, at {actualOffset} ({actualSize} bytes) in {type.Name}");
            }

            seen.Add("ent");
            Assert.True(seen.SetEquals(byName.Keys), $"{tracepoint}: {type.Name} has fields the format file does not list: {string.Join(", ", byName.Keys.Except(seen))}");
        }
    }

    [Theory]
    [MemberData(nameof(RecordNames))]
    public void LayoutIsTheRunningKernelsStruct(string typeName)
    {
        var type = ByName(typeName);
        string btfName = KernelApiKit.BtfName(type)!;
        var kernel = KernelApiKit.Struct(KernelApiKit.Vmlinux, btfName) ?? throw new Xunit.Sdk.XunitException($"struct {btfName} not in vmlinux");
        foreach (var f in Fields(type))
        {
            string name = KernelApiKit.BtfName(f)!;
            Assert.True(kernel.Members.TryGetValue(name, out var m), $"{btfName} has no member {name}");
            Assert.Equal(m.ByteOffset, (long)Marshal.OffsetOf(type, f.Name));
        }

        // The kernel declares the syscall arguments as a flexible array (args[0]); everything else has its size.
        long expected = type == typeof(SyscallEnter) ? kernel.Size + (6 * 8) : kernel.Size;
        Assert.Equal(expected, Marshal.SizeOf(type));
    }

    [Fact]
    public void DataLocationSplitsOffsetAndLength()
    {
        byte* record = stackalloc byte[64];
        Assert.Equal((nint)(record + 0x24), (nint)DataLocation.Address(record, (17u << 16) | 0x24));
        Assert.Equal(17u, DataLocation.Length((17u << 16) | 0x24));
    }
}
