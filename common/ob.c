/* ob.c - checked buffered output and atomic files; see ob.h. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "num.h"
#include "ob.h"
#include "xmem.h"

/* Temporary files still to remove if we exit before renaming them. */
static char	**tmps;
static size_t	  ntmps;
static int	  hooked;

static void
rm_tmps(void)
{
	for (size_t i = 0; i < ntmps; i++)
		if (tmps[i] != NULL)
			unlink(tmps[i]);
}

/*
 * Killed by SIGINT, SIGTERM or SIGHUP: remove the temporary files, then
 * die of the same signal (unlink and raise are async-signal-safe).
 */
static void
on_signal(int sig)
{
	rm_tmps();
	signal(sig, SIG_DFL);
	raise(sig);
}

static struct ob *
ob_new(int fd, const char *name)
{
	struct ob *o = xcalloc(1, sizeof(*o));

	o->fd = fd;
	o->cap = OB_BUFSZ;
	o->buf = xmalloc(o->cap);
	o->name = xstrdup(name);
	return o;
}

struct ob *
ob_stdout(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) != 0)
		die_errno("standard output: write error");
#ifdef F_SETPIPE_SZ
	/* A pipe between two stages: a larger one means fewer switches. */
	if (S_ISFIFO(st.st_mode))
		(void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
#endif
	return ob_new(STDOUT_FILENO, "standard output");
}

struct ob *
ob_create(const char *path)
{
	struct ob *o;
	struct stat st;
	const char *slash;
	char *tmp, *real = NULL;
	size_t dirlen, len;
	int fd;

	if (strcmp(path, "-") == 0)
		return ob_stdout();
	/*
	 * A device, FIFO or other special file (/dev/stdout, /dev/null) is
	 * written in place: it cannot be replaced, and renaming over it
	 * would replace the link or node itself.  A symbolic link is
	 * followed, so that the file it names is the one replaced.
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			die_errno("%s: cannot create", path);
		}
		if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
			die_errno("%s: cannot open", path);
		return ob_new(fd, path);
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (real = realpath(path, NULL)) == NULL)
		die_errno("%s: cannot resolve", path);
	if (real != NULL)
		path = real;
	slash = strrchr(path, '/');
	dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	len = strlen(path) + 16;
	tmp = xmalloc(len);
	snprintf(tmp, len, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	if ((fd = mkstemp(tmp)) < 0)
		die_errno("%s: cannot create", path);
	/* mkstemp makes 0600; a report is an ordinary file. */
	{
		mode_t um = umask(0);

		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	if (!hooked) {
		static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

		msg_atexit(rm_tmps);
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			struct sigaction sa, old;

			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = on_signal;
			sigemptyset(&sa.sa_mask);
			/* leave signals a caller chose to ignore ignored */
			if (sigaction(sigs[i], NULL, &old) == 0 &&
			    old.sa_handler != SIG_IGN)
				sigaction(sigs[i], &sa, NULL);
		}
		hooked = 1;
	}
	tmps = xreallocarray(tmps, ntmps + 1, sizeof(*tmps));
	tmps[ntmps++] = tmp;
	o = ob_new(fd, path);
	o->path = xstrdup(path);
	o->tmp = tmp;
	free(real);
	return o;
}

/* Write the buffer's bytes out and empty it. */
static void
ob_drain(struct ob *o)
{
	size_t off = 0;
	ssize_t k;

	while (off < o->len) {
		k = write(o->fd, o->buf + off, o->len - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			die_errno("%s: write error", o->name);
		}
		off += (size_t)k;
	}
	o->len = 0;
}

void
ob_make_room(struct ob *o, size_t n)
{
	ob_drain(o);
	if (n > o->cap) {
		o->buf = xrealloc(o->buf, n);
		o->cap = n;
	}
}

void
ob_write_slow(struct ob *o, const void *p, size_t n)
{
	if (n > o->cap - o->len) {
		ob_drain(o);
		if (n >= o->cap) {
			/* Large writes bypass the buffer. */
			const char *s = p;

			while (n > 0) {
				ssize_t k = write(o->fd, s, n);

				if (k < 0) {
					if (errno == EINTR)
						continue;
					die_errno("%s: write error", o->name);
				}
				s += k;
				n -= (size_t)k;
			}
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void
ob_puts(struct ob *o, const char *s)
{
	ob_write(o, s, strlen(s));
}

void
ob_span(struct ob *o, struct span s)
{
	ob_write(o, s.p, s.n);
}

void
ob_u64(struct ob *o, uint64_t v)
{
	char b[NUM_INT_MAX];

	ob_write(o, b, num_fmt_u64(b, v));
}

void
ob_i64(struct ob *o, int64_t v)
{
	char b[NUM_INT_MAX];

	ob_write(o, b, num_fmt_i64(b, v));
}

void
ob_printf(struct ob *o, const char *fmt, ...)
{
	va_list ap;
	char small[256], *p = small;	/* most output fits: no malloc */
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		dief("output formatting error");
	if ((size_t)n >= sizeof(small)) {
		p = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	ob_write(o, p, (size_t)n);
	if (p != small)
		free(p);
}

void
ob_flush(struct ob *o)
{
	ob_drain(o);
}

void
ob_close(struct ob *o)
{
	ob_drain(o);
	if (o->tmp != NULL) {
		if (close(o->fd) != 0)
			die_errno("%s: write error", o->name);
		if (rename(o->tmp, o->path) != 0)
			die_errno("%s: cannot rename into place", o->path);
		for (size_t i = 0; i < ntmps; i++)
			if (tmps[i] == o->tmp)
				tmps[i] = NULL;
		free(o->tmp);
		free(o->path);
	} else if (o->fd != STDOUT_FILENO && close(o->fd) != 0)
		die_errno("%s: write error", o->name);
	free(o->name);
	free(o->buf);
	free(o);
}
