using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Cli.Output;
using BpfSharp.CoRe;
using BpfSharp.Objects;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'obj' verb group: show, relocs, disasm.</summary>
internal static class ObjCommand
{
    public static Command Create()
    {
        var command = new Command("obj", "Inspect BPF ELF objects: sections, programs, maps, globals, CO-RE records, disassembly.");
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateRelocs());
        command.Subcommands.Add(CreateDisasm());
        return command;
    }

    private static Argument<string> FileArgument() => new("file") { Description = "The BPF object file (.o)." };

    private static Command CreateShow()
    {
        var file = FileArgument();
        var command = new Command("show", "Show sections, programs, maps, global data, license and .BTF.ext record counts.") { file };
        command.SetAction(result =>
        {
            var obj = ObjectSpec.Load(result.GetValue(file)!);
            var output = Console.Out;
            if (GlobalOptions.IsJson(result)) WriteShowJson(obj, Console.OpenStandardOutput(), GlobalOptions.IsPretty(result));
            else WriteShowText(obj, output, rich: !Console.IsOutputRedirected);
            return 0;
        });
        return command;
    }

    private static Command CreateRelocs()
    {
        var file = FileArgument();
        var command = new Command("relocs", "List every CO-RE relocation record with its local spec in libbpf's format.") { file };
        command.SetAction(result =>
        {
            var obj = ObjectSpec.Load(result.GetValue(file)!);
            if (GlobalOptions.IsJson(result)) WriteRelocsJson(obj, Console.OpenStandardOutput(), GlobalOptions.IsPretty(result));
            else WriteRelocsText(obj, Console.Out, rich: !Console.IsOutputRedirected);
            return 0;
        });
        return command;
    }

    private static Command CreateDisasm()
    {
        var file = FileArgument();
        var command = new Command("disasm", "Disassemble every program (llvm-objdump -d syntax).") { file };
        command.SetAction(result =>
        {
            string path = result.GetValue(file)!;
            var obj = ObjectSpec.Load(path);
            var output = new StreamWriter(Console.OpenStandardOutput()) { NewLine = "\n", AutoFlush = false };
            ObjectDisassembly.Write(obj, output, path);
            output.Flush();
            return 0;
        });
        return command;
    }

    private static string Hex(ulong v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);
    private static string Dec(ulong v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Dec(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string MapTypeName(BpfMapType t) =>
        Enum.IsDefined(t) ? t.ToString() : Dec((ulong)t);

    private static string TypeName(BtfSpec? btf, int id)
    {
        if (btf is null || id == 0 || !btf.IsValidTypeId(id)) return "";
        var t = btf[id];
        return $"[{id}] {t.Kind.ToBpftoolName()} '{t.Name}'";
    }

    internal static IEnumerable<ReportTable> ShowTables(ObjectSpec obj)
    {
        var sections = new ReportTable("Sections", "idx", "name", "type", "flags", "size");
        foreach (var s in obj.Sections.Skip(1))
            sections.Add(Dec((ulong)s.Index), s.Name, Enum.IsDefined(s.Type) ? s.Type.ToString() : Hex((ulong)s.Type), Hex((ulong)s.Flags), Dec(s.Size));
        yield return sections;

        var programs = new ReportTable("Programs", "name", "section", "kind", "prog type", "attach type", "insn offset", "insns", "bytes");
        foreach (var p in obj.Programs)
        {
            var def = p.Definition;
            programs.Add(p.Name, p.SectionName, p.IsSubprogram ? (p.IsStatic ? "static subprog" : "subprog") : "program",
                def?.ProgramType.ToString() ?? "", def is null || (def.Flags & (ProgramSectionFlags.Attachable | ProgramSectionFlags.AttachBtf)) == 0 && def.ExpectedAttachType == 0 ? "" : def.ExpectedAttachType.ToString(),
                Dec((ulong)p.InstructionOffset), Dec((ulong)p.InstructionCount), Dec((ulong)p.ByteSize));
        }
        yield return programs;

        var maps = new ReportTable("Maps", "name", "type", "key", "value", "max_entries", "flags", "pinning", "extra");
        foreach (var m in obj.Maps)
        {
            var extra = new List<string>();
            if (m.KeyTypeId != 0) extra.Add("key " + TypeName(obj.Btf, m.KeyTypeId));
            if (m.ValueTypeId != 0) extra.Add("value " + TypeName(obj.Btf, m.ValueTypeId));
            if (m.NumaNode != 0 || (m.Parts & MapDefinitionParts.NumaNode) != 0) extra.Add("numa_node " + Dec(m.NumaNode));
            if ((m.Parts & MapDefinitionParts.MapExtra) != 0) extra.Add("map_extra " + Dec(m.MapExtra));
            if (m.InnerMap is { } inner)
                extra.Add($"inner {MapTypeName(inner.Type)} key {inner.KeySize} value {inner.ValueSize} max_entries {inner.MaxEntries}");
            if (m.ValuesFunctionProtoId != 0) extra.Add("values " + TypeName(obj.Btf, m.ValuesFunctionProtoId));
            if (m.InitialValues.Count > 0) extra.Add("init " + string.Join(",", m.InitialValues.Select(v => $"[{v.Index}]={v.Name}")));
            maps.Add(m.Name, MapTypeName(m.Type), Dec(m.KeySize), Dec(m.ValueSize), Dec(m.MaxEntries), Hex(m.Flags),
                m.Pinning == MapPinning.ByName ? "by_name" : "none", string.Join("; ", extra));
        }
        yield return maps;

        var globals = new ReportTable("Globals", "section", "kind", "variable", "offset", "size", "type");
        foreach (var d in obj.DataSections)
        {
            if (d.Variables.Count == 0) globals.Add(d.Name, d.Kind.ToString(), "", "", Dec(d.Size), "");
            foreach (var v in d.Variables)
                globals.Add(d.Name, d.Kind.ToString(), v.Name + (v.IsStatic ? " (static)" : ""), Dec(v.Offset), Dec(v.Size), TypeName(obj.Btf, v.BtfTypeId));
        }
        yield return globals;

        var externs = new ReportTable("Externs", "name", "kind", "weak", "btf");
        foreach (var e in obj.Externs)
            externs.Add(e.Name, e.Kind == ExternKind.Kconfig ? "kconfig" : e.IsFunction ? "ksym func" : "ksym", e.IsWeak ? "yes" : "no", TypeName(obj.Btf, e.BtfTypeId));
        yield return externs;

        var info = new ReportTable("Info", "item", "value");
        info.Add("byte order", obj.IsBigEndian ? "big-endian" : "little-endian");
        info.Add("license", obj.License ?? "(none)");
        info.Add("version", obj.KernelVersion is { } kv ? Hex(kv) : "(none)");
        info.Add("BTF types", obj.Btf is null ? "(no .BTF)" : Dec((ulong)obj.Btf.OwnTypeCount));
        info.Add("func_info", Dec((ulong)(obj.BtfExt?.FuncInfoCount ?? 0)));
        info.Add("line_info", Dec((ulong)(obj.BtfExt?.LineInfoCount ?? 0)));
        info.Add("core_relo", Dec((ulong)(obj.BtfExt?.CoReRelocationCount ?? 0)));
        info.Add("references", Dec((ulong)obj.References.Count));
        yield return info;
    }

    private static void WriteShowText(ObjectSpec obj, TextWriter output, bool rich)
    {
        if (!rich) output.WriteLine($"{obj.Path}:");
        foreach (var table in ShowTables(obj)) table.Write(output, rich);
    }

    private static void WriteShowJson(ObjectSpec obj, Stream stream, bool pretty)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = pretty });
        w.WriteStartObject();
        w.WriteString("file", obj.Path);
        w.WriteString("byte_order", obj.IsBigEndian ? "big" : "little");
        if (obj.License is null) w.WriteNull("license"); else w.WriteString("license", obj.License);
        if (obj.KernelVersion is { } kv) w.WriteNumber("version", kv); else w.WriteNull("version");
        w.WriteStartArray("sections");
        foreach (var s in obj.Sections.Skip(1))
        {
            w.WriteStartObject();
            w.WriteNumber("index", s.Index);
            w.WriteString("name", s.Name);
            w.WriteNumber("type", (uint)s.Type);
            w.WriteNumber("flags", (ulong)s.Flags);
            w.WriteNumber("size", s.Size);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("programs");
        foreach (var p in obj.Programs)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("section", p.SectionName);
            w.WriteBoolean("subprogram", p.IsSubprogram);
            w.WriteBoolean("static", p.IsStatic);
            if (p.Definition is { } def)
            {
                w.WriteNumber("prog_type", (uint)def.ProgramType);
                w.WriteNumber("expected_attach_type", (uint)def.ExpectedAttachType);
            }
            w.WriteNumber("insn_offset", p.InstructionOffset);
            w.WriteNumber("insn_count", p.InstructionCount);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("maps");
        foreach (var m in obj.Maps) WriteMapJson(w, m);
        w.WriteEndArray();
        w.WriteStartArray("data_sections");
        foreach (var d in obj.DataSections)
        {
            w.WriteStartObject();
            w.WriteString("name", d.Name);
            w.WriteString("kind", d.Kind.ToString());
            w.WriteNumber("size", d.Size);
            w.WriteStartArray("variables");
            foreach (var v in d.Variables)
            {
                w.WriteStartObject();
                w.WriteString("name", v.Name);
                w.WriteNumber("offset", v.Offset);
                w.WriteNumber("size", v.Size);
                w.WriteNumber("type_id", v.BtfTypeId);
                w.WriteBoolean("static", v.IsStatic);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("externs");
        foreach (var e in obj.Externs)
        {
            w.WriteStartObject();
            w.WriteString("name", e.Name);
            w.WriteString("kind", e.Kind == ExternKind.Kconfig ? "kconfig" : "ksym");
            w.WriteBoolean("weak", e.IsWeak);
            w.WriteBoolean("function", e.IsFunction);
            w.WriteNumber("btf_id", e.BtfTypeId);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("btf_ext");
        w.WriteNumber("func_info", obj.BtfExt?.FuncInfoCount ?? 0);
        w.WriteNumber("line_info", obj.BtfExt?.LineInfoCount ?? 0);
        w.WriteNumber("core_relo", obj.BtfExt?.CoReRelocationCount ?? 0);
        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n');
        stream.Flush();
    }

    private static void WriteMapJson(Utf8JsonWriter w, MapSpec m)
    {
        w.WriteStartObject();
        w.WriteString("name", m.Name);
        w.WriteNumber("type", (uint)m.Type);
        w.WriteString("type_name", MapTypeName(m.Type));
        w.WriteNumber("key_size", m.KeySize);
        w.WriteNumber("value_size", m.ValueSize);
        w.WriteNumber("key_type_id", m.KeyTypeId);
        w.WriteNumber("value_type_id", m.ValueTypeId);
        w.WriteNumber("max_entries", m.MaxEntries);
        w.WriteNumber("map_flags", m.Flags);
        w.WriteNumber("numa_node", m.NumaNode);
        w.WriteNumber("pinning", (uint)m.Pinning);
        w.WriteNumber("map_extra", m.MapExtra);
        if (m.InnerMap is not null) { w.WritePropertyName("inner_map"); WriteMapJson(w, m.InnerMap); }
        if (m.InitialValues.Count > 0)
        {
            w.WriteStartArray("initial_values");
            foreach (var v in m.InitialValues)
            {
                w.WriteStartObject();
                w.WriteNumber("index", v.Index);
                w.WriteString("name", v.Name);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>One CO-RE record as the CLI prints it.</summary>
    internal readonly record struct RelocRow(string Section, int Number, int InstructionIndex, string Kind, int TypeId, string Access, string Spec);

    internal static List<RelocRow> RelocRows(ObjectSpec obj)
    {
        var rows = new List<RelocRow>();
        if (obj.BtfExt is null || obj.Btf is null) return rows;
        foreach (var sec in obj.BtfExt.CoReRelocations)
            for (int i = 0; i < sec.Count; i++)
            {
                var r = sec[i];
                string access = obj.Btf.IsValidStringOffset(r.AccessStringOffset) ? obj.Btf.GetString(r.AccessStringOffset) : "<invalid>";
                string spec = CoReSpec.TryParse(obj.Btf, r, out var parsed) is int err && err == 0
                    ? parsed.Format()
                    : $"<{r.Kind.ToLibbpfString()}> [{r.TypeId}] invalid spec '{access}' (error {err})";
                rows.Add(new RelocRow(sec.Name, i, r.InstructionIndex(), r.Kind.ToLibbpfString(), r.TypeId, access, spec));
            }
        return rows;
    }

    private static void WriteRelocsText(ObjectSpec obj, TextWriter output, bool rich)
    {
        var table = new ReportTable("CO-RE relocations", "section", "relo", "insn", "kind", "spec");
        foreach (var r in RelocRows(obj))
            table.Add(r.Section, "#" + Dec((ulong)r.Number), Dec((ulong)r.InstructionIndex), r.Kind, r.Spec);
        if (!rich) output.WriteLine($"{obj.Path}:");
        table.Write(output, rich);
    }

    private static void WriteRelocsJson(ObjectSpec obj, Stream stream, bool pretty)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = pretty });
        w.WriteStartArray();
        foreach (var r in RelocRows(obj))
        {
            w.WriteStartObject();
            w.WriteString("section", r.Section);
            w.WriteNumber("relo", r.Number);
            w.WriteNumber("insn", r.InstructionIndex);
            w.WriteString("kind", r.Kind);
            w.WriteNumber("type_id", r.TypeId);
            w.WriteString("access", r.Access);
            w.WriteString("spec", r.Spec);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.Flush();
        stream.WriteByte((byte)'\n');
        stream.Flush();
    }
}

internal static class CoReRecordExtensions
{
    public static int InstructionIndex(this CoReRelocationRecord r) => (int)(r.InstructionByteOffset / 8);
}
