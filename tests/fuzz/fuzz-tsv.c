/*
 * fuzz-tsv.c - the TSV row reader and tally cells: tsv_split() on every
 * line, tsv_unescape() and tally_decode() on every field, the value
 * order on neighbouring fields.  Invariants: split fields tile the line
 * (one field more than the line has tabs, none containing a tab, each
 * one tab after the last);
 * escaping what was unescaped gives back a canonical form that
 * unescapes to the same bytes; the order is antisymmetric.
 */
#include <string.h>

#include "fuzz.h"
#include "num.h"
#include "tally.h"
#include "tsv.h"

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct span f[64];
	static struct sbuf a, b, e;
	const char *p = (const char *)data, *end = p + size, *nl;

	while (p <= end) {
		size_t n, k, i, tot = 0;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		k = tsv_split(span_make(p, n), f, 64);
		INVARIANT(k >= 1);
		{
			size_t tabs = 0;

			for (i = 0; i < n; i++)
				tabs += p[i] == '\t';
			INVARIANT(k == tabs + 1);
		}
		for (i = 0; i < k && i < 64; i++) {
			INVARIANT(memchr(f[i].p, '\t', f[i].n) == NULL);
			INVARIANT(i == 0 ? f[i].p == p :
			    f[i].p == f[i - 1].p + f[i - 1].n + 1);
			INVARIANT(f[i].p + f[i].n <= p + n);
		}
		for (i = 0; i < k && i < 64; i++) {
			tot += f[i].n;
			if (tsv_unescape(f[i], &a) == 0) {
				/* escape again, by the format's rule */
				sb_clear(&e);
				for (size_t j = 0; j < a.len; j++) {
					char c = a.p[j];

					if (c == '\\' || c == '\t' || c == '\n' ||
					    c == '\r') {
						sb_addc(&e, '\\');
						sb_addc(&e, c == '\\' ? '\\' :
						    c == '\t' ? 't' : c == '\n' ?
						    'n' : 'r');
					} else
						sb_addc(&e, c);
				}
				INVARIANT(tsv_unescape(span_make(e.p, e.len),
				    &b) == 0);
				INVARIANT(b.len == a.len && (a.len == 0 ||
				    memcmp(a.p, b.p, a.len) == 0));
			}
			(void)tally_decode(f[i], &a);
			if (i > 0)
				INVARIANT(sign(num_cmp_values(f[i - 1], f[i])) ==
				    -sign(num_cmp_values(f[i], f[i - 1])));
		}
		if (k <= 64)
			INVARIANT(tot + k - 1 == n);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
