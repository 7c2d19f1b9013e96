/*
 * md.c - the Markdown report.
 *
 * Every sentence is derived from the figures of the model.  Trace values
 * (keys, tally values, notes) are code spans and other text is escaped,
 * as mdesc.h describes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static void
md_text(struct ob *o, struct span s)
{
	md_esc_text(o, s);
}

static void
md_str(struct ob *o, const char *s)
{
	md_text(o, span_str(s));
}

static void
md_code_in(struct ob *o, struct span s, int intable)
{
	md_esc_code(o, s, intable);
}

/* A trace value in a table cell; in prose and lists. */
static void
md_cell_code(struct ob *o, struct span s)
{
	md_code_in(o, s, 1);
}

static void
md_code(struct ob *o, struct span s)
{
	md_code_in(o, s, 0);
}

/* A key value, TSV escapes undone, as a code span. */
static void
md_keyval(struct ob *o, struct span v, int intable)
{
	struct sbuf sb = { 0 };

	md_code_in(o, rp_key(v, &sb), intable);
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

/* The i-th key column shown: in key order, or the address first. */
static size_t
keyat(const struct report *r, int addrfirst, size_t i)
{
	if (!addrfirst || r->addrcol < 0)
		return i;
	if (i == 0)
		return (size_t)r->addrcol;
	return i - 1 < (size_t)r->addrcol ? i - 1 : i;
}

/* The key values of row w separated by sep. */
static void
md_keyvals(struct ob *o, const struct report *r, const struct rrow *w,
    const char *sep, int addrfirst, int intable)
{
	for (size_t i = 0; i < r->nkey; i++) {
		size_t k = keyat(r, addrfirst, i);

		if (i > 0)
			ob_puts(o, sep);
		md_keyval(o, rp_kv(r, w, k), intable);
	}
}

/* Cells of a bar at the largest count of its table. */
#define BAR_CELLS	8

/* A compact bar: eighths of a cell, scaled to max. */
static void
md_bar(struct ob *o, uint64_t v, uint64_t max)
{
	static const char *const part[] = { "", "▏", "▎", "▍", "▌", "▋",
	    "▊", "▉" };
	uint64_t eighths;

	if (max == 0 || v == 0)
		return;
	eighths = (uint64_t)((double)v / (double)max * BAR_CELLS * 8 + 0.5);
	if (eighths == 0)
		eighths = 1;
	for (; eighths >= 8; eighths -= 8)
		ob_puts(o, "█");
	ob_puts(o, part[eighths]);
}

static const char *
fires(uint64_t n)
{
	return n == 1 ? "fire" : "fires";
}

static int
is_keys(const struct column *c)
{
	return c->kind == COL_KEYS || c->kind == COL_ADDRKEYS;
}

/* Head and alignment rows: key columns by name, the others labelled. */
static void
md_head(struct ob *o, const struct report *r, const struct table *t)
{
	static const char *const align[] = {
		[COL_RANK] = "--:", [COL_KEYS] = "----", [COL_ADDRKEYS] = "----",
		[COL_REF] = "--:", [COL_CAND] = "--:", [COL_RATIO] = "--:",
		[COL_TALLY] = "--", [COL_NOTE] = "---", [COL_GVALUE] = "--:",
		[COL_GTOTAL] = "--:", [COL_GMATCHED] = "--:",
		[COL_GMISSING] = "--:", [COL_GKEYS] = "--:",
		[COL_GANALOG] = "---", [COL_RUNS] = "--:", [COL_P] = "--:",
		[COL_RSPAN] = "--:", [COL_CSPAN] = "--:", [COL_RTIME] = "--:",
		[COL_CTIME] = "--:"
	};
	size_t i, k;

	for (i = 0; i < t->ncol; i++) {
		const struct column *c = &t->col[i];

		ob_puts(o, i == 0 ? "| " : " | ");
		if (is_keys(c))
			for (k = 0; k < r->nkey; k++) {
				if (k > 0)
					ob_puts(o, " | ");
				md_text(o, r->keycol[keyat(r,
				    c->kind == COL_ADDRKEYS, k)]);
			}
		else
			put_label(o, &c->head, md_text, md_text);
	}
	ob_puts(o, " |\n|");
	for (i = 0; i < t->ncol; i++)
		for (k = 0; k < (is_keys(&t->col[i]) ? r->nkey : 1); k++)
			ob_printf(o, "%s|", align[t->col[i].kind]);
	ob_putc(o, '\n');
}

/* One cell of row i of table t: a count's bar when the column has
 * them and the table a scale. */
static void
md_cell(struct ob *o, const struct report *r, const struct table *t,
    const struct column *c, size_t i)
{
	const struct rrow *w = t->row != NULL ? &r->row[t->row[i]] : NULL;
	uint64_t v;

	if (c->kind == COL_KEYS || c->kind == COL_ADDRKEYS)
		md_keyvals(o, r, w, " | ", c->kind == COL_ADDRKEYS, 1);
	else if (c->kind == COL_NOTE) {
		if (rp_note(r, w, NULL) != NULL)
			md_cell_code(o, span_str(rp_note(r, w, NULL)));
		else
			ob_puts(o, "(unknown)");
	}
	else if (c->kind == COL_GANALOG)
		ob_puts(o, r->group[i].matched > 0 ? "YES" : "NO");
	else {
		v = put_cell(o, r, t, c, i, md_cell_code);
		if (c->bar && t->scale > 0) {
			ob_putc(o, ' ');
			md_bar(o, v, t->scale);
		}
	}
}

/* A table, then "n of m ... shown." when it is cut. */
static void
md_table(struct ob *o, const struct report *r, const struct table *t)
{
	md_head(o, r, t);
	for (size_t i = 0, next = 0; i < t->n; i++) {
		if (i == next && t->row != NULL)
			next = i + rp_batch(r, t->row + i, t->n - i);
		for (size_t j = 0; j < t->ncol; j++) {
			ob_puts(o, j == 0 ? "| " : " | ");
			md_cell(o, r, t, &t->col[j], i);
		}
		ob_puts(o, " |\n");
	}
	if (t->total > t->n)
		ob_printf(o, "\n%zu of %zu %s shown.\n", t->n, t->total,
		    t->what);
}

static const char *
keys(size_t n)
{
	return n == 1 ? "key" : "keys";
}

/* "REF fires N, CAND fires 0" */
static void
md_sides(struct ob *o, const char *a, const char *b)
{
	md_str(o, a);
	ob_puts(o, " fires N, ");
	md_str(o, b);
	ob_puts(o, " fires 0)\n\n");
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
	ob_puts(o, " fires.\n");
	if (r->hasover)
		ob_printf(o, "- Over-firing (matched keys flagged by "
		    "trace-join): **%zu** %s.\n", t->over_keys,
		    keys(t->over_keys));
	if (t->empty_component_keys > 0) {
		ob_puts(o, "- ");
		say_empty_component(o, r, md_text);
		ob_putc(o, '\n');
	}
	ob_putc(o, '\n');
	if (r->hasruns) {
		say_runs(o, r, md_text);
		ob_puts(o, "\n\n");
	}
	if (r->hasrate) {
		say_rates(o, r, md_text);
		ob_puts(o, "\n\n");
	}
}

static void
md_missing(struct ob *o, const struct report *r)
{
	ob_puts(o, "## Top missing keys (");
	md_sides(o, r->ref, r->cand);
	if (r->tmissing.total == 0) {
		ob_puts(o, "None.\n\n");
		return;
	}
	md_table(o, r, &r->tmissing);
	ob_putc(o, '\n');
}

static void
md_under(struct ob *o, const struct report *r)
{
	ob_puts(o, "## Top under-firing matched keys (");
	md_str(o, r->ref);
	ob_puts(o, " >>> ");
	md_str(o, r->cand);
	ob_puts(o, ")\n\n");
	if (r->tunder.total == 0) {
		ob_puts(o, "None.\n\n");
		return;
	}
	md_table(o, r, &r->tunder);
	ob_putc(o, '\n');
	say_ratio(o, r, md_text);
	ob_puts(o, "\n\n");
}

static void
md_over(struct ob *o, const struct report *r)
{
	if (!r->hasover)
		return;
	ob_puts(o, "## Top over-firing matched keys (");
	md_str(o, r->ref);
	ob_puts(o, " <<< ");
	md_str(o, r->cand);
	ob_puts(o, ")\n\n");
	if (r->tover.total == 0) {
		ob_puts(o, "None.\n\n");
		return;
	}
	md_table(o, r, &r->tover);
	ob_putc(o, '\n');
	say_ratio(o, r, md_text);
	ob_puts(o, "\n\n");
}

static void
md_time_table(struct ob *o, const struct report *r, const struct table *t,
    const char *head)
{
	ob_puts(o, head);
	ob_puts(o, " (");
	md_str(o, r->cand);
	ob_printf(o, ": %s %.0f%% of its span; ", t == &r->tstops ?
	    "last fire by" : "first fire from", t == &r->tstops ? 100.0 *
	    r->early : 100.0 * (1.0 - r->early));
	md_str(o, r->ref);
	ob_printf(o, ": %s)\n\n", t == &r->tstops ? "after 90%" : "by 10%");
	if (t->total == 0) {
		ob_puts(o, "None.\n\n");
		return;
	}
	md_table(o, r, t);
	ob_putc(o, '\n');
}

/* Keys that stop early and start late, or why there are none. */
static void
md_time(struct ob *o, const struct report *r)
{
	if (!r->hastime) {
		if (r->rtscol >= 0 && r->ctscol >= 0)
			say(o, md_text, "## When keys fire\n\nNot compared: "
			    "%s.\n\n", r->notime);
		return;
	}
	md_time_table(o, r, &r->tstops, "## Keys that stop early");
	md_time_table(o, r, &r->tstarts, "## Keys that start late");
	say(o, md_text, "first..last: a key's first and last fire, in "
	    "percent of its side's span of ts (%s ", r->ref);
	ob_printf(o, "%lld..%lld, ", (long long)r->rfirst,
	    (long long)r->rlast);
	md_str(o, r->cand);
	ob_printf(o, " %lld..%lld).\n\n", (long long)r->cfirst,
	    (long long)r->clast);
}

static void
md_flaky(struct ob *o, const struct report *r)
{
	if (!r->hasruns)
		return;
	ob_puts(o, "## Flaky keys (firing in some runs of a side only)\n\n");
	if (r->tflaky.total == 0) {
		ob_puts(o, "None.\n\n");
		return;
	}
	md_table(o, r, &r->tflaky);
	ob_putc(o, '\n');
}

/* A row's key values in a list: ", " between them. */
static void
md_listkeys(struct ob *o, const struct report *r, const struct rrow *w)
{
	md_keyvals(o, r, w, ", ", 0, 0);
}

static const struct markup md_markup = {
	md_text, md_text, md_code, md_listkeys, "- ", "\n", "**", "**", "", "\n\n",
	"### Fresh missing keys\n\n", "\n"
};

static void
md_families(struct ob *o, const struct report *r)
{
	size_t k;

	for (k = 0; k < r->nfam; k++) {
		ob_puts(o, "## Family ");
		md_str(o, r->fam[k].name);
		ob_printf(o, " (%zu addresses)\n\n%s", r->fam[k].n,
		    r->tfam[k].n == 0 ? "No key of the family fires in " :
		    "Keys of the family that fire in ");
		md_str(o, r->ref);
		ob_puts(o, r->tfam[k].n == 0 ? ".\n\n" : ":\n\n");
		if (r->tfam[k].n > 0) {
			md_table(o, r, &r->tfam[k]);
			ob_putc(o, '\n');
		}
	}
	put_famsum(o, r, &md_markup);
}

static void
md_watch(struct ob *o, const struct report *r)
{
	if (r->nwatch == 0)
		return;
	ob_puts(o, "## Watch list\n\n");
	if (r->twatch.n > 0) {
		md_table(o, r, &r->twatch);
		ob_putc(o, '\n');
	}
	if (r->nabsent == 0)
		return;
	ob_printf(o, "Watched addresses in neither trace (%zu): ", r->nabsent);
	for (size_t i = 0; i < r->nabsent; i++)
		ob_printf(o, "%s`0x%08llx`", i > 0 ? ", " : "",
		    (unsigned long long)r->watch[r->absent[i]].addr);
	ob_puts(o, ".\n\n");
}

/* "canary tid" */
static void
md_groupname(struct ob *o, const struct report *r, const char *pre,
    const char *post)
{
	ob_puts(o, pre);
	md_str(o, r->ref);
	ob_putc(o, ' ');
	md_str(o, r->groupby);
	ob_puts(o, post);
}

/* A group without a matched fire, and its first keys. */
static void
md_orphan(struct ob *o, const struct report *r, const struct orphan *op)
{
	const struct group *g = &r->group[op->group];
	struct sbuf sb = { 0 };

	ob_puts(o, "- **");
	md_str(o, r->groupby);
	ob_putc(o, ' ');
	md_code(o, rp_val(g->value, &sb));
	ob_puts(o, "** (");
	put_thousands(o, g->total);
	ob_printf(o, " %s): ", fires(g->total));
	for (size_t i = 0; i < op->n; i++) {
		const struct rrow *w = &r->row[op->row[i]];

		if (i > 0)
			ob_puts(o, ", ");
		md_keyvals(o, r, w, " ", 0, 0);
		ob_puts(o, " ×");
		put_thousands(o,
		    rp_rt(r, w, r->groupcol)->cnt[op->entry[i]]);
		if (rp_note(r, w, NULL) != NULL) {
			ob_puts(o, " (");
			md_code(o, span_str(rp_note(r, w, NULL)));
			ob_putc(o, ')');
		}
	}
	if (g->keys > op->n)
		ob_printf(o, ", … (%zu keys in all)", g->keys);
	ob_puts(o, ".\n");
	sb_free(&sb);
}

static void
md_groups(struct ob *o, const struct report *r)
{
	if (r->groupcol < 0)
		return;
	md_groupname(o, r, "## By ", "\n\n");
	md_table(o, r, &r->tgroups);
	ob_putc(o, '\n');
	if (r->noanalog == 0) {
		md_groupname(o, r, "Every ", " has at least one matched "
		    "fire.\n\n");
		return;
	}
	md_groupname(o, r, "### ", "s with no matched fire\n\n");
	ob_printf(o, "%zu of %zu ", r->noanalog, r->ngroup);
	md_str(o, r->groupby);
	ob_puts(o, "s fire only on keys that ");
	md_str(o, r->cand);
	ob_puts(o, " never fires:\n\n");
	for (size_t i = 0; i < r->norphan; i++)
		md_orphan(o, r, &r->orphan[i]);
	if (r->noanalog > r->norphan)
		ob_printf(o, "\n%zu of %zu shown.\n", r->norphan, r->noanalog);
	ob_putc(o, '\n');
}

/* Characters of a sparkline at most: more bins are summed in groups. */
#define SPARK_MAX	48

/* A sparkline of c (nc groups) at scale max: ' ' for none, then eighths. */
static void
md_spark(struct ob *o, const uint64_t *c, size_t nc, uint64_t max)
{
	static const char *const bar[] = { "▁", "▂", "▃", "▄", "▅", "▆",
	    "▇", "█" };
	struct sbuf sb = { 0 };

	for (size_t i = 0; i < nc; i++) {
		if (c[i] == 0)
			sb_addc(&sb, ' ');
		else {
			/* 1..8, without overflow for any count */
			uint64_t l = c[i] >= max ? 8 : 1 + (uint64_t)((double)
			    c[i] / (double)max * 8.0);

			sb_adds(&sb, bar[(l > 8 ? 8 : l) - 1]);
		}
	}
	md_cell_code(o, span_make(sb.p, sb.len));
	sb_free(&sb);
}

/* Timelines of the keys the tables list, both sides on one scale. */
static void
md_timelines(struct ob *o, const struct report *r)
{
	size_t n = r->tlbins, g, nc, i, k;
	uint64_t *rv, *cv, *rc, *cc, max;

	if (r->notl != NULL) {
		say(o, md_text, "## Timelines\n\nNot drawn: %s.\n\n",
		    r->notl);
		return;
	}
	if (!r->hastl || r->ntlrows == 0)
		return;
	g = (n + SPARK_MAX - 1) / SPARK_MAX;
	nc = (n + g - 1) / g;
	ob_printf(o, "## Timelines\n\nFires per %zu bin%s of %lld ts units "
	    "(%zu bins), from each side's ", g, g == 1 ? "" : "s",
	    (long long)r->tlwidth, n);
	if (r->tlalign != NULL) {
		ob_puts(o, "first fire of ");
		md_code(o, span_str(r->tlalign));
	} else
		ob_puts(o, "first event");
	ob_puts(o, "; each key on one scale for both sides, blank where it "
	    "never fires.\n\n| ");
	for (k = 0; k < r->nkey; k++) {
		md_text(o, r->keycol[k]);
		ob_puts(o, " | ");
	}
	md_str(o, r->ref);
	ob_puts(o, " | ");
	md_str(o, r->cand);
	ob_puts(o, " |\n|");
	for (k = 0; k < r->nkey + 2; k++)
		ob_puts(o, "----|");
	ob_putc(o, '\n');
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
		ob_puts(o, "| ");
		md_keyvals(o, r, w, " | ", 0, 1);
		ob_puts(o, " | ");
		md_spark(o, rc, nc, max);
		ob_puts(o, " | ");
		md_spark(o, cc, nc, max);
		ob_puts(o, " |\n");
	}
	ob_putc(o, '\n');
	free(rv);
	free(cv);
	free(rc);
	free(cc);
}

/* Keys listed per thread after the thread map. */
#define THREAD_KEYS	6

/* "`set` `0x10` ×5, ..." for the first THREAD_KEYS rows of v. */
static void
md_thread_keys(struct ob *o, const struct report *r, const char *what,
    const size_t *v, size_t n)
{
	ob_printf(o, "%s ", what);
	for (size_t i = 0; i < n && i < THREAD_KEYS; i++) {
		if (i > 0)
			ob_puts(o, ", ");
		md_keyvals(o, r, &r->row[v[i]], " ", 0, 0);
	}
	if (n > THREAD_KEYS)
		ob_printf(o, ", … (%zu in all)", n);
}

static void
md_threads(struct ob *o, const struct report *r)
{
	size_t i, k;

	if (r->groupcol < 0)
		return;
	ob_puts(o, "## Thread map (");
	md_str(o, r->ref);
	ob_putc(o, ' ');
	md_str(o, r->groupby);
	ob_puts(o, " → ");
	md_str(o, r->cand);
	ob_putc(o, ' ');
	md_str(o, r->groupby);
	ob_puts(o, ")\n\n");
	if (!r->hasmap) {
		say(o, md_text, "No thread map: %s.\n\n", r->nomap);
		return;
	}
	md_groupname(o, r, "| ", " | fires | ");
	md_str(o, r->cand);
	ob_puts(o, " analogs | similarity | missing keys | moved keys |\n"
	    "|--:|--:|---|--:|--:|--:|\n");
	for (i = 0; i < r->nthreadshown; i++) {
		const struct thread *t = &r->thread[i];
		struct sbuf sb = { 0 };

		ob_puts(o, "| ");
		md_cell_code(o, rp_val(t->tid, &sb));
		ob_puts(o, " | ");
		put_thousands(o, t->fires);
		ob_puts(o, " | ");
		if (t->nanalog == 0)
			ob_puts(o, "none");
		for (k = 0; k < t->nanalog; k++) {
			if (k > 0)
				ob_puts(o, ", ");
			md_cell_code(o, rp_val(r->cthread[t->analog[k]], &sb));
			ob_printf(o, " (%.3f)", t->asim[k]);
		}
		ob_printf(o, " | %.3f | %zu | %zu |\n", t->sim, t->nmissing,
		    t->nmoved);
		sb_free(&sb);
	}
	if (r->nthread > r->nthreadshown)
		ob_printf(o, "\n%zu of %zu %ss shown.\n", r->nthreadshown,
		    r->nthread, r->groupby);
	ob_putc(o, '\n');
	say_thread_map(o, r, md_text);
	ob_puts(o, "\n\n");
	for (i = 0; i < r->nthreadshown; i++) {
		const struct thread *t = &r->thread[i];
		struct sbuf sb = { 0 };

		if (t->nmissing + t->nmoved == 0)
			continue;
		ob_puts(o, "- **");
		md_str(o, r->groupby);
		ob_putc(o, ' ');
		md_code(o, rp_val(t->tid, &sb));
		ob_puts(o, "**: ");
		if (t->nmoved > 0)
			md_thread_keys(o, r, "moved", t->moved, t->nmoved);
		if (t->nmoved > 0 && t->nmissing > 0)
			ob_puts(o, "; ");
		if (t->nmissing > 0)
			md_thread_keys(o, r, "missing", t->missing,
			    t->nmissing);
		ob_puts(o, ".\n");
		sb_free(&sb);
	}
	ob_putc(o, '\n');
}

static void
md_extra(struct ob *o, const struct report *r)
{
	if (r->textra.total == 0)
		return;
	ob_puts(o, "## Extra keys (");
	md_sides(o, r->cand, r->ref);
	md_table(o, r, &r->textra);
	ob_putc(o, '\n');
}

void
write_md(const struct report *r, struct ob *o)
{
	const struct totals *t = &r->t;

	ob_puts(o, "# ");
	md_str(o, r->heading);
	ob_puts(o, "\n\n## Headline\n\n");
	if (r->empty_side != NULL) {
		ob_puts(o, "**INCONCLUSIVE** — ");
		say_empty_side(o, r, md_text);
		ob_puts(o, "\n\n");
	} else switch (r->headline) {
	case HL_SAME:
		ob_puts(o, "**SAME** — every ");
		md_str(o, r->ref);
		ob_puts(o, " key (");
		md_keynames(o, r);
		ob_puts(o, ") ");
		if (r->hasruns) {
			ob_printf(o, "that fires in at least %zu of the %zu ",
			    r->quorum, r->nrefrun);
			md_str(o, r->ref);
			ob_puts(o, " runs ");
		}
		ob_puts(o, "fires in ");
		md_str(o, r->cand);
		ob_puts(o, " too.\n\n");
		break;
	case HL_DIVERGENT:
	case HL_INCONCLUSIVE:
		ob_puts(o, r->headline == HL_DIVERGENT ? "**DIVERGENT** — " :
		    "**INCONCLUSIVE** — ");
		ob_printf(o, "%zu ", t->consistent_missing_keys);
		md_str(o, r->ref);
		ob_printf(o, " key%s (", t->consistent_missing_keys == 1 ? "" :
		    "s");
		md_keynames(o, r);
		ob_printf(o, ") never fire%s in ", t->consistent_missing_keys ==
		    1 ? "s" : "");
		md_str(o, r->cand);
		if (r->hasruns) {
			ob_printf(o, " and fire%s in at least %zu of the %zu ",
			    t->consistent_missing_keys == 1 ? "s" : "",
			    r->quorum, r->nrefrun);
			md_str(o, r->ref);
			ob_puts(o, " runs");
		}
		ob_puts(o, ", carrying ");
		put_thousands(o, t->consistent_missing_fires);
		ob_putc(o, ' ');
		md_str(o, r->ref);
		ob_printf(o, " %s (", fires(t->consistent_missing_fires));
		put_pct(o, t->consistent_missing_fires, t->ref_fires, 1);
		ob_printf(o, "%% of its volume; %s than %llu",
		    t->consistent_missing_fires > r->divergent_fires ? "more" :
		    "not more", (unsigned long long)r->divergent_fires);
		if (r->divergent_share > 0.0)
			ob_printf(o, ", divergent from %g%%",
			    r->divergent_share);
		ob_puts(o, ").\n\n");
		break;
	}
	md_totals(o, r);
	md_missing(o, r);
	md_under(o, r);
	md_over(o, r);
	md_flaky(o, r);
	md_time(o, r);
	md_timelines(o, r);
	md_families(o, r);
	md_watch(o, r);
	md_groups(o, r);
	md_threads(o, r);
	md_extra(o, r);
}
