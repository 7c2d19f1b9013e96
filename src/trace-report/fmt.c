/* fmt.c - display text and number formatting shared by the report
 * writers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
rp_note(const struct report *r, const struct rrow *w,
    const char *fallback)
{
	const struct rrun *x = rp_x(r, w);

	return x != NULL && x->note != NULL ? x->note : fallback;
}

/* Digits of UINT64_MAX, and a comma before every three but the first. */
#define U64_DIGITS	20
#define U64_GROUPED	(U64_DIGITS + (U64_DIGITS - 1) / 3)

void
put_thousands(struct ob *o, uint64_t v)
{
	char b[U64_DIGITS + 1], out[U64_GROUPED];
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

void
put_key(struct ob *o, struct span v, void (*esc)(struct ob *, struct span))
{
	struct sbuf sb = { 0 };

	esc(o, rp_key(v, &sb));
	sb_free(&sb);
}

void
rp_group_bins(const uint64_t *v, size_t n, size_t g, uint64_t *c, size_t nc)
{
	for (size_t i = 0; i < nc; i++) {
		c[i] = 0;
		for (size_t k = i * g; k < n && k < (i + 1) * g; k++)
			c[i] += v[k];
	}
}

void
put_values(struct ob *o, const struct tally_cell *c, size_t max,
    const char *sep, void (*esc)(struct ob *, struct span))
{
	struct sbuf sb = { 0 };

	for (size_t i = 0; i < c->n && i < max; i++) {
		if (i > 0)
			ob_puts(o, sep);
		esc(o, rp_val(c->val[i], &sb));
	}
	if (c->n > max)
		ob_printf(o, " (+%zu)", c->n - max);
	sb_free(&sb);
}

void
put_label(struct ob *o, const struct label *l,
    void (*esc)(struct ob *, struct span),
    void (*esccol)(struct ob *, struct span))
{
	if (l->pre != NULL)
		ob_puts(o, l->pre);
	if (l->side != NULL)
		esc(o, span_str(l->side));
	if (l->side != NULL && (l->col.n > 0 || l->name != NULL))
		ob_putc(o, ' ');
	if (l->col.n > 0)
		esccol(o, l->col);
	else if (l->name != NULL)
		esc(o, span_str(l->name));
	if (l->text != NULL)
		ob_puts(o, l->text);
}

/* num / den in percent with two decimals; "-" without a den. */
static void
put_rate_pct(struct ob *o, double num, double den)
{
	if (den <= 0.0)
		ob_puts(o, "-");
	else
		ob_printf(o, "%.2f", num / den * 100.0);
}

/* "min..max", or the one value when they agree; "-" when empty. */
static void
put_span_range(struct ob *o, struct span lo, struct span hi)
{
	if (lo.n == 0)
		ob_puts(o, "-");
	else if (span_eq(lo, hi))
		ob_span(o, lo);
	else {
		ob_span(o, lo);
		ob_puts(o, "..");
		ob_span(o, hi);
	}
}

uint64_t
put_cell(struct ob *o, const struct report *r, const struct table *t,
    const struct column *c, size_t i, void (*esc)(struct ob *, struct span))
{
	const struct rrow *w = t->row != NULL ? &r->row[t->row[i]] : NULL;
	const struct group *g = &r->group[i];
	struct sbuf sb = { 0 };
	uint64_t v;

	switch (c->kind) {
	case COL_RANK:
		ob_printf(o, "%zu", i + 1);
		return 0;
	case COL_RATIO:
		if (r->hasrate)	/* rates, before their rounding */
			put_rate_pct(o, (double)w->cand * (double)r->refden,
			    (double)w->ref * (double)r->candden);
		else
			put_pct(o, w->cand, w->ref, 2);
		ob_putc(o, '%');
		return 0;
	case COL_RUNS:
		ob_printf(o, "%llu/%zu vs %llu/%zu",
		    (unsigned long long)rp_x(r, w)->refruns, r->nrefrun,
		    (unsigned long long)rp_x(r, w)->candruns, r->ncandrun);
		return 0;
	case COL_P:
		if (rp_x(r, w)->p.n > 0)
			ob_span(o, rp_x(r, w)->p);
		else
			ob_puts(o, "-");
		return 0;
	case COL_RTIME:
	case COL_CTIME:
		ob_printf(o, "%.0f%%..%.0f%%", 100.0 * rp_frac(r, w,
		    c->kind == COL_RTIME, 0), 100.0 * rp_frac(r, w,
		    c->kind == COL_RTIME, 1));
		return 0;
	case COL_RSPAN:
		put_span_range(o, rp_x(r, w)->refmin, rp_x(r, w)->refmax);
		return 0;
	case COL_CSPAN:
		put_span_range(o, rp_x(r, w)->candmin, rp_x(r, w)->candmax);
		return 0;
	case COL_TALLY:
		put_values(o, rp_rt(r, w, c->tally), c->nval, c->sep, esc);
		return 0;
	case COL_GVALUE:
		esc(o, rp_val(g->value, &sb));
		sb_free(&sb);
		return 0;
	case COL_GKEYS:
		ob_printf(o, "%zu", g->keys);
		return 0;
	case COL_REF: v = w->ref; break;
	case COL_CAND: v = w->cand; break;
	case COL_GTOTAL: v = g->total; break;
	case COL_GMATCHED: v = g->matched; break;
	case COL_GMISSING: v = g->missing; break;
	default:
		return 0;	/* keys, notes, analog: the writer's markup */
	}
	put_thousands(o, v);
	return v;
}

/*
 * A sentence: fmt with %s (a string, escaped with esc), %n (a
 * uint64_t count with thousands separators), %u (one without), %z (a
 * size_t), %p (the percentage of two uint64_t counts, one decimal) and
 * %% (a '%').
 */
void
say_empty_component(struct ob *o, const struct report *r,
    void (*esc)(struct ob *, struct span))
{
	say(o, esc, "Keys with an empty key value: %n (an empty value "
	    "matches only the same empty value on the other side).",
	    (uint64_t)r->t.empty_component_keys);
}

void
say_empty_side(struct ob *o, const struct report *r,
    void (*esc)(struct ob *, struct span))
{
	if (strcmp(r->empty_side, "both") == 0)
		say(o, esc, "neither %s nor %s has any fire: nothing was "
		    "compared.", r->ref, r->cand);
	else
		say(o, esc, "%s has no fire: nothing was compared.",
		    strcmp(r->empty_side, "ref") == 0 ? r->ref : r->cand);
}

/* What a rate is per: "per 1,000 fires", ... */
static void
say_per(struct ob *o, const struct report *r,
    void (*esc)(struct ob *, struct span))
{
	if (strcmp(r->perkind, "total") == 0)
		ob_puts(o, "per 1,000 fires");
	else if (strcmp(r->perkind, "time") == 0)
		ob_puts(o, "per 10^9 ts units");
	else
		say(o, esc, "per fire of %s", r->perkey);
}

void
say_ratio(struct ob *o, const struct report *r,
    void (*esc)(struct ob *, struct span))
{
	say(o, esc, "ratio = %s ", r->cand);
	if (r->hasrate)
		say_per(o, r, esc);
	else
		ob_puts(o, "fires");
	say(o, esc, " / %s ", r->ref);
	if (r->hasrate)
		say_per(o, r, esc);
	else
		ob_puts(o, "fires");
	ob_puts(o, " of the key.");
}

void
say_rates(struct ob *o, const struct report *r,
    void (*esc)(struct ob *, struct span))
{
	if (!r->hasrate)
		return;
	if (strcmp(r->perkind, "total") == 0)
		say(o, esc, "Rates are per 1,000 fires of the side (%s: %n "
		    "fires, %s: %n fires)", r->ref, r->refden, r->cand,
		    r->candden);
	else if (strcmp(r->perkind, "time") == 0)
		say(o, esc, "Rates are per 10^9 units of the side's span of ts, "
		    "per second when ts is in nanoseconds (%s: %n units, %s: "
		    "%n units)", r->ref, r->refden, r->cand, r->candden);
	else
		say(o, esc, "Rates are per fire of the marker key %s (%s: %n "
		    "fires, %s: %n fires)", r->perkey, r->ref, r->refden,
		    r->cand, r->candden);
	ob_puts(o, r->hasruns ? ", summed over the runs; the ratio is of "
	    "rates, the floor of trace-join compares counts." : "; the ratio "
	    "is of rates, the floor of trace-join compares counts.");
}

void
say_thread_map(struct ob *o, const struct report *r,
    void (*esc)(struct ob *, struct span))
{
	say(o, esc, "A %s's analogs are the %s %ss that do its work: "
	    "similarity is the overlap of the two distributions over keys (0 "
	    "to 1; each analog's own, and the thread's with all its analogs "
	    "merged), and a thread has analogs from ", r->groupby, r->cand,
	    r->groupby);
	ob_printf(o, "%g", r->threadmin);
	say(o, esc, " (--thread-min). Missing keys never fire in %s; moved "
	    "keys fire there only on other %ss. (The breakdown's analog "
	    "column says only whether a %s has a matched fire.)", r->cand,
	    r->groupby, r->groupby);
}

void
say_runs(struct ob *o, const struct report *r,
    void (*esc)(struct ob *, struct span))
{
	const struct totals *t = &r->t;

	if (!r->hasruns)
		return;
	say(o, esc, "Runs (column %s): %z %s runs, %z %s runs. Consistently "
	    "missing (in at least %z of the %z %s runs): %z key%s carrying %n "
	    "%s fires, which the headline counts. Flaky (firing in some runs "
	    "of a side only): %z key%s.", r->runname, r->nrefrun, r->ref,
	    r->ncandrun, r->cand, r->quorum, r->nrefrun, r->ref,
	    t->consistent_missing_keys, t->consistent_missing_keys == 1 ? "" :
	    "s", t->consistent_missing_fires, r->ref, t->flaky_keys,
	    t->flaky_keys == 1 ? "" : "s");
}

void
say(struct ob *o, void (*esc)(struct ob *, struct span), const char *fmt,
    ...)
{
	va_list ap;
	const char *p;
	uint64_t a;

	va_start(ap, fmt);
	for (p = fmt; *p != '\0'; p++) {
		if (*p != '%') {
			const char *q = strchr(p, '%');
			size_t n = q != NULL ? (size_t)(q - p) : strlen(p);

			ob_write(o, p, n);
			p += n - 1;
			continue;
		}
		switch (*++p) {
		case 's':
			esc(o, span_str(va_arg(ap, const char *)));
			break;
		case 'n':
			put_thousands(o, va_arg(ap, uint64_t));
			break;
		case 'z':
			ob_printf(o, "%zu", va_arg(ap, size_t));
			break;
		case 'u':
			ob_printf(o, "%llu",
			    (unsigned long long)va_arg(ap, uint64_t));
			break;
		case 'p':
			a = va_arg(ap, uint64_t);
			put_pct(o, a, va_arg(ap, uint64_t), 1);
			break;
		default:
			ob_putc(o, '%');
			break;
		}
	}
	va_end(ap);
}

void
put_fresh(struct ob *o, const struct report *r, const struct markup *m)
{
	for (size_t i = 0; i < r->nfresh; i++) {
		const struct rrow *w = &r->row[r->freshrows[i]];

		ob_puts(o, m->item);
		m->keys(o, r, w);
		say(o, m->text, ": %n %s fires", w->ref, r->ref);
		if (r->groupcol >= 0) {
			ob_puts(o, ", ");
			m->col(o, r->rtcol[r->groupcol]);
			ob_puts(o, "s ");
			put_values(o, rp_rt(r, w, r->groupcol), FRESH_VALUES,
			    ",", m->val);
		}
		ob_puts(o, m->enditem);
	}
	if (r->freshmore > 0)
		ob_printf(o, "%s… and %zu more%s", m->item, r->freshmore,
		    m->enditem);
}

void
put_famsum(struct ob *o, const struct report *r, const struct markup *m)
{
	if (r->nfam == 0)
		return;
	ob_printf(o, "%sOf %zu missing keys: ", m->para, r->nmissing);
	for (size_t k = 0; k < r->nfam; k++) {
		ob_printf(o, "%s%zu%s in ", m->bold, r->fam[k].missing,
		    m->endbold);
		m->text(o, span_str(r->fam[k].name));
		ob_puts(o, ", ");
	}
	ob_printf(o, "%s%zu%s in no family (fresh).%s", m->bold, r->fresh,
	    m->endbold, m->endpara);
	if (r->fresh == 0)
		return;
	ob_puts(o, m->freshhead);
	put_fresh(o, r, m);
	ob_puts(o, m->endlist);
}
