using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms;

public static unsafe class Smoke
{
    [Xdp]
    public static int ReturnsPass(void* ctx) => 2;

    [BpfProgram("xdp")]
    public static int Arithmetic(void* ctx)
    {
        int a = 7;
        int sum = 0;
        for (int i = 0; i < 10; i++)
        {
            sum += a * i;
            if (sum > 100)
            {
                sum -= 3;
            }
        }

        return sum; // 7*45 = 315 with the -3 adjustments
    }
}
