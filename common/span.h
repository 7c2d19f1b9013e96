/*
 * span.h - a borrowed run of bytes: {pointer, length}.
 *
 * A span never owns its bytes and is not NUL-terminated; it is valid only
 * as long as the buffer it points into (usually the current input line).
 */
#ifndef TRACE_SPAN_H
#define TRACE_SPAN_H

#include <stddef.h>
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

static inline int
span_eq(struct span a, struct span b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
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
