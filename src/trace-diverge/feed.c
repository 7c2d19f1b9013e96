/*
 * feed.c - each input read and parsed on a thread of its own, or the
 * reference's on the main thread.
 *
 * Reading and splitting lines is most of the work of comparing two
 * streams that agree, and the two inputs are independent: a thread per
 * input fills batches of parsed rows (their text copied into the batch,
 * or, for an event stream, read into it in blocks and left where it
 * lies: main.c), and the main thread takes them in order, a batch at a
 * time, to group, buffer and align.  At most FEED_DEPTH batches a side
 * are in flight, so memory stays bounded.  A reading thread's fatal
 * error (a parse or read error) ends its batch at the rows before it
 * and is reported by the main thread once it has taken them
 * (msg_catch()), so the error reported is the first in the order rows
 * are compared, whichever thread finds one first; with --first, one
 * past the first divergence is never reported, as cmp reads no further.
 *
 * When the main thread has little to do with a row (no --by), one side
 * is better filled on the main thread itself, a batch when the last is
 * used up (feed_start()'s here): two busy threads on two cores rather
 * than three, and the batch just filled is still in the main thread's
 * cache when it is compared.  Its errors are caught and reported the
 * same way.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diverge.h"
#include "rd.h"

#define FEED_DEPTH	4	/* batches a side, parsed or being parsed */
#define WAKE_FREE	2	/* batches handed back before a wake-up */

struct batch {
	struct rows	 r;
	int		 eof;		/* the last batch */
	int		 err;		/* ... cut short by an error: */
	char		*msg;		/* its message (msg_catch()) */
	struct batch	*next;
};

struct feed {
	struct feedpos	 pos;		/* first: feed_next() reads it */
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct batch	*full, *last;	/* parsed, oldest first */
	struct batch	*free;
	int		 nbatch;	/* allocated */
	int		 nfree;		/* on free */
	int		 nfull;		/* on full (read unlocked: spin()) */
	int		 (*fill)(void *, struct rows *);
	void		*arg;
	struct batch	*cur;		/* being consumed */
	struct msg_catch mc;		/* the reading thread's errors */
	int		 here;		/* no thread: filled by feed_refill() */
	char		 pad[64];	/* pos apart from the next feed */
};

static void
lock(struct feed *f)
{
	if (pthread_mutex_lock(&f->mu) != 0)
		dief("pthread_mutex_lock failed");
}

static void
unlock(struct feed *f)
{
	pthread_mutex_unlock(&f->mu);
}

static void
wait_cv(struct feed *f)
{
	if (pthread_cond_wait(&f->cv, &f->mu) != 0)
		dief("pthread_cond_wait failed");
}

/*
 * Fill batch b; 0 at the end of input.  An error ends the batch at the
 * rows before it, its message kept for the main thread to report when
 * it has taken them.
 */
static int
fill_caught(struct feed *f, struct batch *b)
{
	int more;

	msg_catch(&f->mc);
	if (setjmp(f->mc.jb) != 0) {
		b->err = 1;
		b->msg = f->mc.text;
		return 0;
	}
	more = f->fill(f->arg, &b->r);
	msg_catch(NULL);
	return more;
}

/*
 * The batches' row arrays and text, cut from one 2 MiB huge page while
 * it lasts (rd_huge()), as a TLB miss every few rows costs more than
 * the row here: the main thread reads what a reading thread wrote, and
 * read(2) copies into the text; the fewer pages they span the better.
 * After that, or when no huge page is given, malloc's.  Rows that
 * outgrow their array move to malloc's memory (rows_grow()), text that
 * outgrows its room too (rd_block_into()); a keyed stream's batches
 * take malloc's text from the start (fill_rows()).
 */
#define REGION		((size_t)2 << 20)
#define ROWS_SZ		(2 * FEED_ROWS * sizeof(struct prow))
#define TXT_SZ		(FEED_BYTES + 4096)
static pthread_mutex_t	 regmu = PTHREAD_MUTEX_INITIALIZER;
static char		*region;
static size_t		 regused;

/* A batch, its text and rows at their usual size, faulted in at once. */
static struct batch *
new_batch(void)
{
	struct batch *b = xcalloc(1, sizeof(*b));
	char *p = NULL;

	pthread_mutex_lock(&regmu);
	if (region == NULL && regused == 0 &&
	    (region = rd_huge(REGION)) == NULL)
		regused = REGION;	/* none given: no more tries */
	if (region != NULL && REGION - regused >= ROWS_SZ + TXT_SZ) {
		p = region + regused;
		regused += ROWS_SZ + TXT_SZ;
	}
	pthread_mutex_unlock(&regmu);
	b->r.cap = 2 * FEED_ROWS;
	if (p != NULL) {
		b->r.row = (struct prow *)(void *)p;
		b->r.fixed = 1;
		b->r.txt.p = p + ROWS_SZ;
		b->r.txt.cap = TXT_SZ;
		b->r.txtfixed = 1;
		mem_populate(p, ROWS_SZ + FEED_BYTES);
		return b;
	}
	b->r.row = xreallocarray(NULL, b->r.cap, sizeof(*b->r.row));
	mem_populate(b->r.row, b->r.cap * sizeof(*b->r.row));
	mem_populate(sb_reserve(&b->r.txt, FEED_BYTES), FEED_BYTES);
	return b;
}

/* Empty batch b and fill it; 0 at the end of input (b->eof). */
static int
fill_batch(struct feed *f, struct batch *b)
{
	b->r.nrow = 0;
	sb_clear(&b->r.txt);
	b->eof = !fill_caught(f, b);
	return !b->eof;
}

/*
 * Wait up to SPIN_NS for *n to become non-zero, without sleeping: the
 * batch about to come is usually done sooner than a thread that sleeps
 * for it would be woken (8-14 us a switch here, and the wake-up's
 * latency on top).
 */
#define SPIN_NS	50000
static void
spin(const int *n)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		for (int i = 0; i < 32; i++) {
			if (__atomic_load_n(n, __ATOMIC_ACQUIRE) != 0)
				return;
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#endif
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec -
		    t0.tv_nsec > SPIN_NS)
			return;
	}
}

static void *
producer(void *p)
{
	struct feed *f = p;

	for (;;) {
		struct batch *b;
		int more;

		lock(f);
		while (f->free == NULL && f->nbatch == FEED_DEPTH)
			wait_cv(f);
		if ((b = f->free) != NULL) {
			f->free = b->next;
			f->nfree--;
		} else
			f->nbatch++;
		unlock(f);
		if (b == NULL)
			b = new_batch();
		b->next = NULL;
		more = fill_batch(f, b);
		lock(f);
		if (f->last != NULL)
			f->last->next = b;
		else
			f->full = b;
		f->last = b;
		__atomic_add_fetch(&f->nfull, 1, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&f->cv);
		unlock(f);
		if (!more)
			return NULL;
	}
}

struct feed *
feed_start(int (*fill)(void *, struct rows *), void *arg, int here)
{
	struct feed *f = xcalloc(1, sizeof(*f));
	int e;

	f->fill = fill;
	f->arg = arg;
	if (here) {		/* its one batch, empty */
		f->here = 1;
		f->cur = new_batch();
		return f;
	}
	if (pthread_mutex_init(&f->mu, NULL) != 0 ||
	    pthread_cond_init(&f->cv, NULL) != 0)
		dief("cannot set up a reading thread");
	if ((e = pthread_create(&f->th, NULL, producer, f)) != 0) {
		errno = e;
		die_errno("cannot start a reading thread");
	}
	return f;
}

int
feed_refill(struct feed *f)
{
	struct batch *b = f->cur;

	if (b != NULL && b->eof) {
		if (b->err)
			die_caught(b->msg);
		return 0;
	}
	if (f->here)		/* its one batch, filled again */
		fill_batch(f, b);
	else {
		lock(f);
		if (b != NULL) {	/* hand it back */
			b->next = f->free;
			f->free = b;
			/* a waiting thread is woken for WAKE_FREE batches
			 * at once (a wake-up costs more than a row), or when
			 * none is left to take */
			if (++f->nfree >= WAKE_FREE || f->full == NULL)
				pthread_cond_broadcast(&f->cv);
		}
		if (f->full == NULL) {
			unlock(f);
			spin(&f->nfull);
			lock(f);
		}
		while (f->full == NULL)
			wait_cv(f);
		b = f->cur = f->full;
		__atomic_sub_fetch(&f->nfull, 1, __ATOMIC_RELAXED);
		if ((f->full = b->next) == NULL)
			f->last = NULL;
		unlock(f);
	}
	f->pos.row = b->r.row;
	f->pos.next = 0;
	f->pos.nrow = b->r.nrow;
	f->pos.txt = b->r.txt.p;
	f->pos.txtcap = b->r.txt.cap;
	if (b->r.nrow == 0 && b->err)
		die_caught(b->msg);
	return b->r.nrow > 0 || !b->eof ? 1 : 0;
}

int
feed_end(struct feed *f)
{
	/* A thread that delivered its last batch has ended: join it; one
	 * cut short (--first) may wait for room, and ends with the
	 * process. */
	if (f->cur != NULL && f->cur->eof) {
		if (!f->here)
			pthread_join(f->th, NULL);
		return 1;
	}
	if (!f->here)
		pthread_detach(f->th);
	return 0;
}
