using System.Runtime.InteropServices;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Maps;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>The typed map API against the kernel, with bpftool as the independent reader.</summary>
[Collection(RuntimeCollection.Name)]
public class TypedMapTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Pair
    {
        public uint A;
        public ushort B;
        public ushort C;
    }

    [Fact]
    public void HashMapCrudKeysAndBatchAgreeWithBpftool()
    {
        KernelObjects.RequireBpf();
        using var map = BpfMap<ulong, Pair>.Create(BpfMapType.Hash, 64, name: "bpfsharp_t_hash");
        for (ulong k = 1; k <= 20; k++) map.Update(k * 1000, new Pair { A = (uint)k, B = (ushort)(k * 2), C = 7 });
        Assert.True(map.TryLookup(5000, out var five));
        Assert.Equal(5u, five.A);
        Assert.Equal((ushort)10, five.B);
        Assert.False(map.TryLookup(42, out _));
        Assert.Throws<KeyNotFoundException>(() => map[42]);
        Assert.Throws<BpfSyscallException>(() => map.Update(1000, default, BpfMapUpdateFlags.NoExist));
        Assert.True(map.Delete(20_000));
        Assert.False(map.Delete(20_000));

        var keys = map.Keys.ToHashSet();
        Assert.Equal(19, keys.Count);
        Assert.Equal(Enumerable.Range(1, 19).Select(k => (ulong)k * 1000).ToHashSet(), keys);

        // bpftool dumps the same keys through its own syscalls.
        using var dump = JsonDocument.Parse(KernelObjects.Bpftool("-j", "map", "dump", "id", map.Map.Id.ToString()));
        var bpftoolKeys = dump.RootElement.EnumerateArray()
            .Select(e => BitConverter.ToUInt64(e.GetProperty("key").EnumerateArray().Select(b => Convert.ToByte(b.GetString(), 16)).ToArray()))
            .ToHashSet();
        Assert.Equal(keys, bpftoolKeys);

        // Batch lookup in small batches sees every entry exactly once.
        var batched = map.LookupAllBatched(batchSize: 4);
        Assert.Equal(19, batched.Count);
        Assert.Equal(keys, batched.Select(e => e.Key).ToHashSet());
        Assert.All(batched, e => Assert.Equal((uint)(e.Key / 1000), e.Value.A));
        Assert.Equal(map.Entries.OrderBy(e => e.Key).Select(e => e.Value.A), batched.OrderBy(e => e.Key).Select(e => e.Value.A));
    }

    [Fact]
    public void PerCpuValuesArePaddedToEightBytes()
    {
        KernelObjects.RequireBpf();
        using var map = BpfMap<uint, uint>.Create(BpfMapType.PerCpuArray, 4, name: "bpfsharp_t_pcpu");
        var cpus = BpfMap<uint, uint>.PossibleCpuCount;
        Assert.Equal(cpus * 8, map.Map.ValueBufferSize);
        var values = Enumerable.Range(0, cpus).Select(c => (uint)(0xA0 + c)).ToArray();
        map.UpdatePerCpu(2, values);
        Assert.Equal(values, map.LookupPerCpu(2));
        Assert.Throws<InvalidOperationException>(() => map.TryLookup(2, out _));

        // bpftool shows one value per CPU.
        using var doc = JsonDocument.Parse(KernelObjects.Bpftool("-j", "map", "lookup", "id", map.Map.Id.ToString(), "key", "2", "0", "0", "0"));
        var perCpu = doc.RootElement.GetProperty("values").EnumerateArray().ToArray();
        Assert.Equal(cpus, perCpu.Length);
        for (var c = 0; c < cpus; c++)
        {
            var bytes = perCpu[c].GetProperty("value").EnumerateArray().Select(b => Convert.ToByte(b.GetString(), 16)).ToArray();
            Assert.Equal(values[c], BitConverter.ToUInt32(bytes));
        }
    }

    [Fact]
    public void QueueAndStackPushPop()
    {
        KernelObjects.RequireBpf();
        using var queue = BpfQueue<ulong>.Create(3, name: "bpfsharp_t_q");
        using var stack = BpfQueue<ulong>.Create(3, stack: true, name: "bpfsharp_t_s");
        foreach (var v in new ulong[] { 1, 2, 3 })
        {
            queue.Push(v);
            stack.Push(v);
        }
        Assert.Throws<BpfSyscallException>(() => queue.Push(4));
        queue.Push(4, overwriteOldest: true);
        Assert.True(queue.TryPeek(out var head));
        Assert.Equal(2ul, head);
        var fromQueue = new List<ulong>();
        while (queue.TryPop(out var v)) fromQueue.Add(v);
        Assert.Equal([2ul, 3ul, 4ul], fromQueue);
        var fromStack = new List<ulong>();
        while (stack.TryPop(out var v)) fromStack.Add(v);
        Assert.Equal([3ul, 2ul, 1ul], fromStack);
    }

    [Fact]
    public void MapOfMapsHoldsInnerMaps()
    {
        KernelObjects.RequireBpf();
        using var template = BpfMap.Create(BpfMapType.Array, 4, 8, 4, name: "bpfsharp_t_in0");
        using var outer = BpfMap.CreateMapOfMaps(BpfMapType.ArrayOfMaps, 4, 2, template, "bpfsharp_t_out");
        using var inner = BpfMap.Create(BpfMapType.Array, 4, 8, 4, name: "bpfsharp_t_in1");
        var key = BitConverter.GetBytes(1u);
        outer.SetInnerMap(key, inner);
        Assert.Equal(inner.Id, outer.GetInnerMapId(key));
        Assert.Null(outer.GetInnerMapId(BitConverter.GetBytes(0u)));
        // A differently shaped inner map is refused.
        using var wrong = BpfMap.Create(BpfMapType.Array, 4, 16, 4, name: "bpfsharp_t_in2");
        Assert.Throws<BpfSyscallException>(() => outer.SetInnerMap(key, wrong));
        using var info = JsonDocument.Parse(KernelObjects.Bpftool("-j", "map", "show", "id", outer.Id.ToString()));
        Assert.Equal("array_of_maps", info.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public void PinnedMapReopensWithItsShape()
    {
        KernelObjects.RequireBpf();
        var path = $"/sys/fs/bpf/bpfsharp_t_map_{Guid.NewGuid():N}";
        using var map = BpfMap<uint, ulong>.Create(BpfMapType.Hash, 8, name: "bpfsharp_t_pin");
        map.Update(3, 99);
        map.Map.Pin(path);
        try
        {
            using var reopened = BpfMap.OpenPinned(path);
            Assert.Equal(map.Map.Id, reopened.Id);
            Assert.Equal(BpfMapType.Hash, reopened.Type);
            Assert.Equal("bpfsharp_t_pin", reopened.Name);
            Assert.Equal((4, 8, 8), (reopened.KeySize, reopened.ValueSize, reopened.MaxEntries));
            Assert.Equal(99ul, new BpfMap<uint, ulong>(reopened)[3]);
            using var byId = BpfMap.OpenById(map.Map.Id);
            Assert.Equal(map.Map.Id, byId.Id);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<ArgumentException>(() => new BpfMap<ulong, ulong>(map.Map));
    }
}
