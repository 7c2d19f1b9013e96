/*
 * rd.c - the line reader of rd.h.
 *
 * Layout: a source yields bytes (read(2) for plain input, a queue filled
 * by an inflater thread for compressed input); the line layer keeps one
 * growable buffer, splits it with memchr and refills it when a line runs
 * past its end, moving the partial line to the front first.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_createDCtx_advanced() */
#include <zstd.h>

#include "msg.h"
#include "rd.h"
#include "xmem.h"

#define RD_BUFSZ	(1u << 20)	/* line buffer start size */
#define IN_BUFSZ	(1u << 18)	/* compressed read size */
#define PIECESZ		(RD_BUFSZ / 4)	/* rd_piece, rd_peek */
#define READ_MAX	(128u << 10)	/* fill()'s read, at most */
#define READ_FIRST	(16u << 10)	/* fill()'s first read, at most */
#define CHUNKSZ		(1u << 20)	/* decompressed chunk size */
#define NCHUNK		4		/* chunks in flight */
#define HUGE_SZ		((size_t)1 << 21)	/* a huge page (x86-64) */
#define HUGE_MIN	((uint64_t)1 << 22)	/* see big_input() */

enum kind { RAW, GZIP, ZSTD };

struct chunk {
	char	*p;
	size_t	 n;
};

struct rd {
	char		*name;
	char		*path;		/* to reopen a parked regular file */
	int		 fd;		/* -1 while parked */
	enum kind	 kind;
	uint64_t	 size;		/* st_size of a regular file, else 0 */
	uint64_t	 rawpos;	/* bytes read from fd */

	/* magic bytes read during detection, replayed first */
	unsigned char	 pre[4];
	size_t		 npre;

	/* line layer */
	char		*buf;
	size_t		 cap, pos, end, scan;
	int		 eof;
	uint64_t	 lineno;
	int		 started;	/* a byte has been handed out */
	int		 raw;		/* rd_raw(): keep BOM and CR */
	int		 newline;	/* the last line ended with \n */
	int		 midline;	/* rd_piece handed out part of a line */
	size_t		 linepos;	/* in buf: where rd_line's last line
					 * starts (rd_line_offset) */

	/* inflater thread and its queue */
	pthread_t	 thr;
	int		 thr_started;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct chunk	 q[NCHUNK];
	unsigned	 qhead, qlen;	/* queue of filled chunks */
	int		 qdone;		/* producer finished (ok or error) */
	int		 qstop;		/* consumer asks producer to stop */
	char		*qerr;		/* producer's error message */
	struct chunk	 cur;		/* chunk being consumed */
	size_t		 curpos;
	char		*spare[NCHUNK + 1];	/* free chunk buffers */
	unsigned	 nspare;
	char		*qregion;	/* all the chunks, from rd_huge(),
					 * or NULL: each its own malloc */
};

/*
 * A large input's buffers (big_input()), which it fills, come from
 * rd_huge(): a compressed input's chunks and zstd's window, and
 * trace-normalize's chunks.  A small input keeps malloc's pages, so that
 * readers open at once hold little, and so does every line buffer: fill()
 * reads at most READ_MAX into it, so that little of it is touched.
 * The regions are listed, so that rd_block_into() knows a caller's
 * buffer that is one (it cannot be realloc'd).
 */
#define NHUGE	32
static struct hreg {
	uintptr_t	 p;
	size_t		 n;
} hreg[NHUGE];
static pthread_mutex_t hmu = PTHREAD_MUTEX_INITIALIZER;

static int
huge_has(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	int in = 0;

	pthread_mutex_lock(&hmu);
	for (size_t i = 0; i < NHUGE && !in; i++)
		in = hreg[i].n > 0 && a - hreg[i].p < hreg[i].n;
	pthread_mutex_unlock(&hmu);
	return in;
}

void *
rd_huge(size_t n)
{
	char *p, *a;
	size_t head, i;

	if (n == 0 || n > SIZE_MAX / 2)
		return NULL;
	n = (n + HUGE_SZ - 1) / HUGE_SZ * HUGE_SZ;
	p = mmap(NULL, n + HUGE_SZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)p + HUGE_SZ - 1) & ~(uintptr_t)(HUGE_SZ - 1));
	head = (size_t)(a - p);
	if (head > 0)
		munmap(p, head);
	munmap(a + n, HUGE_SZ - head);
#ifdef MADV_HUGEPAGE
	madvise(a, n, MADV_HUGEPAGE);
#endif
	pthread_mutex_lock(&hmu);
	for (i = 0; i < NHUGE && hreg[i].n > 0; i++)
		;
	if (i < NHUGE) {
		hreg[i].p = (uintptr_t)a;
		hreg[i].n = n;
	}
	pthread_mutex_unlock(&hmu);
	if (i == NHUGE) {	/* (many readers at once: malloc's pages) */
		munmap(a, n);
		return NULL;
	}
	return a;
}

void
rd_huge_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&hmu);
	for (size_t i = 0; i < NHUGE; i++)
		if (hreg[i].p == (uintptr_t)p)
			hreg[i].n = 0;
	pthread_mutex_unlock(&hmu);
	munmap(p, (n + HUGE_SZ - 1) / HUGE_SZ * HUGE_SZ);
}

/* Whether r is a file large enough to fill its buffers: HUGE_MIN bytes,
 * or an eighth of that compressed. */
static int
big_input(const struct rd *r)
{
	return r->size >= (r->kind == RAW ? HUGE_MIN : HUGE_MIN / 8);
}

/* The line buffer grown to cap bytes, its first r->end kept. */
static void
buf_grow(struct rd *r, size_t cap)
{
	r->buf = xrealloc(r->buf, cap);
	r->cap = cap;
}

/* Read up to n bytes from the file; exits on error. */
static size_t
raw_read(struct rd *r, void *dst, size_t n)
{
	ssize_t k;

	for (;;) {
		k = read(r->fd, dst, n);
		if (k >= 0)
			break;
		if (errno != EINTR)
			die_errno("%s: read error", r->name);
	}
	__atomic_add_fetch(&r->rawpos, (uint64_t)k, __ATOMIC_RELAXED);
	return (size_t)k;
}

/* Like raw_read but for the inflater thread: errors are returned. */
static ssize_t
thr_read(struct rd *r, void *dst, size_t n)
{
	ssize_t k;
	size_t pre = 0;

	if (r->npre > 0) {
		pre = r->npre < n ? r->npre : n;
		memcpy(dst, r->pre, pre);
		memmove(r->pre, r->pre + pre, r->npre - pre);
		r->npre -= pre;
		return (ssize_t)pre;
	}
	do
		k = read(r->fd, dst, n);
	while (k < 0 && errno == EINTR);
	if (k > 0)
		__atomic_add_fetch(&r->rawpos, (uint64_t)k, __ATOMIC_RELAXED);
	return k;
}

/* Producer side of the queue. */
static char *
q_getbuf(struct rd *r)
{
	char *p = NULL;

	pthread_mutex_lock(&r->mu);
	while (r->nspare == 0 && !r->qstop)
		pthread_cond_wait(&r->cv, &r->mu);
	if (!r->qstop)
		p = r->spare[--r->nspare];
	pthread_mutex_unlock(&r->mu);
	return p;
}

static int
q_put(struct rd *r, char *p, size_t n)
{
	int stop;

	pthread_mutex_lock(&r->mu);
	r->q[(r->qhead + r->qlen) % NCHUNK].p = p;
	r->q[(r->qhead + r->qlen) % NCHUNK].n = n;
	r->qlen++;
	stop = r->qstop;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return !stop;
}

static void
q_finish(struct rd *r, const char *err)
{
	pthread_mutex_lock(&r->mu);
	if (err != NULL && r->qerr == NULL)
		r->qerr = xstrdup(err);
	r->qdone = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/*
 * Room for a read error message: a prefix of under 20 bytes and a
 * strerror() (under 50 bytes in glibc) or ZSTD_getErrorName() text
 * (under 80 bytes); snprintf cuts anything longer.
 */
#define RD_MSG_MAX	160

static const char *
read_err(void)
{
	static __thread char msg[RD_MSG_MAX];

	snprintf(msg, sizeof(msg), "read error: %s", strerror(errno));
	return msg;
}

/*
 * gzip: inflate member after member.  After a member ends, the next bytes
 * must start another member (1f 8b) or be the end of the input; anything
 * else is trailing garbage.
 */
static const char *
gz_run(struct rd *r)
{
	z_stream zs;
	unsigned char *in = xmalloc(IN_BUFSZ);
	const char *err = NULL;
	char *out = NULL;
	int zr = Z_OK, ended = 0;
	ssize_t k;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		free(in);
		return "cannot initialize zlib";
	}
	for (;;) {
		if (zs.avail_in == 0) {
			if ((k = thr_read(r, in, IN_BUFSZ)) < 0) {
				err = read_err();
				break;
			}
			if (k == 0) {
				if (!ended)
					err = "truncated gzip data";
				break;
			}
			zs.next_in = in;
			zs.avail_in = (uInt)k;
		}
		if (ended) {
			/* A new member must begin here. */
			if (zs.next_in[0] != 0x1f ||
			    (zs.avail_in > 1 && zs.next_in[1] != 0x8b)) {
				err = "trailing garbage after gzip data";
				break;
			}
			inflateReset(&zs);
			ended = 0;
		}
		if (out == NULL) {
			if ((out = q_getbuf(r)) == NULL)
				break;
			zs.next_out = (unsigned char *)out;
			zs.avail_out = CHUNKSZ;
		}
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			ended = 1;
		else if (zr == Z_NEED_DICT || zr == Z_DATA_ERROR ||
		    zr == Z_MEM_ERROR || zr == Z_STREAM_ERROR) {
			err = zs.msg != NULL ? zs.msg : "corrupt gzip data";
			break;
		}
		if (zs.avail_out == 0 || (ended && zs.avail_out < CHUNKSZ)) {
			char *full = out;

			out = NULL;	/* queued: no longer ours */
			if (!q_put(r, full, CHUNKSZ - zs.avail_out))
				break;
		}
	}
	if (out != NULL && err == NULL && zs.avail_out < CHUNKSZ)
		q_put(r, out, CHUNKSZ - zs.avail_out);
	else if (out != NULL) {
		pthread_mutex_lock(&r->mu);
		r->spare[r->nspare++] = out;
		pthread_mutex_unlock(&r->mu);
	}
	inflateEnd(&zs);
	free(in);
	return err;
}

/*
 * zstd's own memory for a large input: its window (a few MiB, all of it
 * touched) from rd_huge(), the rest from malloc.  Each block starts
 * with its size when it is a region, 0 when malloc'd.
 */
#define ZHDR		16	/* keeps malloc's alignment */
#define ZHUGE_MIN	((size_t)1 << 19)

static void *
zst_alloc(void *opaque, size_t n)
{
	size_t len = (n + ZHDR + HUGE_SZ - 1) / HUGE_SZ * HUGE_SZ;
	char *p = NULL;

	(void)opaque;
	if (n >= ZHUGE_MIN && n < SIZE_MAX - ZHDR - HUGE_SZ)
		p = rd_huge(len);
	if (p == NULL) {
		if ((p = malloc(n + ZHDR)) == NULL)
			return NULL;
		len = 0;
	}
	memcpy(p, &len, sizeof(len));
	return p + ZHDR;
}

static void
zst_free(void *opaque, void *a)
{
	char *p = a;
	size_t len;

	(void)opaque;
	if (p == NULL)
		return;
	p -= ZHDR;
	memcpy(&len, p, sizeof(len));
	if (len > 0)
		rd_huge_free(p, len);
	else
		free(p);
}

/*
 * zstd: ZSTD_decompressStream handles concatenated and skippable frames
 * itself; its return value is 0 exactly when a frame has been completely
 * decoded and flushed, so anything else at end of input is truncation.
 */
static const char *
zst_run(struct rd *r)
{
	static const ZSTD_customMem mem = { zst_alloc, zst_free, NULL };
	ZSTD_DCtx *dc = big_input(r) ? ZSTD_createDCtx_advanced(mem) :
	    ZSTD_createDCtx();
	size_t insz = ZSTD_DStreamInSize(), zr = 0;
	char *inbuf = xmalloc(insz), *out = NULL;
	ZSTD_inBuffer in = { inbuf, 0, 0 };
	ZSTD_outBuffer ob = { NULL, 0, 0 };
	const char *err = NULL;
	static __thread char msg[RD_MSG_MAX];
	ssize_t k;
	int any = 0;

	if (dc == NULL) {
		free(inbuf);
		return "cannot initialize zstd";
	}
	for (;;) {
		if (in.pos == in.size) {
			if ((k = thr_read(r, inbuf, insz)) < 0) {
				err = read_err();
				break;
			}
			if (k == 0) {
				if (zr != 0 || !any)
					err = "truncated zstd data";
				break;
			}
			in.size = (size_t)k;
			in.pos = 0;
			any = 1;
		}
		if (out == NULL) {
			if ((out = q_getbuf(r)) == NULL)
				break;
			ob.dst = out;
			ob.size = CHUNKSZ;
			ob.pos = 0;
		}
		zr = ZSTD_decompressStream(dc, &ob, &in);
		if (ZSTD_isError(zr)) {
			snprintf(msg, sizeof(msg), "corrupt zstd data: %s",
			    ZSTD_getErrorName(zr));
			err = msg;
			break;
		}
		if (ob.pos == ob.size) {
			char *full = out;

			out = NULL;	/* queued: no longer ours */
			if (!q_put(r, full, ob.pos))
				break;
		}
	}
	if (out != NULL && err == NULL && ob.pos > 0)
		q_put(r, out, ob.pos);
	else if (out != NULL) {
		pthread_mutex_lock(&r->mu);
		r->spare[r->nspare++] = out;
		pthread_mutex_unlock(&r->mu);
	}
	ZSTD_freeDCtx(dc);
	free(inbuf);
	return err;
}

static void *
inflater(void *arg)
{
	struct rd *r = arg;

	q_finish(r, r->kind == GZIP ? gz_run(r) : zst_run(r));
	return NULL;
}

/*
 * Consumer side: the consumed chunk back to the producer, and the next
 * one as r->cur: 1, or 0 at the end of the data, or when nowait and none
 * is ready.  Exits on the producer's error.
 */
static int
q_next(struct rd *r, int nowait)
{
	pthread_mutex_lock(&r->mu);
	if (r->cur.p != NULL) {
		r->spare[r->nspare++] = r->cur.p;
		r->cur.p = NULL;
		pthread_cond_broadcast(&r->cv);
	}
	if (r->qlen == 0 && nowait) {
		pthread_mutex_unlock(&r->mu);
		return 0;
	}
	while (r->qlen == 0 && !r->qdone)
		pthread_cond_wait(&r->cv, &r->mu);
	if (r->qlen == 0) {
		char *e = r->qerr;

		pthread_mutex_unlock(&r->mu);
		if (e != NULL)
			dief("%s: %s", r->name, e);
		return 0;
	}
	r->cur = r->q[r->qhead];
	r->qhead = (r->qhead + 1) % NCHUNK;
	r->qlen--;
	r->curpos = 0;
	pthread_mutex_unlock(&r->mu);
	return 1;
}

/* Copy up to n decompressed bytes to dst; 0 at the end. */
static size_t
q_read(struct rd *r, char *dst, size_t n)
{
	size_t got = 0, k;

	while (got < n) {
		/* (hand over what we have rather than wait) */
		if (r->curpos == r->cur.n && !q_next(r, got > 0))
			break;
		k = r->cur.n - r->curpos;
		if (k > n - got)
			k = n - got;
		memcpy(dst + got, r->cur.p + r->curpos, k);
		r->curpos += k;
		got += k;
	}
	return got;
}

static size_t
src_read(struct rd *r, char *dst, size_t n)
{
	size_t k;

	if (r->kind != RAW)
		return q_read(r, dst, n);
	if (r->npre > 0) {
		k = r->npre < n ? r->npre : n;
		memcpy(dst, r->pre, k);
		memmove(r->pre, r->pre + k, r->npre - k);
		r->npre -= k;
		return k;
	}
	return raw_read(r, dst, n);
}

struct rd *
rd_open(const char *path)
{
	struct rd *r;
	struct stat st;
	int fd;
	size_t k;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		msg_warn("%s", path);
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		msg_warn("%s", path);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		msg_warn("%s", path);
		goto fail;
	}
	r = xcalloc(1, sizeof(*r));
	r->name = xstrdup(strcmp(path, "-") == 0 ? "(stdin)" : path);
	r->fd = fd;
	r->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;

	/* Detect the format from the first four bytes. */
	while (r->npre < sizeof(r->pre) &&
	    (k = raw_read(r, r->pre + r->npre, sizeof(r->pre) - r->npre)) > 0)
		r->npre += k;
	if (r->npre >= 2 && r->pre[0] == 0x1f && r->pre[1] == 0x8b)
		r->kind = GZIP;
	else if (r->npre == 4 && (memcmp(r->pre, "\x28\xb5\x2f\xfd", 4) == 0 ||
	    /* a skippable frame first, as pzstd writes: 0x184D2A5? LE */
	    ((r->pre[0] & 0xf0) == 0x50 && memcmp(r->pre + 1, "\x2a\x4d\x18",
	    3) == 0)))
		r->kind = ZSTD;
	/*
	 * The buffer and the inflater thread come with the first read, so
	 * that many operands opened at once cost little; a regular file is
	 * even closed until then ("parked"), so that thousands of operands
	 * (histograms to merge) do not run out of file descriptors.  It is
	 * read again from its start when reopened.
	 */
	if (S_ISREG(st.st_mode) && fd != STDIN_FILENO) {
		r->path = xstrdup(path);
		close(fd);
		r->fd = -1;
		r->npre = 0;
		r->rawpos = 0;
	}
	return r;
fail:
	if (fd != STDIN_FILENO)
		close(fd);
	return NULL;
}

static void
start(struct rd *r)
{
	if (r->fd < 0 && (r->fd = open(r->path, O_RDONLY | O_CLOEXEC)) < 0)
		die_errno("%s: cannot open again", r->name);
	r->cap = RD_BUFSZ;
	r->buf = xmalloc(r->cap);
	if (r->kind != RAW) {
		pthread_mutex_init(&r->mu, NULL);
		pthread_cond_init(&r->cv, NULL);
		if (big_input(r))
			r->qregion = rd_huge(NCHUNK * CHUNKSZ);
		for (r->nspare = 0; r->nspare < NCHUNK; r->nspare++)
			r->spare[r->nspare] = r->qregion != NULL ?
			    r->qregion + r->nspare * CHUNKSZ : xmalloc(CHUNKSZ);
		if (pthread_create(&r->thr, NULL, inflater, r) != 0)
			dief("%s: cannot start decompression thread", r->name);
		r->thr_started = 1;
	}
}

/* Make room and read more; returns 0 when the source is exhausted. */
static int
fill(struct rd *r)
{
	size_t k, want;

	if (r->eof)
		return 0;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->scan -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->end < RD_BUFSZ / 2)
		buf_grow(r, r->cap * 2);
	/* at most READ_MAX: what the caller takes next is still in the
	 * cache, and a buffer larger than that is never touched all over.
	 * The first read, mostly for a header line, takes READ_FIRST at
	 * most: a reader that goes on with rd_block_into() reads into
	 * buffers of its own and never touches more of this one, and a page
	 * touched for the first time is costly (17 us a page in a virtual
	 * machine here). */
	want = r->cap - r->end < READ_MAX ? r->cap - r->end : READ_MAX;
	if (!r->started && want > READ_FIRST)
		want = READ_FIRST;
	k = src_read(r, r->buf + r->end, want);
	if (k == 0) {
		r->eof = 1;
		return 0;
	}
	/* Drop a byte order mark at the very start of the input. */
	if (!r->started && !r->raw && r->end == 0 && k >= 3 &&
	    memcmp(r->buf, "\xef\xbb\xbf", 3) == 0) {
		memmove(r->buf, r->buf + 3, k - 3);
		k -= 3;
	}
	r->started = 1;
	r->end += k;
	return 1;
}

int
rd_line(struct rd *r, struct span *line)
{
	char *nl;
	size_t len;

	if (r->buf == NULL)
		start(r);
	for (;;) {
		nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
		if (nl != NULL)
			break;
		r->scan = r->end;
		if (!fill(r)) {
			if (r->pos == r->end)
				return 0;
			/* last line without a newline */
			len = r->end - r->pos;
			line->p = r->buf + r->pos;
			r->linepos = r->pos;
			r->pos = r->scan = r->end;
			r->newline = 0;
			goto out;
		}
	}
	len = (size_t)(nl - (r->buf + r->pos));
	line->p = r->buf + r->pos;
	r->linepos = r->pos;
	r->pos = r->scan = len + r->pos + 1;
	r->newline = 1;
out:
	if (len > 0 && line->p[len - 1] == '\r' && !r->raw)
		len--;
	line->n = len;
	r->lineno++;
	return 1;
}

/*
 * Compressed input, the line buffer holding no whole line: the whole
 * lines of the inflater's current chunk that end within max, handed out
 * where they are instead of copied to the buffer first.  A line that
 * starts in the buffer, or that the chunk ends in the middle of, is put
 * together in the buffer from its end in the (next) chunk and handed out
 * alone.  0 when there is nothing of the kind (a line longer than a
 * chunk, the end of the data): the buffer goes on from where this left
 * off.
 */
static int
q_block(struct rd *r, size_t max, struct span *block)
{
	const char *p, *nl;
	size_t avail, k;

	if (r->pos == r->end) {
		if (r->curpos == r->cur.n && !q_next(r, 0))
			return 0;
		p = r->cur.p + r->curpos;
		avail = r->cur.n - r->curpos;
		if ((nl = memrchr(p, '\n', avail < max ? avail : max)) !=
		    NULL) {
			block->p = p;
			block->n = (size_t)(nl + 1 - p);
			r->curpos += block->n;
			r->newline = 1;
			return 1;
		}
		if (avail >= max || avail > r->cap)
			return 0;
		memcpy(r->buf, p, avail);
		r->pos = 0;
		r->end = r->scan = avail;
		r->curpos = r->cur.n;
	} else if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->scan = r->end;
		r->pos = 0;
	}
	/* the buffer holds a line's start: its end from the chunk */
	if (r->curpos == r->cur.n && !q_next(r, 0))
		return 0;
	p = r->cur.p + r->curpos;
	if ((nl = memchr(p, '\n', r->cur.n - r->curpos)) == NULL ||
	    (k = (size_t)(nl + 1 - p)) > r->cap - r->end)
		return 0;
	memcpy(r->buf + r->end, p, k);
	r->curpos += k;
	block->p = r->buf;
	block->n = r->end + k;
	r->pos = r->end = r->scan = 0;
	r->newline = 1;
	return 1;
}

/*
 * Bytes in [pos, scan) hold no newline, as in rd_line: a line longer
 * than what one fill brings is searched once, not again after each.
 */
int
rd_block(struct rd *r, size_t max, struct span *block)
{
	const char *nl;
	size_t lim, from;

	if (r->buf == NULL)
		start(r);
	if (max == 0)
		max = 1;
	if (r->kind != RAW && r->started && !r->eof && memchr(r->buf +
	    r->scan, '\n', r->end - r->scan) == NULL && q_block(r, max, block))
		return 1;
	for (;;) {
		lim = r->end - r->pos < max ? r->end : r->pos + max;
		if (r->scan < lim && (nl = memrchr(r->buf + r->scan, '\n',
		    lim - r->scan)) != NULL)
			break;
		/* no line ends within max: the first line, whole */
		from = r->scan > lim ? r->scan : lim;
		if ((nl = memchr(r->buf + from, '\n', r->end - from)) != NULL)
			break;
		r->scan = r->end;
		if (!fill(r)) {
			if (r->pos == r->end)
				return 0;
			/* the last line, without a newline */
			block->p = r->buf + r->pos;
			block->n = r->end - r->pos;
			r->pos = r->scan = r->end;
			r->newline = 0;
			return 1;
		}
	}
	block->p = r->buf + r->pos;
	block->n = (size_t)(nl + 1 - block->p);
	r->pos = r->scan = r->pos + block->n;
	r->newline = 1;
	return 1;
}

/* Room for n more bytes after len in *buf: realloc'd, or, when it is
 * a region of rd_huge(), copied to malloc's memory (the caller still
 * owns the region). */
static void
room(char **buf, size_t len, size_t *cap, size_t n)
{
	char *b;

	if (*cap - len < n) {
		while (*cap - len < n)
			*cap = *cap ? *cap * 2 : n;
		if (*buf != NULL && huge_has(*buf)) {
			b = xmalloc(*cap);
			memcpy(b, *buf, len);
			*buf = b;
		} else
			*buf = xrealloc(*buf, *cap);
	}
}

/*
 * Less room than this, and rd_block_into() fills the reader's buffer
 * rather than read a few bytes; the next calls copy from it.  Rare with
 * a large buffer: only when it runs dry with the buffer nearly full.
 */
#define DIRECT_MIN	4096

/*
 * When the reader's buffer holds no more than the start of a line (and
 * the input has started, so that a byte order mark is gone), that start
 * is moved to the caller's buffer and the input read after it, until a
 * newline comes or max bytes are there; what follows the last newline
 * goes back to the reader's buffer.  A line longer than max goes back
 * whole, and rd_block() takes it.
 */
int
rd_block_into(struct rd *r, size_t max, char **buf, size_t *len, size_t *cap)
{
	struct span b;
	const char *nl;
	size_t have, k, tail;
	char *d;

	if (r->buf == NULL)
		start(r);
	if (max < DIRECT_MIN || !r->started || r->eof ||
	    memchr(r->buf + r->scan, '\n', r->end - r->scan) != NULL ||
	    r->end - r->pos >= max) {
		if (!rd_block(r, max, &b))
			return 0;
		room(buf, *len, cap, b.n);
		memcpy(*buf + *len, b.p, b.n);
		*len += b.n;
		return 1;
	}
	room(buf, *len, cap, max);
	d = *buf + *len;
	have = r->end - r->pos;
	memcpy(d, r->buf + r->pos, have);
	r->pos = r->end = r->scan = 0;
	nl = NULL;
	while (have < max) {
		if ((k = src_read(r, d + have, max - have)) == 0) {
			r->eof = 1;
			break;
		}
		nl = memrchr(d + have, '\n', k);
		have += k;
		if (nl != NULL)
			break;
	}
	if (nl == NULL) {
		if (have == 0)
			return 0;
		if (r->eof) {
			/* the last line, without a newline */
			*len += have;
			r->newline = 0;
			return 1;
		}
		/* a line longer than max: back, for rd_block() */
		if (r->cap < have + RD_BUFSZ / 2)
			buf_grow(r, have + RD_BUFSZ);
		memcpy(r->buf, d, have);
		r->end = r->scan = have;
		if (!rd_block(r, max, &b))
			return 0;	/* (not reached: the line is there) */
		room(buf, *len, cap, b.n);
		memcpy(*buf + *len, b.p, b.n);
		*len += b.n;
		return 1;
	}
	tail = (size_t)(d + have - (nl + 1));
	memcpy(r->buf, nl + 1, tail);
	r->end = r->scan = tail;	/* no newline in it */
	*len += have - tail;
	r->newline = 1;
	return 1;
}

void
rd_add_lines(struct rd *r, uint64_t n)
{
	r->lineno += n;
}

int
rd_piece(struct rd *r, struct span *piece, int *eol)
{
	char *nl;
	size_t len;
	int first;

	if (r->buf == NULL)
		start(r);
	first = !r->midline;
	for (;;) {
		nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
		if (nl != NULL) {
			len = (size_t)(nl - (r->buf + r->pos));
			piece->p = r->buf + r->pos;
			r->pos = r->scan = r->pos + len + 1;
			r->newline = 1;
			*eol = 1;
			break;
		}
		r->scan = r->end;
		if (r->end - r->pos >= PIECESZ) {
			len = r->end - r->pos;
			piece->p = r->buf + r->pos;
			/* a "\r" may precede the "\n" still to come */
			if (piece->p[len - 1] == '\r' && !r->raw)
				len--;
			r->pos = r->scan = r->pos + len;
			piece->n = len;
			*eol = 0;
			r->midline = 1;
			if (first)
				r->lineno++;
			return 1;
		}
		if (!fill(r)) {
			if (r->pos == r->end) {
				if (!first) {
					/* the line's end: an empty last piece */
					piece->p = r->buf + r->pos;
					piece->n = 0;
					*eol = 1;
					r->midline = 0;
					r->newline = 0;
					return 1;
				}
				return 0;
			}
			len = r->end - r->pos;
			piece->p = r->buf + r->pos;
			r->pos = r->scan = r->end;
			r->newline = 0;
			*eol = 1;
			break;
		}
	}
	if (len > 0 && piece->p[len - 1] == '\r' && !r->raw)
		len--;
	piece->n = len;
	r->midline = 0;
	if (first)
		r->lineno++;
	return 1;
}

int
rd_peek(struct rd *r, struct span *ahead)
{
	if (r->buf == NULL)
		start(r);
	while (memchr(r->buf + r->pos, '\n', r->end - r->pos) == NULL &&
	    r->end - r->pos < PIECESZ && fill(r))
		;
	ahead->p = r->buf + r->pos;
	ahead->n = r->end - r->pos;
	if (ahead->n == 0)
		return 0;
	return memchr(ahead->p, '\n', ahead->n) != NULL || r->eof ? 2 : 1;
}

void
rd_raw(struct rd *r)
{
	r->raw = 1;
}

int
rd_had_newline(const struct rd *r)
{
	return r->newline;
}

const char *
rd_name(const struct rd *r)
{
	return r->name;
}

uint64_t
rd_lineno(const struct rd *r)
{
	return r->lineno;
}

/*
 * buf[end - 1] is the byte rawpos - 1 of the file: both count from the
 * same read, a dropped byte order mark included (it is read, not kept).
 */
uint64_t
rd_line_offset(const struct rd *r)
{
	if (r->path == NULL || r->kind != RAW || r->buf == NULL ||
	    r->lineno == 0)
		return UINT64_MAX;
	return r->rawpos - r->end + r->linepos;
}

int
rd_rest(struct rd *r, int *fd, uint64_t *off)
{
	if ((*off = rd_line_offset(r)) == UINT64_MAX || r->fd < 0)
		return 0;
	*fd = r->fd;
	return 1;
}

void
rd_rest_at(struct rd *r, uint64_t off)
{
	__atomic_store_n(&r->rawpos, off, __ATOMIC_RELAXED);
}

void
rd_rest_end(struct rd *r, uint64_t off)
{
	r->pos = r->end = r->scan = r->linepos = 0;
	r->eof = 1;
	rd_rest_at(r, off);
}

uint64_t
rd_size(const struct rd *r)
{
	return r->size;
}

uint64_t
rd_rawpos(const struct rd *r)
{
	return __atomic_load_n(&r->rawpos, __ATOMIC_RELAXED);
}

void
rd_close(struct rd *r)
{
	unsigned i;

	if (r == NULL)
		return;
	if (r->thr_started) {
		pthread_mutex_lock(&r->mu);
		r->qstop = 1;
		/* Return every queued chunk so a blocked producer wakes. */
		while (r->qlen > 0) {
			r->spare[r->nspare++] = r->q[r->qhead].p;
			r->qhead = (r->qhead + 1) % NCHUNK;
			r->qlen--;
		}
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thr, NULL);
		while (r->qlen > 0) {
			r->spare[r->nspare++] = r->q[r->qhead].p;
			r->qhead = (r->qhead + 1) % NCHUNK;
			r->qlen--;
		}
		if (r->cur.p != NULL)
			r->spare[r->nspare++] = r->cur.p;
		if (r->qregion != NULL)
			rd_huge_free(r->qregion, NCHUNK * CHUNKSZ);
		else
			for (i = 0; i < r->nspare; i++)
				free(r->spare[i]);
		free(r->qerr);
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
	}
	if (r->fd >= 0 && r->fd != STDIN_FILENO)
		close(r->fd);
	free(r->buf);
	free(r->path);
	free(r->name);
	free(r);
}

void
rd_one_stdin(char **names, int n)
{
	int i, seen = 0;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], "-") == 0 && seen++)
			die_usage("'-' (the standard input) is named twice");
}

struct rd **
rd_open_all(char **names, int n, int *nout)
{
	static char *dash[] = { "-" };
	struct rd **v;
	int i, failed = 0;

	if (n == 0) {
		names = dash;
		n = 1;
	}
	rd_one_stdin(names, n);
	v = xcalloc((size_t)n, sizeof(*v));
	for (i = 0; i < n; i++)
		if ((v[i] = rd_open(names[i])) == NULL)
			failed = 1;
	if (failed)
		exit(EXIT_TROUBLE);
	*nout = n;
	return v;
}
