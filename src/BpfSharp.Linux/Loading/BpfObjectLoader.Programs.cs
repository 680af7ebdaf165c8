using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.CoRe;
using BpfSharp.Instructions;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Loading;

public sealed partial class BpfObjectLoader
{
    /// <summary>A program after linking: its instructions, and where each function landed.</summary>
    private sealed class LinkedProgram
    {
        public readonly List<Instruction> Instructions = [];
        public readonly List<(ProgramSpec Function, int Start)> Functions = [];
    }

    private void LoadPrograms(LoadState st)
    {
        foreach (var p in _spec.Programs)
        {
            if (p.IsSubprogram || !_autoload.GetValueOrDefault(p.Name)) continue;
            var def = ProgramSectionTable.Find(_options.ProgramSectionOverride ?? p.SectionName)
                ?? throw new BpfLoadException($"prog '{p.Name}': missing BPF prog type, check ELF section name '{p.SectionName}'") { LoaderLog = [.. _log] };
            if (def.ProgramType == BpfProgramType.StructOps && !st.StructOpsPrograms.ContainsKey(p.Name))
            {
                // Newer libbpf: a struct_ops program no map uses has nothing to attach to; it is not loaded.
                _log.Add($"libbpf: prog '{p.Name}': struct_ops program is not referenced by any struct_ops map, skipping");
                continue;
            }
            var linked = Link(st, p);
            var options = BuildLoadOptions(st, p, def, linked);
            try
            {
                st.Programs[p.Name] = BpfProgram.Load(def.ProgramType, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(linked.Instructions),
                    _spec.License ?? "", options);
            }
            catch (BpfSyscallException e) when (e.Command == BpfCommand.ProgLoad)
            {
                var log = FixupVerifierLog(st, linked, e.Log);
                throw new BpfVerifierException(p.Name, p.SectionName, e.Errno, log, SourceOfLastInstruction(linked, log), e) { LoaderLog = [.. _log] };
            }
        }
    }

    private BpfProgramLoadOptions BuildLoadOptions(LoadState st, ProgramSpec p, ProgramSectionDefinition def, LinkedProgram linked)
    {
        var flags = BpfProgramLoadFlags.None;
        if (def.Flags.HasFlag(ProgramSectionFlags.Sleepable)) flags |= BpfProgramLoadFlags.Sleepable;
        if (def.Flags.HasFlag(ProgramSectionFlags.XdpFrags)) flags |= BpfProgramLoadFlags.XdpHasFrags;
        int attachBtfId = 0;
        var expectedAttachType = ExpectedAttachType(def);
        _attachTargets.TryGetValue(p.Name, out var attachTarget);
        if (def.ProgramType == BpfProgramType.StructOps && st.StructOpsPrograms.TryGetValue(p.Name, out var slot))
        {
            // libbpf: the ops struct is the attach BTF id, the kernel member's index the expected attach type.
            attachBtfId = slot.AttachBtfId;
            expectedAttachType = (BpfAttachType)slot.MemberIndex;
        }
        else if (attachTarget.Program is not null || def.ProgramType == BpfProgramType.Ext)
        {
            // libbpf's libbpf_find_attach_btf_id: a target program (always for freplace) means a FUNC of its BTF.
            if (attachTarget.Program is null)
                throw new BpfLoadException($"prog '{p.Name}': attach program FD is not set (a freplace program needs SetAttachTarget(\"{p.Name}\", targetProgram, function))") { LoaderLog = [.. _log] };
            var function = attachTarget.Function ?? def.TargetOf((_options.ProgramSectionOverride ?? p.SectionName).TrimStart('?'));
            try
            {
                attachBtfId = attachTarget.Program.FindFunctionBtfId(function);
            }
            catch (InvalidOperationException e)
            {
                throw new BpfLoadException($"prog '{p.Name}': failed to find BPF program ({attachTarget.Program}) BTF ID for '{function}': {e.Message}", e) { LoaderLog = [.. _log] };
            }
        }
        else if (def.Flags.HasFlag(ProgramSectionFlags.AttachBtf))
        {
            var target = attachTarget.Function ?? def.TargetOf((_options.ProgramSectionOverride ?? p.SectionName).TrimStart('?'));
            var (name, kind) = def.ExpectedAttachType switch
            {
                BpfAttachType.TraceRawTp => ("btf_trace_" + target, BtfKind.Typedef),
                BpfAttachType.LsmMac or BpfAttachType.LsmCgroup => ("bpf_lsm_" + target, BtfKind.Func),
                BpfAttachType.TraceIter => ("bpf_iter_" + target, BtfKind.Func),
                _ => (target, BtfKind.Func),
            };
            attachBtfId = Vmlinux(st).FindByName(name, kind);
            if (attachBtfId <= 0)
                throw new BpfLoadException($"prog '{p.Name}': failed to find kernel BTF type ID of '{target}': -ESRCH") { LoaderLog = [.. _log] };
        }
        bool withInfo = st.Btf is not null && st.Features.HasFlag(BtfFeatures.Func) && _spec.BtfExt is not null;
        return new BpfProgramLoadOptions
        {
            Name = KernelName(p.Name),
            ExpectedAttachType = expectedAttachType,
            Flags = flags,
            KernelVersion = _spec.KernelVersion ?? RunningKernelVersion(),
            AttachBtfId = attachBtfId,
            AttachProgram = attachTarget.Program,
            Token = st.Token,
            Btf = withInfo ? st.Btf : null,
            FuncInfo = withInfo ? FuncInfo(linked) : default,
            LineInfo = withInfo ? LineInfo(linked) : default,
            LogLevel = _options.LogLevel,
        };
    }

    /// <summary>
    /// The section's expected attach type; a USDT program is loaded for uprobe.multi when the kernel has it, as
    /// libbpf does, so that a USDT attaches all its sites with one link.
    /// </summary>
    private static BpfAttachType ExpectedAttachType(ProgramSectionDefinition def) =>
        def.Flags.HasFlag(ProgramSectionFlags.Usdt) && Links.UsdtManager.UseUprobeMulti
            ? BpfAttachType.TraceUprobeMulti
            : def.ExpectedAttachType ?? 0;

    /// <summary>libbpf 1.x passes the running kernel's version unless the object has a <c>version</c> section.</summary>
    private uint RunningKernelVersion() => (_options.KernelConfig ?? KernelConfig.FromText("", RunningKernel.Release)).KernelVersion;

    /// <summary>libbpf's <c>bpf_object__reloc_code</c>: appends every reachable subprogram once, fixes calls, resolves data references.</summary>
    private LinkedProgram Link(LoadState st, ProgramSpec main)
    {
        var linked = new LinkedProgram();
        var placed = new Dictionary<ProgramSpec, int>();
        var pending = new Queue<ProgramSpec>();
        Place(main);
        while (pending.Count > 0)
        {
            var f = pending.Dequeue();
            int start = placed[f];
            var refs = _spec.GetReferences(f).ToDictionary(r => r.InstructionIndex);
            for (int i = 0; i < f.InstructionCount; i++)
            {
                int at = start + i;
                var insn = linked.Instructions[at];
                refs.TryGetValue(f.InstructionOffset + i, out var r);
                if (insn.Opcode == 0x85 && insn.Source == PseudoCall && r?.Kind != InstructionReferenceKind.ExternCall)
                {
                    int targetInsn = r?.TargetInstructionIndex ?? f.InstructionOffset + i + insn.Immediate + 1;
                    var target = r?.TargetFunction ?? _spec.FindProgramAt(f.Section.Index, targetInsn);
                    if (r is not null && r.Kind == InstructionReferenceKind.Call)
                        target = r.TargetFunction;
                    if (target is null || !target.IsSubprogram && target != f)
                        throw new BpfLoadException($"prog '{main.Name}': bad call at insn #{i} of '{f.Name}': no subprogram at {targetInsn}");
                    int targetStart = Place(target) + (targetInsn - target.InstructionOffset);
                    linked.Instructions[at] = insn.WithImmediate(targetStart - at - 1);
                    continue;
                }
                if (r is null) continue;
                switch (r.Kind)
                {
                    case InstructionReferenceKind.SubprogramAddress:
                    {
                        var target = r.TargetFunction ?? throw new BpfLoadException($"prog '{main.Name}': function address without function");
                        int targetStart = Place(target) + (r.TargetInstructionIndex - target.InstructionOffset);
                        SetImm64(linked, at, PseudoFunc, targetStart - at - 1, 0);
                        break;
                    }
                    case InstructionReferenceKind.Map:
                        SetImm64(linked, at, PseudoMapFd, MapFd(st, r.Map!.Name), 0);
                        break;
                    case InstructionReferenceKind.ArenaData:
                        // The arena map's fd with the offset from the arena's start; the kernel adds its user address.
                        SetImm64(linked, at, PseudoMapValue, MapFd(st, r.Map!.Name), (int)checked((uint)(st.Arena!.GlobalsOffset + r.DataOffset)));
                        break;
                    case InstructionReferenceKind.GlobalData:
                        SetImm64(linked, at, PseudoMapValue, MapFd(st, r.Data!.Name), (int)r.DataOffset);
                        break;
                    case InstructionReferenceKind.ExternVariable when r.Extern!.Value.Kind == ExternKind.Kconfig:
                    {
                        var (offset, _) = st.Loadable!.KconfigLayout[r.Extern.Value.Name];
                        SetImm64(linked, at, PseudoMapValue, MapFd(st, ".kconfig"), (int)offset);
                        break;
                    }
                    case InstructionReferenceKind.ExternVariable:
                    {
                        var (btfId, address, found) = ResolveKsym(st, r.Extern!.Value);
                        if (!found && !r.Extern.Value.IsWeak)
                            throw new BpfLoadException($"extern (var ksym) '{r.Extern.Value.Name}': not found in kernel") { LoaderLog = [.. _log] };
                        if (btfId > 0) SetImm64(linked, at, PseudoBtfId, btfId, 0);
                        else
                        {
                            linked.Instructions[at] = new Instruction(insn.Opcode, insn.Destination, 0, insn.Offset, (int)(uint)address);
                            var hi = linked.Instructions[at + 1];
                            linked.Instructions[at + 1] = new Instruction(hi.Opcode, hi.Destination, hi.Source, hi.Offset, (int)(uint)(address >> 32));
                        }
                        break;
                    }
                    case InstructionReferenceKind.ExternCall when insn.Opcode == 0x18:
                    {
                        // bpf_ksym_exists(kfunc): the kfunc's address is loaded, not called. libbpf keeps the ld_imm64
                        // with the kfunc's BTF id (non-zero to the program) or, unresolved and weak, a plain 0.
                        var (btfId, _, found) = ResolveKsym(st, r.Extern!.Value);
                        if (!found && !r.Extern.Value.IsWeak)
                            throw new BpfLoadException($"extern (func ksym) '{r.Extern.Value.Name}': not found in kernel vmlinux BTF") { LoaderLog = [.. _log] };
                        if (found) SetImm64(linked, at, PseudoBtfId, btfId, 0);
                        else SetImm64(linked, at, 0, 0, 0);
                        break;
                    }
                    case InstructionReferenceKind.ExternCall:
                    {
                        var (btfId, _, found) = ResolveKsym(st, r.Extern!.Value);
                        if (!found)
                        {
                            if (!r.Extern.Value.IsWeak)
                                throw new BpfLoadException($"extern (func ksym) '{r.Extern.Value.Name}': not found in kernel vmlinux BTF") { LoaderLog = [.. _log] };
                            // libbpf's poison for an unresolved weak kfunc: a call the verifier rejects only if reached.
                            linked.Instructions[at] = new Instruction(0x85, 0, 0, 0, KfuncPoisonBase + ExternIndex(r.Extern.Value));
                            break;
                        }
                        linked.Instructions[at] = new Instruction(0x85, insn.Destination, PseudoKfuncCall, 0, btfId);
                        break;
                    }
                }
            }
        }
        return linked;

        int Place(ProgramSpec f)
        {
            if (placed.TryGetValue(f, out int s)) return s;
            s = linked.Instructions.Count;
            placed[f] = s;
            linked.Instructions.AddRange(st.Patched[f.Name]);
            linked.Functions.Add((f, s));
            pending.Enqueue(f);
            return s;
        }
    }

    private const int KfuncPoisonBase = 2002000000;

    private int ExternIndex(ExternSpec ext)
    {
        for (int i = 0; i < _spec.Externs.Count; i++) if (_spec.Externs[i].SymbolIndex == ext.SymbolIndex) return i;
        return 0;
    }

    private static int MapFd(LoadState st, string name) =>
        st.Maps.TryGetValue(name, out var m) ? m.FileDescriptor.RawFd : throw new BpfLoadException($"map '{name}' was not created");

    private static void SetImm64(LinkedProgram linked, int at, byte source, int low, int high)
    {
        var a = linked.Instructions[at];
        linked.Instructions[at] = new Instruction(a.Opcode, a.Destination, source, a.Offset, low);
        var b = linked.Instructions[at + 1];
        linked.Instructions[at + 1] = new Instruction(b.Opcode, b.Destination, b.Source, b.Offset, high);
    }

    private ReadOnlyMemory<byte> FuncInfo(LinkedProgram linked)
    {
        var list = new List<byte>();
        Span<byte> rec = stackalloc byte[8];
        foreach (var (f, start) in linked.Functions.OrderBy(x => x.Start))
        {
            var sec = _spec.BtfExt!.FindFuncInfo(f.SectionName);
            if (sec is null) continue;
            foreach (var fi in sec.Records)
            {
                if (!f.Contains(fi.InstructionIndex)) continue;
                BinaryPrimitives.WriteUInt32LittleEndian(rec, (uint)(start + fi.InstructionIndex - f.InstructionOffset));
                BinaryPrimitives.WriteUInt32LittleEndian(rec[4..], (uint)fi.TypeId);
                list.AddRange(rec.ToArray());
            }
        }
        return list.ToArray();
    }

    private ReadOnlyMemory<byte> LineInfo(LinkedProgram linked)
    {
        var list = new List<byte>();
        Span<byte> rec = stackalloc byte[16];
        foreach (var (f, start) in linked.Functions.OrderBy(x => x.Start))
        {
            var sec = _spec.BtfExt!.FindLineInfo(f.SectionName);
            if (sec is null) continue;
            foreach (var li in sec.Records)
            {
                if (!f.Contains(li.InstructionIndex)) continue;
                BinaryPrimitives.WriteUInt32LittleEndian(rec, (uint)(start + li.InstructionIndex - f.InstructionOffset));
                BinaryPrimitives.WriteUInt32LittleEndian(rec[4..], li.FileNameOffset);
                BinaryPrimitives.WriteUInt32LittleEndian(rec[8..], li.LineOffset);
                BinaryPrimitives.WriteUInt32LittleEndian(rec[12..], li.LineColumn);
                list.AddRange(rec.ToArray());
            }
        }
        return list.ToArray();
    }

    private static readonly Regex KfuncPoisonCall = new(@"^(\d+): \(85\) call unknown#(2002\d{6})$", RegexOptions.Compiled);
    private static readonly Regex PoisonCall = new(@"^(\d+): \(85\) call unknown#195896080$", RegexOptions.Compiled);

    /// <summary>libbpf's <c>fixup_log_failed_core_relo</c>: names the CO-RE relocation behind a reached poison call.</summary>
    private string? FixupVerifierLog(LoadState st, LinkedProgram linked, string? log)
    {
        if (string.IsNullOrEmpty(log)) return log;
        var lines = log.Split('\n').ToList();
        for (int i = 0; i + 1 < lines.Count; i++)
        {
            var k = KfuncPoisonCall.Match(lines[i]);
            if (k.Success && lines[i + 1] == $"invalid func unknown#{k.Groups[2].Value}")
            {
                // libbpf's fixup_log_missing_kfunc_call.
                int extIndex = int.Parse(k.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) - KfuncPoisonBase;
                if ((uint)extIndex < (uint)_spec.Externs.Count)
                {
                    lines[i] = $"{k.Groups[1].Value}: <invalid kfunc call>";
                    lines[i + 1] = $"kfunc '{_spec.Externs[extIndex].Name}' is referenced but wasn't resolved";
                }
                continue;
            }
            var m = PoisonCall.Match(lines[i]);
            if (!m.Success || lines[i + 1] != "invalid func unknown#195896080") continue;
            int insn = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var report = FindCoReReport(st, linked, insn);
            if (report is null || _spec.Btf is null) continue;
            string spec;
            try { spec = CoReSpec.Parse(_spec.Btf, report.Record).Format(); }
            catch (BpfFormatException) { continue; }
            lines[i] = $"{insn}: <invalid CO-RE relocation>";
            lines[i + 1] = $"failed to resolve CO-RE relocation {spec}";
        }
        return string.Join('\n', lines);
    }

    private static CoReRelocationReport? FindCoReReport(LoadState st, LinkedProgram linked, int insn)
    {
        foreach (var (f, start) in linked.Functions)
            if (insn >= start && insn < start + f.InstructionCount)
                return st.CoRe.GetValueOrDefault((f.Name, insn - start));
        return null;
    }

    private static readonly Regex InsnLine = new(@"^(\d+): (\(|<)", RegexOptions.Compiled);

    /// <summary>The line_info source line of the last instruction the verifier log mentions.</summary>
    private string? SourceOfLastInstruction(LinkedProgram linked, string? log)
    {
        if (string.IsNullOrEmpty(log) || _spec.Btf is null || _spec.BtfExt is null) return null;
        int last = -1;
        foreach (var line in log.Split('\n'))
        {
            var m = InsnLine.Match(line);
            if (m.Success) last = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        if (last < 0) return null;
        foreach (var (f, start) in linked.Functions)
        {
            if (last < start || last >= start + f.InstructionCount) continue;
            var sec = _spec.BtfExt.FindLineInfo(f.SectionName);
            if (sec is null) return null;
            int sectionInsn = f.InstructionOffset + last - start;
            BtfLineInfo? best = null;
            foreach (var li in sec.Records)
                if (f.Contains(li.InstructionIndex) && li.InstructionIndex <= sectionInsn && (best is null || li.InstructionIndex >= best.Value.InstructionIndex))
                    best = li;
            if (best is not { } b) return null;
            var text = _spec.Btf.GetString(b.LineOffset).Trim();
            return $"{_spec.Btf.GetString(b.FileNameOffset)}:{b.Line}: {text}";
        }
        return null;
    }
}
