#!/bin/sh
# Every seed corpus/<target>/NAME.bin is the encoding of corpus/text/<target>/NAME.txt
# (and nothing else lives in corpus/<target>/), and every text seed and
# regression anchors its events by function (@fn+K), never by ordinal (@N:
# any patch before it moves it; reentry anchors -i FILE converts).
# Usage: corpus_in_sync.sh REENTRY CORPUS_DIR
set -u
reentry=$1 corpus=$2 status=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for dir in "$corpus"/text/*/; do
	target=$(basename "$dir")
	for txt in "$dir"*.txt; do
		bin="$corpus/$target/$(basename "$txt" .txt).bin"
		if ! "$reentry" encode "$txt" -o "$tmp"; then
			status=1
		elif ! cmp -s "$tmp" "$bin"; then
			echo "out of sync: $bin is not the encoding of $txt (reentry encode $txt -o $bin)"
			status=1
		fi
	done
	for bin in "$corpus/$target"/*; do
		[ -e "$corpus/text/$target/$(basename "$bin" .bin).txt" ] ||
			{ echo "no text source for $bin"; status=1; }
	done
done
# an ordinal on an op line (before any comment) or on an "# unfired:" line
ordinals=$(for f in "$corpus"/text/*/*.txt "$corpus"/regressions/*.txt; do
	sed -n -e 's/^\(cpu[0-9][^#]*\).*/\1/p' -e 's/^# unfired:\(.*\)/\1/p' "$f" |
		grep -q '@[0-9]' && echo "$f"
done)
if [ -n "$ordinals" ]; then
	echo "ordinal anchors (@N) in: $ordinals (reentry anchors -i FILE)"
	status=1
fi
[ $status = 0 ] && echo "seed corpora match their text sources; every anchor names a function"
exit $status
