/*
 * row.c - trace-normalize's event rows: each record's values checked,
 * converted (numbers and times to canonical text, strings TSV-escaped)
 * and written as one row.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "msg.h"
#include "num.h"
#include "ob.h"
#include "normalize.h"

/*
 * A row whose size bound is at most this is built in place in the
 * output buffer; a larger one goes through the row buffer, so that
 * making room never writes out a nearly empty buffer.
 */
#define ROW_IN_PLACE_MAX	(OB_BUFSZ / 4)

/*
 * What emit_record() needs of the schema besides the columns, fixed once
 * by rows_ready(): the part of a row's size bound that is the same for
 * every record, the slots of the text columns whose share of the bound
 * is their value's size, and whether an --op-value rule exists.
 */
static size_t	 bound_fixed;
static size_t	 nopcol, nfilecol;	/* op and --file-column columns */
static int	*strslot;		/* slots of the text columns */
static size_t	 nstrslot;
static int	 value_rules;

/*
 * What each column is, so that a row takes one branch per column.  The
 * number columns whose usual value has a shortcut (put_number()) have
 * kinds of their own: CK_INT (type int), CK_NS (time in ns), CK_ADDR
 * (address); CK_NUM is any other.
 */
enum colkind { CK_OP, CK_FILE, CK_SET, CK_NUM, CK_STR, CK_INT, CK_NS,
	CK_ADDR };
static unsigned char	*colkind;
static size_t		*coloff;	/* its slot's offset in a conv's sv */

void
rows_ready(void)
{
	size_t i;

	free(strslot);
	strslot = xreallocarray(NULL, S.ncol ? S.ncol : 1, sizeof(*strslot));
	free(colkind);
	colkind = xreallocarray(NULL, S.ncol ? S.ncol : 1, sizeof(*colkind));
	free(coloff);
	coloff = xreallocarray(NULL, S.ncol ? S.ncol : 1, sizeof(*coloff));
	bound_fixed = 8;
	nopcol = nfilecol = nstrslot = 0;
	for (i = 0; i < S.ncol; i++) {
		const struct column *c = &S.col[i];

		coloff[i] = c->slot >= 0 ? (size_t)c->slot *
		    sizeof(struct slotval) : 0;
		if (c->isop) {
			nopcol++;
			colkind[i] = CK_OP;
		} else if (c->isfile) {
			nfilecol++;
			colkind[i] = CK_FILE;
		} else if (c->isset) {
			bound_fixed += c->valuelen;
			colkind[i] = CK_SET;
		} else if (c->type != CT_STR) {
			bound_fixed += NUM_ADDR_MAX + NUM_INT_MAX;
			colkind[i] = c->type == CT_INT ? CK_INT :
			    c->type == CT_TIME && c->tshift == 0 ? CK_NS :
			    c->type == CT_ADDR ? CK_ADDR : CK_NUM;
		} else {
			strslot[nstrslot++] = c->slot;
			colkind[i] = CK_STR;
		}
		bound_fixed++;
	}
	value_rules = 0;
	for (i = 0; i < S.nrule; i++)
		if (S.rule[i].kind == R_VALUE)
			value_rules = 1;
}

/*
 * Rows are built through a cursor in place at the end of their
 * destination (ob_reserve(), or the chunk's output under --threads), or
 * in the row buffer: emit_record() reserves an upper bound of the row's
 * size first, so the writers below never check for room.  The bound is
 * summed column by column (two columns may show the same field): a text
 * value at most doubles when escaped (its unescaped form is never longer
 * than its raw one), a number takes at most 20 bytes.
 */

/*
 * Write a string value at w: valid UTF-8, no NUL, TSV-escaped.  Returns
 * the end of what it wrote, or NULL after reporting a bad value.
 */
static char *
put_str(struct conv *c, const struct rec *r, char *w, const char *what1,
    const char *what2, struct span v)
{
	long bad;
	size_t i;

	if (v.n == 0)		/* v.p may be NULL */
		return w;
	for (i = 0; i < v.n; i++) {
		unsigned char b = (unsigned char)v.p[i];

		if (b >= 0x80 || b == '\0' || b == '\\' || b == '\t' ||
		    b == '\n' || b == '\r')
			break;
	}
	if (i == v.n) {		/* plain ASCII: the common case */
		mem_copy(w, v.p, v.n);
		return w + v.n;
	}
	if (memchr(v.p, '\0', v.n) != NULL) {
		bad_record(c, r, "%s%s: NUL character in value", what1, what2);
		return NULL;
	}
	if ((bad = utf8_check(v.p, v.n)) >= 0) {
		bad_record(c, r, "%s%s: invalid UTF-8 at byte %ld", what1,
		    what2, bad + 1);
		return NULL;
	}
	for (i = 0; i < v.n; i++) {
		char ch = v.p[i];

		switch (ch) {
		case '\\': *w++ = '\\'; *w++ = '\\'; break;
		case '\t': *w++ = '\\'; *w++ = 't'; break;
		case '\n': *w++ = '\\'; *w++ = 'n'; break;
		case '\r': *w++ = '\\'; *w++ = 'r'; break;
		default: *w++ = ch; break;
		}
	}
	return w;
}

/*
 * A time as integer nanoseconds: digits with an optional fraction in the
 * column's unit ("1700000000.123456" seconds, strace -ttt; "1.5"
 * microseconds, Chrome's ts), or, in seconds
 * only, a time of day H:M:S with an optional fraction ("10:20:30",
 * "10:20:30.123456", strace -t and -tt).  shift is the number of decimal
 * digits from the unit down to nanoseconds (9 for s, 6 ms, 3 us, 0 ns).
 * Decimal arithmetic, exact: the first shift digits of the fraction are
 * kept, finer ones dropped (rounded down); a result past INT64_MAX is
 * NUM_RANGE.
 */
static enum num_err
parse_time(struct span v, int shift, int64_t *out)
{
	uint64_t part[3], frac = 0, whole, scale = 1;
	size_t i = 0, np = 0, b;
	int fd = 0, k;
	enum num_err e;

	for (;;) {
		b = i;
		while (i < v.n && v.p[i] >= '0' && v.p[i] <= '9')
			i++;
		if ((e = num_parse_u64(span_make(v.p + b, i - b), &part[np])) !=
		    NUM_OK)
			return e;
		np++;
		if (i < v.n && v.p[i] == ':' && np < 3 && shift == 9) {
			i++;
			continue;
		}
		break;
	}
	if (np == 2)
		return NUM_SYNTAX;
	if (i < v.n && v.p[i] == '.') {
		size_t f0 = ++i;

		for (; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++)
			if (fd < shift) {
				frac = frac * 10 + (uint64_t)(v.p[i] - '0');
				fd++;
			}
		if (i == f0)
			return NUM_SYNTAX;
		for (; fd < shift; fd++)
			frac *= 10;
	}
	if (i != v.n)
		return NUM_SYNTAX;
	whole = part[0];
	if (np == 3) {
		if (part[1] > 59 || part[2] > 60)
			return NUM_SYNTAX;
		if (part[0] > 1000000)
			return NUM_RANGE;
		whole = part[0] * 3600 + part[1] * 60 + part[2];
	}
	for (k = 0; k < shift; k++)
		scale *= 10;
	if (whole > ((uint64_t)INT64_MAX - frac) / scale)
		return NUM_RANGE;
	*out = (int64_t)(whole * scale + frac);
	return NUM_OK;
}

/* A JSON number or decimal text that is already a canonical integer. */
static int
canonical_int(struct span v)
{
	size_t i = v.n > 0 && v.p[0] == '-';

	if (i == v.n || (v.p[i] == '0' && (v.n - i > 1 || i == 1)))
		return 0;
	return 1;
}

/* Whether the eight bytes at p are all decimal digits (as in num.c). */
static inline int
digits8(const char *p)
{
	uint64_t w, t;

	memcpy(&w, p, 8);
	t = w - 0x3030303030303030ULL;
	return ((t | (t + 0x7676767676767676ULL)) & 0x8080808080808080ULL) ==
	    0;
}

/*
 * Whether v is a canonical integer of at most 18 digits (so within
 * int64_t): "0", or digits not starting with 0, after a '-' when neg is
 * allowed ("-0" is not canonical).
 */
static inline int
plain_int(struct span v, int neg)
{
	size_t i = neg && v.n > 0 && v.p[0] == '-', k;

	if (v.n - i == 0 || v.n - i > 18)
		return 0;
	if (v.p[i] == '0')
		return v.n == 1;
	/* eight digits at a time, the last eight overlapping */
	for (k = i; v.n - k > 8; k += 8)
		if (!digits8(v.p + k))
			return 0;
	if (v.n - i >= 8)
		return digits8(v.p + v.n - 8);
	for (; k < v.n; k++)
		if ((unsigned char)(v.p[k] - '0') > 9)
			return 0;
	return 1;
}

/*
 * A tid is a name or an integer (trace-format(5)): text that looks like
 * an integer, [-+]?[0-9]+, must be canonical.  0 when v is fine, else
 * the record is malformed.
 */
static int
check_tid(struct conv *cv, const struct rec *r, const char *name,
    struct span v)
{
	if (memchr(v.p, '\t', v.n) != NULL || memchr(v.p, '\n', v.n) != NULL)
		return bad_record(cv, r, "field %s: tid '%s' holds a tab or "
		    "newline", name, msg_vis(v.p, v.n));
	if (!num_tid_ok(v))
		return bad_record(cv, r, "field %s: tid '%s' is not a "
		    "canonical integer (no '+', no leading zeros, no -0)",
		    name, msg_vis(v.p, v.n > 40 ? 40 : v.n));
	return 0;
}

/*
 * The value of v, 1 to 18 decimal digits, as num_parse_u64() reads it:
 * 1 with *u set, or 0 when v holds another byte.  Eight digits at a
 * time, then four, then one by one, inline.
 */
static inline int
dec18(struct span v, uint64_t *u)
{
	uint64_t x = 0, w, t;
	uint32_t w4, t4;
	size_t i = 0;

	for (; v.n - i >= 8; i += 8) {
		memcpy(&w, v.p + i, 8);
		t = w - 0x3030303030303030ULL;
		if (((t | (t + 0x7676767676767676ULL)) &
		    0x8080808080808080ULL) != 0)
			return 0;
		t = (t * 10 + (t >> 8)) & 0x00ff00ff00ff00ffULL;
		t = (t * 100 + (t >> 16)) & 0x0000ffff0000ffffULL;
		t = (t * 10000 + (t >> 32)) & 0x00000000ffffffffULL;
		x = x * 100000000 + t;
	}
	if (v.n - i >= 4) {
		memcpy(&w4, v.p + i, 4);
		t4 = w4 - 0x30303030U;
		if (((t4 | (t4 + 0x76767676U)) & 0x80808080U) != 0)
			return 0;
		t4 = (t4 * 10 + (t4 >> 8)) & 0x00ff00ffU;
		t4 = (t4 * 100 + (t4 >> 16)) & 0x0000ffffU;
		x = x * 10000 + t4;
		i += 4;
	}
	for (; i < v.n; i++) {
		unsigned d = (unsigned char)v.p[i] - '0';

		if (d > 9)
			return 0;
		x = x * 10 + d;
	}
	*u = x;
	return 1;
}

/*
 * Whether a value of a number column is its raw text, as slot_value()
 * gives it: a JSON number, or a string without escapes (and, in JSON,
 * without a control character).  Booleans, nulls and nested values are
 * not: put_number() says what is wrong with them.
 */
static inline int
raw_ok(const struct conv *cv, const struct slotval *s)
{
	return s->kind == VK_NUM || (s->kind == VK_STR && !s->esc &&
	    (cv->fmt != FMT_JSONL || cv->noctrl));
}

/* Write a number column's value at w; as put_str(). */
static char *
put_number(struct conv *cv, const struct rec *r, char *w,
    const struct column *c)
{
	struct slotval *s = &cv->sv[c->slot];
	const char *name;
	struct span v;
	enum num_err e;
	uint64_t u;
	int64_t i;

	if (s->kind == VK_BOOL || s->kind == VK_NESTED) {
		bad_record(cv, r, "field %s: expected a number, got %s",
		    S.slot[c->slot].name, s->kind == VK_BOOL ? "a boolean" :
		    "an object or array");
		return NULL;
	}
	if (slot_value(cv, c->slot, r, &v) != 0)
		return NULL;
	/*
	 * The usual values first: a canonical integer of up to 18 digits is
	 * a valid tid and its own canonical spelling as an integer or a time
	 * in ns; plain decimal digits of up to 18, not starting with 0, are
	 * an address num_parse_addr_strict() reads as num_parse_u64() does.
	 * Anything else, and every error, goes the general way below.
	 */
	if (c->type == CT_INT || (c->type == CT_TIME && c->tshift == 0)) {
		if (plain_int(v, c->type == CT_INT)) {
			mem_copy(w, v.p, v.n);
			return w + v.n;
		}
	} else if (c->type == CT_ADDR && v.n <= 18 && v.n > 0 &&
	    v.p[0] != '0' && dec18(v, &u))
		return w + num_fmt_addr(w, u);
	/* the field's name is looked up for messages only */
	name = S.slot[c->slot].name;
	if (c->istid && check_tid(cv, r, name, v) != 0)
		return NULL;
	switch (c->type) {
	case CT_ADDR:
		e = num_parse_addr_strict(v, &u);
		break;
	case CT_DEC:
		e = num_parse_u64(v, &u);
		break;
	case CT_HEX:
		if (v.n >= 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X'))
			v = span_make(v.p + 2, v.n - 2);
		e = num_parse_hex(v, &u);
		break;
	case CT_TIME:
		e = parse_time(v, c->tshift, &i);
		break;
	default:
		e = num_parse_int(v, &i);
		break;
	}
	if (e == NUM_AMBIG) {
		bad_record(cv, r, "field %s: ambiguous address '%s': digits "
		    "with a leading zero (type :hex if the digits are hex, :dec "
		    "if decimal)", name, msg_vis(v.p, v.n > 40 ? 40 : v.n));
		return NULL;
	}
	if (e != NUM_OK) {
		bad_record(cv, r, "field %s: %s: '%s'", name, num_strerror(e),
		    msg_vis(v.p, v.n > 40 ? 40 : v.n));
		return NULL;
	}
	if (c->type == CT_TIME)
		return w + num_fmt_i64(w, i);
	if (c->type != CT_INT)
		return w + num_fmt_addr(w, u);
	if (!(v.n >= 2 && (v.p[1] == 'x' || v.p[1] == 'X')) &&
	    canonical_int(v)) {
		mem_copy(w, v.p, v.n);	/* already canonical: copy */
		return w + v.n;
	}
	return w + num_fmt_i64(w, i);
}

int
emit_record(struct conv *cv, const struct rec *r)
{
	/* (locals: the row's bytes, written through char pointers, might
	 * be anything to the compiler, and would make it load these again) */
	const struct column *col = S.col;
	const unsigned char *kind = colkind;
	const size_t *off = coloff;
	const struct slotval *sv = cv->sv;
	uint64_t gen = cv->gen;
	size_t ncol = S.ncol;
	struct span op = { NULL, 0 };
	size_t i, n, bound;
	char *start, *w;
	int k, own = 0;

	cv->opclean = 0;
	if (S.nwhere > 0 && (k = where_pass(cv, r)) <= 0)
		return k;
	if (S.nrule > 0 && (k = derive_op(cv, r, &op)) <= 0)
		return k;
	/* A value counts as the record's own unless --op-value gave it. */
	if (op.n > 0) {
		own = 1;
		for (i = 0; value_rules && i < S.nrule; i++)
			if (S.rule[i].kind == R_VALUE && S.rule[i].op == op.p)
				own = 0;
	}
	bound = bound_fixed + 2 * (nopcol * op.n + nfilecol * cv->filelen);
	for (i = 0; i < nstrslot; i++)
		bound += 2 * cv->sv[strslot[i]].raw.n;
	/* Build the row in place at the end of its destination, so that it
	 * is not copied once more; a row that may be large (its bound over
	 * a quarter of the output buffer) goes through the row buffer, so
	 * that a drain never leaves much of the buffer unused. */
	if (cv->out != NULL)	/* (sb_reserve()'s test inline) */
		start = cv->out->cap - cv->out->len >= bound + 1 ?
		    cv->out->p + cv->out->len : sb_reserve(cv->out, bound);
	else if (bound <= ROW_IN_PLACE_MAX)
		start = ob_reserve(cv->ob, bound);
	else
		start = sb_reserve(&cv->row, bound);
	w = start;
	for (i = 0; i < ncol; i++) {
		const struct column *c = &col[i];
		const struct slotval *s;
		struct span v;
		uint64_t u;
		uint32_t u32;

		if (i > 0)
			*w++ = '\t';
		switch (kind[i]) {
		/*
		 * A value used as it stands in the input (slot_value()), a
		 * canonical integer, or plain decimal digits for an address,
		 * as put_number() takes them first; anything else goes the
		 * general way below.
		 */
		case CK_INT:
		case CK_NS:
			s = (const void *)((const char *)sv + off[i]);
			/* (digits alone: known from the walk) */
			if (s->setgen == gen && (s->diggen == gen ?
			    s->raw.n <= 18 : raw_ok(cv, s) &&
			    plain_int(s->raw, kind[i] == CK_INT))) {
				mem_copy(w, s->raw.p, s->raw.n);
				w += s->raw.n;
				own = 1;
				continue;
			}
			break;
		case CK_ADDR:
			s = (const void *)((const char *)sv + off[i]);
			if (s->setgen != gen || !raw_ok(cv, s) ||
			    s->raw.n == 0 || s->raw.n > 18)
				break;
			if (s->raw.p[0] != '0') {
				if (!dec18(s->raw, &u))
					break;
				w += num_fmt_addr(w, u);
			} else if (num_hex8_addr(s->raw, &u32, w + 2)) {
				/* "0x" and eight hex digits: canonical in
				 * lowercase */
				w[0] = '0';
				w[1] = 'x';
				w += 10;
			} else
				break;
			own = 1;
			continue;
		case CK_OP:
			if (cv->opclean) {	/* a rule's text, checked */
				mem_copy(w, op.p, op.n);
				w += op.n;
			} else if ((w = put_str(cv, r, w, "", "op", op)) == NULL)
				return -1;
			continue;
		case CK_FILE:
			if ((w = put_str(cv, r, w, "", "file name",
			    span_make(r->file, cv->filelen))) == NULL)
				return -1;
			continue;
		case CK_SET:		/* checked and escaped by --set */
			memcpy(w, c->value, c->valuelen);
			w += c->valuelen;
			continue;
		default:
			break;
		}
		if (!present(cv, c->slot)) {
			s = &sv[c->slot];
			if (s->setgen == gen && s->kind == VK_STR &&
			    c->type != CT_STR && s->raw.n == 0 && !c->optional)
				return bad_record(cv, r, "field %s: empty value",
				    S.slot[c->slot].name);
			if (!c->optional)
				return bad_record(cv, r, "missing field '%s'",
				    S.slot[c->slot].name);
			continue;
		}
		if (kind[i] != CK_STR) {
			if ((w = put_number(cv, r, w, c)) == NULL)
				return -1;
			own = 1;
			continue;
		}
		if (cv->sv[c->slot].kind == VK_NESTED)
			return bad_record(cv, r, "field %s: expected a scalar, "
			    "got an object or array", S.slot[c->slot].name);
		if (slot_value(cv, c->slot, r, &v) != 0 ||
		    (c->istid && check_tid(cv, r, S.slot[c->slot].name, v) != 0) ||
		    (w = put_str(cv, r, w, "field ", S.slot[c->slot].name,
		    v)) == NULL)
			return -1;
		if (v.n > 0)
			own = 1;
	}
	/* A row of nothing but --op-value, --file-column and --set is no
	 * event. */
	if (!own)
		return bad_record(cv, r, "no column has a value: the record "
		    "holds none of their fields");
	*w++ = '\n';
	n = (size_t)(w - start);
	if (cv->out != NULL) {
		cv->out->len += n;
		cv->out->p[cv->out->len] = '\0';	/* as every sb_ call */
	}
	else if (start == cv->row.p)
		ob_write(cv->ob, start, n);
	else
		ob_commit(cv->ob, n);
	cv->n.written++;
	return 0;
}
