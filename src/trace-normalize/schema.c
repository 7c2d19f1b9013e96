/*
 * schema.c - trace-normalize's options and schema files.
 *
 * A schema file holds long options, one per line, without the leading
 * dashes: "column lr=lr:addr".  The first word names the option, the rest
 * of the line is its argument.  Blank lines and lines starting with '#'
 * are ignored.  A schema is applied where -s names it, so options after
 * it on the command line override or extend it.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "msg.h"
#include "opt.h"
#include "num.h"
#include "rd.h"
#include "tsv.h"
#include "normalize.h"

struct schema S;

enum {
	O_SCHEMA = 's', O_FORMAT = 'f', O_COLUMN = 'c', O_OUTPUT = 'o',
	O_QUIET = 'q', O_HELP = 'h', O_VERSION = 'V',
	O_OPTIONAL = 256, O_OPMAP, O_OPCONTAINS, O_OPFIELD, O_OPVALUE,
	O_UNMATCHED, O_FILECOL, O_SKIPBAD, O_BADLINES, O_CHECK, O_PROGRESS,
	O_REGEX, O_NOMATCH, O_THREADS, O_SET, O_WHERE, O_THREADNAMES
};

static const struct option longopts[] = {
	{ "schema",	required_argument, NULL, O_SCHEMA },
	{ "format",	required_argument, NULL, O_FORMAT },
	{ "column",	required_argument, NULL, O_COLUMN },
	{ "optional",	required_argument, NULL, O_OPTIONAL },
	{ "op-map",	required_argument, NULL, O_OPMAP },
	{ "op-contains", required_argument, NULL, O_OPCONTAINS },
	{ "op-field",	required_argument, NULL, O_OPFIELD },
	{ "op-value",	required_argument, NULL, O_OPVALUE },
	{ "unmatched",	required_argument, NULL, O_UNMATCHED },
	{ "file-column", required_argument, NULL, O_FILECOL },
	{ "skip-bad",	no_argument,	   NULL, O_SKIPBAD },
	{ "bad-lines",	required_argument, NULL, O_BADLINES },
	{ "check",	no_argument,	   NULL, O_CHECK },
	{ "progress",	no_argument,	   NULL, O_PROGRESS },
	{ "regex",	required_argument, NULL, O_REGEX },
	{ "set",	required_argument, NULL, O_SET },
	{ "nomatch",	required_argument, NULL, O_NOMATCH },
	{ "threads",	required_argument, NULL, O_THREADS },
	{ "thread-names", no_argument,	   NULL, O_THREADNAMES },
	{ "where",	required_argument, NULL, O_WHERE },
	{ "output",	required_argument, NULL, O_OUTPUT },
	{ "quiet",	no_argument,	   NULL, O_QUIET },
	{ "help",	no_argument,	   NULL, O_HELP },
	{ "version",	no_argument,	   NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const char usage_text[] =
"usage: trace-normalize [-q] [-c column] [-f format] [-o file] [-s schema]\n"
"                       [--bad-lines file] [--check] [--file-column name]\n"
"                       [--nomatch skip|error] [--op-contains field:text=op]\n"
"                       [--op-field field] [--op-map field:value=op]\n"
"                       [--op-value op] [--optional names] [--progress]\n"
"                       [--regex pattern] [--set name=value] [--skip-bad]\n"
"                       [--thread-names] [--threads n]\n"
"                       [--unmatched drop|error]\n"
"                       [--where field=value|field!=value|field~regex]\n"
"                       [file ...]\n"
"\n"
"Convert trace records (JSON Lines, CSV, TSV, Chrome trace-event JSON or\n"
"text lines matched by a regular expression; plain, gzip or zstd) to the\n"
"event format of trace-format(5).\n"
"\n"
"  -c, --column NAME[=FIELD][:TYPE]  output column NAME from source FIELD;\n"
"                                    TYPE is addr, dec, hex, int, str, time\n"
"                                    or time:UNIT (UNIT s, ms, us or ns)\n"
"  -f, --format FMT          jsonl, csv, tsv, regex, chrome or auto\n"
"                            (default auto)\n"
"  -o, --output FILE         write to FILE atomically instead of stdout\n"
"  -q, --quiet               no notes about dropped records or blank lines\n"
"  -s, --schema FILE         read options from a schema file\n"
"      --bad-lines FILE      with --skip-bad, write skipped records to FILE\n"
"      --check               validate an event stream instead of converting\n"
"      --file-column NAME    add a column holding the input file's name\n"
"      --nomatch skip|error  lines --regex does not match (default error)\n"
"      --op-contains FIELD:TEXT=OP  op is OP when FIELD contains TEXT\n"
"      --op-field FIELD      op is FIELD's value when present\n"
"      --op-map FIELD:VALUE=OP      op is OP when FIELD equals VALUE\n"
"      --op-value OP         op is OP (a final fallback)\n"
"      --optional NAMES      comma-separated columns that may be absent\n"
"      --progress            show progress on stderr even if not a tty\n"
"      --regex PATTERN       read text lines; PCRE2 named groups are fields\n"
"      --set NAME=VALUE      add a column NAME holding VALUE on every row\n"
"      --skip-bad            skip malformed records and count them\n"
"      --thread-names        Chrome: tid is the thread's name from metadata\n"
"      --threads N           converters working at once on JSON Lines, TSV\n"
"                            and text lines (default: the CPUs, at most 8)\n"
"      --unmatched drop|error  records no op rule matches (default error)\n"
"      --where FIELD=VALUE, FIELD!=VALUE, FIELD~REGEX\n"
"                            keep only the records that pass (repeatable)\n"
"  -h, --help                show this help\n"
"  -V, --version             show the version\n";

int
slot_of(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < S.nslot; i++)
		if (S.slot[i].namelen == n && memcmp(S.slot[i].name, name, n) == 0)
			return (int)i;
	S.slot = xreallocarray(S.slot, S.nslot + 1, sizeof(*S.slot));
	memset(&S.slot[S.nslot], 0, sizeof(*S.slot));
	S.slot[S.nslot].name = xmemdup(name, n);
	S.slot[S.nslot].namelen = n;
	return (int)S.nslot++;
}

const char *const canon_names[NCANON] = { "op", "lr", "handle", "tid", "ts" };

static int
canon_rank(const char *name)
{
	for (size_t i = 0; i < NCANON; i++)
		if (strcmp(name, canon_names[i]) == 0)
			return (int)i;
	return 5;
}

static enum ctype
default_type(const char *name)
{
	if (strcmp(name, "lr") == 0 || strcmp(name, "handle") == 0)
		return CT_ADDR;
	if (strcmp(name, "tid") == 0 || strcmp(name, "ts") == 0)
		return CT_INT;
	return CT_STR;
}

/*
 * A type: "time" alone is seconds (shift 9); "time:s", "time:ms",
 * "time:us" and "time:ns" name the unit.
 */
static int
parse_type(const char *s, enum ctype *t, int *shift)
{
	*shift = 9;
	if (strncmp(s, "time:", 5) == 0) {
		*t = CT_TIME;
		if (strcmp(s + 5, "s") == 0)
			*shift = 9;
		else if (strcmp(s + 5, "ms") == 0)
			*shift = 6;
		else if (strcmp(s + 5, "us") == 0)
			*shift = 3;
		else if (strcmp(s + 5, "ns") == 0)
			*shift = 0;
		else
			return -1;
		return 0;
	}
	if (strcmp(s, "addr") == 0)
		*t = CT_ADDR;
	else if (strcmp(s, "dec") == 0)
		*t = CT_DEC;
	else if (strcmp(s, "hex") == 0)
		*t = CT_HEX;
	else if (strcmp(s, "int") == 0)
		*t = CT_INT;
	else if (strcmp(s, "str") == 0)
		*t = CT_STR;
	else if (strcmp(s, "time") == 0)
		*t = CT_TIME;
	else
		return -1;
	return 0;
}

/* Column NAME, created if new (re-specifying a column replaces it). */
static struct column *
column(const char *name)
{
	struct column *c;

	for (size_t i = 0; i < S.ncol; i++)
		if (strcmp(S.col[i].name, name) == 0)
			return &S.col[i];
	S.col = xreallocarray(S.col, S.ncol + 1, sizeof(*S.col));
	c = &S.col[S.ncol++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->istid = strcmp(name, "tid") == 0;
	c->slot = -1;
	return c;
}

#define valid_name(s)	tsv_name_ok(s)

/* Column NAME for option opt to define: a --set column is never
 * redefined. */
static struct column *
define_column(const char *opt, const char *name)
{
	struct column *c = column(name);

	if (c->isset)
		die_usage("%s: column '%s' is already defined by --set", opt,
		    name);
	return c;
}

static void
add_rule(enum rkind k, const char *field, const char *value, const char *op)
{
	struct oprule *r;

	S.rule = xreallocarray(S.rule, S.nrule + 1, sizeof(*S.rule));
	r = &S.rule[S.nrule++];
	memset(r, 0, sizeof(*r));
	r->kind = k;
	r->slot = field != NULL ? slot_of(field, strlen(field)) : -1;
	if (value != NULL) {
		r->value = xstrdup(value);
		r->vlen = strlen(value);
		if (k == R_MAP && num_parse_addr_strict(span_str(value), &r->num) ==
		    NUM_OK)
			r->numeric = 1;
	}
	r->op = op != NULL ? xstrdup(op) : NULL;
	r->oplen = op != NULL ? strlen(op) : 0;
	r->bit = -1;
	if (k == R_CONTAINS && S.slot[r->slot].ncontains < 64)
		r->bit = S.slot[r->slot].ncontains++;
	column("op")->isop = 1;
	S.mapped = 1;
}

/* Split "FIELD:VALUE=OP" (VALUE may hold ':'; OP follows the last '='). */
static void
rule_arg(enum rkind k, const char *opt, const char *arg)
{
	char *s = xstrdup(arg), *colon, *eq;

	colon = strchr(s, ':');
	eq = strrchr(s, '=');
	if (colon == NULL || eq == NULL || eq < colon || colon == s ||
	    eq[1] == '\0')
		die_usage("--%s: expected FIELD:VALUE=OP, got '%s'", opt, arg);
	*colon = '\0';
	*eq = '\0';
	if (!valid_name(eq + 1))
		die_usage("--%s: bad op '%s'", opt, eq + 1);
	if (k == R_CONTAINS && colon[1] == '\0')
		die_usage("--%s: empty text in '%s'", opt, arg);
	add_rule(k, s, colon + 1, eq + 1);
	free(s);
}

static void
column_arg(const char *arg)
{
	char *s = xstrdup(arg), *eq, *field, *colon, *c2;
	enum ctype t = CT_STR;
	struct column *c;
	int typed = 0, shift = 9;

	/* the type is the last ":word", or the last two for "time:UNIT" */
	if ((colon = strrchr(s, ':')) != NULL) {
		for (c2 = colon; c2 > s && c2[-1] != ':'; c2--)
			;
		if (c2 > s && colon - c2 == 4 && strncmp(c2, "time", 4) == 0 &&
		    parse_type(c2, &t, &shift) == 0) {
			c2[-1] = '\0';
			typed = 1;
		} else if (parse_type(colon + 1, &t, &shift) == 0) {
			*colon = '\0';
			typed = 1;
		} else if (c2 > s && colon - c2 == 4 &&
		    strncmp(c2, "time", 4) == 0)
			die_usage("--column: unknown time unit '%s' in '%s' (s, "
			    "ms, us or ns)", colon + 1, arg);
	}
	if ((eq = strchr(s, '=')) != NULL) {
		*eq = '\0';
		field = eq + 1;
	} else
		field = s;
	if (!valid_name(s))
		die_usage("--column: bad column name in '%s'", arg);
	if (*field == '\0')
		die_usage("--column: empty field name in '%s'", arg);
	if (strcmp(s, "op") == 0) {
		/* -c op=FIELD: the op is that field's value. */
		if (typed && t != CT_STR)
			die_usage("--column: op is always text; drop the type "
			    "in '%s'", arg);
		add_rule(R_FIELD, field, NULL, NULL);
		free(s);
		return;
	}
	c = define_column("--column", s);
	S.mapped = 1;
	c->slot = slot_of(field, strlen(field));
	c->type = typed ? t : default_type(s);
	c->tshift = shift;
	c->typed = typed;
	c->isfile = 0;
	free(s);
}

/*
 * --set NAME=VALUE: an extra column holding VALUE on every row.  NAME is
 * no canonical column and no column already defined, and passes --check
 * (no control byte or backslash); VALUE is not empty (that would be an
 * absent value on every row) and is valid UTF-8, kept TSV-escaped as
 * record values are written.
 */
static void
set_arg(const char *arg)
{
	const char *eq = strchr(arg, '='), *v;
	char *name, *w;
	struct column *c;
	size_t i, n;
	long bad;

	if (eq == NULL || eq == arg)
		die_usage("--set: expected NAME=VALUE, got '%s'",
		    msg_vis(arg, strlen(arg)));
	name = xmemdup(arg, (size_t)(eq - arg));
	for (i = 0; name[i] != '\0'; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    name[i] == '\\')
			die_usage("--set: bad column name '%s' (a control byte "
			    "or backslash)", msg_vis(name, strlen(name)));
	if (canon_rank(name) < NCANON)
		die_usage("--set: '%s' is a canonical column (--set adds "
		    "other columns)", name);
	for (i = 0; i < S.ncol; i++)
		if (strcmp(S.col[i].name, name) == 0 && (S.col[i].slot >= 0 ||
		    S.col[i].isfile || S.col[i].isset))
			die_usage("--set: column '%s' is already defined%s",
			    name, S.col[i].isset ? " by --set" : S.col[i].isfile ?
			    " by --file-column" : " by --column");
	v = eq + 1;
	n = strlen(v);
	if (n == 0)
		die_usage("--set: empty value for column '%s' (an empty field "
		    "is an absent value)", name);
	if ((bad = utf8_check(v, n)) >= 0)
		die_usage("--set: column '%s': invalid UTF-8 at byte %ld of "
		    "the value", name, bad + 1);
	c = column(name);
	c->isset = 1;
	c->slot = -1;
	c->type = CT_STR;
	c->value = w = xmalloc(2 * n + 1);
	for (i = 0; i < n; i++)
		switch (v[i]) {
		case '\\': *w++ = '\\'; *w++ = '\\'; break;
		case '\t': *w++ = '\\'; *w++ = 't'; break;
		case '\n': *w++ = '\\'; *w++ = 'n'; break;
		case '\r': *w++ = '\\'; *w++ = 'r'; break;
		default: *w++ = v[i]; break;
		}
	*w = '\0';
	c->valuelen = (size_t)(w - c->value);
	free(name);
}

static void schema_file(const char *path);

/* Apply one option, from the command line or a schema file, to S. */
static void
apply_option(int id, const char *arg, const char *optname)
{
	switch (id) {
	case O_SCHEMA:
		schema_file(arg);
		break;
	case O_FORMAT:
		if (strcmp(arg, "jsonl") == 0 || strcmp(arg, "json") == 0)
			S.format = FMT_JSONL;
		else if (strcmp(arg, "csv") == 0)
			S.format = FMT_CSV;
		else if (strcmp(arg, "tsv") == 0)
			S.format = FMT_TSV;
		else if (strcmp(arg, "regex") == 0)
			S.format = FMT_REGEX;
		else if (strcmp(arg, "chrome") == 0)
			S.format = FMT_CHROME;
		else if (strcmp(arg, "auto") == 0)
			S.format = FMT_AUTO;
		else
			die_usage("--format: unknown format '%s' "
			    "(jsonl, csv, tsv, regex, chrome or auto)", arg);
		break;
	case O_COLUMN:
		column_arg(arg);
		break;
	case O_OPTIONAL: {
		size_t n, i;
		char **names = name_list(arg, "--optional", &n);

		for (i = 0; i < n; i++) {
			column(names[i])->optional = 1;
			free(names[i]);
		}
		free(names);
		break;
	}
	case O_OPMAP:
		rule_arg(R_MAP, "op-map", arg);
		break;
	case O_OPCONTAINS:
		rule_arg(R_CONTAINS, "op-contains", arg);
		break;
	case O_OPFIELD:
		if (*arg == '\0')
			die_usage("--op-field: empty field name");
		add_rule(R_FIELD, arg, NULL, NULL);
		break;
	case O_OPVALUE:
		if (!valid_name(arg))
			die_usage("--op-value: bad op '%s'", arg);
		add_rule(R_VALUE, NULL, NULL, arg);
		break;
	case O_UNMATCHED:
		if (strcmp(arg, "drop") == 0)
			S.unmatched = UNM_DROP;
		else if (strcmp(arg, "error") == 0)
			S.unmatched = UNM_ERROR;
		else
			die_usage("--unmatched: expected drop or error, got '%s'",
			    arg);
		break;
	case O_FILECOL: {
		struct column *c;

		if (!valid_name(arg))
			die_usage("--file-column: bad column name '%s'", arg);
		c = define_column("--file-column", arg);
		c->isfile = 1;
		c->slot = -1;
		c->type = CT_STR;
		break;
	}
	case O_SET:
		set_arg(arg);
		break;
	case O_WHERE:
		where_arg(arg);
		break;
	case O_THREADNAMES:
		S.threadnames = 1;
		break;
	case O_SKIPBAD:
		S.skipbad = 1;
		break;
	case O_BADLINES:
		free(S.badlines);
		S.badlines = xstrdup(arg);
		break;
	case O_CHECK:
		S.check = 1;
		break;
	case O_REGEX:
		free(S.regex);
		S.regex = xstrdup(arg);
		break;
	case O_THREADS: {
		char *end;
		long n = strtol(arg, &end, 10);

		if (*arg == '\0' || *end != '\0' || n < 1 || n > 64)
			die_usage("--threads: expected a number from 1 to 64, "
			    "got '%s'", arg);
		S.threads = (int)n;
		break;
	}
	case O_NOMATCH:
		if (strcmp(arg, "skip") == 0)
			S.nomatch_skip = 1;
		else if (strcmp(arg, "error") == 0)
			S.nomatch_skip = 0;
		else
			die_usage("--nomatch: expected skip or error, got '%s'",
			    arg);
		break;
	case O_PROGRESS:
		S.progress = 1;
		break;
	case O_OUTPUT:
		free(S.output);
		S.output = xstrdup(arg);
		break;
	case O_QUIET:
		S.quiet = 1;
		break;
	case O_HELP:
		help_exit(usage_text);
	case O_VERSION:
		version_exit();
	default:
		die_usage("unknown option '%s'", optname);
	}
}

static void
schema_file(const char *path)
{
	struct rd *in = rd_open(path);
	struct span line;

	if (in == NULL)
		exit(EXIT_TROUBLE);
	while (rd_line(in, &line)) {
		char *s, *p, *name, *arg, *e;
		const struct option *o;

		if (memchr(line.p, '\0', line.n) != NULL)
			die_at(rd_name(in), rd_lineno(in), "NUL byte in schema "
			    "line");
		s = p = xmemdup(line.p, line.n);
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#') {
			free(s);
			continue;
		}
		name = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		arg = p;
		e = arg + strlen(arg);
		while (e > arg && isspace((unsigned char)e[-1]))
			*--e = '\0';
		for (o = longopts; o->name != NULL; o++)
			if (strcmp(o->name, name) == 0)
				break;
		if (o->name == NULL || o->val == O_HELP ||
		    o->val == O_VERSION || o->val == O_SCHEMA)
			die_at(rd_name(in), rd_lineno(in),
			    "unknown schema option '%s'", name);
		if (o->has_arg == required_argument && *arg == '\0')
			die_at(rd_name(in), rd_lineno(in),
			    "option '%s' needs an argument", name);
		if (o->has_arg == no_argument && *arg != '\0')
			die_at(rd_name(in), rd_lineno(in),
			    "option '%s' takes no argument", name);
		apply_option(o->val, arg, name);
		free(s);
	}
	rd_close(in);
}

int
schema_args(int argc, char *argv[])
{
	int ch;

	S.format = FMT_AUTO;
	S.unmatched = UNM_ERROR;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:f:ho:qs:V", longopts,
	    NULL)) != -1) {
		if (ch == '?' || ch == ':')
			die_getopt(argc, argv, "+c:f:ho:qs:V", longopts);
		apply_option(ch, optarg, argv[optind - 1]);
	}
	return optind;
}

/*
 * Chrome trace events: op from name, tid, and ts in microseconds, for
 * the canonical columns no option defines; a column without a type
 * whose field is ts or dur is a time in microseconds; with
 * --thread-names, tid is text (a name or the thread's number).
 */
static void
chrome_columns(void)
{
	struct column *c;
	size_t i;
	int hasop = S.nrule > 0;

	if (!hasop)
		add_rule(R_FIELD, "name", NULL, NULL);
	c = column("tid");
	if (c->slot < 0 && !c->isfile && !c->isset) {
		c->slot = slot_of("tid", 3);
		c->type = CT_INT;
	}
	c = column("ts");
	if (c->slot < 0 && !c->isfile && !c->isset)
		c->slot = slot_of("ts", 2);
	for (i = 0; i < S.ncol; i++) {
		c = &S.col[i];
		if (c->slot < 0 || c->typed)
			continue;
		if (strcmp(S.slot[c->slot].name, "ts") == 0 ||
		    strcmp(S.slot[c->slot].name, "dur") == 0) {
			c->type = CT_TIME;
			c->tshift = 3;
		}
		if (c->istid && S.threadnames)
			c->type = CT_STR;
	}
	S.mapped = 1;
}

void
schema_columns(int chrome)
{
	size_t i;

	if (S.columnsdone)
		return;
	S.columnsdone = 1;
	if (chrome)
		chrome_columns();
	if (!S.mapped) {
		/* No mapping at all: the canonical columns from fields of
		 * the same names, each optional. */
		for (i = 0; i < NCANON; i++) {
			struct column *c;

			if (i == 0) {
				add_rule(R_FIELD, "op", NULL, NULL);
				column("op")->optional = 1;
				continue;
			}
			c = column(canon_names[i]);
			if (c->isfile)
				continue;
			c->slot = slot_of(canon_names[i], strlen(canon_names[i]));
			c->type = default_type(canon_names[i]);
			c->optional = 1;
		}
	}
	for (i = 0; i < S.ncol; i++)
		if (S.col[i].slot < 0 && !S.col[i].isop && !S.col[i].isfile &&
		    !S.col[i].isset)
			die_usage("column '%s' is marked optional but not "
			    "defined (use --column %s=FIELD)", S.col[i].name,
			    S.col[i].name);
	/* Canonical columns first, in their order; extras keep the order
	 * they were defined in (a stable insertion sort). */
	for (i = 1; i < S.ncol; i++) {
		struct column c = S.col[i];
		size_t j = i;

		while (j > 0 && canon_rank(S.col[j - 1].name) >
		    canon_rank(c.name)) {
			S.col[j] = S.col[j - 1];
			j--;
		}
		S.col[j] = c;
	}
}

void
schema_finish(void)
{
	if (S.regex != NULL && S.format == FMT_AUTO)
		S.format = FMT_REGEX;
	if (S.format != FMT_AUTO)
		schema_columns(S.format == FMT_CHROME);
	if (S.threadnames && S.format != FMT_AUTO && S.format != FMT_CHROME)
		die_usage("--thread-names reads Chrome trace events: it "
		    "needs --format chrome or auto");
	if (S.badlines != NULL && !S.skipbad)
		die_usage("--bad-lines needs --skip-bad");
	if ((S.format == FMT_REGEX) != (S.regex != NULL))
		die_usage(S.regex != NULL ? "--regex reads text lines: it "
		    "cannot be combined with --format %s" : "--format regex "
		    "needs --regex PATTERN", S.format == FMT_JSONL ? "jsonl" :
		    S.format == FMT_CSV ? "csv" : S.format == FMT_CHROME ?
		    "chrome" : "tsv");
	if (S.regex != NULL)
		regex_compile();
	if (S.check && (S.output != NULL || S.skipbad))
		die_usage("--check validates; it takes no -o or --skip-bad");
}
