/* p-yajl.c - yajl 2: the callback parser (the fast path: nothing is
 * built) and yajl_tree_parse. */
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>
#include <yajl/yajl_version.h>

#include "parsers.h"

/* Callbacks that only count. */
static int cb_null(void *c) { (void)c; jp_sink++; return 1; }
static int cb_bool(void *c, int b) { (void)c; jp_sink += (unsigned)b + 1; return 1; }
static int cb_number(void *c, const char *s, size_t l) { (void)c; (void)s; jp_sink += l; return 1; }
static int cb_string(void *c, const unsigned char *s, size_t l) { (void)c; (void)s; jp_sink += l; return 1; }
static int cb_start(void *c) { (void)c; jp_sink++; return 1; }
static int cb_key(void *c, const unsigned char *s, size_t l) { (void)c; (void)s; jp_sink += l; return 1; }
static int cb_end(void *c) { (void)c; jp_sink++; return 1; }

/* yajl_number set: numbers come as text, not converted. */
static const yajl_callbacks cbs = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start, cb_key, cb_end, cb_start, cb_end
};

/* yajl 2 has no public reset, so one handle per line. */
static int
parse_cb(const char *p, size_t n)
{
	yajl_handle h = yajl_alloc(&cbs, NULL, NULL);
	int ok;

	if (h == NULL)
		return -1;
	ok = yajl_parse(h, (const unsigned char *)p, n) == yajl_status_ok &&
	    yajl_complete_parse(h) == yajl_status_ok;
	yajl_free(h);
	return ok ? 0 : -1;
}

static int
parse_tree(const char *p, size_t n)
{
	char err[128];
	yajl_val v = yajl_tree_parse(p, err, sizeof(err));	/* wants a C string */

	(void)n;
	if (v == NULL)
		return -1;
	jp_sink += YAJL_IS_OBJECT(v) ? v->u.object.len : 0;
	yajl_tree_free(v);
	return 0;
}

const struct parser jp_yajl[] = {
	{ "yajl callbacks", "yajl " STR(YAJL_MAJOR) "." STR(YAJL_MINOR) "."
	    STR(YAJL_MICRO) ": yajl_parse with callbacks that count, a handle "
	    "per line; checks UTF-8", parse_cb },
	{ "yajl tree", "yajl_tree_parse: builds a tree", parse_tree },
	{ NULL, NULL, NULL }
};
