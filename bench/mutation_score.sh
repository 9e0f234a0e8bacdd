#!/bin/sh
# bench/mutation_score.sh — how many deliberately broken models does
# `reentry verify` catch? Mutants of core/'s re-entrancy paths
# (bench/mutants.py: seven operators that mirror how such bugs are made) are
# each built and verified; the score is the share of compiling mutants that
# verify reports (exit 1). Survivors are listed, each with its change, to be
# judged: equivalent (say why in bench/README.md) or a blind spot to close.
#
#   bench/mutation_score.sh [-j WORKERS] [--only ID[,ID...]] [--verify-args ARGS]
#
# Each worker has its own copy of the tree and build (test preset flags:
# ASan+UBSan) under $TMPDIR and takes every WORKERS-th mutant: apply, rebuild
# (one object and the link), `reentry verify`, restore. Per mutant, a line:
#   ID OPERATOR FILE:LINE killed|survived|no-build|error [first report]
# then the table by operator and the survivors. Exit 0; 2 on a usage or
# setup error. Needs python3, cmake, ninja, clang.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
workers=$(nproc 2>/dev/null || echo 1)
only=
verify_args=
die() { echo "mutation_score.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-j) [ $# -ge 2 ] || die "-j needs a number"; workers=$2; shift 2 ;;
	--only) [ $# -ge 2 ] || die "--only needs IDs"; only=$2; shift 2 ;;
	--verify-args) [ $# -ge 2 ] || die "--verify-args needs a value"; verify_args=$2; shift 2 ;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (--help)" ;;
	esac
done
case $workers in ''|*[!0-9]*|0) die "-j: '$workers' is not a positive number" ;; esac
command -v python3 >/dev/null || die "python3 is needed (apt-get install python3)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# one snapshot of the tree for every worker and every mutant: the checkout
# may change while the bench runs
. "$src/tests/patched_tree.sh"	# copy_tree
copy_tree "$src" "$tmp/snap"
python3 "$tmp/snap/bench/mutants.py" "$tmp/snap" >"$tmp/mutants.jsonl" || die "bench/mutants.py failed"
total=$(wc -l <"$tmp/mutants.jsonl")
echo "mutants  $total from bench/mutants.py ($(cd "$src" && git rev-parse --short HEAD 2>/dev/null || echo 'no git'))"

# one worker: copy, build once, then its share of the mutants
work() {
	w=$1
	wt=$tmp/w$w
	copy_tree "$tmp/snap" "$wt/src"
	cmake -S "$wt/src" -B "$wt/build" -G Ninja -DCMAKE_C_COMPILER=clang \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DREENTRY_SANITIZE=ON >"$wt/build.log" 2>&1 &&
		nice cmake --build "$wt/build" --target reentry >>"$wt/build.log" 2>&1 ||
		{ echo "worker $w: the unmutated tree does not build (see below)" >&2; tail -20 "$wt/build.log" >&2; return 1; }
	# the unmutated model must verify clean, or no kill means anything
	if ! timeout 900 "$wt/build/reentry" verify --source "$wt/src" -j 1 -o "$wt/out" $verify_args \
		>"$wt/base.log" 2>&1; then
		echo "worker $w: reentry verify on the unmutated tree is not clean:" >&2
		tail -20 "$wt/base.log" >&2
		return 1
	fi
	i=0
	while read -r line; do
		i=$((i + 1))
		[ $((i % workers)) -eq $((w % workers)) ] || continue
		id=$(printf '%s' "$line" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["id"], m["op"], m["file"]+":"+str(m["line"]), m["file"])')
		set -- $id
		if [ -n "$only" ]; then
			case ",$only," in *",$1,"*) ;; *) continue ;; esac
		fi
		cp "$wt/src/$4" "$wt/orig"
		python3 "$tmp/snap/bench/mutants.py" "$tmp/snap" --apply "$1" "$wt/src"
		if ! nice cmake --build "$wt/build" --target reentry >"$wt/m.log" 2>&1; then
			verdict=no-build
			first=
		else
			rm -rf "$wt/out"
			timeout 900 "$wt/build/reentry" verify --source "$wt/src" -j 1 -o "$wt/out" \
				$verify_args >"$wt/m.log" 2>&1
			case $? in
			0) verdict=survived ;;
			1) verdict=killed ;;
			124) verdict=killed-by-timeout ;;
			*) verdict=error ;;
			esac
			first=$(grep -m1 -E '^[a-z0-9-]+ in ' "$wt/m.log" || true)
		fi
		cp "$wt/orig" "$wt/src/$4"
		echo "$1 $2 $3 $verdict $first"
	done <"$tmp/mutants.jsonl"
	nice cmake --build "$wt/build" --target reentry >/dev/null 2>&1
}

w=0
while [ $w -lt "$workers" ]; do
	work $w >"$tmp/result.$w" &
	w=$((w + 1))
done
wait
sort -n "$tmp"/result.* >"$tmp/results"
cat "$tmp/results"
[ -s "$tmp/results" ] || die "no mutant was run (see the worker errors above)"

echo
python3 - "$tmp/results" "$tmp/mutants.jsonl" <<'PY'
import collections, json, sys
rows = [l.split(None, 4) for l in open(sys.argv[1]) if l.strip()]
muts = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[2])}
by = collections.defaultdict(collections.Counter)
for r in rows:
    by[r[1]][r[3]] += 1
print(f"{'operator':24} {'built':>6} {'killed':>7} {'survived':>9} {'no-build':>9}")
tot = collections.Counter()
for op in sorted(by):
    c = by[op]
    built = sum(v for k, v in c.items() if k != "no-build")
    killed = c["killed"] + c["killed-by-timeout"]
    tot.update({"built": built, "killed": killed, "survived": c["survived"], "no-build": c["no-build"],
                "error": c["error"]})
    print(f"{op:24} {built:6} {killed:7} {c['survived']:9} {c['no-build']:9}")
print(f"{'all':24} {tot['built']:6} {tot['killed']:7} {tot['survived']:9} {tot['no-build']:9}")
if tot["error"]:
    print(f"errors   {tot['error']} (verify exited 2 or crashed: see the lines above)")
if tot["built"]:
    print(f"score    {tot['killed']}/{tot['built']} = {100.0 * tot['killed'] / tot['built']:.1f}% "
          f"of the compiling mutants killed")
surv = [r for r in rows if r[3] == "survived"]
if surv:
    print("survivors:")
    for r in surv:
        m = muts[int(r[0])]
        print(f"  {r[0]:>3} {r[1]} {r[2]}")
        for line, text in m["edits"]:
            print(f"        line {line}: " + ("(deleted)" if text is None else text.strip()))
PY
