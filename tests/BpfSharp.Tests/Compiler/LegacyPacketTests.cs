using System.Buffers.Binary;
using BpfSharp.Instructions;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Compiler;

/// <summary><c>LegacyPacket.Load*</c> become LD_ABS (constant offset) and LD_IND (variable offset), and read the
/// packet in network order as the kernel defines it.</summary>
public sealed class LegacyPacketTests
{
    private static byte[] UdpPacket(byte ihl)
    {
        var p = new byte[14 + (ihl * 4) + 8 + 4];
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(12), 0x0800);
        p[14] = (byte)(0x40 | ihl);
        p[22] = 61; // ttl
        p[23] = 17; // udp
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(26), 0xc0a80a07);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(14 + (ihl * 4) + 2), 5353);
        return p;
    }

    [Fact]
    public void UsesLdAbsForConstantAndLdIndForVariableOffsets()
    {
        var spec = ObjectSpec.Load(CompiledTestPrograms.ObjectPath);
        var code = spec.Programs.Single(p => p.Name == "LegacyLoads").Instructions.ToArray();
        var modes = code.Where(i => i.Class == InstructionClass.Ld && i.Opcode != 0x18).Select(i => i.Opcode).ToHashSet();
        Assert.Contains((byte)0x28, modes); // ldabsh
        Assert.Contains((byte)0x30, modes); // ldabsb
        Assert.Contains((byte)0x20, modes); // ldabsw
        Assert.Contains((byte)0x48, modes); // ldindh
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public void ReadsThePacketInNetworkOrder(byte ihl)
    {
        KernelObjects.RequireBpf();
        var packet = UdpPacket(ihl);
        ulong expected = (0x0800UL ^ (61UL << 8) ^ 0xc0a80a07UL ^ (5353UL << 12)) & 0x7fffffff;
        using var collection = BpfCollection.Load(ObjectSpec.Load(CompiledTestPrograms.ObjectPath));
        var run = collection.Programs["LegacyLoads"].TestRun(packet);
        Assert.Equal((uint)expected, run.ReturnValue);
    }
}
