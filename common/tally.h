/*
 * tally.h - the cells of keyed streams and histograms.
 *
 * In a keyed stream (trace-key output) and a histogram (trace-hist
 * output) every column after `count` is a tally column.  A cell is one
 * of:
 *   VALUE                    one value, standing for the row's count
 *   VALUE:N,VALUE:N,...      a counts tally: how often each value occurred
 *   VALUE,VALUE,...          a distinct tally: the values that occurred
 *   MIN..MAX                 a range tally of integers
 *   (empty)                  no value
 * so that a histogram can be read back and merged.  Inside VALUE the
 * bytes '%', ',' and ':' are written %25, %2c and %3a (on top of the TSV
 * escaping of trace-format(5)); tally_put() and tally_decode() convert.
 * tally_parse() reads a cell back; the writer of cells is trace-hist.
 */
#ifndef TRACE_TALLY_H
#define TRACE_TALLY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "msg.h"
#include "ob.h"
#include "span.h"
#include "xmem.h"

enum tally_kind { TK_COUNTS, TK_DISTINCT, TK_RANGE };

/* tally_parse() mode: the kind the cell shows (see there). */
#define TK_AS_WRITTEN	(-1)

/*
 * A parsed cell.  Values are spans into the parsed text, still
 * %-encoded and TSV-escaped.  A zeroed cell is empty; val and cnt are
 * grown by tally_parse() and kept across calls (tally_cell_free()
 * frees them), so one cell can be reused row after row.
 */
struct tally_cell {
	enum tally_kind	 kind;		/* as parsed */
	int		 single;	/* one bare value, standing for the row */
	size_t		 n;		/* values; 0 for an empty cell */
	struct span	*val;		/* TK_RANGE: the whole MIN..MAX text */
	uint64_t	*cnt;		/* TK_COUNTS: per value */
	int64_t		 lo, hi;	/* TK_RANGE */
	uint64_t	 sum;		/* TK_COUNTS: of cnt, at most UINT64_MAX */
	size_t		 cap;		/* of val and cnt */
};

/* What tally_parse() found wrong. */
enum tally_err {
	TALLY_OK,
	TALLY_RANGE,		/* not INTEGER or MIN..MAX */
	TALLY_NOT_DISTINCT,	/* a ':' where a distinct tally was expected */
	TALLY_NOT_COUNTS,	/* separators but no ':' in a counts tally */
	TALLY_ENTRY,		/* a counts entry without VALUE: */
	TALLY_COUNT,		/* a counts entry whose N is not a count */
	TALLY_EMPTY,		/* an empty value in a distinct tally */
	TALLY_PERCENT		/* a '%' not starting %25, %2c or %3a */
};

/*
 * Parse cell s as a tally of the given kind into c, replacing its
 * values.  On an error *bad is the offending text (an entry, or the
 * whole cell) so that callers word their own messages; c is then
 * partly filled and must not be used.
 *
 * kind TK_RANGE: INTEGER or MIN..MAX (lo, hi; n = 1, val[0] = s).  MIN
 *   > MAX is not checked here: merging rejects it, showing does not.
 * kind TK_COUNTS or TK_DISTINCT, strict, as trace-hist merges: a value
 *   without ',' or ':' is single (n = 1, no count: it counts for the
 *   row); else a counts tally must be VALUE:N entries with a non-empty
 *   VALUE, a distinct tally has no ':' and no empty value.  A trailing
 *   ',' ends the list.
 * kind TK_AS_WRITTEN, as a report reads a join: a counts tally when s
 *   holds a ':' (each entry VALUE:N, VALUE may be empty), else distinct;
 *   every ',' separates, so a trailing ',' adds an empty value.
 * An empty s is an empty cell (n = 0) of any kind.  Returns TALLY_OK or
 * the error.
 */
enum tally_err	tally_parse(struct tally_cell *c, struct span s, int kind,
		    struct span *bad);

/*
 * Exit 2 with "FILE:LINE: column COL: ..." for a bad %-encoding in value
 * bad, and for a counts tally adding up to sum, more than the row's
 * count: the wording every tool that reads histograms uses.
 */
NORETURN void tally_die_percent(const char *file, uint64_t line,
	    struct span col, struct span bad);
NORETURN void tally_die_sum(const char *file, uint64_t line,
	    struct span col, uint64_t sum, uint64_t count);

/* Free the arrays of a parsed cell (not the cell) and zero it. */
void	tally_cell_free(struct tally_cell *c);

/* Kind by name ("counts", "distinct", "range"); -1 when unknown. */
int	tally_kind(const char *name);

/* Write a value %-encoded for a tally cell. */
void	tally_put(struct ob *o, const char *p, size_t n);

/*
 * Write a value %-encoded, as tally_put() does, to dst, which has room
 * for 3 * n bytes; returns the bytes written.
 */
size_t	tally_enc(char *dst, const char *p, size_t n);

/*
 * Split line at tabs, as tsv_split() does but by position, and find its
 * last byte that tally_enc() encodes ('%', ',' or ':'): *enc points to
 * it, or is NULL when the line holds none, so that one pass over a row
 * tells a reader which cells need a closer look.  Returns the number of
 * fields in the line; fields 0 to max - 1 (those there are) are where
 * tally_field() finds them: end[i + 1] is the offset where field i ends
 * (its tab, or line.n), end[0] is SIZE_MAX.  end must have room for
 * TALLY_END_ROOM(max) offsets (more than max may be stored).
 */
#define TALLY_END_ROOM(max)	((max) + 66)

size_t	tally_split(struct span line, size_t *end, size_t max,
	    const char **enc);

/* Field i of line, split by tally_split() into end. */
static inline struct span
tally_field(struct span line, const size_t *end, size_t i)
{
	return span_make(line.p + end[i] + 1, end[i + 1] - end[i] - 1);
}

/*
 * The rows of a block of whole lines (rd_block()), each split as
 * tally_split() splits a line, with the newlines, tabs and bytes to
 * encode of the block found in one pass: tally_rows_init() on the
 * block, then tally_rows_next() until it returns 0.  The block must
 * stay in place meanwhile.  The block is classified TALLY_SUB pieces of
 * 64 bytes at a time into bit masks (bit i for byte piece + i), by
 * AVX2, SSE2 or byte by byte as json_path() chooses (TRACE_TOOLS_SIMD);
 * then, inline, a row at a time: the lowest newline left, and the tabs
 * below it.
 */
#define TALLY_SUB	64

struct tally_rows {
	const char	*p;		/* the block */
	size_t		 n;
	size_t		 chunk;		/* offset of the current 64 bytes */
	uint64_t	 t;		/* their tabs not yet seen */
	uint64_t	 nl;		/* their newlines not yet seen */
	uint64_t	 encs;		/* their bytes to encode */
	size_t		 lastenc;	/* the last before them, + 1; 0: none */
	size_t		 row;		/* where the current row starts */
	unsigned	 next, have;	/* in the masks below: next piece, pieces */
	uint64_t	 mt[TALLY_SUB];	/* of the pieces from chunk + 64 on: */
	uint64_t	 mn[TALLY_SUB];	/* tabs, newlines and bytes to encode */
	uint64_t	 me[TALLY_SUB];
};

void	tally_rows_init(struct tally_rows *r, struct span block);

/*
 * Classify the pieces of 64 bytes from chunk + 64 on (up to TALLY_SUB
 * of them) into the masks; 0 at the end of the block.  A last piece
 * shorter than 64 bytes is copied into a zeroed one, so nothing past
 * the block is read.  For tally_rows_load().
 */
int	tally_rows_fill(struct tally_rows *r);

/* Move to the next 64 bytes of the block; 0 at its end.  For
 * tally_rows_next(), which has it inline: tally_rows_load(). */
int	tally_rows_chunk(struct tally_rows *r);

/*
 * Classify with the path given (which json_path_can() must allow) from
 * now on, instead of json_path()'s: for tests of each path.
 */
void	tally_rows_path(int path);

/* tally_rows_chunk(), inline: the masks of the next piece, more pieces
 * classified when those classified run out. */
static inline int
tally_rows_load(struct tally_rows *r)
{
	unsigned i;

	if (r->encs != 0)
		r->lastenc = r->chunk + 64 - (size_t)__builtin_clzll(r->encs);
	r->encs = 0;
	if (r->next == r->have && !tally_rows_fill(r))
		return 0;
	i = r->next++;
	r->chunk += 64;
	r->t = r->mt[i];
	r->nl = r->mn[i];
	r->encs = r->me[i];
	return 1;
}

/*
 * The next row into *line, as rd_line() would hand it out (without its
 * "\n" and a "\r" before it; the last may lack "\n"), split into end
 * as tally_split(line, end, max, enc) would split it; *nf is its number
 * of fields.  Returns 1 for a row, 0 at the end of the block.
 */
static inline int
tally_rows_next(struct tally_rows *r, struct span *line, size_t *end,
    size_t max, size_t *nf, const char **enc)
{
	/* In locals: for all the compiler knows, end could point into r. */
	size_t chunk = r->chunk, row = r->row, tabs = 0, base, at, e;
	uint64_t t = r->t, n = r->nl, m, tb;
	size_t *ep;
	unsigned b;

	base = chunk - row;
	while (n == 0) {
		/* no newline left here: the row's tabs, then on */
		if (tabs <= max) {	/* room for 64 more */
			for (ep = end + tabs; t != 0; t &= t - 1)
				*++ep = base + (unsigned)__builtin_ctzll(t);
			tabs = (size_t)(ep - end);
		} else
			for (; t != 0; t &= t - 1)
				tabs++;
		if (!tally_rows_load(r)) {
			if (row >= r->n)
				return 0;
			/* the last line, without a newline */
			chunk = r->n;
			b = 0;
			goto out;
		}
		chunk = r->chunk;
		t = r->t;
		n = r->nl;
		base = chunk - row;
	}
	/* the tabs before the next newline */
	m = n & -n;
	tb = t & (m - 1);
	t ^= tb;
	n ^= m;
	if (tabs <= max) {
		for (ep = end + tabs; tb != 0; tb &= tb - 1)
			*++ep = base + (unsigned)__builtin_ctzll(tb);
		tabs = (size_t)(ep - end);
	} else
		for (; tb != 0; tb &= tb - 1)
			tabs++;
	b = (unsigned)__builtin_ctzll(m);
out:
	at = chunk + b;
	line->p = r->p + row;
	line->n = at - row;
	if (line->n > 0 && line->p[line->n - 1] == '\r')
		line->n--;
	if (tabs <= max)
		end[tabs + 1] = line->n;
	end[0] = SIZE_MAX;
	*nf = tabs + 1;
	if ((r->encs | r->lastenc) == 0)	/* the usual case */
		*enc = NULL;
	else {
		m = r->encs & ((1ULL << b) - 1);
		e = m != 0 ? chunk + 64 - (size_t)__builtin_clzll(m) :
		    r->lastenc;
		*enc = e > row ? r->p + e - 1 : NULL;
	}
	r->row = at + 1;
	r->t = t;
	r->nl = n;
	return 1;
}

/*
 * Decode a %-encoded value into sb (replacing its content).  Returns 0,
 * or -1 for a '%' not followed by 25, 2c or 3a (either case).
 */
int	tally_decode(struct span v, struct sbuf *sb);

#endif
