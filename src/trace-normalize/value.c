/*
 * value.c - trace-normalize's access to the values of a record's slots:
 * unescaped once per record on demand, and as numbers for op rules.
 */
#include <stdint.h>
#include <string.h>

#include "json.h"
#include "num.h"
#include "tsv.h"
#include "normalize.h"

int
slot_value_slow(struct conv *c, int i, const struct rec *r, struct span *v)
{
	struct slotval *s = &c->sv[i];
	const char *e;

	if (!s->esc || s->kind != VK_STR) {
		/* JSON forbids raw control characters in strings. */
		if (c->fmt == FMT_JSONL && s->kind == VK_STR && !c->noctrl)
			for (size_t k = 0; k < s->raw.n; k++)
				if ((unsigned char)s->raw.p[k] < 0x20)
					return bad_record(c, r, "field %s: "
					    "control character in JSON string",
					    S.slot[i].name);
		*v = s->raw;
		return 0;
	}
	if (s->gen != c->gen) {
		if (c->fmt == FMT_JSONL)
			e = json_unescape(s->raw, &s->tmp);
		else
			e = tsv_unescape(s->raw, &s->tmp) != 0 ?
			    "bad escape sequence" : NULL;
		if (e != NULL)
			return bad_record(c, r, "field %s: %s", S.slot[i].name,
			    e);
		s->gen = c->gen;
	}
	*v = span_make(s->tmp.p, s->tmp.len);
	return 0;
}

int
slot_num(struct conv *c, int i, const struct rec *r, uint64_t *v)
{
	struct slotval *s = &c->sv[i];
	struct span t;
	uint32_t u32;

	if (s->numgen != c->gen) {
		s->numgen = c->gen;
		s->numok = 0;
		if (s->kind == VK_NUM || s->kind == VK_STR) {
			if (slot_value(c, i, r, &t) != 0)
				return -1;
			/* the usual "0x" and eight digits first */
			if (num_hex8_addr(t, &u32, NULL)) {
				s->num = u32;
				s->numok = 1;
			} else
				s->numok = num_parse_addr_strict(t, &s->num) ==
				    NUM_OK;
		}
	}
	*v = s->num;
	return s->numok;
}
