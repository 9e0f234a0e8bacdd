/*
 * fuzz/heatmap.h — the injection heatmap: where in core/ interrupts land.
 *
 * A heatmap watches runs of programs through the engine's observer
 * (inject/engine.h): every boundary the engine counts is a *site* (its code
 * address), and every interrupt that fires lands on the site of its
 * boundary. Sites are symbolized once each, at the end, into model function
 * and file:line; lines and functions add up their sites. Locks are those the
 * running context holds at the boundary (machine_held_locks()), named by
 * what they are ("per-CPU lock", "list_lock", ...).
 *
 * Counts: a line's "sites" are the distinct boundary sites reached on it (a
 * site reached a million times counts once); its interrupts are every
 * interrupt that landed on one of its sites, in every run watched (a sweep
 * runs an input once per trial, and each trial also replays the input's own
 * schedule). The page is a pure function of the runs: sorted by file, line
 * and name, no addresses, no clock.
 */
#ifndef REENTRY_FUZZ_HEATMAP_H
#define REENTRY_FUZZ_HEATMAP_H

#include "exec.h"

#include <stdio.h>

#define HEATMAP_MAX_LOCKS 16	/* distinct lock names recorded */

struct heatmap_options {
	bool sweep;			/* sweep each input, else replay it as written */
	int depth;			/* sweep: interrupts per trial, 1 (also 0) or 2 */
	unsigned int kinds;		/* sweep: the kinds injected (bit k: enum event_kind k) */
	const struct op *handler;	/* sweep: the injected interrupts' handler program */
	int nhandler;
	const char *handler_text;	/* ... as written, for the page */
};

/* What a line or a function adds up to. */
struct heatmap_counts {
	unsigned int sites;			/* distinct boundary sites */
	unsigned long landed[EV_NR_INTERRUPTS];	/* interrupts landed, by kind */
	uint32_t locks;				/* bit i: heatmap_lock_label(h, i) held at a site */
	uint8_t contexts;			/* bit k: reached in enum ctx_kind k */
};

struct heatmap;

struct heatmap *heatmap_new(const struct heatmap_options *o);
void heatmap_free(struct heatmap *h);

/* Run one input (named for the page) under the heatmap's options, watching
 * it. Returns false if a run reported (counted, named on the page). */
bool heatmap_add(struct heatmap *h, const struct program *p, const char *name);

/* Symbolize every site (each once) and add up lines and functions. Call
 * after the last heatmap_add(); the queries below and the page need it. */
void heatmap_resolve(struct heatmap *h);

/* The counts of core/FILE:LINE ("core/slub.c", 412) or of a model function;
 * false (and zero counts) if no site was reached there. */
bool heatmap_line(const struct heatmap *h, const char *file, unsigned int line,
		  struct heatmap_counts *c);
bool heatmap_function(const struct heatmap *h, const char *fn, struct heatmap_counts *c);
/* Everything: the sum over every function (runs and sites, too). */
void heatmap_total(const struct heatmap *h, struct heatmap_counts *c, unsigned long *runs);
/* The label of lock bit i ("per-CPU lock"), NULL past the last. */
const char *heatmap_lock_label(const struct heatmap *h, int i);
/* Sites that did not symbolize (a build without the sanitizer symbolizer). */
unsigned int heatmap_unresolved(const struct heatmap *h);

/* What a lock is, from its name at init: "&c->lock" → "per-CPU lock". */
const char *heatmap_lock_kind(const char *name);

/* The model functions on the nolock paths (kmalloc_nolock, kfree_nolock and
 * the deferred work they queue), in every variant; NULL-terminated. The page
 * says for each whether interrupts landed in it, or why not. */
extern const char *const heatmap_nolock_functions[];

/* Expand corpus paths (directories: their regular files, not hidden ones,
 * sorted by name; files as given) into *files (malloc'd, free with
 * heatmap_inputs_free). Returns the count, or -1 with err set. */
int heatmap_inputs(char *const *paths, int npaths, char ***files, char *err, size_t errsize);
void heatmap_inputs_free(char **files, int n);

/* The page: one self-contained HTML file (inline CSS and JS). Source lines
 * are read from source_dir (core/slub.c → source_dir/core/slub.c). False,
 * with err set, if a source file cannot be read. */
bool heatmap_write_html(const struct heatmap *h, const char *source_dir, FILE *out, char *err,
			size_t errsize);

/* One line for the terminal: inputs, runs, sites, interrupts, nolock functions. */
void heatmap_print_summary(const struct heatmap *h, FILE *out);

#endif /* REENTRY_FUZZ_HEATMAP_H */
