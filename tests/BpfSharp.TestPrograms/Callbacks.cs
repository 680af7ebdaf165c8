using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms;

/// <summary>bpf_loop with a C# callback: the callback becomes a static BPF-to-BPF function in .text.</summary>
public static unsafe class Callbacks
{
    [Xdp]
    public static int LoopSum(void* ctx)
    {
        long sum = 0;
        var iterations = Bpf.Loop(10, &AddIndex, &sum, 0);
        long squares = 0;
        Bpf.Loop(4, &AddSquare, &squares, 0);
        return (int)(sum * 1000 + squares * 10 + iterations);
    }

    private static long AddIndex(uint index, void* ctx)
    {
        *(long*)ctx += index;
        return 0;
    }

    private static long AddSquare(uint index, void* ctx)
    {
        *(long*)ctx += index * index;
        return index == 2 ? 1 : 0; // stop after the third iteration
    }
}
