/* A USDT probe with a semaphore: the kernel counts attached uprobes in it (ref_ctr_offset), and the probe's
 * arguments are only computed while it is non-zero. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short bpfsharp_test_gated_semaphore __attribute__((section(".probes"))) __attribute__((used));

unsigned bpfsharp_gated_semaphore_value(void)
{
	return *(volatile unsigned short *)&bpfsharp_test_gated_semaphore;
}

__attribute__((noinline)) void bpfsharp_gated_fire(int round)
{
	if (__builtin_expect(*(volatile unsigned short *)&bpfsharp_test_gated_semaphore, 0))
		STAP_PROBE2(bpfsharp_test, gated, round, round * 2L);
}
