/*
 * threads.c - the thread map: which candidate threads do the work of
 * each reference thread.
 *
 * A thread's profile is its distribution over keys: the key's count on
 * the thread over the thread's fires.  The similarity of two profiles is
 * their overlap, the sum over keys of the smaller share, from 0 to 1; a
 * set of threads has the profile of their counts added.  For each
 * reference thread, in order of fires:
 *
 *   1. greedy: start from no candidate thread and add, one at a time, the
 *      candidate thread whose addition gives the merged set the highest
 *      similarity to the reference thread, while that raises it by at
 *      least GAIN_MIN (ties: the first in trace-hist order); this finds
 *      a thread renamed, and a split (threads that match only together);
 *   2. its analogs are the greedy set when its similarity reaches
 *      --thread-min, and every candidate thread whose own similarity
 *      reaches it (a pool of identical workers, each a match);
 *   3. the reverse: the same greedy from each candidate thread over the
 *      reference threads; when two or more reference threads together
 *      reach --thread-min, each of them gets the candidate thread as an
 *      analog (several reference threads merged into one).
 *
 * A thread's similarity is the overlap with all its analogs merged; with
 * none, the best overlap the greedy reached.  The keys a reference thread
 * fires that none of its analogs fires are missing (the candidate never
 * fires them) or moved (other candidate threads do).
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "htab.h"
#include "json.h"
#include "msg.h"
#include "num.h"
#include "tsv.h"
#include "report.h"

/* The least rise of similarity for which the greedy adds a thread. */
#define GAIN_MIN	0.05
/* The most threads the greedy merges. */
#define GREEDY_MAX	64

/* One side's threads: per thread its (row, count) entries, per row its
 * (thread, count) entries; threads in trace-hist order of their value.
 * Rows and entries are counted in 32 bits: with millions of keys these
 * arrays are much of the memory. */
struct tside {
	size_t		 n;
	struct span	*tid;		/* %-encoded, as in the tally */
	uint64_t	*fires;
	size_t		*toff;		/* entries of thread t: toff[t].. */
	uint32_t	*trow;
	uint32_t	*roff;		/* entries of row i: roff[i].. */
	uint32_t	*rthr;		/* a thread: fewer than 2^32 (htab) */
	/* The entries' counts, thread by thread (tc) and row by row (rc),
	 * cw bytes each: 2, 4 or 8, the fewest in which every row's count
	 * fits (cnt_at()). */
	void		*tc, *rc;
	unsigned	 cw;
	/* A row lists a thread twice, or a count of 0: each thread's
	 * counts of a key are not one entry (see pairs_build). */
	int		 odd;
	/* Per row, made when first needed (analog_fires()): its fires,
	 * its entries with a count over 0. */
	uint64_t	*rowsum;
	uint32_t	*rowon;
};

/* Count e of array a of counts of cw bytes. */
static inline uint64_t
cnt_at(const void *a, unsigned cw, size_t e)
{
	if (cw == 2)
		return ((const uint16_t *)a)[e];
	if (cw == 4)
		return ((const uint32_t *)a)[e];
	return ((const uint64_t *)a)[e];
}

static inline void
cnt_set(void *a, unsigned cw, size_t e, uint64_t v)
{
	if (cw == 2)
		((uint16_t *)a)[e] = (uint16_t)v;
	else if (cw == 4)
		((uint32_t *)a)[e] = (uint32_t)v;
	else
		((uint64_t *)a)[e] = v;
}

/* Entry e's count, thread by thread (tcnt) or row by row (rcnt). */
static inline uint64_t
tcnt(const struct tside *s, size_t e)
{
	return cnt_at(s->tc, s->cw, e);
}

static inline uint64_t
rcnt(const struct tside *s, size_t e)
{
	return cnt_at(s->rc, s->cw, e);
}

static int
spancmp(const void *a, const void *b)
{
	return num_cmp_values(*(const struct span *)a,
	    *(const struct span *)b);
}

/* A side being built: its tids' htab ids, its entries so far. */
struct sbuild {
	struct htab	*h;
	size_t		 ne, cap;
	size_t		 popped;	/* entries faulted in */
	size_t		*seen;	/* per thread (htab id): its last row + 1 */
	int		 ref;
	struct ht_memo	 memo;	/* in front of h */
};

static void
side_begin(const struct report *r, struct tside *s, struct sbuild *b,
    int ref)
{
	memset(s, 0, sizeof(*s));
	memset(b, 0, sizeof(*b));
	b->h = ht_new();
	b->ref = ref;
	if (r->nrow >= UINT32_MAX)
		die_at(r->file, 1, "the thread map takes fewer than 2^32 keys");
	/* An entry's count is at most its row's. */
	s->cw = 2;
	for (size_t i = 0; i < r->nrow && s->cw < 8; i++) {
		uint64_t rc = ref ? r->row[i].ref : r->row[i].cand;

		if (rc > UINT32_MAX)
			s->cw = 8;
		else if (rc > UINT16_MAX)
			s->cw = 4;
	}
	s->roff = xcalloc(r->nrow + 2, sizeof(*s->roff));
}

/*
 * Entries are faulted in ahead, POP_AHEAD at a time, one system call
 * each (mem_populate()): a page fault each 4 KiB is slow, in a virtual
 * machine most of all.  Only ahead of use, so that room never used
 * takes no memory.
 */
#define POP_AHEAD	((size_t)1 << 20)	/* entries */

/* Room for entry b->ne, faulted in. */
static void
side_room(struct tside *s, struct sbuild *b)
{
	size_t n;

	if (b->ne + 1 >= b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		s->rthr = xreallocarray(s->rthr, b->cap, sizeof(*s->rthr));
		s->rc = xreallocarray(s->rc, b->cap, s->cw);
	}
	if (b->ne + 1 < b->popped)
		return;
	n = b->cap - b->popped < POP_AHEAD ? b->cap - b->popped : POP_AHEAD;
	mem_populate(s->rthr + b->popped, n * sizeof(*s->rthr));
	mem_populate((char *)s->rc + b->popped * s->cw, n * s->cw);
	b->popped += n;
}

/* Row i's entries from its cell t: the thread's htab id, made its rank
 * among the sorted threads by side_end().  Returns -1, adding nothing,
 * when there would be 2^32 entries or more. */
static int
side_row(const struct report *r, struct tside *s, struct sbuild *b,
    size_t i, const struct tally_cell *t)
{
	uint64_t rowcnt = b->ref ? r->row[i].ref : r->row[i].cand;

	s->roff[i] = (uint32_t)b->ne;
	if (t->n >= UINT32_MAX - b->ne)
		return -1;
	for (size_t j = 0; j < t->n; j++) {
		int isnew;
		uint32_t id = ht_intern_memo(b->h, &b->memo, t->val[j].p,
		    t->val[j].n, &isnew);

		if (isnew) {
			s->tid = xreallocarray(s->tid, s->n + 1,
			    sizeof(*s->tid));
			s->tid[s->n++] = rp_keep(t->val[j]);
			b->seen = xreallocarray(b->seen, s->n,
			    sizeof(*b->seen));
			b->seen[id] = 0;	/* ids come in order */
		}
		if (b->seen[id] == i + 1 || (!t->single && t->cnt[j] == 0) ||
		    (t->single && rowcnt == 0))
			s->odd = 1;
		b->seen[id] = i + 1;
		if (b->ne + 1 >= b->popped)
			side_room(s, b);
		s->rthr[b->ne] = id;
		cnt_set(s->rc, s->cw, b->ne, t->single ? rowcnt : t->cnt[j]);
		b->ne++;
	}
	return 0;
}

static NORETURN void
die_pairs(const struct report *r, size_t i)
{
	die_at(r->file, rp_line(r, &r->row[i]), "the thread map takes fewer "
	    "than 2^32 (thread, key) pairs");
}

/* The threads sorted, the entries by thread. */
static void
side_end(const struct report *r, struct tside *s, struct sbuild *b)
{
	size_t i, j, ne = b->ne, *rank, *fill;

	s->roff[r->nrow] = (uint32_t)ne;
	if (ne + 1 > b->cap) {
		s->rthr = xreallocarray(s->rthr, ne + 1, sizeof(*s->rthr));
		s->rc = xreallocarray(s->rc, ne + 1, s->cw);
	}
	if (s->n > 1)
		qsort(s->tid, s->n, sizeof(*s->tid), spancmp);
	/* htab ids are in first-seen order; rank maps them to sorted. */
	rank = xcalloc(s->n + 1, sizeof(*rank));
	for (i = 0; i < s->n; i++)
		rank[ht_find(b->h, s->tid[i].p, s->tid[i].n)] = i;
	s->fires = xcalloc(s->n + 1, sizeof(*s->fires));
	s->toff = xcalloc(s->n + 2, sizeof(*s->toff));
	/* (faulted in at once, as side_room() does ahead) */
	s->trow = xcalloc(ne + 1, sizeof(*s->trow));
	mem_populate(s->trow, (ne + 1) * sizeof(*s->trow));
	s->tc = xcalloc(ne + 1, s->cw);
	mem_populate(s->tc, (ne + 1) * s->cw);
	for (j = 0; j < ne; j++) {
		size_t th = rank[s->rthr[j]];

		s->rthr[j] = (uint32_t)th;
		s->fires[th] += rcnt(s, j);
		s->toff[th + 1]++;
	}
	for (i = 0; i < s->n; i++)
		s->toff[i + 1] += s->toff[i];
	fill = xcalloc(s->n + 1, sizeof(*fill));
	for (i = 0; i < r->nrow; i++)
		for (j = s->roff[i]; j < s->roff[i + 1]; j++) {
			size_t th = s->rthr[j];

			s->trow[s->toff[th] + fill[th]] = (uint32_t)i;
			cnt_set(s->tc, s->cw, s->toff[th] + fill[th],
			    rcnt(s, j));
			fill[th]++;
		}
	free(fill);
	free(rank);
	free(b->seen);
	ht_free(b->h);
}

/*
 * Both sides from their tally columns rc and cc, in one pass over the
 * rows (a row read again from the join is read once for both): with
 * runs, where the map is made only when each side has one.
 */
static void
sides_build(const struct report *r, struct tside *rs, size_t rc,
    struct tside *cs, size_t cc)
{
	struct sbuild rb, cb;

	side_begin(r, rs, &rb, 1);
	side_begin(r, cs, &cb, 0);
	for (size_t i = 0; i < r->nrow; i++) {
		if (side_row(r, rs, &rb, i, rp_rt(r, &r->row[i], rc)) < 0 ||
		    side_row(r, cs, &cb, i, rp_ct(r, &r->row[i], cc)) < 0)
			die_pairs(r, i);
	}
	side_end(r, rs, &rb);
	side_end(r, cs, &cb);
}

/*
 * Without runs, both sides are built as check_tallies() (read.c) reads
 * the cells, threads_cell(), so that no cell is read twice; a cell that
 * is not a counts tally, or 2^32 entries, stops them (model_threads()
 * then makes no map, or exits as sides_build() would).
 */
struct tpre {
	size_t		 rc, cc;	/* of all tally columns */
	struct tside	 rs, cs;
	struct sbuild	 rb, cb;
	int		 dead;		/* a cell that is not counts */
	size_t		 over;		/* the row of 2^32 entries + 1 */
};

struct tpre *
threads_begin(const struct report *r, size_t rc, size_t cc)
{
	struct tpre *p;

	if (r->nrow >= UINT32_MAX)
		return NULL;	/* side_begin() exits, later */
	p = xcalloc(1, sizeof(*p));
	p->rc = rc;
	p->cc = r->nrt + cc;
	side_begin(r, &p->rs, &p->rb, 1);
	side_begin(r, &p->cs, &p->cb, 0);
	return p;
}

const uint32_t *
threads_cell(const struct report *r, struct tpre *p, size_t row, size_t col,
    const struct tally_cell *c)
{
	if (p->dead || p->over > 0 || (col != p->rc && col != p->cc))
		return NULL;
	if (c->n > 0 && c->kind != TK_COUNTS)
		p->dead = 1;
	else if (col == p->rc ? side_row(r, &p->rs, &p->rb, row, c) :
	    side_row(r, &p->cs, &p->cb, row, c))
		p->over = row + 1;
	else if (col == p->rc)	/* the row's entries: its htab ids */
		return p->rs.rthr + p->rs.roff[row];
	return NULL;
}

static void	side_free(struct tside *s, int keeptid);

/* Free what threads_begin() made, and side_end() has not. */
static void
threads_free(struct tpre *p)
{
	if (p == NULL)
		return;
	side_free(&p->rs, 0);
	side_free(&p->cs, 0);
	free(p->rb.seen);
	free(p->cb.seen);
	ht_free(p->rb.h);
	ht_free(p->cb.h);
	free(p);
}

/* Free a side; its tids too unless kept. */
static void
side_free(struct tside *s, int keeptid)
{
	if (!keeptid)
		free(s->tid);
	free(s->fires);
	free(s->toff);
	free(s->trow);
	free(s->tc);
	free(s->roff);
	free(s->rthr);
	free(s->rc);
	free(s->rowsum);
	free(s->rowon);
}

static int
sizecmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Work space for one thread's matching, reused. */
struct match {
	size_t		 na;		/* the thread's keys */
	double		*pa;		/* its shares */
	size_t		*cand;		/* other side's threads sharing a key */
	size_t		 ncand;
	size_t		*slot;		/* thread -> index in cand, or -1 */
	/* The counts in 32 bits when every row's count on the other side
	 * fits (narrow: cm32, m32), else 64 (cm, m). */
	int		 narrow;
	uint64_t	*cm;		/* counts: na x ncand, key by key */
	uint32_t	*cm32;
	double		*ctot;		/* per cand: its total with the set */
	double		*pair;		/* pairwise similarity per cand */
	uint64_t	*m;		/* merged counts of the set, per key */
	uint32_t	*m32;
	size_t		*set;		/* the greedy set */
	size_t		 nset;
	double		 setsim;
	double		*sim;		/* a greedy step's overlaps per cand */
	/* With the pairs made beforehand (no_gain): per cand */
	uint64_t	*xin;		/* its fires on the thread's keys */
	double		*bound;		/* its merged overlap's bound */
	double		*unc;		/* shares of keys the set lacks */
	unsigned char	*inset;		/* in the set */
};

/* s[c] += min((m + a[c]) / t[c], pa) for c from where it is to n: a
 * key's counts a of either width, two candidates at a time with SSE2. */
#if defined(__SSE2__)
#define OVERLAP_PAIRS(a)						\
	for (; c + 1 < n; c += 2) {					\
		__m128d q = _mm_div_pd(_mm_set_pd((double)(m +		\
		    (a)[c + 1]), (double)(m + (a)[c])), _mm_loadu_pd(t + c)); \
									\
		/* minpd: the first operand when it is less, as	\
		 * q < pa ? q : pa */					\
		_mm_storeu_pd(s + c, _mm_add_pd(_mm_loadu_pd(s + c),	\
		    _mm_min_pd(q, _mm_set1_pd(pa))));			\
	}
#else
#define OVERLAP_PAIRS(a)
#endif
#define OVERLAP_KEY(a) do {						\
	OVERLAP_PAIRS(a)						\
	for (; c < n; c++) {						\
		double q = (double)(m + (a)[c]) / t[c];			\
									\
		s[c] += q < pa ? q : pa;				\
	}								\
} while (0)

/*
 * The overlap of shares pa with (m + cm of candidate c) / (tot + its
 * fires) over the na keys, of every candidate c at once into s[c]: key
 * by key, the candidates' counts of a key side by side, each sum in its
 * own lane (two at a time with SSE2: the divider is the cost here) and
 * in key order, so each is the same double whatever the lanes.  With
 * many threads a key, the thread map is mostly these sums.
 */
static void
overlaps(struct match *x, const struct tside *to, uint64_t tot, double *s)
{
	size_t n = x->ncand, j, c;
	double *t = x->ctot;

	for (c = 0; c < n; c++) {
		uint64_t ct = tot + to->fires[x->cand[c]];

		t[c] = ct == 0 ? 1.0 : (double)ct;
		s[c] = 0.0;
	}
	for (j = 0; j < x->na; j++) {
		uint64_t m = x->narrow ? x->m32[j] : x->m[j];
		double pa = x->pa[j];

		c = 0;
		if (x->narrow)
			OVERLAP_KEY(x->cm32 + j * n);
		else
			OVERLAP_KEY(x->cm + j * n);
	}
	for (c = 0; c < n; c++)
		if (tot + to->fires[x->cand[c]] == 0)
			s[c] = 0.0;
}

/*
 * Every reference thread against every candidate thread, from one pass
 * over the rows: for each row, each of its reference entries against
 * each of its candidate entries.  The overlap of a pair is the sum over
 * the keys both fire of the smaller share, in key order; the overlaps
 * below add a 0 for every other key of the thread at hand, so that
 * match_thread() takes from here the very doubles it would sum there, in
 * either direction (the smaller of two shares is the same double
 * whichever is the thread's).  Not made (0) for a side with a thread
 * twice on a row or a count of 0 (the overlaps add a thread's counts of
 * a row first), nor for more than PAIRS_MAX pairs.
 */
#define PAIRS_MAX	((size_t)1 << 21)

struct pairs {
	size_t		 nc;		/* candidate threads: the stride */
	double		*sim;		/* [a * nc + c]: the overlap */
	uint64_t	*rin;		/* c's fires on a's keys */
	uint64_t	*cin;		/* a's fires on c's keys */
};

/*
 * A count from environment variable name, at most max; dflt when it is
 * unset or empty.  Any other value dies: "is not a count", or with max
 * small, "is not a count from 0 to max".  (The thread map's limits: the
 * tests compare the ways they choose.)
 */
static size_t
env_count(const char *name, uint64_t max, size_t dflt)
{
	const char *e = getenv(name);
	uint64_t v;

	if (e == NULL || *e == '\0')
		return dflt;
	if (num_parse_u64((struct span){ e, strlen(e) }, &v) != NUM_OK ||
	    v > max) {
		if (max >= SIZE_MAX / 32)
			dief("%s: '%s' is not a count", name,
			    msg_vis(e, strlen(e)));
		dief("%s: '%s' is not a count from 0 to %llu", name,
		    msg_vis(e, strlen(e)), (unsigned long long)max);
	}
	return (size_t)v;
}

/* The most pairs: PAIRS_MAX, or TRACE_TOOLS_THREAD_PAIRS (0: none). */
static size_t
pairs_max(void)
{
	return env_count("TRACE_TOOLS_THREAD_PAIRS", SIZE_MAX / 32, PAIRS_MAX);
}

/* One reference thread's entry against candidate threads c..c+n-1:
 * the overlaps. */
static inline void
pairs_run(double *restrict sim, const double *restrict q, size_t n,
    double p)
{
	for (size_t k = 0; k < n; k++)
		sim[k] += q[k] < p ? q[k] : p;
}

#if defined(__x86_64__)
/* pairs_run(), four at a time: the same doubles (each sum in its own
 * lane; minpd is q < p ? q : p).  Taken when json_path() chose AVX2
 * (TRACE_TOOLS_SIMD). */
static __attribute__((target("avx2"))) void
pairs_run_avx2(double *restrict sim, const double *restrict q, size_t n,
    double p)
{
	__m256d pv = _mm256_set1_pd(p);
	size_t k;

	for (k = 0; k + 4 <= n; k += 4)
		_mm256_storeu_pd(sim + k, _mm256_add_pd(_mm256_loadu_pd(sim +
		    k), _mm256_min_pd(_mm256_loadu_pd(q + k), pv)));
	for (; k < n; k++)
		sim[k] += q[k] < p ? q[k] : p;
}
#endif

/* v[k] += x for each k, as a run of words */
static inline void
pairs_add(uint64_t *restrict v, size_t n, uint64_t x)
{
	for (size_t k = 0; k < n; k++)
		v[k] += x;
}

/*
 * The fires are integers, summed in any order to the same words: where
 * a row has most of a side's threads, they are summed for all of that
 * side's threads at once, and taken back from the few it lacks
 * (modulo 2^64, as the sums are).  For a row with most reference
 * threads, its candidates' counts go to rall (for every reference
 * thread) and come off the rin of each reference thread it lacks; for
 * a row with most candidate threads, a reference thread's count goes
 * to call (for every candidate thread) and comes off the cin of each
 * candidate thread the row lacks.  Where every thread fires every key,
 * only the overlaps are left to sum pair by pair.
 */
/* not inlined: the tests see what it returns (gdb) */
static __attribute__((noinline)) int
pairs_build(const struct report *r, const struct tside *rs,
    const struct tside *cs, struct pairs *pm)
{
	double *q = NULL;
	uint64_t *qc = NULL, *rall, *call;
	uint32_t *cout;
	unsigned char *ron, *con;
	size_t nq = 0, max = pairs_max(), run, a, k, nout;
#if defined(__x86_64__)
	int avx2 = json_path() == JSON_AVX2;
#endif

	memset(pm, 0, sizeof(*pm));
	if (rs->odd || cs->odd || rs->n == 0 || cs->n == 0 ||
	    rs->n > max / cs->n)
		return 0;
	pm->nc = cs->n;
	pm->sim = xcalloc(rs->n * cs->n, sizeof(*pm->sim));
	pm->rin = xcalloc(rs->n * cs->n, sizeof(*pm->rin));
	pm->cin = xcalloc(rs->n * cs->n, sizeof(*pm->cin));
	rall = xcalloc(cs->n, sizeof(*rall));
	call = xcalloc(rs->n, sizeof(*call));
	ron = xcalloc(rs->n, 1);
	con = xcalloc(cs->n, 1);
	cout = xcalloc(cs->n, sizeof(*cout));
	for (size_t i = 0; i < r->nrow; i++) {
		size_t r0 = rs->roff[i], r1 = rs->roff[i + 1];
		size_t c0 = cs->roff[i], n = cs->roff[i + 1] - c0;
		const uint32_t *ct = cs->rthr + c0;
		/* most threads of a side (none twice: not odd) */
		int rmost = (r1 - r0) * 2 > rs->n, cmost = n * 2 > cs->n;

		if (r0 == r1 || n == 0)
			continue;
		if (n > nq) {
			nq = n;
			q = xreallocarray(q, nq, sizeof(*q));
			qc = xreallocarray(qc, nq, sizeof(*qc));
		}
		for (k = 0; k < n; k++) {
			uint64_t f = cs->fires[ct[k]];

			qc[k] = rcnt(cs, c0 + k);
			q[k] = f == 0 ? 0.0 : (double)qc[k] / (double)f;
		}
		/* the row's candidate threads one run of numbers, as when
		 * rows list the same threads in the same order: the sums
		 * side by side (the same sums, each in the same order) */
		for (run = 1; run < n && ct[run] == ct[0] + run; run++)
			;
		if (rmost) {
			for (k = 0; k < n; k++)
				rall[ct[k]] += qc[k];
			for (size_t e = r0; e < r1; e++)
				ron[rs->rthr[e]] = 1;
			for (a = 0; a < rs->n; a++) {
				uint64_t *rin = pm->rin + a * pm->nc;

				if (ron[a]) {
					ron[a] = 0;
					continue;
				}
				for (k = 0; k < n; k++)
					rin[ct[k]] -= qc[k];
			}
		}
		nout = 0;
		if (cmost) {
			for (k = 0; k < n; k++)
				con[ct[k]] = 1;
			for (k = 0; k < cs->n; k++)
				if (con[k])
					con[k] = 0;
				else
					cout[nout++] = (uint32_t)k;
		}
		for (size_t e = r0; e < r1; e++) {
			uint64_t f, ca;
			double p;
			double *sim;
			uint64_t *rin, *cin;

			a = rs->rthr[e];
			f = rs->fires[a];
			ca = rcnt(rs, e);
			p = f == 0 ? 0.0 : (double)ca / (double)f;
			sim = pm->sim + a * pm->nc;
			rin = pm->rin + a * pm->nc;
			cin = pm->cin + a * pm->nc;
			if (cmost) {
				call[a] += ca;
				for (k = 0; k < nout; k++)
					cin[cout[k]] -= ca;
			}
			if (run == n) {
#if defined(__x86_64__)
				if (avx2)
					pairs_run_avx2(sim + ct[0], q, n, p);
				else
#endif
					pairs_run(sim + ct[0], q, n, p);
				if (!cmost)
					pairs_add(cin + ct[0], n, ca);
				if (!rmost)
					for (k = 0; k < n; k++)
						rin[ct[0] + k] += qc[k];
				continue;
			}
			for (k = 0; k < n; k++)
				sim[ct[k]] += q[k] < p ? q[k] : p;
			if (!cmost)
				for (k = 0; k < n; k++)
					cin[ct[k]] += ca;
			if (!rmost)
				for (k = 0; k < n; k++)
					rin[ct[k]] += qc[k];
		}
	}
	for (a = 0; a < rs->n; a++) {
		uint64_t *rin = pm->rin + a * pm->nc;

		for (k = 0; k < cs->n; k++)
			rin[k] += rall[k];
		pairs_add(pm->cin + a * pm->nc, cs->n, call[a]);
	}
	free(q);
	free(qc);
	free(rall);
	free(call);
	free(ron);
	free(con);
	free(cout);
	return 1;
}

static void
pairs_free(struct pairs *pm)
{
	free(pm->sim);
	free(pm->rin);
	free(pm->cin);
}

/* The counts of a's keys on every candidate side by side (x->cm), and
 * the set's merged (x->m). */
static void
fill_counts(const struct tside *from, size_t a, const struct tside *to,
    struct match *x)
{
	size_t j, e, k;

	if (x->narrow) {
		x->cm32 = xreallocarray(x->cm32, x->ncand * x->na + 1,
		    sizeof(*x->cm32));
		memset(x->cm32, 0, (x->ncand * x->na + 1) * sizeof(*x->cm32));
	} else {
		x->cm = xreallocarray(x->cm, x->ncand * x->na + 1,
		    sizeof(*x->cm));
		memset(x->cm, 0, (x->ncand * x->na + 1) * sizeof(*x->cm));
	}
	for (j = 0; j < x->na && x->narrow; j++) {
		size_t row = from->trow[from->toff[a] + j];

		for (e = to->roff[row]; e < to->roff[row + 1]; e++)
			x->cm32[j * x->ncand + x->slot[to->rthr[e]]] +=
			    (uint32_t)rcnt(to, e);
	}
	for (j = 0; j < x->na && !x->narrow; j++) {
		size_t row = from->trow[from->toff[a] + j];

		for (e = to->roff[row]; e < to->roff[row + 1]; e++)
			x->cm[j * x->ncand + x->slot[to->rthr[e]]] +=
			    rcnt(to, e);
	}
	for (j = 0; j < x->na; j++)
		for (k = 0; k < x->nset; k++)
			if (x->narrow)
				x->m32[j] += x->cm32[j * x->ncand + x->set[k]];
			else
				x->m[j] += x->cm[j * x->ncand + x->set[k]];
}

/*
 * Whether no candidate outside the set can raise its overlap by
 * GAIN_MIN, from two bounds of the overlap of the set with candidate c
 * merged, each costing less than the overlaps: at most the part of the
 * merged fires on the thread's keys ((set's + c's) / (set's total + c's
 * fires)), and at most the thread's shares of the keys the merged set
 * fires.  The margin covers the rounding of the sums of na terms.
 */
static int
no_gain(const struct tside *from, size_t a, const struct tside *to,
    struct match *x, uint64_t tot)
{
	double margin = 8.0 * (double)(x->na + 8) * DBL_EPSILON;
	double need = x->setsim + GAIN_MIN - margin, cov = 0.0;
	uint64_t min = 0;
	size_t c, k, j, e;
	int left = 0;

	for (k = 0; k < x->nset; k++)
		min += x->xin[x->set[k]];
	for (c = 0; c < x->ncand; c++) {
		uint64_t f = to->fires[x->cand[c]];

		x->inset[c] = 0;
		x->bound[c] = (double)(min + x->xin[c]) / (double)(tot + f);
	}
	for (k = 0; k < x->nset; k++)
		x->inset[x->set[k]] = 1;
	for (c = 0; c < x->ncand; c++)
		if (!x->inset[c] && x->bound[c] >= need)
			left++;
	if (left == 0)
		return 1;
	/* the thread's shares of the keys no thread of the set fires, by
	 * the candidates that fire them */
	for (c = 0; c < x->ncand; c++)
		x->unc[c] = 0.0;
	for (j = 0; j < x->na; j++) {
		size_t row = from->trow[from->toff[a] + j];
		int hit = 0;

		for (e = to->roff[row]; e < to->roff[row + 1] && !hit; e++)
			hit = x->inset[x->slot[to->rthr[e]]];
		if (hit) {
			cov += x->pa[j];
			continue;
		}
		for (e = to->roff[row]; e < to->roff[row + 1]; e++)
			x->unc[x->slot[to->rthr[e]]] += x->pa[j];
	}
	for (c = 0; c < x->ncand; c++)
		if (!x->inset[c] && x->bound[c] >= need &&
		    cov + x->unc[c] >= need)
			return 0;
	return 1;
}

/*
 * Thread a of side from against the threads of side to: fills x with the
 * pairwise similarities and the greedy set.  With pm, the pairwise
 * overlaps are taken from it (rev: side from is the candidate's), and
 * the counts side by side are made only when a greedy step after the
 * first may gain.
 */
static void
match_thread(const struct tside *from, size_t a, const struct tside *to,
    struct match *x, const struct pairs *pm, int rev)
{
	size_t j, e, k, c;
	uint64_t tot = 0;
	int dense = pm == NULL;

	x->ncand = x->nset = 0;
	x->setsim = 0.0;
	if (from->fires[a] == 0)	/* counts of 0 only: no profile */
		return;
	x->na = from->toff[a + 1] - from->toff[a];
	x->pa = xreallocarray(x->pa, x->na + 1, sizeof(*x->pa));
	x->narrow = to->cw < 8;
	if (x->narrow) {
		x->m32 = xreallocarray(x->m32, x->na + 1, sizeof(*x->m32));
		memset(x->m32, 0, (x->na + 1) * sizeof(*x->m32));
	} else {
		x->m = xreallocarray(x->m, x->na + 1, sizeof(*x->m));
		memset(x->m, 0, (x->na + 1) * sizeof(*x->m));
	}
	for (j = 0; j < x->na; j++)
		x->pa[j] = (double)tcnt(from, from->toff[a] + j) /
		    (double)from->fires[a];
	/* The other side's threads that fire one of a's keys, in order. */
	if (pm != NULL) {
		x->cand = xreallocarray(x->cand, to->n + 1, sizeof(*x->cand));
		x->xin = xreallocarray(x->xin, to->n + 1, sizeof(*x->xin));
		x->pair = xreallocarray(x->pair, to->n + 1, sizeof(*x->pair));
		for (c = 0; c < to->n; c++) {
			size_t i = rev ? c * pm->nc + a : a * pm->nc + c;

			/* no count of 0 (pairs_build): a shared key has
			 * fires on both */
			if (pm->rin[i] == 0)
				continue;
			x->pair[x->ncand] = to->fires[c] == 0 ? 0.0 :
			    pm->sim[i];
			x->xin[x->ncand] = rev ? pm->cin[i] : pm->rin[i];
			x->cand[x->ncand++] = c;
		}
	} else {
		for (j = 0; j < x->na; j++) {
			size_t row = from->trow[from->toff[a] + j];

			for (e = to->roff[row]; e < to->roff[row + 1]; e++)
				if (x->slot[to->rthr[e]] == SIZE_MAX) {
					x->slot[to->rthr[e]] = 0;
					x->cand = xreallocarray(x->cand,
					    x->ncand + 1, sizeof(*x->cand));
					x->cand[x->ncand++] = to->rthr[e];
				}
		}
		if (x->ncand > 1)
			qsort(x->cand, x->ncand, sizeof(*x->cand), sizecmp);
	}
	for (c = 0; c < x->ncand; c++)
		x->slot[x->cand[c]] = c;
	x->pair = xreallocarray(x->pair, x->ncand + 1, sizeof(*x->pair));
	x->sim = xreallocarray(x->sim, x->ncand + 1, sizeof(*x->sim));
	x->ctot = xreallocarray(x->ctot, x->ncand + 1, sizeof(*x->ctot));
	x->set = xreallocarray(x->set, GREEDY_MAX + 1, sizeof(*x->set));
	if (dense) {
		fill_counts(from, a, to, x);
		overlaps(x, to, 0, x->pair);
	} else {
		x->bound = xreallocarray(x->bound, x->ncand + 1,
		    sizeof(*x->bound));
		x->unc = xreallocarray(x->unc, x->ncand + 1, sizeof(*x->unc));
		x->inset = xreallocarray(x->inset, x->ncand + 1, 1);
	}
	/* Greedy: add the thread that raises the merged overlap most.  Its
	 * first step's overlaps, with nothing merged (m zero, tot 0), are
	 * pair's: the same sums. */
	while (x->nset < GREEDY_MAX) {
		size_t best = SIZE_MAX;
		double bs = x->setsim;

		if (x->nset > 0 && !dense) {
			/* what the overlaps would find: no gain, the
			 * greedy's end */
			if (no_gain(from, a, to, x, tot))
				break;
			fill_counts(from, a, to, x);
			dense = 1;
		}
		if (x->nset > 0)
			overlaps(x, to, tot, x->sim);
		/* the candidates not in the set, in order */
		for (c = 0; c < x->ncand; c++) {
			double s;

			for (k = 0; k < x->nset; k++)
				if (x->set[k] == c)
					break;
			if (k < x->nset)
				continue;
			s = x->nset == 0 ? x->pair[c] : x->sim[c];
			if (s > bs + 1e-12) {
				bs = s;
				best = c;
			}
		}
		if (best == SIZE_MAX || bs - x->setsim < GAIN_MIN)
			break;
		x->set[x->nset++] = best;
		tot += to->fires[x->cand[best]];
		for (j = 0; j < x->na && dense; j++)
			if (x->narrow)
				x->m32[j] += x->cm32[j * x->ncand + best];
			else
				x->m[j] += x->cm[j * x->ncand + best];
		x->setsim = bs;
	}
	for (c = 0; c < x->ncand; c++)
		x->slot[x->cand[c]] = SIZE_MAX;
}

/* Add candidate thread b with pairwise similarity s to t's analogs. */
static void
add_analog(struct thread *t, size_t b, double s)
{
	for (size_t i = 0; i < t->nanalog; i++)
		if (t->analog[i] == b)
			return;
	t->analog = xreallocarray(t->analog, t->nanalog + 1,
	    sizeof(*t->analog));
	t->asim = xreallocarray(t->asim, t->nanalog + 1, sizeof(*t->asim));
	t->analog[t->nanalog] = b;
	t->asim[t->nanalog++] = s;
}

/* Pairwise overlap of ref thread a and cand thread b. */
static double
pair_sim(const struct tside *rs, size_t a, const struct tside *cs, size_t b)
{
	double s = 0.0;

	if (rs->fires[a] == 0 || cs->fires[b] == 0)
		return 0.0;
	for (size_t j = rs->toff[a]; j < rs->toff[a + 1]; j++) {
		size_t row = rs->trow[j];
		double p = (double)tcnt(rs, j) / (double)rs->fires[a], q = 0.0;

		for (size_t e = cs->roff[row]; e < cs->roff[row + 1]; e++)
			if (cs->rthr[e] == b)
				q = (double)rcnt(cs, e) / (double)cs->fires[b];
		s += q < p ? q : p;
	}
	return s;
}

/*
 * A reference thread's keys against its analogs, key by key: the overlap
 * of the thread with its analogs merged (the sum of min(m / tot, p) over
 * its keys, m the analogs' fires on the key, tot theirs in all, p the
 * key's share of the thread's), and the keys none of them fires, missing
 * or moved as the candidate fires them or not.
 */
struct apass {
	const struct report	*r;
	const struct tside	*rs;
	struct thread		*t;
	size_t			 j0;	/* the thread's first entry */
	double			 tot, fires, s;
	int			 sum;	/* the overlap is summed */
};

/* Entry j0 + j: m the analogs' fires on its key, on whether one of them
 * has a count over 0 there. */
static inline void
apass_entry(struct apass *ap, size_t j, uint64_t m, int on)
{
	size_t e = ap->j0 + j;

	if (ap->sum) {
		double p = (double)tcnt(ap->rs, e) / ap->fires;

		ap->s += (double)m / ap->tot < p ? (double)m / ap->tot : p;
	}
	if (on)
		return;
	if (ap->r->row[ap->rs->trow[e]].cand == 0)
		ap->t->missing[ap->t->nmissing++] = e;
	else
		ap->t->moved[ap->t->nmoved++] = e;
}

/*
 * The analogs' fires on each key of ref thread a, for apass_entry().
 * With few analogs their entry lists (in row order, as a's) are merged
 * with a's; with few other threads, theirs, taken from the row's sums
 * (cs->rowsum, cs->rowon: its fires, its entries with a count over 0,
 * made here the first time); else each of a's rows is looked through
 * (isan[b]: whether cand thread b is an analog).  The same sums either
 * way.
 */
#define MERGE_LISTS	8

/* The most lists merged: MERGE_LISTS, or TRACE_TOOLS_THREAD_LISTS (0 to
 * MERGE_LISTS), read once. */
static size_t
merge_lists(void)
{
	static size_t most = SIZE_MAX;

	if (most == SIZE_MAX)
		most = env_count("TRACE_TOOLS_THREAD_LISTS", MERGE_LISTS,
		    MERGE_LISTS);
	return most;
}

static void
analog_fires(const struct report *r, const struct tside *rs, size_t a,
    struct tside *cs, const struct thread *t, const unsigned char *isan,
    struct apass *ap)
{
	size_t j0 = rs->toff[a], n = rs->toff[a + 1] - j0, nl = 0, j, k, e;
	size_t list[MERGE_LISTS], pos[MERGE_LISTS], end[MERGE_LISTS];
	size_t most = merge_lists();
	int others = 0;

	if (t->nanalog <= most)
		for (k = 0; k < t->nanalog; k++)
			list[nl++] = t->analog[k];
	else if (cs->n - t->nanalog <= most) {
		others = 1;	/* (analogs are distinct: add_analog()) */
		for (k = 0; k < cs->n; k++)
			if (!isan[k])
				list[nl++] = k;
		if (cs->rowsum == NULL) {
			cs->rowsum = xcalloc(r->nrow + 1, sizeof(*cs->rowsum));
			cs->rowon = xcalloc(r->nrow + 1, sizeof(*cs->rowon));
			for (size_t i = 0; i < r->nrow; i++)
				for (e = cs->roff[i]; e < cs->roff[i + 1]; e++) {
					cs->rowsum[i] += rcnt(cs, e);
					cs->rowon[i] += rcnt(cs, e) > 0;
				}
		}
	} else {
		for (j = 0; j < n; j++) {
			size_t row = rs->trow[j0 + j];
			uint64_t sum = 0;
			int o = 0;

			for (e = cs->roff[row]; e < cs->roff[row + 1]; e++)
				if (isan[cs->rthr[e]]) {
					sum += rcnt(cs, e);
					o |= rcnt(cs, e) > 0;
				}
			apass_entry(ap, j, sum, o);
		}
		return;
	}
	for (k = 0; k < nl; k++) {
		pos[k] = cs->toff[list[k]];
		end[k] = cs->toff[list[k] + 1];
	}
	for (j = 0; j < n; j++) {
		uint32_t row = rs->trow[j0 + j];
		uint64_t sum = 0;
		size_t non = 0;

		for (k = 0; k < nl; k++) {
			while (pos[k] < end[k] && cs->trow[pos[k]] < row)
				pos[k]++;
			/* (not past the row: a's next entry may be on it
			 * too, on a side with a thread twice in a cell) */
			for (e = pos[k]; e < end[k] && cs->trow[e] == row; e++) {
				sum += tcnt(cs, e);
				non += tcnt(cs, e) > 0;
			}
		}
		if (others)
			apass_entry(ap, j, cs->rowsum[row] - sum,
			    cs->rowon[row] > non);
		else
			apass_entry(ap, j, sum, non > 0);
	}
}

/* Threads by fires, descending, then tid. */
static int
threadcmp(const void *x, const void *y)
{
	const struct thread *a = x, *b = y;

	if (a->fires != b->fires)
		return a->fires > b->fires ? -1 : 1;
	return a->ref < b->ref ? -1 : a->ref > b->ref;
}

/* Analogs by pairwise similarity, descending, then tid order. */
static const double *sortsim;
static int
analogcmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	if (sortsim[a] != sortsim[b])
		return sortsim[a] > sortsim[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Thread t (ref thread a) against its analogs (struct apass): its
 * merged overlap in t->sim, its missing and moved keys. */
static void
analog_pass(const struct report *r, const struct tside *rs, size_t a,
    struct tside *cs, struct thread *t, const unsigned char *isan)
{
	size_t n = rs->toff[a + 1] - rs->toff[a];
	struct apass ap = { r, rs, t, rs->toff[a], 0.0, 0.0, 0.0, 0 };
	uint64_t tot = 0;

	for (size_t i = 0; i < t->nanalog; i++)
		tot += cs->fires[t->analog[i]];
	ap.sum = t->nanalog > 0 && tot != 0 && rs->fires[a] != 0;
	ap.tot = (double)tot;
	ap.fires = (double)rs->fires[a];
	t->missing = xcalloc(n + 1, sizeof(size_t));
	t->moved = xcalloc(n + 1, sizeof(size_t));
	analog_fires(r, rs, a, cs, t, isan, &ap);
	if (t->nanalog > 0)
		t->sim = ap.s;
}

static const struct tside *keyside;
static const struct report *keyrep;

/* Entries of a ref thread by count, descending, then key. */
static int
entcmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	uint64_t ca = tcnt(keyside, a), cb = tcnt(keyside, b);

	if (ca != cb)
		return ca > cb ? -1 : 1;
	return rp_keycmp(keyrep, keyside->trow[a], keyside->trow[b]);
}

/* Sort entries with entcmp, unless they are in its order already (as
 * the rows of a join of one thread are): a total order, so skipping
 * the sort changes nothing. */
static void
sort_entries(size_t *v, size_t n)
{
	size_t i;

	for (i = 1; i < n && entcmp(&v[i - 1], &v[i]) < 0; i++)
		continue;
	if (i < n)
		qsort(v, n, sizeof(*v), entcmp);
}

void
model_threads(struct report *r, const struct ropts *o)
{
	struct tside rs, cs;
	struct match x = { 0 };
	struct pairs pm, *pmp = NULL;
	struct tpre *pre;
	size_t a, b, i, k;
	unsigned char *isan;
	int cgc = -1;

	r->threadmin = o->threadmin;
	r->threadtop = o->threadtop;
	pre = r->tpre;
	r->tpre = NULL;
	if (r->groupcol < 0) {
		r->nomap = "there is no reference counts tally to group by";
		threads_free(pre);
		return;
	}
	cgc = rp_side_col(r, 0, r->groupby, 0);
	if (cgc >= 0 && !r->rtcounts[r->nrt + (size_t)cgc])
		cgc = -1;	/* a cell that is not a counts tally */
	if (cgc < 0) {
		r->nomap = "the candidate has no counts tally of the column";
		threads_free(pre);
		return;
	}
	if (r->hasruns && (r->nrefrun > 1 || r->ncandrun > 1)) {
		r->nomap = "the threads of different runs are not comparable "
		    "(a side has several runs)";
		threads_free(pre);
		return;
	}
	if (pre == NULL)
		sides_build(r, &rs, (size_t)r->groupcol, &cs, (size_t)cgc);
	else {
		/* both columns are counts tallies, with those names */
		if (pre->dead || pre->rc != (size_t)r->groupcol ||
		    pre->cc != r->nrt + (size_t)cgc)
			dief("%s: internal error: the thread map's sides were "
			    "not built", r->file);
		if (pre->over > 0)
			die_pairs(r, pre->over - 1);
		side_end(r, &pre->rs, &pre->rb);
		side_end(r, &pre->cs, &pre->cb);
		rs = pre->rs;
		cs = pre->cs;
		free(pre);
	}
	if (pairs_build(r, &rs, &cs, &pm))
		pmp = &pm;
	r->hasmap = 1;
	r->cthread = cs.tid;
	r->ncthread = cs.n;
	r->thread = xcalloc(rs.n + 1, sizeof(*r->thread));
	r->nthread = rs.n;

	x.slot = xreallocarray(NULL, cs.n + rs.n + 1, sizeof(*x.slot));
	for (i = 0; i < cs.n + rs.n + 1; i++)
		x.slot[i] = SIZE_MAX;
	for (a = 0; a < rs.n; a++) {
		struct thread *t = &r->thread[a];

		t->ref = a;
		t->tid = rs.tid[a];
		t->fires = rs.fires[a];
		match_thread(&rs, a, &cs, &x, pmp, 0);
		if (x.setsim >= o->threadmin)
			for (k = 0; k < x.nset; k++)
				add_analog(t, x.cand[x.set[k]],
				    x.pair[x.set[k]]);
		for (k = 0; k < x.ncand; k++)
			if (x.pair[k] >= o->threadmin)
				add_analog(t, x.cand[k], x.pair[k]);
		t->sim = x.setsim;
	}
	/* The reverse: several reference threads merged into one. */
	for (b = 0; b < cs.n; b++) {
		match_thread(&cs, b, &rs, &x, pmp, 1);
		if (x.nset < 2 || x.setsim < o->threadmin)
			continue;
		for (k = 0; k < x.nset; k++) {
			a = x.cand[x.set[k]];
			add_analog(&r->thread[a], b, pair_sim(&rs, a, &cs, b));
		}
	}
	/* isan: the analogs of the thread at hand, so that each key's
	 * threads are checked against them in one step (with many threads
	 * a key, a search through the analogs was cubic in threads) */
	isan = xcalloc(cs.n + 1, 1);
	for (a = 0; a < rs.n; a++) {
		struct thread *t = &r->thread[a];
		double *sim = xcalloc(cs.n + 1, sizeof(*sim));
		double *as = xcalloc(t->nanalog + 1, sizeof(*as));

		for (k = 0; k < t->nanalog; k++)
			isan[t->analog[k]] = 1;
		analog_pass(r, &rs, a, &cs, t, isan);
		for (k = 0; k < t->nanalog; k++)
			sim[t->analog[k]] = t->asim[k];
		sortsim = sim;
		if (t->nanalog > 1)
			qsort(t->analog, t->nanalog, sizeof(*t->analog),
			    analogcmp);
		for (k = 0; k < t->nanalog; k++)
			as[k] = sim[t->analog[k]];
		free(t->asim);
		t->asim = as;
		free(sim);
		for (k = 0; k < t->nanalog; k++)
			isan[t->analog[k]] = 0;
		keyside = &rs;
		keyrep = r;
		sort_entries(t->missing, t->nmissing);
		sort_entries(t->moved, t->nmoved);
		/* entries to rows */
		for (k = 0; k < t->nmissing; k++)
			t->missing[k] = rs.trow[t->missing[k]];
		for (k = 0; k < t->nmoved; k++)
			t->moved[k] = rs.trow[t->moved[k]];
	}
	if (rs.n > 1)
		qsort(r->thread, rs.n, sizeof(*r->thread), threadcmp);
	r->nthreadshown = rs.n < o->threadtop ? rs.n : o->threadtop;
	free(isan);
	side_free(&rs, 0);
	side_free(&cs, 1);	/* r->cthread */
	free(x.pa);
	free(x.m);
	free(x.m32);
	free(x.cm32);
	free(x.cand);
	free(x.slot);
	free(x.cm);
	free(x.ctot);
	free(x.pair);
	free(x.set);
	free(x.sim);
	free(x.xin);
	free(x.bound);
	free(x.unc);
	free(x.inset);
	pairs_free(&pm);
}

void
write_threads(const struct report *r, struct ob *o)
{
	struct sbuf sb = { 0 };
	struct span v;

	if (!r->hasmap)
		die_at(r->file, 1, "--format threads: no thread map: %s",
		    r->nomap != NULL ? r->nomap : "no group column");
	ob_puts(o, "ref_tid\tcand_tid\tsimilarity\n");
	for (size_t i = 0; i < r->nthread; i++) {
		const struct thread *t = &r->thread[i];

		for (size_t k = 0; k < t->nanalog; k++) {
			/* as in the event stream: %-decoded, TSV-escaped */
			v = rp_val(t->tid, &sb);
			tsv_put(o, v.p, v.n);
			ob_putc(o, '\t');
			v = rp_val(r->cthread[t->analog[k]], &sb);
			tsv_put(o, v.p, v.n);
			ob_printf(o, "\t%.6f\n", t->asim[k]);
		}
	}
	sb_free(&sb);
}
