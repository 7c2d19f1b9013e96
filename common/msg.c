/* msg.c - message formatting and exit on trouble; see msg.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "xmem.h"

static const char *prog = "trace-tools";

void
msg_init(const char *argv0)
{
	const char *s;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	s = strrchr(argv0, '/');
	prog = s != NULL ? s + 1 : argv0;
}

const char *
msg_prog(void)
{
	return prog;
}

const char *
msg_vis(const char *p, size_t n)
{
	static _Thread_local char *buf[4];
	static _Thread_local size_t cap[4];
	static _Thread_local unsigned next;
	unsigned k = next++ % 4;
	char *w;
	size_t i;

	if (cap[k] < 4 * n + 1) {
		cap[k] = 4 * n + 1;
		buf[k] = xrealloc(buf[k], cap[k]);
	}
	w = buf[k];
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\0')
			w += sprintf(w, "\\0");
		else if (c == '\t')
			w += sprintf(w, "\\t");
		else if (c == '\n')
			w += sprintf(w, "\\n");
		else if (c == '\r')
			w += sprintf(w, "\\r");
		else if (c < 0x20 || c == 0x7f)
			w += sprintf(w, "\\x%02x", c);
		else
			*w++ = (char)c;
	}
	*w = '\0';
	return buf[k];
}

static void (*before_msg)(void);

/*
 * The first thread to die reports and exits; any other that dies
 * meanwhile (two readers finding the same bad input) waits for the
 * exit, so that one message is printed and exit() runs once.
 */
static atomic_int dying;

static _Thread_local struct msg_catch *catcher;
static _Thread_local int catching;	/* a die function on a catcher */

static void
die_once(void)
{
	if (catcher != NULL) {	/* vmsg_at() returns to the catcher */
		catching = 1;
		return;
	}
	if (atomic_exchange(&dying, 1))
		for (;;)
			pause();
}

void
msg_before(void (*fn)(void))
{
	before_msg = fn;
}

/*
 * Write a message as one line: control characters that input quoted in
 * it may carry are shown escaped (\t, \n, \r, \xNN).
 */
static void
put_clean(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\t')
			fputs("\\t", out);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

/* The message line into out. */
static void
put_msg(FILE *out, const char *file, uint64_t line, const char *msg,
    int errnum)
{
	fprintf(out, "%s: ", prog);
	if (file != NULL) {
		put_clean(out, file);
		if (line > 0)
			fprintf(out, ":%llu", (unsigned long long)line);
		fputs(": ", out);
	}
	put_clean(out, msg);
	if (errnum != 0)
		fprintf(out, ": %s", strerror(errnum));
	fputc('\n', out);
}

void
msg_catch(struct msg_catch *c)
{
	catcher = c;
	catching = 0;
}

static void
vmsg_at(const char *file, uint64_t line, const char *fmt, va_list ap,
    int errnum)
{
	char small[1024], *msg = small;
	struct msg_catch *c = catching ? catcher : NULL;
	va_list aq;
	int n;

	if (c == NULL && before_msg != NULL)
		before_msg();
	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n >= (int)sizeof(small) && (msg = malloc((size_t)n + 1)) != NULL)
		vsnprintf(msg, (size_t)n + 1, fmt, aq);
	else if (msg == NULL)
		msg = small;
	va_end(aq);
	if (c != NULL) {
		/* caught: the line kept for die_caught(), this thread
		 * back where it asked */
		size_t len;
		FILE *m;

		c->text = NULL;
		if ((m = open_memstream(&c->text, &len)) != NULL) {
			put_msg(m, file, line, msg, errnum);
			if (fclose(m) != 0) {
				free(c->text);
				c->text = NULL;
			}
		}
		if (msg != small)
			free(msg);
		catcher = NULL;
		catching = 0;
		longjmp(c->jb, 1);
	}
	flockfile(stderr);	/* one line, whole, among threads */
	put_msg(stderr, file, line, msg, errnum);
	funlockfile(stderr);
	if (msg != small)
		free(msg);
}

static void
vmsg(const char *fmt, va_list ap, int errnum)
{
	vmsg_at(NULL, 0, fmt, ap, errnum);
}

void
msg_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

void
msg_warn(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vmsg(fmt, ap, e);
	va_end(ap);
}

void
dief(const char *fmt, ...)
{
	va_list ap;

	die_once();
	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	exit(EXIT_TROUBLE);
}

void
die_caught(const char *text)
{
	die_once();
	if (before_msg != NULL)
		before_msg();
	if (text != NULL)
		fputs(text, stderr);
	else		/* open_memstream() failed */
		fprintf(stderr, "%s: out of memory\n", prog);
	exit(EXIT_TROUBLE);
}

void
die_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	die_once();
	va_start(ap, fmt);
	vmsg(fmt, ap, e);
	va_end(ap);
	exit(EXIT_TROUBLE);
}

void
die_at(const char *file, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	die_once();
	va_start(ap, fmt);
	vmsg_at(file, line, fmt, ap, 0);
	va_end(ap);
	exit(EXIT_TROUBLE);
}

void
die_usage(const char *fmt, ...)
{
	va_list ap;

	die_once();
	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	exit(EXIT_TROUBLE);
}

void
msg_atexit(void (*fn)(void))
{
	if (atexit(fn) != 0)
		dief("cannot register exit handler");
}
