/*
 * htab.h - a hash table that interns byte strings and numbers them.
 *
 * Each distinct key gets a dense index 0, 1, 2, ... in order of first
 * insertion; callers keep their per-key data in arrays indexed by it.  The
 * table owns a copy of every key.  Keys are hashed with SipHash-1-3 under
 * a per-process random seed, so input crafted to collide cannot degrade
 * the table (hash flooding).  Nothing a tool prints may depend on the
 * seed: output is always sorted.  TRACE_TOOLS_HASH_SEED=<decimal> fixes
 * the seed, so tests can prove that independence.
 */
#ifndef TRACE_HTAB_H
#define TRACE_HTAB_H

#include <stddef.h>
#include <stdint.h>

#include "span.h"

struct htab;

/* A new empty table.  Never returns NULL. */
struct htab *ht_new(void);
void	ht_free(struct htab *h);

/*
 * Find key; insert a copy of it if absent.  Returns its index and sets
 * *isnew (when not NULL) to whether it was inserted.
 */
uint32_t ht_intern(struct htab *h, const void *key, size_t n, int *isnew);

/* Find key; return its index, or UINT32_MAX when absent. */
uint32_t ht_find(const struct htab *h, const void *key, size_t n);

/* Number of keys. */
uint32_t ht_count(const struct htab *h);

/* The key with index i (valid until the next ht_intern). */
struct span ht_key(const struct htab *h, uint32_t i);

/* The keyed hash every table of this process uses. */
uint64_t ht_hash(const void *key, size_t n);

/*
 * A memo in front of a table, for keys of up to 8 bytes (a thread's
 * number): direct-mapped by a cheap unkeyed hash of the key's bytes and
 * length, which an entry holds as a word and the length + 1 (0: empty),
 * with the key's index.  A hit is one comparison, without SipHash; an
 * index never changes, so an entry never goes stale, and a miss (keys
 * that share a slot, by chance or crafted) only costs ht_intern().  A
 * zeroed memo is empty.
 */
#define HT_MEMO_SLOTS	256

struct ht_memo {
	struct {
		uint64_t	 w;
		uint32_t	 n1, id;
	} e[HT_MEMO_SLOTS];
};

/* ht_intern() through memo m. */
static inline uint32_t
ht_intern_memo(struct htab *h, struct ht_memo *m, const void *key,
    size_t n, int *isnew)
{
	const unsigned char *p = key;
	uint64_t w = 0;
	uint32_t id;
	size_t k, slot;

	if (n > 8)
		return ht_intern(h, key, n, isnew);
	for (k = 0; k < n; k++)
		w |= (uint64_t)p[k] << (8 * k);
	slot = (size_t)(((w ^ n) * 0x9e3779b97f4a7c15ULL) >> 56) %
	    HT_MEMO_SLOTS;
	if (m->e[slot].n1 == n + 1 && m->e[slot].w == w) {
		if (isnew != NULL)
			*isnew = 0;
		return m->e[slot].id;
	}
	id = ht_intern(h, key, n, isnew);
	m->e[slot].w = w;
	m->e[slot].n1 = (uint32_t)n + 1;
	m->e[slot].id = id;
	return id;
}

#endif
