/*
 * queue.c - a group's buffered rows, oldest first.
 *
 * Rows live in a ring (a power of two of them), so that dropping the
 * committed front moves nothing; their key and ts text lives in chunks
 * of at least QCHUNK bytes, filled in order and recycled once every row
 * using them is dropped, so that no text is ever moved either.  A queue
 * holds at most a window of events and one row more (a row stands for
 * one event or more), so both stay bounded.
 */
#include <stdlib.h>
#include <string.h>

#include "diverge.h"

#define QCHUNK	(64 * 1024)

/* A chunk of text; rows up to (absolute index) last use it. */
struct tchunk {
	char		*p;
	size_t		 used, cap;
	uint64_t	 last;
};

static struct tchunk *
chunk_at(struct queue *q, size_t i)
{
	return &q->ch[(q->chead + i) % q->chcap];
}

/* Room for n bytes of text: the current chunk, or a new one. */
static char *
text_room(struct queue *q, size_t n)
{
	struct tchunk *c = q->nch > 0 ? chunk_at(q, q->nch - 1) : NULL;

	if (c != NULL && c->cap - c->used >= n)
		return c->p + c->used;
	if (q->nch == q->chcap) {	/* grow the ring of chunks */
		size_t cap = q->chcap ? 2 * q->chcap : 8;
		struct tchunk *ch = xcalloc(cap, sizeof(*ch));

		for (size_t i = 0; i < q->nch; i++)
			ch[i] = *chunk_at(q, i);
		free(q->ch);
		q->ch = ch;
		q->chcap = cap;
		q->chead = 0;
	}
	c = chunk_at(q, q->nch++);
	if (q->spare != NULL && q->sparecap >= n) {
		c->p = q->spare;
		c->cap = q->sparecap;
		q->spare = NULL;
	} else {
		c->cap = n > QCHUNK ? n : QCHUNK;
		c->p = xmalloc(c->cap);
	}
	c->used = 0;
	return c->p;
}

void
q_push(struct queue *q, uint64_t h, uint64_t n, struct span key,
    struct span ts)
{
	struct row *r;
	char *t;

	if (key.n > UINT32_MAX || ts.n > UINT32_MAX)
		dief("a key or ts longer than 4 GB");
	if (q->tail - q->head == q->mask + 1 || q->row == NULL) {
		size_t cap = q->row == NULL ? 64 : 2 * (q->mask + 1);
		struct row *row = xreallocarray(NULL, cap, sizeof(*row));

		for (uint64_t i = q->head; i < q->tail; i++)
			row[i - q->head] = q->row[i & q->mask];
		free(q->row);
		q->row = row;
		q->tail -= q->head;
		q->head = 0;
		q->mask = cap - 1;
	}
	t = text_room(q, key.n + ts.n);
	if (key.n > 0)
		memcpy(t, key.p, key.n);
	if (ts.n > 0)
		memcpy(t + key.n, ts.p, ts.n);
	chunk_at(q, q->nch - 1)->used += key.n + ts.n;
	chunk_at(q, q->nch - 1)->last = q->tail;
	r = &q->row[q->tail & q->mask];
	r->h = h;
	r->n = n;
	r->k = t;
	r->klen = (uint32_t)key.n;
	r->tlen = (uint32_t)ts.n;
	q->tail++;
	q->nev += n;
}

void
q_drop(struct queue *q, uint64_t n)
{
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
	/* recycle the chunks no row uses any more */
	while (q->nch > 0 && chunk_at(q, 0)->last < q->head) {
		struct tchunk *c = chunk_at(q, 0);

		if (q->nch == 1 && q->head == q->tail) {
			c->used = 0;	/* keep the last one */
			break;
		}
		if (q->spare == NULL) {
			q->spare = c->p;
			q->sparecap = c->cap;
		} else
			free(c->p);
		q->chead = (q->chead + 1) % q->chcap;
		q->nch--;
	}
}

void
q_free(struct queue *q)
{
	for (size_t i = 0; i < q->nch; i++)
		free(chunk_at(q, i)->p);
	free(q->ch);
	free(q->spare);
	free(q->row);
	memset(q, 0, sizeof(*q));
}
