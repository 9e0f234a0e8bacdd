#!/bin/sh
# The injection heatmap page of the seed corpus, checked two ways:
#   heatmap_page.sh same REENTRY SOURCE_DIR
#       two runs write byte-identical pages;
# (both: every nolock-path function the page lists is still defined in core/)
#   heatmap_page.sh chromium REENTRY SOURCE_DIR
#       the page, rendered by headless Chromium (--dump-dom: the DOM after
#       the page's script ran), shows what it must: its script ran, the
#       function table lists kmalloc_nolock_why (the model of
#       kmalloc_nolock_noprof) with interrupts landed, known lock-holding
#       lines are marked with their lock, and the nolock-path summary says
#       how many functions were interrupted and which were never reached;
#       it fits a 1400 px window, and a deep link to a source line
#       (index.html#core/slub.c:N) renders that line, not a blank screen.
#       Exit 77 (ctest: skipped) when chromium is not installed (ci/deps.sh --chromium
#       installs it).
set -u
mode=$1 reentry=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

"$reentry" heatmap "$src/corpus/nolock" -o "$tmp/a" >"$tmp/summary" || fail "reentry heatmap exited $?"
cat "$tmp/summary"
# every function of heatmap_nolock_functions (fuzz/heatmap.c) is still in core/
! grep -q 'id="not-in-source"' "$tmp/a/index.html" ||
	fail "$(sed -n 's/.*<li id="not-in-source"[^>]*>\(.*\)<\/li>.*/\1/p' "$tmp/a/index.html")"

# the terminal's nolock line and the page's nolock list count alike:
# "N of T functions interrupted, Q reached but never interrupted, ..., V never reached"
page_count() { # page_count LI_ID: the (N) of that item of the page's list, 0 if absent
	n=$(sed -n "s/.*<li id=\"$1\" class=\"[a-z]*\">.*(\([0-9]*\)): .*/\1/p" "$tmp/a/index.html")
	echo "${n:-0}"
}
line=$(grep '^nolock ' "$tmp/summary")
cli_interrupted=$(echo "$line" | sed -n 's/^nolock *\([0-9]*\) of [0-9]* functions interrupted.*/\1/p')
cli_quiet=$(echo "$line" | sed -n 's/^nolock *[0-9]* of [0-9]* functions interrupted, \([0-9]*\) reached .*/\1/p')
cli_never=$(echo "$line" | sed -n 's/.*, \([0-9]*\) never reached.*/\1/p')
for pair in "interrupted $cli_interrupted" "never-interrupted $cli_quiet" "never-reached $cli_never"; do
	set -- $pair
	[ -n "${2:-}" ] || fail "cannot read the terminal's count of '$1' in: $line"
	[ "$(page_count "$1")" = "$2" ] ||
		fail "the page counts $(page_count "$1") functions '$1', the terminal $2 ($line)"
done
echo "terminal and page agree: $cli_interrupted interrupted, $cli_quiet reached but never interrupted, $cli_never never reached"

case $mode in
same)
	"$reentry" heatmap "$src/corpus/nolock" -o "$tmp/b" >/dev/null || fail "second run exited $?"
	cmp "$tmp/a/index.html" "$tmp/b/index.html" || fail "two runs wrote different pages"
	echo "same page twice ($(wc -c <"$tmp/a/index.html") bytes)"
	;;
chromium)
	if ! command -v chromium >/dev/null 2>&1; then
		echo "chromium is not installed (ci/deps.sh --chromium installs it): skipped"
		exit 77
	fi
	# a throwaway profile; root in a container needs --no-sandbox, and a
	# container's /dev/shm may be too small for chromium's shared memory;
	# a 1400x900 window, the size the page must fit
	browse() { # browse ARGS...: chromium, bounded, or fail
		status=0
		timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
			--no-first-run --user-data-dir="$tmp/profile" --window-size=1400,900 \
			"$@" 2>"$tmp/chromium.log" || status=$?
		if [ "$status" != 0 ]; then
			tail -5 "$tmp/chromium.log"
			fail "chromium exited $status"
		fi
	}
	browse --dump-dom "file://$tmp/a/index.html" >"$tmp/dom.html"
	dom=$tmp/dom.html

	# the script ran and counted the source rows
	rows=$(sed -n 's/.*<body[^>]*data-rendered="\([0-9]*\)".*/\1/p' "$dom")
	[ -n "$rows" ] && [ "$rows" -gt 0 ] || fail "the page's script did not run (no data-rendered on body)"
	echo "rendered: $rows source rows"

	# kmalloc_nolock_why's row in the function table: the kernel function it
	# models, and total interrupts > 0
	row=$(grep -o '<tr data-fn="kmalloc_nolock_why"[^>]*>.*' "$dom")
	echo "$row" | grep -q '<td class="kernel">kmalloc_nolock_noprof()</td>' ||
		fail "the kmalloc_nolock_why row does not say it models kmalloc_nolock_noprof()"
	total=$(echo "$row" | sed -n 's/.*<td class="n total">\([0-9]*\)<\/td>.*/\1/p')
	[ -n "$total" ] && [ "$total" -gt 0 ] ||
		fail "the function table has no kmalloc_nolock_why row with interrupts landed"
	echo "kmalloc_nolock_why (kmalloc_nolock_noprof): $total interrupts landed"

	# lines known to hold a lock: found by their text, so edits elsewhere do not matter
	check_lock() { # check_lock FILE 'TEXT' LOCK
		line=$(grep -nF -- "$2" "$src/$1" | cut -d: -f1)
		[ "$(echo "$line" | wc -l)" = 1 ] && [ -n "$line" ] || fail "'$2' is not one line of $1"
		grep -o "<tr id=\"$1:$line\"[^>]*>.*" "$dom" | grep -q "data-locks=\"[^\"]*$3" ||
			fail "$1:$line ($2) is not marked with $3"
		echo "$1:$line marked: $3"
	}
	check_lock core/slub.c 'c->freelist = get_freepointer(s, freelist);' 'per-CPU lock'
	check_lock core/slub.c 'plain_store(n->nr_partial, n->nr_partial + 1);' 'list_lock'
	check_lock core/page_alloc.c 'zone->nr_free[o]--;' 'zone lock'

	# the nolock-path summary: some interrupted, and the never-reached list is there
	interrupted=$(sed -n 's/.*data-interrupted="\([0-9]*\)".*/\1/p' "$dom" | head -1)
	[ -n "$interrupted" ] && [ "$interrupted" -gt 0 ] || fail "no nolock-path function interrupted"
	grep -q '<li id="never-reached"' "$dom" || fail "no never-reached list"
	echo "nolock paths: $interrupted functions interrupted"

	# nothing is wider than the window (the script measures the page's overflow)
	overflow=$(sed -n 's/.*<body[^>]*data-overflow="\([0-9]*\)".*/\1/p' "$dom")
	[ "$overflow" = 0 ] || fail "the page is ${overflow:-?} px wider than a 1400 px window"
	echo "fits a 1400 px window"

	# a deep link to a line renders that line, not a blank screen: its
	# screenshot differs from an empty page's and from the page's top
	line=$(grep -nF -- 'c->freelist = get_freepointer(s, freelist);' "$src/core/slub.c" | cut -d: -f1)
	[ "$(echo "$line" | wc -l)" = 1 ] && [ -n "$line" ] || fail "no single deep-link line in core/slub.c"
	printf '<!DOCTYPE html>\n<html><body></body></html>\n' >"$tmp/blank.html"
	browse --screenshot="$tmp/blank.png" "file://$tmp/blank.html" >/dev/null
	browse --screenshot="$tmp/top.png" "file://$tmp/a/index.html" >/dev/null
	browse --screenshot="$tmp/deep.png" "file://$tmp/a/index.html#core/slub.c:$line" >/dev/null
	[ -s "$tmp/deep.png" ] || fail "no screenshot of index.html#core/slub.c:$line"
	! cmp -s "$tmp/deep.png" "$tmp/blank.png" || fail "index.html#core/slub.c:$line renders blank"
	! cmp -s "$tmp/deep.png" "$tmp/top.png" || fail "index.html#core/slub.c:$line shows the page's top"
	echo "index.html#core/slub.c:$line renders its line"
	;;
*)
	fail "usage: heatmap_page.sh same|chromium REENTRY SOURCE_DIR"
	;;
esac
