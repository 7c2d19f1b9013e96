/* p-jsonc.c - json-c: json_tokener_parse_ex with one tokener, reset per
 * line; builds a tree of json_objects. */
#include <json-c/json.h>

#include "parsers.h"

static int
parse(const char *p, size_t n)
{
	static struct json_tokener *tok;
	struct json_object *o;

	if (tok == NULL && (tok = json_tokener_new()) == NULL)
		return -1;
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, p, (int)n);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		return -1;
	}
	jp_sink += (unsigned)json_object_object_length(o);
	json_object_put(o);
	return 0;
}

const struct parser jp_jsonc[] = {
	{ "json-c", "json-c " JSON_C_VERSION ": json_tokener_parse_ex, one "
	    "tokener reset per line; builds a tree", parse },
	{ NULL, NULL, NULL }
};
