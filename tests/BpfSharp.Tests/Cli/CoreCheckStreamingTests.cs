using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BpfSharp.CoRe.Tools;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>core check -j</c> writes its report as it goes: 200 objects × 10 kernels (a few hundred relocations per object,
/// 250 MB of JSON) run in a bounded peak RSS, measured by <c>/usr/bin/time</c> on the real process.
/// </summary>
public class CoreCheckStreamingTests
{
    /// <summary>
    /// The bound on the process's peak RSS. What it must hold regardless of the result's size: the runtime, ten parsed
    /// kernel BTFs (5-6 MB of raw BTF each, with their name indexes) and one object's row. Before streaming, the same
    /// run peaked at 2.8 GB; streamed it peaks near 280 MB (docs/cli.md).
    /// </summary>
    private const long PeakRssBoundKb = 500 * 1024;

    private const int ObjectCount = 200;
    private static readonly string[] Blobs =
        ["ci-2019-5.x.btf.gz", "ci-5.13.2.btf.gz", "ci-7.1-hdr32.btf.gz", "debian-6.1.192-amd64.btf.gz", "debian-6.12.117-amd64.btf.gz"];

    [Fact]
    public void TwoHundredObjectsOnTenKernelsStayUnderTheBound()
    {
        string dir = TestPaths.NewScratchDirectory("core-check-stream");
        try
        {
            string obj = CompileManyRelocations(dir);
            string objects = Directory.CreateDirectory(Path.Combine(dir, "objects")).FullName;
            var paths = new List<string>();
            for (int i = 0; i < ObjectCount; i++)
            {
                string path = Path.Combine(objects, $"obj{i:D3}.o");
                File.Copy(obj, path);
                paths.Add(path);
            }
            string kernels = Directory.CreateDirectory(Path.Combine(dir, "kernels")).FullName;
            for (int k = 0; k < 10; k++)
                File.Copy(TestPaths.Kernel(Blobs[k % Blobs.Length]), Path.Combine(kernels, $"k{k}-{Blobs[k % Blobs.Length]}"));

            string output = Path.Combine(dir, "report.json");
            var (exit, peakKb, stderr) = RunMeasured(output, ["core", "check", .. paths, "--target", kernels, "-j"]);
            Assert.True(exit is 0 or BpfSharp.Cli.ExitCodes.CheckFails, stderr);
            long bytes = new FileInfo(output).Length;
            Console.WriteLine($"core check -j, {ObjectCount} objects x 10 kernels: {bytes / 1e6:F1} MB of JSON, peak RSS {peakKb / 1024} MB (bound {PeakRssBoundKb / 1024} MB)");
            Assert.True(bytes > 50_000_000, $"the report is only {bytes} bytes: the run is too small to show streaming");
            Assert.True(peakKb < PeakRssBoundKb, $"peak RSS {peakKb} KB is over the bound {PeakRssBoundKb} KB");

            // The streamed report is whole and says what the library says.
            var (rows, kernelsPerRow, relocations) = Summarize(output);
            Assert.Equal(ObjectCount, rows);
            Assert.Equal(10, kernelsPerRow);
            var first = CoReCompatibility.Check([CoReCheckObject.Load(paths[0])], [CoReKernel.FromFile(TestPaths.Kernel(Blobs[0]))])[0, 0];
            Assert.Equal(first.Relocations.Count, relocations);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>An object whose programs read many fields through pointer chains: hundreds of CO-RE relocations.</summary>
    private static string CompileManyRelocations(string dir)
    {
        string[] fields = ["pid", "tgid", "flags", "prio", "static_prio", "normal_prio", "rt_priority", "exit_code", "exit_signal", "pdeath_signal"];
        var c = new StringBuilder();
        c.Append("#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_core_read.h>\n");
        c.Append("struct mm_struct { unsigned long total_vm; int map_count; } __attribute__((preserve_access_index));\n");
        c.Append("struct task_struct { ").Append(string.Concat(fields.Select(f => $"int {f}; ")))
            .Append("struct mm_struct *mm; struct task_struct *real_parent; } __attribute__((preserve_access_index));\n");
        c.Append("char LICENSE[] SEC(\"license\") = \"GPL\";\n");
        for (int p = 0; p < 8; p++)
        {
            c.Append(CultureInfo.InvariantCulture, $"SEC(\"kprobe/do_nanosleep\")\nint prog{p}(void *ctx)\n{{\n\tstruct task_struct *t = (void *)bpf_get_current_task();\n\tlong s = 0;\n");
            for (int i = 0; i < 40; i++) c.Append(CultureInfo.InvariantCulture, $"\ts += BPF_CORE_READ(t, real_parent, {fields[(i + p) % fields.Length]});\n");
            c.Append("\ts += BPF_CORE_READ(t, mm, total_vm);\n\treturn s & 1;\n}\n");
        }
        string source = Path.Combine(dir, "many_relocations.c"), obj = Path.Combine(dir, "many_relocations.o");
        File.WriteAllText(source, c.ToString());
        TestObjects.Run("clang-19", $"-O2 -g -target bpf -I{ExternalTool.MultiarchIncludeDirectory} -c {TestObjects.Quote(source)} -o {TestObjects.Quote(obj)}");
        return obj;
    }

    /// <summary>Runs bpfsharp under /usr/bin/time with standard output to a file; returns the peak RSS in KB.</summary>
    private static (int Exit, long PeakKb, string Stderr) RunMeasured(string outputFile, string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll");
        var psi = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-f", "peak-rss-kb=%M", "dotnet", dll, .. args]) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"/usr/bin/time is required (Debian package 'time', scripts/install-deps.sh installs it): {e.Message}");
            throw;
        }
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            using (var file = File.Create(outputFile)) p.StandardOutput.BaseStream.CopyTo(file);
            p.WaitForExit();
            string err = stderr.Result;
            var line = err.Split('\n').LastOrDefault(l => l.StartsWith("peak-rss-kb=", StringComparison.Ordinal));
            Assert.True(line is not null, $"no peak RSS from /usr/bin/time: {err}");
            return (p.ExitCode, long.Parse(line!["peak-rss-kb=".Length..], CultureInfo.InvariantCulture), err);
        }
    }

    /// <summary>Reads the report with a streaming reader (it is too big to hold as a document): rows, kernels per row, relocations of the first cell.</summary>
    private static (int Rows, int KernelsPerRow, int FirstCellRelocations) Summarize(string path)
    {
        using var file = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int length = 0;
        var state = new JsonReaderState();
        int rows = 0, kernelsPerRow = -1, firstRelocations = -1, kernelsInRow = 0, relocationsInCell = 0;
        // Depths: 1 root object, 2 "objects" array, 3 row, 4 row's "kernels" array, 5 cell, 6 cell arrays, 7 their items.
        string? lastProperty = null;
        bool inRelocations = false;
        while (true)
        {
            int read = file.Read(buffer, length, buffer.Length - length);
            bool final = read == 0;
            length += read;
            var reader = new Utf8JsonReader(buffer.AsSpan(0, length), final, state);
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        lastProperty = reader.GetString();
                        break;
                    case JsonTokenType.StartObject when reader.CurrentDepth == 2:
                        rows++;
                        kernelsInRow = 0;
                        break;
                    case JsonTokenType.StartObject when reader.CurrentDepth == 4:
                        kernelsInRow++;
                        break;
                    case JsonTokenType.StartObject when reader.CurrentDepth == 6 && inRelocations:
                        relocationsInCell++;
                        break;
                    case JsonTokenType.StartArray when reader.CurrentDepth == 5:
                        inRelocations = lastProperty == "relocations" && rows == 1 && kernelsInRow == 1;
                        break;
                    case JsonTokenType.EndArray when reader.CurrentDepth == 5:
                        if (inRelocations) firstRelocations = relocationsInCell;
                        inRelocations = false;
                        break;
                    case JsonTokenType.EndObject when reader.CurrentDepth == 2:
                        Assert.True(kernelsPerRow < 0 || kernelsPerRow == kernelsInRow, $"row {rows} has {kernelsInRow} kernels");
                        kernelsPerRow = kernelsInRow;
                        break;
                }
            }
            state = reader.CurrentState;
            int consumed = (int)reader.BytesConsumed;
            Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
            length -= consumed;
            if (final) break;
        }
        Assert.Equal(0, length);
        return (rows, kernelsPerRow, firstRelocations);
    }
}
