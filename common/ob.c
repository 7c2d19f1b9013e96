/* ob.c - checked buffered output and atomic files; see ob.h. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/*
 * Temporary files still to remove if we exit before renaming them, and
 * the names they get: a closed file waits in this list, complete, until
 * every ob of the run is closed; then all are renamed into place
 * together.  A run that dies before that leaves none of them behind.
 */
static char	**tmps;
static char	**finals;
static size_t	  ntmps;
static int	  nopen;	/* obs not yet closed */
static int	  hooked;

static void
rm_tmps(void)
{
	for (size_t i = 0; i < ntmps; i++)
		if (tmps[i] != NULL)
			unlink(tmps[i]);
}

/*
 * The signals whose default action ends the process and that a process
 * can catch.  The faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL) come back at
 * once under the previous handler, which a sanitizer may have set.
 */
static const int fatal_sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
	SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
	SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,
#ifdef SIGPOLL
	SIGPOLL,
#endif
#ifdef SIGPWR
	SIGPWR,
#endif
	SIGSYS
};
#define NFATAL	(sizeof(fatal_sigs) / sizeof(fatal_sigs[0]))
static struct sigaction old_action[NFATAL];

/*
 * A fatal signal: remove the temporary files, then end as the signal
 * would have without us -- the previous disposition is restored and the
 * signal raised again (unlink, sigaction and raise are async-signal-safe).
 */
static void
on_signal(int sig)
{
	rm_tmps();
	for (size_t i = 0; i < NFATAL; i++)
		if (fatal_sigs[i] == sig)
			sigaction(sig, &old_action[i], NULL);
	raise(sig);
}

/* Remove the temporary files at exit and on every fatal signal. */
static void
hook_signals(void)
{
	struct sigaction sa;

	if (hooked)
		return;
	msg_atexit(rm_tmps);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFATAL; i++)
		/* leave signals a caller chose to ignore ignored */
		if (sigaction(fatal_sigs[i], NULL, &old_action[i]) == 0 &&
		    old_action[i].sa_handler != SIG_IGN)
			sigaction(fatal_sigs[i], &sa, NULL);
	hooked = 1;
}

/*
 * Refuse a second output to the same file: the last rename would win
 * and the other output would be lost.  Files that exist are compared by
 * device and inode, new ones by their resolved name.
 */
static char *
canonical(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xasprintf("%.*s", (int)(slash - path), path);
	char *real = realpath(dir, NULL), *c;

	c = real == NULL ? xstrdup(path) : xasprintf("%s/%s", real,
	    slash == NULL ? path : slash + 1);
	free(real);
	free(dir);
	return c;
}

static void
check_distinct(const char *path, const char *given)
{
	struct stat a, b;
	char *c = canonical(path), *d;
	int same;

	for (size_t i = 0; i < ntmps; i++) {
		if (finals[i] == NULL)
			continue;
		d = canonical(finals[i]);
		same = strcmp(c, d) == 0 || (stat(finals[i], &a) == 0 &&
		    stat(path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino);
		free(d);
		if (same)
			die_usage("%s: the same file as another output of this "
			    "run", given);
	}
	free(c);
}

/*
 * The descriptor named by /dev/stdout, /dev/stderr, /dev/fd/N or
 * /proc/self/fd/N, or -1 for any other path.  Such a path is written
 * through the descriptor already open, in place, as standard output
 * is: renaming a file over what it points to would replace the file
 * the caller redirected to (and lose what `>>` was appending to).
 */
static int
open_fd_path(const char *path)
{
	const char *d = NULL;
	uint64_t v;

	if (strcmp(path, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(path, "/dev/stderr") == 0)
		return STDERR_FILENO;
	if (strncmp(path, "/dev/fd/", 8) == 0)
		d = path + 8;
	else if (strncmp(path, "/proc/self/fd/", 14) == 0)
		d = path + 14;
	if (d == NULL || num_parse_u64(span_make(d, strlen(d)), &v) != NUM_OK ||
	    v > INT_MAX)
		return -1;
	return (int)v;
}

/*
 * The file a path names after following symbolic links, even to a file
 * that does not exist yet (a dangling link names the file to create).
 * Returns a new string.
 */
static char *
resolve_links(const char *path)
{
	char *cur = xstrdup(path), *next;
	struct stat st;
	int hops;

	for (hops = 0; lstat(cur, &st) == 0 && S_ISLNK(st.st_mode); hops++) {
		char buf[PATH_MAX];
		ssize_t k;
		const char *slash;

		if (hops == 40) {
			errno = ELOOP;
			die_errno("%s: cannot resolve", path);
		}
		if ((k = readlink(cur, buf, sizeof(buf) - 1)) < 0)
			die_errno("%s: cannot resolve", path);
		buf[k] = '\0';
		slash = strrchr(cur, '/');
		if (buf[0] == '/' || slash == NULL)
			next = xstrdup(buf);
		else
			next = xasprintf("%.*s/%s", (int)(slash - cur), cur, buf);
		free(cur);
		cur = next;
	}
	return cur;
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
	nopen++;
	return ob_new(STDOUT_FILENO, "standard output");
}

struct ob *
ob_create(const char *path)
{
	struct ob *o;
	struct stat st;
	const char *slash, *given;
	char *tmp, *real = NULL;
	size_t dirlen, base;
	int fd;

	if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0)
		return ob_stdout();
	if ((fd = open_fd_path(path)) >= 0) {
		if (fcntl(fd, F_GETFD) < 0)
			die_errno("%s: cannot write", path);
		if ((fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0)
			die_errno("%s: cannot write", path);
		nopen++;
		return ob_new(fd, path);
	}
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
		nopen++;
		return ob_new(fd, path);
	}
	given = path;
	path = real = resolve_links(path);
	check_distinct(path, given);
	slash = strrchr(path, '/');
	dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	/*
	 * ".NAME.XXXXXX" beside the file, NAME cut so that the temporary
	 * name stays within NAME_MAX when the final name is near it.
	 */
	base = strlen(path + dirlen);
	if (base > NAME_MAX - 8)
		base = NAME_MAX - 8;
	tmp = xasprintf("%.*s.%.*s.XXXXXX", (int)dirlen, path, (int)base,
	    path + dirlen);
	hook_signals();
	if ((fd = mkstemp(tmp)) < 0)
		die_errno("%s: cannot create", path);
	tmps = xreallocarray(tmps, ntmps + 1, sizeof(*tmps));
	finals = xreallocarray(finals, ntmps + 1, sizeof(*finals));
	tmps[ntmps] = tmp;
	finals[ntmps++] = xstrdup(path);
	/*
	 * mkstemp makes 0600.  A file that replaces another keeps its
	 * permission bits (and, for root, its owner and group: a private
	 * file stays private); a new one is an ordinary file.
	 */
	if (stat(path, &st) == 0) {
		/* best effort: a file system without owners keeps root's */
		if (geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) != 0)
			errno = 0;
		fchmod(fd, st.st_mode & 07777);
	} else {
		mode_t um = umask(0);

		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	nopen++;
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

/* The run's outputs are complete: rename every closed file into place. */
static void
rename_all(void)
{
	for (size_t i = 0; i < ntmps; i++) {
		if (tmps[i] == NULL)
			continue;
		if (rename(tmps[i], finals[i]) != 0)
			die_errno("%s: cannot rename into place", finals[i]);
		free(tmps[i]);
		free(finals[i]);
		tmps[i] = finals[i] = NULL;
	}
}

void
ob_close(struct ob *o)
{
	ob_drain(o);
	if (o->tmp != NULL) {
		if (close(o->fd) != 0)
			die_errno("%s: write error", o->name);
		free(o->path);	/* the file waits in tmps[] for rename_all() */
	} else if (o->fd != STDOUT_FILENO && close(o->fd) != 0)
		die_errno("%s: write error", o->name);
	free(o->name);
	free(o->buf);
	free(o);
	if (--nopen == 0)
		rename_all();
}
