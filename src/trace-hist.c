/*
 * trace-hist - group a keyed stream by key: sum counts, tally attributes.
 *
 * Input is trace-key output or trace-hist output (or several of either,
 * or their concatenation with repeated header lines): the key is every
 * column before `count`, every column after it is a tally column (see
 * tally.h).  Grouping is by hash, never by input order, and memory grows
 * with distinct keys and distinct tallied values, never with events.
 * Output is sorted (count descending then key, or key), so it does not
 * depend on input order, hash seed or locale, and hist(A+B) equals
 * hist(hist(A)+hist(B)) byte for byte.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "opt.h"
#include "htab.h"
#include "num.h"
#include "ob.h"
#include "rd.h"
#include "tally.h"
#include "tsv.h"

/*
 * A small map from value id to count.  Most keys see one value of a
 * column (one thread, one handle), held in the struct itself: cap 0, n
 * the value id + 1 (0: no value yet), one its count.  A second value
 * moves both to a table, open addressing, in one block: cap value ids + 1
 * (0 is empty), then cap counts.  16 bytes a key and column, and no
 * allocation, for the common case.
 */
struct cmap {
	uint32_t	 n, cap;
	union {
		uint64_t	 one;	/* cap 0: the count */
		uint32_t	*tab;	/* cap > 0: ids + 1, then counts */
	} u;
};

static inline uint64_t *
cmap_cnt(const struct cmap *m)
{
	return (uint64_t *)(void *)(m->u.tab + m->cap);
}

/* One tally column. */
struct acol {
	enum tally_kind	 kind;
	struct htab	*vals;		/* distinct values (counts, distinct) */
	struct cmap	*map;		/* per key (counts, distinct) */
	int64_t		*min, *max;	/* per key (range) */
	uint8_t		*has;		/* per key (range) */
	uint32_t	*rank;		/* value id -> sort position */
	int		 istid;		/* the tid column: integers canonical */
};

static struct htab	*keys;		/* key spans (escaped, tab-joined) */
static uint64_t		*count;		/* per key */
static size_t		 capkeys;
static struct acol	*ac;
static size_t		 nac;
static struct tsv_hdr	 hdr;		/* the first input's header */
static size_t		 kc;		/* index of the count column */

static char		**tkcol;	/* -t COL=KIND, by name */
static int		 *tkkind;
static size_t		  ntk;
static int		  bykey;	/* --sort key */
static char		 *output;

static const char usage_text[] =
"usage: trace-hist [-o file] [-t column=kind] [--sort count|key] [file ...]\n"
"\n"
"Group a keyed stream (trace-key or trace-hist output) by its key.\n"
"\n"
"  -o, --output FILE     write to FILE atomically instead of stdout\n"
"  -t, --tally COL=KIND  tally COL as counts, distinct or range (default:\n"
"                        ts range, every other column counts)\n"
"      --sort ORDER      count (count descending, then key; default) or key\n"
"  -h, --help            show this help\n"
"  -V, --version         show the version\n";

static uint64_t
vhash(uint32_t id)
{
	uint64_t x = id * 0x9e3779b97f4a7c15ULL;

	return x ^ (x >> 29);
}

/* Add c to value id's count in m. */
static void
cmap_add(struct cmap *m, uint32_t id, uint64_t c, const char *file,
    uint64_t line)
{
	uint32_t j, k = id + 1, *ids;
	uint64_t *cnt;

	if (m->cap == 0) {
		if (m->n == 0 || m->n == k) {
			if (m->n == k && m->u.one + c < c)
				die_at(file, line, "tally count overflows 64 "
				    "bits");
			m->u.one = m->n == k ? m->u.one + c : c;
			m->n = k;
			return;
		}
		/* a second value: both to a table */
		uint32_t first = m->n - 1;
		uint64_t firstc = m->u.one;

		m->n = 0;
		m->cap = 4;
		m->u.tab = xcalloc(m->cap, sizeof(uint32_t) + sizeof(uint64_t));
		cmap_add(m, first, firstc, file, line);
	}
	if (m->n * 2 >= m->cap) {
		struct cmap g = { 0, m->cap * 2, { 0 } };

		g.u.tab = xcalloc(g.cap, sizeof(uint32_t) + sizeof(uint64_t));
		cnt = cmap_cnt(m);
		for (j = 0; j < m->cap; j++)
			if (m->u.tab[j] != 0)
				cmap_add(&g, m->u.tab[j] - 1, cnt[j], file, line);
		free(m->u.tab);
		*m = g;
	}
	ids = m->u.tab;
	cnt = cmap_cnt(m);
	for (j = (uint32_t)vhash(id) & (m->cap - 1); ids[j] != 0;
	    j = (j + 1) & (m->cap - 1))
		if (ids[j] == k) {
			if (cnt[j] + c < c)
				die_at(file, line, "tally count overflows 64 "
				    "bits");
			cnt[j] += c;
			return;
		}
	ids[j] = k;
	cnt[j] = c;
	m->n++;
}

/* The id of value v (as written, %-encoded) of column a. */
static uint32_t
intern(struct acol *a, struct span v, const char *file, uint64_t line)
{
	uint32_t id;
	int isnew;

	if (a->vals == NULL)		/* made on first use */
		a->vals = ht_new();
	id = ht_intern(a->vals, v.p, v.n, &isnew);
	/* 015 and 15 would be two threads: trace-format(5) forbids it. */
	if (isnew && a->istid && !num_tid_ok(v))
		die_at(file, line, "column tid: tid '%s' is not a canonical "
		    "integer (no '+', no leading zeros, no -0)",
		    msg_vis(v.p, v.n > 40 ? 40 : v.n));
	return id;
}

/*
 * Room for keys, per key and per tally column, grows by doubling from
 * FIRST_KEYS.  A stream with more than WIDE_COLS tally columns (a
 * million-column input is a tested case) starts at WIDE_FIRST_KEYS so
 * that a run of few keys does not reserve columns x 1024 slots at once.
 */
#define FIRST_KEYS	1024
#define WIDE_COLS	64
#define WIDE_FIRST_KEYS	16

static void
grow_keys(uint32_t k)
{
	size_t i;

	if (k < capkeys)
		return;
	capkeys = capkeys ? capkeys * 2 : nac > WIDE_COLS ? WIDE_FIRST_KEYS :
	    FIRST_KEYS;
	count = xreallocarray(count, capkeys, sizeof(*count));
	for (i = 0; i < nac; i++) {
		struct acol *a = &ac[i];

		if (a->kind == TK_RANGE) {
			a->min = xreallocarray(a->min, capkeys, sizeof(*a->min));
			a->max = xreallocarray(a->max, capkeys, sizeof(*a->max));
			a->has = xrealloc(a->has, capkeys);
		} else
			a->map = xreallocarray(a->map, capkeys,
			    sizeof(*a->map));
	}
}

/* Longest part of a bad cell quoted in a message: enough to recognise
 * it, short enough to keep the message on a line. */
#define QUOTE_MAX	60

/* Widen key k's range in column a to take lo..hi. */
static void
fold_range(struct acol *a, uint32_t k, int64_t lo, int64_t hi)
{
	if (!a->has[k] || lo < a->min[k])
		a->min[k] = lo;
	if (!a->has[k] || hi > a->max[k])
		a->max[k] = hi;
	a->has[k] = 1;
}

/* Fold one tally cell into key k. */
static void
tally_cell(struct acol *a, uint32_t k, struct span cell, uint64_t rowcount,
    const char *file, uint64_t line, struct span name)
{
	static struct tally_cell c;	/* reused: no allocation per row */
	struct span bad;
	size_t i;

	if (cell.n == 0)
		return;
	if (a->kind != TK_RANGE) {
		/*
		 * The usual keyed-stream cell is one value with no separator
		 * and no %-escape: one short pass finds that, and the value
		 * counts for the row.  Tallies take tally_parse().
		 */
		const char *q = cell.p, *end = cell.p + cell.n;

		while (q < end && *q != ':' && *q != ',' && *q != '%')
			q++;
		if (q == end) {
			cmap_add(&a->map[k], intern(a, cell, file, line),
			    rowcount, file, line);
			return;
		}
	} else if (memchr(cell.p, '.', cell.n) == NULL) {
		int64_t v;	/* one time, as a keyed stream has it */

		if (num_parse_i64(cell, &v) == NUM_OK) {
			fold_range(a, k, v, v);
			return;
		}
	}
	switch (tally_parse(&c, cell, (int)a->kind, &bad)) {
	case TALLY_OK:
		break;
	case TALLY_RANGE:
		die_at(file, line, "column %s: bad range tally '%s' "
		    "(expected INTEGER or MIN..MAX)", msg_vis(name.p, name.n),
		    msg_vis(cell.p, cell.n));
	case TALLY_NOT_DISTINCT:
		die_at(file, line, "column %s: a counts tally where a "
		    "distinct tally was expected", msg_vis(name.p, name.n));
	case TALLY_NOT_COUNTS:
		die_at(file, line, "column %s: bad counts tally '%s' "
		    "(expected VALUE:N,...)", msg_vis(name.p, name.n),
		    msg_vis(cell.p, cell.n > QUOTE_MAX ? QUOTE_MAX : cell.n));
	case TALLY_ENTRY:
		die_at(file, line, "column %s: bad counts tally entry "
		    "'%s'", msg_vis(name.p, name.n), msg_vis(bad.p, bad.n));
	case TALLY_COUNT:
		die_at(file, line, "column %s: bad count in tally entry "
		    "'%s'", msg_vis(name.p, name.n), msg_vis(bad.p, bad.n));
	case TALLY_EMPTY:
		die_at(file, line, "column %s: empty value in distinct "
		    "tally", msg_vis(name.p, name.n));
	case TALLY_PERCENT:
		tally_die_percent(file, line, name, bad);
	}
	if (c.n == 0)
		return;
	if (c.kind == TK_COUNTS && !c.single && c.sum > rowcount)
		tally_die_sum(file, line, name, c.sum, rowcount);
	if (a->kind == TK_RANGE) {
		if (c.lo > c.hi)
			die_at(file, line, "column %s: bad range tally '%s' "
			    "(expected INTEGER or MIN..MAX)", msg_vis(name.p,
			    name.n), msg_vis(cell.p, cell.n));
		fold_range(a, k, c.lo, c.hi);
		return;
	}
	for (i = 0; i < c.n; i++)
		cmap_add(&a->map[k], intern(a, c.val[i], file, line),
		    c.single ? rowcount : c.kind == TK_COUNTS ? c.cnt[i] : 1,
		    file, line);
}

static void
setup_columns(void)
{
	size_t i, j;
	int c;

	kc = tsv_count_col(&hdr, "a keyed stream from trace-key or a "
	    "histogram from trace-hist");
	nac = hdr.ncol - kc - 1;
	ac = xcalloc(nac ? nac : 1, sizeof(*ac));
	for (i = 0; i < nac; i++) {
		struct span name = hdr.col[kc + 1 + i];

		ac[i].kind = span_eqs(name, "ts") ? TK_RANGE : TK_COUNTS;
		ac[i].istid = span_eqs(name, "tid");
		for (j = 0; j < ntk; j++)
			if (span_eqs(name, tkcol[j]))
				ac[i].kind = (enum tally_kind)tkkind[j];
	}
	for (j = 0; j < ntk; j++) {
		c = tsv_need(&hdr, tkcol[j], NULL);
		if ((size_t)c <= kc)
			die_usage("--tally: '%s' is not a tally column (the "
			    "tally columns follow 'count')", tkcol[j]);
	}
}

static void
read_input(struct rd *in, int first)
{
	struct tsv_hdr h;
	struct span line, *f;
	const char *file = rd_name(in);
	size_t n, i, keylen;
	uint64_t c, ln;
	uint32_t k;
	int isnew;

	if (!rd_line(in, &line))
		dief("%s: empty input (no header line)", file);
	if (first) {
		tsv_hdr_parse(&hdr, line, file);
		setup_columns();
	} else if (!tsv_is_hdr(&hdr, line)) {
		tsv_hdr_parse(&h, line, file);
		die_at(file, 1, "columns (%s) differ from the first input's "
		    "(%s)", tsv_hdr_list(&h), tsv_hdr_list(&hdr));
	}
	f = xreallocarray(NULL, hdr.ncol + 1, sizeof(*f));
	while (rd_line(in, &line)) {
		if (tsv_is_hdr(&hdr, line))
			continue;	/* concatenated histograms */
		ln = rd_lineno(in);
		n = tsv_split(line, f, hdr.ncol + 1);
		if (n != hdr.ncol || num_parse_u64(f[kc], &c) != NUM_OK) {
			for (i = 0; i < n && i <= hdr.ncol; i++)
				if (span_eqs(f[i], "count"))
					die_at(file, ln, "a header line that "
					    "differs from the first one (%s)",
					    tsv_hdr_list(&hdr));
			if (n != hdr.ncol)
				die_at(file, ln, "expected %zu fields, got %zu",
				    hdr.ncol, n);
			die_at(file, ln, "bad count '%s'", msg_vis(f[kc].p,
			    f[kc].n));
		}
		keylen = (size_t)(f[kc].p - 1 - line.p);
		k = ht_intern(keys, line.p, keylen, &isnew);
		grow_keys(k);
		if (isnew) {
			/* Set here, not when the arrays grow: room not yet
			 * used is never touched, so it takes no memory. */
			count[k] = 0;
			for (i = 0; i < nac; i++)
				if (ac[i].kind == TK_RANGE)
					ac[i].has[k] = 0;
				else
					memset(&ac[i].map[k], 0,
					    sizeof(ac[i].map[k]));
		}
		if (count[k] + c < c)
			die_at(file, ln, "count overflows 64 bits");
		count[k] += c;
		for (i = 0; i < nac; i++)
			tally_cell(&ac[i], k, f[kc + 1 + i], c, file, ln,
			    hdr.col[kc + 1 + i]);
	}
	free(f);
}

/*
 * Sorting.  A key column's sort key takes 16 bytes (num_skey), the
 * column's bytes found again in the key when needed: with millions of
 * keys this is most of the memory of the output phase.
 */
static struct num_key *sortvals;
static struct num_skey *keycols;	/* per key: kc column sort keys */

static int
valcmp(const void *x, const void *y)
{
	return num_key_cmp(&sortvals[*(const uint32_t *)x],
	    &sortvals[*(const uint32_t *)y]);
}

static int
keycmp_key(uint32_t a, uint32_t b)
{
	for (size_t i = 0; i < kc; i++) {
		int c = num_skey_cmp(&keycols[(size_t)a * kc + i],
		    ht_key(keys, a).p, &keycols[(size_t)b * kc + i],
		    ht_key(keys, b).p);

		if (c != 0)
			return c;
	}
	return 0;
}

static int
keycmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	if (!bykey && count[a] != count[b])
		return count[a] > count[b] ? -1 : 1;
	return keycmp_key(a, b);
}

/* rank[id] = position of value id in value order. */
static void
rank_values(struct acol *a)
{
	uint32_t n = a->vals != NULL ? ht_count(a->vals) : 0, i, *ord;

	sortvals = xreallocarray(NULL, n ? n : 1, sizeof(*sortvals));
	ord = xreallocarray(NULL, n ? n : 1, sizeof(*ord));
	for (i = 0; i < n; i++) {
		num_key_make(&sortvals[i], ht_key(a->vals, i));
		ord[i] = i;
	}
	qsort(ord, n, sizeof(*ord), valcmp);
	a->rank = xreallocarray(NULL, n ? n : 1, sizeof(*a->rank));
	for (i = 0; i < n; i++)
		a->rank[ord[i]] = i;
	free(ord);
	free(sortvals);
}

struct ent {
	uint32_t	 rank;
	uint32_t	 id;
	uint64_t	 cnt;
};

static int
entcmp(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;

	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static void
write_tally(struct ob *o, struct acol *a, uint32_t k, struct ent **buf,
    size_t *cap)
{
	struct cmap *m;
	size_t n = 0, j;

	if (a->kind == TK_RANGE) {
		if (a->has[k]) {
			ob_i64(o, a->min[k]);
			ob_puts(o, "..");
			ob_i64(o, a->max[k]);
		}
		return;
	}
	m = &a->map[k];
	if (m->cap == 0) {
		/* no value, or one */
		if (m->n == 0)
			return;
		ob_span(o, ht_key(a->vals, m->n - 1));
		if (a->kind == TK_COUNTS) {
			ob_putc(o, ':');
			ob_u64(o, m->u.one);
		}
		return;
	}
	if (m->n > *cap) {
		*cap = m->n;
		*buf = xreallocarray(*buf, *cap, sizeof(**buf));
	}
	for (j = 0; j < m->cap; j++)
		if (m->u.tab[j] != 0) {
			(*buf)[n].id = m->u.tab[j] - 1;
			(*buf)[n].rank = a->rank[m->u.tab[j] - 1];
			(*buf)[n].cnt = cmap_cnt(m)[j];
			n++;
		}
	if (n > 1)
		qsort(*buf, n, sizeof(**buf), entcmp);
	for (j = 0; j < n; j++) {
		if (j > 0)
			ob_putc(o, ',');
		ob_span(o, ht_key(a->vals, (*buf)[j].id));
		if (a->kind == TK_COUNTS) {
			ob_putc(o, ':');
			ob_u64(o, (*buf)[j].cnt);
		}
	}
}

static void
write_output(struct ob *o)
{
	uint32_t n = ht_count(keys), i, *ord;
	struct ent *buf = NULL;
	size_t cap = 0, j;

	for (j = 0; j < nac; j++)
		if (ac[j].kind != TK_RANGE)
			rank_values(&ac[j]);
	keycols = xreallocarray(NULL, (size_t)(n ? n : 1) * (kc ? kc : 1),
	    sizeof(*keycols));
	ord = xreallocarray(NULL, n ? n : 1, sizeof(*ord));
	for (i = 0; i < n; i++) {
		struct span key = ht_key(keys, i), f[1];
		size_t c = 0;
		const char *p = key.p, *end = key.p + key.n, *t;

		ord[i] = i;
		for (;;) {
			t = memchr(p, '\t', (size_t)(end - p));
			if (t == NULL)
				t = end;
			f[0] = span_make(p, (size_t)(t - p));
			num_skey_make(&keycols[(size_t)i * kc + c++], key.p,
			    f[0]);
			if (t == end || c == kc)
				break;
			p = t + 1;
		}
	}
	qsort(ord, n, sizeof(*ord), keycmp);
	ob_write(o, hdr.line, hdr.len);
	ob_putc(o, '\n');
	for (i = 0; i < n; i++) {
		uint32_t k = ord[i];

		ob_span(o, ht_key(keys, k));
		ob_putc(o, '\t');
		ob_u64(o, count[k]);
		for (j = 0; j < nac; j++) {
			ob_putc(o, '\t');
			write_tally(o, &ac[j], k, &buf, &cap);
		}
		ob_putc(o, '\n');
	}
	free(buf);
	free(ord);
	free(keycols);
}

static const struct option longopts[] = {
	{ "output",	required_argument, NULL, 'o' },
	{ "tally",	required_argument, NULL, 't' },
	{ "sort",	required_argument, NULL, 's' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct ob *o;
	struct rd **in;
	const char *eq;
	int ch, n, i, k;

	msg_init(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+ho:t:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			output = optarg;
			break;
		case 't':
			if ((eq = strchr(optarg, '=')) == NULL || eq == optarg ||
			    (k = tally_kind(eq + 1)) < 0)
				die_usage("--tally: expected COLUMN=KIND with KIND "
				    "counts, distinct or range, got '%s'", optarg);
			tkcol = xreallocarray(tkcol, ntk + 1, sizeof(*tkcol));
			tkkind = xreallocarray(tkkind, ntk + 1, sizeof(*tkkind));
			tkcol[ntk] = xmemdup(optarg, (size_t)(eq - optarg));
			tkkind[ntk++] = k;
			break;
		case 's':
			if (strcmp(optarg, "key") == 0)
				bykey = 1;
			else if (strcmp(optarg, "count") == 0)
				bykey = 0;
			else
				die_usage("--sort: expected count or key, got "
				    "'%s'", optarg);
			break;
		case 'h':
			help_exit(usage_text);
		case 'V':
			version_exit();
		default:
			die_getopt(argc, argv, "+ho:t:V", longopts);
		}
	}
	o = output != NULL ? ob_create(output) : ob_stdout();
	in = rd_open_all(argv + optind, argc - optind, &n);
	keys = ht_new();
	for (i = 0; i < n; i++) {
		read_input(in[i], i == 0);
		rd_close(in[i]);
	}
	write_output(o);
	ob_close(o);
	free(in);
	return 0;
}
