/*
 * num.h - strict parsing and canonical formatting of integers and
 * addresses from spans.
 *
 * Parsers read the whole span or fail: no surrounding space, no partial
 * parse, no silent wrap-around.  They return NUM_OK or an error code that
 * num_strerror() turns into a message fragment.
 *
 * Canonical spellings (see trace-format(5)):
 *   address  "0x" and lowercase hex digits, zero-padded to at least 8
 *            digits; values above 32 bits keep all their digits
 *            (0x824ab168, 0x0000104c, 0x100000000)
 *   integer  decimal, "-" for negatives, no leading zeros
 */
#ifndef TRACE_NUM_H
#define TRACE_NUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "span.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum num_err {
	NUM_OK = 0,
	NUM_EMPTY,	/* no digits at all */
	NUM_SYNTAX,	/* a character that is not a digit of the base */
	NUM_RANGE,	/* does not fit in 64 bits */
	NUM_NEG,	/* negative where only non-negative values are allowed */
	NUM_FRACTION,	/* a fraction or exponent where an integer is required */
	NUM_AMBIG	/* address digits with a leading zero: hex or decimal? */
};

#define NUM_ADDR_MAX	18	/* "0x" + 16 hex digits */
#define NUM_INT_MAX	20	/* "-9223372036854775808" */

const char *num_strerror(enum num_err e);

/* Decimal digits only (leading zeros allowed) into *v. */
enum num_err num_parse_u64(struct span s, uint64_t *v);

/* Optional '-' then decimal digits into *v. */
enum num_err num_parse_i64(struct span s, int64_t *v);

/*
 * A tid as trace-format(5) has it: 1 when s is a name or empty, or looks
 * like an integer ([-+]?[0-9]+) and is a canonical 64-bit one (no '+', no
 * leading zeros, no -0); 0 when it looks like an integer and is not.
 */
int	num_tid_ok(struct span s);

/* Hex digits only, either case, no prefix, into *v. */
enum num_err num_parse_hex(struct span s, uint64_t *v);

/*
 * An address or handle: "0x"/"0X" followed by hex digits, or decimal
 * digits.  Returns NUM_NEG for a leading '-', NUM_FRACTION for "1.5" or
 * "1e3".  Reads "0042" as decimal 42: input should go through
 * num_parse_addr_strict() instead.
 */
enum num_err num_parse_addr(struct span s, uint64_t *v);

/*
 * num_parse_addr(), except that digits only, more than one, starting
 * with '0' (such as qemu's "0000004002842770", which may be hex or
 * decimal) are NUM_AMBIG.  For every address read from input.
 */
enum num_err num_parse_addr_strict(struct span s, uint64_t *v);

/*
 * A signed integer column value (tid, ts): decimal with optional '-', or
 * "0x"/"0X" hex.  NUM_FRACTION for "1.5" or "1e3".
 */
enum num_err num_parse_int(struct span s, int64_t *v);

/*
 * Whether p[0..8) are eight hex digits, either case: 1 with *v their
 * value and lower[0..8) the same digits in lowercase (lower may be NULL),
 * else 0.  The usual address of a 32-bit trace, "0x824AA304", without a
 * loop: its canonical spelling is "0x" and lower.
 */
static inline int
num_hex8(const char *p, uint32_t *v, char *lower)
{
	uint64_t w, t;

#if defined(__SSE2__)
	__m128i x = _mm_loadl_epi64((const __m128i *)(const void *)p);
	__m128i lo = _mm_or_si128(x, _mm_set1_epi8(0x20));
	__m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
	__m128i a = _mm_sub_epi8(lo, _mm_set1_epi8('a'));
	__m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	__m128i isa = _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(5)), a);

	if ((_mm_movemask_epi8(_mm_or_si128(isd, isa)) & 0xff) != 0xff)
		return 0;
	/* each byte its digit's value: d where a digit, a + 10 where not */
	x = _mm_or_si128(_mm_and_si128(isd, d), _mm_andnot_si128(isd,
	    _mm_add_epi8(a, _mm_set1_epi8(10))));
	w = (uint64_t)_mm_cvtsi128_si64(x);
	if (lower != NULL)
		_mm_storel_epi64((__m128i *)(void *)lower, lo);
#else
	char b[8];
	size_t i;

	for (i = 0, w = 0; i < 8; i++) {
		unsigned c = (unsigned char)p[i], l = c | 0x20;

		if (c - '0' <= 9)
			w |= (uint64_t)(c - '0') << 8 * i;
		else if (l - 'a' <= 5)
			w |= (uint64_t)(l - 'a' + 10) << 8 * i;
		else
			return 0;
		b[i] = (char)l;
	}
	if (lower != NULL)
		memcpy(lower, b, 8);
#endif
	/* byte 0, the first digit, is the most significant: pairs, then
	 * fours, then the eight (each step in the low half of its lane) */
	t = (w & 0x00ff00ff00ff00ffULL) << 4 | (w >> 8 & 0x00ff00ff00ff00ffULL);
	t = (t & 0x0000ffff0000ffffULL) << 8 | (t >> 16 & 0x0000ffff0000ffffULL);
	*v = (uint32_t)((t & 0xffffffffULL) << 16 | t >> 32);
	return 1;
}

/* num_hex8() for an address spelled "0x" or "0X" and eight hex digits. */
static inline int
num_hex8_addr(struct span s, uint32_t *v, char *lower)
{
	return s.n == 10 && s.p[0] == '0' && (s.p[1] | 0x20) == 'x' &&
	    num_hex8(s.p + 2, v, lower);
}

/*
 * Eight hex digits of v, most significant first, without a loop: each
 * nibble spread to a byte, the bytes turned to digits all at once ('0' +
 * d, and 'a' - '0' - 10 more where d > 9).  With SSE2 the bytes of v,
 * most significant first, are split into their high and low nibbles and
 * interleaved; else the nibbles are spread over a word, stored in the
 * order that puts the most significant digit first.
 */
static inline void
num_hex8_put(char *buf, uint32_t v)
{
#if defined(__SSE2__)
	__m128i x = _mm_cvtsi32_si128((int)__builtin_bswap32(v));
	__m128i lo = _mm_and_si128(x, _mm_set1_epi8(0x0f));
	__m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), _mm_set1_epi8(0x0f));
	__m128i d = _mm_unpacklo_epi8(hi, lo);

	d = _mm_add_epi8(_mm_add_epi8(d, _mm_set1_epi8('0')), _mm_and_si128(
	    _mm_cmpgt_epi8(d, _mm_set1_epi8(9)), _mm_set1_epi8('a' - '0' - 10)));
	_mm_storel_epi64((__m128i *)(void *)buf, d);
#else
	uint64_t t = v, m;

	t = (t | t << 16) & 0x0000ffff0000ffffULL;
	t = (t | t << 8) & 0x00ff00ff00ff00ffULL;
	t = (t | t << 4) & 0x0f0f0f0f0f0f0f0fULL;
	/* byte 0 holds the least significant digit */
	m = ((t + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
	t += 0x3030303030303030ULL + m * ('a' - '0' - 10);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	memcpy(buf, &t, 8);
#else
	t = __builtin_bswap64(t);
	memcpy(buf, &t, 8);
#endif
#endif
}

/* num_fmt_addr() for values above 32 bits. */
size_t	num_fmt_addr_long(char *buf, uint64_t v);

/* Write the canonical address spelling of v to buf (>= NUM_ADDR_MAX bytes,
 * not NUL-terminated); return its length.  Inline for the usual 32-bit
 * value. */
static inline size_t
num_fmt_addr(char *buf, uint64_t v)
{
	if (v >> 32 != 0)
		return num_fmt_addr_long(buf, v);
	buf[0] = '0';
	buf[1] = 'x';
	num_hex8_put(buf + 2, (uint32_t)v);
	return 10;
}

/* Decimal spellings (buf >= NUM_INT_MAX bytes, not NUL-terminated). */
size_t	num_fmt_u64(char *buf, uint64_t v);
size_t	num_fmt_i64(char *buf, int64_t v);

/*
 * The order used for every value the tools sort: when both spans are
 * integers (decimal with optional '-', or 0x-hex), by numeric value, so
 * 9 sorts before 10; an integer sorts before a non-integer; otherwise,
 * and to break numeric ties such as 010 and 10, bytewise.  Returns <0,
 * 0 or >0.  Independent of locale.
 */
int	num_cmp_values(struct span a, struct span b);

/*
 * The sort key num_cmp_values() uses, computed once for callers that
 * sort many values: num_key_make() parses, num_key_cmp() compares in
 * the order of num_cmp_values().  The key borrows s's bytes.
 */
struct num_key {
	struct span	 s;
	int		 isnum, neg;
	uint64_t	 mag;
};

void	num_key_make(struct num_key *k, struct span s);
int	num_key_cmp(const struct num_key *a, const struct num_key *b);

/*
 * The same order in 16 bytes, for sorting millions of keys: the value is
 * a column of a longer string (a key), found again from the string's
 * start when a comparison needs its bytes.  The column must be shorter
 * than 1 GiB and start within 4 GiB of the string (else it exits 2).
 */
struct num_skey {
	uint64_t	 mag;
	uint32_t	 off;		/* the column within the string */
	uint32_t	 len;		/* its length << 2 | isnum << 1 | neg */
};

void	num_skey_make(struct num_skey *k, const char *base, struct span col);
int	num_skey_cmp(const struct num_skey *a, const char *abase,
	    const struct num_skey *b, const char *bbase);

#endif
