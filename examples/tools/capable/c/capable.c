// capable's user half in C (libbpf skeleton): the twin of ../Program.cs, same options, attach choice and output.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "capable.h"
#include "capable.skel.h"

#define KPROBE_PMU "/sys/bus/event_source/devices/kprobe"

static const char *cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
	"CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
	"CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
	"CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

static volatile sig_atomic_t exiting;
static int extra;

static void on_signal(int sig) { exiting = 1; }

static int on_event(void *ctx, void *data, size_t size)
{
	const struct cap_event *e = data;
	char ts[32], audit[16], insetid[16];
	time_t t = time(NULL);
	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
	const char *name = e->cap < sizeof(cap_names) / sizeof(cap_names[0]) ? cap_names[e->cap] : "CAP_UNKNOWN";
	snprintf(audit, sizeof(audit), e->audit < 0 ? "-" : "%d", e->audit);
	snprintf(insetid, sizeof(insetid), e->insetid < 0 ? "-" : "%d", e->insetid);
	const char *verdict = e->ret == 0 ? "allow" : "deny";
	if (extra)
		printf("%-8s %-5d %-7d %-7d %-16s %-7d %-20s %-7s %-7s %-7s\n", ts, e->uid, e->pid, e->tid, e->task, e->cap, name, audit, verdict, insetid);
	else
		printf("%-8s %-5d %-7d %-16s %-7d %-20s %-7s %-7s\n", ts, e->uid, e->pid, e->task, e->cap, name, audit, verdict);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int opt, force_kprobe = 0, force_tracepoint = 0;
	long pid = 0;
	__u32 unique = UNQ_OFF;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kprobe")) { force_kprobe = 1; argv[i] = "-K"; }
		else if (!strcmp(argv[i], "--tracepoint")) { force_tracepoint = 1; argv[i] = "-T"; }
	}
	while ((opt = getopt(argc, argv, "vxKTp:u:")) != -1) {
		switch (opt) {
		case 'v': case 'K': case 'T': break;
		case 'x': extra = 1; break;
		case 'p': pid = strtol(optarg, NULL, 10); break;
		case 'u':
			if (!strcmp(optarg, "pid")) unique = UNQ_PID;
			else if (!strcmp(optarg, "cgroup")) unique = UNQ_CGROUP;
			else return 2;
			break;
		default: return 2;
		}
	}
	int kprobes = access(KPROBE_PMU, F_OK) == 0;
	int tracepoint = libbpf_find_vmlinux_btf_id("cap_capable", BPF_TRACE_RAW_TP) > 0;
	int use_kprobes;
	if (force_kprobe)
		use_kprobes = 1;
	else if (force_tracepoint) {
		if (!tracepoint) {
			fprintf(stderr, "capable: this kernel has no capability/cap_capable tracepoint\n");
			return 1;
		}
		use_kprobes = 0;
	} else if (kprobes)
		use_kprobes = 1;
	else if (tracepoint) {
		use_kprobes = 0;
		fprintf(stderr, "capable: no kprobes on this kernel (no kprobe PMU); tracing the capability/cap_capable tracepoint instead: AUDIT and INSETID are not known (-)\n");
	} else {
		fprintf(stderr, "capable: cap_capable can't be traced: no kprobe PMU (CONFIG_KPROBE_EVENTS) and no capability/cap_capable tracepoint\n");
		return 1;
	}

	struct capable_bpf *obj = capable_bpf__open();
	if (!obj)
		return 1;
	bpf_program__set_autoload(obj->progs.kprobe_cap_capable, use_kprobes);
	bpf_program__set_autoload(obj->progs.kretprobe_cap_capable, use_kprobes);
	bpf_program__set_autoload(obj->progs.tracepoint_cap_capable, !use_kprobes);
	obj->rodata->my_pid = getpid();
	obj->rodata->target_pid = pid;
	obj->rodata->unique_type = unique;
	if (capable_bpf__load(obj)) {
		fprintf(stderr, "capable: load failed\n");
		capable_bpf__destroy(obj);
		return 1;
	}
	if (use_kprobes && !kprobes) {
		fprintf(stderr, "capable: kprobes are not available on this kernel (%s is missing: CONFIG_KPROBE_EVENTS); try --tracepoint\n", KPROBE_PMU);
		capable_bpf__destroy(obj);
		return 1;
	}
	if (capable_bpf__attach(obj)) {
		fprintf(stderr, "capable: attach failed\n");
		capable_bpf__destroy(obj);
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(obj->maps.cap_events), on_event, NULL, NULL);
	signal(SIGINT, on_signal);
	if (extra)
		printf("%-8s %-5s %-7s %-7s %-16s %-7s %-20s %-7s %-7s %-7s\n", "TIME", "UID", "PID", "TID", "COMM", "CAP", "NAME", "AUDIT", "VERDICT", "INSETID");
	else
		printf("%-8s %-5s %-7s %-16s %-7s %-20s %-7s %-7s\n", "TIME", "UID", "PID", "COMM", "CAP", "NAME", "AUDIT", "VERDICT");
	fflush(stdout);
	while (!exiting)
		ring_buffer__poll(rb, 100);
	ring_buffer__free(rb);
	capable_bpf__destroy(obj);
	return 0;
}
