using System.Buffers.Binary;
using System.Text;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// The execsnoop example's BPF half (C#, examples/execsnoop/Probes.cs), compiled at test time with BpfCompiler:
/// loaded with the object loader, attached by section name, and checked against execs this test starts
/// (arguments, return value, parent pid).
/// </summary>
[Collection(RuntimeCollection.Name)]
public class ExecSnoopTests
{
    [Fact]
    public void ReportsSuccessfulAndFailedExecs()
    {
        KernelObjects.RequireBpf();
        var dir = TestPaths.NewScratchDirectory("execsnoop");
        try
        {
            var compilation = BpfSharp.Compiler.BpfCompiler.Compile(Path.Combine(AppContext.BaseDirectory, "execsnoop.dll"));
            using var collection = BpfCollection.Load(BpfSharp.Objects.ObjectSpec.Read(compilation.GetObjectOrThrow(), "execsnoop.bpf.o"));
            var links = collection.Spec.Programs.Where(p => !p.IsSubprogram)
                .Select(p => SectionAttach.Attach(collection.Programs[p.Name], p.SectionName)).ToList();
            try
            {
                using var reader = new RingBufferReader(collection.Maps["Events"]);
                var marker = "bpfsharp-" + Guid.NewGuid().ToString("N")[..8];
                AttachTestKit.Run("/bin/sh", "-c", $"/bin/true {marker} second; /nonexistent/{marker} 2>/dev/null; exit 0");

                var seen = new List<(string Comm, int Pid, int Ppid, int Ret, string Args)>();
                RingBufferRecordHandler handler = record =>
                {
                    var argsSize = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(record[12..]), 384u);
                    var comm = record.Slice(16, 16);
                    var end = comm.IndexOf((byte)0);
                    seen.Add((Encoding.UTF8.GetString(end < 0 ? comm : comm[..end]),
                        BinaryPrimitives.ReadInt32LittleEndian(record), BinaryPrimitives.ReadInt32LittleEndian(record[4..]),
                        BinaryPrimitives.ReadInt32LittleEndian(record[8..]),
                        Encoding.UTF8.GetString(record.Slice(32, argsSize)).TrimEnd('\0').Replace('\0', ' ')));
                };
                Assert.True(AttachTestKit.Eventually(() =>
                {
                    reader.Consume(handler);
                    return seen.Count(e => e.Args.Contains(marker)) >= 3;
                }), "execs not seen: " + string.Join("; ", seen.Select(e => e.Args)));

                var ok = seen.Single(e => e.Args == $"/bin/true {marker} second");
                Assert.Equal("true", ok.Comm);
                Assert.Equal(0, ok.Ret);
                var failed = seen.Single(e => e.Args == $"/nonexistent/{marker}");
                Assert.Equal(-2, failed.Ret); // ENOENT
                Assert.Equal("sh", failed.Comm);
                // The shell (exec'd by this process) forked a child for each command.
                var shell = seen.Single(e => e.Args.StartsWith("/bin/sh -c", StringComparison.Ordinal) && e.Args.Contains(marker));
                Assert.Equal(Environment.ProcessId, shell.Ppid);
                Assert.Equal(0, shell.Ret);
                Assert.Equal(shell.Pid, ok.Ppid);
                Assert.Equal(shell.Pid, failed.Ppid);
            }
            finally
            {
                foreach (var link in links) link.Dispose();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
