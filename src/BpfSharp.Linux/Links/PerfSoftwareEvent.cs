namespace BpfSharp.Linux.Links;

/// <summary>Software perf events (<c>enum perf_sw_ids</c>, <c>PERF_COUNT_SW_*</c>).</summary>
public enum PerfSoftwareEvent
{
    /// <summary><c>PERF_COUNT_SW_CPU_CLOCK</c>: a per-CPU high-resolution timer.</summary>
    CpuClock = 0,
    /// <summary><c>PERF_COUNT_SW_TASK_CLOCK</c>.</summary>
    TaskClock = 1,
    /// <summary><c>PERF_COUNT_SW_PAGE_FAULTS</c>.</summary>
    PageFaults = 2,
    /// <summary><c>PERF_COUNT_SW_CONTEXT_SWITCHES</c>.</summary>
    ContextSwitches = 3,
    /// <summary><c>PERF_COUNT_SW_CPU_MIGRATIONS</c>.</summary>
    CpuMigrations = 4,
    /// <summary><c>PERF_COUNT_SW_BPF_OUTPUT</c>: the event perf buffers use.</summary>
    BpfOutput = 10,
}
