/*
 * pie.c - the program of the ASLR example: a position-independent
 * executable that makes a few system calls, some through the C library
 * and one of its own, then copies its memory map to the file named by
 * its argument, so that the addresses of a trace of this run can be
 * made relative to the modules that held them.
 *
 *   cc -O2 -fPIE -pie -o pie pie.c
 *   ./pie MAPSFILE
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* getpid(2) from an instruction of this executable, not the C library. */
static long
own_getpid(void)
{
#if defined(__x86_64__)
	long r;

	__asm__ volatile ("syscall" : "=a"(r) : "a"(39L) : "rcx", "r11",
	    "memory");
	return r;
#else
	return (long)getpid();
#endif
}

/* Copy /proc/self/maps to path; 0 on success. */
static int
save_maps(const char *path)
{
	char buf[65536];
	ssize_t n;
	int in, out, rv = 0;

	if ((in = open("/proc/self/maps", O_RDONLY)) < 0)
		return -1;
	if ((out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			rv = -1;
	if (n < 0)
		rv = -1;
	close(in);
	if (close(out) != 0)
		rv = -1;
	return rv;
}

int
main(int argc, char *argv[])
{
	static const char hello[] = "hello\n";

	if (argc != 2) {
		fputs("usage: pie MAPSFILE\n", stderr);
		return 2;
	}
	if (write(STDOUT_FILENO, hello, strlen(hello)) < 0)
		return 1;
	own_getpid();
	own_getpid();
	if (save_maps(argv[1]) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
