/*
 * model.c - trace-report's figures, each derived in its own function
 * from the rows that read.c filled in: totals and the key lists,
 * headline, families, watch list, groups.  The writers only format
 * what is here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "htab.h"
#include "num.h"
#include "report.h"

static const struct report *sortrep;
static int sortbycand;

/* Rows a and b by their key columns, each in value order (num.h); the
 * row order breaks ties, so no two rows compare equal. */
static int
rp_keycmp(const struct report *r, size_t a, size_t b)
{
	for (size_t i = 0; i < r->nkey; i++) {
		int c = num_cmp_values(r->row[a].key[i], r->row[b].key[i]);

		if (c != 0)
			return c;
	}
	return a < b ? -1 : a > b;
}

static int
listcmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	uint64_t ca = sortbycand ? sortrep->row[a].cand : sortrep->row[a].ref;
	uint64_t cb = sortbycand ? sortrep->row[b].cand : sortrep->row[b].ref;

	if (ca != cb)
		return ca > cb ? -1 : 1;
	return rp_keycmp(sortrep, a, b);
}

static void
sort_list(struct report *r, size_t *v, size_t n, int bycand)
{
	sortrep = r;
	sortbycand = bycand;
	if (n > 1)
		qsort(v, n, sizeof(*v), listcmp);
}

/* Rows by address, then key (for families and the watch list). */
static int
addrcmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	const struct rrow *p = &sortrep->row[a], *q = &sortrep->row[b];

	if (p->addr != q->addr)
		return p->addr < q->addr ? -1 : 1;
	return rp_keycmp(sortrep, a, b);
}

static int
groupcmp(const void *x, const void *y)
{
	const struct group *a = x, *b = y;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return num_cmp_values(a->value, b->value);
}

/* a += b, or exit 2: a sum of counts must not wrap. */
static void
add_count(uint64_t *a, uint64_t b, const char *file, uint64_t line)
{
	if (*a + b < *a)
		die_at(file, line, "counts overflow 64 bits");
	*a += b;
}

/* Totals and the key lists by status, each sorted by its count. */
static void
model_totals(struct report *r)
{
	size_t i;
	struct totals *t = &r->t;

	r->missing = xcalloc(r->nrow + 1, sizeof(size_t));
	r->matched = xcalloc(r->nrow + 1, sizeof(size_t));
	r->under = xcalloc(r->nrow + 1, sizeof(size_t));
	r->extra = xcalloc(r->nrow + 1, sizeof(size_t));
	for (i = 0; i < r->nrow; i++) {
		const struct rrow *w = &r->row[i];

		add_count(&t->ref_fires, w->ref, r->file, w->line);
		add_count(&t->cand_fires, w->cand, r->file, w->line);
		for (size_t k = 0; k < r->nkey; k++)
			if (w->key[k].n == 0) {
				t->empty_component_keys++;
				break;
			}
		if (w->ref > 0 || w->status != ST_EXTRA)
			t->ref_keys++;
		if (w->status != ST_MISSING)
			t->cand_keys++;
		switch (w->status) {
		case ST_MISSING:
			r->missing[r->nmissing++] = i;
			add_count(&t->missing_fires, w->ref, r->file, w->line);
			break;
		case ST_MATCHED:
			r->matched[r->nmatched++] = i;
			add_count(&t->matched_fires, w->ref, r->file, w->line);
			add_count(&t->matched_cand_fires, w->cand, r->file,
			    w->line);
			if (w->under)
				r->under[r->nunder++] = i;
			break;
		case ST_EXTRA:
			r->extra[r->nextra++] = i;
			add_count(&t->extra_fires, w->cand, r->file, w->line);
			break;
		}
	}
	t->missing_keys = r->nmissing;
	t->matched_keys = r->nmatched;
	t->extra_keys = r->nextra;
	t->under_keys = r->nunder;
	sort_list(r, r->missing, r->nmissing, 0);
	sort_list(r, r->matched, r->nmatched, 0);
	sort_list(r, r->under, r->nunder, 0);
	sort_list(r, r->extra, r->nextra, 1);
}

/* INCONCLUSIVE when a side has no fires (nothing was compared); else
 * SAME without missing keys; DIVERGENT when they carry more than
 * divergent_fires reference fires; else INCONCLUSIVE. */
static void
model_headline(struct report *r, const struct ropts *o)
{
	r->divergent_fires = o->divergent_fires;
	r->empty_side = r->t.ref_fires == 0 && r->t.cand_fires == 0 ? "both" :
	    r->t.ref_fires == 0 ? "ref" : r->t.cand_fires == 0 ? "cand" : NULL;
	if (r->empty_side != NULL)
		r->headline = HL_INCONCLUSIVE;
	else if (r->nmissing == 0)
		r->headline = HL_SAME;
	else if (r->t.missing_fires > o->divergent_fires)
		r->headline = HL_DIVERGENT;
	else
		r->headline = HL_INCONCLUSIVE;
}

/* Families: membership, intersection rows, fresh missing keys. */
static void
model_families(struct report *r)
{
	size_t i, j, k;

	r->freshrows = xcalloc(r->nmissing + 1, sizeof(size_t));
	for (k = 0; k < r->nfam; k++)
		r->fam[k].rows = xcalloc(r->nrow + 1, sizeof(size_t));
	for (i = 0; i < r->nrow; i++) {
		struct rrow *w = &r->row[i];

		w->fam = xcalloc(r->nfam ? r->nfam : 1, 1);
		for (k = 0; k < r->nfam && w->hasaddr; k++) {
			struct family *fm = &r->fam[k];

			if (fm->n == 0 || bsearch(&w->addr, fm->addr, fm->n,
			    sizeof(uint64_t), rp_cmp_u64) == NULL)
				continue;
			w->fam[k] = 1;
			if (w->ref > 0)
				fm->rows[fm->nrows++] = i;
		}
	}
	for (j = 0; j < r->nmissing; j++) {
		const struct rrow *w = &r->row[r->missing[j]];
		int any = 0;

		for (k = 0; k < r->nfam; k++)
			if (w->fam[k]) {
				r->fam[k].missing++;
				any = 1;
			}
		if (!any)
			r->freshrows[r->fresh++] = r->missing[j];
	}
	/* Intersection rows: by address, then key. */
	sortrep = r;
	for (k = 0; k < r->nfam; k++)
		if (r->fam[k].nrows > 1)
			qsort(r->fam[k].rows, r->fam[k].nrows, sizeof(size_t),
			    addrcmp);
}

/*
 * Watch list: the rows that carry an address, sorted by address then
 * key once; each watched address takes its run of them.
 */
static void
model_watch(struct report *r)
{
	size_t *byaddr, na = 0, i, k;

	if (r->nwatch == 0)
		return;
	byaddr = xcalloc(r->nrow + 1, sizeof(size_t));
	for (i = 0; i < r->nrow; i++)
		if (r->row[i].hasaddr)
			byaddr[na++] = i;
	sortrep = r;
	if (na > 1)
		qsort(byaddr, na, sizeof(size_t), addrcmp);
	for (k = 0, i = 0; k < r->nwatch; k++) {
		struct watch *wa = &r->watch[k];

		/* watched addresses are sorted too: one merge pass */
		while (i < na && r->row[byaddr[i]].addr < wa->addr)
			i++;
		wa->rows = byaddr + i;
		while (i < na && r->row[byaddr[i]].addr == wa->addr) {
			wa->nrows++;
			i++;
		}
	}
	r->watchrows = byaddr;
}

/* Groups: fires per value of the group column, by status. */
static void
model_groups(struct report *r)
{
	struct htab *gv;
	size_t cap = 0, i, j;

	if (r->groupcol < 0)
		return;
	gv = ht_new();
	for (i = 0; i < r->nrow; i++) {
		const struct rrow *w = &r->row[i];
		const struct tally_cell *c = &w->rt[r->groupcol];

		for (j = 0; j < c->n; j++) {
			int isnew;
			uint32_t g = ht_intern(gv, c->val[j].p, c->val[j].n,
			    &isnew);
			struct group *gr;

			/* 015 and 15 would be two threads. */
			if (isnew && strcmp(r->groupby, "tid") == 0 &&
			    !num_tid_ok(c->val[j]))
				die_at(r->file, w->line, "column %s_tid: tid "
				    "'%s' is not a canonical integer (no '+', "
				    "no leading zeros, no -0)", r->ref,
				    msg_vis(c->val[j].p, c->val[j].n > 40 ? 40 :
				    c->val[j].n));
			if (isnew) {
				if (r->ngroup == cap) {
					cap = cap ? cap * 2 : 64;
					r->group = xreallocarray(r->group, cap,
					    sizeof(*r->group));
				}
				gr = &r->group[r->ngroup++];
				memset(gr, 0, sizeof(*gr));
				gr->value = c->val[j];
			}
			gr = &r->group[g];
			add_count(&gr->total, c->cnt[j], r->file, w->line);
			gr->keys++;
			if (w->status == ST_MATCHED)
				add_count(&gr->matched, c->cnt[j], r->file,
				    w->line);
			else if (w->status == ST_MISSING)
				add_count(&gr->missing, c->cnt[j], r->file,
				    w->line);
		}
	}
	if (r->ngroup > 1)
		qsort(r->group, r->ngroup, sizeof(*r->group), groupcmp);
	for (i = 0; i < r->ngroup; i++)
		if (r->group[i].matched == 0)
			r->noanalog++;
	ht_free(gv);
}

/* Longest values lists in key tables: the group column's values are
 * short numbers, others may be long names. */
#define GROUP_VALUES	6
#define OTHER_VALUES	3
/* Groups in the HTML chart: more bars would not fit a page. */
#define GROUP_CHART_MAX	40

static size_t
min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static struct column *
add_col(struct table *t, enum colkind kind, const char *side,
    const char *text)
{
	struct column *c;

	t->col = xreallocarray(t->col, t->ncol + 1, sizeof(*t->col));
	c = &t->col[t->ncol++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->head.side = side;
	c->head.text = text;
	return c;
}

static void
set_rows(struct table *t, const size_t *row, size_t total, size_t top,
    const char *what)
{
	t->row = row;
	t->total = total;
	t->n = min_size(total, top);
	t->what = what;
}

/* Missing, extra and under-firing keys: ranked lists with a cut. */
static void
table_missing(struct report *r)
{
	struct table *t = &r->tmissing;
	struct column *c;

	set_rows(t, r->missing, r->nmissing, r->top, "missing keys");
	t->scale = r->nmissing > 0 ? r->row[r->missing[0]].ref : 0;
	add_col(t, COL_RANK, NULL, "#");
	add_col(t, COL_KEYS, NULL, NULL);
	add_col(t, COL_REF, r->ref, " fires")->bar = 1;
	for (size_t j = 0; j < r->nrt; j++)
		if (!r->rtrange[j]) {
			c = add_col(t, COL_TALLY, r->ref, "s");
			c->head.col = r->rtcol[j];
			c->tally = j;
			c->nval = (int)j == r->groupcol ? GROUP_VALUES :
			    OTHER_VALUES;
			c->sep = (int)j == r->groupcol ? "," : ", ";
		}
	add_col(t, COL_NOTE, NULL, "likely fn");
}

static void
table_under(struct report *r)
{
	struct table *t = &r->tunder;

	set_rows(t, r->under, r->nunder, r->undertop, "under-firing keys");
	/* One scale for both columns: the largest count shown. */
	for (size_t i = 0; i < t->n; i++) {
		const struct rrow *w = &r->row[r->under[i]];

		if (w->ref > t->scale)
			t->scale = w->ref;
		if (w->cand > t->scale)
			t->scale = w->cand;
	}
	add_col(t, COL_KEYS, NULL, NULL);
	add_col(t, COL_REF, r->ref, "")->bar = 1;
	add_col(t, COL_CAND, r->cand, "")->bar = 1;
	add_col(t, COL_RATIO, NULL, "ratio");
	add_col(t, COL_NOTE, NULL, "likely fn");
}

static void
table_extra(struct report *r)
{
	struct table *t = &r->textra;

	set_rows(t, r->extra, r->nextra, r->top, "extra keys");
	add_col(t, COL_KEYS, NULL, NULL);
	add_col(t, COL_CAND, r->cand, " fires");
	add_col(t, COL_NOTE, NULL, "likely fn");
}

/* Rows of a family or the watch list, all shown, address first. */
static void
table_addr(struct report *r, struct table *t, const size_t *row, size_t n)
{
	set_rows(t, row, n, n, "keys");
	add_col(t, COL_ADDRKEYS, NULL, NULL);
	add_col(t, COL_REF, r->ref, "");
	add_col(t, COL_CAND, r->cand, "");
	add_col(t, COL_NOTE, NULL, "likely fn");
}

/* The watch list: the rows of every watched address, in order, and
 * the addresses in neither trace. */
static void
table_watch(struct report *r)
{
	size_t k, i, n = 0, *rows;

	for (k = 0; k < r->nwatch; k++)
		n += r->watch[k].nrows;
	rows = xcalloc(n + 1, sizeof(*rows));
	r->absent = xcalloc(r->nwatch + 1, sizeof(*r->absent));
	for (k = n = 0; k < r->nwatch; k++) {
		for (i = 0; i < r->watch[k].nrows; i++)
			rows[n++] = r->watch[k].rows[i];
		if (r->watch[k].nrows == 0)
			r->absent[r->nabsent++] = k;
	}
	table_addr(r, &r->twatch, rows, n);
}

/* The first --group-top groups; their chart takes the first few. */
static void
table_groups(struct report *r)
{
	struct table *t = &r->tgroups;
	struct column *c;

	struct sbuf what = { 0 };

	sb_adds(&what, r->groupby);
	sb_addc(&what, 's');
	set_rows(t, NULL, r->ngroup, r->grouptop, what.p);	/* kept */
	t->scale = r->ngroup > 0 ? r->group[0].total : 0;
	r->groupchart = min_size(t->n, GROUP_CHART_MAX);
	c = add_col(t, COL_GVALUE, r->ref, "");
	c->head.name = r->groupby;
	c->brief.name = r->groupby;
	c = add_col(t, COL_GTOTAL, NULL, "total fires");
	c->bar = 1;
	c->brief.text = "total";
	add_col(t, COL_GMATCHED, NULL, "matched fires")->brief.text =
	    "matched";
	add_col(t, COL_GMISSING, NULL, "missing fires")->brief.text =
	    "missing";
	add_col(t, COL_GKEYS, NULL, "distinct keys");
	add_col(t, COL_GANALOG, r->cand, "?")->head.pre = "analog in ";
}

/*
 * The first --group-top groups without a matched fire, each with its
 * first keys: the missing keys (most fires first) whose group cell holds
 * the group's value.
 */
static void
orphans(struct report *r)
{
	size_t i, j, k, n = 0;

	r->norphan = min_size(r->noanalog, r->grouptop);
	r->orphan = xcalloc(r->norphan + 1, sizeof(*r->orphan));
	for (i = 0; i < r->ngroup && n < r->norphan; i++) {
		const struct group *g = &r->group[i];
		struct orphan *op;

		if (g->matched > 0)
			continue;
		op = &r->orphan[n++];
		op->group = i;
		for (j = 0; j < r->nmissing && op->n < ORPHAN_KEYS; j++) {
			const struct tally_cell *c =
			    &r->row[r->missing[j]].rt[r->groupcol];

			for (k = 0; k < c->n; k++)
				if (span_eq(c->val[k], g->value))
					break;
			if (k == c->n)
				continue;
			op->row[op->n] = r->missing[j];
			op->entry[op->n++] = k;
		}
	}
}

/* What every section shows: see "Adding a section" in report.h. */
static void
sections(struct report *r)
{
	struct sbuf sb = { 0 };

	if (r->title != NULL)
		r->heading = xstrdup(r->title);
	else {
		sb_adds(&sb, "Fire-pattern diff: ");
		sb_adds(&sb, r->ref);
		sb_adds(&sb, " vs ");
		sb_adds(&sb, r->cand);
		r->heading = sb.p;
	}
	table_missing(r);
	table_under(r);
	r->tfam = xcalloc(r->nfam + 1, sizeof(*r->tfam));
	for (size_t k = 0; k < r->nfam; k++)
		table_addr(r, &r->tfam[k], r->fam[k].rows, r->fam[k].nrows);
	r->nfresh = min_size(r->fresh, r->freshtop);
	r->freshmore = r->fresh - r->nfresh;
	table_watch(r);
	if (r->groupcol >= 0) {
		table_groups(r);
		orphans(r);
	}
	table_extra(r);
}

void
report_load(struct report *r, const struct ropts *o)
{
	report_read(r, o);
	model_totals(r);
	model_headline(r, o);
	model_families(r);
	model_watch(r);
	model_groups(r);
	sections(r);
}
