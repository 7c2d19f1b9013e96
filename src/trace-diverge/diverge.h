/*
 * diverge.h - trace-diverge: where two threads' event sequences first
 * part ways.
 *
 * main.c reads both inputs, splits them into one sequence per thread
 * group and pairs the groups; align.c aligns a pair's buffered events a
 * window at a time (Myers' O(ND) pass) and commits hunks; out.c merges
 * and writes them, as TSV or Markdown.
 */
#ifndef TRACE_DIVERGE_H
#define TRACE_DIVERGE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ob.h"
#include "span.h"
#include "msg.h"
#include "xmem.h"

#define REF	0
#define CAND	1

#define NKEYS_SHOWN	5	/* ref_keys, cand_keys: up to 5 keys */
#define MD_HUNKS	20	/* -f md: hunks shown per pair */

/*
 * One buffered input row: a key and the events it stands for, one
 * unless ROW_MANY is set in tlen: then their number (not yet committed)
 * is a uint64_t in the 8 bytes before the key.  16 bytes a row, as a
 * window of an event stream is 100,000 of them a side.
 */
struct row {
	char		*k;		/* key text, then ts text */
	uint32_t	 klen;
	uint32_t	 tlen;		/* | ROW_MANY */
};
#define ROW_MANY	0x80000000u

static inline uint64_t
row_n(const struct row *r)
{
	uint64_t n;

	if (!(r->tlen & ROW_MANY))
		return 1;
	memcpy(&n, r->k - sizeof(n), sizeof(n));
	return n;
}

/* A chunk of a queue's text; rows up to (absolute index) last use it. */
struct tchunk {
	char		*p;
	size_t		 used, cap;
	uint64_t	 last;
};

/* A group's buffered rows, oldest first (queue.c). */
struct queue {
	struct row	*row;		/* ring: rows head..tail-1 */
	uint64_t	 head, tail;
	size_t		 mask;		/* of the ring's size */
	size_t		 popped;	/* ring slots 0..popped-1 faulted in */
	int		 rowhuge;	/* the ring is on huge pages (1), or
					   none are given (-1) */
	struct tchunk	*ch;		/* ring of text chunks */
	struct tchunk	*cur;		/* the newest, filled now */
	size_t		 chead, nch, chcap;
	char		*spare;		/* chunks to reuse, linked */
	char		**region;	/* huge pages cut into chunks */
	size_t		 nregion;
	uint64_t	 nev;		/* events buffered, virt included */
	uint64_t	 virt;		/* events before the rows, not stored */
	/* copies of virtual events 0..4 and h..h+4 (align.c) */
	struct row	 spot[2][NKEYS_SHOWN];
	struct sbuf	 spottxt[2][NKEYS_SHOWN];
};

/*
 * A queue's first virt events are known equal, one for one, to the first
 * virt of its partner's queue (both have the same virt): they are
 * counted, not stored, as alignment never looks at them again (align.c).
 * Row i of q, counted from the oldest stored.
 */
static inline struct row *
q_row(const struct queue *q, uint64_t i)
{
	return &q->row[(q->head + i) & q->mask];
}

static inline struct span
q_key(const struct row *r)
{
	return span_make(r->k, r->klen);
}

static inline struct span
q_ts(const struct row *r)
{
	return span_make(r->k + r->klen, r->tlen & ~ROW_MANY);
}

/* Room for a row at the tail: a larger ring (or a first), or more of
 * it faulted in. */
void	q_grow(struct queue *q);
void	q_chunk(struct queue *q, size_t n);

/* Append a row of n events (key and ts copied; the key under 4 GB, ts
 * under 2 GB). */
static inline void
q_push(struct queue *q, uint64_t n, struct span key, struct span ts)
{
	size_t m = n != 1 ? sizeof(n) : 0, len = m + key.n + ts.n;
	struct row *r;
	char *t;

	if (ts.n >= ROW_MANY)
		dief("internal error: a ts of 2 GB queued");
	if (q->tail - q->head == q->mask + 1 ||
	    (q->tail & q->mask) >= q->popped)
		q_grow(q);
	if (q->cur == NULL || q->cur->cap - q->cur->used < len)
		q_chunk(q, len);
	t = q->cur->p + q->cur->used;
	memcpy(t, &n, m);
	t += m;
	mem_copy(t, key.p, key.n);
	mem_copy(t + key.n, ts.p, ts.n);
	q->cur->used += len;
	q->cur->last = q->tail;
	r = &q->row[q->tail & q->mask];
	r->k = t;
	r->klen = (uint32_t)key.n;
	r->tlen = (uint32_t)ts.n | (m > 0 ? ROW_MANY : 0);
	q->tail++;
	q->nev += n;
}
/* Drop n events from the front. */
void	q_drop(struct queue *q, uint64_t n);
/* Recycle the chunks no row uses any more. */
void	q_recycle(struct queue *q);

/* The first row (of all its events) joins the virtual events. */
static inline void
q_shift(struct queue *q)
{
	q->virt += row_n(&q->row[q->head & q->mask]);
	if (++q->head == q->tail || q->ch[q->chead].last < q->head)
		q_recycle(q);
}
void	q_free(struct queue *q);

/* The sequence of one side's thread group. */
struct grp {
	int		 side;
	char		*name;		/* %-encoded values joined by ',' */
	uint64_t	 total;		/* events read */
	uint64_t	 done;		/* events committed or skipped */
	struct queue	 q;
	struct pair	*pair;		/* NULL: no partner (yet) */
	int		 drop;		/* count events only, buffer none */
	uint64_t	 waitlost;	/* events skipped waiting for a partner */
	char		*fts;		/* ts of the first event */
	struct sbuf	 fkeys;		/* its first keys, as in ref_keys */
	unsigned	 nfkeys;
};

enum kind { K_DELETED, K_INSERTED, K_CHANGED, K_LOST, K_UNPAIRED, K_N };

/* A hunk as written: positions are 1-based event indexes. */
struct hunk {
	enum kind	 kind;
	uint64_t	 pos[2], len[2];
	struct sbuf	 ts[2];		/* of the first event; empty: none */
	int		 hasts[2];
	struct sbuf	 keys[2];	/* ref_keys, cand_keys */
	unsigned	 nkeys[2];
};

/* An equal event before the first divergence (-f md context). */
struct ctx {
	uint64_t	 pos[2];
	struct sbuf	 key;
};

struct pair {
	struct grp	*g[2];
	size_t		 idx;		/* in order of pairing */
	struct hunk	 pend;		/* last hunk, while it may still grow */
	int		 haspend;
	int		 finished;	/* both sequences compared to the end */
	int		 stopped;	/* --first: divergence found */
	uint64_t	 eqknown;	/* events known equal from the heads */
	uint64_t	 nhunk[K_N], nev[K_N][2];
	/* -f md */
	struct ctx	*ctx;		/* ring of --context equal events */
	size_t		 nctx, ctxhead;
	int		 diverged;
	struct ctx	*first;		/* context of the first hunk */
	size_t		 nfirst;
	struct hunk	*shown;		/* the first MD_HUNKS hunks */
	size_t		 nshown;
};

/* A row parsed by a reading thread: offsets into its batch's text
 * (less than 4 GB: "a row of 4 GB", "a line of 4 GB"). */
struct prow {
	uint64_t	 n;		/* events */
	uint32_t	 koff, toff, boff;	/* key, ts, --by value */
	uint32_t	 klen, tlen, blen;
};

/* A batch of rows parsed by a reading thread, their text in txt. */
struct rows {
	struct prow	*row;
	size_t		 nrow, cap;
	int		 fixed;		/* row is not malloc's (feed.c) */
	struct sbuf	 txt;
	int		 txtfixed;	/* nor txt.p, to begin with */
};

/* Room for cap rows in b (more than it has). */
static inline void
rows_grow(struct rows *b, size_t cap)
{
	if (b->fixed) {		/* moved to malloc's memory */
		struct prow *r = xreallocarray(NULL, cap, sizeof(*r));

		memcpy(r, b->row, b->nrow * sizeof(*r));
		b->row = r;
		b->fixed = 0;
	} else
		b->row = xreallocarray(b->row, cap, sizeof(*b->row));
	b->cap = cap;
}
#define FEED_ROWS	4096		/* rows a batch, about */
#define FEED_BYTES	(96 * 1024)	/* text a batch, about */

/* feed.c: fill(arg, rows) on a thread of its own, or with here on the
 * thread that takes the rows, fills a batch (empty when called); 0 at
 * the end of input. */
struct feedpos {
	struct prow	*row;		/* the batch being consumed */
	size_t		 next, nrow;
	const char	*txt;
	size_t		 txtcap;	/* bytes that may be read at txt */
};
struct feed;
struct feed *feed_start(int (*fill)(void *, struct rows *), void *arg,
	    int here);
/* Take the next batch; 0 at the end. */
int	feed_refill(struct feed *f);
/* Done with the feed (its batches stay until the process ends); returns
 * whether its input was read to the end, its thread (if any) ended:
 * then the input may be closed. */
int	feed_end(struct feed *f);

/* Where f's batch at hand is read (its first member). */
static inline struct feedpos *
feed_pos(struct feed *f)
{
	return (struct feedpos *)f;
}

/* The next parsed row and its batch's text (valid until the next call);
 * 0 at the end. */
static inline int
feed_next(struct feed *f, struct prow **row, const char **txt)
{
	struct feedpos *p = feed_pos(f);

	while (p->next == p->nrow)
		if (!feed_refill(f))
			return 0;
	*row = &p->row[p->next++];
	*txt = p->txt;
	return 1;
}

/* lines.c: an event stream's lines (without --by), its key columns
 * kfirst..klast side by side. */
struct lines {
	size_t		 ncol, kfirst, klast;
	size_t		 ts;		/* SIZE_MAX: none */
	size_t		 need;		/* tabs whose offsets are kept */
	const char	*hdr;		/* the header line */
	size_t		 hlen;
	const char	*file;
	size_t		*tab;		/* need offsets */
	size_t		 step[4], nrank;	/* lines_ranks() */
	int		 kb, ke, tb, te;
	uint64_t	*t, *n;		/* a block's masks */
	size_t		 cap;
};
void	lines_init(void);
/* The tab ranks a row needs, set from ncol, kfirst, klast and ts. */
void	lines_ranks(struct lines *ls);
/* Rows of the block of whole lines blk appended to b (offsets from
 * blk.p), lineno being the number of the line before the block's
 * first; returns the number of lines in it. */
uint64_t lines_split(struct lines *ls, struct span blk, struct rows *b,
	    uint64_t lineno);

/* Options (main.c). */
extern uint64_t	 opt_window;
extern uint64_t	 opt_edits;
extern size_t	 opt_context;
extern int	 opt_first;
extern int	 opt_md;
extern int	 opt_by;
extern const char *side_name[2];

/* main.c: whether side s has reached its end of input. */
int	side_eof(int s);

/* align.c */
void	align_init(void);
/* Keep copies of the virtual event about to be added to q and o, r
 * being o's and key, ts q's, if it may start a window. */
void	align_spot(struct queue *q, struct queue *o, const struct row *r,
	    struct span key, struct span ts);

/*
 * Without --by: side s's next row (n, key, ts) when it is equal to
 * the first stored row of its partner's queue at the same position:
 * both become virtual (returns 1), nothing is stored.  Else returns 0,
 * and the row is to be pushed.
 */
static inline int
align_sync(struct pair *p, int s, uint64_t n, struct span key,
    struct span ts)
{
	struct queue *q = &p->g[s]->q, *o = &p->g[!s]->q;
	const struct row *r;
	uint64_t h = opt_window - opt_window / 2;

	if (n != 1 || q->tail != q->head || o->tail == o->head || opt_by ||
	    (opt_md && opt_context > 0 && !p->diverged))
		return 0;	/* -f md shows equal events until a hunk */
	r = q_row(o, 0);
	if (row_n(r) != 1 || r->klen != key.n || !mem_same(r->k, key.p, key.n))
		return 0;
	if (q->virt < NKEYS_SHOWN || q->virt - h < NKEYS_SHOWN)
		align_spot(q, o, r, key, ts);
	q_shift(o);
	q->virt++;
	q->nev++;
	return 1;
}
/* Align the next window of p and commit what can be committed (or skip
 * the window as lost); when neither side holds an event any more and
 * both inputs ended, finish the pair. */
void	align_window(struct pair *p);

/* out.c */
void	out_open(const char *path);
/* Append key text k (TSV-escaped columns joined by tabs) in the form of
 * ref_keys: each column %-encoded, joined by ':'. */
void	out_key(struct sbuf *sb, struct span k);
void	hunk_clear(struct hunk *h);
/* A hunk found by alignment (or a lost window): merged with the pending
 * hunk of p when adjacent, else the pending one is written first. */
void	out_hunk(struct pair *p, struct hunk *h);
/* Equal events were committed after the pending hunk: it is final. */
void	out_equal(struct pair *p);
/* An equal event (for the -f md context). */
void	out_ctx(struct pair *p, uint64_t rpos, uint64_t cpos, struct span key);
void	out_pair_end(struct pair *p);
void	out_unpaired(struct grp *g);
/* Totals and the Markdown summary; returns whether anything diverged. */
int	out_close(struct pair **pairs, size_t npairs);

#endif
