/* fmt.c - display text and number formatting shared by the report
 * writers. */
#include <stdio.h>

#include "tally.h"
#include "tsv.h"
#include "report.h"

struct span
rp_key(struct span v, struct sbuf *sb)
{
	if (tsv_unescape(v, sb) != 0)
		return v;	/* shown as it is */
	return span_make(sb->p, sb->len);
}

struct span
rp_val(struct span v, struct sbuf *sb)
{
	struct sbuf t = { 0 };
	struct span r;

	if (tally_decode(v, &t) != 0) {
		sb_free(&t);
		return v;
	}
	r = rp_key(span_make(t.p, t.len), sb);
	if (r.p == t.p) {	/* no TSV escape: keep the decoded text */
		sb_clear(sb);
		sb_add(sb, t.p, t.len);
		r = span_make(sb->p, sb->len);
	}
	sb_free(&t);
	return r;
}

const char *
rp_note(const struct rrow *w, const char *fallback)
{
	return w->note != NULL ? w->note : fallback;
}

void
put_thousands(struct ob *o, uint64_t v)
{
	char b[32], out[48];
	int n = snprintf(b, sizeof(b), "%llu", (unsigned long long)v), i, k = 0;

	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = b[i];
	}
	ob_write(o, out, (size_t)k);
}

/* 100*num/den with the given decimals, as the seed prints it ("9.97"). */
void
put_pct(struct ob *o, uint64_t num, uint64_t den, int decimals)
{
	ob_printf(o, "%.*f", decimals, 100.0 * (double)num /
	    (double)(den > 0 ? den : 1));
}

const char *
headline_word(enum headline h)
{
	switch (h) {
	case HL_SAME: return "same";
	case HL_DIVERGENT: return "divergent";
	case HL_INCONCLUSIVE: return "inconclusive";
	}
	return "?";
}
