/* fmt.c - number formatting shared by the report writers. */
#include <stdio.h>

#include "report.h"

void
put_thousands(struct ob *o, uint64_t v)
{
	char b[32], out[48];
	int n = snprintf(b, sizeof(b), "%llu", (unsigned long long)v), i, k = 0;

	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = b[i];
	}
	ob_write(o, out, (size_t)k);
}

/* 100*num/den with the given decimals, as the seed prints it ("9.97"). */
void
put_pct(struct ob *o, uint64_t num, uint64_t den, int decimals)
{
	ob_printf(o, "%.*f", decimals, 100.0 * (double)num /
	    (double)(den > 0 ? den : 1));
}

const char *
headline_word(enum headline h)
{
	switch (h) {
	case HL_SAME: return "same";
	case HL_DIVERGENT: return "divergent";
	case HL_INCONCLUSIVE: return "inconclusive";
	}
	return "?";
}
