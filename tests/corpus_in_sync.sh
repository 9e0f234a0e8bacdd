#!/bin/sh
# Every seed corpus/<target>/NAME.bin is the encoding of corpus/text/<target>/NAME.txt
# (and nothing else lives in corpus/<target>/). Usage: corpus_in_sync.sh REENTRY CORPUS_DIR
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
[ $status = 0 ] && echo "seed corpora match their text sources"
exit $status
