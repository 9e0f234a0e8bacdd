/*
 * fuzz/anchors.h — turning a program's boundary anchors from one form into
 * the other: ordinals ("@40": the 40th boundary of the operation, what the
 * binary form and the sweeps use) and function anchors ("@slab_alloc_slow+3":
 * the operation's 3rd boundary in that function, inject/fn_anchor.h: what
 * people read and regressions keep, because a patch elsewhere leaves them in
 * place).
 *
 * Both name the same boundary only for the same model code, so the
 * conversion runs the program once, with the engine tracking every
 * boundary's function position, and rewrites each event where it landed.
 * An event the run never reached (past its operation's end, or after the
 * report that ended the run) keeps its anchor.
 */
#ifndef REENTRY_FUZZ_ANCHORS_H
#define REENTRY_FUZZ_ANCHORS_H

#include "exec.h"

/* Rewrite p's boundary events to function anchors (AT_FUNCTION) or to
 * ordinals (AT_BOUNDARY). Returns how many boundary events were left as they
 * were because the run did not reach them (or, to functions, because this
 * build cannot name functions). Occurrence anchors (#N) never change. */
int anchors_convert(struct program *p, enum event_anchor to);

/* A landing's function anchor as a regression would write it ("?" when the
 * position has no function). */
int anchors_position_print(char *buf, size_t size, const struct fn_position *at);

/*
 * The text of a program file with its ordinal anchors rewritten as function
 * anchors, every other byte (comments, layout) kept: "@40 nmi" becomes
 * "@slab_alloc_slow+3 nmi" on op lines and on "# unfired:" lines. p is the
 * file's parsed program. Returns the length (snprintf-style); *left: the
 * events not converted (anchors_convert()).
 */
int anchors_rewrite_text(const char *text, const struct program *p, char *out, size_t size,
			 int *left);

#endif /* REENTRY_FUZZ_ANCHORS_H */
