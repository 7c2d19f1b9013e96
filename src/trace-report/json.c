/*
 * json.c - the JSON report: every figure, with stable field names (see
 * trace-report(1)).  Values from traces are JSON strings; counts are
 * numbers; a ratio with no reference fires is null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report.h"

static void
js_span(struct ob *o, struct span s)
{
	json_put_string(o, s.p, s.n);
}

/* A plain string. */
static void
js_str(struct ob *o, const char *s)
{
	js_span(o, span_str(s));
}

static void
js_cell(struct ob *o, const struct tally_cell *c)
{
	struct sbuf sb = { 0 };

	if (c->kind == TK_RANGE) {
		if (c->n > 0)
			js_span(o, c->val[0]);
		else
			ob_puts(o, "null");
		return;
	}
	ob_putc(o, '[');
	for (size_t i = 0; i < c->n; i++) {
		if (i > 0)
			ob_putc(o, ',');
		ob_puts(o, "{\"value\":");
		js_span(o, rp_val(c->val[i], &sb));
		if (c->kind == TK_COUNTS)
			ob_printf(o, ",\"count\":%llu",
			    (unsigned long long)c->cnt[i]);
		ob_putc(o, '}');
	}
	ob_putc(o, ']');
	sb_free(&sb);
}

/* ,"name":N with N a number as the join writes it, or null. */
static void
js_num(struct ob *o, const char *name, struct span v)
{
	ob_printf(o, ",\"%s\":", name);
	if (v.n > 0)
		ob_span(o, v);
	else
		ob_puts(o, "null");
}

/* [d, d, ...] of n numbers. */
static void
js_u64s(struct ob *o, const uint64_t *v, size_t n)
{
	ob_putc(o, '[');
	for (size_t i = 0; i < n; i++)
		ob_printf(o, "%s%llu", i > 0 ? "," : "",
		    (unsigned long long)v[i]);
	ob_putc(o, ']');
}

/* One key row: key columns by name, ref, cand, ratio, note, tallies. */
static void
js_row(struct ob *o, const struct report *r, const struct rrow *w)
{
	size_t i;

	ob_putc(o, '{');
	for (i = 0; i < r->nkey; i++) {
		put_key(o, r->keycol[i], js_span);
		ob_putc(o, ':');
		put_key(o, rp_kv(r, w, i), js_span);
		ob_putc(o, ',');
	}
	ob_printf(o, "\"status\":\"%s\",\"ref\":%llu,\"cand\":%llu,\"ratio\":",
	    w->status == ST_MISSING ? "missing" : w->status == ST_MATCHED ?
	    "matched" : "extra", (unsigned long long)w->ref,
	    (unsigned long long)w->cand);
	if (w->ref > 0 && r->hasrate)	/* of rates, before rounding */
		ob_printf(o, "%.6f", (double)w->cand * (double)r->refden /
		    ((double)w->ref * (double)r->candden));
	else if (w->ref > 0)
		ob_printf(o, "%.6f", (double)w->cand / (double)w->ref);
	else
		ob_puts(o, "null");
	/* cand - ref, exact for any two 64-bit counts */
	if (w->cand >= w->ref)
		ob_printf(o, ",\"delta\":%llu",
		    (unsigned long long)(w->cand - w->ref));
	else
		ob_printf(o, ",\"delta\":-%llu",
		    (unsigned long long)(w->ref - w->cand));
	ob_printf(o, ",\"under\":%s", w->under ? "true" : "false");
	if (r->hasover)
		ob_printf(o, ",\"over\":%s", w->over ? "true" : "false");
	if (r->hasruns) {
		const struct rrun *x = rp_x(r, w);

		ob_printf(o, ",\"ref_runs\":%llu,\"cand_runs\":%llu",
		    (unsigned long long)x->refruns,
		    (unsigned long long)x->candruns);
		js_num(o, "ref_min", x->refmin);
		js_num(o, "ref_max", x->refmax);
		js_num(o, "cand_min", x->candmin);
		js_num(o, "cand_max", x->candmax);
		ob_printf(o, ",\"flaky\":%s", x->flaky ? "true" : "false");
		js_num(o, "p", x->p);
	}
	if (r->hastl) {
		/* one buffer for every row: tlbins is the same for all */
		static uint64_t *v;

		if (v == NULL)
			v = xcalloc(r->tlbins, sizeof(*v));

		ob_printf(o, ",\"timeline\":{\"width\":%lld,\"ref\":",
		    (long long)r->tlwidth);
		rp_timeline(r, w, 1, v);
		js_u64s(o, v, r->tlbins);
		ob_puts(o, ",\"cand\":");
		rp_timeline(r, w, 0, v);
		js_u64s(o, v, r->tlbins);
		ob_putc(o, '}');
	}
	if (r->hasrate) {
		js_num(o, "ref_rate", rp_x(r, w)->refrate_s);
		js_num(o, "cand_rate", rp_x(r, w)->candrate_s);
	}
	ob_puts(o, ",\"note\":");
	if (rp_note(r, w, NULL) != NULL)
		js_str(o, rp_note(r, w, NULL));
	else
		ob_puts(o, "null");
	if (r->nfam > 0) {
		size_t k = 0;

		ob_puts(o, ",\"families\":[");
		for (i = 0; i < r->nfam; i++)
			if (rp_x(r, w)->fam[i]) {
				if (k++ > 0)
					ob_putc(o, ',');
				js_str(o, r->fam[i].name);
			}
		ob_putc(o, ']');
	}
	ob_puts(o, ",\"ref_tallies\":{");
	for (i = 0; i < r->nrt; i++) {
		if (i > 0)
			ob_putc(o, ',');
		put_key(o, r->rtcol[i], js_span);
		ob_putc(o, ':');
		js_cell(o, rp_rt(r, w, i));
	}
	ob_puts(o, "},\"cand_tallies\":{");
	for (i = 0; i < r->nct; i++) {
		if (i > 0)
			ob_putc(o, ',');
		put_key(o, r->ctcol[i], js_span);
		ob_putc(o, ':');
		js_cell(o, rp_ct(r, w, i));
	}
	ob_puts(o, "}}");
}

static void
js_rows(struct ob *o, const struct report *r, const char *name,
    const size_t *v, size_t n)
{
	ob_printf(o, ",\n\"%s\":[", name);
	for (size_t i = 0, next = 0; i < n; i++) {
		if (i == next)
			next = i + rp_batch(r, v + i, n - i);
		ob_puts(o, i > 0 ? ",\n " : "\n ");
		js_row(o, r, &r->row[v[i]]);
	}
	ob_puts(o, "]");
}

/* {"op":"set","lr":"0x..."}: a key object of the key columns only. */
static void
js_keymembers(struct ob *o, const struct report *r, const struct rrow *w)
{
	for (size_t i = 0; i < r->nkey; i++) {
		if (i > 0)
			ob_putc(o, ',');
		put_key(o, r->keycol[i], js_span);
		ob_putc(o, ':');
		put_key(o, rp_kv(r, w, i), js_span);
	}
}

static void
js_keyobj(struct ob *o, const struct report *r, const struct rrow *w)
{
	ob_putc(o, '{');
	js_keymembers(o, r, w);
	ob_putc(o, '}');
}

static void
js_keyobjs(struct ob *o, const struct report *r, const size_t *v, size_t n)
{
	ob_putc(o, '[');
	for (size_t i = 0, next = 0; i < n; i++) {
		if (i == next)
			next = i + rp_batch(r, v + i, n - i);
		if (i > 0)
			ob_putc(o, ',');
		js_keyobj(o, r, &r->row[v[i]]);
	}
	ob_putc(o, ']');
}

/* Keys that stop early or start late, with their fractions; null when
 * not compared. */
static void
js_time(struct ob *o, const struct report *r, const char *name,
    const size_t *v, size_t n)
{
	ob_printf(o, ",\n\"%s\":", name);
	if (!r->hastime) {
		ob_puts(o, "null");
		return;
	}
	ob_putc(o, '[');
	for (size_t i = 0; i < n; i++) {
		const struct rrow *w = &r->row[v[i]];

		ob_puts(o, i > 0 ? ",\n " : "\n ");
		ob_putc(o, '{');
		js_keymembers(o, r, w);
		ob_printf(o, ",\"ref\":%llu,\"cand\":%llu,\"ref_first\":%.6f,"
		    "\"ref_last\":%.6f,\"cand_first\":%.6f,\"cand_last\":%.6f}",
		    (unsigned long long)w->ref, (unsigned long long)w->cand,
		    rp_frac(r, w, 1, 0), rp_frac(r, w, 1, 1),
		    rp_frac(r, w, 0, 0), rp_frac(r, w, 0, 1));
	}
	ob_putc(o, ']');
}

/* The thread map: every reference thread; null without a map. */
static void
js_threads(struct ob *o, const struct report *r)
{
	struct sbuf sb = { 0 };

	ob_puts(o, ",\n\"threads\":");
	if (!r->hasmap) {
		ob_puts(o, "null,\n\"no_thread_map\":");
		if (r->nomap != NULL)
			js_str(o, r->nomap);
		else
			ob_puts(o, "null");
		return;
	}
	ob_putc(o, '[');
	for (size_t i = 0; i < r->nthread; i++) {
		const struct thread *t = &r->thread[i];

		ob_puts(o, i > 0 ? ",\n {\"ref\":" : "\n {\"ref\":");
		js_span(o, rp_val(t->tid, &sb));
		ob_printf(o, ",\"fires\":%llu,\"analogs\":[",
		    (unsigned long long)t->fires);
		for (size_t k = 0; k < t->nanalog; k++) {
			ob_puts(o, k > 0 ? ",{\"tid\":" : "{\"tid\":");
			js_span(o, rp_val(r->cthread[t->analog[k]], &sb));
			ob_printf(o, ",\"similarity\":%.6f}", t->asim[k]);
		}
		ob_printf(o, "],\"similarity\":%.6f,\"missing_keys\":",
		    t->sim);
		js_keyobjs(o, r, t->missing, t->nmissing);
		ob_puts(o, ",\"moved_keys\":");
		js_keyobjs(o, r, t->moved, t->nmoved);
		ob_putc(o, '}');
	}
	ob_puts(o, "]");
	sb_free(&sb);
}

void
write_json(const struct report *r, struct ob *o)
{
	const struct totals *t = &r->t;
	struct sbuf sb = { 0 };
	size_t i, k;

	ob_puts(o, "{\"names\":{\"ref\":");
	js_str(o, r->ref);
	ob_puts(o, ",\"cand\":");
	js_str(o, r->cand);
	ob_puts(o, "},\n\"key\":[");
	for (i = 0; i < r->nkey; i++) {
		if (i > 0)
			ob_putc(o, ',');
		put_key(o, r->keycol[i], js_span);
	}
	ob_printf(o, "],\n\"headline\":\"%s\",\n", headline_word(r->headline));
	if (r->empty_side != NULL)
		ob_printf(o, "\"empty_side\":\"%s\",\n", r->empty_side);
	else
		ob_puts(o, "\"empty_side\":null,\n");
	ob_printf(o, "\"thresholds\":{\"divergent_fires\":%llu",
	    (unsigned long long)r->divergent_fires);
	if (r->divergent_share > 0.0)
		ob_printf(o, ",\"divergent_share\":%g", r->divergent_share);
	if (r->hasruns)
		ob_printf(o, ",\"quorum\":%zu", r->quorum);
	ob_puts(o, "},\n");
	if (r->hasruns)
		ob_printf(o, "\"runs\":{\"ref\":%zu,\"cand\":%zu},\n",
		    r->nrefrun, r->ncandrun);
	if (r->hasrate) {
		ob_printf(o, "\"denominator\":{\"kind\":\"%s\",\"key\":",
		    r->perkind);
		if (r->perkey != NULL)
			js_str(o, r->perkey);
		else
			ob_puts(o, "null");
		ob_puts(o, ",\"ref\":");
		if (r->hasruns)
			js_u64s(o, r->refdenrun, r->nrefrun);
		else
			ob_printf(o, "%llu", (unsigned long long)r->refden);
		ob_puts(o, ",\"cand\":");
		if (r->hasruns)
			js_u64s(o, r->canddenrun, r->ncandrun);
		else
			ob_printf(o, "%llu", (unsigned long long)r->candden);
		ob_puts(o, "},\n");
	}
	ob_printf(o, "\"totals\":{\"ref_fires\":%llu,\"cand_fires\":%llu,"
	    "\"ref_keys\":%zu,\"cand_keys\":%zu,\"missing_keys\":%zu,"
	    "\"missing_fires\":%llu,\"missing_share\":%.4f,"
	    "\"matched_keys\":%zu,\"matched_fires\":%llu,"
	    "\"matched_cand_fires\":%llu,\"extra_keys\":%zu,"
	    "\"extra_fires\":%llu,\"under_keys\":%zu,"
	    "\"empty_component_keys\":%zu",
	    (unsigned long long)t->ref_fires, (unsigned long long)t->cand_fires,
	    t->ref_keys, t->cand_keys, t->missing_keys,
	    (unsigned long long)t->missing_fires,
	    t->ref_fires > 0 ? (double)t->missing_fires / (double)t->ref_fires :
	    0.0, t->matched_keys, (unsigned long long)t->matched_fires,
	    (unsigned long long)t->matched_cand_fires, t->extra_keys,
	    (unsigned long long)t->extra_fires, t->under_keys,
	    t->empty_component_keys);
	if (r->hasruns)
		ob_printf(o, ",\"consistent_missing_keys\":%zu,"
		    "\"consistent_missing_fires\":%llu,\"flaky_keys\":%zu",
		    t->consistent_missing_keys,
		    (unsigned long long)t->consistent_missing_fires,
		    t->flaky_keys);
	if (r->hasover)
		ob_printf(o, ",\"over_keys\":%zu", t->over_keys);
	ob_putc(o, '}');
	js_rows(o, r, "missing", r->missing, r->nmissing);
	js_rows(o, r, "matched", r->matched, r->nmatched);
	js_rows(o, r, "under", r->under, r->nunder);
	if (r->hasover)
		js_rows(o, r, "over", r->over, r->nover);
	if (r->hasruns)
		js_rows(o, r, "flaky", r->flaky, r->nflaky);
	js_rows(o, r, "extra", r->extra, r->nextra);

	ob_puts(o, ",\n\"families\":[");
	for (k = 0; k < r->nfam; k++) {
		const struct family *f = &r->fam[k];

		ob_puts(o, k > 0 ? ",\n " : "\n ");
		ob_puts(o, "{\"name\":");
		js_str(o, f->name);
		ob_printf(o, ",\"addresses\":%zu,\"missing_keys\":%zu,\"rows\":[",
		    f->n, f->missing);
		for (i = 0; i < f->nrows; i++) {
			if (i > 0)
				ob_putc(o, ',');
			js_row(o, r, &r->row[f->rows[i]]);
		}
		ob_puts(o, "]}");
	}
	ob_printf(o, "],\n\"fresh_keys\":%zu", r->fresh);

	ob_puts(o, ",\n\"watch\":[");
	for (k = 0; k < r->nwatch; k++) {
		const struct watch *wa = &r->watch[k];
		ob_printf(o, "%s{\"address\":\"0x%08llx\",\"rows\":[", k > 0 ?
		    ",\n " : "\n ", (unsigned long long)wa->addr);
		for (i = 0; i < wa->nrows; i++) {
			if (i > 0)
				ob_putc(o, ',');
			js_row(o, r, &r->row[wa->rows[i]]);
		}
		ob_puts(o, "]}");
	}
	ob_puts(o, "],\n\"groups\":");
	if (r->groupcol < 0)
		ob_puts(o, "null");
	else {
		ob_puts(o, "{\"by\":");
		js_str(o, r->groupby);
		ob_puts(o, ",\"rows\":[");
		for (i = 0; i < r->ngroup; i++) {
			const struct group *g = &r->group[i];

			ob_puts(o, i > 0 ? ",\n " : "\n ");
			ob_puts(o, "{\"value\":");
			js_span(o, rp_val(g->value, &sb));
			ob_printf(o, ",\"total\":%llu,\"matched\":%llu,"
			    "\"missing\":%llu,\"distinct_keys\":%zu,"
			    "\"analog\":%s}", (unsigned long long)g->total,
			    (unsigned long long)g->matched,
			    (unsigned long long)g->missing, g->keys,
			    g->matched > 0 ? "true" : "false");
		}
		ob_puts(o, "],\"no_analog\":[");
		for (i = k = 0; i < r->ngroup; i++)
			if (r->group[i].matched == 0) {
				if (k++ > 0)
					ob_putc(o, ',');
				js_span(o, rp_val(r->group[i].value, &sb));
			}
		ob_puts(o, "]}");
	}
	js_time(o, r, "stops_early", r->stops, r->nstops);
	js_time(o, r, "starts_late", r->starts, r->nstarts);
	js_threads(o, r);
	ob_puts(o, "\n}\n");
	sb_free(&sb);
}
