#!/usr/bin/env bash
# ci/merge.sh — minimize a grown corpus back into the seeds, corpus/<target>/.
#
# Usage: ci/merge.sh [--engine libfuzzer|afl] [--target NAME[,NAME]] [--corpus DIR]
#        ci/merge.sh --help
#   --engine   libfuzzer (default): `<target>_fuzzer -merge=1` of the fuzz preset;
#              afl: afl-cmin with the afl preset's binary
#   --target   only these targets (repeatable; default: every target with a grown corpus)
#   --corpus   where ci/fuzz.sh grew the corpora: DIR/<target>/ as given to
#              `ci/fuzz.sh --corpus DIR` (default: ci/fuzz.sh's own, under
#              $REENTRY_FUZZ_OUT, default out/fuzz: <target>/corpus for
#              libFuzzer, <target>/afl for AFL++)
# The seeds already in corpus/<target>/ are kept; only the grown inputs that
# add coverage are added. Each new seed gets its text form: it is decoded
# (reentry decode) into corpus/text/<target>/merged-<hash>.txt and the seed
# saved is that text's encoding (the canonical bytes of the same program), so
# the ctest corpus_seeds_in_sync stays green. Review, rename and comment the
# new text files before committing them.
# The build's output goes to $REENTRY_FUZZ_OUT/build-<preset>.log (its end is
# printed if it fails). REENTRY_BUGS, which the targets read, must name bugs
# of the registry (core/bugs.c).
# Exit 0 done, 1 the sync check failed, 2 usage or build error.
set -euo pipefail
cd "$(dirname "$0")/.."
prog=ci/merge.sh
. ci/lib.sh

usage_error() {
	echo "$prog: $* (see --help)" >&2
	exit 2
}

engine=libfuzzer corpus_root="" targets=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help)
		# the comment block at the top of this file
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0
		;;
	--engine | --target | --corpus)
		[ $# -ge 2 ] || usage_error "$1 needs a value"
		case $1 in
		--engine) engine=$2 ;;
		--target)
			IFS=, read -ra names <<<"$2"
			targets+=("${names[@]}")
			;;
		--corpus) corpus_root=$2 ;;
		esac
		shift 2
		;;
	*) usage_error "unknown argument '$1'" ;;
	esac
done
case $engine in
libfuzzer) preset=fuzz ;;
afl) preset=afl ;;
*) usage_error "--engine must be libfuzzer or afl, not '$engine'" ;;
esac
if [ ${#targets[@]} -eq 0 ]; then
	for src in fuzz/targets/*.c; do targets+=("$(basename "$src" .c)"); done
else
	for t in "${targets[@]}"; do
		[ -f "fuzz/targets/$t.c" ] || usage_error "no fuzz target '$t'"
	done
fi
[ -z "$corpus_root" ] || [ -d "$corpus_root" ] || usage_error "no directory '$corpus_root'"
check_reentry_bugs

if [ $engine = afl ]; then ci/deps.sh --afl >/dev/null; else ci/deps.sh >/dev/null; fi
reentry=build/$preset/reentry
out=${REENTRY_FUZZ_OUT:-out/fuzz}
mkdir -p "$out"
build_preset_or_die $preset "$out/build-$preset.log"
# scratch space beside the outputs (afl-cmin: AFL_ALLOW_TMP lets it work under /tmp)
work=$(mktemp -d "$out/merge.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The grown inputs of target $1, one path a line.
grown_inputs() {
	local dir
	if [ $engine = afl ]; then
		dir=${corpus_root:+$corpus_root/$1}
		dir=${dir:-$out/$1/afl}
		[ -d "$dir" ] && find "$dir" -path '*/queue/id:*' -type f
	else
		dir=${corpus_root:+$corpus_root/$1}
		dir=${dir:-$out/$1/corpus}
		[ -d "$dir" ] && find "$dir" -type f
	fi
	return 0
}

added_total=0
for t in "${targets[@]}"; do
	mapfile -t inputs < <(grown_inputs "$t")
	[ ${#inputs[@]} -gt 0 ] || continue
	w=$work/$t
	mkdir -p "$w/grown" "$w/picked" "corpus/$t" "corpus/text/$t"
	for i in "${!inputs[@]}"; do cp "${inputs[$i]}" "$w/grown/$i"; done
	if [ $engine = afl ]; then
		# afl-cmin keeps the smallest inputs covering every edge of seeds + grown
		cp corpus/"$t"/* "$w/grown/" 2>/dev/null || true
		AFL_ALLOW_TMP=1 afl-cmin -m none -i "$w/grown" -o "$w/picked" -- "build/afl/${t}_fuzzer" >"$w/log" 2>&1 ||
			{ cat "$w/log" >&2; echo "$prog: afl-cmin failed for $t" >&2; exit 2; }
	else
		# -merge=1 into a copy of the seeds: only inputs with new coverage join
		cp corpus/"$t"/* "$w/picked/" 2>/dev/null || true
		"build/fuzz/${t}_fuzzer" -merge=1 "$w/picked" "$w/grown" >"$w/log" 2>&1 ||
			{ tail -n 20 "$w/log" >&2; echo "$prog: -merge=1 failed for $t" >&2; exit 2; }
	fi
	# the seeds there already, by content
	declare -A have=()
	for s in corpus/"$t"/*; do
		[ -f "$s" ] && have[$(sha1sum <"$s" | cut -c1-40)]=1
	done
	added=0
	for f in "$w/picked"/*; do
		[ -f "$f" ] || continue
		[ -z "${have[$(sha1sum <"$f" | cut -c1-40)]:-}" ] || continue
		"$reentry" decode --binary "$f" >"$w/text" || exit 2
		"$reentry" encode "$w/text" -o "$w/bin" || exit 2
		hash=$(sha1sum <"$w/bin" | cut -c1-40)
		[ -z "${have[$hash]:-}" ] || continue
		have[$hash]=1
		name=merged-${hash:0:12}
		{
			echo "# merged by ci/merge.sh ($engine) from a grown corpus: review and describe"
			cat "$w/text"
		} >"corpus/text/$t/$name.txt"
		# the encoding of the text file as saved (comments do not change it)
		"$reentry" encode "corpus/text/$t/$name.txt" -o "corpus/$t/$name.bin" || exit 2
		added=$((added + 1))
	done
	unset have
	echo "$t: ${#inputs[@]} grown inputs, $added new seeds in corpus/$t/ (text in corpus/text/$t/)"
	added_total=$((added_total + added))
done

echo "$prog: $added_total new seeds"
if ! tests/corpus_in_sync.sh "$reentry" corpus; then
	echo "$prog: the seeds are out of sync with corpus/text/" >&2
	exit 1
fi
