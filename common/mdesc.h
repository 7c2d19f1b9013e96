/*
 * mdesc.h - trace values and text in Markdown, as every Markdown writer
 * of the tools shows them.
 *
 * A trace value (a key, a tally value, a note) is a code span, so that
 * no renderer makes links, mentions or markup of it: a backtick run one
 * longer than the longest inside (padded with a space when the value
 * starts or ends with a backtick or with spaces on both ends); inside, a
 * backslash is \x5c, control bytes are \xhh, bidirectional controls
 * \uXXXX, a '<' that could open an HTML tag or autolink (before a
 * letter, '/', '!' or '?') \x3c, since those outrank code spans in
 * CommonMark, and in a table '|' is \| (the table's escape, removed
 * before the span is read).  An empty value is (empty), outside a span.
 * Other text (column, side and family names) is escaped: backslash, '|',
 * '`', '[' and ']' are backslash-escaped, '<', '>' and '&' become
 * entities, control characters \t, \n, \xNN and bidirectional controls
 * \uXXXX.  Underscores and asterisks stay as they are, for readability
 * in a terminal: at worst they change emphasis.
 */
#ifndef TRACE_MDESC_H
#define TRACE_MDESC_H

#include <stddef.h>

#include "ob.h"
#include "span.h"

/*
 * Bytes of a bidirectional control character at p (U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069, in UTF-8), else 0; its code
 * point in *cp.  Every writer but JSON shows them as \uXXXX.
 */
size_t	bidi_len(const unsigned char *p, size_t n, unsigned *cp);

/* Text, escaped. */
void	md_esc_text(struct ob *o, struct span s);

/* A trace value as a code span; intable: in a table cell. */
void	md_esc_code(struct ob *o, struct span s, int intable);

#endif
