/*
 * regex.c - text line traces: each line is matched against one PCRE2
 * pattern and its named groups are the record's fields.
 *
 * The pattern is compiled once, with the JIT when the platform has it,
 * in byte mode (no UTF check: a trace line is not rejected for its
 * encoding before it is matched; string columns are still checked on
 * output).  A group that did not take part in the match, or matched the
 * empty string, is an absent field.  A line the pattern does not match is
 * skipped and counted (--nomatch skip) or malformed (the default).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "rd.h"
#include "tsv.h"
#include "normalize.h"

static pcre2_code	*re;
static int		 jit;
/*
 * Room for a PCRE2 error message: pcre2's longest is 91 bytes (10.42);
 * pcre2_get_error_message() cuts a longer one, never overruns.
 */
#define PCRE2_MSG_MAX	256

static int		*groupslot;	/* group number -> slot, or -1 */
static uint32_t		 ngroup;

void
regex_compile(void)
{
	int err;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[PCRE2_MSG_MAX];
	uint32_t count, size, i, j;
	PCRE2_SPTR table;

	re = pcre2_compile((PCRE2_SPTR)S.regex, PCRE2_ZERO_TERMINATED, 0,
	    &err, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		die_usage("--regex: %s at offset %zu of '%s'", (char *)msg,
		    (size_t)off, S.regex);
	}
	jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ngroup);
	pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
	groupslot = xreallocarray(NULL, ngroup + 1, sizeof(int));
	for (i = 0; i <= ngroup; i++)
		groupslot[i] = -1;
	for (i = 0; i < count; i++) {
		const unsigned char *e = table + (size_t)i * size;
		uint32_t g = (uint32_t)e[0] << 8 | e[1];
		const char *name = (const char *)e + 2;

		for (j = 0; j < S.nslot; j++)
			if (strcmp(S.slot[j].name, name) == 0)
				groupslot[g] = (int)j;
	}
	/* Every field the schema needs must be a group of the pattern. */
	for (j = 0; j < S.nslot; j++) {
		int found = 0;

		for (i = 0; i <= ngroup; i++)
			if (groupslot[i] == (int)j)
				found = 1;
		for (i = 0; !found && i < S.ncol; i++)
			if (S.col[i].slot == (int)j && !S.col[i].optional)
				die_usage("--regex has no group (?<%s>...) for "
				    "column %s", S.slot[j].name, S.col[i].name);
	}
}

void *
regex_match_data(void)
{
	pcre2_match_data *d = pcre2_match_data_create_from_pattern(re, NULL);

	if (d == NULL)
		dief("out of memory");
	return d;
}

void
conv_regex(struct conv *c, struct span line, uint64_t lineno)
{
	struct rec r = { c->file, c->msgname, lineno, line };
	PCRE2_SIZE *ov;
	uint32_t g;
	int rc;

	if (blank_line(line)) {
		c->n.blank++;
		return;
	}
	c->fmt = FMT_REGEX;
	if (c->md == NULL)
		c->md = regex_match_data();
	ov = pcre2_get_ovector_pointer(c->md);
	rc = jit ? pcre2_jit_match(re, (PCRE2_SPTR)line.p, line.n, 0, 0, c->md,
	    NULL) : pcre2_match(re, (PCRE2_SPTR)line.p, line.n, 0, 0, c->md,
	    NULL);
	if (rc == PCRE2_ERROR_NOMATCH) {
		if (S.nomatch_skip) {
			c->n.nomatch++;
			return;
		}
		c->n.records++;
		bad_record(c, &r, "line does not match the pattern");
		return;
	}
	c->n.records++;
	c->gen++;
	if (rc < 0) {
		PCRE2_UCHAR msg[PCRE2_MSG_MAX];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		bad_record(c, &r, "pattern match failed: %s", (char *)msg);
		return;
	}
	for (g = 1; g <= ngroup && g < (uint32_t)rc; g++) {
		struct slotval *s;

		if (groupslot[g] < 0 || ov[2 * g] == PCRE2_UNSET)
			continue;
		s = &c->sv[groupslot[g]];
		s->setgen = c->gen;
		s->raw = span_make(line.p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
		s->kind = VK_STR;
		s->esc = 0;
	}
	emit_record(c, &r);
}
