/*
 * fuzz-csv.c - the CSV reader: every line of the input fed to csvr, as
 * trace-normalize does, resetting after an error.  Invariants: a record
 * has at least one field; fields are no longer than what was fed.
 */
#include <string.h>

#include "csvr.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvr *c = csvr_new();
	const char *p = (const char *)data, *end = p + size, *nl;
	size_t fed = 0;

	while (p <= end) {
		size_t n;
		int k;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		fed += n + 1;
		k = csvr_line(c, p, n);
		if (k < 0) {
			(void)csvr_error(c);
			csvr_reset(c);
			fed = 0;
		} else if (k == 1) {
			size_t total = 0;

			INVARIANT(csvr_nfields(c) >= 1);
			for (size_t i = 0; i < csvr_nfields(c); i++)
				total += csvr_field(c, i).n;
			INVARIANT(total <= fed);
			fed = 0;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	(void)csvr_finish(c);
	csvr_free(c);
	return 0;
}
