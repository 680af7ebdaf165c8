/* USDT probes for the loader's tests: probes without a semaphore whose arguments take the x86-64 forms gcc emits
 * (register, memory, constant; signed and unsigned; 1, 2, 4 and 8 bytes), one guarded by a semaphore
 * (usdt_gated.c) and one in a shared library (usdt_lib.c).
 * Usage: usdt_target ROUNDS; prints the semaphore as the process saw it before firing. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

void bpfsharp_lib_fire(int round);
void bpfsharp_gated_fire(int round);
unsigned bpfsharp_gated_semaphore_value(void);

static volatile long in_memory = -123456789012L;

__attribute__((noinline)) static void fire(int round)
{
	long stack_value = in_memory * round;
	short negative = (short)(-3 - round);
	unsigned char small = (unsigned char)(200 + round);
	unsigned int big = 4000000000u + (unsigned)round;
	STAP_PROBE6(bpfsharp_test, plain, round, stack_value, 5, negative, small, big);
}

/* Unoptimised, the arguments stay in the stack frame: memory operands such as -8@-24(%rbp). */
__attribute__((noinline, optimize("O0"))) static void fire_from_memory(int round)
{
	long value = in_memory - round;
	unsigned short half = (unsigned short)(60000 + round);
	STAP_PROBE4(bpfsharp_test, plain_mem, value, half, -7, round);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 1;
	printf("semaphore=%u\n", bpfsharp_gated_semaphore_value());
	for (int i = 1; i <= rounds; i++) {
		fire(i);
		fire_from_memory(i);
		bpfsharp_gated_fire(i);
		bpfsharp_lib_fire(i);
	}
	printf("rounds=%d\n", rounds);
	return 0;
}
