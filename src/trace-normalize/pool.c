/*
 * pool.c - the lines of one input converted on several threads.
 *
 * For line formats (JSON Lines, TSV rows, --regex lines) each line is a
 * record on its own, so the main thread cuts the input into chunks of
 * whole lines (about 256 KiB, copied out of the reader's buffer) and
 * workers, each with its own converter, turn chunks into rows.  Chunks
 * are written back in input order by the main thread ("retired"): the
 * rows, the counters, and the malformed records, which the workers only
 * keep, so that messages, the --bad-lines file and the point where a
 * strict run stops are exactly those of a run on one thread.  A ring of
 * 2N+1 chunks bounds the memory.  An input shorter than one chunk is
 * converted by the main thread alone.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "rd.h"
#include "normalize.h"

#define CHUNK_BYTES	(1u << 18)
#define MAX_THREADS	8
/* A new chunk's buffer: the last line crosses CHUNK_BYTES, so room for
 * one line more than that saves a regrow; its lines, ~128 bytes each. */
#define CHUNK_SLACK	4096
#define CHUNK_LINES	2048

struct lineref {
	size_t		 off, len;
	uint64_t	 lineno;
};

enum cstate { C_FREE, C_QUEUED, C_TAKEN, C_DONE };

struct chunk {
	enum cstate	 state;
	char		*data;
	size_t		 len, cap;
	struct lineref	*lines;
	size_t		 nlines, caplines;
	enum format	 fmt;
	const char	*file, *msgname;
	struct sbuf	 out;		/* rows */
	struct counts	 n;		/* what the rows took */
	struct badrec	*bads;
	size_t		 nbad;
};

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 work = PTHREAD_COND_INITIALIZER;	/* for workers */
static pthread_cond_t	 done = PTHREAD_COND_INITIALIZER;	/* for main */
static pthread_t	*thr;
static int		 nthr;		/* workers started */
static int		 quit;
static struct chunk	*ring;
static size_t		 nring;
static uint64_t		 submitted;	/* chunks handed to workers */
static uint64_t		 taken;		/* chunks workers have begun */
static uint64_t		 retired;	/* chunks written back */
static size_t		 chunkbytes = CHUNK_BYTES;

/* Converters wanted: --threads, else the online CPUs (at most 8). */
static int
want_threads(void)
{
	long n;
	const char *e;

	if (S.threads > 0)
		return S.threads;
	if ((e = getenv("TRACE_TOOLS_THREADS")) != NULL && atoi(e) > 0)
		return atoi(e) < MAX_THREADS ? atoi(e) : MAX_THREADS;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

static void
convert_line(struct conv *c, enum format fmt, struct span line,
    uint64_t lineno)
{
	switch (fmt) {
	case FMT_JSONL:
		conv_jsonl(c, line, lineno);
		break;
	case FMT_TSV:
		conv_tsv(c, line, lineno);
		break;
	default:
		conv_regex(c, line, lineno);
		break;
	}
}

/* Convert one chunk with a worker's converter, keeping all it made. */
static void
work_chunk(struct conv *c, struct chunk *k)
{
	size_t i;

	conv_file(c, k->file, k->msgname);
	c->out = &k->out;
	for (i = 0; i < k->nlines && !c->stop; i++)
		convert_line(c, k->fmt, span_make(k->data + k->lines[i].off,
		    k->lines[i].len), k->lines[i].lineno);
	k->n = c->n;
	memset(&c->n, 0, sizeof(c->n));
	k->bads = c->bads;	/* the chunk takes them over */
	k->nbad = c->nbad;
	c->bads = NULL;
	c->nbad = c->capbad = 0;
	c->stop = 0;
}

static void *
worker(void *arg)
{
	struct conv *c = arg;
	struct chunk *k;

	pthread_mutex_lock(&mu);
	for (;;) {
		while (!quit && taken == submitted)
			pthread_cond_wait(&work, &mu);
		if (quit)
			break;
		k = &ring[taken++ % nring];
		k->state = C_TAKEN;
		pthread_mutex_unlock(&mu);
		work_chunk(c, k);
		pthread_mutex_lock(&mu);
		k->state = C_DONE;
		pthread_cond_broadcast(&done);
	}
	pthread_mutex_unlock(&mu);
	conv_free(c);
	return NULL;
}

static void
pool_start(int n)
{
	const char *e;
	int i;

	if ((e = getenv("TRACE_TOOLS_CHUNK")) != NULL && atol(e) > 0)
		chunkbytes = (size_t)atol(e);	/* tests: small chunks */
	nring = 2 * (size_t)n + 1;
	ring = xcalloc(nring, sizeof(*ring));
	thr = xcalloc((size_t)n, sizeof(*thr));
	for (i = 0; i < n; i++) {
		struct conv *c = conv_new();

		c->deferred = 1;
		if (pthread_create(&thr[i], NULL, worker, c) != 0)
			dief("cannot start a conversion thread");
		nthr++;
	}
}

/* Write back the oldest chunk once it is done. */
static void
retire_one(struct conv *m)
{
	struct chunk *k = &ring[retired % nring];

	pthread_mutex_lock(&mu);
	while (k->state != C_DONE)
		pthread_cond_wait(&done, &mu);
	pthread_mutex_unlock(&mu);
	retire(m, &k->out, &k->n, k->bads, k->nbad, k->file, k->msgname);
	free(k->bads);
	k->bads = NULL;
	k->nbad = 0;
	sb_clear(&k->out);
	k->len = k->nlines = 0;
	pthread_mutex_lock(&mu);
	k->state = C_FREE;
	retired++;
	pthread_mutex_unlock(&mu);
}

static void
add_line(struct chunk *k, struct span line, uint64_t lineno)
{
	if (k->cap - k->len < line.n) {
		while (k->cap - k->len < line.n)
			k->cap = k->cap ? k->cap * 2 : chunkbytes + CHUNK_SLACK;
		k->data = xrealloc(k->data, k->cap);
	}
	if (k->nlines == k->caplines) {
		k->caplines = k->caplines ? k->caplines * 2 : CHUNK_LINES;
		k->lines = xreallocarray(k->lines, k->caplines,
		    sizeof(*k->lines));
	}
	memcpy(k->data + k->len, line.p, line.n);
	k->lines[k->nlines].off = k->len;
	k->lines[k->nlines].len = line.n;
	k->lines[k->nlines].lineno = lineno;
	k->nlines++;
	k->len += line.n;
}

static void
submit(void)
{
	pthread_mutex_lock(&mu);
	ring[submitted % nring].state = C_QUEUED;
	submitted++;
	pthread_cond_signal(&work);
	pthread_mutex_unlock(&mu);
}

void
run_lines(struct conv *m, struct rd *in, struct span line, enum format fmt)
{
	struct chunk *k;
	int n = want_threads();

	if (n <= 1) {
		do
			convert_line(m, fmt, line, rd_lineno(in));
		while (rd_line(in, &line));
		return;
	}
	if (ring == NULL)
		pool_start(n);
	for (;;) {
		/* the next free chunk, retiring the oldest when all are in
		 * use */
		if (submitted - retired == nring)
			retire_one(m);
		k = &ring[submitted % nring];
		k->fmt = fmt;
		k->file = m->file;
		k->msgname = m->msgname;
		do
			add_line(k, line, rd_lineno(in));
		while (k->len < chunkbytes && rd_line(in, &line));
		if (k->len < chunkbytes) {	/* the input's end */
			if (submitted == retired) {
				/* all of it in one chunk: no threads */
				size_t i;

				for (i = 0; i < k->nlines; i++)
					convert_line(m, fmt, span_make(k->data +
					    k->lines[i].off, k->lines[i].len),
					    k->lines[i].lineno);
				k->len = k->nlines = 0;
				return;
			}
			submit();
			break;
		}
		submit();
		if (!rd_line(in, &line))
			break;
	}
	while (retired < submitted)
		retire_one(m);
}

void
pool_stop(void)
{
	int i;

	if (nthr == 0)
		return;
	pthread_mutex_lock(&mu);
	quit = 1;
	pthread_cond_broadcast(&work);
	pthread_mutex_unlock(&mu);
	for (i = 0; i < nthr; i++)
		pthread_join(thr[i], NULL);
	for (size_t j = 0; j < nring; j++) {
		free(ring[j].data);
		free(ring[j].lines);
		sb_free(&ring[j].out);
	}
	free(ring);
	free(thr);
}
