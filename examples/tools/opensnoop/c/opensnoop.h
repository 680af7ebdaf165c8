#ifndef OPENSNOOP_H
#define OPENSNOOP_H
#define NAME_MAX_LEN 256
struct open_event {
	__u32 pid;
	__u32 uid;
	int ret;
	int flags;
	char comm[16];
	char fname[NAME_MAX_LEN];
};
#endif
