/*
 * bench/touch.c - what fresh memory costs on this machine.
 *
 *   touch MIB
 *
 * Maps MIB MiB of anonymous memory, advised for huge pages as the tools
 * advise their large tables, writes one byte of each 4 KiB page, and
 * prints the seconds that took: the kernel's (and, on a virtual machine,
 * the host's) cost of handing a process memory it has not had before,
 * which no tool that needs that much memory can avoid.  bench/scale.sh
 * builds and runs it.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	volatile char *p;
	char *end;
	size_t n, i;
	double t;
	long mib;

	if (argc != 2 || (mib = strtol(argv[1], &end, 10)) <= 0 ||
	    *end != '\0' || mib > 65536) {
		fprintf(stderr, "usage: touch MIB (1 to 65536)\n");
		return 2;
	}
	n = (size_t)mib << 20;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED) {
		perror("touch: mmap");
		return 1;
	}
#ifdef MADV_HUGEPAGE
	(void)madvise((void *)p, n, MADV_HUGEPAGE);
#endif
	t = now();
	for (i = 0; i < n; i += 4096)
		p[i] = 1;
	printf("%.3f\n", now() - t);
	return 0;
}
