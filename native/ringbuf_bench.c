// Ring buffer consumption rate with libbpf's ring_buffer__poll, the native side of
// bench/BpfSharp.Benchmarks/RingBufferBenchmarks.cs. Usage: ringbuf_bench OBJECT [RECORDS]
// A thread runs the producer program RECORDS times through BPF_PROG_TEST_RUN while the main thread polls.
// Prints: records sent, received, lost (reserve failed), seconds, received records per second.
// Then the consumer alone ("drain"): with no consumer running, the producer fills the ring with DRAIN_RECORDS
// records, then one ring_buffer__consume hands them all to the callback; the median of DRAIN_ROUNDS rounds is
// printed as: drain records N seconds S rate R.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile int producing = 1;
static unsigned long long received;

struct run_args {
    int prog_fd;
    unsigned int repeat;
    int err;
};

static void *run_producer(void *arg)
{
    struct run_args *a = arg;
    char frame[64] = {0};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame), .repeat = a->repeat);
    a->err = bpf_prog_test_run_opts(a->prog_fd, &opts);
    producing = 0;
    return NULL;
}

static int on_record(void *ctx, void *data, size_t size)
{
    (void)ctx;
    (void)data;
    (void)size;
    received++;
    return 0;
}

enum { DRAIN_RECORDS = 150000, DRAIN_ROUNDS = 11 }; // 150000 records of 24 bytes fit in the 4 MiB ring

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OBJECT [RECORDS]\n", argv[0]);
        return 2;
    }
    unsigned int records = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 10) : 1000000;
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj || bpf_object__load(obj)) {
        fprintf(stderr, "cannot load %s\n", argv[1]);
        return 1;
    }
    struct bpf_program *prog = bpf_object__find_program_by_name(obj, "produce");
    struct bpf_map *map = bpf_object__find_map_by_name(obj, "records");
    struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(map), on_record, NULL, NULL);
    if (!prog || !map || !bss || !rb) {
        fprintf(stderr, "object lacks produce/records/.bss\n");
        return 1;
    }

    struct run_args args = { bpf_program__fd(prog), records, 0 };
    pthread_t thread;
    double start = now();
    pthread_create(&thread, NULL, run_producer, &args);
    while (producing)
        ring_buffer__poll(rb, 50);
    pthread_join(thread, NULL);
    while (ring_buffer__consume(rb) > 0)
        ;
    double seconds = now() - start;

    unsigned long long counters[2] = {0, 0};
    int zero = 0;
    bpf_map_lookup_elem(bpf_map__fd(bss), &zero, counters);
    printf("sent %llu received %llu lost %llu seconds %.3f rate %.0f\n", counters[0], received, counters[1], seconds,
           received / seconds);

    double drains[DRAIN_ROUNDS];
    for (int round = 0; round < DRAIN_ROUNDS; round++) {
        struct run_args fill = { bpf_program__fd(prog), DRAIN_RECORDS, 0 };
        run_producer(&fill);
        received = 0;
        double drain_start = now();
        ring_buffer__consume(rb);
        drains[round] = now() - drain_start;
        if (fill.err || received != DRAIN_RECORDS) {
            fprintf(stderr, "drain round %d: received %llu of %d\n", round, received, DRAIN_RECORDS);
            return 1;
        }
    }
    qsort(drains, DRAIN_ROUNDS, sizeof(drains[0]), compare_double);
    double drain = drains[DRAIN_ROUNDS / 2];
    printf("drain records %d seconds %.6f rate %.0f\n", DRAIN_RECORDS, drain, DRAIN_RECORDS / drain);
    ring_buffer__free(rb);
    bpf_object__close(obj);
    return args.err ? 1 : 0;
}
