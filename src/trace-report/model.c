/*
 * model.c - trace-report's figures, each derived in its own function
 * from the rows that read.c filled in: totals and the key lists,
 * headline, families, watch list, groups.  The writers only format
 * what is here.
 */
#include <math.h>
#include <stddef.h>
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
int
rp_keycmp(const struct report *r, size_t a, size_t b)
{
	const uint32_t *ka = r->krank + a * r->nkey;
	const uint32_t *kb = r->krank + b * r->nkey;

	for (size_t i = 0; i < r->nkey; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
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

/*
 * Sort a list of rows.  The join comes in count order, so a list often
 * is in order already: checking takes n comparisons, sorting n log n
 * (each order is total, so skipping the sort changes nothing).
 */
static void
sort_list(struct report *r, size_t *v, size_t n, int bycand)
{
	size_t i;

	sortrep = r;
	sortbycand = bycand;
	for (i = 1; i < n && listcmp(&v[i - 1], &v[i]) < 0; i++)
		continue;
	if (i < n)
		qsort(v, n, sizeof(*v), listcmp);
}

/* Rows by address, then key (for families and the watch list). */
static int
addrcmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	uint64_t p = rp_x(sortrep, &sortrep->row[a])->addr;
	uint64_t q = rp_x(sortrep, &sortrep->row[b])->addr;

	if (p != q)
		return p < q ? -1 : 1;
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
add_count(const struct report *r, const struct rrow *w, uint64_t *a,
    uint64_t b)
{
	if (*a + b < *a)
		die_at(r->file, rp_line(r, w), "counts overflow 64 bits");
	*a += b;
}

/* Totals and the key lists by status, each sorted by its count. */
static void
model_totals(struct report *r, const struct ropts *o)
{
	size_t i;
	struct totals *t = &r->t;

	r->missing = xcalloc(r->nrow + 1, sizeof(size_t));
	/* Most keys of a large join match: list them only for a writer
	 * that shows them all. */
	r->matched = xcalloc(o->matchedlist ? r->nrow + 1 : 1, sizeof(size_t));
	r->under = xcalloc(r->nrow + 1, sizeof(size_t));
	r->extra = xcalloc(r->nrow + 1, sizeof(size_t));
	for (i = 0; i < r->nrow; i++) {
		const struct rrow *w = &r->row[i];

		add_count(r, w, &t->ref_fires, w->ref);
		add_count(r, w, &t->cand_fires, w->cand);
		if (w->ref > 0 || w->status != ST_EXTRA)
			t->ref_keys++;
		if (w->status != ST_MISSING)
			t->cand_keys++;
		switch (w->status) {
		case ST_MISSING:
			r->missing[r->nmissing++] = i;
			add_count(r, w, &t->missing_fires, w->ref);
			break;
		case ST_MATCHED:
			t->matched_keys++;
			if (o->matchedlist)
				r->matched[r->nmatched++] = i;
			add_count(r, w, &t->matched_fires, w->ref);
			add_count(r, w, &t->matched_cand_fires, w->cand);
			if (w->under)
				r->under[r->nunder++] = i;
			break;
		case ST_EXTRA:
			r->extra[r->nextra++] = i;
			add_count(r, w, &t->extra_fires, w->cand);
			break;
		}
	}
	t->empty_component_keys = r->emptykeys;
	t->missing_keys = r->nmissing;
	t->extra_keys = r->nextra;
	t->under_keys = r->nunder;
	sort_list(r, r->missing, r->nmissing, 0);
	sort_list(r, r->matched, r->nmatched, 0);
	sort_list(r, r->under, r->nunder, 0);
	sort_list(r, r->extra, r->nextra, 1);
}

static int
spancmp_values(const void *a, const void *b)
{
	return num_cmp_values(*(const struct span *)a,
	    *(const struct span *)b);
}

int
rp_side_col(const struct report *r, int ref, const char *name, int range)
{
	const struct span *col = ref ? r->rtcol : r->ctcol;
	const int *isrange = ref ? r->rtrange : r->ctrange;
	size_t nc = ref ? r->nrt : r->nct;

	for (size_t i = 0; i < nc; i++)
		if (span_eqs(col[i], name) && !isrange[i] == !range)
			return (int)i;
	return -1;
}

/*
 * One side's runs: the values of its run tally column (a counts tally)
 * in all rows, sorted as trace-hist sorts values.  *col is the column's
 * index among the side's tally columns.
 */
static void
side_runs(struct report *r, int ref, struct span **out, size_t *n, int *col)
{
	int c = rp_side_col(r, ref, r->runname, 0);
	struct htab *seen;
	size_t i, j;

	if (c < 0)
		die_at(r->file, 1, "the join has run columns but no %s "
		    "counts tally column '%s_%s' to read the runs from (see "
		    "--runs)", ref ? r->ref : r->cand, ref ? r->ref : r->cand,
		    r->runname);
	*col = c;
	*n = 0;
	*out = NULL;
	seen = ht_new();
	for (i = 0; i < r->nrow; i++) {
		const struct tally_cell *t = ref ? rp_rt(r, &r->row[i], c) :
		    rp_ct(r, &r->row[i], c);
		int isnew;

		if (t->n > 0 && t->kind != TK_COUNTS)
			die_at(r->file, rp_line(r, &r->row[i]), "column "
			    "%s_%s: the runs must be a counts tally "
			    "(VALUE:N,...)",
			    ref ? r->ref : r->cand, r->runname);
		for (j = 0; j < t->n; j++) {
			ht_intern(seen, t->val[j].p, t->val[j].n, &isnew);
			if (!isnew)
				continue;
			*out = xreallocarray(*out, *n + 1, sizeof(**out));
			(*out)[(*n)++] = rp_keep(t->val[j]);
		}
	}
	ht_free(seen);
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), spancmp_values);
}

/* Runs: each side's, the quorum; a join without run columns has none. */
static void
model_runs(struct report *r, const struct ropts *o)
{
	if (!r->hasruns) {
		if (o->runs_given || o->quorum_given)
			die_at(r->file, 1, "the join has no run columns (made "
			    "without trace-join --runs): --runs and --quorum "
			    "do not apply");
		return;
	}
	r->runname = o->runs;
	side_runs(r, 1, &r->refrun, &r->nrefrun, &r->runrt);
	side_runs(r, 0, &r->candrun, &r->ncandrun, &r->runct);
	r->quorum = o->quorum_given ? o->quorum : r->nrefrun;
	if (o->quorum_given && (o->quorum == 0 || o->quorum > r->nrefrun))
		die_usage("--quorum: %zu is not between 1 and the %zu %s runs",
		    o->quorum, r->nrefrun, r->ref);
	if (r->quorum == 0)
		r->quorum = 1;
}

/* The position of run value v among runs[], or n. */
static size_t
run_index(const struct span *runs, size_t n, struct span v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = num_cmp_values(runs[mid], v);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n;
}

/* Add a row's fires to a side's per-run denominators. */
static void
add_runs(struct report *r, const struct rrow *w, int ref, uint64_t *den)
{
	const struct tally_cell *t = ref ? rp_rt(r, w, r->runrt) :
	    rp_ct(r, w, r->runct);
	const struct span *runs = ref ? r->refrun : r->candrun;
	size_t n = ref ? r->nrefrun : r->ncandrun;

	for (size_t j = 0; j < t->n; j++) {
		size_t k = run_index(runs, n, t->val[j]);

		if (k < n)
			add_count(r, w, &den[k], t->cnt[j]);
	}
}

/*
 * A side's first and last time: the least low and greatest high of its
 * range tally column c, as found when the cells were checked (read.c).
 * 0 when no row has one.
 */
static int
side_span(const struct report *r, int ref, int c, int64_t *first,
    int64_t *last)
{
	size_t i = ref ? (size_t)c : r->nrt + (size_t)c;

	if (!r->tany[i])
		return 0;
	*first = r->tlo[i];
	*last = r->thi[i];
	return 1;
}

/* A side's span of time for --per time: last - first. */
static uint64_t
side_time(const struct report *r, int ref)
{
	int c = rp_side_col(r, ref, "ts", 1);
	int64_t first = 0, last = 0;

	if (c < 0)
		die_at(r->file, 1, "--per time: no %s ts range tally column",
		    ref ? r->ref : r->cand);
	if (!side_span(r, ref, c, &first, &last))
		return 0;
	return (uint64_t)last - (uint64_t)first;
}

/* Whether row w is a marker key of --per COL=VALUE. */
static int
is_marker(const struct report *r, const struct rrow *w, size_t col,
    const char *value)
{
	struct sbuf sb = { 0 };
	struct span v = rp_key(rp_kv(r, w, col), &sb);
	int yes = span_eqs(v, value);

	sb_free(&sb);
	return yes;
}

/*
 * Rates: the denominator --per names, worked out again from the join;
 * every rate of the join must follow from it, or the join was made with
 * another --per.  A join without rate columns has none.
 */
static void
model_rates(struct report *r, const struct ropts *o)
{
	const char *eq = NULL;
	size_t i, col = 0;

	if (!r->hasrate) {
		if (o->per != NULL)
			die_at(r->file, 1, "the join has no rate columns (made "
			    "without trace-join --per): --per does not apply");
		return;
	}
	if (o->per == NULL)
		die_at(r->file, 1, "the join has rate columns (%s_rate, "
		    "%s_rate): give the --per it was made with, so that the "
		    "report can name the denominator", r->ref, r->cand);
	if (strcmp(o->per, "total") == 0) {
		r->perkind = "total";
		r->perscale = 1000.0;
	} else if (strcmp(o->per, "time") == 0) {
		r->perkind = "time";
		r->perscale = 1e9;
		if (r->hasruns)
			die_usage("--per time: a histogram has no span of time "
			    "per run (not with run columns)");
	} else if ((eq = strchr(o->per, '=')) != NULL && eq > o->per) {
		struct span name = span_make(o->per, (size_t)(eq - o->per));

		r->perkind = "key";
		r->perkey = o->per;
		r->perscale = 1.0;
		for (col = 0; col < r->nkey; col++)
			if (span_eq(r->keycol[col], name))
				break;
		if (col == r->nkey)
			die_usage("--per %s: no key column '%.*s'", o->per,
			    (int)name.n, name.p);
	} else
		die_usage("--per: expected total, time or COL=VALUE, got '%s'",
		    o->per);
	if (r->hasruns) {
		r->refdenrun = xcalloc(r->nrefrun + 1, sizeof(uint64_t));
		r->canddenrun = xcalloc(r->ncandrun + 1, sizeof(uint64_t));
	}
	for (i = 0; i < r->nrow; i++) {
		const struct rrow *w = &r->row[i];

		if (r->perkey != NULL && !is_marker(r, w, col, eq + 1))
			continue;
		add_count(r, w, &r->refden, w->ref);
		add_count(r, w, &r->candden, w->cand);
		if (r->hasruns) {
			add_runs(r, w, 1, r->refdenrun);
			add_runs(r, w, 0, r->canddenrun);
		}
	}
	if (strcmp(r->perkind, "time") == 0) {
		r->refden = side_time(r, 1);
		r->candden = side_time(r, 0);
	}
	if (r->refden == 0 || r->candden == 0)
		die_at(r->file, 1, "--per %s: the %s side's denominator is 0",
		    o->per, r->refden == 0 ? r->ref : r->cand);
	for (i = 0; i < r->nrow; i++) {
		const struct rrow *w = &r->row[i];
		const struct rrun *x = rp_x(r, w);
		double er = (double)w->ref * r->perscale / (double)r->refden;
		double ec = (double)w->cand * r->perscale / (double)r->candden;

		/* The join rounds to six decimals. */
		if (fabs(er - x->refrate) > 6e-7 + er * 1e-12 ||
		    fabs(ec - x->candrate) > 6e-7 + ec * 1e-12)
			die_at(r->file, rp_line(r, w), "the rates %s, %s do "
			    "not follow from --per %s (%.6f, %.6f): give the "
			    "--per the join was made with",
			    msg_vis(x->refrate_s.p, x->refrate_s.n),
			    msg_vis(x->candrate_s.p, x->candrate_s.n),
			    o->per, er, ec);
	}
}

double
rp_frac(const struct report *r, const struct rrow *w, int ref, int last)
{
	const struct tally_cell *t = ref ? rp_rt(r, w, r->rtscol) :
	    rp_ct(r, w, r->ctscol);
	int64_t first = ref ? r->rfirst : r->cfirst;
	int64_t end = ref ? r->rlast : r->clast;

	return (double)((last ? t->hi : t->lo) - first) / (double)(end - first);
}

/*
 * When keys fire: a matched key stops early when the candidate's last
 * fire is at most --early of its span and the reference's at least 0.9
 * of its; starts late is the mirror.
 */
static void
model_time(struct report *r, const struct ropts *o)
{
	size_t i;

	r->early = o->early / 100.0;
	r->stops = xcalloc(r->nrow + 1, sizeof(size_t));
	r->starts = xcalloc(r->nrow + 1, sizeof(size_t));
	r->rtscol = rp_side_col(r, 1, "ts", 1);
	r->ctscol = rp_side_col(r, 0, "ts", 1);
	if (r->hasruns && (r->nrefrun > 1 || r->ncandrun > 1)) {
		r->notime = "the spans of different runs are not comparable "
		    "(a side has several runs)";
		return;
	}
	if (r->rtscol < 0 || r->ctscol < 0) {
		r->notime = "the join has no ts range tallies on both sides";
		return;
	}
	side_span(r, 1, r->rtscol, &r->rfirst, &r->rlast);
	side_span(r, 0, r->ctscol, &r->cfirst, &r->clast);
	if (r->rlast <= r->rfirst || r->clast <= r->cfirst) {
		r->notime = "a side's span of time is 0";
		return;
	}
	r->hastime = 1;
	for (i = 0; i < r->nrow; i++) {
		const struct rrow *w = &r->row[i];

		if (w->status != ST_MATCHED ||
		    rp_rt(r, w, r->rtscol)->n == 0 ||
		    rp_ct(r, w, r->ctscol)->n == 0)
			continue;
		if (rp_frac(r, w, 0, 1) <= r->early &&
		    rp_frac(r, w, 1, 1) >= 0.9)
			r->stops[r->nstops++] = i;
		if (rp_frac(r, w, 0, 0) >= 1.0 - r->early &&
		    rp_frac(r, w, 1, 0) <= 0.1)
			r->starts[r->nstarts++] = i;
	}
	sort_list(r, r->stops, r->nstops, 0);
	sort_list(r, r->starts, r->nstarts, 0);
}

/* The bins of --timeline drawn at most: wider bins, or a shorter trace. */
#define TL_BINS_MAX	1000000

/* A side's tbin value: an integer, a multiple of the width. */
static int64_t
tbin_value(const struct report *r, const struct rrow *w, struct span v)
{
	int64_t b;

	if (num_parse_i64(v, &b) != NUM_OK)
		die_at(r->file, rp_line(r, w), "tbin '%s' is not an integer",
		    msg_vis(v.p, v.n));
	if (b % r->tlwidth != 0)
		die_at(r->file, rp_line(r, w), "tbin %lld is not a multiple of "
		    "--timeline %lld (give the width trace-key was given)",
		    (long long)b, (long long)r->tlwidth);
	return b;
}

void
rp_timeline(const struct report *r, const struct rrow *w, int ref,
    uint64_t *out)
{
	const struct tally_cell *t = ref ? rp_rt(r, w, r->rtbin) :
	    rp_ct(r, w, r->ctbin);
	int64_t origin = ref ? r->rorigin : r->corigin;

	memset(out, 0, r->tlbins * sizeof(*out));
	for (size_t j = 0; j < t->n; j++) {
		int64_t b = tbin_value(r, w, t->val[j]);
		uint64_t k;

		if (b < origin)
			continue;	/* before the aligned bin */
		k = ((uint64_t)b - (uint64_t)origin) / (uint64_t)r->tlwidth;
		if (k < r->tlbins)
			out[k] += t->single ? (ref ? w->ref : w->cand) :
			    t->cnt[j];
	}
}

/*
 * Timelines: each side's bins from its origin, the first event's bin or
 * with --align the first fire of a marker key, to the later side's last
 * bin.
 */
static void
model_timeline(struct report *r, const struct ropts *o)
{
	int64_t rlast = 0, clast = 0;
	int rany = 0, cany = 0, rmark = 0, cmark = 0;
	const char *eq = NULL;
	size_t i, j, col = 0;
	uint64_t n;

	if (o->timeline == 0) {
		if (o->align != NULL)
			die_usage("--align: only with --timeline");
		return;
	}
	r->tlwidth = o->timeline;
	r->rtbin = rp_side_col(r, 1, "tbin", 0);
	r->ctbin = rp_side_col(r, 0, "tbin", 0);
	if (r->rtbin < 0 || r->ctbin < 0)
		die_at(r->file, 1, "--timeline: the join has no %s tbin counts "
		    "tally (make the keyed streams with trace-key --timeline)",
		    r->rtbin < 0 ? r->ref : r->cand);
	if (r->hasruns && (r->nrefrun > 1 || r->ncandrun > 1)) {
		r->notl = "the times of different runs are not comparable (a "
		    "side has several runs)";
		return;
	}
	if (o->align != NULL) {
		struct span name;

		eq = strchr(o->align, '=');
		if (eq == NULL || eq == o->align)
			die_usage("--align: expected COL=VALUE, got '%s'",
			    o->align);
		name = span_make(o->align, (size_t)(eq - o->align));
		for (col = 0; col < r->nkey; col++)
			if (span_eq(r->keycol[col], name))
				break;
		if (col == r->nkey)
			die_usage("--align %s: no key column '%.*s'", o->align,
			    (int)name.n, name.p);
	}
	for (i = 0; i < r->nrow; i++) {
		const struct rrow *w = &r->row[i];
		int marker = eq == NULL || is_marker(r, w, col, eq + 1);

		const struct tally_cell *rt = rp_rt(r, w, r->rtbin);
		const struct tally_cell *ct = rp_ct(r, w, r->ctbin);

		/* A distinct tally has no counts to put in the bins. */
		if ((rt->n > 0 && !rt->single && rt->kind != TK_COUNTS) ||
		    (ct->n > 0 && !ct->single && ct->kind != TK_COUNTS))
			die_at(r->file, rp_line(r, w), "column %s_tbin: "
			    "--timeline needs a counts tally (VALUE:N,...)",
			    rt->n > 0 && !rt->single && rt->kind != TK_COUNTS ?
			    r->ref : r->cand);
		for (j = 0; j < rt->n; j++) {
			int64_t b = tbin_value(r, w, rt->val[j]);

			if (!rany || b > rlast)
				rlast = b;
			if (marker && (!rmark || b < r->rorigin))
				r->rorigin = b;
			rany = 1;
			rmark |= marker;
		}
		for (j = 0; j < ct->n; j++) {
			int64_t b = tbin_value(r, w, ct->val[j]);

			if (!cany || b > clast)
				clast = b;
			if (marker && (!cmark || b < r->corigin))
				r->corigin = b;
			cany = 1;
			cmark |= marker;
		}
	}
	if (!rany || !cany) {
		r->notl = "a side has no tbin";
		return;
	}
	if (!rmark || !cmark)
		die_at(r->file, 1, "--align %s: the %s side never fires it",
		    o->align, !rmark ? r->ref : r->cand);
	n = (uint64_t)rlast < (uint64_t)r->rorigin ? 0 : ((uint64_t)rlast -
	    (uint64_t)r->rorigin) / (uint64_t)r->tlwidth;
	if (clast >= r->corigin && ((uint64_t)clast - (uint64_t)r->corigin) /
	    (uint64_t)r->tlwidth > n)
		n = ((uint64_t)clast - (uint64_t)r->corigin) /
		    (uint64_t)r->tlwidth;
	if (n + 1 > TL_BINS_MAX)
		die_at(r->file, 1, "--timeline %lld: %llu bins, more than %d: "
		    "give a wider --timeline", (long long)r->tlwidth,
		    (unsigned long long)n + 1, TL_BINS_MAX);
	r->tlbins = (size_t)n + 1;
	r->tlalign = o->align;
	r->hastl = 1;
}

/*
 * Missing keys that count (with runs: those in at least quorum ref
 * runs), over-firing and flaky keys, and the headline's share rule.
 */
static void
model_runs_lists(struct report *r)
{
	size_t i;

	r->over = xcalloc(r->nrow + 1, sizeof(size_t));
	r->flaky = xcalloc(r->nrow + 1, sizeof(size_t));
	for (i = 0; i < r->nmissing; i++) {
		const struct rrow *w = &r->row[r->missing[i]];

		if (r->hasruns && rp_x(r, w)->refruns < r->quorum)
			continue;
		r->t.consistent_missing_keys++;
		add_count(r, w, &r->t.consistent_missing_fires, w->ref);
	}
	for (i = 0; i < r->nrow; i++) {
		if (r->row[i].over && r->row[i].status == ST_MATCHED)
			r->over[r->nover++] = i;
		if (r->hasruns && rp_x(r, &r->row[i])->flaky)
			r->flaky[r->nflaky++] = i;
	}
	r->t.over_keys = r->nover;
	r->t.flaky_keys = r->nflaky;
	sort_list(r, r->over, r->nover, 1);
	sort_list(r, r->flaky, r->nflaky, 0);
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
	else if (r->t.consistent_missing_keys == 0)
		r->headline = HL_SAME;	/* none, or none in enough runs */
	else if (r->t.consistent_missing_fires > o->divergent_fires &&
	    (double)r->t.consistent_missing_fires * 100.0 >=
	    o->divergent_share * (double)r->t.ref_fires)
		r->headline = HL_DIVERGENT;
	else
		r->headline = HL_INCONCLUSIVE;
	r->divergent_share = o->divergent_share;
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
		struct rrun *x = rp_x(r, w);

		if (r->nfam == 0)
			continue;
		x->fam = rp_zalloc(r->nfam);
		for (k = 0; k < r->nfam && w->hasaddr; k++) {
			struct family *fm = &r->fam[k];

			if (fm->n == 0 || bsearch(&x->addr, fm->addr, fm->n,
			    sizeof(uint64_t), rp_cmp_u64) == NULL)
				continue;
			x->fam[k] = 1;
			if (w->ref > 0)
				fm->rows[fm->nrows++] = i;
		}
	}
	for (j = 0; j < r->nmissing; j++) {
		const struct rrow *w = &r->row[r->missing[j]];
		int any = 0;

		for (k = 0; k < r->nfam; k++)
			if (rp_x(r, w)->fam[k]) {
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
		while (i < na && r->rx[byaddr[i]].addr < wa->addr)
			i++;
		wa->rows = byaddr + i;
		while (i < na && r->rx[byaddr[i]].addr == wa->addr) {
			wa->nrows++;
			i++;
		}
	}
	r->watchrows = byaddr;
}

/*
 * Groups: fires per value of the group column, by status.  Counted as
 * check_tallies() (read.c) reads each cell of the column --group-by
 * names, groups_cell(), so that no cell is read twice; model_groups()
 * finishes them once the column is known to be a counts tally.  The
 * sums cannot wrap: a group's is at most the sum of the rows' counts,
 * which model_totals() checks first.
 */
struct gbuild {
	size_t		 col;		/* index in rtcol */
	int		 tid;		/* the values are tids */
	int		 dead;		/* a cell that is not a counts tally */
	struct htab	*gv;		/* value -> index in group[] */
	struct ht_memo	 memo;		/* in front of gv */
	struct group	*group;
	size_t		 ngroup, cap;
	const struct rrow *bad;		/* the first value that is not a */
	char		*badtid;	/* canonical tid, and its row */
};

struct gbuild *
groups_begin(size_t col, const char *groupby)
{
	struct gbuild *g = xcalloc(1, sizeof(*g));

	g->col = col;
	g->tid = strcmp(groupby, "tid") == 0;
	g->gv = ht_new();
	return g;
}

void
groups_cell(struct gbuild *g, const struct rrow *w,
    const struct tally_cell *c, const uint32_t *ids)
{
	if (g->dead || g->bad != NULL)
		return;
	if (c->n > 0 && c->kind != TK_COUNTS) {
		g->dead = 1;	/* no groups: model_groups() */
		return;
	}
	for (size_t j = 0; j < c->n; j++) {
		int isnew;
		uint32_t k;
		struct group *gr;

		if (ids == NULL)
			k = ht_intern_memo(g->gv, &g->memo, c->val[j].p,
			    c->val[j].n, &isnew);
		else if ((isnew = (k = ids[j]) == g->ngroup) &&
		    ht_intern(g->gv, c->val[j].p, c->val[j].n, NULL) != k)
			dief("internal error: the groups and the thread map "
			    "number the tids apart");

		/* 015 and 15 would be two threads. */
		if (isnew && g->tid && !num_tid_ok(c->val[j])) {
			g->bad = w;
			g->badtid = xstrdup(msg_vis(c->val[j].p,
			    c->val[j].n > 40 ? 40 : c->val[j].n));
			return;
		}
		if (isnew) {
			if (g->ngroup == g->cap) {
				g->cap = g->cap ? g->cap * 2 : 64;
				g->group = xreallocarray(g->group, g->cap,
				    sizeof(*g->group));
			}
			gr = &g->group[g->ngroup++];
			memset(gr, 0, sizeof(*gr));
			/* the cell's text may be read again over */
			gr->value = rp_keep(c->val[j]);
		}
		gr = &g->group[k];
		gr->total += c->cnt[j];
		gr->keys++;
		if (w->status == ST_MATCHED)
			gr->matched += c->cnt[j];
		else if (w->status == ST_MISSING)
			gr->missing += c->cnt[j];
	}
}

static void
model_groups(struct report *r)
{
	struct gbuild *g = r->gpre;
	size_t i;

	r->gpre = NULL;
	if (r->groupcol >= 0) {
		/* the column is a counts tally with that name */
		if (g == NULL || g->dead || g->col != (size_t)r->groupcol)
			dief("%s: internal error: the groups were not counted",
			    r->file);
		if (g->bad != NULL)
			die_at(r->file, rp_line(r, g->bad), "column %s_tid: "
			    "tid '%s' is not a canonical integer (no "
			    "'+', no leading zeros, no -0)", r->ref,
			    g->badtid);
		r->group = g->group;
		r->ngroup = g->ngroup;
		g->group = NULL;
	}
	if (g != NULL) {
		ht_free(g->gv);
		free(g->group);
		free(g->badtid);
		free(g);
	}
	if (r->groupcol < 0)
		return;
	if (r->ngroup > 1)
		qsort(r->group, r->ngroup, sizeof(*r->group), groupcmp);
	for (i = 0; i < r->ngroup; i++)
		if (r->group[i].matched == 0)
			r->noanalog++;
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

/* With runs: in how many runs each side fires the key, and p. */
static void
run_cols(struct report *r, struct table *t)
{
	if (!r->hasruns)
		return;
	add_col(t, COL_RUNS, NULL, "runs");
	add_col(t, COL_P, NULL, "p");
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
	/* Tally columns but ranges, and the runs' (the runs column says
	 * more), and a timeline's bins. */
	for (size_t j = 0; j < r->nrt; j++)
		if (!r->rtrange[j] && !(r->hasruns && (int)j == r->runrt) &&
		    !(r->hastl && (int)j == r->rtbin)) {
			c = add_col(t, COL_TALLY, r->ref, "s");
			c->head.col = r->rtcol[j];
			c->tally = j;
			c->nval = (int)j == r->groupcol ? GROUP_VALUES :
			    OTHER_VALUES;
			c->sep = (int)j == r->groupcol ? "," : ", ";
		}
	run_cols(r, t);
	add_col(t, COL_NOTE, NULL, "likely fn");
}

/*
 * Under- and over-firing keys: both counts with bars on one scale (the
 * largest count shown), the ratio, and with runs their consistency.
 */
static void
table_pairs(struct report *r, struct table *t, const size_t *rows, size_t n,
    size_t top, const char *what)
{
	set_rows(t, rows, n, top, what);
	for (size_t i = 0; i < t->n; i++) {
		const struct rrow *w = &r->row[rows[i]];

		if (w->ref > t->scale)
			t->scale = w->ref;
		if (w->cand > t->scale)
			t->scale = w->cand;
	}
	add_col(t, COL_KEYS, NULL, NULL);
	add_col(t, COL_REF, r->ref, "")->bar = 1;
	add_col(t, COL_CAND, r->cand, "")->bar = 1;
	add_col(t, COL_RATIO, NULL, "ratio");
	run_cols(r, t);
	add_col(t, COL_NOTE, NULL, "likely fn");
}

/* Keys that stop early or start late. */
static void
table_time(struct report *r, struct table *t, const size_t *rows, size_t n,
    const char *what)
{
	set_rows(t, rows, n, r->top, what);
	add_col(t, COL_KEYS, NULL, NULL);
	add_col(t, COL_REF, r->ref, "");
	add_col(t, COL_CAND, r->cand, "");
	add_col(t, COL_RTIME, r->ref, " first..last");
	add_col(t, COL_CTIME, r->cand, " first..last");
	add_col(t, COL_NOTE, NULL, "likely fn");
}

/* Keys that fire in some runs of a side only (trace-join --runs). */
static void
table_flaky(struct report *r)
{
	struct table *t = &r->tflaky;

	set_rows(t, r->flaky, r->nflaky, r->top, "flaky keys");
	add_col(t, COL_KEYS, NULL, NULL);
	add_col(t, COL_REF, r->ref, "");
	add_col(t, COL_CAND, r->cand, "");
	add_col(t, COL_RUNS, NULL, "runs");
	add_col(t, COL_RSPAN, r->ref, " per run");
	add_col(t, COL_CSPAN, r->cand, " per run");
	add_col(t, COL_P, NULL, "p");
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
 *
 * Missing order is not the join's order, and a row kept where its line
 * is (read.c) is read again on its own when taken out of order: the
 * first ORPHAN_LOOK missing keys are taken in their order, which usually
 * shows every group its keys; when not, the missing keys are taken
 * again in the join's order, each read once for all the groups, each
 * group keeping the first keys in missing order.
 */
#define ORPHAN_LOOK	1024

/* Row w's entry holding group g's value in its group cell, or -1. */
static ptrdiff_t
orphan_entry(const struct report *r, const struct rrow *w,
    const struct group *g)
{
	const struct tally_cell *c = rp_rt(r, w, r->groupcol);

	for (size_t k = 0; k < c->n; k++)
		if (span_eq(c->val[k], g->value))
			return (ptrdiff_t)k;
	return -1;
}

/* Orphan op takes missing key j (its rank in missing order) with its
 * entry k, when among the first ORPHAN_KEYS by rank; rank[] holds the
 * ranks op has, ascending. */
static void
orphan_take(const struct report *r, struct orphan *op, size_t *rank,
    size_t j, size_t k)
{
	size_t i = op->n;

	if (i == ORPHAN_KEYS) {
		if (j > rank[i - 1])
			return;
		i--;
	} else
		op->n++;
	for (; i > 0 && rank[i - 1] > j; i--) {
		rank[i] = rank[i - 1];
		op->row[i] = op->row[i - 1];
		op->entry[i] = op->entry[i - 1];
	}
	rank[i] = j;
	op->row[i] = r->missing[j];
	op->entry[i] = k;
}

struct mrank {
	size_t		 row, rank;
};

static int
mrank_cmp(const void *a, const void *b)
{
	const struct mrank *x = a, *y = b;

	return (x->row > y->row) - (x->row < y->row);
}

static void
orphans(struct report *r)
{
	size_t i, j, n = 0, look, *rank;
	struct mrank *m;
	int full = 1;
	ptrdiff_t k;

	r->norphan = min_size(r->noanalog, r->grouptop);
	r->orphan = xcalloc(r->norphan + 1, sizeof(*r->orphan));
	for (i = 0; i < r->ngroup && n < r->norphan; i++)
		if (r->group[i].matched == 0)
			r->orphan[n++].group = i;
	if (n == 0)
		return;
	rank = xcalloc(n * ORPHAN_KEYS, sizeof(*rank));
	look = min_size(r->nmissing, ORPHAN_LOOK);
	for (j = 0; j < look; j++)
		for (i = 0; i < n; i++) {
			struct orphan *op = &r->orphan[i];

			if (op->n < ORPHAN_KEYS && (k = orphan_entry(r,
			    &r->row[r->missing[j]], &r->group[op->group])) >= 0)
				orphan_take(r, op, rank + i * ORPHAN_KEYS, j,
				    (size_t)k);
		}
	for (i = 0; i < n; i++)
		full &= r->orphan[i].n == ORPHAN_KEYS;
	if (full || look == r->nmissing)
		goto done;
	/* the rest in the join's order: each group's keys by rank */
	m = xreallocarray(NULL, r->nmissing - look, sizeof(*m));
	for (j = look; j < r->nmissing; j++) {
		m[j - look].row = r->missing[j];
		m[j - look].rank = j;
	}
	qsort(m, r->nmissing - look, sizeof(*m), mrank_cmp);
	for (j = 0; j < r->nmissing - look; j++)
		for (i = 0; i < n; i++) {
			struct orphan *op = &r->orphan[i];

			if (op->n == ORPHAN_KEYS && m[j].rank > rank[i *
			    ORPHAN_KEYS + ORPHAN_KEYS - 1])
				continue;
			if ((k = orphan_entry(r, &r->row[m[j].row],
			    &r->group[op->group])) >= 0)
				orphan_take(r, op, rank + i * ORPHAN_KEYS,
				    m[j].rank, (size_t)k);
		}
	free(m);
done:
	free(rank);
}

/* Add table t's shown rows to the timeline's, each once. */
static void
add_tlrows(struct report *r, const struct table *t, uint8_t *seen)
{
	for (size_t i = 0; i < t->n; i++)
		if (!seen[t->row[i]]) {
			seen[t->row[i]] = 1;
			r->tlrows[r->ntlrows++] = t->row[i];
		}
}

/* The keys the timelines draw: those the key tables show. */
static void
timeline_rows(struct report *r)
{
	uint8_t *seen = xcalloc(r->nrow + 1, 1);

	r->tlrows = xcalloc(r->nrow + 1, sizeof(size_t));
	add_tlrows(r, &r->tmissing, seen);
	add_tlrows(r, &r->tunder, seen);
	if (r->hasover)
		add_tlrows(r, &r->tover, seen);
	if (r->hastime) {
		add_tlrows(r, &r->tstops, seen);
		add_tlrows(r, &r->tstarts, seen);
	}
	free(seen);
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
	table_pairs(r, &r->tunder, r->under, r->nunder, r->undertop,
	    "under-firing keys");
	if (r->hasover)
		table_pairs(r, &r->tover, r->over, r->nover, r->overtop,
		    "over-firing keys");
	if (r->hasruns)
		table_flaky(r);
	if (r->hastime) {
		table_time(r, &r->tstops, r->stops, r->nstops,
		    "keys that stop early");
		table_time(r, &r->tstarts, r->starts, r->nstarts,
		    "keys that start late");
	}
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
	if (r->hastl)
		timeline_rows(r);
}

void
report_load(struct report *r, const struct ropts *o)
{
	report_read(r, o);
	model_totals(r, o);
	model_runs(r, o);
	model_rates(r, o);
	model_runs_lists(r);
	model_time(r, o);
	model_timeline(r, o);
	model_headline(r, o);
	model_families(r);
	model_watch(r);
	model_groups(r);
	model_threads(r, o);
	sections(r);
}

double
rp_run_value(const struct report *r, const struct rrow *w, int ref, size_t k)
{
	const struct tally_cell *t = ref ? rp_rt(r, w, r->runrt) :
	    rp_ct(r, w, r->runct);
	const struct span *runs = ref ? r->refrun : r->candrun;
	size_t n = ref ? r->nrefrun : r->ncandrun;
	const uint64_t *den = ref ? r->refdenrun : r->canddenrun;
	uint64_t c = 0;

	for (size_t j = 0; j < t->n; j++)
		if (run_index(runs, n, t->val[j]) == k)
			c = t->single ? (ref ? w->ref : w->cand) : t->cnt[j];
	if (r->hasrate)
		return den[k] > 0 ? (double)c * r->perscale / (double)den[k] :
		    0.0;
	return (double)c;
}
