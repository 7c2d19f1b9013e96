/*
 * json-parsers - parsing throughput of C JSON libraries on JSON Lines,
 * one object per line, each line parsed on its own (as trace-normalize
 * reads a trace).  Built and run by bench/run.sh; see docs/PERFORMANCE.md,
 * "Choosing the JSON parser".
 *
 *   json-parsers [-r RUNS] FILE
 *
 * Reads FILE into memory, then, for each parser compiled in (HAVE_JSMN,
 * HAVE_YAJL, HAVE_JSONC, HAVE_JANSSON, HAVE_CJSON, HAVE_PROJECT), parses
 * every line RUNS times (default 3) and keeps the best time.  Prints one
 * tab-separated line per parser:
 *
 *   name  bytes  best-seconds  lines  rejected-lines  note
 *
 * bytes is FILE's size (newlines included), so bytes / seconds is the
 * same MB/s as the other stages of the benchmark.  A parser that
 * rejects a line of valid input is a bug in the benchmark: the line count
 * is there to be checked.
 *
 * Each line is handed over as pointer and length, without its newline.
 * The newline is replaced by a NUL beforehand (not timed), because
 * yajl_tree_parse wants a C string; the others get the length.  Parsers
 * that build a tree free it after each line; per-line handles (yajl)
 * are allocated and freed per line, reusable ones (json-c's tokener,
 * jsmn's token array, the project's json_line) are reused.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parsers.h"

uint64_t jp_sink;

/* In the order printed; each library in its own p-*.c. */
static const struct parser *const lists[] = {
#ifdef HAVE_JSMN
	jp_jsmn_plain, jp_jsmn_strict,
#endif
#ifdef HAVE_YAJL
	jp_yajl,
#endif
#ifdef HAVE_JSONC
	jp_jsonc,
#endif
#ifdef HAVE_JANSSON
	jp_jansson,
#endif
#ifdef HAVE_CJSON
	jp_cjson,
#endif
#ifdef HAVE_PROJECT
	jp_project,
#endif
	NULL
};

/* ------------------------------------------------------------------ */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - n < (1 << 20)) {
			cap = cap ? cap * 2 : (8 << 20);
			if ((buf = realloc(buf, cap + 1)) == NULL) {
				fclose(f);
				return NULL;
			}
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	size_t len, nlines = 0, i, *off, *lens;
	char *buf, *p, *e;
	int runs = 3, c;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		switch (c) {
		case 'r':
			runs = atoi(optarg);
			if (runs < 1) {
				fprintf(stderr, "json-parsers: -r wants a positive integer\n");
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: json-parsers [-r RUNS] FILE\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: json-parsers [-r RUNS] FILE\n");
		return 2;
	}
	if ((buf = slurp(argv[optind], &len)) == NULL) {
		fprintf(stderr, "json-parsers: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	for (p = buf; p < buf + len; p++)
		nlines += *p == '\n';
	nlines++;
	off = malloc(nlines * sizeof(*off));
	lens = malloc(nlines * sizeof(*lens));
	if (off == NULL || lens == NULL) {
		fprintf(stderr, "json-parsers: out of memory\n");
		return 1;
	}
	nlines = 0;
	for (p = buf; p < buf + len; p = e + 1) {
		if ((e = memchr(p, '\n', buf + len - p)) == NULL)
			e = buf + len;
		*e = '\0';
		if (e > p) {
			off[nlines] = p - buf;
			lens[nlines++] = e - p;
		}
	}

	for (size_t k = 0; lists[k] != NULL; k++) {
		for (const struct parser *ps = lists[k]; ps->name != NULL; ps++) {
			double best = -1, t0, t;
			size_t rejected = 0;

			for (int r = 0; r < runs; r++) {
				rejected = 0;
				t0 = now();
				for (i = 0; i < nlines; i++)
					rejected += ps->parse(buf + off[i], lens[i]) != 0;
				t = now() - t0;
				if (best < 0 || t < best)
					best = t;
			}
			printf("%s\t%zu\t%.6f\t%zu\t%zu\t%s\n", ps->name, len,
			    best, nlines, rejected, ps->note);
			fflush(stdout);
		}
	}
	fprintf(stderr, "json-parsers: checksum %llu\n", (unsigned long long)jp_sink);
	return 0;
}
