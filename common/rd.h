/*
 * rd.h - line reader over a file, stdin, or gzip/zstd data.
 *
 * Compression is detected from the magic bytes, never the name: 1f 8b is
 * gzip (concatenated members allowed), 28 b5 2f fd is zstd (concatenated
 * frames allowed).  Compressed input is inflated by a second thread while
 * the caller parses, so both cores work.  Truncated or corrupt compressed
 * data, trailing garbage after it, and read errors are fatal: the reader
 * prints "PROG: FILE: reason" and exits 2, so a shorter result is never
 * mistaken for a complete one.
 *
 * Lines have no length limit.  A missing final newline is fine.  The line
 * handed out excludes "\n" and a "\r" before it; a UTF-8 byte order mark
 * at the start of the input is dropped.
 */
#ifndef TRACE_RD_H
#define TRACE_RD_H

#include <stddef.h>
#include <stdint.h>

#include "span.h"

struct rd;

/*
 * Open path ("-" means stdin) for reading.  On failure print
 * "PROG: PATH: strerror" and return NULL, so that a tool can report every
 * unreadable operand before it exits.
 */
struct rd *rd_open(const char *path);

/*
 * The next line into *line (valid until the next rd_line call).  Returns 1
 * for a line, 0 at end of input.  Exits 2 on a read or decompression error.
 */
int	rd_line(struct rd *r, struct span *line);

/*
 * The next piece of input in bounded memory, for formats whose records
 * do not follow lines (a JSON document on one line): a whole line when it
 * is short, else the line in pieces of up to 1 MiB.  *eol says
 * whether the piece ends its line (then "\n" and a "\r" before it are
 * dropped, as rd_line does).  rd_lineno() is the number of the line the
 * piece belongs to.  Returns 1 for a piece, 0 at end of input.  May be
 * mixed with rd_line at line boundaries.
 */
int	rd_piece(struct rd *r, struct span *piece, int *eol);

/*
 * The next block of whole lines, for a caller that splits them itself
 * (trace-normalize hands blocks to its threads): the input from where
 * rd_line would go on, up to the end of the last line that ends within
 * max bytes (or an earlier one: compressed data comes as the
 * decompression thread delivers it, in the place it put it), each line's
 * "\n" (and a "\r" before it) still in place; a first line longer than
 * max comes whole, and so does a last line with no "\n" at the end of
 * the input.  *block is valid until the next call on r.  The lines are not counted: rd_lineno() stays where it was until
 * the caller adds them with rd_add_lines().  Returns 1 for a block, 0 at
 * end of input.  May be mixed with rd_line at line boundaries.
 */
int	rd_block(struct rd *r, size_t max, struct span *block);

/*
 * rd_block(), appended to a growable buffer (*buf of *cap bytes, *len
 * of them used; grown with xrealloc, or see rd_huge()): when the reader holds no whole
 * line, the input is read straight into the buffer, without passing
 * through the reader's own.  Returns 1 when lines were appended, 0 at
 * end of input.
 */
int	rd_block_into(struct rd *r, size_t max, char **buf, size_t *len,
	    size_t *cap);

/* Count n lines the caller took through rd_block() or
 * rd_block_into(). */
void	rd_add_lines(struct rd *r, uint64_t n);

/*
 * What follows in the input, without consuming it: at least the rest of
 * the current line or a few hundred KiB of it, whichever is shorter
 * (less only at the end of the input).  Valid until the next call on r.
 * Returns 2 when *ahead holds the rest of the line (its newline, or the
 * end of the input), 1 when only a part of it, 0 at end of input.
 */
int	rd_peek(struct rd *r, struct span *ahead);

/*
 * Hand lines out exactly as read: no byte order mark dropped, no "\r"
 * stripped.  Call before the first rd_line (trace-normalize --check).
 */
void	rd_raw(struct rd *r);

/* Whether the line last handed out ended with "\n" (only the last line
 * of an input can lack it). */
int	rd_had_newline(const struct rd *r);

/* Name for messages ("-" reads as "(stdin)"), and current line number. */
const char *rd_name(const struct rd *r);
uint64_t rd_lineno(const struct rd *r);

/*
 * Where the line last handed out by rd_line() starts in the file, so that
 * a caller can read it again with pread(2) from a descriptor of its own
 * instead of keeping it: for a regular, uncompressed file opened by name.
 * UINT64_MAX for standard input, pipes and compressed data, or before the
 * first line.
 */
uint64_t rd_line_offset(const struct rd *r);

/*
 * For a caller that reads the rest of a regular, uncompressed file
 * opened by name itself, by offset (pread(2), from several threads at
 * once): rd_rest() gives the file's descriptor and the offset where the
 * line last handed out by rd_line() starts, and returns 1, or 0 when the
 * input is no such file.  rd_rest_at() then says how far the caller has
 * read, for rd_rawpos(); rd_rest_end() leaves the reader at the end of
 * its input, the file read up to off.  The descriptor stays the
 * reader's: it is closed by rd_close().
 */
int	rd_rest(struct rd *r, int *fd, uint64_t *off);
void	rd_rest_at(struct rd *r, uint64_t off);
void	rd_rest_end(struct rd *r, uint64_t off);

/* Size of the underlying file when known (regular file), else 0, and
 * compressed bytes consumed so far (for progress). */
uint64_t rd_size(const struct rd *r);
uint64_t rd_rawpos(const struct rd *r);

/*
 * Open every operand (none means "-"); after reporting each one that
 * cannot be opened, exit 2.  Returns an array of *n readers.
 */
struct rd **rd_open_all(char **names, int n, int *nout);

/*
 * Memory for the buffers a large input fills: n bytes, rounded up to a
 * multiple of 2 MiB, aligned to 2 MiB and offered to the kernel for
 * transparent huge pages (madvise), so that the first touch of each
 * 4 KiB page -- a fault, which some virtual machines make costly --
 * comes once per 2 MiB instead.  Returns NULL when the mapping fails
 * (the caller mallocs instead, as it does when many regions are in use
 * at once).  rd_huge_free() takes the same n.  The readers use it for a
 * large file's buffers; trace-normalize for its chunks.  A buffer given
 * to rd_block_into() may lie in a region: when it has to grow, it is
 * copied to malloc's memory instead of realloc'd, and the region stays
 * the caller's.
 */
void	*rd_huge(size_t n);
void	rd_huge_free(void *p, size_t n);

/* Close and free; returns nothing: errors were fatal already. */
void	rd_close(struct rd *r);

/*
 * Exit 2 with a usage message when "-" is among names more than once:
 * the standard input can be read only once.
 */
void	rd_one_stdin(char **names, int n);

#endif
