#ifndef TCPCONNECT_H
#define TCPCONNECT_H
#define TASK_COMM_LEN 16
struct connect_event {
	__u8 saddr[16];
	__u8 daddr[16];
	__u64 ts_us;
	__u32 pid;
	__u32 uid;
	__u16 af;
	__u16 dport;
	char task[TASK_COMM_LEN];
};
struct ipv4_flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 dport;
	__u16 padding;
};
struct ipv6_flow_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 dport;
	__u16 padding;
};
#endif
