/* p-jsmn-plain.c - jsmn as it comes: no strict mode, no parent links. */
#define JSMN_STATIC
#include <jsmn.h>

#include "parsers.h"

static int
parse(const char *p, size_t n)
{
	static jsmntok_t tok[256];	/* reused: jsmn allocates nothing */
	jsmn_parser ps;
	int r;

	jsmn_init(&ps);
	r = jsmn_parse(&ps, p, n, tok, 256);
	jp_sink += (unsigned)r;
	return r < 1 ? -1 : 0;
}

const struct parser jp_jsmn_plain[] = {
	{ "jsmn", "jsmn 1.1.0, header only: tokens into a fixed array, no "
	    "allocation, loose grammar", parse },
	{ NULL, NULL, NULL }
};
