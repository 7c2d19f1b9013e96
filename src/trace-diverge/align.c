/*
 * align.c - a pair's sequences aligned a window at a time.
 *
 * A window is the next opt_window events of each side's queue (fewer
 * when fewer are buffered).  A side is open when events beyond its
 * window may follow, closed when the window holds the rest of its
 * sequence.  Myers' greedy forward pass finds the furthest-reaching
 * paths with d = 0, 1, ... edits until one reaches the window's end:
 * the far corner when both sides are closed; else any point where one
 * side's window is used up (an open side continues in the next window,
 * a closed one has nothing more: the rest of the other side is all
 * deleted or all inserted), the one with most events consumed among
 * those found with the same d.  Of two moves into a diagonal the pass
 * takes a deletion unless the insertion reaches further, so deletions
 * come first.  No path within opt_edits edits: the window is lost.
 *
 * Hunks are committed up to the last equal event whose position leaves
 * at least opt_window/2 events of every open side's window after it, so
 * that what follows is aligned again with a full window of look-ahead;
 * a path that ends where both sides are closed, or where a closed side
 * is used up, is committed whole.  The next window starts at the commit
 * point.  Memory: the window's row numbers (keyed streams only: in an
 * event stream event x is row x), and the d+1 furthest points of every
 * d, (opt_edits+1)(opt_edits+2)/2 of them.
 *
 * Without --by, events known equal at the front of both queues are not
 * stored but counted (virtual): a row equal to its partner's stored row
 * at the same position, when its own queue holds no stored row
 * (align_sync(), two sequences in step), and after a commit the rest of
 * the path's equal run.  The first snake passes them, as it passes what
 * eqknown says; only a lost window describes its first events, which
 * may be virtual: as a window starts where the last one started or at
 * h = w - w/2 after it (an open side's window is full without --by), a
 * copy of the virtual events 0..4 and h..h+4 is kept (spot).
 */
#include <stdlib.h>
#include <string.h>

#include "diverge.h"

#define NONE	(-1)

static uint32_t	*rowof[2];	/* per stored window event: its row */
static size_t	 cap[2];
static int	 direct[2];	/* every row one event: event x is row x-virt */
static int32_t	 virt[2];	/* events before the stored rows */
static int32_t	*V;		/* V_d for d = 0..: (d+1) furthest x each */
static size_t	 Vcap;

/* A step of the path: equal events, a deletion or an insertion. */
enum step { EQ, DEL, INS };
struct seg {
	enum step	 st;
	int32_t		 x, y;		/* where it starts */
	int32_t		 len;
};
static struct seg *seg;
static size_t	 nseg, segcap;

static const struct queue *qa, *qb;

/*
 * The equal runs of the last path found, by event index within the
 * pair's sequences (not the window): the first snake of a window starts
 * at the commit point, where the last path's equal run may go on for
 * long, and the window overlaps the last by half, so most of a path's
 * long runs were walked by the last window already.  A run is a snake's
 * whole walk: the events after it differ, or (bound) it stopped at the
 * window's end.  Runs are in order of x and disjoint in it; a snake
 * starting inside one on its diagonal ends where it ends.
 */
struct run {
	uint64_t	 x, y, ex;	/* from (x, y) to (ex, ...), equal */
	int		 bound;		/* ended at the window's end */
};
#define RUN_MIN	32		/* shorter runs are walked again */
static struct run *runs;
static size_t	 nrun, runcap;
static const struct pair *runp;	/* whose runs they are */
static uint64_t	 base[2];	/* events before the window */

void
align_init(void)
{
	size_t n = (size_t)(opt_edits + 1) * (size_t)(opt_edits + 2) / 2;

	V = xreallocarray(NULL, n, sizeof(*V));
	Vcap = n;
}

/*
 * Lay out the first w events of queue q as side s of the window: its
 * virtual events first (never looked at: the first snake passes them);
 * when every stored row stands for one event (an event stream), event x
 * is row x-virt; else each stored event's row is listed.
 */
static void
window(int s, const struct queue *q, uint64_t w)
{
	uint64_t x;

	virt[s] = (int32_t)(q->virt < w ? q->virt : w);
	direct[s] = q->nev - q->virt == q->tail - q->head;
	if (direct[s] || w <= q->virt)
		return;
	w -= q->virt;
	if (w > cap[s]) {
		rowof[s] = xreallocarray(rowof[s], w, sizeof(*rowof[s]));
		cap[s] = w;
	}
	x = 0;
	for (uint64_t i = 0; x < w; i++) {
		uint64_t n = row_n(q_row(q, i));

		if (n > w - x)
			n = w - x;
		for (uint64_t j = 0; j < n; j++)
			rowof[s][x++] = (uint32_t)i;
	}
}

/* Keep a copy of the event at the end of q's virtual ones, when it may
 * start a window (see the top). */
static void
spot_keep(struct queue *q, struct span key, struct span ts)
{
	uint64_t o = q->virt, h = opt_window - opt_window / 2;

	for (int j = 0; j < 2; j++) {
		uint64_t b = j == 0 ? 0 : h;
		struct sbuf *sb;
		struct row *r;

		if (o < b || o - b >= NKEYS_SHOWN)
			continue;
		if (ts.n >= ROW_MANY)
			dief("internal error: a ts of 2 GB queued");
		sb = &q->spottxt[j][o - b];
		r = &q->spot[j][o - b];
		sb_clear(sb);
		sb_add(sb, key.p, key.n);
		sb_add(sb, ts.p, ts.n);
		r->k = sb->p;
		r->klen = (uint32_t)key.n;
		r->tlen = (uint32_t)ts.n;
	}
}

/* The window moved on by h: the copies of h..h+4 are those of 0..4. */
static void
spot_rotate(struct queue *q)
{
	for (int i = 0; i < NKEYS_SHOWN; i++) {
		struct row r = q->spot[0][i];
		struct sbuf t = q->spottxt[0][i];

		q->spot[0][i] = q->spot[1][i];
		q->spottxt[0][i] = q->spottxt[1][i];
		q->spot[1][i] = r;
		q->spottxt[1][i] = t;
	}
}

/* Whether alignment may make p's equal events virtual (align_sync()). */
static int
may_sync(const struct pair *p)
{
	/* -f md shows equal events before the first divergence */
	return !opt_by && !(opt_md && opt_context > 0 && !p->diverged);
}

void
align_spot(struct queue *q, struct queue *o, const struct row *r,
    struct span key, struct span ts)
{
	spot_keep(o, q_key(r), q_ts(r));
	spot_keep(q, key, ts);
}

static inline const struct row *
ev_row(int s, int32_t x)
{
	const struct queue *q = s == REF ? qa : qb;

	x -= virt[s];
	return q_row(q, direct[s] ? (uint64_t)x : rowof[s][x]);
}

/* Whether two queued rows have the same key (their text in queue
 * chunks: MEM_PAD bytes readable after each key). */
static inline int
row_same(const struct row *a, const struct row *b)
{
	return a->klen == b->klen && (a->klen <= MEM_PAD ?
	    mem_same_pad(a->k, b->k, a->klen) : mem_same(a->k, b->k, a->klen));
}

static inline int
same(int32_t x, int32_t y)
{
	return row_same(ev_row(REF, x), ev_row(CAND, y));
}

/* The end of the snake from (x, y): equal events taken while they
 * last, within the window (n, m).  Event streams walk both rings
 * directly. */
static inline int32_t
snake(int32_t x, int32_t y, int32_t n, int32_t m)
{
	if (direct[REF] && direct[CAND]) {
		const struct row *ra, *rb;
		uint64_t ia = qa->head + (uint64_t)(x - virt[REF]);
		uint64_t ib = qb->head + (uint64_t)(y - virt[CAND]);

		for (; x < n && y < m; x++, y++, ia++, ib++) {
			ra = &qa->row[ia & qa->mask];
			rb = &qb->row[ib & qb->mask];
			if (!row_same(ra, rb))
				break;
		}
		return x;
	}
	while (x < n && y < m && same(x, y))
		x++, y++;
	return x;
}

/* The snake from (x, y) as snake() finds it, taking what the last
 * path's runs say. */
static inline int32_t
snake_runs(int32_t x, int32_t y, int32_t n, int32_t m)
{
	uint64_t ax = base[REF] + (uint64_t)x, ay = base[CAND] + (uint64_t)y;
	size_t lo = 0, hi = nrun;
	const struct run *r;
	int64_t e, lim;

	if (nrun == 0 || ax < runs[0].x || ax >= runs[nrun - 1].ex)
		return snake(x, y, n, m);
	while (hi - lo > 1) {		/* the last run with r->x <= ax */
		size_t mid = (lo + hi) / 2;

		if (runs[mid].x <= ax)
			lo = mid;
		else
			hi = mid;
	}
	r = &runs[lo];
	if (ax >= r->ex || r->x - ax != r->y - ay)	/* off its diagonal */
		return snake(x, y, n, m);
	/* equal up to e, or to where the window ends first */
	e = (int64_t)(r->ex - base[REF]);
	lim = (int64_t)m + (x - y) < n ? (int64_t)m + (x - y) : n;
	if (e >= lim)
		return (int32_t)lim;
	return r->bound ? snake((int32_t)e, (int32_t)e - (x - y), n, m) :
	    (int32_t)e;
}

/* Keep the path's long equal runs (seg) for the next window. */
static void
keep_runs(const struct pair *p, int32_t n, int32_t m)
{
	nrun = 0;
	runp = p;
	for (size_t i = 0; i < nseg; i++) {
		const struct seg *s = &seg[i];

		if (s->st != EQ || s->len < RUN_MIN)
			continue;
		if (nrun == runcap) {
			runcap = runcap ? 2 * runcap : 64;
			runs = xreallocarray(runs, runcap, sizeof(*runs));
		}
		runs[nrun].x = base[REF] + (uint64_t)s->x;
		runs[nrun].y = base[CAND] + (uint64_t)s->y;
		runs[nrun].ex = runs[nrun].x + (uint64_t)s->len;
		runs[nrun++].bound = s->x + s->len == n || s->y + s->len == m;
	}
}

/*
 * The furthest point of diagonal k with d edits, from those with d-1
 * (prev, indexed (k+d-1)/2): a deletion from k-1 or an insertion from
 * k+1 (n, m: the window), NONE when neither stays inside it.
 */
static inline int32_t
step_from(const int32_t *prev, int32_t d, int32_t k, int32_t n, int32_t m,
    int *ins)
{
	int32_t down = NONE, right = NONE;

	if (k + 1 <= d - 1) {
		down = prev[(k + 1 + d - 1) / 2];
		if (down != NONE && down - k > m)
			down = NONE;
	}
	if (k - 1 >= -(d - 1)) {
		right = prev[(k - 1 + d - 1) / 2];
		if (right != NONE && ++right > n)
			right = NONE;
	}
	if (down != NONE && (right == NONE || right - 1 < down)) {
		*ins = 1;
		return down;
	}
	*ins = 0;
	return right;
}

/*
 * Myers' forward pass over the window (n, m events) until a path ends:
 * returns its d and sets *ek, or returns -1 when none ends within
 * opt_edits edits.
 */
static int32_t
forward(int32_t n, int32_t m, int openr, int openc, int32_t known,
    int32_t *ek)
{
	int32_t D = (int32_t)opt_edits;

	for (int32_t d = 0; d <= D; d++) {
		int32_t *cur = V + (size_t)d * (size_t)(d + 1) / 2;
		const int32_t *prev = d > 0 ? V + (size_t)(d - 1) * (size_t)d / 2 :
		    NULL;
		int64_t best = -1;
		int ins;

		for (int32_t k = -d; k <= d; k += 2) {
			int32_t x, y;

			/* the first snake, the common prefix, is known to be
			 * at least as long as what the last window found */
			x = d == 0 ? known : step_from(prev, d, k, n, m, &ins);
			if (x == NONE) {
				cur[(k + d) / 2] = NONE;
				continue;
			}
			x = snake_runs(x, x - k, n, m);
			y = x - k;
			cur[(k + d) / 2] = x;
			if ((openr || openc) ? (x == n || y == m) :
			    (x == n && y == m)) {
				if ((int64_t)x + y > best) {
					best = (int64_t)x + y;
					*ek = k;
				}
			}
		}
		if (best >= 0)
			return d;
	}
	return -1;
}

static void
push(enum step st, int32_t x, int32_t y, int32_t len)
{
	if (len == 0)
		return;
	if (nseg == segcap) {
		segcap = segcap ? 2 * segcap : 256;
		seg = xreallocarray(seg, segcap, sizeof(*seg));
	}
	seg[nseg].st = st;
	seg[nseg].x = x;
	seg[nseg].y = y;
	seg[nseg++].len = len;
}

/* The path ending on diagonal k with d edits, as segments in order. */
static void
backtrack(int32_t d, int32_t k, int32_t n, int32_t m)
{
	int32_t x = V[(size_t)d * (size_t)(d + 1) / 2 + (size_t)(k + d) / 2];

	nseg = 0;
	for (; d > 0; d--) {
		const int32_t *prev = V + (size_t)(d - 1) * (size_t)d / 2;
		int ins;
		int32_t s = step_from(prev, d, k, n, m, &ins);

		/* the move ends at (s, s-k); the snake runs on to x */
		push(EQ, s, s - k, x - s);
		if (ins) {
			push(INS, s, s - k - 1, 1);
			k++;
			x = s;
		} else {
			push(DEL, s - 1, s - k, 1);
			k--;
			x = s - 1;
		}
	}
	push(EQ, 0, 0, x);
	for (size_t i = 0; i < nseg / 2; i++) {
		struct seg t = seg[i];

		seg[i] = seg[nseg - 1 - i];
		seg[nseg - 1 - i] = t;
	}
}

/* Event x of side s, virtual or stored, for its key and ts. */
static const struct row *
any_row(int s, int32_t x)
{
	if (x >= virt[s])
		return ev_row(s, x);
	if (x >= NKEYS_SHOWN)
		dief("internal error: virtual event %ld described", (long)x);
	return &(s == REF ? qa : qb)->spot[0][x];
}

/* ts and the first keys of events x .. x+len-1 of side s, into h. */
static void
describe(struct hunk *h, int s, int32_t x, int32_t len)
{
	if (len == 0)
		return;
	sb_clear(&h->ts[s]);
	sb_add(&h->ts[s], q_ts(any_row(s, x)).p, q_ts(any_row(s, x)).n);
	h->hasts[s] = 1;
	for (int32_t i = 0; i < len && i < NKEYS_SHOWN; i++) {
		if (i > 0)
			sb_addc(&h->keys[s], ',');
		out_key(&h->keys[s], q_key(any_row(s, x + i)));
		h->nkeys[s]++;
	}
}

/* Fill h for events ref x.., cand y.. of lengths lr, lc after base. */
static void
make_hunk(struct hunk *h, enum kind kind, const struct pair *p, int32_t x,
    int32_t y, int32_t lr, int32_t lc)
{
	hunk_clear(h);
	h->kind = kind;
	h->len[REF] = (uint64_t)lr;
	h->len[CAND] = (uint64_t)lc;
	h->pos[REF] = p->g[REF]->done + (uint64_t)x + (lr > 0);
	h->pos[CAND] = p->g[CAND]->done + (uint64_t)y + (lc > 0);
	describe(h, REF, x, lr);
	describe(h, CAND, y, lc);
}

static void
commit(struct pair *p, int32_t cx, int32_t cy)
{
	if ((uint64_t)cx < p->g[REF]->q.virt) {
		/* among the virtual events: at h, on the first snake */
		if (cx != cy || (uint64_t)cx != opt_window - opt_window / 2)
			dief("internal error: a commit at %ld,%ld among "
			    "virtual events", (long)cx, (long)cy);
		spot_rotate(&p->g[REF]->q);
		spot_rotate(&p->g[CAND]->q);
	}
	q_drop(&p->g[REF]->q, (uint64_t)cx);
	q_drop(&p->g[CAND]->q, (uint64_t)cy);
	p->g[REF]->done += (uint64_t)cx;
	p->g[CAND]->done += (uint64_t)cy;
	p->eqknown = 0;
}

/*
 * Write the hunks of the path up to (cx, cy), a point after an equal
 * event or the path's end, and the equal events for -f md's context.
 */
static void
emit(struct pair *p, int32_t cx, int32_t cy)
{
	static struct hunk h;
	int32_t hx = 0, hy = 0, dr = 0, dc = 0;

	for (size_t i = 0; i < nseg; i++) {
		const struct seg *s = &seg[i];
		int32_t len = s->len;

		if (s->x >= cx && s->y >= cy)
			break;
		if (s->st != EQ) {
			if (dr + dc == 0) {
				hx = s->x;
				hy = s->y;
			}
			if (s->st == DEL)
				dr++;
			else
				dc++;
			continue;
		}
		if (dr + dc > 0) {
			make_hunk(&h, dr == 0 ? K_INSERTED : dc == 0 ?
			    K_DELETED : K_CHANGED, p, hx, hy, dr, dc);
			out_hunk(p, &h);
			dr = dc = 0;
		}
		if (s->x + len > cx)
			len = cx - s->x;
		if (len > 0)
			out_equal(p);
		if (opt_md && !p->diverged)
			for (int32_t j = len > (int32_t)opt_context ?
			    len - (int32_t)opt_context : 0; j < len; j++)
				out_ctx(p, p->g[REF]->done + (uint64_t)(s->x + j)
				    + 1, p->g[CAND]->done + (uint64_t)(s->y + j)
				    + 1, q_key(ev_row(REF, s->x + j)));
	}
	if (dr + dc > 0) {
		make_hunk(&h, dr == 0 ? K_INSERTED : dc == 0 ? K_DELETED :
		    K_CHANGED, p, hx, hy, dr, dc);
		out_hunk(p, &h);
	}
}

/*
 * After a commit at (cx, cy): the rest of the path's equal run from
 * there is known equal, at the front of both queues: make it virtual,
 * so that the side whose window it used up is in step again.
 */
static void
resync(struct pair *p, int32_t cx, int32_t cy)
{
	struct queue *a = &p->g[REF]->q, *b = &p->g[CAND]->q;
	int64_t len = 0;

	if (!may_sync(p))
		return;
	for (size_t i = 0; i < nseg; i++)
		if (seg[i].st == EQ && seg[i].x <= cx && cx < seg[i].x +
		    seg[i].len && seg[i].y + (cx - seg[i].x) == cy) {
			len = seg[i].x + seg[i].len - cx;
			break;
		}
	while ((int64_t)a->virt < len && a->tail != a->head &&
	    b->tail != b->head) {
		const struct row *r = q_row(a, 0), *t = q_row(b, 0);

		if (row_n(r) != 1 || row_n(t) != 1)
			break;
		spot_keep(a, q_key(r), q_ts(r));
		spot_keep(b, q_key(t), q_ts(t));
		q_shift(a);
		q_shift(b);
	}
}

void
align_window(struct pair *p)
{
	static struct hunk h;
	struct grp *ga = p->g[REF], *gb = p->g[CAND];
	uint64_t w = opt_window;
	int32_t n, m, d, k, known, cx = -1, cy = -1;
	int openr, openc;

	qa = &ga->q;
	qb = &gb->q;
	n = (int32_t)(qa->nev < w ? qa->nev : w);
	m = (int32_t)(qb->nev < w ? qb->nev : w);
	openr = !side_eof(REF) || qa->nev > w;
	openc = !side_eof(CAND) || qb->nev > w;
	if (n == 0 && m == 0) {
		if (!openr && !openc)
			out_pair_end(p);
		return;
	}
	window(REF, qa, (uint64_t)n);
	window(CAND, qb, (uint64_t)m);
	/* A used-up closed side: the rest of the other is one hunk. */
	if ((m == 0 && !openc) || (n == 0 && !openr)) {
		make_hunk(&h, m == 0 ? K_DELETED : K_INSERTED, p, 0, 0, n, m);
		out_hunk(p, &h);
		commit(p, n, m);
		return;
	}
	base[REF] = ga->done;
	base[CAND] = gb->done;
	if (runp != p)
		nrun = 0;
	known = (int32_t)(p->eqknown < (uint64_t)n ? p->eqknown : (uint64_t)n);
	if (known < virt[REF])
		known = virt[REF];	/* the same on both sides */
	if (known > m)
		known = m;
	if ((d = forward(n, m, openr, openc, known, &k)) < 0) {
		make_hunk(&h, K_LOST, p, 0, 0, n, m);
		out_hunk(p, &h);
		commit(p, n, m);
		return;
	}
	backtrack(d, k, n, m);
	keep_runs(p, n, m);
	{
		int32_t ex = V[(size_t)d * (size_t)(d + 1) / 2 +
		    (size_t)(k + d) / 2], ey = ex - k;

		if ((!openr && !openc) || (!openr && ex == n) ||
		    (!openc && ey == m)) {
			cx = ex;
			cy = ey;
		} else {
			int64_t br = openr ? (int64_t)n - (int64_t)(w / 2) :
			    INT32_MAX;
			int64_t bc = openc ? (int64_t)m - (int64_t)(w / 2) :
			    INT32_MAX;

			for (size_t i = 0; i < nseg; i++) {
				int64_t t = seg[i].len;

				if (seg[i].st != EQ)
					continue;
				if (br - seg[i].x < t)
					t = br - seg[i].x;
				if (bc - seg[i].y < t)
					t = bc - seg[i].y;
				if (t >= 1) {
					cx = seg[i].x + (int32_t)t;
					cy = seg[i].y + (int32_t)t;
				}
			}
		}
	}
	if (cx < 0) {
		/* no equal event early enough: only a short read-ahead
		 * (the other threads' events filled the buffers) */
		make_hunk(&h, K_LOST, p, 0, 0, n, m);
		out_hunk(p, &h);
		commit(p, n, m);
		return;
	}
	emit(p, cx, cy);
	commit(p, cx, cy);
	if (cx == cy && cx <= V[0])
		p->eqknown = (uint64_t)(V[0] - cx);
	resync(p, cx, cy);
}
