using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.CoRe;
using BpfSharp.Instructions;
using BpfSharp.Objects;
using BpfSharp.Objects.Writing;
using BpfSharp.Tests.CoRe;
using CsCheck;

namespace BpfSharp.Tests.Robustness;

/// <summary>
/// Property tests (CsCheck): writers and readers are inverse, in both byte orders, and CO-RE relocation against the
/// object's own BTF changes nothing. CsCheck shrinks a failure to a small case and prints its seed.
/// </summary>
public class PropertyTests
{
    private static readonly Gen<Instruction> AnyInstruction =
        Gen.Select(Gen.Byte, Gen.Byte[0, 15], Gen.Byte[0, 15], Gen.Short, Gen.Int,
            (op, dst, src, off, imm) => new Instruction(op, dst, src, off, imm));

    [Fact]
    public void InstructionsEncodeAndDecodeInBothByteOrders()
    {
        Gen.Select(AnyInstruction.Array[1, 64], Gen.Bool).Sample((insns, bigEndian) =>
        {
            var bytes = InstructionEncoder.Encode(insns, bigEndian);
            Assert.Equal(insns.Length * 8, bytes.Length);
            Assert.Equal(insns, InstructionDecoder.Decode(bytes, bigEndian, strict: false));
            for (int i = 0; i < insns.Length; i++)
                Assert.Equal(insns[i], InstructionDecoder.ReadSlot(bytes.AsSpan(i * 8, 8), bigEndian));
        });
    }

    [Fact]
    public void AnySlotBytesDecodeAndEncodeBack()
    {
        Gen.Select(Gen.Byte.Array[8], Gen.Bool).Sample((slot, bigEndian) =>
        {
            var insn = InstructionDecoder.ReadSlot(slot, bigEndian);
            var back = new byte[8];
            InstructionEncoder.WriteSlot(insn, back, bigEndian);
            Assert.Equal(slot, back);
        });
    }

    // A random type graph through the builder's API: each step adds one type that may refer to earlier ones.
    private static readonly Gen<string> Name = Gen.String[Gen.Char['a', 'z'], 1, 8];

    private static byte[] BuildBtf(int[] plan, string[] names, uint[] numbers, bool bigEndian)
    {
        var b = new BtfBuilder();
        int intId = b.AddInt("int", 4, BtfIntEncoding.Signed);
        var ids = new List<int> { intId };
        int Pick(int k) => ids[(int)(numbers[k % numbers.Length] % (uint)ids.Count)];
        for (int i = 0; i < plan.Length; i++)
        {
            string name = names[i % names.Length] + i;
            uint n = numbers[i % numbers.Length];
            switch (plan[i])
            {
                case 0: ids.Add(b.AddPointer(Pick(i))); break;
                case 1: ids.Add(b.AddTypedef(name, Pick(i + 1))); break;
                case 2: ids.Add(b.AddArray(Pick(i), intId, n % 100)); break;
                case 3:
                {
                    int s = (n & 1) == 0 ? b.AddStruct(name, 8 + n % 64) : b.AddUnion(name, 8 + n % 64);
                    for (int m = 0; m < 1 + n % 4; m++) b.AddMember(s, "m" + m, Pick(i + m), (uint)m * 32);
                    ids.Add(s);
                    break;
                }
                case 4:
                {
                    int e = (n & 1) == 0 ? b.AddEnum(name, 4, (n & 2) != 0) : b.AddEnum64(name, 8, (n & 2) != 0);
                    // ENUM values are 32-bit, ENUM64 values 64-bit.
                    for (int v = 0; v < n % 5; v++) b.AddEnumValue(e, name + "_v" + v, (n & 1) == 0 ? (int)n * v - 3 : (long)n * v - 3);
                    ids.Add(e);
                    break;
                }
                case 5:
                {
                    int proto = b.AddFuncProto(Pick(i));
                    for (int p = 0; p < n % 3; p++) b.AddParam(proto, "p" + p, Pick(i + p + 1));
                    ids.Add(b.AddFunc(name, proto, (n & 1) == 0 ? BtfLinkage.Static : BtfLinkage.Global));
                    break;
                }
                case 6: ids.Add(b.AddConst(Pick(i))); break;
                case 7: ids.Add(b.AddVolatile(Pick(i))); break;
                default: ids.Add(b.AddForward(name, (n & 1) != 0)); break;
            }
        }
        return b.ToArray(bigEndian);
    }

    [Fact]
    public void BtfBuilderParserBuilderIsTheIdentity()
    {
        Gen.Select(Gen.Int[0, 8].Array[0, 40], Name.Array[1, 8], Gen.UInt.Array[1, 16], Gen.Bool).Sample((plan, names, numbers, bigEndian) =>
        {
            var bytes = BuildBtf(plan, names, numbers, bigEndian);
            var spec = BtfSpec.Parse(bytes);
            Assert.Equal(plan.Length + 2 + plan.Count(p => p == 5), spec.TypeCount); // a FUNC adds its prototype
            Assert.Equal(bytes, BtfBuilder.From(spec).ToArray(bigEndian));
            // And across byte orders: the other order parses to the same types.
            var swapped = BtfSpec.Parse(BtfBuilder.From(spec).ToArray(!bigEndian));
            Assert.Equal(BtfBuilder.From(spec).ToArray(), BtfBuilder.From(swapped).ToArray());
        });
    }

    [Fact]
    public void ElfWriterReaderIsTheIdentity()
    {
        var section = Gen.Select(Name, Gen.Byte.Array[0, 64], Gen.Int[0, 4], Gen.Bool);
        Gen.Select(section.Array[1, 6], Gen.Bool, Gen.Int[1, 20]).Sample((sections, bigEndian, programLength) =>
        {
            var elf = new BpfElfBuilder(bigEndian);
            var written = new List<(string Name, byte[] Data, uint Align, bool NoBits)>();
            for (int i = 0; i < sections.Length; i++)
            {
                var (name, data, alignLog, noBits) = sections[i];
                string full = ".data." + name + i;
                uint align = 1u << alignLog;
                if (noBits) elf.AddNoBitsSection(".bss." + name + i, ElfSectionFlags.Alloc | ElfSectionFlags.Write, (ulong)data.Length, align);
                else elf.AddSection(full, ElfSectionFlags.Alloc | ElfSectionFlags.Write, data, align);
                written.Add((noBits ? ".bss." + name + i : full, data, align, noBits));
            }
            var program = Enumerable.Range(0, programLength).Select(k => Instruction.Move((byte)(k % 10), k)).Append(new Instruction(0x95, 0, 0, 0, 0)).ToArray();
            int text = elf.AddSection("xdp", ElfSectionFlags.Alloc | ElfSectionFlags.ExecInstr, InstructionEncoder.Encode(program, bigEndian), 8);
            elf.AddSymbol("entry", text, 0, (ulong)program.Length * 8, ElfSymbolType.Func, ElfSymbolBinding.Global);
            elf.AddSection("license", ElfSectionFlags.Alloc | ElfSectionFlags.Write, "GPL\0"u8.ToArray(), 1);

            var spec = ObjectSpec.Read(elf.ToArray());
            Assert.Equal(bigEndian, spec.IsBigEndian);
            foreach (var (name, data, align, noBits) in written)
            {
                var s = spec.Sections.Single(x => x.Name == name);
                Assert.Equal(noBits ? ElfSectionType.NoBits : ElfSectionType.ProgBits, s.Type);
                Assert.Equal((ulong)data.Length, s.Size);
                if (!noBits) Assert.Equal(data, s.Data.ToArray());
                Assert.Equal(align, s.Alignment);
            }
            var entry = Assert.Single(spec.Programs);
            Assert.Equal("entry", entry.Name);
            Assert.Equal(program, entry.Instructions.ToArray());
        });
    }

    // Not bitfields: for those libbpf (and so the engine) recomputes the byte size and shifts as the smallest load,
    // where clang wrote the storage unit's, so their values change even against the same BTF (the differential
    // tests against libbpf cover them).
    public static TheoryData<string> CoReObjects() =>
        ["arrays", "enum64val", "enumval", "existence", "ints", "misc", "mods", "nesting", "primitives", "ptr_as_arr", "size", "type_based", "type_id"];

    [Theory]
    [MemberData(nameof(CoReObjects))]
    public void RelocatingAgainstTheObjectsOwnBtfChangesNothing(string name)
    {
        foreach (var variant in new[] { name, name + ":eb" })
        {
            var spec = ObjectSpec.Load(CoReTestKit.Compile(variant));
            var result = CoReObjectRelocation.Relocate(spec, [new CoReTarget("vmlinux", spec.Btf!)]);
            Assert.True(result.Result.Succeeded, variant);
            Assert.NotEmpty(result.Result.Relocations);
            foreach (var r in result.Result.Relocations)
            {
                Assert.Equal(CoReOutcome.Patched, r.Outcome);
                Assert.False(r.Value.Poison, $"{variant}: {r.LocalSpec}");
                Assert.Equal(r.Value.OriginalValue, r.Value.NewValue);
            }
            foreach (var p in spec.Programs)
                Assert.Equal(p.Instructions.ToArray(), result.FindProgram(p.Name)!.Instructions);
        }
    }
}
