/* sym.c - symbol files and module maps, sorted for binary search; see sym.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "num.h"
#include "rd.h"
#include "sym.h"

struct sym {
	uint64_t	 addr;
	uint64_t	 size;		/* 0: unknown */
	int		 hassize;
	size_t		 mod;		/* 0: none; else module number + 1 */
	size_t		 order;		/* line order, for ties */
	char		*name;
};

struct symtab {
	struct sym	*s;
	size_t		 n;
	char		**mods;		/* module names */
	size_t		 nmods;
	size_t		*start;		/* symbols of mod k: start[k]..start[k+1]-1 */
};

#define MAXWORDS	6

static int
symcmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->mod != y->mod)
		return x->mod < y->mod ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The basename of s: what follows its last '/'. */
static struct span
base_name(struct span s)
{
	size_t i = s.n;

	while (i > 0 && s.p[i - 1] != '/')
		i--;
	return span_make(s.p + i, s.n - i);
}

static int
is_hex(struct span s)
{
	if (s.n == 0 || s.n > 16)
		return 0;
	for (size_t i = 0; i < s.n; i++)
		if (!isxdigit((unsigned char)s.p[i]))
			return 0;
	return 1;
}

static int
is_letter(struct span s)
{
	return s.n == 1 && isalpha((unsigned char)s.p[0]);
}

/* Whether c is one of the bytes of set (never NUL). */
static int
oneof(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static int
is_number(struct span s)
{
	uint64_t v;

	return num_parse_addr_strict(s, &v) == NUM_OK;
}

static void
check_name(struct rd *in, struct span name, const char *what)
{
	for (size_t i = 0; i < name.n; i++)
		if (name.p[i] == '\\' || (unsigned char)name.p[i] < 0x20 ||
		    name.p[i] == 0x7f)
			die_at(rd_name(in), rd_lineno(in), "control character "
			    "or backslash in %s name", what);
}

/*
 * Read a symbol from words w[0..n) of a line without a module: nm's
 * forms, by their shape, then ADDRESS NAME [SIZE].  Returns 0 when the
 * words are none of these and the first does not start with a digit
 * (they may start with a module name); dies on a bad address otherwise.
 */
static int
parse_sym(struct rd *in, const struct span *w, size_t n, struct sym *s)
{
	enum num_err e;

	if (n == 4 && is_hex(w[0]) && is_hex(w[1]) && w[0].n == w[1].n &&
	    is_letter(w[2])) {
		num_parse_hex(w[0], &s->addr);
		num_parse_hex(w[1], &s->size);
		s->hassize = 1;
		check_name(in, w[3], "symbol");
		s->name = xmemdup(w[3].p, w[3].n);
		return 1;
	}
	if (n == 3 && is_hex(w[0]) && is_letter(w[1]) && !is_number(w[2])) {
		num_parse_hex(w[0], &s->addr);
		check_name(in, w[2], "symbol");
		s->name = xmemdup(w[2].p, w[2].n);
		return 1;
	}
	if (n < 2 || n > 3 || !is_number(w[0])) {
		if (n >= 3 && !isdigit((unsigned char)w[0].p[0]))
			return 0;
		if (n > 3)
			die_at(rd_name(in), rd_lineno(in), "expected ADDRESS "
			    "NAME [SIZE], got more words");
	}
	if (n < 2)
		die_at(rd_name(in), rd_lineno(in), "expected ADDRESS NAME "
		    "[SIZE]");
	if ((e = num_parse_addr_strict(w[0], &s->addr)) != NUM_OK)
		die_at(rd_name(in), rd_lineno(in), "bad address '%s': %s",
		    msg_vis(w[0].p, w[0].n), num_strerror(e));
	if (n == 3) {
		if ((e = num_parse_addr_strict(w[2], &s->size)) != NUM_OK)
			die_at(rd_name(in), rd_lineno(in), "bad size '%s': %s",
			    msg_vis(w[2].p, w[2].n), num_strerror(e));
		s->hassize = 1;
	}
	check_name(in, w[1], "symbol");
	s->name = xmemdup(w[1].p, w[1].n);
	return 1;
}

/* nm's undefined symbol: a letter and a name, no address. */
static int
nm_undefined(const struct span *w, size_t n)
{
	return n == 2 && w[0].n == 1 && oneof(w[0].p[0], "Uwv");
}

static size_t
sym_modnum(struct symtab *t, struct rd *in, struct span m)
{
	size_t k;

	m = base_name(m);
	if (m.n == 0)
		die_at(rd_name(in), rd_lineno(in), "empty module name");
	check_name(in, m, "module");
	for (k = 0; k < t->nmods; k++)
		if (span_eqs(m, t->mods[k]))
			return k + 1;
	t->mods = xreallocarray(t->mods, t->nmods + 1, sizeof(*t->mods));
	t->mods[t->nmods++] = xmemdup(m.p, m.n);
	return t->nmods;
}

struct symtab *
sym_load(const char *path)
{
	struct symtab *t = xcalloc(1, sizeof(*t));
	struct rd *in = rd_open(path);
	struct span line, w[MAXWORDS + 1];
	size_t cap = 0, i, n, k, cur = 0;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	while (rd_line(in, &line)) {
		struct sym *s;

		i = 0;
		for (n = 0; n <= MAXWORDS; n++)
			if ((w[n] = span_word(line, &i)).n == 0)
				break;
		if (n == 0 || w[0].p[0] == '#' || nm_undefined(w, n))
			continue;
		/* nm of several files: "FILE:" heads the symbols of FILE. */
		if (n == 1 && w[0].n > 1 && w[0].p[w[0].n - 1] == ':') {
			cur = sym_modnum(t, in, span_make(w[0].p,
			    w[0].n - 1));
			continue;
		}
		if (t->n == cap) {
			cap = cap ? cap * 2 : 256;
			t->s = xreallocarray(t->s, cap, sizeof(*t->s));
		}
		s = &t->s[t->n];
		memset(s, 0, sizeof(*s));
		s->mod = cur;
		if (!parse_sym(in, w, n, s)) {
			/* MODULE and a symbol in any other form. */
			if (nm_undefined(w + 1, n - 1))
				continue;
			if (n > 5)
				die_at(rd_name(in), rd_lineno(in), "expected "
				    "[MODULE] ADDRESS NAME [SIZE], got more "
				    "words");
			if (!parse_sym(in, w + 1, n - 1, s))
				die_at(rd_name(in), rd_lineno(in), "bad "
				    "address '%s' after module '%s'",
				    msg_vis(w[1].p, w[1].n),
				    msg_vis(w[0].p, w[0].n));
			s->mod = sym_modnum(t, in, w[0]);
		}
		s->order = t->n++;
	}
	rd_close(in);
	if (t->n > 1)
		qsort(t->s, t->n, sizeof(*t->s), symcmp);
	/* Keep the first symbol of each address. */
	for (i = n = 0; i < t->n; i++) {
		if (n > 0 && t->s[n - 1].mod == t->s[i].mod &&
		    t->s[n - 1].addr == t->s[i].addr) {
			free(t->s[i].name);
			continue;
		}
		t->s[n++] = t->s[i];
	}
	t->n = n;
	t->start = xreallocarray(NULL, t->nmods + 2, sizeof(*t->start));
	for (k = 0, i = 0; k <= t->nmods + 1; k++) {
		while (i < t->n && t->s[i].mod < k)
			i++;
		t->start[k] = i;
	}
	return t;
}

void
sym_free(struct symtab *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i].name);
	for (size_t i = 0; i < t->nmods; i++)
		free(t->mods[i]);
	free(t->mods);
	free(t->start);
	free(t->s);
	free(t);
}

/* Resolve v among the symbols s[lo..hi). */
static int
lookup(const struct sym *sy, size_t lo, size_t hi, uint64_t v, int withoff,
    struct sbuf *sb)
{
	size_t end = hi, first = lo;
	const struct sym *s;
	char b[24];

	/* Find the last symbol with addr <= v. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sy[mid].addr <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == first)
		return 0;
	s = &sy[lo - 1];
	if (s->hassize && v - s->addr >= s->size)
		return 0;
	/* Without a size a symbol ends at the next one; the last at itself. */
	if (!s->hassize && lo == end && v != s->addr)
		return 0;
	sb_clear(sb);
	sb_adds(sb, s->name);
	if (withoff && v != s->addr) {
		snprintf(b, sizeof(b), "+0x%llx",
		    (unsigned long long)(v - s->addr));
		sb_adds(sb, b);
	}
	return 1;
}

int
sym_lookup(const struct symtab *t, uint64_t v, int withoff, struct sbuf *sb)
{
	return lookup(t->s, t->start[0], t->start[1], v, withoff, sb);
}

int
sym_module(const struct symtab *t, const char *m, size_t n)
{
	for (size_t k = 0; k < t->nmods; k++)
		if (span_eqs(span_make(m, n), t->mods[k]))
			return (int)k;
	return -1;
}

int
sym_lookup_mod(const struct symtab *t, int m, uint64_t v, int withoff,
    struct sbuf *sb)
{
	return lookup(t->s, t->start[m + 1], t->start[m + 2], v, withoff, sb);
}

/* Module maps. */

struct range {
	uint64_t	 lo, last;	/* first and last address */
	size_t		 mod;
	uint64_t	 line;
};

struct module {
	char		*name;
	uint64_t	 base;
	uint64_t	 line;		/* of the base */
	char		*ambig;		/* why its offsets mean nothing */
};

struct modmap {
	struct range	*r;
	size_t		 nr;
	struct module	*m;
	size_t		 nm;
	int		 hassize;	/* list: the sizes given */
};

static void
add_range(struct modmap *mm, uint64_t lo, uint64_t last, size_t mod,
    uint64_t line)
{
	if ((mm->nr & (mm->nr - 1)) == 0)
		mm->r = xreallocarray(mm->r, mm->nr ? mm->nr * 2 : 16,
		    sizeof(*mm->r));
	mm->r[mm->nr].lo = lo;
	mm->r[mm->nr].last = last;
	mm->r[mm->nr].mod = mod;
	mm->r[mm->nr].line = line;
	mm->nr++;
}

static size_t
add_module(struct modmap *mm, struct rd *in, struct span name, uint64_t base)
{
	name = base_name(name);
	if (name.n == 0)
		die_at(rd_name(in), rd_lineno(in), "empty module name");
	check_name(in, name, "module");
	mm->m = xreallocarray(mm->m, mm->nm + 1, sizeof(*mm->m));
	mm->m[mm->nm].name = xmemdup(name.p, name.n);
	mm->m[mm->nm].base = base;
	mm->m[mm->nm].line = rd_lineno(in);
	mm->m[mm->nm].ambig = NULL;
	return mm->nm++;
}

static uint64_t
hex_word(struct rd *in, struct span w, const char *what)
{
	uint64_t v;

	if (num_parse_hex(w, &v) != NUM_OK)
		die_at(rd_name(in), rd_lineno(in), "bad %s '%s'", what,
		    msg_vis(w.p, w.n));
	return v;
}

/* The run of mappings of one file that the last line continues. */
struct run {
	struct span	 path;		/* into pbuf */
	struct sbuf	 pbuf;
	uint64_t	 dev, inode;
	int		 isrun;		/* a file was seen */
	long		 mod;		/* its module, or -1 */
	uint64_t	 prevlo, prevlast, prevline;	/* the line before */
};

/*
 * One line of /proc/PID/maps:
 *   START-END PERMS OFFSET MAJOR:MINOR INODE [PATH]
 * PATH is the rest of the line and may hold blanks.
 */
static void
maps_line(struct modmap *mm, struct rd *in, struct span line,
    struct run *run)
{
	struct span w[5], path, dev;
	size_t i = 0, k, dash;
	uint64_t lo, hi, off, major, minor, inode;
	const char *f = rd_name(in);
	uint64_t ln = rd_lineno(in);

	for (k = 0; k < 5; k++)
		if ((w[k] = span_word(line, &i)).n == 0)
			die_at(f, ln, "expected START-END PERMS OFFSET DEV "
			    "INODE [PATH]");
	for (dash = 0; dash < w[0].n && w[0].p[dash] != '-'; dash++)
		;
	if (dash == w[0].n || num_parse_hex(span_make(w[0].p, dash), &lo) ||
	    num_parse_hex(span_make(w[0].p + dash + 1, w[0].n - dash - 1),
	    &hi))
		die_at(f, ln, "bad address range '%s'", msg_vis(w[0].p,
		    w[0].n));
	if (lo >= hi)
		die_at(f, ln, "empty address range '%s'", msg_vis(w[0].p,
		    w[0].n));
	if (w[1].n != 4 || !oneof(w[1].p[0], "r-") ||
	    !oneof(w[1].p[1], "w-") || !oneof(w[1].p[2], "x-") ||
	    !oneof(w[1].p[3], "ps"))
		die_at(f, ln, "bad permissions '%s'", msg_vis(w[1].p, w[1].n));
	off = hex_word(in, w[2], "file offset");
	dev = w[3];
	for (k = 0; k < dev.n && dev.p[k] != ':'; k++)
		;
	if (k == dev.n || num_parse_hex(span_make(dev.p, k), &major) ||
	    num_parse_hex(span_make(dev.p + k + 1, dev.n - k - 1), &minor))
		die_at(f, ln, "bad device '%s'", msg_vis(dev.p, dev.n));
	if (num_parse_u64(w[4], &inode) != NUM_OK)
		die_at(f, ln, "bad inode '%s'", msg_vis(w[4].p, w[4].n));
	if (run->prevline != 0 && lo < run->prevlo)
		die_at(f, ln, "mapping %s is out of address order (line %llu "
		    "is above it)", msg_vis(w[0].p, w[0].n),
		    (unsigned long long)run->prevline);
	if (run->prevline != 0 && lo <= run->prevlast)
		die_at(f, ln, "mapping %s overlaps the one at line %llu",
		    msg_vis(w[0].p, w[0].n), (unsigned long long)run->prevline);
	run->prevlo = lo;
	run->prevlast = hi - 1;
	run->prevline = ln;
	while (i < line.n && (line.p[i] == ' ' || line.p[i] == '\t'))
		i++;
	path = span_make(line.p + i, line.n - i);
	if (path.n >= 10 && memcmp(path.p + path.n - 10, " (deleted)", 10) == 0)
		path.n -= 10;
	if (path.n == 0 || (path.p[0] == '[' && !span_eqs(path, "[vdso]")))
		return;		/* anonymous, [heap], [stack], ...: no file */
	if (run->isrun && span_eq(path, run->path) &&
	    run->dev == (major << 32 | minor) && run->inode == inode) {
		if (run->mod >= 0)
			add_range(mm, lo, hi - 1, (size_t)run->mod, ln);
		return;
	}
	/* Another file: a module when mapped from its start. */
	sb_clear(&run->pbuf);
	sb_add(&run->pbuf, path.p, path.n);
	run->path = span_make(run->pbuf.p, run->pbuf.len);
	run->dev = major << 32 | minor;
	run->inode = inode;
	run->isrun = 1;
	run->mod = -1;
	if (off == 0) {
		run->mod = (long)add_module(mm, in, path, lo);
		add_range(mm, lo, hi - 1, (size_t)run->mod, ln);
	}
}

/* One line "BASE NAME [SIZE]" of a module list. */
static void
list_line(struct modmap *mm, struct rd *in, struct span line)
{
	struct span w[4];
	size_t i = 0, n, mod;
	uint64_t base, size = 0;
	enum num_err e;
	const char *f = rd_name(in);
	uint64_t ln = rd_lineno(in);

	for (n = 0; n < 4; n++)
		if ((w[n] = span_word(line, &i)).n == 0)
			break;
	if (n < 2 || n > 3)
		die_at(f, ln, "expected BASE NAME [SIZE] or a /proc/PID/maps "
		    "line");
	if ((e = num_parse_addr_strict(w[0], &base)) != NUM_OK)
		die_at(f, ln, "bad base '%s': %s", msg_vis(w[0].p, w[0].n),
		    num_strerror(e));
	if (n == 3) {
		if ((e = num_parse_addr_strict(w[2], &size)) != NUM_OK)
			die_at(f, ln, "bad size '%s': %s", msg_vis(w[2].p,
			    w[2].n), num_strerror(e));
		if (size == 0 || size - 1 > UINT64_MAX - base)
			die_at(f, ln, "size '%s' is 0 or past the top of the "
			    "address space", msg_vis(w[2].p, w[2].n));
	}
	if (mm->nm > 0 && (n == 3) != mm->hassize)
		die_at(f, ln, "a SIZE on every line or on none");
	mm->hassize = n == 3;
	mod = add_module(mm, in, w[1], base);
	add_range(mm, base, n == 3 ? base + (size - 1) : UINT64_MAX, mod, ln);
}

static int
rangecmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

struct modmap *
mod_load(const char *path)
{
	struct modmap *mm = xcalloc(1, sizeof(*mm));
	struct rd *in = rd_open(path);
	struct span line, w;
	struct run run = { 0 };
	size_t i, j;
	int format = 0;		/* 1: maps, 2: list */

	if (in == NULL)
		exit(EXIT_TROUBLE);
	while (rd_line(in, &line)) {
		int ismaps;

		i = 0;
		w = span_word(line, &i);
		if (w.n == 0 || w.p[0] == '#')
			continue;
		ismaps = memchr(w.p, '-', w.n) != NULL;
		if (format == 0)
			format = ismaps ? 1 : 2;
		if (ismaps != (format == 1))
			die_at(rd_name(in), rd_lineno(in), "%s in a %s file",
			    ismaps ? "a /proc/PID/maps line" :
			    "a BASE NAME line",
			    format == 1 ? "/proc/PID/maps" : "BASE NAME");
		if (ismaps)
			maps_line(mm, in, line, &run);
		else
			list_line(mm, in, line);
	}
	sb_free(&run.pbuf);
	if (mm->nr > 1)
		qsort(mm->r, mm->nr, sizeof(*mm->r), rangecmp);
	/* A list: a base once; a sized module ends before the next base,
	 * one without a size at it. */
	if (format == 2)
		for (i = 1; i < mm->nr; i++) {
			struct range *p = &mm->r[i - 1], *r = &mm->r[i];

			if (r->lo == p->lo)
				die_at(rd_name(in), r->line > p->line ?
				    r->line : p->line, "base listed twice "
				    "(also at line %llu)", (unsigned long long)
				    (r->line > p->line ? p->line : r->line));
			if (!mm->hassize)
				p->last = r->lo - 1;
			else if (p->last >= r->lo)
				die_at(rd_name(in), r->line > p->line ?
				    r->line : p->line, "module overlaps the "
				    "one at line %llu", (unsigned long long)
				    (r->line > p->line ? p->line : r->line));
		}
	/* One name, two bases: the offsets mean nothing. */
	for (i = 0; i < mm->nm; i++)
		for (j = i + 1; j < mm->nm; j++)
			if (strcmp(mm->m[i].name, mm->m[j].name) == 0) {
				char *why = xasprintf("module '%s' is mapped "
				    "at two bases (%s:%llu and %s:%llu)",
				    mm->m[i].name, rd_name(in),
				    (unsigned long long)mm->m[i].line,
				    rd_name(in),
				    (unsigned long long)mm->m[j].line);

				if (mm->m[i].ambig == NULL)
					mm->m[i].ambig = xstrdup(why);
				free(mm->m[j].ambig);
				mm->m[j].ambig = why;
			}
	rd_close(in);
	return mm;
}

void
mod_free(struct modmap *mm)
{
	if (mm == NULL)
		return;
	for (size_t i = 0; i < mm->nm; i++) {
		free(mm->m[i].name);
		free(mm->m[i].ambig);
	}
	free(mm->m);
	free(mm->r);
	free(mm);
}

size_t
mod_count(const struct modmap *mm)
{
	return mm->nm;
}

int
mod_find(const struct modmap *mm, uint64_t v, uint64_t *off)
{
	size_t lo = 0, hi = mm->nr;
	const struct range *r;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mm->r[mid].lo <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	r = &mm->r[lo - 1];
	if (v > r->last)
		return -1;
	*off = v - mm->m[r->mod].base;
	return (int)r->mod;
}

const char *
mod_name(const struct modmap *mm, int i)
{
	return mm->m[i].name;
}

const char *
mod_ambiguous(const struct modmap *mm, int i)
{
	return mm->m[i].ambig;
}

int
mod_rel_parse(struct span v, struct span *mod, uint64_t *off)
{
	size_t k;

	for (k = v.n; k >= 3; k--)
		if (memcmp(v.p + k - 3, "+0x", 3) == 0)
			break;
	if (k < 4 || (v.p[0] >= '0' && v.p[0] <= '9') ||
	    memchr(v.p, ':', k - 3) != NULL || v.n - k > 16 ||
	    num_parse_hex(span_make(v.p + k, v.n - k), off) != NUM_OK)
		return 0;
	*mod = span_make(v.p, k - 3);
	return 1;
}
