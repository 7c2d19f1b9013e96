/*
 * md.c - the Markdown report.
 *
 * Every sentence is derived from the figures of the model.  Trace strings
 * are escaped so that they cannot break a table or inject markup or
 * links: backslash, '|', '`', '[' and ']' are backslash-escaped, '<', '>'
 * and '&' become entities, control characters are shown as \t, \n, \xNN.
 * Underscores and asterisks stay as they are, for readability in a
 * terminal: at worst they change emphasis.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static void
md_text(struct ob *o, struct span s)
{
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];

		switch (c) {
		case '\\': case '|': case '`': case '[': case ']':
			ob_putc(o, '\\');
			ob_putc(o, c);
			break;
		case '<': ob_puts(o, "&lt;"); break;
		case '>': ob_puts(o, "&gt;"); break;
		case '&': ob_puts(o, "&amp;"); break;
		case '\t': ob_puts(o, "\\\\t"); break;
		case '\n': ob_puts(o, "\\\\n"); break;
		case '\r': ob_puts(o, "\\\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				ob_printf(o, "\\\\x%02x", c);
			else
				ob_putc(o, c);
		}
	}
}

static void
md_str(struct ob *o, const char *s)
{
	md_text(o, span_str(s));
}

/* A key value: code span when it is plainly safe (addresses, names). */
static void
md_keyval(struct ob *o, struct span v, int code)
{
	struct sbuf sb = { 0 };
	struct span t = rp_key(v, &sb);
	int plain = t.n > 0;

	for (size_t i = 0; i < t.n && plain; i++) {
		char c = t.p[i];

		plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '_' || c == '+' ||
		    c == '.' || c == ':' || c == '-' || c == '@' || c == '$';
	}
	if (code && plain) {
		ob_putc(o, '`');
		ob_span(o, t);
		ob_putc(o, '`');
	} else if (t.n == 0)
		ob_puts(o, "(empty)");
	else
		md_text(o, t);
	sb_free(&sb);
}

/* "op, lr" */
static void
md_keynames(struct ob *o, const struct report *r)
{
	for (size_t i = 0; i < r->nkey; i++) {
		if (i > 0)
			ob_puts(o, ", ");
		md_text(o, r->keycol[i]);
	}
}

static void
md_keycells(struct ob *o, const struct report *r, const struct rrow *w)
{
	for (size_t i = 0; i < r->nkey; i++) {
		md_keyval(o, w->key[i], (int)i == r->addrcol);
		ob_puts(o, " | ");
	}
}

static void
md_keyhead(struct ob *o, const struct report *r)
{
	for (size_t i = 0; i < r->nkey; i++) {
		md_text(o, r->keycol[i]);
		ob_puts(o, " | ");
	}
}

static void
md_keyrule(struct ob *o, const struct report *r)
{
	for (size_t i = 0; i < r->nkey; i++)
		ob_puts(o, "----|");
}

/* The first max values of a tally cell, then " (+k)". */
static void
md_values(struct ob *o, const struct tally_cell *c, size_t max, const char *sep)
{
	struct sbuf sb = { 0 };

	for (size_t i = 0; i < c->n && i < max; i++) {
		if (i > 0)
			ob_puts(o, sep);
		md_text(o, rp_val(c->val[i], &sb));
	}
	if (c->n > max)
		ob_printf(o, " (+%zu)", c->n - max);
	sb_free(&sb);
}

/* A compact bar: eighths of a cell, scaled to max, at most width cells. */
static void
md_bar(struct ob *o, uint64_t v, uint64_t max, int width)
{
	static const char *const part[] = { "", "▏", "▎", "▍", "▌", "▋",
	    "▊", "▉" };
	uint64_t eighths;

	if (max == 0 || v == 0)
		return;
	eighths = (uint64_t)((double)v / (double)max * width * 8 + 0.5);
	if (eighths == 0)
		eighths = 1;
	for (; eighths >= 8; eighths -= 8)
		ob_puts(o, "█");
	ob_puts(o, part[eighths]);
}

static void
md_count(struct ob *o, uint64_t v, uint64_t max)
{
	put_thousands(o, v);
	if (max > 0) {
		ob_putc(o, ' ');
		md_bar(o, v, max, 8);
	}
}

static int
group_shown(const struct report *r, size_t i)
{
	return (int)i == r->groupcol;
}

static const char *
keys(size_t n)
{
	return n == 1 ? "key" : "keys";
}

static const char *
fires(uint64_t n)
{
	return n == 1 ? "fire" : "fires";
}

static void
md_totals(struct ob *o, const struct report *r)
{
	const struct totals *t = &r->t;

	ob_puts(o, "## Totals\n\n| | ");
	md_str(o, r->ref);
	ob_puts(o, " | ");
	md_str(o, r->cand);
	ob_puts(o, " |\n|---|--:|--:|\n| fires | ");
	put_thousands(o, t->ref_fires);
	ob_puts(o, " | ");
	put_thousands(o, t->cand_fires);
	ob_puts(o, " |\n| distinct keys (");
	md_keynames(o, r);
	ob_puts(o, ") | ");
	put_thousands(o, t->ref_keys);
	ob_puts(o, " | ");
	put_thousands(o, t->cand_keys);
	ob_puts(o, " |\n\n");

	ob_puts(o, "- Missing (in ");
	md_str(o, r->ref);
	ob_puts(o, ", never in ");
	md_str(o, r->cand);
	ob_printf(o, "): **%zu** %s carrying **", t->missing_keys,
	    keys(t->missing_keys));
	put_thousands(o, t->missing_fires);
	ob_puts(o, "** ");
	md_str(o, r->ref);
	ob_puts(o, " fires (");
	put_pct(o, t->missing_fires, t->ref_fires, 1);
	ob_puts(o, "% of ");
	md_str(o, r->ref);
	ob_puts(o, "'s ");
	put_thousands(o, t->ref_fires);
	ob_puts(o, " fires).\n");
	ob_printf(o, "- Matched (in both): **%zu** %s carrying **",
	    t->matched_keys, keys(t->matched_keys));
	put_thousands(o, t->matched_fires);
	ob_puts(o, "** ");
	md_str(o, r->ref);
	ob_puts(o, " fires and **");
	put_thousands(o, t->matched_cand_fires);
	ob_puts(o, "** ");
	md_str(o, r->cand);
	ob_puts(o, " fires.\n");
	ob_printf(o, "- Under-firing (matched keys flagged by trace-join): "
	    "**%zu** %s.\n", t->under_keys, keys(t->under_keys));
	ob_puts(o, "- Extra (in ");
	md_str(o, r->cand);
	ob_puts(o, ", never in ");
	md_str(o, r->ref);
	ob_printf(o, "): **%zu** %s carrying **", t->extra_keys,
	    keys(t->extra_keys));
	put_thousands(o, t->extra_fires);
	ob_puts(o, "** ");
	md_str(o, r->cand);
	ob_puts(o, " fires.\n\n");
}

static void
md_missing(struct ob *o, const struct report *r)
{
	size_t n = r->nmissing < r->top ? r->nmissing : r->top, i, j;
	uint64_t max = r->nmissing > 0 ? r->row[r->missing[0]].ref : 0;

	ob_puts(o, "## Top missing keys (");
	md_str(o, r->ref);
	ob_puts(o, " fires N, ");
	md_str(o, r->cand);
	ob_puts(o, " fires 0)\n\n");
	if (r->nmissing == 0) {
		ob_puts(o, "None.\n\n");
		return;
	}
	ob_puts(o, "| # | ");
	md_keyhead(o, r);
	md_str(o, r->ref);
	ob_puts(o, " fires | ");
	for (j = 0; j < r->nrt; j++)
		if (!r->rtrange[j]) {
			md_str(o, r->ref);
			ob_putc(o, ' ');
			md_text(o, r->rtcol[j]);
			ob_puts(o, "s | ");
		}
	ob_puts(o, "likely fn |\n|--:|");
	md_keyrule(o, r);
	ob_puts(o, "--:|");
	for (j = 0; j < r->nrt; j++)
		if (!r->rtrange[j])
			ob_puts(o, "--|");
	ob_puts(o, "---|\n");
	for (i = 0; i < n; i++) {
		const struct rrow *w = &r->row[r->missing[i]];

		ob_printf(o, "| %zu | ", i + 1);
		md_keycells(o, r, w);
		md_count(o, w->ref, max);
		ob_puts(o, " | ");
		for (j = 0; j < r->nrt; j++)
			if (!r->rtrange[j]) {
				if (group_shown(r, j))
					md_values(o, &w->rt[j], 6, ",");
				else
					md_values(o, &w->rt[j], 3, ", ");
				ob_puts(o, " | ");
			}
		md_str(o, rp_note(w, "(unknown)"));
		ob_puts(o, " |\n");
	}
	if (r->nmissing > n)
		ob_printf(o, "\n%zu of %zu missing keys shown.\n", n,
		    r->nmissing);
	ob_putc(o, '\n');
}

static void
md_under(struct ob *o, const struct report *r)
{
	size_t n = r->nunder < r->undertop ? r->nunder : r->undertop, i;
	uint64_t max = 0;

	/* One scale for both columns: the largest count shown. */
	for (i = 0; i < n; i++) {
		const struct rrow *w = &r->row[r->under[i]];

		if (w->ref > max)
			max = w->ref;
		if (w->cand > max)
			max = w->cand;
	}

	ob_puts(o, "## Top under-firing matched keys (");
	md_str(o, r->ref);
	ob_puts(o, " >>> ");
	md_str(o, r->cand);
	ob_puts(o, ")\n\n");
	if (r->nunder == 0) {
		ob_puts(o, "None.\n\n");
		return;
	}
	ob_puts(o, "| ");
	md_keyhead(o, r);
	md_str(o, r->ref);
	ob_puts(o, " | ");
	md_str(o, r->cand);
	ob_puts(o, " | ratio | likely fn |\n|");
	md_keyrule(o, r);
	ob_puts(o, "--:|--:|--:|---|\n");
	for (i = 0; i < n; i++) {
		const struct rrow *w = &r->row[r->under[i]];

		ob_puts(o, "| ");
		md_keycells(o, r, w);
		md_count(o, w->ref, max);
		ob_puts(o, " | ");
		md_count(o, w->cand, max);
		ob_puts(o, " | ");
		put_pct(o, w->cand, w->ref, 2);
		ob_puts(o, "% | ");
		md_str(o, rp_note(w, "(unknown)"));
		ob_puts(o, " |\n");
	}
	if (r->nunder > n)
		ob_printf(o, "\n%zu of %zu under-firing keys shown.\n", n,
		    r->nunder);
	ob_puts(o, "\nratio = ");
	md_str(o, r->cand);
	ob_puts(o, " fires / ");
	md_str(o, r->ref);
	ob_puts(o, " fires of the key.\n\n");
}

/* Rows of a family or watch list: address first, then the other key
 * columns. */
static void
md_addrrows(struct ob *o, const struct report *r, const size_t *rows,
    size_t n)
{
	size_t i, j;

	ob_puts(o, "| ");
	md_text(o, r->keycol[r->addrcol]);
	ob_puts(o, " | ");
	for (j = 0; j < r->nkey; j++)
		if ((int)j != r->addrcol) {
			md_text(o, r->keycol[j]);
			ob_puts(o, " | ");
		}
	md_str(o, r->ref);
	ob_puts(o, " | ");
	md_str(o, r->cand);
	ob_puts(o, " | likely fn |\n|----|");
	for (j = 1; j < r->nkey; j++)
		ob_puts(o, "----|");
	ob_puts(o, "--:|--:|---|\n");
	for (i = 0; i < n; i++) {
		const struct rrow *w = &r->row[rows[i]];

		ob_puts(o, "| ");
		md_keyval(o, w->key[r->addrcol], 1);
		ob_puts(o, " | ");
		for (j = 0; j < r->nkey; j++)
			if ((int)j != r->addrcol) {
				md_keyval(o, w->key[j], 0);
				ob_puts(o, " | ");
			}
		put_thousands(o, w->ref);
		ob_puts(o, " | ");
		put_thousands(o, w->cand);
		ob_puts(o, " | ");
		md_str(o, rp_note(w, "(unknown)"));
		ob_puts(o, " |\n");
	}
}

static void
md_families(struct ob *o, const struct report *r)
{
	size_t k, i;

	for (k = 0; k < r->nfam; k++) {
		const struct family *f = &r->fam[k];

		ob_puts(o, "## Family ");
		md_str(o, f->name);
		ob_printf(o, " (%zu addresses)\n\n", f->n);
		if (f->nrows == 0)
			ob_puts(o, "No key of the family fires in ");
		else {
			ob_printf(o, "Keys of the family that fire in ");
		}
		md_str(o, r->ref);
		ob_puts(o, f->nrows == 0 ? ".\n\n" : ":\n\n");
		if (f->nrows > 0) {
			md_addrrows(o, r, f->rows, f->nrows);
			ob_putc(o, '\n');
		}
	}
	if (r->nfam == 0)
		return;
	ob_printf(o, "Of %zu missing keys: ", r->nmissing);
	for (k = 0; k < r->nfam; k++) {
		ob_printf(o, "**%zu** in ", r->fam[k].missing);
		md_str(o, r->fam[k].name);
		ob_puts(o, ", ");
	}
	ob_printf(o, "**%zu** in no family (fresh).\n\n", r->fresh);
	if (r->fresh > 0) {
		size_t n = r->fresh < r->freshtop ? r->fresh : r->freshtop;

		ob_puts(o, "### Fresh missing keys\n\n");
		for (i = 0; i < n; i++) {
			const struct rrow *w = &r->row[r->freshrows[i]];

			ob_puts(o, "- ");
			for (size_t j = 0; j < r->nkey; j++) {
				if (j > 0)
					ob_puts(o, ", ");
				md_keyval(o, w->key[j], (int)j == r->addrcol);
			}
			ob_puts(o, ": ");
			put_thousands(o, w->ref);
			ob_putc(o, ' ');
			md_str(o, r->ref);
			ob_puts(o, " fires");
			if (r->groupcol >= 0) {
				ob_puts(o, ", ");
				md_text(o, r->rtcol[r->groupcol]);
				ob_puts(o, "s ");
				md_values(o, &w->rt[r->groupcol], 5, ",");
			}
			ob_putc(o, '\n');
		}
		if (r->fresh > n)
			ob_printf(o, "- … and %zu more\n", r->fresh - n);
		ob_putc(o, '\n');
	}
}

static void
md_watch(struct ob *o, const struct report *r)
{
	size_t k, i, n = 0, *rows;

	if (r->nwatch == 0)
		return;
	ob_puts(o, "## Watch list\n\n");
	for (k = 0; k < r->nwatch; k++)
		n += r->watch[k].nrows;
	rows = xcalloc(n + 1, sizeof(*rows));
	for (k = n = 0; k < r->nwatch; k++)
		for (i = 0; i < r->watch[k].nrows; i++)
			rows[n++] = r->watch[k].rows[i];
	if (n > 0) {
		md_addrrows(o, r, rows, n);
		ob_putc(o, '\n');
	}
	for (k = i = 0; k < r->nwatch; k++)
		if (r->watch[k].nrows == 0)
			i++;
	if (i > 0) {
		char b[24];

		ob_printf(o, "Watched addresses in neither trace (%zu): ", i);
		for (k = n = 0; k < r->nwatch; k++)
			if (r->watch[k].nrows == 0) {
				snprintf(b, sizeof(b), "0x%08llx",
				    (unsigned long long)r->watch[k].addr);
				ob_printf(o, "%s`%s`", n++ ? ", " : "", b);
			}
		ob_puts(o, ".\n\n");
	}
	free(rows);
}

static void
md_groups(struct ob *o, const struct report *r)
{
	size_t i, j, k;
	uint64_t max = r->ngroup > 0 ? r->group[0].total : 0;
	struct sbuf sb = { 0 };

	if (r->groupcol < 0)
		return;
	ob_puts(o, "## By ");
	md_str(o, r->ref);
	ob_putc(o, ' ');
	md_str(o, r->groupby);
	ob_puts(o, "\n\n| ");
	md_str(o, r->ref);
	ob_putc(o, ' ');
	md_str(o, r->groupby);
	ob_puts(o, " | total fires | matched fires | missing fires | "
	    "distinct keys | analog in ");
	md_str(o, r->cand);
	ob_puts(o, "? |\n|--:|--:|--:|--:|--:|---|\n");
	for (i = 0; i < r->ngroup; i++) {
		const struct group *g = &r->group[i];

		ob_puts(o, "| ");
		md_text(o, rp_val(g->value, &sb));
		ob_puts(o, " | ");
		md_count(o, g->total, max);
		ob_puts(o, " | ");
		put_thousands(o, g->matched);
		ob_puts(o, " | ");
		put_thousands(o, g->missing);
		ob_printf(o, " | %zu | %s |\n", g->keys,
		    g->matched > 0 ? "YES" : "NO");
	}
	ob_putc(o, '\n');
	if (r->noanalog == 0) {
		ob_puts(o, "Every ");
		md_str(o, r->ref);
		ob_putc(o, ' ');
		md_str(o, r->groupby);
		ob_puts(o, " has at least one matched fire.\n\n");
		sb_free(&sb);
		return;
	}
	ob_puts(o, "### ");
	md_str(o, r->ref);
	ob_putc(o, ' ');
	md_str(o, r->groupby);
	ob_puts(o, "s with no matched fire\n\n");
	ob_printf(o, "%zu of %zu ", r->noanalog, r->ngroup);
	md_str(o, r->groupby);
	ob_puts(o, "s fire only on keys that ");
	md_str(o, r->cand);
	ob_puts(o, " never fires:\n\n");
	for (i = 0; i < r->ngroup; i++) {
		const struct group *g = &r->group[i];
		size_t shown = 0;

		if (g->matched > 0)
			continue;
		ob_puts(o, "- **");
		md_str(o, r->groupby);
		ob_putc(o, ' ');
		md_text(o, rp_val(g->value, &sb));
		ob_puts(o, "** (");
		put_thousands(o, g->total);
		ob_printf(o, " %s): ", fires(g->total));
		/* Its keys, most fires first (rows are in missing order). */
		for (j = 0; j < r->nmissing && shown < 6; j++) {
			const struct rrow *w = &r->row[r->missing[j]];
			const struct tally_cell *c = &w->rt[r->groupcol];

			for (k = 0; k < c->n; k++)
				if (span_eq(c->val[k], g->value))
					break;
			if (k == c->n)
				continue;
			if (shown++ > 0)
				ob_puts(o, ", ");
			for (size_t m = 0; m < r->nkey; m++) {
				if (m > 0)
					ob_putc(o, ' ');
				md_keyval(o, w->key[m], (int)m == r->addrcol);
			}
			ob_puts(o, " ×");
			put_thousands(o, c->cnt[k]);
			if (w->note != NULL) {
				ob_puts(o, " (");
				md_str(o, w->note);
				ob_putc(o, ')');
			}
		}
		if (g->keys > shown)
			ob_printf(o, ", … (%zu keys in all)", g->keys);
		ob_puts(o, ".\n");
	}
	ob_putc(o, '\n');
	sb_free(&sb);
}

static void
md_extra(struct ob *o, const struct report *r)
{
	size_t n = r->nextra < r->top ? r->nextra : r->top, i;

	if (r->nextra == 0)
		return;
	ob_puts(o, "## Extra keys (");
	md_str(o, r->cand);
	ob_puts(o, " fires N, ");
	md_str(o, r->ref);
	ob_puts(o, " fires 0)\n\n| ");
	md_keyhead(o, r);
	md_str(o, r->cand);
	ob_puts(o, " fires | likely fn |\n|");
	md_keyrule(o, r);
	ob_puts(o, "--:|---|\n");
	for (i = 0; i < n; i++) {
		const struct rrow *w = &r->row[r->extra[i]];

		ob_puts(o, "| ");
		md_keycells(o, r, w);
		put_thousands(o, w->cand);
		ob_puts(o, " | ");
		md_str(o, rp_note(w, "(unknown)"));
		ob_puts(o, " |\n");
	}
	if (r->nextra > n)
		ob_printf(o, "\n%zu of %zu extra keys shown.\n", n, r->nextra);
	ob_putc(o, '\n');
}

void
write_md(const struct report *r, struct ob *o)
{
	const struct totals *t = &r->t;

	ob_puts(o, "# ");
	if (r->title != NULL)
		md_str(o, r->title);
	else {
		ob_puts(o, "Fire-pattern diff: ");
		md_str(o, r->ref);
		ob_puts(o, " vs ");
		md_str(o, r->cand);
	}
	ob_puts(o, "\n\n## Headline\n\n");
	switch (r->headline) {
	case HL_SAME:
		ob_puts(o, "**SAME** — every ");
		md_str(o, r->ref);
		ob_puts(o, " key (");
		md_keynames(o, r);
		ob_puts(o, ") fires in ");
		md_str(o, r->cand);
		ob_puts(o, " too.\n\n");
		break;
	case HL_DIVERGENT:
	case HL_INCONCLUSIVE:
		ob_puts(o, r->headline == HL_DIVERGENT ? "**DIVERGENT** — " :
		    "**INCONCLUSIVE** — ");
		ob_printf(o, "%zu ", t->missing_keys);
		md_str(o, r->ref);
		ob_printf(o, " key%s (", t->missing_keys == 1 ? "" : "s");
		md_keynames(o, r);
		ob_printf(o, ") never fire%s in ", t->missing_keys == 1 ? "s" :
		    "");
		md_str(o, r->cand);
		ob_puts(o, ", carrying ");
		put_thousands(o, t->missing_fires);
		ob_putc(o, ' ');
		md_str(o, r->ref);
		ob_printf(o, " %s (", fires(t->missing_fires));
		put_pct(o, t->missing_fires, t->ref_fires, 1);
		ob_printf(o, "%% of its volume; %s than %llu).\n\n",
		    r->headline == HL_DIVERGENT ? "more" : "not more",
		    (unsigned long long)r->divergent_fires);
		break;
	}
	md_totals(o, r);
	md_missing(o, r);
	md_under(o, r);
	md_families(o, r);
	md_watch(o, r);
	md_groups(o, r);
	md_extra(o, r);
}
