using System.Text.Json;
using BpfSharp.Cli.Commands;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;
using BpfSharp.Linux.Maps;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary><c>prog list</c> and <c>map dump</c> compared with bpftool on the same kernel objects.</summary>
[Collection(RuntimeCollection.Name)]
public class CliInspectionTests
{
    [Fact]
    public void ProgListJsonMatchesBpftool()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        using var program = AttachTestKit.Load(BpfProgramType.Xdp, TestPrograms.Counter(counters, returnValue: 2), "bpfsharp_t_list");
        var ours = BpfProgramInfo.ListAll();
        Assert.Contains(ours, p => p.Id == program.Id);

        using var buffer = new MemoryStream();
        ProgListCommand.WriteJson(ours.Where(p => p.Id == program.Id), buffer, pretty: false);
        using var mine = JsonDocument.Parse(buffer.ToArray());
        using var theirs = JsonDocument.Parse(KernelObjects.Bpftool("-j", "prog", "show", "id", program.Id.ToString()));
        var a = mine.RootElement[0];
        var b = theirs.RootElement;
        foreach (var field in new[] { "id", "type", "name", "tag", "gpl_compatible", "uid", "bytes_xlated", "jited", "bytes_jited" })
            Assert.True(a.GetProperty(field).ToString() == b.GetProperty(field).ToString(), $"{field}: ours {a.GetProperty(field)}, bpftool {b.GetProperty(field)}");
        Assert.Equal(b.GetProperty("map_ids").EnumerateArray().Select(e => e.GetInt32()), a.GetProperty("map_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([counters.Id], a.GetProperty("map_ids").EnumerateArray().Select(e => e.GetInt32()));
        // Load times are whole seconds from two clock readings: allow one second of difference.
        Assert.InRange(a.GetProperty("loaded_at").GetInt64() - b.GetProperty("loaded_at").GetInt64(), -1, 1);

        var text = new StringWriter();
        ProgListCommand.WriteText(ours.Where(p => p.Id == program.Id), text);
        Assert.StartsWith($"{program.Id}: xdp  name bpfsharp_t_list  tag {a.GetProperty("tag").GetString()}  gpl\n", text.ToString());
    }

    public static TheoryData<string, int, int, int> MapShapes => new()
    {
        { "array", 4, 8, 5 },       // single line
        { "hash", 8, 20, 7 },       // names on their own lines, value wraps after 16 bytes
        { "hash", 12, 12, 3 },      // two lines
        { "percpu_array", 4, 12, 2 },
    };

    [Theory]
    [MemberData(nameof(MapShapes))]
    public void MapDumpMatchesBpftool(string kind, int keySize, int valueSize, int entries)
    {
        KernelObjects.RequireBpf();
        var type = kind switch { "array" => BpfMapType.Array, "hash" => BpfMapType.Hash, _ => BpfMapType.PerCpuArray };
        using var map = BpfMap.Create(type, keySize, valueSize, entries, name: "bpfsharp_t_dump");
        var random = new Random(keySize * 100 + valueSize);
        for (var i = 0; i < entries; i++)
        {
            var key = new byte[keySize];
            if (type == BpfMapType.Hash) random.NextBytes(key); else BitConverter.TryWriteBytes(key, i);
            var value = new byte[map.ValueBufferSize];
            random.NextBytes(value);
            map.Update(key, value);
        }
        var path = $"/sys/fs/bpf/bpfsharp_t_dump_{Guid.NewGuid():N}";
        map.Pin(path);
        try
        {
            var cli = Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll");
            var ours = AttachTestKit.Run("dotnet", cli, "map", "dump", path);
            var theirs = KernelObjects.Bpftool("map", "dump", "pinned", path);
            Assert.Equal(theirs, ours);

            var oursJson = AttachTestKit.Run("dotnet", cli, "map", "dump", "pinned", path, "--json");
            var theirsJson = KernelObjects.Bpftool("-j", "map", "dump", "pinned", path);
            Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(theirsJson)), JsonSerializer.Serialize(JsonDocument.Parse(oursJson)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
