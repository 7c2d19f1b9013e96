/*
 * where.c - trace-normalize's record filters: --where FIELD=VALUE,
 * FIELD!=VALUE and FIELD~REGEX, all of which a record must pass to be
 * converted.
 *
 * The field name ends at the first "!=", "=" or "~".  An absent field
 * (missing, null or empty) fails "=" and "~" and passes "!=".  "=" with a
 * VALUE that is a number compares numerically, as --op-map does, so that
 * 16, 0x10 and "0x0010" are equal; any other VALUE compares as text with
 * the field's unescaped value.  A REGEX is PCRE2, compiled once, matched
 * anywhere in the value (anchor it with ^ and $).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "num.h"
#include "normalize.h"

enum wop { W_EQ, W_NE, W_RE };

struct where {
	int		 slot;
	enum wop	 op;
	char		*value;
	size_t		 vlen;
	int		 numeric;	/* W_EQ, W_NE: value is a number */
	uint64_t	 num;
	pcre2_code	*re;
};

static struct where	*W;
static size_t		 nw;

#define PCRE2_MSG_MAX	256

void
where_arg(const char *arg)
{
	const char *p;
	struct where *w;
	enum wop op = W_EQ;
	size_t flen, oplen = 1;
	int err;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[PCRE2_MSG_MAX];

	for (p = arg; *p != '\0'; p++) {
		if (p[0] == '!' && p[1] == '=') {
			op = W_NE;
			oplen = 2;
			break;
		}
		if (*p == '=' || *p == '~') {
			op = *p == '=' ? W_EQ : W_RE;
			break;
		}
	}
	if (*p == '\0' || p == arg)
		die_usage("--where: expected FIELD=VALUE, FIELD!=VALUE or "
		    "FIELD~REGEX, got '%s'", msg_vis(arg, strlen(arg)));
	flen = (size_t)(p - arg);
	p += oplen;
	if (*p == '\0')
		die_usage("--where: empty %s in '%s' (an empty field is an "
		    "absent value)", op == W_RE ? "regular expression" :
		    "value", msg_vis(arg, strlen(arg)));
	W = xreallocarray(W, nw + 1, sizeof(*W));
	w = &W[nw++];
	S.nwhere = nw;
	memset(w, 0, sizeof(*w));
	w->slot = slot_of(arg, flen);
	w->op = op;
	w->value = xstrdup(p);
	w->vlen = strlen(p);
	if (op != W_RE) {
		w->numeric = num_parse_addr_strict(span_make(w->value, w->vlen),
		    &w->num) == NUM_OK;
		return;
	}
	w->re = pcre2_compile((PCRE2_SPTR)w->value, PCRE2_ZERO_TERMINATED, 0,
	    &err, &off, NULL);
	if (w->re == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		die_usage("--where: %s at offset %zu of '%s'", (char *)msg,
		    (size_t)off, w->value);
	}
	(void)pcre2_jit_compile(w->re, PCRE2_JIT_COMPLETE);
}

/* Whether the record passes filter w: 1, 0, or -1 when reported bad. */
static int
pass(struct conv *c, const struct rec *r, const struct where *w)
{
	struct span v;
	uint64_t num;
	int k, eq;

	if (!present(c, w->slot))
		return w->op == W_NE;
	if (c->sv[w->slot].kind == VK_NESTED)
		return bad_record(c, r, "field %s: expected a scalar, got an "
		    "object or array", S.slot[w->slot].name);
	if (w->op == W_RE) {
		if (slot_value(c, w->slot, r, &v) != 0)
			return -1;
		if (c->wmd == NULL)
			c->wmd = pcre2_match_data_create(1, NULL);
		k = pcre2_match(w->re, (PCRE2_SPTR)v.p, v.n, 0, 0, c->wmd,
		    NULL);
		if (k < 0 && k != PCRE2_ERROR_NOMATCH)
			return bad_record(c, r, "field %s: --where %s: "
			    "pattern match failed (PCRE2 error %d)",
			    S.slot[w->slot].name, w->value, k);
		return k >= 0;
	}
	if (w->numeric) {
		if ((k = slot_num(c, w->slot, r, &num)) < 0)
			return -1;
		eq = k && num == w->num;
	} else {
		if (slot_value(c, w->slot, r, &v) != 0)
			return -1;
		eq = v.n == w->vlen && memcmp(v.p, w->value, v.n) == 0;
	}
	return w->op == W_EQ ? eq : !eq;
}

int
where_pass(struct conv *c, const struct rec *r)
{
	int k;

	for (size_t i = 0; i < nw; i++)
		if ((k = pass(c, r, &W[i])) <= 0) {
			if (k == 0)
				c->n.wdropped++;
			return k;
		}
	return 1;
}

void
where_conv_free(struct conv *c)
{
	pcre2_match_data_free(c->wmd);
	c->wmd = NULL;
}
