/* fuzz/minimize.h — shrink a failing program, keeping its report's dedup key. */
#ifndef REENTRY_FUZZ_MINIMIZE_H
#define REENTRY_FUZZ_MINIMIZE_H

#include "exec.h"

/*
 * If p reports, drop operations, events and handler operations from it while
 * the report keeps its dedup key (class, and where: model function and line),
 * until nothing more can go; the result goes to out (its anchors rewritten
 * as function anchors, fuzz/anchors.h), its report to key, and out->expect
 * is set to the class. False (out untouched) if p is clean.
 */
bool program_minimize(const struct program *p, struct program *out, struct exec_report *key);

#endif
