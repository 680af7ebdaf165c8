// Iterator programs for the iterator tests (task, bpf_map, cgroup): each writes fixed-size binary records with
// bpf_seq_write so that the test can compare them with /proc, the kernel's map ids and cgroupfs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct bpf_iter_meta {
	void *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

struct bpf_map {
	__u32 id;
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
} __attribute__((preserve_access_index));

struct kernfs_node {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup {
	struct kernfs_node *kn;
} __attribute__((preserve_access_index));

struct bpf_iter__cgroup {
	struct bpf_iter_meta *meta;
	struct cgroup *cgroup;
} __attribute__((preserve_access_index));

/* One record per thread: {tgid, pid}. */
SEC("iter/task")
int dump_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u32 record[2];

	if (!task)
		return 0;
	record[0] = task->tgid;
	record[1] = task->pid;
	bpf_seq_write(ctx->meta->seq, record, sizeof(record));
	return 0;
}

/* One record per map: its id. */
SEC("iter/bpf_map")
int dump_map_ids(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 id;

	if (!map)
		return 0;
	id = map->id;
	bpf_seq_write(ctx->meta->seq, &id, sizeof(id));
	return 0;
}

/* One record per cgroup walked: its id (the cgroupfs inode number). */
SEC("iter/cgroup")
int dump_cgroups(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cgroup = ctx->cgroup;
	__u64 id;

	if (!cgroup)
		return 0;
	id = BPF_CORE_READ(cgroup, kn, id);
	bpf_seq_write(ctx->meta->seq, &id, sizeof(id));
	return 0;
}
