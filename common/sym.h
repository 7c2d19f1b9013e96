/*
 * sym.h - symbol files: map an address to the function containing it.
 *
 * A symbol file has one symbol per line: ADDRESS NAME [SIZE], separated
 * by blanks; ADDRESS and SIZE are 0x-hex or decimal.  Blank lines and
 * lines starting with '#' are ignored.  An address resolves to the
 * nearest symbol at or below it: exactly at the symbol it is the bare
 * NAME, inside it NAME+0xOFFSET (lowercase hex).  It resolves to nothing
 * when it lies below every symbol, or at or past ADDRESS+SIZE of the
 * nearest symbol when that symbol has a size.  A symbol without a size
 * covers the addresses up to the next symbol: an address past the last
 * symbol resolves to nothing when that symbol has no size.  Of two
 * symbols at one address the first listed wins.
 */
#ifndef TRACE_SYM_H
#define TRACE_SYM_H

#include <stdint.h>

#include "xmem.h"

struct symtab;

/* Load a symbol file; exits 2 with "FILE:LINE: reason" on bad lines. */
struct symtab *sym_load(const char *path);
void	sym_free(struct symtab *t);

/*
 * Resolve v.  Returns 1 and replaces sb's content with "NAME" or, when
 * withoff is set and v is inside the symbol, "NAME+0xOFF"; or returns 0
 * when no symbol covers v (sb untouched).
 */
int	sym_lookup(const struct symtab *t, uint64_t v, int withoff,
	    struct sbuf *sb);

#endif
