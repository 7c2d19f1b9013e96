/* p-cjson.c - cJSON: cJSON_ParseWithLength; builds a tree. */
#include <cjson/cJSON.h>

#include "parsers.h"

static int
parse(const char *p, size_t n)
{
	cJSON *v = cJSON_ParseWithLength(p, n);

	if (v == NULL)
		return -1;
	jp_sink += (unsigned)cJSON_GetArraySize(v);
	cJSON_Delete(v);
	return 0;
}

const struct parser jp_cjson[] = {
	{ "cJSON", "cJSON " STR(CJSON_VERSION_MAJOR) "." STR(CJSON_VERSION_MINOR)
	    "." STR(CJSON_VERSION_PATCH) ": cJSON_ParseWithLength; builds a tree",
	    parse },
	{ NULL, NULL, NULL }
};
