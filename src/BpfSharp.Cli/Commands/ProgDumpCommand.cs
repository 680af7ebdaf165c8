using System.Globalization;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Cli.Output;
using BpfSharp.Instructions;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>prog dump xlated|jited PROG [file FILE | opcodes | linum]</c>: the verifier-rewritten instructions in the
/// kernel's syntax with the source lines of the program's line info (C or C#) interleaved as bpftool does, or the
/// JIT image (hex bytes per function, or the raw image to a file).
/// </summary>
internal static class ProgDumpCommand
{
    public static void AddTo(System.CommandLine.Command prog)
    {
        prog.Subcommands.Add(MapCommand.Verb("dump",
            "Dump a program: xlated|jited PROG [file FILE | opcodes | linum], like 'bpftool prog dump'.",
            "{xlated | jited} PROG [{file FILE | opcodes | linum}]", Run));
    }

    private static int Run(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count == 0) throw CliException.Usage("expected 'xlated' or 'jited', got nothing");
        bool jited;
        if (BpftoolGrammar.IsPrefix(words[0], "jited")) jited = true;
        else if (BpftoolGrammar.IsPrefix(words[0], "xlated")) jited = false;
        else throw CliException.Usage($"expected 'xlated' or 'jited', got: {words[0]}");
        if (words.Count < 3) throw CliException.Usage("expected PROG (id ID | pinned FILE | tag TAG | name NAME)");
        var at = 1;
        var fds = ObjectSelectors.Programs(words, ref at);
        try
        {
            string? file = null;
            bool opcodes = false, linum = false;
            while (at < words.Count)
            {
                var word = words[at];
                if (BpftoolGrammar.IsPrefix(word, "file"))
                {
                    if (at + 1 >= words.Count) throw CliException.Usage("expected file path");
                    if (fds.Count > 1) throw new CliException("several programs matched");
                    file = words[at + 1];
                    at += 2;
                }
                else if (BpftoolGrammar.IsPrefix(word, "opcodes")) { opcodes = true; at++; }
                else if (BpftoolGrammar.IsPrefix(word, "linum")) { linum = true; at++; }
                else if (BpftoolGrammar.IsPrefix(word, "visual")) throw new CliException("'visual' (a DOT control-flow graph) is not supported");
                else throw CliException.Usage($"expected 'file', 'opcodes' or 'linum', got: '{word}'?");
            }
            if (file is not null && (opcodes || linum))
                throw new CliException("'file' is not compatible with 'opcodes', 'visual', or 'linum'");

            var symbols = jited || file is not null ? null : KernelSymbols.Load();
            var several = fds.Count > 1;
            if (output.IsJson && several) output.Json.StartArray();
            for (var i = 0; i < fds.Count; i++)
            {
                var info = BpfProgramInfo.Read(fds[i]);
                var image = BpfProgramImage.Read(fds[i]);
                if (output.IsJson && several)
                {
                    output.Json.StartObject();
                    ProgShowCommand.WriteHeaderJson(output.Json, fds[i], info);
                    output.Json.Name("insns");
                }
                else if (several)
                {
                    ProgShowCommand.WriteHeaderPlain(output.Text, fds[i], info);
                }
                if (file is not null) WriteFile(output, jited ? image.Jited : image.Xlated, file, jited);
                else if (jited) DumpJited(output, image, opcodes);
                else DumpXlated(output, image, symbols!, opcodes, linum);
                if (output.IsJson && several) output.Json.EndObject();
                else if (several && i != fds.Count - 1) output.Text.Append('\n');
                output.Flush();
            }
            if (output.IsJson && several) output.Json.EndArray();
        }
        finally
        {
            ObjectSelectors.DisposeAll(fds);
        }
        output.Finish();
        return 0;
    }

    private static void WriteFile(BpftoolOutput output, byte[] code, string path, bool jited)
    {
        if (code.Length == 0)
            throw new CliException(jited ? "no instructions returned" : "error retrieving insn dump: kernel.kptr_restrict set?");
        try
        {
            File.WriteAllBytes(path, code);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"can't open file {path}: {e.Message}");
        }
        if (output.IsJson) output.Json.Null();
        else output.NoJsonDocument();
    }

    /// <summary>bpftool's <c>dump_xlated_plain</c> and <c>dump_xlated_json</c>.</summary>
    private static void DumpXlated(BpftoolOutput output, BpfProgramImage image, KernelSymbols kernel, bool opcodes, bool linum)
    {
        var code = image.Xlated;
        if (code.Length == 0) throw new CliException("error retrieving insn dump: kernel.kptr_restrict set?");
        BtfSpec? btf = null;
        if (image.BtfId != 0)
        {
            try
            {
                btf = KernelBtfObjects.ReadById(image.BtfId);
            }
            catch (BpfSyscallException)
            {
                throw CliException.Kernel("failed to get btf");
            }
        }
        var names = new XlatedSymbols(kernel, image.JitedSymbols);
        var count = code.Length / Instruction.Size;
        var lines = new LineInfoCursor(btf is null ? [] : image.Lines);
        var functionIndex = 0;
        var json = output.IsJson ? output.Json : null;
        json?.StartArray();
        var skipSecondHalf = false;
        for (var i = 0; i < count; i++)
        {
            if (skipSecondHalf)
            {
                skipSecondHalf = false;
                continue;
            }
            var insn = Decode(code, i);
            var next = i + 1 < count ? Decode(code, i + 1) : default;
            json?.StartObject();
            if (btf is not null && functionIndex < image.Functions.Length && image.Functions[functionIndex].InstructionOffset == i)
            {
                var signature = BtfSignatureFormatter.Format(btf, image.Functions[functionIndex].TypeId);
                if (signature.Length > 0)
                {
                    if (json is not null) json.String("proto", signature);
                    else output.Text.Append(signature).Append(":\n");
                }
                functionIndex++;
            }
            if (lines.Find(i) is { } line) WriteLine(output, btf!, line, linum);
            skipSecondHalf = insn.Opcode == 0x18;
            var text = KernelSyntaxFormatter.Format(insn, next, names);
            if (json is not null)
            {
                json.Name("disasm");
                json.String(text);
                if (opcodes)
                {
                    json.Name("opcodes");
                    json.StartObject();
                    json.Name("code");
                    json.Raw($"\"0x{insn.Opcode:x2}\"");
                    json.Name("src_reg");
                    json.Raw($"\"0x{insn.Source:x}\"");
                    json.Name("dst_reg");
                    json.Raw($"\"0x{insn.Destination:x}\"");
                    json.Name("off");
                    json.HexBytes(code.AsSpan(i * 8 + 2, 2));
                    json.Name("imm");
                    // bpftool prints 12 bytes (both immediates and the second slot's head) for a 16-byte load.
                    json.HexBytes(code.AsSpan(i * 8 + 4, skipSecondHalf && i + 1 < count ? 12 : 4));
                    json.EndObject();
                }
                json.EndObject();
            }
            else
            {
                output.Text.Append(i.ToString(CultureInfo.InvariantCulture).PadLeft(4)).Append(": ").Append(text).Append('\n');
                if (opcodes)
                {
                    output.Text.Append("       ");
                    BpfMapEntryFormatter.AppendHex(output.Text, code.AsSpan(i * 8, 8));
                    if (skipSecondHalf && i + 1 < count)
                    {
                        output.Text.Append(' ');
                        BpfMapEntryFormatter.AppendHex(output.Text, code.AsSpan((i + 1) * 8, 8));
                    }
                    output.Text.Append('\n');
                }
            }
            if (output.Text.Length > 1 << 16) output.Flush();
        }
        json?.EndArray();
    }

    /// <summary>bpftool's <c>btf_dump_linfo_plain</c> / <c>btf_dump_linfo_json</c>.</summary>
    private static void WriteLine(BpftoolOutput output, BtfSpec btf, BpfLineInfo line, bool linum)
    {
        var source = btf.IsValidStringOffset(line.LineOffset) ? btf.GetString(line.LineOffset).TrimStart(' ', '\t', '\n', '\v', '\f', '\r') : null;
        var file = btf.IsValidStringOffset(line.FileNameOffset) ? btf.GetString(line.FileNameOffset) : null;
        if (output.IsJson)
        {
            var j = output.Json;
            if (source is not null) j.String("src", source);
            if (!linum) return;
            if (file is not null) j.String("file", file);
            if (line.Line != 0) j.Number("line_num", line.Line);
            if (line.Column != 0) j.Number("line_col", line.Column);
            return;
        }
        if (source is null) return;
        output.Text.Append("; ").Append(source);
        if (linum) output.Text.Append($" [file:{file ?? ""} line_num:{line.Line} line_col:{line.Column}]");
        output.Text.Append('\n');
    }

    /// <summary>
    /// The JIT image, one block per function: its signature (from BTF), its kernel symbol, and its bytes in hex, 16 per
    /// line with the offset (bpftool disassembles with libbfd or LLVM, which this tool does not carry).
    /// </summary>
    private static void DumpJited(BpftoolOutput output, BpfProgramImage image, bool opcodes)
    {
        _ = opcodes;
        if (image.Jited.Length == 0) throw new CliException("no instructions returned");
        var kernel = KernelSymbols.Load();
        BtfSpec? btf = null;
        if (image.BtfId != 0)
        {
            try { btf = KernelBtfObjects.ReadById(image.BtfId); }
            catch (BpfSyscallException) { throw CliException.Kernel("failed to get btf"); }
        }
        uint[] lengths = image.JitedFunctionLengths.Length > 0 ? image.JitedFunctionLengths : [(uint)image.Jited.Length];
        var json = output.IsJson ? output.Json : null;
        json?.StartArray();
        var offset = 0;
        for (var f = 0; f < lengths.Length; f++)
        {
            var name = f < image.JitedSymbols.Length
                ? kernel.Find(image.JitedSymbols[f]) ?? $"0x{image.JitedSymbols[f]:x16}"
                : "unknown";
            var signature = btf is not null && f < image.Functions.Length ? BtfSignatureFormatter.Format(btf, image.Functions[f].TypeId) : "";
            var length = (int)Math.Min(lengths[f], (uint)Math.Max(0, image.Jited.Length - offset));
            var bytes = image.Jited.AsSpan(offset, length);
            if (json is not null)
            {
                json.StartObject();
                if (signature.Length > 0) json.String("proto", signature);
                json.String("name", name);
                json.Name("insns");
                json.StartArray();
                for (var i = 0; i < bytes.Length; i += 16)
                {
                    json.StartObject();
                    json.Number("pc", (ulong)i);
                    json.Name("opcodes");
                    json.HexBytes(bytes.Slice(i, Math.Min(16, bytes.Length - i)));
                    json.EndObject();
                }
                json.EndArray();
                json.EndObject();
            }
            else
            {
                var text = output.Text;
                if (signature.Length > 0) text.Append(signature).Append(":\n");
                text.Append(name).Append(":\n");
                for (var i = 0; i < bytes.Length; i += 16)
                {
                    text.Append($"{i,4:x}:\t");
                    var row = bytes.Slice(i, Math.Min(16, bytes.Length - i));
                    for (var b = 0; b < row.Length; b++) text.Append(b == 0 ? "" : " ").Append(row[b].ToString("x2", CultureInfo.InvariantCulture));
                    text.Append('\n');
                }
                text.Append('\n');
            }
            offset += length;
        }
        json?.EndArray();
    }

    private static Instruction Decode(byte[] code, int slot)
    {
        var at = slot * 8;
        return new Instruction(code[at], (byte)(code[at + 1] & 0xf), (byte)(code[at + 1] >> 4),
            BitConverter.ToInt16(code, at + 2), BitConverter.ToInt32(code, at + 4));
    }

    /// <summary>
    /// libbpf's <c>bpf_prog_linfo__lfind</c> as bpftool walks it: after each hit the search starts one record later,
    /// and the last record at or before the instruction wins, so several records for one instruction are printed on
    /// the following instructions too.
    /// </summary>
    private sealed class LineInfoCursor(BpfLineInfo[] lines)
    {
        private int _skip;

        public BpfLineInfo? Find(int instruction)
        {
            if (_skip >= lines.Length || instruction < lines[_skip].InstructionOffset) return null;
            var i = _skip;
            while (i + 1 < lines.Length && lines[i + 1].InstructionOffset <= instruction) i++;
            _skip++;
            return lines[i];
        }
    }

    /// <summary>bpftool's <c>print_call</c> and <c>print_imm</c>: kernel symbol names, map ids.</summary>
    private sealed class XlatedSymbols(KernelSymbols kernel, ulong[] jitedSymbols) : IKernelSyntaxSymbols
    {
        public string CallTarget(Instruction call)
        {
            var address = unchecked(kernel.CallBase + (ulong)(long)call.Immediate);
            if (call.Source == 1 && (uint)call.Immediate < (uint)jitedSymbols.Length) address = jitedSymbols[call.Immediate];
            var name = kernel.Find(address);
            if (call.Source == 1)
            {
                var offset = (call.Offset >= 0 ? "+" : "") + call.Offset.ToString(CultureInfo.InvariantCulture);
                if (jitedSymbols.Length == 0) return offset;
                return name is not null ? $"{offset}#{name}" : $"{offset}#0x{address:x}";
            }
            return name ?? $"0x{address:x}";
        }

        public string Immediate(Instruction first, Instruction second, ulong value) => first.Source switch
        {
            1 => $"map[id:{(uint)first.Immediate}]",
            2 => $"map[id:{(uint)first.Immediate}][0]+{(uint)second.Immediate}",
            4 => $"subprog[{(first.Immediate >= 0 ? "+" : "")}{first.Immediate}]",
            _ => $"0x{value:x}",
        };
    }
}
