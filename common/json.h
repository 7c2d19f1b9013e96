/*
 * json.h - one JSON Lines record: the fields of a top-level object.
 *
 * Tokenizing is done by jsmn (Debian's libjsmn-dev, strict mode, parent
 * links), guarded for its limits: offsets are int, so longer lines are
 * refused; it stops at a NUL byte, which is reported as such; it checks
 * separators loosely, so the top level's ":" and "," are checked here.
 * Every value is checked: separators, number grammar, true/false/null,
 * object keys being strings; nested values too, though they are never
 * used, so that a line is either valid JSON or rejected.  Raw control
 * characters inside strings are caught when a string is unescaped.
 *
 * Ownership: a struct json_line owns its token and field arrays and the
 * fast path's memo, and is reused from line to line (by one thread at a
 * time); field spans point into the caller's line.
 */
#ifndef TRACE_JSON_H
#define TRACE_JSON_H

#include <stddef.h>

#include "span.h"
#include "xmem.h"

enum json_path { JSON_SCALAR, JSON_SSE2, JSON_AVX2, JSON_NPATH };

enum json_type {
	JT_STRING, JT_NUMBER, JT_TRUE, JT_FALSE, JT_NULL, JT_OBJECT, JT_ARRAY
};

struct json_field {
	struct span	 key;	/* raw, between the quotes, still escaped */
	struct span	 val;	/* strings: raw between the quotes; others:
				 * the value's text */
	enum json_type	 type;
	int		 kesc;	/* key contains a backslash */
	int		 vesc;	/* string value contains a backslash */
	unsigned	*tag;	/* the caller's word for this key, or NULL */
};

/*
 * Room for a message about a bad line: the longest is 34 bytes of text
 * around 40 quoted bytes of the line.
 */
#define JSON_ERR_MAX	160

struct json_line {
	void			*tok;	/* jsmntok_t array */
	unsigned		 ntok;
	int			*lastend;	/* per token: nested checks */
	int			*nchild;
	unsigned		 nstate;
	struct json_field	*f;
	size_t			 nf, fcap;
	int			 noctrl;	/* strings known to hold no raw
						 * control character */
	struct sbuf		 flat;	/* a deep line, nested values blanked */
	struct json_glue	*glue;	/* separators and keys the fast path
					 * has met, by slot */
	unsigned char		*open;	/* brackets open in skip_nested() */
	size_t			 opencap;
	char			 err[JSON_ERR_MAX];
};

/*
 * Tags.  A field's tag, when not NULL, points to a word the fast path
 * keeps with the key it has met at this place in earlier lines (its
 * memo): 0 the first time, then whatever the caller stored there.  The
 * memo holds the key's raw bytes and has checked them against this
 * line's, so a caller may keep there what it derives from the key alone
 * (trace-normalize: its slot) and find it again without looking at the
 * key; the word is reset to 0 when the memo takes another key.  The
 * derivation must stay the same for the life of jl.  Fields parsed
 * otherwise have no tag.
 *
 * Parse p[0..n) as one JSON object.  Returns 0 and fills jl->f[0..nf),
 * or -1 with a reason in jl->err.
 *
 * Two parsers stand behind it.  jsmn is the parser of record: every
 * error, every nested value and anything unusual goes through it.  The
 * common trace line -- a flat object of strings, numbers and literals --
 * is first offered to a fast path, which either gives exactly the fields
 * jsmn would give or defers to jsmn; a fuzz target checks that
 * equivalence (tests/fuzz/fuzz-json.c).
 */
int	json_parse_line(struct json_line *jl, const char *p, size_t n);

/*
 * The two parsers alone, for the fuzz target and the tests.  The fast
 * one returns 1 with jl->f filled, or 0 to defer.  It has three paths
 * over the same grammar, taking the same lines with the same fields:
 * JSON_SCALAR walks the line byte by byte (8 at a time in strings and
 * numbers); JSON_SSE2 and JSON_AVX2 (x86-64 only) find the ends of
 * strings and numbers 16 or 32 bytes at a time and skip over separators
 * and keys met in earlier lines (remembered in jl).
 * json_parse_fast() takes the process's json_path(), json_parse_fast_on()
 * the path given, which json_path_can() must allow.
 */
int	json_parse_jsmn(struct json_line *jl, const char *p, size_t n);
int	json_parse_fast(struct json_line *jl, const char *p, size_t n);
int	json_parse_fast_on(struct json_line *jl, const char *p, size_t n,
	    enum json_path path);
void	json_line_free(struct json_line *jl);

/*
 * Values by tag, for a caller that keeps in the tag of each key it has
 * met a small number: 2 + the index of the element that takes the key's
 * value, or 1 for a key it does not want.  The elements are the caller's
 * (an array of n, stride bytes apart); each holds, at the offsets below,
 * the members a value is stored in.
 *
 * json_parse_to() walks a line as the fast path does, but stores each
 * value in its key's element -- gen, the value's span (as a field's val),
 * kind[its type] and its escape flag (as a field's vesc) -- instead of
 * filling jl->f, and returns 1.  It returns 0, having maybe stored some
 * values, whenever it cannot be sure of that answer from what the memo
 * holds: a key not met before at this place, or whose tag holds no
 * number yet, a key whose element already holds gen (a duplicate), a
 * line the walk defers, the scalar path, a line shorter than 17 bytes.
 * A number of digits alone, [1-9][0-9]*, also gets gen at JSON_TO_DIG
 * (the member is left alone for other values).
 * The caller then parses the line the usual way (json_parse_line(),
 * setting the tags), with another gen, so that the values stored are
 * stale.  A line it takes, json_parse_line() takes with the same values:
 * the fuzz target checks it.  It never changes a tag, unless the caller
 * gives index: a key without escapes that is new at its place, or whose
 * tag holds no number yet, then gets 2 + index(key) (1 when negative) as
 * its tag and its value goes to that element.  index must give the
 * number the caller stores in tags itself, and be safe to call from the
 * threads that parse.
 * json_parse_to_on() takes the path given, as json_parse_fast_on().
 */
#define JSON_TO_GEN	0			/* uint64_t */
#define JSON_TO_VAL	8			/* struct span */
#define JSON_TO_KIND	(8 + sizeof(struct span))	/* int */
#define JSON_TO_ESC	(JSON_TO_KIND + sizeof(int))	/* int */
#define JSON_TO_DIG	(JSON_TO_ESC + sizeof(int))	/* uint64_t */

struct json_to {
	char		*base;	/* element i at base + i * stride */
	size_t		 stride, n;
	uint64_t	 gen;
	int		 kind[JT_ARRAY + 1];	/* by enum json_type */
	/* NULL, or the index of the element of a key, -1 for none */
	int		(*index)(const char *key, size_t keylen);
};

int	json_parse_to(struct json_line *jl, const char *p, size_t n,
	    const struct json_to *to);
int	json_parse_to_on(struct json_line *jl, const char *p, size_t n,
	    enum json_path path, const struct json_to *to);

/*
 * The path of this process: the one the environment variable
 * TRACE_TOOLS_SIMD names (scalar, sse2 or avx2), when set and not empty,
 * else the best this build and CPU have (AVX2 is asked of the CPU at run
 * time).  Read once, from any thread.  Dies (status 2) when the variable
 * names no path, or one this build or CPU cannot run.
 */
enum json_path json_path(void);

/* Whether this build, on this CPU, can run path; and its name. */
int	json_path_can(enum json_path path);
const char *json_path_name(enum json_path path);

/*
 * Unescape the raw contents of a JSON string into sb (replacing its
 * content), converting \uXXXX (surrogate pairs included) to UTF-8.
 * Returns NULL, or a reason: a bad escape, a lone surrogate, a raw
 * control character (sb then left empty).  A \u0000 yields a NUL byte;
 * callers decide.
 */
const char *json_unescape(struct span raw, struct sbuf *sb);

/*
 * Write p[0..n) as a JSON string with its quotes: '"', '\\' and control
 * characters escaped, '<', '>' and '&' as \u escapes (safe inside HTML),
 * and each byte of invalid UTF-8 replaced by U+FFFD.
 */
struct ob;
void	json_put_string(struct ob *o, const char *p, size_t n);

/*
 * Whether p[0..n) is valid UTF-8 (no overlongs, no surrogates, nothing
 * above U+10FFFF).  Returns -1 when valid, else the offset of the first
 * bad byte.
 */
long	utf8_check(const char *p, size_t n);

#endif
