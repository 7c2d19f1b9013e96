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

/* SAME without missing keys; DIVERGENT when they carry more than
 * divergent_fires reference fires; else INCONCLUSIVE. */
static void
model_headline(struct report *r, const struct ropts *o)
{
	r->divergent_fires = o->divergent_fires;
	if (r->nmissing == 0)
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

void
report_load(struct report *r, const struct ropts *o)
{
	report_read(r, o);
	model_totals(r);
	model_headline(r, o);
	model_families(r);
	model_watch(r);
	model_groups(r);
}
