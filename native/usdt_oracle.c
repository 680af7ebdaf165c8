// libbpf's USDT attach as the oracle for BpfSharp's: opens and loads a BPF object that includes usdt.bpf.h,
// auto-attaches every program (usdt/PATH:PROVIDER:NAME sections), runs a command while attached, then prints
// the non-zero values of the named maps as "MAP KEY HEX" lines (keys are u32), in key order.
//
// Usage: usdt_oracle OBJECT MAP[,MAP...] COMMAND [ARG...]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

static int run(char **argv)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int dump(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
	if (!map) {
		fprintf(stderr, "no map %s\n", name);
		return -1;
	}
	__u32 size = bpf_map__value_size(map);
	unsigned char *value = calloc(1, size);
	for (__u32 key = 0; key < bpf_map__max_entries(map); key++) {
		if (bpf_map__lookup_elem(map, &key, sizeof(key), value, size, 0))
			continue;
		int nonzero = 0;
		for (__u32 i = 0; i < size; i++)
			nonzero |= value[i];
		if (!nonzero)
			continue;
		printf("%s %u ", name, key);
		for (__u32 i = 0; i < size; i++)
			printf("%02x", value[i]);
		printf("\n");
	}
	free(value);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s OBJECT MAP[,MAP...] COMMAND [ARG...]\n", argv[0]);
		return 2;
	}
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || libbpf_get_error(obj)) {
		fprintf(stderr, "open failed\n");
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load failed\n");
		return 1;
	}
	struct bpf_link *links[64];
	int n = 0;
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link = bpf_program__attach(prog);
		if (!link || libbpf_get_error(link)) {
			fprintf(stderr, "attach %s failed\n", bpf_program__name(prog));
			return 1;
		}
		if (n < 64)
			links[n++] = link;
	}
	if (run(argv + 3) != 0) {
		fprintf(stderr, "command failed\n");
		return 1;
	}
	char *maps = strdup(argv[2]);
	for (char *m = strtok(maps, ","); m; m = strtok(NULL, ","))
		if (dump(obj, m))
			return 1;
	free(maps);
	while (n > 0)
		bpf_link__destroy(links[--n]);
	bpf_object__close(obj);
	return 0;
}
