/*
 * keys.c - the key columns of the join as ranks: each column's distinct
 * values are numbered as the rows are read (kcol_add), then ranked
 * in value order (kcol_rank), so that rows compare by a 32-bit rank per
 * column (rp_keycmp) instead of a sort key and the text of each key.
 */
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "msg.h"
#include "num.h"
#include "report.h"

/* Value i's bytes. */
static struct span
kval(const struct kcol *c, uint32_t i)
{
	return span_make(c->text + c->off[i], (size_t)(c->off[i + 1] -
	    c->off[i]));
}

/*
 * The table's slots, twice as many: grown at three quarters full.  A
 * slot holds its value's hash in its high 32 bits and the value's
 * number + 1 in the low 32 (0: empty), so that a probe compares hashes
 * without another cache miss, and growing needs no more than the slots.
 * Slots are reached at random, so a large table asks for huge pages
 * (mem_huge()), as trace-hist's does: fewer TLB misses.
 */
static void
kgrow(struct kcol *c)
{
	size_t nslot = c->slot == NULL ? 1024 : (c->mask + 1) * 2, j, i;
	uint64_t *slot = xcalloc(nslot, sizeof(*slot));

	mem_huge(slot, nslot * sizeof(*slot));
	for (i = 0; c->slot != NULL && i <= c->mask; i++) {
		uint64_t s = c->slot[i];

		if (s == 0)
			continue;
		j = (size_t)(s >> 32) & (nslot - 1);
		while (slot[j] != 0)
			j = (j + 1) & (nslot - 1);
		slot[j] = s;
	}
	free(c->slot);
	c->slot = slot;
	c->mask = nslot - 1;
}

static uint32_t
intern_h(struct kcol *c, struct span v, uint32_t h)
{
	size_t j;
	uint64_t s, hv;
	struct span w;

	if (c->slot == NULL || (uint64_t)c->n + 1 > (c->mask + 1) / 4 * 3)
		kgrow(c);
	hv = (uint64_t)h << 32;
	j = h & c->mask;
	while ((s = c->slot[j]) != 0) {
		if ((s & ~(uint64_t)UINT32_MAX) == hv &&
		    (w = kval(c, (uint32_t)s - 1)).n == v.n &&
		    memcmp(w.p, v.p, v.n) == 0)
			return c->last = (uint32_t)s - 1;
		j = (j + 1) & c->mask;
	}
	if (c->n == UINT32_MAX - 1)
		dief("more than 2^32 distinct values in a key column");
	if (c->text == NULL || c->len + v.n > c->cap) {	/* never NULL */
		c->cap = c->cap ? c->cap * 2 : 4096;
		if (c->cap < c->len + v.n)
			c->cap = c->len + v.n;
		c->text = xrealloc(c->text, c->cap);
	}
	if (c->n + 2 > c->ncap) {
		c->ncap = c->ncap ? c->ncap * 2 : 256;
		c->off = xreallocarray(c->off, c->ncap, sizeof(*c->off));
		c->off[0] = 0;
	}
	memcpy(c->text + c->len, v.p, v.n);
	c->len += v.n;
	c->off[c->n + 1] = c->len;
	c->slot[j] = hv | (c->n + 1);
	return c->last = c->n++;
}

/* The oldest value waiting: interned, its number stored. */
static void
kcol_settle(struct kcol *c)
{
	struct kpend *e = &c->pend[c->phead];

	(*c->dst)[e->at] = e->same ? c->last : intern_h(c, span_make(e->p,
	    e->n), e->h);
	c->phead = (c->phead + 1) % KCOL_AHEAD;
	c->npend--;
}

void
kcol_add(struct kcol *c, struct span v, size_t at)
{
	struct kpend *e, *prev;

	if (c->npend == KCOL_AHEAD)
		kcol_settle(c);
	e = &c->pend[(c->phead + c->npend) % KCOL_AHEAD];
	prev = c->npend > 0 ? &c->pend[(c->phead + c->npend - 1) %
	    KCOL_AHEAD] : NULL;
	e->at = at;
	/* a column often repeats the value of the row before: the one
	 * waiting before, or the one interned last */
	if (prev != NULL)
		e->same = prev->n == v.n && (v.n == 0 || memcmp(prev->p, v.p,
		    v.n) == 0);
	else if (c->n > 0) {
		struct span w = kval(c, c->last);

		e->same = w.n == v.n && (v.n == 0 || memcmp(w.p, v.p, v.n) ==
		    0);
	} else
		e->same = 0;
	if (e->p == NULL || e->cap < v.n) {
		e->cap = v.n < 64 ? 64 : v.n;
		free(e->p);
		e->p = xmalloc(e->cap);
	}
	memcpy(e->p, v.p, v.n);
	e->n = v.n;
	if (!e->same) {
		e->h = (uint32_t)ht_hash(v.p, v.n);
		if (c->slot != NULL)
			__builtin_prefetch(&c->slot[e->h & c->mask]);
	}
	c->npend++;
}

void
kcol_flush(struct kcol *c)
{
	while (c->npend > 0)
		kcol_settle(c);
	for (size_t i = 0; i < KCOL_AHEAD; i++) {
		free(c->pend[i].p);
		c->pend[i].p = NULL;
		c->pend[i].cap = 0;
	}
}

/* The column being ranked, and each value's numeric sort key. */
static const struct kcol *rcol;
static uint64_t *rmag;
static unsigned char *rnum;		/* isnum << 1 | neg */

/* Values a and b in the order of num_key_cmp(). */
static int
kcmp(uint32_t a, uint32_t b)
{
	int anum = rnum[a] >> 1, bnum = rnum[b] >> 1;
	int aneg = rnum[a] & 1, bneg = rnum[b] & 1;

	if (anum && bnum) {
		if (aneg != bneg)
			return aneg ? -1 : 1;
		if (rmag[a] != rmag[b])
			return (rmag[a] < rmag[b]) != aneg ? -1 : 1;
	} else if (anum != bnum)
		return anum ? -1 : 1;
	return span_cmp(kval(rcol, a), kval(rcol, b));
}

/* Where the run of v in order from i ends. */
static size_t
run_end(const uint32_t *v, size_t i, size_t n)
{
	for (i++; i < n && kcmp(v[i - 1], v[i]) < 0; i++)
		continue;
	return i;
}

/*
 * Sort v[0..n) with kcmp: merge the runs already in order, two at a
 * time, until one is left (values come mostly in order: the join is
 * sorted by counts, then keys).  tmp has room for n; returns v or tmp,
 * whichever holds the result.
 */
static uint32_t *
run_sort(uint32_t *v, uint32_t *tmp, size_t n)
{
	uint32_t *t;
	size_t runs;

	do {
		size_t i = 0;

		runs = 0;
		while (i < n) {
			size_t m = run_end(v, i, n), e = m < n ?
			    run_end(v, m, n) : n, a = i, b = m, o = i;

			while (a < m && b < e)
				tmp[o++] = kcmp(v[a], v[b]) < 0 ? v[a++] :
				    v[b++];
			while (a < m)
				tmp[o++] = v[a++];
			while (b < e)
				tmp[o++] = v[b++];
			runs++;
			i = e;
		}
		t = v;
		v = tmp;
		tmp = t;
	} while (runs > 1);
	return v;
}

uint32_t *
kcol_rank(struct kcol *c)
{
	uint32_t *v, *tmp, *s, *rank, i;
	struct num_key k;

	free(c->slot);
	c->slot = NULL;
	rmag = xreallocarray(NULL, c->n + 1, sizeof(*rmag));
	rnum = xmalloc((size_t)c->n + 1);
	for (i = 0; i < c->n; i++) {
		k.neg = 0;
		num_key_make(&k, kval(c, i));
		rmag[i] = k.isnum ? k.mag : 0;
		rnum[i] = (unsigned char)((k.isnum != 0) << 1 | (k.neg != 0));
	}
	v = xreallocarray(NULL, c->n + 1, sizeof(*v));
	tmp = xreallocarray(NULL, c->n + 1, sizeof(*tmp));
	for (i = 0; i < c->n; i++)
		v[i] = i;
	rcol = c;
	s = run_sort(v, tmp, c->n);
	rank = s == v ? tmp : v;
	for (i = 0; i < c->n; i++)
		rank[s[i]] = i;
	free(s);
	free(rmag);
	free(rnum);
	free(c->text);
	free(c->off);
	memset(c, 0, sizeof(*c));
	return rank;
}
