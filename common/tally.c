/* tally.c - tally cell value encoding; see tally.h. */
#include <stdint.h>
#include <string.h>

#include "tally.h"

int
tally_kind(const char *name)
{
	if (strcmp(name, "counts") == 0)
		return TK_COUNTS;
	if (strcmp(name, "distinct") == 0)
		return TK_DISTINCT;
	if (strcmp(name, "range") == 0)
		return TK_RANGE;
	return -1;
}

static const char *
enc_of(char c)
{
	switch (c) {
	case '%': return "%25";
	case ',': return "%2c";
	case ':': return "%3a";
	}
	return NULL;
}

/* Bytes that need %-encoding in a tally value. */
static const unsigned char needs[256] = { ['%'] = 1, [','] = 1, [':'] = 1 };

/*
 * Whether a byte of w is one of them: the has-zero-byte trick on w XOR
 * each.  A borrow can only flag a byte above a real match, so the answer
 * is exact.
 */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
static inline int
word_needs(uint64_t w)
{
	uint64_t a = w ^ (ONES * '%'), b = w ^ (ONES * ','),
	    c = w ^ (ONES * ':');

	return ((((a - ONES) & ~a) | ((b - ONES) & ~b) |
	    ((c - ONES) & ~c)) & HIGHS) != 0;
}

void
tally_put(struct ob *o, const char *p, size_t n)
{
	size_t i, run = 0;
	const char *e;

	/* Eight bytes at a time while none needs encoding, then bytes. */
	for (i = 0; n - i >= 8; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (word_needs(w))
			break;
	}
	for (; i < n; i++)
		if (needs[(unsigned char)p[i]])
			break;
	if (i == n) {		/* the usual case: nothing to encode */
		ob_write(o, p, n);
		return;
	}
	for (; i < n; i++) {
		if ((e = enc_of(p[i])) == NULL)
			continue;
		ob_write(o, p + run, i - run);
		ob_write(o, e, 3);
		run = i + 1;
	}
	if (run < n)
		ob_write(o, p + run, n - run);
}

int
tally_decode(struct span v, struct sbuf *sb)
{
	size_t i, run = 0;

	sb_clear(sb);
	for (i = 0; i < v.n; i++) {
		char c;

		if (v.p[i] != '%')
			continue;
		if (i + 2 >= v.n)
			return -1;
		if (v.p[i + 1] == '2' && v.p[i + 2] == '5')
			c = '%';
		else if (v.p[i + 1] == '2' && (v.p[i + 2] == 'c' ||
		    v.p[i + 2] == 'C'))
			c = ',';
		else if (v.p[i + 1] == '3' && (v.p[i + 2] == 'a' ||
		    v.p[i + 2] == 'A'))
			c = ':';
		else
			return -1;
		sb_add(sb, v.p + run, i - run);
		sb_addc(sb, c);
		i += 2;
		run = i + 1;
	}
	if (run < v.n)
		sb_add(sb, v.p + run, v.n - run);
	else
		sb_add(sb, "", 0);
	return 0;
}
