/*
 * fuzz/program_tables.h — what the binary codec, the printer and the parser
 * of the program format share (internal to fuzz/program*.c): which fields
 * each op kind takes, what each event kind carries, the config booleans and
 * the flag names. Defined in fuzz/program.c.
 */
#ifndef REENTRY_FUZZ_PROGRAM_TABLES_H
#define REENTRY_FUZZ_PROGRAM_TABLES_H

#include "program.h"

#include <stddef.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * What each op kind takes. `result` is what it assigns ('s' a slot, 'c' a
 * cache, 0 nothing); `args` its arguments in text order: s slot, c cache,
 * z size, a align, o offset, g gfp, f slab flags. Decode, encode, print and
 * parse all follow this table.
 */
struct op_info {
	const char *name;
	char result;
	const char *args;
	const char *usage;	/* for error messages */
};
extern const struct op_info op_info[NR_OP_KINDS];

/* Does op take (or assign) field (a letter of struct op_info's args)? */
bool op_uses(const struct op *op, char field);

extern const char *const section_names[NR_SECTIONS];

/*
 * What each event kind carries. Its text name is event_kind_name() of
 * inject/engine.c ("nmi", …, "preempt", "fail trylock", …): a fault's name is
 * "fail " and the fault.
 */
#define EVF_INTERRUPT	0x1	/* runs a handler (possibly empty) */
#define EVF_FAULT	0x2	/* has a count, may be anchored by occurrence */
#define EVF_CPU		0x4	/* names a CPU */
#define FAULT_PREFIX "fail "
extern const unsigned int event_flags[NR_EVENT_KINDS];

#define NR_DESIGN_NAMES 2
#define NR_RULE_NAMES 2
extern const char *const design_names[NR_DESIGN_NAMES];
extern const char *const rule_names[NR_RULE_NAMES];

/* The config booleans, in print order, with their bit in header byte 2
 * (TEXT_ONLY: not in the binary form; a target sets it). */
#define TEXT_ONLY 8u
struct config_bool {
	const char *name;
	size_t offset;		/* of its bool in struct program_config */
	unsigned int bit;
};
extern const struct config_bool config_bools[];
extern const size_t nr_config_bools;
#define CONFIG_DESIGN_BIT 6
#define CONFIG_RULE_BIT 7
bool config_get(const struct program_config *c, size_t i);
void config_set(struct program_config *c, size_t i, bool v);
extern const struct program_config default_config;
/* slub_debug=FZPU: bit i of program_config.slub_debug is letter i */
extern const char slub_debug_letters[];

/* kmem_cache_create() alignments: 0 (the default) or a power of two up to this. */
#define MAX_ALIGN 4096

/*
 * Flag names for parse and print. Print takes the entries marked `print` in
 * table order, each when all its bits are still left: composites first, then
 * single flags; leftover bits print as hex. Parse accepts every entry.
 */
struct flag_name {
	const char *name;
	uint32_t mask;
	bool print;
};
extern const struct flag_name gfp_names[];
extern const struct flag_name slab_flag_names[];


#endif /* REENTRY_FUZZ_PROGRAM_TABLES_H */
