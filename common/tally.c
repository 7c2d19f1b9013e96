/* tally.c - tally cells: value encoding and parsing; see tally.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "json.h"
#include "num.h"
#include "tally.h"

int
tally_kind(const char *name)
{
	if (strcmp(name, "counts") == 0)
		return TK_COUNTS;
	if (strcmp(name, "distinct") == 0)
		return TK_DISTINCT;
	if (strcmp(name, "range") == 0)
		return TK_RANGE;
	return -1;
}

static const char *
enc_of(char c)
{
	switch (c) {
	case '%': return "%25";
	case ',': return "%2c";
	case ':': return "%3a";
	}
	return NULL;
}

/* Bytes that need %-encoding in a tally value. */
static const unsigned char needs[256] = { ['%'] = 1, [','] = 1, [':'] = 1 };

/*
 * Whether a byte of w is one of them: the has-zero-byte trick on w XOR
 * each.  A borrow can only flag a byte above a real match, so the answer
 * is exact.
 */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
static inline int
word_needs(uint64_t w)
{
	uint64_t a = w ^ (ONES * '%'), b = w ^ (ONES * ','),
	    c = w ^ (ONES * ':');

	return ((((a - ONES) & ~a) | ((b - ONES) & ~b) |
	    ((c - ONES) & ~c)) & HIGHS) != 0;
}

/* The length of p's first run of bytes that need no encoding: eight
 * bytes at a time while none does, then byte by byte. */
static size_t
clean_len(const char *p, size_t n)
{
	size_t i;

	for (i = 0; n - i >= 8; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (word_needs(w))
			break;
	}
	for (; i < n; i++)
		if (needs[(unsigned char)p[i]])
			break;
	return i;
}

void
tally_put(struct ob *o, const char *p, size_t n)
{
	size_t i, run = 0;
	const char *e;

	i = clean_len(p, n);
	if (i == n) {		/* the usual case: nothing to encode */
		ob_write(o, p, n);
		return;
	}
	for (; i < n; i++) {
		if ((e = enc_of(p[i])) == NULL)
			continue;
		ob_write(o, p + run, i - run);
		ob_write(o, e, 3);
		run = i + 1;
	}
	if (run < n)
		ob_write(o, p + run, n - run);
}

size_t
tally_enc(char *dst, const char *p, size_t n)
{
	char *d = dst;
	const char *e;
	size_t i;

	i = clean_len(p, n);
	if (i > 0)		/* the usual case: all of it */
		memcpy(d, p, i);
	d += i;
	for (; i < n; i++) {
		if ((e = enc_of(p[i])) == NULL)
			*d++ = p[i];
		else {
			memcpy(d, e, 3);
			d += 3;
		}
	}
	return (size_t)(d - dst);
}

/*
 * tally_split(): sixteen bytes at a time (SSE2), the tabs and the bytes
 * to encode compared at once; the last sixteen of a line of sixteen or
 * more are loaded where they end, the bytes already seen masked off.
 * While fewer than max fields are stored, a block's tabs are stored
 * without a check each (end has room for 16 more); after that they are
 * only counted.
 */
static inline void
split_bits(unsigned bits, size_t off, size_t *end, size_t max, size_t *n)
{
	size_t k = *n;

	if (k <= max)
		for (; bits != 0; bits &= bits - 1)
			end[++k] = off + (size_t)__builtin_ctz(bits);
	else
		for (; bits != 0; bits &= bits - 1)
			k++;
	*n = k;
}

size_t
tally_split(struct span line, size_t *end, size_t max, const char **enc)
{
	const char *p = line.p, *e = NULL;
	size_t i = 0, n = 0;	/* tabs found */

	end[0] = SIZE_MAX;
#ifdef __SSE2__
	if (line.n >= 16) {
		const __m128i tab = _mm_set1_epi8('\t'),
		    pc = _mm_set1_epi8('%'), cm = _mm_set1_epi8(','),
		    cl = _mm_set1_epi8(':');
		unsigned bits, eb;
		__m128i x;

		for (;; i += 16) {
			if (line.n - i < 16) {
				if (i == line.n)
					break;
				/* the last block, where the line ends */
				x = _mm_loadu_si128((const void *)(p +
				    line.n - 16));
				bits = 0xffffu << (16 - (line.n - i));
				i = line.n - 16;
			} else {
				x = _mm_loadu_si128((const void *)(p + i));
				bits = 0xffff;
			}
			eb = (unsigned)_mm_movemask_epi8(_mm_or_si128(
			    _mm_or_si128(_mm_cmpeq_epi8(x, pc),
			    _mm_cmpeq_epi8(x, cm)), _mm_cmpeq_epi8(x, cl))) &
			    bits;
			bits &= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x,
			    tab));
			if (eb != 0)
				e = p + i + 31 - __builtin_clz(eb);
			split_bits(bits, i, end, max, &n);
			if (i + 16 == line.n)
				break;
		}
		i = line.n;
	}
#endif
	for (; i < line.n; i++) {
		if (p[i] == '\t')
			split_bits(1, i, end, max, &n);
		else if (needs[(unsigned char)p[i]])
			e = p + i;
	}
	if (n <= max)
		end[n + 1] = line.n;
	*enc = e;
	return n + 1;
}

/*
 * tally_rows: the masks of pieces of 64 bytes, three compares a byte
 * (tab, newline, and the three bytes to encode folded into one mask).
 */
static void
masks_scalar(const char *p, unsigned nch, uint64_t *t, uint64_t *n,
    uint64_t *e)
{
	unsigned c, i;

	for (c = 0; c < nch; c++, p += 64) {
		uint64_t a = 0, b = 0, d = 0;

		for (i = 0; i < 64; i++) {
			a |= (uint64_t)(p[i] == '\t') << i;
			b |= (uint64_t)(p[i] == '\n') << i;
			d |= (uint64_t)needs[(unsigned char)p[i]] << i;
		}
		t[c] = a;
		n[c] = b;
		e[c] = d;
	}
}

#if defined(__x86_64__)
static void
masks_sse2(const char *p, unsigned nch, uint64_t *t, uint64_t *n,
    uint64_t *e)
{
	const __m128i tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n'),
	    pc = _mm_set1_epi8('%'), cm = _mm_set1_epi8(','),
	    cl = _mm_set1_epi8(':');
	unsigned c, i;

	for (c = 0; c < nch; c++, p += 64) {
		uint64_t a = 0, b = 0, d = 0;
		__m128i x[4], y[4];

		for (i = 0; i < 4; i++) {
			x[i] = _mm_loadu_si128((const void *)(p + 16 * i));
			a |= (uint64_t)(unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(x[i], tab)) << (16 * i);
			b |= (uint64_t)(unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(x[i], nl)) << (16 * i);
			y[i] = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x[i],
			    pc), _mm_cmpeq_epi8(x[i], cm)),
			    _mm_cmpeq_epi8(x[i], cl));
		}
		/* bytes to encode are rare: all four looked at at once */
		if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(y[0], y[1]),
		    _mm_or_si128(y[2], y[3]))) != 0)
			for (i = 0; i < 4; i++)
				d |= (uint64_t)(unsigned)_mm_movemask_epi8(
				    y[i]) << (16 * i);
		t[c] = a;
		n[c] = b;
		e[c] = d;
	}
}

__attribute__((target("avx2")))
static void
masks_avx2(const char *p, unsigned nch, uint64_t *t, uint64_t *n,
    uint64_t *e)
{
	const __m256i tab = _mm256_set1_epi8('\t'),
	    nl = _mm256_set1_epi8('\n'), pc = _mm256_set1_epi8('%'),
	    cm = _mm256_set1_epi8(','), cl = _mm256_set1_epi8(':');
	unsigned c;

	for (c = 0; c < nch; c++, p += 64) {
		__m256i x = _mm256_loadu_si256((const void *)p);
		__m256i y = _mm256_loadu_si256((const void *)(p + 32));
		__m256i ex = _mm256_or_si256(_mm256_or_si256(
		    _mm256_cmpeq_epi8(x, pc), _mm256_cmpeq_epi8(x, cm)),
		    _mm256_cmpeq_epi8(x, cl));
		__m256i ey = _mm256_or_si256(_mm256_or_si256(
		    _mm256_cmpeq_epi8(y, pc), _mm256_cmpeq_epi8(y, cm)),
		    _mm256_cmpeq_epi8(y, cl));

		t[c] = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x,
		    tab)) | (uint64_t)(uint32_t)_mm256_movemask_epi8(
		    _mm256_cmpeq_epi8(y, tab)) << 32;
		n[c] = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x,
		    nl)) | (uint64_t)(uint32_t)_mm256_movemask_epi8(
		    _mm256_cmpeq_epi8(y, nl)) << 32;
		e[c] = (uint32_t)_mm256_movemask_epi8(ex) |
		    (uint64_t)(uint32_t)_mm256_movemask_epi8(ey) << 32;
	}
}
#endif

static void (*masks)(const char *, unsigned, uint64_t *, uint64_t *,
    uint64_t *);
static int bits;		/* tally_rows_bits() */

void
tally_rows_path(int path)
{
	bits = 0;
	switch (path) {
#if defined(__x86_64__)
	case JSON_AVX2:
		masks = masks_avx2;
		bits = __builtin_cpu_supports("popcnt") &&
		    __builtin_cpu_supports("bmi") &&
		    __builtin_cpu_supports("bmi2");
		break;
	case JSON_SSE2:
		masks = masks_sse2;
		break;
#endif
	default:
		masks = masks_scalar;
		break;
	}
}

int
tally_rows_bits(void)
{
	if (masks == NULL)
		tally_rows_path(json_path());
	return bits;
}

void
tally_rows_init(struct tally_rows *r, struct span block)
{
	if (masks == NULL)
		tally_rows_path(json_path());
	r->p = block.p;
	r->n = block.n;
	r->s = 0;
	r->base = 0;
	r->have = r->lim = 0;	/* the first row fills */
}

void
tally_rows_fill(struct tally_rows *r, size_t at)
{
	size_t left, full;
	char last[64];

	left = (r->n - at + 63) / 64;
	if (left > TALLY_SUB + 1)
		left = TALLY_SUB + 1;
	full = (r->n - at) / 64;
	if (full > left)
		full = left;
	masks(r->p + at, (unsigned)full, r->mt, r->mn, r->me);
	if (full < left) {
		memset(last, 0, sizeof(last));
		memcpy(last, r->p + at + full * 64, r->n - at - full * 64);
		masks(last, 1, r->mt + full, r->mn + full, r->me + full);
	}
	r->base = at;
	r->have = (unsigned)left;
	if (at + 64 * left >= r->n) {	/* to the end: zero after it */
		r->mt[left] = r->mn[left] = r->me[left] = 0;
		r->lim = (unsigned)left;
	} else
		r->lim = (unsigned)left - 1;
}

/*
 * The long way: the row's pieces one by one, their tabs stored while
 * fewer than max + 1 are, counted after that.  A row that starts where
 * tally_rows_short() cannot look further fills from its piece on, so
 * that the rows after it go the short way again.
 */
int
tally_rows_next(struct tally_rows *r, struct span *line, size_t *end,
    size_t max, size_t *nf, const char **enc)
{
	size_t s = r->s, c, off, at, tabs = 0, e = SIZE_MAX;
	uint64_t t, n, x, m, from;

	if (s >= r->n)
		return 0;
	if ((s - r->base) / 64 >= r->lim)
		tally_rows_fill(r, s - s % 64);
	c = (s - r->base) / 64;
	from = ~(uint64_t)0 << (s % 64);
	t = r->mt[c] & from;
	n = r->mn[c] & from;
	x = r->me[c] & from;
	for (;;) {
		off = r->base + 64 * c;
		m = n & -n;
		if (m != 0) {
			t &= m - 1;
			x &= m - 1;
		}
		for (; t != 0; t &= t - 1, tabs++)
			if (tabs <= max)
				end[tabs + 1] = off +
				    (size_t)__builtin_ctzll(t) - s;
		if (x != 0)
			e = off + 63 - (size_t)__builtin_clzll(x);
		if (m != 0) {
			at = off + (size_t)__builtin_ctzll(m);
			break;
		}
		if (off + 64 >= r->n) {	/* the last line, without "\n" */
			at = r->n;
			break;
		}
		if (++c == r->have) {
			tally_rows_fill(r, off + 64);
			c = 0;
		}
		t = r->mt[c];
		n = r->mn[c];
		x = r->me[c];
	}
	line->p = r->p + s;
	line->n = at - s;
	if (line->n > 0 && line->p[line->n - 1] == '\r')
		line->n--;
	end[0] = SIZE_MAX;
	if (tabs <= max)
		end[tabs + 1] = line->n;
	*nf = tabs + 1;
	*enc = e != SIZE_MAX ? r->p + e : NULL;
	r->s = at + 1;
	return 1;
}

int
tally_decode(struct span v, struct sbuf *sb)
{
	size_t i, run = 0;

	sb_clear(sb);
	for (i = 0; i < v.n; i++) {
		char c;

		if (v.p[i] != '%')
			continue;
		if (i + 2 >= v.n)
			return -1;
		if (v.p[i + 1] == '2' && v.p[i + 2] == '5')
			c = '%';
		else if (v.p[i + 1] == '2' && (v.p[i + 2] == 'c' ||
		    v.p[i + 2] == 'C'))
			c = ',';
		else if (v.p[i + 1] == '3' && (v.p[i + 2] == 'a' ||
		    v.p[i + 2] == 'A'))
			c = ':';
		else
			return -1;
		sb_add(sb, v.p + run, i - run);
		sb_addc(sb, c);
		i += 2;
		run = i + 1;
	}
	if (run < v.n)
		sb_add(sb, v.p + run, v.n - run);
	else
		sb_add(sb, "", 0);
	return 0;
}

/* Room for one more value in c. */
static void
cell_grow(struct tally_cell *c)
{
	if (c->n < c->cap)
		return;
	c->cap = c->cap ? c->cap * 2 : 4;
	c->val = xreallocarray(c->val, c->cap, sizeof(*c->val));
	c->cnt = xreallocarray(c->cnt, c->cap, sizeof(*c->cnt));
}

/* INTEGER or MIN..MAX: the first '.' must begin "..". */
static enum tally_err
parse_range(struct tally_cell *c, struct span s)
{
	const char *end = s.p + s.n, *dots = memchr(s.p, '.', s.n);

	if (dots == NULL) {
		if (num_parse_i64(s, &c->lo) != NUM_OK)
			return TALLY_RANGE;
		c->hi = c->lo;
	} else if (dots + 1 >= end || dots[1] != '.' ||
	    num_parse_i64(span_make(s.p, (size_t)(dots - s.p)), &c->lo) !=
	    NUM_OK || num_parse_i64(span_make(dots + 2,
	    (size_t)(end - dots - 2)), &c->hi) != NUM_OK)
		return TALLY_RANGE;
	cell_grow(c);
	c->val[c->n++] = s;
	return TALLY_OK;
}

/*
 * Counts and distinct tallies: a scan for the first separator settles
 * the usual keyed-stream cell (one value, no separator) in one short
 * pass; lists are then split at ',' and, for counts, each entry at its
 * first ':'.
 */
/* Whether every '%' in v starts %25, %2c or %3a (either case). */
static int
encoding_ok(struct span v)
{
	const char *q = v.p, *end = v.p + v.n;

	while ((q = memchr(q, '%', (size_t)(end - q))) != NULL) {
		if (end - q < 3 || !((q[1] == '2' && (q[2] == '5' ||
		    q[2] == 'c' || q[2] == 'C')) || (q[1] == '3' &&
		    (q[2] == 'a' || q[2] == 'A'))))
			return 0;
		q += 3;
	}
	return 1;
}

enum tally_err
tally_parse(struct tally_cell *c, struct span s, int kind, struct span *bad)
{
	const char *p = s.p, *end = s.p + s.n, *comma, *colon = NULL, *q;
	int aswritten = kind == TK_AS_WRITTEN, sep = 0;

	c->n = 0;
	c->single = 0;
	c->sum = 0;
	*bad = s;
	if (kind == TK_RANGE) {
		c->kind = TK_RANGE;
		return s.n == 0 ? TALLY_OK : parse_range(c, s);
	}
	for (q = s.p; q < end; q++)
		if (*q == ':' || *q == ',') {
			colon = memchr(q, ':', (size_t)(end - q));
			sep = 1;
			break;
		}
	if (aswritten)
		kind = colon != NULL ? TK_COUNTS : TK_DISTINCT;
	c->kind = (enum tally_kind)kind;
	if (s.n == 0)
		return TALLY_OK;
	if (!sep && !aswritten) {
		if (!encoding_ok(s))
			return TALLY_PERCENT;
		cell_grow(c);
		c->val[c->n++] = s;
		c->single = 1;
		return TALLY_OK;
	}
	if (kind == TK_DISTINCT && colon != NULL)
		return TALLY_NOT_DISTINCT;
	if (kind == TK_COUNTS && colon == NULL)
		return TALLY_NOT_COUNTS;
	while (aswritten ? p <= end : p < end) {
		struct span v;
		const char *pct = NULL;
		uint64_t x = 0;
		int counted = 0;

		/* an entry is short: one pass finds its first ':', the first
		 * '%' before that and its end; the usual count (up to 19
		 * digits, which cannot overflow) is read on the way */
		colon = NULL;
		for (comma = p; comma < end && *comma != ','; comma++)
			if (*comma == ':') {
				colon = comma;
				break;
			} else if (*comma == '%' && pct == NULL)
				pct = comma;
		if (colon != NULL) {
			unsigned d;

			for (comma = colon + 1; comma < end && comma - colon <=
			    19 && (d = (unsigned char)*comma - '0') <= 9;
			    comma++)
				x = x * 10 + d;
			counted = comma > colon + 1 && (comma == end ||
			    *comma == ',');
			while (comma < end && *comma != ',')
				comma++;
		}
		v = span_make(p, (size_t)(comma - p));
		*bad = v;
		cell_grow(c);
		if (kind == TK_COUNTS) {
			if (colon == NULL || (colon == v.p && !aswritten))
				return TALLY_ENTRY;
			if (counted)
				c->cnt[c->n] = x;
			else if (num_parse_u64(span_make(colon + 1,
			    (size_t)(v.p + v.n - colon - 1)), &c->cnt[c->n]) !=
			    NUM_OK)
				return TALLY_COUNT;
			v.n = (size_t)(colon - v.p);
			c->sum = c->cnt[c->n] > UINT64_MAX - c->sum ?
			    UINT64_MAX : c->sum + c->cnt[c->n];
		} else if (v.n == 0 && !aswritten)
			return TALLY_EMPTY;
		if (pct != NULL && !encoding_ok(span_make(pct,
		    (size_t)(v.p + v.n - pct)))) {
			*bad = v;
			return TALLY_PERCENT;
		}
		c->val[c->n++] = v;
		p = comma + 1;
	}
	*bad = s;
	return TALLY_OK;
}

/* Longest part of a bad value quoted in a message. */
#define TALLY_QUOTE_MAX	60

void
tally_die_percent(const char *file, uint64_t line, struct span col,
    struct span bad)
{
	die_at(file, line, "column %.*s: bad %%-encoding in tally value "
	    "'%.*s' (only %%25, %%2c and %%3a)", (int)col.n, col.p,
	    (int)(bad.n > TALLY_QUOTE_MAX ? TALLY_QUOTE_MAX : bad.n), bad.p);
}

void
tally_die_sum(const char *file, uint64_t line, struct span col,
    uint64_t sum, uint64_t count)
{
	die_at(file, line, "column %.*s: tally counts add up to %llu, more "
	    "than the row's count %llu", (int)col.n, col.p,
	    (unsigned long long)sum, (unsigned long long)count);
}

void
tally_cell_free(struct tally_cell *c)
{
	free(c->val);
	free(c->cnt);
	memset(c, 0, sizeof(*c));
}
