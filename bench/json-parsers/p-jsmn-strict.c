/* p-jsmn-strict.c - jsmn configured as common/json.c configures it. */
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "parsers.h"

static int
parse(const char *p, size_t n)
{
	static jsmntok_t tok[256];
	jsmn_parser ps;
	int r;

	jsmn_init(&ps);
	r = jsmn_parse(&ps, p, n, tok, 256);
	jp_sink += (unsigned)r;
	return r < 1 ? -1 : 0;
}

const struct parser jp_jsmn_strict[] = {
	{ "jsmn strict", "the same with -DJSMN_STRICT -DJSMN_PARENT_LINKS, as "
	    "common/json.c builds it", parse },
	{ NULL, NULL, NULL }
};
