namespace BpfSharp.Linux.Interop;

/// <summary>The Linux errno values the runtime reacts to, and their symbolic names for messages.</summary>
internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EACCES = 13;
    internal const int EFAULT = 14;
    internal const int EBUSY = 16;
    internal const int EEXIST = 17;
    internal const int EINVAL = 22;
    internal const int ENOSPC = 28;
    internal const int E2BIG = 7;
    internal const int ENOSYS = 38;
    internal const int EOPNOTSUPP = 95;
    /// <summary>The kernel-internal <c>ENOTSUPP</c>, which leaks out of some BPF paths.</summary>
    internal const int ENOTSUPP = 524;

    /// <summary>The symbolic name (<c>EINVAL</c>) of an errno value, or <c>errno N</c> when unknown.</summary>
    internal static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        3 => "ESRCH",
        EINTR => "EINTR",
        E2BIG => "E2BIG",
        EBADF => "EBADF",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EFAULT => "EFAULT",
        EBUSY => "EBUSY",
        EEXIST => "EEXIST",
        19 => "ENODEV",
        EINVAL => "EINVAL",
        24 => "EMFILE",
        ENOSPC => "ENOSPC",
        34 => "ERANGE",
        ENOSYS => "ENOSYS",
        EOPNOTSUPP => "EOPNOTSUPP",
        ENOTSUPP => "ENOTSUPP",
        _ => $"errno {errno}",
    };
}
