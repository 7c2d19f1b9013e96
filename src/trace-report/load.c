/*
 * load.c - read a join and the data files; derive every figure.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "htab.h"
#include "num.h"
#include "rd.h"
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
rp_note(const struct rrow *w, const char *fallback)
{
	return w->note != NULL ? w->note : fallback;
}

/* Whether s ends with suffix; sets *stem to the rest. */
static int
ends_with(struct span s, const char *suffix, struct span *stem)
{
	size_t n = strlen(suffix);

	if (s.n <= n || memcmp(s.p + s.n - n, suffix, n) != 0)
		return 0;
	*stem = span_make(s.p, s.n - n);
	return 1;
}

static int
has_prefix(struct span s, const char *pre, size_t n)
{
	return s.n > n + 1 && memcmp(s.p, pre, n) == 0 && s.p[n] == '_';
}

/* A range cell: INTEGER or MIN..MAX; *dots tells which. */
static int
range_like(struct span c, int *dots)
{
	struct tally_cell t = { 0 };
	struct span bad;
	int ok = tally_parse(&t, c, TK_RANGE, &bad) == TALLY_OK;

	*dots = memchr(c.p, '.', c.n) != NULL;
	tally_cell_free(&t);
	return ok;
}

/* Split a counts or distinct tally cell, as written. */
static void
parse_cell(struct tally_cell *c, struct span s, const char *file,
    uint64_t line, struct span col)
{
	struct span bad;

	memset(c, 0, sizeof(*c));
	if (tally_parse(c, s, TK_AS_WRITTEN, &bad) != TALLY_OK)
		die_at(file, line, "column %.*s: bad tally entry '%.*s'",
		    (int)col.n, col.p, (int)bad.n, bad.p);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* An address list: the first word of each line; '#' lines ignored. */
static uint64_t *
load_addrs(const char *path, size_t *n)
{
	struct rd *in = rd_open(path);
	struct span line;
	uint64_t *v = NULL;
	size_t cap = 0, i;
	enum num_err e;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	*n = 0;
	while (rd_line(in, &line)) {
		struct span a;

		i = 0;
		a = span_word(line, &i);
		if (a.n == 0 || a.p[0] == '#')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		if ((e = num_parse_addr(a, &v[*n])) != NUM_OK)
			die_at(rd_name(in), rd_lineno(in), "bad address '%.*s': "
			    "%s", (int)a.n, a.p, num_strerror(e));
		(*n)++;
	}
	rd_close(in);
	return v;
}

static int
noteaddrcmp(const void *a, const void *b)
{
	const struct note *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int
notecmp(const void *a, const void *b)
{
	const struct note *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* A notes file: ADDRESS TEXT per line, each address once; sorted. */
static struct note *
load_notes(const char *path, size_t *n)
{
	struct rd *in = rd_open(path);
	struct span line;
	struct note *v = NULL;
	size_t cap = 0, i, e2, k;
	enum num_err e;
	char *name;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	name = xstrdup(rd_name(in));
	*n = 0;
	while (rd_line(in, &line)) {
		struct span a;

		i = 0;
		a = span_word(line, &i);
		if (a.n == 0 || a.p[0] == '#')
			continue;
		if (memchr(line.p, '\0', line.n) != NULL)
			die_at(name, rd_lineno(in), "NUL byte in a note");
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		if ((e = num_parse_addr(a, &v[*n].addr)) != NUM_OK)
			die_at(name, rd_lineno(in), "bad address '%.*s': %s",
			    (int)a.n, a.p, num_strerror(e));
		while (i < line.n && isspace((unsigned char)line.p[i]))
			i++;
		e2 = line.n;
		while (e2 > i && isspace((unsigned char)line.p[e2 - 1]))
			e2--;
		if (e2 == i)
			die_at(name, rd_lineno(in), "expected ADDRESS TEXT");
		v[*n].text = xmemdup(line.p + i, e2 - i);
		v[*n].line = rd_lineno(in);
		(*n)++;
	}
	rd_close(in);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), notecmp);
	for (k = 1; k < *n; k++)
		if (v[k].addr == v[k - 1].addr)
			die_at(name, v[k].line, "address listed twice");
	free(name);
	return v;
}

static const struct report *sortrep;
static int sortbycand;

int
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

static void
read_join(struct report *r)
{
	struct rd *in = rd_open(r->file);
	struct tsv_hdr h;
	struct span line, *f, stem;
	size_t n, i, s, cap = 0, rn, cn;
	int st;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	r->file = xstrdup(rd_name(in));
	if (!rd_line(in, &line))
		dief("%s: empty input (no header line)", r->file);
	tsv_hdr_parse(&h, line, r->file);
	if ((st = tsv_col(&h, "status")) < 1 || (size_t)st + 4 >= h.ncol + 1 ||
	    !ends_with(h.col[st + 1], "_count", &stem) ||
	    !ends_with(h.col[st + 2], "_count", &stem) ||
	    !span_eqs(h.col[st + 3], "ratio") ||
	    !span_eqs(h.col[st + 4], "under"))
		die_at(r->file, 1, "not a join: expected KEY..., status, "
		    "REF_count, CAND_count, ratio, under, tallies (columns: "
		    "%s)", tsv_hdr_list(&h));
	s = (size_t)st;
	r->nkey = s;
	r->keycol = h.col;
	ends_with(h.col[s + 1], "_count", &stem);
	r->ref = xmemdup(stem.p, stem.n);
	ends_with(h.col[s + 2], "_count", &stem);
	r->cand = xmemdup(stem.p, stem.n);
	rn = strlen(r->ref);
	cn = strlen(r->cand);
	r->rtcol = xreallocarray(NULL, h.ncol, sizeof(*r->rtcol));
	r->ctcol = xreallocarray(NULL, h.ncol, sizeof(*r->ctcol));
	for (i = s + 5; i < h.ncol; i++) {
		struct span c = h.col[i];
		/* Prefer the longer name when one side's name prefixes the
		 * other's. */
		int isref = has_prefix(c, r->ref, rn), iscand = has_prefix(c,
		    r->cand, cn);

		if (isref && iscand)
			isref = rn > cn;
		if (isref && r->nct == 0)
			r->rtcol[r->nrt++] = span_make(c.p + rn + 1, c.n - rn - 1);
		else if (iscand)
			r->ctcol[r->nct++] = span_make(c.p + cn + 1, c.n - cn - 1);
		else if (isref)
			die_at(r->file, 1, "column '%.*s': the %s tally columns "
			    "must all come before the %s ones", (int)c.n, c.p,
			    r->ref, r->cand);
		else
			die_at(r->file, 1, "column '%.*s' belongs to neither "
			    "side (%s, %s)", (int)c.n, c.p, r->ref, r->cand);
	}
	r->rtrange = xcalloc(r->nrt + 1, sizeof(int));
	r->ctrange = xcalloc(r->nct + 1, sizeof(int));
	f = xreallocarray(NULL, h.ncol + 1, sizeof(*f));
	while (rd_line(in, &line)) {
		struct rrow *w;
		uint64_t ln = rd_lineno(in);
		char *copy;

		if (tsv_is_hdr(&h, line))
			continue;
		copy = xmemdup(line.p, line.n);
		if ((n = tsv_split(span_make(copy, line.n), f, h.ncol + 1)) !=
		    h.ncol)
			die_at(r->file, ln, "expected %zu fields, got %zu",
			    h.ncol, n);
		if (r->nrow == cap) {
			cap = cap ? cap * 2 : 256;
			r->row = xreallocarray(r->row, cap, sizeof(*r->row));
		}
		w = &r->row[r->nrow++];
		memset(w, 0, sizeof(*w));
		w->line = ln;
		w->key = xreallocarray(NULL, s ? s : 1, sizeof(*w->key));
		memcpy(w->key, f, s * sizeof(*f));
		if (span_eqs(f[s], "missing"))
			w->status = ST_MISSING;
		else if (span_eqs(f[s], "matched"))
			w->status = ST_MATCHED;
		else if (span_eqs(f[s], "extra"))
			w->status = ST_EXTRA;
		else
			die_at(r->file, ln, "bad status '%.*s' (missing, "
			    "matched or extra)", (int)f[s].n, f[s].p);
		if (num_parse_u64(f[s + 1], &w->ref) != NUM_OK ||
		    num_parse_u64(f[s + 2], &w->cand) != NUM_OK)
			die_at(r->file, ln, "bad count");
		if ((w->status == ST_MISSING && w->cand != 0) ||
		    (w->status == ST_EXTRA && w->ref != 0))
			die_at(r->file, ln, "status %.*s does not fit the counts",
			    (int)f[s].n, f[s].p);
		if (span_eqs(f[s + 4], "yes"))
			w->under = 1;
		else if (!span_eqs(f[s + 4], "no"))
			die_at(r->file, ln, "bad under flag '%.*s' (yes or no)",
			    (int)f[s + 4].n, f[s + 4].p);
		w->rt = xcalloc(r->nrt ? r->nrt : 1, sizeof(*w->rt));
		w->ct = xcalloc(r->nct ? r->nct : 1, sizeof(*w->ct));
		/* Cells are parsed once the column kinds are known; until
		 * then rt[0].val keeps the row's raw tally cells. */
		{
			struct span *keep = xreallocarray(NULL, r->nrt + r->nct +
			    1, sizeof(*keep));

			memcpy(keep, f + s + 5, (r->nrt + r->nct) * sizeof(*f));
			w->rt[0].val = keep;
		}
	}
	free(f);
	rd_close(in);
	/* Column kinds: a ref column is a range when every cell is. */
	for (i = 0; i < r->nrt; i++) {
		int all = 1, anydots = 0, dots;
		size_t k;

		for (k = 0; k < r->nrow; k++) {
			struct span c = r->row[k].rt[0].val[i];

			if (c.n == 0)
				continue;
			if (!range_like(c, &dots))
				all = 0;
			anydots |= dots;
		}
		r->rtrange[i] = all && anydots;
	}
	for (i = 0; i < r->nct; i++) {
		int all = 1, anydots = 0, dots;
		size_t k;

		for (k = 0; k < r->nrow; k++) {
			struct span c = r->row[k].rt[0].val[r->nrt + i];

			if (c.n == 0)
				continue;
			if (!range_like(c, &dots))
				all = 0;
			anydots |= dots;
		}
		r->ctrange[i] = all && anydots;
	}
	for (size_t k = 0; k < r->nrow; k++) {
		struct rrow *w = &r->row[k];
		struct span *cells = w->rt[0].val;

		w->rt[0].val = NULL;
		for (i = 0; i < r->nrt; i++) {
			if (r->rtrange[i]) {
				memset(&w->rt[i], 0, sizeof(w->rt[i]));
				w->rt[i].kind = TK_RANGE;
				if (cells[i].n > 0) {
					w->rt[i].n = 1;
					w->rt[i].val = xmalloc(sizeof(struct span));
					w->rt[i].val[0] = cells[i];
				}
			} else
				parse_cell(&w->rt[i], cells[i], r->file, w->line,
				    r->rtcol[i]);
		}
		for (i = 0; i < r->nct; i++) {
			struct span c = cells[r->nrt + i];

			if (r->ctrange[i]) {
				memset(&w->ct[i], 0, sizeof(w->ct[i]));
				w->ct[i].kind = TK_RANGE;
				if (c.n > 0) {
					w->ct[i].n = 1;
					w->ct[i].val = xmalloc(sizeof(struct span));
					w->ct[i].val[0] = c;
				}
			} else
				parse_cell(&w->ct[i], c, r->file, w->line,
				    r->ctcol[i]);
		}
		free(cells);
	}
}

/* a += b, or exit 2: a sum of counts must not wrap. */
static void
add_count(uint64_t *a, uint64_t b, const char *file, uint64_t line)
{
	if (*a + b < *a)
		die_at(file, line, "counts overflow 64 bits");
	*a += b;
}

static void
derive(struct report *r, const struct ropts *o)
{
	size_t i, k, j;
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
	r->divergent_fires = o->divergent_fires;
	if (r->nmissing == 0)
		r->headline = HL_SAME;
	else if (t->missing_fires > o->divergent_fires)
		r->headline = HL_DIVERGENT;
	else
		r->headline = HL_INCONCLUSIVE;

	/* Families: membership, intersection rows, fresh missing keys. */
	r->freshrows = xcalloc(r->nmissing + 1, sizeof(size_t));
	for (k = 0; k < r->nfam; k++) {
		struct family *fm = &r->fam[k];

		fm->rows = xcalloc(r->nrow + 1, sizeof(size_t));
	}
	for (i = 0; i < r->nrow; i++) {
		struct rrow *w = &r->row[i];

		w->fam = xcalloc(r->nfam ? r->nfam : 1, 1);
		for (k = 0; k < r->nfam && w->hasaddr; k++) {
			struct family *fm = &r->fam[k];

			if (fm->n == 0 || bsearch(&w->addr, fm->addr, fm->n,
			    sizeof(uint64_t),
			    cmp_u64) == NULL)
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

	/*
	 * Watch list: the rows that carry an address, sorted by address
	 * then key once; each watched address takes its run of them.
	 */
	if (r->nwatch > 0) {
		size_t *byaddr = xcalloc(r->nrow + 1, sizeof(size_t)), na = 0;

		for (i = 0; i < r->nrow; i++)
			if (r->row[i].hasaddr)
				byaddr[na++] = i;
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
	if (r->groupcol >= 0) {
		struct htab *gv = ht_new();
		size_t cap = 0;

		for (i = 0; i < r->nrow; i++) {
			const struct rrow *w = &r->row[i];
			const struct tally_cell *c = &w->rt[r->groupcol];

			for (j = 0; j < c->n; j++) {
				int isnew;
				uint32_t g = ht_intern(gv, c->val[j].p,
				    c->val[j].n, &isnew);
				struct group *gr;

				if (isnew) {
					if (r->ngroup == cap) {
						cap = cap ? cap * 2 : 64;
						r->group = xreallocarray(r->group,
						    cap, sizeof(*r->group));
					}
					gr = &r->group[r->ngroup++];
					memset(gr, 0, sizeof(*gr));
					gr->value = c->val[j];
				}
				gr = &r->group[g];
				add_count(&gr->total, c->cnt[j], r->file, w->line);
				gr->keys++;
				if (w->status == ST_MATCHED)
					add_count(&gr->matched, c->cnt[j],
					    r->file, w->line);
				else if (w->status == ST_MISSING)
					add_count(&gr->missing, c->cnt[j],
					    r->file, w->line);
			}
		}
		if (r->ngroup > 1)
			qsort(r->group, r->ngroup, sizeof(*r->group),
			    groupcmp);
		for (i = 0; i < r->ngroup; i++)
			if (r->group[i].matched == 0)
				r->noanalog++;
		ht_free(gv);
	}
}

void
report_load(struct report *r, const struct ropts *o)
{
	size_t i, k;
	int need_addr = o->nfam > 0 || o->watch != NULL || o->notes != NULL ||
	    o->symbols != NULL;

	memset(r, 0, sizeof(*r));
	r->file = o->join;
	r->top = o->top;
	r->undertop = o->undertop;
	r->freshtop = o->freshtop;
	r->title = o->title;
	/* Data files first: their errors come before any work. */
	r->nfam = o->nfam;
	r->fam = xcalloc(o->nfam ? o->nfam : 1, sizeof(*r->fam));
	for (k = 0; k < o->nfam; k++) {
		r->fam[k].name = o->famname[k];
		struct family *fm = &r->fam[k];
		size_t u = 0;

		fm->addr = load_addrs(o->famfile[k], &fm->n);
		if (fm->n > 1)
			qsort(fm->addr, fm->n, sizeof(uint64_t), cmp_u64);
		for (i = 0; i < fm->n; i++)	/* each address once */
			if (u == 0 || fm->addr[i] != fm->addr[u - 1])
				fm->addr[u++] = fm->addr[i];
		fm->n = u;
	}
	if (o->watch != NULL) {
		uint64_t *wa = load_addrs(o->watch, &r->nwatch);
		size_t w = 0;

		/* Sorted, each address once. */
		if (r->nwatch > 1)
			qsort(wa, r->nwatch, sizeof(*wa), cmp_u64);
		r->watch = xcalloc(r->nwatch ? r->nwatch : 1, sizeof(*r->watch));
		for (i = 0; i < r->nwatch; i++)
			if (i == 0 || wa[i] != wa[i - 1])
				r->watch[w++].addr = wa[i];
		r->nwatch = w;
		free(wa);
	}
	if (o->notes != NULL)
		r->notes = load_notes(o->notes, &r->nnotes);
	if (o->symbols != NULL)
		r->sym = sym_load(o->symbols);

	read_join(r);

	r->addrname = o->addrcol;
	r->addrcol = -1;
	for (i = 0; i < r->nkey; i++)
		if (span_eqs(r->keycol[i], o->addrcol))
			r->addrcol = (int)i;
	if (r->addrcol < 0 && (need_addr || o->addrcol_given)) {
		struct tsv_hdr kh = { r->nkey, r->keycol, NULL, 0, NULL };

		die_at(r->file, 1, "no key column '%s' for addresses (key "
		    "columns: %s); see --addr-col", o->addrcol,
		    tsv_hdr_list(&kh));
	}
	r->groupby = NULL;
	r->groupcol = -1;
	for (i = 0; i < r->nrt; i++) {
		size_t q;
		int counts = !r->rtrange[i];

		if (!span_eqs(r->rtcol[i], o->groupby))
			continue;
		for (q = 0; q < r->nrow && counts; q++)
			if (r->row[q].rt[i].n > 0 && r->row[q].rt[i].kind != TK_COUNTS)
				counts = 0;
		if (counts) {
			r->groupcol = (int)i;
			r->groupby = o->groupby;
		} else if (o->groupby_given)
			die_at(r->file, 1, "column %s_%s is not a counts tally "
			    "(VALUE:N,...): it cannot be grouped by", r->ref,
			    o->groupby);
	}
	if (r->groupcol < 0 && o->groupby_given)
		die_at(r->file, 1, "no %s tally column '%s_%s' to group by",
		    r->ref, r->ref, o->groupby);

	for (i = 0; i < r->nrow; i++) {
		struct rrow *w = &r->row[i];
		struct sbuf sb = { 0 };

		if (r->addrcol < 0)
			continue;
		w->hasaddr = num_parse_addr(w->key[r->addrcol], &w->addr) ==
		    NUM_OK;
		if (!w->hasaddr)
			continue;
		if (r->nnotes > 0) {
			struct note key = { w->addr, NULL, 0 }, *hit;

			/* lines differ: compare addresses only */
			hit = bsearch(&key, r->notes, r->nnotes,
			    sizeof(*r->notes), noteaddrcmp);
			if (hit != NULL)
				w->note = hit->text;
		}
		if (w->note == NULL && r->sym != NULL && sym_lookup(r->sym,
		    w->addr, 1, &sb))
			w->note = sb.p;	/* kept for the run */
	}
	derive(r, o);
}
