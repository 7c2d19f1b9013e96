/*
 * opt.h - option helpers shared by every tool: --help and --version
 * output, comma-separated name lists, and getopt error messages.
 */
#ifndef TRACE_OPT_H
#define TRACE_OPT_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

/*
 * Print text (a tool's usage) on stdout and exit 0; a write error (e.g.
 * stdout on /dev/full) exits 2 instead.
 */
NORETURN void help_exit(const char *text);

/* Print "PROG (trace-tools) VERSION" on stdout and exit 0 (or 2). */
NORETURN void version_exit(void);

/*
 * Split a comma-separated list of names into a NULL-terminated array
 * (caller frees the array and the strings).  Exits 2, naming opt, on an
 * empty name.
 */
char	**name_list(const char *list, const char *opt, size_t *n);
/* Free what name_list() returned (NULL is fine). */
void	name_list_free(char **v);

/*
 * The width of time bins given to option --opt (trace-key and
 * trace-report --timeline): digits and an optional unit s, ms, us or ns
 * (ts in nanoseconds); between 1 and 2^63-1, else a usage error.
 */
int64_t	width_arg(const char *opt, const char *s);

/*
 * Report the option error getopt_long() just returned ('?' or ':') with
 * the wording of GNU getopt (invalid option, missing argument, unexpected
 * argument, unrecognized or ambiguous long option), add the --help hint
 * and exit 2.  Tools set opterr = 0 and call this from their default case.
 */
struct option;
NORETURN void die_getopt(int argc, char *argv[], const char *optstring,
	    const struct option *longopts);

#endif
