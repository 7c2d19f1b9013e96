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
 * traces (keys, names, ids) up to 16 bytes are compared without a call:
 * two overlapping words, or up to three single bytes.
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
