/*
 * lines.c - an event stream's block of lines split into rows.
 *
 * Without --by, an event stream's rows need no more than their field
 * count and where their key and ts lie, and the key columns are side by
 * side: a block of whole lines is split in two passes.  The first finds
 * the block's tabs and newlines, 64 bytes to a pair of bit masks (AVX2
 * or SSE2, chosen at run time as trace-normalize chooses its JSON path:
 * TRACE_TOOLS_SIMD); the second walks the masks a line at a time,
 * taking the offsets of the tabs the row needs only and counting the
 * others.  Lines are cut as rd_line() cuts them: without "\n" and a
 * "\r" before it; the last may lack "\n"; a header line again (streams
 * concatenated) is skipped.
 */
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "diverge.h"
#include "json.h"

/* Masks of 64 bytes at p: tabs into *t, newlines into *n. */
static void
masks_scalar(const char *p, size_t nch, uint64_t *t, uint64_t *n)
{
	for (size_t c = 0; c < nch; c++, p += 64) {
		uint64_t a = 0, b = 0;

		for (unsigned i = 0; i < 64; i++) {
			a |= (uint64_t)(p[i] == '\t') << i;
			b |= (uint64_t)(p[i] == '\n') << i;
		}
		t[c] = a;
		n[c] = b;
	}
}

#if defined(__x86_64__)
static void
masks_sse2(const char *p, size_t nch, uint64_t *t, uint64_t *n)
{
	const __m128i tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n');

	for (size_t c = 0; c < nch; c++, p += 64) {
		uint64_t a = 0, b = 0;

		for (unsigned i = 0; i < 64; i += 16) {
			__m128i x = _mm_loadu_si128((const void *)(p + i));

			a |= (uint64_t)(unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(x, tab)) << i;
			b |= (uint64_t)(unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(x, nl)) << i;
		}
		t[c] = a;
		n[c] = b;
	}
}

__attribute__((target("avx2")))
static void
masks_avx2(const char *p, size_t nch, uint64_t *t, uint64_t *n)
{
	const __m256i tab = _mm256_set1_epi8('\t'), nl = _mm256_set1_epi8('\n');

	for (size_t c = 0; c < nch; c++, p += 64) {
		__m256i x = _mm256_loadu_si256((const void *)p);
		__m256i y = _mm256_loadu_si256((const void *)(p + 32));

		t[c] = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x,
		    tab)) | (uint64_t)(uint32_t)_mm256_movemask_epi8(
		    _mm256_cmpeq_epi8(y, tab)) << 32;
		n[c] = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x,
		    nl)) | (uint64_t)(uint32_t)_mm256_movemask_epi8(
		    _mm256_cmpeq_epi8(y, nl)) << 32;
	}
}
#endif

static void (*masks)(const char *, size_t, uint64_t *, uint64_t *);
static uint64_t split_any(struct lines *, struct span, struct rows *,
    uint64_t);
#if defined(__x86_64__)
static uint64_t split_bmi(struct lines *, struct span, struct rows *,
    uint64_t);
#endif
static uint64_t (*splitter)(struct lines *, struct span, struct rows *,
    uint64_t) = split_any;

void
lines_init(void)
{
	switch (json_path()) {
#if defined(__x86_64__)
	case JSON_AVX2:
		masks = masks_avx2;
		if (__builtin_cpu_supports("popcnt") &&
		    __builtin_cpu_supports("bmi") &&
		    __builtin_cpu_supports("bmi2"))
			splitter = split_bmi;
		break;
	case JSON_SSE2:
		masks = masks_sse2;
		break;
#endif
	default:
		masks = masks_scalar;
		break;
	}
}

/* Row *pr: an event, its key at [kb, ke), its ts at [tb, te). */
static inline void
set_row(struct prow *pr, size_t kb, size_t ke, size_t tb, size_t te)
{
	*pr = (struct prow){ .n = 1, .koff = (uint32_t)kb,
	    .klen = (uint32_t)(ke - kb), .toff = (uint32_t)tb,
	    .tlen = (uint32_t)(te - tb) };
}

/* The same, a row of b, its array grown as needed. */
static inline void
put_row(struct rows *b, size_t kb, size_t ke, size_t tb, size_t te)
{
	if (b->nrow == b->cap)
		rows_grow(b, b->cap ? 2 * b->cap : FEED_ROWS);
	set_row(&b->row[b->nrow++], kb, ke, tb, te);
}

/* The line [s, e) (e past its "\r", if any): a row of b. */
static inline void
line_row(const struct lines *ls, const char *p, size_t s, size_t e,
    const size_t *tab, size_t nt, uint64_t lineno, struct rows *b)
{
	size_t kb, ke, tb, te, last = ls->ncol - 1;

	if (e > s && p[e - 1] == '\r')
		e--;
	if (e - s == ls->hlen && memcmp(p + s, ls->hdr, ls->hlen) == 0)
		return;		/* a header again: streams concatenated */
	if (nt != last)
		die_at(ls->file, lineno, "expected %zu fields, got %zu",
		    ls->ncol, nt + 1);
	kb = ls->kfirst == 0 ? s : tab[ls->kfirst - 1] + 1;
	ke = ls->klast == last ? e : tab[ls->klast];
	if (ls->ts == SIZE_MAX)
		tb = te = s;
	else {
		tb = ls->ts == 0 ? s : tab[ls->ts - 1] + 1;
		te = ls->ts == last ? e : tab[ls->ts];
	}
	if (ke > UINT32_MAX || te > UINT32_MAX)
		die_at(ls->file, lineno, "a line of 4 GB");
	if (te - tb >= ROW_MANY)	/* (queued rows have 31 bits for it) */
		die_at(ls->file, lineno, "a ts of 2 GB");
	put_row(b, kb, ke, tb, te);
}

/*
 * The line at s, found the long way: the masks walked a piece at a time
 * from s to its newline or the block's end.  Returns where the next
 * line starts.
 */
static size_t
long_line(const struct lines *ls, struct span blk, size_t s, size_t nch,
    uint64_t lineno, struct rows *b)
{
	size_t c = s / 64, nt = 0, at, need = ls->need;
	uint64_t t, n, m, tb;

	t = ls->t[c] & (~0ull << (s % 64));
	n = ls->n[c] & (~0ull << (s % 64));
	for (;;) {
		/* the tabs before the newline, if it is here */
		m = n & -n;
		tb = m != 0 ? t & (m - 1) : t;
		for (; tb != 0 && nt < need; tb &= tb - 1)
			ls->tab[nt++] = c * 64 + (size_t)__builtin_ctzll(tb);
		nt += (size_t)__builtin_popcountll(tb);
		if (m != 0)
			break;
		if (++c == nch) {	/* the last line, without a newline */
			line_row(ls, blk.p, s, blk.n, ls->tab, nt, lineno, b);
			return blk.n;
		}
		t = ls->t[c];
		n = ls->n[c];
	}
	at = c * 64 + (size_t)__builtin_ctzll(m);
	line_row(ls, blk.p, s, at, ls->tab, nt, lineno, b);
	return at + 1;
}

/*
 * Most lines are shorter than 64 bytes: the 64 bits of each mask from
 * a line's first byte on hold its newline and all its tabs.  The field
 * count is their population count, and the tabs a row needs (ls->step)
 * are taken off the bottom; when the key columns come first and ts last
 * (an event stream's usual op, lr ... ts), the key ends at the klast-th
 * tab and ts starts after the highest.  Longer lines, and the last line
 * of a block without a newline, go the long way (long_line()).
 * Compiled twice: for any CPU, and with the bit instructions (popcnt,
 * BMI1, BMI2) that CPUs with AVX2 have.
 */
static inline __attribute__((always_inline)) uint64_t
split(struct lines *ls, struct span blk, struct rows *b, uint64_t lineno,
    uint64_t (*nth)(uint64_t, size_t))
{
	const char *p = blk.p;
	const uint64_t *tm, *nm;
	size_t nch = (blk.n + 63) / 64, full = blk.n / 64, s = 0, c, i;
	size_t nl = 1, last = ls->ncol - 1, nrank = ls->nrank;
	size_t hlen = ls->hlen, kb, ke, tb, te, pos[4], klast = ls->klast;
	int lead = ls->kfirst == 0 && klast < last && ls->ts == last;
	uint64_t l0 = lineno;
	struct prow *out;
	char tail[64];

	if (nch + 1 > ls->cap) {
		ls->cap = nch + 1;
		ls->t = xreallocarray(ls->t, ls->cap, sizeof(*ls->t));
		ls->n = xreallocarray(ls->n, ls->cap, sizeof(*ls->n));
	}
	masks(p, full, ls->t, ls->n);
	if (full < nch) {
		memset(tail, 0, sizeof(tail));
		memcpy(tail, p + full * 64, blk.n - full * 64);
		masks(tail, 1, ls->t + full, ls->n + full);
	}
	ls->t[nch] = ls->n[nch] = 0;	/* past the end: neither */
	tm = ls->t;
	nm = ls->n;
	/* rows at most: a line a newline, and one after the last */
	for (c = 0; c < nch; c++)
		nl += (size_t)__builtin_popcountll(nm[c]);
	if (b->cap - b->nrow < nl) {
		size_t cap = b->cap ? 2 * b->cap : FEED_ROWS;

		rows_grow(b, cap - b->nrow < nl ? b->nrow + nl : cap);
	}
	if (blk.n >= ROW_MANY) {	/* offsets in 32 bits, ts in 31:
					   line_row() checks them */
		while (s < blk.n)
			s = long_line(ls, blk, s, nch, ++lineno, b);
		return lineno - l0;
	}
	/* rows stored through out, not b (whose count a row's store might
	 * change, for all the compiler knows) */
	out = b->row + b->nrow;
	while (s < blk.n) {
		size_t o = s % 64, len, e;
		uint64_t nw, tw, x;

		c = s / 64;
		nw = nm[c] >> o | (nm[c + 1] << 1) << (63 - o);
		if (nw == 0) {
			b->nrow = (size_t)(out - b->row);
			s = long_line(ls, blk, s, nch, ++lineno, b);
			out = b->row + b->nrow;
			continue;
		}
		len = (size_t)__builtin_ctzll(nw);
		tw = tm[c] >> o | (tm[c + 1] << 1) << (63 - o);
		tw &= (1ull << len) - 1;
		lineno++;
		e = s + len;
		if (len > 0 && p[e - 1] == '\r')
			e--;
		if (e - s == hlen && memcmp(p + s, ls->hdr, hlen) == 0) {
			s += len + 1;	/* a header again */
			continue;
		}
		if ((size_t)__builtin_popcountll(tw) != last) {
			/* the batch ends at the rows before it */
			b->nrow = (size_t)(out - b->row);
			die_at(ls->file, lineno, "expected %zu fields, got %zu",
			    ls->ncol, (size_t)__builtin_popcountll(tw) + 1);
		}
		/* tw holds last tabs, more than any rank */
		if (lead) {	/* the key first, ts last: after the last tab */
			kb = s;
			ke = s + (size_t)__builtin_ctzll(nth(tw, klast));
			tb = s + (size_t)(64 - __builtin_clzll(tw));
			te = e;
		} else {
			for (i = 0, x = tw; i < nrank; i++) {
				for (size_t j = ls->step[i]; j > 0; j--)
					x &= x - 1;
				pos[i] = s + (size_t)__builtin_ctzll(x);
			}
			kb = ls->kb < 0 ? s : pos[ls->kb] + 1;
			ke = ls->ke < 0 ? e : pos[ls->ke];
			tb = ls->tb < 0 ? s : pos[ls->tb] + 1;
			te = ls->te == -2 ? s : ls->te < 0 ? e : pos[ls->te];
		}
		set_row(out++, kb, ke, tb, te);	/* room made above */
		s += len + 1;
	}
	b->nrow = (size_t)(out - b->row);
	return lineno - l0;
}

/* The kth lowest set bit of x (k < its population count), alone. */
static inline uint64_t
nth_any(uint64_t x, size_t k)
{
	for (; k > 0; k--)
		x &= x - 1;
	return x & -x;
}

static uint64_t
split_any(struct lines *ls, struct span blk, struct rows *b, uint64_t lineno)
{
	return split(ls, blk, b, lineno, nth_any);
}

#if defined(__x86_64__)
__attribute__((target("popcnt,bmi,bmi2")))
static inline uint64_t
nth_bmi(uint64_t x, size_t k)
{
	return _pdep_u64(1ull << k, x);
}

__attribute__((target("popcnt,bmi,bmi2")))
static uint64_t
split_bmi(struct lines *ls, struct span blk, struct rows *b, uint64_t lineno)
{
	return split(ls, blk, b, lineno, nth_bmi);
}
#endif

uint64_t
lines_split(struct lines *ls, struct span blk, struct rows *b,
    uint64_t lineno)
{
	return splitter(ls, blk, b, lineno);
}

/*
 * The tabs a row of ls needs, by rank (the kth tab ends field k), in
 * ascending order and once each: step[i] is how many tabs lie between
 * the (i-1)th wanted and the ith.  kb, ke, tb and te say which wanted
 * tab starts (after it) or ends the key and ts: -1 for the line's start
 * or end, te -2 for no ts.
 */
void
lines_ranks(struct lines *ls)
{
	size_t last = ls->ncol - 1, want[4], prev = 0, n = 0, i;
	int *slot[4] = { &ls->kb, &ls->ke, &ls->tb, &ls->te };

	want[0] = ls->kfirst > 0 ? ls->kfirst - 1 : SIZE_MAX;
	want[1] = ls->klast < last ? ls->klast : SIZE_MAX;
	want[2] = ls->ts != SIZE_MAX && ls->ts > 0 ? ls->ts - 1 : SIZE_MAX;
	want[3] = ls->ts < last ? ls->ts : SIZE_MAX;	/* SIZE_MAX: none */
	for (i = 0; i < 4; i++)
		*slot[i] = -1;
	if (ls->ts == SIZE_MAX)
		ls->te = -2;
	for (;;) {
		size_t lo = SIZE_MAX;

		for (i = 0; i < 4; i++)
			if (want[i] < lo && (n == 0 || want[i] > prev))
				lo = want[i];
		if (lo == SIZE_MAX)
			break;
		ls->step[n] = n == 0 ? lo : lo - prev;
		for (i = 0; i < 4; i++)
			if (want[i] == lo)
				*slot[i] = (int)n;
		prev = lo;
		n++;
	}
	ls->nrank = n;
}
