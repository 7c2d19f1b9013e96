# logfmt.awk - a custom normalizer: "key=value" log lines (logfmt) to the
# event format of trace-format(5), in POSIX awk instead of trace-normalize.
#
#   LC_ALL=C awk -f examples/normalizers/logfmt.awk calls.log >calls.events
#   trace-normalize --check calls.events
#
# The built-in readers cannot take this format: its keys come in any
# order, and a quoted value may hold spaces, '=' and escapes.  Tested
# with mawk 1.3.4 and gawk 5.2 (also gawk --posix) by tests/normalizers.bats.
# LC_ALL=C makes awk handle bytes, not characters, whatever the input.
#
# Input: one call per line, a run of key=value pairs separated by spaces
# or tabs, in any order, such as
#
#   ts=278000123 tid=15 op=release lr=0x824AB168 handle=0x104C
#   time=10:00:01 tid=7 op="set event" lr=2185933160 msg="a \"b\"\tc"
#
# A value is bare (any bytes but space, tab, '=' and '"') or quoted:
# '"', then any bytes with the escapes \" \\ \t \n \r, then '"'.  A bare
# key, without '=', is a flag with no value.  The keys op, lr, handle, tid
# and ts give the columns of the same names; other keys are ignored.  A
# missing key, an empty value (key= or key="") and a bare key are an
# absent value.  Blank lines are skipped.
#
# Output contract (trace-format(5), WRITING A NORMALIZER):
#   - the header "op lr handle tid ts", tab-separated, then one row per
#     line of input with all five fields, empty when absent: the same
#     columns as trace-normalize without a schema on JSON Lines records
#     with these keys
#   - lr and handle are addresses: "0x" and hex digits in either case, or
#     decimal digits, written lowercase with "0x", zero-padded to 8 digits,
#     no other leading zeros, up to 64 bits.  They are converted as text,
#     never as awk numbers: awk holds numbers as doubles, exact only up to
#     2^53, and mawk's printf("%x") stops at 32 bits
#   - ts is a decimal integer, an optional '-' and digits, within the
#     range of a signed 64-bit integer, written without leading zeros (and
#     -0 as 0), again as text
#   - tid is an integer, as trace-normalize reads it by default: a
#     canonical one, no '+', no leading zeros, no -0, within 64 bits
#     (trace-format(5): 015 and 15 would be two threads); anything else
#     makes the line bad
#   - op is text, escaped: backslash, tab, newline and carriage return
#     are written \\ \t \n \r, the backslash first
#   - a line that cannot be converted (a '=' or '"' out of place, an
#     unterminated quote, an unknown escape, a key given twice, a value
#     of the wrong kind or out of range) stops the program with
#     "logfmt.awk: FILE:LINE: reason" on standard error and status 2;
#     FILE is (stdin) for the standard input.  The rows before it have
#     been written: keep the output only on status 0.
#   - Bytes are copied as they are: the input should be UTF-8 without NUL
#     bytes, as the output must be; trace-normalize --check verifies it.

BEGIN {
	OFS = "\t"
	print "op", "lr", "handle", "tid", "ts"
	failed = 0
	# Hex digit values, for the decimal to hex conversion.
	for (i = 0; i < 16; i++)
		hexd[i] = substr("0123456789abcdef", i + 1, 1)
}

# bad(reason): report the current line and stop with status 2.
function bad(reason,  f) {
	f = FILENAME
	if (f == "" || f == "-")
		f = "(stdin)"
	printf("logfmt.awk: %s:%d: %s\n", f, FNR, reason) | "cat 1>&2"
	close("cat 1>&2")
	failed = 1
	exit 2
}

# esc(s): the TSV escapes of trace-format(5), the backslash first.
function esc(s) {
	gsub(/\\/, "&&", s)
	gsub(/\t/, "\\t", s)
	gsub(/\n/, "\\n", s)
	gsub(/\r/, "\\r", s)
	return s
}

# strip0(s): s without leading zeros, "0" for zeros only.
function strip0(s) {
	sub(/^0+/, "", s)
	return s == "" ? "0" : s
}

# dec2hex(s): decimal digit text to lowercase hex text, exactly, by long
# division of the digit string by 16.
function dec2hex(s,  h, q, r, i, d) {
	s = strip0(s)
	h = ""
	while (s != "0") {
		q = ""
		r = 0
		for (i = 1; i <= length(s); i++) {
			r = r * 10 + substr(s, i, 1)
			d = int(r / 16)
			r = r - d * 16
			if (q != "" || d > 0)
				q = q d
		}
		h = hexd[r] h
		s = q == "" ? "0" : q
	}
	return h == "" ? "0" : h
}

# addr(key, v): canonical address text of v, or bad().
function addr(key, v,  h) {
	if (v ~ /^0[xX][0-9a-fA-F]+$/)
		h = strip0(tolower(substr(v, 3)))
	else if (v ~ /^[0-9]+$/) {
		v = strip0(v)
		if (length(v) > 20 || (length(v) == 20 &&
		    (v "") > ("18446744073709551615" "")))
			bad("field " key ": out of range: '" v "'")
		h = dec2hex(v)
	} else
		bad("field " key ": not an address: '" v "'")
	if (length(h) > 16)
		bad("field " key ": out of range: '" v "'")
	while (length(h) < 8)
		h = "0" h
	return "0x" h
}

# int64(key, v): canonical decimal integer text of v, or bad().
function int64(key, v,  neg, max) {
	if (v !~ /^-?[0-9]+$/)
		bad("field " key ": not an integer: '" v "'")
	neg = substr(v, 1, 1) == "-"
	v = strip0(neg ? substr(v, 2) : v)
	max = neg ? "9223372036854775808" : "9223372036854775807"
	if (length(v) > 19 || (length(v) == 19 && (v "") > (max "")))
		bad("field " key ": out of range: '" (neg ? "-" : "") v "'")
	return (neg && v != "0") ? "-" v : v
}

# tidv(): a tid, a canonical integer.
function tidv(v) {
	if (v ~ /^\+/ || v ~ /^-?0[0-9]/ || v == "-0")
		bad("field tid: tid '" v "' is not a canonical integer (no '+', " \
		    "no leading zeros, no -0)")
	return int64("tid", v)
}

# unquote(): read a quoted value from the front of rest, after its
# opening quote; return it decoded and leave rest after the closing quote.
function unquote(  out, c) {
	out = ""
	for (;;) {
		if (match(rest, /^[^"\\]+/)) {
			out = out substr(rest, 1, RLENGTH)
			rest = substr(rest, RLENGTH + 1)
		}
		if (rest == "")
			bad("unterminated quoted value")
		c = substr(rest, 1, 1)
		if (c == "\"") {
			rest = substr(rest, 2)
			return out
		}
		c = substr(rest, 2, 1)
		if (c == "\"" || c == "\\")
			out = out c
		else if (c == "t")
			out = out "\t"
		else if (c == "n")
			out = out "\n"
		else if (c == "r")
			out = out "\r"
		else
			bad("unknown escape '\\" c "' in a quoted value")
		rest = substr(rest, 3)
	}
}

/^[ \t\r]*$/ { next }

{
	rest = $0
	sub(/\r$/, "", rest)
	split("", val)
	split("", seen)
	for (;;) {
		sub(/^[ \t]+/, "", rest)
		if (rest == "")
			break
		if (!match(rest, /^[^ \t="]+/))
			bad("expected a key at '" substr(rest, 1, 20) "'")
		key = substr(rest, 1, RLENGTH)
		rest = substr(rest, RLENGTH + 1)
		v = ""
		if (substr(rest, 1, 1) == "=") {
			rest = substr(rest, 2)
			if (substr(rest, 1, 1) == "\"") {
				rest = substr(rest, 2)
				v = unquote()
			} else if (match(rest, /^[^ \t="]+/)) {
				v = substr(rest, 1, RLENGTH)
				rest = substr(rest, RLENGTH + 1)
			}
		}
		if (rest != "" && rest !~ /^[ \t]/)
			bad("unexpected '" substr(rest, 1, 1) "' after " \
			    (v == "" ? "key " key : "the value of " key))
		if (key in seen)
			bad("key " key " given twice")
		seen[key] = 1
		val[key] = v
	}
	op = ("op" in val) ? esc(val["op"]) : ""
	lr = ("lr" in val) && val["lr"] != "" ? addr("lr", val["lr"]) : ""
	h = ("handle" in val) && val["handle"] != "" ? \
	    addr("handle", val["handle"]) : ""
	tid = ("tid" in val) && val["tid"] != "" ? tidv(val["tid"]) : ""
	ts = ("ts" in val) && val["ts"] != "" ? int64("ts", val["ts"]) : ""
	print op, lr, h, tid, ts
}

END {
	if (failed)
		exit 2
}
