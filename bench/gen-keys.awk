# bench/gen-keys.awk - event TSV with a chosen number of distinct keys.
#
#   awk -v events=N -v keys=K -v tids=T -f bench/gen-keys.awk > events.tsv
#
# N events of one op; event i fires call site (lr) i mod K from thread
# (i div K) mod T, so every key fires about N / K times, from T threads
# when N >= K x T.  Handles cycle over 64 values, times grow by 10.
# Deterministic: no random numbers.
BEGIN {
	if (events <= 0 || keys <= 0 || tids <= 0) {
		print "gen-keys.awk: set events, keys and tids" > "/dev/stderr"
		exit 2
	}
	print "op\tlr\ttid\thandle\tts"
	for (i = 0; i < events; i++)
		printf "KeWaitForSingleObject\t0x%x\t%d\t0x%x\t%d\n",
		    268435456 + (i % keys) * 4, 1 + int(i / keys) % tids,
		    256 + i % 64, i * 10
}
