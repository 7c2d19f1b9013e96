/*
 * fuzz-num.c - the number and address parsers.  Invariants: what parses
 * formats canonically and parses back to the same value; canonical text
 * is a fixed point; the time-free parsers agree with each other, and
 * num_hex8() with num_parse_hex().
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "num.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span s = span_make((const char *)data, size);
	char b[64];
	uint64_t u, u2;
	int64_t v, v2;
	size_t n;

	if (num_parse_addr(s, &u) == NUM_OK) {
		n = num_fmt_addr(b, u);
		INVARIANT(n >= 10 && n <= NUM_ADDR_MAX);
		INVARIANT(num_parse_addr(span_make(b, n), &u2) == NUM_OK &&
		    u2 == u);
	}
	if (num_parse_int(s, &v) == NUM_OK) {
		n = num_fmt_i64(b, v);
		INVARIANT(n <= NUM_INT_MAX);
		INVARIANT(num_parse_i64(span_make(b, n), &v2) == NUM_OK &&
		    v2 == v);
	}
	if (num_parse_u64(s, &u) == NUM_OK) {
		/* against the C library, on a NUL-terminated copy */
		char c[64];

		if (size < sizeof(c)) {
			memcpy(c, data, size);
			c[size] = '\0';
			INVARIANT(strtoull(c, NULL, 10) == u);
		}
		INVARIANT(num_parse_addr(s, &u2) == NUM_OK && u2 == u);
		n = num_fmt_u64(b, u);
		INVARIANT(num_parse_u64(span_make(b, n), &u2) == NUM_OK &&
		    u2 == u);
	}
	if (num_parse_hex(s, &u) == NUM_OK && size > 0) {
		char h[80] = "0x";

		if (size < sizeof(h) - 2) {
			memcpy(h + 2, data, size);
			INVARIANT(num_parse_addr(span_make(h, size + 2), &u2) ==
			    NUM_OK && u2 == u);
		}
	}
	/* num_hex8(), the path of "0x" and eight digits, agrees with
	 * num_parse_hex() and num_fmt_addr() on the first eight bytes. */
	if (size >= 8) {
		char low[8];
		uint32_t h8;
		int ok = num_hex8((const char *)data, &h8, low);

		INVARIANT(ok == (num_parse_hex(span_make((const char *)data, 8),
		    &u) == NUM_OK));
		if (ok) {
			INVARIANT(h8 == u);
			INVARIANT(num_fmt_addr(b, u) == 10 &&
			    memcmp(b + 2, low, 8) == 0);
		}
	}
	/* The order never depends on argument order. */
	{
		size_t half = size / 2;
		struct span a = span_make((const char *)data, half);
		struct span c = span_make((const char *)data + half, size - half);
		int x = num_cmp_values(a, c), y = num_cmp_values(c, a);

		INVARIANT((x > 0) == (y < 0) && (x == 0) == (y == 0));
	}
	return 0;
}
