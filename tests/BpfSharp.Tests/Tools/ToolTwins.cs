using System.Diagnostics;
using System.Text;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// Builds and runs the tools of examples/tools and their C twins (examples/tools/NAME/c: clang-19 BPF half, libbpf
/// skeleton from bpftool, gcc user half against libbpf.a), for the differential tool tests.
/// </summary>
internal static class ToolTwins
{
    private static readonly Lazy<string> VmlinuxDirectory = new(() =>
    {
        var dir = Path.Combine(ToolTestKit.Directory, "vmlinux");
        System.IO.Directory.CreateDirectory(dir);
        ExternalTool.WriteVmlinuxHeader(dir);
        return dir;
    });

    private static readonly Dictionary<string, Lazy<(string Object, string Binary)>> Twins = new();

    /// <summary>examples/tools/<paramref name="tool"/>, or examples/<paramref name="tool"/> for the older examples (execsnoop).</summary>
    public static string ToolDirectory(string tool)
    {
        var suite = Path.Combine(TestPaths.RepoRoot, "examples", "tools", tool);
        return System.IO.Directory.Exists(suite) ? suite : Path.Combine(TestPaths.RepoRoot, "examples", tool);
    }

    /// <summary>The tool's built assembly (the test project references every tool, so it is built).</summary>
    public static string ToolAssembly(string tool) =>
        Path.Combine(ToolDirectory(tool), "bin", TestPaths.Configuration, "net10.0", tool + ".dll");

    /// <summary>Builds the C twin of <paramref name="tool"/>: its BPF object and its user-space binary.</summary>
    public static (string Object, string Binary) BuildCTwin(string tool)
    {
        Lazy<(string, string)> lazy;
        lock (Twins)
        {
            if (!Twins.TryGetValue(tool, out lazy!))
                Twins[tool] = lazy = new Lazy<(string, string)>(() => Build(tool));
        }
        return lazy.Value;
    }

    private static (string, string) Build(string tool)
    {
        var source = Path.Combine(ToolDirectory(tool), "c");
        var output = Path.Combine(ToolTestKit.Directory, "twin-" + tool);
        System.IO.Directory.CreateDirectory(output);
        var arch = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "x86";
        var bpfObject = Path.Combine(output, tool + ".bpf.o");
        ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", $"-D__TARGET_ARCH_{arch}", "-I", VmlinuxDirectory.Value,
            "-I", source, "-I", ToolTestKit.SharedHeaders, "-I", ExternalTool.MultiarchIncludeDirectory, "-c", Path.Combine(source, tool + ".bpf.c"), "-o", bpfObject);
        File.WriteAllBytes(Path.Combine(output, tool + ".skel.h"), ExternalTool.RunChecked("bpftool", "gen", "skeleton", bpfObject, "name", tool + "_bpf"));
        // SYSCALL_NAME(nr, "name") lines for twins that print syscall names, from the installed x86-64 header.
        var header = Path.Combine(ExternalTool.MultiarchIncludeDirectory, "asm", "unistd_64.h");
        File.WriteAllLines(Path.Combine(output, "syscall_names.h"), File.ReadLines(header)
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^#define __NR_(\w+)\s+(\d+)\s*$"))
            .Where(m => m.Success).Select(m => $"SYSCALL_NAME({m.Groups[2].Value}, \"{m.Groups[1].Value}\")"));
        var binary = Path.Combine(output, tool);
        var shared = ToolTestKit.SharedHeaders;
        ExternalTool.RunChecked("gcc", "-O1", "-g", "-I", output, "-I", source, "-I", shared, "-o", binary, Path.Combine(source, tool + ".c"), "-l:libbpf.a", "-lelf", "-lz");
        return (bpfObject, binary);
    }

    /// <summary>A tool process whose output lines are collected as they come.</summary>
    public sealed class Running : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly StringBuilder _stderr = new();
        private readonly TaskCompletionSource _header = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Running(string file, IEnumerable<string> args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            _process = Process.Start(psi)!;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_lines) _lines.Add(e.Data);
                _header.TrySetResult();
            };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        /// <summary>Waits for the header line (the tool is attached when it prints it).</summary>
        public void WaitUntilReady(TimeSpan timeout)
        {
            if (!_header.Task.Wait(timeout) )
                Assert.Fail($"{_process.StartInfo.FileName} printed no header in {timeout.TotalSeconds} s; stderr: {Stderr}");
        }

        /// <summary>The lines printed so far.</summary>
        public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }

        /// <summary>Waits until <paramref name="done"/> holds for the lines printed so far.</summary>
        public void WaitFor(Func<IReadOnlyList<string>, bool> done, TimeSpan timeout, string what)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!done(Lines))
            {
                if (DateTime.UtcNow > deadline || _process.HasExited)
                    Assert.Fail($"{_process.StartInfo.FileName}: {what} not seen in {timeout.TotalSeconds} s; printed:\n{string.Join('\n', Lines)}\nstderr: {Stderr}");
                Thread.Sleep(100);
            }
        }

        /// <summary>Sends SIGINT (Ctrl-C), as a user ends a tool.</summary>
        public void Interrupt()
        {
            if (!_process.HasExited) SendSignal(_process.Id, 2);
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int SendSignal(int pid, int signal);

        /// <summary>Waits for the process to end and returns every line it printed.</summary>
        public IReadOnlyList<string> WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout)) Assert.Fail($"{_process.StartInfo.FileName} did not end in {timeout.TotalSeconds} s");
            _process.WaitForExit();
            Assert.True(_process.ExitCode == 0, $"{_process.StartInfo.FileName} exited with {_process.ExitCode}: {Stderr}");
            lock (_lines) return _lines.ToList();
        }

        public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            _process.Dispose();
        }
    }

    /// <summary>Starts the C# tool (through <c>dotnet</c>).</summary>
    public static Running StartTool(string tool, params string[] args) => new("dotnet", [ToolAssembly(tool), .. args]);

    /// <summary>Starts the C twin.</summary>
    public static Running StartTwin(string tool, params string[] args) => new(BuildCTwin(tool).Binary, args);

    /// <summary>
    /// Runs both twins around one workload: starts a test program (testdata/tools) that waits for "go" on its
    /// standard input, starts ours and the C twin with <paramref name="args"/> (the workload's pid can be named with
    /// "{pid}"), lets the workload run once both are attached, waits for its "done", then interrupts both as Ctrl-C
    /// would and returns what each printed. The workload ends when its standard input closes, also on failure.
    /// </summary>
    public static (int Pid, IReadOnlyList<string> Ours, IReadOnlyList<string> Theirs) RunAroundWorkload(
        string tool, string workload, string[] workloadArgs, IEnumerable<string> args, ITestOutputHelper output)
    {
        using var target = Process.Start(new ProcessStartInfo(workload, workloadArgs)
            { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        try
        {
            string[] toolArgs = [.. args.Select(a => a.Replace("{pid}", target.Id.ToString()))];
            using var ours = StartTool(tool, toolArgs);
            using var theirs = StartTwin(tool, toolArgs);
            ours.WaitUntilReady(TimeSpan.FromSeconds(60));
            theirs.WaitUntilReady(TimeSpan.FromSeconds(60));
            target.StandardInput.WriteLine("go");
            target.StandardInput.Flush();
            Assert.Equal("done", target.StandardOutput.ReadLine());
            ours.Interrupt();
            theirs.Interrupt();
            var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(60));
            var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(60));
            output.WriteLine(string.Join('\n', ourLines));
            output.WriteLine(string.Join('\n', theirLines));
            return (target.Id, ourLines, theirLines);
        }
        finally
        {
            target.StandardInput.Close();
            if (!target.WaitForExit(10_000)) target.Kill();
        }
    }
}
