/*
 * prog.c - the program whose two runs examples/perf compares.
 *
 *   prog insertion|merge
 *
 * Fills an array of 30000 numbers (fill()), sorts it with the sort the
 * argument names, insertion_sort() or merge_sort() with its merge(),
 * and checks the result (checksum()).  fill() and checksum() do the
 * same work in both runs; only the sort differs, and insertion sort,
 * quadratic, takes far longer than merge sort on the same numbers.
 * Every function is kept out of line so that each sample of a
 * profiler falls in a function of its own name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N	30000	/* numbers sorted */
#define ROUNDS	1500	/* mixing rounds per number in fill() and checksum() */

static unsigned	a[N], tmp[N];

__attribute__((noinline)) static unsigned
fill(unsigned *v, int n)
{
	unsigned x = 2463534242u;
	int i, r;

	for (i = 0; i < n; i++) {
		for (r = 0; r < ROUNDS; r++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
		}
		v[i] = x;
	}
	return x;
}

__attribute__((noinline)) static void
insertion_sort(unsigned *v, int n)
{
	int i, j;
	unsigned k;

	for (i = 1; i < n; i++) {
		k = v[i];
		for (j = i; j > 0 && v[j - 1] > k; j--)
			v[j] = v[j - 1];
		v[j] = k;
	}
}

__attribute__((noinline)) static void
merge(unsigned *v, unsigned *t, int lo, int mid, int hi)
{
	int i = lo, j = mid, k = lo;

	while (i < mid && j < hi)
		t[k++] = v[i] <= v[j] ? v[i++] : v[j++];
	while (i < mid)
		t[k++] = v[i++];
	while (j < hi)
		t[k++] = v[j++];
	memcpy(v + lo, t + lo, (size_t)(hi - lo) * sizeof *v);
}

__attribute__((noinline)) static void
merge_sort(unsigned *v, unsigned *t, int lo, int hi)
{
	int mid;

	if (hi - lo < 2)
		return;
	mid = lo + (hi - lo) / 2;
	merge_sort(v, t, lo, mid);
	merge_sort(v, t, mid, hi);
	merge(v, t, lo, mid, hi);
}

__attribute__((noinline)) static unsigned
checksum(const unsigned *v, int n)
{
	unsigned h = 0, x;
	int i, r;

	for (i = 0; i < n; i++) {
		if (i > 0 && v[i - 1] > v[i])
			return 0;
		x = v[i];
		for (r = 0; r < ROUNDS; r++)
			x = x * 2654435761u + (x >> 7);
		h += x;
	}
	return h;
}

int
main(int argc, char *argv[])
{
	if (argc != 2 || (strcmp(argv[1], "insertion") != 0 &&
	    strcmp(argv[1], "merge") != 0)) {
		fprintf(stderr, "usage: prog insertion|merge\n");
		return 2;
	}
	fill(a, N);
	if (strcmp(argv[1], "insertion") == 0)
		insertion_sort(a, N);
	else
		merge_sort(a, tmp, 0, N);
	printf("%08x\n", checksum(a, N));
	return 0;
}
