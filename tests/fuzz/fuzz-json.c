/*
 * fuzz-json.c - the JSON-line reader: json_parse_line() on every line of
 * the input, then json_unescape() and the number parsers on every field,
 * as trace-normalize uses them.  Invariants: fields lie inside the line;
 * an unescaped string is never longer than its escaped form; and the
 * fast path agrees with jsmn: whatever it accepts, jsmn accepts with the
 * very same fields.
 */
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "num.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_line jl, ref;
	static struct sbuf sb;
	const char *p = (const char *)data, *end = p + size, *nl;

	while (p <= end) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (json_parse_fast(&jl, p, n)) {
			INVARIANT(json_parse_jsmn(&ref, p, n) == 0);
			INVARIANT(ref.nf == jl.nf);
			for (size_t i = 0; i < jl.nf; i++) {
				const struct json_field *a = &jl.f[i], *b = &ref.f[i];

				INVARIANT(a->key.p == b->key.p && a->key.n == b->key.n);
				INVARIANT(a->val.p == b->val.p && a->val.n == b->val.n);
				INVARIANT(a->type == b->type);
				INVARIANT(a->kesc == b->kesc && a->vesc == b->vesc);
			}
		}
		if (json_parse_line(&jl, p, n) == 0) {
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
