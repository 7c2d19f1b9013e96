/*
 * input.c - trace-normalize's format readers: JSON Lines, CSV, TSV.
 *
 * Each reader turns records into a converter's slot values and hands
 * them to emit_record().  JSON Lines and TSV are converted line by line
 * (conv_jsonl, conv_tsv), so that the lines of one input can be shared
 * among threads; CSV, whose records may span lines, is read whole by the
 * main converter.  Header-based formats map header columns to slots once
 * per file.  A record's line number is the line it starts on.
 */
#include <stdlib.h>
#include <string.h>

#include "csvr.h"
#include "msg.h"
#include "htab.h"
#include "json.h"
#include "rd.h"
#include "tsv.h"
#include "normalize.h"

int
blank_line(struct span l)
{
	for (size_t i = 0; i < l.n; i++)
		if (l.p[i] != ' ' && l.p[i] != '\t' && l.p[i] != '\r')
			return 0;
	return 1;
}

/*
 * Slot of a source field name, or -1 when the schema does not use it.
 * Called for every key of every record, so slots are found through a
 * small table indexed by the name's length and end bytes; most keys the
 * schema does not use land in an empty bucket and cost no comparison.
 */
#define NBUCKET	64
#define BUCKETW	4
static int	bucket[NBUCKET][BUCKETW];	/* slot + 1; 0 ends */
static size_t	nbucketed;			/* slots in the table */

static unsigned
bucket_of(const char *p, size_t n)
{
	return (unsigned)(n * 7 + (unsigned char)p[0] * 3 +
	    (unsigned char)p[n - 1]) % NBUCKET;
}

static int
find_slot_slow(const char *p, size_t n)
{
	for (size_t i = 0; i < S.nslot; i++)
		if (S.slot[i].namelen == n && memcmp(S.slot[i].name, p, n) == 0)
			return (int)i;
	return -1;
}

void
slots_ready(void)
{
	size_t i;

	if (nbucketed != S.nslot) {
		memset(bucket, 0, sizeof(bucket));
		for (i = 0; i < S.nslot; i++) {
			const struct slot *s = &S.slot[i];
			int *c;

			if (s->namelen == 0)
				continue;
			c = bucket[bucket_of(s->name, s->namelen)];
			for (size_t k = 0; k < BUCKETW; k++)
				if (c[k] == 0) {
					c[k] = (int)i + 1;
					break;
				}
		}
		nbucketed = S.nslot;
	}
}

/* Read-only once slots_ready() has run: safe from any thread. */
static int
find_slot(const char *p, size_t n)
{
	const int *b;
	size_t i;

	if (n == 0)
		return find_slot_slow(p, n);
	b = bucket[bucket_of(p, n)];
	for (i = 0; i < BUCKETW && b[i] != 0; i++) {
		const struct slot *s = &S.slot[b[i] - 1];
		size_t k;

		if (s->namelen != n)
			continue;
		for (k = 0; k < n && s->name[k] == p[k]; k++)
			;	/* names are short: no call to memcmp */
		if (k == n)
			return b[i] - 1;
	}
	/* A full bucket may have left a slot out: look everywhere. */
	return i == BUCKETW ? find_slot_slow(p, n) : -1;
}

static inline void
set_slot(struct conv *c, int i, struct span raw, enum vkind k, int esc)
{
	struct slotval *s = &c->sv[i];

	s->setgen = c->gen;
	s->raw = raw;
	s->kind = k;
	s->esc = esc;
}

/*
 * Trace lines nearly always list their keys in the same order, or in one
 * of two: the keys met at each position lately, and their slots, are
 * tried first.  A miss makes the key the newer of the two.
 */
static inline int
slot_at(struct conv *c, size_t k, struct span kn)
{
	struct posmemo *m;
	int i;

	if (k >= POSMEMO_N)
		return find_slot(kn.p, kn.n);
	m = c->pos[k];
	if (m[0].len == kn.n && kn.n > 0 && mem_same(m[0].name, kn.p, kn.n))
		return m[0].slot;
	if (m[1].len == kn.n && kn.n > 0 && mem_same(m[1].name, kn.p, kn.n))
		return m[1].slot;
	i = find_slot(kn.p, kn.n);
	if (kn.n < sizeof(m[0].name)) {
		m[1] = m[0];
		memcpy(m[0].name, kn.p, kn.n);
		m[0].len = (uint8_t)kn.n;
		m[0].slot = i;
	}
	return i;
}

/* The kind of value of each JSON type. */
static const enum vkind vkind_of[] = {
	[JT_STRING] = VK_STR, [JT_NUMBER] = VK_NUM, [JT_TRUE] = VK_BOOL,
	[JT_FALSE] = VK_BOOL, [JT_NULL] = VK_NULL, [JT_OBJECT] = VK_NESTED,
	[JT_ARRAY] = VK_NESTED
};

/*
 * JSON Lines values go straight to their slots (json_parse_to()) when
 * the keys' tags hold them: a slot's setgen, raw, kind, esc and diggen
 * are where it stores them.
 */
_Static_assert(offsetof(struct slotval, setgen) == JSON_TO_GEN &&
    offsetof(struct slotval, raw) == JSON_TO_VAL &&
    offsetof(struct slotval, kind) == JSON_TO_KIND &&
    sizeof(enum vkind) == sizeof(int) &&
    offsetof(struct slotval, esc) == JSON_TO_ESC &&
    offsetof(struct slotval, diggen) == JSON_TO_DIG, "slotval: json_to layout");

struct json_to *
json_to_new(struct slotval *sv, size_t nslot)
{
	struct json_to *to = xcalloc(1, sizeof(*to));

	to->base = (char *)sv;
	to->stride = sizeof(*sv);
	to->n = nslot;
	for (int t = 0; t <= JT_ARRAY; t++)
		to->kind[t] = (int)vkind_of[t];
	to->index = find_slot;	/* as json_slots() sets the tags */
	return to;
}

/*
 * After lines json_parse_to() did not take, the next lines go the usual
 * way without trying it: none after the first miss, then 1, 3, 7, ... up
 * to JTO_WAIT_MAX while it keeps missing; each line it takes halves the
 * wait again.  A trace whose keys it never takes (keys too long to
 * remember, escaped) costs a wasted walk every so many lines only, and
 * one where it misses often (half the lines with a nested value, which
 * only jsmn parses) tries it less often than at every line.
 */
#define JTO_WAIT_MAX	1023

void
conv_jsonl(struct conv *c, struct span line, uint64_t lineno)
{
	struct json_line *jl = c->jl;
	struct rec r = { c->file, c->msgname, lineno, line };

	/* (a line that starts an object is not blank) */
	if ((line.n == 0 || line.p[0] != '{') && blank_line(line)) {
		c->n.blank++;
		return;
	}
	c->fmt = FMT_JSONL;
	c->n.records++;
	c->gen++;
	if (c->jto_skip > 0)
		c->jto_skip--;
	else {
		c->jto->gen = c->gen;
		if (json_parse_to(jl, line.p, line.n, c->jto)) {
			c->jto_wait /= 2;
			c->noctrl = 1;
			emit_record(c, &r);
			return;
		}
		c->gen++;	/* what it stored is stale */
		c->jto_skip = c->jto_wait;
		c->jto_wait = c->jto_wait < JTO_WAIT_MAX / 2 ?
		    2 * c->jto_wait + 1 : JTO_WAIT_MAX;
	}
	if (json_parse_line(jl, line.p, line.n) != 0) {
		bad_record(c, &r, "%s", jl->err);
		return;
	}
	if (json_slots(c, &r) == 0)
		emit_record(c, &r);
}

/*
 * The slot of a field whose tag does not hold it (json_slots()): -1 for
 * none, -2 after reporting a bad key.  *kn is the key, unescaped.
 */
static int
field_slot(struct conv *c, const struct rec *r, size_t k,
    const struct json_field *f, struct span *kn)
{
	const char *e;
	int i;

	*kn = f->key;
	if (f->kesc) {
		if ((e = json_unescape(*kn, &c->key)) != NULL) {
			bad_record(c, r, "%s", e);
			return -2;
		}
		*kn = span_make(c->key.p, c->key.len);
		return find_slot(kn->p, kn->n);
	}
	i = slot_at(c, k, *kn);
	if (f->tag != NULL)
		*f->tag = (unsigned)(i + 2);
	return i;
}

/*
 * A field's slot is kept in its JSON tag (json.h), as slot + 2 (1: no
 * slot), when its key holds no escape: the same key bytes at the same
 * place find it again without a look at the key.
 */
int
json_slots(struct conv *c, const struct rec *r)
{
	struct json_line *jl = c->jl;
	const struct json_field *f = jl->f;
	struct slotval *sv = c->sv;
	uint64_t gen = c->gen;
	size_t k, nf = jl->nf;
	struct span kn;
	int i;

	/* (locals: the stores below cannot change them) */
	c->noctrl = jl->noctrl;
	for (k = 0; k < nf; k++, f++) {
		if (f->tag != NULL && *f->tag != 0) {
			if ((i = (int)*f->tag - 2) < 0)
				continue;
			if (sv[i].setgen == gen)	/* (a key with a tag has
							 * no escape) */
				return bad_record(c, r, "duplicate key '%s'",
				    msg_vis(f->key.p, f->key.n));
		} else if ((i = field_slot(c, r, k, f, &kn)) < 0) {
			if (i == -2)
				return -1;
			continue;
		} else if (sv[i].setgen == gen)
			return bad_record(c, r, "duplicate key '%s'",
			    msg_vis(kn.p, kn.n));
		sv[i].setgen = gen;
		sv[i].raw = f->val;
		sv[i].kind = vkind_of[f->type];
		sv[i].esc = f->vesc;
	}
	return 0;
}

/* Header-based formats: header column index -> slot (or -1). */
static int *colslot;
static size_t ncolslot;

static void
map_header(struct span *names, size_t n, const char *file, uint64_t lineno)
{
	struct htab *seen = ht_new();
	size_t i, j;
	int isnew;

	for (i = 0; i < n; i++) {
		/* as TSV's tsv_hdr_parse_at() says, for CSV too */
		if (memchr(names[i].p, '\0', names[i].n) != NULL)
			die_at(file, lineno, "NUL byte in header");
		if (names[i].n == 0)
			die_at(file, lineno, "empty column name in header "
			    "(column %zu)", i + 1);
		ht_intern(seen, names[i].p, names[i].n, &isnew);
		if (!isnew)
			die_at(file, lineno, "duplicate column name '%s'",
			    msg_vis(names[i].p, names[i].n));
	}
	ht_free(seen);
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
			die_at(file, lineno, "no column '%s' for output column %s "
			    "(columns: %s)", S.slot[c->slot].name, c->name,
			    tsv_hdr_list(&h));
	}
}

/*
 * CSV through common/csvr (libcsv, strict).  A record's line is the line
 * it starts on; its text, for --bad-lines, is all of its lines.
 */
void
read_csv(struct conv *cv, struct rd *in, struct span line)
{
	static struct csvr *c;
	static struct sbuf text;
	static struct span *names;
	struct rec r = { cv->file, cv->msgname, 0, { NULL, 0 } };
	int header = 1, k;
	size_t i, nf;

	cv->fmt = FMT_CSV;
	if (c == NULL)
		c = csvr_new();
	csvr_reset(c);
	sb_clear(&text);
	do {
		if (!csvr_open(c)) {
			if (blank_line(line)) {
				cv->n.blank++;
				continue;
			}
			r.line = rd_lineno(in);
			sb_clear(&text);
		} else
			sb_addc(&text, '\n');
		sb_add(&text, line.p, line.n);
		if ((k = csvr_line(c, line.p, line.n)) == 0)
			continue;
		r.text = span_make(text.p, text.len);
		if (k < 0) {
			if (header)
				die_at(r.msgname, r.line, "bad CSV header: %s",
				    csvr_error(c));
			cv->n.records++;
			bad_record(cv, &r, "malformed CSV: %s", csvr_error(c));
			csvr_reset(c);
			continue;
		}
		nf = csvr_nfields(c);
		if (header) {
			names = xreallocarray(names, nf ? nf : 1,
			    sizeof(*names));
			/* The header's names must outlive the record buffer. */
			for (i = 0; i < nf; i++) {
				struct span f = csvr_field(c, i);

				names[i] = span_make(xmemdup(f.p, f.n), f.n);
			}
			map_header(names, nf, r.msgname, r.line);
			header = 0;
			continue;
		}
		cv->n.records++;
		cv->gen++;
		if (nf != ncolslot) {
			bad_record(cv, &r, "expected %zu fields, got %zu",
			    ncolslot, nf);
			continue;
		}
		for (i = 0; i < nf; i++)
			if (colslot[i] >= 0)
				set_slot(cv, colslot[i], csvr_field(c, i),
				    VK_STR, 0);
		emit_record(cv, &r);
	} while (rd_line(in, &line));
	if (csvr_finish(c) != 0) {
		r.text = span_make(text.p, text.len);
		if (header)
			die_at(r.msgname, r.line, "bad CSV header: %s",
			    csvr_error(c));
		cv->n.records++;
		bad_record(cv, &r, "malformed CSV: %s", csvr_error(c));
	}
}

/* The TSV header of the file being read: fixed while its lines are
 * converted, read-only for the threads. */
static struct tsv_hdr tsvhdr;

void
tsv_begin(struct rd *in, struct span line)
{
	tsv_hdr_parse_at(&tsvhdr, line, rd_name(in), rd_lineno(in));
	map_header(tsvhdr.col, tsvhdr.ncol, rd_name(in), rd_lineno(in));
}

void
tsv_end(void)
{
	tsv_hdr_free(&tsvhdr);
}

void
conv_tsv(struct conv *c, struct span line, uint64_t lineno)
{
	struct rec r = { c->file, c->msgname, lineno, line };
	size_t n, i;

	if (line.n == 0) {
		c->n.blank++;
		return;
	}
	if (tsv_is_hdr(&tsvhdr, line))
		return;		/* concatenated streams */
	c->fmt = FMT_TSV;
	c->n.records++;
	c->gen++;
	if (c->nfields < tsvhdr.ncol + 1) {
		c->nfields = tsvhdr.ncol + 1;
		c->fields = xreallocarray(c->fields, c->nfields,
		    sizeof(*c->fields));
	}
	if ((n = tsv_split(line, c->fields, tsvhdr.ncol + 1)) != tsvhdr.ncol) {
		bad_record(c, &r, "expected %zu fields, got %zu", tsvhdr.ncol,
		    n);
		return;
	}
	for (i = 0; i < n; i++)
		if (colslot[i] >= 0)
			set_slot(c, colslot[i], c->fields[i], VK_STR,
			    memchr(c->fields[i].p, '\\', c->fields[i].n) !=
			    NULL);
	emit_record(c, &r);
}
