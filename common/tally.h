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
 * block, then tally_rows_short() or tally_rows_next() for each row
 * until both return 0.  The block must stay in place meanwhile.  The
 * block is classified TALLY_SUB + 1 pieces of 64 bytes at a time (the
 * last, as a rule, again as the first of the next) into bit masks (bit
 * i for byte piece + i), by AVX2, SSE2 or byte by byte as json_path()
 * chooses (TRACE_TOOLS_SIMD).  Most rows are shorter than
 * 64 bytes: the 64 bits of each mask from a row's first byte on (a
 * piece's and the next one's) hold its newline, all its tabs and all
 * its bytes to encode, which tally_rows_short() hands out inline as
 * they are; longer rows, the last row of a block without a newline and
 * a row whose next piece is not classified yet go the long way, piece
 * by piece: tally_rows_next().
 */
#define TALLY_SUB	64

struct tally_rows {
	const char	*p;		/* the block */
	size_t		 n;
	size_t		 s;		/* where the next row starts */
	size_t		 base;		/* offset of the piece of mt[0] */
	unsigned	 have;		/* pieces classified from base on */
	unsigned	 lim;		/* of them, those the next of which is
					 * classified too (zero past the end) */
	uint64_t	 mt[TALLY_SUB + 2];	/* tabs, newlines and bytes */
	uint64_t	 mn[TALLY_SUB + 2];	/* to encode of the pieces */
	uint64_t	 me[TALLY_SUB + 2];
};

void	tally_rows_init(struct tally_rows *r, struct span block);

/*
 * Classify the pieces of 64 bytes from offset at (a multiple of 64,
 * less than the block's length) on, up to TALLY_SUB + 1 of them, into
 * the masks.  A last piece shorter than 64 bytes is copied into a
 * zeroed one, so nothing past the block is read; past the block's last
 * piece the masks are zero.  For tally_rows_next().
 */
void	tally_rows_fill(struct tally_rows *r, size_t at);

/*
 * Classify with the path given (which json_path_can() must allow) from
 * now on, instead of json_path()'s: for tests of each path.
 */
void	tally_rows_path(int path);

/*
 * Whether code that walks rows may use the bit instructions (popcnt,
 * BMI1, BMI2) that CPUs with AVX2 have: 1 with the AVX2 path on a CPU
 * that has them, so that TRACE_TOOLS_SIMD=sse2 or scalar takes code for
 * any CPU.  Callers compile their walk twice, once with
 * __attribute__((target("popcnt,bmi,bmi2"))).
 */
int	tally_rows_bits(void);

/*
 * The next row into *line, as rd_line() would hand it out (without its
 * "\n" and a "\r" before it; the last may lack "\n"), split into end
 * as tally_split(line, end, max, enc) would split it; *nf is its number
 * of fields.  Returns 1 for a row, 0 at the end of the block.  end must
 * have room for TALLY_END_ROOM(max) offsets.
 */
int	tally_rows_next(struct tally_rows *r, struct span *line, size_t *end,
	    size_t max, size_t *nf, const char **enc);

/*
 * The next row, as tally_rows_next() hands it out, when it ends in a
 * newline less than 64 bytes on and its next piece is classified: *tabs
 * has bit i set for each tab line->p[i] (tally_mask_split() turns it
 * into offsets), *enc is as tally_split() sets it.  Returns 1 for such
 * a row; 0, the state untouched, when the next row is not one (or there
 * is none): tally_rows_next() takes it then.
 */
static inline __attribute__((always_inline)) int
tally_rows_short(struct tally_rows *r, struct span *line, uint64_t *tabs,
    const char **enc)
{
	size_t s = r->s, c = (s - r->base) / 64, len;
	unsigned o = (unsigned)(s % 64);
	uint64_t nw, tw, ew, below;

	if (c >= r->lim)
		return 0;
	/* the 64 bits from s on: piece c's from o, the next one's below o */
	nw = r->mn[c] >> o | (r->mn[c + 1] << 1) << (63 - o);
	if (nw == 0)
		return 0;
	len = (size_t)__builtin_ctzll(nw);
	below = ((uint64_t)1 << len) - 1;
	tw = (r->mt[c] >> o | (r->mt[c + 1] << 1) << (63 - o)) & below;
	line->p = r->p + s;
	line->n = len;
	if (len > 0 && line->p[len - 1] == '\r')
		line->n--;
	*tabs = tw;
	*enc = NULL;
	if ((r->me[c] | r->me[c + 1]) != 0) {	/* rare */
		ew = (r->me[c] >> o | (r->me[c + 1] << 1) << (63 - o)) & below;
		if (ew != 0)
			*enc = line->p + 63 - __builtin_clzll(ew);
	}
	r->s = s + len + 1;
	return 1;
}

/*
 * Split a row of length len whose tabs are the bits of mask tabs (as
 * tally_rows_short() hands it out) into end as tally_split() would.
 * Returns the number of fields.  end must have room for 66 offsets
 * (TALLY_END_ROOM(max) has).
 */
static inline __attribute__((always_inline)) size_t
tally_mask_split(uint64_t tabs, size_t len, size_t *end)
{
	size_t i = 1;

	end[0] = SIZE_MAX;
	for (; tabs != 0; tabs &= tabs - 1)
		end[i++] = (size_t)__builtin_ctzll(tabs);
	end[i] = len;
	return i;
}

/*
 * tally_mask_split() for a row of nf fields (tabs holds nf - 1 tabs,
 * nf >= from >= 1), from end[from] on only: where field from - 1 ends
 * and what fields from on need.  The tabs are taken from the highest
 * down, so that those before are not looked at.
 */
static inline __attribute__((always_inline)) void
tally_mask_tail(uint64_t tabs, size_t len, size_t *end, size_t from,
    size_t nf)
{
	size_t i, b;

	end[nf] = len;
	for (i = nf - 1; i >= from; i--) {
		b = 63 - (size_t)__builtin_clzll(tabs);
		end[i] = b;
		tabs ^= (uint64_t)1 << b;
	}
}

/*
 * Decode a %-encoded value into sb (replacing its content).  Returns 0,
 * or -1 for a '%' not followed by 25, 2c or 3a (either case).
 */
int	tally_decode(struct span v, struct sbuf *sb);

#endif
