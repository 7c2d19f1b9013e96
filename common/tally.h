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
 */
#ifndef TRACE_TALLY_H
#define TRACE_TALLY_H

#include <stddef.h>

#include "ob.h"
#include "span.h"
#include "xmem.h"

enum tally_kind { TK_COUNTS, TK_DISTINCT, TK_RANGE };

/* Kind by name ("counts", "distinct", "range"); -1 when unknown. */
int	tally_kind(const char *name);

/* Write a value %-encoded for a tally cell. */
void	tally_put(struct ob *o, const char *p, size_t n);

/*
 * Decode a %-encoded value into sb (replacing its content).  Returns 0,
 * or -1 for a '%' not followed by 25, 2c or 3a (either case).
 */
int	tally_decode(struct span v, struct sbuf *sb);

#endif
