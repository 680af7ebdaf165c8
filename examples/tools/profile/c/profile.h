#ifndef PROFILE_H
#define PROFILE_H
#define TASK_COMM_LEN 16
struct stack_key {
	__u32 pid;
	__s32 user_stack_id;
	__s32 kernel_stack_id;
	char name[TASK_COMM_LEN];
};
#endif
