/*
 * test-common.c - unit tests of the intricate parts of common/: integer
 * and address parsing (bases, overflow, leading zeros), canonical
 * formatting, value ordering, JSON unescaping and records, UTF-8 checks,
 * TSV escaping and splitting, tally cell parsing, the hash table's
 * key comparison, the exact Mann-Whitney test against brute force, and
 * the reader's pieces of long lines, and the arena.  Prints one line per failure and a final
 * "N passed, N failed"; exits 1 on any failure.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "htab.h"
#include "json.h"
#include "num.h"
#include "ob.h"
#include "rd.h"
#include "stat.h"
#include "tally.h"
#include "tsv.h"

static int npass, nfail;

#define CHECK(cond, ...) do {						\
	if (cond)							\
		npass++;						\
	else {								\
		nfail++;						\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		putchar('\n');						\
	}								\
} while (0)

static void
addr_ok(const char *in, const char *want)
{
	uint64_t v = 0;
	char b[NUM_ADDR_MAX + 1];
	enum num_err e = num_parse_addr(span_str(in), &v);
	size_t n;

	CHECK(e == NUM_OK, "num_parse_addr(%s): %s", in, num_strerror(e));
	if (e != NUM_OK)
		return;
	n = num_fmt_addr(b, v);
	b[n] = '\0';
	CHECK(strcmp(b, want) == 0, "addr %s -> %s, want %s", in, b, want);
}

static void
addr_bad(const char *in, enum num_err want)
{
	uint64_t v = 0;
	enum num_err e = num_parse_addr(span_make(in, strlen(in)), &v);

	CHECK(e == want, "num_parse_addr(\"%s\") = %s, want %s", in,
	    num_strerror(e), num_strerror(want));
}

static void
int_ok(const char *in, const char *want)
{
	int64_t v = 0;
	char b[NUM_INT_MAX + 1];
	enum num_err e = num_parse_int(span_str(in), &v);
	size_t n;

	CHECK(e == NUM_OK, "num_parse_int(%s): %s", in, num_strerror(e));
	if (e != NUM_OK)
		return;
	n = num_fmt_i64(b, v);
	b[n] = '\0';
	CHECK(strcmp(b, want) == 0, "int %s -> %s, want %s", in, b, want);
}

static void
int_bad(const char *in, enum num_err want)
{
	int64_t v = 0;
	enum num_err e = num_parse_int(span_str(in), &v);

	CHECK(e == want, "num_parse_int(\"%s\") = %s, want %s", in,
	    num_strerror(e), num_strerror(want));
}

static void
test_numbers(void)
{
	/* The three spellings of one address in the seed's traces. */
	addr_ok("2185933160", "0x824ab168");
	addr_ok("0x824AB168", "0x824ab168");
	addr_ok("0x824ab168", "0x824ab168");
	addr_ok("0X824AB168", "0x824ab168");
	addr_ok("4172", "0x0000104c");
	addr_ok("12345678", "0x00bc614e");		/* eight digits at once */
	addr_ok("1234567890123456789", "0x112210f47de98115");
	addr_ok("0000000012345678", "0x00bc614e");
	addr_bad("1234567a", NUM_SYNTAX);
	addr_bad("123456789a", NUM_SYNTAX);
	addr_bad("12345678/", NUM_SYNTAX);
	addr_bad("1234567:", NUM_SYNTAX);
	addr_ok("0", "0x00000000");
	addr_ok("0x0", "0x00000000");
	addr_ok("0x00000000000000000000824ab168", "0x824ab168");
	addr_ok("000012", "0x0000000c");
	addr_ok("4294967296", "0x100000000");
	addr_ok("0xffffffffffffffff", "0xffffffffffffffff");
	addr_ok("18446744073709551615", "0xffffffffffffffff");
	addr_ok("0x8000000000000000", "0x8000000000000000");
	addr_bad("18446744073709551616", NUM_RANGE);
	addr_bad("0x10000000000000000", NUM_RANGE);	/* 17 digits */
	addr_bad("", NUM_EMPTY);
	addr_bad("0x", NUM_EMPTY);
	addr_bad("-1", NUM_NEG);
	addr_bad("-0x10", NUM_SYNTAX);
	addr_bad("1.5", NUM_FRACTION);
	addr_bad("1e3", NUM_FRACTION);
	{
		/* strict: digits with a leading zero may be hex or decimal */
		static const struct { const char *in; enum num_err want; } t[] = {
			{ "0000004002842770", NUM_AMBIG }, { "00", NUM_AMBIG },
			{ "012", NUM_AMBIG }, { "099999999999999999999", NUM_AMBIG },
			{ "012a", NUM_SYNTAX }, { "0", NUM_OK }, { "10", NUM_OK },
			{ "0x0012", NUM_OK }, { "-012", NUM_NEG },
		};
		uint64_t v;
		size_t i;

		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			enum num_err e = num_parse_addr_strict(span_str(t[i].in),
			    &v);

			CHECK(e == t[i].want, "num_parse_addr_strict(%s) = %s",
			    t[i].in, num_strerror(e));
		}
	}
	addr_bad("12a", NUM_SYNTAX);
	addr_bad("824AB168", NUM_SYNTAX);	/* hex needs its prefix */
	addr_bad("0xg", NUM_SYNTAX);
	addr_bad(" 12", NUM_SYNTAX);
	addr_bad("12 ", NUM_SYNTAX);
	addr_bad("+12", NUM_SYNTAX);
	{
		uint64_t v;
		enum num_err e = num_parse_addr(span_make("12\0" "3", 4), &v);

		CHECK(e == NUM_SYNTAX, "NUL inside a number: %s",
		    num_strerror(e));
	}
	{
		/* 300 digits: out of range, not a crash or a wrap. */
		char big[301];

		memset(big, '9', 300);
		big[300] = '\0';
		addr_bad(big, NUM_RANGE);
		int_bad(big, NUM_RANGE);
	}
	int_ok("15", "15");
	int_ok("007", "7");
	int_ok("-5", "-5");
	int_ok("0x10", "16");
	int_ok("9223372036854775807", "9223372036854775807");
	int_ok("-9223372036854775808", "-9223372036854775808");
	int_bad("9223372036854775808", NUM_RANGE);
	int_bad("-9223372036854775809", NUM_RANGE);
	int_bad("1.0", NUM_FRACTION);
	int_bad("-", NUM_EMPTY);
	int_bad("", NUM_EMPTY);
	int_bad("--1", NUM_SYNTAX);
	{
		uint64_t v = 1;
		enum num_err e = num_parse_hex(span_str("DEADbeef"), &v);

		CHECK(e == NUM_OK && v == 0xdeadbeef, "num_parse_hex");
	}
}

static int
cmpv(const char *a, const char *b)
{
	return num_cmp_values(span_str(a), span_str(b));
}

/* num_skey orders every pair of these as num_cmp_values does, the
 * values taken as columns of longer strings. */
static void
test_skey(void)
{
	static const char *v[] = { "9", "10", "-3", "2", "-20", "0x0000000a",
	    "0x00000009", "0x9", "0x00000010", "abc", "abd", "010", "", "a",
	    "-0", "0", "18446744073709551615", "-9223372036854775808",
	    "1e3", "KeWait", "KeWaitForSingleObject", "0x", "-", "+1" };
	size_t n = sizeof(v) / sizeof(v[0]), i, j;
	char a[64], b[64];
	struct num_skey ka, kb;
	int bad = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int want, got;

			snprintf(a, sizeof(a), "op\t%s", v[i]);
			snprintf(b, sizeof(b), "x\t%s\tz", v[j]);
			num_skey_make(&ka, a, span_make(a + 3, strlen(v[i])));
			num_skey_make(&kb, b, span_make(b + 2, strlen(v[j])));
			want = cmpv(v[i], v[j]);
			got = num_skey_cmp(&ka, a, &kb, b);
			if ((want < 0) != (got < 0) || (want > 0) != (got > 0)) {
				bad++;
				printf("skey %s vs %s: %d, want %d\n", v[i],
				    v[j], got, want);
			}
		}
	CHECK(bad == 0, "num_skey_cmp: %d pairs out of order", bad);
}

static void
test_order(void)
{
	CHECK(cmpv("9", "10") < 0, "9 before 10");
	CHECK(cmpv("10", "9") > 0, "10 after 9");
	CHECK(cmpv("-3", "2") < 0, "-3 before 2");
	CHECK(cmpv("-3", "-20") > 0, "-3 after -20");
	CHECK(cmpv("0x0000000a", "0x00000009") > 0, "hex numeric");
	CHECK(cmpv("0x9", "0x00000010") < 0, "hex numeric, widths differ");
	CHECK(cmpv("10", "abc") < 0, "numbers before words");
	CHECK(cmpv("abc", "abd") < 0, "bytewise");
	CHECK(cmpv("010", "10") < 0 && cmpv("10", "010") > 0,
	    "numeric tie broken bytewise");
	CHECK(cmpv("x", "x") == 0, "equal");
	CHECK(cmpv("", "a") < 0, "empty first");
	test_skey();
}

static const char *
unesc(const char *in, struct sbuf *sb)
{
	return json_unescape(span_str(in), sb);
}

static void
test_json_unescape(void)
{
	struct sbuf sb = { 0 };
	const char *e;

	e = unesc("Nt\\u0053et\\\"\\\\\\/\\b\\f\\n\\r\\t", &sb);
	CHECK(e == NULL && strcmp(sb.p, "NtSet\"\\/\b\f\n\r\t") == 0,
	    "simple escapes: %s", e ? e : sb.p);
	e = unesc("\\u00e9\\u20AC", &sb);
	CHECK(e == NULL && strcmp(sb.p, "\xc3\xa9\xe2\x82\xac") == 0,
	    "BMP escapes to UTF-8");
	e = unesc("\\ud83d\\ude00", &sb);
	CHECK(e == NULL && strcmp(sb.p, "\xf0\x9f\x98\x80") == 0,
	    "surrogate pair to one 4-byte character");
	CHECK(unesc("\\ud83d", &sb) != NULL, "lone high surrogate");
	CHECK(unesc("\\ud83dx", &sb) != NULL, "high surrogate then text");
	CHECK(unesc("\\ude00", &sb) != NULL, "lone low surrogate");
	CHECK(unesc("\\ud83d\\u0041", &sb) != NULL, "high then non-low");
	CHECK(unesc("\\x41", &sb) != NULL, "unknown escape");
	CHECK(unesc("\\u12", &sb) != NULL, "short \\u");
	CHECK(unesc("\\u12g4", &sb) != NULL, "bad hex in \\u");
	CHECK(unesc("abc\\", &sb) != NULL, "trailing backslash");
	CHECK(unesc("a\tb", &sb) != NULL, "raw control character");
	CHECK(unesc("abcdef\\u00e9ghi\\q", &sb) != NULL && sb.len == 0 &&
	    sb.p[0] == '\0', "an error leaves sb empty");
	e = unesc("x\\u00e9\\ud83d\\ude00\\n", &sb);
	CHECK(e == NULL && sb.len == 8 && memcmp(sb.p,
	    "x\xc3\xa9\xf0\x9f\x98\x80\n", 8) == 0 && sb.p[8] == '\0',
	    "escapes of each length in one string");
	e = unesc("\\u0000", &sb);
	CHECK(e == NULL && sb.len == 1 && sb.p[0] == '\0',
	    "\\u0000 yields a NUL byte for the caller to judge");
	e = unesc("plain", &sb);
	CHECK(e == NULL && strcmp(sb.p, "plain") == 0, "no escapes");
	sb_free(&sb);
}

static int
parse(struct json_line *jl, const char *s)
{
	return json_parse_line(jl, s, strlen(s));
}

static void
test_json_line(void)
{
	struct json_line jl = { 0 };
	static char deep[20000 * 2 + 64];
	size_t i, n;

	CHECK(parse(&jl, "{\"b\": 1, \"a\" :\"x\\\"y\", \"n\":{\"k\":[1,2,{}]},"
	    "\"z\":null, \"t\":true}") == 0, "valid object: %s", jl.err);
	CHECK(jl.nf == 5, "5 top-level fields, got %zu", jl.nf);
	CHECK(jl.nf == 5 && span_eqs(jl.f[0].key, "b") &&
	    jl.f[0].type == JT_NUMBER && span_eqs(jl.f[0].val, "1"),
	    "field b");
	CHECK(jl.nf == 5 && jl.f[1].type == JT_STRING && jl.f[1].vesc &&
	    span_eqs(jl.f[1].val, "x\\\"y"), "field a raw string");
	CHECK(jl.nf == 5 && jl.f[2].type == JT_OBJECT, "nested object");
	CHECK(jl.nf == 5 && jl.f[3].type == JT_NULL, "null");
	CHECK(jl.nf == 5 && jl.f[4].type == JT_TRUE, "true");
	CHECK(parse(&jl, "  {}  ") == 0 && jl.nf == 0, "empty object");
	CHECK(parse(&jl, "{\"a\":1") != 0, "truncated object");
	CHECK(parse(&jl, "{\"a\":\"x}") != 0, "unterminated string");
	CHECK(parse(&jl, "{\"a\":1} x") != 0, "trailing garbage");
	CHECK(parse(&jl, "{\"a\":1}{\"b\":2}") != 0, "two objects");
	CHECK(parse(&jl, "[1,2]") != 0, "top-level array");
	CHECK(parse(&jl, "42") != 0, "top-level scalar");
	CHECK(parse(&jl, "\"s\"") != 0, "top-level string");
	CHECK(parse(&jl, "{\"a\" 1}") != 0, "missing colon");
	CHECK(parse(&jl, "{\"a\":1 \"b\":2}") != 0, "missing comma");
	CHECK(parse(&jl, "{,\"a\":1}") != 0, "leading comma");
	CHECK(parse(&jl, "{\"a\":1,}") != 0, "trailing comma");
	CHECK(parse(&jl, "{\"a\":tru}") != 0, "bad literal");
	CHECK(parse(&jl, "{\"a\":01}") != 0, "leading zero number");
	CHECK(parse(&jl, "{\"a\":1.}") != 0, "bad fraction");
	CHECK(parse(&jl, "{\"a\":-}") != 0, "lone minus");
	CHECK(parse(&jl, "{\"a\":\"\\q\"}") != 0, "bad escape");
	CHECK(parse(&jl, "{\"n\":{\"b\":}}") != 0, "nested: missing value");
	CHECK(parse(&jl, "{\"n\":[1,,2]}") != 0, "nested: double comma");
	CHECK(parse(&jl, "{\"n\":[1 2]}") != 0, "nested: missing comma");
	CHECK(parse(&jl, "{\"n\":{\"a\":1,}}") != 0, "nested: trailing comma");
	CHECK(parse(&jl, "{\"n\":[1,]}") != 0, "nested: trailing comma");
	CHECK(parse(&jl, "{\"n\":[tru]}") != 0, "nested: bad literal");
	CHECK(parse(&jl, "{\"n\":[01]}") != 0, "nested: leading zero");
	CHECK(parse(&jl, "{\"n\":{\"a\" 1}}") != 0, "nested: missing colon");
	CHECK(parse(&jl, "{\"n\":{\"a\":[{\"b\":[true,null,-1.5e3,\"s\"]},{}],"
	    "\"c\":\"\"}}") == 0, "nested: valid: %s", jl.err);
	CHECK(parse(&jl, "{\"\":[1,]:8\"}") != 0, "jsmn's ':' after ']' "
	    "(found by fuzzing)");
	/* Keys and values longer than a word, and a quote in every
	 * position of a word: the fast path scans 8 bytes at a time. */
	CHECK(parse(&jl, "{\"handle\": 4320, \"host_ns\": 279179550, "
	    "\"a_long_key_name_here\": \"a value of some length \\\" q\"}") == 0 &&
	    jl.nf == 3 && span_eqs(jl.f[0].key, "handle") &&
	    span_eqs(jl.f[1].key, "host_ns") && jl.f[2].vesc &&
	    span_eqs(jl.f[2].val, "a value of some length \\\" q"),
	    "long keys and values: %s", jl.err);
	CHECK(parse(&jl, "{\"a\":1e400}") == 0 &&
	    jl.f[0].type == JT_NUMBER, "huge exponent is a JSON number");
	CHECK(json_parse_line(&jl, "{\"a\":\0 1}", 9) != 0 &&
	    strstr(jl.err, "NUL") != NULL, "NUL byte reported as such: %s",
	    jl.err);
	/* 10,000 levels of nesting in a field nobody uses. */
	n = 0;
	n += (size_t)sprintf(deep, "{\"deep\":");
	for (i = 0; i < 10000; i++)
		deep[n++] = '[';
	for (i = 0; i < 10000; i++)
		deep[n++] = ']';
	n += (size_t)sprintf(deep + n, ",\"lr\":5}");
	CHECK(json_parse_line(&jl, deep, n) == 0 && jl.nf == 2 &&
	    span_eqs(jl.f[1].key, "lr"), "deep nesting: %s", jl.err);
	json_line_free(&jl);
}

/* A word derived from a key's bytes alone, never 0. */
static unsigned
key_word(struct span k)
{
	return (unsigned)ht_hash(k.p, k.n) | 1;
}

/*
 * Tags: on each path, lines of 40 keys drawn from 300, in changing
 * orders, so that glues of one line often share a memo slot; a field's
 * tag, once its word is stored, must give that word back for the same
 * key only.  Every line is stored through every tag, as trace-normalize
 * does.
 */
static void
test_json_tags(void)
{
	static char line[4096];
	unsigned seed = 1, bad = 0, hits = 0;

	for (int path = 0; path < JSON_NPATH; path++) {
		struct json_line jl = { 0 };

		if (!json_path_can(path))
			continue;
		for (int l = 0; l < 3000; l++) {
			size_t n = 0;

			n += (size_t)sprintf(line, "{");
			for (int k = 0; k < 40; k++) {
				unsigned r;

				seed = seed * 1103515245u + 12345u;
				r = (seed >> 8) % (l % 3 == 0 ? 300 : 60);
				n += (size_t)sprintf(line + n, "%s\"k%u%.*s\": %u",
				    k > 0 ? ", " : "", r, (int)(r % 7), "xxxxxxx",
				    seed % 1000);
			}
			n += (size_t)sprintf(line + n, "}");
			if (!json_parse_fast_on(&jl, line, n, path)) {
				bad++;
				continue;
			}
			for (size_t i = 0; i < jl.nf; i++) {
				unsigned *t = jl.f[i].tag;

				if (t == NULL)
					continue;
				if (*t != 0) {
					hits++;
					if (*t != key_word(jl.f[i].key))
						bad++;
				}
				*t = key_word(jl.f[i].key);
			}
		}
		json_line_free(&jl);
	}
	CHECK(bad == 0, "json tags: %u lines refused or words for another key",
	    bad);
	CHECK(hits > 0 || !json_path_can(JSON_SSE2),
	    "json tags: the memo gave words back");
}

/*
 * json_parse_to(): a caller whose tags name elements (as trace-normalize's
 * slots).  Keys "k0".."k9" are wanted by elements 0..9, others by none.
 */
struct to_el {
	uint64_t	 gen;
	struct span	 val;
	int		 kind;
	int		 esc;
	uint64_t	 dig;
	double		 rest;
};

/* Store the tags of jl's fields as such a caller does. */
static void
to_tags(struct json_line *jl)
{
	for (size_t i = 0; i < jl->nf; i++) {
		const struct json_field *f = &jl->f[i];

		if (f->tag != NULL)
			*f->tag = f->key.n == 2 && f->key.p[0] == 'k' ?
			    (unsigned)(f->key.p[1] - '0') + 2 : 1;
	}
}

/* to_tags()'s word less 2, as json_to's index. */
static int
to_index(const char *key, size_t n)
{
	return n == 2 && key[0] == 'k' ? key[1] - '0' : -1;
}

/* json_parse_to() with an index: keys new at their place are taken. */
static void
test_json_to_index(void)
{
	static const char first[] = "{\"q\": 1}";
	static const char a[] = "{\"k7\": \"v\", \"zz\": 3,   \"k8\":\t12}";
	static const char esc[] = "{\"k\\u0037\": \"v\", \"k8\": 12}";
	static const char dup[] = "{ \"k8\" : 1 , \"k8\" : 2 }";
	struct to_el el[10];
	struct json_to to = { (char *)el, sizeof(el[0]), 10, 0,
	    { 100, 101, 102, 103, 104, 105, 106 }, to_index };

	for (int path = JSON_SSE2; path < JSON_NPATH; path++) {
		struct json_line jl = { 0 };

		if (!json_path_can(path))
			continue;
		memset(el, 0, sizeof(el));
		CHECK(json_parse_fast_on(&jl, first, strlen(first), path),
		    "json_to index %d: a first line the usual way", path);
		to.gen = 1;
		CHECK(json_parse_to_on(&jl, a, strlen(a), path, &to) == 1,
		    "json_to index %d: keys new at their place taken", path);
		CHECK(el[7].gen == 1 && el[7].val.n == 1 && el[7].val.p[0] ==
		    'v' && el[8].gen == 1 && el[8].val.n == 2 &&
		    el[8].dig == 1, "json_to index %d: their values", path);
		CHECK(el[0].gen != 1 && el[3].gen != 1,
		    "json_to index %d: a key of no element left out", path);
		/* the tags it stored serve a caller without an index */
		to.index = NULL;
		to.gen = 2;
		CHECK(json_parse_to_on(&jl, a, strlen(a), path, &to) == 1 &&
		    el[7].gen == 2 && el[8].gen == 2,
		    "json_to index %d: the tags stored", path);
		to.index = to_index;
		to.gen = 3;
		CHECK(!json_parse_to_on(&jl, esc, strlen(esc), path, &to),
		    "json_to index %d: an escaped key is not taken", path);
		to.gen = 4;
		CHECK(!json_parse_to_on(&jl, dup, strlen(dup), path, &to),
		    "json_to index %d: a duplicate is not taken", path);
		json_line_free(&jl);
	}
}

static void
test_json_to(void)
{
	static const char a[] = "{\"k1\": \"a\\\"b\", \"x\": 7, \"k2\": 12, "
	    "\"k3\": true, \"k4\": null, \"k5\": -1.5}";
	static const char dup[] = "{\"k1\": \"a\", \"x\": 7, \"k2\": 12, "
	    "\"k3\": true, \"k4\": null, \"k2\": 1}";
	static const char newkey[] = "{\"k1\": \"a\", \"x\": 7, \"k2\": 12, "
	    "\"k3\": true, \"k6\": null, \"k5\": -1.5}";
	struct to_el el[10];
	struct json_to to = { (char *)el, sizeof(el[0]), 10, 0,
	    { 100, 101, 102, 103, 104, 105, 106 }, NULL };

	CHECK(offsetof(struct to_el, gen) == JSON_TO_GEN &&
	    offsetof(struct to_el, val) == JSON_TO_VAL &&
	    offsetof(struct to_el, kind) == JSON_TO_KIND &&
	    offsetof(struct to_el, esc) == JSON_TO_ESC &&
	    offsetof(struct to_el, dig) == JSON_TO_DIG, "json_to layout");
	for (int path = JSON_SSE2; path < JSON_NPATH; path++) {
		struct json_line jl = { 0 };
		int r;

		if (!json_path_can(path))
			continue;
		memset(el, 0, sizeof(el));
		to.gen = 1;
		CHECK(!json_parse_to_on(&jl, a, strlen(a), path, &to),
		    "json_to %d: nothing remembered yet", path);
		CHECK(json_parse_fast_on(&jl, a, strlen(a), path),
		    "json_to %d: the usual way", path);
		to.gen = 2;
		CHECK(!json_parse_to_on(&jl, a, strlen(a), path, &to),
		    "json_to %d: tags hold nothing yet", path);
		to_tags(&jl);
		to.gen = 3;
		r = json_parse_to_on(&jl, a, strlen(a), path, &to);
		CHECK(r == 1, "json_to %d: taken once the tags are stored",
		    path);
		CHECK(r == 1 && el[1].gen == 3 && el[1].val.n == 4 &&
		    memcmp(el[1].val.p, "a\\\"b", 4) == 0 && el[1].esc == 1 &&
		    el[1].kind == 100 + JT_STRING,
		    "json_to %d: a string with an escape", path);
		CHECK(r == 1 && el[2].gen == 3 && el[2].val.n == 2 &&
		    memcmp(el[2].val.p, "12", 2) == 0 && el[2].esc == 0 &&
		    el[2].kind == 100 + JT_NUMBER && el[2].dig == 3,
		    "json_to %d: a number, digits alone", path);
		CHECK(r == 1 && el[1].dig != 3 && el[4].dig != 3 &&
		    el[5].dig != 3, "json_to %d: other values not digits alone",
		    path);
		CHECK(r == 1 && el[3].kind == 100 + JT_TRUE &&
		    el[4].kind == 100 + JT_NULL && el[5].val.n == 4 &&
		    el[5].kind == 100 + JT_NUMBER && el[5].gen == 3,
		    "json_to %d: literals and a fraction", path);
		CHECK(el[0].gen != 3 && el[6].gen != 3 && el[9].gen != 3,
		    "json_to %d: elements of no key untouched", path);
		/* a second value for one element: not taken */
		CHECK(json_parse_fast_on(&jl, dup, strlen(dup), path),
		    "json_to %d: dup the usual way", path);
		to_tags(&jl);
		to.gen = 4;
		CHECK(!json_parse_to_on(&jl, dup, strlen(dup), path, &to),
		    "json_to %d: a duplicate is not taken", path);
		/* a key not met before at its place: not taken */
		to.gen = 5;
		CHECK(!json_parse_to_on(&jl, newkey, strlen(newkey), path,
		    &to), "json_to %d: a new key is not taken", path);
		to.gen = 6;
		CHECK(json_parse_to_on(&jl, a, strlen(a), path, &to) == 1 &&
		    el[1].gen == 6, "json_to %d: the first line again", path);
		json_line_free(&jl);
	}
	{
		struct json_line jl = { 0 };

		CHECK(json_parse_fast_on(&jl, a, strlen(a), JSON_SCALAR) &&
		    !json_parse_to_on(&jl, a, strlen(a), JSON_SCALAR, &to),
		    "json_to: never on the scalar path");
		json_line_free(&jl);
	}
}

static void
test_utf8(void)
{
	CHECK(utf8_check("plain", 5) == -1, "ascii");
	CHECK(utf8_check("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9) == -1,
	    "2-, 3- and 4-byte characters");
	CHECK(utf8_check("a\xff", 2) == 1, "0xff");
	CHECK(utf8_check("\xc0\xaf", 2) == 0, "overlong");
	CHECK(utf8_check("\xed\xa0\x80", 3) == 0, "encoded surrogate");
	CHECK(utf8_check("\xf4\x90\x80\x80", 4) == 0, "above U+10FFFF");
	CHECK(utf8_check("\xe2\x82", 2) == 0, "truncated sequence");
}

/* What tsv_put() writes for p[0..n), through a file (static result). */
static const char *
tsv_escaped(const char *p, size_t n)
{
	static char out[256];
	char path[] = "/tmp/test-common.XXXXXX";
	struct ob *o;
	FILE *f;
	size_t k = 0;
	int fd;

	out[0] = '\0';
	if ((fd = mkstemp(path)) < 0)
		return out;
	close(fd);
	o = ob_create(path);
	tsv_put(o, p, n);
	ob_close(o);
	if ((f = fopen(path, "r")) != NULL) {
		k = fread(out, 1, sizeof(out) - 1, f);
		fclose(f);
	}
	out[k] = '\0';
	unlink(path);
	return out;
}

static void
test_tsv(void)
{
	struct sbuf sb = { 0 };
	struct span f[10];

	CHECK(tsv_unescape(span_str("a\\tb\\nc\\\\d\\re"), &sb) == 0 &&
	    strcmp(sb.p, "a\tb\nc\\d\re") == 0, "unescape");
	CHECK(tsv_unescape(span_str("a\\x"), &sb) != 0, "unknown escape");
	CHECK(tsv_unescape(span_str("a\\"), &sb) != 0, "trailing backslash");
	CHECK(strcmp(tsv_escaped("a|b`<c>,\"", 9), "a|b`<c>,\"") == 0,
	    "markup characters need no TSV escape");
	CHECK(strcmp(tsv_escaped("a\tb\\\n\r", 6), "a\\tb\\\\\\n\\r") == 0,
	    "tab, backslash, newline and CR are escaped");
	CHECK(tsv_split(span_str("a\t\tc"), f, 4) == 3 && f[1].n == 0 &&
	    span_eqs(f[2], "c"), "split keeps empty fields");
	CHECK(tsv_split(span_str(""), f, 4) == 1 && f[0].n == 0,
	    "an empty line is one empty field");
	CHECK(tsv_split(span_str("a\tb\tc\td\te"), f, 2) == 5,
	    "split counts past max");
	/* Lines longer than a word: tabs in one word, at a word's edges,
	 * in the tail; every field where it belongs. */
	CHECK(tsv_split(span_str("abcdefg\t\t\tx\tabcdefghijklmnop\t"
	    "0123456\tq"), f, 8) == 7 && span_eqs(f[0], "abcdefg") &&
	    f[1].n == 0 && f[2].n == 0 && span_eqs(f[3], "x") &&
	    span_eqs(f[4], "abcdefghijklmnop") && span_eqs(f[5], "0123456") &&
	    span_eqs(f[6], "q"), "split of a long line");
	CHECK(tsv_split(span_str("\t\t\t\t\t\t\t\t\t"), f, 10) == 10 &&
	    f[0].n == 0 && f[7].n == 0 && f[0].p + 7 == f[7].p,
	    "split of a line of tabs");
	CHECK(tsv_split(span_str("0123456789abcdefghij"), f, 8) == 1 &&
	    f[0].n == 20, "a long line without a tab");
	sb_free(&sb);
}

/*
 * mem_same at every length to 40, at every alignment: equal bytes are
 * the same, and a single changed byte, at any position, is not.
 */
static void
test_mem_same(void)
{
	char a[64], b[64];
	size_t n, j, off;
	int bad = 0;

	for (n = 0; n <= 40; n++)
		for (off = 0; off < 8; off++) {
			memset(a, 'x', sizeof(a));
			memset(b, 'x', sizeof(b));
			if (!mem_same(a + off, b + 7 - off, n))
				bad++;
			for (j = 0; j < n; j++) {
				b[7 - off + j] = 'y';
				if (mem_same(a + off, b + 7 - off, n))
					bad++;
				b[7 - off + j] = 'x';
			}
			/* bytes outside the n compared do not count */
			b[7 - off + n] = 'z';
			if (off < 7)
				b[7 - off - 1] = 'z';
			if (!mem_same(a + off, b + 7 - off, n))
				bad++;
		}
	CHECK(bad == 0, "mem_same: %d wrong answers", bad);
}

/*
 * mem_copy at every length to 40, at every alignment: the n bytes
 * copied, none around them written.
 */
static void
test_mem_copy(void)
{
	char src[64], dst[64];
	size_t n, j, off;
	int bad = 0;

	for (j = 0; j < sizeof(src); j++)
		src[j] = (char)('a' + j % 26);
	for (n = 0; n <= 40; n++)
		for (off = 0; off < 8; off++) {
			memset(dst, '#', sizeof(dst));
			mem_copy(dst + 8 + off, src + 7 - off, n);
			for (j = 0; j < sizeof(dst); j++) {
				int in = j >= 8 + off && j < 8 + off + n;

				if (dst[j] != (in ? src[7 - off + j - 8 - off] :
				    '#'))
					bad++;
			}
		}
	CHECK(bad == 0, "mem_copy: %d wrong bytes", bad);
}

/*
 * mem_same_pad and mem_copy_pad at every length to MEM_PAD, at every
 * alignment: as mem_same and mem_copy for the n bytes, whatever the
 * bytes after them (read, never compared); the copy writes nothing
 * before d nor past d + MEM_PAD.
 */
static void
test_mem_pad(void)
{
	char a[96], b[96], src[96], dst[96];
	size_t n, j, off;
	int bad = 0;

	for (j = 0; j < sizeof(src); j++)
		src[j] = (char)('a' + j % 26);
	for (n = 0; n <= MEM_PAD; n++)
		for (off = 0; off < 8; off++) {
			memset(a, 'x', sizeof(a));
			memset(b, 'x', sizeof(b));
			if (!mem_same_pad(a + off, b + 7 - off, n))
				bad++;
			for (j = 0; j < n; j++) {
				b[7 - off + j] = 'y';
				if (mem_same_pad(a + off, b + 7 - off, n))
					bad++;
				b[7 - off + j] = 'x';
			}
			for (j = n; j < MEM_PAD; j++)
				b[7 - off + j] = 'z';
			if (!mem_same_pad(a + off, b + 7 - off, n))
				bad++;
			memset(dst, '#', sizeof(dst));
			mem_copy_pad(dst + 8 + off, src + 7 - off, n);
			for (j = 0; j < sizeof(dst); j++) {
				size_t at = j - 8 - off;

				if (j < 8 + off || at >= MEM_PAD ?
				    dst[j] != '#' : at < n &&
				    dst[j] != src[7 - off + at])
					bad++;
			}
		}
	CHECK(bad == 0, "mem_same_pad, mem_copy_pad: %d wrong answers", bad);
}

/*
 * num_fmt_addr() against snprintf("0x%08llx"): each hex digit at each of
 * the sixteen places (the others 0 or f), and random values of 1 to 64
 * bits; the bytes past the spelling are left as they were.
 */
static void
test_num_fmt_addr(void)
{
	char got[NUM_ADDR_MAX + 8], want[40];
	uint64_t seed = 7, v;
	int bad = 0;
	size_t n, i;

	for (i = 0; i < 16 * 16 * 2 + 200000; i++) {
		if (i < 16 * 16 * 2) {
			v = (i & 256) ? ~UINT64_C(0) : 0;
			v &= ~(UINT64_C(0xf) << (i % 16 * 4));
			v |= (uint64_t)(i / 16 % 16) << (i % 16 * 4);
			if (i % 3 == 0)
				v &= 0xffffffffU;
		} else {
			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			v = seed >> (seed >> 58);
		}
		memset(got, '#', sizeof(got));
		n = num_fmt_addr(got, v);
		snprintf(want, sizeof(want), "0x%08llx", (unsigned long long)v);
		if (n != strlen(want) || memcmp(got, want, n) != 0 ||
		    got[NUM_ADDR_MAX] != '#')
			bad++;
	}
	CHECK(bad == 0, "num_fmt_addr: %d spellings unlike snprintf's", bad);
}

/*
 * num_hex8() against num_parse_hex() and num_fmt_addr(): every byte value
 * at every one of the eight places (the others hex digits of both cases),
 * and random mixes of hex digits and near misses ('g', 'G', '/', ':',
 * '@', '`', and bytes that are hex digits once 0x20 is or-ed in).
 */
static void
test_num_hex8(void)
{
	static const char near[] = "0123456789abcdefABCDEFgG/:@`\x10\x19\x80\xc1";
	char in[8], low[8], fmt[NUM_ADDR_MAX];
	uint64_t want, seed = 1;
	uint32_t got;
	int bad = 0, ok, wok;
	size_t i, j;
	unsigned b;

	for (i = 0; i < 8; i++)
		for (b = 0; b < 256; b++) {
			memcpy(in, "9aF0b1C2", 8);
			in[i] = (char)b;
			ok = num_hex8(in, &got, low);
			wok = num_parse_hex(span_make(in, 8), &want) == NUM_OK;
			if (ok != wok || (ok && (got != want ||
			    num_fmt_addr(fmt, want) != 10 ||
			    memcmp(fmt + 2, low, 8) != 0)))
				bad++;
		}
	for (j = 0; j < 200000; j++) {
		for (i = 0; i < 8; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			in[i] = near[(seed >> 33) % (sizeof(near) - 1)];
			if ((seed >> 20) % 8 != 0)	/* mostly hex digits */
				in[i] = near[(seed >> 40) % 22];
		}
		ok = num_hex8(in, &got, NULL);
		wok = num_parse_hex(span_make(in, 8), &want) == NUM_OK;
		if (ok != wok || (ok && got != want))
			bad++;
	}
	CHECK(bad == 0, "num_hex8: %d answers unlike num_parse_hex()", bad);
}

/*
 * The hash table's keys: all distinct, each found again under its own
 * index, also through the lookup cache a table turns on after 1024
 * lookups, and given back by ht_key.  Short keys are compared as words,
 * so every length to 40 is tried with keys that differ only at their
 * end, only at their start, or in one byte anywhere; 4096 keys of one
 * length share the cache's 1024 entries, so keys meet there.
 */
static int
htab_round(struct htab *h, uint32_t *idx, size_t nkeys, size_t n, int at,
    int first)
{
	char k[41];
	uint32_t i;
	size_t c;
	int isnew, bad = 0;

	for (c = 0; c < nkeys; c++) {
		memset(k, 'a', n);
		if (at == 0 || at == 1) {	/* two bytes at the end or start */
			char *w = at == 0 ? k + n - 2 : k;

			w[0] = (char)('0' + c % 64);
			w[1] = (char)('0' + c / 64);
		} else if (c < n)		/* one byte changed, or none */
			k[c] = 'b';
		i = ht_intern(h, k, n, &isnew);
		if (first)
			idx[c] = i;
		if (isnew != first || i != idx[c] || ht_key(h, i).n != n ||
		    memcmp(ht_key(h, i).p, k, n) != 0)
			bad++;
	}
	return bad;
}

static void
test_htab(void)
{
	static uint32_t idx[4096];
	struct htab *h;
	size_t n, nkeys;
	int at, round, bad;

	for (n = 1; n <= 40; n++)
		for (at = n < 2 ? 2 : 0; at < 3; at++) {
			nkeys = at < 2 ? 4096 : n + 1;
			h = ht_new();
			for (bad = 0, round = 0; round < 3; round++)
				bad += htab_round(h, idx, nkeys, n, at,
				    round == 0);
			CHECK(bad == 0 && ht_count(h) == nkeys, "htab: keys "
			    "of %zu bytes varied at %s: %d lost or merged, "
			    "%u distinct, want %zu", n, at == 0 ? "the end" :
			    at == 1 ? "the start" : "one byte", bad,
			    ht_count(h), nkeys);
			ht_free(h);
		}
}

/*
 * tally_split against tsv_split and a plain search, on lines of tabs,
 * bytes to encode and others at every length to 70 (each in a block of
 * its own size, so that a read past its end shows under valgrind), with
 * max below, at and above the field count.
 */
static void
test_tally_split(void)
{
	static const char alpha[] = "ab\t%,:xyz";
	struct span f[90], line;
	size_t end[TALLY_END_ROOM(72)];
	const char *enc, *want;
	uint32_t x = 12345;
	size_t len, max, n, m, i, k;
	int round, bad = 0;
	char *b;

	for (round = 0; round < 40; round++)
		for (len = 0; len <= 70; len++) {
			b = xmalloc(len ? len : 1);
			for (i = 0; i < len; i++) {
				x = x * 1103515245u + 12345u;
				/* mostly plain bytes: some lines hold none
				 * to encode */
				k = (x >> 16) % (round % 3 == 0 ? 40 : 10);
				b[i] = k < 10 ? alpha[k] : 'q';
			}
			want = NULL;
			for (i = 0; i < len; i++)
				if (b[i] == '%' || b[i] == ',' || b[i] == ':')
					want = b + i;
			line = span_make(b, len);
			for (max = 0; max <= 72; max += 1 + max / 4) {
				n = tally_split(line, end, max, &enc);
				m = tsv_split(line, f, max);
				if (n != m || enc != want)
					bad++;
				for (i = 0; i < n && i < max; i++)
					if (tally_field(line, end, i).p !=
					    f[i].p || tally_field(line, end,
					    i).n != f[i].n)
						bad++;
			}
			free(b);
		}
	CHECK(bad == 0, "tally_split differs from tsv_split %d times", bad);
}

/*
 * tally_rows against lines cut as rd_line() cuts them and split by
 * tally_split, on blocks of newlines, "\r", tabs, bytes to encode and
 * others at every length to 100, each in a block of its own size; every
 * third round at lengths to 300 with bytes to encode rare, so that most
 * pieces of 64 bytes hold none and a few one; then blocks of some
 * thousand bytes, longer than the pieces classified at once, with lines
 * of up to some hundred tabs crossing them.  Each with every path of
 * this build and CPU (scalar, SSE2, AVX2), and each three ways: rows
 * by tally_rows_next() only; tally_rows_short() first, as the tools
 * take them, its rows split by tally_mask_split(); and so, split from
 * a field on by tally_mask_tail() (from, when the row has that many
 * fields).
 */
static int
rows_check(const char *b, size_t len, size_t max, size_t from, int *rows)
{
	struct tally_rows tr;
	struct span line, want;
	size_t e1[TALLY_END_ROOM(400)], e2[TALLY_END_ROOM(400)];
	const char *enc1, *enc2, *p, *nl, *end;
	size_t n1, n2, i, lo;
	uint64_t tabs;
	int bad = 0, got;

	tally_rows_init(&tr, span_make(b, len));
	for (p = b, end = b + len; p < end; (*rows)++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		want = span_make(p, (size_t)((nl ? nl : end) - p));
		p = nl ? nl + 1 : end;
		if (want.n > 0 && want.p[want.n - 1] == '\r')
			want.n--;
		n2 = tally_split(want, e2, max, &enc2);
		lo = 0;
		if (from > 0 && tally_rows_short(&tr, &line, &tabs, &enc1)) {
			if (nl == NULL || (size_t)(nl - want.p) >= 64)
				bad++;	/* not a short row */
			n1 = (size_t)__builtin_popcountll(tabs) + 1;
			if (from > 1 && n1 >= from) {
				/* what is left of earlier rows must not show */
				for (i = 0; i < TALLY_END_ROOM(400); i++)
					e1[i] = 7777;
				tally_mask_tail(tabs, line.n, e1, from, n1);
				lo = from;
			} else if (tally_mask_split(tabs, line.n, e1) != n1)
				bad++;
			got = 1;
		} else
			got = tally_rows_next(&tr, &line, e1, max, &n1, &enc1);
		if (!got || line.p != want.p || line.n != want.n || n1 != n2 ||
		    enc1 != enc2) {
			bad++;
			break;
		}
		for (i = lo; i < n1 && i < max; i++)
			if (tally_field(line, e1, i).p !=
			    tally_field(want, e2, i).p ||
			    tally_field(line, e1, i).n !=
			    tally_field(want, e2, i).n)
				bad++;
	}
	if (p == end && (tally_rows_short(&tr, &line, &tabs, &enc1) ||
	    tally_rows_next(&tr, &line, e1, max, &n1, &enc1)))
		bad++;
	return bad;
}

/* rows_check() the three ways. */
static int
rows_check3(const char *b, size_t len, size_t max, int *rows)
{
	return rows_check(b, len, max, 0, rows) +
	    rows_check(b, len, max, 1, rows) +
	    rows_check(b, len, max, 2 + (size_t)*rows % 4, rows);
}

static void
test_tally_rows(void)
{
	static const char alpha[] = "a\t\n\r%,:b\t\n";
	uint32_t x = 777;
	size_t len, max, i, k;
	int round, bad = 0, rows = 0, path;
	char *b;

	for (path = 0; path < JSON_NPATH; path++) {
		if (!json_path_can((enum json_path)path))
			continue;
		tally_rows_path(path);
		for (round = 0; round < 60; round++)
			for (len = 0; len <= (round % 3 == 2 ? 300 : 100);
			    len++) {
				b = xmalloc(len ? len : 1);
				for (i = 0; i < len; i++) {
					x = x * 1103515245u + 12345u;
					k = (x >> 16) % (round % 3 == 2 ? 400 :
					    round % 2 ? 60 : sizeof(alpha) - 1);
					if (round % 3 == 2 && k >= 4 && k < 7 &&
					    (x >> 8) % 4 != 0)
						k = 100;	/* rarer: 'q' */
					b[i] = k < sizeof(alpha) - 1 ?
					    alpha[k] : 'q';
				}
				max = round % 7 == 0 ? 2 : 100;
				bad += rows_check3(b, len, max, &rows);
				free(b);
			}
		for (round = 0; round < 40; round++) {
			len = 1000 + (size_t)round * 397;
			b = xmalloc(len);
			for (i = 0; i < len; i++) {
				x = x * 1103515245u + 12345u;
				/* newlines from 1 in 4 to 1 in 1000 */
				k = (x >> 16) % (round % 4 == 0 ? 8 :
				    round % 4 == 1 ? 100 : round % 4 == 2 ?
				    2000 : 10000);
				b[i] = k == 0 || k == 1 ? '\n' : k < 4 ?
				    '\t' : k == 4 ? ':' : k == 5 ? '\r' :
				    (x >> 8) % 3 == 0 ? '\t' : 'q';
			}
			max = round % 5 == 0 ? 3 : round % 5 == 1 ? 70 : 400;
			bad += rows_check3(b, len, max, &rows);
			free(b);
		}
	}
	tally_rows_path(json_path());
	CHECK(bad == 0 && rows > 3000, "tally_rows differs from lines and "
	    "tally_split %d times", bad);
}

/* Parse in as a tally of kind; the error, with *c filled. */
static enum tally_err
tparse(struct tally_cell *c, const char *in, int kind, struct span *bad)
{
	return tally_parse(c, span_str(in), kind, bad);
}

static int
tval(const struct tally_cell *c, size_t i, const char *want)
{
	return i < c->n && span_eqs(c->val[i], want);
}

static void
test_tally(void)
{
	struct tally_cell c = { 0 };
	struct span bad;
	enum tally_err e;

	/* The usual keyed-stream cell: one value for the row. */
	e = tparse(&c, "read", TK_COUNTS, &bad);
	CHECK(e == TALLY_OK && c.n == 1 && c.single && tval(&c, 0, "read"),
	    "single value");
	e = tparse(&c, "", TK_COUNTS, &bad);
	CHECK(e == TALLY_OK && c.n == 0, "empty cell");
	e = tparse(&c, "15:2373,27:12", TK_COUNTS, &bad);
	CHECK(e == TALLY_OK && c.n == 2 && !c.single && tval(&c, 0, "15") &&
	    c.cnt[0] == 2373 && tval(&c, 1, "27") && c.cnt[1] == 12,
	    "counts tally");
	e = tparse(&c, "a%3ab:1,c%2cd:2,", TK_COUNTS, &bad);
	CHECK(e == TALLY_OK && c.n == 2 && tval(&c, 0, "a%3ab") &&
	    tval(&c, 1, "c%2cd"), "encoded values; trailing comma ends");
	e = tparse(&c, "a,b", TK_COUNTS, &bad);
	CHECK(e == TALLY_NOT_COUNTS, "distinct where counts expected");
	e = tparse(&c, "a:1,b", TK_COUNTS, &bad);
	CHECK(e == TALLY_ENTRY && span_eqs(bad, "b"), "entry without count");
	e = tparse(&c, ":1", TK_COUNTS, &bad);
	CHECK(e == TALLY_ENTRY, "entry without value");
	e = tparse(&c, "a:1,b:x", TK_COUNTS, &bad);
	CHECK(e == TALLY_COUNT && span_eqs(bad, "b:x"), "bad count");
	e = tparse(&c, "a:18446744073709551616", TK_COUNTS, &bad);
	CHECK(e == TALLY_COUNT, "count overflow");
	/* Counts of up to 19 digits are read in the entry's pass, longer
	 * ones by num_parse_u64(): each side of the line, and junk. */
	e = tparse(&c, "a:9999999999999999999,b:18446744073709551615,c:007",
	    TK_COUNTS, &bad);
	CHECK(e == TALLY_OK && c.n == 3 &&
	    c.cnt[0] == 9999999999999999999ULL &&
	    c.cnt[1] == 18446744073709551615ULL && c.cnt[2] == 7 &&
	    tval(&c, 2, "c"), "counts of 19 and 20 digits, leading zeros");
	e = tparse(&c, "a:1,b:99999999999999999999", TK_COUNTS, &bad);
	CHECK(e == TALLY_COUNT && span_eqs(bad, "b:99999999999999999999"),
	    "20 digits over 2^64");
	e = tparse(&c, "a:12x,b:1", TK_COUNTS, &bad);
	CHECK(e == TALLY_COUNT && span_eqs(bad, "a:12x"), "junk after digits");
	e = tparse(&c, "a:1%2c", TK_COUNTS, &bad);
	CHECK(e == TALLY_COUNT, "a percent sign after the ':' is the count's");
	e = tparse(&c, "a:b:1", TK_COUNTS, &bad);
	CHECK(e == TALLY_COUNT, "the first ':' ends the value");
	e = tparse(&c, "a%2:1", TK_COUNTS, &bad);
	CHECK(e == TALLY_PERCENT && span_eqs(bad, "a%2"),
	    "a bad escape before the ':'");
	e = tparse(&c, "A,B", TK_DISTINCT, &bad);
	CHECK(e == TALLY_OK && c.n == 2 && tval(&c, 1, "B"), "distinct");
	e = tparse(&c, "A,,B", TK_DISTINCT, &bad);
	CHECK(e == TALLY_EMPTY, "empty distinct value");
	e = tparse(&c, "A:1", TK_DISTINCT, &bad);
	CHECK(e == TALLY_NOT_DISTINCT, "counts where distinct expected");
	e = tparse(&c, "-5..12", TK_RANGE, &bad);
	CHECK(e == TALLY_OK && c.n == 1 && c.lo == -5 && c.hi == 12 &&
	    tval(&c, 0, "-5..12"), "range");
	e = tparse(&c, "7", TK_RANGE, &bad);
	CHECK(e == TALLY_OK && c.lo == 7 && c.hi == 7, "range of one");
	e = tparse(&c, "9..3", TK_RANGE, &bad);
	CHECK(e == TALLY_OK && c.lo == 9 && c.hi == 3, "order not checked");
	CHECK(tparse(&c, "1.5", TK_RANGE, &bad) == TALLY_RANGE, "1.5");
	CHECK(tparse(&c, "1..", TK_RANGE, &bad) == TALLY_RANGE, "1..");
	CHECK(tparse(&c, "..2", TK_RANGE, &bad) == TALLY_RANGE, "..2");
	CHECK(tparse(&c, "1...2", TK_RANGE, &bad) == TALLY_RANGE, "1...2");
	CHECK(tparse(&c, "x", TK_RANGE, &bad) == TALLY_RANGE, "x");
	/* As a report reads a join: the kind the cell shows. */
	e = tparse(&c, "x", TK_AS_WRITTEN, &bad);
	CHECK(e == TALLY_OK && c.kind == TK_DISTINCT && c.n == 1 && !c.single,
	    "as written: one value is distinct");
	e = tparse(&c, ":3,b:4", TK_AS_WRITTEN, &bad);
	CHECK(e == TALLY_OK && c.kind == TK_COUNTS && c.n == 2 &&
	    tval(&c, 0, "") && c.cnt[0] == 3, "as written: counts");
	e = tparse(&c, "a,", TK_AS_WRITTEN, &bad);
	CHECK(e == TALLY_OK && c.n == 2 && tval(&c, 1, ""),
	    "as written: trailing comma adds an empty value");
	e = tparse(&c, "a:1,", TK_AS_WRITTEN, &bad);
	CHECK(e == TALLY_ENTRY && bad.n == 0, "as written: empty entry");
	tally_cell_free(&c);
	CHECK(c.val == NULL && c.n == 0, "freed");
}

/*
 * The Mann-Whitney p by brute force: every labelling of m of the N
 * values, mid-ranks found by counting, U compared with a tolerance.
 */
static double
mwu_brute(const double *a, size_t m, const double *b, size_t n)
{
	double v[24], rank[24], u = 0, mid = (double)m * (double)n / 2;
	size_t N = m + n, i, j;
	unsigned long mask, hit = 0, all = 0;

	for (i = 0; i < N; i++)
		v[i] = i < m ? a[i] : b[i - m];
	for (i = 0; i < N; i++) {
		double lt = 0, eq = 0;

		for (j = 0; j < N; j++) {
			lt += v[j] < v[i];
			eq += v[j] == v[i];
		}
		rank[i] = lt + (eq + 1) / 2;
		if (i < m)
			u += rank[i];
	}
	u -= (double)m * (double)(m + 1) / 2;
	for (mask = 0; mask < 1UL << N; mask++) {
		double r = 0;

		if ((size_t)__builtin_popcountl(mask) != m)
			continue;
		for (i = 0; i < N; i++)
			if (mask & 1UL << i)
				r += rank[i];
		r -= (double)m * (double)(m + 1) / 2;
		all++;
		if (r - mid >= fabs(u - mid) - 1e-9 ||
		    mid - r >= fabs(u - mid) - 1e-9)
			hit++;
	}
	return (double)hit / (double)all;
}

static void
mwu_is(struct mwu *w, const double *a, size_t m, const double *b, size_t n,
    double want, const char *what)
{
	double p = mwu_p(w, a, m, b, n), q = mwu_p(w, b, n, a, m);

	CHECK(fabs(p - want) < 1e-12, "mwu %s: p %.9f, want %.9f", what, p,
	    want);
	CHECK(p == q, "mwu %s: p %.9f one way, %.9f the other", what, p, q);
}

/*
 * The shortcuts of mwu_p() (the table of p by m and n without ties, the
 * memo of p by ranks up to 32 values) against its general path, bit for
 * bit, and, up to 16 values, the brute force: random samples of 2 to 20
 * values a side, without ties (values apart), with few ties and with
 * many (values drawn from 0..2 or 0..6, as small counts are), in random
 * order.  Each sample is asked twice of the fast context, so that the
 * second answer comes from its caches.
 */
static void
test_mwu_paths(void)
{
	struct mwu *fast = mwu_new(), *gen = mwu_new();
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	double a[20], b[20];
	size_t i, j, m, n;
	int nfast = 0;

	mwu_general(gen, 1);
	for (i = 0; i < 20000; i++) {
		unsigned spread;
		double p, q, g;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		m = 2 + x % (i < 10000 ? 7 : 19);
		n = 2 + (x >> 8) % (i < 10000 ? 7 : 19);
		spread = (unsigned[]){ 3, 7, 1000000 }[(x >> 16) % 3];
		for (j = 0; j < m + n; j++) {
			double v;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v = (double)(x % spread) * (x >> 40 & 1 ? 1 : 0.25);
			if (j < m)
				a[j] = v;
			else
				b[j - m] = v;
		}
		p = mwu_p(fast, a, m, b, n);
		q = mwu_p(fast, a, m, b, n);
		g = mwu_p(gen, a, m, b, n);
		CHECK(memcmp(&p, &g, sizeof(p)) == 0 &&
		    memcmp(&q, &g, sizeof(q)) == 0, "mwu paths: m %zu n %zu: "
		    "fast %.17g, again %.17g, general %.17g", m, n, p, q, g);
		if (m + n <= 16) {
			double want = mwu_brute(a, m, b, n);

			CHECK(fabs(g - want) < 1e-12, "mwu paths: m %zu n %zu: "
			    "%.12f, brute force %.12f", m, n, g, want);
		}
		nfast += spread == 1000000;
	}
	CHECK(nfast > 1000, "mwu paths: only %d samples without ties", nfast);
	mwu_free(fast);
	mwu_free(gen);
}

/*
 * The memo of p by ranks against the general path, bit for bit: every
 * tie pattern of 4 to 10 values and every way to label them into two
 * sides of at least 2, each asked both ways round of one context, so
 * that samples which share all but one of what the memo is keyed on
 * (the smaller side's size, the number of values, where the tie groups
 * start, the deviation of the rank sum) come one after another: a memo
 * keyed on too little answers some of them with another's p.  The
 * values are the indices of the tie groups, side a's from the top down
 * (the order within a side must not matter), scaled, so that the values
 * themselves differ from pattern to pattern.
 */
static void
test_mwu_memo(void)
{
	struct mwu *fast = mwu_new(), *gen = mwu_new();
	double a[10], b[10];
	unsigned long comp, lab;
	size_t N, m, n, i;
	int bad = 0, all = 0;

	mwu_general(gen, 1);
	for (N = 4; N <= 10; N++)
		for (comp = 0; comp < 1UL << (N - 1); comp++)
			for (lab = 0; lab < 1UL << N; lab++) {
				double p, q, g, h, grp = 0, sc = 1 + comp % 3;

				for (i = m = n = 0; i < N; i++) {
					grp += i > 0 && (comp >> (i - 1) & 1);
					if (lab >> i & 1)
						b[n++] = grp * sc;
					else
						a[m++] = grp * sc;
				}
				if (m < 2 || n < 2)
					continue;
				for (i = 0; i < m / 2; i++) {
					double t = a[i];

					a[i] = a[m - 1 - i];
					a[m - 1 - i] = t;
				}
				p = mwu_p(fast, a, m, b, n);
				q = mwu_p(fast, b, n, a, m);
				g = mwu_p(gen, a, m, b, n);
				h = mwu_p(gen, b, n, a, m);
				bad += memcmp(&p, &g, sizeof(p)) != 0 ||
				    memcmp(&q, &h, sizeof(q)) != 0;
				all++;
			}
	CHECK(bad == 0, "mwu memo: %d of %d samples differ from the "
	    "general path", bad, all);
	CHECK(all > 600000, "mwu memo: only %d samples", all);
	mwu_free(fast);
	mwu_free(gen);
}

static void
test_mwu(void)
{
	struct mwu *w = mwu_new();
	static const double s3a[] = { 1, 2, 3 }, s3b[] = { 4, 5, 6 },
	    s5a[] = { 1, 2, 3, 4, 5 }, s5b[] = { 6, 7, 8, 9, 10 },
	    same[] = { 7, 7, 7, 7 }, one[] = { 3 };
	/* Ties inside and across the sides; sizes that differ. */
	static const double t1a[] = { 0, 0, 3, 5 }, t1b[] = { 0, 3, 3, 9, 9 },
	    t2a[] = { 1, 1, 2 }, t2b[] = { 2, 3, 3 },
	    t3a[] = { 0, 0, 0, 0, 0, 0 }, t3b[] = { 0, 0, 1, 1, 2, 0, 4 },
	    t4a[] = { 5, 2.5, 2.5, 7, 1 }, t4b[] = { 2.5, 8, 7, 6, 6, 6 };

	mwu_is(w, s3a, 3, s3b, 3, 0.1, "3 and 3 apart");
	mwu_is(w, s5a, 5, s5b, 5, 2.0 / 252, "5 and 5 apart");
	mwu_is(w, same, 2, same + 2, 2, 1, "all the same");
	mwu_is(w, s5a, 5, s5a, 5, 1, "equal samples");
	CHECK(mwu_p(w, one, 1, s5a, 5) == -1, "one value: no test");
	CHECK(mwu_p(w, s5a, 5, one, 0) == -1, "no value: no test");
	mwu_is(w, t1a, 4, t1b, 5, mwu_brute(t1a, 4, t1b, 5), "ties 1");
	mwu_is(w, t2a, 3, t2b, 3, mwu_brute(t2a, 3, t2b, 3), "ties 2");
	mwu_is(w, t3a, 6, t3b, 7, mwu_brute(t3a, 6, t3b, 7), "ties 3");
	mwu_is(w, t4a, 5, t4b, 6, mwu_brute(t4a, 5, t4b, 6), "ties 4");
	/* Again, from the cache. */
	mwu_is(w, t4a, 5, t4b, 6, mwu_brute(t4a, 5, t4b, 6), "ties 4 again");
	mwu_is(w, s3a, 3, s3b, 3, 0.1, "3 and 3 again");
	/* Hand-checked: {1,1,2} vs {2,3,3}, mid-ranks 1.5 1.5 3.5 | 3.5
	 * 5.5 5.5, u = 0.5, |u - 4.5| = 4: U = 0.5 (both 1.5s, either
	 * 3.5) or U = 8.5 (either 3.5, both 5.5), 4 of 20. */
	mwu_is(w, t2a, 3, t2b, 3, 0.2, "ties by hand");
	/* 262 values: the long form of the cache key.  The two largest
	 * values on one side: 2 of C(262, 2) labellings. */
	{
		double big[260], top[2] = { 1000, 1001 };
		size_t i;

		for (i = 0; i < 260; i++)
			big[i] = (double)i;
		mwu_is(w, top, 2, big, 260, 2.0 / (262.0 * 261 / 2),
		    "262 values");
		big[7] = 6;
		mwu_is(w, top, 2, big, 260, 2.0 / (262.0 * 261 / 2),
		    "262 values, a tie");
	}
	mwu_free(w);
}

/* The positive double d ulps from v (no libm here). */
static double
ulps(double v, int d)
{
	uint64_t u;

	memcpy(&u, &v, 8);
	u += (uint64_t)(int64_t)d;
	memcpy(&v, &u, 8);
	return v;
}

/* stat_fmt6() is printf's "%.6f", on values of every kind. */
static void
fmt6_is(double v)
{
	char got[STAT_FMT6_MAX + 1], want[STAT_FMT6_MAX + 1];
	size_t n = stat_fmt6(got, v);

	got[n] = '\0';
	snprintf(want, sizeof(want), "%.6f", v);
	CHECK(strcmp(got, want) == 0, "stat_fmt6(%.17g) = %s, want %s", v,
	    got, want);
}

static void
test_fmt6(void)
{
	static const double some[] = { 0, -0.0, 1, 0.5, 0.0000005, 0.0000015,
	    0.0000025, 1.0000005, 0.1234565, 7999999.9999995, 8e6, 8e6 + 1,
	    1e300, -1, 1.0 / 3, 2.0 / 3, 0.999999, 0.9999995, 0.9999994,
	    1e-7, 4.5e-7, 5.5e-7, 123456.1234564999, 1e19, NAN, INFINITY };
	uint64_t x = 88172645463325252ULL;
	size_t i;

	for (i = 0; i < sizeof(some) / sizeof(*some); i++)
		fmt6_is(some[i]);
	for (i = 0; i < 50000; i++) {
		uint64_t a, b;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		a = x % 100000;
		b = (x >> 20) % 1000 + 1;
		fmt6_is((double)a / (double)b);
		fmt6_is((double)a / (double)b * 1000);
		fmt6_is((double)(x >> 11) / 9007199254740992.0 * 1e7);
		fmt6_is((double)(a % 1000) / 1e6 + 5e-7);
	}
	/*
	 * Near rounding ties, where a window of doubt would send every call
	 * to snprintf: p values k / C(m+n, m), the midpoints (2j+1) / 2e6
	 * and their neighbours a few ulps away, and the exact ties j / 128.
	 */
	for (i = 0; i <= 252; i++) {
		fmt6_is((double)i / 252);
		fmt6_is((double)i / 184756);
		fmt6_is((double)i / 128);
		fmt6_is((double)i * 1000 / 128);
	}
	for (i = 0; i < 200000; i++) {
		double mid = ((double)(2 * (i % 5000000) + 1) / 2e6) *
		    (i % 3 == 0 ? 1 : i % 3 == 1 ? 1000 : 0.001);
		int k;

		for (k = 0; k < 3; k++) {
			fmt6_is(mid);
			fmt6_is(ulps(mid, -1));
			fmt6_is(ulps(mid, 1));
			mid = ulps(mid, 2);
		}
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i < 20000)
			fmt6_is((double)(x % 5000000) / (double)(x >> 44 | 1));
	}
}

/*
 * rd_piece: short lines whole, long ones in pieces that join to them, CR
 * LF dropped even when a piece ends between the CR and the LF, line
 * numbers per line, a last line without a newline; rd_peek looks ahead
 * without consuming.  A regular file is read 128 KiB at a time (fill())
 * and a line with no newline in 256 KiB (PIECESZ) is handed out in
 * pieces, so the first piece of line 2, after three reads, ends right
 * after its CR.
 */
static void
test_rd_piece(void)
{
	char path[] = "/tmp/test-common-rd.XXXXXX";
	enum { NLINE = 5 };
	size_t len[NLINE] = { 2, 3 * (128u << 10) - 5, 0, 3u << 20, 3 };
	char *want[NLINE], *got;
	struct span p, ahead;
	struct rd *r;
	size_t n = 0, npiece[NLINE] = { 0 };
	FILE *f;
	int fd, eol, line = 0;

	for (int k = 0; k < NLINE; k++) {
		want[k] = malloc(len[k] + 1);
		for (size_t i = 0; i < len[k]; i++)
			want[k][i] = (char)('a' + (i * 7 + (size_t)k) % 26);
	}
	got = malloc((3u << 20) + 1);
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	for (int k = 0; k < NLINE; k++) {
		fwrite(want[k], 1, len[k], f);
		fputs(k < 2 ? "\r\n" : k < NLINE - 1 ? "\n" : "", f);
	}
	fclose(f);
	r = rd_open(path);
	CHECK(rd_peek(r, &ahead) && ahead.n >= 4 &&
	    memcmp(ahead.p, want[0], 2) == 0 && ahead.p[2] == '\r',
	    "rd_peek at the start");
	while (line < NLINE && rd_piece(r, &p, &eol)) {
		CHECK(rd_lineno(r) == (uint64_t)line + 1, "rd_piece: a piece of "
		    "line %d numbered %llu", line + 1,
		    (unsigned long long)rd_lineno(r));
		if (n + p.n <= len[line])
			memcpy(got + n, p.p, p.n);
		n += p.n;
		npiece[line]++;
		if (!eol)
			continue;
		CHECK(n == len[line] && memcmp(got, want[line], n) == 0,
		    "rd_piece: line %d: %zu bytes, want %zu", line + 1, n,
		    len[line]);
		n = 0;
		line++;
	}
	CHECK(line == NLINE && !rd_piece(r, &p, &eol), "rd_piece: %d lines, "
	    "want %d", line, NLINE);
	CHECK(!rd_had_newline(r), "rd_piece: the last line has no newline");
	CHECK(npiece[0] == 1 && npiece[1] == 2 && npiece[3] >= 3,
	    "rd_piece: %zu, %zu and %zu pieces", npiece[0], npiece[1],
	    npiece[3]);
	rd_close(r);
	unlink(path);
	for (int k = 0; k < NLINE; k++)
		free(want[k]);
	free(got);
}

/* arena_zalloc: zeroed, aligned, disjoint, large objects beside the
 * current block without ending it; arena_free frees every block (ASan's
 * leak check and valgrind see it). */
static void
test_arena(void)
{
	struct arena a = { 0 };
	unsigned char *p[64], *big;
	size_t i, j, n;
	int ok = 1;

	for (i = 0; i < 64; i++) {
		n = 1 + i * 5000;
		p[i] = arena_zalloc(&a, n);
		for (j = 0; j < n; j++)
			ok &= p[i][j] == 0;
		ok &= ((uintptr_t)p[i] & 7) == 0;
		memset(p[i], (int)i + 1, n);
		if (i == 10) {
			big = arena_zalloc(&a, (size_t)1 << 21);
			ok &= big[0] == 0 && big[((size_t)1 << 21) - 1] == 0;
			memset(big, 0xff, (size_t)1 << 21);
		}
	}
	for (i = 0; i < 64; i++)
		for (j = 0; j < 1 + i * 5000; j++)
			ok &= p[i][j] == (unsigned char)(i + 1);
	/* the block current before the large object stays in use */
	CHECK(ok, "arena_zalloc: zeroed, aligned, disjoint");
	CHECK((char *)p[11] - (char *)p[10] == (ptrdiff_t)((1 + 10 * 5000 + 7) & ~7u),
	    "arena_zalloc: a large object leaves the current block current");
	arena_free(&a);
	CHECK(a.block == NULL, "arena_free");
}

int
main(int argc, char *argv[])
{
	msg_init(argv[0]);
	/* test-common hash VALUE...: the low 32 bits of each value's
	 * ht_hash() (TRACE_TOOLS_HASH_SEED applies), one a line, for tests
	 * that need values whose hashes collide */
	if (argc > 1 && strcmp(argv[1], "hash") == 0) {
		for (int i = 2; i < argc; i++)
			printf("%08x\n", (unsigned)(uint32_t)ht_hash(argv[i],
			    strlen(argv[i])));
		return 0;
	}
	test_numbers();
	test_order();
	test_json_unescape();
	test_json_line();
	test_json_tags();
	test_json_to();
	test_json_to_index();
	test_utf8();
	test_tsv();
	test_tally();
	test_tally_split();
	test_tally_rows();
	test_mem_same();
	test_mem_pad();
	test_num_fmt_addr();
	test_num_hex8();
	test_mem_copy();
	test_htab();
	test_mwu();
	test_mwu_paths();
	test_mwu_memo();
	test_fmt6();
	test_rd_piece();
	test_arena();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
