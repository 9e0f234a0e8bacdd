/*
 * inject/fn_anchor.c — positions of boundaries by model function (see
 * fn_anchor.h).
 *
 * A boundary's function comes from the symbolizer, once per boundary pc
 * (cached); names are interned so that the engine compares them by pointer.
 * The pc-keyed cache only decides how fast a name is found, never which
 * name: nothing here depends on where the model was loaded.
 */
#include "fn_anchor.h"
#include "callstack.h"
#include "engine.h"

#include <string.h>

#define MAX_NAMES 1024		/* distinct model functions (core/ has ~300) */
#define NAME_LEN 64
#define CACHE_SIZE 16384	/* boundary pc -> name index, open addressing */
_Static_assert((CACHE_SIZE & (CACHE_SIZE - 1)) == 0, "a power of two: slots by mask");

static char names[MAX_NAMES][NAME_LEN];
static int nnames;

#define BY_CALLER (-2)	/* a pc in a helper kept out of line: the caller's */

static struct {
	const void *key;	/* a boundary pc, or a real function (fns) */
	int name;
} cache[CACHE_SIZE], fns[CACHE_SIZE / 16];

/* Per name, in the current operation (a stale `op` means zero). */
static struct {
	uint32_t op, k;
} counts[MAX_NAMES];
static uint32_t op_serial = 1;

const char *fn_anchor_intern(const char *name)
{
	for (int i = 0; i < nnames; i++)
		if (strcmp(names[i], name) == 0)
			return names[i];
	if (nnames == MAX_NAMES || strlen(name) >= NAME_LEN)
		return NULL;
	strcpy(names[nnames], name);
	return names[nnames++];
}

/* The name index of key in table t of size entries (a power of two; a
 * miss asks the symbolizer through lookup()); -1 if it has none. On every
 * tracked boundary: kept free of sanitizer checks (the tables are the
 * engine's own). */
__attribute__((no_sanitize("address", "undefined")))
static int cached(__typeof__(cache[0]) *t, size_t size, const void *key,
		  void (*lookup)(const void *key, char *buf, size_t size))
{
	size_t h = (size_t)(((uintptr_t)key * 0x9e3779b97f4a7c15ull) >> 40) & (size - 1);
	char name[NAME_LEN];
	const char *interned;

	for (size_t i = 0; i < size; i++) {
		size_t slot = (h + i) & (size - 1);

		if (t[slot].key == key)
			return t[slot].name;
		if (t[slot].key)
			continue;
		lookup(key, name, sizeof(name));
		interned = name[0] && strcmp(name, "?") ? fn_anchor_intern(name) : NULL;
		t[slot].key = key;
		t[slot].name = !name[0] ? BY_CALLER
			       : interned ? (int)((const char (*)[NAME_LEN])interned - names) : -1;
		return t[slot].name;
	}
	return -1;
}

__attribute__((no_sanitize("address", "undefined")))
static int name_index(const void *pc)
{
	int n = cached(cache, CACHE_SIZE, pc, engine_pc_function);
	const void *fn;

	if (n != BY_CALLER)
		return n;
	fn = callstack_innermost();
	n = fn ? cached(fns, CACHE_SIZE / 16, fn, engine_function_name) : -1;
	return n == BY_CALLER ? -1 : n;
}

void fn_anchor_reset(void)
{
	op_serial++;
}

__attribute__((no_sanitize("address", "undefined")))
void fn_anchor_step(const void *pc, struct fn_position *pos)
{
	int n = name_index(pc);

	pos->fn = NULL;
	pos->k = 0;
	if (n < 0)
		return;
	if (counts[n].op != op_serial) {
		counts[n].op = op_serial;
		counts[n].k = 0;
	}
	pos->fn = names[n];
	pos->k = ++counts[n].k;
}

uint32_t fn_anchor_seen(const char *fn)
{
	for (int n = 0; n < nnames; n++)
		if (names[n] == fn)
			return counts[n].op == op_serial ? counts[n].k : 0;
	return 0;
}

bool fn_anchor_names_known(void)
{
	return engine_can_symbolize();
}
