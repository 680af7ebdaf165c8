namespace BpfSharp.Linux.Tools;

/// <summary>Signal numbers to the descriptions glibc's <c>strsignal</c> prints (what bcc's tools show).</summary>
public static class Signals
{
    // Linux numbering, the same on x86-64 and arm64; index = signal number.
    private static readonly string[] Descriptions =
    [
        "Unknown signal 0", "Hangup", "Interrupt", "Quit", "Illegal instruction", "Trace/breakpoint trap", "Aborted",
        "Bus error", "Floating point exception", "Killed", "User defined signal 1", "Segmentation fault",
        "User defined signal 2", "Broken pipe", "Alarm clock", "Terminated", "Stack fault", "Child exited",
        "Continued", "Stopped (signal)", "Stopped", "Stopped (tty input)", "Stopped (tty output)",
        "Urgent I/O condition", "CPU time limit exceeded", "File size limit exceeded", "Virtual timer expired",
        "Profiling timer expired", "Window changed", "I/O possible", "Power failure", "Bad system call",
    ];

    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",
        "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
        "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary>
    /// glibc's <c>strsignal</c> text: "Killed" for 9, "Real-time signal N" for SIGRTMIN+N (32 and 33 are taken by
    /// the C library, so glibc's SIGRTMIN is 34), "Unknown signal N" otherwise.
    /// </summary>
    public static string Describe(int signal) => signal switch
    {
        >= 1 and < 32 => Descriptions[signal],
        >= 34 and <= 64 => $"Real-time signal {signal - 34}",
        _ => $"Unknown signal {signal}",
    };

    /// <summary>The <c>SIGxxx</c> name of a classic signal, or null.</summary>
    public static string? Name(int signal) => signal is >= 1 and < 32 ? Names[signal] : null;
}
