using System.Text.Json;
using BpfSharp.Cli.Commands;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;
using BpfSharp.Linux.Maps;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary><c>map dump</c> of maps without BTF compared with bpftool (the other verbs: <see cref="BpftoolParityTests"/>).</summary>
[Collection(RuntimeCollection.Name)]
public class CliInspectionTests
{
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
            var ours = AttachTestKit.Run("dotnet", cli, "map", "dump", "pinned", path);
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
