#ifndef OFFCPUTIME_H
#define OFFCPUTIME_H
#define TASK_COMM_LEN 16
struct stack_key {
	__u32 pid;
	__u32 tgid;
	__s32 user_stack_id;
	__s32 kernel_stack_id;
};
struct stack_value {
	__u64 delta;
	char comm[TASK_COMM_LEN];
};
#endif
