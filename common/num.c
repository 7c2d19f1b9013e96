/* num.c - integer and address parsing and formatting; see num.h. */
#include <string.h>

#include "msg.h"
#include "num.h"

const char *
num_strerror(enum num_err e)
{
	switch (e) {
	case NUM_OK:
		return "no error";
	case NUM_EMPTY:
		return "empty number";
	case NUM_SYNTAX:
		return "not a number";
	case NUM_RANGE:
		return "number does not fit in 64 bits";
	case NUM_NEG:
		return "negative number where an address is expected";
	case NUM_FRACTION:
		return "not an integer";
	case NUM_AMBIG:
		return "ambiguous: digits with a leading zero (write 0x for "
		    "hex, no leading zeros for decimal)";
	}
	return "bad number";
}

/* Classify a failed decimal parse: a fraction or exponent, or junk. */
static enum num_err
dec_junk(struct span s, size_t i)
{
	if (i > 0 && (s.p[i] == '.' || s.p[i] == 'e' || s.p[i] == 'E')) {
		/* Make sure the rest looks like a number before saying so. */
		for (i++; i < s.n; i++) {
			char c = s.p[i];

			if (!((c >= '0' && c <= '9') || c == '+' || c == '-' ||
			    c == 'e' || c == 'E' || c == '.'))
				return NUM_SYNTAX;
		}
		return NUM_FRACTION;
	}
	return NUM_SYNTAX;
}

enum num_err
num_parse_u64(struct span s, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (s.n == 0)
		return NUM_EMPTY;
	/* Up to 19 digits cannot overflow: no check per digit; eight
	 * digits at a time while eight are left. */
	if (s.n <= 19) {
		for (i = 0; s.n - i >= 8; i += 8) {
			uint64_t w, t;

			memcpy(&w, s.p + i, 8);
			t = w - 0x3030303030303030ULL;
			/* all eight bytes '0'..'9'? */
			if (((t | (t + 0x7676767676767676ULL)) &
			    0x8080808080808080ULL) != 0)
				break;
			/* 8 digits to their value (little-endian: the first
			 * byte is the most significant digit) */
			t = (t * 10 + (t >> 8)) & 0x00ff00ff00ff00ffULL;
			t = (t * 100 + (t >> 16)) & 0x0000ffff0000ffffULL;
			t = (t * 10000 + (t >> 32)) & 0x00000000ffffffffULL;
			x = x * 100000000 + t;
		}
		for (; i < s.n; i++) {
			unsigned d = (unsigned char)s.p[i] - '0';

			if (d > 9)
				return dec_junk(s, i);
			x = x * 10 + d;
		}
		*v = x;
		return NUM_OK;
	}
	for (i = 0; i < s.n; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';

		if (d > 9)
			return dec_junk(s, i);
		if (x > (UINT64_MAX - d) / 10) {
			/* Finish the syntax check so "1...9x" reads as junk. */
			for (; i < s.n; i++)
				if ((unsigned char)s.p[i] - '0' > 9)
					return dec_junk(s, i);
			return NUM_RANGE;
		}
		x = x * 10 + d;
	}
	*v = x;
	return NUM_OK;
}

enum num_err
num_parse_i64(struct span s, int64_t *v)
{
	uint64_t m;
	enum num_err e;
	int neg = s.n > 0 && s.p[0] == '-';

	if (neg) {
		s.p++;
		s.n--;
	}
	if ((e = num_parse_u64(s, &m)) != NUM_OK)
		return e;
	if (neg) {
		if (m > (uint64_t)INT64_MAX + 1)
			return NUM_RANGE;
		*v = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
	} else {
		if (m > (uint64_t)INT64_MAX)
			return NUM_RANGE;
		*v = (int64_t)m;
	}
	return NUM_OK;
}

static const signed char hexval[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

enum num_err
num_parse_hex(struct span s, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;
	enum num_err e = NUM_OK;

	if (s.n == 0)
		return NUM_EMPTY;
	for (i = 0; i < s.n; i++) {
		int d = hexval[(unsigned char)s.p[i]] - 1;

		if (d < 0)
			return NUM_SYNTAX;
		if (x >> 60)
			e = NUM_RANGE;	/* keep scanning: junk wins */
		x = x << 4 | (unsigned)d;
	}
	if (e == NUM_OK)
		*v = x;
	return e;
}

static int
has_hex_prefix(struct span s)
{
	return s.n >= 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X');
}

enum num_err
num_parse_addr(struct span s, uint64_t *v)
{
	enum num_err e;

	if (s.n > 0 && s.p[0] == '-') {
		int64_t dummy;

		e = num_parse_i64(s, &dummy);
		return e == NUM_OK || e == NUM_RANGE ? NUM_NEG : e;
	}
	if (has_hex_prefix(s))
		return num_parse_hex(span_make(s.p + 2, s.n - 2), v);
	return num_parse_u64(s, v);
}

enum num_err
num_parse_addr_strict(struct span s, uint64_t *v)
{
	enum num_err e = num_parse_addr(s, v);

	/* "0042" may be hex or decimal: refuse to guess. */
	if ((e == NUM_OK || e == NUM_RANGE) && s.n > 1 && s.p[0] == '0' &&
	    s.p[1] >= '0' && s.p[1] <= '9')
		return NUM_AMBIG;
	return e;
}

enum num_err
num_parse_int(struct span s, int64_t *v)
{
	if (has_hex_prefix(s)) {
		uint64_t u;
		enum num_err e = num_parse_hex(span_make(s.p + 2, s.n - 2), &u);

		if (e != NUM_OK)
			return e;
		if (u > (uint64_t)INT64_MAX)
			return NUM_RANGE;
		*v = (int64_t)u;
		return NUM_OK;
	}
	return num_parse_i64(s, v);
}

size_t
num_fmt_addr_long(char *buf, uint64_t v)
{
	char hi[8];
	size_t nd;

	buf[0] = '0';
	buf[1] = 'x';
	/* 9 to 16 digits: those of the high half, then eight */
	nd = (size_t)(64 - __builtin_clzll(v) + 3) / 4;
	num_hex8_put(hi, (uint32_t)(v >> 32));
	memcpy(buf + 2, hi + (16 - nd), nd - 8);
	num_hex8_put(buf + 2 + nd - 8, (uint32_t)v);
	return nd + 2;
}

static const char digits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

size_t
num_fmt_u64(char *buf, uint64_t v)
{
	char tmp[NUM_INT_MAX];
	size_t n = sizeof(tmp);

	/* Two digits per division, from the right. */
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		tmp[--n] = digits2[2 * r + 1];
		tmp[--n] = digits2[2 * r];
	}
	if (v >= 10) {
		tmp[--n] = digits2[2 * v + 1];
		tmp[--n] = digits2[2 * v];
	} else
		tmp[--n] = (char)('0' + v);
	memcpy(buf, tmp + n, sizeof(tmp) - n);
	return sizeof(tmp) - n;
}

size_t
num_fmt_i64(char *buf, int64_t v)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + num_fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
	}
	return num_fmt_u64(buf, (uint64_t)v);
}

static int
num_sortkey(struct span s, int *neg, uint64_t *mag)
{
	*neg = 0;
	if (has_hex_prefix(s))
		return num_parse_hex(span_make(s.p + 2, s.n - 2), mag) == NUM_OK;
	if (s.n > 1 && s.p[0] == '-') {
		*neg = 1;
		s.p++;
		s.n--;
	}
	return num_parse_u64(s, mag) == NUM_OK;
}

void
num_key_make(struct num_key *k, struct span s)
{
	k->s = s;
	k->isnum = num_sortkey(s, &k->neg, &k->mag);
}

int
num_key_cmp(const struct num_key *a, const struct num_key *b)
{
	if (a->isnum && b->isnum) {
		if (a->neg != b->neg)
			return a->neg ? -1 : 1;
		if (a->mag != b->mag)
			return (a->mag < b->mag) != a->neg ? -1 : 1;
	} else if (a->isnum != b->isnum)
		return a->isnum ? -1 : 1;
	return span_cmp(a->s, b->s);
}

void
num_skey_make(struct num_skey *k, const char *base, struct span col)
{
	struct num_key t;

	if (col.n > UINT32_MAX >> 2 || (size_t)(col.p - base) > UINT32_MAX)
		dief("a key longer than 1 GiB");
	t.mag = 0;
	t.neg = 0;
	num_key_make(&t, col);
	k->mag = t.isnum ? t.mag : 0;
	k->off = (uint32_t)(col.p - base);
	k->len = (uint32_t)col.n << 2 | (uint32_t)(t.isnum != 0) << 1 |
	    (uint32_t)(t.neg != 0);
}

int
num_skey_cmp(const struct num_skey *a, const char *abase,
    const struct num_skey *b, const char *bbase)
{
	int anum = a->len >> 1 & 1, bnum = b->len >> 1 & 1;
	int aneg = a->len & 1, bneg = b->len & 1;

	if (anum && bnum) {
		if (aneg != bneg)
			return aneg ? -1 : 1;
		if (a->mag != b->mag)
			return (a->mag < b->mag) != aneg ? -1 : 1;
	} else if (anum != bnum)
		return anum ? -1 : 1;
	return span_cmp(span_make(abase + a->off, a->len >> 2),
	    span_make(bbase + b->off, b->len >> 2));
}

int
num_cmp_values(struct span a, struct span b)
{
	struct num_key ka, kb;

	num_key_make(&ka, a);
	num_key_make(&kb, b);
	return num_key_cmp(&ka, &kb);
}

int
num_tid_ok(struct span s)
{
	size_t i = s.n > 0 && (s.p[0] == '-' || s.p[0] == '+'), j;
	int64_t v;

	if (i == s.n)
		return 1;		/* empty, or a lone sign: a name */
	for (j = i; j < s.n; j++)
		if (s.p[j] < '0' || s.p[j] > '9')
			return 1;	/* a name */
	if (s.p[0] == '+' || (s.p[i] == '0' && (s.n - i > 1 || i == 1)))
		return 0;
	return num_parse_i64(s, &v) == NUM_OK;
}
