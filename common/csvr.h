/*
 * csvr.h - CSV records, line by line, through libcsv.
 *
 * RFC 4180: fields separated by commas, optionally quoted with '"', a
 * quote inside a quoted field doubled, quoted fields may hold commas and
 * newlines (a record then spans lines).  Strict: a quote inside an
 * unquoted field, or text after a closing quote, is an error; an
 * unterminated quoted field at the end of the input is an error.  Blanks
 * around fields are kept.  Only "\n" ends a record (the caller strips a
 * "\r" before it); a CR elsewhere is data.
 *
 * Ownership: a struct csvr owns its field buffer; spans returned by
 * csvr_field() are valid until the next csvr_line() or csvr_reset().
 */
#ifndef TRACE_CSVR_H
#define TRACE_CSVR_H

#include <stddef.h>

#include "span.h"

struct csvr;

struct csvr *csvr_new(void);
void	csvr_free(struct csvr *c);

/*
 * Feed one line, without its newline.  Returns 1 when this line completes
 * a record (its fields are then available), 0 when the record goes on
 * (an open quoted field), -1 on a parse error (see csvr_error; call
 * csvr_reset() before feeding more).
 */
int	csvr_line(struct csvr *c, const char *p, size_t n);

/* Fields of the completed record. */
size_t	csvr_nfields(const struct csvr *c);
struct span csvr_field(const struct csvr *c, size_t i);

/* Whether a record is open across lines. */
int	csvr_open(const struct csvr *c);

/* End of input: 0, or -1 when a quoted field was never closed. */
int	csvr_finish(struct csvr *c);

/* Forget any partial record and parser error. */
void	csvr_reset(struct csvr *c);

/* The last error's text. */
const char *csvr_error(const struct csvr *c);

#endif
