/* Twin of the C# program in tests/BpfSharp.Tests/CompilerIntegration/KconfigTests.cs: values the loader fills in
 * from the running kernel (its version and configuration), a weak option no kernel has among them. */
#include <stdbool.h>
#include "twins.h"

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool CONFIG_BPF_JIT __kconfig __weak;
extern bool CONFIG_BPFSHARP_ABSENT __kconfig __weak;
extern int CONFIG_HZ __kconfig;

__u64 out_version;
__u64 out_jit;
__u64 out_absent;
__u64 out_hz;

SEC("syscall")
int read_kconfig(void *ctx)
{
	out_version = LINUX_KERNEL_VERSION;
	out_jit = CONFIG_BPF_JIT;
	out_absent = CONFIG_BPFSHARP_ABSENT;
	out_hz = CONFIG_HZ;
	return 0;
}
