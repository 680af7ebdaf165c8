// libbpf's side of the attach-target parity test: loads TARGET.o, then EXT.o with every program's attach target
// set to TARGET_PROG's function FUNC (bpf_program__set_attach_target, as for freplace or fentry on a BPF
// program), and only ONLY_PROG autoloaded when given, then attaches each loaded program (bpf_program__attach). The test runs this under strace and compares
// the bpf() requests with our loader's. Exit 0 when all loaded and attached, 2 when the kernel refused a step.
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: %s TARGET.o TARGET_PROG EXT.o FUNC [ONLY_PROG]\n", argv[0]);
        return 64;
    }
    struct bpf_object *target = bpf_object__open_file(argv[1], NULL);
    if (!target || bpf_object__load(target)) {
        fprintf(stderr, "cannot load target %s\n", argv[1]);
        return 1;
    }
    struct bpf_program *target_prog = bpf_object__find_program_by_name(target, argv[2]);
    if (!target_prog) {
        fprintf(stderr, "no program %s in %s\n", argv[2], argv[1]);
        return 1;
    }
    struct bpf_object *ext = bpf_object__open_file(argv[3], NULL);
    if (!ext) {
        fprintf(stderr, "cannot open %s\n", argv[3]);
        return 1;
    }
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, ext) {
        if (bpf_program__set_attach_target(prog, bpf_program__fd(target_prog), argv[4])) {
            fprintf(stderr, "set_attach_target(%s) failed\n", bpf_program__name(prog));
            return 1;
        }
        if (argc == 6 && strcmp(bpf_program__name(prog), argv[5]) != 0)
            bpf_program__set_autoload(prog, false);
    }
    int err = bpf_object__load(ext);
    if (err) {
        printf("load: %s\n", strerror(-err));
        return 2;
    }
    int status = 0;
    bpf_object__for_each_program(prog, ext) {
        if (!bpf_program__autoload(prog))
            continue;
        struct bpf_link *link = bpf_program__attach(prog);
        printf("attach %s: %s\n", bpf_program__name(prog), link ? "ok" : strerror(errno));
        if (!link) status = 2;
        bpf_link__destroy(link);
    }
    bpf_object__close(ext);
    bpf_object__close(target);
    return status;
}
