// biolatency's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output; the
// histogram is printed by ../../include/trace_hist.h (libbpf-tools' print_log2_hist formats), disks are named from
// /proc/partitions and request flags from the kernel's BTF.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "biolatency.h"
#include "biolatency.skel.h"
#include "trace_hist.h"

static volatile sig_atomic_t exiting;
static void on_signal(int sig) { exiting = 1; }

/* /proc/partitions: the kernel's internal dev_t (major << 20 | minor) and the name */
struct partition { __u32 dev; char name[64]; };
static struct partition partitions[1024];
static int nr_partitions;

static void load_partitions(void)
{
	FILE *f = fopen("/proc/partitions", "r");
	char line[256];
	if (!f) return;
	while (fgets(line, sizeof(line), f) && nr_partitions < 1024) {
		unsigned int major, minor;
		unsigned long long blocks;
		char name[64];
		if (sscanf(line, "%u %u %llu %63s", &major, &minor, &blocks, name) != 4) continue;
		partitions[nr_partitions].dev = (major << 20) | minor;
		strcpy(partitions[nr_partitions].name, name);
		nr_partitions++;
	}
	fclose(f);
}

static const char *partition_name(__u32 dev)
{
	for (int i = 0; i < nr_partitions; i++)
		if (partitions[i].dev == dev) return partitions[i].name;
	return NULL;
}

/* request flags: bcc's words, bit numbers from the kernel's enum req_flag_bits and enum req_op */
static const struct { const char *bit; const char *text; } flag_texts[] = {
	{ "__REQ_NOWAIT", "NoWait-" }, { "__REQ_BACKGROUND", "Background-" }, { "__REQ_RAHEAD", "ReadAhead-" },
	{ "__REQ_PREFLUSH", "PreFlush-" }, { "__REQ_FUA", "FUA-" }, { "__REQ_INTEGRITY", "Integrity-" },
	{ "__REQ_IDLE", "Idle-" }, { "__REQ_NOMERGE", "NoMerge-" }, { "__REQ_PRIO", "Priority-" },
	{ "__REQ_META", "Metadata-" }, { "__REQ_SYNC", "Sync-" },
};
static const struct { const char *op; const char *text; } op_texts[] = {
	{ "REQ_OP_READ", "Read" }, { "REQ_OP_WRITE", "Write" }, { "REQ_OP_FLUSH", "Flush" },
	{ "REQ_OP_DISCARD", "Discard" }, { "REQ_OP_SECURE_ERASE", "SecureErase" }, { "REQ_OP_ZONE_RESET", "ZoneReset" },
	{ "REQ_OP_WRITE_SAME", "WriteSame" }, { "REQ_OP_ZONE_RESET_ALL", "ZoneResetAll" },
	{ "REQ_OP_WRITE_ZEROES", "WriteZeroes" }, { "REQ_OP_ZONE_OPEN", "ZoneOpen" }, { "REQ_OP_ZONE_CLOSE", "ZoneClose" },
	{ "REQ_OP_ZONE_FINISH", "ZoneFinish" }, { "REQ_OP_SCSI_IN", "SCSIIn" }, { "REQ_OP_SCSI_OUT", "SCSIOut" },
	{ "REQ_OP_DRV_IN", "DrvIn" }, { "REQ_OP_DRV_OUT", "DrvOut" },
};
static long flag_bits[sizeof(flag_texts) / sizeof(flag_texts[0])];
static long op_values[sizeof(op_texts) / sizeof(op_texts[0])];
static __u32 op_mask = 0xff;

static long enumerator(const struct btf *btf, const char *type, const char *name)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);
	if (id <= 0) return -1;
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_enum *e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, e[i].name_off), name)) return e[i].val;
	return -1;
}

static void load_flag_names(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	if (!btf) return;
	long first = enumerator(btf, "req_flag_bits", "__REQ_FAILFAST_DEV");
	if (first > 0) op_mask = (1u << first) - 1;
	for (int i = 0; i < sizeof(flag_texts) / sizeof(flag_texts[0]); i++)
		flag_bits[i] = enumerator(btf, "req_flag_bits", flag_texts[i].bit);
	for (int i = 0; i < sizeof(op_texts) / sizeof(op_texts[0]); i++)
		op_values[i] = enumerator(btf, "req_op", op_texts[i].op);
	btf__free(btf);
}

static void print_cmd_flags(__u32 cmd_flags)
{
	printf("flags = ");
	for (int i = 0; i < sizeof(flag_texts) / sizeof(flag_texts[0]); i++)
		if (flag_bits[i] >= 0 && (cmd_flags & (1u << flag_bits[i]))) printf("%s", flag_texts[i].text);
	for (int i = 0; i < sizeof(op_texts) / sizeof(op_texts[0]); i++) {
		if (op_values[i] >= 0 && (__u32)op_values[i] == (cmd_flags & op_mask)) {
			printf("%s", op_texts[i].text);
			return;
		}
	}
	printf("Unknown");
}

int main(int argc, char **argv)
{
	int timestamp = 0, ms = 0, queued = 0, per_disk = 0, per_flag = 0, opt;
	const char *disk = NULL, *cgroup = NULL;
	long interval = 99999999, times = 99999999;
	while ((opt = getopt(argc, argv, "TmQDFd:c:")) != -1) {
		switch (opt) {
		case 'T': timestamp = 1; break;
		case 'm': ms = 1; break;
		case 'Q': queued = 1; break;
		case 'D': per_disk = 1; break;
		case 'F': per_flag = 1; break;
		case 'd': disk = optarg; break;
		case 'c': cgroup = optarg; break;
		default: return 2;
		}
	}
	if (optind < argc) interval = strtol(argv[optind++], NULL, 10);
	if (optind < argc) times = strtol(argv[optind++], NULL, 10);
	load_partitions();
	struct biolatency_bpf *obj = biolatency_bpf__open();
	if (!obj) return 1;
	if (disk) {
		int found = 0;
		for (int i = 0; i < nr_partitions; i++) {
			if (strcmp(partitions[i].name, disk)) continue;
			obj->rodata->filter_dev = true;
			obj->rodata->target_dev = partitions[i].dev;
			found = 1;
		}
		if (!found) {
			fprintf(stderr, "biolatency: invalid partition name: %s does not exist\n", disk);
			return 1;
		}
	}
	obj->rodata->per_disk = per_disk;
	obj->rodata->per_flag = per_flag;
	obj->rodata->milliseconds = ms;
	obj->rodata->queued = queued;
	obj->rodata->filter_cgroup = cgroup != NULL;
	if (!queued)
		bpf_program__set_autoload(obj->progs.handle_insert, false);
	if (biolatency_bpf__load(obj)) {
		fprintf(stderr, "biolatency: load failed\n");
		biolatency_bpf__destroy(obj);
		return 1;
	}
	if (cgroup) {
		__u32 idx = 0;
		int cgfd = open(cgroup, O_RDONLY);
		if (cgfd < 0 || bpf_map_update_elem(bpf_map__fd(obj->maps.cgroup_filter), &idx, &cgfd, BPF_ANY)) {
			fprintf(stderr, "biolatency: cannot filter by cgroup %s\n", cgroup);
			biolatency_bpf__destroy(obj);
			return 1;
		}
	}
	if (biolatency_bpf__attach(obj)) {
		fprintf(stderr, "biolatency: attach failed\n");
		biolatency_bpf__destroy(obj);
		return 1;
	}
	if (per_flag)
		load_flag_names();
	signal(SIGINT, on_signal);
	printf("Tracing block device I/O... Hit Ctrl-C to end.\n");
	fflush(stdout);
	int fd = bpf_map__fd(obj->maps.histograms);
	while (1) {
		sleep(interval);
		printf("\n");
		if (timestamp) {
			char ts[32];
			time_t t = time(NULL);
			strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
			printf("%-8s\n", ts);
		}
		struct hist_key key, next, *prev = NULL;
		while (bpf_map_get_next_key(fd, prev, &next) == 0) {
			struct hist hist;
			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(fd, &key, &hist)) continue;
			if (per_disk) {
				const char *name = partition_name(key.dev);
				printf("\ndisk = %s\t", name ? name : "Unknown");
			}
			if (per_flag) print_cmd_flags(key.cmd_flags);
			printf("\n");
			log2_hist(hist.slots, MAX_SLOTS, ms ? "msecs" : "usecs");
		}
		/* clear after printing, as bcc does */
		while (bpf_map_get_next_key(fd, NULL, &next) == 0) bpf_map_delete_elem(fd, &next);
		fflush(stdout);
		if (exiting || --times == 0) break;
	}
	biolatency_bpf__destroy(obj);
	return 0;
}
