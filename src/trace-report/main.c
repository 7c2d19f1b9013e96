/*
 * trace-report - a Markdown, JSON, CSV (or HTML) report from a join.
 *
 * main() parses options, creates every output (so an unwritable report
 * directory fails before any work), loads the join and the data files
 * into the model (read.c, model.c), has the writers format it, and picks the exit
 * status: 1 when --fail-on names a class of keys that exists.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "opt.h"
#include "num.h"
#include "ob.h"
#include "report.h"

enum fmt { F_MD, F_JSON, F_HTML, F_THREADS };

static const char usage_text[] =
"usage: trace-report [-f format] [-o file] [--addr-col column]\n"
"                    [--align column=value] [--csv dir] [--divergent-fires n]\n"
"                    [--divergent-share pct] [--early pct] [--fail-on classes]\n"
"                    [--family name=file] [--fresh-top n] [--group-by column]\n"
"                    [--group-top n] [--notes file] [--over-top n]\n"
"                    [--per denominator] [--quorum k] [--runs column]\n"
"                    [--symbols file] [--thread-min s] [--thread-top n]\n"
"                    [--timeline width] [--title text] [--top n]\n"
"                    [--under-top n] [--watch file] [join]\n"
"\n"
"Write a report on a join (trace-join output).\n"
"\n"
"  -f, --format FMT         md (default), json, html or threads (the\n"
"                           thread map as TSV)\n"
"  -o, --output FILE        write to FILE atomically instead of stdout\n"
"      --addr-col COL       key column holding addresses (default lr)\n"
"      --align COL=VALUE    timelines from the first fire of this key\n"
"      --csv DIR            also write DIR/divergent-tuples.csv and\n"
"                           DIR/matched-tuples.csv\n"
"      --divergent-fires N  headline divergent when missing keys carry more\n"
"                           than N reference fires (default 100)\n"
"      --divergent-share P  ...and at least P% of them (default 0)\n"
"      --early P            a key stops early when the candidate's last\n"
"                           fire is by P% of its span (default 50)\n"
"      --fail-on CLASSES    exit 1 when keys of these classes exist:\n"
"                           missing, under, over, extra, empty,\n"
"                           stops-early, starts-late (comma-separated)\n"
"      --family NAME=FILE   a family of addresses (repeatable)\n"
"      --fresh-top N        fresh missing keys listed (default 8)\n"
"      --group-by COL       reference tally column to break down by\n"
"                           (default tid)\n"
"      --group-top N        groups listed in Markdown and HTML (default 20)\n"
"      --notes FILE         ADDRESS TEXT lines for the likely-fn column\n"
"      --over-top N         over-firing keys listed (default 10)\n"
"      --per DENOMINATOR    the --per the join was made with: total, time\n"
"                           or COL=VALUE\n"
"      --quorum K           a missing key counts when it fires in K\n"
"                           reference runs (default: all)\n"
"      --runs COL           the run tally column (default run)\n"
"      --symbols FILE       symbol file (see trace-key) for likely fn\n"
"      --thread-min S       similarity from which a thread has an analog\n"
"                           (default 0.5)\n"
"      --thread-top N       threads listed in the thread map (default 20)\n"
"      --timeline WIDTH     the tbin width given to trace-key: timelines\n"
"      --title TEXT         the report's title\n"
"      --top N              missing and extra keys listed (default 15)\n"
"      --under-top N        under-firing keys listed (default 10)\n"
"      --watch FILE         addresses whose rows are always shown\n"
"  -h, --help               show this help\n"
"  -V, --version            show the version\n";

enum {
	O_ADDRCOL = 256, O_ALIGN, O_CSV, O_DIVFIRES, O_DIVSHARE, O_EARLY, O_FAILON,
	O_FAMILY,
	O_FRESHTOP, O_GROUPBY, O_GROUPTOP, O_NOTES, O_OVERTOP, O_PER, O_QUORUM,
	O_RUNS, O_SYMBOLS, O_THREADMIN, O_THREADTOP, O_TIMELINE, O_TITLE, O_TOP,
	O_UNDERTOP, O_WATCH
};

static const struct option longopts[] = {
	{ "format",	required_argument, NULL, 'f' },
	{ "output",	required_argument, NULL, 'o' },
	{ "addr-col",	required_argument, NULL, O_ADDRCOL },
	{ "align",	required_argument, NULL, O_ALIGN },
	{ "csv",	required_argument, NULL, O_CSV },
	{ "divergent-fires", required_argument, NULL, O_DIVFIRES },
	{ "divergent-share", required_argument, NULL, O_DIVSHARE },
	{ "early",	required_argument, NULL, O_EARLY },
	{ "fail-on",	required_argument, NULL, O_FAILON },
	{ "family",	required_argument, NULL, O_FAMILY },
	{ "fresh-top",	required_argument, NULL, O_FRESHTOP },
	{ "group-by",	required_argument, NULL, O_GROUPBY },
	{ "group-top",	required_argument, NULL, O_GROUPTOP },
	{ "notes",	required_argument, NULL, O_NOTES },
	{ "over-top",	required_argument, NULL, O_OVERTOP },
	{ "per",	required_argument, NULL, O_PER },
	{ "quorum",	required_argument, NULL, O_QUORUM },
	{ "runs",	required_argument, NULL, O_RUNS },
	{ "symbols",	required_argument, NULL, O_SYMBOLS },
	{ "thread-min",	required_argument, NULL, O_THREADMIN },
	{ "thread-top",	required_argument, NULL, O_THREADTOP },
	{ "timeline",	required_argument, NULL, O_TIMELINE },
	{ "title",	required_argument, NULL, O_TITLE },
	{ "top",	required_argument, NULL, O_TOP },
	{ "under-top",	required_argument, NULL, O_UNDERTOP },
	{ "watch",	required_argument, NULL, O_WATCH },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static uint64_t
count_arg(const char *opt, const char *s)
{
	uint64_t v;

	if (num_parse_u64(span_str(s), &v) != NUM_OK)
		die_usage("--%s: expected a non-negative integer, got '%s'", opt,
		    s);
	return v;
}

/* A number from 0 to max: digits, optionally '.' and digits. */
static double
dec_arg(const char *opt, const char *s, double max, const char *what)
{
	char *end;
	double v;
	size_t i = 0;

	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (i > 0 && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			;
	v = strtod(s, &end);
	if (i == 0 || s[i] != '\0' || end != s + i || v > max)
		die_usage("--%s: expected %s from 0 to %g, got '%s'", opt, what,
		    max, s);
	return v;
}

static int
bad_family_name(const char *s, size_t n)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || (unsigned char)s[i] <= ' ' ||
		    s[i] == '\\')
			return 1;
	return 0;
}

int
main(int argc, char *argv[])
{
	/* Static: what they hold lives until exit, and stays reachable. */
	static struct ropts ro;
	static struct report r;
	struct ob *o;
	enum fmt fmt = F_MD;
	const char *output = NULL, *csvdir = NULL, *eq;
	int ch, failmissing = 0, failunder = 0, failextra = 0, failempty = 0;
	int failover = 0, failstops = 0, failstarts = 0;
	int status = 0;
	char **cls = NULL;
	size_t ncls, i;

	msg_init(argv[0]);
	memset(&ro, 0, sizeof(ro));
	ro.addrcol = "lr";
	ro.groupby = "tid";
	ro.divergent_fires = 100;
	ro.top = 15;
	ro.undertop = 10;
	ro.freshtop = 8;
	ro.grouptop = 20;
	ro.overtop = 10;
	ro.runs = "run";
	ro.threadmin = 0.5;
	ro.early = 50.0;
	ro.threadtop = 20;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+f:ho:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "md") == 0 ||
			    strcmp(optarg, "markdown") == 0)
				fmt = F_MD;
			else if (strcmp(optarg, "json") == 0)
				fmt = F_JSON;
			else if (strcmp(optarg, "html") == 0)
				fmt = F_HTML;
			else if (strcmp(optarg, "threads") == 0)
				fmt = F_THREADS;
			else
				die_usage("--format: expected md, json, html or "
				    "threads, got '%s'", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case O_ADDRCOL:
			ro.addrcol = optarg;
			ro.addrcol_given = 1;
			break;
		case O_CSV:
			csvdir = optarg;
			break;
		case O_DIVFIRES:
			ro.divergent_fires = count_arg("divergent-fires", optarg);
			break;
		case O_FAILON:
			name_list_free(cls);
			cls = name_list(optarg, "--fail-on", &ncls);
			for (i = 0; i < ncls; i++) {
				if (strcmp(cls[i], "missing") == 0)
					failmissing = 1;
				else if (strcmp(cls[i], "under") == 0)
					failunder = 1;
				else if (strcmp(cls[i], "extra") == 0)
					failextra = 1;
				else if (strcmp(cls[i], "empty") == 0)
					failempty = 1;
				else if (strcmp(cls[i], "over") == 0)
					failover = 1;
				else if (strcmp(cls[i], "stops-early") == 0)
					failstops = 1;
				else if (strcmp(cls[i], "starts-late") == 0)
					failstarts = 1;
				else
					die_usage("--fail-on: unknown class '%s' "
					    "(missing, under, over, extra, empty, "
					    "stops-early or starts-late)", cls[i]);
			}
			break;
		case O_FAMILY:
			eq = strchr(optarg, '=');
			if (eq == NULL || eq[1] == '\0' ||
			    bad_family_name(optarg, (size_t)(eq - optarg)))
				die_usage("--family: expected NAME=FILE with a "
				    "name of letters, digits or punctuation, "
				    "got '%s'", optarg);
			ro.famname = xreallocarray(ro.famname, ro.nfam + 1,
			    sizeof(char *));
			ro.famfile = xreallocarray(ro.famfile, ro.nfam + 1,
			    sizeof(char *));
			ro.famname[ro.nfam] = xmemdup(optarg,
			    (size_t)(eq - optarg));
			ro.famfile[ro.nfam++] = xstrdup(eq + 1);
			break;
		case O_FRESHTOP:
			ro.freshtop = (size_t)count_arg("fresh-top", optarg);
			break;
		case O_GROUPTOP:
			ro.grouptop = (size_t)count_arg("group-top", optarg);
			break;
		case O_DIVSHARE:
			ro.divergent_share = dec_arg("divergent-share", optarg,
			    100.0, "a percentage");
			break;
		case O_OVERTOP:
			ro.overtop = (size_t)count_arg("over-top", optarg);
			break;
		case O_PER:
			ro.per = optarg;
			break;
		case O_QUORUM:
			ro.quorum = (size_t)count_arg("quorum", optarg);
			ro.quorum_given = 1;
			break;
		case O_RUNS:
			if (*optarg == '\0')
				die_usage("--runs: expected a column name");
			ro.runs = optarg;
			ro.runs_given = 1;
			break;
		case O_TIMELINE:
			ro.timeline = width_arg("timeline", optarg);
			break;
		case O_ALIGN:
			ro.align = optarg;
			break;
		case O_EARLY:
			ro.early = dec_arg("early", optarg, 100.0,
			    "a percentage");
			break;
		case O_THREADMIN:
			ro.threadmin = dec_arg("thread-min", optarg, 1.0,
			    "a similarity");
			break;
		case O_THREADTOP:
			ro.threadtop = (size_t)count_arg("thread-top", optarg);
			break;
		case O_GROUPBY:
			ro.groupby = optarg;
			ro.groupby_given = 1;
			break;
		case O_NOTES:
			ro.notes = optarg;
			break;
		case O_SYMBOLS:
			ro.symbols = optarg;
			break;
		case O_TITLE:
			ro.title = optarg;
			break;
		case O_TOP:
			ro.top = (size_t)count_arg("top", optarg);
			break;
		case O_UNDERTOP:
			ro.undertop = (size_t)count_arg("under-top", optarg);
			break;
		case O_WATCH:
			ro.watch = optarg;
			break;
		case 'h':
			help_exit(usage_text);
		case 'V':
			version_exit();
		default:
			die_getopt(argc, argv, "+f:ho:V", longopts);
		}
	}
	if (argc - optind > 1)
		die_usage("expected one join file");
	ro.join = argc - optind == 1 ? argv[optind] : "-";
	/* Outputs first: an unwritable place fails before any work. */
	o = output != NULL ? ob_create(output) : ob_stdout();
	if (csvdir != NULL)
		csv_open(csvdir);
	/* Only JSON and the CSV files list every matched key. */
	ro.matchedlist = fmt == F_JSON || csvdir != NULL;
	report_load(&r, &ro);
	if (failover && !r.hasover)
		die_at(r.file, 1, "--fail-on over: the join has no over column "
		    "(make it with trace-join --over)");
	if ((failstops || failstarts) && !r.hastime)
		die_at(r.file, 1, "--fail-on %s: when keys fire was not "
		    "compared: %s", failstops ? "stops-early" : "starts-late",
		    r.notime);
	switch (fmt) {
	case F_MD:
		write_md(&r, o);
		break;
	case F_JSON:
		write_json(&r, o);
		break;
	case F_HTML:
		write_html(&r, o);
		break;
	case F_THREADS:
		write_threads(&r, o);
		break;
	}
	if (csvdir != NULL)
		write_csv(&r);
	ob_close(o);
	if ((failmissing && r.t.consistent_missing_keys > 0) ||
	    (failunder && r.nunder > 0) || (failover && r.nover > 0) ||
	    (failstops && r.nstops > 0) || (failstarts && r.nstarts > 0) ||
	    (failextra && r.nextra > 0) || (failempty && r.empty_side != NULL))
		status = EXIT_ANSWER_NO;
	return status;
}
