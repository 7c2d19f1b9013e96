/*
 * chrome.c - Chrome trace-event JSON: the JSON Array Format ("[{...},
 * {...}]", the closing bracket optional, as Chrome leaves a cut trace)
 * and the JSON Object Format ("{"traceEvents": [...], ...}"), as node,
 * Chrome and Perfetto's JSON export write them.
 *
 * The input is never held whole, not even a line: a trace on one line (as
 * node writes it) is read in pieces (rd_piece).  A small state machine
 * walks the top-level value piece by piece and finds the bounds of each
 * element of the events array; an element within one piece (the usual
 * layout: one event a line) is parsed in place, one spanning pieces is
 * gathered first.  Each element is then one JSON object for
 * json_parse_line(), like a line of JSON Lines, so the same checks and
 * the same slots apply.  Memory is bounded by the longest event, not the
 * size of the trace nor the length of its lines.
 *
 * Events are the phases B (begin), X (complete), i and I (instant);
 * every other phase (E, M, counters, flows, async, ...) is dropped and
 * counted.  With --thread-names, the "thread_name" metadata (ph M) names
 * the threads: a regular file is read twice, first for the names, since
 * metadata often comes last; from a pipe, the names must come before
 * their threads' events.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "json.h"
#include "msg.h"
#include "rd.h"
#include "normalize.h"

enum cstate {
	CS_START,	/* before the top-level '[' or '{' */
	CS_TKEY,	/* top object: a key or '}' */
	CS_TKEYIN,	/* top object: inside a key */
	CS_TCOLON,	/* top object: the ':' after a key */
	CS_TVALUE,	/* top object: a value */
	CS_TSKIP,	/* top object: inside a value that is not the events */
	CS_TCOMMA,	/* top object: ',' or '}' after a value */
	CS_ELEM,	/* events: an event or ']' */
	CS_EVENT,	/* events: inside an event */
	CS_ACOMMA,	/* events: ',' or ']' after an event */
	CS_END		/* after the top-level value */
};

/* Distinct phases of dropped records named in the closing note. */
#define NPHASE		16
#define PHASE_LEN	8

struct scan {
	enum cstate	 st;
	int		 object;	/* the Object Format */
	int		 firstkey;	/* no key of the top object yet */
	int		 aftercomma;	/* CS_ELEM right after a ',' */
	int		 isevents;	/* the key read is "traceEvents" */
	char		 key[12];	/* the key's first bytes */
	size_t		 keylen;
	int		 sawevents;
	int		 depth, instr, esc, scalar;	/* crossing a value */
	struct sbuf	 ev;		/* an event spanning lines */
	int		 spanning;	/* ev holds its first lines */
	uint64_t	 evline;	/* the line its '{' is on */
	int		 pre;		/* reading only the thread names */
	uint64_t	 nevent;	/* elements of the events array */
	uint64_t	 topline;	/* the line of the top-level '{' */
	uint64_t	 other;		/* records of other phases */
	char		 phase[NPHASE][PHASE_LEN];
	int		 nphase;
	int		 morephases;
};

/* Thread names of the input being read: "pid\ttid" -> name. */
static struct htab	*tnames;
static char		**tname;
static size_t		 tnamecap;
static int		 lookahead;	/* names were read ahead (a file) */
static struct json_line	 ajl;		/* an args object */
static struct sbuf	 tmp;

static int
ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int
chrome_first_line(struct span l)
{
	static const char key[] = "\"traceEvents\"";
	size_t i = 0;

	while (i < l.n && ws(l.p[i]))
		i++;
	if (i < l.n && l.p[i] == '[')
		return 1;
	if (i == l.n || l.p[i] != '{')
		return 0;
	for (i++; i < l.n && ws(l.p[i]); i++)
		;
	/* "{" alone, the first key on a later line: Chrome's, or an object
	 * spanning lines, which read_chrome() then reports */
	if (i == l.n)
		return 1;
	return l.n - i >= sizeof(key) - 1 &&
	    memcmp(l.p + i, key, sizeof(key) - 1) == 0;
}

/*
 * Cross a JSON value from p[*i], the state in s (started by the caller
 * at its first byte): 1 at its end, *i past it; 0 at the piece's end.
 * Brackets are only counted (an event is checked whole later; a value
 * skipped is not checked).  A number or literal ends at a delimiter or
 * at the line's end (eol: the piece ends its line).
 */
static int
cross(struct scan *s, const char *p, size_t n, size_t *ip, int eol)
{
	size_t i = *ip;

	while (i < n) {
		char ch = p[i];

		if (s->instr) {
			/* the common case: plain bytes up to the quote */
			while (i < n && p[i] != '"' && p[i] != '\\' && !s->esc)
				i++;
			if (i == n)
				break;
			if (s->esc)
				s->esc = 0;
			else if (p[i] == '\\')
				s->esc = 1;
			else {
				s->instr = 0;
				if (s->depth == 0) {
					*ip = i + 1;
					return 1;
				}
			}
			i++;
			continue;
		}
		if (s->scalar) {
			if (ch == ',' || ch == '}' || ch == ']' || ws(ch)) {
				s->scalar = 0;
				*ip = i;
				return 1;
			}
			i++;
			continue;
		}
		switch (ch) {
		case '"':
			s->instr = 1;
			break;
		case '{':
		case '[':
			s->depth++;
			break;
		case '}':
		case ']':
			if (--s->depth == 0) {
				*ip = i + 1;
				return 1;
			}
			break;
		}
		i++;
	}
	*ip = n;
	if (s->scalar && eol) {
		s->scalar = 0;
		return 1;
	}
	return 0;
}

/* Start crossing the value at p[i]. */
static void
cross_start(struct scan *s, char ch)
{
	s->depth = s->instr = s->esc = s->scalar = 0;
	if (ch == '{' || ch == '[')
		s->depth = 1;
	else if (ch == '"')
		s->instr = 1;
	else
		s->scalar = 1;
}

/* The field named name (not escaped) of the parsed object, or NULL. */
static const struct json_field *
field(const struct json_line *jl, const char *name)
{
	size_t n = strlen(name);

	for (size_t k = 0; k < jl->nf; k++)
		if (jl->f[k].key.n == n && memcmp(jl->f[k].key.p, name, n) == 0)
			return &jl->f[k];
	return NULL;
}

static int
is_str(const struct json_field *f, const char *s)
{
	return f != NULL && f->type == JT_STRING && f->val.n == strlen(s) &&
	    memcmp(f->val.p, s, f->val.n) == 0;
}

/* The "pid\ttid" key of an event's thread into tmp. */
static void
thread_key(const struct json_field *pid, const struct json_field *tid)
{
	sb_clear(&tmp);
	if (pid != NULL)
		sb_add(&tmp, pid->val.p, pid->val.n);
	sb_addc(&tmp, '\t');
	sb_add(&tmp, tid->val.p, tid->val.n);
}

/* Remember the name of an M thread_name event's thread, if it has one. */
static void
name_thread(const struct json_field *pid, const struct json_field *tid,
    const struct json_field *args)
{
	const struct json_field *nm;
	uint32_t k;

	if (tid == NULL || args == NULL || args->type != JT_OBJECT ||
	    json_parse_line(&ajl, args->val.p, args->val.n) != 0 ||
	    (nm = field(&ajl, "name")) == NULL || nm->type != JT_STRING)
		return;
	thread_key(pid, tid);
	k = ht_intern(tnames, tmp.p, tmp.len, NULL);
	if (k >= tnamecap) {
		size_t cap = tnamecap ? tnamecap * 2 : 16;

		tname = xreallocarray(tname, cap, sizeof(*tname));
		memset(tname + tnamecap, 0, (cap - tnamecap) * sizeof(*tname));
		tnamecap = cap;
	}
	if (json_unescape(nm->val, &tmp) != NULL || tmp.len == 0)
		return;
	free(tname[k]);
	tname[k] = xmemdup(tmp.p, tmp.len);
}

/* A phase of a dropped record, for the closing note. */
static void
note_phase(struct scan *s, const struct json_field *ph)
{
	int k;

	s->other++;
	if (ph->val.n >= PHASE_LEN)
		return;
	for (k = 0; k < s->nphase; k++)
		if (strlen(s->phase[k]) == ph->val.n &&
		    memcmp(s->phase[k], ph->val.p, ph->val.n) == 0)
			return;
	if (s->nphase == NPHASE) {
		s->morephases = 1;
		return;
	}
	memcpy(s->phase[s->nphase], ph->val.p, ph->val.n);
	s->phase[s->nphase][ph->val.n] = '\0';
	s->nphase++;
}

static int	tidslot = -2;	/* slot of the tid column, -1 none */

/* One element of the events array; parsed: c->jl holds it already. */
static void
event(struct conv *c, struct scan *s, struct span text, uint64_t line,
    int parsed)
{
	struct json_line *jl = c->jl;
	struct rec r = { c->file, c->msgname, line, text };
	const struct json_field *ph, *name, *pid, *tid;
	struct slotval *sv;
	uint32_t k;

	if (s->pre) {
		if ((parsed || json_parse_line(jl, text.p, text.n) == 0) &&
		    is_str(field(jl, "ph"), "M") &&
		    is_str(field(jl, "name"), "thread_name"))
			name_thread(field(jl, "pid"), field(jl, "tid"),
			    field(jl, "args"));
		return;
	}
	c->fmt = FMT_JSONL;
	c->n.records++;
	c->gen++;
	s->nevent++;
	if (!parsed && json_parse_line(jl, text.p, text.n) != 0) {
		bad_record(c, &r, "%s", jl->err);
		return;
	}
	ph = field(jl, "ph");
	name = field(jl, "name");
	/* A top-level array of other objects: as before Chrome's format
	 * was read, the error for one JSON document. */
	if (ph == NULL && name == NULL && s->nevent == 1 && !s->object)
		die_at(c->msgname, line, "a JSON document (a top-level array), "
		    "not JSON Lines: write one object per line, as jq -c '.[]' "
		    "does");
	if (ph == NULL) {
		bad_record(c, &r, name == NULL ? "not a trace event: no ph "
		    "and no name" : "missing field 'ph'");
		return;
	}
	if (ph->type != JT_STRING || ph->vesc || ph->val.n == 0) {
		bad_record(c, &r, "field ph: expected a phase letter, got %s",
		    msg_vis(ph->val.p, ph->val.n > 40 ? 40 : ph->val.n));
		return;
	}
	pid = field(jl, "pid");
	tid = field(jl, "tid");
	if (ph->val.n != 1 || strchr("BXiI", ph->val.p[0]) == NULL) {
		if (S.threadnames && !lookahead && ph->val.p[0] == 'M' &&
		    is_str(name, "thread_name"))
			name_thread(pid, tid, field(jl, "args"));
		note_phase(s, ph);
		return;
	}
	if (json_slots(c, &r) != 0)
		return;
	if (S.threadnames && tidslot >= 0 && tid != NULL) {
		thread_key(pid, tid);
		k = ht_find(tnames, tmp.p, tmp.len);
		if (k != UINT32_MAX && tname[k] != NULL) {
			sv = &c->sv[tidslot];
			sv->setgen = c->gen;
			sv->raw = span_str(tname[k]);
			sv->kind = VK_STR;
			sv->esc = 0;
		} else if (!lookahead) {
			bad_record(c, &r, "thread %s of process %s has no name "
			    "yet: from a pipe, --thread-names needs the "
			    "thread_name metadata before the thread's events",
			    msg_vis(tid->val.p, tid->val.n), pid != NULL ?
			    msg_vis(pid->val.p, pid->val.n) : "(none)");
			return;
		}
	}
	emit_record(c, &r);
}

/* The message for a top-level object that is not Chrome's under auto. */
static void
not_chrome(struct rd *in, uint64_t line)
{
	die_at(rd_name(in), line, "a JSON object spanning lines, "
	    "not JSON Lines: write one object per line, as jq -c does");
}

/* The end of the events array. */
static void
events_end(struct scan *s, struct rd *in)
{
	if (s->aftercomma)
		die_at(rd_name(in), rd_lineno(in), "expected an event after "
		    "','");
	s->st = s->object ? CS_TCOMMA : CS_END;
}

/* Walk one piece of the input; eol: it ends its line. */
static void
walk(struct conv *c, struct scan *s, struct rd *in, struct span l, int eol)
{
	const char *p = l.p;
	size_t n = l.n, i = 0, b, evstart = 0;
	uint64_t lineno = rd_lineno(in);
	int tried = !eol;

	while (i < n) {
		if (s->st != CS_EVENT && s->st != CS_TSKIP &&
		    s->st != CS_TKEYIN) {
			while (i < n && ws(p[i]))
				i++;
			if (i == n)
				break;
		}
		switch (s->st) {
		case CS_START:
			if (p[i] == '[')
				s->st = CS_ELEM;
			else if (p[i] == '{') {
				s->object = 1;
				s->firstkey = 1;
				s->topline = lineno;
				s->st = CS_TKEY;
			} else
				die_at(rd_name(in), lineno, "not Chrome trace "
				    "events: expected '[' or '{'");
			i++;
			break;
		case CS_TKEY:
			if (p[i] == '}' && s->firstkey) {
				s->st = CS_END;
				i++;
				break;
			}
			if (p[i] != '"')
				die_at(rd_name(in), lineno, "expected a key in "
				    "the top-level object");
			s->keylen = 0;
			s->esc = 0;
			s->st = CS_TKEYIN;
			i++;
			/* FALLTHROUGH */
		case CS_TKEYIN:
			/* a key may be cut between pieces, not between lines */
			for (b = i; i < n && (p[i] != '"' || s->esc); i++)
				s->esc = !s->esc && p[i] == '\\';
			if (s->keylen <= sizeof(s->key) &&
			    i - b <= sizeof(s->key) - s->keylen)
				memcpy(s->key + s->keylen, p + b, i - b);
			s->keylen += i - b;
			if (i == n) {
				if (eol)
					die_at(rd_name(in), lineno, "unterminated "
					    "key in the top-level object");
				break;
			}
			s->isevents = s->keylen == 11 &&
			    memcmp(s->key, "traceEvents", 11) == 0;
			if (s->firstkey && !s->isevents &&
			    S.format == FMT_AUTO)
				not_chrome(in, s->topline);
			s->firstkey = 0;
			s->st = CS_TCOLON;
			i++;
			break;
		case CS_TCOLON:
			if (p[i++] != ':')
				die_at(rd_name(in), lineno, "expected ':' after "
				    "a key in the top-level object");
			s->st = CS_TVALUE;
			break;
		case CS_TVALUE:
			if (s->isevents) {
				if (p[i] != '[')
					die_at(rd_name(in), lineno, "traceEvents "
					    "is not an array");
				if (s->sawevents)
					die_at(rd_name(in), lineno, "duplicate "
					    "key 'traceEvents'");
				s->sawevents = 1;
				s->aftercomma = 0;
				s->st = CS_ELEM;
				i++;
				break;
			}
			cross_start(s, p[i]);
			if (!s->scalar)
				i++;
			s->st = CS_TSKIP;
			break;
		case CS_TSKIP:
			if (cross(s, p, n, &i, eol))
				s->st = CS_TCOMMA;
			break;
		case CS_TCOMMA:
			if (p[i] == ',')
				s->st = CS_TKEY;
			else if (p[i] == '}')
				s->st = CS_END;
			else
				die_at(rd_name(in), lineno, "expected ',' or "
				    "'}' in the top-level object");
			i++;
			break;
		case CS_ELEM:
			if (p[i] == ']') {
				events_end(s, in);
				i++;
				break;
			}
			if (p[i] != '{')
				die_at(rd_name(in), lineno, "expected an event "
				    "(an object) in the events array, got '%s'",
				    msg_vis(p + i, 1));
			evstart = i;
			s->evline = lineno;
			s->spanning = 0;
			/* The usual layout, one event a line: the line's rest
			 * up to its last '}' is the event when it parses as
			 * one object.  Tried once a line, so that a trace on
			 * one line costs one failed parse, not one per event. */
			if (!tried) {
				size_t e = n;

				tried = 1;
				while (e > i && ws(p[e - 1]))
					e--;
				if (e > i && p[e - 1] == ',')
					e--;
				if (e > i && p[e - 1] == '}' &&
				    json_parse_line(c->jl, p + i, e - i) == 0) {
					event(c, s, span_make(p + i, e - i),
					    lineno, 1);
					s->aftercomma = 0;
					s->st = CS_ACOMMA;
					i = e;
					break;
				}
			}
			cross_start(s, '{');
			s->st = CS_EVENT;
			i++;
			/* FALLTHROUGH */
		case CS_EVENT:
			if (!cross(s, p, n, &i, eol)) {
				if (!s->spanning) {
					sb_clear(&s->ev);
					s->spanning = 1;
				}
				sb_add(&s->ev, p + evstart, n - evstart);
				if (eol)
					sb_addc(&s->ev, '\n');
				break;
			}
			if (s->spanning) {
				sb_add(&s->ev, p + evstart, i - evstart);
				event(c, s, span_make(s->ev.p, s->ev.len),
				    s->evline, 0);
			} else
				event(c, s, span_make(p + evstart, i - evstart),
				    s->evline, 0);
			s->aftercomma = 0;
			s->st = CS_ACOMMA;
			break;
		case CS_ACOMMA:
			if (p[i] == ',') {
				s->aftercomma = 1;
				s->st = CS_ELEM;
			} else if (p[i] == ']')
				events_end(s, in);
			else
				die_at(rd_name(in), lineno, "expected ',' or "
				    "']' after an event");
			i++;
			break;
		case CS_END:
			die_at(rd_name(in), lineno, "trailing data after the "
			    "trace events");
		}
	}
}

/* The end of the input: a cut events array is fine, a cut event is a
 * malformed record, anything else cut is an error. */
static void
walk_end(struct conv *c, struct scan *s, struct rd *in)
{
	struct rec r;

	switch (s->st) {
	case CS_ELEM:
	case CS_ACOMMA:
	case CS_END:
		break;
	case CS_EVENT:
		if (s->pre)
			break;
		r.file = c->file;
		r.msgname = c->msgname;
		r.line = s->evline;
		r.text = span_make(s->ev.p, s->ev.len);
		c->n.records++;
		bad_record(c, &r, "truncated event at the end of the input");
		break;
	default:
		die_at(rd_name(in), rd_lineno(in), "truncated JSON: the input "
		    "ends inside the top-level object");
	}
	if (s->object && !s->sawevents)
		die_at(rd_name(in), rd_lineno(in), "no traceEvents array in the "
		    "top-level object");
}

/* Read the thread names of a regular file ahead of its events. */
static void
read_names(struct conv *c, const char *file)
{
	struct scan s;
	struct rd *in;
	struct span l;
	int eol;

	if ((in = rd_open(file)) == NULL)
		exit(EXIT_TROUBLE);
	memset(&s, 0, sizeof(s));
	s.pre = 1;
	while (rd_piece(in, &l, &eol))
		walk(c, &s, in, l, eol);
	walk_end(c, &s, in);
	rd_close(in);
	sb_free(&s.ev);
}

static int
phase_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

void
read_chrome(struct conv *c, struct rd *in)
{
	struct scan s;
	struct stat st;
	struct span l;
	char list[NPHASE * (PHASE_LEN + 2) + 8];
	size_t k, len = 0;
	int i, eol;

	if (tidslot == -2) {
		tidslot = -1;
		for (k = 0; k < S.ncol; k++)
			if (S.col[k].istid && S.col[k].slot >= 0)
				tidslot = S.col[k].slot;
	}
	lookahead = 0;
	if (S.threadnames) {
		ht_free(tnames);
		for (k = 0; k < tnamecap; k++)
			free(tname[k]);
		if (tnamecap > 0)
			memset(tname, 0, tnamecap * sizeof(*tname));
		tnames = ht_new();
		if (strcmp(c->file, "-") != 0 && stat(c->file, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			read_names(c, c->file);
			lookahead = 1;
		}
	}
	memset(&s, 0, sizeof(s));
	while (rd_piece(in, &l, &eol))
		walk(c, &s, in, l, eol);
	walk_end(c, &s, in);
	sb_free(&s.ev);
	if (S.quiet || s.other == 0)
		return;
	/* the phases, sorted */
	qsort(s.phase, (size_t)s.nphase, PHASE_LEN, phase_cmp);
	for (i = 0; i < s.nphase; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i > 0 ? ", " : "", s.phase[i]);
	if (s.morephases)
		snprintf(list + len, sizeof(list) - len, ", ...");
	msg_warnx("%s: %llu record%s of other phases dropped (%s)",
	    rd_name(in), (unsigned long long)s.other, s.other == 1 ? "" : "s",
	    list);
}
