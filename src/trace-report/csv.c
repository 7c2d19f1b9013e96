/*
 * csv.c - the seed's two CSV files, through libcsv.
 *
 * divergent-tuples.csv: the missing keys; matched-tuples.csv: the matched
 * keys; both sorted by reference count descending, then key.  Columns and
 * spellings follow the seed: KEY..., REF_fires, REF_<col>s (values joined
 * by ';'), fn_note, in_<family>_family (yes/no); and KEY..., REF_fires,
 * CAND_fires, ratio (a percentage with two decimals), fn_note,
 * in_<family>_family.  A field is quoted (by libcsv) only when it holds a
 * comma, a quote, a CR or LF, so plain fields read exactly as the seed
 * wrote them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "msg.h"
#include "report.h"

/* A number as the report writes one: -?[0-9]+(\.[0-9]+)?%? */
static int
is_number(const char *p, size_t n)
{
	size_t i = 0, d;

	if (i < n && p[i] == '-')
		i++;
	for (d = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == d)
		return 0;
	if (i < n && p[i] == '.') {
		for (d = ++i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && p[i] == '%')
		i++;
	return i == n;
}

/*
 * A text field, made inert for spreadsheets (OWASP "CSV Injection"): a
 * number is written as it is; other text whose first byte is '=', '+',
 * '-', '@' or CR gets a leading "'", control bytes but CR and LF are
 * written \xhh (so no field starts with a raw TAB) and bidirectional
 * controls \uXXXX.  Then RFC 4180: quoted (by libcsv) only when it holds
 * a comma, a quote, a CR or LF, so plain fields read exactly as the seed
 * wrote them.
 */
static void
csv_field(struct ob *o, struct span s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	struct sbuf t = { 0 };
	size_t i, n = s.n, k;
	unsigned cp;
	int quote = 0;

	if (is_number(s.p, n)) {
		ob_write(o, s.p, n);
		return;
	}
	if (n > 0 && (p[0] == '=' || p[0] == '+' || p[0] == '-' ||
	    p[0] == '@' || p[0] == '\r'))
		sb_addc(&t, '\'');
	for (i = 0; i < n; i++) {
		if (p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r')
			quote = 1;
		if ((p[i] < 0x20 && p[i] != '\r' && p[i] != '\n') ||
		    p[i] == 0x7f) {
			char e[8];

			snprintf(e, sizeof(e), "\\x%02x", p[i]);
			sb_adds(&t, e);
		} else if ((k = bidi_len(p + i, n - i, &cp)) > 0) {
			char e[8];

			snprintf(e, sizeof(e), "\\u%04X", cp);
			sb_adds(&t, e);
			i += k - 1;
		} else
			sb_addc(&t, (char)p[i]);
	}
	if (!quote)
		ob_write(o, t.p, t.len);
	else {
		/* csv_write: surrounding quotes, inner quotes doubled. */
		size_t need = csv_write(NULL, 0, t.p, t.len);
		char *b = xmalloc(need);

		csv_write(b, need, t.p, t.len);
		ob_write(o, b, need);
		free(b);
	}
	sb_free(&t);
}

static void
csv_head_keys(struct ob *o, const struct report *r)
{
	struct sbuf sb = { 0 };

	for (size_t i = 0; i < r->nkey; i++) {
		csv_field(o, rp_key(r->keycol[i], &sb));
		ob_putc(o, ',');
	}
	sb_free(&sb);
}

static void
csv_keys(struct ob *o, const struct report *r, const struct rrow *w)
{
	struct sbuf sb = { 0 };

	for (size_t i = 0; i < r->nkey; i++) {
		csv_field(o, rp_key(rp_kv(r, w, i), &sb));
		ob_putc(o, ',');
	}
	sb_free(&sb);
}

static void
csv_named(struct ob *o, const char *side, struct span col, const char *suf)
{
	struct sbuf sb = { 0 };

	sb_adds(&sb, side);
	sb_addc(&sb, '_');
	sb_add(&sb, col.p, col.n);
	sb_adds(&sb, suf);
	csv_field(o, span_make(sb.p, sb.len));
	sb_free(&sb);
}

static void
csv_families(struct ob *o, const struct report *r, const struct rrow *w)
{
	for (size_t k = 0; k < r->nfam; k++) {
		ob_putc(o, ',');
		if (w == NULL) {
			struct sbuf sb = { 0 };

			sb_adds(&sb, "in_");
			sb_adds(&sb, r->fam[k].name);
			sb_adds(&sb, "_family");
			csv_field(o, span_make(sb.p, sb.len));
			sb_free(&sb);
		} else
			ob_puts(o, rp_x(r, w)->fam[k] ? "yes" : "no");
	}
	ob_putc(o, '\n');
}

static void
divergent(const struct report *r, struct ob *o)
{
	struct sbuf sb = { 0 }, v = { 0 };
	size_t i, j, k, next;

	csv_head_keys(o, r);
	csv_named(o, r->ref, span_str("fires"), "");
	for (j = 0; j < r->nrt; j++)
		if (!r->rtrange[j]) {
			ob_putc(o, ',');
			csv_named(o, r->ref, r->rtcol[j], "s");
		}
	ob_puts(o, ",fn_note");
	csv_families(o, r, NULL);
	for (i = 0, next = 0; i < r->nmissing; i++) {
		const struct rrow *w = &r->row[r->missing[i]];

		if (i == next)
			next = i + rp_batch(r, r->missing + i, r->nmissing - i);

		csv_keys(o, r, w);
		ob_u64(o, w->ref);
		for (j = 0; j < r->nrt; j++) {
			if (r->rtrange[j])
				continue;
			const struct tally_cell *c = rp_rt(r, w, j);

			sb_clear(&v);
			for (k = 0; k < c->n; k++) {
				struct span t = rp_val(c->val[k], &sb);

				if (k > 0)
					sb_addc(&v, ';');
				sb_add(&v, t.p, t.n);
			}
			ob_putc(o, ',');
			csv_field(o, span_make(v.p != NULL ? v.p : "", v.len));
		}
		ob_putc(o, ',');
		csv_field(o, span_str(rp_note(r, w, "")));
		csv_families(o, r, w);
	}
	sb_free(&sb);
	sb_free(&v);
}

static void
matched(const struct report *r, struct ob *o)
{
	size_t i, next;

	csv_head_keys(o, r);
	csv_named(o, r->ref, span_str("fires"), "");
	ob_putc(o, ',');
	csv_named(o, r->cand, span_str("fires"), "");
	ob_puts(o, ",ratio,fn_note");
	csv_families(o, r, NULL);
	for (i = 0, next = 0; i < r->nmatched; i++) {
		const struct rrow *w = &r->row[r->matched[i]];

		if (i == next)
			next = i + rp_batch(r, r->matched + i, r->nmatched - i);

		csv_keys(o, r, w);
		ob_u64(o, w->ref);
		ob_putc(o, ',');
		ob_u64(o, w->cand);
		ob_putc(o, ',');
		if (w->ref > 0) {
			put_pct(o, w->cand, w->ref, 2);
			ob_putc(o, '%');
		} else
			ob_puts(o, "n/a");
		ob_putc(o, ',');
		csv_field(o, span_str(rp_note(r, w, "")));
		csv_families(o, r, w);
	}
}

/* Both files are created before any is written (an unwritable directory
 * fails first) and renamed into place at the end. */
struct ob *csv_div, *csv_mat;

void
csv_open(const char *dir)
{
	struct sbuf p = { 0 };

	sb_adds(&p, dir);
	sb_adds(&p, "/divergent-tuples.csv");
	csv_div = ob_create(p.p);
	sb_clear(&p);
	sb_adds(&p, dir);
	sb_adds(&p, "/matched-tuples.csv");
	csv_mat = ob_create(p.p);
	sb_free(&p);
}

void
write_csv(const struct report *r)
{
	divergent(r, csv_div);
	matched(r, csv_mat);
	ob_close(csv_div);
	ob_close(csv_mat);
}
