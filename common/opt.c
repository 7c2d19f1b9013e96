/* opt.c - option helpers shared by every tool. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "num.h"
#include "opt.h"
#include "xmem.h"

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
	printf("%s (trace-tools) %s\n", msg_prog(), TRACE_TOOLS_VERSION);
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
name_list_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
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

/*
 * A width of time bins (--timeline): decimal digits, then optionally one unit that
 * assumes ts in nanoseconds (s, ms, us, ns).  The product must be
 * between 1 and 2^63-1; anything else is a usage error.
 */
int64_t
width_arg(const char *opt, const char *s)
{
	static const struct { const char *unit; uint64_t mul; } units[] = {
		{ "", 1 }, { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 }
	};
	size_t nd = strspn(s, "0123456789"), i;
	uint64_t v;

	for (i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (strcmp(s + nd, units[i].unit) == 0)
			break;
	if (nd == 0 || i == sizeof(units) / sizeof(*units))
		die_usage("--%s: '%s': expected a positive integer, "
		    "optionally followed by s, ms, us or ns", opt, s);
	if (num_parse_u64(span_make(s, nd), &v) != NUM_OK || v == 0 ||
	    v > INT64_MAX / units[i].mul)
		die_usage("--%s: '%s': width must be between 1 and "
		    "2^63-1", opt, s);
	return (int64_t)(v * units[i].mul);
}
