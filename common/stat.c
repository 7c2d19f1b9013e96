/* stat.c - the exact Mann-Whitney U test; see stat.h. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "stat.h"
#include "xmem.h"

/*
 * A null distribution: for each deviation d = |2R - c| of the doubled
 * rank sum 2R of the chosen side from its mean c, tail[d] is p: the
 * number of labellings whose deviation is at least d over all of them,
 * C(m+n, k), capped at 1 (divided once, so that a test is a look-up).
 */
struct dist {
	double		*tail;
	size_t		 ntail;
};

/* Sides of up to NT_MAX values without ties: p from a table by m, n. */
#define NT_MAX		32

struct mwu {
	struct htab	*seen;		/* tie patterns, see mwu_p() */
	struct dist	*dist;		/* by pattern index */
	size_t		 cap;
	struct vl {
		double	 v;
		int	 side;		/* 0 a, 1 b */
	}		*vl;		/* the values, sorted */
	size_t		 vcap;
	uint8_t		*pat;		/* the pattern being looked up */
	uint32_t	*rank2;		/* doubled mid-rank of each position */
	size_t		*pre;		/* prefix sums of rank2 */
	struct fast {
		uint64_t key;		/* 0: empty */
		double	 p;
	}		*fast;		/* p by labelled pattern, see mwu_p() */
	double		*dp;
	size_t		 bytes;		/* of the cached distributions */
	double		*sa, *sb;	/* the sides, for qsort() */
	uint64_t	*ka, *kb;	/* the sides sorted, as keys: dkey() */
	struct dist	*nt[NT_MAX + 1][NT_MAX + 1]; /* no ties, by m, n */
	int		 general;	/* mwu_general() */
};

/* The direct-mapped cache of p for up to FAST_N values: 2^FAST_BITS. */
#define FAST_N		24
#define FAST_BITS	14

/* The most the cache holds; when full, it starts again empty. */
#define MWU_CACHE_BYTES	(32u << 20)

struct mwu *
mwu_new(void)
{
	struct mwu *w = xcalloc(1, sizeof(*w));

	w->seen = ht_new();
	w->fast = xcalloc((size_t)1 << FAST_BITS, sizeof(*w->fast));
	return w;
}

void
mwu_general(struct mwu *w, int on)
{
	w->general = on;
}

void
mwu_free(struct mwu *w)
{
	uint32_t i, n;

	if (w == NULL)
		return;
	n = ht_count(w->seen);
	for (i = 0; i < n; i++)
		free(w->dist[i].tail);
	free(w->dist);
	ht_free(w->seen);
	free(w->vl);
	free(w->pat);
	free(w->rank2);
	free(w->pre);
	free(w->fast);
	free(w->dp);
	free(w->sa);
	free(w->sb);
	free(w->ka);
	free(w->kb);
	for (i = 0; i <= NT_MAX; i++)
		for (n = 0; n <= NT_MAX; n++)
			if (w->nt[i][n] != NULL) {
				free(w->nt[i][n]->tail);
				free(w->nt[i][n]);
			}
	free(w);
}

/* Empty the cache of distributions. */
static void
cache_clear(struct mwu *w)
{
	uint32_t i, n = ht_count(w->seen);

	for (i = 0; i < n; i++)
		free(w->dist[i].tail);
	ht_free(w->seen);
	w->seen = ht_new();
	w->bytes = 0;
}

static int
dblcmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b ? 1 : 0;
}

/*
 * The distribution of the doubled rank sum of k of the N positions,
 * whose doubled mid-ranks are r[0..N), ascending, by counting subsets:
 * dp[j][s] is the number of j-subsets of the positions seen so far whose
 * doubled ranks add up to s (a 0/1 knapsack).  Only what can still end
 * in a k-subset is kept: after position i, j runs from k - (N - 1 - i)
 * up, and s from the j smallest ranks to the j largest seen (prefix sums
 * pre[]).  Doubled mid-ranks are integers, so ties are counted exactly
 * and deviations compared without rounding.  Counts are doubles: exact
 * up to 2^53, a relative error of a few ulps beyond.
 *
 * With many runs nearly all the time is the innermost loop here, which
 * runs about a third slower when it crosses a 64-byte line of code: the
 * function is aligned to 64 bytes, so that where the loop falls depends
 * on this function's code only, not on the code before it.
 */
static void __attribute__((aligned(64)))
make_dist(struct mwu *w, struct dist *d, const uint32_t *r, size_t N,
    size_t k, uint64_t c)
{
	size_t i, j, s, S, w1, *pre = w->pre;
	double *dp, total;

	pre[0] = 0;
	for (i = 0; i < N; i++)
		pre[i + 1] = pre[i] + r[i];
	S = pre[N] - pre[N - k];	/* the largest sum */
	w1 = S + 1;
	dp = w->dp = xreallocarray(w->dp, (k + 1) * w1, sizeof(*dp));
	memset(dp, 0, (k + 1) * w1 * sizeof(*dp));
	dp[0] = 1;
	for (i = 0; i < N; i++) {
		size_t v = r[i], jlo = k + i + 1 > N ? k + i + 1 - N : 1;

		for (j = i + 1 < k ? i + 1 : k; j >= jlo; j--) {
			double *restrict to = dp + j * w1;
			const double *restrict from = dp + (j - 1) * w1;
			size_t lo = pre[j - 1], hi = pre[i] - pre[i - (j - 1)];

			for (s = lo; s <= hi; s++)
				to[s + v] += from[s];
		}
	}
	/* Deviations run from 0 to max(c, S - c). */
	d->ntail = (c > S - c ? c : S - c) + 1;
	d->tail = xcalloc(d->ntail + 1, sizeof(*d->tail));
	total = 0;
	for (s = 0; s <= S; s++) {
		double x = dp[k * w1 + s];

		if (x == 0)
			continue;
		d->tail[s > c ? s - c : c - s] += x;
		total += x;
	}
	for (i = d->ntail - 1; i-- > 0;)
		d->tail[i] += d->tail[i + 1];
	for (i = 0; i < d->ntail; i++) {
		double p = d->tail[i] / total;

		d->tail[i] = p > 1 ? 1 : p;
	}
	w->bytes += d->ntail * sizeof(*d->tail);
}

/* Add x to pattern p: one byte when N < 255, else four. */
static inline void
pat_put(uint8_t *p, size_t *np, size_t x, size_t N)
{
	uint32_t v = (uint32_t)x;

	if (N < 255)
		p[(*np)++] = (uint8_t)v;
	else {
		memcpy(p + *np, &v, 4);
		*np += 4;
	}
}

/*
 * A value as an integer in the same order, equal for equal values: -0
 * made +0 (x + 0.0), then the sign bit set for a positive value, every
 * bit flipped for a negative one.  Not 0 for any value but NaN, which
 * mwu_p() is not given.  dval() is the way back.
 */
static inline uint64_t
dkey(double x)
{
	uint64_t u;

	x += 0.0;
	memcpy(&u, &x, sizeof(u));
	return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

static inline double
dval(uint64_t k)
{
	double x;

	k = k >> 63 ? k & ~((uint64_t)1 << 63) : ~k;
	memcpy(&x, &k, sizeof(x));
	return x;
}

/*
 * The keys of v[0..n) to to[], sorted, n being small: an insertion sort
 * whose every step is a compare-exchange, the key being inserted kept as
 * the smaller of the two, down to the front.  O(n^2) steps, but not one
 * branch on the values, which come in no order a branch predictor could
 * learn (a usual insertion sort mispredicts about once a value).
 */
static void
sort_side(uint64_t *to, const double *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		uint64_t x = dkey(v[i]);

		for (j = i; j > 0; j--) {
			uint64_t y = to[j - 1];

			to[j] = x < y ? y : x;
			x = x < y ? x : y;
		}
		to[0] = x;
	}
}

/* The two-sided p of deviation dev from distribution d. */
static double
tail_p(const struct dist *d, uint64_t dev)
{
	return dev < d->ntail ? d->tail[dev] : 0;
}

/*
 * The sides are sorted apart (qsort beyond 32 values), as keys that
 * compare as the values do (dkey()), and merged, a's value first among
 * equal ones, into the sorted values with their sides.
 * Without ties, the doubled rank sum 2R of the smaller side, whose mean
 * is k (N + 1), and the distribution of m and n alone settle p: it comes
 * from a table by m and n, made once.
 *
 * With ties, up to FAST_N values, the sorted sides and where ties are
 * (2 bits a value, after N) fix p itself: a direct-mapped cache of p by
 * them comes next, which input cannot make slower than the path below.
 *
 * Else give each run of equal values the doubled mid-rank (first + last
 * position, 1-based) and add up those of the smaller side.  The pattern
 * that fixes the null distribution is k, N and the sizes of the tie
 * groups in order; it is the cache key, as bytes when N is below 256
 * (the usual case, quicker to hash), else as 32-bit numbers after a
 * byte 255 that no short pattern starts with (k < N < 255).
 */
double
mwu_p(struct mwu *w, const double *a, size_t m, const double *b, size_t n)
{
	size_t N = m + n, i, j, k = m <= n ? m : n, np = 0, ia = 0, ib = 0;
	int chosen = m <= n ? 0 : 1, ties = 0;
	uint64_t r2 = 0, c, dev, key = N;
	uint32_t idx;
	int isnew;
	struct dist *d;
	struct fast *slot = NULL;
	double p;

	if (m < 2 || n < 2)
		return -1;
	if (N > w->vcap) {
		w->vcap = N;
		w->vl = xreallocarray(w->vl, N, sizeof(*w->vl));
		w->pat = xreallocarray(w->pat, N + 3, 4);
		w->rank2 = xreallocarray(w->rank2, N, sizeof(*w->rank2));
		w->pre = xreallocarray(w->pre, N + 1, sizeof(*w->pre));
		w->sa = xreallocarray(w->sa, N, sizeof(*w->sa));
		w->sb = xreallocarray(w->sb, N, sizeof(*w->sb));
		w->ka = xreallocarray(w->ka, N, sizeof(*w->ka));
		w->kb = xreallocarray(w->kb, N, sizeof(*w->kb));
	}
	if (N <= 32) {			/* the usual case: few runs */
		sort_side(w->ka, a, m);
		sort_side(w->kb, b, n);
	} else {
		memcpy(w->sa, a, m * sizeof(*a));
		memcpy(w->sb, b, n * sizeof(*b));
		qsort(w->sa, m, sizeof(*w->sa), dblcmp);
		qsort(w->sb, n, sizeof(*w->sb), dblcmp);
		for (i = 0; i < m; i++)
			w->ka[i] = dkey(w->sa[i]);
		for (i = 0; i < n; i++)
			w->kb[i] = dkey(w->sb[i]);
	}
	/* The merge: the key, whether there are ties, and U of a (the b
	 * values below each a value); without ties 2R of a is then
	 * m (m + 1) + 2U, and 2R of b the rest of N (N + 1). */
	{
		const uint64_t *ka = w->ka, *kb = w->kb;
		uint64_t u = 0, prev = 0;	/* no value's key */
		int t;

		/* Without a branch on which side comes next (see
		 * sort_side()). */
		while (ia < m && ib < n) {
			uint64_t x = ka[ia], y = kb[ib], ta = x <= y;

			x = ta ? x : y;
			t = x == prev;
			key = key << 2 | (ta ^ 1) << 1 | (uint64_t)t;
			prev = x;
			u += ib & -ta;
			ia += ta;
			ib += ta ^ 1;
			ties |= t;
		}
		for (; ia < m; ia++) {
			t = ka[ia] == prev;
			key = key << 2 | (uint64_t)t;
			prev = ka[ia];
			u += n;
			ties |= t;
		}
		for (; ib < n; ib++) {
			t = kb[ib] == prev;
			key = key << 2 | 2 | (uint64_t)t;
			prev = kb[ib];
			ties |= t;
		}
		r2 = (uint64_t)m * (m + 1) + 2 * u;
		if (chosen == 1)
			r2 = (uint64_t)N * (N + 1) - r2;
	}
	c = (uint64_t)k * (N + 1);
	if (!ties && m <= NT_MAX && n <= NT_MAX && !w->general) {
		if (r2 == c)
			return 1;
		if ((d = w->nt[m][n]) == NULL) {
			d = w->nt[m][n] = xcalloc(1, sizeof(*d));
			for (i = 0; i < N; i++)
				w->rank2[i] = (uint32_t)(2 * i + 2);
			make_dist(w, d, w->rank2, N, k, c);
			w->bytes -= d->ntail * sizeof(*d->tail);
		}
		return tail_p(d, r2 > c ? r2 - c : c - r2);
	}
	if (N <= FAST_N && !w->general) {
		slot = &w->fast[(key * 0x9e3779b97f4a7c15ULL) >>
		    (64 - FAST_BITS)];
		if (slot->key == key)
			return slot->p;
		slot->key = key;
	}
	for (i = ia = ib = 0; i < N; i++) {
		if (ib == n || (ia < m && w->ka[ia] <= w->kb[ib]))
			w->vl[i] = (struct vl){ dval(w->ka[ia++]), 0 };
		else
			w->vl[i] = (struct vl){ dval(w->kb[ib++]), 1 };
	}
	r2 = 0;
	if (N >= 255)
		w->pat[np++] = 255;
	pat_put(w->pat, &np, k, N);
	pat_put(w->pat, &np, N, N);
	for (i = 0; i < N; i = j) {
		for (j = i + 1; j < N && w->vl[j].v == w->vl[i].v; j++)
			;
		pat_put(w->pat, &np, j - i, N);
		for (size_t t = i; t < j; t++) {
			w->rank2[t] = (uint32_t)(i + j + 1);
			if (w->vl[t].side == chosen)
				r2 += i + j + 1;
		}
	}
	if (r2 == c) {
		if (slot != NULL)
			slot->p = 1;
		return 1;		/* every labelling is as far out */
	}
	if (w->bytes > MWU_CACHE_BYTES)
		cache_clear(w);
	idx = ht_intern(w->seen, w->pat, np, &isnew);
	if (isnew) {
		if (idx >= w->cap) {
			w->cap = w->cap ? w->cap * 2 : 16;
			w->dist = xreallocarray(w->dist, w->cap,
			    sizeof(*w->dist));
		}
		make_dist(w, &w->dist[idx], w->rank2, N, k, c);
	}
	d = &w->dist[idx];
	dev = r2 > c ? r2 - c : c - r2;
	p = tail_p(d, dev);
	if (slot != NULL)
		slot->p = p;
	return p;
}

/*
 * The fast path: x = v * 1e6 rounded is below 2^43, and the rounding
 * error e of that product is itself a double, found exactly by Dekker's
 * product (v split into two halves of 26 bits; 1e6 needs 20 bits, so
 * every partial product is exact).  The exact v * 1e6 is then x + e, and
 * its distance from the middle between the integers around x,
 * (x - floor(x) - 1/2) + e, has the sign of that sum as rounded (the
 * first term is exact, a multiple of x's ulp, and e decides only when it
 * is 0): printf's digits without its arbitrary precision.  Exact ties (printf
 * rounds them to even), -0 and NaN, and large values fall back to
 * snprintf.
 */
size_t
stat_fmt6(char *buf, double v)
{
	double x = v * 1e6, hi, lo, e, half;
	uint64_t n, ip;
	char t[24], *e6 = t + sizeof(t), *q = e6;
	int i;

	if (!(v >= 0 && v < 8e6) || signbit(v))
		return (size_t)snprintf(buf, STAT_FMT6_MAX, "%.6f", v);
	hi = 134217729.0 * v;		/* 2^27 + 1: Veltkamp's split */
	hi = hi - (hi - v);
	lo = v - hi;
	e = -((x - hi * 1e6) - lo * 1e6);
	n = (uint64_t)x;
	half = (x - (double)n - 0.5) + e;
	if (half == 0)
		return (size_t)snprintf(buf, STAT_FMT6_MAX, "%.6f", v);
	if (half > 0)
		n++;
	ip = n / 1000000;
	n %= 1000000;
	for (i = 0; i < 6; i++) {
		*--q = (char)('0' + n % 10);
		n /= 10;
	}
	*--q = '.';
	do {
		*--q = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip > 0);
	memcpy(buf, q, (size_t)(e6 - q));
	return (size_t)(e6 - q);
}
