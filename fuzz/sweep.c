/*
 * fuzz/sweep.c — exhaustive injection (see sweep.h).
 *
 * A reference run records, before each operation, a snapshot of the world
 * and of the oracle, and during the operation which event kinds may fire at
 * each of its boundaries. A trial restores the snapshot of its operation,
 * adds its event(s) to the program's own schedule, and runs the rest of the
 * program and the end checks — unless the state its operation left is one
 * whose future is known clean (fuzz/state_cache.h): the reference run's
 * after the same operation, or an earlier trial's that ran clean.
 */
#include "anchors.h"
#include "sweep.h"
#include "state_cache.h"
#include "../core/prandom.h"

#include "../core/bugs.h"
#include "../inject/snapshot.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECORD_CAP (1u << 20)

struct point {
	struct snapshot world;
	struct exec_state oracle;
	struct digest after;	/* the reference run's state after the operation */
	uint16_t *masks;	/* kinds allowed at each boundary of the operation */
	uint32_t boundaries;
};

static void count_class(struct sweep_result *r, const char *cls)
{
	for (int i = 0; i < r->nclasses; i++) {
		if (strcmp(r->classes[i].cls, cls) == 0) {
			r->classes[i].count++;
			return;
		}
	}
	if (r->nclasses < SWEEP_MAX_CLASSES) {
		snprintf(r->classes[r->nclasses].cls, sizeof(r->classes[0].cls), "%s", cls);
		r->classes[r->nclasses++].count = 1;
	}
}

static void progress(const struct sweep_options *o, unsigned long done, unsigned long total)
{
	static int last = -1;
	int pct = total ? (int)(done * 100 / total) : 100;

	if (!o->progress || pct == last)
		return;
	last = pct;
	fprintf(stderr, "\r[%-40.*s] %3d%% %lu/%lu trials", pct * 40 / 100,
		"========================================", pct, done, total);
	if (done == total) {
		fprintf(stderr, "\n");
		last = -1;
	}
}

static struct engine_event make_event(const struct program *p, int op, uint32_t ordinal, int kind)
{
	return (struct engine_event){
		.kind = (enum event_kind)kind, .anchor = AT_BOUNDARY, .op = op,
		.ordinal = ordinal, .count = 1,
		/* a preempted task resumes on the next CPU */
		.cpu = (p->ops[op].cpu + 1) % (kconfig.nr_cpus ? kconfig.nr_cpus : 1),
	};
}

/* One trial from the point before operation op. Returns true if it reported. */
static bool trial(struct exec *x, const struct program *p, const struct sweep_options *o,
		  struct point *pt, int op, struct engine_event *ev, int nev, struct sweep_result *r,
		  uint16_t *record, uint32_t *boundaries, struct state_cache *cache)
{
	struct digest after = { 0, 0 };

	snapshot_restore(&pt->world);
	exec_resume(x, &pt->oracle);
	x->extra = ev;
	x->nextra = nev;
	x->record = record;
	x->record_cap = RECORD_CAP;
	/* the injected operation alone, then the rest */
	exec_ops(x, op, op + 1);
	if (record)
		*boundaries = engine_ordinal();
	x->record = NULL;
	r->trials++;
	if (!x->reported && cache) {
		after = state_after(x, op, &pt->world, &pt->oracle);
		if (digest_equal(&after, &pt->after) || state_cache_has(cache, &after)) {
			r->pruned++;
			return false;	/* its future ran clean already */
		}
	}
	if (!x->reported)
		exec_ops(x, op + 1, p->nops);
	if (!x->reported)
		exec_finish(x);
	if (!x->reported) {
		if (cache)
			state_cache_add(cache, &after);
		return false;
	}
	r->reports++;
	count_class(r, x->report.cls);
	if (o->on_report)
		o->on_report(o->ctx, x);
	if (!r->nfirst) {
		r->nfirst = nev;
		memcpy(r->first, ev, (size_t)nev * sizeof(*ev));
		r->first_report = x->report;
	}
	return true;
}

/* Is operation i swept at all (not with an empty handler of its own)? */
static bool swept(const struct sweep_options *o, int i)
{
	return !o->op_handlers || o->op_handlers[i].nops > 0;
}

static unsigned long count_trials(const struct program *p, const struct point *pts,
				  const struct sweep_options *o)
{
	unsigned int kinds = o->kinds;
	unsigned long n = 0;

	for (int i = 0; i < p->nops; i++)
		if (swept(o, i))
			for (uint32_t k = 0; k < pts[i].boundaries && k < RECORD_CAP; k++)
				n += (unsigned long)__builtin_popcount(pts[i].masks[k] & kinds);
	return n;
}

/*
 * The reference run: before each operation a snapshot of the world and the
 * oracle; during it, the kinds that may fire at each boundary. False if the
 * program reports without any injected event (r says what).
 */
static bool reference_run(struct exec *x, const struct program *p, struct point *pts,
			  uint16_t *record, struct sweep_result *r)
{
	memset(r, 0, sizeof(*r));
	r->operations = (unsigned long)p->nops;
	exec_begin(x, p);
	for (int i = 0; i < p->nops && !x->reported; i++) {
		snapshot_take(&pts[i].world);
		pts[i].oracle = x->st;
		x->record = record;
		x->record_cap = RECORD_CAP;
		exec_ops(x, i, i + 1);
		if (!x->reported)
			pts[i].after = state_after(x, i, &pts[i].world, &pts[i].oracle);
		pts[i].boundaries = engine_ordinal();
		pts[i].masks = malloc((pts[i].boundaries ? pts[i].boundaries : 1) * sizeof(uint16_t));
		if (!pts[i].masks)
			abort();
		memcpy(pts[i].masks, record, pts[i].boundaries * sizeof(uint16_t));
		r->boundaries += pts[i].boundaries;
	}
	x->record = NULL;
	if (!x->reported)
		exec_finish(x);
	if (!x->reported)
		return true;
	r->reference_failed = true;
	r->reports = 1;
	count_class(r, x->report.cls);
	r->first_report = x->report;
	return false;
}

static void free_points(const struct program *p, struct point *pts)
{
	for (int i = 0; i < p->nops; i++) {
		snapshot_free(&pts[i].world);
		free(pts[i].masks);
	}
	free(pts);
}

void sweep_run(const struct program *p, const struct sweep_options *o, struct sweep_result *r)
{
	struct point *pts = calloc((size_t)p->nops + 1, sizeof(*pts));
	uint16_t *record = malloc(RECORD_CAP * sizeof(*record));
	uint16_t *record2 = o->depth > 1 ? malloc(RECORD_CAP * sizeof(*record2)) : NULL;
	struct exec x = { .extra_handler = o->handler, .nextra_handler = o->nhandler };
	struct state_cache *cache = o->no_state_cache ? NULL : state_cache_new();
	unsigned long total, done = 0;

	if (!pts || !record || (o->depth > 1 && !record2))
		abort();
	if (!reference_run(&x, p, pts, record, r))
		goto out;

	total = count_trials(p, pts, o);
	for (int i = 0; i < p->nops; i++) {
		if (!swept(o, i))
			continue;
		if (o->op_handlers) {
			x.extra_handler = o->op_handlers[i].ops;
			x.nextra_handler = o->op_handlers[i].nops;
		}
		for (uint32_t k = 1; k <= pts[i].boundaries && k <= RECORD_CAP; k++) {
			for (int kind = 0; kind < NR_EVENT_KINDS; kind++) {
				struct engine_event ev[2];
				uint32_t b2 = 0;

				if (!(o->kinds & pts[i].masks[k - 1] & (1u << kind)))
					continue;
				ev[0] = make_event(p, i, k, kind);
				if (trial(&x, p, o, &pts[i], i, ev, 1, r, record2, &b2, cache) || o->depth < 2)
					goto next;
				/* depth 2: a second event later in the same operation */
				for (uint32_t k2 = k + 1; k2 <= b2 && k2 <= RECORD_CAP; k2++)
					for (int kind2 = 0; kind2 < NR_EVENT_KINDS; kind2++)
						if (o->kinds & record2[k2 - 1] & (1u << kind2)) {
							ev[1] = make_event(p, i, k2, kind2);
							trial(&x, p, o, &pts[i], i, ev, 2, r, NULL, NULL, cache);
						}
next:
				progress(o, ++done, total);
			}
		}
	}
	progress(o, total, total);
out:
	state_cache_free(cache);
	free_points(p, pts);
	free(record);
	free(record2);
	exec_free(&x);
}

/* The n-th allowed (op, boundary, kind) of the reference run, n < total. */
static struct engine_event nth_pair(const struct program *p, const struct point *pts,
				    unsigned int kinds, unsigned long n)
{
	for (int i = 0; i < p->nops; i++)
		for (uint32_t k = 0; k < pts[i].boundaries && k < RECORD_CAP; k++)
			for (int kind = 0; kind < NR_EVENT_KINDS; kind++)
				if (pts[i].masks[k] & kinds & (1u << kind) && n-- == 0)
					return make_event(p, i, k + 1, kind);
	abort();
}

/*
 * Random schedules, PCT-style: each trial draws its events uniformly from
 * the (operation, boundary, kind) triples where the reference run allowed
 * them, from a seeded generator. A bug that needs one particular triple is
 * found by each trial with probability ≥ 1/M (M triples); with depth 2, one
 * that needs a particular pair, ≥ 1/M² (the second event is drawn from the
 * same operation's later boundaries, so it is usually better than that).
 */
void random_run(const struct program *p, const struct sweep_options *o, uint64_t seed,
		unsigned long trials, struct sweep_result *r)
{
	struct point *pts = calloc((size_t)p->nops + 1, sizeof(*pts));
	uint16_t *record = malloc(RECORD_CAP * sizeof(*record));
	struct exec x = { .extra_handler = o->handler, .nextra_handler = o->nhandler };
	struct state_cache *cache = o->no_state_cache ? NULL : state_cache_new();
	uint64_t state = seed;
	unsigned long total;

	if (!pts || !record)
		abort();
	if (!reference_run(&x, p, pts, record, r))
		goto out;
	total = count_trials(p, pts, &(struct sweep_options){ .kinds = o->kinds });
	r->pairs = total;
	r->seeded = true;
	r->seed = seed;
	for (unsigned long t = 0; t < trials && total; t++) {
		struct engine_event ev[2];
		int nev = 1;

		ev[0] = nth_pair(p, pts, o->kinds, splitmix64(&state) % total);
		if (o->depth > 1) {
			const struct point *pt = &pts[ev[0].op];
			unsigned long later = 0;

			for (uint32_t k = ev[0].ordinal; k < pt->boundaries && k < RECORD_CAP; k++)
				later += (unsigned long)__builtin_popcount(pt->masks[k] & o->kinds);
			if (later) {
				unsigned long n = splitmix64(&state) % later;

				for (uint32_t k = ev[0].ordinal; k < pt->boundaries && nev == 1; k++)
					for (int kind = 0; kind < NR_EVENT_KINDS && nev == 1; kind++)
						if (pt->masks[k] & o->kinds & (1u << kind) && n-- == 0)
							ev[nev++] = make_event(p, ev[0].op, k + 1, kind);
			}
		}
		trial(&x, p, o, &pts[ev[0].op], ev[0].op, ev, nev, r, NULL, NULL, cache);
		progress(o, t + 1, trials);
	}
out:
	state_cache_free(cache);
	free_points(p, pts);
	free(record);
	exec_free(&x);
}

void sweep_print(FILE *out, const struct program *p, const struct sweep_options *o,
		 const struct sweep_result *r)
{
	char line[256];

	exec_config_line(p, line, sizeof(line));
	fprintf(out, "%-8s %s, depth %d, kinds", r->seeded ? "random" : "sweep", line, o->depth);
	for (int k = 0; k < NR_EVENT_KINDS; k++)
		if (o->kinds & (1u << k))
			fprintf(out, " %s", event_kind_name((enum event_kind)k));
	fprintf(out, "\n");
	if (r->reference_failed) {
		fprintf(out, "the program reports without injection: %s in %s\n",
			r->first_report.cls, r->first_report.where);
		fprintf(out, "verdict  %s: %s\n", r->first_report.cls, r->first_report.text);
		return;
	}
	if (r->seeded)
		fprintf(out, "seed     %llu (reentry random ... --seed %llu replays it); %lu allowed "
			"(op, boundary, kind) triples: a bug that needs one of them is found by a trial "
			"with probability >= 1/%lu%s\n", (unsigned long long)r->seed,
			(unsigned long long)r->seed, r->pairs, r->pairs,
			o->depth > 1 ? " (one that needs a pair: >= 1/M^2)" : "");
	fprintf(out, "summary  %lu operation%s, %lu boundar%s, %lu trial%s, %lu report%s\n",
		r->operations, r->operations == 1 ? "" : "s", r->boundaries, r->boundaries == 1 ? "y" : "ies",
		r->trials, r->trials == 1 ? "" : "s", r->reports, r->reports == 1 ? "" : "s");
	for (int i = 0; i < r->nclasses; i++)
		fprintf(out, "         %-16s %lu\n", r->classes[i].cls, r->classes[i].count);
	if (!o->no_state_cache)
		fprintf(out, "pruned   %lu of %lu trials: the state their injected operation left had a known "
			"clean future\n", r->pruned, r->trials);
	if (!r->nfirst)
		return;

	/* The first report in full: replay that trial from the start, traced. */
	{
		struct exec x = { .extra_handler = o->handler, .nextra_handler = o->nhandler,
				  .tracing = true, .track_anchors = true };

		fprintf(out, "\nfirst report: %s in %s\n", r->first_report.cls, r->first_report.where);
		x.extra = r->first;
		x.nextra = r->nfirst;
		exec_run(&x, p);
		for (int i = 0; i < r->nfirst; i++) {
			char anchor[PROGRAM_FN_LEN + 32];

			/* what a regression would write for it */
			anchors_position_print(anchor, sizeof(anchor), &x.extra_landed[i].at);
			fprintf(out, "  injected: op %d @%u %s, that is %s\n", r->first[i].op,
				r->first[i].ordinal, event_kind_name(r->first[i].kind), anchor);
		}
		fputs(x.trace ? x.trace : "", out);
		exec_free(&x);
	}
}
