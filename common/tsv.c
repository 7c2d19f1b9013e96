/* tsv.c - TSV header and field handling; see tsv.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "msg.h"
#include "htab.h"
#include "tsv.h"

/*
 * The tabs of a line are found eight bytes at a time: the bytes of w
 * equal to a tab, as their high bits, exactly (no borrow between bytes,
 * so several tabs in one word are all found).
 */
#define LOWS	0x7f7f7f7f7f7f7f7fULL
static inline uint64_t
word_tabs(uint64_t w)
{
	uint64_t x = w ^ 0x0909090909090909ULL;

	return ~(((x & LOWS) + LOWS) | x | LOWS);
}

/* Field i ends at tab t: store it (when there is room) and go on. */
#define FIELD_END(t) do {						\
	if (n < max) {							\
		f[n].p = s;						\
		f[n].n = (size_t)((t) - s);				\
	}								\
	n++;								\
	s = (t) + 1;							\
} while (0)

size_t
tsv_split(struct span line, struct span *f, size_t max)
{
	const char *p = line.p, *s = line.p, *end = line.p + line.n;
	uint64_t w, m;
	size_t n = 0;

#ifdef __SSE2__
	/*
	 * Sixteen bytes at a time; the last sixteen of a line of sixteen or
	 * more are loaded where they end, the bytes already seen masked off.
	 */
	if (line.n >= 16) {
		const __m128i tab = _mm_set1_epi8('\t');
		unsigned bits;

		for (; end - p >= 16; p += 16) {
			bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			    _mm_loadu_si128((const void *)p), tab));
			for (; bits != 0; bits &= bits - 1)
				FIELD_END(p + __builtin_ctz(bits));
		}
		if (p < end) {
			bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			    _mm_loadu_si128((const void *)(end - 16)), tab));
			bits &= ~((1u << (16 - (end - p))) - 1);
			for (; bits != 0; bits &= bits - 1)
				FIELD_END(end - 16 + __builtin_ctz(bits));
		}
		p = end;
	}
#endif
	for (; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);	/* first byte lowest */
#endif
		for (m = word_tabs(w); m != 0; m &= m - 1)
			FIELD_END(p + (__builtin_ctzll(m) >> 3));
	}
	for (; p < end; p++)
		if (*p == '\t')
			FIELD_END(p);
	if (n < max) {
		f[n].p = s;
		f[n].n = (size_t)(end - s);
	}
	return n + 1;
}

void
tsv_hdr_parse(struct tsv_hdr *h, struct span line, const char *file)
{
	tsv_hdr_parse_at(h, line, file, 1);
}

void
tsv_hdr_parse_at(struct tsv_hdr *h, struct span line, const char *file,
    uint64_t lineno)
{
	size_t n, i;

	memset(h, 0, sizeof(*h));
	h->file = file;
	h->line = xmemdup(line.p, line.n);
	h->len = line.n;
	n = tsv_split(span_make(h->line, h->len), NULL, 0);
	h->col = xreallocarray(NULL, n, sizeof(*h->col));
	h->ncol = tsv_split(span_make(h->line, h->len), h->col, n);
	for (i = 0; i < h->ncol; i++) {
		if (h->col[i].n == 0)
			die_at(file, lineno, "empty column name in header "
			    "(column %zu)", i + 1);
		if (memchr(h->col[i].p, '\0', h->col[i].n) != NULL)
			die_at(file, lineno, "NUL byte in header");
	}
	/* Duplicates: by hash, as a header may have a million columns. */
	if (h->ncol > 1) {
		struct htab *seen = ht_new();
		int isnew;

		for (i = 0; i < h->ncol; i++) {
			ht_intern(seen, h->col[i].p, h->col[i].n, &isnew);
			if (!isnew)
				die_at(file, lineno, "duplicate column name "
				    "'%s'", msg_vis(h->col[i].p, h->col[i].n));
		}
		ht_free(seen);
	}
}

void
tsv_hdr_free(struct tsv_hdr *h)
{
	free(h->col);
	free(h->line);
	memset(h, 0, sizeof(*h));
}

int
tsv_col(const struct tsv_hdr *h, const char *name)
{
	for (size_t i = 0; i < h->ncol; i++)
		if (span_eqs(h->col[i], name))
			return (int)i;
	return -1;
}

char *
tsv_hdr_list(const struct tsv_hdr *h)
{
	struct sbuf sb = { 0 };

	for (size_t i = 0; i < h->ncol; i++) {
		if (i > 0)
			sb_adds(&sb, ", ");
		sb_add(&sb, h->col[i].p, h->col[i].n);
	}
	if (sb.p == NULL)
		sb_adds(&sb, "");
	return sb.p;
}

int
tsv_need(const struct tsv_hdr *h, const char *name, const char *what)
{
	int i = tsv_col(h, name);
	char *list;

	if (i >= 0)
		return i;
	list = tsv_hdr_list(h);
	die_at(h->file, 1, "no column '%s' (columns: %s)%s%s", name, list,
	    what != NULL ? "; expected " : "", what != NULL ? what : "");
}

size_t
tsv_count_col(const struct tsv_hdr *h, const char *what)
{
	int c = tsv_col(h, "count");

	if (c < 0)
		die_at(h->file, 1, "no column 'count' (columns: %s); expected "
		    "%s%s", tsv_hdr_list(h), what, tsv_col(h, "status") >= 0 ?
		    " (this looks like trace-join output)" : "");
	if (c == 0)
		die_at(h->file, 1, "no key column before 'count'");
	return (size_t)c;
}

int
tsv_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r' || *s == '\\')
			return 0;
	return 1;
}

int
tsv_is_hdr(const struct tsv_hdr *h, struct span line)
{
	return line.n == h->len && memcmp(line.p, h->line, h->len) == 0;
}

static const unsigned char escmap[256] = {
	['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r',
};

void
tsv_put(struct ob *o, const char *p, size_t n)
{
	size_t i, run = 0;
	char e[2] = { '\\', 0 };

	for (i = 0; i < n; i++) {
		unsigned char c = escmap[(unsigned char)p[i]];

		if (c == 0)
			continue;
		ob_write(o, p + run, i - run);
		e[1] = (char)c;
		ob_write(o, e, 2);
		run = i + 1;
	}
	if (run < n)
		ob_write(o, p + run, n - run);
}

int
tsv_unescape(struct span s, struct sbuf *sb)
{
	size_t i, run = 0;

	sb_clear(sb);
	for (i = 0; i < s.n; i++) {
		char c;

		if (s.p[i] != '\\')
			continue;
		sb_add(sb, s.p + run, i - run);
		if (i + 1 == s.n)
			return -1;
		switch (s.p[i + 1]) {
		case '\\': c = '\\'; break;
		case 't': c = '\t'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		default:
			return -1;
		}
		sb_addc(sb, c);
		i++;
		run = i + 1;
	}
	if (run < s.n)	/* never NULL + 0: an empty span may have no bytes */
		sb_add(sb, s.p + run, s.n - run);
	else
		sb_add(sb, "", 0);
	return 0;
}
