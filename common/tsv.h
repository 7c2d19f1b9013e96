/*
 * tsv.h - the event format's TSV layer: headers, rows, escaping.
 *
 * Every file the tools exchange is UTF-8 TSV whose first line names the
 * columns; columns are always addressed by name.  Inside a field the
 * only escapes are "\\" (backslash), "\t" (tab), "\n" (newline) and "\r"
 * (carriage return); every other byte stands for itself.  An empty field
 * means the value is absent.  See trace-format(5).
 */
#ifndef TRACE_TSV_H
#define TRACE_TSV_H

#include <stddef.h>
#include <stdint.h>

#include "ob.h"
#include "span.h"
#include "xmem.h"

/* A parsed header.  Owns a copy of the header line. */
struct tsv_hdr {
	size_t		 ncol;
	struct span	*col;	/* column names, escaped form */
	char		*line;	/* the header line as read */
	size_t		 len;
	const char	*file;	/* for messages (not owned) */
};

/*
 * Parse a header line read from file (line 1).  Exits 2 with
 * "FILE:1: ..." on an empty, duplicate or unescapable column name.
 * tsv_hdr_parse_at() is the same for a header on another line.
 */
void	tsv_hdr_parse(struct tsv_hdr *h, struct span line, const char *file);
void	tsv_hdr_parse_at(struct tsv_hdr *h, struct span line, const char *file,
	    uint64_t lineno);
void	tsv_hdr_free(struct tsv_hdr *h);

/* Index of the column named name, or -1. */
int	tsv_col(const struct tsv_hdr *h, const char *name);

/*
 * Index of the column named name; if there is none, exit 2 with
 * "FILE: no column 'name' (columns: a, b, c)" and, when what is not NULL,
 * "; expected WHAT" appended.
 */
int	tsv_need(const struct tsv_hdr *h, const char *name, const char *what);

/* The column list "a, b, c" for messages (caller frees). */
char	*tsv_hdr_list(const struct tsv_hdr *h);

/*
 * The index of the `count` column of a keyed stream or histogram.  Exits
 * 2 when there is none, naming the columns and what was expected
 * (adding a hint when the header is a join's), or when no key column
 * comes before it.
 */
size_t	tsv_count_col(const struct tsv_hdr *h, const char *what);

/* Whether s can name a column: not empty, no tab, newline, CR or
 * backslash. */
int	tsv_name_ok(const char *s);

/* Whether the line is byte-identical to the header line. */
int	tsv_is_hdr(const struct tsv_hdr *h, struct span line);

/*
 * Split line at tabs into f[0..max-1].  Returns the number of fields in
 * the line, which may exceed max (then only max are stored).
 */
size_t	tsv_split(struct span line, struct span *f, size_t max);

/*
 * Write s to o escaped for a TSV field.  Bytes that need no escape are
 * copied in runs.
 */
void	tsv_put(struct ob *o, const char *p, size_t n);

/*
 * Unescape a TSV field into sb (replacing its content); returns 0, or -1
 * for a backslash that starts no known escape (sb then holds the prefix).
 */
int	tsv_unescape(struct span s, struct sbuf *sb);

#endif
