using System.Diagnostics;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// testdata/tools/net_trigger.c as a process the tests control: it prepares (listeners for connect), prints
/// "ready ...", waits for <see cref="Go"/>, does its connects, binds or capability checks and prints "done ..."
/// with what the kernel answered it.
/// </summary>
internal sealed class NetTrigger : IDisposable
{
    private readonly Process _process;

    public NetTrigger(params string[] args)
    {
        var binary = ToolTestKit.BuildC("net_trigger.c", "net_trigger");
        _process = Process.Start(new ProcessStartInfo(binary, args)
        { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        Ready = ReadLine("ready");
    }

    public int Id => _process.Id;

    /// <summary>The fields after "ready".</summary>
    public string[] Ready { get; }

    /// <summary>Releases the trigger and returns the fields after "done".</summary>
    public string[] Go()
    {
        _process.StandardInput.WriteLine("go");
        _process.StandardInput.Close();
        var done = ReadLine("done");
        Assert.True(_process.WaitForExit(30_000), "net_trigger did not finish");
        Assert.True(_process.ExitCode == 0, $"net_trigger exited with {_process.ExitCode}: {_process.StandardError.ReadToEnd()}");
        return done;
    }

    private string[] ReadLine(string word)
    {
        var line = _process.StandardOutput.ReadLine();
        if (line is null || !line.StartsWith(word, StringComparison.Ordinal))
            Assert.Fail($"net_trigger printed '{line}' instead of '{word} ...': {_process.StandardError.ReadToEnd()}");
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
