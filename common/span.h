/*
 * span.h - a borrowed run of bytes: {pointer, length}.
 *
 * A span never owns its bytes and is not NUL-terminated; it is valid only
 * as long as the buffer it points into (usually the current input line).
 */
#ifndef TRACE_SPAN_H
#define TRACE_SPAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

struct span {
	const char	*p;
	size_t		 n;
};

static inline struct span
span_make(const char *p, size_t n)
{
	struct span s = { p, n };

	return s;
}

static inline struct span
span_str(const char *s)
{
	return span_make(s, strlen(s));
}

/*
 * Whether n bytes at a and at b are equal.  For the short strings of
 * traces (keys, names, ids) up to 32 bytes are compared without a call:
 * two or four overlapping words, or up to three single bytes.
 */
static inline int
mem_same(const void *a, const void *b, size_t n)
{
	const char *x = a, *y = b;
	uint64_t p, q, r, t;
	uint32_t p4, q4, r4, t4;

	if (n >= 8 && n <= 16) {
		memcpy(&p, x, 8);
		memcpy(&q, y, 8);
		memcpy(&r, x + n - 8, 8);
		memcpy(&t, y + n - 8, 8);
		return ((p ^ q) | (r ^ t)) == 0;
	}
	if (n > 16 && n <= 32) {	/* the first 16 and the last 16 */
		uint64_t p2, q2, r2, t2;

		memcpy(&p, x, 8);
		memcpy(&q, y, 8);
		memcpy(&p2, x + 8, 8);
		memcpy(&q2, y + 8, 8);
		memcpy(&r, x + n - 16, 8);
		memcpy(&t, y + n - 16, 8);
		memcpy(&r2, x + n - 8, 8);
		memcpy(&t2, y + n - 8, 8);
		return ((p ^ q) | (p2 ^ q2) | (r ^ t) | (r2 ^ t2)) == 0;
	}
	if (n >= 4 && n < 8) {
		memcpy(&p4, x, 4);
		memcpy(&q4, y, 4);
		memcpy(&r4, x + n - 4, 4);
		memcpy(&t4, y + n - 4, 4);
		return ((p4 ^ q4) | (r4 ^ t4)) == 0;
	}
	if (n < 4)		/* first, middle and last cover 1 to 3 bytes */
		return n == 0 || (x[0] == y[0] && x[n / 2] == y[n / 2] &&
		    x[n - 1] == y[n - 1]);
	return memcmp(x, y, n) == 0;
}

/*
 * Copy n bytes from s to d (not overlapping), as mem_same() compares
 * them: up to 32 bytes without a call.
 */
static inline void
mem_copy(void *d, const void *s, size_t n)
{
	char *w = d;
	const char *p = s;
	uint64_t a, b;
	uint32_t a4, b4;

	if (n >= 8 && n <= 16) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
		memcpy(w, &a, 8);
		memcpy(w + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&a4, p, 4);
		memcpy(&b4, p + n - 4, 4);
		memcpy(w, &a4, 4);
		memcpy(w + n - 4, &b4, 4);
	} else if (n > 0 && n < 4) {
		w[0] = p[0];
		w[n / 2] = p[n / 2];
		w[n - 1] = p[n - 1];
	} else if (n > 16 && n <= 32) {
		uint64_t a2, b2;

		memcpy(&a, p, 8);
		memcpy(&a2, p + 8, 8);
		memcpy(&b, p + n - 16, 8);
		memcpy(&b2, p + n - 8, 8);
		memcpy(w, &a, 8);
		memcpy(w + 8, &a2, 8);
		memcpy(w + n - 16, &b, 8);
		memcpy(w + n - 8, &b2, 8);
	} else if (n > 32)
		memcpy(w, p, n);
}

/*
 * mem_same() and mem_copy() for n <= 32 where 32 bytes may be read at
 * each source (and written at d): the same loads and stores whatever n,
 * no branch on it, as keys of mixed lengths make that branch a guess
 * (the bytes past n are read, never looked at).
 */
#define MEM_PAD	32
static inline int
mem_same_pad(const void *a, const void *b, size_t n)
{
#if defined(__SSE2__)
	__m128i a0 = _mm_loadu_si128((const __m128i *)a);
	__m128i b0 = _mm_loadu_si128((const __m128i *)b);
	__m128i a1 = _mm_loadu_si128((const __m128i *)((const char *)a + 16));
	__m128i b1 = _mm_loadu_si128((const __m128i *)((const char *)b + 16));
	uint32_t eq = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a0, b0)) |
	    (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a1, b1)) << 16;

	return (~eq & (uint32_t)(((uint64_t)1 << n) - 1)) == 0;
#else
	return mem_same(a, b, n);
#endif
}

static inline void
mem_copy_pad(void *d, const void *s, size_t n)
{
#if defined(__SSE2__)
	__m128i x = _mm_loadu_si128((const __m128i *)s);
	__m128i y = _mm_loadu_si128((const __m128i *)((const char *)s + 16));

	(void)n;
	_mm_storeu_si128((__m128i *)d, x);
	_mm_storeu_si128((__m128i *)((char *)d + 16), y);
#else
	mem_copy(d, s, n);
#endif
}

static inline int
span_eq(struct span a, struct span b)
{
	return a.n == b.n && mem_same(a.p, b.p, a.n);
}

static inline int
span_eqs(struct span a, const char *s)
{
	return span_eq(a, span_str(s));
}

/* Bytewise comparison; a proper prefix sorts first. */
static inline int
span_cmp(struct span a, struct span b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = n ? memcmp(a.p, b.p, n) : 0;

	if (c != 0)
		return c;
	return a.n < b.n ? -1 : a.n > b.n;
}

/*
 * The next blank-separated word of line from *i, advancing *i past it
 * (an empty span at the end).  Blanks are space, tab, CR, LF, VT, FF.
 */
static inline struct span
span_word(struct span line, size_t *i)
{
	size_t b;

	while (*i < line.n && (line.p[*i] == ' ' || (line.p[*i] >= '\t' &&
	    line.p[*i] <= '\r')))
		(*i)++;
	b = *i;
	while (*i < line.n && !(line.p[*i] == ' ' || (line.p[*i] >= '\t' &&
	    line.p[*i] <= '\r')))
		(*i)++;
	return span_make(line.p + b, *i - b);
}

#endif
