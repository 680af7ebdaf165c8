// Programs of several types, subprogram calls (global and static), globals in every section kind, externs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "Dual BSD/GPL";

int counter = 7;                                  /* .data */
const volatile int config_value = 42;             /* .rodata */
const char message[] = "hello";                   /* .rodata */
__u64 zeroes[4];                                  /* .bss */
static int hidden_state;                          /* .bss, static */
int custom_data SEC(".data.custom") = 3;          /* .data.custom */
const volatile __u64 custom_ro SEC(".rodata.custom") = 9; /* .rodata.custom */
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern unsigned long long CONFIG_NR_CPUS __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig __weak;
extern const int bpfsharp_absent_ksym __ksym __weak;   /* weak ksym: absent from every kernel */

static __attribute__((noinline)) int add_static(int a, int b)
{
	return a + b + hidden_state;
}

__attribute__((noinline)) int add_global(int a)
{
	return add_static(a, counter) + custom_data;
}

static int loop_step(__u32 index, void *data)     /* callback: ld_imm64 of a .text address */
{
	*(long *)data += index;
	return 0;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	long sum = 0;
	bpf_loop(4, loop_step, &sum, 0);
	zeroes[1] += sum;
	return add_global(ctx->ingress_ifindex) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int tp_getpid(void *ctx)
{
	hidden_state++;
	return add_static(config_value, message[1]) + (int)custom_ro + LINUX_KERNEL_VERSION + CONFIG_HZ
	       + CONFIG_BPF_SYSCALL + (int)CONFIG_NR_CPUS + CONFIG_DEFAULT_HOSTNAME[0];
}

SEC("kprobe/do_nanosleep")
int kp_sleep(void *ctx)
{
	return add_global(counter) + (int)(long)&bpfsharp_absent_ksym;
}

SEC("socket")
int sock_filter(void *ctx)
{
	return 0;
}
