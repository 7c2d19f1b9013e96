/* p-jansson.c - jansson: json_loadb; builds a tree. */
#include <jansson.h>

#include "parsers.h"

static int
parse(const char *p, size_t n)
{
	json_error_t e;
	json_t *v = json_loadb(p, n, 0, &e);

	if (v == NULL)
		return -1;
	jp_sink += json_object_size(v);
	json_decref(v);
	return 0;
}

const struct parser jp_jansson[] = {
	{ "jansson", "jansson " JANSSON_VERSION ": json_loadb; builds a tree",
	    parse },
	{ NULL, NULL, NULL }
};
