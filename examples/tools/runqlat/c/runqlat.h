#ifndef RUNQLAT_H
#define RUNQLAT_H
#define MAX_SLOTS 26
struct latency_hist {
	__u32 slots[MAX_SLOTS];
	char comm[16];
};
#endif
