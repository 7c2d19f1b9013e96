# xenia-ours.jq - a custom normalizer: the candidate ("ours") xenia trace
# schema to the event format of trace-format(5), in jq instead of
# trace-normalize.  Equivalent to trace-normalize -s examples/xenia/ours.schema
# on valid input.
#
#   jq -nr -f examples/normalizers/xenia-ours.jq ours.jsonl > ours.events
#
# Contract kept: a header line; canonical columns op, lr, handle, tid, ts
# in that order; addresses as lowercase 0x hex, at least 8 digits; tid and
# ts as decimal integers; values escaped with @tsv (backslash, tab,
# newline and carriage return become \\ \t \n \r).  Records whose pc is
# not one of the six traced ones are dropped, as the schema does.
# Unlike trace-normalize it does not report bad lines with FILE:LINE: jq
# stops at the first line that is not JSON, with status 2 or 5.

# "0x824AB168", "0X0000104c", "824ab168" -> "0x824ab168"
def addr:
  ascii_downcase | sub("^0x"; "") | sub("^0+"; "")
  | if length < 8 then ("00000000"[0:8 - length] + .) else . end
  | "0x" + .;

def ops: {
  "0x8284dddc": "set",      # KeSetEvent IAT thunk
  "0x8284e49c": "release",  # KeReleaseSemaphore IAT thunk
  "0x8284df5c": "set",      # NtSetEvent IAT thunk
  "0x8284e07c": "release",  # NtReleaseSemaphore IAT thunk
  "0x824aa2f0": "set",      # NtSetEvent game wrapper
  "0x824ab158": "release"   # NtReleaseSemaphore game wrapper
};

"op\tlr\thandle\ttid\tts",
(inputs
 | (.pc | addr) as $pc
 | select(ops[$pc] != null)
 | [ops[$pc], (.lr | addr), (.r3 | addr), (.tid | tostring),
    (.cycle | tostring)]
 | @tsv)
