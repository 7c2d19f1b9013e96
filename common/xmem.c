/* xmem.c - allocation wrappers and struct sbuf; see xmem.h. */
#include <sys/mman.h>

#include <malloc.h>
#include <unistd.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "xmem.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		dief("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		dief("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		dief("out of memory allocating %zu bytes", n);
	return p;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		dief("out of memory: %zu x %zu bytes", nmemb, size);
	return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	char *s;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		dief("message formatting error");
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *
xmemdup(const void *p, size_t n)
{
	char *s = xmalloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
sb_reserve(struct sbuf *sb, size_t n)
{
	if (sb->cap - sb->len < n + 1) {
		size_t cap = sb->cap ? sb->cap : 64;

		while (cap - sb->len < n + 1) {
			if (cap > SIZE_MAX / 2)
				dief("out of memory");
			cap *= 2;
		}
		sb->p = xrealloc(sb->p, cap);
		sb->cap = cap;
	}
	return sb->p + sb->len;
}

void
sb_add(struct sbuf *sb, const void *p, size_t n)
{
	char *d = sb_reserve(sb, n);

	if (n > 0)
		memcpy(d, p, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

void
sb_adds(struct sbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void
sb_addc(struct sbuf *sb, int c)
{
	char *d = sb_reserve(sb, 1);

	*d = (char)c;
	sb->len++;
	sb->p[sb->len] = '\0';
}

void
sb_clear(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->p != NULL)
		sb->p[0] = '\0';
}

void
sb_free(struct sbuf *sb)
{
	free(sb->p);
	sb->p = NULL;
	sb->len = sb->cap = 0;
}

#define ARENA_BLOCK	((size_t)1 << 20)
#define ARENA_HEAD	sizeof(void *)

/* n bytes of a, 8-byte aligned when align says so. */
static void *
arena_take(struct arena *a, size_t n, int align)
{
	size_t size;
	char *b;

	if (n > SIZE_MAX - 8 - ARENA_HEAD)
		dief("out of memory allocating %zu bytes", n);
	if (align) {
		n = (n + 7) & ~(size_t)7;
		/* after arena_zalloc_bytes() */
		a->used = (a->used + 7) & ~(size_t)7;
	}
	if (a->block != NULL && n <= ARENA_BLOCK - a->used) {
		a->used += n;
		return a->block + a->used - n;
	}
	/* a new block; a large object gets one of its own, behind */
	size = n > ARENA_BLOCK / 4 ? ARENA_HEAD + n : ARENA_BLOCK;
	b = xcalloc(1, size);
	if (size != ARENA_BLOCK && a->block != NULL) {
		/* keep the current block current */
		memcpy(b, a->block, ARENA_HEAD);
		memcpy(a->block, &b, ARENA_HEAD);
		return b + ARENA_HEAD;
	}
	memcpy(b, &a->block, ARENA_HEAD);
	a->block = b;
	a->used = size == ARENA_BLOCK ? ARENA_HEAD + n : ARENA_BLOCK;
	return b + ARENA_HEAD;
}

void *
arena_zalloc(struct arena *a, size_t n)
{
	return arena_take(a, n, 1);
}

void *
arena_zalloc_bytes(struct arena *a, size_t n)
{
	return arena_take(a, n, 0);
}

void
mem_populate(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095, e = (uintptr_t)p + n;

	if (n > 0)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

void
mem_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	/* All of its pages, though only the 2 MiB-aligned part can be
	 * huge: advice on part of a mapping would split it in two, and
	 * realloc() could no longer grow it with mremap(2), but would copy
	 * it whole. */
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + n + 4095) & ~(uintptr_t)4095;

	if (n >= ((size_t)4 << 20))
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

#define HEAP_STEP	((size_t)64 << 20)	/* the heap's growth, at least */

static uintptr_t	heap_done;	/* the heap's end, advised up to */

void
mem_heap_huge_start(void)
{
	void *e;

	(void)mallopt(M_TOP_PAD, (int)HEAP_STEP);
	if ((e = sbrk(0)) != (void *)-1)
		heap_done = (uintptr_t)e;
}

void
mem_heap_huge(void)
{
#ifdef MADV_HUGEPAGE
	void *e;

	if (heap_done == 0 || (e = sbrk(0)) == (void *)-1 ||
	    (uintptr_t)e <= heap_done)
		return;
	/* the heap's end is page-aligned: the part beyond heap_done is a
	 * mapping of its own until the advice joins it to the one before */
	(void)madvise((void *)(heap_done & ~(uintptr_t)4095),
	    (uintptr_t)e - (heap_done & ~(uintptr_t)4095), MADV_HUGEPAGE);
	heap_done = (uintptr_t)e;
#endif
}

void
arena_free(struct arena *a)
{
	char *b = a->block, *prev;

	while (b != NULL) {
		memcpy(&prev, b, ARENA_HEAD);
		free(b);
		b = prev;
	}
	a->block = NULL;
	a->used = 0;
}
