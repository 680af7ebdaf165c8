// Prints one line per pinned BPF program: "name xlated_bytes jited_bytes verified_insns" from bpf_prog_info
// (bpftool 7.1 does not show verified_insns). Used by scripts/tools-table.sh.
// usage: prog_info PINNED_PROGRAM...
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int fd = bpf_obj_get(argv[i]);
		if (fd < 0) {
			perror(argv[i]);
			return 1;
		}
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			perror(argv[i]);
			close(fd);
			return 1;
		}
		printf("%s %u %u %u\n", info.name, info.xlated_prog_len, info.jited_prog_len, info.verified_insns);
		close(fd);
	}
	return 0;
}
