/*
 * trace-normalize - convert trace records of any schema to the event
 * format of trace-format(5).
 *
 * main() opens every input and the output before writing a byte, writes
 * the header, then hands each input to the reader of its format; each
 * record's slots are converted by emit_record() (row.c) in a converter
 * (struct conv), the main thread's or, for line formats with --threads,
 * a worker's (pool.c).  This file holds the converters' life, the
 * reporting of malformed records, format detection and main().
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "json.h"
#include "ob.h"
#include "progress.h"
#include "rd.h"
#include "tsv.h"
#include "normalize.h"

static struct ob *badout;	/* --bad-lines side file */
static char	*firstbad;	/* "FILE:LINE: reason" of the first skip */

struct conv *
conv_new(void)
{
	struct conv *c = xcalloc(1, sizeof(*c));

	c->sv = xcalloc(S.nslot ? S.nslot : 1, sizeof(*c->sv));
	c->jl = xcalloc(1, sizeof(struct json_line));
	c->jto = json_to_new(c->sv, S.nslot);
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
	where_conv_free(c);
	json_line_free(c->jl);
	free(c->jl);
	free(c->jto);
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
		firstbad = xasprintf("%s:%llu: %s", msgname,
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
	char *msg;
	va_list ap;
	struct badrec *b;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (!c->deferred) {
		report_bad(c, r->file, r->msgname, r->line, msg, r->text.p,
		    r->text.n);
		free(msg);
		return -1;
	}
	if (c->nbad == c->capbad) {
		c->capbad = c->capbad ? c->capbad * 2 : 8;
		c->bads = xreallocarray(c->bads, c->capbad, sizeof(*c->bads));
	}
	b = &c->bads[c->nbad++];
	b->line = r->line;
	b->msg = msg;
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
	m->n.wdropped += n->wdropped;
	/* n->skipped stays 0: a worker keeps its malformed records, and
	 * report_bad() counts them below as they are reported. */
	for (i = 0; i < nbad; i++) {
		report_bad(m, file, msgname, bads[i].line, bads[i].msg,
		    bads[i].text, bads[i].textlen);
		free(bads[i].msg);
		free(bads[i].text);
	}
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

/*
 * One JSON document is not JSON Lines: a first line that opens an array,
 * or opens an object it does not close, is an error that says so rather
 * than a bad CSV header or a truncated record.
 */
static void
not_a_document(struct rd *in, struct span l)
{
	size_t i = 0, n = l.n;

	while (i < n && (l.p[i] == ' ' || l.p[i] == '\t'))
		i++;
	while (n > i && (l.p[n - 1] == ' ' || l.p[n - 1] == '\t' ||
	    l.p[n - 1] == '\r'))
		n--;
	if (i < n && l.p[i] == '[') {
		size_t j = i + 1;

		while (j < n && (l.p[j] == ' ' || l.p[j] == '\t'))
			j++;
		if (j == n || l.p[j] == '{' || l.p[j] == '[')
			die_at(rd_name(in), rd_lineno(in), "a JSON document "
			    "(a top-level array), not JSON Lines: write one "
			    "object per line, as jq -c '.[]' does");
	}
	if (i < n && l.p[i] == '{' && l.p[n - 1] != '}')
		die_at(rd_name(in), rd_lineno(in), "a JSON object spanning "
		    "lines, not JSON Lines: write one object per line, as "
		    "jq -c does");
}

/* What starts an input, after its blank lines (first_line). */
enum start {
	ST_UNKNOWN,	/* not looked at yet */
	ST_EMPTY,	/* nothing but blank lines */
	ST_CHROME,	/* Chrome trace events, not consumed */
	ST_LINE		/* another format, its first line read */
};

/*
 * Skip and count the blank lines at the start of in, then say what
 * follows.  Chrome trace events are recognized from the first part of
 * the line, which is not read whole: a trace on one line may be larger
 * than memory.  Any other format's first line is read into *line.
 */
static enum start
first_line(struct rd *in, struct span *line, uint64_t *blank)
{
	struct span ahead, l;
	const char *nl;
	int whole;

	for (;;) {
		if ((whole = rd_peek(in, &ahead)) == 0)
			return ST_EMPTY;
		nl = memchr(ahead.p, '\n', ahead.n);
		l = span_make(ahead.p, nl != NULL ? (size_t)(nl - ahead.p) :
		    ahead.n);
		if (blank_line(l)) {
			/* Blanks past the look-ahead (whole 1): Chrome's walk
			 * skips them and says what follows; other formats
			 * read the line whole, as always. */
			if (whole == 1 && (S.format == FMT_CHROME ||
			    S.format == FMT_AUTO))
				return ST_CHROME;
			rd_line(in, line);
			if (whole == 1 && !blank_line(*line))
				return ST_LINE;
			(*blank)++;
			continue;
		}
		if (S.format == FMT_CHROME ||
		    (S.format == FMT_AUTO && chrome_first_line(l)))
			return ST_CHROME;
		rd_line(in, line);
		return ST_LINE;
	}
}

/*
 * Convert one input.  st is what first_line() found when it was called
 * already (the first input, to choose the columns), line the line it
 * read.
 */
static void
convert(struct conv *c, struct rd *in, const char *file, enum start st,
    struct span line)
{
	enum format f;

	conv_file(c, file, rd_name(in));
	/* The first non-blank line decides the format and may be a header. */
	if (st == ST_UNKNOWN)
		st = first_line(in, &line, &c->n.blank);
	if (st == ST_EMPTY)
		return;
	if (st == ST_CHROME) {
		read_chrome(c, in);
		return;
	}
	f = S.format != FMT_AUTO ? S.format : detect(line);
	if (S.threadnames)
		die_at(rd_name(in), rd_lineno(in), "--thread-names reads Chrome "
		    "trace events, and this input is not one");
	if (f == FMT_JSONL || (S.format == FMT_AUTO && f == FMT_CSV))
		not_a_document(in, line);
	/* Old Mac files end lines in CR alone: the whole file would be
	 * one header line. */
	if ((f == FMT_CSV || f == FMT_TSV || f == FMT_AUTO) &&
	    memchr(line.p, '\r', line.n) != NULL)
		die_at(rd_name(in), rd_lineno(in), "header line holds a "
		    "carriage return not followed by a newline: lines end in "
		    "CR alone (old Mac line ends)? convert with tr '\\r' "
		    "'\\n'");
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
	struct span line = { NULL, 0 };
	char **names;
	char *dash[] = { "-" };
	int first, n, i;
	enum start st = ST_UNKNOWN;
	uint64_t blank = 0;

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
	if (S.badlines != NULL) {
		/* Bad lines written over an input would replace the trace. */
		struct stat b, a;

		if (stat(S.badlines, &b) == 0 && S_ISREG(b.st_mode))
			for (int j = 0; j < n; j++)
				if (strcmp(names[j], "-") != 0 &&
				    stat(names[j], &a) == 0 &&
				    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
					die_usage("--bad-lines %s: the same file "
					    "as the input %s", S.badlines,
					    names[j]);
		badout = ob_create(S.badlines);
		ob_puts(badout, "file\tline\treason\trecord\n");
	}
	if (!S.columnsdone) {
		/* The format is auto: the first input's first non-blank line
		 * says whether the columns are those of Chrome trace events. */
		if (n > 0)
			st = first_line(in[0], &line, &blank);
		schema_columns(st == ST_CHROME);
	}
	oprules_ready();
	rows_ready();
	slots_ready();
	c = conv_new();
	c->ob = o;
	c->n.blank = blank;
	write_header(o);
	progress_start(in, n, S.progress);
	for (i = 0; i < n; i++) {
		progress_file(i);
		convert(c, in[i], names[i], i == 0 ? st : ST_UNKNOWN, line);
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
	if (!S.quiet && c->n.wdropped > 0)
		msg_warnx("dropped %llu of %llu records by --where",
		    (unsigned long long)c->n.wdropped,
		    (unsigned long long)c->n.records);
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
	free(firstbad);
	free(in);
	return 0;
}

