namespace BpfSharp.Kernel;

public static unsafe partial class Bpf
{
    /// <summary><c>bpf_probe_read</c>: copies <paramref name="size"/> bytes from an unsafe address (kernel or user; prefer <see cref="ProbeReadKernel(void*, uint, void*)"/> or <see cref="ProbeReadUser(void*, uint, void*)"/>).</summary>
    /// <param name="dst">The destination on the BPF stack or in a map value.</param>
    /// <param name="size">Bytes to copy.</param>
    /// <param name="unsafePtr">The source address.</param>
    /// <returns>0, or a negative errno (the destination is zeroed on failure).</returns>
    [BpfHelper(4)]
    public static long ProbeRead(void* dst, uint size, void* unsafePtr) => throw new BpfOnlyException();

    /// <summary><c>bpf_probe_read_str</c>: copies a NUL-terminated string from an unsafe address.</summary>
    /// <param name="dst">The destination buffer.</param>
    /// <param name="size">The buffer size; the copy is always NUL-terminated.</param>
    /// <param name="unsafePtr">The source address.</param>
    /// <returns>The length copied including the NUL, or a negative errno.</returns>
    [BpfHelper(45)]
    public static long ProbeReadStr(void* dst, uint size, void* unsafePtr) => throw new BpfOnlyException();

    /// <summary><c>bpf_probe_read_user</c>: copies <paramref name="size"/> bytes from a user-space address.</summary>
    /// <param name="dst">The destination.</param>
    /// <param name="size">Bytes to copy.</param>
    /// <param name="unsafePtr">The user-space source address.</param>
    /// <returns>0, or a negative errno (the destination is zeroed on failure).</returns>
    [BpfHelper(112)]
    public static long ProbeReadUser(void* dst, uint size, void* unsafePtr) => throw new BpfOnlyException();

    /// <summary><c>bpf_probe_read_kernel</c>: copies <paramref name="size"/> bytes from a kernel address.</summary>
    /// <param name="dst">The destination.</param>
    /// <param name="size">Bytes to copy.</param>
    /// <param name="unsafePtr">The kernel source address.</param>
    /// <returns>0, or a negative errno (the destination is zeroed on failure).</returns>
    [BpfHelper(113)]
    public static long ProbeReadKernel(void* dst, uint size, void* unsafePtr) => throw new BpfOnlyException();

    /// <summary><c>bpf_probe_read_user_str</c>: copies a NUL-terminated string from user space.</summary>
    /// <param name="dst">The destination buffer.</param>
    /// <param name="size">The buffer size.</param>
    /// <param name="unsafePtr">The user-space source address.</param>
    /// <returns>The length copied including the NUL, or a negative errno.</returns>
    [BpfHelper(114)]
    public static long ProbeReadUserStr(void* dst, uint size, void* unsafePtr) => throw new BpfOnlyException();

    /// <summary><c>bpf_probe_read_kernel_str</c>: copies a NUL-terminated string from kernel memory.</summary>
    /// <param name="dst">The destination buffer.</param>
    /// <param name="size">The buffer size.</param>
    /// <param name="unsafePtr">The kernel source address.</param>
    /// <returns>The length copied including the NUL, or a negative errno.</returns>
    [BpfHelper(115)]
    public static long ProbeReadKernelStr(void* dst, uint size, void* unsafePtr) => throw new BpfOnlyException();

    /// <summary><c>bpf_probe_write_user</c>: writes to user memory of the current process (debugging only; logs a warning).</summary>
    /// <param name="dst">The user-space destination.</param>
    /// <param name="src">The source.</param>
    /// <param name="len">Bytes to write.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(36)]
    public static long ProbeWriteUser(void* dst, void* src, uint len) => throw new BpfOnlyException();

    /// <summary><c>bpf_copy_from_user</c>: a sleepable copy from user space (sleepable programs only).</summary>
    /// <param name="dst">The destination.</param>
    /// <param name="size">Bytes to copy.</param>
    /// <param name="userPtr">The user-space source.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(148)]
    public static long CopyFromUser(void* dst, uint size, void* userPtr) => throw new BpfOnlyException();

    /// <summary><c>bpf_copy_from_user_task</c>: a sleepable copy from the user memory of another task.</summary>
    /// <param name="dst">The destination.</param>
    /// <param name="size">Bytes to copy.</param>
    /// <param name="userPtr">The source address in <paramref name="tsk"/>'s address space.</param>
    /// <param name="tsk">A <c>struct task_struct *</c>.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(191)]
    public static long CopyFromUserTask(void* dst, uint size, void* userPtr, void* tsk, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_ktime_get_ns</c>: <c>CLOCK_MONOTONIC</c> in nanoseconds (stops during suspend).</summary>
    /// <returns>Nanoseconds since boot, not counting suspend.</returns>
    [BpfHelper(5)]
    public static ulong KtimeGetNs() => throw new BpfOnlyException();

    /// <summary><c>bpf_ktime_get_boot_ns</c>: <c>CLOCK_BOOTTIME</c> in nanoseconds (includes suspend).</summary>
    /// <returns>Nanoseconds since boot.</returns>
    [BpfHelper(125)]
    public static ulong KtimeGetBootNs() => throw new BpfOnlyException();

    /// <summary><c>bpf_ktime_get_coarse_ns</c>: <c>CLOCK_MONOTONIC_COARSE</c> in nanoseconds (cheaper, tick resolution).</summary>
    /// <returns>Coarse monotonic nanoseconds.</returns>
    [BpfHelper(160)]
    public static ulong KtimeGetCoarseNs() => throw new BpfOnlyException();

    /// <summary><c>bpf_ktime_get_tai_ns</c>: <c>CLOCK_TAI</c> in nanoseconds.</summary>
    /// <returns>TAI nanoseconds.</returns>
    [BpfHelper(208)]
    public static ulong KtimeGetTaiNs() => throw new BpfOnlyException();

    /// <summary><c>bpf_jiffies64</c>: the 64-bit jiffies counter.</summary>
    /// <returns>Jiffies.</returns>
    [BpfHelper(118)]
    public static ulong Jiffies64() => throw new BpfOnlyException();

    /// <summary><c>bpf_get_prandom_u32</c>: a pseudo-random number (not cryptographically secure).</summary>
    /// <returns>32 random bits.</returns>
    [BpfHelper(7)]
    public static uint GetPrandomU32() => throw new BpfOnlyException();

    /// <summary><c>bpf_get_smp_processor_id</c>: the CPU the program runs on.</summary>
    /// <returns>The CPU number.</returns>
    [BpfHelper(8)]
    public static uint GetSmpProcessorId() => throw new BpfOnlyException();

    /// <summary><c>bpf_get_numa_node_id</c>: the NUMA node of the current CPU.</summary>
    /// <returns>The node id.</returns>
    [BpfHelper(42)]
    public static long GetNumaNodeId() => throw new BpfOnlyException();

    /// <summary><c>bpf_get_current_pid_tgid</c>: <c>tgid &lt;&lt; 32 | pid</c> of the current task (user space's process id in the upper half, thread id in the lower).</summary>
    /// <returns>The packed ids, or a negative errno outside task context.</returns>
    [BpfHelper(14)]
    public static ulong GetCurrentPidTgid() => throw new BpfOnlyException();

    /// <summary><c>bpf_get_current_uid_gid</c>: <c>gid &lt;&lt; 32 | uid</c> of the current task.</summary>
    /// <returns>The packed ids.</returns>
    [BpfHelper(15)]
    public static ulong GetCurrentUidGid() => throw new BpfOnlyException();

    /// <summary><c>bpf_get_current_comm</c>: copies the current task's command name (NUL-terminated, at most 16 bytes).</summary>
    /// <param name="buf">The destination buffer.</param>
    /// <param name="sizeOfBuf">Its size (16 holds every name).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(16)]
    public static long GetCurrentComm(void* buf, uint sizeOfBuf) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_current_task</c>: the address of the current <c>struct task_struct</c> as a number (read it with <see cref="ProbeReadKernel(void*, uint, void*)"/>).</summary>
    /// <returns>The task address.</returns>
    [BpfHelper(35)]
    public static ulong GetCurrentTask() => throw new BpfOnlyException();

    /// <summary><c>bpf_get_current_task_btf</c>: the current <c>struct task_struct *</c> as a BTF pointer that may be dereferenced directly (cast it to a <see cref="RelocatableAttribute">relocatable</see> type).</summary>
    /// <returns>The task.</returns>
    [BpfHelper(158)]
    public static void* GetCurrentTaskBtf() => throw new BpfOnlyException();

    /// <summary><c>bpf_task_pt_regs</c>: the user-space registers saved for <paramref name="task"/>.</summary>
    /// <param name="task">A BTF <c>struct task_struct *</c>.</param>
    /// <returns>The task's <c>struct pt_regs</c>.</returns>
    [BpfHelper(175)]
    public static PtRegs* TaskPtRegs(void* task) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_current_cgroup_id</c>: the id of the current task's cgroup v2.</summary>
    /// <returns>The cgroup id.</returns>
    [BpfHelper(80)]
    public static ulong GetCurrentCgroupId() => throw new BpfOnlyException();

    /// <summary><c>bpf_get_current_ancestor_cgroup_id</c>: the id of an ancestor of the current task's cgroup v2.</summary>
    /// <param name="ancestorLevel">The ancestor's level (0 is the root).</param>
    /// <returns>The cgroup id, or 0.</returns>
    [BpfHelper(123)]
    public static ulong GetCurrentAncestorCgroupId(int ancestorLevel) => throw new BpfOnlyException();

    /// <summary><c>bpf_current_task_under_cgroup</c>: whether the current task is in the cgroup stored in a cgroup array.</summary>
    /// <param name="map">A <c>BPF_MAP_TYPE_CGROUP_ARRAY</c>.</param>
    /// <param name="index">The slot holding the cgroup.</param>
    /// <returns>1 if under it, 0 if not, or a negative errno.</returns>
    [BpfHelper(37)]
    public static long CurrentTaskUnderCgroup(KernelMap map, uint index) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_ns_current_pid_tgid</c>: the pid and tgid of the current task as seen from a pid namespace.</summary>
    /// <param name="dev">The namespace's <c>st_dev</c>.</param>
    /// <param name="ino">The namespace's <c>st_ino</c>.</param>
    /// <param name="nsdata">Receives a <c>struct bpf_pidns_info { u32 pid; u32 tgid; }</c>.</param>
    /// <param name="size">The size of <paramref name="nsdata"/> (8).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(120)]
    public static long GetNsCurrentPidTgid(ulong dev, ulong ino, void* nsdata, uint size) => throw new BpfOnlyException();

    /// <summary><c>bpf_send_signal</c>: sends a signal to the current process.</summary>
    /// <param name="sig">The signal number.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(109)]
    public static long SendSignal(uint sig) => throw new BpfOnlyException();

    /// <summary><c>bpf_send_signal_thread</c>: sends a signal to the current thread.</summary>
    /// <param name="sig">The signal number.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(117)]
    public static long SendSignalThread(uint sig) => throw new BpfOnlyException();

    /// <summary><c>bpf_override_return</c>: makes the probed function return <paramref name="rc"/> (error-injection sites only).</summary>
    /// <param name="regs">The kprobe context.</param>
    /// <param name="rc">The return value.</param>
    /// <returns>0.</returns>
    [BpfHelper(58)]
    public static long OverrideReturn(PtRegs* regs, ulong rc) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_stackid</c>: records the current stack in a stack trace map.</summary>
    /// <param name="ctx">The program's context.</param>
    /// <param name="map">A <see cref="StackTraceMap"/>.</param>
    /// <param name="flags">Frames to skip in the low 8 bits, plus <see cref="StackIdFlags"/>.</param>
    /// <returns>The stack id (≥ 0), or a negative errno.</returns>
    [BpfHelper(27)]
    public static long GetStackid(void* ctx, KernelMap map, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_stack</c>: copies the current kernel or user stack into a buffer.</summary>
    /// <param name="ctx">The program's context.</param>
    /// <param name="buf">The destination (u64 addresses or <c>struct bpf_stack_build_id</c> entries).</param>
    /// <param name="size">The buffer size in bytes.</param>
    /// <param name="flags">Frames to skip in the low 8 bits, plus <see cref="StackIdFlags"/>.</param>
    /// <returns>Bytes written, or a negative errno.</returns>
    [BpfHelper(67)]
    public static long GetStack(void* ctx, void* buf, uint size, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_task_stack</c>: copies the kernel stack of <paramref name="task"/>.</summary>
    /// <param name="task">A BTF <c>struct task_struct *</c>.</param>
    /// <param name="buf">The destination.</param>
    /// <param name="size">The buffer size in bytes.</param>
    /// <param name="flags">Frames to skip in the low 8 bits.</param>
    /// <returns>Bytes written, or a negative errno.</returns>
    [BpfHelper(141)]
    public static long GetTaskStack(void* task, void* buf, uint size, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_perf_event_output</c>: writes a record to a perf event array.</summary>
    /// <param name="ctx">The program's context.</param>
    /// <param name="map">A <see cref="PerfEventArray"/>.</param>
    /// <param name="flags">The CPU index, or <see cref="PerfEventArray.CurrentCpu"/>.</param>
    /// <param name="data">The record.</param>
    /// <param name="size">The record size in bytes.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(25)]
    public static long PerfEventOutput(void* ctx, KernelMap map, ulong flags, void* data, ulong size) => throw new BpfOnlyException();

    /// <summary><c>bpf_perf_event_read</c>: reads the counter of a perf event stored in a perf event array.</summary>
    /// <param name="map">The perf event array.</param>
    /// <param name="flags">The CPU index, or <see cref="PerfEventArray.CurrentCpu"/>.</param>
    /// <returns>The counter value; errors are returned as small negative numbers.</returns>
    [BpfHelper(22)]
    public static ulong PerfEventRead(KernelMap map, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_perf_event_read_value</c>: reads a perf event counter with its enabled and running times.</summary>
    /// <param name="map">The perf event array.</param>
    /// <param name="flags">The CPU index, or <see cref="PerfEventArray.CurrentCpu"/>.</param>
    /// <param name="buf">Receives a <c>struct bpf_perf_event_value</c>.</param>
    /// <param name="bufSize">Its size (24).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(55)]
    public static long PerfEventReadValue(KernelMap map, ulong flags, void* buf, uint bufSize) => throw new BpfOnlyException();

    /// <summary><c>bpf_perf_prog_read_value</c>: the counter of the perf event a perf_event program is attached to.</summary>
    /// <param name="ctx">The perf_event program's context.</param>
    /// <param name="buf">Receives a <c>struct bpf_perf_event_value</c>.</param>
    /// <param name="bufSize">Its size (24).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(56)]
    public static long PerfProgReadValue(void* ctx, void* buf, uint bufSize) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_func_ip</c>: the address of the traced function (kprobe, fentry/fexit, uprobe).</summary>
    /// <param name="ctx">The program's context.</param>
    /// <returns>The function address.</returns>
    [BpfHelper(173)]
    public static ulong GetFuncIp(void* ctx) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_attach_cookie</c>: the cookie given when the program was attached.</summary>
    /// <param name="ctx">The program's context.</param>
    /// <returns>The cookie, or 0.</returns>
    [BpfHelper(174)]
    public static ulong GetAttachCookie(void* ctx) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_func_arg</c>: argument <paramref name="n"/> of the traced function (fentry/fexit/fmod_ret).</summary>
    /// <param name="ctx">The program's context.</param>
    /// <param name="n">The argument index.</param>
    /// <param name="value">Receives the argument.</param>
    /// <returns>0, or <c>-EINVAL</c> when <paramref name="n"/> is out of range.</returns>
    [BpfHelper(183)]
    public static long GetFuncArg(void* ctx, uint n, ulong* value) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_func_ret</c>: the return value of the traced function (fexit/fmod_ret).</summary>
    /// <param name="ctx">The program's context.</param>
    /// <param name="value">Receives the return value.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(184)]
    public static long GetFuncRet(void* ctx, ulong* value) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_func_arg_cnt</c>: the number of arguments of the traced function.</summary>
    /// <param name="ctx">The program's context.</param>
    /// <returns>The argument count.</returns>
    [BpfHelper(185)]
    public static long GetFuncArgCnt(void* ctx) => throw new BpfOnlyException();

    /// <summary><c>bpf_read_branch_records</c>: the LBR branch records of a perf_event program's sample.</summary>
    /// <param name="ctx">The perf_event program's context.</param>
    /// <param name="buf">Receives <c>struct perf_branch_entry</c> records.</param>
    /// <param name="size">The buffer size in bytes.</param>
    /// <param name="flags">0, or <c>BPF_F_GET_BRANCH_RECORDS_SIZE</c> (1).</param>
    /// <returns>Bytes written, or a negative errno.</returns>
    [BpfHelper(119)]
    public static long ReadBranchRecords(void* ctx, void* buf, uint size, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_d_path</c>: the full path of a <c>struct path</c> (allowed in selected hooks only).</summary>
    /// <param name="path">A BTF <c>struct path *</c>.</param>
    /// <param name="buf">The destination buffer.</param>
    /// <param name="sz">The buffer size.</param>
    /// <returns>The length including the NUL, or a negative errno.</returns>
    [BpfHelper(147)]
    public static long DPath(void* path, byte* buf, uint sz) => throw new BpfOnlyException();

    /// <summary><c>bpf_find_vma</c>: finds the VMA of <paramref name="task"/> containing <paramref name="addr"/> and calls <paramref name="callbackFn"/> on it.</summary>
    /// <param name="task">A BTF <c>struct task_struct *</c>.</param>
    /// <param name="addr">The user address.</param>
    /// <param name="callbackFn">Called as <c>callback(task, vma, callbackCtx)</c>.</param>
    /// <param name="callbackCtx">Passed through to the callback.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(180)]
    public static long FindVma(void* task, ulong addr, delegate* managed<void*, void*, void*, long> callbackFn, void* callbackCtx, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_per_cpu_ptr</c>: a per-CPU kernel variable's address on <paramref name="cpu"/>.</summary>
    /// <param name="percpuPtr">A per-CPU <c>__ksym</c> variable.</param>
    /// <param name="cpu">The CPU.</param>
    /// <returns>The address, or null when <paramref name="cpu"/> is invalid.</returns>
    [BpfHelper(153)]
    public static void* PerCpuPtr(void* percpuPtr, uint cpu) => throw new BpfOnlyException();

    /// <summary><c>bpf_this_cpu_ptr</c>: a per-CPU kernel variable's address on the current CPU.</summary>
    /// <param name="percpuPtr">A per-CPU <c>__ksym</c> variable.</param>
    /// <returns>The address.</returns>
    [BpfHelper(154)]
    public static void* ThisCpuPtr(void* percpuPtr) => throw new BpfOnlyException();

    /// <summary><c>bpf_loop</c>: calls <paramref name="callbackFn"/> up to <paramref name="nrLoops"/> times without the verifier unrolling a loop.</summary>
    /// <param name="nrLoops">The iteration limit (at most 1 &lt;&lt; 23).</param>
    /// <param name="callbackFn">Called as <c>callback(index, callbackCtx)</c>; returning 1 stops the loop, 0 continues.</param>
    /// <param name="callbackCtx">Passed through to the callback.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>The number of iterations run, or a negative errno.</returns>
    [BpfHelper(181)]
    public static long Loop(uint nrLoops, delegate* managed<uint, void*, long> callbackFn, void* callbackCtx, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_strncmp</c>: compares a buffer with a constant NUL-terminated string (read-only map data).</summary>
    /// <param name="s1">The first string.</param>
    /// <param name="s1Sz">The maximum length of <paramref name="s1"/>.</param>
    /// <param name="s2">A constant string.</param>
    /// <returns>Negative, 0 or positive like <c>strcmp</c>.</returns>
    [BpfHelper(182)]
    public static long Strncmp(byte* s1, uint s1Sz, byte* s2) => throw new BpfOnlyException();

    /// <summary><c>bpf_strtol</c>: parses a signed integer from a buffer.</summary>
    /// <param name="buf">The text.</param>
    /// <param name="bufLen">Its length.</param>
    /// <param name="flags">The base (0, 8, 10, 16) in the low 5 bits.</param>
    /// <param name="res">Receives the value.</param>
    /// <returns>The number of characters consumed, or a negative errno.</returns>
    [BpfHelper(105)]
    public static long Strtol(byte* buf, ulong bufLen, ulong flags, long* res) => throw new BpfOnlyException();

    /// <summary><c>bpf_strtoul</c>: parses an unsigned integer from a buffer.</summary>
    /// <param name="buf">The text.</param>
    /// <param name="bufLen">Its length.</param>
    /// <param name="flags">The base (0, 8, 10, 16) in the low 5 bits.</param>
    /// <param name="res">Receives the value.</param>
    /// <returns>The number of characters consumed, or a negative errno.</returns>
    [BpfHelper(106)]
    public static long Strtoul(byte* buf, ulong bufLen, ulong flags, ulong* res) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_retval</c>: the return value the cgroup hook will report.</summary>
    /// <returns>The current return value.</returns>
    [BpfHelper(186)]
    public static int GetRetval() => throw new BpfOnlyException();

    /// <summary><c>bpf_set_retval</c>: sets the return value the cgroup hook will report.</summary>
    /// <param name="retval">The value (0 or a negative errno).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(187)]
    public static int SetRetval(int retval) => throw new BpfOnlyException();

    /// <summary><c>bpf_seq_printf</c>: formatted output into an iterator program's seq_file.</summary>
    /// <param name="m">The iterator context's <c>struct seq_file *</c>.</param>
    /// <param name="fmt">The format (read-only map data).</param>
    /// <param name="fmtSize">Its size including the NUL.</param>
    /// <param name="data">The arguments as an array of u64.</param>
    /// <param name="dataLen">The size of <paramref name="data"/> in bytes (a multiple of 8).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(126)]
    public static long SeqPrintf(void* m, byte* fmt, uint fmtSize, void* data, uint dataLen) => throw new BpfOnlyException();

    /// <summary><c>bpf_seq_write</c>: raw output into an iterator program's seq_file.</summary>
    /// <param name="m">The iterator context's <c>struct seq_file *</c>.</param>
    /// <param name="data">The bytes.</param>
    /// <param name="len">Their length.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(127)]
    public static long SeqWrite(void* m, void* data, uint len) => throw new BpfOnlyException();
}
