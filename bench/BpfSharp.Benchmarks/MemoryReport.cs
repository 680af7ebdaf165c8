using BpfSharp.Btf;

namespace BpfSharp.Benchmarks;

/// <summary>
/// Managed memory of a parsed BTF: bytes allocated by the parse, bytes still reachable afterwards (the spec
/// keeps them), and the same after the name index is built, next to the file size.
/// </summary>
internal static class MemoryReport
{
    public static IEnumerable<(string Key, long Value)> Measure(string path)
    {
        var fileBytes = new FileInfo(path).Exists ? File.ReadAllBytes(path).LongLength : 0;
        // Warm up the code paths so JIT and type loading do not count.
        GC.KeepAlive(BtfSpec.Load(path));

        var heapBefore = SettledHeap();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var spec = BtfSpec.Load(path);
        var allocatedParse = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var retainedParse = SettledHeap() - heapBefore;

        spec.EnsureNameIndex();
        var retainedIndexed = SettledHeap() - heapBefore;
        GC.KeepAlive(spec);

        yield return ("file_bytes", fileBytes);
        yield return ("types", spec.OwnTypeCount);
        yield return ("parse_allocated_bytes", allocatedParse);
        yield return ("retained_bytes", retainedParse);
        yield return ("retained_with_name_index_bytes", retainedIndexed);
    }

    private static long SettledHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
