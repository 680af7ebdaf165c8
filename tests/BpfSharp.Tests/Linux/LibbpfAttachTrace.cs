using System.Text.RegularExpressions;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// The attach requests of an object, compared with libbpf's: <see cref="Harness"/> is a native program that opens,
/// loads and attaches an object with libbpf (run under strace), <see cref="AttachCalls"/> reads the tracepoint
/// attach calls out of an strace or <c>SelfTrace</c> log.
/// </summary>
internal static partial class LibbpfAttachTrace
{
    /// <summary>native/attach_all.c linked with libbpf.a.</summary>
    public static string Harness => NativeHarness.Get("attach_all", linkLibbpf: true);

    /// <summary>The attach calls of a trace and their results, with fds replaced by FD and the attribute size left out.</summary>
    /// <remarks>
    /// The attribute size differs on purpose: each loader passes the end of the fields it knows (libbpf 1.1: 16
    /// bytes for raw_tracepoint, we: 24, with the 5.19+ cookie), and the kernel reads absent fields as zero.
    /// </remarks>
    public static string[] AttachCalls(IEnumerable<string> trace) =>
        [.. trace.Select(l => AttachLine().Match(l)).Where(m => m.Success)
            .Select(m => FdField().Replace(m.Groups["call"].Value, "${key}=FD") + " = " + FdResult().Replace(m.Groups["result"].Value.Trim(), "FD"))];

    [GeneratedRegex(@"bpf\((?<call>BPF_(?:LINK_CREATE|RAW_TRACEPOINT_OPEN), \{.*\}), \d+\) = (?<result>.*)$")]
    private static partial Regex AttachLine();

    [GeneratedRegex(@"(?<key>prog_fd)=\d+")]
    private static partial Regex FdField();

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex FdResult();
}
