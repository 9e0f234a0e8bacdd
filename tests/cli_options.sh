#!/usr/bin/env bash
# The `reentry` command's conventions: --help for it and each verb, options
# checked before anything runs (a bad one: one line on stderr, exit 2),
# directories where files go, text or binary by rule, --target, --bug none.
# Usage: cli_options.sh REENTRY SRC_DIR
set -u
reentry=$1 src=$2 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
verbs="verify replay sweep random minimize check heatmap decode encode bugs stress"
regression=$src/corpus/regressions/kprobe-fastpath.txt	# '# bug: kprobe_fastpath'
sweepable=$src/corpus/regressions/kprobe-fastpath-sweep.txt
crash=$src/corpus/sheaves/nmi_frees_task_object.bin	# tagged sheaves

bad() { echo "FAIL: $*"; fail=1; }

# expect STATUS WHAT COMMAND...: the exit status within 10 s (a hang fails);
# exit 2 must be one line on stderr. Output in $tmp/out and $tmp/err.
expect() {
	local want=$1 what=$2 got lines
	shift 2
	timeout 10 "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$got" != "$want" ]; then
		bad "$what: exit $got, expected $want"; head -5 "$tmp/err"; return 1
	elif [ "$want" = 2 ] && [ "$lines" != 1 ]; then
		bad "$what: $lines lines on stderr, expected one"; cat "$tmp/err"; return 1
	fi
	echo "ok    $what"
}

# said FILE PATTERN WHAT: the last command printed PATTERN (grep -E) on out or err
said() {
	grep -Eq -- "$2" "$tmp/$1" || { bad "$3: no '$2' on std$1:"; head -5 "$tmp/$1"; }
}

# --help: the verbs, and each verb's usage and options
expect 0 "reentry --help" "$reentry" --help
for v in $verbs help; do said out "^  $v " "reentry --help lists $v"; done
expect 0 "reentry -h" "$reentry" -h
expect 0 "reentry help" "$reentry" help
for v in $verbs; do
	expect 0 "reentry $v --help" "$reentry" "$v" --help && said out "usage: reentry $v" "$v --help"
	expect 0 "reentry help $v" "$reentry" help "$v" && said out "usage: reentry $v" "help $v"
done
expect 0 "reentry check -h (not a file named -h)" "$reentry" check -h
said out "^  -h, --help" "check -h lists --help"
expect 0 "reentry random --help lists every option" "$reentry" random --help
for o in --target --bug --no-bugs --config --text --binary --depth --kinds --handler --seed --trials; do
	said out "^ +$o " "random --help lists $o"
done

# bad numbers: refused at once, naming the option (-5 used to hang, abc to run 0 trials)
expect 2 "random --trials -5" "$reentry" random "$sweepable" --trials -5 && said err "'--trials'" "--trials -5"
expect 2 "random --trials abc" "$reentry" random "$sweepable" --trials abc && said err "'--trials'" "--trials abc"
expect 2 "random --trials 0" "$reentry" random "$sweepable" --trials 0
expect 2 "random --seed abc" "$reentry" random "$sweepable" --seed abc && said err "'--seed'" "--seed abc"
expect 2 "random --depth 2abc" "$reentry" random "$sweepable" --depth 2abc && said err "'--depth'" "--depth 2abc"
expect 2 "sweep --depth 3" "$reentry" sweep "$sweepable" --depth 3 && said err "'--depth'" "--depth 3"
expect 0 "random --trials 0x10 --seed 7 (hex)" "$reentry" random "$sweepable" --trials 0x10 --seed 7
said out "16 trials" "--trials 0x10 runs 16"

# missing values, unknown options and verbs
expect 2 "replay FILE --bug (no value)" "$reentry" replay "$regression" --bug && said err "option '--bug' needs a value" "missing --bug value"
expect 2 "minimize FILE -o (no value)" "$reentry" minimize "$regression" -o && said err "option '-o' needs a value" "missing -o value"
expect 2 "replay --bogus" "$reentry" replay "$regression" --bogus && said err "unknown option '--bogus'" "unknown option"
expect 2 "sweep --seed (random's option)" "$reentry" sweep "$sweepable" --seed 1 && said err "unknown option '--seed'" "sweep --seed"
expect 2 "replay --bug nope" "$reentry" replay "$regression" --bug nope && said err "no historical bug named 'nope'" "--bug nope"
expect 2 "replay --target nope" "$reentry" replay "$crash" --target nope && said err "no fuzz target named 'nope' \(nolock, " "--target nope"
expect 2 "sweep --config cpus=9" "$reentry" sweep "$sweepable" --config cpus=9 && said err "'--config'" "--config cpus=9"
expect 2 "reentry nope" "$reentry" nope && said err "unknown verb 'nope'" "unknown verb"
expect 2 "reentry help nope" "$reentry" help nope
expect 2 "reentry (no verb)" "$reentry"
expect 2 "replay (no file)" "$reentry" replay
expect 2 "sweep FILE FILE" "$reentry" sweep "$sweepable" "$sweepable"

# --bug none / --no-bugs: the file's own '# bug:' lines off; --bug NAME still adds
expect 1 "replay a regression with its bug" "$reentry" replay "$regression"
expect 0 "replay --bug none" "$reentry" replay "$regression" --bug none && said out "^verdict  clean" "--bug none"
expect 0 "replay FILE --bug none under POSIXLY_CORRECT" env POSIXLY_CORRECT=1 "$reentry" replay "$regression" --bug none
expect 0 "replay --no-bugs" "$reentry" replay "$regression" --no-bugs
expect 1 "replay --bug none --bug kprobe_fastpath" "$reentry" replay "$regression" --bug none --bug kprobe_fastpath
all_bugs=()
for b in $("$reentry" bugs | awk '{ print $1 }'); do all_bugs+=(--bug "$b"); done
[ ${#all_bugs[@]} -gt 16 ] || bad "reentry bugs lists fewer than 9 bugs"
expect 1 "replay with every bug (9 and more --bug)" "$reentry" replay "$regression" "${all_bugs[@]}"

# --target: a crash file replays as its tag says, or as --target says
expect 1 "replay a sheaves crash with its bug" "$reentry" replay "$crash" --bug sheaves_nmi_no_trylock && said out "^deadlock in " "sheaves crash"
expect 0 "replay it --target nolock" "$reentry" replay "$crash" --bug sheaves_nmi_no_trylock --target nolock && said out "^# target: nolock" "--target nolock"
expect 1 "replay it --target sheaves_fuzzer" "$reentry" replay "$crash" --bug sheaves_nmi_no_trylock --target sheaves_fuzzer
# untagged (byte 0 is the old version byte): one note, and it still runs
{ printf '\001'; tail -c +2 "$crash"; } >"$tmp/untagged.bin"
expect 0 "replay an untagged binary" "$reentry" replay "$tmp/untagged.bin" && said err "untagged binary input" "the untagged note"
[ "$(wc -l <"$tmp/err")" = 1 ] || bad "the untagged note is not one line"
expect 0 "replay an untagged binary --target nolock" "$reentry" replay "$tmp/untagged.bin" --target nolock
[ -s "$tmp/err" ] && bad "--target: still the untagged note"

# directories: every regular file, sorted, not hidden ones, not recursing; no limit
mkdir -p "$tmp/dir/sub" "$tmp/many" "$tmp/empty"
cp "$src/corpus/nolock/basic.bin" "$tmp/dir/b.bin"
cp "$src/corpus/nolock/faults.bin" "$tmp/dir/a.bin"
cp "$regression" "$tmp/dir/.hidden"
cp "$regression" "$tmp/dir/sub/c.txt"
expect 0 "replay DIR" "$reentry" replay "$tmp/dir/"
[ "$(grep '^== ' "$tmp/out" | tr '\n' ' ')" = "== $tmp/dir/a.bin == $tmp/dir/b.bin " ] ||
	bad "replay DIR: $(grep '^== ' "$tmp/out" | tr '\n' ' ')"
for i in $(seq 1 70); do cp "$src/corpus/nolock/basic.bin" "$tmp/many/$i.bin"; done
expect 0 "replay 70 files (it dropped those past 64)" "$reentry" replay "$tmp"/many/*.bin
[ "$(grep -c '^== ' "$tmp/out")" = 70 ] || bad "replay 70 files: $(grep -c '^== ' "$tmp/out") replayed"
expect 0 "check DIR" "$reentry" check "$tmp/dir/sub" && said out "^ok   $tmp/dir/sub/c.txt" "check DIR"
expect 2 "replay an empty DIR" "$reentry" replay "$tmp/empty"
for v in sweep random minimize decode encode; do
	expect 2 "$v DIR" "$reentry" "$v" "$tmp/dir" && said err "is a directory" "$v DIR"
done

# text or binary, by rule: these three used to run as random binary programs
printf '// a comment as in C\ncpu0 task: a = kmalloc(64, GFP_KERNEL)\n' >"$tmp/slashes.txt"
expect 2 "replay a text starting with //" "$reentry" replay "$tmp/slashes.txt" && said err "line 1, column 1: " "// text"
printf '\357\273\277' >"$tmp/bom.txt"
cat "$regression" >>"$tmp/bom.txt"
expect 1 "replay a text with a BOM" "$reentry" replay "$tmp/bom.txt"
cp "$tmp/out" "$tmp/bom.out"
"$reentry" replay "$regression" >"$tmp/plain.out" 2>/dev/null
cmp -s "$tmp/bom.out" "$tmp/plain.out" || bad "a BOM changes the replay"
expect 0 "check a text with a BOM" "$reentry" check "$tmp/bom.txt"
printf '# expect: clean\ncpu0 task: a = kmalloc(64, GFP_KERNEL)\000\ncpu0 task: kfree(a)\n' >"$tmp/nul.txt"
expect 0 "replay a text holding a NUL: binary, said" "$reentry" replay "$tmp/nul.txt" &&
	said err "untagged binary input \(line 2, column 39: a NUL byte\)" "NUL note"
expect 2 "replay --text a text holding a NUL" "$reentry" replay --text "$tmp/nul.txt" &&
	said err "line 2, column 39: a NUL byte" "--text NUL"
expect 2 "check a text holding a NUL" "$reentry" check "$tmp/nul.txt"
printf '# caf\303\251 \342\202\254\ncpu0 task: a = kmalloc(64, GFP_KERNEL)\n' >"$tmp/utf8.txt"
expect 0 "replay a UTF-8 text" "$reentry" replay "$tmp/utf8.txt"
printf '# caf\351 (Latin-1)\ncpu0 task: a = kmalloc(64, GFP_KERNEL)\n' >"$tmp/latin1.txt"
expect 2 "encode a Latin-1 text: binary by the rule" "$reentry" encode "$tmp/latin1.txt" &&
	said err "line 1, column 6: byte 0xe9, not UTF-8" "Latin-1"
expect 0 "encode --text a Latin-1 text" "$reentry" encode --text "$tmp/latin1.txt" -o "$tmp/latin1.bin"
expect 0 "replay --binary a text program" "$reentry" replay --binary "$tmp/utf8.txt" && said err "\(--binary\)" "--binary note"
expect 2 "replay --text a crash file" "$reentry" replay --text "$crash" && said err "line 1, column [0-9]+: " "--text crash"
expect 2 "replay --text --binary" "$reentry" replay --text --binary "$crash"

# encode takes text, decode binary; encode says only what the binary form can
expect 2 "encode a binary input" "$reentry" encode "$crash" && said err "reentry encode takes a text program" "encode binary"
expect 2 "decode a text program" "$reentry" decode "$regression" && said err "reentry decode takes a binary input" "decode text"
expect 0 "decode --binary a text program" "$reentry" decode --binary "$tmp/utf8.txt"
printf '# target: nolock\n# config: cpus=6\ncpu5 task: a = kmalloc(64, GFP_KERNEL)\n' >"$tmp/cpus6.txt"
expect 2 "encode cpus=6 for nolock" "$reentry" encode "$tmp/cpus6.txt" && said err "cannot be encoded for nolock_fuzzer" "cpus=6"
printf '# config: slab_objects=5\ncpu0 task: a = kmalloc(64, GFP_KERNEL)\n' >"$tmp/objects5.txt"
expect 0 "encode slab_objects=5 (no target)" "$reentry" encode "$tmp/objects5.txt" -o "$tmp/objects5.bin"
expect 2 "encode slab_objects=5 --target sheaves" "$reentry" encode --target sheaves "$tmp/objects5.txt"
expect 0 "encode --target nolock" "$reentry" encode --target nolock "$tmp/utf8.txt" -o "$tmp/tagged.bin"
[ "$(od -An -tx1 -N1 "$tmp/tagged.bin" | tr -d ' ')" = 81 ] || bad "encode --target nolock: byte 0 is not 0x81"
expect 0 "decode it" "$reentry" decode "$tmp/tagged.bin" && said out "^# target: nolock" "decode tagged"

: >"$tmp/empty.bin"
expect 0 "decode an empty file (the empty program, either form)" "$reentry" decode "$tmp/empty.bin"
printf 'abcd' >"$tmp/corpus-input"
expect 0 "replay --binary a printable fuzzer input" "$reentry" replay --binary "$tmp/corpus-input"

# --config where programs are read
expect 0 "sweep --config design=sheaves" "$reentry" sweep "$sweepable" --config design=sheaves --bug none &&
	said out "design=sheaves" "sweep --config"

# stress keeps its own parser
expect 2 "stress --cpus 0" "$reentry" stress --cpus 0


# check: a regression's events must all fire ('# unfired:' names those that
# must not), or it no longer tests what it says
printf '# expect: clean\ncpu0 task: a = kmalloc(64, GFP_KERNEL)  @1000 nmi\n' >"$tmp/dead.txt"
expect 1 "check: an event past the operation's end fails" "$reentry" check "$tmp/dead.txt" &&
	said out "op 0 @1000 nmi did not fire \(never reached\)" "check names the dead event"
printf '# expect: clean\ncpu0 irqs_off: a = kmalloc(64, GFP_ATOMIC)  @1 hardirq\n' >"$tmp/refused.txt"
expect 1 "check: an event refused where it lands fails" "$reentry" check "$tmp/refused.txt" &&
	said out "op 0 @1 hardirq did not fire \(refused where it landed\)" "check names the refused event"
{ echo "# unfired: op 0 @1000 nmi"; cat "$tmp/dead.txt"; } >"$tmp/listed.txt"
expect 0 "check: an event listed as '# unfired:' passes" "$reentry" check "$tmp/listed.txt"
printf '# unfired: op 0 @1 nmi\n# expect: clean\ncpu0 task: a = kmalloc(64, GFP_KERNEL)  @1 nmi\n' >"$tmp/stale.txt"
expect 1 "check: a stale '# unfired:' line fails" "$reentry" check "$tmp/stale.txt" &&
	said out "names an event that fires" "check names the stale line"

[ $fail = 0 ] && echo "the reentry command keeps its conventions"
exit $fail
