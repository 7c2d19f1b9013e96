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

enum ctype { CT_STR, CT_ADDR, CT_HEX, CT_INT, CT_TIME };
enum vkind { VK_STR, VK_NUM, VK_BOOL, VK_NULL, VK_NESTED };
enum format { FMT_AUTO, FMT_JSONL, FMT_CSV, FMT_TSV, FMT_REGEX };
enum unmatched { UNM_ERROR, UNM_DROP };
enum rkind { R_MAP, R_CONTAINS, R_FIELD, R_VALUE };

/* A source field referenced by the schema, and its value in the record. */
struct slot {
	char		*name;
	size_t		 namelen;
	/* per record */
	uint64_t	 setgen;	/* record that set it (rec_gen) */
	struct span	 raw;		/* as in the input (escaped) */
	enum vkind	 kind;
	int		 esc;		/* raw needs unescaping (JSON \ or TSV \) */
	struct sbuf	 tmp;		/* unescaped value, when needed */
	uint64_t	 gen;		/* record whose value tmp holds */
	uint64_t	 numgen;	/* record whose number is cached */
	int		 numok;
	uint64_t	 num;
	/* --op-contains rules on this field: their results for a value,
	 * remembered for the values seen (a trace has few distinct ones) */
	int		 ncontains;	/* rules on this slot, up to 64 */
	struct cmemo	*memo;
	uint64_t	 maskgen;	/* record whose mask is computed */
	uint64_t	 mask;		/* bit b: contains rule b matches */
};

/* An output column. */
struct column {
	char		*name;
	int		 slot;		/* source field, or -1 (op, file) */
	enum ctype	 type;
	int		 optional;
	int		 isop;		/* the op column (rules decide) */
	int		 isfile;	/* the input file's name */
};

/* A remembered value and which --op-contains rules match it. */
#define CMEMO_N		64
#define CMEMO_LEN	31
struct cmemo {
	uint8_t		 len;		/* 0: empty */
	char		 v[CMEMO_LEN];
	uint64_t	 mask;
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

/* Finish S after all options: default columns, column order. */
void	schema_finish(void);

/* Slot index of a source field name, adding it if new. */
int	slot_of(const char *name, size_t n);

/* Per-record context for messages and the skip machinery. */
struct rec {
	const char	*file;		/* operand name */
	const char	*msgname;	/* name for messages */
	uint64_t	 line;
	struct span	 text;		/* the record's raw text */
};

/*
 * Convert the slots of one record to an event row on o.  Returns 0, or
 * -1 after reporting a malformed record through bad_record().
 */
int	emit_record(struct ob *o, const struct rec *r);

/* Report a malformed record: exit 2, or count it under --skip-bad. */
int	bad_record(const struct rec *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Counters. */
extern uint64_t n_records, n_written, n_blank, n_dropped, n_skipped;
extern uint64_t n_nomatch;
extern uint64_t rec_gen;

/* Reset every slot for the next record. */
void	slots_reset(void);

/* Format readers: read all records of one input. */
struct rd;
void	read_jsonl(struct rd *in, const char *file, struct ob *o,
	    struct span first);
void	read_csv(struct rd *in, const char *file, struct ob *o,
	    struct span first);
void	read_tsv(struct rd *in, const char *file, struct ob *o,
	    struct span first);
void	read_regex(struct rd *in, const char *file, struct ob *o,
	    struct span first);

/* Compile --regex and map its named groups to slots (regex.c). */
void	regex_compile(void);

/* Whether a line holds only blanks (spaces, tabs, a CR). */
int	blank_line(struct span l);

/* Format of the record being converted: how slot values are escaped. */
extern enum format cur_format;

/* The JSON record's strings were checked for raw control characters. */
extern int cur_noctrl;



#endif
