/*
 * tests/test_anchors.c — function anchors (inject/fn_anchor.h,
 * fuzz/anchors.h): "@fn+K" fires at the operation's K-th boundary in fn;
 * converting a program's ordinals to function anchors and back names the
 * same boundaries (the same landings, the same verdict); an anchor the run
 * never reaches says how far its function got ("stale anchor"); a file's
 * text is rewritten with every other byte kept.
 */
#include "test.h"

#include "../fuzz/anchors.h"
#include "../fuzz/exec.h"
#include "../fuzz/program.h"

#include <string.h>

/* Ordinals spread over the slow path, one inside an earlier handler (@12,
 * after the NMI at @10 ran its kmalloc_nolock), and a fault at a boundary. */
static const char ordinals_text[] =
	"cpu0 task: a = kmalloc(64, GFP_KERNEL)\n"
	"cpu0 task: b = kmalloc(64, GFP_KERNEL)\n"
	"cpu0 task: c = kmalloc(64, GFP_KERNEL)\n"
	"cpu0 task: d = kmalloc(64, GFP_KERNEL)\n"
	"cpu0 task: e = kmalloc(64, GFP_KERNEL)  @10 nmi { x = kmalloc_nolock(64, 0) }"
	"  @12 nmi { y = kmalloc_nolock(128, 0) }  @30 hardirq { kfree(a) }  @40 fail trylock\n"
	"cpu0 task: kfree_nolock(x)\n";

TEST_INJECT(anchors_convert_both_ways_to_the_same_boundaries)
{
	static struct program ord, fn, back;
	struct exec x1 = { .tracing = true }, x2 = { .tracing = true };
	int nfn = 0;

	CHECK(test_parse(ordinals_text, &ord));
	fn = ord;
	CHECK_EQ(anchors_convert(&fn, AT_FUNCTION), 0);
	for (int e = 0; e < fn.nevents; e++)
		nfn += fn.events[e].anchor == AT_FUNCTION;
	CHECK_EQ(nfn, ord.nevents);
	/* the same landings: every event at the same ordinal, same verdict */
	x1.track_anchors = x2.track_anchors = true;
	CHECK_EQ(exec_run(&x1, &ord), exec_run(&x2, &fn));
	/* (fn's events are in another order: count them) */
	CHECK_EQ(__builtin_popcount(x1.events_fired), __builtin_popcount(x2.events_fired));
	CHECK_EQ(__builtin_popcount(x1.events_reached), ord.nevents);
	CHECK_EQ(__builtin_popcount(x2.events_reached), ord.nevents);
	for (int e = 0; e < ord.nevents; e++) {
		int f;

		/* fn's events are sorted by function: find ord's event e in it */
		for (f = 0; f < fn.nevents; f++)
			if (x2.landed[f].ordinal == x1.landed[e].ordinal &&
			    fn.events[f].kind == ord.events[e].kind)
				break;
		CHECK(f < fn.nevents);
		CHECK(x1.landed[e].at.fn == x2.landed[f].at.fn);
		CHECK(strcmp(fn.events[f].fn, x1.landed[e].at.fn) == 0);
		CHECK_EQ(fn.events[f].ordinal, x1.landed[e].at.k);
	}
	/* and back: the ordinals we started from */
	back = fn;
	CHECK_EQ(anchors_convert(&back, AT_BOUNDARY), 0);
	for (int e = 0; e < back.nevents; e++) {
		CHECK_EQ(back.events[e].anchor, ord.events[e].anchor);
		CHECK_EQ(back.events[e].ordinal, ord.events[e].ordinal);
		CHECK_EQ(back.events[e].kind, ord.events[e].kind);
	}
	exec_free(&x1);
	exec_free(&x2);
	return true;
}

/* An event past its function's last boundary in the operation, or in a
 * function the operation never enters: never reached, said with how far the
 * function got; for reentry check, a "stale anchor". */
TEST_INJECT(anchors_stale_anchor_says_what_it_hit)
{
	static const char text[] =
		"cpu0 task: a = kmalloc(64, GFP_KERNEL)  @slab_alloc_node_inner+999 nmi"
		"  @no_such_function+1 nmi  @slab_alloc_node_inner+1 hardirq\n";
	static struct program p;
	struct exec x = { .tracing = true };
	char name[96], why[192];
	int k = 0;

	CHECK(test_parse(text, &p));
	CHECK(exec_run(&x, &p));
	/* sorted: @no_such_function+1, @slab_alloc_node_inner+1, +999 */
	CHECK(!exec_event_fired(&x, 0, name, sizeof(name), why, sizeof(why)));
	CHECK(strcmp(name, "op 0 @no_such_function+1 nmi") == 0);
	CHECK(strcmp(why, "stale anchor: no boundary of the operation is in no_such_function") == 0);
	CHECK(exec_event_fired(&x, 1, name, sizeof(name), why, sizeof(why)));
	CHECK(!exec_event_fired(&x, 2, name, sizeof(name), why, sizeof(why)));
	CHECK(strcmp(name, "op 0 @slab_alloc_node_inner+999 nmi") == 0);
	CHECK(sscanf(why, "stale anchor: the operation has %d boundaries in slab_alloc_node_inner",
		     &k) == 1);
	CHECK(k > 1 && k < 999);
	CHECK(strstr(x.trace, "      @slab_alloc_node_inner+999 nmi: never reached (the operation "
			      "has "));
	CHECK(strstr(x.trace, "      @slab_alloc_node_inner+1 hardirq at slab_alloc_node_inner "));
	exec_free(&x);
	return true;
}

/* The rewrite of a file: ordinals on op lines and on "# unfired:" lines
 * become function anchors; comments (with '@' numbers in them), headers and
 * layout stay byte for byte. */
TEST_INJECT(anchors_rewrite_keeps_every_other_byte)
{
	static const char text[] =
		"# expect: clean\n"
		"# the NMI lands @12 in the old numbering\n"
		"# unfired: op 0 @900 nmi\n"
		"\n"
		"cpu0 task:   a = kmalloc(64, GFP_KERNEL)   @12 nmi { x = kmalloc_nolock(64, 0) }  @900 nmi"
		"  # was @12\n";
	static struct program p;
	static char out[1024];
	int left;

	CHECK(test_parse(text, &p));
	anchors_rewrite_text(text, &p, out, sizeof(out), &left);
	CHECK_EQ(left, 1);	/* @900: past the operation's end */
	CHECK(strncmp(out, "# expect: clean\n# the NMI lands @12 in the old numbering\n"
			   "# unfired: op 0 @900 nmi\n\ncpu0 task:   a = kmalloc(64, GFP_KERNEL)   @",
		      strlen("# expect: clean\n# the NMI lands @12 in the old numbering\n"
			     "# unfired: op 0 @900 nmi\n\ncpu0 task:   a = kmalloc(64, GFP_KERNEL)   @")) == 0);
	CHECK(!strstr(out, "@12 nmi"));	/* the comment's "@12" stays */
	CHECK(strstr(out, "+") && strstr(out, " nmi { x = kmalloc_nolock(64, 0) }  @900 nmi  # was @12\n"));
	CHECK(test_parse(out, &p));
	CHECK_EQ(p.nevents, 2);
	return true;
}
