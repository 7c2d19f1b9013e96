/*
 * prog.c - the program whose two runs examples/qemu compares.
 *
 *   prog [A|B]
 *
 * Eight rounds of step(); in round 4 the check chosen by the argument
 * runs as well: check_fast() for A (the default), check_slow() for
 * anything else.  The check is called through a pointer picked without
 * a branch, so the runs execute the same blocks up to round 4, part at
 * the entry of the check, and meet again when it returns.  The output
 * is the same for both runs, so that the code writing it runs the same
 * blocks too.  Built static and not position-independent (record.sh),
 * so that each block has the same address in every run.
 */
#include <stdio.h>

static volatile unsigned acc;	/* keeps the work from being optimized out */

__attribute__((noinline)) static void
step(unsigned i)
{
	acc += i * 3;
}

__attribute__((noinline)) static void
check_fast(unsigned i)
{
	acc ^= i;
}

__attribute__((noinline)) static void
check_slow(unsigned i)
{
	unsigned j;

	for (j = 0; j < 3; j++)
		if (acc & (1u << j))
			acc ^= i << j;
		else
			acc += j;
}

static void (*const checks[2])(unsigned) = { check_fast, check_slow };

int
main(int argc, char *argv[])
{
	void (*check)(unsigned);
	unsigned i;

	check = checks[argc > 1 && argv[1][0] != 'A'];
	for (i = 0; i < 8; i++) {
		step(i);
		if (i == 4)
			check(i);
	}
	puts("done");
	return 0;
}
