/* Shared between execsnoop.bpf.c and the C# reader (Event struct in Program.cs). */
#ifndef EXECSNOOP_H
#define EXECSNOOP_H

#define TASK_COMM_LEN 16
#define ARGS_SIZE 384

struct exec_event {
    int pid;
    int ppid;
    int ret;
    unsigned int args_size; /* bytes used in args: NUL-separated argv strings */
    char comm[TASK_COMM_LEN];
    char args[ARGS_SIZE];
};

#endif
