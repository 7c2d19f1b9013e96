/*
 * queue.c - a group's buffered rows, oldest first.
 *
 * Rows live in a ring (a power of two of them), so that dropping the
 * committed front moves nothing; their key and ts text lives in chunks
 * of at least QCHUNK bytes, filled in order and kept for reuse once every
 * row using them is dropped, so that no text is ever moved either.  A queue
 * holds at most a window of events and one row more (a row stands for
 * one event or more), so both stay bounded.
 */
#include <stdlib.h>
#include <string.h>

#include "diverge.h"

#define QCHUNK	(64 * 1024)
#define POP_ROWS	8192	/* ring slots faulted in at a time */

static struct tchunk *
chunk_at(struct queue *q, size_t i)
{
	return &q->ch[(q->chead + i) & (q->chcap - 1)];	/* a power of 2 */
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
	if (q->spare != NULL && n <= QCHUNK) {
		c->p = q->spare;
		c->cap = QCHUNK;
		memcpy(&q->spare, c->p, sizeof(q->spare));
	} else {
		c->cap = n > QCHUNK ? n : QCHUNK;
		c->p = xmalloc(c->cap);
		mem_populate(c->p, c->cap);
	}
	c->used = 0;
	q->cur = c;
}

/*
 * A ring twice the size, or a first one: without --by, of the size a
 * window needs (up to 2^20 rows), as the one pair fills it anyway and
 * copying it as it grows would cost more than the rows.
 */
void
q_grow(struct queue *q)
{
	size_t cap = 2 * (q->mask + 1);
	struct row *row;

	if (q->row != NULL && q->tail - q->head < q->mask + 1) {
		/* the ring's pages are faulted in as it first fills */
		size_t n = q->mask + 1 - q->popped;

		if (n > POP_ROWS)
			n = POP_ROWS;
		mem_populate(q->row + q->popped, n * sizeof(*q->row));
		q->popped += n;
		return;
	}

	if (q->row == NULL)
		for (cap = 64; !opt_by && cap < (1 << 20) &&
		    cap < opt_window + 2; cap *= 2)
			;
	row = xreallocarray(NULL, cap, sizeof(*row));
	for (uint64_t i = q->head; i < q->tail; i++)
		row[i - q->head] = q->row[i & q->mask];
	free(q->row);
	q->row = row;
	q->tail -= q->head;
	q->head = 0;
	q->mask = cap - 1;
	q->popped = (size_t)q->tail;
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
		if (c->cap == QCHUNK) {
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

		if (r->n > n) {
			r->n -= n;
			break;
		}
		n -= r->n;
		q->head++;
	}
	q_recycle(q);
}

void
q_free(struct queue *q)
{
	for (size_t i = 0; i < q->nch; i++)
		free(chunk_at(q, i)->p);
	free(q->ch);
	while (q->spare != NULL) {
		char *next;

		memcpy(&next, q->spare, sizeof(next));
		free(q->spare);
		q->spare = next;
	}
	free(q->row);
	for (int j = 0; j < 2; j++)
		for (int i = 0; i < NKEYS_SHOWN; i++)
			sb_free(&q->spottxt[j][i]);
	memset(q, 0, sizeof(*q));
}
