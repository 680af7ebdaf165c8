#ifndef SYSCOUNT_H
#define SYSCOUNT_H
struct syscall_totals {
	__u64 count;
	__u64 total_ns;
	char comm[16];
};
#endif
