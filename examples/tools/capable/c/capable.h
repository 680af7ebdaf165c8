#ifndef CAPABLE_H
#define CAPABLE_H
#define TASK_COMM_LEN 16
struct cap_event {
	__u32 pid;
	__u32 cap;
	__u32 tid;
	__u32 uid;
	int audit;
	int insetid;
	int ret;
	char task[TASK_COMM_LEN];
};
enum uniqueness { UNQ_OFF, UNQ_PID, UNQ_CGROUP };
#endif
