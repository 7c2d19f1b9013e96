/*
 * oprule.c - trace-normalize's op rules: the op of each record from the
 * --op-map, --op-contains, --op-field and --op-value rules, tried in
 * order, the first match winning.
 */
#include <stdint.h>
#include <string.h>

#include "normalize.h"

static int	 op_optional;	/* --optional op: no match leaves it empty */

/*
 * The rules' usual start: --op-contains rules on one field, each with
 * its bit, rule i with bit i.  Their first match is the lowest bit of
 * the field's mask, found without trying them one by one.
 */
static size_t	 ncfirst;	/* rules 0..ncfirst-1 are such */
static uint64_t	 cfirstmask;	/* their bits */

void
oprules_ready(void)
{
	for (size_t i = 0; i < S.ncol; i++)
		if (S.col[i].isop && S.col[i].optional)
			op_optional = 1;
	ncfirst = 0;
	cfirstmask = 0;
	while (ncfirst < S.nrule && ncfirst < 64 &&
	    S.rule[ncfirst].kind == R_CONTAINS &&
	    S.rule[ncfirst].slot == S.rule[0].slot &&
	    S.rule[ncfirst].bit == (int)ncfirst)
		cfirstmask |= (uint64_t)1 << ncfirst++;
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

/* The memo entry of a value of 1 to CMEMO_LEN bytes. */
static inline unsigned
memo_hash(struct span v)
{
	return (unsigned)(v.n * 31 + (unsigned char)v.p[0] * 7 +
	    (unsigned char)v.p[v.n / 2] * 3 +
	    (unsigned char)v.p[v.n - 1]) % CMEMO_N;
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

/*
 * Which --op-contains rules of slot s match its value: computed once per
 * distinct value of up to CMEMO_LEN bytes and remembered in a small
 * direct-mapped table (a miss only costs the computation), so that the
 * usual trace, with a handful of function names, pays for the substring
 * searches once.  contains_mask() looks in the table inline and leaves
 * a miss to contains_compute().
 */
static uint64_t
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

static inline uint64_t
contains_mask(struct slotval *s, int slot, struct span v)
{
	const struct cmemo *m;

	if (v.n > 0 && v.n <= CMEMO_LEN && s->memo != NULL) {
		m = &s->memo[memo_hash(v)];
		/* up to 31 bytes: one or two comparisons of up to 16 */
		if (m->len == v.n && (v.n <= 16 ? mem_same(m->v, v.p, v.n) :
		    mem_same(m->v, v.p, 16) && mem_same(m->v + v.n - 16,
		    v.p + v.n - 16, 16)))
			return m->mask;
	}
	return contains_compute(s, slot, v);
}

int
derive_op(struct conv *c, const struct rec *r, struct span *op)
{
	size_t i = 0;

	/* The --op-contains rules first, as the loop below tries them. */
	if (ncfirst > 0 && present(c, S.rule[0].slot)) {
		const struct oprule *ru = &S.rule[0];
		struct slotval *s = &c->sv[ru->slot];
		struct span v;
		uint64_t m;

		if (s->kind == VK_NESTED)
			return bad_record(c, r, "field %s: expected a scalar, "
			    "got an object or array", S.slot[ru->slot].name);
		if (s->maskgen != c->gen) {
			if (slot_value(c, ru->slot, r, &v) != 0)
				return -1;
			s->mask = contains_mask(s, ru->slot, v);
			s->maskgen = c->gen;
		}
		if ((m = s->mask & cfirstmask) != 0) {
			ru = &S.rule[__builtin_ctzll(m)];
			*op = span_make(ru->op, ru->oplen);
			c->opclean = ru->opclean;
			return 1;
		}
		i = ncfirst;
	} else if (ncfirst > 0)
		i = ncfirst;	/* each would pass over an absent field */
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
