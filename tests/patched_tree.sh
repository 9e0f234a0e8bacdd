# tests/patched_tree.sh — sourced by the tests that build a patched copy of
# the tree (a planted bug, a patch that moves boundaries): copy_tree SRC DEST
# copies the sources without builds or git; build_reentry TREE BUILD builds
# its `reentry` with the test preset's flags (ASan+UBSan), or says why not
# and fails the test.
copy_tree() {
	mkdir -p "$2"
	(cd "$1" && tar cf - --exclude=./build --exclude=./out --exclude=./.git .) | (cd "$2" && tar xf -)
}

build_reentry() {
	cmake -S "$1" -B "$2" -G Ninja -DCMAKE_C_COMPILER=clang \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DREENTRY_SANITIZE=ON >"$2.log" 2>&1 &&
		cmake --build "$2" --target reentry >>"$2.log" 2>&1 ||
		{ tail -n 20 "$2.log"; echo "FAIL: the patched tree does not build"; exit 1; }
}
