/*
 * report.h - trace-report's model of a join, shared by the writers.
 *
 * A figure travels one way: read.c reads the join (trace-join output)
 * and the data files (families, watch list, notes, symbols) into rows
 * (struct rrow); model.c derives each figure from the rows in its own
 * model_*() function (totals, headline, families, watch list, groups),
 * then decides in sections() what each section shows: which rows, how
 * many, "n of m shown", "… and k more", the labels (struct table and the
 * fields after it in struct report).  md.c and html.c only write markup
 * around that, sharing the wording that is the same through fmt.c;
 * json.c and csv.c write the same model.
 *
 * Adding a section, in one place: derive its figures in a model_*()
 * function of model.c and say what it shows in sections() there (a
 * struct table, or fields of its own here); then each writer formats
 * those fields, and no writer decides a row or a count.
 *
 * Strings in the model are as in the TSV (escaped); writers decode them
 * with rp_key() and rp_val() and escape them for their own format.  The
 * model lives for the run: nothing in it is freed.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "mdesc.h"
#include "ob.h"
#include "span.h"
#include "sym.h"
#include "tally.h"
#include "xmem.h"

enum status { ST_MISSING, ST_MATCHED, ST_EXTRA };

/* What few rows have: run and rate columns (trace-join --runs, --per),
 * as written; with notes, symbols, families or a watch list, the
 * address, a note, families. */
struct rrun {
	uint64_t	 addr;		/* the address column, when it is one */
	const char	*note;		/* notes file, then symbols; or NULL */
	uint8_t		*fam;		/* per family: in it */
	uint64_t	 refruns, candruns;	/* runs the key fires in */
	struct span	 refmin, refmax, candmin, candmax;
	int		 flaky;
	struct span	 p;		/* empty: no p */
	struct span	 refrate_s, candrate_s;	/* rates, as written */
	double		 refrate, candrate;
};

/*
 * A row of the join.  It keeps of its line, as written, the key columns
 * (each followed by a tab) and the tally cells, or with run or rate
 * columns the whole line; the key values (rp_kv) and the tally cells
 * (rp_rt, rp_ct) are found in it when asked for: spans and parsed cells
 * of millions of rows would be most of the memory.  From a regular file
 * (not compressed) it keeps where its line is in the file instead: the
 * line is read again when its keys or cells are asked for, and two
 * checksums tell whether they are still what was read first.  Either
 * way the row's keys are compared by their ranks (report.krank).
 */
struct rrow {
	union {
		const char *text;	/* what it keeps of the line */
		struct {		/* again: checksums of... */
			uint32_t sum;	/* ...the tally cells */
			uint32_t hsum;	/* ...the line before */
		};
	};
	uint64_t	 ref, cand;
	uint64_t	 at : 58;	/* again: where the line is in the
					 * join; else the line in the join
					 * (see rp_line); below 2^58 */
	uint64_t	 status : 2;	/* enum status */
	uint64_t	 under : 1;
	uint64_t	 hasaddr : 1;
	uint64_t	 over : 1;	/* the over column says yes */
	uint64_t	 again : 1;	/* the line is read again */
	uint32_t	 len;		/* of text; again: of the line */
	uint32_t	 tal;		/* where the tally cells start in
					 * text, or again in the line */
};

struct note {
	uint64_t	 addr;
	char		*text;
	uint64_t	 line;		/* in the notes file */
};

struct family {
	char		*name;
	uint64_t	*addr;		/* sorted */
	size_t		 n;
	size_t		 missing;	/* missing keys in the family */
	size_t		*rows;		/* rows with ref > 0 in the family */
	size_t		 nrows;
};

struct group {
	struct span	 value;
	uint64_t	 total, matched, missing;
	size_t		 keys;
};

/* A watched address and the rows that carry it. */
struct watch {
	uint64_t	 addr;
	size_t		*rows;
	size_t		 nrows;
};

struct totals {
	uint64_t	 ref_fires, cand_fires;
	size_t		 ref_keys, cand_keys;
	size_t		 missing_keys, matched_keys, extra_keys, under_keys;
	uint64_t	 missing_fires, matched_fires, extra_fires;
	/* Missing keys that fire in at least quorum ref runs (all missing
	 * keys without runs): those the headline and --fail-on count. */
	size_t		 consistent_missing_keys;
	uint64_t	 consistent_missing_fires;
	size_t		 over_keys, flaky_keys;
	uint64_t	 matched_cand_fires;
	size_t		 empty_component_keys;	/* a key column empty */
};

enum headline { HL_SAME, HL_DIVERGENT, HL_INCONCLUSIVE };

/*
 * A column label: pre, side name, a column name (after a space when
 * there is a side), then text: "canary tids", "canary fires", "likely
 * fn", "analog in ours?".  col is a column of the join, TSV-escaped;
 * name (used when col is empty) and side are plain.  NULL is nothing.
 */
struct label {
	const char	*pre;
	const char	*side;
	struct span	 col;
	const char	*name;
	const char	*text;
};

/* What a table column shows of each row. */
enum colkind {
	COL_RANK,		/* 1, 2, ... */
	COL_KEYS,		/* every key column, in key order */
	COL_ADDRKEYS,		/* every key column, the address first
				 * (HTML keeps the key order) */
	COL_REF, COL_CAND,	/* the row's fires */
	COL_RATIO,		/* cand / ref, in percent (rates: of rates) */
	COL_RUNS,		/* runs fired in: "3/3 vs 0/3" */
	COL_P,			/* the U test's p, or "-" */
	COL_RSPAN, COL_CSPAN,	/* per-run min..max of a side */
	COL_RTIME, COL_CTIME,	/* first..last fire as % of the side's span */
	COL_TALLY,		/* a ref tally column's first values */
	COL_NOTE,		/* likely fn, or "(unknown)" */
	COL_GVALUE,		/* a group's value */
	COL_GTOTAL, COL_GMATCHED, COL_GMISSING,	/* a group's fires */
	COL_GKEYS,		/* a group's distinct keys */
	COL_GANALOG		/* a group has a matched fire: YES or NO */
};

struct column {
	enum colkind	 kind;
	struct label	 head;
	struct label	 brief;		/* HTML, under a heading naming the
					 * side: when set, instead of head */
	size_t		 tally;		/* COL_TALLY: index in rtcol */
	size_t		 nval;		/* COL_TALLY: values shown... */
	const char	*sep;		/* ...and between them */
	int		 bar;		/* scaled to the table's scale */
};

/* A table of a section: which rows, how many, its columns. */
struct table {
	const size_t	*row;		/* into row[], or NULL: groups */
	size_t		 n;		/* rows shown */
	size_t		 total;		/* in the list: more than n gives
					 * "n of total what shown" */
	const char	*what;		/* "missing keys" */
	uint64_t	 scale;		/* largest count shown; 0: no bars */
	struct column	*col;
	size_t		 ncol;
};

/* A reference thread in the thread map (threads.c). */
struct thread {
	size_t		 ref;		/* its place in trace-hist order */
	struct span	 tid;		/* as in the tally, %-encoded */
	uint64_t	 fires;
	size_t		*analog;	/* into cthread[], best first */
	double		*asim;		/* each one's own similarity */
	size_t		 nanalog;
	double		 sim;		/* with all analogs merged */
	size_t		*missing, *moved;	/* rows, most fires first */
	size_t		 nmissing, nmoved;
};

/* Keys listed after a group without a matched fire (Markdown). */
#define ORPHAN_KEYS	6

/* A group without a matched fire and its first keys (missing order). */
struct orphan {
	size_t		 group;		/* into group[] */
	size_t		 n;		/* keys shown */
	size_t		 row[ORPHAN_KEYS];
	size_t		 entry[ORPHAN_KEYS];	/* its value in the row's cell */
};

struct report {
	const char	*file;		/* the join, for messages */
	char		*ref, *cand;	/* side names */
	struct span	*keycol;	/* key column names */
	size_t		 nkey;
	size_t		 ncol;		/* columns of the join */
	int		 wholeline;	/* rows keep their whole line, not
					 * only keys and tallies (rrow) */
	int		 rowmore;	/* rows have addresses, notes or
					 * families (rrun) */
	int		 addrcol;	/* index in keycol, or -1 */
	const char	*addrname;
	struct span	*rtcol, *ctcol;	/* tally column names, unprefixed */
	size_t		 nrt, nct;
	int		*rtrange;	/* per ref tally column: a range */
	int		*ctrange;	/* per cand tally column: a range */
	int		*rtcounts;	/* per tally column, ref then cand:
					 * every cell empty or counts */
	int64_t		*tlo, *thi;	/* per tally column, ref then cand:
					 * the least lo and greatest hi of
					 * its non-empty cells... */
	int		*tany;		/* ...when it has one */

	struct rrow	*row;
	size_t		 nrow;
	struct rrun	*rx;		/* per row, its run and rate columns,
					 * address, note, families; NULL
					 * without run or rate columns,
					 * notes, symbols, families or watch
					 * list (rp_x) */
	uint32_t	*krank;		/* per row, its nkey columns' ranks
					 * in value order (keys.c) */
	size_t		 emptykeys;	/* rows with an empty key value */

	/* Index lists, each sorted by its count descending, then key;
	 * matched is empty unless ropts.matchedlist (then t.matched_keys
	 * counts them). */
	size_t		*missing, *matched, *under, *extra;
	size_t		 nmissing, nmatched, nunder, nextra;

	struct totals	 t;
	enum headline	 headline;
	const char	*empty_side;	/* "ref", "cand", "both": no fires there;
					 * NULL when both sides fire */

	struct family	*fam;
	size_t		 nfam;
	size_t		 fresh;		/* missing keys in no family */
	size_t		*freshrows;

	struct watch	*watch;
	size_t		 nwatch;
	size_t		*watchrows;	/* rows with an address, by address */

	const char	*groupby;	/* ref tally column, or NULL */
	int		 groupcol;	/* index in rtcol, or -1 */
	/* The groups and the thread map's sides, counted as check_tallies()
	 * reads the cells (read.c), until model_groups() and
	 * model_threads() take them; tpre NULL with runs. */
	struct gbuild	*gpre;
	struct tpre	*tpre;
	struct group	*group;		/* sorted: total desc, then value */
	size_t		 ngroup;
	size_t		 noanalog;	/* groups without a matched fire */

	/* Columns of the join beyond the counts (trace-join --over, --runs,
	 * --per), and what the report knows of them. */
	int		 hasover, hasruns, hasrate;
	size_t		 overcol, runscol, ratecol;	/* first column */
	size_t		 tallycol;	/* the first tally column */
	const char	*runname;	/* the run tally column */
	int		 runrt, runct;	/* its index in rtcol, ctcol, or -1 */
	struct span	*refrun, *candrun;	/* each side's runs, sorted */
	size_t		 nrefrun, ncandrun;
	const char	*perkind;	/* "total", "time", "key"; NULL */
	const char	*perkey;	/* COL=VALUE for "key" */
	uint64_t	 refden, candden;	/* the sides' denominators */
	uint64_t	*refdenrun, *canddenrun; /* per run, with runs */
	double		 perscale;	/* rate = count * perscale / den */
	size_t		 quorum;	/* ref runs a consistent missing key
					 * fires in */
	double		 divergent_share;	/* percent of ref fires */
	size_t		*over, *flaky;	/* sorted like under, missing */
	size_t		 nover, nflaky;

	/* When keys fire (model.c): each side's first and last ts, the keys
	 * that stop early or start late, or why there are none. */
	int		 hastime;
	const char	*notime;
	int		 rtscol, ctscol;	/* ts range tallies */
	int64_t		 rfirst, rlast, cfirst, clast;
	double		 early;		/* --early, a fraction */
	size_t		*stops, *starts;
	size_t		 nstops, nstarts;
	struct table	 tstops, tstarts;

	/* Timelines (--timeline): the tbin tallies, each side's origin (its
	 * first event's bin, or --align's marker key's) and the bins drawn;
	 * or why there are none. */
	int		 hastl;
	const char	*notl;
	int64_t		 tlwidth;
	int		 rtbin, ctbin;
	int64_t		 rorigin, corigin;
	size_t		 tlbins;
	const char	*tlalign;	/* --align, or NULL */
	size_t		*tlrows;	/* the keys the tables list */
	size_t		 ntlrows;

	/* The thread map (threads.c), or why there is none. */
	int		 hasmap;
	const char	*nomap;
	struct thread	*thread;	/* by fires, descending, then tid */
	size_t		 nthread, nthreadshown;
	struct span	*cthread;	/* candidate threads, trace-hist order */
	size_t		 ncthread;
	double		 threadmin;
	size_t		 threadtop;

	/* The notes (sorted by address) and symbols behind likely fn. */
	struct note	*notes;
	size_t		 nnotes;
	struct symtab	*sym;

	/* What the sections show (model.c, sections()). */
	char		*heading;	/* --title, or "Fire-pattern diff: ..." */
	struct table	 tmissing, tunder, textra, tgroups, twatch;
	struct table	 tover, tflaky;
	struct table	*tfam;		/* per family */
	size_t		 nfresh;	/* fresh keys listed... */
	size_t		 freshmore;	/* ...and how many more */
	size_t		*absent;	/* watched addresses in neither trace */
	size_t		 nabsent;	/* (indexes into watch) */
	struct orphan	*orphan;	/* groups with no matched fire */
	size_t		 norphan;	/* of them, listed (--group-top) */
	size_t		 groupchart;	/* groups in the HTML chart */

	/* Options the writers quote. */
	uint64_t	 divergent_fires;
	size_t		 top, undertop, freshtop, grouptop, overtop;
	const char	*title;
};

/* Values interned a few rows after they are read (kcol_add()). */
#define KCOL_AHEAD	16

/* A key column's distinct values while the join is read (keys.c). */
struct kcol {
	char		*text;		/* the values, one after another */
	uint64_t	 len, cap;
	uint64_t	*off;		/* value i: off[i]..off[i + 1] */
	uint32_t	 n;
	uint32_t	 last;		/* the value interned last */
	size_t		 ncap;
	uint64_t	*slot;		/* a hash table: hash << 32 | value
					 * + 1, 0 empty (keys.c) */
	size_t		 mask;
	/* Values given to kcol_add() and not yet interned, oldest at
	 * phead: their slots are fetched from memory meanwhile. */
	struct kpend {
		char		*p;
		size_t		 n, cap;
		size_t		 at;	/* where the number goes: (*dst)[at] */
		uint32_t	 h;
		int		 same;	/* the value of the one before */
	}		 pend[KCOL_AHEAD];
	size_t		 phead, npend;
	uint32_t	**dst;
};

/*
 * Value v's number in column c (start from a zeroed struct kcol with
 * dst set), the first value 0, a new value the next number: stored in
 * (*c->dst)[at] once the values given after it fetched its slot of the
 * table, KCOL_AHEAD values later, or at kcol_flush().  The values are
 * copied; *c->dst may move between.
 */
void	kcol_add(struct kcol *c, struct span v, size_t at);
void	kcol_flush(struct kcol *c);
/*
 * Each value's rank among c's values in value order (num.h), by number:
 * an array the caller frees.  Frees c's memory (c is zeroed).
 */
uint32_t *kcol_rank(struct kcol *c);

/* Options of the model (read.c, model.c). */
struct ropts {
	const char	*join;
	const char	*addrcol;	/* default "lr" */
	int		 addrcol_given;
	const char	*groupby;	/* default "tid" */
	int		 groupby_given;
	char		**famname, **famfile;
	size_t		 nfam;
	const char	*watch;
	const char	*notes;
	const char	*symbols;
	uint64_t	 divergent_fires;
	size_t		 top, undertop, freshtop, grouptop, overtop;
	const char	*title;
	const char	*runs;		/* run tally column, default "run" */
	int		 runs_given;
	const char	*per;		/* --per, as given to trace-join */
	size_t		 quorum;
	int		 quorum_given;
	double		 divergent_share;
	double		 early;		/* --early P, in percent (default 50) */
	int64_t		 timeline;	/* --timeline width; 0: none */
	const char	*align;		/* --align COL=VALUE */
	double		 threadmin;	/* --thread-min, default 0.5 */
	size_t		 threadtop;	/* --thread-top, default 20 */
	int		 matchedlist;	/* a writer lists every matched key */
};

/*
 * Fill r from the files and options of o: report_read() reads the data
 * files and the join (rows, columns, notes; read.c), report_load() does
 * that and derives every figure (model.c).  Exits 2 with a FILE:LINE
 * message on bad input.  r keeps pointers into o and its own memory for
 * the run.
 */
void	report_read(struct report *r, const struct ropts *o);
/* The thread map, from the group tallies of both sides (threads.c). */
void	model_threads(struct report *r, const struct ropts *o);

/*
 * Fed each cell of a tally column as check_tallies() reads it: the
 * groups of ref tally column col (model.c), the thread map's sides from
 * ref tally column rc and cand tally column cc (threads.c).  A cell
 * that is not a counts tally stops them (the column is not grouped by);
 * those who take them finish them.  threads_cell() returns, for a cell
 * of column rc, the ids it gave the cell's values (numbered from 0 in
 * the order first seen), else NULL; groups_cell() numbers its values
 * the same way, and takes them (ids) instead of looking each up.
 */
struct gbuild	*groups_begin(size_t col, const char *groupby);
void	groups_cell(struct gbuild *g, const struct rrow *w,
	    const struct tally_cell *c, const uint32_t *ids);
struct tpre	*threads_begin(const struct report *r, size_t rc, size_t cc);
const uint32_t *threads_cell(const struct report *r, struct tpre *p,
	    size_t row, size_t col, const struct tally_cell *c);
void	report_load(struct report *r, const struct ropts *o);

/* Row w's line in the join (for messages: from a file, its lines are
 * counted again). */
uint64_t rp_line(const struct report *r, const struct rrow *w);
/*
 * Rows v[0..n) are about to be taken in this order: the lines of the
 * first of them that are read again from the join are read now, in the
 * join's order, and kept until the next call.  Returns how many rows it
 * took (at least one when n > 0); call again at the first one not
 * taken.
 */
size_t rp_batch(const struct report *r, const size_t *v, size_t n);
/* Row w's key column i, as in the join: valid until rp_kv() is asked
 * for another row. */
struct span rp_kv(const struct report *r, const struct rrow *w, size_t i);
/*
 * Row w's ref tally cell i (rp_rt), cand tally cell i (rp_ct), parsed.
 * The cell and its values are valid until the next call for the same
 * column with another row (rp_keep() keeps a value).
 */
const struct tally_cell *rp_rt(const struct report *r,
	    const struct rrow *w, size_t i);
const struct tally_cell *rp_ct(const struct report *r,
	    const struct rrow *w, size_t i);

/* qsort/bsearch order of uint64_t values. */
int	rp_cmp_u64(const void *a, const void *b);
/*
 * Zeroed memory that lives as long as the report: per-row data taken
 * from large blocks, without the cost of an allocation per row and cell
 * (with millions of keys, most of the memory).
 */
void	*rp_zalloc(size_t n);
/* A copy of v for the run: a value of a parsed tally cell is valid only
 * until the next cell of its column is asked for (rp_rt). */
struct span rp_keep(struct span v);

/*
 * Display text: a key value with its TSV escapes undone (rp_key), a tally
 * value with its %-encoding and TSV escapes undone (rp_val), into sb.
 * Control characters are kept; writers escape them for their format.
 */
struct span rp_key(struct span v, struct sbuf *sb);
struct span rp_val(struct span v, struct sbuf *sb);

/* The note of a row, or the fallback. */
const char *rp_note(const struct report *r, const struct rrow *w,
	    const char *fallback);

/* What few rows have (struct rrun) of row w, or NULL. */
static inline struct rrun *
rp_x(const struct report *r, const struct rrow *w)
{
	return r->rx != NULL ? &r->rx[w - r->row] : NULL;
}

/* Writers. */
void	write_md(const struct report *r, struct ob *o);
void	write_json(const struct report *r, struct ob *o);
void	write_html(const struct report *r, struct ob *o);
void	csv_open(const char *dir);
void	write_csv(const struct report *r);
/* The thread map as TSV: ref_tid, cand_tid, similarity (threads.c). */
void	write_threads(const struct report *r, struct ob *o);

/*
 * Formatting helpers shared by writers (fmt.c).  esc is the writer's
 * escaper: it writes a span as text of its format.
 */
void	put_thousands(struct ob *o, uint64_t v);	/* 1,234,567 */
void	put_pct(struct ob *o, uint64_t num, uint64_t den, int decimals);
const char *headline_word(enum headline h);		/* same, ... */

/* A writer's markup, for the parts that every writer words alike. */
struct markup {
	void	(*text)(struct ob *, struct span);	/* escaped text */
	void	(*col)(struct ob *, struct span);	/* a join column name */
	void	(*val)(struct ob *, struct span);	/* a trace value */
	void	(*keys)(struct ob *, const struct report *,
		    const struct rrow *);		/* a row's keys, inline */
	const char	*item, *enditem;		/* a list item */
	const char	*bold, *endbold;
	const char	*para, *endpara;		/* a paragraph */
	const char	*freshhead, *endlist;		/* fresh keys list */
};

/* Tally values after a fresh key. */
#define FRESH_VALUES	5

/* The fresh missing keys, a list item each, and "… and k more". */
void	put_fresh(struct ob *o, const struct report *r,
	    const struct markup *m);
/* With families: "Of N missing keys: N in FAMILY, ..., N in no family
 * (fresh).", then the fresh keys (put_fresh) under their heading. */
void	put_famsum(struct ob *o, const struct report *r,
	    const struct markup *m);

/* Row w's fires per bin of a side (tlbins of them) into out. */
void	rp_timeline(const struct report *r, const struct rrow *w, int ref,
	    uint64_t *out);

/* Row w's first or last fire as a fraction of its side's span. */
double	rp_frac(const struct report *r, const struct rrow *w, int ref,
	    int last);

/*
 * With run columns: row w's count in run k of a side (ref or not), in
 * the order of refrun or candrun; its rate there with rate columns.
 */
double	rp_run_value(const struct report *r, const struct rrow *w, int ref,
	    size_t k);

/* A side's (ref or not) tally column named name, a range tally or not,
 * or -1 (model.c). */
int	rp_side_col(const struct report *r, int ref, const char *name,
	    int range);

/* Sum bins v[0..n) in groups of g into c[0..nc) (fmt.c). */
void	rp_group_bins(const uint64_t *v, size_t n, size_t g, uint64_t *c,
	    size_t nc);

/* Rows a and b by their key columns, each in value order (num.h), as
 * ranked in krank; the row order breaks ties (model.c). */
int	rp_keycmp(const struct report *r, size_t a, size_t b);

/* A key value with its TSV escapes undone, through esc. */
void	put_key(struct ob *o, struct span v,
	    void (*esc)(struct ob *, struct span));
/* The first max values of a tally cell joined by sep, then " (+k)". */
void	put_values(struct ob *o, const struct tally_cell *c, size_t max,
	    const char *sep, void (*esc)(struct ob *, struct span));
/* A column label; esccol writes a column name of the join. */
void	put_label(struct ob *o, const struct label *l,
	    void (*esc)(struct ob *, struct span),
	    void (*esccol)(struct ob *, struct span));
/*
 * The text of column c in row i of table t, and the count it shows (0
 * when none).  Key, note and analog columns are left to the writer's
 * markup: nothing is written for them.
 */
uint64_t put_cell(struct ob *o, const struct report *r,
	    const struct table *t, const struct column *c, size_t i,
	    void (*esc)(struct ob *, struct span));
/* "ratio = CAND fires / REF fires of the key.", or of rates. */
void	say_ratio(struct ob *o, const struct report *r,
	    void (*esc)(struct ob *, struct span));
/* With rate columns: what the rates are per, and the denominators. */
void	say_rates(struct ob *o, const struct report *r,
	    void (*esc)(struct ob *, struct span));
/* How to read the thread map. */
void	say_thread_map(struct ob *o, const struct report *r,
	    void (*esc)(struct ob *, struct span));
/* With run columns: the runs, the consistent missing and flaky keys. */
void	say_runs(struct ob *o, const struct report *r,
	    void (*esc)(struct ob *, struct span));
/* A sentence from fmt: %s string (escaped), %n count (1,234), %z size,
 * %p percentage of two counts (1 decimal), %% a '%'. */
void	say(struct ob *o, void (*esc)(struct ob *, struct span),
	    const char *fmt, ...);
/* The totals' line on keys with an empty key value. */
void	say_empty_component(struct ob *o, const struct report *r,
	    void (*esc)(struct ob *, struct span));
/* The headline's sentence when r->empty_side is set. */
void	say_empty_side(struct ob *o, const struct report *r,
	    void (*esc)(struct ob *, struct span));

#endif
