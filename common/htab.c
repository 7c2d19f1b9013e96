/*
 * htab.c - open addressing (linear probing) over a dense entry array; see
 * htab.h.  Slots hold entry index + 1 (0 = empty) and the upper hash bits,
 * so most probes that miss never touch the key bytes.  The table doubles
 * when it is half full.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "msg.h"
#include "htab.h"
#include "xmem.h"

struct entry {
	uint64_t	off;	/* key bytes in h->keys */
	uint32_t	len;
	uint32_t	hash;	/* low 32 bits of the key's hash */
};

#define CACHE_BITS	10
#define CACHE_AFTER	1024	/* lookups before a table gets its cache */

struct htab {
	/*
	 * A small direct-mapped cache in front of the table, indexed by a
	 * cheap unkeyed hash and checked against the key bytes, serves the
	 * keys a stream repeats without computing SipHash.  Input crafted
	 * to collide in it only makes it miss, at the price of a normal
	 * lookup, so it opens no flooding attack.
	 */
	uint32_t	*cache;	/* index + 1; 0 = empty */
	uint64_t	 lookups;
	uint64_t	*slot;	/* (hash32 << 32) | (index + 1); 0 = empty */
	size_t		 mask;	/* slot count - 1 */
	struct entry	*ent;
	uint32_t	 nent;
	uint32_t	 capent;
	char		*keys;
	uint64_t	 keylen;
	uint64_t	 keycap;
};

static uint64_t k0, k1;
static int seeded;

static void
seed(void)
{
	const char *s;
	uint64_t k[2];

	if (seeded)
		return;
	seeded = 1;
	if ((s = getenv("TRACE_TOOLS_HASH_SEED")) != NULL && *s != '\0') {
		k0 = strtoull(s, NULL, 10);
		k1 = k0 ^ 0x736f6d6570736575ULL;
		return;
	}
	if (getrandom(k, sizeof(k), 0) != (ssize_t)sizeof(k))
		die_errno("getrandom");
	k0 = k[0];
	k1 = k[1];
}

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {						\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

/* SipHash-1-3 (Aumasson and Bernstein): one compression round, three
 * finalization rounds, as used by several language runtimes for tables. */
uint64_t
ht_hash(const void *key, size_t n)
{
	const unsigned char *p = key;
	uint64_t v0, v1, v2, v3, m, b;
	size_t i, left;

	seed();
	v0 = k0 ^ 0x736f6d6570736575ULL;
	v1 = k1 ^ 0x646f72616e646f6dULL;
	v2 = k0 ^ 0x6c7967656e657261ULL;
	v3 = k1 ^ 0x7465646279746573ULL;
	b = (uint64_t)n << 56;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&m, p + i, 8);	/* little-endian hosts */
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	left = n - i;
	switch (left) {
	case 7: b |= (uint64_t)p[i + 6] << 48;	/* FALLTHROUGH */
	case 6: b |= (uint64_t)p[i + 5] << 40;	/* FALLTHROUGH */
	case 5: b |= (uint64_t)p[i + 4] << 32;	/* FALLTHROUGH */
	case 4: b |= (uint64_t)p[i + 3] << 24;	/* FALLTHROUGH */
	case 3: b |= (uint64_t)p[i + 2] << 16;	/* FALLTHROUGH */
	case 2: b |= (uint64_t)p[i + 1] << 8;	/* FALLTHROUGH */
	case 1: b |= (uint64_t)p[i];		/* FALLTHROUGH */
	case 0: break;
	}
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

struct htab *
ht_new(void)
{
	struct htab *h = xcalloc(1, sizeof(*h));

	seed();
	h->mask = 7;	/* small: a tool may keep a table per column */
	h->slot = xcalloc(h->mask + 1, sizeof(*h->slot));
	return h;
}

void
ht_free(struct htab *h)
{
	if (h == NULL)
		return;
	free(h->cache);
	free(h->slot);
	free(h->ent);
	free(h->keys);
	free(h);
}

static void
grow(struct htab *h)
{
	size_t nslot = (h->mask + 1) * 2, i;
	uint64_t *slot = xcalloc(nslot, sizeof(*slot));

	for (i = 0; i < h->nent; i++) {
		uint32_t hv = h->ent[i].hash;
		size_t j = hv & (nslot - 1);

		while (slot[j] != 0)
			j = (j + 1) & (nslot - 1);
		slot[j] = (uint64_t)hv << 32 | (i + 1);
	}
	free(h->slot);
	h->slot = slot;
	h->mask = nslot - 1;
}

static uint32_t
lookup(const struct htab *h, const void *key, size_t n, uint32_t hv,
    size_t *where)
{
	size_t j = hv & h->mask;
	uint64_t s;

	while ((s = h->slot[j]) != 0) {
		if ((uint32_t)(s >> 32) == hv) {
			const struct entry *e = &h->ent[(uint32_t)s - 1];

			if (e->len == n && mem_same(h->keys + e->off, key, n))
				return (uint32_t)s - 1;
		}
		j = (j + 1) & h->mask;
	}
	*where = j;
	return UINT32_MAX;
}

uint32_t
ht_find(const struct htab *h, const void *key, size_t n)
{
	size_t where = 0;

	return lookup(h, key, n, (uint32_t)ht_hash(key, n), &where);
}

/* The cache's index of a key: its length and up to 16 of its bytes. */
static inline uint32_t
cache_index(const void *key, size_t n)
{
	const unsigned char *p = key;
	uint64_t a = 0, b = 0;
	uint32_t lo, hi;

	if (n >= 8) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
	} else if (n >= 4) {	/* two overlapping loads, no call */
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		a = lo | (uint64_t)hi << 32;
	} else if (n > 0)
		a = p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
	a = (a ^ (b * 0x9e3779b97f4a7c15ULL) ^ n) * 0xff51afd7ed558ccdULL;
	return (uint32_t)(a >> (64 - CACHE_BITS));
}

uint32_t
ht_intern(struct htab *h, const void *key, size_t n, int *isnew)
{
	uint32_t hv, i, ci = 0;
	size_t where = 0;
	struct entry *e;

	if (h->cache != NULL) {
		ci = cache_index(key, n);
		if ((i = h->cache[ci]) != 0) {
			e = &h->ent[i - 1];
			if (e->len == n && mem_same(h->keys + e->off, key, n)) {
				if (isnew != NULL)
					*isnew = 0;
				return i - 1;
			}
		}
	} else if (++h->lookups == CACHE_AFTER)
		h->cache = xcalloc((size_t)1 << CACHE_BITS, sizeof(uint32_t));
	hv = (uint32_t)ht_hash(key, n);
	if ((i = lookup(h, key, n, hv, &where)) != UINT32_MAX) {
		if (h->cache != NULL)
			h->cache[ci] = i + 1;
		if (isnew != NULL)
			*isnew = 0;
		return i;
	}
	if (n > UINT32_MAX)
		dief("key of %zu bytes is too long", n);
	if (h->nent == UINT32_MAX - 1)
		dief("more than %u distinct keys", UINT32_MAX - 1);
	if (h->nent == h->capent) {
		h->capent = h->capent ? h->capent * 2 : 8;
		h->ent = xreallocarray(h->ent, h->capent, sizeof(*h->ent));
	}
	if (h->keycap - h->keylen < n) {
		while (h->keycap - h->keylen < n)
			h->keycap = h->keycap ? h->keycap * 2 : 64;
		h->keys = xrealloc(h->keys, h->keycap);
	}
	memcpy(h->keys + h->keylen, key, n);
	e = &h->ent[h->nent];
	e->off = h->keylen;
	e->len = (uint32_t)n;
	e->hash = hv;
	h->keylen += n;
	h->slot[where] = (uint64_t)hv << 32 | (h->nent + 1);
	i = h->nent++;
	if (h->cache != NULL)
		h->cache[ci] = i + 1;
	if ((size_t)h->nent * 2 > h->mask + 1)
		grow(h);
	if (isnew != NULL)
		*isnew = 1;
	return i;
}

uint32_t
ht_count(const struct htab *h)
{
	return h->nent;
}

struct span
ht_key(const struct htab *h, uint32_t i)
{
	return span_make(h->keys + h->ent[i].off, h->ent[i].len);
}
