using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Instructions;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux;

/// <summary>
/// A program loaded into the kernel (<c>BPF_PROG_LOAD</c>) and accepted by the verifier. Dispose to close the fd;
/// the kernel frees the program once no link, attachment, pin or fd holds it.
/// </summary>
public sealed class BpfProgram : IDisposable
{
    private BpfProgram(BpfFileDescriptor fd, BpfProgramType type, string? name, int id, string? verifierLog,
        BpfAttachType expectedAttachType = 0)
    {
        FileDescriptor = fd;
        ExpectedAttachType = expectedAttachType;
        Type = type;
        Name = name;
        Id = id;
        VerifierLog = verifierLog;
    }

    /// <summary>The program's fd.</summary>
    public BpfFileDescriptor FileDescriptor { get; }
    /// <summary>The program type.</summary>
    public BpfProgramType Type { get; }
    /// <summary>The name given at load time, or null.</summary>
    public string? Name { get; }
    /// <summary>The kernel's id for the program (as <c>bpftool prog list</c> shows it).</summary>
    public int Id { get; }
    /// <summary>
    /// The <c>expected_attach_type</c> the program was loaded with (what a tracing or LSM link attaches as); 0 for a
    /// program opened from an fd, whose attach type the kernel does not report.
    /// </summary>
    public BpfAttachType ExpectedAttachType { get; }

    /// <summary>The verifier's log of the successful load when <see cref="BpfProgramLoadOptions.LogLevel"/> asked for one.</summary>
    public string? VerifierLog { get; }

    /// <summary>
    /// Loads a program. When the verifier rejects it, the load is repeated with a log buffer (unless a log was
    /// already requested) and the thrown <see cref="BpfSyscallException"/> carries the verifier's text in
    /// <see cref="BpfSyscallException.Log"/>.
    /// </summary>
    /// <param name="type">The program type (<c>BPF_PROG_TYPE_*</c>).</param>
    /// <param name="instructions">The instructions, with map fds and relocations already applied.</param>
    /// <param name="license">The license string; GPL-only helpers need a GPL-compatible one.</param>
    /// <param name="options">Name, attach type, BTF with func_info/line_info, log level and flags.</param>
    /// <exception cref="BpfSyscallException">The verifier or the kernel refused the program.</exception>
    public static unsafe BpfProgram Load(BpfProgramType type, ReadOnlySpan<Instruction> instructions, string license = "GPL",
        BpfProgramLoadOptions? options = null)
    {
        if (instructions.IsEmpty) throw new ArgumentException("A program needs at least one instruction.", nameof(instructions));
        ArgumentNullException.ThrowIfNull(license);
        options ??= new BpfProgramLoadOptions();
        var funcInfoCount = RecordCount(options.FuncInfo, options.FuncInfoRecordSize, nameof(options.FuncInfo));
        var lineInfoCount = RecordCount(options.LineInfo, options.LineInfoRecordSize, nameof(options.LineInfo));
        if ((funcInfoCount > 0 || lineInfoCount > 0) && options.Btf is null)
            throw new ArgumentException("func_info and line_info need the program's BTF (options.Btf).", nameof(options));

        var licenseBytes = new byte[Encoding.UTF8.GetByteCount(license) + 1];
        Encoding.UTF8.GetBytes(license, licenseBytes);

        var btfLease = options.Btf is null ? default : options.Btf.FileDescriptor.Borrow();
        using var targetLease = options.AttachProgram is null ? default : options.AttachProgram.FileDescriptor.Borrow();
        using var tokenLease = options.Token is null ? default : options.Token.FileDescriptor.Borrow();
        try
        {
            fixed (Instruction* insns = instructions)
            fixed (byte* licensePtr = licenseBytes)
            fixed (byte* funcInfo = options.FuncInfo.Span)
            fixed (byte* lineInfo = options.LineInfo.Span)
            {
                var attr = new ProgLoadAttr
                {
                    ProgType = (uint)type,
                    InsnCnt = (uint)instructions.Length,
                    Insns = (ulong)insns,
                    License = (ulong)licensePtr,
                    KernVersion = options.KernelVersion,
                    ProgFlags = (uint)options.Flags,
                    ExpectedAttachType = (uint)options.ExpectedAttachType,
                    AttachBtfId = (uint)options.AttachBtfId,
                };
                if (options.AttachProgram is not null) attr.AttachFd = (uint)targetLease.Fd;
                if (options.Token is not null)
                {
                    attr.ProgFlags |= BpfToken.TokenFdFlag;
                    attr.ProgTokenFd = tokenLease.Fd;
                }
                attr.ProgName.Set(options.Name, nameof(options.Name));
                if (options.Btf is not null)
                {
                    attr.ProgBtfFd = (uint)btfLease.Fd;
                    if (funcInfoCount > 0)
                    {
                        attr.FuncInfo = (ulong)funcInfo;
                        attr.FuncInfoCnt = (uint)funcInfoCount;
                        attr.FuncInfoRecSize = (uint)options.FuncInfoRecordSize;
                    }
                    if (lineInfoCount > 0)
                    {
                        attr.LineInfo = (ulong)lineInfo;
                        attr.LineInfoCnt = (uint)lineInfoCount;
                        attr.LineInfoRecSize = (uint)options.LineInfoRecordSize;
                    }
                }

                var (result, log) = LoadWithLog(ref attr, options.LogLevel, options.LogSize);
                if (result < 0) BpfSyscall.ThrowFailed(BpfCommand.ProgLoad, -result, log);

                var fd = new BpfFileDescriptor(result);
                try
                {
                    var info = default(ProgInfoPrefix);
                    BpfSyscall.GetInfo(fd, ref info);
                    return new BpfProgram(fd, type, options.Name, (int)info.Id, options.LogLevel != 0 ? log : null, options.ExpectedAttachType);
                }
                catch
                {
                    fd.Dispose();
                    throw;
                }
            }
        }
        finally
        {
            btfLease.Dispose();
        }
    }

    /// <summary>
    /// Runs the program once or <paramref name="repeat"/> times on <paramref name="data"/> in the kernel
    /// (<c>BPF_PROG_TEST_RUN</c>) without attaching it. Socket filter, tc and XDP programs take a packet
    /// (at least an Ethernet header); other types may need <paramref name="contextIn"/> instead.
    /// </summary>
    /// <param name="data">Input packet/data (<c>data_in</c>).</param>
    /// <param name="dataOut">Receives the output packet (<c>data_out</c>); empty to skip.</param>
    /// <param name="repeat">Repetitions; the reported duration is the average. A <c>syscall</c> program runs once (the
    /// default 1 is sent as the 0 the kernel requires for it).</param>
    /// <param name="contextIn">Input context (<c>ctx_in</c>), e.g. a <c>struct __sk_buff</c>; empty for none.</param>
    /// <param name="contextOut">Receives the output context (<c>ctx_out</c>); empty to skip.</param>
    /// <exception cref="BpfSyscallException">The kernel refused the test run (e.g. <c>ENOTSUPP</c> for types without test-run).</exception>
    public unsafe BpfTestRunResult TestRun(ReadOnlySpan<byte> data, Span<byte> dataOut = default, uint repeat = 1,
        ReadOnlySpan<byte> contextIn = default, Span<byte> contextOut = default)
    {
        using var lease = FileDescriptor.Borrow();
        fixed (byte* dataIn = data)
        fixed (byte* dataOutPtr = dataOut)
        fixed (byte* ctxIn = contextIn)
        fixed (byte* ctxOut = contextOut)
        {
            var attr = new ProgTestRunAttr
            {
                ProgFd = (uint)lease.Fd,
                DataIn = data.IsEmpty ? 0 : (ulong)dataIn,
                DataSizeIn = (uint)data.Length,
                DataOut = dataOut.IsEmpty ? 0 : (ulong)dataOutPtr,
                DataSizeOut = (uint)dataOut.Length,
                CtxIn = contextIn.IsEmpty ? 0 : (ulong)ctxIn,
                CtxSizeIn = (uint)contextIn.Length,
                CtxOut = contextOut.IsEmpty ? 0 : (ulong)ctxOut,
                CtxSizeOut = (uint)contextOut.Length,
                // A syscall program runs once and the kernel refuses any repeat count (EINVAL), even 1.
                Repeat = Type == BpfProgramType.Syscall && repeat == 1 ? 0 : repeat,
            };
            BpfSyscall.Bpf(BpfCommand.ProgTestRun, ref attr);
            return new BpfTestRunResult(attr.Retval, (int)attr.DataSizeOut, (int)attr.CtxSizeOut, attr.Duration);
        }
    }

    /// <summary>
    /// Wraps an fd of an existing program (from <c>BPF_OBJ_GET</c>, <c>BPF_PROG_GET_FD_BY_ID</c>, ...), reading its
    /// type, name and id from the kernel. The program takes ownership of <paramref name="fd"/>.
    /// </summary>
    /// <exception cref="BpfSyscallException">The fd is not a program.</exception>
    public static BpfProgram FromFileDescriptor(BpfFileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = Inspection.BpfProgramInfo.Read(fd);
        return new BpfProgram(fd, info.Type, info.Name.Length == 0 ? null : info.Name, info.Id, null);
    }

    /// <summary>
    /// The type id of the function <paramref name="functionName"/> in this program's BTF (libbpf's
    /// <c>libbpf_find_prog_btf_id</c>): the <c>attach_btf_id</c> of a freplace or fentry/fexit program that targets
    /// this one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The program was loaded without BTF, or its BTF has no such function.</exception>
    public int FindFunctionBtfId(string functionName)
    {
        ArgumentException.ThrowIfNullOrEmpty(functionName);
        var info = Inspection.BpfProgramInfo.Read(FileDescriptor);
        if (info.BtfId == 0)
            throw new InvalidOperationException($"{this}: the target program doesn't have BTF, so its function '{functionName}' cannot be found");
        var btf = Inspection.KernelBtfObjects.ReadById(info.BtfId);
        var id = btf.FindByName(functionName, BpfSharp.Btf.BtfKind.Func);
        if (id <= 0)
            throw new InvalidOperationException($"{this}: function '{functionName}' is not found in the program's BTF (btf id {info.BtfId})");
        return id;
    }

    /// <summary>Closes the fd.</summary>
    public void Dispose() => FileDescriptor.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"prog {Id} {Type} '{Name}'";

    /// <summary>
    /// Issues <c>BPF_PROG_LOAD</c>. Without a requested log, the first try has no buffer (cheapest); on failure it
    /// is retried at log level 1. A truncated log (<c>ENOSPC</c>) grows the buffer to what the kernel says it needs.
    /// </summary>
    private static unsafe (int Result, string? Log) LoadWithLog(ref ProgLoadAttr attr, uint requestedLevel, int requestedSize)
    {
        int result;
        if (requestedLevel == 0)
        {
            result = BpfSyscall.TryBpf(BpfCommand.ProgLoad, ref attr);
            if (result >= 0) return (result, null);
        }

        var level = requestedLevel == 0 ? LogBuffer.Level1 : requestedLevel;
        var size = requestedLevel == 0 ? LogBuffer.InitialSize : Math.Clamp(requestedSize, LogBuffer.MinSize, LogBuffer.MaxSize);
        string? log = null;
        result = -Errno.EINVAL;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var buffer = GC.AllocateUninitializedArray<byte>(size);
            buffer[0] = 0;
            fixed (byte* logBuffer = buffer)
            {
                attr.LogLevel = level;
                attr.LogSize = (uint)size;
                attr.LogBuf = (ulong)logBuffer;
                attr.LogTrueSize = 0;
                result = BpfSyscall.TryBpf(BpfCommand.ProgLoad, ref attr);
                attr.LogBuf = 0;
            }
            log = LogBuffer.Decode(buffer);
            if (result != -Errno.ENOSPC || size == LogBuffer.MaxSize) break;
            size = LogBuffer.NextSize(size, attr.LogTrueSize);
        }
        attr.LogLevel = 0;
        attr.LogSize = 0;
        return (result, log);
    }

    private static int RecordCount(ReadOnlyMemory<byte> records, int recordSize, string name)
    {
        if (records.IsEmpty) return 0;
        if (recordSize <= 0 || records.Length % recordSize != 0)
            throw new ArgumentException($"{name} holds {records.Length} bytes, not a multiple of its record size {recordSize}.", name);
        return records.Length / recordSize;
    }

    /// <summary>The leading fields of <c>struct bpf_prog_info</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    private struct ProgInfoPrefix
    {
        [FieldOffset(0)] public uint Type;
        [FieldOffset(4)] public uint Id;
    }
}
