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

/* A chunk of text; rows up to (absolute index) last use it. */
struct tchunk {
	char		*p;
	size_t		 used, cap;
	uint64_t	 last;
};

static struct tchunk *
chunk_at(struct queue *q, size_t i)
{
	return &q->ch[(q->chead + i) & (q->chcap - 1)];	/* a power of 2 */
}

/* A new current chunk with room for n bytes of text. */
static void
new_chunk(struct queue *q, size_t n)
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
	}
	c->used = 0;
	q->cur = c;
}

/*
 * Copy n bytes; the short strings of traces (keys, times) without a
 * call: overlapping words, as mem_same() compares them.
 */
static inline void
copy_short(char *d, const char *s, size_t n)
{
	uint64_t a, b;
	uint32_t c, e;

	if (n >= 8 && n <= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&c, s, 4);
		memcpy(&e, s + n - 4, 4);
		memcpy(d, &c, 4);
		memcpy(d + n - 4, &e, 4);
	} else if (n > 0 && n < 4) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	} else if (n > 16)
		memcpy(d, s, n);
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
	if (q->cur == NULL || q->cur->cap - q->cur->used < key.n + ts.n)
		new_chunk(q, key.n + ts.n);
	t = q->cur->p + q->cur->used;
	copy_short(t, key.p, key.n);
	copy_short(t + key.n, ts.p, ts.n);
	q->cur->used += key.n + ts.n;
	q->cur->last = q->tail;
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
	/* recycle the chunks no row uses any more */
	while (q->nch > 0 && chunk_at(q, 0)->last < q->head) {
		struct tchunk *c = chunk_at(q, 0);

		if (q->nch == 1 && q->head == q->tail) {
			c->used = 0;	/* keep the last one */
			break;
		}
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
	memset(q, 0, sizeof(*q));
}
