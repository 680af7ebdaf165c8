using System.Buffers.Binary;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Compiler.Backend;
using BpfSharp.Compiler.Frontend;
using BpfSharp.CoRe;
using BpfSharp.Instructions;
using BpfSharp.Objects;
using BpfSharp.Objects.Logging;
using BpfSharp.Objects.Writing;

namespace BpfSharp.Compiler.Output;

/// <summary>
/// Writes compiled programs as a BPF ELF object the way clang does: one code section per program section
/// name, BTF-defined maps in <c>.maps</c>, globals in <c>.data</c>/<c>.rodata</c>/<c>.bss</c> with DATASEC/VAR
/// BTF and symbols, <c>license</c>, and <c>.BTF.ext</c> with func_info, line_info (C# lines) and CO-RE records.
/// </summary>
internal sealed class ObjectEmitter(CompilationUnit unit, BtfBuilder btf, BtfTypeMapper types)
{
    private readonly Dictionary<string, string[]?> _sourceFiles = [];

    public byte[] Emit(IReadOnlyList<EmittedFunction> programs, string license)
    {
        var elf = new BpfElfBuilder();
        var ext = new BtfExtBuilder();

        // Globals: lay out per section, in order of first use.
        var sections = new Dictionary<string, List<GlobalVariable>>();
        foreach (var g in unit.Globals.Where(g => !g.IsExtern))
        {
            if (!sections.TryGetValue(g.Section, out var list))
            {
                sections[g.Section] = list = [];
            }

            var align = g.Type is null ? 1 : Math.Min(8, TypeLayout.SizeAndAlignment(unit.Types, g.Type).Alignment);
            var end = list.Count == 0 ? 0 : list[^1].Offset + list[^1].Initial.Length;
            g.Offset = (end + align - 1) / align * align;
            list.Add(g);
        }

        // Code sections (programs sharing a section name are laid out one after another, as libbpf expects).
        var codeSections = new Dictionary<string, (int Index, List<(CompiledFunction F, int ByteOffset)> Functions)>();
        var codeBytes = new Dictionary<string, List<byte>>();
        foreach (var (f, _, _, _, _) in programs)
        {
            if (!codeBytes.TryGetValue(f.Section, out var bytes))
            {
                codeBytes[f.Section] = bytes = [];
                codeSections[f.Section] = (-1, []);
            }

            codeSections[f.Section].Functions.Add((f, bytes.Count));
            bytes.AddRange(Encode(f.Code));
        }

        // The code is final once ld_imm64 immediates are patched below (global and subprogram offsets).
        var code = codeBytes.ToDictionary(c => c.Key, c => c.Value.ToArray());
        foreach (var (name, bytes) in code)
        {
            var index = elf.AddSection(name, ElfSectionFlags.Alloc | ElfSectionFlags.ExecInstr, bytes, 8);
            codeSections[name] = (index, codeSections[name].Functions);
        }

        // Data sections.
        var dataSectionIndex = new Dictionary<string, int>();
        foreach (var (name, list) in sections)
        {
            var size = list.Count == 0 ? 0 : list[^1].Offset + list[^1].Initial.Length;
            var flags = name == ".rodata" ? ElfSectionFlags.Alloc : ElfSectionFlags.Alloc | ElfSectionFlags.Write;
            if (name == ".bss")
            {
                dataSectionIndex[name] = elf.AddNoBitsSection(name, flags, (ulong)size, 8);
            }
            else
            {
                var data = new byte[size];
                foreach (var g in list)
                {
                    g.Initial.CopyTo(data, g.Offset);
                }

                dataSectionIndex[name] = elf.AddSection(name, flags, data, 8);
            }
        }

        // Maps.
        var mapsSection = -1;
        var mapSymbols = new List<int>();
        var mapVars = new List<(int Var, uint Offset, uint Size)>();
        if (unit.Maps.Count > 0)
        {
            var mapTypes = unit.Maps.Select(MapStruct).ToList();

            // A map of maps' initial slots follow its struct as the flexible `values` array's elements (clang's
            // layout for `.values = { [i] = &map }`): the symbol and VAR grow by 8 bytes per slot up to the last.
            var sizes = unit.Maps.Select((m, i) => mapTypes[i].Size + (m.InitialSlots.Count == 0 ? 0 : (m.InitialSlots.Keys.Max() + 1) * 8u)).ToList();
            var total = sizes.Sum(s => (long)s);
            mapsSection = elf.AddSection(".maps", ElfSectionFlags.Alloc | ElfSectionFlags.Write, new byte[total], 8);
            uint offset = 0;
            var offsets = new List<uint>();
            for (var i = 0; i < unit.Maps.Count; i++)
            {
                var map = unit.Maps[i];
                mapSymbols.Add(elf.AddSymbol(map.Name, mapsSection, offset, sizes[i], ElfSymbolType.Object, ElfSymbolBinding.Global));
                mapVars.Add((btf.AddVar(map.Name, mapTypes[i].Id, BtfLinkage.Global), offset, sizes[i]));
                offsets.Add(offset);
                offset += sizes[i];
            }

            for (var i = 0; i < unit.Maps.Count; i++)
            {
                foreach (var (slot, target) in unit.Maps[i].InitialSlots)
                {
                    elf.AddRelocation(mapsSection, offsets[i] + mapTypes[i].Size + (slot * 8ul), mapSymbols[target], BpfRelocationType.Bpf64Abs64);
                }
            }
        }

        // License.
        var licenseBytes = Encoding.UTF8.GetBytes(license + "\0");
        var licenseSection = elf.AddSection("license", ElfSectionFlags.Alloc | ElfSectionFlags.Write, licenseBytes, 1);
        elf.AddSymbol("LICENSE", licenseSection, 0, (ulong)licenseBytes.Length, ElfSymbolType.Object, ElfSymbolBinding.Global);
        var charType = btf.AddInt("char", 1, BtfIntEncoding.Signed, 8);
        var licenseVar = btf.AddVar("LICENSE", types.Array(charType, (uint)licenseBytes.Length), BtfLinkage.Global);

        // Program symbols, FUNC BTF, func_info, line_info, relocations. Symbols first: a call may refer to a
        // global function placed after its caller.
        int OffsetOf(CompiledFunction f) => codeSections[f.Section].Functions.First(x => x.F == f).ByteOffset;
        var functionSymbols = new Dictionary<CompiledFunction, int>();
        foreach (var (f, _, _, isSubprogram, isGlobal) in programs)
        {
            functionSymbols[f] = elf.AddSymbol(f.Name, codeSections[f.Section].Index, (ulong)OffsetOf(f), (ulong)(f.Code.Length * 8), ElfSymbolType.Func,
                isSubprogram && !isGlobal ? ElfSymbolBinding.Local : ElfSymbolBinding.Global);
        }

        var (kfuncSymbols, externSymbols) = EmitExterns(elf);
        foreach (var (f, parameters, returnType, isSubprogram, isGlobal) in programs)
        {
            var (sectionIndex, _) = codeSections[f.Section];
            var byteOffset = OffsetOf(f);
            var proto = btf.AddFuncProto(isSubprogram ? types.Get(returnType) : types.IntType);
            foreach (var (name, type) in parameters)
            {
                btf.AddParam(proto, name, types.Get(type));
            }

            var func = btf.AddFunc(f.Name, proto, isSubprogram && !isGlobal ? BtfLinkage.Static : BtfLinkage.Global);
            ext.AddFuncInfo(f.Section, (uint)byteOffset, func);
            foreach (var (insn, line) in f.Lines)
            {
                var (file, number, column) = unit.Lines[line];
                ext.AddLineInfo(f.Section, (uint)(byteOffset + insn * 8), btf.AddString(file), btf.AddString(SourceLine(file, number)), number, column);
            }

            foreach (var r in f.References)
            {
                var at = (ulong)(byteOffset + r.Instruction * 8);
                if (r.Kind == SymbolReferenceKind.Map)
                {
                    elf.AddRelocation(sectionIndex, at, mapSymbols[r.Symbol], BpfRelocationType.Bpf64_64);
                }
                else if (r.Kind == SymbolReferenceKind.FunctionCall)
                {
                    // As clang: a static callee in another section through the .text section symbol with its
                    // instruction index - 1 in the immediate; a global one through its own symbol with -1.
                    var callee = programs.First(p => p.IsSubprogram && p.Function.Symbol == r.Symbol);
                    if (!callee.IsGlobal && callee.Function.Section == f.Section)
                    {
                        // Within one section clang resolves the call itself: a relative displacement, no relocation.
                        PatchImmediate(code[f.Section], byteOffset + r.Instruction * 8, ((OffsetOf(callee.Function) - byteOffset) / 8) - r.Instruction - 1);
                    }
                    else if (callee.IsGlobal)
                    {
                        elf.AddRelocation(sectionIndex, at, functionSymbols[callee.Function], BpfRelocationType.Bpf64_32);
                    }
                    else
                    {
                        PatchImmediate(code[f.Section], byteOffset + r.Instruction * 8, (OffsetOf(callee.Function) / 8) - 1);
                        elf.AddRelocation(sectionIndex, at, elf.GetSectionSymbol(codeSections[callee.Function.Section].Index), BpfRelocationType.Bpf64_32);
                    }
                }
                else if (r.Kind == SymbolReferenceKind.Kfunc)
                {
                    elf.AddRelocation(sectionIndex, at, kfuncSymbols[r.Symbol], BpfRelocationType.Bpf64_32);
                }
                else if (r.Kind == SymbolReferenceKind.Subprogram)
                {
                    // As clang: the .text section symbol, the callee's byte offset in the instruction.
                    var callee = programs.First(p => p.IsSubprogram && p.Function.Symbol == r.Symbol).Function;
                    PatchImmediate(code[f.Section], byteOffset + r.Instruction * 8, OffsetOf(callee));
                    elf.AddRelocation(sectionIndex, at, elf.GetSectionSymbol(codeSections[callee.Section].Index), BpfRelocationType.Bpf64_64);
                }
                else if (externSymbols.TryGetValue(r.Symbol, out var externSymbol))
                {
                    // As clang: against the extern's own symbol; the loader puts in the value's address.
                    PatchImmediate(code[f.Section], byteOffset + r.Instruction * 8, r.Addend);
                    elf.AddRelocation(sectionIndex, at, externSymbol, BpfRelocationType.Bpf64_64);
                }
                else
                {
                    var g = unit.Globals[r.Symbol];
                    PatchImmediate(code[f.Section], byteOffset + r.Instruction * 8, g.Offset + r.Addend);
                    elf.AddRelocation(sectionIndex, at, elf.GetSectionSymbol(dataSectionIndex[g.Section]), BpfRelocationType.Bpf64_64);
                }
            }

            foreach (var c in f.CoRe)
            {
                ext.AddCoReRelocation(f.Section, (uint)(byteOffset + c.Instruction * 8), c.Use.TypeId, btf.AddString(c.Use.Access), (CoReRelocationKind)c.Use.Kind);
            }
        }

        EmitStructOps(elf, programs, functionSymbols, charType);

        // Global variables: symbols, VARs, DATASECs.
        foreach (var (name, list) in sections)
        {
            var vars = new List<(int, uint, uint)>();
            foreach (var g in list.Where(g => !g.IsLiteral))
            {
                elf.AddSymbol(g.Name, dataSectionIndex[name], (ulong)g.Offset, (ulong)g.Initial.Length, ElfSymbolType.Object, ElfSymbolBinding.Global);
                vars.Add((btf.AddVar(g.Name, types.Get(g.Type!), BtfLinkage.Global), (uint)g.Offset, (uint)g.Initial.Length));
            }

            var size = list.Count == 0 ? 0 : list[^1].Offset + list[^1].Initial.Length;
            AddDataSec(name, (uint)size, vars);
        }

        if (mapVars.Count > 0)
        {
            AddDataSec(".maps", (uint)mapVars.Sum(v => (long)v.Size), mapVars);
        }

        AddDataSec("license", (uint)licenseBytes.Length, [(licenseVar, 0, (uint)licenseBytes.Length)]);

        foreach (var (name, bytes) in code)
        {
            elf.SetSectionData(codeSections[name].Index, bytes);
        }

        var extBytes = ext.ToArray(btf);
        elf.AddSection(".BTF", ElfSectionFlags.None, btf.ToArray(), 4);
        if (!ext.IsEmpty)
        {
            elf.AddSection(".BTF.ext", ElfSectionFlags.None, extBytes, 4);
        }

        if (unit.LogSites.Count > 0)
        {
            // Not loaded: the user side reads it to decode the bpfsharp_log ring's records.
            elf.AddSection(BpfLogCatalog.SectionName, ElfSectionFlags.None, new BpfLogCatalog(unit.LogSites).ToBytes(), 4);
        }

        return elf.ToArray();
    }

    /// <summary>
    /// The [StructOps] variables as clang writes <c>SEC(".struct_ops.link") struct T x = { .f = (void *)prog, … }</c>:
    /// the struct's bytes in the section, a global OBJECT symbol, a VAR of a named STRUCT (function pointer members are
    /// pointers to FUNC_PROTOs) in the section's DATASEC, and an R_BPF_64_ABS64 relocation against the program's
    /// symbol at each function pointer slot (the slot itself holds 0).
    /// </summary>
    private void EmitStructOps(BpfElfBuilder elf, IReadOnlyList<EmittedFunction> programs, Dictionary<CompiledFunction, int> functionSymbols, int charType)
    {
        var taken = new HashSet<string>(unit.Maps.Select(m => m.Name).Concat(unit.Globals.Where(g => !g.IsLiteral).Select(g => g.Name)));
        foreach (var group in unit.StructOps.GroupBy(v => v.Section))
        {
            var placed = new List<(StructOpsVariable V, int Offset, int[] Functions, int[] Data, int Size)>();
            var end = 0;
            foreach (var v in group)
            {
                if (!taken.Add(v.Name))
                {
                    throw new CompileErrorException(DiagnosticIds.DuplicateName,
                        $"struct_ops '{v.Name}' has the name of another map, global or struct_ops variable; give its class another name or a [BtfName]");
                }

                var (functions, data, size) = v.Layout();
                var offset = (end + 7) / 8 * 8;
                placed.Add((v, offset, functions, data, size));
                end = offset + size;
            }

            var bytes = new byte[end];
            foreach (var (v, offset, _, dataOffsets, _) in placed)
            {
                for (var i = 0; i < v.Data.Count; i++)
                {
                    v.Data[i].Bytes.CopyTo(bytes, offset + dataOffsets[i]);
                }
            }

            var section = elf.AddSection(group.Key, ElfSectionFlags.Alloc | ElfSectionFlags.Write, bytes, 8);
            var vars = new List<(int, uint, uint)>();
            foreach (var (v, offset, functionOffsets, dataOffsets, size) in placed)
            {
                var structId = btf.AddStruct(v.TypeName, (uint)size);
                for (var i = 0; i < v.Functions.Count; i++)
                {
                    var f = v.Functions[i];
                    btf.AddMember(structId, f.Member, types.Pointer(btf.AddFuncProto(types.Get(f.ReturnType))), (uint)(functionOffsets[i] * 8));
                    var program = programs.First(p => !p.IsSubprogram && p.Function.Name == f.Program).Function;
                    elf.AddRelocation(section, (ulong)(offset + functionOffsets[i]), functionSymbols[program], BpfRelocationType.Bpf64Abs64);
                }

                for (var i = 0; i < v.Data.Count; i++)
                {
                    var d = v.Data[i];
                    var type = d.Type is null ? types.Array(charType, (uint)d.Bytes.Length) : types.Get(d.Type);
                    btf.AddMember(structId, d.Member, type, (uint)(dataOffsets[i] * 8));
                }

                elf.AddSymbol(v.Name, section, (ulong)offset, (ulong)size, ElfSymbolType.Object, ElfSymbolBinding.Global);
                vars.Add((btf.AddVar(v.Name, structId, BtfLinkage.Global), (uint)offset, (uint)size));
            }

            AddDataSec(group.Key, (uint)end, vars);
        }
    }

    /// <summary>
    /// The externs as clang declares them, each an undefined NOTYPE symbol (weak for <c>__weak</c>) listed in a DATASEC
    /// of size 0 with no ELF section behind it: kfuncs (<c>extern … __ksym</c> functions) as extern FUNCs over
    /// FUNC_PROTOs with unnamed parameters, entries of size 0 in <c>.ksyms</c>; kernel variables ([Ksym]) as extern
    /// VARs of a CONST of their type (void when typeless), entries of the type's size (1 for void) in <c>.ksyms</c>;
    /// [Kconfig] values as extern VARs of their type, entries of their size in <c>.kconfig</c>. Returns the kfuncs'
    /// symbols by kfunc index and the variables' by global index.
    /// </summary>
    private (List<int> Kfuncs, Dictionary<int, int> Variables) EmitExterns(BpfElfBuilder elf)
    {
        var kfuncSymbols = new List<int>();
        var ksyms = new List<(int, uint, uint)>();
        foreach (var k in unit.Kfuncs)
        {
            kfuncSymbols.Add(elf.AddSymbol(k.Name, ElfSymbol.UndefinedSection, 0, 0, ElfSymbolType.NoType, k.Weak ? ElfSymbolBinding.Weak : ElfSymbolBinding.Global));
            var proto = btf.AddFuncProto(KfuncType(k.ReturnType));
            foreach (var p in k.ParameterTypes)
            {
                btf.AddParam(proto, null, KfuncType(p));
            }

            ksyms.Add((btf.AddFunc(k.Name, proto, BtfLinkage.Extern), 0, 0));
        }

        var variableSymbols = new Dictionary<int, int>();
        var kconfig = new List<(int, uint, uint)>();
        for (var i = 0; i < unit.Globals.Count; i++)
        {
            var g = unit.Globals[i];
            if (!g.IsExtern)
            {
                continue;
            }

            variableSymbols[i] = elf.AddSymbol(g.Name, ElfSymbol.UndefinedSection, 0, 0, ElfSymbolType.NoType, g.IsWeak ? ElfSymbolBinding.Weak : ElfSymbolBinding.Global);
            if (g.Section == CompilationUnit.KconfigSection)
            {
                kconfig.Add((btf.AddVar(g.Name, types.Get(g.Type!), BtfLinkage.Extern), 0, (uint)g.Initial.Length));
            }
            else
            {
                // The field is a pointer; the kernel variable is what it points to.
                var pointee = g.Type!.Element!;
                var typed = pointee.Kind == CTypeKind.Struct;
                var size = typed ? (uint)TypeLayout.SizeAndAlignment(unit.Types, pointee).Size : 1u;
                ksyms.Add((btf.AddVar(g.Name, btf.AddConst(typed ? types.Get(pointee) : 0), BtfLinkage.Extern), 0, size));
            }
        }

        if (kconfig.Count > 0)
        {
            AddDataSec(CompilationUnit.KconfigSection, 0, kconfig);
        }

        if (ksyms.Count > 0)
        {
            AddDataSec(CompilationUnit.KsymSection, 0, ksyms);
        }

        return (kfuncSymbols, variableSymbols);
    }

    /// <summary>A kfunc parameter or result: a map is the kernel's <c>void *</c>.</summary>
    private int KfuncType(CType type) => type.Kind == CTypeKind.Class ? types.Pointer(0) : types.Get(type);

    private void AddDataSec(string name, uint size, List<(int Var, uint Offset, uint Size)> vars)
    {
        var id = btf.AddDataSec(name, size);
        foreach (var (v, offset, s) in vars)
        {
            btf.AddDataSecVar(id, v, offset, s);
        }
    }

    /// <summary>The anonymous struct libbpf reads a BTF-defined map from (emitter.md §3.6); a map of maps ends with
    /// <c>values</c>, a flexible array of pointers to its inner template's struct (libbpf's <c>__array</c>), which
    /// takes no room in the struct.</summary>
    private (int Id, uint Size) MapStruct(MapDefinition map)
    {
        var members = new List<(string Name, int Type)>
        {
            ("type", types.Pointer(types.Array(types.IntType, (uint)map.MapType))),
        };
        if (map.MaxEntries != 0)
        {
            members.Add(("max_entries", types.Pointer(types.Array(types.IntType, map.MaxEntries))));
        }

        if (map.Key is not null)
        {
            members.Add(("key", types.Pointer(types.Get(map.Key))));
        }
        else if (map.KeySize != 0)
        {
            members.Add(("key_size", types.Pointer(types.Array(types.IntType, map.KeySize))));
        }

        if (map.Value is not null)
        {
            members.Add(("value", types.Pointer(types.Get(map.Value))));
        }
        else if (map.ValueSize != 0)
        {
            members.Add(("value_size", types.Pointer(types.Array(types.IntType, map.ValueSize))));
        }

        if (map.Flags != 0)
        {
            members.Add(("map_flags", types.Pointer(types.Array(types.IntType, map.Flags))));
        }

        if (map.Pinning != 0)
        {
            members.Add(("pinning", types.Pointer(types.Array(types.IntType, map.Pinning))));
        }

        if (map.MapExtra is > 0 and <= uint.MaxValue)
        {
            members.Add(("map_extra", types.Pointer(types.Array(types.IntType, (uint)map.MapExtra))));
        }
        else if (map.MapExtra != 0)
        {
            // Above 32 bits libbpf's __ulong form: an enum member whose one enumerator is the value.
            var extra = btf.AddEnum64(null, 8, signed: false);
            btf.AddEnumValue(extra, "map_extra_value", map.MapExtra);
            members.Add(("map_extra", extra));
        }

        var size = (uint)(members.Count * 8);
        if (map.Inner is not null)
        {
            members.Add(("values", types.Array(types.Pointer(MapStruct(map.Inner).Id), 0)));
        }

        var id = btf.AddStruct(null, size);
        for (var i = 0; i < members.Count; i++)
        {
            btf.AddMember(id, members[i].Name, members[i].Type, (uint)(i * 64));
        }

        return (id, size);
    }

    private static byte[] Encode(Instruction[] code)
    {
        var bytes = new byte[code.Length * 8];
        for (var i = 0; i < code.Length; i++)
        {
            var insn = code[i];
            bytes[i * 8] = insn.Opcode;
            bytes[(i * 8) + 1] = (byte)((insn.Source << 4) | insn.Destination);
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan((i * 8) + 2), insn.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((i * 8) + 4), insn.Immediate);
        }

        return bytes;
    }

    private static void PatchImmediate(byte[] code, int byteOffset, long value) =>
        BinaryPrimitives.WriteInt32LittleEndian(code.AsSpan(byteOffset + 4), (int)value);

    /// <summary>The text of a source line, for line_info (what verifier logs print); empty if unreadable.</summary>
    private string SourceLine(string file, int line)
    {
        if (!_sourceFiles.TryGetValue(file, out var lines))
        {
            try
            {
                lines = File.Exists(file) ? File.ReadAllLines(file) : null;
            }
            catch (IOException)
            {
                lines = null;
            }

            _sourceFiles[file] = lines;
        }

        return lines is not null && line >= 1 && line <= lines.Length ? lines[line - 1].Trim() : "";
    }
}
