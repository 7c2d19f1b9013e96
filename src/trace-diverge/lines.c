/*
 * lines.c - an event stream's block of lines split into rows.
 *
 * Without --by, an event stream's rows need no more than their field
 * count and where their key and ts lie, and the key columns are side by
 * side: a block of whole lines is split in two passes.  The first finds
 * the block's tabs and newlines, 64 bytes to a pair of bit masks (AVX2
 * or SSE2, chosen at run time as trace-normalize chooses its JSON path:
 * TRACE_TOOLS_SIMD); the second walks the masks a line at a time,
 * keeping the offsets of the first few tabs only and counting the
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

void
lines_init(void)
{
	switch (json_path()) {
#if defined(__x86_64__)
	case JSON_AVX2:
		masks = masks_avx2;
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

/* A row of b, its array grown as needed. */
static inline struct prow *
new_row(struct rows *b)
{
	if (b->nrow == b->cap) {
		b->cap = b->cap ? 2 * b->cap : FEED_ROWS;
		b->row = xreallocarray(b->row, b->cap, sizeof(*b->row));
	}
	return &b->row[b->nrow++];
}

/* The line [s, e) (e past its "\r", if any): a row of b. */
static inline void
line_row(const struct lines *ls, const char *p, size_t s, size_t e,
    const size_t *tab, size_t nt, uint64_t lineno, struct rows *b)
{
	size_t kb, ke, tb, te, last = ls->ncol - 1;
	struct prow *pr;

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
	pr = new_row(b);
	pr->n = 1;
	pr->koff = (uint32_t)kb;
	pr->klen = (uint32_t)(ke - kb);
	pr->toff = (uint32_t)tb;
	pr->tlen = (uint32_t)(te - tb);
	pr->boff = 0;
	pr->blen = 0;
}

uint64_t
lines_split(struct lines *ls, struct span blk, struct rows *b,
    uint64_t lineno)
{
	size_t nch = (blk.n + 63) / 64, full = blk.n / 64, s = 0, nt = 0;
	size_t c, at, need = ls->need;
	uint64_t t, n, m, tb, l0 = lineno;
	char last[64];

	if (nch > ls->cap) {
		ls->cap = nch;
		ls->t = xreallocarray(ls->t, nch, sizeof(*ls->t));
		ls->n = xreallocarray(ls->n, nch, sizeof(*ls->n));
	}
	masks(blk.p, full, ls->t, ls->n);
	if (full < nch) {
		memset(last, 0, sizeof(last));
		memcpy(last, blk.p + full * 64, blk.n - full * 64);
		masks(last, 1, ls->t + full, ls->n + full);
	}
	for (c = 0; c < nch; c++) {
		t = ls->t[c];
		n = ls->n[c];
		for (;;) {
			/* the tabs before the next newline, if any here */
			m = n & -n;
			tb = m != 0 ? t & (m - 1) : t;
			for (; tb != 0 && nt < need; tb &= tb - 1)
				ls->tab[nt++] = c * 64 +
				    (size_t)__builtin_ctzll(tb);
			for (; tb != 0; tb &= tb - 1)	/* more tabs */
				nt++;
			if (m == 0)
				break;
			at = c * 64 + (size_t)__builtin_ctzll(m);
			line_row(ls, blk.p, s, at, ls->tab, nt, ++lineno, b);
			s = at + 1;
			nt = 0;
			t &= ~((m << 1) - 1);
			n &= n - 1;
		}
	}
	if (s < blk.n)		/* the last line, without a newline */
		line_row(ls, blk.p, s, blk.n, ls->tab, nt, ++lineno, b);
	return lineno - l0;
}
