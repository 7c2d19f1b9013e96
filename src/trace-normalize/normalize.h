/*
 * normalize.h - shared state of trace-normalize: the compiled schema and
 * the record being converted.
 *
 * A schema names source fields ("slots"); every format reader fills the
 * slots of one record, then emit_record() turns them into one event row.
 */
#ifndef NORMALIZE_H
#define NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "ob.h"
#include "span.h"
#include "xmem.h"

enum ctype { CT_STR, CT_ADDR, CT_DEC, CT_HEX, CT_INT, CT_TIME };
enum vkind { VK_STR, VK_NUM, VK_BOOL, VK_NULL, VK_NESTED };
enum format { FMT_AUTO, FMT_JSONL, FMT_CSV, FMT_TSV, FMT_REGEX, FMT_CHROME };
enum unmatched { UNM_ERROR, UNM_DROP };
enum rkind { R_MAP, R_CONTAINS, R_FIELD, R_VALUE };

/* A source field referenced by the schema. */
struct slot {
	char		*name;
	size_t		 namelen;
	int		 ncontains;	/* --op-contains rules on it, up to 64 */
};

/*
 * The last two keys met at each of the first POSMEMO_N positions of a
 * JSON line, and their slots (input.c): trace lines rarely have more
 * keys, and keys shorter than POSMEMO_LEN (most) fit the entry.  Two, so
 * that lines of two shapes (a key present in some only) both hit.
 */
#define POSMEMO_N	32
#define POSMEMO_LEN	24
#define POSMEMO_WAYS	2

/* A remembered value and which --op-contains rules match it. */
#define CMEMO_N		64
#define CMEMO_LEN	31
struct cmemo {
	uint8_t		 len;		/* 0: empty */
	char		 v[CMEMO_LEN];
	uint64_t	 mask;
};

/* A slot's value in the record being converted (one per converter). */
struct slotval {
	uint64_t	 setgen;	/* record that set it (conv gen) */
	struct span	 raw;		/* as in the input (escaped) */
	enum vkind	 kind;
	int		 esc;		/* raw needs unescaping (JSON \ or TSV \) */
	uint64_t	 diggen;	/* record whose raw is digits alone,
					 * [1-9][0-9]* (json_parse_to()) */
	struct sbuf	 tmp;		/* unescaped value, when needed */
	uint64_t	 gen;		/* record whose value tmp holds */
	uint64_t	 numgen;	/* record whose number is cached */
	int		 numok;
	uint64_t	 num;
	/* the --op-contains results for this field's values, remembered
	 * for the values seen (a trace has few distinct ones) */
	struct cmemo	*memo;
	uint64_t	 maskgen;	/* record whose mask is computed */
	uint64_t	 mask;		/* bit b: contains rule b matches */
};

/* An output column. */
struct column {
	char		*name;
	int		 slot;		/* source field, or -1 (op, file, set) */
	enum ctype	 type;
	int		 tshift;	/* CT_TIME: digits from its unit to ns */
	int		 typed;		/* the type was given, not a default */
	int		 optional;
	int		 isop;		/* the op column (rules decide) */
	int		 isfile;	/* the input file's name */
	int		 isset;		/* --set: value on every row */
	char		*value;		/* --set: the value, TSV-escaped */
	size_t		 valuelen;
	int		 istid;		/* tid: digits must be canonical */
};

/* One op rule; rules are tried in order, the first match wins. */
struct oprule {
	enum rkind	 kind;
	int		 slot;
	char		*value;		/* R_MAP string value; R_CONTAINS text */
	size_t		 vlen;
	int		 numeric;	/* R_MAP: value is a number */
	uint64_t	 num;
	char		*op;		/* result (R_MAP, R_CONTAINS, R_VALUE) */
	size_t		 oplen;
	int		 bit;		/* R_CONTAINS: its bit in the slot's mask,
					 * or -1 past 64 rules */
	int		 opclean;	/* op is plain ASCII without a byte to
					 * escape: written as it is */
};

struct rd;

struct schema {
	enum format	 format;
	struct slot	*slot;
	size_t		 nslot;
	struct column	*col;
	size_t		 ncol;
	struct oprule	*rule;
	size_t		 nrule;
	enum unmatched	 unmatched;
	int		 skipbad;
	char		*badlines;
	int		 quiet;
	int		 check;
	int		 progress;	/* 1 force on, 0 auto */
	int		 mapped;	/* a --column or op rule was given */
	char		*regex;		/* --regex: the line pattern */
	int		 nomatch_skip;	/* --nomatch skip (else error) */
	char		*output;
	int		 threads;	/* --threads: converters at once */
	size_t		 nwhere;	/* --where filters */
	int		 threadnames;	/* --thread-names */
	int		 columnsdone;	/* schema_columns() has run */
};

extern struct schema S;

/* The canonical columns, in their order (trace-format(5)). */
#define NCANON	5
extern const char *const canon_names[NCANON];

/* trace-normalize --check (check.c). */
int	check_stream(struct rd **in, int n);

/* Parse argv into S, reading schema files as they are named.  Returns
 * the index of the first operand. */
int	schema_args(int argc, char *argv[]);

/*
 * Finish S after all options: checks, and, unless the format may be
 * Chrome's (auto or chrome), the columns.
 */
void	schema_finish(void);

/*
 * The default columns and the column order (schema.c), once the format
 * of the first input is known: chrome says whether it is Chrome trace
 * events, whose defaults are op from name, tid and ts in microseconds.
 */
void	schema_columns(int chrome);

/* Slot index of a source field name, adding it if new. */
int	slot_of(const char *name, size_t n);

/* A record: where it comes from, for messages and --bad-lines. */
struct rec {
	const char	*file;		/* operand name */
	const char	*msgname;	/* name for messages */
	uint64_t	 line;
	struct span	 text;		/* the record's raw text */
};

/* A malformed record, kept by a converter that may not report it yet. */
struct badrec {
	uint64_t	 line;
	char		*msg;
	char		*text;
	size_t		 textlen;
};

/* What a converter did with its records, for the closing messages. */
struct counts {
	uint64_t	 records;	/* records read */
	uint64_t	 written;	/* rows written */
	uint64_t	 blank;		/* blank lines ignored */
	uint64_t	 dropped;	/* records no op rule matches, dropped */
	uint64_t	 skipped;	/* malformed records skipped (--skip-bad) */
	uint64_t	 nomatch;	/* lines no --regex matches, skipped */
	uint64_t	 wdropped;	/* records a --where filter dropped */
};

/*
 * A converter: everything one conversion of records needs besides the
 * schema.  The main thread has one; with --threads, each worker has its
 * own, and its rows and malformed records are kept ("deferred") to be
 * written in input order by the main thread.
 */
struct json_line;
struct json_to;
struct conv {
	struct slotval	*sv;		/* S.nslot values */
	uint64_t	 gen;		/* the record's number, for sv */
	enum format	 fmt;		/* how the values are escaped */
	int		 noctrl;	/* JSON strings hold no raw control char */
	const char	*file, *msgname;
	size_t		 filelen;

	struct sbuf	 row;		/* the row being built */
	struct ob	*ob;		/* rows go here, or */
	struct sbuf	*out;		/* here when deferred */

	int		 deferred;	/* keep malformed records in bads */
	int		 stop;		/* deferred strict mode hit a bad one */
	struct badrec	*bads;
	size_t		 nbad, capbad;

	struct counts	 n;		/* what it did */
	int		 opclean;	/* derive_op() gave a rule's op text
					 * with opclean set */

	/* format scratch */
	void		*jl;		/* struct json_line */
	struct json_to	*jto;		/* JSON Lines values straight to sv */
	unsigned	 jto_skip;	/* lines left before trying it again */
	unsigned	 jto_wait;	/* lines to skip after the next miss */
	struct sbuf	 key;
	struct span	*fields;
	size_t		 nfields;
	void		*md;		/* pcre2 match data */
	void		*wmd;		/* pcre2 match data of --where */
	struct posmemo {
		char	 name[POSMEMO_LEN];
		uint8_t	 len;		/* 0: nothing cached */
		int	 slot;
	} pos[POSMEMO_N][POSMEMO_WAYS];	/* [0] the newer */
};

struct conv *conv_new(void);
void	conv_free(struct conv *c);

/* The file the converter's records come from. */
void	conv_file(struct conv *c, const char *file, const char *msgname);

/* Fix what emit_record() needs of the schema, after schema_columns()
 * and before any record (row.c). */
void	rows_ready(void);

/*
 * Convert the slots of one record to an event row.  Returns 0, or -1
 * after reporting a malformed record through bad_record().
 */
int	emit_record(struct conv *c, const struct rec *r);

/*
 * The unescaped value of slot i in the record (value.c).  Returns 0 with
 * *v set (into the record or the slot's own buffer, valid until the next
 * record), or -1 after reporting a bad escape, or a control character in
 * a JSON string, through bad_record().
 */
static inline int slot_value(struct conv *c, int i, const struct rec *r,
	    struct span *v);

/*
 * The value of slot i as an address-style number (value.c), computed
 * once per record.  Returns 1 with *v set, 0 when it is not a number, -1
 * after reporting a bad value through bad_record().
 */
int	slot_num(struct conv *c, int i, const struct rec *r, uint64_t *v);

/* Whether slot i (>= 0) holds a value in this record (null and "" do
 * not). */
static inline int
present(const struct conv *c, int i)
{
	const struct slotval *s = &c->sv[i];

	return s->setgen == c->gen && s->kind != VK_NULL && s->raw.n > 0;
}

/* Internal: slot_value() for a value to unescape or check. */
int	slot_value_slow(struct conv *c, int i, const struct rec *r,
	    struct span *v);

/* The common case inline: a value used as it stands in the input. */
static inline int
slot_value(struct conv *c, int i, const struct rec *r, struct span *v)
{
	const struct slotval *s = &c->sv[i];

	if (s->kind != VK_STR ||
	    (!s->esc && (c->fmt != FMT_JSONL || c->noctrl))) {
		*v = s->raw;
		return 0;
	}
	return slot_value_slow(c, i, r, v);
}

/* Add a --where filter (where.c), counted in S.nwhere. */
void	where_arg(const char *arg);

/*
 * Whether the record passes every --where filter: 1, or 0 when it is
 * dropped (counted in c->n.wdropped), or -1 when it was reported bad.
 */
int	where_pass(struct conv *c, const struct rec *r);
void	where_conv_free(struct conv *c);

/* Note which columns the op rules fill, after schema_finish() (oprule.c). */
void	oprules_ready(void);

/*
 * The rules' usual start: --op-contains rules on one field, each with
 * its bit, rule i with bit i (oprules_ready()).  Their first match is the
 * lowest bit of the field's mask, found without trying them one by one.
 */
extern size_t	 op_ncfirst;	/* rules 0..op_ncfirst-1 are such */
extern uint64_t	 op_cfirstmask;	/* their bits */

/* The memo entry of a value of 1 to CMEMO_LEN bytes. */
static inline unsigned
memo_hash(struct span v)
{
	return (unsigned)(v.n * 31 + (unsigned char)v.p[0] * 7 +
	    (unsigned char)v.p[v.n / 2] * 3 +
	    (unsigned char)v.p[v.n - 1]) % CMEMO_N;
}

/*
 * Which --op-contains rules of slot s match its value: computed once per
 * distinct value of up to CMEMO_LEN bytes and remembered in a small
 * direct-mapped table (a miss only costs the computation), so that the
 * usual trace, with a handful of function names, pays for the substring
 * searches once.  contains_mask() looks in the table inline and leaves
 * a miss to contains_compute() (oprule.c).
 */
uint64_t contains_compute(struct slotval *s, int slot, struct span v);

static inline uint64_t
contains_mask(struct slotval *s, int slot, struct span v)
{
	const struct cmemo *m;

	if (v.n > 0 && v.n <= CMEMO_LEN && s->memo != NULL) {
		m = &s->memo[memo_hash(v)];
		/* up to 31 bytes: one or two comparisons of up to 16 */
		if (m->len == v.n && (v.n <= 16 ? mem_same(m->v, v.p, v.n) :
		    mem_same(m->v, v.p, 16) && mem_same(m->v + v.n - 16,
		    v.p + v.n - 16, 16)))
			return m->mask;
	}
	return contains_compute(s, slot, v);
}

/*
 * Apply the op rules in order to the record (oprule.c).  Returns 1 with
 * *op set (to the rule's text or the record's value) and c->opclean
 * telling whether it is a rule's text that needs no escape, 0 when the
 * record is dropped (counted), -1 when it was reported bad.
 * derive_op() tries the first --op-contains rules inline, through the
 * field's mask, and leaves the rules after them to derive_op_from().
 */
int	derive_op_from(struct conv *c, const struct rec *r, struct span *op,
	    size_t i);

/* Report a malformed record: exit 2, or count it under --skip-bad, or,
 * deferred, keep it for the main thread. */
int	bad_record(struct conv *c, const struct rec *r, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

static inline int
derive_op(struct conv *c, const struct rec *r, struct span *op)
{
	const struct oprule *ru = &S.rule[0];
	struct slotval *s;
	struct span v;
	uint64_t m;

	/* (each of them would pass over an absent field) */
	if (op_ncfirst == 0 || !present(c, ru->slot))
		return derive_op_from(c, r, op, op_ncfirst);
	s = &c->sv[ru->slot];
	if (s->kind == VK_NESTED)
		return bad_record(c, r, "field %s: expected a scalar, "
		    "got an object or array", S.slot[ru->slot].name);
	if (s->maskgen != c->gen) {
		if (slot_value(c, ru->slot, r, &v) != 0)
			return -1;
		s->mask = contains_mask(s, ru->slot, v);
		s->maskgen = c->gen;
	}
	if ((m = s->mask & op_cfirstmask) == 0)
		return derive_op_from(c, r, op, op_ncfirst);
	ru = &S.rule[__builtin_ctzll(m)];
	*op = span_make(ru->op, ru->oplen);
	c->opclean = ru->opclean;
	return 1;
}

/*
 * Chrome trace-event JSON, the array or object format, from the input's
 * first non-blank line, not yet consumed (chrome.c).  chrome_first_line()
 * says whether a line, or the first part of a long one, starts such a
 * trace.
 */
void	read_chrome(struct conv *c, struct rd *in);
int	chrome_first_line(struct span l);

/* Set a converter's slots from the fields of a parsed JSON object
 * (input.c).  Returns 0, or -1 after reporting a bad record. */
int	json_slots(struct conv *c, const struct rec *r);

/* One line of a line format (after any header), numbered lineno. */
void	conv_jsonl(struct conv *c, struct span line, uint64_t lineno);
/* Values of JSON Lines straight to sv[0..nslot) (input.c). */
struct json_to *json_to_new(struct slotval *sv, size_t nslot);
void	conv_tsv(struct conv *c, struct span line, uint64_t lineno);
void	conv_regex(struct conv *c, struct span line, uint64_t lineno);

/* The TSV header of the current file: set by tsv_begin(). */
void	tsv_begin(struct rd *in, struct span line);
void	tsv_end(void);

/* CSV, read whole by the main thread's converter (records span lines). */
void	read_csv(struct conv *c, struct rd *in, struct span first);

/* Compile --regex and map its named groups to slots (regex.c). */
void	regex_compile(void);
void	*regex_match_data(void);

/* Build the field-name lookup before converters run in parallel. */
void	slots_ready(void);

/* Whether a line holds only blanks (spaces, tabs, a CR). */
int	blank_line(struct span l);

/* Run the line format fmt over one input, on the worker pool when there
 * is one (pool.c); pool_stop() ends the workers. */
void	run_lines(struct conv *main, struct rd *in, struct span first,
	    enum format fmt);
void	pool_stop(void);

/*
 * Write deferred work in input order (main.c): rows to the main
 * converter's output, counters added, malformed records reported (which
 * counts them as skipped, or ends the run in strict mode).
 */
void	retire(struct conv *main, struct sbuf *out, const struct counts *n,
	    struct badrec *bads, size_t nbad, const char *file,
	    const char *msgname);

#endif
