/*
 * queue.c - a group's buffered rows, oldest first.
 *
 * Rows live in a ring (a power of two of them), so that dropping the
 * committed front moves nothing; their key and ts text lives in chunks
 * of at least QCHUNK bytes, filled in order and kept for reuse once every
 * row using them is dropped, so that no text is ever moved either.  The
 * last MEM_PAD bytes of a chunk hold no text: a key may be read and
 * written MEM_PAD bytes at a time (mem_same_pad()).  A queue
 * holds at most a window of events and one row more (a row stands for
 * one event or more), so both stay bounded.
 *
 * A queue that holds many events is written and walked over megabytes:
 * with 4 KiB pages that is a TLB miss every few rows, which this
 * machine's nested paging makes dear.  A ring of 2 MiB or more, and the
 * text chunks of a queue that uses more than QHUGE_AFTER of them, are
 * therefore on 2 MiB huge pages where the system gives them (rd_huge()),
 * the chunks cut from them QHUGE at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "diverge.h"
#include "rd.h"

#define QCHUNK	(64 * 1024)
#define QROOM	(QCHUNK - MEM_PAD)	/* a chunk's room for text */
#define POP_ROWS	8192	/* ring slots faulted in at a time */
#define QHUGE	((size_t)1 << 21)	/* a huge page */
#define QHUGE_AFTER	8	/* chunks a queue uses before huge pages */
#define HUGE_ROWS	(4 * POP_ROWS)	/* ring slots used before them */

static struct tchunk *
chunk_at(struct queue *q, size_t i)
{
	return &q->ch[(q->chead + i) & (q->chcap - 1)];	/* a power of 2 */
}

/* Chunks for q's spare list, cut from a huge page when one is given. */
static void
carve(struct queue *q)
{
	char *p = rd_huge(QHUGE);

	if (p == NULL)
		return;
	mem_populate(p, QHUGE);
	q->region = xreallocarray(q->region, q->nregion + 1,
	    sizeof(*q->region));
	q->region[q->nregion++] = p;
	for (size_t o = QHUGE; o >= QCHUNK; o -= QCHUNK) {
		memcpy(p + o - QCHUNK, &q->spare, sizeof(q->spare));
		q->spare = p + o - QCHUNK;
	}
}

/* Whether chunk p was cut from one of q's huge pages. */
static int
carved(const struct queue *q, const char *p)
{
	for (size_t i = 0; i < q->nregion; i++)
		if ((uintptr_t)p - (uintptr_t)q->region[i] < QHUGE)
			return 1;
	return 0;
}

/* A new current chunk with room for n bytes of text. */
void
q_chunk(struct queue *q, size_t n)
{
	struct tchunk *c;

	if (q->nch == q->chcap) {	/* grow the ring of chunks */
		size_t cap = q->chcap ? 2 * q->chcap : 8;
		struct tchunk *ch = xcalloc(cap, sizeof(*ch));

		for (size_t i = 0; i < q->nch; i++)
			ch[i] = *chunk_at(q, i);
		free(q->ch);
		q->ch = ch;
		q->chcap = cap;
		q->chead = 0;
		q->cur = q->nch > 0 ? &ch[q->nch - 1] : NULL;
	}
	c = chunk_at(q, q->nch++);
	if (q->spare == NULL && n <= QROOM && q->nch > QHUGE_AFTER)
		carve(q);
	if (q->spare != NULL && n <= QROOM) {
		c->p = q->spare;
		c->cap = QROOM;
		memcpy(&q->spare, c->p, sizeof(q->spare));
	} else {
		c->cap = n > QROOM ? n : QROOM;
		c->p = xmalloc(c->cap + MEM_PAD);
		mem_populate(c->p, c->cap + MEM_PAD);
	}
	c->used = 0;
	q->cur = c;
}

static void
free_ring(struct queue *q)
{
	if (q->rowhuge > 0)
		rd_huge_free(q->row, (q->mask + 1) * sizeof(*q->row));
	else
		free(q->row);
}

/* q's rows moved to a ring of cap slots, on huge pages if huge (and
 * given); its first slots, those in use, faulted in. */
static void
ring_move(struct queue *q, size_t cap, int huge)
{
	struct row *row = NULL;

	if (huge && (row = rd_huge(cap * sizeof(*row))) == NULL)
		huge = -1;	/* not given: no more tries */
	if (row == NULL)
		row = xreallocarray(NULL, cap, sizeof(*row));
	for (uint64_t i = q->head; i < q->tail; i++)
		row[i - q->head] = q->row[i & q->mask];
	free_ring(q);
	q->row = row;
	q->rowhuge = huge;
	q->tail -= q->head;
	q->head = 0;
	q->mask = cap - 1;
	q->popped = (size_t)q->tail;
}

/*
 * Room for a row at the tail.  A ring twice the size, or a first one:
 * without --by, of the size a window needs (up to 2^20 rows), as the one
 * pair fills it anyway and copying it as it grows would cost more than
 * the rows; its pages are faulted in as it first fills.  A ring of
 * QHUGE bytes or more moves to huge pages once HUGE_ROWS of it are used
 * (two sequences in step use a few rows only).
 */
void
q_grow(struct queue *q)
{
	size_t cap = 2 * (q->mask + 1);
	int huge = cap * sizeof(*q->row) >= QHUGE;

	if (q->row != NULL && q->tail - q->head < q->mask + 1) {
		size_t n = q->mask + 1 - q->popped;

		if (q->rowhuge == 0 && q->popped >= HUGE_ROWS &&
		    (q->mask + 1) * sizeof(*q->row) >= QHUGE) {
			ring_move(q, q->mask + 1, 1);
			q_grow(q);
			return;
		}
		if (n > POP_ROWS)
			n = POP_ROWS;
		mem_populate(q->row + q->popped, n * sizeof(*q->row));
		q->popped += n;
		return;
	}
	if (q->row == NULL) {
		for (cap = 64; !opt_by && cap < (1 << 20) &&
		    cap < opt_window + 2; cap *= 2)
			;
		huge = 0;	/* until HUGE_ROWS are used */
	}
	ring_move(q, cap, huge && q->rowhuge >= 0);
	q_grow(q);
}

/* An empty queue starts its ring and its text over, so that a queue
 * that empties often (two sequences in step) stays in a few cache
 * lines. */
void
q_recycle(struct queue *q)
{
	while (q->nch > 0 && chunk_at(q, 0)->last < q->head) {
		struct tchunk *c = chunk_at(q, 0);

		if (q->nch == 1 && q->head == q->tail)
			break;		/* keep the last one */
		/* kept for reuse: no more than the queue's largest size */
		if (c->cap == QROOM) {
			memcpy(c->p, &q->spare, sizeof(q->spare));
			q->spare = c->p;
		} else
			free(c->p);
		q->chead = (q->chead + 1) & (q->chcap - 1);
		if (--q->nch == 0)
			q->cur = NULL;
	}
	if (q->head == q->tail) {
		q->head = q->tail = 0;
		if (q->nch == 1) {
			q->cur->used = 0;
			q->cur->last = 0;
		}
	}
}

void
q_drop(struct queue *q, uint64_t n)
{
	if (q->virt > 0) {
		uint64_t v = n < q->virt ? n : q->virt;

		q->virt -= v;
		q->nev -= v;
		n -= v;
	}
	if (q->nev == q->tail - q->head) {
		q->head += n;	/* every row one event: no need to look */
		q->nev -= n;
		n = 0;
	} else
		q->nev -= n;
	while (n > 0) {
		struct row *r = &q->row[q->head & q->mask];
		uint64_t rn = row_n(r);

		if (rn > n) {	/* (a row of several: its count in text) */
			rn -= n;
			memcpy(r->k - sizeof(rn), &rn, sizeof(rn));
			break;
		}
		n -= rn;
		q->head++;
	}
	q_recycle(q);
}

void
q_free(struct queue *q)
{
	for (size_t i = 0; i < q->nch; i++)
		if (!carved(q, chunk_at(q, i)->p))
			free(chunk_at(q, i)->p);
	free(q->ch);
	while (q->spare != NULL) {
		char *next;

		memcpy(&next, q->spare, sizeof(next));
		if (!carved(q, q->spare))
			free(q->spare);
		q->spare = next;
	}
	for (size_t i = 0; i < q->nregion; i++)
		rd_huge_free(q->region[i], QHUGE);
	free(q->region);
	free_ring(q);
	for (int j = 0; j < 2; j++)
		for (int i = 0; i < NKEYS_SHOWN; i++)
			sb_free(&q->spottxt[j][i]);
	memset(q, 0, sizeof(*q));
}
