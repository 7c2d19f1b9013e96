# nested.jq - a custom normalizer: JSON Lines records whose fields are
# nested in objects, which the JSON reader of trace-normalize cannot
# reach (it reads top-level keys only), to the event format of
# trace-format(5).
#
#   jq -nrR -f examples/normalizers/nested.jq calls.jsonl >calls.events
#   trace-normalize --check calls.events
#
# -n, -r and -R are all needed: -R hands each line over as text, so that
# a line that is not JSON is reported with its file and line instead of
# stopping jq with a parse error.
#
# Input: one JSON object per line, such as
#
#   {"event": {"name": "NtSetEvent", "site": {"lr": "0x824AB168"},
#              "object": {"handle": "0x104C"}},
#    "thread": {"id": 15}, "time": {"ns": 278000123}}
#
# (on one line).  Columns, each absent when its path is missing, null or
# "" (other members are ignored):
#
#   op      .event.name          a string
#   lr      .event.site.lr       an address
#   handle  .event.object.handle an address
#   tid     .thread.id           an integer, canonical
#   ts      .time.ns             an integer
#
# Output contract (trace-format(5), WRITING A NORMALIZER):
#   - the header "op lr handle tid ts", then one row per line of input,
#     with all five fields, empty when absent: the columns trace-normalize
#     writes without a schema for flat records with these keys
#   - an address is a string of "0x" and hex digits in either case, or of
#     decimal digits, or a JSON number; written lowercase with "0x",
#     zero-padded to 8 digits, no other leading zeros, up to 64 bits.  Hex
#     is converted as text, so all 64 bits are exact.  jq 1.6 holds
#     numbers as doubles, exact only below 2^53: a number from 2^53 up
#     (jq may have rounded it already when parsing) or a decimal string
#     above 2^53-1 is refused rather than rounded; write such addresses
#     in hex.
#   - an integer is a JSON number without a fraction, or a string of an
#     optional '-' and decimal digits; written in decimal without leading
#     zeros.  Strings are converted as text, so any 64-bit value is
#     exact; numbers only below 2^53 in magnitude, larger ones are refused
#     (jq 1.6 would print 1e+17).  A number such as 1.0 or 1e3 is taken
#     as the integer it equals, where trace-normalize refuses it.
#   - op is text, escaped by @tsv: backslash, tab, newline and carriage
#     return are written \\ \t \n \r
#   - blank lines are skipped.  A line that cannot be converted (not
#     JSON, not an object, a path through something other than an
#     object, a value of the wrong kind or out of range) stops jq with
#     "nested.jq: FILE:LINE: reason" on standard error and status 2; FILE
#     is (stdin) for the standard input.  The rows before it have been
#     written: keep the output only on status 0.
#   - jq -R reads its files as one text, as cat(1) would: a file whose
#     last line has no newline has that line joined to the first line of
#     the next file.  End every file with a newline.
#   - jq reads the input as UTF-8, replacing invalid bytes with U+FFFD, and
#     writes UTF-8; a NUL is passed through (\u0000 in a string): use
#     trace-normalize --check on the output when the input is not trusted.

def bad($where; $reason):
  "nested.jq: \($where.f):\($where.n): \($reason)\n" | halt_error(2);

# Leading zeros off digit text, "0" for zeros only.
def strip0: sub("^0+"; "") | if . == "" then "0" else . end;

# A non-negative integer below 2^53, as lowercase hex text.
def tohex:
  [recurse(if . >= 16 then (. / 16 | floor) else empty end)
   | . - (. / 16 | floor) * 16]
  | reverse | map("0123456789abcdef"[.:. + 1]) | add;

# Digit text d compared with digit text m of the same length or shorter.
def le($d; $m): ($d | length) < ($m | length)
  or (($d | length) == ($m | length) and $d <= $m);

# The value at a path, null when the path is missing; a path through a
# value that is not an object is an error.
def at($where; $name; p):
  try p catch bad($where; "\($name): not reachable: a parent is not an object");

def addr($where; $name):
  if . == null or . == "" then ""
  elif type == "string" and test("^0[xX][0-9a-fA-F]+$") then
    (.[2:] | ascii_downcase | strip0) as $h
    | if ($h | length) > 16 then bad($where; "\($name): out of range: '\(.)'")
      else "0x" + ("00000000"[($h | length):] // "") + $h end
  elif type == "string" and test("^[0-9]+$") then
    (strip0) as $d
    | if le($d; "9007199254740991") then ($d | tonumber | addr($where; $name))
      else bad($where; "\($name): decimal above 2^53-1, give it in hex: '\(.)'")
      end
  elif type == "number" then
    if . != floor or . < 0 then bad($where; "\($name): not an address: \(.)")
    elif . >= 9007199254740992 then
      bad($where; "\($name): number not below 2^53 (jq may have rounded it), give it in hex: \(.)")
    else tohex | "0x" + ("00000000"[length:] // "") + . end
  else bad($where; "\($name): not an address: \(tojson)")
  end;

def int64($where; $name):
  if . == null or . == "" then ""
  elif type == "string" and test("^-?[0-9]+$") then
    (startswith("-")) as $neg
    | (ltrimstr("-") | strip0) as $d
    | if le($d; if $neg then "9223372036854775808"
                 else "9223372036854775807" end)
      then (if $neg and $d != "0" then "-" + $d else $d end)
      else bad($where; "\($name): out of range: '\(.)'") end
  elif type == "number" then
    if . != floor then bad($where; "\($name): not an integer: \(.)")
    elif . >= 9007199254740992 or . <= -9007199254740992 then
      bad($where; "\($name): number not within +-(2^53-1) (jq may have rounded it), give it as a string: \(.)")
    elif . == 0 then "0"
    else tostring end
  else bad($where; "\($name): not an integer: \(tojson)")
  end;

# A tid is an integer, as trace-normalize reads it by default, and a
# canonical one (no '+', no leading zeros, no -0; trace-format(5): 015 and
# 15 would be two threads).
def tid($where; $name):
  def noncanon: bad($where; "\($name): tid '\(.)' is not a canonical integer (no '+', no leading zeros, no -0)");
  if . == null or . == "" then ""
  elif type == "string" and test("^[-+]?[0-9]+$") then
    if test("^(\\+|-?0[0-9]|-0$)") then noncanon else int64($where; $name) end
  elif type == "number" and tostring == "-0" then noncanon
  else int64($where; $name) end;

def text($where; $name):
  if . == null then ""
  elif type == "string" then .
  else bad($where; "\($name): not a string: \(tojson)") end;

"op\tlr\thandle\ttid\tts",
(foreach inputs as $line ({f: null, n: 0, ln: 0};
   (input_filename // "(stdin)") as $f
   | input_line_number as $ln
   # A new file when the name changes or jq's line count goes back.
   | if .f == $f and $ln >= .ln then .n += 1 else .f = $f | .n = 1 end
   | .ln = $ln;
   {f: (if .f == "<stdin>" then "(stdin)" else .f end), n} as $where
   | if ($line | type) != "string" then
       bad($where; "input is not text: run jq with -n, -r and -R")
     elif ($line | test("^[ \t\r]*$")) then empty
     else
       ($line | try fromjson catch bad($where; "not JSON: \(.)")) as $r
       | if ($r | type) != "object" then
           bad($where; "not a JSON object")
         else
           [ (at($where; "event.name"; $r.event.name) | text($where; "event.name")),
             (at($where; "event.site.lr"; $r.event.site.lr)
               | addr($where; "event.site.lr")),
             (at($where; "event.object.handle"; $r.event.object.handle)
               | addr($where; "event.object.handle")),
             (at($where; "thread.id"; $r.thread.id) | tid($where; "thread.id")),
             (at($where; "time.ns"; $r.time.ns) | int64($where; "time.ns")) ]
           | @tsv
         end
     end))
