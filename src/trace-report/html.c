/*
 * html.c - the HTML report: one self-contained page, no external assets
 * and no JavaScript, with the sections of the Markdown report and inline
 * SVG bar charts: reference vs candidate fires of the top missing and
 * under-firing keys, and per group the split of matched and missing
 * fires.  Colours are the Okabe-Ito palette (readable by colour-blind
 * readers and in grey print); every bar carries its number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define C_REF	"#0072B2"	/* blue: reference fires */
#define C_CAND	"#E69F00"	/* orange: candidate fires */
#define C_MISS	"#D55E00"	/* vermillion: missing fires */
#define C_MATCH	"#009E73"	/* green: matched fires */

static void
h_text(struct ob *o, struct span s)
{
	size_t i, k, run = 0;
	unsigned cp;
	char u[8];

	for (i = 0; i < s.n; i++) {
		const char *e;
		unsigned char c = (unsigned char)s.p[i];

		k = 0;
		switch (c) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		case '\t': e = "\\t"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		default:
			if (c < 0x20 || c == 0x7f)
				e = "\xef\xbf\xbd";	/* U+FFFD */
			else if ((k = bidi_len((const unsigned char *)
			    s.p + i, s.n - i, &cp)) > 0) {
				snprintf(u, sizeof(u), "\\u%04X", cp);
				e = u;
			} else
				continue;
		}
		ob_write(o, s.p + run, i - run);
		ob_puts(o, e);
		i += k > 0 ? k - 1 : 0;
		run = i + 1;
	}
	ob_write(o, s.p + run, s.n - run);
}

static void
h_str(struct ob *o, const char *s)
{
	h_text(o, span_str(s));
}

/* "op lr" text of a row, for chart labels and lists. */
static void
h_label(struct ob *o, const struct report *r, const struct rrow *w)
{
	for (size_t i = 0; i < r->nkey; i++) {
		if (i > 0)
			ob_putc(o, ' ');
		put_key(o, rp_kv(r, w, i), h_text);
	}
}

/*
 * A chart label: the longest that fits left of the bars is about
 * CHART_LABEL_MAX characters; a longer one is shortened in the middle
 * with an ellipsis (the ends tell keys apart: a name's start, an
 * address's end) and shown whole in a tooltip.
 */
#define CHART_LABEL_MAX	40

/* Bytes of the first n characters (UTF-8) of s, or s.n. */
static size_t
utf8_prefix(struct span s, size_t n)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (((unsigned char)s.p[i] & 0xc0) != 0x80 && n-- == 0)
			break;
	return i;
}

static void
h_chart_label(struct ob *o, const struct report *r, const struct rrow *w)
{
	struct sbuf all = { 0 }, sb = { 0 };
	struct span t;
	size_t i, nch = 0, head, tail;

	for (i = 0; i < r->nkey; i++) {
		struct span k = rp_key(rp_kv(r, w, i), &sb);

		if (i > 0)
			sb_addc(&all, ' ');
		sb_add(&all, k.p, k.n);
	}
	t = span_make(all.p, all.len);
	for (i = 0; i < t.n; i++)
		nch += ((unsigned char)t.p[i] & 0xc0) != 0x80;
	if (nch <= CHART_LABEL_MAX)
		h_label(o, r, w);
	else {
		ob_puts(o, "<title>");
		h_label(o, r, w);
		ob_puts(o, "</title>");
		head = utf8_prefix(t, CHART_LABEL_MAX / 2 - 1);
		tail = utf8_prefix(t, nch - CHART_LABEL_MAX / 2);
		h_text(o, span_make(t.p, head));
		ob_puts(o, "\u2026");
		h_text(o, span_make(t.p + tail, t.n - tail));
	}
	sb_free(&all);
	sb_free(&sb);
}

static void
h_num(struct ob *o, uint64_t v)
{
	put_thousands(o, v);
}

/* A column name of the join, decoded. */
static void
h_col(struct ob *o, struct span v)
{
	put_key(o, v, h_text);
}

/* A label: the brief one when the column has it. */
static void
h_th(struct ob *o, const struct column *c)
{
	const struct label *l = c->brief.side != NULL ||
	    c->brief.name != NULL || c->brief.text != NULL ? &c->brief :
	    &c->head;

	ob_puts(o, "<th>");
	put_label(o, l, h_text, h_col);
	ob_puts(o, "</th>");
}

/* Whether column c is right-aligned (class n). */
static int
h_numeric(enum colkind k)
{
	return k != COL_TALLY && k != COL_NOTE && k != COL_GANALOG;
}

/*
 * The cells of column c in row i of table t.  Key columns stay in key
 * order, the address in code.
 */
static void
h_cell(struct ob *o, const struct report *r, const struct table *t,
    const struct column *c, size_t i)
{
	const struct rrow *w = t->row != NULL ? &r->row[t->row[i]] : NULL;

	if (c->kind == COL_KEYS || c->kind == COL_ADDRKEYS) {
		for (size_t k = 0; k < r->nkey; k++) {
			ob_puts(o, (int)k == r->addrcol ? "<td><code>" : "<td>");
			put_key(o, rp_kv(r, w, k), h_text);
			ob_puts(o, (int)k == r->addrcol ? "</code></td>" :
			    "</td>");
		}
		return;
	}
	ob_puts(o, h_numeric(c->kind) ? "<td class=\"n\">" : "<td>");
	if (c->kind == COL_NOTE && rp_note(r, w, NULL) == NULL)
		ob_puts(o, "<span class=\"dim\">(unknown)</span>");
	else if (c->kind == COL_NOTE)
		h_str(o, rp_note(r, w, NULL));
	else if (c->kind == COL_GANALOG)
		ob_puts(o, r->group[i].matched > 0 ? "YES" : "<b>NO</b>");
	else
		put_cell(o, r, t, c, i, h_text);
	ob_puts(o, "</td>");
}

/* A table, then "n of m ... shown." when it is cut. */
static void
h_table(struct ob *o, const struct report *r, const struct table *t)
{
	size_t i, j, k, next;

	ob_puts(o, "<table><tr>");
	for (j = 0; j < t->ncol; j++)
		if (t->col[j].kind == COL_KEYS || t->col[j].kind == COL_ADDRKEYS)
			for (k = 0; k < r->nkey; k++) {
				ob_puts(o, "<th>");
				put_key(o, r->keycol[k], h_text);
				ob_puts(o, "</th>");
			}
		else
			h_th(o, &t->col[j]);
	ob_puts(o, "</tr>\n");
	for (i = 0, next = 0; i < t->n; i++) {
		if (i == next && t->row != NULL)
			next = i + rp_batch(r, t->row + i, t->n - i);
		ob_puts(o, "<tr>");
		for (j = 0; j < t->ncol; j++)
			h_cell(o, r, t, &t->col[j], i);
		ob_puts(o, "</tr>\n");
	}
	ob_puts(o, "</table>\n");
	if (t->total > t->n)
		ob_printf(o, "<p>%zu of %zu %s shown.</p>\n", t->n, t->total,
		    t->what);
}

/*
 * A horizontal bar chart: one row per key, one or two bars per row
 * (reference, candidate), scaled to the largest value, numbers beside
 * the bars.
 */
static void
h_chart_pairs(struct ob *o, const struct report *r, const struct table *t,
    const char *title, const char *cls)
{
	const int labw = 260, barw = 420, rowh = 34, top = 28;
	const size_t *rows = t->row, n = t->n;
	uint64_t max = t->scale > 0 ? t->scale : 1;
	size_t i, next;
	ob_printf(o, "<figure><svg class=\"chart %s\" role=\"img\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
	    "viewBox=\"0 0 %d %zu\"><title>", cls, labw + barw + 90,
	    top + n * rowh + 10, labw + barw + 90, top + n * rowh + 10);
	h_str(o, title);
	ob_puts(o, "</title>");
	/* legend */
	ob_printf(o, "<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" "
	    "fill=\"" C_REF "\"/><text x=\"%d\" y=\"16\">", labw, labw + 16);
	h_str(o, r->ref);
	ob_printf(o, "</text><rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" "
	    "fill=\"" C_CAND "\"/><text x=\"%d\" y=\"16\">", labw + 140,
	    labw + 156);
	h_str(o, r->cand);
	ob_puts(o, "</text>");
	for (i = 0, next = 0; i < n; i++) {
		const struct rrow *w = &r->row[rows[i]];
		size_t y = top + i * rowh;
		int wr = (int)((double)w->ref / (double)max * barw + 0.5);
		int wc = (int)((double)w->cand / (double)max * barw + 0.5);

		if (i == next)
			next = i + rp_batch(r, rows + i, n - i);

		ob_printf(o, "<text class=\"label\" x=\"%d\" y=\"%zu\" "
		    "text-anchor=\"end\">", labw - 8, y + 17);
		h_chart_label(o, r, w);
		ob_printf(o, "</text><rect class=\"bar-ref\" x=\"%d\" y=\"%zu\" "
		    "width=\"%d\" height=\"13\" fill=\"" C_REF "\"/>"
		    "<text class=\"num\" x=\"%d\" y=\"%zu\">", labw, y + 2,
		    wr > 0 ? wr : 1, labw + (wr > 0 ? wr : 1) + 4, y + 13);
		h_num(o, w->ref);
		ob_printf(o, "</text><rect class=\"bar-cand\" x=\"%d\" y=\"%zu\" "
		    "width=\"%d\" height=\"13\" fill=\"" C_CAND "\"/>"
		    "<text class=\"num\" x=\"%d\" y=\"%zu\">", labw, y + 16,
		    wc, labw + wc + 4, y + 27);
		h_num(o, w->cand);
		ob_puts(o, "</text>");
	}
	ob_puts(o, "</svg><figcaption>");
	h_str(o, title);
	ob_puts(o, "</figcaption></figure>\n");
}

/*
 * With runs: each key's per-run values as dots on one axis from 0 to the
 * largest shown, the reference's above the candidate's, so that the
 * spread of each side is seen beside the other's.
 */
static void
h_chart_runs(struct ob *o, const struct report *r, const struct table *t,
    const char *cls)
{
	const int labw = 260, axw = 420, rowh = 30, top = 28;
	double max = 0.0, v;
	size_t i, k;

	for (i = 0; i < t->n; i++)
		for (k = 0; k < r->nrefrun + r->ncandrun; k++) {
			int ref = k < r->nrefrun;

			v = rp_run_value(r, &r->row[t->row[i]], ref,
			    ref ? k : k - r->nrefrun);
			if (v > max)
				max = v;
		}
	if (max <= 0.0)
		max = 1.0;
	ob_printf(o, "<figure><svg class=\"chart runs %s\" role=\"img\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
	    "viewBox=\"0 0 %d %zu\"><title>", cls, labw + axw + 90,
	    top + t->n * rowh + 10, labw + axw + 90, top + t->n * rowh + 10);
	say(o, h_text, "Per run: %s (above) and %s (below)", r->ref, r->cand);
	ob_printf(o, "</title><circle cx=\"%d\" cy=\"12\" r=\"5\" fill=\""
	    C_REF "\"/><text x=\"%d\" y=\"16\">", labw + 6, labw + 16);
	h_str(o, r->ref);
	ob_printf(o, "</text><circle cx=\"%d\" cy=\"12\" r=\"5\" fill=\""
	    C_CAND "\"/><text x=\"%d\" y=\"16\">", labw + 146, labw + 156);
	h_str(o, r->cand);
	ob_puts(o, "</text>");
	for (i = 0; i < t->n; i++) {
		const struct rrow *w = &r->row[t->row[i]];
		size_t y = top + i * rowh;

		ob_printf(o, "<text class=\"label\" x=\"%d\" y=\"%zu\" "
		    "text-anchor=\"end\">", labw - 8, y + 17);
		h_chart_label(o, r, w);
		ob_printf(o, "</text><line x1=\"%d\" y1=\"%zu\" x2=\"%d\" "
		    "y2=\"%zu\" stroke=\"#999\"/>", labw, y + 13, labw + axw,
		    y + 13);
		for (k = 0; k < r->nrefrun + r->ncandrun; k++) {
			int ref = k < r->nrefrun;
			size_t run = ref ? k : k - r->nrefrun;

			v = rp_run_value(r, w, ref, run);
			ob_printf(o, "<circle class=\"dot-%s\" cx=\"%.1f\" "
			    "cy=\"%zu\" r=\"4\" fill=\"%s\" fill-opacity=\"0.7\">"
			    "<title>", ref ? "ref" : "cand", labw + v / max *
			    axw, ref ? y + 7 : y + 19, ref ? C_REF : C_CAND);
			say(o, h_text, "%s run ", ref ? r->ref : r->cand);
			h_text(o, ref ? r->refrun[run] : r->candrun[run]);
			ob_printf(o, ": %.6g</title></circle>", v);
		}
	}
	ob_printf(o, "<text class=\"num\" x=\"%d\" y=\"%d\">%.6g</text>",
	    labw + axw + 4, top + 17, max);
	ob_puts(o, "</svg><figcaption>");
	say(o, h_text, "Per run of each key above: %s (above the line) and %s "
	    "(below), from 0 to the largest", r->ref, r->cand);
	ob_puts(o, r->hasrate ? " rate" : " count");
	ob_puts(o, "</figcaption></figure>\n");
}

/* Per group: a stacked bar of matched and missing fires. */
static void
h_chart_groups(struct ob *o, const struct report *r, size_t n)
{
	const int labw = 90, barw = 520, rowh = 22, top = 28;
	uint64_t max = r->tgroups.scale > 0 ? r->tgroups.scale : 1;
	size_t i;
	struct sbuf sb = { 0 };
	ob_printf(o, "<figure><svg class=\"chart groups\" role=\"img\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
	    "viewBox=\"0 0 %d %zu\"><title>", labw + barw + 120,
	    top + n * rowh + 10, labw + barw + 120, top + n * rowh + 10);
	ob_puts(o, "Fires per ");
	h_str(o, r->groupby);
	ob_printf(o, ": matched and missing</title><rect x=\"%d\" y=\"6\" "
	    "width=\"12\" height=\"12\" fill=\"" C_MATCH "\"/><text x=\"%d\" "
	    "y=\"16\">matched</text><rect x=\"%d\" y=\"6\" width=\"12\" "
	    "height=\"12\" fill=\"" C_MISS "\"/><text x=\"%d\" y=\"16\">"
	    "missing</text>", labw, labw + 16, labw + 110, labw + 126);
	for (i = 0; i < n; i++) {
		const struct group *g = &r->group[i];
		size_t y = top + i * rowh;
		int wm = (int)((double)g->matched / (double)max * barw + 0.5);
		int wx = (int)((double)g->missing / (double)max * barw + 0.5);

		ob_printf(o, "<text class=\"label\" x=\"%d\" y=\"%zu\" "
		    "text-anchor=\"end\">", labw - 8, y + 14);
		h_text(o, rp_val(g->value, &sb));
		ob_printf(o, "</text><rect class=\"bar-matched\" x=\"%d\" "
		    "y=\"%zu\" width=\"%d\" height=\"16\" fill=\"" C_MATCH "\"/>"
		    "<rect class=\"bar-missing\" x=\"%d\" y=\"%zu\" width=\"%d\" "
		    "height=\"16\" fill=\"" C_MISS "\"/><text class=\"num\" "
		    "x=\"%d\" y=\"%zu\">", labw, y, wm, labw + wm, y, wx,
		    labw + wm + wx + 4, y + 13);
		say(o, h_text, "%n + %n</text>", g->matched, g->missing);
	}
	ob_puts(o, "</svg><figcaption>Fires per ");
	h_str(o, r->groupby);
	ob_puts(o, ": matched (green) and missing (vermillion)");
	if (r->ngroup > n) {
		ob_printf(o, "; %zu of %zu ", n, r->ngroup);
		h_str(o, r->groupby);
		ob_puts(o, "s shown");
	}
	ob_puts(o, "</figcaption></figure>\n");
	sb_free(&sb);
}

static void
h_totals(struct ob *o, const struct report *r)
{
	const struct totals *t = &r->t;

	say(o, h_text, "<h2>Totals</h2>\n<table><tr><th></th><th>%s</th>"
	    "<th>%s</th></tr>\n", r->ref, r->cand);
	say(o, h_text, "<tr><td>fires</td><td class=\"n\">%n</td>"
	    "<td class=\"n\">%n</td></tr>\n", t->ref_fires, t->cand_fires);
	say(o, h_text, "<tr><td>distinct keys</td><td class=\"n\">%n</td>"
	    "<td class=\"n\">%n</td></tr></table>\n<ul>\n",
	    (uint64_t)t->ref_keys, (uint64_t)t->cand_keys);
	say(o, h_text, "<li>Missing: <b>%n</b> keys carrying <b>%n</b> %s "
	    "fires (%p%% of its volume).</li>\n", (uint64_t)t->missing_keys,
	    t->missing_fires, r->ref, t->missing_fires, t->ref_fires);
	say(o, h_text, "<li>Matched: <b>%n</b> keys carrying <b>%n</b> %s "
	    "fires and <b>%n</b> %s fires.</li>\n", (uint64_t)t->matched_keys,
	    t->matched_fires, r->ref, t->matched_cand_fires, r->cand);
	say(o, h_text, "<li>Under-firing: <b>%n</b> matched keys flagged by "
	    "trace-join.</li>\n", (uint64_t)t->under_keys);
	say(o, h_text, "<li>Extra: <b>%n</b> keys carrying <b>%n</b> %s "
	    "fires.</li>\n", (uint64_t)t->extra_keys, t->extra_fires,
	    r->cand);
	if (r->hasover)
		say(o, h_text, "<li>Over-firing: <b>%n</b> matched keys flagged "
		    "by trace-join.</li>\n", (uint64_t)t->over_keys);
	if (t->empty_component_keys > 0) {
		ob_puts(o, "<li>");
		say_empty_component(o, r, h_text);
		ob_puts(o, "</li>\n");
	}
	ob_puts(o, "</ul>\n");
	if (r->hasruns) {
		ob_puts(o, "<p>");
		say_runs(o, r, h_text);
		ob_puts(o, "</p>\n");
	}
	if (r->hasrate) {
		ob_puts(o, "<p>");
		say_rates(o, r, h_text);
		ob_puts(o, "</p>\n");
	}
}

/* A ranked list with its chart, or "None.". */
static void
h_ranked(struct ob *o, const struct report *r, const struct table *t,
    const char *id, const char *title, const char *chart)
{
	ob_printf(o, "<h2 id=\"%s\">%s</h2>\n", id, title);
	if (t->n == 0) {
		ob_puts(o, "<p>None.</p>\n");
		return;
	}
	h_chart_pairs(o, r, t, chart, id);
	if (r->hasruns)
		h_chart_runs(o, r, t, id);
	h_table(o, r, t);
}

static const struct markup h_markup = {
	h_text, h_col, h_text, h_label, "<li>", "</li>\n", "<b>", "</b>", "<p>",
	"</p>\n", "<h3>Fresh missing keys</h3>\n<ul>\n", "</ul>\n"
};

static void
h_families(struct ob *o, const struct report *r)
{
	for (size_t k = 0; k < r->nfam; k++) {
		say(o, h_text, "<h2>Family %s (%z addresses)</h2>\n",
		    r->fam[k].name, r->fam[k].n);
		if (r->tfam[k].n == 0)
			ob_puts(o, "<p>No key of the family fires.</p>\n");
		else
			h_table(o, r, &r->tfam[k]);
	}
	put_famsum(o, r, &h_markup);
}

/* With a watch list: its rows and the addresses in neither trace. */
static void
h_watch(struct ob *o, const struct report *r)
{
	ob_puts(o, "<h2>Watch list</h2>\n");
	if (r->twatch.n > 0)
		h_table(o, r, &r->twatch);
	for (size_t i = 0; i < r->nabsent; i++)
		ob_printf(o, "<p>Watched address <code>0x%08llx</code> is "
		    "in neither trace.</p>\n",
		    (unsigned long long)r->watch[r->absent[i]].addr);
}

static void
h_groups(struct ob *o, const struct report *r)
{
	struct sbuf sb = { 0 };

	if (r->groupcol < 0)
		return;
	ob_puts(o, "<h2 id=\"groups\">By ");
	h_str(o, r->ref);
	ob_putc(o, ' ');
	h_str(o, r->groupby);
	ob_puts(o, "</h2>\n");
	if (r->groupchart > 0)
		h_chart_groups(o, r, r->groupchart);
	h_table(o, r, &r->tgroups);
	if (r->noanalog == 0)
		return;
	ob_printf(o, "<p>%zu of %zu ", r->noanalog, r->ngroup);
	h_str(o, r->groupby);
	ob_puts(o, "s fire only on keys that ");
	h_str(o, r->cand);
	ob_puts(o, " never fires: ");
	for (size_t i = 0; i < r->norphan; i++) {
		if (i > 0)
			ob_puts(o, ", ");
		h_text(o, rp_val(r->group[r->orphan[i].group].value, &sb));
	}
	if (r->noanalog > r->norphan)
		ob_printf(o, ", \u2026 (%zu of %zu shown)", r->norphan,
		    r->noanalog);
	ob_puts(o, ".</p>\n");
	sb_free(&sb);
}

/* A thread's missing or moved keys, the first few, in a cell. */
static void
h_thread_keys(struct ob *o, const struct report *r, const size_t *v,
    size_t n)
{
	for (size_t i = 0; i < n && i < 6; i++) {
		if (i > 0)
			ob_puts(o, ", ");
		ob_puts(o, "<code>");
		h_label(o, r, &r->row[v[i]]);
		ob_puts(o, "</code>");
	}
	if (n > 6)
		ob_printf(o, ", \u2026 (%zu in all)", n);
}

static void
h_threads(struct ob *o, const struct report *r)
{
	struct sbuf sb = { 0 };

	if (r->groupcol < 0)
		return;
	say(o, h_text, "<h2 id=\"threads\">Thread map (%s %s \u2192 %s %s)"
	    "</h2>\n", r->ref, r->groupby, r->cand, r->groupby);
	if (!r->hasmap) {
		say(o, h_text, "<p>No thread map: %s.</p>\n", r->nomap);
		return;
	}
	say(o, h_text, "<table><tr><th>%s %s</th><th>fires</th><th>%s "
	    "analogs</th><th>similarity</th><th>missing keys</th><th>moved "
	    "keys</th></tr>\n", r->ref, r->groupby, r->cand);
	for (size_t i = 0; i < r->nthreadshown; i++) {
		const struct thread *t = &r->thread[i];

		ob_puts(o, "<tr><td class=\"n\">");
		h_text(o, rp_val(t->tid, &sb));
		ob_puts(o, "</td><td class=\"n\">");
		put_thousands(o, t->fires);
		ob_puts(o, "</td><td>");
		if (t->nanalog == 0)
			ob_puts(o, "none");
		for (size_t k = 0; k < t->nanalog; k++) {
			if (k > 0)
				ob_puts(o, ", ");
			h_text(o, rp_val(r->cthread[t->analog[k]], &sb));
			ob_printf(o, " (%.3f)", t->asim[k]);
		}
		ob_printf(o, "</td><td class=\"n\">%.3f</td><td>", t->sim);
		h_thread_keys(o, r, t->missing, t->nmissing);
		ob_puts(o, "</td><td>");
		h_thread_keys(o, r, t->moved, t->nmoved);
		ob_puts(o, "</td></tr>\n");
	}
	ob_puts(o, "</table>\n");
	if (r->nthread > r->nthreadshown) {
		ob_printf(o, "<p>%zu of %zu ", r->nthreadshown, r->nthread);
		h_str(o, r->groupby);
		ob_puts(o, "s shown.</p>\n");
	}
	ob_puts(o, "<p>");
	say_thread_map(o, r, h_text);
	ob_puts(o, "</p>\n");
	sb_free(&sb);
}

/* Columns of a timeline chart at most: more bins are summed in groups. */
#define TL_COLS	120

/* Timelines: per key, the reference's fires per bin above a line, the
 * candidate's below, on one scale. */
static void
h_timelines(struct ob *o, const struct report *r)
{
	size_t n = r->tlbins, g, nc, i, k;
	uint64_t *rv, *cv, *rc, *cc, max;
	const int colw = 3, half = 16;

	if (r->notl != NULL) {
		say(o, h_text, "<h2>Timelines</h2>\n<p>Not drawn: %s.</p>\n",
		    r->notl);
		return;
	}
	if (!r->hastl || r->ntlrows == 0)
		return;
	g = (n + TL_COLS - 1) / TL_COLS;
	nc = (n + g - 1) / g;
	ob_printf(o, "<h2 id=\"timelines\">Timelines</h2>\n<p>Fires per %zu "
	    "bin%s of %lld ts units (%zu bins) from each side's %s: ", g,
	    g == 1 ? "" : "s", (long long)r->tlwidth, n, r->tlalign != NULL ?
	    "first fire of the marker key" : "first event");
	say(o, h_text, "%s above the line, %s below, each key on one scale.",
	    r->ref, r->cand);
	ob_puts(o, "</p>\n<table>\n");
	rv = xcalloc(n, sizeof(*rv));
	cv = xcalloc(n, sizeof(*cv));
	rc = xcalloc(nc, sizeof(*rc));
	cc = xcalloc(nc, sizeof(*cc));
	for (i = 0; i < r->ntlrows; i++) {
		const struct rrow *w = &r->row[r->tlrows[i]];

		rp_timeline(r, w, 1, rv);
		rp_timeline(r, w, 0, cv);
		rp_group_bins(rv, n, g, rc, nc);
		rp_group_bins(cv, n, g, cc, nc);
		for (k = 0, max = 1; k < nc; k++) {
			if (rc[k] > max)
				max = rc[k];
			if (cc[k] > max)
				max = cc[k];
		}
		ob_puts(o, "<tr><td><code>");
		h_label(o, r, w);
		ob_printf(o, "</code></td><td><svg class=\"timeline\" "
		    "role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"%zu\" height=\"%d\"><line x1=\"0\" y1=\"%d\" "
		    "x2=\"%zu\" y2=\"%d\" stroke=\"#999\"/>", nc * colw,
		    2 * half + 2, half + 1, nc * colw, half + 1);
		for (k = 0; k < nc; k++) {
			int hr = (int)((double)rc[k] / (double)max * half + 0.5);
			int hc = (int)((double)cc[k] / (double)max * half + 0.5);

			if (rc[k] > 0)
				ob_printf(o, "<rect class=\"tl-ref\" x=\"%zu\" "
				    "y=\"%d\" width=\"%d\" height=\"%d\" fill=\""
				    C_REF "\"/>", k * colw, half + 1 -
				    (hr > 0 ? hr : 1), colw - 1, hr > 0 ? hr : 1);
			if (cc[k] > 0)
				ob_printf(o, "<rect class=\"tl-cand\" x=\"%zu\" "
				    "y=\"%d\" width=\"%d\" height=\"%d\" fill=\""
				    C_CAND "\"/>", k * colw, half + 2, colw - 1,
				    hc > 0 ? hc : 1);
		}
		ob_puts(o, "</svg></td></tr>\n");
	}
	ob_puts(o, "</table>\n");
	free(rv);
	free(cv);
	free(rc);
	free(cc);
}

static void
h_extra(struct ob *o, const struct report *r)
{
	if (r->textra.n == 0)
		return;
	ob_puts(o, "<h2>Extra keys</h2>\n");
	h_table(o, r, &r->textra);
}

static const char style[] =
"body{font:15px/1.45 system-ui,sans-serif;max-width:72em;margin:2em auto;"
"padding:0 1em;color:#111;background:#fff}"
"h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid #ccc}"
"table{border-collapse:collapse;margin:.8em 0}"
"th,td{border:1px solid #bbb;padding:.2em .55em;text-align:left;"
"vertical-align:top}th{background:#eee}td.n{text-align:right;"
"font-variant-numeric:tabular-nums}code{font:13px ui-monospace,monospace}"
".headline{font-size:1.2em;padding:.6em .8em;border-left:6px solid #555;"
"background:#f4f4f4}.divergent{border-color:" C_MISS "}"
".same{border-color:" C_MATCH "}.inconclusive{border-color:" C_CAND "}"
".dim{color:#666}svg.chart text{font:12px system-ui,sans-serif;"
"fill:#111}figure{margin:1em 0}figcaption{color:#444;font-size:.9em}"
"@media print{body{max-width:none}h2{break-after:avoid}"
"figure,table{break-inside:avoid}}\n";

void
write_html(const struct report *r, struct ob *o)
{
	const struct totals *t = &r->t;

	ob_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width\"><title>");
	h_str(o, r->heading);
	ob_printf(o, "</title><style>%s</style></head><body>\n<h1>", style);
	h_str(o, r->heading);
	ob_printf(o, "</h1>\n<p class=\"headline %s\"><b>%s</b> — ",
	    headline_word(r->headline), r->headline == HL_SAME ? "SAME" :
	    r->headline == HL_DIVERGENT ? "DIVERGENT" : "INCONCLUSIVE");
	if (r->empty_side != NULL)
		say_empty_side(o, r, h_text);
	else if (r->headline == HL_SAME && r->hasruns)
		say(o, h_text, "every %s key that fires in at least %z of the %z "
		    "%s runs fires in %s too.", r->ref, r->quorum, r->nrefrun,
		    r->ref, r->cand);
	else if (r->headline == HL_SAME)
		say(o, h_text, "every %s key fires in %s too.", r->ref, r->cand);
	else
	{
		size_t k = t->consistent_missing_keys;

		say(o, h_text, "%n %s key%s never fire%s in %s", (uint64_t)k,
		    r->ref, k == 1 ? "" : "s", k == 1 ? "s" : "", r->cand);
		if (r->hasruns)
			say(o, h_text, " and fire%s in at least %z of the %z %s "
			    "runs", k == 1 ? "s" : "", r->quorum, r->nrefrun,
			    r->ref);
		say(o, h_text, ", carrying %n fires (%p%% of its volume; %s "
		    "than %u", t->consistent_missing_fires,
		    t->consistent_missing_fires, t->ref_fires,
		    t->consistent_missing_fires > r->divergent_fires ? "more" :
		    "not more", r->divergent_fires);
		if (r->divergent_share > 0.0)
			ob_printf(o, ", divergent from %g%%",
			    r->divergent_share);
		ob_puts(o, ").");
	}
	ob_puts(o, "</p>\n");
	h_totals(o, r);
	h_ranked(o, r, &r->tmissing, "missing", "Top missing keys",
	    "Top missing keys: fires per key");
	h_ranked(o, r, &r->tunder, "under", "Top under-firing matched keys",
	    "Under-firing keys: fires per key");
	if (r->hasrate && r->tunder.n > 0) {
		ob_puts(o, "<p>");
		say_ratio(o, r, h_text);
		ob_puts(o, "</p>\n");
	}
	if (r->hasover)
		h_ranked(o, r, &r->tover, "over", "Top over-firing matched keys",
		    "Over-firing keys: fires per key");
	if (r->hastime) {
		ob_printf(o, "<h2 id=\"stops-early\">Keys that stop early</h2>"
		    "\n<p>Last fire in the candidate by %.0f%% of its span, in "
		    "the reference after 90%%.</p>\n", 100.0 * r->early);
		if (r->tstops.n == 0)
			ob_puts(o, "<p>None.</p>\n");
		else
			h_table(o, r, &r->tstops);
		ob_printf(o, "<h2 id=\"starts-late\">Keys that start late</h2>"
		    "\n<p>First fire in the candidate from %.0f%% of its span, "
		    "in the reference by 10%%.</p>\n", 100.0 * (1.0 - r->early));
		if (r->tstarts.n == 0)
			ob_puts(o, "<p>None.</p>\n");
		else
			h_table(o, r, &r->tstarts);
	} else if (r->rtscol >= 0 && r->ctscol >= 0)
		say(o, h_text, "<h2>When keys fire</h2>\n<p>Not compared: %s."
		    "</p>\n", r->notime);
	if (r->hasruns) {
		ob_puts(o, "<h2 id=\"flaky\">Flaky keys (firing in some runs "
		    "of a side only)</h2>\n");
		if (r->tflaky.n == 0)
			ob_puts(o, "<p>None.</p>\n");
		else
			h_table(o, r, &r->tflaky);
	}
	h_families(o, r);
	if (r->nwatch > 0)
		h_watch(o, r);
	h_groups(o, r);
	h_threads(o, r);
	h_timelines(o, r);
	h_extra(o, r);
	ob_puts(o, "</body></html>\n");
}
