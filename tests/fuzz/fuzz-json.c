/*
 * fuzz-json.c - the JSON-line reader: json_parse_line() on every line of
 * the input, then json_unescape() and the number parsers on every field,
 * as trace-normalize uses them.  Invariants: fields lie inside the line;
 * an unescaped string is never longer than its escaped form; and the
 * fast path agrees with jsmn: whatever it accepts, jsmn accepts with the
 * very same fields.  Each path of the fast one this CPU can run (scalar,
 * SSE2, AVX2: json_path_can()) is checked, each against the scalar one
 * too: they take exactly the same lines.  json_parse_line(), on the
 * process's path, gives jsmn's answer: the same fields, or the same
 * error.  A field's tag, once a word derived from its key is stored in
 * it, gives that word back for that key only (every tag of a line is
 * stored, as trace-normalize does).  And json_parse_to(), on each SIMD
 * path, with a caller that keeps in each tag the element of its key (a
 * few elements, so that keys share them, and some keys wanted by none):
 * whatever line it takes, jsmn takes, each field's value in its key's
 * element (and marked when digits alone), no element taken twice; a
 * line it does not take goes the
 * usual way and its tags are stored, as trace-normalize does.  The same
 * again with a caller that gives json_parse_to() the element of a key
 * (json_to's index), as trace-normalize does: it then takes lines with
 * keys it has not met at their place.
 */
#include <stddef.h>
#include <string.h>

#include "fuzz.h"
#include "htab.h"
#include "json.h"
#include "num.h"

/* A word derived from a key's bytes alone, never 0. */
static unsigned
key_word(struct span k)
{
	return (unsigned)ht_hash(k.p, k.n) | 1;
}

/* json_parse_to()'s elements: its members where json.h says. */
struct el {
	uint64_t	 gen;
	struct span	 val;
	int		 kind;
	int		 esc;
	uint64_t	 dig;
	char		 rest[24];	/* the caller's */
};
_Static_assert(offsetof(struct el, gen) == JSON_TO_GEN &&
    offsetof(struct el, val) == JSON_TO_VAL &&
    offsetof(struct el, kind) == JSON_TO_KIND &&
    offsetof(struct el, esc) == JSON_TO_ESC &&
    offsetof(struct el, dig) == JSON_TO_DIG, "el: json_to layout");

/* Whether v is digits alone, [1-9][0-9]*. */
static int
digits_alone(struct span v)
{
	if (v.n == 0 || v.p[0] < '1' || v.p[0] > '9')
		return 0;
	for (size_t i = 1; i < v.n; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
	return 1;
}
#define NEL	8

/* The element of a key: -1 for none. */
static int
key_el(struct span k)
{
	unsigned h = (unsigned)ht_hash(k.p, k.n);

	return h % 3 == 0 ? -1 : (int)(h / 3 % NEL);
}

/* key_el() as json_to's index. */
static int
key_index(const char *key, size_t n)
{
	return key_el(span_make(key, n));
}

/*
 * json_parse_to() on line p[0..n) with path's own line state and
 * elements, checked against jsmn's fields; tags stored when it defers.
 * With resolve, json_parse_to() is given key_index() (and a line state
 * of its own): it looks up the keys it meets first itself.
 */
static void
check_to(int path, const char *p, size_t n, int resolve)
{
	static struct json_line jls[2][JSON_NPATH], ref;
	static struct el elss[2][JSON_NPATH][NEL];
	static uint64_t gen;
	struct json_line *jl = jls[resolve != 0];
	struct el (*els)[NEL] = elss[resolve != 0];
	struct json_to to = { (char *)els[path], sizeof(struct el), NEL, 0,
	    { 10, 11, 12, 13, 14, 15, 16 }, resolve ? key_index : NULL };
	int took[NEL] = { 0 };
	size_t i, nset = 0, nwant = 0;

	to.gen = ++gen;
	if (json_parse_to_on(&jl[path], p, n, path, &to)) {
		INVARIANT(json_parse_jsmn(&ref, p, n) == 0);
		for (i = 0; i < ref.nf; i++) {
			const struct json_field *f = &ref.f[i];
			const struct el *e;
			int k;

			INVARIANT(!f->kesc);	/* such a key has no tag */
			if ((k = key_el(f->key)) < 0)
				continue;
			INVARIANT(!took[k]);	/* else a duplicate */
			took[k] = 1;
			nwant++;
			e = &els[path][k];
			INVARIANT(e->gen == gen && e->val.p == f->val.p &&
			    e->val.n == f->val.n && e->kind == 10 + (int)f->type &&
			    e->esc == f->vesc);
			INVARIANT((e->dig == gen) == (f->type == JT_NUMBER &&
			    digits_alone(f->val)));
		}
		for (i = 0; i < NEL; i++)
			nset += els[path][i].gen == gen;
		INVARIANT(nset == nwant);
		return;
	}
	++gen;	/* what it stored is stale */
	if (!json_parse_fast_on(&jl[path], p, n, path))
		return;
	for (i = 0; i < jl[path].nf; i++) {
		const struct json_field *f = &jl[path].f[i];

		if (f->tag != NULL && !f->kesc)
			*f->tag = key_el(f->key) < 0 ? 1 :
			    (unsigned)key_el(f->key) + 2;
	}
}

/* Whether a and b hold the same fields. */
static int
same_fields(const struct json_line *a, const struct json_line *b)
{
	if (a->nf != b->nf)
		return 0;
	for (size_t i = 0; i < a->nf; i++) {
		const struct json_field *x = &a->f[i], *y = &b->f[i];

		if (x->key.p != y->key.p || x->key.n != y->key.n ||
		    x->val.p != y->val.p || x->val.n != y->val.n ||
		    x->type != y->type || x->kesc != y->kesc ||
		    x->vesc != y->vesc)
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* one line state per path, each remembering what its path does,
	 * as a converter's does from line to line */
	static struct json_line jl, ref, path[JSON_NPATH];
	static struct sbuf sb;
	const char *p = (const char *)data, *end = p + size, *nl;

	while (p <= end) {
		size_t n;
		int took[JSON_NPATH], r;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		/*
		 * Every fast path this CPU runs takes exactly the lines the
		 * scalar one takes, with the same fields, and those are
		 * jsmn's.
		 */
		for (int k = 0; k < JSON_NPATH; k++) {
			took[k] = 0;
			if (!json_path_can(k))
				continue;
			took[k] = json_parse_fast_on(&path[k], p, n, k);
			INVARIANT(took[k] == took[JSON_SCALAR]);
			if (took[k] && k != JSON_SCALAR)
				INVARIANT(same_fields(&path[k],
				    &path[JSON_SCALAR]));
			for (size_t i = 0; took[k] && i < path[k].nf; i++) {
				const struct json_field *f = &path[k].f[i];

				if (f->tag == NULL)
					continue;
				INVARIANT(*f->tag == 0 ||
				    *f->tag == key_word(f->key));
				*f->tag = key_word(f->key);
			}
		}
		for (int k = JSON_SCALAR + 1; k < JSON_NPATH; k++)
			if (json_path_can(k)) {
				check_to(k, p, n, 0);
				check_to(k, p, n, 1);
			}
		if (took[JSON_SCALAR]) {
			INVARIANT(json_parse_jsmn(&ref, p, n) == 0);
			INVARIANT(same_fields(&path[JSON_SCALAR], &ref));
		}
		r = json_parse_line(&jl, p, n);
		INVARIANT(r == json_parse_jsmn(&ref, p, n));
		INVARIANT(r != 0 || same_fields(&jl, &ref));
		INVARIANT(r == 0 || strcmp(jl.err, ref.err) == 0);
		if (r == 0) {
			for (size_t i = 0; i < jl.nf; i++) {
				const struct json_field *f = &jl.f[i];
				uint64_t u;
				int64_t v;

				INVARIANT(f->key.p >= p && f->key.p + f->key.n <=
				    p + n);
				INVARIANT(f->val.p >= p && f->val.p + f->val.n <=
				    p + n);
				if (json_unescape(f->key, &sb) == NULL)
					INVARIANT(sb.len <= f->key.n);
				if (f->type == JT_STRING &&
				    json_unescape(f->val, &sb) == NULL) {
					INVARIANT(sb.len <= f->val.n);
					(void)utf8_check(sb.p, sb.len);
					(void)num_parse_addr(span_make(sb.p,
					    sb.len), &u);
				}
				if (f->type == JT_NUMBER) {
					(void)num_parse_addr(f->val, &u);
					(void)num_parse_int(f->val, &v);
				}
			}
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
