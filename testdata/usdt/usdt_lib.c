/* The shared-library half of usdt_target: a probe in a position-independent object. */
#include <sys/sdt.h>

__attribute__((noinline)) void bpfsharp_lib_fire(int round)
{
	STAP_PROBE2(bpfsharp_lib, fired, round, (long)round * -1000L);
}
