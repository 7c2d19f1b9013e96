/*
 * input.c - trace-normalize's format readers: JSON Lines, CSV, TSV.
 *
 * Each reader turns the records of one input into slot values and hands
 * them to emit_record().  Header-based formats map header columns to
 * slots once per file.  A record's line number is the line it starts on.
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "err.h"
#include "json.h"
#include "rd.h"
#include "tsv.h"
#include "normalize.h"

enum format cur_format;

static int
blank(struct span l)
{
	for (size_t i = 0; i < l.n; i++)
		if (l.p[i] != ' ' && l.p[i] != '\t' && l.p[i] != '\r')
			return 0;
	return 1;
}

/* Slot of a source field name, or -1 when the schema does not use it. */
static int
find_slot(const char *p, size_t n)
{
	for (size_t i = 0; i < S.nslot; i++)
		if (S.slot[i].namelen == n && S.slot[i].name[0] == p[0] &&
		    memcmp(S.slot[i].name, p, n) == 0)
			return (int)i;
	return -1;
}

static void
set_slot(int i, struct span raw, enum vkind k, int esc)
{
	struct slot *s = &S.slot[i];

	s->setgen = rec_gen;
	s->raw = raw;
	s->kind = k;
	s->esc = esc;
}

void
read_jsonl(struct rd *in, const char *file, struct ob *o, struct span line)
{
	static struct json_line jl;
	static struct sbuf key;
	struct rec r = { file, rd_name(in), 0, { NULL, 0 } };

	cur_format = FMT_JSONL;
	do {
		size_t k;

		if (blank(line)) {
			n_blank++;
			continue;
		}
		n_records++;
		rec_gen++;
		r.line = rd_lineno(in);
		r.text = line;
		if (json_parse_line(&jl, line.p, line.n) != 0) {
			bad_record(&r, "%s", jl.err);
			continue;
		}
		for (k = 0; k < jl.nf; k++) {
			const struct json_field *f = &jl.f[k];
			struct span kn = f->key;
			enum vkind vk;
			int i;

			if (f->kesc) {
				const char *e = json_unescape(kn, &key);

				if (e != NULL) {
					bad_record(&r, "%s", e);
					goto next;
				}
				kn = span_make(key.p, key.len);
			}
			if ((i = find_slot(kn.p, kn.n)) < 0)
				continue;
			if (S.slot[i].setgen == rec_gen) {
				bad_record(&r, "duplicate key '%.*s'",
				    (int)kn.n, kn.p);
				goto next;
			}
			switch (f->type) {
			case JT_STRING: vk = VK_STR; break;
			case JT_NUMBER: vk = VK_NUM; break;
			case JT_TRUE:
			case JT_FALSE: vk = VK_BOOL; break;
			case JT_NULL: vk = VK_NULL; break;
			default: vk = VK_NESTED; break;
			}
			set_slot(i, f->val, vk, f->vesc);
		}
		emit_record(o, &r);
next:		;
	} while (rd_line(in, &line));
}

/* Header-based formats: header column index -> slot (or -1). */
static int *colslot;
static size_t ncolslot;

static void
map_header(struct span *names, size_t n, const char *file)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (names[i].n == 0)
			die_at(file, 1, "empty column name in header "
			    "(column %zu)", i + 1);
		for (j = 0; j < i; j++)
			if (span_eq(names[i], names[j]))
				die_at(file, 1, "duplicate column name '%.*s'",
				    (int)names[i].n, names[i].p);
	}
	free(colslot);
	colslot = xreallocarray(NULL, n ? n : 1, sizeof(*colslot));
	ncolslot = n;
	for (i = 0; i < n; i++)
		colslot[i] = find_slot(names[i].p, names[i].n);
	/* A required column's field must be in the header. */
	for (i = 0; i < S.ncol; i++) {
		const struct column *c = &S.col[i];
		struct tsv_hdr h = { n, names, NULL, 0, file };

		if (c->slot < 0 || c->optional)
			continue;
		for (j = 0; j < n; j++)
			if (colslot[j] == c->slot)
				break;
		if (j == n)
			die_at(file, 1, "no column '%s' for output column %s "
			    "(columns: %s)", S.slot[c->slot].name, c->name,
			    tsv_hdr_list(&h));
	}
}

/*
 * CSV through libcsv (strict, unterminated final quote caught by
 * csv_fini).  libcsv reuses its field buffer, so fields are copied into
 * one record buffer; spans into it are made when the record ends.
 */
struct csvctx {
	struct sbuf	 buf;
	size_t		*off, *len;
	size_t		 nf, cap;
	int		 inrec;		/* a record is open across lines */
	int		 header_done;
	struct rec	 r;
	struct sbuf	 text;		/* raw lines of the open record */
	struct ob	*o;
	struct span	*names;
};

static void
csv_field(void *s, size_t n, void *data)
{
	struct csvctx *c = data;

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
csv_record(int term, void *data)
{
	struct csvctx *c = data;
	size_t i;

	(void)term;
	if (!c->header_done) {
		c->names = xreallocarray(c->names, c->nf ? c->nf : 1,
		    sizeof(*c->names));
		for (i = 0; i < c->nf; i++)
			c->names[i] = span_make(c->buf.p + c->off[i], c->len[i]);
		map_header(c->names, c->nf, c->r.msgname);
		c->header_done = 1;
		goto done;
	}
	n_records++;
	rec_gen++;
	c->r.text = span_make(c->text.p, c->text.len);
	if (c->nf != ncolslot) {
		bad_record(&c->r, "expected %zu fields, got %zu", ncolslot,
		    c->nf);
		goto done;
	}
	for (i = 0; i < c->nf; i++)
		if (colslot[i] >= 0)
			set_slot(colslot[i],
			    span_make(c->buf.p + c->off[i], c->len[i]),
			    VK_STR, 0);
	emit_record(c->o, &c->r);
done:
	c->nf = 0;
	sb_clear(&c->buf);
	sb_clear(&c->text);
	c->inrec = 0;
}

static int
csv_nospace(unsigned char ch)
{
	(void)ch;
	return 0;
}

static void
csv_start(struct csv_parser *p)
{
	if (csv_init(p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		dief("cannot initialize the CSV parser");
	csv_set_space_func(p, csv_nospace);
}

void
read_csv(struct rd *in, const char *file, struct ob *o, struct span line)
{
	struct csv_parser p;
	static struct csvctx c;

	cur_format = FMT_CSV;
	c.o = o;
	c.header_done = 0;
	c.nf = 0;
	c.inrec = 0;
	sb_clear(&c.buf);
	sb_clear(&c.text);
	c.r.file = file;
	c.r.msgname = rd_name(in);
	csv_start(&p);
	do {
		if (!c.inrec) {
			if (blank(line)) {
				n_blank++;
				continue;
			}
			c.r.line = rd_lineno(in);
		}
		c.inrec = 1;
		if (c.text.len > 0)
			sb_addc(&c.text, '\n');
		sb_add(&c.text, line.p, line.n);
		if (csv_parse(&p, line.p, line.n, csv_field, csv_record, &c) !=
		    line.n || csv_parse(&p, "\n", 1, csv_field, csv_record,
		    &c) != 1) {
			const char *why = csv_strerror(csv_error(&p));

			if (!c.header_done)
				die_at(c.r.msgname, c.r.line, "bad CSV header: %s",
				    why);
			n_records++;
			c.r.text = span_make(c.text.p, c.text.len);
			bad_record(&c.r, "malformed CSV: %s", why);
			csv_free(&p);
			csv_start(&p);
			c.nf = 0;
			sb_clear(&c.buf);
			sb_clear(&c.text);
			c.inrec = 0;
		}
	} while (rd_line(in, &line));
	if (csv_fini(&p, csv_field, csv_record, &c) != 0) {
		if (!c.header_done)
			die_at(c.r.msgname, c.r.line, "bad CSV header: "
			    "unterminated quoted field");
		n_records++;
		c.r.text = span_make(c.text.p, c.text.len);
		bad_record(&c.r, "malformed CSV: unterminated quoted field");
	}
	csv_free(&p);
}

void
read_tsv(struct rd *in, const char *file, struct ob *o, struct span line)
{
	struct tsv_hdr h;
	struct span *f;
	struct rec r = { file, rd_name(in), 0, { NULL, 0 } };
	size_t n, i;

	cur_format = FMT_TSV;
	tsv_hdr_parse(&h, line, rd_name(in));
	map_header(h.col, h.ncol, rd_name(in));
	f = xreallocarray(NULL, h.ncol + 1, sizeof(*f));
	while (rd_line(in, &line)) {
		if (line.n == 0) {
			n_blank++;
			continue;
		}
		if (tsv_is_hdr(&h, line))
			continue;	/* concatenated streams */
		n_records++;
		rec_gen++;
		r.line = rd_lineno(in);
		r.text = line;
		if ((n = tsv_split(line, f, h.ncol + 1)) != h.ncol) {
			bad_record(&r, "expected %zu fields, got %zu", h.ncol, n);
			continue;
		}
		for (i = 0; i < n; i++)
			if (colslot[i] >= 0)
				set_slot(colslot[i], f[i], VK_STR,
				    memchr(f[i].p, '\\', f[i].n) != NULL);
		emit_record(o, &r);
	}
	free(f);
	tsv_hdr_free(&h);
}
