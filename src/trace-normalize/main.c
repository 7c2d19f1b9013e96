/*
 * trace-normalize - convert trace records of any schema to the event
 * format of trace-format(5).
 *
 * main() opens every input and the output before writing a byte, writes
 * the header, then hands each input to the reader of its format; each
 * record's slots are converted by emit_record() in a converter (struct
 * conv), the main thread's or, for line formats with --threads, a
 * worker's (pool.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "json.h"
#include "num.h"
#include "ob.h"
#include "progress.h"
#include "rd.h"
#include "tsv.h"
#include "normalize.h"

/* The largest row bound built in place in the output buffer. */
#define ROW_IN_PLACE_MAX	(OB_BUFSZ / 4)

static struct ob *badout;	/* --bad-lines side file */
static char	 firstbad[512];	/* "FILE:LINE: reason" of the first skip */
static int	 op_optional;	/* --optional op: no match leaves it empty */

struct conv *
conv_new(void)
{
	struct conv *c = xcalloc(1, sizeof(*c));

	c->sv = xcalloc(S.nslot ? S.nslot : 1, sizeof(*c->sv));
	c->jl = xcalloc(1, sizeof(struct json_line));
	return c;
}

void
conv_free(struct conv *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < S.nslot; i++) {
		sb_free(&c->sv[i].tmp);
		free(c->sv[i].memo);
	}
	free(c->sv);
	json_line_free(c->jl);
	free(c->jl);
	sb_free(&c->key);
	sb_free(&c->row);
	free(c->fields);
	free(c->bads);
	free(c);
}

void
conv_file(struct conv *c, const char *file, const char *msgname)
{
	c->file = file;
	c->msgname = msgname;
	c->filelen = strlen(file);
}

/* Report a malformed record now: exit 2, or count it and keep it in the
 * --bad-lines file. */
static void
report_bad(struct conv *c, const char *file, const char *msgname,
    uint64_t line, const char *msg, const char *text, size_t textlen)
{
	if (!S.skipbad)
		die_at(msgname, line, "%s", msg);
	if (c->n.skipped++ == 0)
		snprintf(firstbad, sizeof(firstbad), "%s:%llu: %s", msgname,
		    (unsigned long long)line, msg);
	if (badout != NULL) {
		tsv_put(badout, file, strlen(file));
		ob_putc(badout, '\t');
		ob_u64(badout, line);
		ob_putc(badout, '\t');
		tsv_put(badout, msg, strlen(msg));
		ob_putc(badout, '\t');
		tsv_put(badout, text, textlen);
		ob_putc(badout, '\n');
	}
}

int
bad_record(struct conv *c, const struct rec *r, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	struct badrec *b;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->deferred) {
		report_bad(c, r->file, r->msgname, r->line, msg, r->text.p,
		    r->text.n);
		return -1;
	}
	if (c->nbad == c->capbad) {
		c->capbad = c->capbad ? c->capbad * 2 : 8;
		c->bads = xreallocarray(c->bads, c->capbad, sizeof(*c->bads));
	}
	b = &c->bads[c->nbad++];
	b->line = r->line;
	b->msg = xstrdup(msg);
	b->text = xmemdup(r->text.p, r->text.n);
	b->textlen = r->text.n;
	if (!S.skipbad)
		c->stop = 1;	/* the run ends there: no need to go on */
	return -1;
}

void
retire(struct conv *m, struct sbuf *out, const struct counts *n,
    struct badrec *bads, size_t nbad, const char *file, const char *msgname)
{
	size_t i;

	ob_write(m->ob, out->p, out->len);
	m->n.records += n->records;
	m->n.written += n->written;
	m->n.blank += n->blank;
	m->n.dropped += n->dropped;
	m->n.nomatch += n->nomatch;
	/* n->skipped stays 0: a worker keeps its malformed records, and
	 * report_bad() counts them below as they are reported. */
	for (i = 0; i < nbad; i++) {
		report_bad(m, file, msgname, bads[i].line, bads[i].msg,
		    bads[i].text, bads[i].textlen);
		free(bads[i].msg);
		free(bads[i].text);
	}
}

/*
 * The unescaped value of a slot.  Returns 0, or -1 after reporting a bad
 * escape through bad_record().
 */
static inline int
slot_value(struct conv *c, int i, const struct rec *r, struct span *v)
{
	struct slotval *s = &c->sv[i];
	const char *e;

	if (!s->esc || s->kind != VK_STR) {
		/* JSON forbids raw control characters in strings. */
		if (c->fmt == FMT_JSONL && s->kind == VK_STR && !c->noctrl)
			for (size_t k = 0; k < s->raw.n; k++)
				if ((unsigned char)s->raw.p[k] < 0x20)
					return bad_record(c, r, "field %s: "
					    "control character in JSON string",
					    S.slot[i].name);
		*v = s->raw;
		return 0;
	}
	if (s->gen != c->gen) {
		if (c->fmt == FMT_JSONL)
			e = json_unescape(s->raw, &s->tmp);
		else
			e = tsv_unescape(s->raw, &s->tmp) != 0 ?
			    "bad escape sequence" : NULL;
		if (e != NULL)
			return bad_record(c, r, "field %s: %s", S.slot[i].name,
			    e);
		s->gen = c->gen;
	}
	*v = span_make(s->tmp.p, s->tmp.len);
	return 0;
}

/* Whether the slot holds a value in this record (null and "" do not). */
static inline int
present(const struct conv *c, int i)
{
	const struct slotval *s = &c->sv[i];

	return s->setgen == c->gen && s->kind != VK_NULL && s->raw.n > 0;
}

/*
 * Rows are built in `row` through a cursor: emit_record() reserves an
 * upper bound of the row's size first, so the writers below never check
 * for room.  The bound is summed column by column (two columns may show
 * the same field): a text value at most doubles when escaped (its
 * unescaped form is never longer than its raw one), a number takes at
 * most 20 bytes.
 */

/* Write a string value: valid UTF-8, no NUL, TSV-escaped. */
static int
put_str(struct conv *c, const struct rec *r, const char *what1,
    const char *what2, struct span v)
{
	char *w = c->w;
	long bad;
	size_t i;

	for (i = 0; i < v.n; i++) {
		unsigned char b = (unsigned char)v.p[i];

		if (b >= 0x80 || b == '\0' || b == '\\' || b == '\t' ||
		    b == '\n' || b == '\r')
			break;
	}
	if (i == v.n) {		/* plain ASCII: the common case */
		memcpy(w, v.p, v.n);
		c->w = w + v.n;
		return 0;
	}
	if (memchr(v.p, '\0', v.n) != NULL)
		return bad_record(c, r, "%s%s: NUL character in value", what1,
		    what2);
	if ((bad = utf8_check(v.p, v.n)) >= 0)
		return bad_record(c, r, "%s%s: invalid UTF-8 at byte %ld",
		    what1, what2, bad + 1);
	for (i = 0; i < v.n; i++) {
		char ch = v.p[i];

		switch (ch) {
		case '\\': *w++ = '\\'; *w++ = '\\'; break;
		case '\t': *w++ = '\\'; *w++ = 't'; break;
		case '\n': *w++ = '\\'; *w++ = 'n'; break;
		case '\r': *w++ = '\\'; *w++ = 'r'; break;
		default: *w++ = ch; break;
		}
	}
	c->w = w;
	return 0;
}

/* The slot's value as a number for an op-map rule (cached per record). */
static int
slot_num(struct conv *c, int i, const struct rec *r, uint64_t *v)
{
	struct slotval *s = &c->sv[i];
	struct span t;

	if (s->numgen != c->gen) {
		s->numgen = c->gen;
		s->numok = 0;
		if (s->kind == VK_NUM || s->kind == VK_STR) {
			if (slot_value(c, i, r, &t) != 0)
				return -1;
			s->numok = num_parse_addr(t, &s->num) == NUM_OK;
		}
	}
	*v = s->num;
	return s->numok;
}

/* Whether hay contains needle: short strings, so memchr on the first
 * byte and compare, instead of a general memmem. */
static int
contains(struct span hay, const char *needle, size_t n)
{
	const char *p = hay.p, *end = hay.p + hay.n;

	if (n == 0)
		return 1;
	while ((size_t)(end - p) >= n &&
	    (p = memchr(p, needle[0], (size_t)(end - p) - n + 1)) != NULL) {
		if (memcmp(p, needle, n) == 0)
			return 1;
		p++;
	}
	return 0;
}

/*
 * Which --op-contains rules of slot s match its value: computed once per
 * distinct value of up to CMEMO_LEN bytes and remembered in a small
 * direct-mapped table (a miss only costs the computation), so that the
 * usual trace, with a handful of function names, pays for the substring
 * searches once.
 */
static uint64_t
contains_mask(struct slotval *s, int slot, struct span v)
{
	struct cmemo *m = NULL;
	uint64_t mask = 0;
	size_t i;

	if (v.n > 0 && v.n <= CMEMO_LEN) {
		unsigned h = (unsigned)(v.n * 31 + (unsigned char)v.p[0] * 7 +
		    (unsigned char)v.p[v.n / 2] * 3 +
		    (unsigned char)v.p[v.n - 1]) % CMEMO_N;

		if (s->memo == NULL)
			s->memo = xcalloc(CMEMO_N, sizeof(*s->memo));
		m = &s->memo[h];
		if (m->len == v.n && memcmp(m->v, v.p, v.n) == 0)
			return m->mask;
	}
	for (i = 0; i < S.nrule; i++) {
		const struct oprule *ru = &S.rule[i];

		if (ru->kind == R_CONTAINS && ru->bit >= 0 &&
		    ru->slot == slot && contains(v, ru->value, ru->vlen))
			mask |= (uint64_t)1 << ru->bit;
	}
	if (m != NULL) {
		m->len = (uint8_t)v.n;
		memcpy(m->v, v.p, v.n);
		m->mask = mask;
	}
	return mask;
}

/*
 * Apply the op rules in order.  Returns 1 with *op set, 0 when the record
 * is dropped, -1 when it was reported bad.
 */
static int
derive_op(struct conv *c, const struct rec *r, struct span *op)
{
	for (size_t i = 0; i < S.nrule; i++) {
		const struct oprule *ru = &S.rule[i];
		struct slotval *s = ru->slot >= 0 ? &c->sv[ru->slot] : NULL;
		struct span v = { NULL, 0 };
		uint64_t num;
		int k;

		if (ru->kind == R_VALUE) {
			*op = span_make(ru->op, ru->oplen);
			return 1;
		}
		if (!present(c, ru->slot))
			continue;
		if (s->kind == VK_NESTED)
			return bad_record(c, r, "field %s: expected a scalar, "
			    "got an object or array", S.slot[ru->slot].name);
		switch (ru->kind) {
		case R_FIELD:
			if (slot_value(c, ru->slot, r, op) != 0)
				return -1;
			return 1;
		case R_MAP:
			if (ru->numeric) {
				if ((k = slot_num(c, ru->slot, r, &num)) < 0)
					return -1;
				if (k && num == ru->num)
					goto hit;
				break;
			}
			if (slot_value(c, ru->slot, r, &v) != 0)
				return -1;
			if (v.n == ru->vlen && memcmp(v.p, ru->value, v.n) == 0)
				goto hit;
			break;
		case R_CONTAINS:
			if (ru->bit >= 0 && s->maskgen == c->gen) {
				if (s->mask >> ru->bit & 1)
					goto hit;
				break;
			}
			if (slot_value(c, ru->slot, r, &v) != 0)
				return -1;
			if (ru->bit >= 0) {
				s->mask = contains_mask(s, ru->slot, v);
				s->maskgen = c->gen;
				if (s->mask >> ru->bit & 1)
					goto hit;
			} else if (contains(v, ru->value, ru->vlen))
				goto hit;
			break;
		default:
			break;
		}
		continue;
hit:
		*op = span_make(ru->op, ru->oplen);
		return 1;
	}
	if (op_optional) {
		*op = span_make("", 0);
		return 1;
	}
	if (S.unmatched == UNM_DROP) {
		c->n.dropped++;
		return 0;
	}
	return bad_record(c, r, "no op rule matches this record");
}

/*
 * A time: seconds with an optional fraction ("1700000000.123456", strace
 * -ttt), or a time of day H:M:S with an optional fraction ("10:20:30",
 * "10:20:30.123456", strace -t and -tt), as integer microseconds, the
 * fraction rounded down.
 */
static enum num_err
parse_time(struct span v, int64_t *out)
{
	uint64_t part[3], frac = 0, us;
	size_t i = 0, np = 0, b, fd = 0;
	enum num_err e;

	for (;;) {
		b = i;
		while (i < v.n && v.p[i] >= '0' && v.p[i] <= '9')
			i++;
		if ((e = num_parse_u64(span_make(v.p + b, i - b), &part[np])) !=
		    NUM_OK)
			return e;
		np++;
		if (i < v.n && v.p[i] == ':' && np < 3) {
			i++;
			continue;
		}
		break;
	}
	if (np == 2)
		return NUM_SYNTAX;
	if (i < v.n && v.p[i] == '.') {
		for (i++; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++)
			if (fd < 6) {
				frac = frac * 10 + (uint64_t)(v.p[i] - '0');
				fd++;
			}
		if (fd == 0)
			return NUM_SYNTAX;
		for (; fd < 6; fd++)
			frac *= 10;
	}
	if (i != v.n)
		return NUM_SYNTAX;
	if (np == 3) {
		if (part[1] > 59 || part[2] > 60)
			return NUM_SYNTAX;
		if (part[0] > 1000000)
			return NUM_RANGE;
		part[0] = part[0] * 3600 + part[1] * 60 + part[2];
	}
	if (part[0] > (uint64_t)INT64_MAX / 1000000 - 1)
		return NUM_RANGE;
	us = part[0] * 1000000 + frac;
	*out = (int64_t)us;
	return NUM_OK;
}

/* A JSON number or decimal text that is already a canonical integer. */
static int
canonical_int(struct span v)
{
	size_t i = v.n > 0 && v.p[0] == '-';

	if (i == v.n || (v.p[i] == '0' && (v.n - i > 1 || i == 1)))
		return 0;
	return 1;
}

static int
put_number(struct conv *cv, const struct rec *r, const struct column *c)
{
	struct slotval *s = &cv->sv[c->slot];
	const char *name = S.slot[c->slot].name;
	struct span v;
	enum num_err e;
	uint64_t u;
	int64_t i;

	if (s->kind == VK_BOOL || s->kind == VK_NESTED)
		return bad_record(cv, r, "field %s: expected a number, got %s",
		    name, s->kind == VK_BOOL ? "a boolean" :
		    "an object or array");
	if (slot_value(cv, c->slot, r, &v) != 0)
		return -1;
	switch (c->type) {
	case CT_ADDR:
		e = num_parse_addr(v, &u);
		break;
	case CT_HEX:
		if (v.n >= 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X'))
			v = span_make(v.p + 2, v.n - 2);
		e = num_parse_hex(v, &u);
		break;
	case CT_TIME:
		e = parse_time(v, &i);
		break;
	default:
		e = num_parse_int(v, &i);
		break;
	}
	if (e != NUM_OK)
		return bad_record(cv, r, "field %s: %s: '%.*s'", name,
		    num_strerror(e), (int)(v.n > 40 ? 40 : v.n), v.p);
	if (c->type == CT_TIME)
		cv->w += num_fmt_i64(cv->w, i);
	else if (c->type != CT_INT)
		cv->w += num_fmt_addr(cv->w, u);
	else if (!(v.n >= 2 && (v.p[1] == 'x' || v.p[1] == 'X')) &&
	    canonical_int(v)) {
		memcpy(cv->w, v.p, v.n);	/* already canonical: copy */
		cv->w += v.n;
	} else
		cv->w += num_fmt_i64(cv->w, i);
	return 0;
}

int
emit_record(struct conv *cv, const struct rec *r)
{
	struct span op = { NULL, 0 };
	size_t i, n, bound;
	char *start;
	int k;

	if (S.nrule > 0 && (k = derive_op(cv, r, &op)) <= 0)
		return k;
	bound = 8;
	for (i = 0; i < S.ncol; i++) {
		const struct column *c = &S.col[i];

		if (c->isop)
			bound += 2 * op.n + 1;
		else if (c->isfile)
			bound += 2 * cv->filelen + 1;
		else if (c->type != CT_STR)
			bound += NUM_ADDR_MAX + NUM_INT_MAX + 1;
		else
			bound += 2 * cv->sv[c->slot].raw.n + 1;
	}
	/* Build the row in place at the end of its destination, so that it
	 * is not copied once more; a row that may be large (its bound over
	 * a quarter of the output buffer) goes through the row buffer, so
	 * that a drain never leaves much of the buffer unused. */
	if (cv->out != NULL)
		start = sb_reserve(cv->out, bound);
	else if (bound <= ROW_IN_PLACE_MAX)
		start = ob_reserve(cv->ob, bound);
	else
		start = sb_reserve(&cv->row, bound);
	cv->w = start;
	for (i = 0; i < S.ncol; i++) {
		const struct column *c = &S.col[i];
		struct span v = { NULL, 0 };

		if (i > 0)
			*cv->w++ = '\t';
		if (c->isop) {
			if (put_str(cv, r, "", "op", op) != 0)
				return -1;
			continue;
		}
		if (c->isfile) {
			if (put_str(cv, r, "", "file name", span_make(r->file,
			    cv->filelen)) != 0)
				return -1;
			continue;
		}
		if (!present(cv, c->slot)) {
			const struct slotval *s = &cv->sv[c->slot];

			if (s->setgen == cv->gen && s->kind == VK_STR &&
			    c->type != CT_STR && s->raw.n == 0 && !c->optional)
				return bad_record(cv, r, "field %s: empty value",
				    S.slot[c->slot].name);
			if (!c->optional)
				return bad_record(cv, r, "missing field '%s'",
				    S.slot[c->slot].name);
			continue;
		}
		if (c->type != CT_STR) {
			if (put_number(cv, r, c) != 0)
				return -1;
			continue;
		}
		if (cv->sv[c->slot].kind == VK_NESTED)
			return bad_record(cv, r, "field %s: expected a scalar, "
			    "got an object or array", S.slot[c->slot].name);
		if (slot_value(cv, c->slot, r, &v) != 0 ||
		    put_str(cv, r, "field ", S.slot[c->slot].name, v) != 0)
			return -1;
	}
	*cv->w++ = '\n';
	n = (size_t)(cv->w - start);
	if (cv->out != NULL) {
		cv->out->len += n;
		cv->out->p[cv->out->len] = '\0';	/* as every sb_ call */
	}
	else if (start == cv->row.p)
		ob_write(cv->ob, start, n);
	else
		ob_commit(cv->ob, n);
	cv->n.written++;
	return 0;
}

static void
write_header(struct ob *o)
{
	for (size_t i = 0; i < S.ncol; i++) {
		if (i > 0)
			ob_putc(o, '\t');
		tsv_put(o, S.col[i].name, strlen(S.col[i].name));
	}
	ob_putc(o, '\n');
	ob_flush(o);
}

static enum format
detect(struct span l)
{
	size_t i = 0;

	while (i < l.n && (l.p[i] == ' ' || l.p[i] == '\t'))
		i++;
	if (i < l.n && l.p[i] == '{')
		return FMT_JSONL;
	if (memchr(l.p, '\t', l.n) != NULL)
		return FMT_TSV;
	return FMT_CSV;
}

static void
convert(struct conv *c, struct rd *in, const char *file)
{
	struct span line;
	enum format f;

	conv_file(c, file, rd_name(in));
	/* The first non-blank line decides the format and may be a header. */
	for (;;) {
		if (!rd_line(in, &line))
			return;
		if (!blank_line(line))
			break;
		c->n.blank++;
	}
	f = S.format != FMT_AUTO ? S.format : detect(line);
	switch (f) {
	case FMT_CSV:
	case FMT_AUTO:
		read_csv(c, in, line);
		break;
	case FMT_TSV:
		tsv_begin(in, line);
		if (rd_line(in, &line))
			run_lines(c, in, line, f);
		tsv_end();
		break;
	default:
		run_lines(c, in, line, f);
		break;
	}
}

int
main(int argc, char *argv[])
{
	struct ob *o;
	struct rd **in;
	struct conv *c;
	char **names;
	char *dash[] = { "-" };
	int first, n, i;

	msg_init(argv[0]);
	first = schema_args(argc, argv);
	schema_finish();
	n = argc - first;
	names = n > 0 ? argv + first : dash;
	o = S.check ? NULL : S.output != NULL ? ob_create(S.output) :
	    ob_stdout();
	in = rd_open_all(argv + first, n, &n);
	if (S.check)
		return check_stream(in, n);
	for (i = 0; i < (int)S.ncol; i++)
		if (S.col[i].isop && S.col[i].optional)
			op_optional = 1;
	if (S.badlines != NULL) {
		badout = ob_create(S.badlines);
		ob_puts(badout, "file\tline\treason\trecord\n");
	}
	slots_ready();
	c = conv_new();
	c->ob = o;
	write_header(o);
	progress_start(in, n, S.progress);
	for (i = 0; i < n; i++) {
		progress_file(i);
		convert(c, in[i], names[i]);
		progress_done(i);
		rd_close(in[i]);
	}
	progress_stop();
	pool_stop();
	ob_close(o);
	if (badout != NULL)
		ob_close(badout);
	if (c->n.skipped > 0)
		msg_warnx("skipped %llu of %llu records (first: %s)",
		    (unsigned long long)c->n.skipped,
		    (unsigned long long)c->n.records, firstbad);
	if (!S.quiet && c->n.dropped > 0)
		msg_warnx("dropped %llu of %llu records that match no op rule",
		    (unsigned long long)c->n.dropped,
		    (unsigned long long)c->n.records);
	if (!S.quiet && c->n.nomatch > 0)
		msg_warnx("skipped %llu line%s that match%s no pattern",
		    (unsigned long long)c->n.nomatch,
		    c->n.nomatch == 1 ? "" : "s", c->n.nomatch == 1 ? "es" : "");
	if (!S.quiet && c->n.blank > 0)
		msg_warnx("ignored %llu blank line%s",
		    (unsigned long long)c->n.blank, c->n.blank == 1 ? "" : "s");
	conv_free(c);
	free(in);
	return 0;
}
