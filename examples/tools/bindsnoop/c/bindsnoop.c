// bindsnoop's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "bindsnoop.h"
#include "bindsnoop.skel.h"

static volatile sig_atomic_t exiting;
static int timestamp;

static void on_signal(int sig) { exiting = 1; }

static int on_event(void *ctx, void *data, size_t size)
{
	const struct bind_event *e = data;
	char ts[32], addr[48], opts[] = { 'F', 'T', 'N', 'R', 'r', '\0' };
	if (timestamp) {
		time_t t = time(NULL);
		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
		printf("%8s ", ts);
	}
	const char *proto = e->proto == IPPROTO_TCP ? "TCP" : e->proto == IPPROTO_UDP ? "UDP" : "UNK";
	for (int i = 0; opts[i]; i++)
		if (!((1 << i) & e->opts))
			opts[i] = '.';
	inet_ntop(e->ver == 4 ? AF_INET : AF_INET6, e->addr, addr, sizeof(addr));
	printf("%-7d %-16s %-3d %-5s %-5s %-4d %-5d %-48s\n", e->pid, e->task, e->ret, proto, opts, e->bound_dev_if, e->port, addr);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0, opt, nports = 0;
	long pid = 0;
	__u16 port_list[1024];
	while ((opt = getopt(argc, argv, "txvp:P:")) != -1) {
		switch (opt) {
		case 't': timestamp = 1; break;
		case 'x': failed = 1; break;
		case 'v': break;
		case 'p': pid = strtol(optarg, NULL, 10); break;
		case 'P':
			for (char *p = strtok(optarg, ","); p && nports < 1024; p = strtok(NULL, ","))
				port_list[nports++] = atoi(p);
			break;
		default: return 2;
		}
	}
	struct bindsnoop_bpf *obj = bindsnoop_bpf__open();
	if (!obj)
		return 1;
	obj->rodata->target_pid = pid;
	obj->rodata->ignore_errors = !failed;
	obj->rodata->filter_by_port = nports > 0;
	if (bindsnoop_bpf__load(obj))
		goto fail;
	for (int i = 0; i < nports; i++)
		bpf_map_update_elem(bpf_map__fd(obj->maps.ports), &port_list[i], &port_list[i], BPF_ANY);
	if (bindsnoop_bpf__attach(obj))
		goto fail;
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(obj->maps.bind_events), on_event, NULL, NULL);
	signal(SIGINT, on_signal);
	if (timestamp)
		printf("%-8s ", "TIME(s)");
	printf("%-7s %-16s %-3s %-5s %-5s %-4s %-5s %-48s\n", "PID", "COMM", "RET", "PROTO", "OPTS", "IF", "PORT", "ADDR");
	fflush(stdout);
	while (!exiting)
		ring_buffer__poll(rb, 100);
	ring_buffer__free(rb);
	bindsnoop_bpf__destroy(obj);
	return 0;
fail:
	fprintf(stderr, "bindsnoop: load/attach failed\n");
	bindsnoop_bpf__destroy(obj);
	return 1;
}
