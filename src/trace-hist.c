/*
 * trace-hist - group a keyed stream by key: sum counts, tally attributes.
 *
 * Input is trace-key output or trace-hist output (or several of either,
 * or their concatenation with repeated header lines): the key is every
 * column before `count`, every column after it is a tally column (see
 * tally.h).  Grouping is by hash, never by input order, and memory grows
 * with distinct keys and distinct tallied values, never with events.
 * Output is sorted (count descending then key, or key), so it does not
 * depend on input order, hash seed or locale, and hist(A+B) equals
 * hist(hist(A)+hist(B)) byte for byte.
 */
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "msg.h"
#include "opt.h"
#include "htab.h"
#include "num.h"
#include "ob.h"
#include "rd.h"
#include "tally.h"
#include "tsv.h"

/*
 * Memory.  A histogram of ten million keys must fit in about a gigabyte,
 * so each key costs one fixed-size record in one array, its bytes in one
 * arena, and a slot in the table that finds it; the sort at the end
 * needs 16 bytes a key, taken after the table is freed.
 *
 * The record of key k, rsz bytes at rec + k * rsz: the key's offset in
 * the arena (where its length, 4 bytes, precedes its bytes), its count,
 * then one cell per tally column: 8 bytes for counts and distinct (a
 * value map, below), 16 for a range (min, max; empty while min > max).
 */
static unsigned char	*rec;		/* per key records */
static size_t		 rsz;		/* bytes of one record */
static size_t		 capkeys;	/* records allocated */
static uint32_t		 nkeys;
static char		*arena;		/* key bytes, each after its length */
static size_t		 arlen, arcap;

#define REC_OFF(k)	((uint64_t *)(void *)(rec + (size_t)(k) * rsz))
#define REC_COUNT(k)	(REC_OFF(k) + 1)
#define REC_CELL(k, a)	((uint64_t *)(void *)(rec + (size_t)(k) * rsz + \
			    (a)->off))

/*
 * Faulting pages in one at a time is slow, in a virtual machine most of
 * all, so memory about to be written is faulted in ahead, POP_AHEAD
 * bytes a system call (mem_populate()): the records and the arena as
 * they fill, each new table of slots and the sort's array whole.
 */
#define POP_AHEAD	((size_t)1 << 22)
static size_t		 recpop, arpop;	/* bytes of rec, arena faulted in */

/*
 * The table of slots is reached at random, each access a cache miss and,
 * with small pages, a TLB miss too: it asks for huge pages (mem_huge()).
 */

/* Fault in what follows *done bytes of block p (size cap) when need
 * bytes of it are about to be used. */
static inline void
pop_ahead(char *p, size_t need, size_t cap, size_t *done)
{
	size_t n;

	if (need <= *done)
		return;
	n = cap - *done < POP_AHEAD ? cap - *done : POP_AHEAD;
	if (n < need - *done)
		n = need - *done;
	mem_populate(p + *done, n);
	*done += n;
}

static inline struct span
key_of(uint32_t k)
{
	const char *p = arena + *REC_OFF(k);
	uint32_t n;

	memcpy(&n, p, sizeof(n));
	return span_make(p + sizeof(n), n);
}

/*
 * A value map: how often each value id of a column occurred for a key,
 * in one 8-byte word.  Most keys see one value of a column (one thread,
 * one handle): then the word holds it, count << 32 | id << 1 | 1, while
 * the id is below 2^31 and the count below 2^32.  Otherwise the word
 * points to a table in one block, a struct vmap and then either
 *
 *   open: open addressing, cap value ids + 1 (0 is empty), then cap
 *         counts; or
 *   dense: a bit for each id from 0 to cap - 1 (the id has a count),
 *         then cap counts of 32 bits indexed by the id itself,
 *
 * and 0 is an empty map.  A table is made dense, when it grows, only
 * where that is not larger than the open table it would be: where a
 * key's values are most of the ids below its largest one, as when a
 * pool of threads each fires most call sites: no probe, and for 100
 * threads of 100 about 600 bytes where the open table takes 3 KB.  A
 * dense table that a new id would make larger than that, or a count
 * that would not fit in 32 bits, goes back to open addressing.
 */
struct vmap {
	uint32_t	 n, cap;
	uint32_t	 dense, pad;
};

#define VM_ONE(w)	((w) & 1)
#define VM_ID(w)	((uint32_t)((w) >> 1) & 0x7fffffffu)
#define VM_CNT(w)	((w) >> 32)
/* A dense table's words of bits. */
#define VM_WORDS(cap)	(((size_t)(cap) + 63) / 64)

static inline uint32_t *
vm_ids(struct vmap *m)
{
	return (uint32_t *)(void *)(m + 1);
}

static inline uint64_t *
vm_cnt(struct vmap *m)
{
	return (uint64_t *)(void *)(vm_ids(m) + m->cap);
}

static inline uint64_t *
vm_bits(struct vmap *m)
{
	return (uint64_t *)(void *)(m + 1);
}

static inline uint32_t *
vm_dcnt(struct vmap *m)
{
	return (uint32_t *)(void *)(vm_bits(m) + VM_WORDS(m->cap));
}

/* Whether dense table m has id (below its cap). */
static inline int
vm_has(struct vmap *m, uint32_t id)
{
	return (int)(vm_bits(m)[id / 64] >> (id % 64) & 1);
}

/* One tally column. */
struct acol {
	enum tally_kind	 kind;
	size_t		 off;		/* of its cell in a record */
	struct htab	*vals;		/* distinct values (counts, distinct) */
	uint32_t	*rank;		/* value id -> sort position */
	int		 istid;		/* the tid column: integers canonical */
};

static struct acol	*ac;
static size_t		 nac;
static struct tsv_hdr	 hdr;		/* the first input's header */
static size_t		 kc;		/* index of the count column */

static char		**tkcol;	/* -t COL=KIND, by name */
static int		 *tkkind;
static size_t		  ntk;
static int		  bykey;	/* --sort key */
static char		 *output;

static const char usage_text[] =
"usage: trace-hist [-o file] [-t column=kind] [--sort count|key] [file ...]\n"
"\n"
"Group a keyed stream (trace-key or trace-hist output) by its key.\n"
"\n"
"  -o, --output FILE     write to FILE atomically instead of stdout\n"
"  -t, --tally COL=KIND  tally COL as counts, distinct or range (default:\n"
"                        ts range, every other column counts)\n"
"      --sort ORDER      count (count descending, then key; default) or key\n"
"  -h, --help            show this help\n"
"  -V, --version         show the version\n";

static uint64_t
vhash(uint32_t id)
{
	uint64_t x = id * 0x9e3779b97f4a7c15ULL;

	return x ^ (x >> 29);
}

/* The bytes of a table of cap slots, dense or open. */
static uint64_t
vm_size(uint64_t cap, int dense)
{
	return sizeof(struct vmap) + (dense ? VM_WORDS(cap) *
	    sizeof(uint64_t) + cap * sizeof(uint32_t) : cap *
	    (sizeof(uint32_t) + sizeof(uint64_t)));
}

/* The slots of the open table that n values fill: as vmap_add() grows
 * them, at least 4 and more than twice n - 1. */
static uint64_t
vm_open_cap(uint64_t n)
{
	uint64_t cap = 4;

	while (n > 0 && (n - 1) * 2 >= cap)
		cap *= 2;
	return cap;
}

static struct vmap *
vm_new(uint32_t cap, int dense)
{
	static int heap_huge;
	struct vmap *m;

	/* the maps are many and small: the heap in huge pages, from the
	 * first one on (mem_heap_huge()) */
	if (!heap_huge) {
		mem_heap_huge_start();
		heap_huge = 1;
	}
	m = xcalloc(1, (size_t)vm_size(cap, dense));
	mem_heap_huge();
	m->cap = cap;
	m->dense = (uint32_t)dense;
	return m;
}

/* Add c to value id's count in open table m, which has room for one
 * more. */
static void
vm_put(struct vmap *m, uint32_t id, uint64_t c, const char *file,
    uint64_t line)
{
	uint32_t j, k = id + 1, *ids = vm_ids(m);
	uint64_t *cnt = vm_cnt(m);

	for (j = (uint32_t)vhash(id) & (m->cap - 1); ids[j] != 0;
	    j = (j + 1) & (m->cap - 1))
		if (ids[j] == k) {
			if (cnt[j] + c < c)
				die_at(file, line, "tally count overflows 64 "
				    "bits");
			cnt[j] += c;
			return;
		}
	ids[j] = k;
	cnt[j] = c;
	m->n++;
}

/* Add c to value id's count in dense table m; id is below its cap.
 * Returns -1, adding nothing, when the count would not fit in 32 bits. */
static int
vm_dput(struct vmap *m, uint32_t id, uint64_t c)
{
	uint32_t *cnt = vm_dcnt(m);

	if (vm_has(m, id)) {
		if (c > UINT32_MAX - cnt[id])
			return -1;
		cnt[id] += (uint32_t)c;
		return 0;
	}
	if (c > UINT32_MAX)
		return -1;
	vm_bits(m)[id / 64] |= (uint64_t)1 << (id % 64);
	cnt[id] = (uint32_t)c;
	m->n++;
	return 0;
}

/* Table m's values again in a new table of cap slots, dense or open,
 * with room for one more; m freed.  Dense only when every count fits
 * in 32 bits (vm_fits()). */
static struct vmap *
vm_remake(struct vmap *m, uint64_t cap, int dense, const char *file,
    uint64_t line)
{
	struct vmap *g = vm_new((uint32_t)cap, dense);
	uint32_t j;

	if (m->dense && dense) {	/* the same ids, more room */
		memcpy(vm_bits(g), vm_bits(m), VM_WORDS(m->cap) *
		    sizeof(uint64_t));
		memcpy(vm_dcnt(g), vm_dcnt(m), (size_t)m->cap *
		    sizeof(uint32_t));
		g->n = m->n;
		free(m);
		return g;
	}
	for (j = 0; j < m->cap; j++) {
		uint32_t id;
		uint64_t c;

		if (m->dense) {
			if (!vm_has(m, j))
				continue;
			id = j;
			c = vm_dcnt(m)[j];
		} else {
			if (vm_ids(m)[j] == 0)
				continue;
			id = vm_ids(m)[j] - 1;
			c = vm_cnt(m)[j];
		}
		if (dense)
			(void)vm_dput(g, id, c);
		else
			vm_put(g, id, c, file, line);
	}
	free(m);
	return g;
}

/* Whether every count of table m fits in 32 bits, as a dense table's. */
static int
vm_fits(struct vmap *m)
{
	if (m->dense)
		return 1;
	for (uint32_t j = 0; j < m->cap; j++)
		if (vm_ids(m)[j] != 0 && vm_cnt(m)[j] > UINT32_MAX)
			return 0;
	return 1;
}

/* Add c to value id's count in the map in word *w. */
static void
vmap_add(uint64_t *w, uint32_t id, uint64_t c, const char *file,
    uint64_t line)
{
	struct vmap *m;
	uint64_t sum, cap, ocap;
	uint32_t j, top;

	if (*w == 0) {
		if (id < 0x80000000u && c <= UINT32_MAX) {
			*w = c << 32 | (uint64_t)id << 1 | 1;
			return;
		}
		m = vm_new(4, 0);
		*w = (uint64_t)(uintptr_t)m;
	} else if (VM_ONE(*w)) {
		if (VM_ID(*w) == id) {
			if ((sum = VM_CNT(*w) + c) < c)
				die_at(file, line, "tally count overflows 64 "
				    "bits");
			if (sum <= UINT32_MAX) {
				*w = sum << 32 | (*w & 0xffffffffu);
				return;
			}
		}
		/* a second value, or a count of 2^32: a table */
		m = vm_new(4, 0);
		vm_put(m, VM_ID(*w), VM_CNT(*w), file, line);
		*w = (uint64_t)(uintptr_t)m;
	} else
		m = (struct vmap *)(uintptr_t)*w;
	if (m->dense && id >= m->cap) {
		/* half as large again, or to the id; open when that would
		 * be larger than the open table */
		cap = (uint64_t)m->cap + m->cap / 2;
		if (cap < (uint64_t)id + 1)
			cap = (uint64_t)id + 1;
		cap = (cap + 7) & ~(uint64_t)7;
		ocap = vm_open_cap((uint64_t)m->n + 1);
		if (cap <= UINT32_MAX && vm_size(cap, 1) <= vm_size(ocap, 0))
			m = vm_remake(m, cap, 1, file, line);
		else
			m = vm_remake(m, ocap, 0, file, line);
		*w = (uint64_t)(uintptr_t)m;
	} else if (!m->dense && m->n * 2 >= m->cap) {
		/* twice as large, or dense up to the largest id when that
		 * is not larger */
		top = id;
		for (j = 0; j < m->cap; j++)
			if (vm_ids(m)[j] > top + 1)
				top = vm_ids(m)[j] - 1;
		cap = ((uint64_t)top + 1 + 7) & ~(uint64_t)7;
		ocap = (uint64_t)m->cap * 2;
		if (cap <= UINT32_MAX && vm_size(cap, 1) <= vm_size(ocap, 0) &&
		    vm_fits(m))
			m = vm_remake(m, cap, 1, file, line);
		else
			m = vm_remake(m, ocap, 0, file, line);
		*w = (uint64_t)(uintptr_t)m;
	}
	if (m->dense && vm_dput(m, id, c) == 0)
		return;
	if (m->dense) {		/* a count over 32 bits */
		m = vm_remake(m, vm_open_cap((uint64_t)m->n + 1), 0, file,
		    line);
		*w = (uint64_t)(uintptr_t)m;
	}
	vm_put(m, id, c, file, line);
}

/* The id of value v (as written, %-encoded) of column a. */
static uint32_t
intern(struct acol *a, struct span v, const char *file, uint64_t line)
{
	uint32_t id;
	int isnew;

	if (a->vals == NULL)		/* made on first use */
		a->vals = ht_new();
	id = ht_intern(a->vals, v.p, v.n, &isnew);
	/* 015 and 15 would be two threads: trace-format(5) forbids it. */
	if (isnew && a->istid && !num_tid_ok(v))
		die_at(file, line, "column tid: tid '%s' is not a canonical "
		    "integer (no '+', no leading zeros, no -0)",
		    msg_vis(v.p, v.n > 40 ? 40 : v.n));
	return id;
}

/* vmap_inc() of dense table m, a value it has or a new one below its
 * cap: out of line, so that the inline path of open tables stays
 * short. */
static __attribute__((noinline)) void
vmap_dinc(uint64_t *w, struct vmap *m, uint32_t id, uint64_t c,
    const char *file, uint64_t line)
{
	uint32_t *cnt;

	if (id < m->cap) {
		cnt = vm_dcnt(m) + id;
		if (!vm_has(m, id)) {	/* a value new to the key */
			if (c <= UINT32_MAX) {
				vm_bits(m)[id / 64] |= (uint64_t)1 << (id % 64);
				*cnt = (uint32_t)c;
				m->n++;
				return;
			}
		} else if (c <= UINT32_MAX - *cnt) {
			*cnt += (uint32_t)c;
			return;
		}
	}
	vmap_add(w, id, c, file, line);
}

/*
 * vmap_add() for the usual cases, inline: the word holds this value and
 * the sum still fits in it, or the table has this value and its count
 * does not overflow.  Anything else (a new value, a table to make or
 * grow, an overflow to report) takes vmap_add().
 */
static inline void
vmap_inc(uint64_t *w, uint32_t id, uint64_t c, const char *file,
    uint64_t line)
{
	uint64_t x = *w, *cnt;
	struct vmap *m;
	uint32_t j, *ids;

	if (VM_ONE(x)) {
		if (VM_ID(x) == id && c <= UINT32_MAX &&
		    VM_CNT(x) + c <= UINT32_MAX) {
			*w = x + (c << 32);
			return;
		}
	} else if (x != 0) {
		m = (struct vmap *)(uintptr_t)x;
		if (m->dense) {
			vmap_dinc(w, m, id, c, file, line);
			return;
		}
		ids = vm_ids(m);
		for (j = (uint32_t)vhash(id) & (m->cap - 1); ids[j] != 0;
		    j = (j + 1) & (m->cap - 1))
			if (ids[j] == id + 1) {
				cnt = vm_cnt(m);
				if (cnt[j] + c < c)
					break;
				cnt[j] += c;
				return;
			}
	}
	vmap_add(w, id, c, file, line);
}

/*
 * Values are interned through a memo in front of the columns' tables:
 * direct-mapped, shared by the columns, indexed by a cheap unkeyed hash.
 * A value of up to 16 bytes is held in it whole, as two words (the
 * first and last eight bytes, or four, or the first, middle and last
 * byte of a shorter one) and its length, so a hit is three comparisons,
 * without hashing the value with SipHash or reaching its bytes in the
 * table.  A value's id never changes, so an entry never goes stale; a
 * colliding value only replaces it.  Input crafted to collide only
 * makes the memo miss.
 */
#define MEMO_BITS	10
static struct memo {
	uint64_t	 a, b;		/* the value's bytes */
	uint32_t	 col;		/* its column + 1; 0 empty */
	uint32_t	 n;		/* its length */
	uint32_t	 id;
} memo[1u << MEMO_BITS];

/* The two words of value p[0..n-1], n <= 16, as the memo holds them. */
static inline void
memo_words(const char *p, size_t n, uint64_t *a, uint64_t *b)
{
	uint32_t lo, hi;

	*b = 0;
	if (n >= 8) {
		memcpy(a, p, 8);
		memcpy(b, p + n - 8, 8);
	} else if (n >= 4) {
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		*a = lo | (uint64_t)hi << 32;
	} else
		*a = (unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] <<
		    8 | (uint64_t)(unsigned char)p[n - 1] << 16;
}

/* The memo entry of value v (1 to 16 bytes) of tally column i, and the
 * words it holds v as. */
static inline struct memo *
memo_at(size_t i, struct span v, uint64_t *a, uint64_t *b)
{
	uint64_t h;

	memo_words(v.p, v.n, a, b);
	h = (*a ^ (*b * 0x9e3779b97f4a7c15ULL) ^ (v.n | (uint64_t)i << 8)) *
	    0xff51afd7ed558ccdULL;
	return &memo[h >> (64 - MEMO_BITS)];
}

/* intern() of value v (not empty) of tally column i, through the memo. */
static inline uint32_t
intern_memo(size_t i, struct span v, const char *file, uint64_t line)
{
	struct memo *e;
	uint64_t a, b;
	uint32_t id;

	if (v.n > 16 || i >= UINT32_MAX - 1)
		return intern(&ac[i], v, file, line);
	e = memo_at(i, v, &a, &b);
	if (e->a == a && e->b == b && e->n == v.n && e->col == i + 1)
		return e->id;
	id = intern(&ac[i], v, file, line);
	e->a = a;
	e->b = b;
	e->n = (uint32_t)v.n;
	e->col = (uint32_t)(i + 1);
	e->id = id;
	return id;
}

/*
 * The table of keys: open addressing (linear probing) over slots that
 * hold the low 32 bits of the key's SipHash (ht_hash(), keyed, so input
 * crafted to collide cannot degrade it) above its id + 1, 0 empty; most
 * probes that miss never touch a key.  It grows at three quarters full.
 * In front of it a small direct-mapped cache, indexed by a cheap unkeyed
 * hash and checked against the key's bytes, serves the keys a stream
 * repeats without computing SipHash; input crafted to collide in it only
 * makes it miss.
 */
static uint64_t		*slot;
static size_t		 smask;		/* slots - 1 */

#define KCACHE_BITS	12
static struct {
	uint32_t	 id1;		/* id + 1; 0 empty */
	uint32_t	 fp;		/* the cheap hash's low bits */
} kcache[1u << KCACHE_BITS];

static inline uint64_t
cheap_hash(const char *p, size_t n)
{
	uint64_t h = n * 0x9e3779b97f4a7c15ULL, w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (i < n) {
		w = 0;
		if (n >= 8)
			memcpy(&w, p + n - 8, 8);
		else
			memcpy(&w, p + i, n - i);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	return h ^ (h >> 29);
}

static inline int
key_is(uint32_t k, const char *p, size_t n)
{
	struct span s = key_of(k);

	return s.n == n && mem_same(s.p, p, n);
}

#define FIRST_SLOTS	1024

static void
slots_grow(void)
{
	size_t nslot = smask ? (smask + 1) * 2 : FIRST_SLOTS, i, j;
	uint64_t *s = xcalloc(nslot, sizeof(*s));

	mem_huge(s, nslot * sizeof(*s));
	mem_populate(s, nslot * sizeof(*s));

	for (i = 0; smask != 0 && i <= smask; i++)
		if (slot[i] != 0) {
			for (j = (slot[i] >> 32) & (nslot - 1); s[j] != 0;
			    j = (j + 1) & (nslot - 1))
				;
			s[j] = slot[i];
		}
	free(slot);
	slot = s;
	smask = nslot - 1;
}

static void grow_keys(uint32_t);

/*
 * A key looked up in two steps, so that a batch of rows can have the
 * slots it needs fetched from memory together: key_prep() checks the
 * cache and, when it misses, hashes the key and prefetches its slot;
 * key_get() finds or adds the key.
 */
struct klook {
	uint64_t	 ch;		/* cheap hash */
	size_t		 n;		/* key length */
	uint32_t	 hv;		/* SipHash, when id1 is 0 */
	uint32_t	 id1;		/* id + 1 when the cache had it, else 0 */
};

static inline void
key_prep(const char *p, size_t n, struct klook *kl)
{
	uint32_t ci;

	kl->ch = cheap_hash(p, n);
	kl->n = n;
	ci = (uint32_t)(kl->ch >> (64 - KCACHE_BITS));
	if (kcache[ci].fp == (uint32_t)kl->ch && kcache[ci].id1 != 0 &&
	    key_is(kcache[ci].id1 - 1, p, n)) {
		kl->id1 = kcache[ci].id1;
		return;
	}
	kl->id1 = 0;
	kl->hv = (uint32_t)ht_hash(p, n);
	__builtin_prefetch(&slot[kl->hv & smask]);
}

/* The id of key p[0..n), of hash hv, in the table, else UINT32_MAX
 * with *j at the empty slot where it would go. */
static inline uint32_t
key_probe(const char *p, size_t n, uint32_t hv, size_t *j)
{
	uint64_t s;

	for (*j = hv & smask; (s = slot[*j]) != 0; *j = (*j + 1) & smask)
		if ((uint32_t)(s >> 32) == hv &&
		    key_is((uint32_t)s - 1, p, n))
			return (uint32_t)s - 1;
	return UINT32_MAX;
}

/*
 * The id of key p[0..n-1], prepared in kl by key_prep(); a new key gets
 * the next id, its bytes copied to the arena and its record set empty.
 */
static uint32_t
key_get(const char *p, size_t n, const struct klook *kl)
{
	uint32_t ci = (uint32_t)(kl->ch >> (64 - KCACHE_BITS)), hv = kl->hv;
	uint32_t k, len;
	size_t j, i;

	if (kl->id1 != 0)
		return kl->id1 - 1;
	if ((k = key_probe(p, n, hv, &j)) != UINT32_MAX)
		goto found;
	if (n > UINT32_MAX)
		dief("key of %zu bytes is too long", n);
	if (nkeys == UINT32_MAX - 1)
		dief("more than %u distinct keys", UINT32_MAX - 1);
	k = nkeys++;
	grow_keys(k);
	if (arcap - arlen < n + sizeof(len)) {
		while (arcap - arlen < n + sizeof(len))
			arcap = arcap ? arcap * 2 : 1u << 16;
		arena = xrealloc(arena, arcap);
	}
	pop_ahead(arena, arlen + n + sizeof(len), arcap, &arpop);
	pop_ahead((char *)rec, ((size_t)k + 1) * rsz, capkeys * rsz, &recpop);
	len = (uint32_t)n;
	memcpy(arena + arlen, &len, sizeof(len));
	memcpy(arena + arlen + sizeof(len), p, n);
	/* Set here, not when the records grow: room not yet used is never
	 * touched, so it takes no memory. */
	*REC_OFF(k) = arlen;
	*REC_COUNT(k) = 0;
	for (i = 0; i < nac; i++) {
		uint64_t *c = REC_CELL(k, &ac[i]);

		if (ac[i].kind == TK_RANGE) {
			c[0] = (uint64_t)INT64_MAX;
			c[1] = (uint64_t)INT64_MIN;
		} else
			c[0] = 0;
	}
	arlen += n + sizeof(len);
	slot[j] = (uint64_t)hv << 32 | (k + 1);
	if ((size_t)nkeys * 4 > (smask + 1) * 3)
		slots_grow();
found:
	kcache[ci].id1 = k + 1;
	kcache[ci].fp = (uint32_t)kl->ch;
	return k;
}

/*
 * Room for records grows by doubling from FIRST_KEYS.  A stream with
 * more than WIDE_COLS tally columns (a million-column input is a tested
 * case) starts at WIDE_FIRST_KEYS so that a run of few keys does not
 * reserve columns x 1024 cells at once.
 */
#define FIRST_KEYS	1024
#define WIDE_COLS	64
#define WIDE_FIRST_KEYS	16

static void
grow_keys(uint32_t k)
{
	if (k < capkeys)
		return;
	capkeys = capkeys ? capkeys * 2 : nac > WIDE_COLS ? WIDE_FIRST_KEYS :
	    FIRST_KEYS;
	rec = xreallocarray(rec, capkeys, rsz);
}

/* Longest part of a bad cell quoted in a message: enough to recognise
 * it, short enough to keep the message on a line. */
#define QUOTE_MAX	60

/* Widen range cell r (min, max) to take lo..hi. */
static inline void
fold_range(uint64_t *r, int64_t lo, int64_t hi)
{
	if (lo < (int64_t)r[0])
		r[0] = (uint64_t)lo;
	if (hi > (int64_t)r[1])
		r[1] = (uint64_t)hi;
}

/* Fold one tally cell of column a into cell w of a key. */
static void
tally_cell(struct acol *a, uint64_t *w, struct span cell, uint64_t rowcount,
    const char *file, uint64_t line, struct span name)
{
	static struct tally_cell c;	/* reused: no allocation per row */
	struct span bad;
	size_t i;

	if (cell.n == 0)
		return;
	if (a->kind != TK_RANGE) {
		/*
		 * The usual keyed-stream cell is one value with no separator
		 * and no %-escape: one short pass finds that, and the value
		 * counts for the row.  Tallies take tally_parse().
		 */
		const char *q = cell.p, *end = cell.p + cell.n;

		while (q < end && *q != ':' && *q != ',' && *q != '%')
			q++;
		if (q == end) {
			vmap_add(w, intern(a, cell, file, line), rowcount,
			    file, line);
			return;
		}
	} else {
		int64_t v;	/* one time, as a keyed stream has it */

		if (num_parse_i64(cell, &v) == NUM_OK) {
			fold_range(w, v, v);
			return;
		}
	}
	switch (tally_parse(&c, cell, (int)a->kind, &bad)) {
	case TALLY_OK:
		break;
	case TALLY_RANGE:
		die_at(file, line, "column %s: bad range tally '%s' "
		    "(expected INTEGER or MIN..MAX)", msg_vis(name.p, name.n),
		    msg_vis(cell.p, cell.n));
	case TALLY_NOT_DISTINCT:
		die_at(file, line, "column %s: a counts tally where a "
		    "distinct tally was expected", msg_vis(name.p, name.n));
	case TALLY_NOT_COUNTS:
		die_at(file, line, "column %s: bad counts tally '%s' "
		    "(expected VALUE:N,...)", msg_vis(name.p, name.n),
		    msg_vis(cell.p, cell.n > QUOTE_MAX ? QUOTE_MAX : cell.n));
	case TALLY_ENTRY:
		die_at(file, line, "column %s: bad counts tally entry "
		    "'%s'", msg_vis(name.p, name.n), msg_vis(bad.p, bad.n));
	case TALLY_COUNT:
		die_at(file, line, "column %s: bad count in tally entry "
		    "'%s'", msg_vis(name.p, name.n), msg_vis(bad.p, bad.n));
	case TALLY_EMPTY:
		die_at(file, line, "column %s: empty value in distinct "
		    "tally", msg_vis(name.p, name.n));
	case TALLY_PERCENT:
		tally_die_percent(file, line, name, bad);
	}
	if (c.n == 0)
		return;
	if (c.kind == TK_COUNTS && !c.single && c.sum > rowcount)
		tally_die_sum(file, line, name, c.sum, rowcount);
	if (a->kind == TK_RANGE) {
		if (c.lo > c.hi)
			die_at(file, line, "column %s: bad range tally '%s' "
			    "(expected INTEGER or MIN..MAX)", msg_vis(name.p,
			    name.n), msg_vis(cell.p, cell.n));
		fold_range(w, c.lo, c.hi);
		return;
	}
	for (i = 0; i < c.n; i++)
		vmap_add(w, intern(a, c.val[i], file, line),
		    c.single ? rowcount : c.kind == TK_COUNTS ? c.cnt[i] : 1,
		    file, line);
}

/*
 * A keyed stream's counts (1) and times (up to 18 digits, maybe a '-')
 * parsed inline, as num_parse_u64() and num_parse_i64() would: 0 for
 * anything else, which they then decide.
 */
static inline int
digits8(uint64_t w, uint64_t *v)
{
	uint64_t t = w - 0x3030303030303030ULL;

	if (((t | (t + 0x7676767676767676ULL)) & 0x8080808080808080ULL) != 0)
		return 0;
	t = (t * 10 + (t >> 8)) & 0x00ff00ff00ff00ffULL;
	t = (t * 100 + (t >> 16)) & 0x0000ffff0000ffffULL;
	*v = (t * 10000 + (t >> 32)) & 0x00000000ffffffffULL;
	return 1;
}

/*
 * The sixteen digits of hi, then lo (words as digits8() takes them), as
 * digits8() works, both at once in SSE2 lanes: pairs of digits, then
 * fours (pmaddwd), then eights.
 */
static inline int
digits16(uint64_t hi, uint64_t lo, uint64_t *v)
{
#ifdef __SSE2__
	__m128i x = _mm_sub_epi8(_mm_set_epi64x((long long)lo, (long long)hi),
	    _mm_set1_epi8('0'));

	if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_subs_epu8(x,
	    _mm_set1_epi8(9)), _mm_setzero_si128())) != 0xffff)
		return 0;
	x = _mm_and_si128(_mm_add_epi16(_mm_mullo_epi16(x,
	    _mm_set1_epi16(10)), _mm_srli_epi16(x, 8)), _mm_set1_epi16(0xff));
	x = _mm_madd_epi16(x, _mm_set1_epi32(1 << 16 | 100));
	x = _mm_add_epi64(_mm_mul_epu32(x, _mm_set1_epi32(10000)),
	    _mm_srli_epi64(x, 32));
	*v = (uint64_t)_mm_cvtsi128_si64(x) * 100000000 +
	    (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x));
	return 1;
#else
	uint64_t a, b;

	if (!digits8(hi, &a) || !digits8(lo, &b))
		return 0;
	*v = a * 100000000 + b;
	return 1;
#endif
}

static inline int
digits_u64(struct span s, uint64_t *v)
{
	uint64_t x = 0, w, hi;
	size_t i = 0;
	unsigned d;

	if (s.n == 0 || s.n > 18)
		return 0;
	if (s.n > 8 && s.n <= 16) {
		/* the last eight digits, and those before them as a word
		 * of eight, '0' in front */
		memcpy(&w, s.p + s.n - 8, 8);
		memcpy(&hi, s.p, 8);
		if (s.n < 16)
			hi = hi << (8 * (16 - s.n)) | 0x3030303030303030ULL >>
			    (8 * (s.n - 8));
		return digits16(hi, w, v);
	}
	if (s.n >= 8) {
		memcpy(&w, s.p, 8);
		if (!digits8(w, &x))
			return 0;
		i = 8;
	}
	for (; i < s.n; i++) {
		if ((d = (unsigned char)s.p[i] - '0') > 9)
			return 0;
		x = x * 10 + d;
	}
	*v = x;
	return 1;
}

static inline int
digits_i64(struct span s, int64_t *v)
{
	uint64_t m;

	if (s.n > 0 && s.p[0] == '-') {
		if (!digits_u64(span_make(s.p + 1, s.n - 1), &m))
			return 0;
		*v = -(int64_t)m;
		return 1;
	}
	if (!digits_u64(s, &m))
		return 0;
	*v = (int64_t)m;
	return 1;
}

/*
 * tally_cell() for a cell that holds no byte a value %-encodes, so no
 * separator either: a value standing for the row, or a time.
 */
static inline void
tally_plain(size_t i, uint64_t *w, struct span cell, uint64_t rowcount,
    const char *file, uint64_t line)
{
	int64_t v;

	if (cell.n == 0)
		return;
	if (ac[i].kind != TK_RANGE)
		vmap_inc(w, intern_memo(i, cell, file, line), rowcount, file,
		    line);
	else if (digits_i64(cell, &v))
		fold_range(w, v, v);
	else
		tally_cell(&ac[i], w, cell, rowcount, file, line,
		    hdr.col[kc + 1 + i]);
}

/*
 * The row memo.  The rows of a keyed stream repeat but for their times:
 * the same key, count, thread and handle.  A row's bytes up to its first
 * range cell (its key, its count and the cells before that one) are
 * looked up in a two-way memo, by a hash of their words, and compared
 * whole (a new entry takes the first way, the one there moves to the
 * second); an entry holds what the row that made it found: the key, the
 * count and the ids of those cells' values.  A hit only adds the row's
 * count to the entry's pending count, and folds the cells after the
 * row start into the key; the pending count is added to the key's count
 * and to its cells' values when the entry is dropped, and when an input
 * ends (rmemo_flush()).  Counts add in any order to the same sums, but
 * an overflow must be reported at the row that makes it: so the memo
 * is used only while all the counts read add up to less than
 * RMEMO_SUM_MAX, when no count can overflow (a counts cell adds at
 * most its row's count to a value, a distinct cell 1); the rows after
 * that go the usual way, the entries flushed first.  Only rows whose
 * cells hold no byte to decode use the memo; input crafted to collide
 * in it only makes it miss.  What a hit reads and writes is one cache
 * line an entry (the ids, which only a settling reads, lie apart), so
 * that the entries of some hundred row starts stay in the first level
 * cache.
 */
#define RMEMO_BITS	11
#define RMEMO_BYTES	40		/* longest row start held */
#define RMEMO_CELLS	6		/* most cells before the range */
#define RMEMO_SUM_MAX	((uint64_t)1 << 62)

static _Alignas(64) struct rmemo {
	uint64_t	 pend;		/* counts of rows not yet added */
	uint32_t	 n;		/* bytes held; 0: empty entry */
	uint32_t	 k;		/* the key */
	uint32_t	 c;		/* the row's count */
	uint32_t	 pad;
	char		 b[RMEMO_BYTES];
} rmemo[1u << RMEMO_BITS];
static uint32_t	 rmid1[1u << RMEMO_BITS][RMEMO_CELLS];	/* of rmemo[i]:
					 * its cells' value ids + 1; 0: the
					 * cell is empty */
#define RMEMO_ID1(e)	rmid1[(e) - rmemo]
static size_t	 rmcells = SIZE_MAX;	/* cells before the range; SIZE_MAX:
					 * no memo */
static size_t	 rmfrom = 1;		/* what the memo needs: end[rmfrom]
					 * on (row start's end on) */
static uint64_t	 sumread;		/* the counts read, while less
					 * than RMEMO_SUM_MAX; after that
					 * at least that, no memo */

/*
 * The memo's hash of row start p[0..n-1], 8 <= n <= RMEMO_BYTES.  With
 * SSE2 and n >= 16: the sixteen bytes at 0, at 16 (or where they end at
 * n) and where they end at n, which cover the start, folded into two
 * words (the second and third turned first, so that no two of them
 * cancel out for equal bytes at different places), each multiplied by a
 * constant of its own; without a branch on n, as the lengths of row
 * starts alternate.  Else the words at 0 and ending at n, and those at
 * 8 and ending at n - 8 for n > 16.  A weak hash only makes the memo
 * miss more.
 */
static inline uint64_t
rmemo_hash(const char *p, size_t n)
{
	uint64_t a, b, h;

#ifdef __SSE2__
	if (n >= 16) {
		size_t m = n - 16 < 16 ? n - 16 : 16;
		__m128i x = _mm_loadu_si128((const void *)p),
		    y = _mm_loadu_si128((const void *)(p + m)),
		    z = _mm_loadu_si128((const void *)(p + n - 16));

		x = _mm_xor_si128(_mm_add_epi64(x, _mm_shuffle_epi32(y,
		    0x4e)), _mm_shuffle_epi32(z, 0x93));
		a = (uint64_t)_mm_cvtsi128_si64(x) ^ n;
		b = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x));
		h = a * 0x9e3779b97f4a7c15ULL ^ b * 0xff51afd7ed558ccdULL;
		return h ^ (h >> 31);
	}
#endif
	memcpy(&a, p, 8);
	memcpy(&b, p + n - 8, 8);
	h = a * 0x9e3779b97f4a7c15ULL ^ b * 0xff51afd7ed558ccdULL ^ n;
	if (n > 16) {
		memcpy(&a, p + 8, 8);
		memcpy(&b, p + n - 16, 8);
		h ^= a * 0xc4ceb9fe1a85ec53ULL ^ b * 0x87c37b91114253d5ULL;
	}
	return h ^ (h >> 31);
}

/*
 * Whether a[0..n-1] and b[0..n-1] are the same, 8 <= n <= RMEMO_BYTES:
 * with SSE2 and n >= 16, the sixteen bytes at 0, at 16 (or where they
 * end at n) and where they end at n, compared without a branch.
 */
static inline int
rmemo_same(const char *a, const char *b, size_t n)
{
#ifdef __SSE2__
	__m128i d;
	size_t m;

	if (n >= 16) {
		m = n - 16 < 16 ? n - 16 : 16;
		d = _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128(
		    (const void *)a), _mm_loadu_si128((const void *)b)),
		    _mm_cmpeq_epi8(_mm_loadu_si128((const void *)(a + m)),
		    _mm_loadu_si128((const void *)(b + m))));
		d = _mm_and_si128(d, _mm_cmpeq_epi8(_mm_loadu_si128(
		    (const void *)(a + n - 16)), _mm_loadu_si128(
		    (const void *)(b + n - 16))));
		return _mm_movemask_epi8(d) == 0xffff;
	}
#endif
	return mem_same(a, b, n);
}

static void	rmemo_flush(const char *, uint64_t);

/* Fold row line (ln of file), which starts as entry e's row did. */
static inline void
rmemo_add(struct rmemo *e, struct span line, const size_t *end,
    const char *file, uint64_t ln)
{
	unsigned char *r = rec + (size_t)e->k * rsz;
	uint64_t c = e->c, *w;
	struct span cell;
	int64_t v;
	size_t j = rmcells;

	e->pend += c;
	if ((sumread += c) >= RMEMO_SUM_MAX)
		rmemo_flush(file, ln);	/* no memo from here on */
	if (j < nac) {		/* the range: a time, as a rule */
		w = (uint64_t *)(void *)(r + ac[j].off);
		cell = tally_field(line, end, kc + 1 + j);
		if (digits_i64(cell, &v))
			fold_range(w, v, v);
		else
			tally_plain(j, w, cell, c, file, ln);
		j++;
	}
	for (; j < nac; j++)
		tally_plain(j, (uint64_t *)(void *)(r + ac[j].off),
		    tally_field(line, end, kc + 1 + j), c, file, ln);
}

/* Add entry e's pending count to its key (file and ln for messages
 * that cannot come). */
static void
rmemo_settle(struct rmemo *e, const char *file, uint64_t ln)
{
	uint64_t c = e->pend;
	size_t j;

	if (c == 0)
		return;
	e->pend = 0;
	*REC_COUNT(e->k) += c;
	for (j = 0; j < rmcells; j++)
		if (RMEMO_ID1(e)[j] != 0)
			vmap_inc(REC_CELL(e->k, &ac[j]), RMEMO_ID1(e)[j] - 1,
			    c, file, ln);
}

/* Settle every entry. */
static void
rmemo_flush(const char *file, uint64_t ln)
{
	size_t i;

	if (rmcells == SIZE_MAX)
		return;
	for (i = 0; i < sizeof(rmemo) / sizeof(rmemo[0]); i++)
		rmemo_settle(&rmemo[i], file, ln);
}

/* Make e the entry of row line (ln of file), just folded into key k
 * with count c. */
static void
rmemo_make(struct rmemo *e, struct span line, const size_t *end,
    size_t n, uint32_t k, uint64_t c, const char *file, uint64_t ln)
{
	struct span cell;
	size_t i;

	for (i = 0; i < rmcells; i++) {
		RMEMO_ID1(e)[i] = 0;
		cell = tally_field(line, end, kc + 1 + i);
		if (cell.n != 0)
			RMEMO_ID1(e)[i] = intern_memo(i, cell, file, ln) + 1;
	}
	e->pend = 0;
	e->k = k;
	e->c = (uint32_t)c;
	e->n = (uint32_t)n;
	memcpy(e->b, line.p, n);
}

/*
 * The memo's set (two entries) for row line, split into end (enc as
 * tally_split() finds it, its fields as the header's; end[rmfrom] on
 * are enough when enc is NULL), with *plen the length of its start;
 * NULL when the row cannot use the memo.
 */
static inline struct rmemo *
rmemo_set(struct span line, const size_t *end, const char *enc,
    size_t *plen)
{
	size_t n;

	if (rmcells == SIZE_MAX || sumread >= RMEMO_SUM_MAX ||
	    (enc != NULL && enc > line.p + end[kc + 1]))
		return NULL;
	if ((n = end[kc + 1 + rmcells]) > RMEMO_BYTES || n < 8)
		return NULL;
	*plen = n;
	return &rmemo[(rmemo_hash(line.p, n) >> (64 - RMEMO_BITS)) &
	    ~(uint64_t)1];
}

/*
 * Fold row line through set e when one of its entries holds the row's
 * start (plen bytes); returns 0 when neither does.  Both entries are
 * compared, and the one that holds it taken without a branch: which one
 * does is as good as random.
 */
static inline int
rmemo_hit(struct rmemo *e, struct span line, const size_t *end,
    size_t plen, const char *file, uint64_t ln)
{
	int in0 = (e[0].n == plen) & rmemo_same(e[0].b, line.p, plen),
	    in1 = (e[1].n == plen) & rmemo_same(e[1].b, line.p, plen);

	if ((in0 | in1) == 0)
		return 0;
	rmemo_add(e + (in0 ^ 1), line, end, file, ln);
	return 1;
}

static void
setup_columns(void)
{
	size_t i, j;
	int c;

	kc = tsv_count_col(&hdr, "a keyed stream from trace-key or a "
	    "histogram from trace-hist");
	nac = hdr.ncol - kc - 1;
	ac = xcalloc(nac ? nac : 1, sizeof(*ac));
	rsz = 2 * sizeof(uint64_t);
	for (i = 0; i < nac; i++) {
		struct span name = hdr.col[kc + 1 + i];

		ac[i].kind = span_eqs(name, "ts") ? TK_RANGE : TK_COUNTS;
		ac[i].istid = span_eqs(name, "tid");
		for (j = 0; j < ntk; j++)
			if (span_eqs(name, tkcol[j]))
				ac[i].kind = (enum tally_kind)tkkind[j];
		ac[i].off = rsz;
		rsz += (ac[i].kind == TK_RANGE ? 2 : 1) * sizeof(uint64_t);
	}
	for (i = 0; i < nac && ac[i].kind != TK_RANGE; i++)
		;
	rmcells = i <= RMEMO_CELLS ? i : SIZE_MAX;
	rmfrom = rmcells != SIZE_MAX ? kc + 1 + rmcells : 1;
	for (j = 0; j < ntk; j++) {
		c = tsv_need(&hdr, tkcol[j], NULL);
		if ((size_t)c <= kc)
			die_usage("--tally: '%s' is not a tally column (the "
			    "tally columns follow 'count')", tkcol[j]);
	}
	slots_grow();
}

/* Exit 2 for row line (ln of file), which has n fields, not hdr.ncol,
 * or a bad count. */
static NORETURN void
bad_row(struct span line, uint64_t ln, const char *file, size_t n)
{
	struct span *f = xreallocarray(NULL, hdr.ncol + 1, sizeof(*f));
	size_t i;

	tsv_split(line, f, hdr.ncol + 1);
	for (i = 0; i < n && i <= hdr.ncol; i++)
		if (span_eqs(f[i], "count"))
			die_at(file, ln, "a header line that differs from the "
			    "first one (%s)", tsv_hdr_list(&hdr));
	if (n != hdr.ncol)
		die_at(file, ln, "expected %zu fields, got %zu", hdr.ncol, n);
	die_at(file, ln, "bad count '%s'", msg_vis(f[kc].p, f[kc].n));
}

/*
 * Fold one row (not a header) into its key: line ln of file, split into
 * end (n fields; enc the last byte that values %-encode) by
 * tally_split().  When no cell after the count holds such a byte (so no
 * separator either), every cell is one value or one time:
 * tally_plain(), and the row memo is tried first when usememo is set.
 */
static void
add_fields(struct span line, uint64_t ln, const char *file,
    const size_t *end, size_t n, const char *enc, struct klook *kl,
    int usememo)
{
	size_t i, keylen, plen = 0;
	uint64_t c, *cnt;
	uint32_t k;
	struct span cf;
	struct rmemo *e = NULL;
	int plain;

	if (n != hdr.ncol)
		bad_row(line, ln, file, n);
	plain = enc == NULL || enc <= line.p + end[kc + 1];
	if (usememo && (e = rmemo_set(line, end, enc, &plen)) != NULL &&
	    rmemo_hit(e, line, end, plen, file, ln))
		return;
	cf = tally_field(line, end, kc);
	if (!digits_u64(cf, &c) && num_parse_u64(cf, &c) != NUM_OK)
		bad_row(line, ln, file, n);
	if (sumread < RMEMO_SUM_MAX) {
		if (c < RMEMO_SUM_MAX - sumread)
			sumread += c;
		else {
			rmemo_flush(file, ln);	/* no memo from here on */
			sumread = RMEMO_SUM_MAX;
		}
	}
	keylen = end[kc];
	if (kl->n != keylen)
		key_prep(line.p, keylen, kl);
	k = key_get(line.p, keylen, kl);
	cnt = REC_COUNT(k);
	if (*cnt + c < c)
		die_at(file, ln, "count overflows 64 bits");
	*cnt += c;
	if (plain) {
		for (i = 0; i < nac; i++)
			tally_plain(i, REC_CELL(k, &ac[i]), tally_field(line,
			    end, kc + 1 + i), c, file, ln);
		if (e != NULL && c <= UINT32_MAX) {
			rmemo_settle(&e[1], file, ln);
			if (e[0].n != 0) {	/* the older entry moves aside */
				e[1] = e[0];
				memcpy(RMEMO_ID1(&e[1]), RMEMO_ID1(e),
				    sizeof(RMEMO_ID1(e)));
			}
			rmemo_make(e, line, end, plen, k, c, file, ln);
		}
		return;
	}
	for (i = 0; i < nac; i++)
		tally_cell(&ac[i], REC_CELL(k, &ac[i]), tally_field(line, end,
		    kc + 1 + i), c, file, ln, hdr.col[kc + 1 + i]);
}

/*
 * The input is read a block of whole lines at a time (BLOCK bytes or
 * one long line), its rows split by tally_rows, so each byte is looked
 * at once for newlines, tabs and bytes to decode together.
 *
 * Once the table of keys outgrows the caches (BATCH_SLOTS slots), the
 * rows of a block are taken BATCH at a time instead, and their keys
 * prepared before any is added, so that the slots of a batch's keys,
 * cache misses with millions of keys, are fetched from memory together;
 * with so many keys the row memo would mostly miss, so it is left out.
 */
#define BLOCK		((size_t)1 << 20)
#define BATCH		32
#define BATCH_SLOTS	((size_t)1 << 16)

/* The id of the first key in the table whose slot has hash hv, else
 * UINT32_MAX: the key prepared with it, unless two keys share the hash
 * (key_is() tells); adds nothing and touches no key. */
static inline uint32_t
key_cand(uint32_t hv)
{
	uint64_t s;

	for (size_t j = hv & smask; (s = slot[j]) != 0; j = (j + 1) & smask)
		if ((uint32_t)(s >> 32) == hv)
			return (uint32_t)s - 1;
	return UINT32_MAX;
}

/* The id of value v of tally column i if the memo has it, else
 * UINT32_MAX; adds nothing. */
static inline uint32_t
memo_peek(size_t i, struct span v)
{
	struct memo *e;
	uint64_t a, b;

	if (v.n == 0 || v.n > 16 || i >= UINT32_MAX - 1)
		return UINT32_MAX;
	e = memo_at(i, v, &a, &b);
	if (e->a == a && e->b == b && e->n == v.n && e->col == i + 1)
		return e->id;
	return UINT32_MAX;
}

/*
 * With many keys, each tally cell of a row is a chain of cache misses:
 * the key's slot, its record, the value map's header, then the value's
 * id and count.  A batch of rows is looked at ahead in stages, each
 * fetching for every row what the next needs, so that the misses of a
 * batch overlap: the slots (key_prep()), the records of the keys already
 * in the table (key_peek()), the maps' headers, their value slots (of
 * values the memo knows).  Only lookups: keys and values are added, and
 * errors found, by add_fields() in row order as before.  Rows of at most
 * PEEK_COLS columns.  100k keys each fired from 100 threads: 3.3 -> 2.4 s.
 */
#define PEEK_COLS	16
#define PEEK_ROOM	TALLY_END_ROOM(PEEK_COLS)

/* A row of a batch: its line, number, fields (brend[]), last byte to
 * encode and key id (UINT32_MAX: not known yet). */
struct brow {
	struct span	 line;
	uint64_t	 ln;
	size_t		 n;
	const char	*enc;
	uint32_t	 k;
};

static size_t brend[BATCH][PEEK_ROOM];

/* Add the nr rows of a batch, split into brend[], their keys prepared
 * (kl): the lookups first, stage by stage, then the rows in order. */
static void
batch_add(struct brow *row, size_t nr, struct klook *kl, const char *file)
{
	struct vmap *vm[BATCH][PEEK_COLS];
	uint32_t vid[BATCH][PEEK_COLS], cand[BATCH];
	struct span line, v;
	size_t r, i, found;
	int look;
	/* rows of new keys have nothing to fetch: while few rows of a
	 * batch find their key, only every 16th batch looks */
	static unsigned batchno;
	static int fewfound;

	look = !fewfound || (batchno++ & 15) == 0;
	found = 0;
	/* the key's slots: its record, then its bytes to compare */
	for (r = 0; r < nr; r++) {
		row[r].k = UINT32_MAX;
		cand[r] = UINT32_MAX;	/* a record to compare, or none */
		if (!look || kl[r].n == SIZE_MAX)
			continue;
		if (kl[r].id1 != 0)
			row[r].k = kl[r].id1 - 1;	/* compared */
		else if ((cand[r] = key_cand(kl[r].hv)) != UINT32_MAX)
			__builtin_prefetch(REC_OFF(cand[r]));
	}
	for (r = 0; r < nr; r++)
		if (cand[r] != UINT32_MAX)
			__builtin_prefetch(arena + *REC_OFF(cand[r]));
	for (r = 0; r < nr; r++) {
		size_t j;

		line = row[r].line;
		if (cand[r] != UINT32_MAX)
			row[r].k = key_is(cand[r], line.p, kl[r].n) ? cand[r] :
			    key_probe(line.p, kl[r].n, kl[r].hv, &j);
		found += row[r].k != UINT32_MAX;
	}
	if (look)
		fewfound = found * 4 < nr;
	for (r = 0; r < nr; r++) {
		uint32_t k = row[r].k;

		for (i = 0; i < nac; i++)
			vm[r][i] = NULL;
		if (k == UINT32_MAX || row[r].n != hdr.ncol ||
		    (row[r].enc != NULL && row[r].enc >
		    row[r].line.p + brend[r][kc + 1]))
			continue;
		for (i = 0; i < nac; i++) {
			uint64_t x = *REC_CELL(k, &ac[i]);

			if (ac[i].kind == TK_RANGE || x == 0 || VM_ONE(x))
				continue;
			v = tally_field(row[r].line, brend[r], kc + 1 + i);
			if ((vid[r][i] = memo_peek(i, v)) == UINT32_MAX)
				continue;
			vm[r][i] = (struct vmap *)(uintptr_t)x;
			__builtin_prefetch(vm[r][i]);
		}
	}
	for (r = 0; r < nr; r++)
		for (i = 0; i < nac; i++) {
			struct vmap *m = vm[r][i];
			uint32_t j;

			if (m == NULL)
				continue;
			if (m->dense) {
				if (vid[r][i] < m->cap)
					__builtin_prefetch(&vm_dcnt(m)[
					    vid[r][i]], 1);
				continue;
			}
			j = (uint32_t)vhash(vid[r][i]) & (m->cap - 1);
			__builtin_prefetch(&vm_ids(m)[j]);
			__builtin_prefetch(&vm_cnt(m)[j], 1);
		}
	for (r = 0; r < nr; r++) {
		if (row[r].k != UINT32_MAX)
			kl[r].id1 = row[r].k + 1;
		add_fields(row[r].line, row[r].ln, file, brend[r], row[r].n,
		    row[r].enc, &kl[r], 0);
	}
}

/* Add the rows of block blk, from line ln + 1 on, in batches; returns
 * the number of its last line.  Rows of at most PEEK_COLS columns are
 * split as they are found, in one pass over the block (tally_rows_next()),
 * and looked up ahead (batch_add()); longer ones are only hashed ahead. */
static uint64_t
add_batched(struct span blk, uint64_t ln, const char *file, size_t *end)
{
	struct brow row[BATCH];
	struct klook kl[BATCH];
	struct tally_rows tr;
	const char *p = blk.p, *bend = blk.p + blk.n, *nl, *t, *enc;
	struct span line;
	uint64_t tabs;
	size_t nr, r, i, n;
	int more = 1;

	if (hdr.ncol <= PEEK_COLS && nac <= PEEK_COLS) {
		tally_rows_init(&tr, blk);
		while (more) {
			for (nr = 0; nr < BATCH;) {
				if (tally_rows_short(&tr, &line, &tabs, &enc))
					n = tally_mask_split(tabs, line.n,
					    brend[nr]);
				else if (!tally_rows_next(&tr, &line,
				    brend[nr], hdr.ncol, &n, &enc)) {
					more = 0;
					break;
				}
				ln++;
				if (line.n == hdr.len && tsv_is_hdr(&hdr, line))
					continue;	/* concatenated */
				row[nr].line = line;
				row[nr].ln = ln;
				row[nr].n = n;
				row[nr].enc = enc;
				/* the key: up to the tab before column kc */
				kl[nr].n = SIZE_MAX;
				if (n > kc)
					key_prep(line.p, brend[nr][kc],
					    &kl[nr]);
				nr++;
			}
			if (nr > 0)
				batch_add(row, nr, kl, file);
		}
		return ln;
	}
	while (p < bend) {
		for (nr = 0; nr < BATCH && p < bend;) {
			/* as rd_line() hands lines out */
			nl = memchr(p, '\n', (size_t)(bend - p));
			line = span_make(p, (size_t)((nl != NULL ? nl : bend) -
			    p));
			p = nl != NULL ? nl + 1 : bend;
			if (line.n > 0 && line.p[line.n - 1] == '\r')
				line.n--;
			ln++;
			if (line.n == hdr.len && tsv_is_hdr(&hdr, line))
				continue;	/* concatenated histograms */
			row[nr].line = line;
			row[nr].ln = ln;
			nr++;
		}
		for (r = 0; r < nr; r++) {
			/* the key: up to the tab before column kc */
			line = row[r].line;
			t = line.p - 1;
			for (i = 0; i < kc && t != NULL; i++)
				t = memchr(t + 1, '\t', line.n -
				    (size_t)(t + 1 - line.p));
			kl[r].n = SIZE_MAX;
			if (t != NULL)
				key_prep(line.p, (size_t)(t - line.p), &kl[r]);
		}
		for (r = 0; r < nr; r++) {
			n = tally_split(row[r].line, end, hdr.ncol, &enc);
			add_fields(row[r].line, row[r].ln, file, end, n, enc,
			    &kl[r], 0);
		}
	}
	return ln;
}

/*
 * Add the rows of block blk, from line ln + 1 on, a row at a time;
 * returns the number of its last line.  Most rows are short
 * (tally_rows_short()): split from the count on only, for the row memo,
 * and all of it when the memo cannot take the row.  Compiled twice: for
 * any CPU, and with the bit instructions that CPUs with AVX2 have
 * (tally_rows_bits()).
 */
static inline __attribute__((always_inline)) uint64_t
add_rows(struct span blk, uint64_t ln, const char *file, size_t *end)
{
	struct tally_rows tr;
	struct span line;
	struct klook one;
	struct rmemo *e;
	const char *enc;
	size_t nf, plen;
	uint64_t tabs;
	int part;		/* the row is split from end[rmfrom] on only */

	tally_rows_init(&tr, blk);
	for (;;) {
		if ((part = tally_rows_short(&tr, &line, &tabs, &enc))) {
			nf = (size_t)__builtin_popcountll(tabs) + 1;
			if (nf == hdr.ncol && enc == NULL)
				tally_mask_tail(tabs, line.n, end, rmfrom, nf);
			else {
				(void)tally_mask_split(tabs, line.n, end);
				part = 0;
			}
		} else if (!tally_rows_next(&tr, &line, end, hdr.ncol, &nf,
		    &enc))
			break;
		ln++;
		if (line.n == hdr.len && tsv_is_hdr(&hdr, line))
			continue;	/* concatenated histograms */
		if (nf == hdr.ncol && (e = rmemo_set(line, end, enc, &plen)) !=
		    NULL && rmemo_hit(e, line, end, plen, file, ln))
			continue;	/* as add_fields() would */
		if (part)
			nf = tally_mask_split(tabs, line.n, end);
		one.n = SIZE_MAX;
		add_fields(line, ln, file, end, nf, enc, &one, 1);
	}
	return ln;
}

static uint64_t
add_rows_any(struct span blk, uint64_t ln, const char *file, size_t *end)
{
	return add_rows(blk, ln, file, end);
}

#if defined(__x86_64__)
__attribute__((target("popcnt,bmi,bmi2")))
static uint64_t
add_rows_bmi(struct span blk, uint64_t ln, const char *file, size_t *end)
{
	return add_rows(blk, ln, file, end);
}
#endif

static void
read_input(struct rd *in, int first)
{
	struct tsv_hdr h;
	struct span line, blk;
	const char *file = rd_name(in);
	size_t *end;
	uint64_t ln0, ln;
	uint64_t (*rows)(struct span, uint64_t, const char *, size_t *) =
	    add_rows_any;

#if defined(__x86_64__)
	if (tally_rows_bits())
		rows = add_rows_bmi;
#endif
	if (!rd_line(in, &line))
		dief("%s: empty input (no header line)", file);
	if (first) {
		tsv_hdr_parse(&hdr, line, file);
		setup_columns();
	} else if (!tsv_is_hdr(&hdr, line)) {
		tsv_hdr_parse(&h, line, file);
		die_at(file, 1, "columns (%s) differ from the first input's "
		    "(%s)", tsv_hdr_list(&h), tsv_hdr_list(&hdr));
	}
	/* room for tally_split() */
	end = xreallocarray(NULL, TALLY_END_ROOM(hdr.ncol), sizeof(*end));
	while (rd_block(in, BLOCK, &blk)) {
		ln0 = rd_lineno(in);
		if (smask + 1 < BATCH_SLOTS)
			ln = rows(blk, ln0, file, end);
		else
			ln = add_batched(blk, ln0, file, end);
		rd_add_lines(in, ln - ln0);
	}
	rmemo_flush(file, rd_lineno(in));
	free(end);
}

static struct num_key *sortvals;	/* rank_values(): per value id */

static int
valcmp(const void *x, const void *y)
{
	return num_key_cmp(&sortvals[*(const uint32_t *)x],
	    &sortvals[*(const uint32_t *)y]);
}

/* rank[id] = position of value id in value order. */
static void
rank_values(struct acol *a)
{
	uint32_t n = a->vals != NULL ? ht_count(a->vals) : 0, i, *ord;

	sortvals = xreallocarray(NULL, n ? n : 1, sizeof(*sortvals));
	ord = xreallocarray(NULL, n ? n : 1, sizeof(*ord));
	for (i = 0; i < n; i++) {
		num_key_make(&sortvals[i], ht_key(a->vals, i));
		ord[i] = i;
	}
	qsort(ord, n, sizeof(*ord), valcmp);
	a->rank = xreallocarray(NULL, n ? n : 1, sizeof(*a->rank));
	for (i = 0; i < n; i++)
		a->rank[ord[i]] = i;
	free(ord);
	free(sortvals);
}

/*
 * Sorting the keys: count descending (unless --sort key), then key
 * column by column in the order of num_key_cmp().  Comparisons that
 * chase records and key bytes all over memory would be cache misses at
 * millions of keys, so the order is written as bytes, compared bytewise,
 * and the keys are radix-sorted on 12 of those bytes at a time:
 *
 *   E(key) = the count part, then each key column encoded:
 *     count part: maxcount - count, big-endian, in as many bytes as
 *       maxcount - mincount needs (none when all counts are equal or
 *       with --sort key);
 *     an integer: 0x01 if negative else 0x02, then its magnitude as its
 *       length in bytes (8 - that length when negative) and the bytes,
 *       big-endian (each complemented when negative), then its text;
 *     anything else: 0x03, then its text;
 *     text: its bytes, 0x00 written 01 01 and 0x01 written 01 02, then
 *       00.
 *
 * E compares bytewise (a proper prefix first) as the keys do, and no
 * E is a proper prefix of another, so distinct keys differ within their
 * encodings.  Leading key columns that every key shares are left out.
 * The keys are sorted on bytes D..D+11 of E (zero past its end), D = 0
 * first; runs still equal there are sorted again on the next 12 bytes.
 */
struct sent {
	uint64_t	 hi;		/* bytes D..D+7 of E */
	uint32_t	 lo;		/* bytes D+8..D+11 */
	uint32_t	 id;
};

static uint64_t	 cmax, cnb;		/* count part: base and bytes */
static size_t	 skipb;			/* key bytes every key shares ... */
static size_t	 skipcol;		/* ... holding this many columns */
static unsigned char *encb;		/* E being built */
static size_t	 encap;

static void
enc_room(size_t n)
{
	if (encap < n) {
		encap = n * 2;
		encb = xrealloc(encb, encap);
	}
}

/* Bytes needed for v (0 for 0). */
static inline unsigned
nbytes(uint64_t v)
{
	return v == 0 ? 0 : (unsigned)(8 - __builtin_clzll(v) / 8);
}

/*
 * Write E of key k into encb until it holds at least want bytes or is
 * complete; returns its length.
 */
static size_t
enc_key(uint32_t k, size_t want)
{
	struct span key = key_of(k), col;
	const char *p = key.p + skipb, *end = key.p + key.n, *t;
	size_t n = 0, c, i;
	unsigned nb;
	uint64_t v;

	enc_room(16);
	if (cnb > 0) {
		v = *REC_COUNT(k);
		v = cmax - v;
		for (i = cnb; i-- > 0;)
			encb[n++] = (unsigned char)(v >> (8 * i));
	}
	for (c = skipcol; c < kc && n < want; c++) {
		struct num_key nk;

		if ((t = memchr(p, '\t', (size_t)(end - p))) == NULL)
			t = end;
		col = span_make(p, (size_t)(t - p));
		p = t + 1;
		nk.neg = 0;
		nk.mag = 0;
		num_key_make(&nk, col);
		enc_room(n + 11 + 2 * col.n + 1);
		if (nk.isnum) {
			nb = nbytes(nk.mag);
			v = nk.neg ? ~nk.mag : nk.mag;
			encb[n++] = nk.neg ? 0x01 : 0x02;
			encb[n++] = (unsigned char)(nk.neg ? 8 - nb : nb);
			for (i = nb; i-- > 0;)
				encb[n++] = (unsigned char)(v >> (8 * i));
		} else
			encb[n++] = 0x03;
		for (i = 0; i < col.n; i++) {
			unsigned char b = (unsigned char)col.p[i];

			if (b <= 1) {
				encb[n++] = 0x01;
				encb[n++] = (unsigned char)(b + 1);
			} else
				encb[n++] = b;
		}
		encb[n++] = 0x00;
	}
	return n;
}

/* Set e's window to bytes d..d+11 of its key's E. */
static void
window(struct sent *e, size_t d)
{
	size_t n = enc_key(e->id, d + 12), i;
	unsigned char b[12];

	for (i = 0; i < 12; i++)
		b[i] = d + i < n ? encb[d + i] : 0;
	e->hi = (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 |
	    (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 |
	    (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 |
	    (uint64_t)b[6] << 8 | b[7];
	e->lo = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 |
	    (uint32_t)b[10] << 8 | b[11];
}

static inline int
sent_lt(const struct sent *a, const struct sent *b)
{
	return a->hi != b->hi ? a->hi < b->hi : a->lo < b->lo;
}

static inline unsigned
sent_byte(const struct sent *e, unsigned b)
{
	return b < 8 ? (unsigned)(e->hi >> (56 - 8 * b)) & 0xff :
	    (unsigned)(e->lo >> (24 - 8 * (b - 8))) & 0xff;
}

/*
 * Sort e[0..n-1] on their windows from byte b on: most significant byte
 * first, in place (American flag sort), small ranges by insertion.
 */
static void
radix(struct sent *e, size_t n, unsigned b)
{
	size_t cnt[256], start[256], next[256], i, j;
	struct sent t;
	unsigned d, x;

	for (; b < 12; b++) {
		if (n < 32) {
			for (i = 1; i < n; i++) {
				t = e[i];
				for (j = i; j > 0 && sent_lt(&t, &e[j - 1]); j--)
					e[j] = e[j - 1];
				e[j] = t;
			}
			return;
		}
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[sent_byte(&e[i], b)]++;
		if (cnt[sent_byte(&e[0], b)] == n)
			continue;	/* one value: the next byte */
		for (i = 0, j = 0; i < 256; j += cnt[i++])
			start[i] = next[i] = j;
		for (d = 0; d < 256; d++)
			while (next[d] < start[d] + cnt[d]) {
				t = e[next[d]];
				while ((x = sent_byte(&t, b)) != d) {
					struct sent u = e[next[x]];

					e[next[x]++] = t;
					t = u;
				}
				e[next[d]++] = t;
			}
		for (d = 0; d < 256; d++)
			if (cnt[d] > 1)
				radix(e + start[d], cnt[d], b + 1);
		return;
	}
}

/*
 * The first byte, from d on, where the encodings of e[0..n-1] (equal
 * before d) differ.
 */
static size_t
group_lcp(const struct sent *e, size_t n, size_t d)
{
	static unsigned char *ref;
	static size_t refcap;
	size_t lcp, len, i, j;

	lcp = enc_key(e[0].id, SIZE_MAX);
	if (refcap < lcp) {
		refcap = lcp;
		ref = xrealloc(ref, refcap);
	}
	memcpy(ref, encb, lcp);
	for (i = 1; i < n && lcp > d; i++) {
		len = enc_key(e[i].id, SIZE_MAX);
		for (j = d; j < lcp && j < len && encb[j] == ref[j]; j++)
			;
		lcp = j;
	}
	return lcp;
}

/*
 * Sort e[0..n-1], whose encodings are equal before byte d, from byte d
 * on.  A run still equal on the window is sorted again past the bytes
 * all its keys share: by recursion, but the last run by looping, so
 * that two long keys that differ only at their ends need no deep stack.
 */
static void
sort_from(struct sent *e, size_t n, size_t d)
{
	size_t i, j, li, ln;

	for (;;) {
		for (i = 0; i < n; i++)
			window(&e[i], d);
		radix(e, n, 0);
		li = ln = 0;
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && e[j].hi == e[i].hi &&
			    e[j].lo == e[i].lo; j++)
				;
			if (j - i > 1) {
				if (ln > 0)
					sort_from(e + li, ln, group_lcp(e + li,
					    ln, d + 12));
				li = i;
				ln = j - i;
			}
		}
		if (ln == 0)
			return;
		e += li;
		n = ln;
		d = group_lcp(e, n, d + 12);
	}
}

/* The sort's parameters from every key: count part, shared columns. */
static void
sort_setup(void)
{
	uint64_t lo = UINT64_MAX, hi = 0, c;
	struct span k0, k;
	size_t lcp, i;
	uint32_t id;

	if (nkeys == 0)
		return;
	k0 = key_of(0);
	lcp = k0.n;
	for (id = 0; id < nkeys; id++) {
		c = *REC_COUNT(id);
		lo = c < lo ? c : lo;
		hi = c > hi ? c : hi;
		if (lcp > 0 && id > 0) {
			k = key_of(id);
			if (k.n < lcp)
				lcp = k.n;
			for (i = 0; i < lcp && k.p[i] == k0.p[i]; i++)
				;
			lcp = i;
		}
	}
	cmax = hi;
	cnb = bykey ? 0 : nbytes(hi - lo);
	skipb = skipcol = 0;
	for (i = 0; i < lcp; i++)
		if (k0.p[i] == '\t') {
			skipb = i + 1;
			skipcol++;
		}
}

static struct ent {
	uint32_t	 rank;
	uint32_t	 id;
	uint64_t	 cnt;
} *ebuf;
static size_t ecap;

static int
entcmp(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;

	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static void
write_tally(struct ob *o, struct acol *a, uint64_t *w)
{
	struct vmap *m;
	size_t n = 0, j;

	if (a->kind == TK_RANGE) {
		if ((int64_t)w[0] <= (int64_t)w[1]) {
			ob_i64(o, (int64_t)w[0]);
			ob_puts(o, "..");
			ob_i64(o, (int64_t)w[1]);
		}
		return;
	}
	if (*w == 0)
		return;
	if (VM_ONE(*w)) {
		ob_span(o, ht_key(a->vals, VM_ID(*w)));
		if (a->kind == TK_COUNTS) {
			ob_putc(o, ':');
			ob_u64(o, VM_CNT(*w));
		}
		return;
	}
	m = (struct vmap *)(uintptr_t)*w;
	if (m->n > ecap) {
		ecap = m->n;
		ebuf = xreallocarray(ebuf, ecap, sizeof(*ebuf));
	}
	for (j = 0; j < m->cap; j++)
		if (m->dense ? vm_has(m, (uint32_t)j) : vm_ids(m)[j] != 0) {
			ebuf[n].id = m->dense ? (uint32_t)j : vm_ids(m)[j] - 1;
			ebuf[n].rank = a->rank[ebuf[n].id];
			ebuf[n].cnt = m->dense ? vm_dcnt(m)[j] : vm_cnt(m)[j];
			n++;
		}
	/* (a dense table's entries are in id order, often the values'
	 * order too) */
	for (j = 1; j < n && ebuf[j - 1].rank < ebuf[j].rank; j++)
		;
	if (j < n)
		qsort(ebuf, n, sizeof(*ebuf), entcmp);
	for (j = 0; j < n; j++) {
		if (j > 0)
			ob_putc(o, ',');
		ob_span(o, ht_key(a->vals, ebuf[j].id));
		if (a->kind == TK_COUNTS) {
			ob_putc(o, ':');
			ob_u64(o, ebuf[j].cnt);
		}
	}
}

/* How far ahead of the row being written its records are fetched. */
#define AHEAD	8

static void
write_output(struct ob *o)
{
	struct sent *ord;
	uint32_t i;
	size_t j;

	free(slot);		/* the table is done with: room for the sort */
	slot = NULL;
	for (j = 0; j < nac; j++)
		if (ac[j].kind != TK_RANGE)
			rank_values(&ac[j]);
	ord = xreallocarray(NULL, nkeys ? nkeys : 1, sizeof(*ord));
	mem_populate(ord, (size_t)nkeys * sizeof(*ord));
	for (i = 0; i < nkeys; i++)
		ord[i].id = i;
	sort_setup();
	sort_from(ord, nkeys, 0);
	ob_write(o, hdr.line, hdr.len);
	ob_putc(o, '\n');
	for (i = 0; i < nkeys; i++) {
		uint32_t k = ord[i].id;

		if (i + 2 * AHEAD < nkeys)
			__builtin_prefetch(REC_OFF(ord[i + 2 * AHEAD].id));
		if (i + AHEAD < nkeys)
			__builtin_prefetch(arena + *REC_OFF(ord[i + AHEAD].id));
		ob_span(o, key_of(k));
		ob_putc(o, '\t');
		ob_u64(o, *REC_COUNT(k));
		for (j = 0; j < nac; j++) {
			ob_putc(o, '\t');
			write_tally(o, &ac[j], REC_CELL(k, &ac[j]));
		}
		ob_putc(o, '\n');
	}
	free(ord);
}

static const struct option longopts[] = {
	{ "output",	required_argument, NULL, 'o' },
	{ "tally",	required_argument, NULL, 't' },
	{ "sort",	required_argument, NULL, 's' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct ob *o;
	struct rd **in;
	const char *eq;
	int ch, n, i, k;

	msg_init(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+ho:t:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			output = optarg;
			break;
		case 't':
			if ((eq = strchr(optarg, '=')) == NULL || eq == optarg ||
			    (k = tally_kind(eq + 1)) < 0)
				die_usage("--tally: expected COLUMN=KIND with KIND "
				    "counts, distinct or range, got '%s'", optarg);
			tkcol = xreallocarray(tkcol, ntk + 1, sizeof(*tkcol));
			tkkind = xreallocarray(tkkind, ntk + 1, sizeof(*tkkind));
			tkcol[ntk] = xmemdup(optarg, (size_t)(eq - optarg));
			tkkind[ntk++] = k;
			break;
		case 's':
			if (strcmp(optarg, "key") == 0)
				bykey = 1;
			else if (strcmp(optarg, "count") == 0)
				bykey = 0;
			else
				die_usage("--sort: expected count or key, got "
				    "'%s'", optarg);
			break;
		case 'h':
			help_exit(usage_text);
		case 'V':
			version_exit();
		default:
			die_getopt(argc, argv, "+ho:t:V", longopts);
		}
	}
	/* TRACE_TOOLS_SIMD checked before any output */
	tally_rows_path(json_path());
	o = output != NULL ? ob_create(output) : ob_stdout();
	in = rd_open_all(argv + optind, argc - optind, &n);
	for (i = 0; i < n; i++) {
		read_input(in[i], i == 0);
		rd_close(in[i]);
	}
	write_output(o);
	ob_close(o);
	free(in);
	return 0;
}
