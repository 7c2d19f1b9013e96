/* p-project.c - the project's parser, common/json.c, linked from
 * common/libtrace.a: json_parse_line as the tools call it (the fast path
 * for flat records, jsmn for everything else), and json_parse_jsmn, the
 * jsmn path alone.  Built with -DNO_PARSE_JSMN against a tree from before
 * the fast path (json.h without json_parse_jsmn), where json_parse_line
 * is the jsmn path. */
#include "json.h"

#include "parsers.h"

static struct json_line jl;	/* reused from line to line, as the tools do */

static int
parse_line(const char *p, size_t n)
{
	if (json_parse_line(&jl, p, n) != 0)
		return -1;
	jp_sink += jl.nf;
	return 0;
}

#ifndef NO_PARSE_JSMN
static int
parse_jsmn(const char *p, size_t n)
{
	if (json_parse_jsmn(&jl, p, n) != 0)
		return -1;
	jp_sink += jl.nf;
	return 0;
}
#endif

const struct parser jp_project[] = {
#ifndef NO_PARSE_JSMN
	{ "project json_parse_jsmn", "common/json.c without the fast path: "
	    "strict jsmn, the project's checks, the field list", parse_jsmn },
#endif
#ifndef NO_PARSE_JSMN
	{ "project json_parse_line", "common/json.c as the tools call it: the "
	    "fast path for flat records, jsmn for the rest", parse_line },
#else
	{ "project json_parse_line", "common/json.c from before the fast "
	    "path: strict jsmn, the project's checks, the field list",
	    parse_line },
#endif
	{ NULL, NULL, NULL }
};
