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

#endif
