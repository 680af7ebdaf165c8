#ifndef EXECSNOOP_H
#define EXECSNOOP_H
#define ARGS_SIZE 384
struct exec_event {
	int pid;
	int ppid;
	int ret;
	__u32 args_size;
	char comm[16];
	char args[ARGS_SIZE];
};
#endif
