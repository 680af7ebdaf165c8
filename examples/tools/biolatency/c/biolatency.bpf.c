// SPDX-License-Identifier: GPL-2.0
// biolatency's BPF half in C: the twin of ../Probes.cs, for the differential test and the size table.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "biolatency.h"
#include "bits.bpf.h"

#define MINOR_BITS 20

const volatile bool filter_dev = false;
const volatile __u32 target_dev = 0;
const volatile bool per_disk = false;
const volatile bool per_flag = false;
const volatile bool queued = false;
const volatile bool milliseconds = false;
const volatile bool filter_cgroup = false;

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct hist_key);
	__type(value, struct hist);
} histograms SEC(".maps");

static __always_inline __u32 device_of(struct request *rq)
{
	struct gendisk *disk = rq->q->disk;
	if (!disk)
		return 0;
	return ((__u32)disk->major << MINOR_BITS) | (__u32)disk->first_minor;
}

static __always_inline void request_started(struct request *rq, bool issue)
{
	if (filter_cgroup && !bpf_current_task_under_cgroup(&cgroup_filter, 0))
		return;
	if (issue && queued && rq->q->elevator)
		return;
	__u64 now = bpf_ktime_get_ns();
	if (filter_dev && device_of(rq) != target_dev)
		return;
	__u64 key = (__u64)rq;
	bpf_map_update_elem(&start, &key, &now, BPF_ANY);
}

SEC("tp_btf/block_rq_insert")
int handle_insert(__u64 *ctx)
{
	request_started((struct request *)ctx[0], false);
	return 0;
}

SEC("tp_btf/block_rq_issue")
int handle_issue(__u64 *ctx)
{
	request_started((struct request *)ctx[0], true);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int handle_complete(__u64 *ctx)
{
	struct request *rq = (struct request *)ctx[0];
	__u64 now = bpf_ktime_get_ns();
	if (filter_cgroup && !bpf_current_task_under_cgroup(&cgroup_filter, 0))
		return 0;
	__u64 key = (__u64)rq;
	__u64 *started = bpf_map_lookup_elem(&start, &key);
	if (!started)
		return 0;
	__s64 delta = (__s64)(now - *started);
	if (delta >= 0) {
		struct hist_key hkey = {};
		if (per_disk)
			hkey.dev = device_of(rq);
		if (per_flag)
			hkey.cmd_flags = rq->cmd_flags;
		struct hist *hist = bpf_map_lookup_elem(&histograms, &hkey);
		if (!hist) {
			struct hist zero = {};
			bpf_map_update_elem(&histograms, &hkey, &zero, BPF_ANY);
			hist = bpf_map_lookup_elem(&histograms, &hkey);
		}
		if (hist) {
			__u64 scaled = milliseconds ? (__u64)delta / 1000000 : (__u64)delta / 1000;
			__u32 slot = log2_u64(scaled);
			if (slot >= MAX_SLOTS)
				slot = MAX_SLOTS - 1;
			__sync_fetch_and_add(&hist->slots[slot], 1);
		}
	}
	bpf_map_delete_elem(&start, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
