/*
 * fuzz-tally.c - tally cell parsing: tally_parse() on every line in each
 * mode, reusing one cell as trace-hist does.  Invariants: values and
 * entries lie inside the cell and in order; a counts or distinct list
 * holds one value more than it has commas (or a trailing one fewer,
 * when strict); writing a parsed strict counts tally back (VALUE:N
 * joined by ',') and parsing it again gives the same values and counts;
 * a range's text is the cell.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "num.h"
#include "tally.h"

static void
check_inside(const struct tally_cell *c, struct span s)
{
	for (size_t i = 0; i < c->n; i++) {
		INVARIANT(c->val[i].p >= s.p &&
		    c->val[i].p + c->val[i].n <= s.p + s.n);
		if (i > 0)
			INVARIANT(c->val[i].p > c->val[i - 1].p);
	}
}

/* Parse the cell written back from c; it must give c again. */
static void
check_roundtrip(const struct tally_cell *c)
{
	static struct tally_cell again;
	static struct sbuf w;
	struct span bad;
	char num[24];

	sb_clear(&w);
	for (size_t i = 0; i < c->n; i++) {
		if (i > 0)
			sb_addc(&w, ',');
		sb_add(&w, c->val[i].p, c->val[i].n);
		snprintf(num, sizeof(num), ":%llu",
		    (unsigned long long)c->cnt[i]);
		sb_add(&w, num, strlen(num));
	}
	INVARIANT(tally_parse(&again, span_make(w.p, w.len), TK_COUNTS,
	    &bad) == TALLY_OK);
	if (c->n == 0)
		return;
	INVARIANT(again.n == c->n && !again.single);
	for (size_t i = 0; i < c->n; i++)
		INVARIANT(span_eq(again.val[i], c->val[i]) &&
		    again.cnt[i] == c->cnt[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tally_cell c;
	static const int mode[] = { TK_COUNTS, TK_DISTINCT, TK_RANGE,
	    TK_AS_WRITTEN };
	const char *p = (const char *)data, *end = p + size, *nl;

	while (p <= end) {
		struct span s, bad;
		size_t n, commas = 0;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		s = span_make(p, n);
		for (size_t i = 0; i < n; i++)
			commas += p[i] == ',';
		for (size_t m = 0; m < sizeof(mode) / sizeof(mode[0]); m++) {
			enum tally_err e = tally_parse(&c, s, mode[m], &bad);

			INVARIANT(bad.p >= s.p && bad.p + bad.n <= s.p + s.n);
			if (e != TALLY_OK)
				continue;
			check_inside(&c, s);
			if (n == 0) {
				INVARIANT(c.n == 0);
				continue;
			}
			if (mode[m] == TK_RANGE) {
				INVARIANT(c.n == 1 && span_eq(c.val[0], s));
				continue;
			}
			if (mode[m] == TK_AS_WRITTEN)
				INVARIANT(c.n == commas + 1);
			else if (!c.single)
				INVARIANT(c.n == commas + 1 ||
				    (c.n == commas && p[n - 1] == ','));
			if (mode[m] == TK_COUNTS && !c.single)
				check_roundtrip(&c);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
