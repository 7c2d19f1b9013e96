/*
 * pool.c - the lines of one input converted on several threads.
 *
 * For line formats (JSON Lines, TSV rows, --regex lines) each line is a
 * record on its own, so the main thread cuts the input into chunks of
 * whole lines, about 256 KiB each, read into them in blocks
 * (rd_block_into), without looking for each line;
 * workers, each with its own converter, split chunks into lines and turn
 * them into rows; of the n converters --threads asks for, n - 1 are
 * workers and the last is the main thread, which converts the chunks no
 * worker has begun while it waits for the oldest.  Chunks are written back in input order by the main
 * thread ("retired"): the rows, the counters, and the malformed records,
 * which the workers only keep, so that messages, the --bad-lines file and
 * the point where a strict run stops are exactly those of a run on one
 * thread.  A worker numbers the lines of its chunk from 1; the main
 * thread, which retires chunks in order, knows where each chunk starts
 * and makes the numbers of its malformed records those of the input.  A
 * ring of 2N+1 chunks bounds the memory.  An input shorter than one chunk
 * is converted by the main thread alone.  With one converter there are no
 * chunks: the main thread takes blocks of whole lines where the reader
 * holds them (rd_block) and splits them as a worker splits a chunk.
 *
 * A regular file read by name is not read by the main thread at all: a
 * chunk is a range of the file, and its worker reads it (pread) and
 * converts the lines that start in it, the last one read on to its
 * newline, so that the copying of the file into memory is shared among
 * the workers too ("positional" chunks).  A line starts where the byte
 * before it is a newline, so each line falls in exactly one chunk.
 */
#include <sys/stat.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "msg.h"
#include "rd.h"
#include "normalize.h"

#define CHUNK_BYTES	(1u << 18)
#define MAX_THREADS	8
/* A new chunk's buffer: the last line may cross CHUNK_BYTES, so room for
 * one line more than that saves a regrow (a positional chunk reads the
 * byte before its range too, then CHUNK_SLACK bytes at a time). */
#define CHUNK_SLACK	4096
#define CHUNK_CAP0	(chunkbytes + 2 * CHUNK_SLACK)

enum cstate { C_FREE, C_QUEUED, C_TAKEN, C_DONE };

struct chunk {
	enum cstate	 state;
	char		*data;		/* whole lines, each with its "\n" but
					 * perhaps the input's last, from
					 * data[start] */
	size_t		 start, len, cap;
	int		 pos;		/* positional: the worker reads the
					 * lines that start in [off, end) */
	int		 first, last;	/* the first chunk (off starts a line);
					 * the last (read to the file's end) */
	uint64_t	 off, end;
	uint64_t	 readto;	/* the file read up to here */
	int		 rderr;		/* errno of a failed read, or 0 */
	uint64_t	 nlines;	/* lines in data, counted by the worker */
	enum format	 fmt;
	const char	*file, *msgname;
	struct sbuf	 out;		/* rows */
	struct counts	 n;		/* what the rows took */
	struct badrec	*bads;		/* lines numbered within the chunk */
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
static char		*region;	/* the chunks' first buffers, or NULL */
static size_t		 regionlen;
static uint64_t		 submitted;	/* chunks handed to workers */
static uint64_t		 taken;		/* chunks workers have begun */
static uint64_t		 retired;	/* chunks written back */
static size_t		 chunkbytes = CHUNK_BYTES;
static uint64_t		 lineat;	/* lines before the oldest chunk */
static struct conv	*helper;	/* the main thread's for chunks */
static struct rd	*posin;		/* the input of positional chunks */
static int		 posfd = -1;	/* and its descriptor */

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

#if defined(__x86_64__)
/* The newlines of p[0..64), as bits: 16 bytes at a time. */
static inline uint64_t
nl64_sse2(const char *p)
{
	const __m128i nl = _mm_set1_epi8('\n');
	uint64_t m[4];

	for (int i = 0; i < 4; i++)
		m[i] = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
		    _mm_loadu_si128((const __m128i *)(const void *)(p +
		    16 * i)), nl));
	return m[0] | m[1] << 16 | m[2] << 32 | m[3] << 48;
}

/* The same, 32 bytes at a time. */
__attribute__((target("avx2")))
static inline uint64_t
nl64_avx2(const char *p)
{
	const __m256i nl = _mm256_set1_epi8('\n');
	uint64_t lo, hi;

	lo = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	    _mm256_loadu_si256((const __m256i *)(const void *)p), nl));
	hi = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	    _mm256_loadu_si256((const __m256i *)(const void *)(p + 32)), nl));
	return lo | hi << 32;
}
#endif

/*
 * Convert the lines of a block (a chunk, or what rd_block() gave),
 * numbered from base + 1, as rd_line would hand them out ("\r" before
 * "\n" dropped).  Returns the number of lines in the block, even when a
 * strict run stopped converting early.
 *
 * The lines' ends are found 64 bytes at a time on the SIMD paths
 * (json_path(): the newlines of each 64 as the bits of a word, taken in
 * turn), the last 63 or fewer by memchr: cheaper than a call of memchr
 * for each line of a hundred bytes.  The scalar path calls memchr for
 * each line.  Written once, compiled for each path.
 */
static inline __attribute__((always_inline)) uint64_t
lines_on(struct conv *c, enum format fmt, struct span b, uint64_t base,
    int simd)
{
	const char *p = b.p, *end = b.p + b.n, *nl;
	/* the newlines before s not yet taken: the bits of m, from blk */
	const char *s = b.p, *blk = b.p;
	uint64_t n = 0, m = 0;
	size_t len;

	while (p < end) {
#if defined(__x86_64__)
		while (simd && m == 0 && end - s >= 64) {
			blk = s;
			m = simd == 2 ? nl64_avx2(s) : nl64_sse2(s);
			s += 64;
		}
#else
		(void)simd;
#endif
		if (m != 0) {
			nl = blk + __builtin_ctzll(m);
			m &= m - 1;
		} else if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		else
			s = nl + 1;
		n++;
		if (!c->stop) {
			len = (size_t)(nl - p);
			if (len > 0 && p[len - 1] == '\r')
				len--;
			convert_line(c, fmt, span_make(p, len), base + n);
		}
		p = nl + 1;
	}
	return n;
}

static uint64_t
lines_scalar(struct conv *c, enum format fmt, struct span b, uint64_t base)
{
	return lines_on(c, fmt, b, base, 0);
}

#if defined(__x86_64__)
static uint64_t
lines_sse2(struct conv *c, enum format fmt, struct span b, uint64_t base)
{
	return lines_on(c, fmt, b, base, 1);
}

__attribute__((target("avx2")))
static uint64_t
lines_avx2(struct conv *c, enum format fmt, struct span b, uint64_t base)
{
	return lines_on(c, fmt, b, base, 2);
}
#endif

static uint64_t
convert_lines(struct conv *c, enum format fmt, struct span b, uint64_t base)
{
#if defined(__x86_64__)
	switch (json_path()) {
	case JSON_AVX2:
		return lines_avx2(c, fmt, b, base);
	case JSON_SSE2:
		return lines_sse2(c, fmt, b, base);
	default:
		break;
	}
#endif
	return lines_scalar(c, fmt, b, base);
}

static uint64_t
convert_chunk(struct conv *c, struct chunk *k, uint64_t base)
{
	return convert_lines(c, k->fmt, span_make(k->data + k->start,
	    k->len - k->start), base);
}

/* Whether a chunk's buffer is its place in the region (it moves to
 * malloc's memory when it outgrows it, here or in rd_block_into()). */
static int
in_region(const struct chunk *k)
{
	return region != NULL && (uintptr_t)k->data - (uintptr_t)region <
	    regionlen;
}

static void
chunk_room(struct chunk *k, size_t n)
{
	char *d;

	if (k->cap - k->len < n) {
		while (k->cap - k->len < n)
			k->cap = k->cap ? k->cap * 2 : CHUNK_CAP0;
		if (in_region(k)) {
			d = xmalloc(k->cap);
			memcpy(d, k->data, k->len);
			k->data = d;
		} else
			k->data = xrealloc(k->data, k->cap);
	}
}

/*
 * Append the file's bytes from offset k->readto to k->data, n of them,
 * fewer only at the end of the file.  Returns the number read, or -1
 * with k->rderr set.
 */
static ssize_t
read_more(struct chunk *k, size_t n)
{
	size_t got = 0;
	ssize_t r;

	chunk_room(k, n);
	while (got < n) {
		r = pread(posfd, k->data + k->len, n - got, (off_t)k->readto);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			k->rderr = errno;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		k->len += (size_t)r;
		k->readto += (uint64_t)r;
	}
	return (ssize_t)got;
}

/*
 * Read a positional chunk: the lines that start in [k->off, k->end),
 * from the byte before k->off (a newline there starts a line at k->off),
 * the last line read on to its newline; the last chunk is read to the
 * end of the file, however long it has grown.
 */
static void
read_chunk(struct chunk *k)
{
	size_t want, step = CHUNK_SLACK, from;
	const char *nl;
	ssize_t n;

	k->start = k->len = 0;
	k->rderr = 0;
	k->readto = k->first ? k->off : k->off - 1;
	want = (size_t)(k->end - k->readto);
	if ((n = read_more(k, want)) < 0)
		return;
	if (!k->first) {
		if ((nl = memchr(k->data, '\n', k->len)) == NULL ||
		    k->off + (size_t)(nl - k->data) >= k->end) {
			k->len = 0;	/* no line starts here */
			return;
		}
		k->start = (size_t)(nl + 1 - k->data);
	}
	if ((size_t)n < want)
		return;		/* the end of the file */
	if (k->last) {
		while ((n = read_more(k, step)) > 0)
			if (step < chunkbytes)
				step *= 2;
		return;
	}
	/* the line holding the chunk's last byte, on to its newline */
	while (k->data[k->len - 1] != '\n') {
		from = k->len;
		if ((n = read_more(k, step)) <= 0)
			return;
		if ((nl = memchr(k->data + from, '\n', k->len - from)) !=
		    NULL) {
			k->len = (size_t)(nl + 1 - k->data);
			return;
		}
		if (step < chunkbytes)
			step *= 2;
	}
}

/* Convert one chunk with a worker's converter, keeping all it made. */
static void
work_chunk(struct conv *c, struct chunk *k)
{
	conv_file(c, k->file, k->msgname);
	c->out = &k->out;
	if (k->pos)
		read_chunk(k);
	k->nlines = k->rderr ? 0 : convert_chunk(c, k, 0);
	k->n = c->n;
	memset(&c->n, 0, sizeof(c->n));
	k->bads = c->bads;	/* the chunk takes them over */
	k->nbad = c->nbad;
	c->bads = NULL;
	c->nbad = c->capbad = 0;
	c->stop = 0;
}

/* With mu held: the oldest chunk no one has begun, converted with c (mu
 * let go meanwhile) and marked done.  Returns it. */
static struct chunk *
convert_next(struct conv *c)
{
	struct chunk *k = &ring[taken++ % nring];

	k->state = C_TAKEN;
	pthread_mutex_unlock(&mu);
	work_chunk(c, k);
	pthread_mutex_lock(&mu);
	k->state = C_DONE;
	return k;
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
		k = convert_next(c);
		/* the main thread waits for the oldest chunk only: a later
		 * one would wake it for nothing (a switch of threads) */
		if (k == &ring[retired % nring])
			pthread_cond_signal(&done);
	}
	pthread_mutex_unlock(&mu);
	conv_free(c);
	return NULL;
}

/* The chunk size, smaller in tests (TRACE_TOOLS_CHUNK). */
static void
chunk_size(void)
{
	const char *e;

	if ((e = getenv("TRACE_TOOLS_CHUNK")) != NULL && atol(e) > 0)
		chunkbytes = (size_t)atol(e);
}

/*
 * The chunks' first buffers, filled and refilled by every large input,
 * come from one mapping on huge pages (rd_huge()) when they are as large
 * as the default chunks: far fewer first touches of a page.  A chunk
 * that outgrows its place (a long line) moves to malloc's memory.
 */
static void
pool_start(int n)
{
	size_t slot;
	int i;

	chunk_size();
	nring = 2 * (size_t)n + 1;
	ring = xcalloc(nring, sizeof(*ring));
	slot = (CHUNK_CAP0 + 63) / 64 * 64;
	if (chunkbytes >= CHUNK_BYTES && slot <= SIZE_MAX / 2 / nring &&
	    (region = rd_huge(nring * slot)) != NULL) {
		regionlen = nring * slot;
		for (size_t j = 0; j < nring; j++) {
			ring[j].data = region + j * slot;
			ring[j].cap = slot;
			/* rows: room for the usual chunk's at once, instead
			 * of doubling (each copy touches new pages) */
			sb_reserve(&ring[j].out, chunkbytes);
		}
	}
	helper = conv_new();
	helper->deferred = 1;
	thr = xcalloc((size_t)n, sizeof(*thr));
	for (i = 0; i < n - 1; i++) {
		struct conv *c = conv_new();

		c->deferred = 1;
		if (pthread_create(&thr[i], NULL, worker, c) != 0)
			dief("cannot start a conversion thread");
		nthr++;
	}
}

/*
 * Write back the oldest chunk once it is done.  Until then the main
 * thread converts the chunks no worker has begun, as one of the --threads
 * converters (there are n - 1 workers), instead of waiting.
 */
static void
retire_one(struct conv *m)
{
	struct chunk *k = &ring[retired % nring];
	size_t i;

	pthread_mutex_lock(&mu);
	while (k->state != C_DONE) {
		if (taken < submitted)
			convert_next(helper);
		else
			pthread_cond_wait(&done, &mu);
	}
	pthread_mutex_unlock(&mu);
	if (k->rderr) {
		errno = k->rderr;
		die_errno("%s: read error", rd_name(posin));
	}
	if (k->pos)
		rd_rest_at(posin, k->readto);
	for (i = 0; i < k->nbad; i++)
		k->bads[i].line += lineat;
	lineat += k->nlines;
	retire(m, &k->out, &k->n, k->bads, k->nbad, k->file, k->msgname);
	free(k->bads);
	k->bads = NULL;
	k->nbad = 0;
	sb_clear(&k->out);
	k->len = k->start = 0;
	k->pos = 0;
	pthread_mutex_lock(&mu);
	k->state = C_FREE;
	retired++;
	pthread_mutex_unlock(&mu);
}

static void
add_bytes(struct chunk *k, const char *p, size_t n)
{
	chunk_room(k, n);
	memcpy(k->data + k->len, p, n);
	k->len += n;
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

/* The next free chunk for lines of format fmt, retiring the oldest when
 * all are in use. */
static struct chunk *
next_chunk(struct conv *m, enum format fmt)
{
	struct chunk *k;

	if (submitted - retired == nring)
		retire_one(m);
	k = &ring[submitted % nring];
	k->fmt = fmt;
	k->file = m->file;
	k->msgname = m->msgname;
	return k;
}

/*
 * The lines of a regular file from line on, in positional chunks: 1, or
 * 0 when the input is no such file, or holds no more than a chunk from
 * line on (the main thread converts it alone, as any short input).
 */
static int
run_positional(struct conv *m, struct rd *in, struct span line,
    enum format fmt)
{
	struct stat st;
	struct chunk *k;
	uint64_t off, size, i, nchunk;
	int fd;
	char *b;
	ssize_t got;

	if (!rd_rest(in, &fd, &off) || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || (size = (uint64_t)st.st_size) <= off ||
	    size - off <= chunkbytes)
		return 0;
	/* the line handed out must be the file's bytes at off */
	b = xmalloc(line.n + 1);
	got = line.n > 0 ? pread(fd, b, line.n, (off_t)off) : 0;
	if (got != (ssize_t)line.n || memcmp(b, line.p, line.n) != 0) {
		free(b);
		return 0;
	}
	free(b);
	posin = in;
	posfd = fd;
	nchunk = (size - off + chunkbytes - 1) / chunkbytes;
	for (i = 0; i < nchunk; i++) {
		k = next_chunk(m, fmt);
		k->pos = 1;
		k->first = i == 0;
		k->last = i == nchunk - 1;
		k->off = off + i * chunkbytes;
		k->end = k->last ? size : k->off + chunkbytes;
		submit();
	}
	while (retired < submitted)
		retire_one(m);
	rd_add_lines(in, lineat - rd_lineno(in));
	rd_rest_end(in, rd_rawpos(in));
	posin = NULL;
	posfd = -1;
	return 1;
}

void
run_lines(struct conv *m, struct rd *in, struct span line, enum format fmt)
{
	struct chunk *k;
	uint64_t nsub = 0;
	int n = want_threads(), more = 1;

	if (n <= 1) {
		/* One converter: blocks of whole lines where the reader
		 * holds them, split here as a worker splits its chunk. */
		struct span b;

		chunk_size();
		convert_line(m, fmt, line, rd_lineno(in));
		while (rd_block(in, chunkbytes, &b))
			rd_add_lines(in, convert_lines(m, fmt, b,
			    rd_lineno(in)));
		return;
	}
	if (ring == NULL)
		pool_start(n);
	lineat = rd_lineno(in) - 1;	/* line is the first chunk's first */
	if (run_positional(m, in, line, fmt))
		return;
	for (;;) {
		k = next_chunk(m, fmt);
		if (nsub == 0) {
			add_bytes(k, line.p, line.n);
			add_bytes(k, "\n", 1);
		}
		/* Full within a sixteenth: a chunk read straight from the
		 * input ends a line short of chunkbytes, and asking for that
		 * little would refill the reader's buffer instead. */
		while (k->len + chunkbytes / 16 < chunkbytes &&
		    (more = rd_block_into(in, chunkbytes - k->len, &k->data,
		    &k->len, &k->cap)))
			;
		if (!more && nsub == 0) {
			/* all of it in one chunk: no threads */
			lineat += convert_chunk(m, k, lineat);
			k->len = 0;
			break;
		}
		if (k->len > 0) {
			submit();
			nsub++;
		}
		if (!more)
			break;
	}
	while (retired < submitted)
		retire_one(m);
	rd_add_lines(in, lineat - rd_lineno(in));
}

void
pool_stop(void)
{
	int i;

	if (ring == NULL)
		return;
	pthread_mutex_lock(&mu);
	quit = 1;
	pthread_cond_broadcast(&work);
	pthread_mutex_unlock(&mu);
	for (i = 0; i < nthr; i++)
		pthread_join(thr[i], NULL);
	for (size_t j = 0; j < nring; j++) {
		if (!in_region(&ring[j]))
			free(ring[j].data);
		sb_free(&ring[j].out);
	}
	rd_huge_free(region, regionlen);
	conv_free(helper);
	free(ring);
	free(thr);
}
