/*
 * trace-key - choose and canonicalize the comparison key of an event
 * stream.
 *
 * Reads the event format (trace-format(5)) and writes a keyed stream: the
 * key columns, then `count` (1 per event, or a weight column's value),
 * then the attribute columns to tally, their values %-encoded for tally
 * cells (tally.h).  Key transforms rewrite a column's values: make an
 * address relative to its module, mask it, bucket an integer, symbolize
 * an address; --rename renames a column on output.  --timeline appends
 * one more attribute, `tbin`: the raw ts floored to a multiple of a
 * width.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "json.h"
#include "msg.h"
#include "opt.h"
#include "num.h"
#include "ob.h"
#include "rd.h"
#include "sym.h"
#include "tally.h"
#include "tsv.h"

/* A transform of one input column. */
struct xform {
	char		*col;
	int		 masked;
	uint64_t	 mask;		/* --mask COL=MASK */
	uint64_t	 bucket;	/* --bucket COL=WIDTH; 0 = none */
	struct modmap	*mods;		/* --modules COL=FILE */
	int		*modsym;	/* per module: its number in sym, or -1 */
	struct symtab	*sym;		/* --symbolize or --function COL=FILE */
	int		 fnonly;	/* --function: the name, no +0xOFF */
	struct htab	*seen;		/* distinct addresses looked up */
	uint64_t	 nomatch;	/* of them, matched no symbol */
	char		*rename;	/* --rename COL=NEW */
};

static char	**keys;		/* -k: key columns */
static size_t	  nkeys;
static char	**attrs;	/* -a: attribute columns */
static size_t	  nattrs;
static int	  attrs_given;	/* -a was given: every name must exist */
static char	 *weight;	/* -w: weight column */
static struct xform *xf;	/* transforms, by column name */
static size_t	  nxf;
static char	 *output;	/* -o */
static int64_t	  timeline;	/* --timeline: tbin width; 0 = none */

#define TBIN	"tbin"		/* the column --timeline writes */

static const char usage_text[] =
"usage: trace-key [-a columns] [-k columns] [-o file] [-w column]\n"
"                 [--bucket column=width] [--function column=symfile]\n"
"                 [--mask column=mask] [--modules column=mapsfile]\n"
"                 [--rename column=name] [--symbolize column=symfile]\n"
"                 [--timeline width] [file ...]\n"
"\n"
"Write a keyed stream: the key columns, a count, and the columns to tally.\n"
"\n"
"  -a, --attrs COLS           columns to tally (default tid,handle,ts,run,\n"
"                             those present; '' for none)\n"
"  -k, --key COLS             key columns (default op,lr)\n"
"  -o, --output FILE          write to FILE atomically instead of stdout\n"
"  -w, --weight COL           count each event as COL's value, not 1\n"
"      --bucket COL=WIDTH     round integer COL down to a multiple of WIDTH\n"
"      --function COL=FILE    replace address COL by the NAME of the\n"
"                             function holding it (no +0xOFF)\n"
"      --mask COL=MASK        AND address COL with MASK\n"
"      --modules COL=FILE     write address COL as MODULE+0xOFFSET, the\n"
"                             modules from FILE (/proc/PID/maps format,\n"
"                             or BASE NAME lines)\n"
"      --rename COL=NAME      call column COL NAME on output\n"
"      --symbolize COL=FILE   replace address COL by NAME or NAME+0xOFF\n"
"                             from symbol file FILE\n"
"      --timeline WIDTH       append attribute tbin: ts rounded down to a\n"
"                             multiple of WIDTH (ts units, or with ts in\n"
"                             ns: a suffix s, ms, us or ns)\n"
"  -h, --help                 show this help\n"
"  -V, --version              show the version\n";

static struct xform *
xform(const char *col)
{
	for (size_t i = 0; i < nxf; i++)
		if (strcmp(xf[i].col, col) == 0)
			return &xf[i];
	xf = xreallocarray(xf, nxf + 1, sizeof(*xf));
	memset(&xf[nxf], 0, sizeof(*xf));
	xf[nxf].col = xstrdup(col);
	return &xf[nxf++];
}

/* Split "COL=VALUE" for option opt; returns the transform of COL. */
static struct xform *
xform_arg(const char *opt, const char *arg, const char **value)
{
	const char *eq = strchr(arg, '=');
	char *col;
	struct xform *x;

	if (eq == NULL || eq == arg || eq[1] == '\0')
		die_usage("--%s: expected COLUMN=VALUE, got '%s'", opt, arg);
	col = xmemdup(arg, (size_t)(eq - arg));
	x = xform(col);
	free(col);
	*value = eq + 1;
	return x;
}

static uint64_t
num_arg(const char *opt, const char *s)
{
	uint64_t v;
	enum num_err e = num_parse_addr_strict(span_str(s), &v);

	if (e != NUM_OK)
		die_usage("--%s: '%s': %s", opt, s, num_strerror(e));
	return v;
}

/*
 * Round i down to a multiple of w (w > 0), towards negative infinity,
 * never overflowing: returns 0 when the multiple is below INT64_MIN.
 */
static inline int
floor_to(int64_t i, int64_t w, int64_t *out)
{
	int64_t r = i % w;

	if (r < 0) {
		if (i - r < INT64_MIN + w)
			return 0;
		r += w;
	}
	*out = i - r;
	return 1;
}

/* Per-file column plan: output column j comes from input column src[j]. */
struct plan {
	size_t		 ncol;		/* input columns */
	int		*src;		/* key columns, then attrs */
	size_t		 nout;
	struct xform	**x;		/* transform per output column */
	int		 w;		/* weight column or -1 */
	int		 tid;		/* tid, when written, or -1 */
	int		 ts;		/* ts, with --timeline, or -1 */
};

/*
 * Settle the default attributes on the first input: those of tid,
 * handle, ts and run (the run of a trace, trace-normalize --set) that it
 * has and that are not keys.  Later inputs must then have them all, so
 * every row has the same columns.
 */
static void
settle_attrs(const struct tsv_hdr *h)
{
	size_t i, j, n = 0;

	if (attrs_given)
		return;
	for (i = 0; i < nattrs; i++) {
		int iskey = 0;

		for (j = 0; j < nkeys; j++)
			if (strcmp(attrs[i], keys[j]) == 0)
				iskey = 1;
		if (!iskey && tsv_col(h, attrs[i]) >= 0)
			attrs[n++] = attrs[i];
	}
	nattrs = n;
	attrs_given = 1;
}

static void
make_plan(struct plan *pl, const struct tsv_hdr *h)
{
	size_t i, j;

	pl->ncol = h->ncol;
	pl->nout = 0;
	pl->src = xreallocarray(NULL, nkeys + nattrs + 1, sizeof(int));
	pl->x = xreallocarray(NULL, nkeys + nattrs + 1, sizeof(*pl->x));
	for (i = 0; i < nkeys; i++)
		pl->src[pl->nout++] = tsv_need(h, keys[i], NULL);
	for (i = 0; i < nattrs; i++)
		pl->src[pl->nout++] = tsv_need(h, attrs[i], NULL);
	for (i = 0; i < pl->nout; i++) {
		pl->x[i] = NULL;
		for (j = 0; j < nxf; j++)
			if (span_eqs(h->col[pl->src[i]], xf[j].col))
				pl->x[i] = &xf[j];
	}
	pl->ts = -1;
	if (timeline != 0) {
		if (tsv_col(h, TBIN) >= 0)
			die_at(h->file, 1, "the input has a column '" TBIN "', "
			    "the column --timeline writes (rename it)");
		pl->ts = tsv_need(h, "ts", "a ts column for --timeline");
	}
	for (j = 0; j < nxf; j++)
		tsv_need(h, xf[j].col, NULL);
	pl->w = weight != NULL ? tsv_need(h, weight, NULL) : -1;
	pl->tid = -1;
	for (i = 0; i < pl->nout; i++)
		if (span_eqs(h->col[pl->src[i]], "tid"))
			pl->tid = pl->src[i];
}

static struct span
out_name(const struct plan *pl, const struct tsv_hdr *h, size_t i)
{
	const struct xform *x = pl->x[i];

	if (x != NULL && x->rename != NULL)
		return span_str(x->rename);
	return h->col[pl->src[i]];
}

static void
write_header(struct ob *o, const struct plan *pl, const struct tsv_hdr *h)
{
	for (size_t i = 0; i < pl->nout; i++)
		for (size_t j = 0; j < i; j++)
			if (span_eq(out_name(pl, h, i), out_name(pl, h, j)))
				die_usage("two output columns would be named "
				    "'%s' (see --rename)",
				    msg_vis(out_name(pl, h, i).p,
				    out_name(pl, h, i).n));
	for (size_t i = 0; i < pl->nout; i++) {
		const struct xform *x = pl->x[i];

		if (i > 0)
			ob_putc(o, '\t');
		if (x != NULL && x->rename != NULL)
			ob_puts(o, x->rename);
		else
			ob_span(o, h->col[pl->src[i]]);
		if (i + 1 == nkeys)
			ob_puts(o, "\tcount");
	}
	if (timeline != 0)
		ob_puts(o, "\t" TBIN);
	ob_putc(o, '\n');
	ob_flush(o);
}

/*
 * Apply a transform to v; the result is in *out (maybe v itself).  An
 * address is made module-relative first (--modules; a value that is
 * module-relative already stays so), then masked (the offset, when in a
 * module), then symbolized: among the symbols of its module, or those
 * without a module when it is in none.
 */
static void
apply_xform(struct xform *x, struct span v, struct span *out,
    struct sbuf *sb, const char *file, uint64_t line)
{
	static struct sbuf sym, seen;
	char b[24];		/* NUM_ADDR_MAX, NUM_INT_MAX, "+0x" and 16 */
	struct span mname = { NULL, 0 };	/* its module, when in one */
	uint64_t u, off;
	int64_t i;
	int mod, msym = -1;
	const char *why;
	enum num_err e;

	*out = v;
	if (x == NULL || v.n == 0 || (!x->bucket && !x->masked &&
	    x->sym == NULL && x->mods == NULL))
		return;
	if (x->bucket != 0) {
		if ((e = num_parse_int(v, &i)) != NUM_OK)
			die_at(file, line, "column %s: %s: '%s'", x->col,
			    num_strerror(e), msg_vis(v.p, v.n));
		if (!floor_to(i, (int64_t)x->bucket, &i))
			die_at(file, line, "column %s: %s has no bucket of "
			    "width %llu in 64 bits", x->col, msg_vis(v.p, v.n),
			    (unsigned long long)x->bucket);
		sb_clear(sb);
		sb_add(sb, b, num_fmt_i64(b, i));
		*out = span_make(sb->p, sb->len);
		return;
	}
	if ((e = num_parse_addr_strict(v, &u)) != NUM_OK) {
		if (!mod_rel_parse(v, &mname, &u))
			die_at(file, line, "column %s: %s: '%s'", x->col,
			    num_strerror(e), msg_vis(v.p, v.n));
		if (x->sym != NULL)
			msym = sym_module(x->sym, mname.p, mname.n);
	} else if (x->mods != NULL && (mod = mod_find(x->mods, u, &off)) >= 0) {
		if ((why = mod_ambiguous(x->mods, mod)) != NULL)
			die_at(file, line, "column %s: address %s: %s", x->col,
			    msg_vis(v.p, v.n), why);
		u = off;
		mname = span_str(mod_name(x->mods, mod));
		if (x->modsym != NULL)
			msym = x->modsym[mod];
	}
	if (x->masked)
		u &= x->mask;
	if (x->sym != NULL) {
		int isnew, hit = 0;

		if (mname.p == NULL)
			hit = sym_lookup(x->sym, u, !x->fnonly, &sym);
		else if (msym >= 0)
			hit = sym_lookup_mod(x->sym, msym, u, !x->fnonly, &sym);
		/* Distinct: the offset or address, and the module if any. */
		sb_clear(&seen);
		sb_add(&seen, &u, sizeof(u));
		if (mname.p != NULL) {
			sb_addc(&seen, '+');
			sb_add(&seen, mname.p, mname.n);
		}
		ht_intern(x->seen, seen.p, seen.len, &isnew);
		if (isnew && !hit)
			x->nomatch++;
		if (hit) {
			sb_clear(sb);
			if (mname.p != NULL) {
				sb_add(sb, mname.p, mname.n);
				sb_addc(sb, ':');
			}
			sb_add(sb, sym.p, sym.len);
			*out = span_make(sb->p, sb->len);
			return;
		}
	}
	sb_clear(sb);
	if (mname.p != NULL) {
		sb_add(sb, mname.p, mname.n);
		snprintf(b, sizeof(b), "+0x%llx", (unsigned long long)u);
		sb_adds(sb, b);
	} else
		sb_add(sb, b, num_fmt_addr(b, u));
	*out = span_make(sb->p, sb->len);
}

/*
 * Write the tab and the tbin of ts value v: v read as an integer (as
 * --bucket reads it, before any transform of ts) and rounded down to a
 * multiple of the --timeline width; empty when v is.  A trace's ts
 * mostly rises, so most rows fall in the bin of the row before: the bin
 * last written is kept, spelled out, and written again without a
 * division or a conversion while ts stays in it (i < lo is tested first,
 * as the unsigned difference of a far lower i could wrap below width).
 */
static void
put_tbin(struct ob *o, struct span v, const char *file, uint64_t line)
{
	static int64_t lo;		/* the last bin: lo .. lo+width-1 */
	static char txt[NUM_INT_MAX];	/* lo in decimal */
	static size_t ntxt;		/* 0: no bin yet */
	int64_t i;
	enum num_err e;

	ob_putc(o, '\t');
	if (v.n == 0)
		return;
	if ((e = num_parse_int(v, &i)) != NUM_OK)
		die_at(file, line, "column ts: %s: '%s'", num_strerror(e),
		    msg_vis(v.p, v.n));
	if (ntxt == 0 || i < lo ||
	    (uint64_t)i - (uint64_t)lo >= (uint64_t)timeline) {
		if (!floor_to(i, timeline, &lo))
			die_at(file, line, "column ts: %s has no time bin of "
			    "width %lld in 64 bits", msg_vis(v.p, v.n),
			    (long long)timeline);
		ntxt = num_fmt_i64(txt, lo);
	}
	ob_write(o, txt, ntxt);
}

/*
 * Whether tid value v is a canonical integer: at once for the usual
 * short run of digits without a leading zero (18 digits cannot
 * overflow), else as num_tid_ok() decides.
 */
static inline __attribute__((always_inline)) int
tid_ok(struct span v)
{
	size_t i;

	if (v.n == 0 || v.n > 18 || v.p[0] < '1' || v.p[0] > '9')
		return num_tid_ok(v);
	for (i = 1; i < v.n; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return num_tid_ok(v);
	return 1;
}

/*
 * What put_plain() copies: runs of output columns that are neighbours in
 * the input too, each taken as one span (the tabs between them
 * included): the key columns' runs, then the attributes'.
 */
struct runs {
	size_t		 n, nkey;	/* runs; of them, of key columns */
	size_t		*first, *last;	/* input columns of each */
};

static void
make_runs(struct runs *r, const struct plan *pl)
{
	size_t i;

	r->first = xreallocarray(NULL, pl->nout + 1, sizeof(size_t));
	r->last = xreallocarray(NULL, pl->nout + 1, sizeof(size_t));
	r->n = r->nkey = 0;
	for (i = 0; i < pl->nout; i++) {
		if (i == nkeys)
			r->nkey = r->n;
		if (i != 0 && i != nkeys &&
		    (size_t)pl->src[i] == r->last[r->n - 1] + 1) {
			r->last[r->n - 1]++;
			continue;
		}
		r->first[r->n] = r->last[r->n] = (size_t)pl->src[i];
		r->n++;
	}
	if (pl->nout == nkeys)
		r->nkey = r->n;
}

/*
 * Copy p[0..n-1] to d, which has room for 32 bytes more than n: 32 bytes
 * at once when there are no more and over is set (they may be read), so
 * that fields of up to 32 bytes, long or short, take the same branch.
 */
static inline char *
put_span(char *d, const char *p, size_t n, int over)
{
	if (over && n <= 32) {
		memcpy(d, p, 16);
		memcpy(d + 16, p + 16, 16);
	} else
		mem_copy(d, p, n);
	return d + n;
}

/*
 * Write the row line, split into end by tally_rows, when no column has a
 * transform and there is no --timeline: the runs of fields are copied
 * into the output buffer directly, the tally values %-encoded on the way
 * (at most three bytes a byte, so room for the line three times over is
 * enough) unless the row holds no byte to encode (enc NULL).  bend is
 * the end of the block that holds the line: where 32 bytes past the
 * line are in it, fields are copied 32 bytes at a time (put_span()).
 */
static inline __attribute__((always_inline)) void
put_plain(struct ob *o, const struct plan *pl, const struct runs *ru,
    struct span line, const size_t *end, const char *enc, uint64_t w,
    const char *bend)
{
	/* In locals: for all the compiler knows, d could point into them. */
	char *d = ob_reserve(o, line.n * 3 + NUM_INT_MAX + 4 + 32), *d0 = d;
	const size_t *first = ru->first, *last = ru->last;
	const char *p = line.p + 1;
	size_t i, a, b, nrun = ru->n, nkey = ru->nkey;
	int over = bend - (line.p + line.n) >= 32;
	struct span v;

	for (i = 0; i < nkey; i++) {
		a = first[i];
		b = last[i];
		if (i > 0)
			*d++ = '\t';
		d = put_span(d, p + end[a], end[b + 1] - end[a] - 1, over);
	}
	*d++ = '\t';
	if (pl->w < 0)
		*d++ = '1';
	else
		d += num_fmt_u64(d, w);
	if (enc == NULL)
		for (; i < nrun; i++) {
			a = first[i];
			b = last[i];
			*d++ = '\t';
			d = put_span(d, p + end[a], end[b + 1] - end[a] - 1,
			    over);
		}
	else
		for (i = nkeys; i < pl->nout; i++) {
			v = tally_field(line, end, (size_t)pl->src[i]);
			*d++ = '\t';
			d += tally_enc(d, v.p, v.n);
		}
	*d++ = '\n';
	ob_commit(o, (size_t)(d - d0));
}

/*
 * The rows of input in after its header h when put_plain() writes
 * them: a block of lines at a time, each row split by tally_rows, which
 * finds the newlines, tabs and bytes to encode in one pass.  The rows of
 * a block are walked by plain_rows(), compiled twice: for any CPU, and
 * with the bit instructions that CPUs with AVX2 have
 * (tally_rows_bits()).
 */
#define BLOCK	((size_t)1 << 20)

/* What plain_rows() needs besides the block. */
struct plain {
	struct ob		*o;
	const struct tsv_hdr	*h;
	const struct plan	*pl;
	struct runs		 ru;
	const char		*file;
	size_t			*end;
};

/* Write the rows of block blk, from line ln + 1 on; returns the number
 * of its last line. */
static inline __attribute__((always_inline)) uint64_t
plain_rows(const struct plain *pa, struct span blk, uint64_t ln)
{
	const struct tsv_hdr *h = pa->h;
	const struct plan *pl = pa->pl;
	struct tally_rows tr;
	struct span line, v;
	const char *file = pa->file, *enc;
	size_t nf, *end = pa->end;
	uint64_t w, tabs;
	enum num_err e;

	tally_rows_init(&tr, blk);
	for (;;) {
		if (tally_rows_short(&tr, &line, &tabs, &enc))
			nf = tally_mask_split(tabs, line.n, end);
		else if (!tally_rows_next(&tr, &line, end, h->ncol, &nf, &enc))
			break;
		ln++;
		if (line.n == h->len && tsv_is_hdr(h, line))
			continue;	/* concatenated streams */
		if (nf != h->ncol)
			die_at(file, ln, "expected %zu fields, got %zu",
			    h->ncol, nf);
		/* 015 and 15 would be two threads: trace-format(5). */
		if (pl->tid >= 0 && !tid_ok(v = tally_field(line, end,
		    (size_t)pl->tid)))
			die_at(file, ln, "column tid: tid '%s' is not a "
			    "canonical integer (no '+', no leading zeros, no "
			    "-0)", msg_vis(v.p, v.n > 40 ? 40 : v.n));
		w = 1;
		if (pl->w >= 0 && (e = num_parse_u64(v = tally_field(line, end,
		    (size_t)pl->w), &w)) != NUM_OK)
			die_at(file, ln, "weight column %s: %s: '%s'", weight,
			    num_strerror(e), msg_vis(v.p, v.n));
		put_plain(pa->o, pl, &pa->ru, line, end, enc, w,
		    blk.p + blk.n);
	}
	return ln;
}

static uint64_t
plain_rows_any(const struct plain *pa, struct span blk, uint64_t ln)
{
	return plain_rows(pa, blk, ln);
}

#if defined(__x86_64__)
__attribute__((target("popcnt,bmi,bmi2")))
static uint64_t
plain_rows_bmi(const struct plain *pa, struct span blk, uint64_t ln)
{
	return plain_rows(pa, blk, ln);
}
#endif

static void
run_plain(struct rd *in, struct ob *o, const struct tsv_hdr *h,
    const struct plan *pl)
{
	struct plain pa;
	struct span blk;
	uint64_t ln0;
	uint64_t (*rows)(const struct plain *, struct span, uint64_t) =
	    plain_rows_any;

#if defined(__x86_64__)
	if (tally_rows_bits())
		rows = plain_rows_bmi;
#endif
	pa.o = o;
	pa.h = h;
	pa.pl = pl;
	pa.file = rd_name(in);
	make_runs(&pa.ru, pl);
	pa.end = xreallocarray(NULL, TALLY_END_ROOM(h->ncol),
	    sizeof(*pa.end));
	while (rd_block(in, BLOCK, &blk)) {
		ln0 = rd_lineno(in);
		rd_add_lines(in, rows(&pa, blk, ln0) - ln0);
	}
	free(pa.ru.first);
	free(pa.ru.last);
	free(pa.end);
}

static void
run(struct rd *in, struct ob *o, int first)
{
	struct tsv_hdr h;
	struct plan pl;
	struct span line, *f, v;
	struct sbuf sb = { 0 };
	const char *file = rd_name(in);
	size_t n, i;
	uint64_t w;
	enum num_err e;
	int plain;		/* no transform, no --timeline: run_plain() */

	if (!rd_line(in, &line))
		dief("%s: empty input (no header line)", file);
	tsv_hdr_parse(&h, line, file);
	if (first)
		settle_attrs(&h);
	make_plan(&pl, &h);
	if (first)
		write_header(o, &pl, &h);
	f = xreallocarray(NULL, h.ncol + 1, sizeof(*f));
	plain = pl.ts < 0;
	for (i = 0; i < pl.nout; i++)
		if (pl.x[i] != NULL && (pl.x[i]->bucket || pl.x[i]->masked ||
		    pl.x[i]->sym != NULL || pl.x[i]->mods != NULL))
			plain = 0;
	if (plain)
		run_plain(in, o, &h, &pl);
	while (!plain && rd_line(in, &line)) {
		if (tsv_is_hdr(&h, line))
			continue;	/* concatenated streams */
		if ((n = tsv_split(line, f, h.ncol + 1)) != h.ncol)
			die_at(file, rd_lineno(in), "expected %zu fields, got "
			    "%zu", h.ncol, n);
		/* 015 and 15 would be two threads: trace-format(5). */
		if (pl.tid >= 0 && !tid_ok(f[pl.tid]))
			die_at(file, rd_lineno(in), "column tid: tid '%s' is "
			    "not a canonical integer (no '+', no leading "
			    "zeros, no -0)", msg_vis(f[pl.tid].p,
			    f[pl.tid].n > 40 ? 40 : f[pl.tid].n));
		for (i = 0; i < nkeys; i++) {
			if (i > 0)
				ob_putc(o, '\t');
			v = f[pl.src[i]];
			if (pl.x[i] != NULL)
				apply_xform(pl.x[i], v, &v, &sb, file,
				    rd_lineno(in));
			ob_span(o, v);
		}
		if (pl.w < 0)
			ob_puts(o, "\t1");
		else {
			if ((e = num_parse_u64(f[pl.w], &w)) != NUM_OK)
				die_at(file, rd_lineno(in), "weight column %s: "
				    "%s: '%s'", weight, num_strerror(e),
				    msg_vis(f[pl.w].p, f[pl.w].n));
			ob_putc(o, '\t');
			ob_u64(o, w);
		}
		for (; i < pl.nout; i++) {
			ob_putc(o, '\t');
			v = f[pl.src[i]];
			if (pl.x[i] != NULL)
				apply_xform(pl.x[i], v, &v, &sb, file,
				    rd_lineno(in));
			tally_put(o, v.p, v.n);
		}
		if (pl.ts >= 0)
			put_tbin(o, f[pl.ts], file, rd_lineno(in));
		ob_putc(o, '\n');
	}
	free(f);
	free(pl.src);
	free(pl.x);
	sb_free(&sb);
	tsv_hdr_free(&h);
}

enum {
	O_BUCKET = 256, O_FUNCTION, O_MASK, O_MODULES, O_RENAME, O_SYMBOLIZE,
	O_TIMELINE
};

static const struct option longopts[] = {
	{ "attrs",	required_argument, NULL, 'a' },
	{ "key",	required_argument, NULL, 'k' },
	{ "output",	required_argument, NULL, 'o' },
	{ "weight",	required_argument, NULL, 'w' },
	{ "bucket",	required_argument, NULL, O_BUCKET },
	{ "function",	required_argument, NULL, O_FUNCTION },
	{ "mask",	required_argument, NULL, O_MASK },
	{ "modules",	required_argument, NULL, O_MODULES },
	{ "rename",	required_argument, NULL, O_RENAME },
	{ "symbolize",	required_argument, NULL, O_SYMBOLIZE },
	{ "timeline",	required_argument, NULL, O_TIMELINE },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct ob *o;
	struct rd **in;
	struct xform *x;
	const char *val;
	int ch, n, i;
	size_t j, k;

	msg_init(argv[0]);
	keys = name_list("op,lr", "--key", &nkeys);
	attrs = name_list("tid,handle,ts,run", "--attrs", &nattrs);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+a:hk:o:Vw:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			/* -a '' tallies nothing */
			if (*optarg == '\0')
				nattrs = 0;
			else {
				name_list_free(attrs);
				attrs = name_list(optarg, "--attrs", &nattrs);
			}
			attrs_given = 1;
			break;
		case 'k':
			name_list_free(keys);
			keys = name_list(optarg, "--key", &nkeys);
			break;
		case 'o':
			output = optarg;
			break;
		case 'w':
			weight = optarg;
			break;
		case O_BUCKET:
			x = xform_arg("bucket", optarg, &val);
			if ((x->bucket = num_arg("bucket", val)) == 0 ||
			    x->bucket > INT64_MAX)
				die_usage("--bucket: width must be between 1 "
				    "and 2^63-1");
			break;
		case O_MASK:
			x = xform_arg("mask", optarg, &val);
			x->mask = num_arg("mask", val);
			x->masked = 1;
			break;
		case O_MODULES:
			x = xform_arg("modules", optarg, &val);
			mod_free(x->mods);
			x->mods = mod_load(val);
			break;
		case O_RENAME:
			x = xform_arg("rename", optarg, &val);
			free(x->rename);
			x->rename = xstrdup(val);
			break;
		case O_SYMBOLIZE:
		case O_FUNCTION:
			x = xform_arg(ch == O_FUNCTION ? "function" : "symbolize",
			    optarg, &val);
			sym_free(x->sym);
			x->sym = sym_load(val);
			if (x->seen == NULL)
				x->seen = ht_new();
			x->fnonly = ch == O_FUNCTION;
			break;
		case O_TIMELINE:
			timeline = width_arg("timeline", optarg);
			break;
		case 'h':
			help_exit(usage_text);
		case 'V':
			version_exit();
		default:
			die_getopt(argc, argv, "+a:hk:o:Vw:", longopts);
		}
	}
	/* TRACE_TOOLS_SIMD checked before any output */
	tally_rows_path(json_path());
	/* A column is a key or an attribute, once; never called count.
	 * (Default attributes that are keys are dropped, not errors.) */
	for (j = 0; j < nkeys + (attrs_given ? nattrs : 0); j++) {
		const char *a = j < nkeys ? keys[j] : attrs[j - nkeys];

		if (strcmp(a, "count") == 0)
			die_usage("'count' cannot be a key or attribute "
			    "column (it is the count trace-key writes)");
		for (k = 0; k < j; k++)
			if (strcmp(a, k < nkeys ? keys[k] :
			    attrs[k - nkeys]) == 0)
				die_usage("column '%s' is named twice in "
				    "--key and --attrs", a);
		if (timeline != 0 && strcmp(a, TBIN) == 0)
			die_usage("'" TBIN "' cannot be a key or attribute "
			    "column with --timeline (it is the column "
			    "--timeline writes)");
	}
	for (j = 0; j < nxf; j++) {
		if (xf[j].bucket != 0 && (xf[j].masked || xf[j].sym != NULL ||
		    xf[j].mods != NULL))
			die_usage("column '%s': --bucket works on integers, "
			    "--mask, --modules and --symbolize on addresses",
			    xf[j].col);
		if (xf[j].mods != NULL && xf[j].sym != NULL) {
			xf[j].modsym = xreallocarray(NULL,
			    mod_count(xf[j].mods) + 1, sizeof(int));
			for (k = 0; k < mod_count(xf[j].mods); k++)
				xf[j].modsym[k] = sym_module(xf[j].sym,
				    mod_name(xf[j].mods, (int)k),
				    strlen(mod_name(xf[j].mods, (int)k)));
		}
		if (xf[j].rename != NULL && strcmp(xf[j].rename, "count") == 0)
			die_usage("--rename: 'count' is reserved");
		if (timeline != 0 && xf[j].rename != NULL &&
		    strcmp(xf[j].rename, TBIN) == 0)
			die_usage("--rename: '" TBIN "' is the column "
			    "--timeline writes");
	}
	if (weight != NULL)
		for (j = 0; j < nkeys; j++)
			if (strcmp(weight, keys[j]) == 0)
				die_usage("the weight column cannot be a key");
	o = output != NULL ? ob_create(output) : ob_stdout();
	in = rd_open_all(argv + optind, argc - optind, &n);
	for (i = 0; i < n; i++) {
		run(in[i], o, i == 0);
		rd_close(in[i]);
	}
	ob_close(o);
	free(in);
	/* Say once per column how many addresses no symbol covers. */
	for (j = 0; j < nxf; j++)
		if (xf[j].sym != NULL && xf[j].nomatch > 0)
			msg_warnx("%s: %llu of %lu distinct addresses matched "
			    "no symbol", xf[j].col,
			    (unsigned long long)xf[j].nomatch,
			    (unsigned long)ht_count(xf[j].seen));
	return 0;
}
