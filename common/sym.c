/* sym.c - symbol files, sorted for binary search; see sym.h. */
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
	size_t		 order;		/* line order, for ties */
	char		*name;
};

struct symtab {
	struct sym	*s;
	size_t		 n;
};

static int
symcmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct symtab *
sym_load(const char *path)
{
	struct symtab *t = xcalloc(1, sizeof(*t));
	struct rd *in = rd_open(path);
	struct span line, a, name, size, extra;
	size_t cap = 0, i, w;
	enum num_err e;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	while (rd_line(in, &line)) {
		struct sym *s;

		i = 0;
		a = span_word(line, &i);
		if (a.n == 0 || a.p[0] == '#')
			continue;
		name = span_word(line, &i);
		size = span_word(line, &i);
		extra = span_word(line, &i);
		if (name.n == 0)
			die_at(rd_name(in), rd_lineno(in), "expected ADDRESS "
			    "NAME [SIZE]");
		if (extra.n != 0)
			die_at(rd_name(in), rd_lineno(in), "expected ADDRESS "
			    "NAME [SIZE], got more words");
		if (t->n == cap) {
			cap = cap ? cap * 2 : 256;
			t->s = xreallocarray(t->s, cap, sizeof(*t->s));
		}
		s = &t->s[t->n];
		memset(s, 0, sizeof(*s));
		if ((e = num_parse_addr_strict(a, &s->addr)) != NUM_OK)
			die_at(rd_name(in), rd_lineno(in), "bad address '%s': "
			    "%s", msg_vis(a.p, a.n), num_strerror(e));
		if (size.n > 0) {
			e = num_parse_addr_strict(size, &s->size);
			if (e != NUM_OK)
				die_at(rd_name(in), rd_lineno(in), "bad size "
				    "'%s': %s", msg_vis(size.p, size.n),
				    num_strerror(e));
			s->hassize = 1;
		}
		for (w = 0; w < name.n; w++)
			if (name.p[w] == '\\' || (unsigned char)name.p[w] < 0x20)
				die_at(rd_name(in), rd_lineno(in), "control "
				    "character or backslash in symbol name");
		s->name = xmemdup(name.p, name.n);
		s->order = t->n++;
	}
	rd_close(in);
	if (t->n > 1)
		qsort(t->s, t->n, sizeof(*t->s), symcmp);
	/* Keep the first symbol of each address. */
	for (i = w = 0; i < t->n; i++) {
		if (w > 0 && t->s[w - 1].addr == t->s[i].addr) {
			free(t->s[i].name);
			continue;
		}
		t->s[w++] = t->s[i];
	}
	t->n = w;
	return t;
}

void
sym_free(struct symtab *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i].name);
	free(t->s);
	free(t);
}

int
sym_lookup(const struct symtab *t, uint64_t v, int withoff, struct sbuf *sb)
{
	size_t lo = 0, hi = t->n;
	const struct sym *s;
	char b[24];

	/* Find the last symbol with addr <= v. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->s[mid].addr <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	s = &t->s[lo - 1];
	if (s->hassize && v - s->addr >= s->size)
		return 0;
	/* Without a size a symbol ends at the next one; the last at itself. */
	if (!s->hassize && lo == t->n && v != s->addr)
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
