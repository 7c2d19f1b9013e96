/*
 * stat.h - the exact two-sided Mann-Whitney U test, for trace-join --runs.
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
 * groups of tied values; w caches it by them, so the work per call is
 * a sort of the m + n values once that pattern has been seen.  A new
 * pattern costs O((m+n) * k * S), k = min(m, n), S <= 2 k (m+n), and
 * memory O(k * S).
 */
double	mwu_p(struct mwu *w, const double *a, size_t m, const double *b,
	    size_t n);

#endif
