/*
 * sym.h - symbol files: map an address to the function containing it;
 * module maps: map an address to its module and the offset in it.
 *
 * A symbol file has one symbol per line, its words separated by blanks,
 * in one of these forms:
 *
 *   ADDRESS NAME [SIZE]          ADDRESS and SIZE 0x-hex or decimal
 *   ADDRESS TYPE NAME            nm(1): hex digits without 0x, TYPE
 *   ADDRESS SIZE TYPE NAME       one letter (nm -S: ADDRESS and SIZE
 *                                of one width)
 *   MODULE followed by any of the above
 *
 * A first word that starts with a digit is an address; a line whose
 * first word is not an address and not nm's names a module (its
 * basename): ADDRESS is then an offset in that module.  nm's undefined
 * symbols ("U NAME", "w NAME", "v NAME": a letter and a name, no
 * address) are skipped, and so are blank lines and lines starting with
 * '#'.  A line "FILE:" (nm of several files) makes the symbols after it,
 * up to the next such line, those of module FILE (its basename).  An address resolves to the nearest symbol at or below it among
 * the symbols of its module, or among those without a module: exactly at
 * the symbol it is the bare NAME, inside it NAME+0xOFFSET (lowercase
 * hex).  It resolves to nothing when it lies below every symbol, or at or
 * past ADDRESS+SIZE of the nearest symbol when that symbol has a size.  A
 * symbol without a size covers the addresses up to the next symbol: an
 * address past the last symbol resolves to nothing when that symbol has
 * no size.  Of two symbols at one address the first listed wins.
 *
 * A module map is a /proc/PID/maps file, or a list of "BASE NAME [SIZE]"
 * lines (BASE and SIZE as ADDRESS above); see mod_load().  The symtab and
 * the modmap own their memory; the strings they hand out live as long as
 * they do.
 */
#ifndef TRACE_SYM_H
#define TRACE_SYM_H

#include <stddef.h>
#include <stdint.h>

#include "span.h"
#include "xmem.h"

struct symtab;
struct modmap;

/* Load a symbol file; exits 2 with "FILE:LINE: reason" on bad lines. */
struct symtab *sym_load(const char *path);
void	sym_free(struct symtab *t);

/*
 * Resolve v among the symbols without a module.  Returns 1 and replaces
 * sb's content with "NAME" or, when withoff is set and v is inside the
 * symbol, "NAME+0xOFF"; or returns 0 when no symbol covers v (sb
 * untouched).
 */
int	sym_lookup(const struct symtab *t, uint64_t v, int withoff,
	    struct sbuf *sb);

/*
 * The number of module m (a basename, n bytes) in t, for
 * sym_lookup_mod(), or -1 when t has no symbol of that module.
 */
int	sym_module(const struct symtab *t, const char *m, size_t n);

/* sym_lookup() among the symbols of module number m (>= 0): v an offset. */
int	sym_lookup_mod(const struct symtab *t, int m, uint64_t v, int withoff,
	    struct sbuf *sb);

/*
 * Load a module map; exits 2 with "FILE:LINE: reason" on bad lines.  In
 * /proc/PID/maps format ("START-END PERMS OFFSET DEV INODE [PATH]", in
 * address order, no overlaps) a module is a run of consecutive mappings
 * of one file whose first mapping is at file offset 0: its base is the
 * start of that mapping, its addresses those of its mappings.  Mappings
 * without a path, with a [bracketed] path other than [vdso], and runs not
 * starting at file offset 0 belong to no module.  In the list format a
 * module covers BASE to BASE+SIZE, or without a SIZE up to the next BASE
 * (the last one, to the top of the address space).  A module is named by
 * its file's basename, " (deleted)" left out.
 */
struct modmap *mod_load(const char *path);

/*
 * Whether v is a module-relative address as trace-key --modules writes
 * it, MODULE+0xOFFSET: then *mod is MODULE and *off the offset.  MODULE
 * is what precedes the last "+0x" (libstdc++.so.6+0x10), not empty, not
 * starting with a digit, without ':' (MODULE:NAME is a symbol).
 */
int	mod_rel_parse(struct span v, struct span *mod, uint64_t *off);
void	mod_free(struct modmap *m);

/* The number of modules, numbered 0 up. */
size_t	mod_count(const struct modmap *m);

/*
 * The module holding address v: returns its number and sets *off to v
 * less its base, or returns -1 when v is in no module.
 */
int	mod_find(const struct modmap *m, uint64_t v, uint64_t *off);

/* The name of module i. */
const char *mod_name(const struct modmap *m, int i);

/*
 * NULL, or why an offset in module i means nothing: another module of
 * the same name has another base ("module 'X' is mapped at two bases
 * (FILE:L1 and FILE:L2)").
 */
const char *mod_ambiguous(const struct modmap *m, int i);

#endif
