/*
 * input.c - trace-normalize's format readers: JSON Lines, CSV, TSV.
 *
 * Each reader turns the records of one input into slot values and hands
 * them to emit_record().  Header-based formats map header columns to
 * slots once per file.  A record's line number is the line it starts on.
 */
#include <stdlib.h>
#include <string.h>

#include "csvr.h"
#include "err.h"
#include "htab.h"
#include "json.h"
#include "rd.h"
#include "tsv.h"
#include "normalize.h"

enum format cur_format;
int cur_noctrl;

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

static int
find_slot(const char *p, size_t n)
{
	const int *b;
	size_t i;

	if (n == 0)
		return find_slot_slow(p, n);
	if (nbucketed != S.nslot) {	/* (re)build on first use */
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

static void
set_slot(int i, struct span raw, enum vkind k, int esc)
{
	struct slot *s = &S.slot[i];

	s->setgen = rec_gen;
	s->raw = raw;
	s->kind = k;
	s->esc = esc;
}

/*
 * Trace lines nearly always list their keys in the same order: the key
 * met at each position last time, and its slot, are tried first.
 */
#define NPOS	32
static struct {
	char	 name[24];
	uint8_t	 len;		/* 0: nothing cached */
	int	 slot;
} pos[NPOS];

static inline int
slot_at(size_t k, struct span kn)
{
	int i;

	if (k < NPOS && pos[k].len == kn.n && kn.n > 0) {
		size_t j;

		for (j = 0; j < kn.n && pos[k].name[j] == kn.p[j]; j++)
			;
		if (j == kn.n)
			return pos[k].slot;
	}
	i = find_slot(kn.p, kn.n);
	if (k < NPOS && kn.n < sizeof(pos[k].name)) {
		memcpy(pos[k].name, kn.p, kn.n);
		pos[k].len = (uint8_t)kn.n;
		pos[k].slot = i;
	}
	return i;
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

		if (blank_line(line)) {
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
		cur_noctrl = jl.noctrl;
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
			if ((i = f->kesc ? find_slot(kn.p, kn.n) :
			    slot_at(k, kn)) < 0)
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
map_header(struct span *names, size_t n, const char *file, uint64_t lineno)
{
	struct htab *seen = ht_new();
	size_t i, j;
	int isnew;

	for (i = 0; i < n; i++) {
		if (names[i].n == 0)
			die_at(file, lineno, "empty column name in header "
			    "(column %zu)", i + 1);
		ht_intern(seen, names[i].p, names[i].n, &isnew);
		if (!isnew)
			die_at(file, lineno, "duplicate column name '%.*s'",
			    (int)names[i].n, names[i].p);
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
read_csv(struct rd *in, const char *file, struct ob *o, struct span line)
{
	static struct csvr *c;
	static struct sbuf text;
	static struct span *names;
	struct rec r = { file, rd_name(in), 0, { NULL, 0 } };
	int header = 1, k;
	size_t i, nf;

	cur_format = FMT_CSV;
	if (c == NULL)
		c = csvr_new();
	csvr_reset(c);
	sb_clear(&text);
	do {
		if (!csvr_open(c)) {
			if (blank_line(line)) {
				n_blank++;
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
			n_records++;
			bad_record(&r, "malformed CSV: %s", csvr_error(c));
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
		n_records++;
		rec_gen++;
		if (nf != ncolslot) {
			bad_record(&r, "expected %zu fields, got %zu", ncolslot,
			    nf);
			continue;
		}
		for (i = 0; i < nf; i++)
			if (colslot[i] >= 0)
				set_slot(colslot[i], csvr_field(c, i), VK_STR,
				    0);
		emit_record(o, &r);
	} while (rd_line(in, &line));
	if (csvr_finish(c) != 0) {
		r.text = span_make(text.p, text.len);
		if (header)
			die_at(r.msgname, r.line, "bad CSV header: %s",
			    csvr_error(c));
		n_records++;
		bad_record(&r, "malformed CSV: %s", csvr_error(c));
	}
}

void
read_tsv(struct rd *in, const char *file, struct ob *o, struct span line)
{
	struct tsv_hdr h;
	struct span *f;
	struct rec r = { file, rd_name(in), 0, { NULL, 0 } };
	size_t n, i;

	cur_format = FMT_TSV;
	tsv_hdr_parse_at(&h, line, rd_name(in), rd_lineno(in));
	map_header(h.col, h.ncol, rd_name(in), rd_lineno(in));
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
