/* stat.c - the exact Mann-Whitney U test; see stat.h. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define RANKS_AVX2		/* ranks_avx2(), where the CPU has it */
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

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
	struct memo {
		uint64_t key;		/* 0: empty */
		double	 p;
	}		*memo;		/* p by ranks: see small_p() */
	double		*dp;
	size_t		 bytes;		/* of the cached distributions */
	double		*sa, *sb;	/* the sides, for qsort() */
	struct dist	*nt[NT_MAX + 1][NT_MAX + 1]; /* no ties, by m, n */
	int		 general;	/* mwu_general() */
	uint32_t	(*ranks)(const double *, size_t, int64_t *);
					/* see small_p() */
};

/* Up to SMALL_N values in all, ranks are counted pairwise and p is
 * looked up in a direct-mapped memo of 2^MEMO_BITS entries. */
#define SMALL_N		32
#define MEMO_BITS	14

/* The most the cache holds; when full, it starts again empty. */
#define MWU_CACHE_BYTES	(32u << 20)

static uint32_t	ranks_base(const double *, size_t, int64_t *);
#ifdef RANKS_AVX2
static uint32_t	ranks_avx2(const double *, size_t, int64_t *);
#endif

/* Room in w's buffers for N values (mwu_new() makes it for SMALL_N). */
static void
room(struct mwu *w, size_t N)
{
	if (N <= w->vcap)
		return;
	w->vcap = N;
	w->vl = xreallocarray(w->vl, N, sizeof(*w->vl));
	w->pat = xreallocarray(w->pat, N + 3, 4);
	w->rank2 = xreallocarray(w->rank2, N, sizeof(*w->rank2));
	w->pre = xreallocarray(w->pre, N + 1, sizeof(*w->pre));
	w->sa = xreallocarray(w->sa, N, sizeof(*w->sa));
	w->sb = xreallocarray(w->sb, N, sizeof(*w->sb));
}

struct mwu *
mwu_new(void)
{
	struct mwu *w = xcalloc(1, sizeof(*w));

	w->seen = ht_new();
	w->memo = xcalloc((size_t)1 << MEMO_BITS, sizeof(*w->memo));
	room(w, SMALL_N);
	w->ranks = ranks_base;
#ifdef RANKS_AVX2
	if (__builtin_cpu_supports("avx2"))
		w->ranks = ranks_avx2;
#endif
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
	free(w->memo);
	free(w->dp);
	free(w->sa);
	free(w->sb);
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

/* The two-sided p of deviation dev from distribution d. */
static double
tail_p(const struct dist *d, uint64_t dev)
{
	return dev < d->ntail ? d->tail[dev] : 0;
}

/* The distribution of m and n without ties: made once and kept. */
static struct dist *
nt_dist(struct mwu *w, size_t m, size_t n)
{
	size_t N = m + n, k = m <= n ? m : n, i;
	struct dist *d;

	if ((d = w->nt[m][n]) == NULL) {
		d = w->nt[m][n] = xcalloc(1, sizeof(*d));
		for (i = 0; i < N; i++)
			w->rank2[i] = (uint32_t)(2 * i + 2);
		make_dist(w, d, w->rank2, N, k, (uint64_t)k * (N + 1));
		w->bytes -= d->ntail * sizeof(*d->tail);
	}
	return d;
}

/*
 * The distribution of the tie pattern w->pat[0..np) of k of N values,
 * whose doubled mid-ranks are w->rank2[0..N): from the cache, or made
 * and kept.
 */
static struct dist *
pat_dist(struct mwu *w, size_t np, size_t N, size_t k, uint64_t c)
{
	uint32_t idx;
	int isnew;

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
	return &w->dist[idx];
}

/*
 * For each of v[0..N), lt[i]: how many of v[0..N) are below v[i]; and
 * the mask of N bits of the lt[i] that come up.  v is padded with NaN
 * (which compares false, so a padding lane counts 0) to a multiple of 4.
 * Each group of values is compared with every value in turn, with vector
 * compares whose all-ones lanes (-1) are subtracted from the counts:
 * four at a time with AVX2, where the CPU has it (see mwu_new()), else
 * two with SSE2, else one.
 */
#ifdef RANKS_AVX2
/*
 * The values in NC groups of four, NC a constant (so that the groups'
 * counts stay in registers): each value is broadcast once and compared
 * with every group.
 */
static inline __attribute__((target("avx2"), always_inline)) uint32_t
ranks_avx2_nc(const double *v, size_t N, int64_t *lt, const int NC)
{
	__m256d x[4];
	__m256i l[4], one = _mm256_set1_epi64x(1), bits;
	__m128i b2;
	size_t j;
	int g;

	for (g = 0; g < NC; g++) {
		x[g] = _mm256_loadu_pd(v + 4 * g);
		l[g] = _mm256_setzero_si256();
	}
	for (j = 0; j < N; j++) {
		__m256d y = _mm256_broadcast_sd(v + j);

		for (g = 0; g < NC; g++)
			l[g] = _mm256_sub_epi64(l[g], _mm256_castpd_si256(
			    _mm256_cmp_pd(x[g], y, _CMP_GT_OQ)));
	}
	bits = _mm256_setzero_si256();
	for (g = 0; g < NC; g++) {
		_mm256_storeu_si256((__m256i *)(void *)(lt + 4 * g), l[g]);
		bits = _mm256_or_si256(bits, _mm256_sllv_epi64(one, l[g]));
	}
	b2 = _mm_or_si128(_mm256_castsi256_si128(bits),
	    _mm256_extracti128_si256(bits, 1));
	b2 = _mm_or_si128(b2, _mm_unpackhi_epi64(b2, b2));
	return (uint32_t)_mm_cvtsi128_si64(b2);
}

static uint32_t __attribute__((target("avx2")))
ranks_avx2(const double *v, size_t N, int64_t *lt)
{
	uint32_t mask = 0;
	size_t i;

	switch ((N + 3) / 4) {
	case 1:
		return ranks_avx2_nc(v, N, lt, 1);
	case 2:
		return ranks_avx2_nc(v, N, lt, 2);
	case 3:
		return ranks_avx2_nc(v, N, lt, 3);
	case 4:
		return ranks_avx2_nc(v, N, lt, 4);
	}
	/* More than 16 values: a group at a time. */
	for (i = 0; i < N; i += 4) {
		__m256d x = _mm256_loadu_pd(v + i);
		__m256i l = _mm256_setzero_si256();
		size_t j;

		for (j = 0; j < N; j++)
			l = _mm256_sub_epi64(l, _mm256_castpd_si256(
			    _mm256_cmp_pd(x, _mm256_broadcast_sd(v + j),
			    _CMP_GT_OQ)));
		_mm256_storeu_si256((__m256i *)(void *)(lt + i), l);
	}
	for (i = 0; i < N; i++)
		mask |= (uint32_t)1 << lt[i];
	return mask;
}
#endif

static uint32_t
ranks_base(const double *v, size_t N, int64_t *lt)
{
	uint32_t mask = 0;
	size_t i, j;

#ifdef __SSE2__			/* x86-64 without AVX2: two at a time */
	for (i = 0; i < N; i += 2) {
		__m128d x = _mm_loadu_pd(v + i);
		__m128i l = _mm_setzero_si128();

		for (j = 0; j < N; j++)
			l = _mm_sub_epi64(l, _mm_castpd_si128(
			    _mm_cmplt_pd(_mm_set1_pd(v[j]), x)));
		_mm_storeu_si128((__m128i *)(void *)(lt + i), l);
	}
#else
	for (i = 0; i < N; i++) {
		lt[i] = 0;
		for (j = 0; j < N; j++)
			lt[i] += v[j] < v[i];
	}
#endif
	for (i = 0; i < N; i++)
		mask |= (uint32_t)1 << lt[i];
	return mask;
}

/*
 * mwu_p() of up to SMALL_N values, the usual case (a few runs a side),
 * without sorting: each value's rank is counted, lt values below it, in
 * vector code without a branch on the values (which come in no order a
 * branch predictor could learn).  The set of the lt, a mask of N bits,
 * is where the groups of tied values start, so a value's group runs from
 * its lt to the next start (or N), and its doubled mid-rank is the sum
 * of the two plus 1.  With k and N the mask is the tie pattern, and with
 * the deviation of 2R of the smaller side from its mean it fixes p: p is
 * memoized by all four, packed exactly into the key (N 6 bits, k 5, the
 * deviation below 2^11), and on a miss comes from the pattern's
 * distribution, found or made as mwu_p() does.  Without ties (every bit
 * set) the table by m and n serves.
 */
static double
small_p(struct mwu *w, const double *a, size_t m, const double *b, size_t n)
{
	double v[SMALL_N + 3] __attribute__((aligned(32)));
	int64_t lt[SMALL_N] __attribute__((aligned(32)));
	uint64_t r2 = 0, c, dev, key;
	size_t N = m + n, k, lo, i, j, t, np = 0;
	uint64_t ends;
	uint32_t mask;
	struct memo *e;

	memcpy(v, a, m * sizeof(*v));
	memcpy(v + m, b, n * sizeof(*v));
	/* To a multiple of 4 with NaN, which compares false. */
	v[N] = v[N + 1] = v[N + 2] = NAN;
	k = m <= n ? m : n;
	lo = m <= n ? 0 : m;		/* the smaller side: v[lo..lo+k) */
	mask = w->ranks(v, N, lt);
	ends = mask | (uint64_t)1 << N;
	for (i = lo; i < lo + k; i++) {
		uint64_t s = (uint64_t)lt[i];

		/* s + 1 to the end of the group: the next start, or N. */
		r2 += s + 1 + (uint64_t)__builtin_ctzll(ends &
		    ~(((uint64_t)2 << s) - 1));
	}
	c = (uint64_t)k * (N + 1);
	if (r2 == c)
		return 1;		/* every labelling is as far out */
	dev = r2 > c ? r2 - c : c - r2;
	if (mask == (uint32_t)(((uint64_t)1 << N) - 1))
		return tail_p(nt_dist(w, m, n), dev);
	key = mask | (uint64_t)N << 32 | (uint64_t)k << 38 | dev << 43;
	e = &w->memo[(key * 0x9e3779b97f4a7c15ULL) >> (64 - MEMO_BITS)];
	if (e->key == key)
		return e->p;
	w->pat[np++] = (uint8_t)k;
	w->pat[np++] = (uint8_t)N;
	for (i = 0; i < N; i = j) {
		for (j = i + 1; j < N && !(mask >> j & 1); j++)
			;
		w->pat[np++] = (uint8_t)(j - i);
		for (t = i; t < j; t++)
			w->rank2[t] = (uint32_t)(i + j + 1);
	}
	e->key = key;
	e->p = tail_p(pat_dist(w, np, N, k, c), dev);
	return e->p;
}

/*
 * Up to SMALL_N values, small_p().  Else (and always with
 * mwu_general()) the sides are sorted and merged, a's value first among
 * equal ones, into the sorted values with their sides; each run of
 * equal values gets the doubled mid-rank (first + last position,
 * 1-based), and those of the smaller side add up to 2R, whose mean is
 * k (N + 1).  Without ties the distribution of m and n alone settles p
 * (the table by m and n).  Else the pattern that fixes the null
 * distribution is k, N and the sizes of the tie groups in order; it is
 * the cache key, as bytes when N is below 256 (quicker to hash), else
 * as 32-bit numbers after a byte 255 that no short pattern starts with
 * (k < N < 255).
 */
double
mwu_p(struct mwu *w, const double *a, size_t m, const double *b, size_t n)
{
	size_t N = m + n, i, j, k = m <= n ? m : n, np = 0, ia, ib;
	int chosen = m <= n ? 0 : 1, ties = 0;
	uint64_t r2 = 0, c, dev;

	if (m < 2 || n < 2)
		return -1;
	if (N <= SMALL_N && !w->general)
		return small_p(w, a, m, b, n);
	room(w, N);
	memcpy(w->sa, a, m * sizeof(*a));
	memcpy(w->sb, b, n * sizeof(*b));
	qsort(w->sa, m, sizeof(*w->sa), dblcmp);
	qsort(w->sb, n, sizeof(*w->sb), dblcmp);
	for (i = ia = ib = 0; i < N; i++) {
		if (ib == n || (ia < m && w->sa[ia] <= w->sb[ib]))
			w->vl[i] = (struct vl){ w->sa[ia++], 0 };
		else
			w->vl[i] = (struct vl){ w->sb[ib++], 1 };
	}
	if (N >= 255)
		w->pat[np++] = 255;
	pat_put(w->pat, &np, k, N);
	pat_put(w->pat, &np, N, N);
	for (i = 0; i < N; i = j) {
		for (j = i + 1; j < N && w->vl[j].v == w->vl[i].v; j++)
			;
		ties |= j - i > 1;
		pat_put(w->pat, &np, j - i, N);
		for (size_t t = i; t < j; t++) {
			w->rank2[t] = (uint32_t)(i + j + 1);
			if (w->vl[t].side == chosen)
				r2 += i + j + 1;
		}
	}
	c = (uint64_t)k * (N + 1);
	if (r2 == c)
		return 1;		/* every labelling is as far out */
	dev = r2 > c ? r2 - c : c - r2;
	if (!ties && m <= NT_MAX && n <= NT_MAX && !w->general)
		return tail_p(nt_dist(w, m, n), dev);
	return tail_p(pat_dist(w, np, N, k, c), dev);
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
