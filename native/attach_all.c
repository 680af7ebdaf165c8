// libbpf's side of the section-attach parity test: opens OBJ, sets its one rodata variable (a thread id) to TID when
// given, loads it and attaches every program the way its section says (bpf_program__attach), then detaches. The
// test runs this under strace and compares the attach requests with our SectionAttach's.
// Exit 0 when every program attached, 2 when the kernel refused a step.
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s OBJ [TID]\n", argv[0]);
        return 64;
    }
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 1;
    }
    if (argc == 3) {
        struct bpf_map *map;
        bpf_object__for_each_map(map, obj) {
            // The test objects' read-only section holds exactly the one __u32 variable.
            unsigned int tid = (unsigned int)strtoul(argv[2], NULL, 10);
            if (strstr(bpf_map__name(map), ".rodata") && bpf_map__set_initial_value(map, &tid, sizeof(tid))) {
                fprintf(stderr, "cannot set %s\n", bpf_map__name(map));
                return 1;
            }
        }
    }
    int err = bpf_object__load(obj);
    if (err) {
        printf("load: %s\n", strerror(-err));
        return 2;
    }
    int status = 0;
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        struct bpf_link *link = bpf_program__attach(prog);
        printf("attach %s: %s\n", bpf_program__name(prog), link ? "ok" : strerror(errno));
        if (!link) status = 2;
        bpf_link__destroy(link);
    }
    bpf_object__close(obj);
    return status;
}
