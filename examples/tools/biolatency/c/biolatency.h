#ifndef BIOLATENCY_H
#define BIOLATENCY_H
#define MAX_SLOTS 27
struct hist_key {
	__u32 cmd_flags;
	__u32 dev;
};
struct hist {
	__u32 slots[MAX_SLOTS];
};
#endif
