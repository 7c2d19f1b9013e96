/*
 * oprule.c - trace-normalize's op rules: the op of each record from the
 * --op-map, --op-contains, --op-field and --op-value rules, tried in
 * order, the first match winning.
 */
#include <stdint.h>
#include <string.h>

#include "normalize.h"

static int	 op_optional;	/* --optional op: no match leaves it empty */

size_t		 op_ncfirst;	/* (normalize.h) */
uint64_t	 op_cfirstmask;

void
oprules_ready(void)
{
	for (size_t i = 0; i < S.ncol; i++)
		if (S.col[i].isop && S.col[i].optional)
			op_optional = 1;
	op_ncfirst = 0;
	op_cfirstmask = 0;
	while (op_ncfirst < S.nrule && op_ncfirst < 64 &&
	    S.rule[op_ncfirst].kind == R_CONTAINS &&
	    S.rule[op_ncfirst].slot == S.rule[0].slot &&
	    S.rule[op_ncfirst].bit == (int)op_ncfirst)
		op_cfirstmask |= (uint64_t)1 << op_ncfirst++;
	/* As row.c's put_str() copies a value as it is. */
	for (size_t i = 0; i < S.nrule; i++) {
		struct oprule *ru = &S.rule[i];
		size_t k;

		for (k = 0; k < ru->oplen; k++) {
			unsigned char b = (unsigned char)ru->op[k];

			if (b >= 0x80 || b == '\0' || b == '\\' || b == '\t' ||
			    b == '\n' || b == '\r')
				break;
		}
		ru->opclean = ru->op != NULL && k == ru->oplen;
	}
}

/* Whether hay contains needle: short strings, so memchr on the first
 * byte and compare, instead of a general memmem. */
static int
contains(struct span hay, const char *needle, size_t n)
{
	const char *p = hay.p, *end = hay.p + hay.n;

	if (n == 0)
		return 1;
	while ((size_t)(end - p) >= n &&
	    (p = memchr(p, needle[0], (size_t)(end - p) - n + 1)) != NULL) {
		if (memcmp(p, needle, n) == 0)
			return 1;
		p++;
	}
	return 0;
}

/* contains_mask()'s miss (normalize.h): the mask computed, and
 * remembered when the value is short enough. */
uint64_t
contains_compute(struct slotval *s, int slot, struct span v)
{
	struct cmemo *m = NULL;
	uint64_t mask = 0;
	size_t i;

	if (v.n > 0 && v.n <= CMEMO_LEN) {
		if (s->memo == NULL)
			s->memo = xcalloc(CMEMO_N, sizeof(*s->memo));
		m = &s->memo[memo_hash(v)];
	}
	for (i = 0; i < S.nrule; i++) {
		const struct oprule *ru = &S.rule[i];

		if (ru->kind == R_CONTAINS && ru->bit >= 0 &&
		    ru->slot == slot && contains(v, ru->value, ru->vlen))
			mask |= (uint64_t)1 << ru->bit;
	}
	if (m != NULL) {
		m->len = (uint8_t)v.n;
		memcpy(m->v, v.p, v.n);
		m->mask = mask;
	}
	return mask;
}

int
derive_op_from(struct conv *c, const struct rec *r, struct span *op,
    size_t i)
{
	for (; i < S.nrule; i++) {
		const struct oprule *ru = &S.rule[i];
		struct slotval *s = ru->slot >= 0 ? &c->sv[ru->slot] : NULL;
		struct span v = { NULL, 0 };
		uint64_t num;
		int k;

		if (ru->kind == R_VALUE) {
			*op = span_make(ru->op, ru->oplen);
			c->opclean = ru->opclean;
			return 1;
		}
		if (s == NULL || !present(c, ru->slot))
			continue;	/* (only an R_VALUE rule has no slot) */
		if (s->kind == VK_NESTED)
			return bad_record(c, r, "field %s: expected a scalar, "
			    "got an object or array", S.slot[ru->slot].name);
		switch (ru->kind) {
		case R_FIELD:
			if (slot_value(c, ru->slot, r, op) != 0)
				return -1;
			return 1;
		case R_MAP:
			if (ru->numeric) {
				/* the number of this record's value, once
				 * for every rule on the field */
				if (s->numgen == c->gen) {
					k = s->numok;
					num = s->num;
				} else if ((k = slot_num(c, ru->slot, r,
				    &num)) < 0)
					return -1;
				if (k && num == ru->num)
					goto hit;
				break;
			}
			if (slot_value(c, ru->slot, r, &v) != 0)
				return -1;
			if (v.n == ru->vlen && memcmp(v.p, ru->value, v.n) == 0)
				goto hit;
			break;
		case R_CONTAINS:
			if (ru->bit >= 0 && s->maskgen == c->gen) {
				if (s->mask >> ru->bit & 1)
					goto hit;
				break;
			}
			if (slot_value(c, ru->slot, r, &v) != 0)
				return -1;
			if (ru->bit >= 0) {
				s->mask = contains_mask(s, ru->slot, v);
				s->maskgen = c->gen;
				if (s->mask >> ru->bit & 1)
					goto hit;
			} else if (contains(v, ru->value, ru->vlen))
				goto hit;
			break;
		default:
			break;
		}
		continue;
hit:
		*op = span_make(ru->op, ru->oplen);
		c->opclean = ru->opclean;
		return 1;
	}
	if (op_optional) {
		*op = span_make("", 0);
		return 1;
	}
	if (S.unmatched == UNM_DROP) {
		c->n.dropped++;
		return 0;
	}
	return bad_record(c, r, "no op rule matches this record");
}
