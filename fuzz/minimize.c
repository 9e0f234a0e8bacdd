/*
 * fuzz/minimize.c — delta debugging on programs (see minimize.h).
 *
 * Greedy and deterministic: try removing each event, each handler
 * operation and each top-level operation, last first, keep every removal
 * after which the report is the same (class and where), and repeat until a
 * whole round removes nothing. Removing a top-level operation drops its
 * events and renumbers the later ones; ordinals stay, since they count
 * within their own operation.
 */
#include "minimize.h"
#include "anchors.h"

#include <string.h>

static bool same_report(const struct program *p, const struct exec_report *key)
{
	struct exec x = { 0 };
	bool same;

	same = !exec_run(&x, p) && strcmp(x.report.cls, key->cls) == 0 &&
	       strcmp(x.report.where, key->where) == 0;
	exec_free(&x);
	return same;
}

static void drop_event(struct program *p, int i)
{
	memmove(&p->events[i], &p->events[i + 1], (size_t)(p->nevents - i - 1) * sizeof(p->events[0]));
	p->nevents--;
}

static void drop_handler_op(struct event *ev, int j)
{
	memmove(&ev->ops[j], &ev->ops[j + 1], (size_t)(ev->nops - j - 1) * sizeof(ev->ops[0]));
	ev->nops--;
}

static void drop_op(struct program *p, int i)
{
	for (int e = p->nevents - 1; e >= 0; e--) {
		if (p->events[e].op == i)
			drop_event(p, e);
		else if (p->events[e].op > i)
			p->events[e].op--;
	}
	memmove(&p->ops[i], &p->ops[i + 1], (size_t)(p->nops - i - 1) * sizeof(p->ops[0]));
	p->nops--;
}

bool program_minimize(const struct program *p, struct program *out, struct exec_report *key)
{
	static struct program cur, cand;
	struct exec x = { 0 };
	bool changed = true;

	if (exec_run(&x, p)) {
		exec_free(&x);
		return false;
	}
	*key = x.report;
	exec_free(&x);
	cur = *p;
	while (changed) {
		changed = false;
		for (int e = cur.nevents - 1; e >= 0; e--) {
			cand = cur;
			drop_event(&cand, e);
			if (same_report(&cand, key)) {
				cur = cand;
				changed = true;
			}
		}
		for (int e = cur.nevents - 1; e >= 0; e--) {
			for (int j = cur.events[e].nops - 1; j >= 0; j--) {
				cand = cur;
				drop_handler_op(&cand.events[e], j);
				if (same_report(&cand, key)) {
					cur = cand;
					changed = true;
				}
			}
		}
		for (int i = cur.nops - 1; i >= 0 && cur.nops > 1; i--) {
			cand = cur;
			drop_op(&cand, i);
			if (same_report(&cand, key)) {
				cur = cand;
				changed = true;
			}
		}
	}
	/* minimized on whatever anchors it came with; said by function */
	anchors_convert(&cur, AT_FUNCTION);
	*out = cur;
	snprintf(out->expect, sizeof(out->expect), "%s", key->cls);
	return true;
}
