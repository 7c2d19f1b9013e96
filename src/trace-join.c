/*
 * trace-join - full outer join of two histograms on their key columns.
 *
 * Both inputs are trace-hist output with the same key columns (every
 * column before `count`).  Each key comes out exactly once: `missing`
 * (only in REF), `matched` (in both) or `extra` (only in CAND), with both
 * counts, the ratio CAND/REF, an `under` flag, and each side's tallies
 * under the side's name.  The status comes from the counts: a key whose
 * count is 0 on one side is missing there (a key at 0 on both sides is
 * not written).  An empty key column is a value like any other: keys are
 * unique on each side, so it matches the same empty value.
 * Rows are sorted by REF count descending, then CAND count descending,
 * then key, so the output is deterministic.
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

/* One side: its histogram, in memory. */
struct side {
	const char	*name;		/* --names */
	struct tsv_hdr	 hdr;
	size_t		 kc;		/* index of count */
	struct htab	*keys;
	uint64_t	*count;
	char		**rest;		/* the tally cells, tab-joined */
	size_t		 cap;
};

/* An output row. */
struct row {
	int		 side;		/* 0 REF, 1 CAND: where the key is from */
	uint32_t	 ki;		/* key index in that side */
	int32_t		 other;		/* key index in CAND for matched, or -1 */
	uint64_t	 ref, cand;
	struct span	*kcol;		/* split key columns (sorting) */
};

static double	 threshold = 0.5;	/* --threshold */
static uint64_t	 floor_ = 10;		/* --floor */
static char	*output;

static const char usage_text[] =
"usage: trace-join [-o file] [--floor n] [--names ref,cand]\n"
"                  [--threshold ratio] ref.hist cand.hist\n"
"\n"
"Full outer join of two histograms (trace-hist output) on their key.\n"
"\n"
"  -o, --output FILE      write to FILE atomically instead of stdout\n"
"      --floor N          smallest REF count flagged as under (default 10)\n"
"      --names REF,CAND   labels of the two sides (default ref,cand)\n"
"      --threshold R      flag matched keys with CAND/REF below R\n"
"                         (default 0.5)\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n";

/*
 * The tally cells of a row are copied to the join as they are, but a
 * malformed one (a bad %-encoding, counts adding up to more than the
 * row's count) is an error here, not a wrong figure later.
 */
static void
check_cells(const struct side *s, const struct span *f, uint64_t count,
    const char *file, uint64_t line)
{
	static struct tally_cell t;	/* reused: no allocation per row */
	struct span bad;
	size_t i;

	for (i = s->kc + 1; i < s->hdr.ncol; i++) {
		struct span name = s->hdr.col[i];

		if (f[i].n == 0 || (memchr(f[i].p, '%', f[i].n) == NULL &&
		    memchr(f[i].p, ':', f[i].n) == NULL))
			continue;	/* nothing to check: the usual case */
		switch (tally_parse(&t, f[i], TK_AS_WRITTEN, &bad)) {
		case TALLY_OK:
			break;
		case TALLY_PERCENT:
			tally_die_percent(file, line, name, bad);
		default:
			die_at(file, line, "column %s: bad tally entry '%s'",
			    msg_vis(name.p, name.n), msg_vis(bad.p, bad.n));
		}
		if (t.kind == TK_COUNTS && t.sum > count)
			tally_die_sum(file, line, name, t.sum, count);
	}
}

static void
load(struct side *s, const char *path)
{
	struct rd *in = rd_open(path);
	struct span line, *f;
	size_t n;
	uint64_t c;
	uint32_t k;
	int isnew;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	if (!rd_line(in, &line))
		dief("%s: empty input (no header line)", rd_name(in));
	tsv_hdr_parse(&s->hdr, line, rd_name(in));
	s->kc = tsv_count_col(&s->hdr, "a histogram from trace-hist");
	s->keys = ht_new();
	f = xreallocarray(NULL, s->hdr.ncol + 1, sizeof(*f));
	while (rd_line(in, &line)) {
		uint64_t ln = rd_lineno(in);
		const char *rest;

		if (tsv_is_hdr(&s->hdr, line))
			continue;
		if ((n = tsv_split(line, f, s->hdr.ncol + 1)) != s->hdr.ncol)
			die_at(rd_name(in), ln, "expected %zu fields, got %zu",
			    s->hdr.ncol, n);
		if (num_parse_u64(f[s->kc], &c) != NUM_OK)
			die_at(rd_name(in), ln, "bad count '%s'",
			    msg_vis(f[s->kc].p, f[s->kc].n));
		k = ht_intern(s->keys, line.p,
		    (size_t)(f[s->kc].p - 1 - line.p), &isnew);
		if (!isnew)
			die_at(rd_name(in), ln, "key seen twice: not a "
			    "histogram (run trace-hist on it first)");
		if (k >= s->cap) {
			s->cap = s->cap ? s->cap * 2 : 1024;
			s->count = xreallocarray(s->count, s->cap,
			    sizeof(*s->count));
			s->rest = xreallocarray(s->rest, s->cap,
			    sizeof(*s->rest));
		}
		s->count[k] = c;
		check_cells(s, f, c, rd_name(in), ln);
		rest = f[s->kc].p + f[s->kc].n;
		s->rest[k] = xmemdup(rest, (size_t)(line.p + line.n - rest));
	}
	free(f);
	rd_close(in);
}

static struct side side[2];

static int
rowcmp(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	size_t i, kc = side[0].kc;

	if (a->ref != b->ref)
		return a->ref > b->ref ? -1 : 1;
	if (a->cand != b->cand)
		return a->cand > b->cand ? -1 : 1;
	for (i = 0; i < kc; i++) {
		int c = num_cmp_values(a->kcol[i], b->kcol[i]);

		if (c != 0)
			return c;
	}
	return a->side - b->side;	/* not reached: keys are unique */
}

static void
split_key(struct row *r)
{
	struct span key = ht_key(side[r->side].keys, r->ki);
	size_t kc = side[0].kc;

	r->kcol = xreallocarray(NULL, kc, sizeof(*r->kcol));
	tsv_split(key, r->kcol, kc);
}

/* Write a side's tally cells, or as many empty cells. */
static void
put_rest(struct ob *o, const struct side *s, int32_t k)
{
	size_t n = s->hdr.ncol - s->kc - 1;

	if (k >= 0)
		ob_puts(o, s->rest[k]);
	else
		for (size_t i = 0; i < n; i++)
			ob_putc(o, '\t');
}

static void
join(struct ob *o)
{
	struct side *r = &side[0], *c = &side[1];
	uint32_t nr = ht_count(r->keys), nc = ht_count(c->keys), i;
	struct row *rows = xreallocarray(NULL, (size_t)nr + nc + 1,
	    sizeof(*rows));
	uint8_t *used = xcalloc(nc ? nc : 1, 1);
	size_t n = 0, j, kc = r->kc;

	for (i = 0; i < nr; i++) {
		struct span key = ht_key(r->keys, i);
		uint32_t m = ht_find(c->keys, key.p, key.n);
		struct row *w = &rows[n++];

		w->side = 0;
		w->ki = i;
		w->ref = r->count[i];
		if (m != UINT32_MAX) {
			w->other = (int32_t)m;
			w->cand = c->count[m];
			used[m] = 1;
		} else {
			w->other = -1;
			w->cand = 0;
		}
		if (w->ref == 0 && w->cand == 0) {
			n--;	/* 0 on both sides: not written */
			continue;
		}
		split_key(w);
	}
	for (i = 0; i < nc; i++) {
		struct row *w;

		if (used[i])
			continue;
		if (c->count[i] == 0)
			continue;	/* 0 on both sides */
		w = &rows[n++];
		w->side = 1;
		w->ki = i;
		w->other = (int32_t)i;
		w->ref = 0;
		w->cand = c->count[i];
		split_key(w);
	}
	qsort(rows, n, sizeof(*rows), rowcmp);

	/* Header, built first: its names must be unique. */
	{
		struct sbuf h = { 0 };

		for (j = 0; j < kc; j++) {
			sb_add(&h, r->hdr.col[j].p, r->hdr.col[j].n);
			sb_addc(&h, '\t');
		}
		sb_adds(&h, "status\t");
		sb_adds(&h, r->name);
		sb_adds(&h, "_count\t");
		sb_adds(&h, c->name);
		sb_adds(&h, "_count\tratio\tunder");
		for (j = r->kc + 1; j < r->hdr.ncol; j++) {
			sb_addc(&h, '\t');
			sb_adds(&h, r->name);
			sb_addc(&h, '_');
			sb_add(&h, r->hdr.col[j].p, r->hdr.col[j].n);
		}
		for (j = c->kc + 1; j < c->hdr.ncol; j++) {
			sb_addc(&h, '\t');
			sb_adds(&h, c->name);
			sb_addc(&h, '_');
			sb_add(&h, c->hdr.col[j].p, c->hdr.col[j].n);
		}
		/* A key column named "ratio", or names that make "a_b_tid"
		 * twice, would give a header no stage can read. */
		{
			struct htab *seen = ht_new();
			struct span *f;
			size_t nf = tsv_split(span_make(h.p, h.len), NULL, 0);
			int isnew;

			f = xreallocarray(NULL, nf, sizeof(*f));
			tsv_split(span_make(h.p, h.len), f, nf);
			for (j = 0; j < nf; j++) {
				ht_intern(seen, f[j].p, f[j].n, &isnew);
				if (!isnew)
					dief("the join would have two columns "
					    "named '%s' (rename a column or "
					    "choose other --names)",
					    msg_vis(f[j].p, f[j].n));
			}
			free(f);
			ht_free(seen);
		}
		ob_write(o, h.p, h.len);
		ob_putc(o, '\n');
		ob_flush(o);
		sb_free(&h);
	}

	for (j = 0; j < n; j++) {
		const struct row *w = &rows[j];
		int matched = w->ref > 0 && w->cand > 0;
		const char *status = matched ? "matched" :
		    w->ref > 0 ? "missing" : "extra";
		int under = matched && w->ref >= floor_ &&
		    (double)w->cand / (double)w->ref < threshold;

		ob_span(o, ht_key(side[w->side].keys, w->ki));
		ob_printf(o, "\t%s\t", status);
		ob_u64(o, w->ref);
		ob_putc(o, '\t');
		ob_u64(o, w->cand);
		ob_putc(o, '\t');
		if (w->ref > 0) {
			ob_printf(o, "%.6f", (double)w->cand /
			    (double)w->ref);
		}
		ob_puts(o, under ? "\tyes" : "\tno");
		put_rest(o, r, w->side == 0 ? (int32_t)w->ki : -1);
		put_rest(o, c, w->other);
		ob_putc(o, '\n');
		free(w->kcol);
	}
	free(rows);
	free(used);
}

static const struct option longopts[] = {
	{ "output",	required_argument, NULL, 'o' },
	{ "floor",	required_argument, NULL, 'F' },
	{ "names",	required_argument, NULL, 'n' },
	{ "threshold",	required_argument, NULL, 'T' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static int
bad_name(const char *s)
{
	return !tsv_name_ok(s) || strchr(s, ',') != NULL;
}

int
main(int argc, char *argv[])
{
	struct ob *o;
	char **names, *end;
	size_t nn, i;
	int ch;

	msg_init(argv[0]);
	side[0].name = "ref";
	side[1].name = "cand";
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+ho:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			output = optarg;
			break;
		case 'F':
			if (num_parse_u64(span_str(optarg), &floor_) != NUM_OK)
				die_usage("--floor: expected a count, got '%s'",
				    optarg);
			break;
		case 'n':
			names = name_list(optarg, "--names", &nn);
			if (nn != 2 || bad_name(names[0]) || bad_name(names[1]) ||
			    strcmp(names[0], names[1]) == 0)
				die_usage("--names: expected two different names "
				    "REF,CAND, got '%s'", optarg);
			side[0].name = names[0];
			side[1].name = names[1];
			free(names);	/* the array; the names live on */
			break;
		case 'T':
			threshold = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || !(threshold >= 0) ||
			    threshold > 1e300)
				die_usage("--threshold: expected a non-negative "
				    "number, got '%s'", optarg);
			break;
		case 'h':
			help_exit(usage_text);
		case 'V':
			version_exit();
		default:
			die_getopt(argc, argv, "+ho:V", longopts);
		}
	}
	if (argc - optind != 2)
		die_usage("expected two histograms, REF and CAND");
	o = output != NULL ? ob_create(output) : ob_stdout();
	rd_one_stdin(argv + optind, 2);
	load(&side[0], argv[optind]);
	load(&side[1], argv[optind + 1]);
	if (side[0].kc != side[1].kc)
		goto keydiff;
	for (i = 0; i < side[0].kc; i++)
		if (!span_eq(side[0].hdr.col[i], side[1].hdr.col[i]))
			goto keydiff;
	join(o);
	ob_close(o);
	return 0;
keydiff:
	{
		struct tsv_hdr *a = &side[0].hdr, *b = &side[1].hdr;

		a->ncol = side[0].kc;
		b->ncol = side[1].kc;
		dief("key columns differ: %s has (%s), %s has (%s)",
		    argv[optind], tsv_hdr_list(a), argv[optind + 1],
		    tsv_hdr_list(b));
	}
}
