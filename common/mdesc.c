/*
 * mdesc.c - trace values and text in Markdown (see mdesc.h).
 */
#include <stdio.h>

#include "mdesc.h"
#include "xmem.h"

/*
 * Bytes of a bidirectional control character at p (U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069, in UTF-8), else 0; its code
 * point in *cp.
 */
size_t
bidi_len(const unsigned char *p, size_t n, unsigned *cp)
{
	if (n >= 2 && p[0] == 0xd8 && p[1] == 0x9c) {
		*cp = 0x061c;
		return 2;
	}
	if (n < 3 || p[0] != 0xe2)
		return 0;
	*cp = 0x2000 | (unsigned)(p[1] & 0x0f) << 6 | (p[2] & 0x3f);
	if ((p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f ||
	    (p[2] >= 0xaa && p[2] <= 0xae))) ||
	    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9))
		return 3;
	return 0;
}

void
md_esc_text(struct ob *o, struct span s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	unsigned cp;
	size_t k;

	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = p[i];

		switch (c) {
		case '\\': case '|': case '`': case '[': case ']':
			ob_putc(o, '\\');
			ob_putc(o, c);
			break;
		case '<': ob_puts(o, "&lt;"); break;
		case '>': ob_puts(o, "&gt;"); break;
		case '&': ob_puts(o, "&amp;"); break;
		case '\t': ob_puts(o, "\\\\t"); break;
		case '\n': ob_puts(o, "\\\\n"); break;
		case '\r': ob_puts(o, "\\\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				ob_printf(o, "\\\\x%02x", c);
			else if ((k = bidi_len(p + i, s.n - i, &cp)) > 0) {
				ob_printf(o, "\\\\u%04X", cp);
				i += k - 1;
			} else
				ob_putc(o, c);
		}
	}
}

void
md_esc_code(struct ob *o, struct span s, int intable)
{
	const unsigned char *p = (const unsigned char *)s.p;
	struct sbuf t = { 0 };
	size_t i, k, run = 0, longest = 0;
	unsigned cp;
	int pad, allsp = 1;

	if (s.n == 0) {
		ob_puts(o, "(empty)");
		return;
	}
	for (i = 0; i < s.n; i++) {
		unsigned char c = p[i];
		char e[8];

		if (c != ' ')
			allsp = 0;
		run = c == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
		if (c == '\\')
			sb_adds(&t, "\\x5c");
		else if (c == '|' && intable)
			sb_adds(&t, "\\|");
		else if (c == '<' && i + 1 < s.n && (p[i + 1] == '/' ||
		    p[i + 1] == '!' || p[i + 1] == '?' ||
		    (unsigned)((p[i + 1] | 0x20) - 'a') < 26u))
			sb_adds(&t, "\\x3c");	/* a tag or autolink outranks
						 * the span */
		else if (c < 0x20 || c == 0x7f) {
			snprintf(e, sizeof(e), "\\x%02x", c);
			sb_adds(&t, e);
		} else if ((k = bidi_len(p + i, s.n - i, &cp)) > 0) {
			snprintf(e, sizeof(e), "\\u%04X", cp);
			sb_adds(&t, e);
			i += k - 1;
			run = 0;
		} else
			sb_addc(&t, (char)c);
	}
	/* A space each side keeps a backtick from joining the fence and
	 * a value with spaces at both ends from losing them. */
	pad = t.p[0] == '`' || t.p[t.len - 1] == '`' ||
	    (t.p[0] == ' ' && t.p[t.len - 1] == ' ' && !allsp);
	for (i = 0; i <= longest; i++)
		ob_putc(o, '`');
	if (pad)
		ob_putc(o, ' ');
	ob_write(o, t.p, t.len);
	if (pad)
		ob_putc(o, ' ');
	for (i = 0; i <= longest; i++)
		ob_putc(o, '`');
	sb_free(&t);
}
