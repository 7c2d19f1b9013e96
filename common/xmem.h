/*
 * xmem.h - allocation that cannot fail (it exits 2 instead), and a
 * growable byte buffer.
 *
 * Ownership: whatever an x-function returns belongs to the caller, who
 * frees it with free().  A struct sbuf owns its bytes; sb_free() releases
 * them.
 */
#ifndef TRACE_XMEM_H
#define TRACE_XMEM_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t n);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *p, size_t n);
/* realloc to nmemb*size bytes, exiting on overflow of the product. */
void	*xreallocarray(void *p, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xmemdup(const void *p, size_t n);	/* NUL-terminated copy */
/* printf into a string of exactly the size it needs. */
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *fmt, va_list ap)
	    __attribute__((format(printf, 1, 0)));

/*
 * An arena: zeroed, 8-byte aligned memory for many small objects that
 * live until arena_free() (or the end of the program), taken from 1 MiB
 * blocks without the cost in time and memory of an allocation each.
 * Start from a zeroed struct.
 */
struct arena {
	char	*block;		/* the newest block; each starts with a
				 * pointer to the one before */
	size_t	 used;		/* bytes of it taken */
};

void	*arena_zalloc(struct arena *a, size_t n);
/* The same without alignment, for bytes (text): no room lost between
 * small strings. */
void	*arena_zalloc_bytes(struct arena *a, size_t n);
void	 arena_free(struct arena *a);

/*
 * Fault in the pages of [p, p+n) at once, for memory about to be
 * written: one system call instead of a page fault a page (costly on
 * virtual machines).  Only advice: where the system cannot, nothing
 * changes.
 */
void	 mem_populate(void *p, size_t n);
/*
 * Ask for transparent huge pages for the pages of [p, p+n) (its 2 MiB-
 * aligned part gets them) when n is 4 MiB or more, for memory reached at
 * random (a hash table's slots): fewer TLB misses.  Only advice, before
 * the pages are touched.
 */
void	 mem_huge(void *p, size_t n);

/*
 * Huge pages for the heap, for a tool that makes many small blocks
 * reached at random (trace-hist's per-key maps): with small pages each
 * 4 KiB of the heap's growth is a page fault and each access likely a
 * TLB miss.  mem_heap_huge_start() makes malloc grow the heap (brk(2))
 * by 64 MiB at least; mem_heap_huge(), called after allocations (an
 * sbrk(0) and a compare while the heap has not grown), gives what the
 * heap grew by since the last call transparent huge pages (madvise(2)),
 * as glibc's tunable glibc.malloc.hugetlb=1 would, without the
 * environment.  Only advice: memory and contents are the same.
 */
void	 mem_heap_huge_start(void);
void	 mem_heap_huge(void);

/* A growable byte string.  p is NUL-terminated after every sb_ call. */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

/* Make room for n more bytes; returns a pointer to the free space. */
char	*sb_reserve(struct sbuf *sb, size_t n);
void	 sb_add(struct sbuf *sb, const void *p, size_t n);
void	 sb_adds(struct sbuf *sb, const char *s);
void	 sb_addc(struct sbuf *sb, int c);
void	 sb_clear(struct sbuf *sb);
void	 sb_free(struct sbuf *sb);

#endif
