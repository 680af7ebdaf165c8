using BpfSharp.Instructions;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Objects;

public class ObjectWriterTests
{
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void UnchangedObjectRoundTripsByteForByte(string variant)
    {
        byte[] original = File.ReadAllBytes(TestObjects.Get(variant));
        var obj = ObjectSpec.Read(original);
        Assert.Equal(original, new ObjectWriter(obj).ToArray());
    }

    /// <summary>Re-encoding every program section (same instructions) reproduces the instructions and every section's bytes.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void ReencodedInstructionsAreIdentical(string variant)
    {
        var obj = ObjectSpec.Load(TestObjects.Get(variant));
        var writer = new ObjectWriter(obj);
        foreach (var s in obj.ProgramSections) writer.ReplaceInstructions(s.Index, obj.GetInstructions(s.Index).Span);
        var again = ObjectSpec.Read(writer.ToArray());
        Assert.Equal(obj.Sections.Count, again.Sections.Count);
        for (int i = 0; i < obj.Sections.Count; i++)
        {
            Assert.Equal(obj.Sections[i].Name, again.Sections[i].Name);
            Assert.Equal(obj.Sections[i].Data.ToArray(), again.Sections[i].Data.ToArray());
        }
    }

    /// <summary>A section that grows: the layout moves everything after it and readers still agree.</summary>
    [Fact]
    public void GrowingASectionRelaysOut()
    {
        var obj = ObjectSpec.Load(TestObjects.Get("progs"));
        var socket = obj.FindSection("socket")!;
        var insns = obj.GetInstructions(socket.Index).ToArray();
        // r0 = 0; exit  →  r0 = 0; r0 += 1; exit
        var grown = new[] { insns[0], new Instruction(0x07, 0, 0, 0, 1), insns[1] };
        var bytes = new ObjectWriter(obj).ReplaceInstructions(socket.Index, grown).ToArray();
        var again = ObjectSpec.Read(bytes);
        Assert.Equal(grown, again.GetInstructions(socket.Index).ToArray());
        Assert.Equal(obj.References.Count, again.References.Count);
        Assert.Equal(obj.BtfExt!.LineInfoCount, again.BtfExt!.LineInfoCount);
        string path = Path.Combine(TestPaths.NewScratchDirectory("writer"), "grown.o");
        File.WriteAllBytes(path, bytes);
        Assert.Contains("socket", TestObjects.Run("llvm-readelf-19", $"-W -S {TestObjects.Quote(path)}"), StringComparison.Ordinal);
    }

    /// <summary>
    /// A modified object (an immediate changed in every program section) is accepted by bpftool's static linker and
    /// loads into the kernel; the pinned program is removed afterwards.
    /// </summary>
    [Fact]
    public void ModifiedObjectLinksAndLoads()
    {
        var obj = ObjectSpec.Load(TestObjects.Get("progs"));
        var socket = obj.FindSection("socket")!;
        var insns = obj.GetInstructions(socket.Index).ToArray();
        Assert.Equal(0xb7, insns[0].Opcode); // r0 = 0
        insns[0] = insns[0].WithImmediate(1);
        string dir = TestPaths.NewScratchDirectory("writer");
        string output = Path.Combine(dir, "out.o");
        new ObjectWriter(obj).ReplaceInstructions(socket.Index, insns).Save(output);
        Assert.Equal(1, ObjectSpec.Load(output).GetInstructions(socket.Index).Span[0].Immediate);

        TestObjects.Run("bpftool", $"gen object {TestObjects.Quote(Path.Combine(dir, "linked.o"))} {TestObjects.Quote(output)}");
        Assert.Equal(insns, ObjectSpec.Load(Path.Combine(dir, "linked.o")).GetInstructions(ObjectSpec.Load(Path.Combine(dir, "linked.o")).FindSection("socket")!.Index).ToArray());

        string pin = "/sys/fs/bpf/bpfsharp_objwriter_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            string result = TestObjects.Run("bpftool", $"prog load {TestObjects.Quote(output)} {pin}", allowFailure: true);
            if (!File.Exists(pin))
            {
                string err = TestObjects.Run("bpftool", $"-d prog load {TestObjects.Quote(output)} {pin}", allowFailure: true);
                if (err.Contains("Operation not permitted", StringComparison.Ordinal)) Assert.Skip("the kernel refused BPF (EPERM)");
                Assert.Fail("bpftool prog load failed for the written object:\n" + result + err);
            }
            Assert.Contains("xdp", TestObjects.Run("bpftool", $"prog show pinned {pin}"), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(pin);
        }
    }
}
