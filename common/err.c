/* err.c - message formatting and exit on trouble; see err.h. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xmem.h"

static const char *prog = "trace-tools";

void
err_init(const char *argv0)
{
	const char *s;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	s = strrchr(argv0, '/');
	prog = s != NULL ? s + 1 : argv0;
}

const char *
err_prog(void)
{
	return prog;
}

static void (*before_msg)(void);

void
err_before(void (*fn)(void))
{
	before_msg = fn;
}

/*
 * Write a message as one line: control characters that input quoted in
 * it may carry are shown escaped (\t, \n, \r, \xNN).
 */
static void
put_clean(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\t')
			fputs("\\t", stderr);
		else if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\r')
			fputs("\\r", stderr);
		else if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
}

static void
vmsg_at(const char *file, uint64_t line, const char *fmt, va_list ap,
    int errnum)
{
	char small[1024], *msg = small;
	va_list aq;
	int n;

	if (before_msg != NULL)
		before_msg();
	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n >= (int)sizeof(small) && (msg = malloc((size_t)n + 1)) != NULL)
		vsnprintf(msg, (size_t)n + 1, fmt, aq);
	else if (msg == NULL)
		msg = small;
	va_end(aq);
	fprintf(stderr, "%s: ", prog);
	if (file != NULL) {
		put_clean(file);
		if (line > 0)
			fprintf(stderr, ":%llu", (unsigned long long)line);
		fputs(": ", stderr);
	}
	put_clean(msg);
	if (errnum != 0)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
	if (msg != small)
		free(msg);
}

static void
vmsg(const char *fmt, va_list ap, int errnum)
{
	vmsg_at(NULL, 0, fmt, ap, errnum);
}

void
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

void
warn(const char *fmt, ...)
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

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	exit(EXIT_TROUBLE);
}

void
die_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vmsg(fmt, ap, e);
	va_end(ap);
	exit(EXIT_TROUBLE);
}

void
die_at(const char *file, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg_at(file, line, fmt, ap, 0);
	va_end(ap);
	exit(EXIT_TROUBLE);
}

void
die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	exit(EXIT_TROUBLE);
}

void
err_atexit(void (*fn)(void))
{
	if (atexit(fn) != 0)
		dief("cannot register exit handler");
}

void
help_exit(const char *text)
{
	fputs(text, stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		die_errno("standard output: write error");
	exit(0);
}

void
version_exit(void)
{
	printf("%s (trace-tools) %s\n", prog, TRACE_TOOLS_VERSION);
	if (fflush(stdout) != 0 || ferror(stdout))
		die_errno("standard output: write error");
	exit(0);
}

char **
name_list(const char *list, const char *opt, size_t *n)
{
	char **v = NULL;
	const char *p = list, *c;

	*n = 0;
	for (;;) {
		c = strchr(p, ',');
		if (c == NULL)
			c = p + strlen(p);
		if (c == p)
			die_usage("%s: empty column name in '%s'", opt, list);
		v = xreallocarray(v, *n + 2, sizeof(*v));
		v[(*n)++] = xmemdup(p, (size_t)(c - p));
		v[*n] = NULL;
		if (*c == '\0')
			return v;
		p = c + 1;
	}
}

void
die_getopt(int argc, char *argv[], const char *optstring,
    const struct option *lo)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	const struct option *o, *hit = NULL;
	const char *eq, *p;
	size_t n;
	int nhit = 0;

	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
		p = optopt != 0 ? strchr(optstring, optopt) : NULL;
		if (p != NULL && p[1] == ':')
			die_usage("option requires an argument -- '%c'", optopt);
		if (optopt > ' ' && optopt < 127)
			die_usage("invalid option -- '%c'", optopt);
		die_usage("invalid option '%s'", arg);
	}
	eq = strchr(arg + 2, '=');
	n = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	for (o = lo; o->name != NULL; o++) {
		if (strncmp(o->name, arg + 2, n) != 0)
			continue;
		if (strlen(o->name) == n) {	/* exact */
			hit = o;
			nhit = 1;
			break;
		}
		hit = o;
		nhit++;
	}
	if (nhit == 0)
		die_usage("unrecognized option '--%.*s'", (int)n, arg + 2);
	if (nhit > 1)
		die_usage("option '--%.*s' is ambiguous", (int)n, arg + 2);
	if (eq != NULL && hit->has_arg == no_argument)
		die_usage("option '--%s' doesn't allow an argument", hit->name);
	if (hit->has_arg == required_argument)
		die_usage("option '--%s' requires an argument", hit->name);
	die_usage("invalid option '%s'", arg);
}
