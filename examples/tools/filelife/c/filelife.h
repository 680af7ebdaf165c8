#ifndef FILELIFE_H
#define FILELIFE_H
#define TASK_COMM_LEN 16
#define PATH_MAX_LEN 256
struct event {
	char file[PATH_MAX_LEN];
	char task[TASK_COMM_LEN];
	__u64 delta_ns;
	__u32 tgid;
};
#endif
