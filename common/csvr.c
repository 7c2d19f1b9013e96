/* csvr.c - CSV records over libcsv; see csvr.h. */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "csvr.h"
#include "msg.h"
#include "xmem.h"

struct csvr {
	struct csv_parser p;
	struct sbuf	 buf;		/* field bytes */
	size_t		*off, *len;
	size_t		 nf, cap;
	int		 done;		/* a record ended during this feed */
	int		 open;		/* a record spans lines */
	const char	*err;
};

static int
no_space(unsigned char ch)
{
	(void)ch;
	return 0;
}

static int
is_newline(unsigned char ch)
{
	return ch == '\n';
}

static void
start(struct csvr *c)
{
	if (csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		dief("cannot initialize the CSV parser");
	csv_set_space_func(&c->p, no_space);
	csv_set_term_func(&c->p, is_newline);
}

struct csvr *
csvr_new(void)
{
	struct csvr *c = xcalloc(1, sizeof(*c));

	start(c);
	return c;
}

void
csvr_free(struct csvr *c)
{
	if (c == NULL)
		return;
	csv_free(&c->p);
	sb_free(&c->buf);
	free(c->off);
	free(c->len);
	free(c);
}

static void
on_field(void *s, size_t n, void *data)
{
	struct csvr *c = data;

	if (c->done) {		/* a new record began: drop the old one */
		c->nf = 0;
		sb_clear(&c->buf);
		c->done = 0;
	}
	if (c->nf == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->off = xreallocarray(c->off, c->cap, sizeof(*c->off));
		c->len = xreallocarray(c->len, c->cap, sizeof(*c->len));
	}
	c->off[c->nf] = c->buf.len;
	c->len[c->nf] = n;
	sb_add(&c->buf, s, n);
	c->nf++;
}

static void
on_record(int term, void *data)
{
	struct csvr *c = data;

	(void)term;
	c->done = 1;
}

int
csvr_line(struct csvr *c, const char *p, size_t n)
{
	if (!c->open) {
		c->nf = 0;
		sb_clear(&c->buf);
	}
	c->done = 0;
	if (csv_parse(&c->p, p, n, on_field, on_record, c) != n ||
	    csv_parse(&c->p, "\n", 1, on_field, on_record, c) != 1) {
		c->err = csv_strerror(csv_error(&c->p));
		return -1;
	}
	c->open = !c->done;
	return c->done;
}

size_t
csvr_nfields(const struct csvr *c)
{
	return c->nf;
}

struct span
csvr_field(const struct csvr *c, size_t i)
{
	return span_make(c->buf.p + c->off[i], c->len[i]);
}

int
csvr_open(const struct csvr *c)
{
	return c->open;
}

int
csvr_finish(struct csvr *c)
{
	if (csv_fini(&c->p, on_field, on_record, c) != 0) {
		c->err = "unterminated quoted field";
		return -1;
	}
	return 0;
}

void
csvr_reset(struct csvr *c)
{
	csv_free(&c->p);
	start(c);
	c->nf = 0;
	c->open = 0;
	c->done = 0;
	sb_clear(&c->buf);
}

const char *
csvr_error(const struct csvr *c)
{
	return c->err != NULL ? c->err : "no error";
}
