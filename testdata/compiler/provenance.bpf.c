// C twin of tests/BpfSharp.TestPrograms/CoRe/ProvenancePrograms.cs: pointers the verifier trusts are read
// directly, the rest with BPF_CORE_READ, as a libbpf user writes them. Its CO-RE records (and so the instruction
// form of each access) are the reference for the C# compiler's.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

typedef unsigned long long u64;
typedef unsigned int u32;

struct sched_entity { u64 vruntime; u64 sum_exec_runtime; } __attribute__((preserve_access_index));
struct task_struct {
    int pid;
    int tgid;
    struct task_struct *real_parent;
    struct sched_entity se;
    char comm[16];
    u64 start_time;
    unsigned int flags;
} __attribute__((preserve_access_index));

struct provenance_info { int Pid, ParentTgid, GrandparentTgid, CommChar; };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 5);
    __type(key, u32);
    __type(value, struct provenance_info);
} ProvenanceResults SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, u32);
    __type(value, u64);
} ProvenancePointers SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, u32);
    __type(value, u32);
} ProvenanceConfig SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

static __always_inline int for_this_thread(void)
{
    u32 zero = 0;
    u32 *tid = bpf_map_lookup_elem(&ProvenanceConfig, &zero);
    return tid && *tid == (u32)bpf_get_current_pid_tgid();
}

SEC("tp_btf/sys_enter")
int ProvenanceFromMap(void *ctx)
{
    u32 zero = 0;
    u64 *slot = bpf_map_lookup_elem(&ProvenancePointers, &zero);
    struct provenance_info *info = bpf_map_lookup_elem(&ProvenanceResults, &zero);
    if (!for_this_thread() || !slot || !info)
        return 0;
    *slot = (u64)bpf_get_current_task_btf();
    struct task_struct *task = (void *)*slot;
    info->Pid = BPF_CORE_READ(task, pid);
    info->ParentTgid = BPF_CORE_READ(task, real_parent, tgid);
    return 0;
}

SEC("tp_btf/sys_enter")
int ProvenanceFromProbeRead(void *ctx)
{
    u32 one = 1;
    struct provenance_info *info = bpf_map_lookup_elem(&ProvenanceResults, &one);
    if (!for_this_thread() || !info)
        return 0;
    struct task_struct *task = bpf_get_current_task_btf();
    struct task_struct *parent = BPF_CORE_READ(task, real_parent);
    info->ParentTgid = BPF_CORE_READ(parent, tgid);
    info->Pid = task->pid;
    return 0;
}

SEC("tp_btf/sys_enter")
int ProvenanceVariableIndex(void *ctx)
{
    u32 one = 1, two = 2;
    u32 *index = bpf_map_lookup_elem(&ProvenanceConfig, &one);
    struct provenance_info *info = bpf_map_lookup_elem(&ProvenanceResults, &two);
    if (!for_this_thread() || !index || !info)
        return 0;
    struct task_struct *task = bpf_get_current_task_btf();
    info->CommChar = BPF_CORE_READ(task, comm[*index & 15]);
    info->Pid = task->pid;
    return 0;
}

SEC("tp_btf/sys_enter")
int ProvenanceMerge(void *ctx)
{
    u32 one = 1, three = 3;
    u32 *choice = bpf_map_lookup_elem(&ProvenanceConfig, &one);
    u64 *slot = bpf_map_lookup_elem(&ProvenancePointers, &one);
    struct provenance_info *info = bpf_map_lookup_elem(&ProvenanceResults, &three);
    if (!for_this_thread() || !choice || !slot || !info)
        return 0;
    struct task_struct *btf = bpf_get_current_task_btf();
    *slot = (u64)btf;
    struct task_struct *task = (*choice & 1) ? (void *)*slot : btf;
    info->Pid = BPF_CORE_READ(task, pid);
    return 0;
}

SEC("tp_btf/sys_enter")
int ProvenanceWalk(void *ctx)
{
    u32 four = 4;
    struct provenance_info *info = bpf_map_lookup_elem(&ProvenanceResults, &four);
    if (!for_this_thread() || !info)
        return 0;
    struct task_struct *task = bpf_get_current_task_btf();
    info->Pid = task->pid;
    for (int i = 0; i < 2; i++)
        task = task->real_parent;
    info->GrandparentTgid = task->tgid;
    return 0;
}
