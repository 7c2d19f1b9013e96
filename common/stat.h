/*
 * stat.h - the exact two-sided Mann-Whitney U test, for trace-join --runs,
 * and the six-decimal spelling of the statistics trace-join writes.
 *
 * Ownership: a struct mwu owns its cache and buffers; mwu_free()
 * releases them.  The values passed in stay the caller's.
 */
#ifndef TRACE_STAT_H
#define TRACE_STAT_H

#include <stddef.h>

struct mwu;

/* A new test context, with an empty cache.  Never returns NULL. */
struct mwu *mwu_new(void);
void	mwu_free(struct mwu *w);

/*
 * The two-sided exact p of the Mann-Whitney U test of a[0..m) against
 * b[0..n): P(|U - mn/2| >= |u - mn/2|) over all C(m+n, m) equally
 * likely ways to label m of the m+n values as a's, where u is the
 * observed U and ties get mid-ranks.  Values are compared with ==
 * and <, so they must not be NaN.  The result is in (0, 1], capped at
 * 1; it is -1 when m or n is below 2 (no test).
 *
 * The null distribution depends only on m, n and the sizes of the
 * groups of tied values; w caches it by them (up to a fixed size, then
 * afresh); without ties (m, n up to 32) the distribution of m and n is
 * made once and kept.  Up to 32 values in all, w also memoizes p itself
 * (by k = min(m, n), m + n, where the tie groups start and the rank
 * sum), so that the work per call is counting each value's rank,
 * O((m+n)^2) compares in vector code, and a look-up; beyond, a sort of
 * each side and a merge once the pattern has been seen.  A new pattern
 * costs O(m n k) steps of a knapsack and memory O(k^2 (m+n)).
 */
double	mwu_p(struct mwu *w, const double *a, size_t m, const double *b,
	    size_t n);

/*
 * For tests: with on set, every later mwu_p() on w takes the general
 * path (sort, tie pattern, knapsack, cache of distributions), without
 * the table of p for samples without ties or the memo of p by ranks.
 */
void	mwu_general(struct mwu *w, int on);

/* Room stat_fmt6() may need: the longest "%.6f" of a double. */
#define STAT_FMT6_MAX	320

/*
 * Write v to buf as printf("%.6f", v) does, byte for byte, and return
 * the length (buf is not NUL-terminated).  Values from 0 to 8e6 take a
 * fast path of integer digits, rounded exactly; -0, NaN, larger values
 * and exact ties (v * 1e6 an integer and a half) go through snprintf.
 */
size_t	stat_fmt6(char *buf, double v);

#endif
