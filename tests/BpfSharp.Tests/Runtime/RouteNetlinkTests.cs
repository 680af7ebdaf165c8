using System.Buffers.Binary;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Tests.Runtime;

/// <summary>The rtnetlink encoding (checked against the kernel by the attach tests) on its own: attribute layout and bounds.</summary>
public sealed class RouteNetlinkTests
{
    [Fact]
    public void RequestsAreLaidOutAsNlmsghdrHeaderAndAlignedAttributes()
    {
        var request = new NetlinkRequest(44, NetlinkRequest.FlagCreate, new byte[20]);
        request.AddString(1, "bpf");                     // 4 + 4 bytes: "bpf\0" needs no padding
        var nested = request.BeginNested(2);
        request.AddUInt32(6, 0x11223344);
        request.AddString(7, "ab");                      // 4 + 3, padded to 8
        request.EndNested(nested);
        var bytes = request.ToArray(sequence: 77);

        Assert.Equal(16 + 20 + 8 + 4 + 8 + 8, bytes.Length);
        Assert.Equal((uint)bytes.Length, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal((ushort)44, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal((ushort)(NetlinkRequest.FlagCreate | NetlinkRequest.FlagRequest | NetlinkRequest.FlagAck), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        Assert.Equal(77u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));

        var attributes = RouteNetlink.Attributes(bytes.AsSpan(36));
        Assert.Equal([(ushort)1, (ushort)2], attributes.Select(a => a.Type));
        Assert.Equal("bpf\0"u8.ToArray(), attributes[0].Value);
        // The nested attribute's length covers its members; NLA_F_NESTED is set on the wire and masked when read.
        Assert.Equal((ushort)0x8002, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(36 + 8 + 2)));
        var inner = RouteNetlink.Attributes(attributes[1].Value);
        Assert.Equal([(ushort)6, (ushort)7], inner.Select(a => a.Type));
        Assert.Equal(0x11223344u, BinaryPrimitives.ReadUInt32LittleEndian(inner[0].Value));
        Assert.Equal("ab\0"u8.ToArray(), inner[1].Value);
    }

    [Fact]
    public void DamagedAttributeListsStopAtTheDamage()
    {
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var data = new byte[random.Next(0, 64)];
            random.NextBytes(data);
            var total = 0;
            foreach (var (_, value) in RouteNetlink.Attributes(data)) total += 4 + value.Length;
            Assert.True(total <= data.Length, $"attributes of {total} bytes read from {data.Length}");
        }
        // A length below the header or past the end ends the list.
        Assert.Empty(RouteNetlink.Attributes([3, 0, 1, 0, 9, 9, 9, 9]));
        Assert.Empty(RouteNetlink.Attributes([12, 0, 1, 0, 9, 9, 9, 9]));
    }
}
