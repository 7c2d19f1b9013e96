/*
 * check.c - trace-normalize --check: validate an event stream.
 *
 * Reads event TSV (the output of trace-normalize or of a custom
 * normalizer) exactly as it is (no byte order mark or carriage return
 * is silently dropped) and reports every violation of trace-format(5) as
 * "FILE:LINE: reason" on stderr.  Exit 0 when the stream is valid, 1 when
 * it is not, 2 on trouble.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "htab.h"
#include "json.h"
#include "num.h"
#include "rd.h"
#include "tsv.h"
#include "normalize.h"

static uint64_t nviol;

static void
viol(const char *file, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
viol(const char *file, uint64_t line, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	nviol++;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	msg_warnx("%s:%llu: %s", file, (unsigned long long)line, msg);
	free(msg);
}

enum ckind { K_ANY, K_ADDR, K_INT, K_TID };

/* Check a header line; set the kind of each column.  Returns 0 when the
 * header is too broken to check rows against. */
static int
check_header(const char *file, struct span line, struct span *col,
    enum ckind *kind, size_t ncol)
{
	struct htab *seen = ht_new();
	size_t i, j;
	int lastcanon = -1, extra = 0, isnew;

	tsv_split(line, col, ncol);
	for (i = 0; i < ncol; i++) {
		int c = -1;

		kind[i] = K_ANY;
		if (col[i].n == 0) {
			viol(file, 1, "empty column name (column %zu)", i + 1);
			continue;
		}
		for (j = 0; j < col[i].n; j++)
			if ((unsigned char)col[i].p[j] < 0x20 ||
			    col[i].p[j] == 0x7f || col[i].p[j] == '\\')
				break;
		if (j < col[i].n)
			viol(file, 1, "bad column name '%s' (column %zu): a "
			    "control byte or backslash", msg_vis(col[i].p,
			    col[i].n), i + 1);
		ht_intern(seen, col[i].p, col[i].n, &isnew);
		if (!isnew)
			viol(file, 1, "duplicate column name '%s'",
			    msg_vis(col[i].p, col[i].n));
		for (j = 0; j < NCANON; j++)
			if (span_eqs(col[i], canon_names[j]))
				c = (int)j;
		if (c < 0) {
			extra = 1;
			continue;
		}
		if (c == 1 || c == 2)
			kind[i] = K_ADDR;
		else if (c == 3)
			kind[i] = K_TID;
		else if (c == 4)
			kind[i] = K_INT;
		if (extra || c < lastcanon)
			viol(file, 1, "column '%s' out of order (the canonical "
			    "columns op, lr, handle, tid, ts come first, in "
			    "that order)", canon_names[c]);
		lastcanon = c;
	}
	ht_free(seen);
	/* Without an event-format column the first line is no header: a
	 * stream without one, or not a trace at all. */
	if (lastcanon < 0) {
		viol(file, 1, "no header line: the first line names none of "
		    "the columns op, lr, handle, tid, ts");
		return 0;
	}
	return 1;
}

static void
check_field(const char *file, uint64_t line, struct span name, struct span v,
    enum ckind k)
{
	char b[NUM_ADDR_MAX > NUM_INT_MAX ? NUM_ADDR_MAX : NUM_INT_MAX];
	static struct sbuf sb;
	uint64_t u;
	int64_t i;
	enum num_err e;
	long bad;

	if (v.n == 0)
		return;
	if (memchr(v.p, '\0', v.n) != NULL) {
		viol(file, line, "column %s: NUL byte", msg_vis(name.p, name.n));
		return;
	}
	if (memchr(v.p, '\r', v.n) != NULL) {
		viol(file, line, "column %s: unescaped carriage return",
		    msg_vis(name.p, name.n));
		return;
	}
	if ((bad = utf8_check(v.p, v.n)) >= 0) {
		viol(file, line, "column %s: invalid UTF-8 at byte %ld",
		    msg_vis(name.p, name.n), bad + 1);
		return;
	}
	if (tsv_unescape(v, &sb) != 0) {
		viol(file, line, "column %s: bad escape sequence in '%s'",
		    msg_vis(name.p, name.n), msg_vis(v.p, v.n));
		return;
	}
	if (k == K_TID) {
		/* a name, or an integer: [-+]?[0-9]+ must be canonical */
		size_t j = v.p[0] == '-' || v.p[0] == '+';

		for (j = 0; j + 1 < v.n; j++)
			if (v.p[j] == '\\' && (v.p[++j] == 't' ||
			    v.p[j] == 'n')) {
				viol(file, line, "column %s: '%s': a tid holds "
				    "no tab or newline", msg_vis(name.p, name.n),
				    msg_vis(v.p, v.n));
				return;
			}
		j = v.p[0] == '-' || v.p[0] == '+';
		while (j < v.n && v.p[j] >= '0' && v.p[j] <= '9')
			j++;
		if (j < v.n || (j == 1 && v.n == 1))
			return;		/* a name */
		k = K_INT;
	}
	switch (k) {
	case K_ADDR:
		e = num_parse_addr_strict(v, &u);
		if (e == NUM_OK && (num_fmt_addr(b, u) != v.n ||
		    memcmp(b, v.p, v.n) != 0))
			viol(file, line, "column %s: '%s' is not a canonical "
			    "address (expected %.*s)", msg_vis(name.p, name.n),
			    msg_vis(v.p, v.n), (int)num_fmt_addr(b, u), b);
		else if (e != NUM_OK)
			viol(file, line, "column %s: '%s' is not a canonical "
			    "address (%s)", msg_vis(name.p, name.n), msg_vis(v.p, v.n),
			    num_strerror(e));
		break;
	case K_INT:
		e = num_parse_i64(v, &i);
		if (e != NUM_OK || num_fmt_i64(b, i) != v.n ||
		    memcmp(b, v.p, v.n) != 0)
			viol(file, line, "column %s: '%s' is not a "
			    "canonical decimal integer", msg_vis(name.p, name.n),
			    msg_vis(v.p, v.n));
		break;
	default:
		break;
	}
}

/* Line-level checks of the raw line: CRLF, and the BOM on line 1. */
static struct span
check_line(const char *file, uint64_t ln, struct span line)
{
	if (ln == 1 && line.n >= 3 && memcmp(line.p, "\xef\xbb\xbf", 3) == 0) {
		viol(file, ln, "byte order mark at the start of the input");
		line.p += 3;
		line.n -= 3;
	}
	if (line.n > 1 && memchr(line.p, '\r', line.n - 1) != NULL)
		viol(file, ln, "carriage return not followed by a newline: "
		    "lines end in CR alone (old Mac line ends)? trace-format(5) "
		    "lines end in LF");
	else if (line.n > 0 && line.p[line.n - 1] == '\r') {
		viol(file, ln, "line ends in CR LF (trace-format(5) lines end "
		    "in LF)");
		line.n--;
	}
	return line;
}

int
check_stream(struct rd **in, int n)
{
	struct tsv_hdr h;
	struct span line, *f = NULL, *col = NULL;
	enum ckind *kind = NULL;
	uint64_t rows = 0, ln = 0;
	size_t ncol, k, i;
	int j;

	for (j = 0; j < n; j++) {
		const char *file = rd_name(in[j]);

		rd_raw(in[j]);
		if (!rd_line(in[j], &line)) {
			viol(file, 1, "empty input: no header line");
			continue;
		}
		line = check_line(file, 1, line);
		/* The header is copied: the reader's buffer moves on. */
		memset(&h, 0, sizeof(h));
		h.line = xmemdup(line.p, line.n);
		h.len = line.n;
		ncol = tsv_split(span_make(h.line, h.len), NULL, 0);
		col = xreallocarray(col, ncol, sizeof(*col));
		kind = xreallocarray(kind, ncol, sizeof(*kind));
		f = xreallocarray(f, ncol + 1, sizeof(*f));
		if (!check_header(file, span_make(h.line, h.len), col, kind,
		    ncol)) {
			/* no header to check the rows against */
			free(h.line);
			rd_close(in[j]);
			continue;
		}
		while (rd_line(in[j], &line)) {
			ln = rd_lineno(in[j]);
			line = check_line(file, ln, line);
			rows++;
			k = tsv_split(line, f, ncol + 1);
			if (k != ncol) {
				viol(file, ln, "expected %zu fields, got %zu",
				    ncol, k);
				continue;
			}
			for (i = 0; i < k; i++)
				check_field(file, ln, col[i], f[i], kind[i]);
		}
		if (!rd_had_newline(in[j]) && rd_lineno(in[j]) > 0)
			viol(file, rd_lineno(in[j]), "no newline at the end of "
			    "the last line");
		free(h.line);
		rd_close(in[j]);
	}
	free(f);
	free(col);
	free(kind);
	if (nviol > 0) {
		msg_warnx("%llu violation%s in %llu row%s",
		    (unsigned long long)nviol, nviol == 1 ? "" : "s",
		    (unsigned long long)rows, rows == 1 ? "" : "s");
		return EXIT_ANSWER_NO;
	}
	return 0;
}
