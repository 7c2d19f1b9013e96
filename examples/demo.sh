#!/bin/sh
# demo.sh - what `make demo` runs: the fire-pattern diff of the bundled
# example traces, with the tools of this checkout.
set -eu
case ${1:-} in
-h | --help) echo "usage: demo.sh  (writes \$DEMO_OUT, default out/demo)"; exit 0 ;;
'') ;;
*) echo "usage: demo.sh  (writes \$DEMO_OUT, default out/demo)" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
d=$top/examples/xenia/data
out=${DEMO_OUT:-$top/out/demo}
"$top/examples/xenia/fire-pattern-diff.sh" -f "$d/canary.jsonl.gz" \
    "$d/ours-iat.jsonl.zst" "$d/ours-lr.jsonl.gz" "$out" >/dev/null
headline=$(sed -n 's/^"headline":"\(.*\)",$/\1/p' "$out/report.json")
echo "report:   $out/report.md"
echo "json:     $out/report.json"
echo "csv:      $out/divergent-tuples.csv $out/matched-tuples.csv"
echo "headline: $headline"
sed -n '/^## Headline/,/^## Totals/p' "$out/report.md" | sed '1d;$d' | sed '/^$/d'
