// tcpconnect's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output.
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "tcpconnect.h"
#include "tcpconnect.skel.h"

static volatile sig_atomic_t exiting;
static int timestamp, print_uid;

static void on_signal(int sig) { exiting = 1; }

static int on_event(void *ctx, void *data, size_t size)
{
	const struct connect_event *e = data;
	static __u64 start_ts;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = e->af == 2 ? AF_INET : AF_INET6;
	if (timestamp) {
		if (!start_ts)
			start_ts = e->ts_us;
		printf("%-9.3f", (e->ts_us - start_ts) / 1000000.0);
	}
	if (print_uid)
		printf("%-6d", e->uid);
	printf("%-6d %-12.12s %-2d %-16s %-16s", e->pid, e->task, af == AF_INET ? 4 : 6,
	       inet_ntop(af, e->saddr, src, sizeof(src)), inet_ntop(af, e->daddr, dst, sizeof(dst)));
	printf(" %-5d\n", ntohs(e->dport));
	fflush(stdout);
	return 0;
}

static void print_counts(struct tcpconnect_bpf *obj)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	__u64 count;
	printf("\n%-25s %-25s %-20s %-10s\n", "LADDR", "RADDR", "RPORT", "CONNECTS");
	int fd = bpf_map__fd(obj->maps.ipv4_counts);
	struct ipv4_flow_key k4, *p4 = NULL;
	while (!bpf_map_get_next_key(fd, p4, &k4)) {
		p4 = &k4;
		if (bpf_map_lookup_elem(fd, &k4, &count))
			continue;
		printf("%-25s %-25s %-20d %-10llu\n", inet_ntop(AF_INET, &k4.saddr, s, sizeof(s)),
		       inet_ntop(AF_INET, &k4.daddr, d, sizeof(d)), ntohs(k4.dport), (unsigned long long)count);
	}
	fd = bpf_map__fd(obj->maps.ipv6_counts);
	struct ipv6_flow_key k6, *p6 = NULL;
	while (!bpf_map_get_next_key(fd, p6, &k6)) {
		p6 = &k6;
		if (bpf_map_lookup_elem(fd, &k6, &count))
			continue;
		printf("%-25s %-25s %-20d %-10llu\n", inet_ntop(AF_INET6, k6.saddr, s, sizeof(s)),
		       inet_ntop(AF_INET6, k6.daddr, d, sizeof(d)), ntohs(k6.dport), (unsigned long long)count);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int count = 0, nports = 0, opt;
	long pid = 0, uid = -1;
	__u16 family = 0, port_list[64];
	while ((opt = getopt(argc, argv, "tUc46p:u:P:")) != -1) {
		switch (opt) {
		case 't': timestamp = 1; break;
		case 'U': print_uid = 1; break;
		case 'c': count = 1; break;
		case '4': family = 2; break;
		case '6': family = 10; break;
		case 'p': pid = strtol(optarg, NULL, 10); break;
		case 'u': uid = strtol(optarg, NULL, 10); break;
		case 'P':
			for (char *p = strtok(optarg, ","); p && nports < 64; p = strtok(NULL, ","))
				port_list[nports++] = htons(atoi(p));
			break;
		default: return 2;
		}
	}
	struct tcpconnect_bpf *obj = tcpconnect_bpf__open();
	if (!obj)
		return 1;
	obj->rodata->target_pid = pid;
	obj->rodata->target_uid = (__u32)uid;
	obj->rodata->target_family = family;
	obj->rodata->filter_ports = nports > 0;
	obj->rodata->do_count = count;
	if (tcpconnect_bpf__load(obj))
		goto fail;
	for (int i = 0; i < nports; i++) {
		__u8 one = 1;
		bpf_map_update_elem(bpf_map__fd(obj->maps.ports), &port_list[i], &one, BPF_ANY);
	}
	if (tcpconnect_bpf__attach(obj))
		goto fail;
	signal(SIGINT, on_signal);
	if (count) {
		printf("Tracing connect ... Hit Ctrl-C to end\n");
		fflush(stdout);
		while (!exiting)
			pause();
		print_counts(obj);
		tcpconnect_bpf__destroy(obj);
		return 0;
	}
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(obj->maps.connect_events), on_event, NULL, NULL);
	if (timestamp)
		printf("%-9s", "TIME(s)");
	if (print_uid)
		printf("%-6s", "UID");
	printf("%-6s %-12s %-2s %-16s %-16s %-5s\n", "PID", "COMM", "IP", "SADDR", "DADDR", "DPORT");
	fflush(stdout);
	while (!exiting)
		ring_buffer__poll(rb, 100);
	ring_buffer__free(rb);
	tcpconnect_bpf__destroy(obj);
	return 0;
fail:
	fprintf(stderr, "tcpconnect: load/attach failed\n");
	tcpconnect_bpf__destroy(obj);
	return 1;
}
