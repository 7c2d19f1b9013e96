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
 *
 * --runs COL splits each side into runs by its COL counts tally.  The
 * run cell is checked and its run values interned as the side is read,
 * each key's per-run counts kept in a dense row (with up to DENSE_MAX
 * runs a side; else the cell is read again); the run columns of a row
 * (counts per run in reused buffers, extremes, the Mann-Whitney p) are
 * worked out as it is written.  --per turns counts into rates over a
 * denominator of the side (or of each run); --over flags over-firing
 * keys.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "opt.h"
#include "htab.h"
#include "num.h"
#include "ob.h"
#include "rd.h"
#include "stat.h"
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
	const char	*file;		/* for messages */
	/* --runs */
	int		 rc;		/* index of the run column */
	struct htab	*runs;		/* run values, as written */
	struct span	*rv;		/* the same, copies that stay put */
	struct rword	*rw;		/* the same, as words: see fast_runs() */
	uint32_t	 nrun;		/* of them */
	size_t		 caprv;
	uint64_t	*rtmp;		/* per run, zero between rows */
	uint32_t	*dense;		/* key k's count in run r: see below */
	uint32_t	 stride;	/* of dense: runs a key has room for */
	int		 sparse;	/* too many runs for dense */
	/* --per */
	uint64_t	 den;		/* the side's denominator, summed */
	uint64_t	*rden;		/* per run (with --runs) */
	size_t		 caprden;
	int		 tsc;		/* --per time: index of ts, else -1 */
	int		 hasts;		/* --per time: a ts value seen */
	int64_t		 tslo, tshi;
};

/*
 * A run value of 1 to 7 bytes and the ':' after it as a little-endian
 * word, and the mask of its bytes; a mask of 0 (and key 1) for any other
 * value, which no word matches.
 */
struct rword {
	uint64_t	 key;
	uint64_t	 mask;
	size_t		 n;		/* the value's length */
};

/*
 * A side of up to DENSE_MAX runs keeps each key's per-run counts, as
 * read from its run cell, in a dense row of 4-byte counts: key k's
 * count in run r is dense[k * stride + r] (0 past the side's runs), or
 * DENSE_BIG for a count too large for it.  The row's statistics then
 * need no second reading of the cell: that reading is for a key with a
 * DENSE_BIG, and for every key of a side with more runs, whose rows
 * could take far more memory than its cells.  The stride grows as
 * runs are first seen, mostly all in the first row.
 */
#define DENSE_MAX	32
#define DENSE_BIG	UINT32_MAX
#define DENSE_AHEAD	8		/* rows fetched ahead: see join() */

/* An output row. */
struct row {
	int		 side;		/* 0 REF, 1 CAND: where the key is from */
	uint32_t	 ki;		/* key index in that side */
	int32_t		 other;		/* key index in CAND for matched, or -1 */
	uint64_t	 ref, cand;
	struct num_skey	*kcol;		/* key columns' sort keys */
};

/* The tally cells of both sides and the rows' key columns: one
 * allocation per 1 MiB, not one per key. */
static struct arena	 mem;

static double	 threshold = 0.5;	/* --threshold */
static uint64_t	 floor_ = 10;		/* --floor */
static char	*output;
static const char *runcol;		/* --runs COL */
static double	 over = -1;		/* --over R; -1 without */
static enum { PER_NONE, PER_TOTAL, PER_TIME, PER_KEY } per; /* --per */
static const char *perarg;		/* --per as given (messages) */
static char	*percol;		/* --per COL=VALUE: COL */
static struct span perval;		/* --per COL=VALUE: VALUE */
static int	 perkc = -1;		/* --per COL=VALUE: COL's index */
static double	 perscale = 1;		/* rates per 1000 fires, per 1e9 */

static const char usage_text[] =
"usage: trace-join [-o file] [--floor n] [--names ref,cand] [--over ratio]\n"
"                  [--per total|time|column=value] [--runs column]\n"
"                  [--threshold ratio] ref.hist cand.hist\n"
"\n"
"Full outer join of two histograms (trace-hist output) on their key.\n"
"\n"
"  -o, --output FILE      write to FILE atomically instead of stdout\n"
"      --floor N          smallest REF count flagged as under (default 10)\n"
"      --names REF,CAND   labels of the two sides (default ref,cand)\n"
"      --over R           add an over column: matched keys with CAND/REF\n"
"                         above R\n"
"      --per DENOMINATOR  compare rates: per 1000 fires of the side (total),\n"
"                         per 1e9 units of its ts span (time), or per fire\n"
"                         of the keys whose COLUMN is VALUE (COLUMN=VALUE)\n"
"      --runs COLUMN      per-run statistics, the runs being the values of\n"
"                         the counts tally COLUMN\n"
"      --threshold R      flag matched keys with CAND/REF below R\n"
"                         (default 0.5)\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n";

/*
 * Whether a tally cell needs no tally_parse(): it has no '%', and either
 * no ':' (one value, or a distinct tally: nothing to check) or is a
 * counts tally that tally_parse() accepts as written, with counts adding
 * up to at most count: VALUE:N entries (VALUE up to the entry's first
 * ':', N of 1 to 19 digits), each ended by a ',' but the last.  Any
 * other cell is for tally_parse(), which finds what is wrong or accepts
 * it.  One pass over the cell.
 */
static int
cell_ok(struct span cell, uint64_t count)
{
	const unsigned char *p = (const unsigned char *)cell.p;
	const unsigned char *end = p + cell.n, *d;
	uint64_t sum = 0, c;

	while (p < end && *p != ':' && *p != ',' && *p != '%')
		p++;
	if (p == end)
		return 1;
	if (*p != ':') {
		while (p < end && *p != ':' && *p != '%')
			p++;
		return p == end;
	}
	for (;;) {
		d = ++p;		/* past the entry's ':' */
		c = 0;
		while (p < end && (unsigned)(*p - '0') <= 9)
			c = c * 10 + (uint64_t)(*p++ - '0');
		if (p == d || p - d > 19 || (p < end && *p != ','))
			return 0;
		sum = c > UINT64_MAX - sum ? UINT64_MAX : sum + c;
		if (p == end)
			return sum <= count;
		p++;			/* past ',': an entry follows */
		while (p < end && *p != ':' && *p != ',' && *p != '%')
			p++;
		if (p == end || *p != ':')
			return 0;
	}
}

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

		if (runcol != NULL && i == (size_t)s->rc)
			continue;	/* add_runs() checks it, strictly */
		if (cell_ok(f[i], count))
			continue;	/* the usual case */
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

/* Add a to a denominator, which must stay exact. */
static void
add_den(const struct side *s, uint64_t *sum, uint64_t a)
{
	if (a > UINT64_MAX - *sum)
		dief("%s (%s): --per %s: the denominator overflows 64 bits",
		    s->name, s->file, perarg);
	*sum += a;
}

/*
 * Eight bytes as a little-endian word: the first byte is the low one, as
 * the word-at-a-time reading of run cells below needs.
 */
static inline uint64_t
word8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* Run r is new: keep a copy of its value, and room for its denominator. */
static void
new_run(struct side *s, uint32_t r, struct span v)
{
	if (r >= s->caprv) {
		s->caprv = s->caprv ? s->caprv * 2 : 16;
		s->rv = xreallocarray(s->rv, s->caprv, sizeof(*s->rv));
		s->rw = xreallocarray(s->rw, s->caprv, sizeof(*s->rw));
	}
	s->rv[r] = span_make(xmemdup(v.p, v.n), v.n);
	s->rw[r].key = 1;
	s->rw[r].mask = 0;
	s->rw[r].n = v.n;
	if (v.n >= 1 && v.n <= 7) {
		unsigned char b[8] = { 0 };

		memcpy(b, v.p, v.n);
		b[v.n] = ':';
		s->rw[r].key = word8((const char *)b);
		s->rw[r].mask = ~(uint64_t)0 >> (64 - 8 * (v.n + 1));
	}
	s->nrun = r + 1;
	if (r >= s->caprden) {
		size_t old = s->caprden;

		s->caprden = s->caprden ? s->caprden * 2 : 16;
		s->rden = xreallocarray(s->rden, s->caprden, sizeof(*s->rden));
		memset(s->rden + old, 0, (s->caprden - old) * sizeof(*s->rden));
		s->rtmp = xreallocarray(s->rtmp, s->caprden, sizeof(*s->rtmp));
		memset(s->rtmp + old, 0, (s->caprden - old) * sizeof(*s->rtmp));
	}
}

/*
 * The index of run value v, interned.  A cell lists its runs in the order
 * trace-hist sorts them, which is mostly the order they were first seen
 * in: the run after the previous entry's (prev, UINT32_MAX for the first
 * entry: run 0) is tried first, then, among few runs, each in turn, and
 * only then the hash table.
 */
static inline uint32_t
run_index(struct side *s, struct span v, uint32_t prev)
{
	uint32_t r = prev + 1, n = s->nrun;
	int isnew;

	if (r < n && span_eq(s->rv[r], v))
		return r;
	if (n <= 16) {
		for (r = 0; r < n; r++)
			if (span_eq(s->rv[r], v))
				return r;
	}
	r = ht_intern(s->runs, v.p, v.n, &isnew);
	if (isnew)
		new_run(s, r, v);
	return r;
}

/*
 * The usual run cell, VALUE:N,VALUE:N,... with no '%' and counts of 1 to
 * 19 digits, read in one pass: each count is added to (*cnt)[] at its
 * run's index, unless cnt is NULL (*cnt, as a new run may move it).
 * Returns the number of entries, with their sum in *sum as tally_parse()
 * adds (saturating), or 0 when the cell is anything else (empty, one bare
 * value, '%', an error), (*cnt)[] then partly added to: tally_parse()
 * reads such a cell, and finds the same entries when it accepts it.
 *
 * Where eight bytes may be read (up to lim, past the cell if need be),
 * an entry is read a word at a time: the run expected next, with its
 * ':', is compared as one word, and a count of up to 7 digits is
 * found and converted in another (the digits end at the first byte
 * that is not one, within the cell, which ends at a tab or the end of
 * the line).  Elsewhere, and for longer values or counts, byte by byte.
 */
static size_t
fast_runs(struct side *s, struct span cell, const char *lim,
    uint64_t *const *cnt, uint64_t *sum)
{
	const char *p = cell.p, *end = cell.p + cell.n;
	const struct rword *rw = s->rw;
	size_t n = 0;
	uint32_t r = UINT32_MAX, nrun = s->nrun;
	uint64_t total = 0, *to = cnt != NULL ? *cnt : NULL;

	while (p < end) {
		const char *v = p, *d;
		uint64_t c = 0, w, m;
		uint32_t g = r + 1;
		size_t gn;

		/* Mostly the run after the previous one: compare in place. */
		if (g < nrun && lim - p >= 8 &&
		    (word8(p) & rw[g].mask) == rw[g].key &&
		    rw[g].n < (size_t)(end - p)) {
			p += rw[g].n;
			r = g;
		} else if (g < nrun && (gn = s->rv[g].n) > 0 &&
		    gn < (size_t)(end - p) && p[gn] == ':' &&
		    mem_same(p, s->rv[g].p, gn)) {
			p += gn;
			r = g;
		} else {
			while (p < end && *p != ':' && *p != ',' && *p != '%')
				p++;
			if (p == end || *p != ':' || p == v)
				return 0;
			r = run_index(s, span_make(v, (size_t)(p - v)), r);
			/* A new run moves them. */
			rw = s->rw;
			nrun = s->nrun;
			to = cnt != NULL ? *cnt : NULL;
		}
		d = ++p;
		/* Digits are the bytes whose w - '0' is 0 to 9: the first
		 * other byte has its top bit set in m (a lower byte, a digit,
		 * borrows nothing). */
		if (lim - p >= 8 && (w = word8(p) - 0x3030303030303030ULL,
		    m = (w | (w + 0x7676767676767676ULL)) &
		    0x8080808080808080ULL) != 0) {
			unsigned len = (unsigned)__builtin_ctzll(m) >> 3;

			if (len == 0)
				return 0;
			/* The digits to the top bytes, zeros below them:
			 * then 8 digits to their value, as num_parse_u64(). */
			w <<= 64 - 8 * len;
			w = (w * 10 + (w >> 8)) & 0x00ff00ff00ff00ffULL;
			w = (w * 100 + (w >> 16)) & 0x0000ffff0000ffffULL;
			c = (w * 10000 + (w >> 32)) & 0x00000000ffffffffULL;
			p += len;
		} else {
			while (p < end && (unsigned)(*p - '0') <= 9)
				c = c * 10 + (uint64_t)(*p++ - '0');
			if (p == d || p - d > 19)
				return 0;
		}
		if (p < end && *p != ',')
			return 0;
		p++;			/* past ',' (or end) */
		n++;
		if (to != NULL)
			to[r] += c;
		total = c > UINT64_MAX - total ? UINT64_MAX : total + c;
	}
	*sum = total;
	return n;
}

/*
 * Any other run cell, through tally_parse(): its counts added to cnt[],
 * as fast_runs() does.  Returns TALLY_OK, or what is wrong with the cell
 * (in *bad); a single value stands for the whole count.
 */
static enum tally_err
slow_runs(struct side *s, struct span cell, uint64_t count,
    uint64_t *const *cnt, uint64_t *sum, struct span *bad)
{
	static struct tally_cell t;	/* reused: no allocation per row */
	enum tally_err e;
	size_t i;
	uint32_t r;

	if ((e = tally_parse(&t, cell, TK_COUNTS, bad)) != TALLY_OK)
		return e;
	if (t.single)
		t.sum = t.cnt[0] = count;
	*sum = t.sum;
	for (i = 0, r = UINT32_MAX; i < t.n; i++) {
		r = run_index(s, t.val[i], r);
		if (cnt != NULL)
			(*cnt)[r] += t.cnt[i];
	}
	return TALLY_OK;
}

/*
 * Room for run r in the dense rows of keys 0 to k (those before k
 * copied to the wider rows), or, past DENSE_MAX runs, none: the side is
 * sparse from then on.
 */
static void
dense_widen(struct side *s, uint32_t k)
{
	uint32_t ns = s->stride * 2 > s->nrun ? s->stride * 2 : s->nrun, i;
	uint32_t *d;

	if (s->nrun > DENSE_MAX) {
		free(s->dense);
		s->dense = NULL;
		s->sparse = 1;
		return;
	}
	if (ns > DENSE_MAX)
		ns = DENSE_MAX;
	d = xreallocarray(NULL, s->cap, ns * sizeof(*d));
	for (i = 0; i < k; i++) {
		if (s->stride > 0)
			memcpy(d + (size_t)i * ns, s->dense +
			    (size_t)i * s->stride, s->stride * sizeof(*d));
		memset(d + (size_t)i * ns + s->stride, 0,
		    (ns - s->stride) * sizeof(*d));
	}
	free(s->dense);
	s->dense = d;
	s->stride = ns;
}

/*
 * Check key k's run cell, and intern its runs: it must be a counts tally
 * (or one value, standing for the whole count) whose counts add up to
 * the row's count, so that every event is in a run.  A marker row (--per
 * COLUMN=VALUE), or any row with --per total, adds its run counts to the
 * runs' denominators.  The counts go through s->rtmp (left zero again)
 * to the key's dense row, unless the side is sparse.
 */
static void
add_runs(struct side *s, uint32_t k, struct span cell, const char *lim,
    uint64_t count, int den, const char *file, uint64_t line)
{
	struct span bad, name = s->hdr.col[s->rc];
	uint64_t *const *cnt = den || !s->sparse ? &s->rtmp : NULL, sum;
	uint32_t r, *row = NULL;

	if (fast_runs(s, cell, lim, cnt, &sum) == 0) {
		memset(s->rtmp, 0, s->nrun * sizeof(*s->rtmp));
		switch (slow_runs(s, cell, count, cnt, &sum, &bad)) {
		case TALLY_OK:
			break;
		case TALLY_PERCENT:
			tally_die_percent(file, line, name, bad);
		case TALLY_NOT_COUNTS:
			die_at(file, line, "column %.*s: --runs needs a counts "
			    "tally, not '%.*s'", (int)name.n, name.p,
			    (int)bad.n, bad.p);
		default:
			die_at(file, line, "column %.*s: bad tally entry "
			    "'%.*s'", (int)name.n, name.p, (int)bad.n, bad.p);
		}
	}
	if (sum > count)
		tally_die_sum(file, line, name, sum, count);
	if (sum < count)
		die_at(file, line, "column %.*s: tally counts add up to %llu, "
		    "less than the row's count %llu: --runs needs the run of "
		    "every event", (int)name.n, name.p,
		    (unsigned long long)sum, (unsigned long long)count);
	if (!s->sparse && s->nrun > s->stride)
		dense_widen(s, k);
	if (!s->sparse) {
		row = s->dense + (size_t)k * s->stride;
		for (r = s->nrun; r < s->stride; r++)
			row[r] = 0;
	}
	if (cnt != NULL && !den && row != NULL) {
		/* The usual case, in a loop of its own without a branch,
		 * from locals (a store to row[] might change s->nrun). */
		uint64_t *t = s->rtmp;
		uint32_t nrun = s->nrun;

		for (r = 0; r < nrun; r++) {
			row[r] = t[r] < DENSE_BIG ? (uint32_t)t[r] : DENSE_BIG;
			t[r] = 0;
		}
	} else if (cnt != NULL)
		for (r = 0; r < s->nrun; r++) {
			uint64_t c = s->rtmp[r];

			if (den)
				add_den(s, &s->rden[r], c);
			if (row != NULL)
				row[r] = c < DENSE_BIG ? (uint32_t)c : DENSE_BIG;
			s->rtmp[r] = 0;
		}
}

/* --per time: widen the side's span by a ts range cell. */
static void
add_time(struct side *s, struct span cell, const char *file, uint64_t line)
{
	static struct tally_cell t;
	struct span bad;

	if (cell.n == 0)
		return;
	if (tally_parse(&t, cell, TK_RANGE, &bad) != TALLY_OK || t.lo > t.hi)
		die_at(file, line, "column ts: --per time needs a range tally "
		    "MIN..MAX, not '%.*s'", (int)cell.n, cell.p);
	if (!s->hasts || t.lo < s->tslo)
		s->tslo = t.lo;
	if (!s->hasts || t.hi > s->tshi)
		s->tshi = t.hi;
	s->hasts = 1;
}

/* Names of the added columns that a tally column may not take. */
static const char *const reserved[] = { "runs", "min", "max", "rate" };

/*
 * The columns the options need, found once the header is read: a tally
 * column for --runs, a ts tally column for --per time, a key column for
 * --per COLUMN=VALUE; with --runs or --per no tally column may be named
 * like an added column, whose name would then be the side's twice.
 */
static void
find_cols(struct side *s, const char *file)
{
	size_t i, j;
	int c;

	if (runcol != NULL || per != PER_NONE)
		for (i = s->kc + 1; i < s->hdr.ncol; i++)
			for (j = 0; j < sizeof(reserved) / sizeof(*reserved);
			    j++)
				if (span_eqs(s->hdr.col[i], reserved[j]))
					die_at(file, 1, "tally column '%s' is "
					    "reserved with --runs and --per "
					    "(rename it)", reserved[j]);
	if (runcol != NULL) {
		if ((c = tsv_col(&s->hdr, runcol)) < 0)
			die_at(file, 1, "--runs: no column '%s' (columns: %s)",
			    runcol, tsv_hdr_list(&s->hdr));
		if ((size_t)c <= s->kc)
			die_at(file, 1, "--runs: column '%s' is not a tally "
			    "column (a column after count)", runcol);
		s->rc = c;
		s->runs = ht_new();
		s->caprden = 16;
		s->rden = xcalloc(s->caprden, sizeof(*s->rden));
		s->rtmp = xcalloc(s->caprden, sizeof(*s->rtmp));
	}
	if (per == PER_TIME && ((c = tsv_col(&s->hdr, "ts")) < 0 ||
	    (size_t)c <= s->kc))
		die_at(file, 1, "--per time: no tally column 'ts' (columns: "
		    "%s)", tsv_hdr_list(&s->hdr));
	if (per == PER_KEY) {
		if ((c = tsv_col(&s->hdr, percol)) < 0 || (size_t)c >= s->kc)
			die_at(file, 1, "--per %s: no key column '%s' "
			    "(columns: %s)", perarg, percol,
			    tsv_hdr_list(&s->hdr));
		perkc = c;
	}
}

/*
 * Split a row of side s into f[] (room for ncol + 1 fields) and parse its
 * count: exits 2 on a wrong number of fields or a bad count.
 */
static uint64_t
row_count(const struct side *s, struct span line, struct span *f,
    const char *file, uint64_t ln)
{
	size_t n;
	uint64_t c;

	if ((n = tsv_split(line, f, s->hdr.ncol + 1)) != s->hdr.ncol)
		die_at(file, ln, "expected %zu fields, got %zu", s->hdr.ncol, n);
	if (num_parse_u64(f[s->kc], &c) != NUM_OK)
		die_at(file, ln, "bad count '%s'",
		    msg_vis(f[s->kc].p, f[s->kc].n));
	return c;
}

/*
 * The checks of a row after its key's (its tally cells), and its share
 * of the --per denominators.  Returns whether the row is a marker row
 * (--per total: every row; --per COLUMN=VALUE: the key's COLUMN is
 * VALUE), whose run counts add to the runs' denominators.
 */
static int
row_check(struct side *s, const struct span *f, uint64_t c, const char *file,
    uint64_t ln)
{
	int den;

	check_cells(s, f, c, file, ln);
	if (per == PER_NONE)
		return 0;
	den = per == PER_TOTAL || (per == PER_KEY && span_eq(f[perkc], perval));
	if (den)
		add_den(s, &s->den, c);
	if (s->tsc >= 0)
		add_time(s, f[s->tsc], file, ln);
	return den;
}

/* The header line of side s, read from file: its columns checked and
 * found, as every histogram's. */
static void
read_hdr(struct side *s, struct span line, const char *file)
{
	tsv_hdr_parse(&s->hdr, line, file);
	s->kc = tsv_count_col(&s->hdr, "a histogram from trace-hist");
	s->file = xstrdup(file);
	find_cols(s, s->file);
	s->tsc = per == PER_TIME ? tsv_col(&s->hdr, "ts") : -1;
}

static void
load(struct side *s, const char *path)
{
	struct rd *in = rd_open(path);
	struct span line, *f;
	uint64_t c;
	uint32_t k;
	int isnew, den;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	if (!rd_line(in, &line))
		dief("%s: empty input (no header line)", rd_name(in));
	read_hdr(s, line, rd_name(in));
	s->keys = ht_new();
	f = xreallocarray(NULL, s->hdr.ncol + 1, sizeof(*f));
	while (rd_line(in, &line)) {
		uint64_t ln = rd_lineno(in);
		const char *rest;

		if (tsv_is_hdr(&s->hdr, line))
			continue;
		c = row_count(s, line, f, rd_name(in), ln);
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
			if (s->dense != NULL)
				s->dense = xreallocarray(s->dense, s->cap,
				    s->stride * sizeof(*s->dense));
		}
		s->count[k] = c;
		den = row_check(s, f, c, rd_name(in), ln);
		if (runcol != NULL)
			add_runs(s, k, f[s->rc], line.p + line.n, c, den,
			    rd_name(in), ln);
		rest = f[s->kc].p + f[s->kc].n;
		s->rest[k] = arena_zalloc(&mem, (size_t)(line.p + line.n -
		    rest) + 1);
		memcpy(s->rest[k], rest, (size_t)(line.p + line.n - rest));
	}
	free(f);
	rd_close(in);
}

/*
 * The side's denominator for --per, and with --runs each run's: none may
 * be 0.  --per time spans the side's ts ranges, last - first.
 */
static void
check_den(struct side *s)
{
	uint32_t r, nr;

	if (per == PER_TIME)
		s->den = s->hasts ? (uint64_t)s->tshi - (uint64_t)s->tslo : 0;
	if (runcol != NULL) {
		nr = ht_count(s->runs);
		for (r = 0; r < nr; r++) {
			struct span v = ht_key(s->runs, r);

			if (s->rden[r] == 0)
				dief("%s (%s): --per %s: the denominator is 0 "
				    "in run '%s'", s->name, s->file, perarg,
				    msg_vis(v.p, v.n));
		}
	}
	if (s->den == 0)
		dief("%s (%s): --per %s: the denominator is 0", s->name,
		    s->file, perarg);
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
		int c = num_skey_cmp(&a->kcol[i], ht_key(side[a->side].keys,
		    a->ki).p, &b->kcol[i], ht_key(side[b->side].keys, b->ki).p);

		if (c != 0)
			return c;
	}
	return a->side - b->side;	/* not reached: keys are unique */
}

static void
split_key(struct row *r)
{
	static struct span *f;
	static size_t cap;
	struct span key = ht_key(side[r->side].keys, r->ki);
	size_t kc = side[0].kc, i;

	if (kc > SIZE_MAX / sizeof(*r->kcol))
		dief("out of memory");
	if (kc > cap) {
		cap = kc;
		f = xreallocarray(f, cap, sizeof(*f));
	}
	r->kcol = arena_zalloc(&mem, kc * sizeof(*r->kcol));
	tsv_split(key, f, kc);
	for (i = 0; i < kc; i++)
		num_skey_make(&r->kcol[i], key.p, f[i]);
}

/* A key's runs on one side, as its row shows them. */
struct rside {
	uint32_t	 fired;		/* runs with a count above 0 */
	uint64_t	 cmin, cmax;	/* of the per-run counts */
	double		 vmin, vmax;	/* of the per-run values */
};

/* A row's run columns. */
struct rrec {
	struct rside	 s[2];		/* REF, CAND */
	double		 p;		/* -1: no test */
};

/* Room for one side's per-run values, reused row after row. */
struct rbuf {
	uint32_t	 nr;		/* the side's runs */
	uint64_t	*cnt;		/* per run */
	double		*val;		/* per run: count, or rate with --per */
};

/*
 * Key k's run cell, in its tally text (which starts with a tab), as the
 * row writes it: up to a NUL, if the text has one (empty if before it).
 */
static struct span
run_cell(const struct side *s, uint32_t k)
{
	const char *p = s->rest[k], *e;
	size_t i;

	for (i = s->kc + 1; i <= (size_t)s->rc; i++) {
		if ((p = strchr(p, '\t')) == NULL)
			return span_make("", 0);
		p++;
	}
	e = strchrnul(p, '\t');
	return span_make(p, (size_t)(e - p));
}

/*
 * Key k's count in each run (k -1: not on the side, 0 in every run),
 * from its dense row or else from its run cell, read again (load() has
 * checked it; the NUL after the text may be read too), then the values
 * and their extremes: O(runs).  Without --per the values are the counts,
 * whose extremes are theirs (a count converts to a double monotonically).
 */
static void
run_stats(struct side *s, int32_t k, struct rbuf *b, struct rside *st)
{
	uint32_t r, nr = b->nr, fired = 0;
	uint64_t *cnt = b->cnt, cmin, cmax, sum;
	double *val = b->val;
	struct span bad;

	if (nr == 0) {
		memset(st, 0, sizeof(*st));
		return;
	}
	/* The usual case, counts from a dense row, in one loop, which
	 * stops at a DENSE_BIG (a few scalar steps: vector code for a
	 * handful of runs costs more than it saves). */
	if (k >= 0 && s->dense != NULL && per == PER_NONE) {
		const uint32_t *row = s->dense + (size_t)k * s->stride;
		uint32_t lo = row[0], hi = row[0];

		for (r = 0; r < nr; r++) {
			uint32_t c = row[r];

			if (c == DENSE_BIG)
				break;
			fired += c > 0;
			lo = c < lo ? c : lo;
			hi = c > hi ? c : hi;
			val[r] = (double)c;
		}
		if (r == nr) {
			st->fired = fired;
			st->cmin = lo;
			st->cmax = hi;
			st->vmin = (double)lo;
			st->vmax = (double)hi;
			return;
		}
		fired = 0;
	}
	if (k >= 0 && s->dense != NULL) {
		const uint32_t *row = s->dense + (size_t)k * s->stride;
		uint32_t big = 0;

		for (r = 0; r < nr; r++) {
			cnt[r] = row[r];
			big |= row[r] == DENSE_BIG;
		}
		if (!big)
			k = -2;		/* done */
	}
	if (k != -2)
		for (r = 0; r < nr; r++)
			cnt[r] = 0;
	if (k >= 0) {
		struct span cell = run_cell(s, (uint32_t)k);

		if (fast_runs(s, cell, cell.p + cell.n + 1, &b->cnt,
		    &sum) == 0) {
			for (r = 0; r < nr; r++)
				cnt[r] = 0;
			slow_runs(s, cell, s->count[k], &b->cnt, &sum, &bad);
		}
	}
	cmin = cmax = cnt[0];
	for (r = 0; r < nr; r++) {
		uint64_t c = cnt[r];

		fired += c > 0;
		cmin = c < cmin ? c : cmin;
		cmax = c > cmax ? c : cmax;
	}
	st->fired = fired;
	st->cmin = cmin;
	st->cmax = cmax;
	if (per == PER_NONE) {
		for (r = 0; r < nr; r++)
			val[r] = (double)cnt[r];
		st->vmin = (double)cmin;
		st->vmax = (double)cmax;
		return;
	}
	st->vmin = st->vmax = (double)cnt[0] / (double)s->rden[0] * perscale;
	for (r = 0; r < nr; r++) {
		double v = (double)cnt[r] / (double)s->rden[r] * perscale;

		val[r] = v;
		st->vmin = v < st->vmin ? v : st->vmin;
		st->vmax = v > st->vmax ? v : st->vmax;
	}
}

/* The run columns of the key at rk in REF and ck in CAND (-1: absent). */
static void
rec_fill(struct rrec *x, int32_t rk, int32_t ck, struct rbuf *b,
    struct mwu *mw)
{
	run_stats(&side[0], rk, &b[0], &x->s[0]);
	run_stats(&side[1], ck, &b[1], &x->s[1]);
	x->p = mwu_p(mw, b[0].val, b[0].nr, b[1].val, b[1].nr);
}

/* A ratio, rate or p: six decimals. */
static void
put6(struct ob *o, double v)
{
	ob_commit(o, stat_fmt6(ob_reserve(o, STAT_FMT6_MAX), v));
}

/* A count at q, up to 4 digits without a call (per-run counts mostly
 * have no more); returns the end. */
static inline char *
put_u64(char *q, uint64_t v)
{
	unsigned hi, lo;

	if (v < 10) {
		*q = (char)('0' + v);
		return q + 1;
	}
	if (v < 100) {
		q[0] = (char)('0' + v / 10);
		q[1] = (char)('0' + v % 10);
		return q + 2;
	}
	if (v >= 10000)
		return q + num_fmt_u64(q, v);
	hi = (unsigned)v / 100;
	lo = (unsigned)v % 100;
	if (hi >= 10)
		*q++ = (char)('0' + hi / 10);
	q[0] = (char)('0' + hi % 10);
	q[1] = (char)('0' + lo / 10);
	q[2] = (char)('0' + lo % 10);
	return q + 3;
}

/*
 * A p value, six decimals.  p depends on the ranks of the per-run values
 * only, so few values come up again and again: the spelling of each, 8
 * bytes for p from 0 to 1, is kept in a small direct-mapped cache by the
 * value's bits (an entry whose spelling starts with NUL is empty).
 */
static size_t
put_p(char *q, double p)
{
	static struct {
		uint64_t	 bits;
		char		 s[8];
	} cache[1024], *e;
	uint64_t bits;
	size_t n;

	memcpy(&bits, &p, sizeof(bits));
	e = &cache[(bits * 0x9e3779b97f4a7c15ULL) >> 54];
	if (e->s[0] != '\0' && e->bits == bits) {
		memcpy(q, e->s, sizeof(e->s));
		return sizeof(e->s);
	}
	if ((n = stat_fmt6(q, p)) == sizeof(e->s)) {
		e->bits = bits;
		memcpy(e->s, q, sizeof(e->s));
	}
	return n;
}

/* A side's minimum and maximum: counts, or rates with --per; empty
 * cells for a side without runs.  At most 2 + 2 STAT_FMT6_MAX bytes. */
static char *
put_minmax(char *q, const struct rside *st, uint32_t nr)
{
	*q++ = '\t';
	if (nr == 0)
		*q++ = '\t';
	else if (per != PER_NONE) {
		q += stat_fmt6(q, st->vmin);
		*q++ = '\t';
		q += stat_fmt6(q, st->vmax);
	} else {
		q = put_u64(q, st->cmin);
		*q++ = '\t';
		q = put_u64(q, st->cmax);
	}
	return q;
}

/* The room the run columns of a row may take: see put_runcols(). */
#define RUNCOLS_MAX	(2 * (1 + NUM_INT_MAX) + 2 * (2 + 2 * STAT_FMT6_MAX) + \
			 5 + STAT_FMT6_MAX)

/* The run columns of a row, written in place with one reservation. */
static void
put_runcols(struct ob *o, const struct rrec *x, const struct rbuf *b,
    int flaky)
{
	char *q0 = ob_reserve(o, RUNCOLS_MAX), *q = q0;

	*q++ = '\t';
	q = put_u64(q, x->s[0].fired);
	*q++ = '\t';
	q = put_u64(q, x->s[1].fired);
	q = put_minmax(q, &x->s[0], b[0].nr);
	q = put_minmax(q, &x->s[1], b[1].nr);
	if (flaky) {
		memcpy(q, "\tyes\t", 5);
		q += 5;
	} else {
		memcpy(q, "\tno\t", 4);
		q += 4;
	}
	if (x->p >= 0)
		q += put_p(q, x->p);
	ob_commit(o, (size_t)(q - q0));
}

/* The header, with the side's name before a column name. */
static void
sb_side(struct sbuf *h, const struct side *s, const char *col)
{
	sb_addc(h, '\t');
	sb_adds(h, s->name);
	sb_addc(h, '_');
	sb_adds(h, col);
}

/*
 * The header, built and checked first: its names must be unique.  Then
 * flushed, so that a pipeline fails fast.
 */
/* A side's tally cells, or as many empty cells when the key is not on
 * the side. */
static void
put_rest(struct ob *o, const struct side *s, struct span rest, int has)
{
	size_t n = s->hdr.ncol - s->kc - 1;

	if (has)
		ob_span(o, rest);
	else
		for (size_t i = 0; i < n; i++)
			ob_putc(o, '\t');
}

/*
 * A row of the join: the key, its status, counts, ratio and flags, with
 * --runs the run columns x (of the rows' per-run values b), with --per
 * the rates, then the tally cells of REF (rrest, the text after the
 * count, when hasr) and of CAND (crest, when hasc).
 */
static void
put_row(struct ob *o, struct span key, uint64_t ref, uint64_t cand,
    const struct rrec *x, const struct rbuf *b, struct span rrest, int hasr,
    struct span crest, int hasc)
{
	const struct side *r = &side[0], *c = &side[1];
	int matched = ref > 0 && cand > 0;
	const char *status = matched ? "matched" : ref > 0 ? "missing" :
	    "extra";
	double rrate = 0, crate = 0, q = 0;
	int under, isover = 0;

	if (per != PER_NONE) {
		rrate = (double)ref / (double)r->den * perscale;
		crate = (double)cand / (double)c->den * perscale;
		if (ref > 0)
			q = crate / rrate;
	} else if (ref > 0)
		q = (double)cand / (double)ref;
	if (x != NULL) {
		/* Under, or over, in every pair of runs. */
		under = matched && x->s[0].cmin >= floor_ &&
		    x->s[1].vmax < threshold * x->s[0].vmin;
		isover = matched && x->s[1].cmin >= floor_ &&
		    x->s[1].vmin > over * x->s[0].vmax;
	} else {
		under = matched && ref >= floor_ && q < threshold;
		isover = matched && cand >= floor_ && q > over;
	}

	ob_span(o, key);
	ob_putc(o, '\t');
	ob_puts(o, status);
	ob_putc(o, '\t');
	ob_u64(o, ref);
	ob_putc(o, '\t');
	ob_u64(o, cand);
	ob_putc(o, '\t');
	if (ref > 0)
		put6(o, q);
	ob_puts(o, under ? "\tyes" : "\tno");
	if (over >= 0)
		ob_puts(o, isover ? "\tyes" : "\tno");
	if (x != NULL) {
		int flaky = (ref > 0 && x->s[0].fired < b[0].nr) ||
		    (cand > 0 && x->s[1].fired < b[1].nr);

		put_runcols(o, x, b, flaky);
	}
	if (per != PER_NONE) {
		ob_putc(o, '\t');
		put6(o, rrate);
		ob_putc(o, '\t');
		put6(o, crate);
	}
	put_rest(o, r, rrest, hasr);
	put_rest(o, c, crest, hasc);
	ob_putc(o, '\n');
}

static void
put_header(struct ob *o)
{
	const struct side *r = &side[0], *c = &side[1];
	size_t j, kc = r->kc;
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
	if (over >= 0)
		sb_adds(&h, "\tover");
	if (runcol != NULL) {
		sb_side(&h, r, "runs");
		sb_side(&h, c, "runs");
		sb_side(&h, r, "min");
		sb_side(&h, r, "max");
		sb_side(&h, c, "min");
		sb_side(&h, c, "max");
		sb_adds(&h, "\tflaky\tp");
	}
	if (per != PER_NONE) {
		sb_side(&h, r, "rate");
		sb_side(&h, c, "rate");
	}
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

static void
join(struct ob *o)
{
	struct side *r = &side[0], *c = &side[1];
	uint32_t nr = ht_count(r->keys), nc = ht_count(c->keys), i;
	struct row *rows = xreallocarray(NULL, (size_t)nr + nc + 1,
	    sizeof(*rows));
	uint8_t *used = xcalloc(nc ? nc : 1, 1);
	size_t n = 0, j;
	struct rbuf b[2] = { { 0 }, { 0 } };
	struct rrec xr;
	struct mwu *mw = NULL;

	if (runcol != NULL) {
		for (i = 0; i < 2; i++) {
			b[i].nr = ht_count(side[i].runs);
			b[i].cnt = xcalloc(b[i].nr + 1, sizeof(*b[i].cnt));
			b[i].val = xcalloc(b[i].nr + 1, sizeof(*b[i].val));
		}
		mw = mwu_new();
	}

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

	put_header(o);

	for (j = 0; j < n; j++) {
		const struct row *w = &rows[j];
		int32_t rk = w->side == 0 ? (int32_t)w->ki : -1;
		const struct rrec *x = NULL;

		/* The rows of keys of equal counts come in another order
		 * than their histograms': the dense rows of the row
		 * DENSE_AHEAD on are fetched ahead, first and last byte (a
		 * row may cross a cache line).  (In a function of its own,
		 * gcc 12 finds the prefetches without effect.) */
		if (j + DENSE_AHEAD < n) {
			const struct row *a = &rows[j + DENSE_AHEAD];
			const uint32_t *d;

			if (a->side == 0 && r->dense != NULL) {
				d = r->dense + (size_t)a->ki * r->stride;
				__builtin_prefetch(d);
				__builtin_prefetch(d + r->stride - 1);
			}
			if (a->other >= 0 && c->dense != NULL) {
				d = c->dense + (size_t)a->other * c->stride;
				__builtin_prefetch(d);
				__builtin_prefetch(d + c->stride - 1);
			}
		}
		if (runcol != NULL) {
			rec_fill(&xr, rk, w->other, b, mw);
			x = &xr;
		}
		put_row(o, ht_key(side[w->side].keys, w->ki), w->ref, w->cand,
		    x, b, rk >= 0 ? span_str(r->rest[rk]) : span_make(NULL, 0),
		    rk >= 0, w->other >= 0 ? span_str(c->rest[w->other]) :
		    span_make(NULL, 0), w->other >= 0);
	}
	if (runcol != NULL) {
		for (i = 0; i < 2; i++) {
			free(b[i].cnt);
			free(b[i].val);
		}
		mwu_free(mw);
	}
	free(rows);
	free(used);
}

/*
 * The merge join.  When both histograms are regular files whose keys
 * come in the output's key order (trace-hist --sort key, or the
 * default order when every count is the same), the keys are matched by
 * merging the two files, with no table of keys: each key of the join
 * keeps a fixed-size record of its two counts and the offsets of its
 * rows, the records are sorted by count, and each row's text is read
 * again from the files as it is written.
 *
 * The files are read as load() reads them and checked in the same order
 * with the same messages: REF's rows first, to its end, then CAND's.
 * Anything else (a pipe, compressed input, a byte order mark, a key out
 * of order or seen twice, key columns that differ, --runs) makes
 * merge_join() give up before writing anything, and the table join reads
 * the files again from their start: it finds the same errors, and makes
 * the same output.
 */

/* A key of the join: its counts, and the offsets of its rows, with
 * MR_HAS where the key is on the side. */
struct mrec {
	uint64_t	 ref, cand;
	uint64_t	 roff, coff;
};

#define MR_HAS		(UINT64_C(1) << 63)
#define FIN_BUFSZ	(1 << 20)	/* read at a time */
#define WIN_NEAR	(1 << 20)	/* read at a time for rows in turn */
#define WIN_FAR		4096		/* for a row far from the one before */

/* A histogram file: read in order, and read again at an offset. */
struct fin {
	int		 fd;
	const char	*name;
	char		*buf;		/* the file's bytes from base */
	size_t		 cap, len;
	uint64_t	 base;
	size_t		 pos;		/* the next line */
	uint64_t	 keep;		/* the bytes from this offset on are
					 * kept at a refill */
	int		 eof;		/* buf reaches the end of the file */
	int		 err;		/* a read error: the table join's */
};

static struct fin	 fin[2];

/*
 * Open path when it is a regular file that rd_line() reads as it is: not
 * compressed, no byte order mark, not empty.  Returns 0 otherwise.
 */
static int
fin_open(struct fin *f, const char *path)
{
	unsigned char b[4];
	struct stat st;
	ssize_t k;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (strcmp(path, "-") == 0 ||
	    (f->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	f->name = path;
	if (fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (k = pread(f->fd, b, sizeof(b), 0)) <= 0 || b[0] == 0x1f ||
	    b[0] == 0x28 || b[0] == 0xef || (k == 4 && (b[0] & 0xf0) == 0x50 &&
	    b[1] == 0x2a))
		return 0;
	f->cap = FIN_BUFSZ;
	f->buf = xmalloc(f->cap);
	return 1;
}

static void
fin_close(struct fin *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->buf);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

/* Read from the start again. */
static void
fin_rewind(struct fin *f)
{
	f->base = f->keep = 0;
	f->len = f->pos = 0;
	f->eof = 0;
	if (lseek(f->fd, 0, SEEK_SET) != 0)
		f->err = f->eof = 1;
}

/* More of the file after buf, keeping the bytes from keep on; 0 at its
 * end. */
static int
fin_fill(struct fin *f)
{
	size_t drop = f->keep > f->base ? (size_t)(f->keep - f->base) : 0;
	ssize_t k;

	if (f->eof)
		return 0;
	if (drop > f->pos)
		drop = f->pos;
	if (drop > 0) {
		memmove(f->buf, f->buf + drop, f->len - drop);
		f->base += drop;
		f->len -= drop;
		f->pos -= drop;
	}
	if (f->cap - f->len < FIN_BUFSZ / 2) {
		f->cap *= 2;
		f->buf = xrealloc(f->buf, f->cap);
	}
	while ((k = read(f->fd, f->buf + f->len, f->cap - f->len)) < 0 &&
	    errno == EINTR)
		;
	if (k <= 0) {
		f->err = k < 0;
		f->eof = 1;
		return 0;
	}
	f->len += (size_t)k;
	return 1;
}

/*
 * The next line, as rd_line() hands it out, and its offset in the file;
 * valid until the next call (the bytes from f->keep on stay in buf).
 * Returns 0 at the end of the file (or at a read error: f->err).
 */
static int
fin_line(struct fin *f, struct span *line, uint64_t *off)
{
	size_t scan = 0, n;
	char *nl;

	for (;;) {
		nl = memchr(f->buf + f->pos + scan, '\n', f->len - f->pos -
		    scan);
		if (nl != NULL)
			break;
		scan = f->len - f->pos;
		if (!fin_fill(f)) {
			if (f->pos == f->len || f->err)
				return 0;
			nl = f->buf + f->len;	/* no final newline */
			break;
		}
	}
	n = (size_t)(nl - (f->buf + f->pos));
	*off = f->base + f->pos;
	*line = span_make(f->buf + f->pos, n > 0 && nl[-1] == '\r' ? n - 1 :
	    n);
	f->pos += n + (nl < f->buf + f->len);
	return 1;
}

/*
 * The line at offset off, read again (as rd_line() hands it out), into
 * buf: a row after the one before is mostly in it already; else a MiB
 * is read from it when it is near, a few KiB when far.  0 when the file
 * is not as it was.
 */
static int
fin_at(struct fin *f, uint64_t off, struct span *line)
{
	size_t want = 0, n, i;
	ssize_t k;
	char *nl;

	for (;;) {
		if (off >= f->base && off < f->base + f->len) {
			i = (size_t)(off - f->base);
			nl = memchr(f->buf + i, '\n', f->len - i);
			if (nl != NULL || f->eof) {
				if (nl == NULL)
					nl = f->buf + f->len;
				n = (size_t)(nl - (f->buf + i));
				*line = span_make(f->buf + i, n > 0 &&
				    nl[-1] == '\r' ? n - 1 : n);
				return 1;
			}
			want = 2 * (f->len - i);	/* a long line */
		}
		if (off >= f->base && off - f->base <= f->len + WIN_NEAR)
			want = want > WIN_NEAR ? want : WIN_NEAR;
		else
			want = want > WIN_FAR ? want : WIN_FAR;
		if (want > f->cap) {
			f->cap = want;
			f->buf = xrealloc(f->buf, f->cap);
		}
		f->base = off;
		f->len = 0;
		while (f->len < want) {
			k = pread(f->fd, f->buf + f->len, want - f->len,
			    (off_t)(off + f->len));
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				die_errno("%s", f->name);
			if (k == 0)
				break;
			f->len += (size_t)k;
		}
		f->eof = f->len < want;
		if (f->len == 0)
			return 0;
	}
}

/*
 * 1 for 1 to 19 decimal digits, 2 for 0x and 1 to 16 lower-case hex
 * digits, else 0.  Values of either form are integers to num_skey_make(),
 * and two of the same form and length are in the order of their bytes.
 */
static int
int_form(struct span v)
{
	size_t i;

	if (v.n > 2 && v.p[0] == '0' && v.p[1] == 'x') {
		if (v.n > 18)
			return 0;
		for (i = 2; i < v.n; i++)
			if ((unsigned)(v.p[i] - '0') > 9 &&
			    (unsigned)(v.p[i] - 'a') > 5)
				return 0;
		return 2;
	}
	if (v.n == 0 || v.n > 19)
		return 0;
	for (i = 0; i < v.n; i++)
		if ((unsigned)(v.p[i] - '0') > 9)
			return 0;
	return 1;
}

/*
 * Key order, as rowcmp(): the first column whose bytes differ decides,
 * its values compared by num_skey_cmp(); 0 when the keys are the same
 * bytes.  That column holds the first byte that differs.
 */
static int
key_cmp(struct span a, struct span b)
{
	size_t n = a.n < b.n ? a.n : b.n, i = 0, lo;
	const char *ea, *eb;
	struct span ca, cb;
	struct num_skey ka, kb;
	uint64_t x;
	int form;

	for (; i + 8 <= n; i += 8)
		if ((x = word8(a.p + i) ^ word8(b.p + i)) != 0) {
			i += (size_t)__builtin_ctzll(x) >> 3;
			goto differ;
		}
	while (i < n && a.p[i] == b.p[i])
		i++;
	if (i == n && a.n == b.n)
		return 0;
differ:
	for (lo = i; lo > 0 && a.p[lo - 1] != '\t'; lo--)
		;
	if ((ea = memchr(a.p + i, '\t', a.n - i)) == NULL)
		ea = a.p + a.n;
	if ((eb = memchr(b.p + i, '\t', b.n - i)) == NULL)
		eb = b.p + b.n;
	ca = span_make(a.p + lo, (size_t)(ea - a.p) - lo);
	cb = span_make(b.p + lo, (size_t)(eb - b.p) - lo);
	/* Integers of the same length and form (addresses, mostly): their
	 * bytes compare as their values do. */
	if (ca.n == cb.n && (form = int_form(ca)) != 0 && int_form(cb) == form)
		return (unsigned char)a.p[i] < (unsigned char)b.p[i] ? -1 : 1;
	num_skey_make(&ka, a.p, ca);
	num_skey_make(&kb, b.p, cb);
	return num_skey_cmp(&ka, a.p, &kb, b.p);
}

/*
 * The key, count and tally text of a row of side s read before, so well
 * formed: its first kc + 1 fields only.  Returns 0 when the row is not
 * as it was read.
 */
static int
row_parts(const struct side *s, struct span line, struct span *key,
    uint64_t *count, struct span *rest)
{
	const char *p = line.p, *end = line.p + line.n, *t;
	size_t i;

	for (i = 0; i < s->kc; i++) {
		if ((t = memchr(p, '\t', (size_t)(end - p))) == NULL)
			return 0;
		p = t + 1;
	}
	*key = span_make(line.p, (size_t)(p - 1 - line.p));
	for (t = p; t < end && *t != '\t'; t++)
		;
	if (num_parse_u64(span_make(p, (size_t)(t - p)), count) != NUM_OK)
		return 0;
	*rest = span_make(t, (size_t)(end - t));
	return 1;
}

/* A side read row by row for the merge. */
struct mcur {
	struct side	*s;
	struct fin	*in;
	uint64_t	 ln;		/* the current line's number */
	uint64_t	 off;		/* the current row's offset */
	struct span	 line, key;
	uint64_t	 pkoff;		/* the row before's key: offset */
	size_t		 pkn;		/* and length */
	struct span	*f;		/* the fields, when split */
	uint64_t	 count;
	uint64_t	 rows;		/* read so far */
};

/* Read side s from the start, its header line skipped. */
static void
mcur_init(struct mcur *c, struct side *s, struct fin *in)
{
	struct span line;
	uint64_t off;

	memset(c, 0, sizeof(*c));
	c->s = s;
	c->in = in;
	fin_rewind(in);
	fin_line(in, &line, &off);
	c->ln = 1;
	c->f = xreallocarray(NULL, s->hdr.ncol + 1, sizeof(*c->f));
}

/* The row before's key (kept in the buffer: see mcur_line()). */
static struct span
mcur_pkey(const struct mcur *c)
{
	return span_make(c->in->buf + (c->pkoff - c->in->base), c->pkn);
}

/* The next row's line, a header line again skipped; 0 at the end. */
static int
mcur_line(struct mcur *c)
{
	c->pkoff = c->in->keep = c->off;
	c->pkn = c->key.n;
	do {
		if (!fin_line(c->in, &c->line, &c->off)) {
			c->off = c->in->base + c->in->len;
			return 0;
		}
		c->ln++;
	} while (tsv_is_hdr(&c->s->hdr, c->line));
	c->rows++;
	return 1;
}

/*
 * The next row, split and counted as load() does (exits 2 on a bad
 * row).  Returns 1 for a row, 0 at the end, -1 for a key too long for
 * the sort keys of the table join (which reports it), or a read error.
 */
static int
mcur_row(struct mcur *c)
{
	struct side *s = c->s;

	if (!mcur_line(c))
		return c->in->err ? -1 : 0;
	c->count = row_count(s, c->line, c->f, c->in->name, c->ln);
	c->key = span_make(c->line.p, (size_t)(c->f[s->kc].p - 1 -
	    c->line.p));
	return c->key.n > UINT32_MAX >> 2 ? -1 : 1;
}

/* The next row of a side read before: 1, 0 at the end, -1 when the
 * row is not as it was. */
static int
mcur_again(struct mcur *c)
{
	struct span rest;

	if (!mcur_line(c))
		return c->in->err ? -1 : 0;
	return row_parts(c->s, c->line, &c->key, &c->count, &rest) ? 1 : -1;
}

/* The records of the join, in key order. */
static struct mrec	*mrec;
static size_t		 nmrec, capmrec;

/* A key of the join, unless its count is 0 on both sides. */
static void
mrec_add(uint64_t ref, uint64_t cand, uint64_t roff, uint64_t coff)
{
	if (ref == 0 && cand == 0)
		return;
	if (nmrec == capmrec) {
		capmrec = capmrec ? capmrec * 2 : 4096;
		mrec = xreallocarray(mrec, capmrec, sizeof(*mrec));
	}
	mrec[nmrec++] = (struct mrec){ ref, cand, roff, coff };
}

/*
 * The records in the order of the join, as indices: REF count
 * descending, then CAND count descending, then key.  The records are
 * made in key order, so a stable sort by the counts does it: a radix
 * sort, least significant byte first, with a pass for each byte in
 * which the counts differ (none when they are all the same).
 */
static uint32_t *
mrec_sort(void)
{
	size_t n = nmrec, i, at[256], t;
	uint32_t *ord = xreallocarray(NULL, n ? n : 1, sizeof(*ord));
	uint32_t *tmp = NULL, *sw;
	unsigned char *dig = NULL;
	uint64_t rd = 0, cd = 0;
	int pass, sh;

	for (i = 0; i < n; i++) {
		ord[i] = (uint32_t)i;
		rd |= mrec[i].ref ^ mrec[0].ref;
		cd |= mrec[i].cand ^ mrec[0].cand;
	}
	for (pass = 0; pass < 16; pass++) {
		sh = pass % 8 * 8;
		if (((pass < 8 ? cd : rd) >> sh & 0xff) == 0)
			continue;
		if (tmp == NULL) {
			tmp = xreallocarray(NULL, n, sizeof(*tmp));
			dig = xmalloc(n);
		}
		memset(at, 0, sizeof(at));
		for (i = 0; i < n; i++) {
			/* the byte of ~count: highest count first */
			dig[i] = (unsigned char)(~(pass < 8 ? mrec[i].cand :
			    mrec[i].ref) >> sh);
			at[dig[i]]++;
		}
		for (i = 0, t = 0; i < 256; i++) {
			size_t c = at[i];

			at[i] = t;
			t += c;
		}
		for (i = 0; i < n; i++)
			tmp[at[dig[ord[i]]]++] = ord[i];
		sw = ord;
		ord = tmp;
		tmp = sw;
	}
	free(tmp);
	free(dig);
	return ord;
}

/*
 * The row of side i at offset off, read again for its key and its tally
 * cells: it must be the row read before, with the count of the record.
 */
static void
mrow(int i, uint64_t off, uint64_t count, struct span *key,
    struct span *rest)
{
	struct span line;
	const char *nul;
	uint64_t c;

	if (!fin_at(&fin[i], off, &line) ||
	    !row_parts(&side[i], line, key, &c, rest) || c != count)
		dief("%s: the file changed while being read", fin[i].name);
	/* The cells up to a NUL, as load() keeps them. */
	if ((nul = memchr(rest->p, '\0', rest->n)) != NULL)
		rest->n = (size_t)(nul - rest->p);
}

/*
 * The join of REF and CAND by merging them, written to o.  Returns 0,
 * having written nothing, when the inputs are not for it: the table
 * join is to read them.
 */
static int
merge_join(struct ob *o, const char *rpath, const char *cpath)
{
	struct side saved[2] = { side[0], side[1] };
	struct mcur rc, cc;
	struct span line, rkey, ckey, rrest, crest;
	uint64_t off;
	uint32_t *ord;
	size_t j, i;
	int rv, cv, cmp = 0;

	if (runcol != NULL)
		return 0;
	fin[0].fd = fin[1].fd = -1;
	if (!fin_open(&fin[0], rpath) || !fin_open(&fin[1], cpath) ||
	    !fin_line(&fin[0], &line, &off))
		goto fail;

	/* REF, all of it: read, checked, in key order. */
	read_hdr(&side[0], line, fin[0].name);
	mcur_init(&rc, &side[0], &fin[0]);
	while ((rv = mcur_row(&rc)) > 0) {
		if (rc.rows > 1 && key_cmp(mcur_pkey(&rc), rc.key) >= 0) {
			rv = -1;
			break;
		}
		row_check(&side[0], rc.f, rc.count, fin[0].name, rc.ln);
	}
	free(rc.f);
	if (rv < 0 || !fin_line(&fin[1], &line, &off))
		goto fail;

	/*
	 * CAND, merged with REF read again.  A CAND key that matches the
	 * REF key in turn comes after every CAND key before it (they came
	 * before that REF key); any other is compared with the one before.
	 */
	read_hdr(&side[1], line, fin[1].name);
	if (side[0].kc != side[1].kc)
		goto fail;
	for (i = 0; i < side[0].kc; i++)
		if (!span_eq(side[0].hdr.col[i], side[1].hdr.col[i]))
			goto fail;
	mcur_init(&rc, &side[0], &fin[0]);
	mcur_init(&cc, &side[1], &fin[1]);
	rv = mcur_again(&rc);
	while ((cv = mcur_row(&cc)) > 0) {
		while (rv > 0 && (cmp = key_cmp(rc.key, cc.key)) < 0) {
			mrec_add(rc.count, 0, rc.off | MR_HAS, 0);
			rv = mcur_again(&rc);
		}
		if (rv < 0)
			break;
		if (rv == 0 || cmp > 0) {
			if (cc.rows > 1 && key_cmp(mcur_pkey(&cc), cc.key) >= 0) {
				cv = -1;
				break;
			}
			row_check(&side[1], cc.f, cc.count, fin[1].name,
			    cc.ln);
			mrec_add(0, cc.count, 0, cc.off | MR_HAS);
		} else {
			row_check(&side[1], cc.f, cc.count, fin[1].name,
			    cc.ln);
			mrec_add(rc.count, cc.count, rc.off | MR_HAS,
			    cc.off | MR_HAS);
			rv = mcur_again(&rc);
		}
	}
	while (rv > 0 && cv == 0) {
		mrec_add(rc.count, 0, rc.off | MR_HAS, 0);
		rv = mcur_again(&rc);
	}
	free(rc.f);
	free(cc.f);
	if (rv < 0 || cv < 0 || nmrec > UINT32_MAX)
		goto fail;

	/* As after load(), and join(). */
	if (per != PER_NONE) {
		check_den(&side[0]);
		check_den(&side[1]);
	}
	ord = mrec_sort();
	put_header(o);
	for (j = 0; j < nmrec; j++) {
		const struct mrec *w = &mrec[ord[j]];
		int hasr = (w->roff & MR_HAS) != 0;
		int hasc = (w->coff & MR_HAS) != 0;

		rkey = ckey = rrest = crest = span_make(NULL, 0);
		if (hasr)
			mrow(0, w->roff & ~MR_HAS, w->ref, &rkey, &rrest);
		if (hasc)
			mrow(1, w->coff & ~MR_HAS, w->cand, &ckey, &crest);
		put_row(o, hasr ? rkey : ckey, w->ref, w->cand, NULL, NULL,
		    rrest, hasr, crest, hasc);
	}
	free(ord);
	free(mrec);
	fin_close(&fin[0]);
	fin_close(&fin[1]);
	return 1;
fail:
	fin_close(&fin[0]);
	fin_close(&fin[1]);
	free(mrec);
	mrec = NULL;
	nmrec = capmrec = 0;
	for (i = 0; i < 2; i++)
		if (side[i].file != saved[i].file) {	/* read_hdr()'s */
			tsv_hdr_free(&side[i].hdr);
			free((char *)side[i].file);
		}
	side[0] = saved[0];
	side[1] = saved[1];
	return 0;
}

static const struct option longopts[] = {
	{ "output",	required_argument, NULL, 'o' },
	{ "floor",	required_argument, NULL, 'F' },
	{ "names",	required_argument, NULL, 'n' },
	{ "over",	required_argument, NULL, 'O' },
	{ "per",	required_argument, NULL, 'P' },
	{ "runs",	required_argument, NULL, 'R' },
	{ "threshold",	required_argument, NULL, 'T' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* A non-negative number for --threshold and --over. */
static double
ratio_arg(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (*arg == '\0' || *end != '\0' || !(v >= 0) || v > 1e300)
		die_usage("%s: expected a non-negative number, got '%s'", opt,
		    arg);
	return v;
}

/* --per total, time or COLUMN=VALUE. */
static void
per_arg(const char *arg)
{
	const char *eq = strchr(arg, '=');

	perarg = arg;
	if (strcmp(arg, "total") == 0) {
		per = PER_TOTAL;
		perscale = 1000;
	} else if (strcmp(arg, "time") == 0) {
		per = PER_TIME;
		perscale = 1e9;
	} else if (eq != NULL && eq > arg) {
		per = PER_KEY;
		perscale = 1;
		free(percol);
		percol = xmemdup(arg, (size_t)(eq - arg));
		perval = span_str(eq + 1);
	} else
		die_usage("--per: expected total, time or COLUMN=VALUE, got "
		    "'%s'", arg);
}

static int
bad_name(const char *s)
{
	return !tsv_name_ok(s) || strchr(s, ',') != NULL;
}

int
main(int argc, char *argv[])
{
	struct ob *o;
	char **names = NULL;
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
			name_list_free(names);
			names = name_list(optarg, "--names", &nn);
			if (nn != 2 || bad_name(names[0]) || bad_name(names[1]) ||
			    strcmp(names[0], names[1]) == 0)
				die_usage("--names: expected two different names "
				    "REF,CAND, got '%s'", optarg);
			side[0].name = names[0];
			side[1].name = names[1];
			free(names);	/* the array; the names live on */
			break;
		case 'O':
			over = ratio_arg("--over", optarg);
			break;
		case 'P':
			per_arg(optarg);
			break;
		case 'R':
			if (!tsv_name_ok(optarg))
				die_usage("--runs: expected a column name, got "
				    "'%s'", optarg);
			runcol = optarg;
			break;
		case 'T':
			threshold = ratio_arg("--threshold", optarg);
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
	if (per == PER_TIME && runcol != NULL)
		die_usage("--per time with --runs: a histogram has no time span "
		    "per run");
	o = output != NULL ? ob_create(output) : ob_stdout();
	rd_one_stdin(argv + optind, 2);
	if (merge_join(o, argv[optind], argv[optind + 1])) {
		ob_close(o);
		return 0;
	}
	load(&side[0], argv[optind]);
	load(&side[1], argv[optind + 1]);
	if (side[0].kc != side[1].kc)
		goto keydiff;
	for (i = 0; i < side[0].kc; i++)
		if (!span_eq(side[0].hdr.col[i], side[1].hdr.col[i]))
			goto keydiff;
	if (per != PER_NONE) {
		check_den(&side[0]);
		check_den(&side[1]);
	}
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
