/*
 * ob.h - buffered output with checked writes and atomic report files.
 *
 * An ob writes through a large buffer straight to a file descriptor.  Any
 * write error (ENOSPC, EPIPE with SIGPIPE ignored, EBADF on a closed
 * stdout) prints "PROG: NAME: write error: strerror" and exits 2.  With
 * the default SIGPIPE disposition a vanished reader ends the process
 * quietly, as for any filter.
 *
 * ob_create() writes a named file atomically: the bytes go to a temporary
 * file beside it (with the replaced file's mode, and owner for root).
 * When every ob of the run is closed, all such files are renamed into
 * place together; if the process exits any other way, or dies of a
 * signal, the temporary files are removed, so no partial or lone output
 * ever appears under a final name.  /dev/stdout, /dev/stderr, /dev/fd/N
 * and /proc/self/fd/N are written through the open descriptor, in place.
 */
#ifndef TRACE_OB_H
#define TRACE_OB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "span.h"

struct ob;

/* Standard output.  Exits 2 at once when fd 1 is not open. */
struct ob *ob_stdout(void);

/*
 * Prepare path for atomic writing ("-" means standard output).  The
 * temporary file is created now, so an unwritable directory is reported
 * before any work is done.
 */
struct ob *ob_create(const char *path);

/*
 * Append bytes to the output: n bytes from p, a NUL-terminated string, a
 * span, one byte, a number in canonical decimal, printf output.  The
 * bytes are the caller's and copied; p may be NULL when n is 0.
 */
static inline void ob_write(struct ob *o, const void *p, size_t n);
void	ob_puts(struct ob *o, const char *s);
void	ob_span(struct ob *o, struct span s);
static inline void ob_putc(struct ob *o, int c);
void	ob_u64(struct ob *o, uint64_t v);
void	ob_i64(struct ob *o, int64_t v);
void	ob_printf(struct ob *o, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Build output in place, without a copy.  ob_reserve() returns a pointer
 * to at least n writable bytes at the end of the output (writing the
 * buffer out first when it has less room, and growing it when n exceeds
 * OB_BUFSZ).  ob_commit() then makes the first n of them, n no more than
 * reserved, part of the output.  The pointer is valid until the next
 * call on o; bytes reserved and not committed are not output.
 */
static inline char *ob_reserve(struct ob *o, size_t n);
static inline void ob_commit(struct ob *o, size_t n);

/* Write the buffer out now (used after a header so pipelines fail fast). */
void	ob_flush(struct ob *o);

/*
 * Flush and close.  Closing the last open ob renames every ob_create()
 * file into place.
 */
void	ob_close(struct ob *o);

/* The size of an ob's buffer. */
#define OB_BUFSZ	(1u << 18)

/*
 * Internal: the layout and slow paths of the inline functions below; not
 * for callers, who use the functions above.  ob_write_slow() writes
 * what does not fit the buffer; ob_make_room() writes the buffer out and
 * grows it to hold at least n bytes.
 */
struct ob {
	char		*buf;
	size_t		 len, cap;
	int		 fd;
	char		*name;		/* for messages */
	char		*path;		/* final name (ob_create) */
	char		*tmp;		/* temporary name (ob_create) */
};

void	ob_write_slow(struct ob *o, const void *p, size_t n);
void	ob_make_room(struct ob *o, size_t n);

/* The common case inline: room in the buffer. */
static inline void
ob_write(struct ob *o, const void *p, size_t n)
{
	if (n <= o->cap - o->len) {
		if (n > 0)
			memcpy(o->buf + o->len, p, n);
		o->len += n;
		return;
	}
	ob_write_slow(o, p, n);
}

static inline void
ob_putc(struct ob *o, int c)
{
	if (o->len == o->cap)
		ob_make_room(o, 1);
	o->buf[o->len++] = (char)c;
}

static inline char *
ob_reserve(struct ob *o, size_t n)
{
	if (o->cap - o->len < n)
		ob_make_room(o, n);
	return o->buf + o->len;
}

static inline void
ob_commit(struct ob *o, size_t n)
{
	o->len += n;
}

#endif
