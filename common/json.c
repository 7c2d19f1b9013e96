/* json.c - JSON Lines records over jsmn; see json.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "err.h"
#include "json.h"
#include "ob.h"

const char *
json_type_name(enum json_type t)
{
	switch (t) {
	case JT_STRING: return "a string";
	case JT_NUMBER: return "a number";
	case JT_TRUE:
	case JT_FALSE: return "a boolean";
	case JT_NULL: return "null";
	case JT_OBJECT: return "an object";
	case JT_ARRAY: return "an array";
	}
	return "a value";
}

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
		if (tok[P].type == JSMN_STRING) {
			/* a member's value, after its key */
			if (!sep_ok(p, tend(&tok[P]), tbeg(&tok[j]), ':'))
				return -1;
			O = tok[P].parent;
			if (O < from)
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

int
json_parse_line(struct json_line *jl, const char *p, size_t n)
{
	jsmn_parser ps;
	jsmntok_t *tok;
	int r, i, k, prevend;
	size_t nkeys;

	if (n >= INT_MAX)
		return fail(jl, p, n, "line too long for the JSON parser "
		    "(2 GiB or more)");
	if (jl->tok == NULL) {
		jl->ntok = 64;
		jl->tok = xreallocarray(NULL, jl->ntok, sizeof(jsmntok_t));
	}
	for (;;) {
		jsmn_init(&ps);
		r = jsmn_parse(&ps, p, n, jl->tok, jl->ntok);
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
		    check_nested(jl, p, i + 1, j) != 0) {
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

static void
put_utf8(struct sbuf *sb, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	sb_add(sb, b, n);
}

const char *
json_unescape(struct span raw, struct sbuf *sb)
{
	size_t i, run = 0;
	const char *p = raw.p;

	sb_clear(sb);
	for (i = 0; i < raw.n; i++) {
		unsigned char c = (unsigned char)p[i];
		unsigned cp, lo;

		if (c < 0x20)
			return "control character in JSON string";
		if (c != '\\')
			continue;
		sb_add(sb, p + run, i - run);
		if (i + 1 >= raw.n)
			return "bad escape in JSON string";
		switch (p[++i]) {
		case '"': sb_addc(sb, '"'); break;
		case '\\': sb_addc(sb, '\\'); break;
		case '/': sb_addc(sb, '/'); break;
		case 'b': sb_addc(sb, '\b'); break;
		case 'f': sb_addc(sb, '\f'); break;
		case 'n': sb_addc(sb, '\n'); break;
		case 'r': sb_addc(sb, '\r'); break;
		case 't': sb_addc(sb, '\t'); break;
		case 'u':
			if (i + 4 >= raw.n || hex4(p + i + 1, &cp) != 0)
				return "bad \\u escape in JSON string";
			i += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return "lone low surrogate in JSON string";
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 6 >= raw.n || p[i + 1] != '\\' ||
				    p[i + 2] != 'u' ||
				    hex4(p + i + 3, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return "lone high surrogate in JSON "
					    "string";
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			}
			put_utf8(sb, cp);
			break;
		default:
			return "bad escape in JSON string";
		}
		run = i + 1;
	}
	if (run < raw.n)
		sb_add(sb, p + run, raw.n - run);
	else
		sb_add(sb, "", 0);
	return NULL;
}

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
