/* json.c - JSON Lines records over jsmn; see json.h. */
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "msg.h"
#include "json.h"
#include "ob.h"

static inline int
isws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whether a short string holds a backslash (a loop beats a call). */
static inline int
has_bs(const char *p, size_t n)
{
	if (n > 32)
		return memchr(p, '\\', n) != NULL;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\\')
			return 1;
	return 0;
}

/* RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static inline int
number_ok(const char *p, size_t n)
{
	size_t i = 0;

	if (i < n && p[i] == '-')
		i++;
	if (i == n)
		return 0;
	if (p[i] == '0')
		i++;
	else if (p[i] >= '1' && p[i] <= '9')
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && p[i] == '.') {
		size_t d = ++i;

		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		size_t d;

		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		d = i;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	return i == n;
}

static int
fail(struct json_line *jl, const char *p, size_t n, const char *why)
{
	const char *nul = memchr(p, '\0', n);

	if (nul != NULL)
		snprintf(jl->err, sizeof(jl->err), "NUL byte at column %zu",
		    (size_t)(nul - p) + 1);
	else
		snprintf(jl->err, sizeof(jl->err), "%s", why);
	return -1;
}

/* Raw extent of a token: strings include their quotes. */
static int
tbeg(const jsmntok_t *t)
{
	return t->start - (t->type == JSMN_STRING);
}

static int
tend(const jsmntok_t *t)
{
	return t->end + (t->type == JSMN_STRING);
}

/* Whether p[a..b) is whitespace around exactly one byte sep. */
static inline int
sep_ok(const char *p, int a, int b, char sep)
{
	int seen = 0;

	/* The usual gaps: nothing, ":", ",", ": ", ", ". */
	if (b - a == 1)
		return p[a] == sep || (sep == 0 && isws(p[a]));
	if (b == a)
		return sep == 0;
	if (b - a == 2 && p[a] == sep && p[a + 1] == ' ')
		return sep != 0;
	for (; a < b; a++) {
		if (p[a] == sep && !seen)
			seen = 1;
		else if (!isws(p[a]))
			return 0;
	}
	return seen || sep == 0;
}

static int
literal_ok(const char *p, const jsmntok_t *t)
{
	struct span v = span_make(p + t->start, (size_t)(t->end - t->start));

	return span_eqs(v, "true") || span_eqs(v, "false") ||
	    span_eqs(v, "null") || number_ok(v.p, v.n);
}

/*
 * Check the nested value whose tokens are tok[from..to): separators,
 * keys, literals.  jsmn's parent links make the parent of an object
 * member's value the member's key.  Iterative, so deep nesting costs
 * memory, not stack.
 */
static int
check_nested(struct json_line *jl, const char *p, int from, int to)
{
	jsmntok_t *tok = jl->tok;
	int j, P, O;

	if ((unsigned)to > jl->nstate) {
		jl->nstate = jl->ntok;
		jl->lastend = xreallocarray(jl->lastend, jl->nstate,
		    sizeof(int));
		jl->nchild = xreallocarray(jl->nchild, jl->nstate, sizeof(int));
	}
	jl->lastend[from] = tok[from].start + 1;
	jl->nchild[from] = 0;
	for (j = from + 1; j < to; j++) {
		P = tok[j].parent;
		if (P < from || P >= j)
			return -1;
		/*
		 * jsmn makes any token after a ':' its parent, even a number
		 * or an array ("[1,]:8"): only an object member's key, or an
		 * object or array, may be a parent here.
		 */
		if (tok[P].type == JSMN_PRIMITIVE || tok[P].type ==
		    JSMN_UNDEFINED)
			return -1;
		if (tok[P].type == JSMN_STRING) {
			/* a member's value, after its key */
			if (!sep_ok(p, tend(&tok[P]), tbeg(&tok[j]), ':'))
				return -1;
			O = tok[P].parent;
			if (O < from || O >= j || tok[O].type != JSMN_OBJECT)
				return -1;
			jl->lastend[O] = tend(&tok[j]);
		} else {
			if (tok[P].type == JSMN_OBJECT &&
			    (tok[j].type != JSMN_STRING || tok[j].size != 1))
				return -1;
			if (!sep_ok(p, jl->lastend[P], tbeg(&tok[j]),
			    jl->nchild[P] > 0 ? ',' : 0))
				return -1;
			jl->nchild[P]++;
			jl->lastend[P] = tend(&tok[j]);
		}
		if (tok[j].type == JSMN_OBJECT || tok[j].type == JSMN_ARRAY) {
			jl->lastend[j] = tok[j].start + 1;
			jl->nchild[j] = 0;
		} else if (tok[j].type == JSMN_PRIMITIVE && !literal_ok(p, &tok[j]))
			return -1;
	}
	/* Nothing but blanks before each closing bracket (no "1,]"). */
	for (j = from; j < to; j++)
		if ((tok[j].type == JSMN_OBJECT || tok[j].type == JSMN_ARRAY) &&
		    !sep_ok(p, jl->lastend[j], tok[j].end - 1, 0))
			return -1;
	return 0;
}

/*
 * The fast path: a flat object whose values are strings, numbers, true,
 * false or null, in any spacing.  It accepts a line only when it is
 * certain jsmn (with the checks of json_parse_jsmn) accepts it with the
 * same fields; anything else -- a nested value, a raw control character
 * in a string, a malformed token, a NUL -- makes it defer (return 0), so
 * that jsmn decides, and words the error.
 */
enum { CS_PLAIN, CS_QUOTE, CS_BACKSLASH, CS_CTRL };
static const unsigned char strclass[256] = {
	[0] = CS_CTRL, [1] = CS_CTRL, [2] = CS_CTRL, [3] = CS_CTRL,
	[4] = CS_CTRL, [5] = CS_CTRL, [6] = CS_CTRL, [7] = CS_CTRL,
	[8] = CS_CTRL, [9] = CS_CTRL, [10] = CS_CTRL, [11] = CS_CTRL,
	[12] = CS_CTRL, [13] = CS_CTRL, [14] = CS_CTRL, [15] = CS_CTRL,
	[16] = CS_CTRL, [17] = CS_CTRL, [18] = CS_CTRL, [19] = CS_CTRL,
	[20] = CS_CTRL, [21] = CS_CTRL, [22] = CS_CTRL, [23] = CS_CTRL,
	[24] = CS_CTRL, [25] = CS_CTRL, [26] = CS_CTRL, [27] = CS_CTRL,
	[28] = CS_CTRL, [29] = CS_CTRL, [30] = CS_CTRL, [31] = CS_CTRL,
	['"'] = CS_QUOTE, ['\\'] = CS_BACKSLASH,
};

static inline int
ishex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * The bytes of the 8-byte word w that are a quote, a backslash or a
 * control character, as their high bits: the has-zero-byte trick, three
 * times.  A borrow can flag a byte above a true match, never one below,
 * so the lowest flag (little-endian: the first byte) is always real.
 */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
static inline uint64_t
word_special(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) |
	    ((w - ONES * 0x20) & ~w)) & HIGHS;
}

/* Scan a string body from q (just past its opening quote); returns the
 * closing quote, or NULL to defer.  *esc tells whether it has escapes. */
static inline const char *
fast_string(const char *q, const char *end, int *esc)
{
	uint64_t w, m;

	*esc = 0;
	for (;;) {
		/* Eight bytes at a time to the first special byte. */
		for (;;) {
			if (end - q < 8) {
				while (q < end &&
				    strclass[(unsigned char)*q] == CS_PLAIN)
					q++;
				break;
			}
			memcpy(&w, q, 8);
			if ((m = word_special(w)) != 0) {
				q += __builtin_ctzll(m) >> 3;
				break;
			}
			q += 8;
		}
		if (q >= end)
			return NULL;
		switch (strclass[(unsigned char)*q]) {
		case CS_QUOTE:
			return q;
		case CS_BACKSLASH:
			*esc = 1;
			if (q + 1 >= end)
				return NULL;
			switch (q[1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				q += 2;
				break;
			case 'u':
				if (end - q < 6 || !ishex(q[2]) || !ishex(q[3]) ||
				    !ishex(q[4]) || !ishex(q[5]))
					return NULL;
				q += 6;
				break;
			default:
				return NULL;
			}
			break;
		default:
			return NULL;	/* control character: let jsmn judge */
		}
	}
}

/* Bytes that end a primitive: blanks, ',' and '}' (and ']' for jsmn). */
static const unsigned char primend[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [','] = 1, ['}'] = 1,
};

/* A JSON number starting at q: returns its end, or NULL when the text is
 * not one (the grammar of number_ok, scanned in one pass). */
static inline const char *
fast_number(const char *q, const char *end)
{
	const char *d;

	if (q < end && *q == '-')
		q++;
	if (q == end)
		return NULL;
	if (*q == '0')
		q++;
	else if (*q >= '1' && *q <= '9') {
		/* eight digits at a time, then one by one */
		for (q++; end - q >= 8; q += 8) {
			uint64_t w, t, m;

			memcpy(&w, q, 8);
			t = w - ONES * '0';
			m = (t | (t + ONES * 0x76)) & HIGHS;
			if (m != 0) {
				/* the lowest flagged byte is the first
				 * non-digit (a borrow only flags higher) */
				q += __builtin_ctzll(m) >> 3;
				goto digits_done;
			}
		}
		while (q < end && *q >= '0' && *q <= '9')
			q++;
digits_done:	;
	} else
		return NULL;
	if (q < end && *q == '.') {
		for (d = ++q; q < end && *q >= '0' && *q <= '9'; q++)
			;
		if (q == d)
			return NULL;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		if (++q < end && (*q == '+' || *q == '-'))
			q++;
		for (d = q; q < end && *q >= '0' && *q <= '9'; q++)
			;
		if (q == d)
			return NULL;
	}
	return q;
}

static const unsigned char wsclass[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

static inline const char *
skip_ws(const char *q, const char *end)
{
	while (q < end && wsclass[(unsigned char)*q])
		q++;
	return q;
}

static int
fast_scalar(struct json_line *jl, const char *p, size_t n)
{
	const char *q = p, *end = p + n, *e;
	struct json_field *f;
	size_t nf = 0;
	int esc;

	if (n >= INT_MAX)
		return 0;
	q = skip_ws(q, end);
	if (q == end || *q != '{')
		return 0;
	q = skip_ws(q + 1, end);
	if (q < end && *q == '}') {
		jl->nf = 0;
		return skip_ws(q + 1, end) == end;
	}
	for (;;) {
		/* key */
		if (q == end || *q != '"')
			return 0;
		if ((e = fast_string(q + 1, end, &esc)) == NULL)
			return 0;
		if (nf == jl->fcap) {
			jl->fcap = jl->fcap ? jl->fcap * 2 : 16;
			jl->f = xreallocarray(jl->f, jl->fcap, sizeof(*jl->f));
		}
		f = &jl->f[nf++];
		f->key = span_make(q + 1, (size_t)(e - q - 1));
		f->kesc = esc;
		f->tag = NULL;
		/* ':' then a value; the usual spellings ":" and ": " are
		 * tried before the general blank-skipping loop */
		q = e + 1;
		if (q < end && *q != ':')
			q = skip_ws(q, end);
		if (q == end || *q != ':')
			return 0;
		q++;
		if (q < end && *q == ' ')
			q++;
		if (q < end && wsclass[(unsigned char)*q])
			q = skip_ws(q, end);
		if (q == end)
			return 0;
		/* value */
		f->vesc = 0;
		if (*q == '"') {
			if ((e = fast_string(q + 1, end, &esc)) == NULL)
				return 0;
			f->type = JT_STRING;
			f->val = span_make(q + 1, (size_t)(e - q - 1));
			f->vesc = esc;
			q = e + 1;
		} else {
			/* a primitive, which must end at a blank, ',' or '}' */
			switch (*q) {
			case 't':
				e = q + 4;
				if (end - q < 4 || memcmp(q, "true", 4) != 0)
					return 0;
				f->type = JT_TRUE;
				break;
			case 'f':
				e = q + 5;
				if (end - q < 5 || memcmp(q, "false", 5) != 0)
					return 0;
				f->type = JT_FALSE;
				break;
			case 'n':
				e = q + 4;
				if (end - q < 4 || memcmp(q, "null", 4) != 0)
					return 0;
				f->type = JT_NULL;
				break;
			default:
				if ((e = fast_number(q, end)) == NULL)
					return 0;
				f->type = JT_NUMBER;
			}
			if (e == end || !primend[(unsigned char)*e])
				return 0;
			f->val = span_make(q, (size_t)(e - q));
			q = e;
		}
		if (q < end && wsclass[(unsigned char)*q])
			q = skip_ws(q, end);
		if (q == end)
			return 0;
		if (*q == '}')
			break;
		if (*q != ',')
			return 0;
		q++;
		if (q < end && *q == ' ')
			q++;
		if (q < end && wsclass[(unsigned char)*q])
			q = skip_ws(q, end);
	}
	if (skip_ws(q + 1, end) != end)
		return 0;
	jl->nf = nf;
	jl->noctrl = 1;
	return 1;
}


/*
 * The fast path again, for x86-64: the same grammar, the same fields,
 * two costs cut.
 *
 * Glue.  Trace lines repeat their keys, in the same order, with the same
 * spacing.  The bytes from the end of one value to the start of the next
 * -- blanks, ',', the key with its quotes, ':' and one blank; for the
 * first field the line's start and its '{' -- are its glue, up to the
 * value's first byte.  A glue walked byte by byte is remembered with its
 * key's offset, in a slot found by hashing its first bytes (glues that
 * start a line in a table of their own), and the glue before it learns
 * that it came next.  At the end of a value, the glue that came next
 * last time, else the one in the slot, is compared with the bytes there;
 * when they are the same the key is taken from the memo and the walk
 * goes straight to the value.  The walk from the end of a value (or the
 * line's start) depends on nothing but the bytes it reads, so the same
 * bytes give the same key and the same state; a memo is only ever a
 * shortcut, checked byte for byte, never trusted.
 *
 * Guesses.  Where a value ends is the start of the next glue: a chain,
 * field after field, of loads and probes each waiting for the one
 * before.  The direct walk (json_parse_to()) guesses that a number ends
 * where the last one after the same glue ended, goes on from there, and
 * checks the guess against the probe meanwhile (a branch, which the CPU
 * predicts, not data it must wait for); a wrong guess is put right
 * before anything depends on it.  With AVX2 it probes the first 64 bytes
 * of a line for string specials at once, before the walk needs them: the
 * end of a string there is then a shift and a bit scan away.
 *
 * Probes.  The end of a string's plain run (a '"', '\\' or control
 * character) and of a number's digits are found 16 bytes at a time with
 * SSE2, or 32 with AVX2, reading only bytes of the line: the last block
 * is the one ending at the line's last non-blank byte, its mask shifted.
 *
 * The walk is written once, inline, and compiled twice: walk_sse2() and
 * walk_avx2() (the latter for CPUs with AVX2 only).
 */
#if defined(__x86_64__)

#define JSON_FAST_MAX	4096	/* longer lines: the scalar walk */
#define GLUE_BITS	8	/* 256 slots for the glues between fields */
#define GLUE_FIRST_BITS	4	/* 16 for the glues that start a line */
#define GLUE_FIRST	(1 << GLUE_BITS)
#define GLUE_N		(GLUE_FIRST + (1 << GLUE_FIRST_BITS))
#define GLUE_MAX	32	/* longest glue remembered */

struct json_glue {
	struct json_glue *next;	/* the glue that followed this one last */
	unsigned	 tag;	/* the caller's word for the key (json.h) */
	unsigned char	 len;	/* 0: none */
	unsigned char	 koff, klen, kesc;	/* the key, in b */
	unsigned char	 vlen;	/* the length of the number after it */
	char		 b[GLUE_MAX];
};

/* Whether glue g is set and ends before p[last], from q < last. */
#define GLUE_FITS(g, q, last)	((size_t)(g)->len - 1 < (last) - (q) - 1)

static inline uint64_t
ld8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t
ld4(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The slot of the glue at p in a table of 2^bits: a hash of its first
 * six bytes. */
static inline size_t
glue_slot(const char *p, int bits)
{
	return (size_t)(((ld8(p) << 16) * UINT64_C(0x9e3779b97f4a7c15)) >>
	    (64 - bits));
}

/* 0 when p[0..n) == g[0..n), 4 <= n <= 32: overlapping loads.  (A
 * word, not a truth value: the two ways of it meet in one test.) */
static inline uint64_t
glue_diff(const char *p, const char *g, size_t n)
{
	uint64_t x;

	if (n >= 8) {
		x = (ld8(p) ^ ld8(g)) | (ld8(p + n - 8) ^ ld8(g + n - 8));
		if (n > 16)
			x |= (ld8(p + 8) ^ ld8(g + 8)) |
			    (ld8(p + n - 16) ^ ld8(g + n - 16));
	} else
		x = (ld4(p) ^ ld4(g)) | (ld4(p + n - 4) ^ ld4(g + n - 4));
	return x;
}

/*
 * The masks' constants, loaded from memory, where the comparisons take
 * them as operands: set1 would build them again at each probe.  walk()
 * hides from the compiler what its pointer to them points to, or it
 * would build them all the same.
 */
#define K4(c)	c, c, c, c
#define K32(c)	{ K4(c), K4(c), K4(c), K4(c), K4(c), K4(c), K4(c), K4(c) }
struct probek {
	unsigned char	 quote[32], bs[32], ctl[32], zero[32], nine[32];
};
static const struct probek probek __attribute__((aligned(32))) = {
	K32('"'), K32('\\'), K32(0x1f), K32('0'), K32(9)
};
#undef K4
#undef K32

#define PROBEK16(f)	_mm_load_si128((const __m128i *)(const void *)k->f)
#define PROBEK32(f)	_mm256_load_si256((const __m256i *)(const void *)k->f)

/* Masks of 16 or 32 bytes: string specials, and digits. */
static inline unsigned
special16(__m128i x, const struct probek *k)
{
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
	    _mm_cmpeq_epi8(x, PROBEK16(quote)),
	    _mm_cmpeq_epi8(x, PROBEK16(bs))),
	    _mm_cmpeq_epi8(_mm_min_epu8(x, PROBEK16(ctl)), x)));
}

static inline unsigned
digit16(__m128i x, const struct probek *k)
{
	__m128i t = _mm_sub_epi8(x, PROBEK16(zero));

	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(t,
	    PROBEK16(nine)), t));
}

__attribute__((target("avx2")))
static inline uint32_t
special32(__m256i x, const struct probek *k)
{
	return (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(
	    _mm256_cmpeq_epi8(x, PROBEK32(quote)),
	    _mm256_cmpeq_epi8(x, PROBEK32(bs))),
	    _mm256_cmpeq_epi8(_mm256_min_epu8(x, PROBEK32(ctl)), x)));
}

__attribute__((target("avx2")))
static inline uint32_t
digit32(__m256i x, const struct probek *k)
{
	__m256i t = _mm256_sub_epi8(x, PROBEK32(zero));

	return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	    _mm256_min_epu8(t, PROBEK32(nine)), t));
}

static inline __m128i
ld16(const char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/*
 * The first byte of p[i..end) that is a string special (dig 0) or not a
 * digit (dig 1), or end.  end >= 16: the last block is p[end-16..end).
 */
static inline size_t
probe_sse2(const char *p, size_t i, size_t end, int dig,
    const struct probek *k)
{
	unsigned m;

	for (; end - i >= 16; i += 16) {
		__m128i x = ld16(p + i);

		m = dig ? ~digit16(x, k) & 0xffff : special16(x, k);
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
	if (i < end) {
		__m128i x = ld16(p + end - 16);

		m = (dig ? ~digit16(x, k) & 0xffff : special16(x, k)) >>
		    (16 - (end - i));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
	return end;
}

__attribute__((target("avx2")))
static inline size_t
probe_avx2(const char *p, size_t i, size_t end, int dig,
    const struct probek *k)
{
	uint32_t m;

	for (; end - i >= 32; i += 32) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)
		    (p + i));

		m = dig ? ~digit32(x, k) : special32(x, k);
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
	return i < end ? probe_sse2(p, i, end, dig, k) : end;
}

/* The string specials of p[0..64), a bit each. */
__attribute__((target("avx2")))
static inline uint64_t
special64(const char *p, const struct probek *k)
{
	return special32(_mm256_loadu_si256((const __m256i *)(const void *)p),
	    k) | (uint64_t)special32(_mm256_loadu_si256((const __m256i *)
	    (const void *)(p + 32)), k) << 32;
}

/*
 * The string whose body starts at p[i]: its closing quote, found before
 * p[last], or 0 to defer; *esc tells whether it has escapes.
 */
#define WALK_STRING(i, e) do {						\
	(e) = avx2 ? probe_avx2(p, (i), last, 0, k) :			\
	    probe_sse2(p, (i), last, 0, k);				\
	STRING_END(e);							\
} while (0)

/* The same from e, the string's first special byte (or last). */
#define STRING_END(e) do {						\
	if ((e) >= last)						\
		return 0;						\
	esc = 0;							\
	if (p[(e)] != '"') {						\
		const char *t_ = fast_string(p + (e), p + last, &esc);	\
									\
		if (t_ == NULL)						\
			return 0;					\
		(e) = (size_t)(t_ - p);					\
	}								\
} while (0)

/*
 * The glue at p[q..] (nf == 0: the line's start), walked byte by byte:
 * sets f->key and f->kesc and returns the offset just past it, or 0 to
 * defer, or SIZE_MAX at the end of the object.  Remembers it in slot g,
 * when g is not NULL and it is not too long.
 */
static inline __attribute__((always_inline)) size_t
walk_glue(const char *p, size_t q, size_t last, size_t nf,
    struct json_field *f, struct json_glue *g, int avx2,
    const struct probek *k)
{
	size_t start = q, e;
	int esc;

	while (wsclass[(unsigned char)p[q]])
		q++;
	if (nf == 0) {
		if (p[q] != '{')
			return 0;
		for (q++; wsclass[(unsigned char)p[q]]; q++)
			;
		if (q == last)
			return SIZE_MAX;
	} else if (p[q] == ',') {
		q++;
		if (p[q] == ' ')
			q++;
		while (wsclass[(unsigned char)p[q]])
			q++;
	} else if (q == last)
		return SIZE_MAX;
	else
		return 0;
	if (p[q] != '"')
		return 0;
	WALK_STRING(q + 1, e);
	f->key = span_make(p + q + 1, e - q - 1);
	f->kesc = esc;
	q = e + 1;
	if (p[q] != ':') {
		while (wsclass[(unsigned char)p[q]])
			q++;
		if (p[q] != ':')
			return 0;
	}
	q++;
	if (p[q] == ' ')
		q++;
	if (g != NULL && q - start <= GLUE_MAX) {
		memcpy(g->b, p + start, q - start);
		g->len = (unsigned char)(q - start);
		g->koff = (unsigned char)(f->key.p - p - start);
		g->klen = (unsigned char)f->key.n;
		g->kesc = (unsigned char)esc;
		g->next = NULL;
		g->tag = 0;
	}
	return q;
}

/* A value into element el of a json_to (json.h's offsets). */
static inline void
to_put(char *el, uint64_t gen, struct span val, int kind, int esc)
{
	*(uint64_t *)(void *)(el + JSON_TO_GEN) = gen;
	*(struct span *)(void *)(el + JSON_TO_VAL) = val;
	*(int *)(void *)(el + JSON_TO_KIND) = kind;
	*(int *)(void *)(el + JSON_TO_ESC) = esc;
}

/*
 * Returns 1 with jl->f filled, 0 to defer, -1 when the line is too short
 * or too long for this walk (the scalar walk then takes it).
 *
 * With direct (json_parse_to()), the values go to the caller's elements
 * instead, and the walk gives up (0) at anything that needs more than
 * the memo: a glue not remembered, a key whose tag holds no word yet, a
 * second value for an element.  It never changes a glue's key or tag,
 * but for a caller that gives to->index: a key not met at that place
 * before, or whose tag holds no word yet, is then looked up with it
 * (unless escaped), and its glue remembered with that word.
 */
static inline __attribute__((always_inline)) int
walk(struct json_line *jl, const char *p, size_t n, int avx2, int direct,
    const struct json_to *to)
{
	struct json_glue *glue = jl->glue, *g, *prev = NULL;
	struct json_field *fields = NULL, *f = NULL, spare;
	const struct probek *k = &probek;
	size_t q, e, last, nf = 0;
	char *el = NULL;
	enum json_type type;
	int esc;
	uint64_t smask = 0;	/* string specials of p[0..slim) */
	size_t slim = 0;
	/* (locals: the stores to elements might change *to, for all the
	 * compiler knows, and it would load these again) */
	char *tobase = direct ? to->base : NULL;
	size_t tostride = direct ? to->stride : 0;
	size_t ton = direct ? to->n : 0;
	uint64_t togen = direct ? to->gen : 0;
	int tokstr = direct ? to->kind[JT_STRING] : 0;
	int toknum = direct ? to->kind[JT_NUMBER] : 0;
	int (*toindex)(const char *, size_t) = direct ? to->index : NULL;

	__asm__("" : "+r" (k));	/* (see probek) */

	if (n > JSON_FAST_MAX)
		return -1;
	for (last = n; last > 0 && wsclass[(unsigned char)p[last - 1]]; last--)
		;
	if (last < 17)
		return -1;
	if (p[--last] != '}')
		return 0;
	/* p[last] is '}', not a blank: blank loops stop there at the
	 * latest.  A field takes 5 bytes at least: room for them all. */
	if (direct && avx2 && last >= 64) {
		smask = special64(p, k);
		slim = 64;
	}
	if (!direct) {
		if (jl->fcap < n / 4 + 2) {
			jl->fcap = n / 4 + 2;
			jl->f = xreallocarray(jl->f, jl->fcap,
			    sizeof(*jl->f));
		}
		fields = jl->f;
	}
	for (q = 0;; ) {
		/*
		 * At the line's start, or just past a value, q < last.  The
		 * glue here is the one that followed the last one the last
		 * time, or the one in its slot, or else it is walked (and
		 * remembered in that slot).
		 */
		if (!direct)
			f = &fields[nf];
		if ((g = prev != NULL ? prev->next : NULL) != NULL &&
		    GLUE_FITS(g, q, last) && glue_diff(p + q, g->b, g->len) == 0)
			goto known;
		g = NULL;
		if (last - q >= 8) {
			g = nf == 0 ? &glue[GLUE_FIRST + glue_slot(p,
			    GLUE_FIRST_BITS)] : &glue[glue_slot(p + q, GLUE_BITS)];
			if (GLUE_FITS(g, q, last) && glue_diff(p + q, g->b,
			    g->len) == 0) {
				if (prev != NULL)
					prev->next = g;
				goto known;
			}
		}
		if (direct) {
			unsigned tag;
			int ix;

			/* without to->index, only the end of the object,
			 * after a field */
			if ((e = walk_glue(p, q, last, nf, &spare, toindex !=
			    NULL ? g : NULL, avx2, k)) == SIZE_MAX) {
				if (nf == 0)
					return 0;
				break;
			}
			if (e == 0 || toindex == NULL || spare.kesc)
				return 0;
			/* a key not met here before: its element asked of
			 * the caller, and remembered with its glue */
			ix = toindex(spare.key.p, spare.key.n);
			tag = ix < 0 ? 1 : (unsigned)ix + 2;
			if (g != NULL && e - q > GLUE_MAX)
				g = NULL;	/* not remembered */
			if (g != NULL) {
				g->tag = tag;
				if (prev != NULL)
					prev->next = g;
			}
			prev = g;
			q = e;
			if (tag - 2 < ton) {
				el = tobase + (size_t)(tag - 2) * tostride;
				if (*(uint64_t *)(void *)(el + JSON_TO_GEN) ==
				    togen)
					return 0;	/* a second value */
			} else if (tag == 1)
				el = NULL;
			else
				return 0;
			goto value;
		}
		if ((e = walk_glue(p, q, last, nf, f, g, avx2, k)) == 0)
			return 0;
		if (e == SIZE_MAX) {
			if (nf > 0)
				break;
			jl->nf = 0;	/* {} */
			return 1;
		}
		if (g != NULL && e - q > GLUE_MAX)
			g = NULL;	/* not remembered */
		if (prev != NULL && g != NULL)
			prev->next = g;
		if (g != NULL)	/* an earlier field's key is gone from g */
			for (size_t j = 0; j < nf; j++)
				if (fields[j].tag == &g->tag)
					fields[j].tag = NULL;
		f->tag = g != NULL ? &g->tag : NULL;
		prev = g;
		q = e;
		goto value;
known:
		if (direct) {
			/* the element for this key, or NULL for none; a tag
			 * with no word yet (0) is looked up, once */
			if (g->tag - 2 < ton) {
				el = tobase + (size_t)(g->tag - 2) * tostride;
				if (*(uint64_t *)(void *)(el + JSON_TO_GEN) ==
				    togen)
					return 0;	/* a second value */
			} else if (g->tag == 1)
				el = NULL;
			else if (g->tag == 0 && toindex != NULL && !g->kesc) {
				int ix = toindex(p + q + g->koff, g->klen);

				g->tag = ix < 0 ? 1 : (unsigned)ix + 2;
				goto known;
			} else
				return 0;
		} else {
			f->key = span_make(p + q + g->koff, g->klen);
			f->kesc = g->kesc;
			f->tag = &g->tag;
		}
		q += g->len;
		prev = g;
value:
		nf++;
again:
		if (p[q] == '"') {
			if (q + 1 < slim) {
				/* the line's first 64 bytes were probed at
				 * once: the string's end is a bit away */
				uint64_t m = smask >> (q + 1);

				e = m != 0 ? q + 1 + (size_t)__builtin_ctzll(m) :
				    probe_avx2(p, 64, last, 0, k);
				STRING_END(e);
			} else
				WALK_STRING(q + 1, e);
			if (!direct) {
				f->type = JT_STRING;
				f->val = span_make(p + q + 1, e - q - 1);
				f->vesc = esc;
			} else if (el != NULL)
				to_put(el, togen, span_make(p + q + 1,
				    e - q - 1), tokstr, esc);
			q = e + 1;
		} else {
			/* a primitive, which must end at a blank, ',' or
			 * '}'; the usual number is digits alone, others
			 * (0, -, a fraction, an exponent) are scanned as
			 * before */
			int dig = 0;

			type = JT_NUMBER;
			if (p[q] >= '1' && p[q] <= '9' && primend[(unsigned char)
			    p[e = avx2 ? probe_avx2(p, q + 1, last, 1, k) :
			    probe_sse2(p, q + 1, last, 1, k)]])
				dig = 1;
			else if (wsclass[(unsigned char)p[q]]) {
				/* blanks the glue did not have: the value
				 * after them (p[last] is '}') */
				while (wsclass[(unsigned char)p[q]])
					q++;
				goto again;
			} else if (p[q] == 't') {
				if (last - q < 4 || memcmp(p + q, "true", 4) != 0)
					return 0;
				e = q + 4;
				type = JT_TRUE;
			} else if (p[q] == 'f') {
				if (last - q < 5 || memcmp(p + q, "false", 5) != 0)
					return 0;
				e = q + 5;
				type = JT_FALSE;
			} else if (p[q] == 'n') {
				if (last - q < 4 || memcmp(p + q, "null", 4) != 0)
					return 0;
				e = q + 4;
				type = JT_NULL;
			} else {
				const char *t = fast_number(p + q, p + last);

				if (t == NULL)
					return 0;
				e = (size_t)(t - p);
			}
			if (!primend[(unsigned char)p[e]])
				return 0;
			if (!direct) {
				f->type = type;
				f->val = span_make(p + q, e - q);
				f->vesc = 0;
			} else if (el != NULL) {
				to_put(el, togen, span_make(p + q, e - q),
				    type == JT_NUMBER ? toknum : to->kind[type], 0);
				if (dig)
					*(uint64_t *)(void *)(el +
					    JSON_TO_DIG) = togen;
			}
			if (direct && dig && g != NULL) {
				/* the end where the last number after this
				 * glue ended, unless this one ends elsewhere:
				 * the walk goes on from there before the
				 * probe is done (a branch, not data) */
				size_t ep = q + g->vlen, epc = ep;

				__asm__("" : "+r" (epc));
				if (__builtin_expect(e != epc, 0)) {
					g->vlen = e - q < 256 ?
					    (unsigned char)(e - q) : 0;
					ep = e;
				}
				q = ep;
			} else
				q = e;
		}
		if (q == last)
			break;
	}
	if (!direct)
		jl->nf = nf;
	jl->noctrl = 1;
	return 1;
}

static int
walk_sse2(struct json_line *jl, const char *p, size_t n)
{
	return walk(jl, p, n, 0, 0, NULL);
}

__attribute__((target("avx2")))
static int
walk_avx2(struct json_line *jl, const char *p, size_t n)
{
	return walk(jl, p, n, 1, 0, NULL);
}

static int
walk_to_sse2(struct json_line *jl, const char *p, size_t n,
    const struct json_to *to)
{
	return walk(jl, p, n, 0, 1, to);
}

__attribute__((target("avx2")))
static int
walk_to_avx2(struct json_line *jl, const char *p, size_t n,
    const struct json_to *to)
{
	return walk(jl, p, n, 1, 1, to);
}
#endif

static const char *const path_names[JSON_NPATH] = { "scalar", "sse2", "avx2" };

const char *
json_path_name(enum json_path path)
{
	return (unsigned)path < JSON_NPATH ? path_names[path] : "?";
}

int
json_path_can(enum json_path path)
{
	switch (path) {
	case JSON_SCALAR:
		return 1;
#if defined(__x86_64__)
	case JSON_SSE2:
		return 1;
	case JSON_AVX2:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2") != 0;
#endif
	default:
		return 0;
	}
}

static pthread_once_t path_once = PTHREAD_ONCE_INIT;
static enum json_path path_chosen;

static void
path_choose(void)
{
	const char *e = getenv("TRACE_TOOLS_SIMD");
	int i;

	if (e == NULL || *e == '\0') {
		for (i = JSON_NPATH - 1; i > 0 && !json_path_can(i); i--)
			;
		path_chosen = i;
		return;
	}
	for (i = 0; i < JSON_NPATH; i++)
		if (strcmp(e, path_names[i]) == 0)
			break;
	if (i == JSON_NPATH)
		dief("TRACE_TOOLS_SIMD: unknown value '%s' (scalar, sse2 or "
		    "avx2)", msg_vis(e, strlen(e)));
	if (!json_path_can(i))
		dief("TRACE_TOOLS_SIMD: %s: not available on this build "
		    "or CPU", path_names[i]);
	path_chosen = i;
}

enum json_path
json_path(void)
{
	pthread_once(&path_once, path_choose);
	return path_chosen;
}

/* json_path(), once json_parse_fast() has asked for it, else -1. */
static int	fast_chosen = -1;

int
json_parse_fast_on(struct json_line *jl, const char *p, size_t n,
    enum json_path path)
{
#if defined(__x86_64__)
	int r;

	if (path != JSON_SCALAR) {
		if (jl->glue == NULL)
			jl->glue = xcalloc(GLUE_N, sizeof(struct json_glue));
		r = path == JSON_AVX2 ? walk_avx2(jl, p, n) :
		    walk_sse2(jl, p, n);
		if (r >= 0)
			return r;
	}
#else
	(void)path;
#endif
	return fast_scalar(jl, p, n);
}

int
json_parse_fast(struct json_line *jl, const char *p, size_t n)
{
	int pa = __atomic_load_n(&fast_chosen, __ATOMIC_RELAXED);

	if (pa < 0) {
		pa = (int)json_path();
		__atomic_store_n(&fast_chosen, pa, __ATOMIC_RELAXED);
	}
	return json_parse_fast_on(jl, p, n, (enum json_path)pa);
}

int
json_parse_to_on(struct json_line *jl, const char *p, size_t n,
    enum json_path path, const struct json_to *to)
{
#if defined(__x86_64__)
	if (jl->glue != NULL && path != JSON_SCALAR)
		return (path == JSON_AVX2 ? walk_to_avx2(jl, p, n, to) :
		    walk_to_sse2(jl, p, n, to)) > 0;
#else
	(void)jl, (void)p, (void)n, (void)path, (void)to;
#endif
	return 0;
}

int
json_parse_to(struct json_line *jl, const char *p, size_t n,
    const struct json_to *to)
{
#if defined(__x86_64__)
	int pa = __atomic_load_n(&fast_chosen, __ATOMIC_RELAXED);

	if (jl->glue != NULL && pa > JSON_SCALAR)
		return (pa == JSON_AVX2 ? walk_to_avx2(jl, p, n, to) :
		    walk_to_sse2(jl, p, n, to)) > 0;
#else
	(void)jl, (void)p, (void)n, (void)to;
#endif
	return 0;
}

int
json_parse_line(struct json_line *jl, const char *p, size_t n)
{
#if defined(__x86_64__)
	int pa, r;

	/* The usual line on a SIMD path, without json_parse_fast()'s
	 * dispatch; a line too short or too long for the walk goes the
	 * long way. */
	if (jl->glue != NULL &&
	    (pa = __atomic_load_n(&fast_chosen, __ATOMIC_RELAXED)) >
	    JSON_SCALAR && (r = pa == JSON_AVX2 ? walk_avx2(jl, p, n) :
	    walk_sse2(jl, p, n)) >= 0)
		return r ? 0 : json_parse_jsmn(jl, p, n);
#endif
	if (json_parse_fast(jl, p, n))
		return 0;
	return json_parse_jsmn(jl, p, n);
}

/*
 * Deep nesting.  jsmn finds the container a closing bracket ends by
 * walking back over the tokens before it, so a value nested n levels
 * deep costs about n*n/2 steps (100,000 levels: a minute).  A line whose
 * nesting goes deeper than JSON_DEEP is therefore parsed in two passes,
 * both linear: skip_nested() checks each nested value of the top-level
 * object against the JSON grammar, with an explicit stack, and a copy of
 * the line with the inside of each such value blanked (same length, so
 * the same offsets) goes to jsmn, which then sees only empty containers.
 * Below JSON_DEEP jsmn's cost is small and the usual path runs.
 */
#define JSON_DEEP	256

/* Deepest nesting of brackets outside strings, counted up to limit + 1. */
static size_t
nest_depth(const char *p, size_t n, size_t limit)
{
	size_t i, d = 0, max = 0;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c == '"') {
			for (i++; i < n && p[i] != '"'; i++)
				if (p[i] == '\\')
					i++;
		} else if (c == '[' || c == '{') {
			if (++d > max && (max = d) > limit)
				return max;
		} else if ((c == ']' || c == '}') && d > 0)
			d--;
	}
	return max;
}

/* Index just past the string starting at p[i] ('"'), or 0 when bad. */
static size_t
skip_string(const char *p, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"')
			return i + 1;
		if (c == '\\') {
			if (++i >= n)
				return 0;
			if (p[i] == 'u') {
				for (int k = 0; k < 4; k++)
					if (++i >= n || !isxdigit((unsigned char)p[i]))
						return 0;
			} else if (strchr("\"\\/bfnrt", p[i]) == NULL || p[i] == '\0')
				return 0;
		}
	}
	return 0;
}

/*
 * Check the object or array starting at p[i] against the JSON grammar;
 * return the index just past it, or 0 when it is not valid JSON.
 */
static size_t
skip_nested(struct json_line *jl, const char *p, size_t n, size_t i)
{
	enum { VALUE, VALUE_OR_CLOSE, KEY, KEY_OR_CLOSE, COLON, AFTER } st;
	size_t d = 0, e;

	st = VALUE;
	for (;;) {
		char c;

		while (i < n && isws(p[i]))
			i++;
		if (i >= n)
			return 0;
		c = p[i];
		switch (st) {
		case VALUE:
		case VALUE_OR_CLOSE:
			if (c == ']' && st == VALUE_OR_CLOSE) {
				d--, i++, st = AFTER;
				break;
			}
			if (c == '[' || c == '{') {
				if (d == jl->opencap) {
					jl->opencap = d ? d * 2 : 256;
					jl->open = xrealloc(jl->open, jl->opencap);
				}
				jl->open[d++] = (unsigned char)c;
				i++;
				st = c == '[' ? VALUE_OR_CLOSE : KEY_OR_CLOSE;
				break;
			}
			if (c == '"') {
				if ((i = skip_string(p, n, i)) == 0)
					return 0;
			} else {
				for (e = i; e < n && strchr(",]}: \t\r\n", p[e]) == NULL; e++)
					;
				if (!span_eqs(span_make(p + i, e - i), "true") &&
				    !span_eqs(span_make(p + i, e - i), "false") &&
				    !span_eqs(span_make(p + i, e - i), "null") &&
				    !number_ok(p + i, e - i))
					return 0;
				i = e;
			}
			st = AFTER;
			break;
		case KEY:
		case KEY_OR_CLOSE:
			if (c == '}' && st == KEY_OR_CLOSE) {
				d--, i++, st = AFTER;
				break;
			}
			if (c != '"' || (i = skip_string(p, n, i)) == 0)
				return 0;
			st = COLON;
			break;
		case COLON:
			if (c != ':')
				return 0;
			i++, st = VALUE;
			break;
		case AFTER:
			if (c == ',') {
				i++;
				st = jl->open[d - 1] == '{' ? KEY : VALUE;
			} else if ((c == ']' && jl->open[d - 1] == '[') ||
			    (c == '}' && jl->open[d - 1] == '{'))
				d--, i++;
			else
				return 0;
			break;
		}
		if (st == AFTER && d == 0)
			return i;
	}
}

/*
 * For a line nested deeper than JSON_DEEP: check every nested value of
 * the top-level object and return a copy of the line with their insides
 * blanked, or NULL with jl->err set.  A line that does not start with an
 * object is returned as it is (jsmn reports it).
 */
static const char *
flatten_deep(struct json_line *jl, const char *p, size_t n)
{
	size_t i, e, d = 0;
	struct span key = { p, 0 };	/* the last string at depth 1 */

	for (i = 0; i < n && isws(p[i]); i++)
		;
	if (i == n || p[i] != '{')
		return p;
	jl->flat.len = 0;
	sb_add(&jl->flat, p, n);
	for (; i < n; i++) {
		char c = p[i];

		if (c == '"') {
			if ((e = skip_string(p, n, i)) == 0)
				return p;	/* jsmn says what is wrong */
			if (d == 1)
				key = span_make(p + i + 1, e - i - 2);
			i = e - 1;
		} else if ((c == '[' || c == '{') && d == 1) {
			if ((e = skip_nested(jl, p, n, i)) == 0) {
				snprintf(jl->err, sizeof(jl->err), "invalid JSON "
				    "in the value of key '%.*s'", (int)(key.n > 40 ?
				    40 : key.n), key.p);
				return NULL;
			}
			memset(jl->flat.p + i + 1, ' ', e - i - 2);
			i = e - 1;
		} else if (c == '[' || c == '{')
			d++;
		else if ((c == ']' || c == '}') && d > 0)
			d--;
	}
	return jl->flat.p;
}

int
json_parse_jsmn(struct json_line *jl, const char *p, size_t n)
{
	jsmn_parser ps;
	jsmntok_t *tok;
	const char *q;	/* what jsmn parses: p, or p flattened */
	int r, i, k, prevend;
	size_t nkeys;

	jl->noctrl = 0;
	if (n >= INT_MAX)
		return fail(jl, p, n, "line too long for the JSON parser "
		    "(2 GiB or more)");
	if (jl->tok == NULL) {
		jl->ntok = 64;
		jl->tok = xreallocarray(NULL, jl->ntok, sizeof(jsmntok_t));
	}
	q = p;
	if (nest_depth(p, n, JSON_DEEP) > JSON_DEEP &&
	    (q = flatten_deep(jl, p, n)) == NULL)
		return -1;
	for (;;) {
		jsmn_init(&ps);
		r = jsmn_parse(&ps, q, n, jl->tok, jl->ntok);
		if (r != JSMN_ERROR_NOMEM)
			break;
		if (jl->ntok > UINT_MAX / 4)
			return fail(jl, p, n, "too many JSON tokens");
		jl->ntok *= 2;
		jl->tok = xreallocarray(jl->tok, jl->ntok, sizeof(jsmntok_t));
	}
	if (r == JSMN_ERROR_INVAL)
		return fail(jl, p, n, "invalid JSON");
	if (r == JSMN_ERROR_PART)
		return fail(jl, p, n,
		    "truncated JSON (unterminated string, object or array)");
	if (r == 0)
		return fail(jl, p, n, "no JSON value");
	tok = jl->tok;
	if (tok[0].type != JSMN_OBJECT)
		return fail(jl, p, n, "top-level JSON value is not an object");
	/* Nothing but whitespace may follow the object. */
	for (i = tok[0].end; (size_t)i < n; i++)
		if (!isws(p[i]))
			return fail(jl, p, n,
			    "trailing garbage after JSON object");
	for (i = 0; i < tok[0].start; i++)
		if (!isws(p[i]))
			return fail(jl, p, n, "garbage before JSON object");

	nkeys = (size_t)tok[0].size;
	if (nkeys > jl->fcap) {
		jl->fcap = nkeys < 16 ? 16 : nkeys;
		jl->f = xreallocarray(jl->f, jl->fcap, sizeof(*jl->f));
	}
	jl->nf = 0;
	prevend = tok[0].start + 1;	/* just past '{' */
	for (i = 1, k = 0; k < (int)nkeys; k++) {
		jsmntok_t *kt = &tok[i], *vt;
		struct json_field *f;
		int pending, j;

		if (i + 1 >= r || kt->type != JSMN_STRING || kt->size != 1)
			return fail(jl, p, n, "malformed JSON object");
		vt = &tok[i + 1];
		if (!sep_ok(p, prevend, tbeg(kt), k == 0 ? 0 : ',') ||
		    !sep_ok(p, tend(kt), tbeg(vt), ':'))
			return fail(jl, p, n, "malformed JSON object "
			    "(bad separator)");
		f = &jl->f[jl->nf++];
		f->key = span_make(p + kt->start, (size_t)(kt->end - kt->start));
		f->kesc = has_bs(f->key.p, f->key.n);
		f->tag = NULL;
		f->val = span_make(p + vt->start, (size_t)(vt->end - vt->start));
		f->vesc = 0;
		switch (vt->type) {
		case JSMN_STRING:
			f->type = JT_STRING;
			f->vesc = has_bs(f->val.p, f->val.n);
			break;
		case JSMN_OBJECT:
			f->type = JT_OBJECT;
			break;
		case JSMN_ARRAY:
			f->type = JT_ARRAY;
			break;
		default:
			/* By the first byte: jsmn strict admits only these. */
			if (f->val.p[0] == 't' && span_eqs(f->val, "true"))
				f->type = JT_TRUE;
			else if (f->val.p[0] == 'f' && span_eqs(f->val, "false"))
				f->type = JT_FALSE;
			else if (f->val.p[0] == 'n' && span_eqs(f->val, "null"))
				f->type = JT_NULL;
			else if (number_ok(f->val.p, f->val.n))
				f->type = JT_NUMBER;
			else {
				snprintf(jl->err, sizeof(jl->err),
				    "invalid JSON value '%.*s'",
				    (int)(f->val.n > 40 ? 40 : f->val.n),
				    f->val.p);
				return -1;
			}
		}
		prevend = tend(vt);
		/* Skip the value's subtree: sizes count direct children. */
		if (vt->size == 0)
			j = i + 2;	/* a scalar: the usual case */
		else
			for (j = i + 1, pending = 1; pending > 0; j++) {
				if (j >= r)
					return fail(jl, p, n,
					    "malformed JSON object");
				pending += tok[j].size - 1;
			}
		if ((f->type == JT_OBJECT || f->type == JT_ARRAY) &&
		    check_nested(jl, q, i + 1, j) != 0) {
			snprintf(jl->err, sizeof(jl->err), "invalid JSON in the "
			    "value of key '%.*s'", (int)(f->key.n > 40 ? 40 :
			    f->key.n), f->key.p);
			return -1;
		}
		i = j;
	}
	if (!sep_ok(p, prevend, tok[0].end - 1, 0))
		return fail(jl, p, n, "malformed JSON object (bad separator)");
	return 0;
}

void
json_line_free(struct json_line *jl)
{
	free(jl->tok);
	free(jl->f);
	free(jl->lastend);
	free(jl->nchild);
	sb_free(&jl->flat);
	free(jl->open);
	free(jl->glue);
	memset(jl, 0, sizeof(*jl));
}

static int
hex4(const char *p, unsigned *v)
{
	unsigned x = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*v = x;
	return 0;
}

/* Write code point cp at d as UTF-8; returns the bytes written (1-4). */
static size_t
put_utf8(char *d, unsigned cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	d[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* (json_unescape()'s way out on an error: sb left empty) */
#define ERR(s)	do { why = (s); goto bad; } while (0)

const char *
json_unescape(struct span raw, struct sbuf *sb)
{
	size_t i, run = 0;
	const char *p = raw.p, *why;
	char *d;

	/* Never longer than raw: each escape is written in fewer bytes
	 * (\uXXXX in 3 at most, a pair of them in 4); written in place. */
	sb_clear(sb);
	d = sb_reserve(sb, raw.n);
	for (i = 0; i < raw.n; i++) {
		unsigned char c = (unsigned char)p[i];
		unsigned cp, lo;

		if (c < 0x20)
			ERR("control character in JSON string");
		if (c != '\\')
			continue;
		memcpy(d, p + run, i - run);
		d += i - run;
		if (i + 1 >= raw.n)
			ERR("bad escape in JSON string");
		switch (p[++i]) {
		case '"': *d++ = '"'; break;
		case '\\': *d++ = '\\'; break;
		case '/': *d++ = '/'; break;
		case 'b': *d++ = '\b'; break;
		case 'f': *d++ = '\f'; break;
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		case 'u':
			if (i + 4 >= raw.n || hex4(p + i + 1, &cp) != 0)
				ERR("bad \\u escape in JSON string");
			i += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				ERR("lone low surrogate in JSON string");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 6 >= raw.n || p[i + 1] != '\\' ||
				    p[i + 2] != 'u' ||
				    hex4(p + i + 3, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					ERR("lone high surrogate in JSON "
					    "string");
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			}
			d += put_utf8(d, cp);
			break;
		default:
			ERR("bad escape in JSON string");
		}
		run = i + 1;
	}
	if (raw.n > run) {	/* (raw.p may be NULL when empty) */
		memcpy(d, p + run, raw.n - run);
		d += raw.n - run;
	}
	sb->len = (size_t)(d - sb->p);
	sb->p[sb->len] = '\0';
	return NULL;
bad:
	sb_clear(sb);
	return why;
}
#undef ERR

long
utf8_check(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		size_t need;
		unsigned cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1; cp = c & 0x1f; min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2; cp = c & 0x0f; min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3; cp = c & 0x07; min = 0x10000;
		} else
			return (long)i;
		if (n - i <= need)
			return (long)i;
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (long)i;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (long)i;
		i += need + 1;
	}
	return -1;
}

void
json_put_string(struct ob *o, const char *p, size_t n)
{
	size_t i = 0, run = 0;

	ob_putc(o, '"');
	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		long bad;

		if (c >= 0x80) {
			/* Copy a valid sequence whole; replace a bad byte. */
			size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

			if (len <= n - i && (bad = utf8_check(p + i, len)) < 0) {
				i += len;
				continue;
			}
			ob_write(o, p + run, i - run);
			ob_puts(o, "\\ufffd");
			run = ++i;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\' && c != '<' &&
		    c != '>' && c != '&' && c != 0x7f) {
			i++;
			continue;
		}
		ob_write(o, p + run, i - run);
		switch (c) {
		case '"': ob_puts(o, "\\\""); break;
		case '\\': ob_puts(o, "\\\\"); break;
		case '\n': ob_puts(o, "\\n"); break;
		case '\t': ob_puts(o, "\\t"); break;
		case '\r': ob_puts(o, "\\r"); break;
		default: ob_printf(o, "\\u%04x", c); break;
		}
		run = ++i;
	}
	if (run < n)
		ob_write(o, p + run, n - run);
	ob_putc(o, '"');
}
