using System.Diagnostics;
using BpfSharp.Linux;
using BpfSharp.Linux.Interop;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Runtime;

/// <summary>Process helpers for attach tests: running tools, the current thread id, tracepoint ids without a tracefs mount.</summary>
internal static class AttachTestKit
{
    /// <summary>The calling thread's id (what bpf_get_current_pid_tgid returns in its low half).</summary>
    public static int CurrentThreadId => LibC.GetTid();

    /// <summary>Makes <paramref name="count"/> getpid syscalls from this thread.</summary>
    public static void CallGetPid(int count)
    {
        for (var i = 0; i < count; i++) LibC.GetPid();
    }

    /// <summary>Runs a program to completion and returns stdout; fails the test with stderr on a non-zero exit.</summary>
    public static string Run(string file, params string[] args)
    {
        var result = ExternalTool.Run(file, args);
        if (result.ExitCode != 0)
            Assert.Fail($"{file} {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}{result.StdoutText}");
        return result.StdoutText;
    }

    /// <summary>
    /// The id of a tracepoint. Reads the mounted tracefs when there is one; otherwise mounts tracefs privately in a
    /// child mount namespace (unshare -m), which the rest of the system never sees. Ids are global to the kernel.
    /// </summary>
    public static int TracepointId(string category, string name)
    {
        var root = BpfSharp.Linux.Links.Tracefs.FindRoot();
        if (root is not null) return int.Parse(File.ReadAllText(Path.Combine(root, "events", category, name, "id")).Trim());
        var dir = TestPaths.NewScratchDirectory("tracefs");
        try
        {
            var output = Run("unshare", "-m", "sh", "-c",
                $"mount -t tracefs nodev '{dir}' && cat '{dir}/events/{category}/{name}/id'");
            return int.Parse(output.Trim());
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    /// <summary>Waits (up to 5 s) until <paramref name="condition"/> holds.</summary>
    public static bool Eventually(Func<bool> condition, int milliseconds = 5000)
    {
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < milliseconds)
        {
            if (condition()) return true;
            Thread.Sleep(20);
        }
        return condition();
    }

    /// <summary>Loads a program, turning a verifier rejection into a readable failure.</summary>
    public static BpfProgram Load(BpfProgramType type, BpfSharp.Instructions.Instruction[] code, string name, BpfProgramLoadOptions? options = null)
    {
        options ??= new BpfProgramLoadOptions { Name = name };
        if (options.Name is null) options = new BpfProgramLoadOptions { Name = name, ExpectedAttachType = options.ExpectedAttachType, AttachBtfId = options.AttachBtfId };
        return BpfProgram.Load(type, code, "GPL", options);
    }
}
