/*
 * check.c - trace-normalize --check: validate an event stream.
 *
 * Reads event TSV (the output of trace-normalize or of a custom
 * normalizer) and reports every violation of trace-format(5) as
 * "FILE:LINE: reason" on stderr.  Exit 0 when the stream is valid, 1 when
 * it is not, 2 on trouble.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "json.h"
#include "num.h"
#include "rd.h"
#include "tsv.h"
#include "normalize.h"

int	check_stream(struct rd **in, char **names, int n);

static uint64_t nviol;

static void
viol(const char *file, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
viol(const char *file, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	nviol++;
	fprintf(stderr, "%s: %s:%llu: ", err_prog(), file,
	    (unsigned long long)line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

enum ckind { K_ANY, K_ADDR, K_INT };

static const char *const canon[] = { "op", "lr", "handle", "tid", "ts" };

/* Check a header; returns the kind of each column in kind[]. */
static int
check_header(const char *file, struct span line, enum ckind *kind,
    size_t *ncol)
{
	struct span f[1024];
	size_t n, i, j;
	int lastcanon = -1, extra = 0, ok = 1;

	n = tsv_split(line, f, 1024);
	*ncol = n;
	if (n > 1024) {
		viol(file, 1, "more than 1024 columns");
		return 0;
	}
	for (i = 0; i < n; i++) {
		int c = -1;

		kind[i] = K_ANY;
		if (f[i].n == 0) {
			viol(file, 1, "empty column name (column %zu)", i + 1);
			ok = 0;
			continue;
		}
		for (j = 0; j < i; j++)
			if (span_eq(f[i], f[j])) {
				viol(file, 1, "duplicate column name '%.*s'",
				    (int)f[i].n, f[i].p);
				ok = 0;
			}
		for (j = 0; j < 5; j++)
			if (span_eqs(f[i], canon[j]))
				c = (int)j;
		if (c < 0) {
			extra = 1;
			continue;
		}
		if (c == 1 || c == 2)
			kind[i] = K_ADDR;
		else if (c == 3 || c == 4)
			kind[i] = K_INT;
		if (extra || c < lastcanon) {
			viol(file, 1, "column '%s' out of order (the canonical "
			    "columns op, lr, handle, tid, ts come first, in "
			    "that order)", canon[c]);
			ok = 0;
		}
		lastcanon = c;
	}
	*ncol = n;
	return ok;
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
		viol(file, line, "column %.*s: NUL byte", (int)name.n, name.p);
		return;
	}
	if (memchr(v.p, '\r', v.n) != NULL) {
		viol(file, line, "column %.*s: unescaped carriage return",
		    (int)name.n, name.p);
		return;
	}
	if ((bad = utf8_check(v.p, v.n)) >= 0) {
		viol(file, line, "column %.*s: invalid UTF-8 at byte %ld",
		    (int)name.n, name.p, bad + 1);
		return;
	}
	if (tsv_unescape(v, &sb) != 0) {
		viol(file, line, "column %.*s: bad escape sequence in '%.*s'",
		    (int)name.n, name.p, (int)v.n, v.p);
		return;
	}
	switch (k) {
	case K_ADDR:
		e = num_parse_addr(v, &u);
		if (e != NUM_OK || num_fmt_addr(b, u) != v.n ||
		    memcmp(b, v.p, v.n) != 0) {
			if (e == NUM_OK)
				viol(file, line, "column %.*s: '%.*s' is not a "
				    "canonical address (expected %.*s)",
				    (int)name.n, name.p, (int)v.n, v.p,
				    (int)num_fmt_addr(b, u), b);
			else
				viol(file, line, "column %.*s: '%.*s' is not a "
				    "canonical address (%s)", (int)name.n,
				    name.p, (int)v.n, v.p, num_strerror(e));
		}
		break;
	case K_INT:
		e = num_parse_i64(v, &i);
		if (e != NUM_OK || num_fmt_i64(b, i) != v.n ||
		    memcmp(b, v.p, v.n) != 0)
			viol(file, line, "column %.*s: '%.*s' is not a "
			    "canonical decimal integer", (int)name.n, name.p,
			    (int)v.n, v.p);
		break;
	default:
		break;
	}
}

int
check_stream(struct rd **in, char **names, int n)
{
	enum ckind kind[1024];
	struct span *f = xreallocarray(NULL, 1025, sizeof(*f));
	struct span hdr[1024];
	struct span line;
	uint64_t rows = 0;
	size_t ncol, k, i;
	int j;

	(void)names;
	for (j = 0; j < n; j++) {
		const char *file = rd_name(in[j]);

		if (!rd_line(in[j], &line)) {
			viol(file, 1, "empty input: no header line");
			continue;
		}
		if (!check_header(file, line, kind, &ncol) && ncol > 1024) {
			rd_close(in[j]);
			continue;
		}
		tsv_split(line, hdr, 1024);
		while (rd_line(in[j], &line)) {
			uint64_t ln = rd_lineno(in[j]);

			rows++;
			k = tsv_split(line, f, ncol + 1);
			if (k != ncol) {
				viol(file, ln, "expected %zu fields, got %zu",
				    ncol, k);
				continue;
			}
			for (i = 0; i < k; i++)
				check_field(file, ln, hdr[i], f[i], kind[i]);
		}
		rd_close(in[j]);
	}
	free(f);
	if (nviol > 0) {
		warnx("%llu violation%s in %llu row%s",
		    (unsigned long long)nviol, nviol == 1 ? "" : "s",
		    (unsigned long long)rows, rows == 1 ? "" : "s");
		return EXIT_ANSWER_NO;
	}
	return 0;
}
