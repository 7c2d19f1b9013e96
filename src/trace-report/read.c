/*
 * read.c - trace-report's input: the data files (families, watch list,
 * notes, symbols) and the join, read into the rows and columns of the
 * model (report.h).  Nothing here is derived: model.c does that.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "htab.h"
#include "msg.h"
#include "num.h"
#include "rd.h"
#include "tally.h"
#include "tsv.h"
#include "report.h"

int
rp_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct arena rp_arena;

void *
rp_zalloc(size_t n)
{
	return arena_zalloc(&rp_arena, n);
}

/* Room for text, kept for the run: byte-aligned, none lost between. */
static char *
text_alloc(size_t n)
{
	return arena_zalloc_bytes(&rp_arena, n);
}

struct span
rp_keep(struct span v)
{
	char *c = text_alloc(v.n + 1);

	memcpy(c, v.p, v.n);
	return span_make(c, v.n);
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

/*
 * The next entry of an address or notes file: a line whose first word
 * is there and does not start with '#'.  Sets *line, *word and *end
 * (where the word ends in the line); 0 at the end of the file.
 */
static int
next_entry(struct rd *in, struct span *line, struct span *word,
    size_t *end)
{
	while (rd_line(in, line)) {
		*end = 0;
		*word = span_word(*line, end);
		if (word->n > 0 && word->p[0] != '#')
			return 1;
	}
	return 0;
}

/* An address list: the first word of each line; '#' lines ignored. */
static uint64_t *
load_addrs(const char *path, size_t *n)
{
	struct rd *in = rd_open(path);
	struct span line, a;
	uint64_t *v = NULL;
	size_t cap = 0, i;
	enum num_err e;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	*n = 0;
	while (next_entry(in, &line, &a, &i)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		if ((e = num_parse_addr_strict(a, &v[*n])) != NUM_OK)
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
	struct span line, a;
	struct note *v = NULL;
	size_t cap = 0, i, e2, k;
	enum num_err e;
	char *name;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	name = xstrdup(rd_name(in));
	*n = 0;
	while (next_entry(in, &line, &a, &i)) {
		if (memchr(line.p, '\0', line.n) != NULL)
			die_at(name, rd_lineno(in), "NUL byte in a note");
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		if ((e = num_parse_addr_strict(a, &v[*n].addr)) != NUM_OK)
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

/* Whether h's columns from i on are the side-prefixed names of one
 * side's sfx[0], the other's, and so on, as spans of n names. */
static const char *const runnames[] = { "R_runs", "C_runs", "R_min",
	"R_max", "C_min", "C_max", "flaky", "p" };
static const char *const ratenames[] = { "R_rate", "C_rate" };

static int
cols_are(const struct report *r, const struct tsv_hdr *h, size_t i,
    const char *const *name, size_t n)
{
	struct sbuf sb = { 0 };
	int ok = i + n <= h->ncol;

	for (size_t k = 0; k < n && ok; k++) {
		const char *nm = name[k];

		sb_clear(&sb);
		if (*nm == 'R' || *nm == 'C') {	/* R_x, C_x: a side's */
			sb_adds(&sb, *nm == 'R' ? r->ref : r->cand);
			nm++;
		}
		sb_adds(&sb, nm);
		ok = h->col[i + k].n == sb.len &&
		    memcmp(h->col[i + k].p, sb.p, sb.len) == 0;
	}
	sb_free(&sb);
	return ok;
}

/*
 * The header: KEY..., status, REF_count, CAND_count, ratio, under, then
 * [over], [the eight run columns], [the two rate columns] (trace-join
 * --over, --runs, --per), then the tally columns, each prefixed with its
 * side's name, ref ones first.  Sets the key and tally columns and the
 * side names.
 */
static void
read_header(struct report *r, struct tsv_hdr *h, struct span line)
{
	struct span stem, *tcol;
	size_t i, s, rn, cn;
	int st;

	tsv_hdr_parse(h, line, r->file);
	if ((st = tsv_col(h, "status")) < 1 || (size_t)st + 4 >= h->ncol + 1 ||
	    !ends_with(h->col[st + 1], "_count", &stem) ||
	    !ends_with(h->col[st + 2], "_count", &stem) ||
	    !span_eqs(h->col[st + 3], "ratio") ||
	    !span_eqs(h->col[st + 4], "under"))
		die_at(r->file, 1, "not a join: expected KEY..., status, "
		    "REF_count, CAND_count, ratio, under, tallies (columns: "
		    "%s)", tsv_hdr_list(h));
	s = (size_t)st;
	r->nkey = s;
	r->keycol = h->col;
	ends_with(h->col[s + 1], "_count", &stem);
	r->ref = xmemdup(stem.p, stem.n);
	ends_with(h->col[s + 2], "_count", &stem);
	r->cand = xmemdup(stem.p, stem.n);
	rn = strlen(r->ref);
	cn = strlen(r->cand);
	i = s + 5;
	if (i < h->ncol && span_eqs(h->col[i], "over")) {
		r->hasover = 1;
		r->overcol = i++;
	}
	if (cols_are(r, h, i, runnames, 8)) {
		r->hasruns = 1;
		r->runscol = i;
		i += 8;
	}
	if (cols_are(r, h, i, ratenames, 2)) {
		r->hasrate = 1;
		r->ratecol = i;
		i += 2;
	}
	r->tallycol = i;
	/* One array: the ref tally columns, then the cand ones. */
	tcol = xreallocarray(NULL, h->ncol, sizeof(*tcol));
	for (; i < h->ncol; i++) {
		struct span c = h->col[i];
		/* Prefer the longer name when one side's name prefixes the
		 * other's. */
		int isref = has_prefix(c, r->ref, rn), iscand = has_prefix(c,
		    r->cand, cn);

		if (isref && iscand)
			isref = rn > cn;
		if (isref && r->nct == 0)
			tcol[r->nrt++] = span_make(c.p + rn + 1, c.n - rn - 1);
		else if (iscand)
			tcol[r->nrt + r->nct++] = span_make(c.p + cn + 1,
			    c.n - cn - 1);
		else if (isref)
			die_at(r->file, 1, "column '%.*s': the %s tally columns "
			    "must all come before the %s ones", (int)c.n, c.p,
			    r->ref, r->cand);
		else
			die_at(r->file, 1, "column '%.*s' belongs to neither "
			    "side (%s, %s)", (int)c.n, c.p, r->ref, r->cand);
	}
	r->rtcol = tcol;
	r->ctcol = tcol + r->nrt;
}

static int
yes_no(const struct report *r, struct span v, const char *what, uint64_t ln)
{
	if (span_eqs(v, "yes"))
		return 1;
	if (!span_eqs(v, "no"))
		die_at(r->file, ln, "bad %s flag '%s' (yes or no)", what,
		    msg_vis(v.p, v.n));
	return 0;
}

/* A non-negative decimal as trace-join writes it: digits, '.', digits. */
static double
decimal(const struct report *r, struct span v, uint64_t ln)
{
	size_t i = 0, d = 0;
	char b[64];

	while (i < v.n && v.p[i] >= '0' && v.p[i] <= '9')
		i++;
	if (i > 0 && i < v.n && v.p[i] == '.')
		for (i++; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++)
			d++;
	if (v.n == 0 || i != v.n || d == 0 || v.n >= sizeof(b))
		die_at(r->file, ln, "bad decimal '%s' (expected digits, '.', "
		    "digits)", msg_vis(v.p, v.n));
	memcpy(b, v.p, v.n);
	b[v.n] = '\0';
	return strtod(b, NULL);
}

/* A count, or with rates a decimal. */
static void
decimal_or_count(const struct report *r, struct span v, uint64_t ln)
{
	uint64_t u;

	if (r->hasrate)
		decimal(r, v, ln);
	else if (num_parse_u64(v, &u) != NUM_OK)
		die_at(r->file, ln, "bad per-run count '%s'", msg_vis(v.p,
		    v.n));
}

/* The eight run columns: R_runs C_runs R_min R_max C_min C_max flaky p. */
static void
read_runs(const struct report *r, struct rrun *w, const struct span *f,
    uint64_t ln)
{
	if (num_parse_u64(f[0], &w->refruns) != NUM_OK ||
	    num_parse_u64(f[1], &w->candruns) != NUM_OK)
		die_at(r->file, ln, "bad run count '%s' or '%s'",
		    msg_vis(f[0].p, f[0].n), msg_vis(f[1].p, f[1].n));
	w->refmin = f[2];
	w->refmax = f[3];
	w->candmin = f[4];
	w->candmax = f[5];
	for (size_t k = 2; k < 6; k++)
		if (f[k].n > 0)
			decimal_or_count(r, f[k], ln);
	w->flaky = yes_no(r, f[6], "flaky", ln);
	w->p = f[7];
	if (f[7].n > 0 && decimal(r, f[7], ln) > 1.0)
		die_at(r->file, ln, "p '%s' is above 1", msg_vis(f[7].p,
		    f[7].n));
}

/* One line of the join into row w; f holds its fields. */
static void
read_row(struct report *r, struct rrow *w, const struct span *f,
    uint64_t ln)
{
	struct rrun *x = rp_x(r, w);
	size_t s = r->nkey;

	memset(w, 0, sizeof(*w));
	w->at = ln;
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
	/* The status is what the counts say, as trace-join sets it. */
	if (w->status != (w->ref > 0 && w->cand > 0 ? ST_MATCHED :
	    w->ref > 0 ? ST_MISSING : ST_EXTRA) || (w->ref == 0 && w->cand == 0))
		die_at(r->file, ln, "status %.*s does not fit the counts",
		    (int)f[s].n, f[s].p);
	w->under = yes_no(r, f[s + 4], "under", ln);
	if (r->hasover)
		w->over = yes_no(r, f[r->overcol], "over", ln);
	if (r->hasruns)
		read_runs(r, x, f + r->runscol, ln);
	if (r->hasrate) {
		x->refrate_s = f[r->ratecol];
		x->candrate_s = f[r->ratecol + 1];
		x->refrate = decimal(r, f[r->ratecol], ln);
		x->candrate = decimal(r, f[r->ratecol + 1], ln);
	}

}

/* Longest line a row keeps (its length is a uint32_t). */
#define LINE_MAX_KEPT	((size_t)UINT32_MAX - 1)
/* Bytes the join is read again in when the rows are taken in order. */
#define REREAD_BLOCK	(1u << 20)
/* ... and when one row is asked for out of order. */
#define REREAD_ONE	4096u

/*
 * A checksum of a row's tally cells, to tell whether the join read again
 * is what was read first.  Each step h = (h ^ word) * odd is one to one
 * in h, so one changed word always changes its lane; four lanes of
 * 8-byte words, so that the cells of every pass cost little, then mixed
 * as in splitmix64.
 */
static uint32_t
text_sum(const char *p, size_t n)
{
	const uint64_t m = 0x9e3779b97f4a7c15ULL;
	uint64_t a = n, b = 1, c = 2, d = 3, v, w, x, y;

	for (; n >= 32; p += 32, n -= 32) {
		memcpy(&v, p, 8);
		memcpy(&w, p + 8, 8);
		memcpy(&x, p + 16, 8);
		memcpy(&y, p + 24, 8);
		a = (a ^ v) * m;
		b = (b ^ w) * m;
		c = (c ^ x) * m;
		d = (d ^ y) * m;
	}
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&v, p, 8);
		a = (a ^ v) * m;
	}
	v = 0;
	memcpy(&v, p, n);
	a = (a ^ v) * m;
	a ^= (b ^ b >> 29) * 0xbf58476d1ce4e5b9ULL;
	a ^= (c ^ c >> 31) * 0x94d049bb133111ebULL;
	a ^= (d ^ d >> 27) * 0xbf58476d1ce4e5b9ULL;
	a = (a ^ a >> 31) * 0x94d049bb133111ebULL;
	return (uint32_t)(a ^ a >> 32);
}

/*
 * The join read again (rows that keep where their line is): the bytes
 * of [off, off + n) from descriptor fd, last row checked.
 */
static struct {
	int		 fd;		/* -1: rows keep their text */
	char		*buf;
	size_t		 cap, n;
	uint64_t	 off;
	unsigned	 gen;		/* bumped by each read */
	const struct rrow *last;	/* checked since the read of gen */
	unsigned	 lastgen;
} jw = { -1, NULL, 0, 0, 0, 0, NULL, 0 };

/* Up to n bytes of the join from offset off into p: fewer only at its
 * end. */
static size_t
pread_upto(const struct report *r, char *p, size_t n, uint64_t off)
{
	size_t got = 0;
	ssize_t k;

	while (got < n) {
		k = pread(jw.fd, p + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			die_errno("%s: cannot read again", r->file);
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return got;
}

/*
 * Rows a writer takes in an order of their own (a list written whole)
 * are read a batch at a time (rp_batch()): their lines copied here,
 * read in the join's order, and found again by the row's address.
 */
#define BATCH_ROWS	65536u		/* rows a batch */
#define BATCH_BYTES	(16u << 20)	/* bytes of lines a batch */
#define BATCH_GAP	(64u << 10)	/* bytes read past, not a new read */
struct bent {
	const struct rrow *w;
	size_t		 at;		/* the line in bt.buf */
};
static struct {
	struct bent	*e;		/* by w, once rp_batch() ends */
	size_t		 n, cap;
	char		*buf;
	size_t		 len, bcap;
	char		*scratch;
} bt;

/* Row w's line in the batch, or NULL. */
static const char *
batch_find(const struct rrow *w)
{
	size_t lo = 0, hi = bt.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bt.e[mid].w == w)
			return bt.buf + bt.e[mid].at;
		if ((uintptr_t)bt.e[mid].w < (uintptr_t)w)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Row w's line, read again from the join, its tally cells checked (the
 * rest of the line is checked by rp_kv(), where it is used).  Rows asked
 * for in order (each pass of the model over the rows) take one read a
 * block; one out of order (a row a table shows) reads little more than
 * itself.
 */
static struct span
reread(const struct report *r, const struct rrow *w)
{
	size_t n = w->len, want;
	struct span s;
	const char *b;

	if (bt.n > 0 && (b = batch_find(w)) != NULL) {
		s = span_make(b, n);
		goto check;
	}
	if (w->at < jw.off || w->at - jw.off > jw.n ||
	    jw.n - (w->at - jw.off) < n) {
		/* in order: past the start of the last read, and in it (the
		 * line runs past its end) or just past its end */
		want = w->at >= jw.off && w->at - jw.off < jw.n +
		    REREAD_BLOCK / 4 ? REREAD_BLOCK : REREAD_ONE;
		if (want < n)
			want = n;
		if (jw.cap < want) {
			free(jw.buf);
			jw.buf = xmalloc(want);
			jw.cap = want;
		}
		jw.off = w->at;
		jw.n = pread_upto(r, jw.buf, want, jw.off);
		jw.gen++;
		if (jw.n < n)
			die_at(r->file, rp_line(r, w), "file changed while "
			    "being read: the line is shorter when read again");
	}
	s = span_make(jw.buf + (w->at - jw.off), n);
check:
	if (w != jw.last || jw.gen != jw.lastgen) {
		if (text_sum(s.p + w->tal, n - w->tal) != w->sum)
			die_at(r->file, rp_line(r, w), "file changed while "
			    "being read: the tally cells differ when read "
			    "again");
		jw.last = w;
		jw.lastgen = jw.gen;
	}
	return s;
}

static int
bent_at_cmp(const void *a, const void *b)
{
	const struct rrow *x = ((const struct bent *)a)->w;
	const struct rrow *y = ((const struct bent *)b)->w;

	return (x->at > y->at) - (x->at < y->at);
}

static int
bent_w_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct bent *)a)->w;
	uintptr_t y = (uintptr_t)((const struct bent *)b)->w;

	return (x > y) - (x < y);
}

/* Bytes [off, off + n) of the join into p, all of them (the lines up
 * to row w's). */
static void
read_at(const struct report *r, const struct rrow *w, char *p, size_t n,
    uint64_t off)
{
	if (pread_upto(r, p, n, off) < n)
		die_at(r->file, rp_line(r, w), "file changed while being "
		    "read: the line is shorter when read again");
}

size_t
rp_batch(const struct report *r, const size_t *v, size_t n)
{
	size_t i, j, take, bytes = 0;

	if (jw.fd < 0 || n == 0)
		return n;
	bt.n = 0;
	bt.len = 0;
	for (take = 0; take < n && take < BATCH_ROWS; take++) {
		const struct rrow *w = &r->row[v[take]];

		if (!w->again)
			continue;
		if (bt.n > 0 && bytes + w->len > BATCH_BYTES)
			break;
		if (bt.n == bt.cap) {
			bt.cap = bt.cap ? bt.cap * 2 : 1024;
			bt.e = xreallocarray(bt.e, bt.cap, sizeof(*bt.e));
		}
		bt.e[bt.n++].w = w;
		bytes += w->len;
	}
	if (bt.n == 0)
		return take;
	if (bt.bcap < bytes) {
		bt.bcap = bytes;
		free(bt.buf);
		bt.buf = xmalloc(bt.bcap);
	}
	if (bt.scratch == NULL)
		bt.scratch = xmalloc(REREAD_BLOCK);
	/* in the join's order; a read takes the lines of several rows
	 * when little lies between them */
	qsort(bt.e, bt.n, sizeof(*bt.e), bent_at_cmp);
	for (i = 0; i < bt.n; i = j) {
		uint64_t start = bt.e[i].w->at, end = start + bt.e[i].w->len;

		for (j = i + 1; j < bt.n; j++) {
			const struct rrow *w = bt.e[j].w;

			if (w->at > end + BATCH_GAP || w->at + w->len - start >
			    REREAD_BLOCK)
				break;
			if (w->at + w->len > end)
				end = w->at + w->len;
		}
		if (j == i + 1) {	/* alone: straight in */
			read_at(r, bt.e[i].w, bt.buf + bt.len, (size_t)(end -
			    start), start);
			bt.e[i].at = bt.len;
			bt.len += bt.e[i].w->len;
			continue;
		}
		read_at(r, bt.e[j - 1].w, bt.scratch, (size_t)(end - start),
		    start);
		for (size_t k = i; k < j; k++) {
			const struct rrow *w = bt.e[k].w;

			memcpy(bt.buf + bt.len, bt.scratch + (w->at - start),
			    w->len);
			bt.e[k].at = bt.len;
			bt.len += w->len;
		}
	}
	qsort(bt.e, bt.n, sizeof(*bt.e), bent_w_cmp);
	jw.gen++;
	return take;
}

/* The key columns of the row read again last (rp_kv). */
static struct sbuf kcopy;
static const struct rrow *kcopyrow;

struct span
rp_kv(const struct report *r, const struct rrow *w, size_t i)
{
	const char *p = w->text, *end, *t;

	if (w->again) {
		if (kcopyrow != w) {
			sb_clear(&kcopy);
			sb_add(&kcopy, reread(r, w).p, w->tal);
			if (text_sum(kcopy.p, kcopy.len) != w->hsum)
				die_at(r->file, rp_line(r, w), "file changed "
				    "while being read: the line differs when "
				    "read again");
			kcopyrow = w;
		}
		p = kcopy.p;
		end = kcopy.p + kcopy.len;
	} else
		end = w->text + w->len;
	for (; i > 0; i--)
		p = (const char *)memchr(p, '\t', (size_t)(end - p)) + 1;
	/* a key column is never the last */
	t = memchr(p, '\t', (size_t)(end - p));
	return span_make(p, (size_t)(t - p));
}

/*
 * A row read again keeps where its line is: the lines before it are
 * counted (only a message needs it).
 */
uint64_t
rp_line(const struct report *r, const struct rrow *w)
{
	uint64_t off = 0, line = 1;
	char *b;
	ssize_t k;

	if (!w->again)
		return w->at;
	b = xmalloc(REREAD_BLOCK);
	while (off < w->at) {
		size_t want = w->at - off < REREAD_BLOCK ? (size_t)(w->at -
		    off) : REREAD_BLOCK;
		const char *p, *e;

		k = pread(jw.fd, b, want, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			die_errno("%s: cannot read again", r->file);
		if (k == 0)
			break;	/* the file changed: no better line */
		for (p = b, e = b + k; (p = memchr(p, '\n', (size_t)(e -
		    p))) != NULL; p++)
			line++;
		off += (uint64_t)k;
	}
	free(b);
	return line;
}

/*
 * What a row keeps of its line f (split into fields) from offset off
 * of the join (UINT64_MAX: not known): the key columns with the tab
 * after them, then the tally cells; or instead where the line is in the
 * join, and checksums of its tally cells and of the rest; the columns
 * between are in the row.
 */
static void
keep_line(const struct report *r, struct rrow *w, struct span line,
    const struct span *f, size_t nt, uint64_t off)
{
	size_t kn = (size_t)(f[r->nkey].p - line.p);
	size_t tn = nt > 0 ? (size_t)(line.p + line.n - f[r->tallycol].p) : 0;
	char *c;

	if (jw.fd >= 0 && off != UINT64_MAX && tn > 0) {
		if (line.n > LINE_MAX_KEPT)
			die_at(r->file, rp_line(r, w), "line longer than "
			    "4 GiB");
		w->again = 1;
		w->at = off;
		w->len = (uint32_t)line.n;
		w->tal = (uint32_t)(f[r->tallycol].p - line.p);
		w->sum = text_sum(f[r->tallycol].p, tn);
		w->hsum = text_sum(line.p, w->tal);
		return;
	}
	if (kn + tn > LINE_MAX_KEPT)
		die_at(r->file, rp_line(r, w), "line longer than 4 GiB");
	c = text_alloc(kn + tn + 1);
	memcpy(c, line.p, kn);
	w->text = c;
	if (tn > 0)
		memcpy(c + kn, f[r->tallycol].p, tn);
	w->len = (uint32_t)(kn + tn);
	w->tal = (uint32_t)kn;
}

/* Row w's tally cells, as written (nt > 0). */
static struct span
tallies(const struct report *r, const struct rrow *w)
{
	struct span s;

	if (!w->again)
		return span_make(w->text + w->tal, w->len - w->tal);
	s = reread(r, w);
	return span_make(s.p + w->tal, s.n - w->tal);
}

/* Row w's nt tally cells, as written, into cell[] (the last fields). */
static void
split_tallies(const struct report *r, const struct rrow *w,
    struct span *cell, size_t nt)
{
	if (nt == 0)
		return;
	tsv_split(tallies(r, w), cell, nt);
}

/* Row w's tally cell i, as written. */
static struct span
tally_text(const struct report *r, const struct rrow *w, size_t i)
{
	struct span s = tallies(r, w);
	const char *p = s.p, *end = s.p + s.n, *t;

	for (; i > 0; i--)
		p = (const char *)memchr(p, '\t', (size_t)(end - p)) + 1;
	if ((t = memchr(p, '\t', (size_t)(end - p))) == NULL)
		t = end;
	return span_make(p, (size_t)(t - p));
}

/*
 * Which tally columns are ranges: every non-empty cell INTEGER or
 * MIN..MAX, and one at least MIN..MAX.  range_row() takes a row's cells
 * in turn (all[i] starts at 1); range_end() decides.
 */
static void
range_row(const struct span *cell, size_t nt, int *all, int *dots,
    struct tally_cell *t)
{
	struct span bad;

	for (size_t i = 0; i < nt; i++) {
		struct span c = cell[i];

		if (c.n == 0 || !all[i])
			continue;
		all[i] = tally_parse(t, c, TK_RANGE, &bad) == TALLY_OK;
		dots[i] |= memchr(c.p, '.', c.n) != NULL;
	}
}

static void
range_end(struct report *r, size_t nt, const int *all, const int *dots)
{
	r->rtrange = xcalloc(nt + 1, sizeof(int));
	r->ctrange = r->rtrange + r->nrt;
	for (size_t i = 0; i < nt; i++)
		r->rtrange[i] = all[i] && dots[i];
}

/*
 * Every tally cell, parsed once to check it (the writers parse again
 * the ones they show, rp_rt()); notes which columns hold counts only.
 * The cells of the columns named groupby go on to the groups and the
 * thread map (groups_cell(), threads_cell()), which would otherwise
 * read them again.
 */
static void
check_tallies(struct report *r, size_t nt, const char *groupby)
{
	struct span *cell = xreallocarray(NULL, nt + 1, sizeof(*cell)), bad;
	struct tally_cell t = { 0 };
	size_t i, k, gc = SIZE_MAX;
	int rc = rp_side_col(r, 1, groupby, 0), cc = rp_side_col(r, 0,
	    groupby, 0);

	if (rc >= 0) {
		gc = (size_t)rc;
		r->gpre = groups_begin(gc, groupby);
		if (cc >= 0 && !r->hasruns)
			r->tpre = threads_begin(r, gc, (size_t)cc);
	}

	r->rtcounts = xcalloc(nt + 1, sizeof(int));
	r->tlo = xcalloc(nt + 1, sizeof(*r->tlo));
	r->thi = xcalloc(nt + 1, sizeof(*r->thi));
	r->tany = xcalloc(nt + 1, sizeof(int));
	for (i = 0; i < nt; i++)
		r->rtcounts[i] = 1;
	for (k = 0; k < r->nrow; k++) {
		const struct rrow *w = &r->row[k];

		split_tallies(r, w, cell, nt);
		for (i = 0; i < nt; i++) {
			uint64_t count = i < r->nrt ? w->ref : w->cand;
			const uint32_t *ids;
			enum tally_err e;

			t.lo = t.hi = 0;
			e = tally_parse(&t, cell[i], r->rtrange[i] ?
			    TK_RANGE : TK_AS_WRITTEN, &bad);
			if (e == TALLY_PERCENT)
				tally_die_percent(r->file, rp_line(r, w),
				    r->rtcol[i], bad);
			if (e != TALLY_OK)
				die_at(r->file, rp_line(r, w), "column %.*s: "
				    "bad tally entry '%.*s'",
				    (int)r->rtcol[i].n, r->rtcol[i].p,
				    (int)bad.n, bad.p);
			if (t.kind == TK_COUNTS && t.sum > count)
				tally_die_sum(r->file, rp_line(r, w),
				    r->rtcol[i], t.sum, count);
			if (t.n > 0 && t.kind != TK_COUNTS)
				r->rtcounts[i] = 0;
			ids = r->tpre == NULL ? NULL :
			    threads_cell(r, r->tpre, k, i, &t);
			if (i == gc)
				groups_cell(r->gpre, w, &t, ids);
			if (t.n == 0)
				continue;
			if (!r->tany[i] || t.lo < r->tlo[i])
				r->tlo[i] = t.lo;
			if (!r->tany[i] || t.hi > r->thi[i])
				r->thi[i] = t.hi;
			r->tany[i] = 1;
		}
	}
	tally_cell_free(&t);
	free(cell);
}

/* Parsed cells: per tally column, the last row asked for; the text of
 * a cell read again, which the next read may overwrite. */
static struct tally_cell *tcell;
static const struct rrow **tcellrow;
static struct sbuf *tcopy;

static const struct tally_cell *
rp_tally(const struct report *r, const struct rrow *w, size_t i)
{
	size_t nt = r->nrt + r->nct;
	struct span bad, s;

	if (tcell == NULL) {
		tcell = xcalloc(nt + 1, sizeof(*tcell));
		tcellrow = xcalloc(nt + 1, sizeof(*tcellrow));
		tcopy = xcalloc(nt + 1, sizeof(*tcopy));
	}
	if (tcellrow[i] == w)
		return &tcell[i];
	s = tally_text(r, w, i);
	if (w->again) {
		sb_clear(&tcopy[i]);
		sb_add(&tcopy[i], s.p, s.n);
		s = span_make(tcopy[i].p, s.n);
	}
	/* as check_tallies() parsed it: no error now */
	tcell[i].lo = tcell[i].hi = 0;
	tally_parse(&tcell[i], s, r->rtrange[i] ? TK_RANGE : TK_AS_WRITTEN,
	    &bad);
	tcellrow[i] = w;
	return &tcell[i];
}

const struct tally_cell *
rp_rt(const struct report *r, const struct rrow *w, size_t i)
{
	return rp_tally(r, w, i);
}

const struct tally_cell *
rp_ct(const struct report *r, const struct rrow *w, size_t i)
{
	return rp_tally(r, w, r->nrt + i);
}

/*
 * The join.  A column's kind (range or not) depends on all its cells,
 * so the rows are read first, keeping their text, and the cells are
 * checked once the kinds are known.
 */
static void
read_join(struct report *r, const char *addrname, const char *groupby)
{
	const char *path = r->file;
	struct rd *in = rd_open(path);
	struct tsv_hdr h;
	struct span line, *f;
	struct tally_cell t = { 0 };
	struct kcol *kc;
	size_t n, i, k, nt, cap = 0;
	int *all, *dots, ac = -1;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	r->file = xstrdup(rd_name(in));
	if (!rd_line(in, &line))
		dief("%s: empty input (no header line)", r->file);
	read_header(r, &h, line);
	r->ncol = h.ncol;
	nt = r->nrt + r->nct;
	f = xreallocarray(NULL, h.ncol + 1, sizeof(*f));
	all = xcalloc(nt + 1, sizeof(int));
	dots = xcalloc(nt + 1, sizeof(int));
	for (i = 0; i < nt; i++)
		all[i] = 1;
	kc = xcalloc(r->nkey, sizeof(*kc));
	for (i = 0; i < r->nkey; i++)
		kc[i].dst = &r->krank;
	/* The arena's first block now, while large blocks come from mmap:
	 * once the reader's buffer is freed (rd_close), glibc takes them
	 * from the heap, where calloc() zeroes them page by page. */
	(void)text_alloc(1);
	for (i = 0; i < r->nkey; i++)	/* the address column (the last) */
		if (span_eqs(r->keycol[i], addrname))
			ac = (int)i;
	/* Spans of the run and rate columns point into the line. */
	r->wholeline = r->hasruns || r->hasrate;
	while (rd_line(in, &line)) {
		uint64_t ln = rd_lineno(in);
		struct span src = line;
		struct rrow *w;
		char *copy = NULL;

		if (tsv_is_hdr(&h, line))
			continue;
		if (r->wholeline) {
			if (line.n > LINE_MAX_KEPT)
				die_at(r->file, ln, "line longer than 4 GiB");
			copy = text_alloc(line.n + 1);
			memcpy(copy, line.p, line.n);
			src = span_make(copy, line.n);
		}
		if ((n = tsv_split(src, f, h.ncol + 1)) != h.ncol)
			die_at(r->file, ln, "expected %zu fields, got %zu",
			    h.ncol, n);
		if (r->nrow == cap) {
			cap = cap ? cap * 2 : 256;
			r->row = xreallocarray(r->row, cap, sizeof(*r->row));
			r->krank = xreallocarray(r->krank, cap, r->nkey *
			    sizeof(*r->krank));
			if (r->hasruns || r->hasrate || r->rowmore)
				r->rx = xreallocarray(r->rx, cap,
				    sizeof(*r->rx));
		}
		if (r->rx != NULL)
			memset(&r->rx[r->nrow], 0, sizeof(*r->rx));
		for (i = 0; i < r->nkey; i++)
			kcol_add(&kc[i], f[i], r->nrow * r->nkey + i);
		for (i = 0; i < r->nkey; i++)
			if (f[i].n == 0) {
				r->emptykeys++;
				break;
			}
		w = &r->row[r->nrow];
		read_row(r, w, f, ln);
		if (ac >= 0) {
			uint64_t addr = 0;

			w->hasaddr = num_parse_addr(f[ac], &addr) == NUM_OK;
			if (rp_x(r, w) != NULL)
				rp_x(r, w)->addr = addr;
		}
		if (r->wholeline) {
			w->text = copy;
			w->len = (uint32_t)line.n;
			w->tal = nt > 0 ? (uint32_t)(f[r->tallycol].p - copy) :
			    (uint32_t)line.n;
		} else {
			uint64_t off = rd_line_offset(in);

			/* From a file: its tally cells can be read again. */
			if (r->nrow == 0 && off != UINT64_MAX && nt > 0)
				jw.fd = open(path, O_RDONLY | O_CLOEXEC);
			keep_line(r, w, line, f, nt, off);
		}
		r->nrow++;
		range_row(f + r->tallycol, nt, all, dots, &t);
	}
	free(f);
	rd_close(in);
	range_end(r, nt, all, dots);
	free(all);
	free(dots);
	tally_cell_free(&t);
	/* the key values' numbers made their ranks (rp_keycmp) */
	for (i = 0; i < r->nkey; i++) {
		uint32_t *rank;

		kcol_flush(&kc[i]);
		rank = kcol_rank(&kc[i]);

		for (k = 0; k < r->nrow; k++)
			r->krank[k * r->nkey + i] =
			    rank[r->krank[k * r->nkey + i]];
		free(rank);
	}
	free(kc);
	check_tallies(r, nt, groupby);
}

/*
 * The symbol of a module-relative value MODULE+0xOFF into sb, among the
 * symbols of MODULE in --symbols: 1 when one covers it.
 */
static int
modsym(const struct report *r, struct span v, struct sbuf *sb)
{
	struct span m;
	uint64_t off;
	int k;

	return mod_rel_parse(v, &m, &off) &&
	    (k = sym_module(r->sym, m.p, m.n)) >= 0 &&
	    sym_lookup_mod(r->sym, k, off, 1, sb);
}

/*
 * Say how many distinct addresses of the address column no symbol of
 * --symbols covers (notes aside), as trace-key does; module-relative
 * values count as addresses.
 */
static void
count_unmatched(const struct report *r)
{
	uint64_t *a = xreallocarray(NULL, r->nrow ? r->nrow : 1, sizeof(*a));
	struct sbuf sb = { 0 };
	struct htab *seen = ht_new();
	size_t i, n = 0, distinct = 0, miss = 0;
	struct span m;
	uint64_t off;
	int isnew;

	for (i = 0; i < r->nrow; i++) {
		struct span v;

		if (r->row[i].hasaddr) {
			a[n++] = rp_x(r, &r->row[i])->addr;
			continue;
		}
		v = rp_kv(r, &r->row[i], (size_t)r->addrcol);
		if (mod_rel_parse(v, &m, &off)) {
			ht_intern(seen, v.p, v.n, &isnew);
			if (!isnew)
				continue;
			distinct++;
			if (!modsym(r, v, &sb))
				miss++;
		}
	}
	ht_free(seen);
	if (n > 1)
		qsort(a, n, sizeof(*a), rp_cmp_u64);
	for (i = 0; i < n; i++) {
		if (i > 0 && a[i] == a[i - 1])
			continue;
		distinct++;
		if (!sym_lookup(r->sym, a[i], 1, &sb))
			miss++;
	}
	if (miss > 0)
		msg_warnx("%s: %zu of %zu distinct addresses matched no symbol",
		    r->addrname, miss, distinct);
	sb_free(&sb);
	free(a);
}

void
report_read(struct report *r, const struct ropts *o)
{
	size_t i, k;
	int need_addr = o->nfam > 0 || o->watch != NULL || o->notes != NULL ||
	    o->symbols != NULL;

	memset(r, 0, sizeof(*r));
	r->file = o->join;
	r->top = o->top;
	r->undertop = o->undertop;
	r->freshtop = o->freshtop;
	r->grouptop = o->grouptop;
	r->overtop = o->overtop;
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
			qsort(fm->addr, fm->n, sizeof(uint64_t), rp_cmp_u64);
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
			qsort(wa, r->nwatch, sizeof(*wa), rp_cmp_u64);
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

	r->rowmore = o->nfam > 0 || o->notes != NULL || o->symbols != NULL ||
	    o->watch != NULL;
	read_join(r, o->addrcol, o->groupby);

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
		int counts = !r->rtrange[i];

		if (!span_eqs(r->rtcol[i], o->groupby))
			continue;
		counts = counts && r->rtcounts[i];
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

	/* hasaddr and the address: read_join() */
	for (i = 0; i < r->nrow; i++) {
		struct rrow *w = &r->row[i];
		struct rrun *x = rp_x(r, w);
		struct sbuf sb = { 0 };

		if (r->addrcol < 0 || x == NULL)
			continue;	/* the address is not needed */
		if (!w->hasaddr) {
			/* MODULE+0xOFF (trace-key --modules): among the
			 * symbols of its module */
			if (r->sym != NULL && modsym(r, rp_kv(r, w,
			    (size_t)r->addrcol), &sb))
				x->note = sb.p;	/* kept for the run */
			continue;
		}
		if (r->nnotes > 0) {
			struct note key = { x->addr, NULL, 0 }, *hit;

			/* lines differ: compare addresses only */
			hit = bsearch(&key, r->notes, r->nnotes,
			    sizeof(*r->notes), noteaddrcmp);
			if (hit != NULL)
				x->note = hit->text;
		}
		if (r->sym != NULL && x->note == NULL && sym_lookup(r->sym,
		    x->addr, 1, &sb))
			x->note = sb.p;	/* kept for the run */
	}
	if (r->sym != NULL && r->addrcol >= 0)
		count_unmatched(r);
}
