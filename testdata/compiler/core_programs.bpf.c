// C twin of tests/BpfSharp.TestPrograms/CoRe/CoRePrograms.cs: same partial types (same member order), same
// accesses, written the way libbpf users write them. Its CO-RE records are the reference for the C# compiler's.
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
struct task_struct___old { long state; } __attribute__((preserve_access_index));
struct task_struct___new { unsigned int __state; } __attribute__((preserve_access_index));
enum pid_type { PIDTYPE_PID = 10, PIDTYPE_TGID = 11, PIDTYPE_PGID = 12, PIDTYPE_SID = 13, PIDTYPE_MAX = 14 };
struct bpfsharp_no_such_type { int x; };

struct task_info {
    int Pid, Tgid, ParentTgid, OldStateExists, NewStateExists, NoSuchTypeExists;
    u64 StartTime, Vruntime;
    long long PidTypeTgid;
    u32 TaskSize, PidOffset;
    unsigned char Comm[16];
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 3);
    __type(key, u32);
    __type(value, struct task_info);
} Results SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/sys_enter")
int ReadTask(void *ctx)
{
    struct task_struct *task = (void *)bpf_get_current_task();
    u32 zero = 0;
    struct task_info *info = bpf_map_lookup_elem(&Results, &zero);
    if (!info)
        return 0;
    info->Pid = BPF_CORE_READ(task, pid);
    info->Tgid = BPF_CORE_READ(task, tgid);
    info->ParentTgid = BPF_CORE_READ(task, real_parent, tgid);
    info->StartTime = BPF_CORE_READ(task, start_time);
    info->Vruntime = BPF_CORE_READ(task, se.vruntime);
    bpf_core_read_str(info->Comm, 16, &task->comm[0]);
    info->OldStateExists = bpf_core_field_exists(((struct task_struct___old *)task)->state) ? 1 : 0;
    info->NewStateExists = bpf_core_field_exists(((struct task_struct___new *)task)->__state) ? 1 : 0;
    info->NoSuchTypeExists = bpf_core_type_exists(struct bpfsharp_no_such_type) ? 1 : 0;
    info->PidTypeTgid = bpf_core_enum_value(enum pid_type, PIDTYPE_TGID);
    info->TaskSize = bpf_core_type_size(struct task_struct);
    info->PidOffset = bpf_core_field_offset(task->pid);
    return 0;
}

SEC("tp_btf/sys_enter")
int ReadTaskDirect(void *ctx)
{
    struct task_struct *task = bpf_get_current_task_btf();
    u32 one = 1;
    struct task_info *info = bpf_map_lookup_elem(&Results, &one);
    if (!info)
        return 0;
    info->Pid = task->pid;
    info->Tgid = task->tgid;
    info->ParentTgid = task->real_parent->tgid;
    info->Vruntime = task->se.vruntime;
    info->StartTime = task->start_time;
    return 0;
}

SEC("raw_tp/sys_enter")
int ReadParent(void *ctx)
{
    struct task_struct *task = (void *)bpf_get_current_task();
    u32 two = 2;
    struct task_info *info = bpf_map_lookup_elem(&Results, &two);
    if (!info)
        return 0;
    struct task_struct *parent = BPF_CORE_READ(task, real_parent);
    info->ParentTgid = BPF_CORE_READ(parent, tgid);
    info->Pid = BPF_CORE_READ(task, pid);
    return 0;
}

struct rb_node {
    unsigned long __rb_parent_color;
    struct rb_node *rb_right;
    struct rb_node *rb_left;
} __attribute__((preserve_access_index));

struct sk_buff {
    union {
        struct {
            struct sk_buff *next;
            struct sk_buff *prev;
        };
        struct rb_node rbnode;
    };
    void *sk;
    union {
        long long tstamp;
        unsigned long long skb_mstamp_ns;
    };
    unsigned char cb[48];
    unsigned int len;
    unsigned char cloned : 1;
} __attribute__((preserve_access_index));

struct skb_info {
    u64 Prev, Mstamp;
    u32 Cb5, CbI, NextLen, LenSize, LenSigned, LenLShift, LenRShift;
    u64 Cloned, RbLeft;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, u32);
    __type(value, struct skb_info);
} SkbResults SEC(".maps");

SEC("raw_tp/sys_enter")
int ReadSkb(void *ctx)
{
    struct sk_buff *skb = (void *)bpf_get_current_task();
    u32 zero = 0;
    struct skb_info *info = bpf_map_lookup_elem(&SkbResults, &zero);
    if (!info)
        return 0;
    info->Prev = (u64)BPF_CORE_READ(skb, prev);
    info->Mstamp = BPF_CORE_READ(skb, skb_mstamp_ns);
    info->Cb5 = BPF_CORE_READ(skb, cb[5]);
    int i = info->Cb5 & 7;
    unsigned char c = 0;
    bpf_core_read(&c, 1, &skb->cb[i]);
    info->CbI = c;
    info->NextLen = BPF_CORE_READ(&skb[1], len);
    info->LenSize = bpf_core_field_size(skb->len);
    info->LenSigned = __builtin_preserve_field_info(skb->len, BPF_FIELD_SIGNED) ? 1 : 0;
    info->LenLShift = __builtin_preserve_field_info(skb->len, BPF_FIELD_LSHIFT_U64);
    info->LenRShift = __builtin_preserve_field_info(skb->len, BPF_FIELD_RSHIFT_U64);
    info->Cloned = BPF_CORE_READ_BITFIELD_PROBED(skb, cloned);
    info->RbLeft = (u64)BPF_CORE_READ(skb, rbnode.rb_left);
    return 0;
}
