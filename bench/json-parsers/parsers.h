/* parsers.h - the candidate parsers of bench/json-parsers, one
 * translation unit per library (their headers clash: json-c and jansson
 * both declare json_type and json_object; jsmn.h is configured by macros
 * before it is included). */
#ifndef JSON_PARSERS_H
#define JSON_PARSERS_H

#include <stddef.h>
#include <stdint.h>

struct parser {
	const char	*name;	/* NULL ends a list */
	const char	*note;
	/* Parse p[0..n) (p[n] is a NUL): 0, or -1 when rejected. */
	int		(*parse)(const char *p, size_t n);
};

extern uint64_t jp_sink;	/* something of every parse, so none is elided */

extern const struct parser jp_jsmn_plain[], jp_jsmn_strict[], jp_yajl[],
    jp_jsonc[], jp_jansson[], jp_cjson[], jp_project[];

#define STR_(x) #x
#define STR(x) STR_(x)

#endif
