/*
 * trace-diverge - where two threads' event sequences first part ways.
 *
 * Reads two event or keyed streams in trace order, splits each into one
 * sequence per thread group (--by, --thread-map), pairs the groups and
 * aligns each pair a window at a time (align.c), writing the hunks where
 * the sequences differ (out.c).  Memory: per pair, each side buffers at
 * most a window of events (one input row more), so that the inputs are
 * read once, in step, whatever their length.
 *
 * Each input is read and parsed on a thread of its own (feed.c); the
 * main thread takes the rows in order.  Without --by, while the two
 * sequences are in step it only compares their keys (lockstep()): equal
 * events are counted, not stored (align.c), so that reading is most of
 * the work, and it is shared by two threads.  Once they part, rows are
 * stored (store_run(): a run of rows, without place()'s bookkeeping,
 * until one fills a window) and aligned.  The side that has read
 * fewer events goes next (up to 32 rows, or until it catches up with
 * the other when the two may be in step), so that the two inputs
 * advance together.  A row for a group whose buffer is full waits (one
 * per side) while the other side reads.  When both sides wait, the pair
 * of a waiting group whose partner has had events (the reference's
 * first) is aligned with what the partner has buffered (the read-ahead
 * filled the window: usually a lost window); when neither has such a
 * partner, the reference group's buffered events are skipped, and
 * reported as lost once a partner appears.
 */
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diverge.h"
#include "htab.h"
#include "msg.h"
#include "num.h"
#include "opt.h"
#include "rd.h"
#include "tally.h"
#include "tsv.h"

uint64_t	 opt_window = 100000;
uint64_t	 opt_edits = 1000;
size_t		 opt_context = 3;
int		 opt_first;
int		 opt_md;
int		 opt_by;
const char	*side_name[2];

static char	**keycols;		/* -k */
static size_t	  nkeycols;
static const char *bycol;		/* --by */
static const char *mapfile;		/* --thread-map */
static int	  edits_given;
static int	  keys_given;		/* -k: else each input's default */

static const char usage_text[] =
"usage: trace-diverge [--first] [-f tsv|md] [-k columns] [-o file]\n"
"                     [--by column] [--context n] [--max-edits d]\n"
"                     [--thread-map file] [--window n] ref.tsv cand.tsv\n"
"\n"
"Find where two traces' event sequences part ways, per thread.\n"
"\n"
"  -f, --format FMT        tsv (hunks, default) or md (a summary)\n"
"  -k, --key COLS          compare events on these columns (default: a\n"
"                          keyed stream's key columns, else op,lr)\n"
"  -o, --output FILE       write to FILE atomically instead of stdout\n"
"      --by COL            one sequence per value of COL (e.g. tid)\n"
"      --context N         -f md: equal events shown before the first\n"
"                          divergence (default 3)\n"
"      --first             stop each pair at its first divergence\n"
"      --max-edits D       edits a window may hold (default 1000)\n"
"      --thread-map FILE   pair threads by FILE's ref_tid and cand_tid\n"
"                          (trace-report -f threads); groups merge\n"
"      --window N          events aligned at a time per side (default\n"
"                          100000)\n"
"  -h, --help              show this help\n"
"  -V, --version           show the version\n"
"\n"
"Exit status: 0 the sequences agree, 1 they diverge, 2 trouble.\n";

/* One input. */
struct side {
	struct rd	*rd;
	const char	*file;
	struct tsv_hdr	 h;
	int		 eof;
	int		*kc;		/* key columns */
	int		 kadj;		/* in order, side by side */
	int		 cnt;		/* count column (keyed), else -1 */
	int		 by, ts;	/* columns, or -1 */
	int		 bytally, tstally;	/* tally cells (keyed) */
	int		 bytid;		/* --by tid: canonical integers */
	struct span	*f;
	size_t		 fmax;		/* the last column read */
	size_t		 kfirst, klast;	/* the first and last key column */
	int		 lines;		/* read in blocks (fill_lines()) */
	struct lines	 ls;		/* how they are split (lines.c) */
	struct sbuf	 kb, tb, bb;	/* scratch of the reading thread */
	/*
	 * The main thread's, on cache lines of their own: the reading
	 * thread reads the fields above for every row, and would lose
	 * them to every write below.
	 */
	_Alignas(64) struct htab *tv;	/* thread values */
	struct grp	**gv;		/* group of each thread value */
	uint64_t	 nev;		/* events read */
	struct feed	*feed;		/* its reading thread */
	struct sbuf	 tmp;
	/* the row read last, not yet placed when wait is set */
	int		 wait;
	struct grp	*rg;
	uint64_t	 rn;
	struct span	 rkey, rts;
	char		 pad[64];	/* and from the next side's */
};

static struct side side[2];
static struct grp **grps[2];		/* every group, by side */
static size_t	  ngrps[2];
static struct pair **pairs;
static size_t	  npairs;

int
side_eof(int s)
{
	return side[s].eof;
}

static struct grp *
new_grp(int s, const char *name)
{
	struct grp *g = xcalloc(1, sizeof(*g));

	g->side = s;
	g->name = xstrdup(name);
	grps[s] = xreallocarray(grps[s], ngrps[s] + 1, sizeof(*grps[s]));
	grps[s][ngrps[s]++] = g;
	return g;
}

static struct pair *
new_pair(struct grp *r, struct grp *c)
{
	struct pair *p = xcalloc(1, sizeof(*p));

	p->g[REF] = r;
	p->g[CAND] = c;
	r->pair = c->pair = p;
	p->idx = npairs;
	if (opt_md && opt_context > 0) {
		p->ctx = xcalloc(opt_context, sizeof(*p->ctx));
		p->first = xcalloc(opt_context, sizeof(*p->first));
	}
	pairs = xreallocarray(pairs, npairs + 1, sizeof(*pairs));
	pairs[npairs++] = p;
	return p;
}

static struct grp *
partner(const struct grp *g)
{
	return g->pair == NULL ? NULL : g->pair->g[!g->side];
}

/*
 * Whether g and its partner have both had an event: only then are they
 * compared.  Without --by the two whole traces always are.
 */
static int
matched(const struct grp *g)
{
	const struct grp *o = partner(g);

	if (!opt_by)
		return 1;
	return o != NULL && o->total > 0 && g->total > 0;
}

/* A group's name: a thread value %-encoded, as in a tally cell (a TSV
 * field holds no tab, so out_key() encodes it as one column). */
static char *
value_name(struct span v, struct sbuf *sb)
{
	sb_clear(sb);
	out_key(sb, v);
	return sb->p;
}

/* Canonical integers in numeric order, before other values, bytewise. */
static int
valcmp(const void *a, const void *b)
{
	struct span x = *(const struct span *)a, y = *(const struct span *)b;
	int64_t vx, vy;
	int ix = num_parse_int(x, &vx) == NUM_OK && num_tid_ok(x),
	    iy = num_parse_int(y, &vy) == NUM_OK && num_tid_ok(y);

	if (ix && iy)
		return vx < vy ? -1 : vx > vy;
	if (ix != iy)
		return ix ? -1 : 1;
	return span_cmp(x, y);
}

/*
 * --thread-map: the connected groups of the map's ref_tid -- cand_tid
 * edges become pairs of groups; threads not in the map stay unpaired.
 */
static void
read_map(void)
{
	struct rd *in = rd_open(mapfile);
	struct tsv_hdr h;
	struct span line, f[64];
	struct htab *node = ht_new();	/* "R" or "C" + value */
	size_t *up = NULL, nn = 0, i, j;
	struct sbuf sb = { 0 };
	int cr, cc;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	if (!rd_line(in, &line))
		dief("%s: empty thread map (no header line)", mapfile);
	tsv_hdr_parse(&h, line, mapfile);
	cr = tsv_need(&h, "ref_tid", "a thread map (trace-report -f threads)");
	cc = tsv_need(&h, "cand_tid", "a thread map (trace-report -f threads)");
	if (h.ncol > 64)
		die_at(mapfile, 1, "a thread map has at most 64 columns");
	while (rd_line(in, &line)) {
		size_t a[2];

		if (tsv_split(line, f, 64) != h.ncol)
			die_at(mapfile, rd_lineno(in), "expected %zu fields",
			    h.ncol);
		for (int s = 0; s < 2; s++) {
			struct span v = f[s == REF ? cr : cc];
			int isnew;

			if (v.n == 0)
				die_at(mapfile, rd_lineno(in), "empty %s",
				    s == REF ? "ref_tid" : "cand_tid");
			sb_clear(&sb);
			sb_addc(&sb, s == REF ? 'R' : 'C');
			sb_add(&sb, v.p, v.n);
			a[s] = ht_intern(node, sb.p, sb.len, &isnew);
			if (isnew) {
				up = xreallocarray(up, nn + 1, sizeof(*up));
				up[nn] = nn;
				nn++;
			}
		}
		/* union, the root being the smaller index */
		for (int s = 0; s < 2; s++)
			while (up[a[s]] != a[s])
				a[s] = up[a[s]] = up[up[a[s]]];
		if (a[0] < a[1])
			up[a[1]] = a[0];
		else
			up[a[0]] = a[1];
	}
	rd_close(in);
	tsv_hdr_free(&h);
	/* One pair per root, in order of the roots' first appearance. */
	{
		struct grp **byroot = xcalloc(nn ? nn : 1, sizeof(*byroot));
		struct span *vals = xreallocarray(NULL, nn ? nn : 1,
		    sizeof(*vals));

		for (i = 0; i < nn; i++) {
			size_t r = i;

			while (up[r] != r)
				r = up[r];
			up[i] = r;
		}
		for (i = 0; i < nn; i++) {
			if (up[i] != i)
				continue;
			for (int s = 0; s < 2; s++) {
				struct sbuf name = { 0 };
				size_t nv = 0;

				for (j = 0; j < nn; j++) {
					struct span k = ht_key(node, (uint32_t)j);

					if (up[j] == i && k.p[0] == (s == REF ?
					    'R' : 'C'))
						vals[nv++] = span_make(k.p + 1,
						    k.n - 1);
				}
				qsort(vals, nv, sizeof(*vals), valcmp);
				for (j = 0; j < nv; j++) {
					if (j > 0)
						sb_addc(&name, ',');
					sb_adds(&name, value_name(vals[j], &sb));
				}
				if (s == REF)
					byroot[i] = new_grp(s, name.p);
				else
					new_pair(byroot[i], new_grp(s, name.p));
				sb_free(&name);
			}
		}
		/* every thread value names its group */
		for (j = 0; j < nn; j++) {
			struct span k = ht_key(node, (uint32_t)j);
			int s = k.p[0] == 'R' ? REF : CAND;
			struct grp *g = byroot[up[j]]->pair->g[s];
			uint32_t t = ht_intern(side[s].tv, k.p + 1, k.n - 1,
			    NULL);

			side[s].gv = xreallocarray(side[s].gv, t + 1,
			    sizeof(*side[s].gv));
			side[s].gv[t] = g;
		}
		free(byroot);
		free(vals);
	}
	free(up);
	ht_free(node);
	sb_free(&sb);
}

/* The group of thread value v (TSV-escaped, tally encoding undone). */
static struct grp *
group_of(int s, struct span v)
{
	struct side *sd = &side[s];
	int isnew;
	uint32_t t = ht_intern(sd->tv, v.p, v.n, &isnew);
	struct grp *g;

	if (!isnew)
		return sd->gv[t];
	g = new_grp(s, value_name(v, &sd->tmp));
	sd->gv = xreallocarray(sd->gv, t + 1, sizeof(*sd->gv));
	sd->gv[t] = g;
	if (mapfile != NULL) {
		g->drop = 1;		/* not in the map: unpaired */
		return g;
	}
	/* pair by equal values */
	{
		uint32_t o = ht_find(side[!s].tv, v.p, v.n);

		if (o != UINT32_MAX) {
			struct grp *og = side[!s].gv[o];

			new_pair(s == REF ? g : og, s == REF ? og : g);
		} else if (side[!s].eof)
			g->drop = 1;	/* no partner will come */
	}
	return g;
}

/* Set up side s from its header. */
static void
open_side(int s, const char *path)
{
	struct side *sd = &side[s];
	struct span line;
	char **dk = NULL;
	size_t ndk = 0, i;
	int fmax;

	sd->rd = rd_open(path);
	if (sd->rd == NULL)
		exit(EXIT_TROUBLE);
	sd->file = rd_name(sd->rd);
	if (!rd_line(sd->rd, &line))
		dief("%s: empty input (no header line)", sd->file);
	tsv_hdr_parse(&sd->h, line, sd->file);
	sd->cnt = tsv_col(&sd->h, "count");
	if (sd->cnt == 0)
		die_at(sd->file, 1, "no key column before 'count'");
	if (!keys_given) {
		if (sd->cnt > 0) {
			ndk = (size_t)sd->cnt;
			dk = xcalloc(ndk + 1, sizeof(*dk));
			for (i = 0; i < ndk; i++)
				dk[i] = xmemdup(sd->h.col[i].p, sd->h.col[i].n);
		} else
			dk = name_list("op,lr", "--key", &ndk);
		if (s == CAND) {
			int same = ndk == nkeycols;

			for (i = 0; same && i < ndk; i++)
				same = strcmp(dk[i], keycols[i]) == 0;
			if (!same) {
				struct sbuf a = { 0 }, b = { 0 };

				for (i = 0; i < nkeycols; i++) {
					if (i > 0)
						sb_addc(&a, ',');
					sb_adds(&a, keycols[i]);
				}
				for (i = 0; i < ndk; i++) {
					if (i > 0)
						sb_addc(&b, ',');
					sb_adds(&b, dk[i]);
				}
				dief("the inputs' key columns differ: %s has %s, "
				    "%s has %s; give -k", side[REF].file,
				    msg_vis(a.p, a.len), sd->file,
				    msg_vis(b.p, b.len));
			}
			for (i = 0; i < ndk; i++)
				free(dk[i]);
			free(dk);
		} else {
			keycols = dk;
			nkeycols = ndk;
		}
	}
	sd->kc = xcalloc(nkeycols, sizeof(*sd->kc));
	for (i = 0; i < nkeycols; i++) {
		sd->kc[i] = tsv_need(&sd->h, keycols[i], "a key column");
		if (sd->cnt >= 0 && sd->kc[i] > sd->cnt)
			die_at(sd->file, 1, "column %s is a tally column of a "
			    "keyed stream, not a key (key on it with trace-key "
			    "-k)", keycols[i]);
	}
	sd->kadj = 1;
	for (i = 1; i < nkeycols; i++)
		if (sd->kc[i] != sd->kc[0] + (int)i)
			sd->kadj = 0;
	sd->by = bycol != NULL ? tsv_need(&sd->h, bycol, "the --by column") :
	    -1;
	sd->ts = tsv_col(&sd->h, "ts");
	sd->bytally = sd->cnt >= 0 && sd->by > sd->cnt;
	sd->bytid = bycol != NULL && strcmp(bycol, "tid") == 0;
	sd->tstally = sd->cnt >= 0 && sd->ts > sd->cnt;
	sd->f = xcalloc(sd->h.ncol + 1, sizeof(*sd->f));
	sd->kfirst = (size_t)sd->kc[0];
	sd->klast = (size_t)sd->kc[nkeycols - 1];
	/* without --by, an event stream's rows are mostly compared,
	 * seldom stored: its thread reads blocks of lines and leaves the
	 * key and ts where the block holds them (fill_lines()) */
	sd->lines = !opt_by && sd->cnt < 0 && (nkeycols == 1 || sd->kadj);
	if (sd->lines) {
		struct lines *ls = &sd->ls;

		ls->ncol = sd->h.ncol;
		ls->kfirst = sd->kfirst;
		ls->klast = sd->klast;
		ls->ts = sd->ts >= 0 ? (size_t)sd->ts : SIZE_MAX;
		ls->need = ls->klast + 1;
		if (ls->ts != SIZE_MAX && ls->ts + 1 > ls->need)
			ls->need = ls->ts + 1;
		if (ls->need > ls->ncol - 1)
			ls->need = ls->ncol - 1;
		ls->hdr = sd->h.line;
		ls->hlen = sd->h.len;
		ls->file = sd->file;
		ls->tab = xcalloc(ls->need + 1, sizeof(*ls->tab));
		lines_ranks(ls);
	}
	fmax = sd->cnt > sd->by ? sd->cnt : sd->by;
	if (sd->ts > fmax)
		fmax = sd->ts;
	for (i = 0; i < nkeycols; i++)
		if (sd->kc[i] > fmax)
			fmax = sd->kc[i];
	sd->fmax = (size_t)fmax;
}

/*
 * A tally cell of a keyed stream that must hold one value (the --by and
 * ts columns): its value with the %-encoding undone, into sb.
 */
static struct span
single(struct side *sd, struct span v, int col, struct sbuf *sb)
{
	if (memchr(v.p, ',', v.n) != NULL || memchr(v.p, ':', v.n) != NULL ||
	    memmem(v.p, v.n, "..", 2) != NULL)
		die_at(sd->file, rd_lineno(sd->rd), "column %s: '%s' is a "
		    "tally of several values, not one event's value (a "
		    "histogram? trace-diverge reads event or keyed streams)",
		    msg_vis(sd->h.col[col].p, sd->h.col[col].n),
		    msg_vis(v.p, v.n > 40 ? 40 : v.n));
	if (tally_decode(v, sb) != 0)
		tally_die_percent(sd->file, rd_lineno(sd->rd), sd->h.col[col], v);
	return span_make(sb->p, sb->len);
}

#ifdef __SSE2__
#define SPLIT_W	16	/* bytes looked at a step */

/* A bit for each byte of the 16 at p that is a tab, the first lowest. */
static inline uint64_t
tabs_at(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

	return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8('\t')));
}

static inline int
tab_index(uint64_t m)
{
	return __builtin_ctzll(m);
}
#else
#define SPLIT_W	8

/* The high bit of each byte of the 8 at p that is a tab. */
static inline uint64_t
tabs_at(const char *p)
{
	const uint64_t lows = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t w, x;

	memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);	/* first byte lowest */
#endif
	x = w ^ 0x0909090909090909ULL;
	return ~(((x & lows) + lows) | x | lows);
}

static inline int
tab_index(uint64_t m)
{
	return __builtin_ctzll(m) >> 3;
}
#endif


/* The number of tabs marked in m (tabs_at()): few a step, so one
 * step each is cheaper than a popcount without the instruction. */
static inline size_t
tab_count(uint64_t m)
{
	size_t n = 0;

	for (; m != 0; m &= m - 1)
		n++;
	return n;
}

/*
 * Split line at its tabs as tsv_split() does, but keep only fields 0 to
 * keep-1 in f; the tabs after those are only counted.  Returns the
 * number of fields.  The line is looked at SPLIT_W bytes at a time; the
 * last step reads the SPLIT_W bytes that end the line, those already
 * seen masked off, so that nothing past the line is read.
 */
static inline size_t
split_upto(struct span line, struct span *f, size_t keep)
{
	const char *p = line.p, *s = line.p, *end = line.p + line.n, *t;
	size_t n = 0;
	uint64_t m;

	if (line.n < SPLIT_W) {
		for (; p < end; p++)
			if (*p == '\t') {
				if (n < keep) {
					f[n].p = s;
					f[n].n = (size_t)(p - s);
				}
				n++;
				s = p + 1;
			}
		goto last;
	}
	for (;;) {
		if (end - p >= SPLIT_W)
			m = tabs_at(p);
		else if (p < end) {
			int seen = SPLIT_W - (int)(end - p);

			p = end - SPLIT_W;
			m = tabs_at(p);
			m &= ~(uint64_t)0 << (SPLIT_W == 8 ? 8 * seen : seen);
		} else
			break;
		if (n >= keep)
			n += tab_count(m);
		else
			for (; m != 0; m &= m - 1) {
				t = p + tab_index(m);
				if (n < keep) {
					f[n].p = s;
					f[n].n = (size_t)(t - s);
				}
				n++;
				s = t + 1;
			}
		p += SPLIT_W;
	}
last:
	if (n < keep) {
		f[n].p = s;
		f[n].n = (size_t)(end - s);
	}
	return n + 1;
}

/* Side sd's next line that is not a header (concatenated streams);
 * 0 at the end of input. */
static inline int
next_line(struct side *sd, struct span *line)
{
	do
		if (!rd_line(sd->rd, line))
			return 0;
	while (tsv_is_hdr(&sd->h, *line));
	return 1;
}

static void
die_fields(const struct side *sd, size_t n)
{
	die_at(sd->file, rd_lineno(sd->rd), "expected %zu fields, got %zu",
	    sd->h.ncol, n);
}

/* Adjacent key columns of a split line (f): the line holds them
 * tab-joined. */
static inline struct span
key_span(const struct side *sd, const struct span *f)
{
	const struct span *a = &f[sd->kfirst], *b = &f[sd->klast];

	return span_make(a->p, (size_t)(b->p + b->n - a->p));
}

/*
 * Parse line, side sd's row: its key, ts and --by value (into the line
 * or sd's scratch buffers, valid until the next line is read) and
 * events; 0 when it stands for no event (a count of 0).  On the side's
 * reading thread (feed.c), which owns the reader and the scratch
 * buffers.
 */
static int
parse_line(struct side *sd, struct span line, struct span *f,
    struct span *keyp, struct span *tsp, struct span *byp, uint64_t *np)
{
	struct span v, key, ts = { NULL, 0 };
	size_t n, i;
	enum num_err e;

	if ((n = split_upto(line, f, sd->fmax + 1)) != sd->h.ncol)
		die_fields(sd, n);
	*np = 1;
	if (sd->cnt >= 0) {
		v = f[sd->cnt];
		if ((e = num_parse_u64(v, np)) != NUM_OK)
			die_at(sd->file, rd_lineno(sd->rd), "column "
			    "count: %s: '%s'", num_strerror(e),
			    msg_vis(v.p, v.n > 40 ? 40 : v.n));
		if (*np == 0)
			return 0;	/* stands for no event */
	}
	if (nkeycols == 1 || sd->kadj)
		key = key_span(sd, f);
	else {
		sb_clear(&sd->kb);
		for (i = 0; i < nkeycols; i++) {
			if (i > 0)
				sb_addc(&sd->kb, '\t');
			v = f[sd->kc[i]];
			sb_add(&sd->kb, v.p, v.n);
		}
		key = span_make(sd->kb.p, sd->kb.len);
	}
	if (sd->ts >= 0) {
		ts = f[sd->ts];
		if (sd->tstally)
			ts = single(sd, ts, sd->ts, &sd->tb);
	}
	v = span_make(NULL, 0);
	if (sd->by >= 0) {
		v = f[sd->by];
		if (sd->bytally)
			v = single(sd, v, sd->by, &sd->bb);
		/* an empty name would read as "no thread" in the output */
		if (v.n == 0)
			die_at(sd->file, rd_lineno(sd->rd), "column %s: an "
			    "event without a value (--by needs every event's "
			    "thread)", bycol);
		/* 015 and 15 would be two threads: trace-format(5). */
		if (sd->bytid && !num_tid_ok(v))
			die_at(sd->file, rd_lineno(sd->rd), "column tid: tid "
			    "'%s' is not a canonical integer (no '+', no "
			    "leading zeros, no -0)", msg_vis(v.p,
			    v.n > 40 ? 40 : v.n));
	}
	if (key.n > UINT32_MAX || ts.n > UINT32_MAX || v.n > UINT32_MAX)
		die_at(sd->file, rd_lineno(sd->rd), "a field of 4 GB");
	if (ts.n >= ROW_MANY)	/* (queued rows have 31 bits for it) */
		die_at(sd->file, rd_lineno(sd->rd), "a ts of 2 GB");
	*keyp = key;
	*tsp = ts;
	*byp = v;
	return 1;
}

/* Parse side sd's next row (parse_line()); 0 at the end of input. */
static int
parse_fields(struct side *sd, struct span *keyp, struct span *tsp,
    struct span *byp, uint64_t *np)
{
	struct span line;

	do
		if (!next_line(sd, &line))
			return 0;
	while (!parse_line(sd, line, sd->f, keyp, tsp, byp, np));
	return 1;
}

/*
 * Parse side arg's next row into pr, its text appended to text; 0 at the
 * end of input.  Runs on the side's reading thread (feed.c).
 */
static int
parse_row(void *arg, struct prow *pr, struct sbuf *text)
{
	struct side *sd = arg;
	struct span key, ts, v;
	char *t;

	if (!parse_fields(sd, &key, &ts, &v, &pr->n))
		return 0;
	if (key.n + ts.n + v.n > UINT32_MAX - text->len)
		die_at(sd->file, rd_lineno(sd->rd), "a row of 4 GB");
	/* key, ts and thread value side by side in the batch's text */
	t = sb_reserve(text, key.n + ts.n + v.n);
	mem_copy(t, key.p, key.n);
	mem_copy(t + key.n, ts.p, ts.n);
	mem_copy(t + key.n + ts.n, v.p, v.n);
	pr->koff = (uint32_t)text->len;
	pr->klen = (uint32_t)key.n;
	pr->toff = (uint32_t)(text->len + key.n);
	pr->tlen = (uint32_t)ts.n;
	pr->boff = (uint32_t)(text->len + key.n + ts.n);
	pr->blen = (uint32_t)v.n;
	text->len += key.n + ts.n + v.n;
	return 1;
}

/*
 * A batch of an event stream's rows (sd->lines): a block of whole lines
 * read straight into the batch's text and split where it lies
 * (lines.c); no more is needed than each line's field count and where
 * its key and ts are.  Returns 0 at the end of input.
 */
static int
fill_lines(struct side *sd, struct rows *b)
{
	if (!rd_block_into(sd->rd, FEED_BYTES, &b->txt.p, &b->txt.len,
	    &b->txt.cap))
		return 0;
	rd_add_lines(sd->rd, lines_split(&sd->ls, span_make(b->txt.p,
	    b->txt.len), b, rd_lineno(sd->rd)));
	return 1;
}

/* Fill a batch of side arg's rows (feed.c); 0 at the end of input. */
static int
fill_rows(void *arg, struct rows *b)
{
	struct side *sd = arg;

	if (sd->lines)
		return fill_lines(sd, b);
	if (b->txtfixed) {	/* grown by sb_reserve(): malloc's */
		b->txt = (struct sbuf){ 0 };
		b->txtfixed = 0;
	}
	while (b->nrow < FEED_ROWS && b->txt.len < FEED_BYTES) {
		if (b->nrow == b->cap)
			rows_grow(b, b->cap ? 2 * b->cap : 256);
		if (!parse_row(sd, &b->row[b->nrow], &b->txt))
			return 0;
		b->nrow++;
	}
	return 1;
}

/* Row pr of side sd's thread (its batch's text t) into sd's r* fields. */
static void
take_row(struct side *sd, const struct prow *pr, const char *t)
{
	sd->rkey = span_make(t + pr->koff, pr->klen);
	sd->rts = span_make(t + pr->toff, pr->tlen);
	sd->rn = pr->n;
}

/* Take side s's next row into its r* fields; 0 at the end of input. */
static int
read_row(int s)
{
	struct side *sd = &side[s];
	struct prow *pr;
	const char *t;

	if (!feed_next(sd->feed, &pr, &t))
		return 0;
	take_row(sd, pr, t);
	sd->rg = sd->by < 0 ? grps[s][0] :
	    group_of(s, span_make(t + pr->boff, pr->blen));
	return 1;
}

static int
room(const struct grp *g)
{
	return g->drop || g->q.nev < opt_window;
}

/* Whether p's next window can be aligned: a full window or the rest of
 * each side's sequence is buffered. */
static int
ready(const struct pair *p)
{
	if (p->finished || p->stopped || !matched(p->g[REF]))
		return 0;
	for (int s = 0; s < 2; s++)
		if (p->g[s]->q.nev < opt_window && !side[s].eof)
			return 0;
	return 1;
}

static void
stop_grp(struct grp *g)
{
	g->drop = 1;
	q_free(&g->q);
}

static void
run_pair(struct pair *p)
{
	while (ready(p))
		align_window(p);
	if (p->stopped || p->finished) {
		stop_grp(p->g[REF]);
		stop_grp(p->g[CAND]);
	}
}

/* The lost row of events skipped while g waited for a partner. */
static void
waitlost_row(struct grp *g)
{
	struct hunk h = { 0 };
	int s = g->side;

	h.kind = K_LOST;
	h.pos[s] = 1;
	h.len[s] = g->waitlost;
	if (g->fts != NULL) {
		sb_adds(&h.ts[s], g->fts);
		h.hasts[s] = 1;
	}
	sb_add(&h.keys[s], g->fkeys.p, g->fkeys.len);
	h.nkeys[s] = g->nfkeys;
	out_hunk(g->pair, &h);
	hunk_clear(&h);
	sb_free(&h.ts[REF]);
	sb_free(&h.ts[CAND]);
	sb_free(&h.keys[REF]);
	sb_free(&h.keys[CAND]);
	g->waitlost = 0;
}

/* Place side s's row: count it, buffer it, align what became ready. */
static void
place(int s)
{
	struct side *sd = &side[s];
	struct grp *g = sd->rg, *o;
	uint64_t n = sd->rn;

	if (g->total > UINT64_MAX - n || sd->nev > UINT64_MAX - n)
		die_at(sd->file, rd_lineno(sd->rd), "more than 2^64-1 events");
	if (g->total == 0 && (o = partner(g)) != NULL && o->waitlost > 0)
		waitlost_row(o);
	if (g->total == 0 && sd->rts.n > 0)
		g->fts = xmemdup(sd->rts.p, sd->rts.n);
	for (; g->nfkeys < NKEYS_SHOWN && g->nfkeys < g->total + n;
	    g->nfkeys++) {
		if (g->nfkeys > 0)
			sb_addc(&g->fkeys, ',');
		out_key(&g->fkeys, sd->rkey);
	}
	g->total += n;
	sd->nev += n;
	if (g->drop)
		return;
	if (g->pair == NULL || !align_sync(g->pair, s, n, sd->rkey, sd->rts))
		q_push(&g->q, n, sd->rkey, sd->rts);
	/* a pair becomes ready when the side being read fills its window
	 * (the other is full or ended already) */
	if (g->pair != NULL && g->q.nev >= opt_window)
		run_pair(g->pair);
}

/* Both sides wait on a full group: make room (see the top). */
static void
force(void)
{
	struct grp *g = side[REF].rg, *c = side[CAND].rg;

	if (matched(g) && !g->pair->stopped)
		align_window(g->pair);
	else if (matched(c) && !c->pair->stopped)
		align_window(c->pair);
	else {
		g->waitlost += g->q.nev;
		g->done += g->q.nev;
		q_drop(&g->q, g->q.nev);
	}
	for (int s = 0; s < 2; s++) {
		struct pair *p = side[s].rg->pair;

		if (p != NULL && (p->stopped || p->finished)) {
			stop_grp(p->g[REF]);
			stop_grp(p->g[CAND]);
		}
	}
}

/* Side s ended: groups still without a partner on the other side never
 * get one; pairs may be ready. */
static void
side_end(int s)
{
	side[s].eof = 1;
	for (size_t i = 0; i < ngrps[!s]; i++) {
		struct grp *g = grps[!s][i];
		struct grp *o = partner(g);

		if (opt_by && (o == NULL || o->total == 0))
			stop_grp(g);
	}
	for (size_t i = 0; i < npairs; i++)
		run_pair(pairs[i]);
}

/* n more events of side s's one group, in step with the other side. */
static void
count_step(int s, uint64_t n)
{
	struct grp *g = pairs[0]->g[s];

	g->total += n;
	side[s].nev += n;
	g->q.virt += n;
	g->q.nev += n;
}

/*
 * Without --by, while the two sequences are in step (neither queue holds
 * a stored row, both have counted the same events), take a row from each
 * side in turn and compare their keys here: equal, one event each, they
 * are counted as align_sync() counts them, without place()'s
 * bookkeeping.  The first two rows that differ (or a row of several
 * events) are placed the usual way, and so are the rows that place()
 * must describe (a group's first events; the events of which align.c
 * keeps copies for lost windows) and the one that fills a window.
 * Returns whether it took any rows.
 */
static int
lockstep(void)
{
	struct pair *p = pairs[0];
	struct side *rs = &side[REF], *cs = &side[CAND];
	struct grp *rg = p->g[REF], *cg = p->g[CAND];
	struct queue *rq = &rg->q, *cq = &cg->q;
	uint64_t v = rq->virt, h = opt_window - opt_window / 2, lim, k;
	struct prow *pr, *pc;
	const char *t, *u;

	if (p->stopped || p->finished || rs->wait || cs->wait ||
	    rs->eof || cs->eof || rq->tail != rq->head ||
	    cq->tail != cq->head || rq->nev != v || cq->nev != v ||
	    cq->virt != v || rg->nfkeys < NKEYS_SHOWN ||
	    cg->nfkeys < NKEYS_SHOWN || (opt_md && opt_context > 0 &&
	    !p->diverged))
		return 0;
	if (v < NKEYS_SHOWN)
		return 0;
	if (v < h)
		lim = h - v;
	else if (v - h < NKEYS_SHOWN)
		return 0;
	else if (v + 1 < opt_window)
		lim = opt_window - 1 - v;
	else
		return 0;
	for (int s = 0; s < 2; s++)
		if (p->g[s]->total > UINT64_MAX - lim ||
		    side[s].nev > UINT64_MAX - lim)
			return 0;	/* place() says so */
	/* the rows of the two batches at hand, side by side */
	for (k = 0; k < lim;) {
		struct feedpos *a = feed_pos(rs->feed);
		struct feedpos *b = feed_pos(cs->feed);
		size_t m, i;

		if (a->next == a->nrow) {
			if (!feed_refill(rs->feed))
				goto ref_end;
			continue;
		}
		if (b->next == b->nrow && !feed_refill(cs->feed)) {
			count_step(REF, k);
			count_step(CAND, k);
			take_row(rs, &a->row[a->next++], a->txt);
			rs->rg = rg;
			place(REF);
			side_end(CAND);
			return 1;
		}
		m = a->nrow - a->next;
		if (m > b->nrow - b->next)
			m = b->nrow - b->next;
		if (m > lim - k)
			m = (size_t)(lim - k);
		pr = a->row + a->next;
		pc = b->row + b->next;
		t = a->txt;
		u = b->txt;
		for (i = 0; i < m; i++)
			if (pr[i].n != 1 || pc[i].n != 1 ||
			    pr[i].klen != pc[i].klen ||
			    !(pr[i].klen <= MEM_PAD &&
			    pr[i].koff + MEM_PAD <= a->txtcap &&
			    pc[i].koff + MEM_PAD <= b->txtcap ?
			    mem_same_pad(t + pr[i].koff, u + pc[i].koff,
			    pr[i].klen) : mem_same(t + pr[i].koff,
			    u + pc[i].koff, pr[i].klen)))
				break;
		a->next += i;
		b->next += i;
		k += i;
		if (i < m) {
			a->next++;
			b->next++;
			count_step(REF, k);
			count_step(CAND, k);
			take_row(rs, &pr[i], t);
			rs->rg = rg;
			place(REF);
			take_row(cs, &pc[i], u);
			cs->rg = cg;
			place(CAND);
			return 1;
		}
	}
	count_step(REF, k);
	count_step(CAND, k);
	return 1;
ref_end:
	count_step(REF, k);
	count_step(CAND, k);
	side_end(REF);
	return 1;
}

/*
 * Without --by: side s's next rows, up to max, while place() would do
 * no more than store them: its group has shown its first events, its
 * queue holds rows (so align_sync() cannot take them), and none fills
 * the window.  Taken from the batch at hand; returns how many.
 */
static size_t
store_run(int s, size_t max)
{
	struct side *sd = &side[s];
	struct grp *g = pairs[0]->g[s];
	struct queue *q = &g->q;
	struct feedpos *fp = feed_pos(sd->feed);
	const struct prow *pr;
	const char *txt = fp->txt;
	uint64_t lim;
	size_t k;

	if (g->drop || g->total == 0 || g->nfkeys < NKEYS_SHOWN ||
	    q->tail == q->head || q->nev + 1 >= opt_window)
		return 0;
	/* rows that fill no window and overflow no count */
	lim = fp->nrow - fp->next;
	if (lim > max)
		lim = max;
	if (lim > opt_window - 1 - q->nev)
		lim = opt_window - 1 - q->nev;
	if (lim > UINT64_MAX - g->total)
		lim = UINT64_MAX - g->total;
	if (lim > UINT64_MAX - sd->nev)
		lim = UINT64_MAX - sd->nev;
	pr = &fp->row[fp->next];
	for (k = 0; k < lim && pr[k].n == 1;) {
		struct tchunk *c = q->cur;
		struct row *ring = q->row;
		uint64_t tail = q->tail, full = q->head + q->mask + 1, fit;
		size_t mask = q->mask, popped = q->popped, used, end;

		if (tail == full || (tail & mask) >= popped || c == NULL ||
		    c->cap - c->used < (size_t)pr[k].klen + pr[k].tlen) {
			q_push(q, 1, span_make(txt + pr[k].koff, pr[k].klen),
			    span_make(txt + pr[k].toff, pr[k].tlen));
			k++;
			continue;
		}
		/* q_push() while the ring and the chunk have room, the
		 * queue's counts kept here (stores through char pointers
		 * might change them, for all the compiler knows): as many
		 * rows as the ring holds and has faulted in, slots from
		 * tail & mask up without wrapping before popped */
		fit = lim - k;
		if (fit > full - tail)
			fit = full - tail;
		if (popped <= mask && fit > popped - (tail & mask))
			fit = popped - (tail & mask);
		used = c->used;
		for (end = k + fit; k < end && pr[k].n == 1; k++) {
			size_t kn = pr[k].klen, tn = pr[k].tlen;
			struct row *r = &ring[tail & mask];
			char *t = c->p + used;

			if (c->cap - used < kn + tn || tn >= ROW_MANY)
				break;
			/* (a chunk has MEM_PAD bytes after its room) */
			if (kn <= MEM_PAD && tn <= MEM_PAD &&
			    pr[k].koff + MEM_PAD <= fp->txtcap &&
			    pr[k].toff + MEM_PAD <= fp->txtcap) {
				mem_copy_pad(t, txt + pr[k].koff, kn);
				mem_copy_pad(t + kn, txt + pr[k].toff, tn);
			} else {
				mem_copy(t, txt + pr[k].koff, kn);
				mem_copy(t + kn, txt + pr[k].toff, tn);
			}
			used += kn + tn;
			r->k = t;
			r->klen = (uint32_t)kn;
			r->tlen = (uint32_t)tn;
			tail++;
		}
		c->used = used;
		c->last = tail - 1;
		q->nev += tail - q->tail;
		q->tail = tail;
	}
	fp->next += k;
	g->total += k;
	sd->nev += k;
	return k;
}

/* Whether neither side of p holds a stored row. */
static inline int
in_step(const struct pair *p)
{
	return p->g[REF]->q.tail == p->g[REF]->q.head &&
	    p->g[CAND]->q.tail == p->g[CAND]->q.head;
}

static void
compare(void)
{
	for (;;) {
		int s;

		for (s = 0; s < 2; s++)
			if (side[s].wait && room(side[s].rg)) {
				side[s].wait = 0;
				place(s);
			}
		if (!opt_by && (pairs[0]->stopped || pairs[0]->finished))
			break;		/* like cmp: nothing more to read */
		if (side[REF].eof && side[CAND].eof)
			break;
		if (!opt_by && lockstep())
			continue;
		s = -1;
		for (int t = 0; t < 2; t++)
			if (!side[t].eof && !side[t].wait &&
			    (s < 0 || side[t].nev < side[s].nev))
				s = t;
		if (s < 0) {
			if (side[REF].wait && side[CAND].wait)
				force();
			else {
				/* the other side ended: its pair is ready */
				int w = side[REF].wait ? REF : CAND;

				if (side[w].rg->pair != NULL)
					run_pair(side[w].rg->pair);
				if (!room(side[w].rg))
					dief("internal error: a full group with "
					    "its partner's input ended");
			}
			continue;
		}
		/* a few rows at a time: the choice costs more than a row */
		for (size_t k = 0; k < 32; k++) {
			if (!opt_by && (k += store_run(s, 32 - k)) == 32)
				break;
			if (!read_row(s)) {
				side_end(s);
				break;
			}
			if (!room(side[s].rg)) {
				side[s].wait = 1;
				break;
			}
			place(s);
			if (!opt_by && (pairs[0]->stopped || pairs[0]->finished))
				break;
			/* caught up, nothing stored: the two may be in
			 * step (lockstep()) */
			if (!opt_by && side[s].nev >= side[!s].nev &&
			    !side[!s].eof && in_step(pairs[0]))
				break;
		}
	}
}

enum { O_BY = 256, O_CONTEXT, O_FIRST, O_MAXEDITS, O_MAP, O_WINDOW };

static const struct option longopts[] = {
	{ "format",	required_argument, NULL, 'f' },
	{ "key",	required_argument, NULL, 'k' },
	{ "output",	required_argument, NULL, 'o' },
	{ "by",		required_argument, NULL, O_BY },
	{ "context",	required_argument, NULL, O_CONTEXT },
	{ "first",	no_argument,	   NULL, O_FIRST },
	{ "max-edits",	required_argument, NULL, O_MAXEDITS },
	{ "thread-map",	required_argument, NULL, O_MAP },
	{ "window",	required_argument, NULL, O_WINDOW },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static uint64_t
count_arg(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;
	enum num_err e = num_parse_u64(span_str(s), &v);

	if (e != NUM_OK)
		die_usage("--%s: '%s': %s", opt, s, num_strerror(e));
	if (v < min || v > max)
		die_usage("--%s: %s is not between %llu and %llu", opt, s,
		    (unsigned long long)min, (unsigned long long)max);
	return v;
}

int
main(int argc, char *argv[])
{
	const char *output = NULL;
	int ch, diverged;

	msg_init(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+f:hk:o:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "md") == 0)
				opt_md = 1;
			else if (strcmp(optarg, "tsv") == 0)
				opt_md = 0;
			else
				die_usage("-f: unknown format '%s' (tsv or md)",
				    optarg);
			break;
		case 'k':
			name_list_free(keycols);
			keycols = name_list(optarg, "--key", &nkeycols);
			keys_given = 1;
			break;
		case 'o':
			output = optarg;
			break;
		case O_BY:
			if (!tsv_name_ok(optarg))
				die_usage("--by: '%s' cannot name a column",
				    optarg);
			bycol = optarg;
			break;
		case O_CONTEXT:
			opt_context = (size_t)count_arg("context", optarg, 0,
			    1000000);
			break;
		case O_FIRST:
			opt_first = 1;
			break;
		case O_MAXEDITS:
			opt_edits = count_arg("max-edits", optarg, 0,
			    1000000);
			edits_given = 1;
			break;
		case O_MAP:
			mapfile = optarg;
			break;
		case O_WINDOW:
			opt_window = count_arg("window", optarg, 2,
			    (uint64_t)INT32_MAX / 2);
			break;
		case 'h':
			help_exit(usage_text);
		case 'V':
			version_exit();
		default:
			die_getopt(argc, argv, "+f:hk:o:V", longopts);
		}
	}
	if (argc - optind != 2)
		die_usage("expected two inputs, ref and cand; got %d",
		    argc - optind);
	if (opt_edits >= opt_window / 2) {
		if (edits_given)
			die_usage("--max-edits %llu: must be less than half the "
			    "window (--window %llu): at most %llu",
			    (unsigned long long)opt_edits,
			    (unsigned long long)opt_window,
			    (unsigned long long)(opt_window / 2 - 1));
		die_usage("--window %llu: less than twice the default "
		    "--max-edits (%llu); give --max-edits %llu or less",
		    (unsigned long long)opt_window,
		    (unsigned long long)opt_edits,
		    (unsigned long long)(opt_window / 2 - 1));
	}
	if (mapfile != NULL && bycol == NULL)
		die_usage("--thread-map pairs the threads of --by: give --by "
		    "(e.g. --by tid)");
	opt_by = bycol != NULL;
	lines_init();		/* TRACE_TOOLS_SIMD checked before any output */
	rd_one_stdin(argv + optind, 2);
	for (int s = 0; s < 2; s++)
		side[s].tv = ht_new();
	open_side(REF, argv[optind]);
	open_side(CAND, argv[optind + 1]);
	side_name[REF] = side[REF].file;
	side_name[CAND] = side[CAND].file;
	out_open(output);
	align_init();
	if (mapfile != NULL)
		read_map();
	else if (!opt_by)
		new_pair(new_grp(REF, ""), new_grp(CAND, ""));
	/* without --by the main thread has little to do a row: the
	 * reference is read on it (feed.c) */
	for (int s = 0; s < 2; s++)
		side[s].feed = feed_start(fill_rows, &side[s],
		    s == REF && !opt_by);
	compare();
	for (size_t i = 0; i < npairs; i++)
		if (!pairs[i]->stopped)
			out_pair_end(pairs[i]);
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < ngrps[s]; i++) {
			struct grp *g = grps[s][i];

			if (opt_by && g->total > 0 && !matched(g))
				out_unpaired(g);
		}
	diverged = out_close(pairs, npairs);
	for (int s = 0; s < 2; s++)
		if (feed_end(side[s].feed))
			rd_close(side[s].rd);
	return diverged ? EXIT_ANSWER_NO : 0;
}
