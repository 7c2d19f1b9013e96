/*
 * out.c - hunks merged and written: TSV as they are found, or a
 * Markdown summary at the end.
 *
 * Alignment hands hunks over in order within a pair.  The last one is
 * held back while the next may still touch it (a window's commit can end
 * right after a hunk that the next window extends, and a used-up side's
 * rest arrives a window at a time); touching hunks merge, a deletion and
 * an insertion into a changed hunk.  Lost windows never merge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diverge.h"
#include "mdesc.h"
#include "msg.h"

static struct ob *o;
static uint64_t	 nrows;		/* hunks and unpaired rows written */
static uint64_t	 tot[K_N], totev[K_N][2];

static const char *kind_name[K_N] = {
	"deleted", "inserted", "changed", "lost", "unpaired"
};

void
out_open(const char *path)
{
	o = path != NULL ? ob_create(path) : ob_stdout();
	if (!opt_md) {
		ob_puts(o, "ref_thread\tcand_thread\tkind\tref_pos\tref_len\t"
		    "cand_pos\tcand_len\tref_ts\tcand_ts\tref_keys\t"
		    "cand_keys\n");
		ob_flush(o);
	}
}

void
out_key(struct sbuf *sb, struct span k)
{
	for (size_t i = 0; i < k.n; i++) {
		char c = k.p[i];

		if (c == '%')
			sb_adds(sb, "%25");
		else if (c == ',')
			sb_adds(sb, "%2c");
		else if (c == ':')
			sb_adds(sb, "%3a");
		else if (c == '\t')
			sb_addc(sb, ':');	/* between key columns */
		else
			sb_addc(sb, c);
	}
}

void
hunk_clear(struct hunk *h)
{
	for (int s = 0; s < 2; s++) {
		h->pos[s] = h->len[s] = 0;
		sb_clear(&h->ts[s]);
		sb_clear(&h->keys[s]);
		h->hasts[s] = 0;
		h->nkeys[s] = 0;
	}
}

static void
hunk_copy(struct hunk *d, const struct hunk *h)
{
	hunk_clear(d);
	d->kind = h->kind;
	for (int s = 0; s < 2; s++) {
		d->pos[s] = h->pos[s];
		d->len[s] = h->len[s];
		d->hasts[s] = h->hasts[s];
		sb_add(&d->ts[s], h->ts[s].p, h->ts[s].len);
		sb_add(&d->keys[s], h->keys[s].p, h->keys[s].len);
		d->nkeys[s] = h->nkeys[s];
	}
}

/* Events before the hunk on side s (a side without events in the hunk
 * gives the index of its last event before). */
static uint64_t
before(const struct hunk *h, int s)
{
	return h->pos[s] - (h->len[s] > 0);
}

static void
put_row(struct pair *p, const struct hunk *h)
{
	for (int s = 0; s < 2; s++) {
		if (p != NULL && p->g[s] != NULL)
			ob_puts(o, p->g[s]->name);
		ob_putc(o, '\t');
	}
	ob_puts(o, kind_name[h->kind]);
	for (int s = 0; s < 2; s++) {
		ob_putc(o, '\t');
		ob_u64(o, h->pos[s]);
		ob_putc(o, '\t');
		ob_u64(o, h->len[s]);
	}
	for (int s = 0; s < 2; s++) {
		ob_putc(o, '\t');
		ob_write(o, h->ts[s].p, h->ts[s].len);
	}
	for (int s = 0; s < 2; s++) {
		ob_putc(o, '\t');
		ob_write(o, h->keys[s].p, h->keys[s].len);
	}
	ob_putc(o, '\n');
}

static void
count(struct pair *p, const struct hunk *h)
{
	nrows++;
	tot[h->kind]++;
	for (int s = 0; s < 2; s++)
		totev[h->kind][s] += h->len[s];
	if (p == NULL)
		return;
	p->nhunk[h->kind]++;
	for (int s = 0; s < 2; s++)
		p->nev[h->kind][s] += h->len[s];
}

/* A final hunk of p: written (TSV) or kept for the summary (md). */
static void
final(struct pair *p, const struct hunk *h)
{
	if (p->stopped)
		return;
	count(p, h);
	if (!opt_md)
		put_row(p, h);
	else if (p->nshown < MD_HUNKS) {
		p->shown = xreallocarray(p->shown, p->nshown + 1,
		    sizeof(*p->shown));
		memset(&p->shown[p->nshown], 0, sizeof(*p->shown));
		hunk_copy(&p->shown[p->nshown++], h);
	}
	if (!p->diverged && opt_md && p->ctx != NULL) {
		/* the ring, oldest first, is the first hunk's context */
		for (size_t i = 0; i < p->nctx; i++) {
			const struct ctx *c = &p->ctx[(p->ctxhead + i) %
			    opt_context];

			p->first[i].pos[REF] = c->pos[REF];
			p->first[i].pos[CAND] = c->pos[CAND];
			sb_clear(&p->first[i].key);
			sb_add(&p->first[i].key, c->key.p, c->key.len);
		}
		p->nfirst = p->nctx;
	}
	p->diverged = 1;
	if (opt_first)
		p->stopped = 1;
}

static void
flush(struct pair *p)
{
	if (p->haspend) {
		p->haspend = 0;
		final(p, &p->pend);
	}
}

/* Append up to NKEYS_SHOWN keys in all of from's list to to. */
static void
more_keys(struct hunk *to, const struct hunk *from, int s)
{
	const char *k = from->keys[s].p, *e = k + from->keys[s].len;

	while (k < e && to->nkeys[s] < NKEYS_SHOWN) {
		const char *c = memchr(k, ',', (size_t)(e - k));

		if (c == NULL)
			c = e;
		if (to->nkeys[s] > 0)
			sb_addc(&to->keys[s], ',');
		sb_add(&to->keys[s], k, (size_t)(c - k));
		to->nkeys[s]++;
		k = c + 1;
	}
}

void
out_hunk(struct pair *p, struct hunk *h)
{
	struct hunk *q = &p->pend;

	if (p->stopped)
		return;
	if (h->kind == K_LOST) {
		flush(p);
		final(p, h);
		return;
	}
	if (p->haspend && before(h, REF) == before(q, REF) + q->len[REF] &&
	    before(h, CAND) == before(q, CAND) + q->len[CAND]) {
		for (int s = 0; s < 2; s++) {
			if (h->len[s] == 0)
				continue;
			if (q->len[s] == 0) {
				q->pos[s] = h->pos[s];
				sb_clear(&q->ts[s]);
				sb_add(&q->ts[s], h->ts[s].p, h->ts[s].len);
				q->hasts[s] = h->hasts[s];
			}
			q->len[s] += h->len[s];
			more_keys(q, h, s);
		}
		q->kind = q->len[REF] == 0 ? K_INSERTED : q->len[CAND] == 0 ?
		    K_DELETED : K_CHANGED;
		return;
	}
	flush(p);
	hunk_copy(q, h);
	p->haspend = 1;
}

void
out_equal(struct pair *p)
{
	flush(p);
}

void
out_ctx(struct pair *p, uint64_t rpos, uint64_t cpos, struct span key)
{
	struct ctx *c;

	if (p->ctx == NULL || p->diverged || p->haspend)
		return;
	if (p->nctx < opt_context)
		c = &p->ctx[(p->ctxhead + p->nctx++) % opt_context];
	else {
		c = &p->ctx[p->ctxhead];
		p->ctxhead = (p->ctxhead + 1) % opt_context;
	}
	c->pos[REF] = rpos;
	c->pos[CAND] = cpos;
	sb_clear(&c->key);
	out_key(&c->key, key);
}

void
out_pair_end(struct pair *p)
{
	flush(p);
	p->finished = 1;
}

static struct grp **unpaired;
static size_t	 nunpaired;

void
out_unpaired(struct grp *g)
{
	struct hunk h = { 0 };
	int s = g->side;

	h.kind = K_UNPAIRED;
	h.len[s] = g->total;
	if (g->fts != NULL) {
		sb_adds(&h.ts[s], g->fts);
		h.hasts[s] = 1;
	}
	sb_add(&h.keys[s], g->fkeys.p, g->fkeys.len);
	h.nkeys[s] = g->nfkeys;
	count(NULL, &h);
	if (!opt_md) {
		for (int t = 0; t < 2; t++) {
			if (t == s)
				ob_puts(o, g->name);
			ob_putc(o, '\t');
		}
		ob_puts(o, "unpaired");
		for (int t = 0; t < 2; t++) {
			ob_puts(o, "\t0\t");
			ob_u64(o, h.len[t]);
		}
		for (int t = 0; t < 2; t++) {
			ob_putc(o, '\t');
			ob_write(o, h.ts[t].p, h.ts[t].len);
		}
		for (int t = 0; t < 2; t++) {
			ob_putc(o, '\t');
			ob_write(o, h.keys[t].p, h.keys[t].len);
		}
		ob_putc(o, '\n');
	}
	for (int t = 0; t < 2; t++) {
		sb_free(&h.ts[t]);
		sb_free(&h.keys[t]);
	}
	unpaired = xreallocarray(unpaired, nunpaired + 1, sizeof(*unpaired));
	unpaired[nunpaired++] = g;
}

/* Markdown -------------------------------------------------------------- */

static void
md_txt(const char *s)
{
	md_esc_text(o, span_str(s));
}

/* A %-encoded thread name or key as a code span ((empty) when empty). */
static void
md_val(struct span v, int intable)
{
	md_esc_code(o, v, intable);
}

/* keys "a,b,c" as code spans "`a` `b` `c`". */
static void
md_keys(const struct sbuf *k)
{
	const char *p = k->p, *e = p + k->len;

	if (k->len == 0) {
		ob_puts(o, " ");
		return;
	}
	while (p < e) {
		const char *c = memchr(p, ',', (size_t)(e - p));

		if (c == NULL)
			c = e;
		if (p != k->p)
			ob_putc(o, ' ');
		md_val(span_make(p, (size_t)(c - p)), 1);
		p = c + 1;
	}
}

static void
md_thread(const struct pair *p, int s)
{
	md_val(span_str(p->g[s]->name), 1);
}

static void
md_range(uint64_t pos, uint64_t len)
{
	if (len == 0)
		ob_printf(o, "after %llu", (unsigned long long)pos);
	else if (len == 1)
		ob_u64(o, pos);
	else
		ob_printf(o, "%llu-%llu", (unsigned long long)pos,
		    (unsigned long long)(pos + len - 1));
}

static void
md_hunks(const struct pair *p)
{
	uint64_t n = 0;

	for (int k = 0; k < K_N; k++)
		n += p->nhunk[k];
	if (n > MD_HUNKS)
		ob_printf(o, "The first %d of %llu hunks:\n\n", MD_HUNKS,
		    (unsigned long long)n);
	ob_puts(o, "| kind | ref events | cand events | ref ts | cand ts | "
	    "ref keys | cand keys |\n| --- | ---: | ---: | ---: | ---: | --- "
	    "| --- |\n");
	for (size_t i = 0; i < p->nshown; i++) {
		const struct hunk *h = &p->shown[i];

		ob_printf(o, "| %s | ", kind_name[h->kind]);
		md_range(h->pos[REF], h->len[REF]);
		ob_puts(o, " | ");
		md_range(h->pos[CAND], h->len[CAND]);
		for (int s = 0; s < 2; s++) {
			ob_puts(o, " | ");
			if (h->hasts[s])
				md_val(span_make(h->ts[s].p, h->ts[s].len), 1);
		}
		for (int s = 0; s < 2; s++) {
			ob_puts(o, " | ");
			md_keys(&h->keys[s]);
		}
		ob_puts(o, " |\n");
	}
	ob_putc(o, '\n');
}

static void
md_first(const struct pair *p)
{
	const struct hunk *h = &p->shown[0];

	ob_printf(o, "First divergence: **%s**, ", kind_name[h->kind]);
	for (int s = 0; s < 2; s++) {
		if (s > 0)
			ob_puts(o, ", ");
		ob_printf(o, "%s ", s == REF ? "ref" : "cand");
		if (h->len[s] == 0)
			ob_printf(o, "after event %llu",
			    (unsigned long long)h->pos[s]);
		else {
			ob_puts(o, h->len[s] == 1 ? "event " : "events ");
			md_range(h->pos[s], h->len[s]);
		}
	}
	ob_puts(o, ".\n\n");
	ob_puts(o, "| ref | cand | | key |\n| ---: | ---: | --- | --- |\n");
	for (size_t i = 0; i < p->nfirst; i++) {
		ob_printf(o, "| %llu | %llu | = | ",
		    (unsigned long long)p->first[i].pos[REF],
		    (unsigned long long)p->first[i].pos[CAND]);
		md_val(span_make(p->first[i].key.p, p->first[i].key.len), 1);
		ob_puts(o, " |\n");
	}
	for (int s = 0; s < 2; s++) {
		if (h->len[s] == 0)
			continue;
		ob_puts(o, s == REF ? "| " : "| | ");
		md_range(h->pos[s], h->len[s]);
		ob_printf(o, s == REF ? " | | %s | " : " | %s | ", h->kind ==
		    K_LOST ? (s == REF ? "ref, skipped" : "cand, skipped") :
		    s == REF ? "ref only" : "cand only");
		md_keys(&h->keys[s]);
		ob_puts(o, h->len[s] > h->nkeys[s] ? " ... |\n" : " |\n");
	}
	ob_putc(o, '\n');
}

static void
md_pair(const struct pair *p)
{
	if (opt_by) {
		ob_puts(o, "## Ref thread ");
		md_val(span_str(p->g[REF]->name), 0);
		ob_puts(o, ", cand thread ");
		md_val(span_str(p->g[CAND]->name), 0);
		ob_puts(o, "\n\n");
	} else
		ob_puts(o, "## Where they part\n\n");
	md_first(p);
	if (!opt_first)
		md_hunks(p);
}

static void
md_summary(struct pair **pairs, size_t npairs)
{
	size_t ndiv = 0, ncmp = 0;

	for (size_t i = 0; i < npairs; i++)
		if (pairs[i]->g[REF]->total > 0 || !opt_by) {
			if (opt_by && pairs[i]->g[CAND]->total == 0)
				continue;
			ncmp++;
			ndiv += pairs[i]->diverged;
		}
	ob_puts(o, "# Divergence: ");
	md_txt(side_name[REF]);
	ob_puts(o, " and ");
	md_txt(side_name[CAND]);
	ob_puts(o, "\n\n");
	if (!opt_by) {
		const struct pair *p = pairs[0];

		if (p->diverged)
			ob_printf(o, "**The sequences diverge**: %llu and "
			    "%llu events, %llu hunk%s%s.\n\n",
			    (unsigned long long)p->g[REF]->total,
			    (unsigned long long)p->g[CAND]->total,
			    (unsigned long long)nrows, nrows == 1 ? "" : "s",
			    opt_first ? " (--first: the first only)" : "");
		else
			ob_printf(o, "**The sequences agree**: %llu events "
			    "each.\n\n", (unsigned long long)p->g[REF]->total);
		return;
	}
	ob_printf(o, "**%zu of %zu thread pairs diverge**; %zu unpaired "
	    "thread%s.\n\n", ndiv, ncmp, nunpaired, nunpaired == 1 ? "" : "s");
	if (ncmp == 0)
		return;
	ob_puts(o, "| ref thread | cand thread | ref events | cand events | "
	    "hunks | first divergence (ref, cand) |\n| --- | --- | ---: | "
	    "---: | ---: | --- |\n");
	for (size_t i = 0; i < npairs; i++) {
		const struct pair *p = pairs[i];
		uint64_t n = 0;

		if (p->g[REF]->total == 0 || p->g[CAND]->total == 0)
			continue;
		for (int k = 0; k < K_N; k++)
			n += p->nhunk[k];
		ob_puts(o, "| ");
		md_thread(p, REF);
		ob_puts(o, " | ");
		md_thread(p, CAND);
		ob_printf(o, " | %llu | %llu | %llu | ",
		    (unsigned long long)p->g[REF]->total,
		    (unsigned long long)p->g[CAND]->total,
		    (unsigned long long)n);
		if (p->nshown > 0) {
			ob_printf(o, "%s at ", kind_name[p->shown[0].kind]);
			md_range(p->shown[0].pos[REF], p->shown[0].len[REF]);
			ob_puts(o, ", ");
			md_range(p->shown[0].pos[CAND], p->shown[0].len[CAND]);
		} else
			ob_puts(o, "none");
		ob_puts(o, " |\n");
	}
	ob_putc(o, '\n');
}

static void
md_unpaired(void)
{
	if (nunpaired == 0)
		return;
	ob_puts(o, "## Unpaired threads\n\nNot compared: no thread of the "
	    "other side has their value");
	ob_puts(o, " (or the thread map pairs them with none that has "
	    "events).\n\n| side | thread | events | ts of the first | first "
	    "keys |\n| --- | --- | ---: | ---: | --- |\n");
	for (size_t i = 0; i < nunpaired; i++) {
		const struct grp *g = unpaired[i];

		ob_puts(o, g->side == REF ? "| ref | " : "| cand | ");
		md_val(span_str(g->name), 1);
		ob_printf(o, " | %llu | ", (unsigned long long)g->total);
		if (g->fts != NULL)
			md_val(span_str(g->fts), 1);
		ob_puts(o, " | ");
		md_keys(&g->fkeys);
		ob_puts(o, " |\n");
	}
	ob_putc(o, '\n');
}

static void
md_totals(void)
{
	ob_puts(o, "## Totals\n\n| kind | hunks | ref events | cand events "
	    "|\n| --- | ---: | ---: | ---: |\n");
	for (int k = 0; k < K_N; k++)
		ob_printf(o, "| %s | %llu | %llu | %llu |\n", kind_name[k],
		    (unsigned long long)tot[k],
		    (unsigned long long)totev[k][REF],
		    (unsigned long long)totev[k][CAND]);
	ob_printf(o, "\nHunks of a window (--window %llu events a side) are "
	    "found with at most %llu edits (--max-edits); a lost window is "
	    "one that could not be aligned, skipped on both sides.\n",
	    (unsigned long long)opt_window, (unsigned long long)opt_edits);
}

int
out_close(struct pair **pairs, size_t npairs)
{
	if (opt_md) {
		md_summary(pairs, npairs);
		for (size_t i = 0; i < npairs; i++)
			if (pairs[i]->nshown > 0)
				md_pair(pairs[i]);
		md_unpaired();
		md_totals();
	}
	ob_close(o);
	return nrows > 0;
}
