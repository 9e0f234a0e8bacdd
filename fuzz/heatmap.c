/*
 * fuzz/heatmap.c — the injection heatmap (see heatmap.h).
 *
 * Collecting is cheap per boundary: one lookup in an open-addressing table
 * keyed by code address, and the held locks of the running context.
 * Everything slow (symbolizing, reading sources, sorting) happens once, at
 * the end. Addresses only key the table; what is printed is sorted by
 * file, line and name, so the page does not depend on where code was loaded.
 */
#include "heatmap.h"
#include "sweep.h"

#include "../inject/callstack.h"
#include "../inject/engine.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const heatmap_nolock_functions[] = {
	/* kmalloc_nolock() */
	"kmalloc_nolock_why", "kmalloc_slab", "slab_alloc_node_inner", "slab_alloc_node_inner_tiny",
	"use_lockless_fast_path", "update_cpu_freelist_fast_inner", "slab_alloc_inner",
	"slab_alloc_slow", "local_lock_cpu_slab", "local_unlock_cpu_slab", "get_freelist",
	"freeze_slab", "slab_update_freelist", "slab_update_freelist_inner", "get_partial",
	"get_partial_node", "remove_partial", "add_partial", "put_cpu_partial",
	"alloc_single_from_partial", "alloc_single_from_new_slab", "alloc_debug_processing",
	"new_slab", "allocate_slab", "alloc_pages_nolock", "rmqueue_smallest_inner",
	"shuffle_freelist", "prandom_below", "defer_deactivate_slab", "slab_post_alloc_hook",
	/* kfree_nolock() */
	"kfree_nolock", "virt_to_slab", "slab_free_hook", "do_slab_free", "slab_free_inner",
	"defer_free",
	/* the irq_work it queues */
	"free_deferred_objects",
	NULL
};

/* Interrupt kinds in the order the page shows them. */
static const enum event_kind kind_order[EV_NR_INTERRUPTS] = {
	EV_NMI, EV_HARDIRQ, EV_SOFTIRQ, EV_IRQ_WORK, EV_KPROBE, EV_PREEMPT,
};

struct site {
	const void *pc;		/* NULL: an empty slot */
	uint32_t locks;
	uint8_t contexts;	/* bit k: reached in enum ctx_kind k */
	unsigned long landed[EV_NR_INTERRUPTS];
	/* heatmap_resolve(): */
	char fn[96];
	char file[96];
	unsigned int line;
};

/* A line or a function: what heatmap_resolve() adds up. */
struct total {
	char fn[96];
	char file[96];
	unsigned int line;	/* a function: its first line with a site */
	struct heatmap_counts c;
};

struct input {
	char *name;
	unsigned long boundaries, runs, reports;
	char first_report[64];	/* "double-alloc" of the first report, or "" */
};

struct heatmap {
	struct heatmap_options o;
	struct site *sites;
	size_t cap, nsites;	/* cap: a power of two, kept at most half full */
	/* real model functions seen on the shadow call stack: a function with no
	 * boundary of its own (a wrapper) is still reached; same table shape */
	struct site *entered;
	size_t entered_cap, nentered;
	const void *last_frame;	/* the innermost frame and depth at the last boundary */
	int last_depth;
	struct { const char *name; int bit; } names[64];	/* lock name at init → bit */
	int nnames;
	const char *labels[HEATMAP_MAX_LOCKS];
	int nlabels;
	struct input *inputs;
	int ninputs;
	unsigned long runs, reports;
	/* heatmap_resolve(): */
	struct total *lines, *fns;
	size_t nlines, nfns;
	unsigned int unresolved, lineless;
};

const char *heatmap_lock_kind(const char *name)
{
	static const struct { const char *has, *kind; } kinds[] = {
		{ "list_lock", "list_lock" },
		{ "barn", "barn->lock" },
		{ "zone", "zone lock" },
		{ "slab_lock", "slab_lock" },
		{ "entropy", "entropy lock" },
		{ "c->lock", "per-CPU lock" },
		/* the program's raw_spin section (fuzz/exec.c): the caller's lock */
		{ "harness_lock", "caller's raw_spinlock" },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strstr(name, kinds[i].has))
			return kinds[i].kind;
	return name;
}

struct heatmap *heatmap_new(const struct heatmap_options *o)
{
	struct heatmap *h = calloc(1, sizeof(*h));

	if (!h)
		abort();
	h->o = *o;
	h->cap = 1024;
	h->sites = calloc(h->cap, sizeof(*h->sites));
	h->entered_cap = 256;
	h->entered = calloc(h->entered_cap, sizeof(*h->entered));
	if (!h->sites || !h->entered)
		abort();
	return h;
}

void heatmap_free(struct heatmap *h)
{
	if (!h)
		return;
	for (int i = 0; i < h->ninputs; i++)
		free(h->inputs[i].name);
	free(h->inputs);
	free(h->sites);
	free(h->entered);
	free(h->lines);
	free(h->fns);
	free(h);
}

/* ---- collecting ---- */

static size_t slot_of(const void *pc, size_t cap)
{
	uint64_t k = (uint64_t)(uintptr_t)pc * 0x9e3779b97f4a7c15ull;

	return (size_t)(k >> 20) & (cap - 1);
}

static void grow(struct site **table, size_t *cap)
{
	size_t bigger = *cap * 2;
	struct site *t = calloc(bigger, sizeof(*t));

	if (!t)
		abort();
	for (size_t i = 0; i < *cap; i++) {
		size_t j;

		if (!(*table)[i].pc)
			continue;
		for (j = slot_of((*table)[i].pc, bigger); t[j].pc; j = (j + 1) & (bigger - 1))
			;
		t[j] = (*table)[i];
	}
	free(*table);
	*table = t;
	*cap = bigger;
}

/* The entry of pc in an open-addressing table (added if new). */
static struct site *lookup(struct site **table, size_t *cap, size_t *n, const void *pc)
{
	size_t i;

	for (i = slot_of(pc, *cap); (*table)[i].pc; i = (i + 1) & (*cap - 1))
		if ((*table)[i].pc == pc)
			return &(*table)[i];
	if (2 * (*n + 1) > *cap) {
		grow(table, cap);
		return lookup(table, cap, n, pc);
	}
	(*table)[i].pc = pc;
	(*n)++;
	return &(*table)[i];
}

static struct site *site_of(struct heatmap *h, const void *pc)
{
	return lookup(&h->sites, &h->cap, &h->nsites, pc);
}

/* Every real function on the shadow call stack is reached; consecutive
 * boundaries are mostly in one frame, so only a changed stack is walked. */
static void note_frames(struct heatmap *h)
{
	int depth = callstack_depth();
	const void *top = callstack_frame(depth - 1);

	if (depth == h->last_depth && top == h->last_frame)
		return;
	h->last_depth = depth;
	h->last_frame = top;
	for (int i = 0; i < depth; i++) {
		const void *fn = callstack_frame(i);

		if (fn)
			lookup(&h->entered, &h->entered_cap, &h->nentered, fn);
	}
}

/* The bit of a lock, by the name it was initialised with (a string literal:
 * the pointer identifies it; different names of one kind share the bit). */
static uint32_t lock_bit(struct heatmap *h, const char *name)
{
	const char *kind;
	int bit;

	for (int i = 0; i < h->nnames; i++)
		if (h->names[i].name == name)
			return h->names[i].bit < 0 ? 0 : 1u << h->names[i].bit;
	kind = heatmap_lock_kind(name);
	for (bit = 0; bit < h->nlabels; bit++)
		if (strcmp(h->labels[bit], kind) == 0)
			break;
	if (bit == h->nlabels) {
		if (h->nlabels < HEATMAP_MAX_LOCKS)
			h->labels[h->nlabels++] = kind;
		else
			bit = -1;	/* more kinds than bits: not marked */
	}
	if (h->nnames < (int)(sizeof(h->names) / sizeof(h->names[0])))
		h->names[h->nnames++] = (typeof(h->names[0])){ name, bit };
	return bit < 0 ? 0 : 1u << bit;
}

static void on_boundary(void *ctx, void *pc)
{
	struct heatmap *h = ctx;
	const char *held[MACHINE_MAX_HELD];
	int n = machine_held_locks(held, MACHINE_MAX_HELD);
	struct site *s = site_of(h, pc);

	for (int i = 0; i < n; i++)
		s->locks |= lock_bit(h, held[i]);
	s->contexts |= (uint8_t)(1u << machine_context());
	note_frames(h);
}

static void on_landed(void *ctx, const struct engine_fired *f)
{
	struct heatmap *h = ctx;

	if (f->event->kind < EV_NR_INTERRUPTS)
		site_of(h, f->pc)->landed[f->event->kind]++;
}

bool heatmap_add(struct heatmap *h, const struct program *p, const char *name)
{
	struct engine_observer watch = { .boundary = on_boundary, .landed = on_landed, .ctx = h };
	struct input in = { .name = strdup(name ? name : "?") };

	if (!in.name)
		abort();
	engine_observe(&watch);
	if (h->o.sweep) {
		struct sweep_options so = {
			.kinds = h->o.kinds, .depth = h->o.depth > 1 ? h->o.depth : 1,
			.handler = h->o.handler, .nhandler = h->o.nhandler,
		};
		struct sweep_result r;

		sweep_run(p, &so, &r);
		in.boundaries = r.boundaries;
		in.runs = 1 + r.trials;	/* the reference run, then the trials */
		in.reports = r.reports;
		if (r.reports)
			snprintf(in.first_report, sizeof(in.first_report), "%s", r.first_report.cls);
	} else {
		struct exec x = { 0 };

		in.runs = 1;
		if (!exec_run(&x, p)) {
			in.reports = 1;
			snprintf(in.first_report, sizeof(in.first_report), "%s", x.report.cls);
		}
		exec_free(&x);
	}
	engine_observe(NULL);
	h->runs += in.runs;
	h->reports += in.reports;
	h->inputs = realloc(h->inputs, (size_t)(h->ninputs + 1) * sizeof(*h->inputs));
	if (!h->inputs)
		abort();
	h->inputs[h->ninputs++] = in;
	return in.reports == 0;
}

/* ---- resolving ---- */

/*
 * engine_symbolize() says "fn core/slub.c:412" (with " in caller" for a
 * helper kept out of line in a header), or "?" when it cannot tell.
 */
static bool parse_location(const char *where, struct site *s)
{
	const char *space = strchr(where, ' '), *colon;
	size_t n;

	if (!space)
		return false;
	n = (size_t)(space - where);
	if (n >= sizeof(s->fn))
		n = sizeof(s->fn) - 1;
	memcpy(s->fn, where, n);
	s->fn[n] = '\0';
	where = space + 1;
	n = strcspn(where, " ");
	for (colon = where + n; colon > where && colon[-1] != ':'; colon--)
		;
	if (colon == where || sscanf(colon, "%u", &s->line) != 1)
		return false;
	n = (size_t)(colon - 1 - where);
	if (n >= sizeof(s->file))
		n = sizeof(s->file) - 1;
	memcpy(s->file, where, n);
	s->file[n] = '\0';
	return true;
}

/* Source order: file, then line, then function name. */
#define COMPARE_PLACE(x, y) ({							\
	int __c = strcmp((x)->file, (y)->file);					\
	if (!__c && (x)->line != (y)->line)					\
		__c = (x)->line < (y)->line ? -1 : 1;				\
	__c ? __c : strcmp((x)->fn, (y)->fn);					\
})

static int by_place(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	return COMPARE_PLACE(x, y);
}

static int by_function(const void *a, const void *b)
{
	const struct total *x = a, *y = b;

	return COMPARE_PLACE(x, y);
}

static void add_site(struct heatmap_counts *c, const struct site *s)
{
	c->sites++;
	c->locks |= s->locks;
	c->contexts |= s->contexts;
	for (int k = 0; k < EV_NR_INTERRUPTS; k++)
		c->landed[k] += s->landed[k];
}

static struct total *find_total(struct total *t, size_t n, const char *fn)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].fn, fn) == 0)
			return &t[i];
	return NULL;
}

/* A function's total, added (at file:line) if new. */
static struct total *function_total(struct heatmap *h, const char *fn, const char *file,
				    unsigned int line)
{
	struct total *f = find_total(h->fns, h->nfns, fn);

	if (!f) {
		f = &h->fns[h->nfns++];
		snprintf(f->fn, sizeof(f->fn), "%s", fn);
		snprintf(f->file, sizeof(f->file), "%s", file);
	}
	if (!f->line)	/* its first line (sites come in line order; 0: no line) */
		f->line = line;
	return f;
}

void heatmap_resolve(struct heatmap *h)
{
	struct site *s = malloc((h->nsites ? h->nsites : 1) * sizeof(*s));
	size_t n = 0, room;

	if (!s)
		abort();
	h->unresolved = h->lineless = 0;
	for (size_t i = 0; i < h->cap; i++) {
		char where[256];

		if (!h->sites[i].pc)
			continue;
		/* each site once: the symbolizer is the slow part */
		engine_symbolize(h->sites[i].pc, NULL, where, sizeof(where));
		if (!parse_location(where, &h->sites[i])) {
			h->unresolved++;
			continue;
		}
		s[n++] = h->sites[i];
	}
	qsort(s, n, sizeof(*s), by_place);

	free(h->lines);
	free(h->fns);
	room = n + h->nentered + 1;
	h->lines = calloc(room, sizeof(*h->lines));
	h->fns = calloc(room, sizeof(*h->fns));
	if (!h->lines || !h->fns)
		abort();
	h->nlines = h->nfns = 0;
	for (size_t i = 0; i < n; i++) {
		struct total *l = h->nlines ? &h->lines[h->nlines - 1] : NULL;

		add_site(&function_total(h, s[i].fn, s[i].file, s[i].line)->c, &s[i]);
		if (!s[i].line) {
			/* line 0: code the compiler made up or merged; its function
			 * counts it, no line can show it */
			h->lineless++;
			continue;
		}
		if (!l || strcmp(l->file, s[i].file) || l->line != s[i].line) {
			l = &h->lines[h->nlines++];
			snprintf(l->fn, sizeof(l->fn), "%s", s[i].fn);
			snprintf(l->file, sizeof(l->file), "%s", s[i].file);
			l->line = s[i].line;
		}
		add_site(&l->c, &s[i]);
	}
	/* functions reached without a boundary of their own (wrappers) */
	for (size_t i = 0; i < h->entered_cap; i++) {
		struct site at = { 0 };
		char name[96], where[256];

		if (!h->entered[i].pc)
			continue;
		engine_function_name(h->entered[i].pc, name, sizeof(name));
		if (find_total(h->fns, h->nfns, name))
			continue;
		/* its first line: engine_symbolize() and the symbolizer each look
		 * up pc - 1 (they take return addresses) */
		engine_symbolize((const char *)h->entered[i].pc + 2, NULL, where, sizeof(where));
		if (parse_location(where, &at))
			function_total(h, name, at.file, at.line);
	}
	qsort(h->fns, h->nfns, sizeof(*h->fns), by_function);
	free(s);
}

bool heatmap_line(const struct heatmap *h, const char *file, unsigned int line,
		  struct heatmap_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < h->nlines; i++) {
		if (h->lines[i].line == line && strcmp(h->lines[i].file, file) == 0) {
			*c = h->lines[i].c;
			return true;
		}
	}
	return false;
}

bool heatmap_function(const struct heatmap *h, const char *fn, struct heatmap_counts *c)
{
	const struct total *f = find_total(h->fns, h->nfns, fn);

	memset(c, 0, sizeof(*c));
	if (f)
		*c = f->c;
	return f != NULL;
}

void heatmap_total(const struct heatmap *h, struct heatmap_counts *c, unsigned long *runs)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < h->nfns; i++) {
		c->sites += h->fns[i].c.sites;
		c->locks |= h->fns[i].c.locks;
		c->contexts |= h->fns[i].c.contexts;
		for (int k = 0; k < EV_NR_INTERRUPTS; k++)
			c->landed[k] += h->fns[i].c.landed[k];
	}
	if (runs)
		*runs = h->runs;
}

const char *heatmap_lock_label(const struct heatmap *h, int i)
{
	return i >= 0 && i < h->nlabels ? h->labels[i] : NULL;
}

unsigned int heatmap_unresolved(const struct heatmap *h)
{
	return h->unresolved;
}

/* ---- inputs ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool push(char ***files, int *n, const char *path)
{
	char **more = realloc(*files, (size_t)(*n + 1) * sizeof(**files));

	if (!more)
		return false;
	*files = more;
	(*files)[*n] = strdup(path);
	return (*files)[(*n)++] != NULL;
}

int heatmap_inputs(char *const *paths, int npaths, char ***files, char *err, size_t errsize)
{
	int n = 0;

	*files = NULL;
	for (int i = 0; i < npaths; i++) {
		struct stat st;
		struct dirent *d;
		DIR *dir;
		int first = n;

		if (stat(paths[i], &st) != 0) {
			snprintf(err, errsize, "%s: %s", paths[i], strerror(errno));
			goto fail;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (!push(files, &n, paths[i]))
				abort();
			continue;
		}
		dir = opendir(paths[i]);
		if (!dir) {
			snprintf(err, errsize, "%s: %s", paths[i], strerror(errno));
			goto fail;
		}
		while ((d = readdir(dir))) {
			char path[4096];

			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", paths[i], d->d_name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && !push(files, &n, path))
				abort();
		}
		closedir(dir);
		/* readdir's order is the file system's: sort each directory's files */
		if (n > first)
			qsort(*files + first, (size_t)(n - first), sizeof(**files), by_name);
	}
	return n;
fail:
	heatmap_inputs_free(*files, n);
	*files = NULL;
	return -1;
}

void heatmap_inputs_free(char **files, int n)
{
	for (int i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

/* ---- the page ---- */

/* A source file of core/, read whole, split into lines in place. */
struct source {
	char path[96];		/* "core/slub.c" */
	char *text;
	char **lines;		/* lines[0] is line 1 */
	unsigned int nlines;
};

static bool read_source(const char *dir, const char *rel, struct source *src, char *err,
			size_t errsize)
{
	char path[4096];
	FILE *f;
	long size;

	memset(src, 0, sizeof(*src));
	snprintf(src->path, sizeof(src->path), "%s", rel);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, errsize, "%s: %s (--source names the project's source directory)", path,
			 strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	src->text = malloc((size_t)size + 1);
	if (!src->text || fread(src->text, 1, (size_t)size, f) != (size_t)size)
		abort();
	fclose(f);
	src->text[size] = '\0';
	for (long i = 0; i < size; i++)
		src->nlines += src->text[i] == '\n';
	if (size && src->text[size - 1] != '\n')
		src->nlines++;
	src->lines = calloc(src->nlines + 1, sizeof(*src->lines));
	if (!src->lines)
		abort();
	for (unsigned int n = 0, i = 0; n < src->nlines; n++) {
		src->lines[n] = src->text + i;
		while (src->text[i] && src->text[i] != '\n')
			i++;
		if (src->text[i])
			src->text[i++] = '\0';
	}
	return true;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .c and .h file of core/, sorted by name. */
static int read_core(const char *dir, struct source **srcs, char *err, size_t errsize)
{
	char path[4096], *names[256];
	int n = 0, ok = 1;
	struct dirent *d;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/core", dir);
	dp = opendir(path);
	if (!dp) {
		snprintf(err, errsize, "%s: %s (--source names the project's source directory)", path,
			 strerror(errno));
		return -1;
	}
	while ((d = readdir(dp)) && n < 256) {
		size_t len = strlen(d->d_name);

		if (d->d_name[0] != '.' && len > 2 && d->d_name[len - 2] == '.' &&
		    (d->d_name[len - 1] == 'c' || d->d_name[len - 1] == 'h'))
			names[n++] = strdup(d->d_name);
	}
	closedir(dp);
	qsort(names, (size_t)n, sizeof(names[0]), by_string);
	*srcs = calloc((size_t)n + 1, sizeof(**srcs));
	if (!*srcs)
		abort();
	for (int i = 0; i < n; i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "core/%s", names[i]);
		if (ok && !read_source(dir, rel, &(*srcs)[i], err, errsize))
			ok = 0;
		free(names[i]);
	}
	if (!ok) {
		for (int i = 0; i < n; i++) {
			free((*srcs)[i].text);
			free((*srcs)[i].lines);
		}
		free(*srcs);
		return -1;
	}
	return n;
}

/* Is fn defined in core/ (a line that starts with a type and holds "fn(")? */
static bool defined_in(const struct source *srcs, int nsrcs, const char *fn)
{
	size_t len = strlen(fn);

	for (int i = 0; i < nsrcs; i++) {
		for (unsigned int l = 0; l < srcs[i].nlines; l++) {
			const char *line = srcs[i].lines[l], *p;

			if (!line[0] || line[0] == ' ' || line[0] == '\t' || line[0] == '#' ||
			    line[0] == '/' || line[0] == '*' || line[0] == '}' || line[0] == '{')
				continue;
			for (p = strstr(line, fn); p; p = strstr(p + 1, fn))
				if (p[len] == '(' && (p == line || p[-1] == ' ' || p[-1] == '*') &&
				    !strchr(p, ';'))
					return true;
		}
	}
	return false;
}

/* A "models: mm/slub.c ___slab_alloc()" tag and the function defined next
 * (as ci/mapping-table.sh reads them): the kernel name of a model function. */
struct model_tag {
	char fn[96];
	char kernel[160];
};

#define MAX_TAGS 256

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int read_tags(const struct source *srcs, int nsrcs, struct model_tag *tags)
{
	int n = 0;

	for (int i = 0; i < nsrcs; i++) {
		size_t len = strlen(srcs[i].path);
		char pending[160] = "";

		if (len < 2 || strcmp(srcs[i].path + len - 2, ".c") != 0)
			continue;
		for (unsigned int l = 0; l < srcs[i].nlines && n < MAX_TAGS; l++) {
			const char *line = srcs[i].lines[l], *tag = strstr(line, "models:"), *paren;
			char *cut;

			if (tag) {
				tag += strlen("models:");
				while (*tag == ' ')
					tag++;
				tag += strcspn(tag, " ");	/* the kernel file */
				while (*tag == ' ')
					tag++;
				snprintf(pending, sizeof(pending), "%s", tag);
				if ((cut = strstr(pending, " \u2014 ")) || (cut = strstr(pending, " */")))
					*cut = '\0';
				continue;
			}
			paren = strchr(line, '(');
			if (pending[0] && paren && is_ident(line[0]) && strncmp(line, "typedef", 7) != 0) {
				const char *start = paren;

				while (start > line && is_ident(start[-1]))
					start--;
				snprintf(tags[n].fn, sizeof(tags[n].fn), "%.*s", (int)(paren - start), start);
				snprintf(tags[n].kernel, sizeof(tags[n].kernel), "%s", pending);
				n++;
				pending[0] = '\0';
			}
		}
	}
	return n;
}

static const char *kernel_name(const struct model_tag *tags, int ntags, const char *fn)
{
	for (int i = 0; i < ntags; i++)
		if (strcmp(tags[i].fn, fn) == 0)
			return tags[i].kernel;
	return "";
}

static void put_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out); break;
		}
	}
}

static unsigned long total_landed(const struct heatmap_counts *c)
{
	unsigned long t = 0;

	for (int k = 0; k < EV_NR_INTERRUPTS; k++)
		t += c->landed[k];
	return t;
}

/* The count cells (sites, each kind, total) and the locks cell. */
static void put_counts(FILE *out, const struct heatmap *h, const struct heatmap_counts *c)
{
	bool first = true;

	fprintf(out, "<td class=\"n sites\">%u</td>", c->sites);
	for (int i = 0; i < EV_NR_INTERRUPTS; i++) {
		unsigned long v = c->landed[kind_order[i]];

		if (v)
			fprintf(out, "<td class=\"n k\">%lu</td>", v);
		else
			fputs("<td class=\"n k z\">0</td>", out);
	}
	fprintf(out, "<td class=\"n total\">%lu</td><td class=\"locks\" data-locks=\"", total_landed(c));
	for (int b = 0; b < h->nlabels; b++)
		if (c->locks & (1u << b)) {
			fprintf(out, "%s%s", first ? "" : ",", h->labels[b]);
			first = false;
		}
	fputs("\">", out);
	for (int b = 0; b < h->nlabels; b++)
		if (c->locks & (1u << b)) {
			fputs("<span class=\"lock\">", out);
			put_escaped(out, h->labels[b]);
			fputs("</span>", out);
		}
	fputs("</td>", out);
}

static void put_kind_headers(FILE *out)
{
	fputs("<th>sites</th>", out);
	for (int i = 0; i < EV_NR_INTERRUPTS; i++)
		fprintf(out, "<th>%s</th>", event_kind_name(kind_order[i]));
	fputs("<th>total</th><th>locks held</th>", out);
}

/* "task, NMI": the contexts a function was reached in. */
static void put_contexts(FILE *out, uint8_t contexts)
{
	bool first = true;

	for (int k = CTX_TASK; k <= CTX_KPROBE; k++)
		if (contexts & (1u << k)) {
			fprintf(out, "%s%s", first ? "" : ", ", ctx_kind_name((enum ctx_kind)k));
			first = false;
		}
}

/*
 * The page scrolls inside <main>, not as a document: headless Chromium's
 * screenshots paint only the document's first screen, so a deep link
 * (index.html#core/slub.c:760) scrolled the document there and came out
 * blank. The function table's kernel names, locks and contexts and the
 * longest source lines wrap, so that the page fits a 1400 px window.
 */
static const char page_style[] =
	"html,body{height:100%;margin:0;overflow:hidden}"
	"main{height:100%;overflow:auto;box-sizing:border-box;padding:0 2em 1em}"
	"body{font:14px/1.4 system-ui,sans-serif;color:#111}"
	"h1{font-size:1.5em}h2{margin-top:1.5em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse}td,th{padding:1px 6px}"
	"th{background:#eee;text-align:left;position:sticky;top:0}"
	".n{text-align:right;font-variant-numeric:tabular-nums}.z{color:#bbb}"
	".summary td,.summary th,.inputs td,.inputs th{border:1px solid #ddd}"
	".summary{font-size:13px}.summary td,.summary th{padding:1px 4px}"
	".summary td{white-space:nowrap}.summary td.ctx{font-size:12px;color:#444;min-width:11em}"
	".summary td.ctx,.summary td.locks,.summary td.kernel{white-space:normal}"
	".kernel{font:12px ui-monospace,monospace;color:#555}"
	".summary tr.nolock td:first-child::after{content:\" \\2022\";color:#06c}"
	".lock{display:inline-block;font-size:11px;background:#dde6ff;color:#123;"
	"border-radius:3px;padding:0 4px;margin-right:3px;white-space:nowrap}"
	".src{font:12px/1.35 ui-monospace,monospace;width:100%}"
	".src td{vertical-align:top}.src td.code{white-space:pre-wrap;tab-size:8;width:100%}"
	".src td.ln{color:#888;text-align:right;user-select:none}"
	".src tr.hot td.code{background:rgba(215,40,30,var(--heat))}"
	".src tr.cold td.code{background:#fff2a8;box-shadow:inset 3px 0 #e0a800}"
	".src tr.none td.n,.src tr.none td.locks{color:transparent}"
	".src tr{scroll-margin-top:2em}.src tr:target td.ln{background:#06c;color:#fff}"
	"body.compact .src tr.none{display:none}"
	".legend span{padding:0 6px;margin-right:8px}"
	".never{color:#b00}.quiet{color:#a60}.ok{color:#070}";

/* A little script: hide lines without boundaries; sort a table by a column.
 * It marks the body when it ran, so a test can tell the page really rendered,
 * and with how many pixels the page is wider than the window (0: it fits). */
static const char page_script[] =
	"document.getElementById('compact').addEventListener('change',function(e){"
	"document.body.classList.toggle('compact',e.target.checked);});"
	"document.querySelectorAll('table.sortable th').forEach(function(th,i){"
	"th.style.cursor='pointer';th.addEventListener('click',function(){"
	"var tb=th.closest('table').tBodies[0],rows=Array.from(tb.rows);"
	"rows.sort(function(a,b){var x=a.cells[i].textContent,y=b.cells[i].textContent;"
	"var p=parseFloat(x),q=parseFloat(y);return isNaN(p)||isNaN(q)?x.localeCompare(y):q-p;});"
	"rows.forEach(function(r){tb.appendChild(r);});});});"
	"document.body.dataset.rendered=document.querySelectorAll('.src tr').length;"
	"var m=document.querySelector('main');"
	"document.body.dataset.overflow=Math.max(0,m.scrollWidth-m.clientWidth);";

static bool is_nolock(const char *fn)
{
	for (int i = 0; heatmap_nolock_functions[i]; i++)
		if (strcmp(heatmap_nolock_functions[i], fn) == 0)
			return true;
	return false;
}

static void put_header(FILE *out, const struct heatmap *h)
{
	fputs("<h1>reentry: where interrupts land in core/</h1>\n<p id=\"run\">", out);
	fprintf(out, "%d input%s, ", h->ninputs, h->ninputs == 1 ? "" : "s");
	if (h->o.sweep) {
		if (h->o.depth > 1)
			fputs("each swept at depth 2 (every boundary of every operation, two interrupts "
			      "a trial, the second later in the operation or in the first's handler, "
			      "each allowed kind of:", out);
		else
			fputs("each swept at depth 1 (every boundary of every operation, one interrupt at a "
			      "time, each allowed kind of:", out);
		for (int i = 0; i < EV_NR_INTERRUPTS; i++)
			if (h->o.kinds & (1u << kind_order[i]))
				fprintf(out, " %s", event_kind_name(kind_order[i]));
		fputs("; handler <code>", out);
		put_escaped(out, h->o.handler_text ? h->o.handler_text : "?");
		fputs("</code>; the inputs' own schedules too)", out);
	} else {
		fputs("each replayed as written (only the interrupts its schedule names)", out);
	}
	fprintf(out, "; %lu runs, %lu report%s; %zu boundary sites on %zu lines.</p>\n", h->runs,
		h->reports, h->reports == 1 ? "" : "s", h->nsites, h->nlines);
	if (h->unresolved)
		fprintf(out, "<p class=\"never\">%u sites could not be symbolized (a build without "
			"the sanitizer symbolizer): they are not shown.</p>\n", h->unresolved);
	if (h->lineless)
		fprintf(out, "<p>%u sites have line 0 in the debug information (code the compiler "
			"merged or made up): they count for their function, not for a line.</p>\n",
			h->lineless);
	fputs("<p class=\"legend\">A line's <b>sites</b> are the distinct boundaries (memory accesses, "
	      "atomics, lock operations) reached on it; the kind columns count the interrupts that "
	      "landed on them in all runs; <b>locks held</b> names the locks the running context "
	      "held there. <span style=\"background:rgba(215,40,30,.45)\">interrupted</span>"
	      "<span style=\"background:#fff2a8\">boundaries, never interrupted</span> "
	      "<label><input type=\"checkbox\" id=\"compact\"> only lines with boundaries</label></p>\n",
	      out);
}

/*
 * What became of a nolock-path function, for the page and the terminal
 * alike: an interrupt landed in it; it was reached, with boundaries of its
 * own, and none was interrupted (a gap worth a look); it was reached but has
 * no boundary of its own, so nothing can land in it (only in what it
 * calls); never reached (or, the page can tell, not in core/ any more).
 */
enum nolock_state { INTERRUPTED, QUIET, WRAPPER, NEVER, MISSING, NR_STATES };

static enum nolock_state nolock_state(const struct heatmap *h, const char *fn, struct heatmap_counts *c)
{
	if (!heatmap_function(h, fn, c))
		return NEVER;
	return !c->sites ? WRAPPER : total_landed(c) ? INTERRUPTED : QUIET;
}

static void put_nolock(FILE *out, const struct heatmap *h, const struct source *srcs, int nsrcs)
{
	static const struct { const char *id, *cls, *text; } states[NR_STATES] = {
		[INTERRUPTED] = { "interrupted", "ok", "interrupts landed" },
		[QUIET] = { "never-interrupted", "quiet", "reached, never interrupted" },
		[WRAPPER] = { "no-boundary", "quiet",
			      "reached, no boundary of its own (interrupts land in what it calls)" },
		[NEVER] = { "never-reached", "never", "never reached" },
		[MISSING] = { "not-in-source", "never",
			      "not defined in core/ any more (update heatmap_nolock_functions in fuzz/heatmap.c)" },
	};
	int count[NR_STATES] = { 0 }, total = 0;

	for (int i = 0; heatmap_nolock_functions[i]; i++, total++) {
		const char *fn = heatmap_nolock_functions[i];
		struct heatmap_counts c;
		enum nolock_state is = nolock_state(h, fn, &c);

		count[is == NEVER && !defined_in(srcs, nsrcs, fn) ? MISSING : is]++;
	}
	fprintf(out, "<h2 id=\"nolock\">Nolock paths</h2>\n<p id=\"nolock-summary\" data-total=\"%d\" "
		"data-interrupted=\"%d\">%d of the %d model functions of the nolock paths "
		"(kmalloc_nolock, kfree_nolock and the irq_work they queue, in every variant: "
		"marked &bull; below) had at least one interrupt land in them.</p>\n<ul>\n", total,
		count[INTERRUPTED], count[INTERRUPTED], total);
	for (int st = 0; st < NR_STATES; st++) {
		bool first = true;

		if (!count[st] && (st == WRAPPER || st == MISSING))
			continue;
		fprintf(out, "<li id=\"%s\" class=\"%s\">%s (%d): ", states[st].id, states[st].cls,
			states[st].text, count[st]);
		for (int i = 0; heatmap_nolock_functions[i]; i++) {
			const char *fn = heatmap_nolock_functions[i];
			struct heatmap_counts c;
			enum nolock_state is = nolock_state(h, fn, &c);

			if (is == NEVER && !defined_in(srcs, nsrcs, fn))
				is = MISSING;
			if ((int)is == st) {
				fprintf(out, "%s<code>%s</code>", first ? "" : ", ", fn);
				if (is == QUIET) {	/* why: where it ran, e.g. only in NMI */
					fputs(" (reached in ", out);
					put_contexts(out, c.contexts);
					fputs(")", out);
				}
				first = false;
			}
		}
		fputs(first ? "none</li>\n" : "</li>\n", out);
	}
	fputs("</ul>\n", out);
}

/* Does the page show f's first line (a line with a site)? */
static bool has_line(const struct heatmap *h, const struct total *f)
{
	struct heatmap_counts c;

	return f->line && heatmap_line(h, f->file, f->line, &c);
}

static void put_functions(FILE *out, const struct heatmap *h, const struct source *srcs, int nsrcs)
{
	static struct model_tag tags[MAX_TAGS];
	int ntags = read_tags(srcs, nsrcs, tags);

	fputs("<h2 id=\"functions\">Functions</h2>\n<table class=\"summary sortable\" id=\"functions-table\">"
	      "<thead><tr><th>function</th><th>models (kernel)</th><th>where</th>", out);
	put_kind_headers(out);
	fputs("<th>reached in</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < h->nfns; i++) {
		const struct total *f = &h->fns[i];

		fprintf(out, "<tr data-fn=\"%s\"%s><td>%s</td><td class=\"kernel\">", f->fn,
			is_nolock(f->fn) ? " class=\"nolock\"" : "", f->fn);
		put_escaped(out, kernel_name(tags, ntags, f->fn));
		fputs("</td>", out);
		if (has_line(h, f))
			fprintf(out, "<td><a href=\"#%s:%u\">%s:%u</a></td>", f->file, f->line, f->file,
				f->line);
		else
			fprintf(out, "<td>%s:%u</td>", f->file, f->line);
		put_counts(out, h, &f->c);
		fputs("<td class=\"ctx\">", out);
		put_contexts(out, f->c.contexts);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void put_inputs(FILE *out, const struct heatmap *h)
{
	fputs("<h2 id=\"inputs\">Inputs</h2>\n<table class=\"inputs\"><thead><tr><th>input</th>"
	      "<th>runs</th><th>boundaries</th><th>reports</th></tr></thead><tbody>\n", out);
	for (int i = 0; i < h->ninputs; i++) {
		const struct input *in = &h->inputs[i];

		fputs("<tr><td>", out);
		put_escaped(out, in->name);
		fprintf(out, "</td><td class=\"n\">%lu</td><td class=\"n\">%lu</td><td class=\"n\">%lu",
			in->runs, in->boundaries, in->reports);
		if (in->first_report[0]) {
			fputs(" (first: ", out);
			put_escaped(out, in->first_report);
			fputs(")", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static int bit_length(unsigned long v)
{
	return v ? 64 - __builtin_clzl(v) : 0;
}

static void put_source(FILE *out, const struct heatmap *h, const struct source *src)
{
	unsigned long max = 1;
	size_t li = 0;

	for (size_t i = 0; i < h->nlines; i++)
		if (strcmp(h->lines[i].file, src->path) == 0 && total_landed(&h->lines[i].c) > max)
			max = total_landed(&h->lines[i].c);
	while (li < h->nlines && strcmp(h->lines[li].file, src->path) != 0)
		li++;
	fprintf(out, "<h3 id=\"%s\">%s</h3>\n<table class=\"src\"><thead><tr><th>line</th>",
		src->path, src->path);
	put_kind_headers(out);
	fputs("<th>source</th></tr></thead><tbody>\n", out);
	for (unsigned int n = 1; n <= src->nlines; n++) {
		const struct total *l = NULL;
		struct heatmap_counts none = { 0 };

		if (li < h->nlines && h->lines[li].line == n && strcmp(h->lines[li].file, src->path) == 0)
			l = &h->lines[li++];
		if (l && total_landed(&l->c)) {
			/* heat: a log scale (bit lengths), so one landing still shows */
			int heat = 12 + 60 * bit_length(total_landed(&l->c)) / bit_length(max);

			fprintf(out, "<tr id=\"%s:%u\" class=\"hot\" style=\"--heat:.%02d\">", src->path,
				n, heat);
		} else {
			fprintf(out, "<tr id=\"%s:%u\" class=\"%s\"%s>", src->path, n, l ? "cold" : "none",
				l ? " title=\"boundaries here, never interrupted\"" : "");
		}
		fprintf(out, "<td class=\"ln\">%u</td>", n);
		put_counts(out, h, l ? &l->c : &none);
		fputs("<td class=\"code\">", out);
		put_escaped(out, src->lines[n - 1]);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static bool has_sites(const struct heatmap *h, const char *path)
{
	for (size_t i = 0; i < h->nlines; i++)
		if (strcmp(h->lines[i].file, path) == 0)
			return true;
	return false;
}

bool heatmap_write_html(const struct heatmap *h, const char *source_dir, FILE *out, char *err,
			size_t errsize)
{
	struct source *srcs;
	int nsrcs = read_core(source_dir, &srcs, err, errsize);
	bool first = true;

	if (nsrcs < 0)
		return false;
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>reentry injection heatmap</title>\n<style>%s</style></head>\n<body><main>\n",
		page_style);
	put_header(out, h);
	put_nolock(out, h, srcs, nsrcs);
	put_functions(out, h, srcs, nsrcs);
	put_inputs(out, h);
	fputs("<h2 id=\"source\">Source</h2>\n<p>Files without any boundary reached: ", out);
	for (int i = 0; i < nsrcs; i++)
		if (!has_sites(h, srcs[i].path)) {
			fprintf(out, "%s%s", first ? "" : ", ", srcs[i].path);
			first = false;
		}
	fputs(first ? "none.</p>\n" : ".</p>\n", out);
	for (int i = 0; i < nsrcs; i++)
		if (has_sites(h, srcs[i].path))
			put_source(out, h, &srcs[i]);
	fprintf(out, "</main>\n<script>%s</script>\n</body></html>\n", page_script);
	for (int i = 0; i < nsrcs; i++) {
		free(srcs[i].text);
		free(srcs[i].lines);
	}
	free(srcs);
	return true;
}

/* The page's nolock-path counts, in the page's words (put_nolock()). */
void heatmap_print_summary(const struct heatmap *h, FILE *out)
{
	int count[NR_STATES] = { 0 }, total = 0;
	char never[1024] = "";

	for (int i = 0; heatmap_nolock_functions[i]; i++, total++) {
		struct heatmap_counts c;
		enum nolock_state is = nolock_state(h, heatmap_nolock_functions[i], &c);

		count[is]++;
		if (is == NEVER)
			snprintf(never + strlen(never), sizeof(never) - strlen(never), " %s",
				 heatmap_nolock_functions[i]);
	}
	fprintf(out, "heatmap  %d input%s, %lu run%s, %lu report%s; %zu boundary sites on %zu lines, "
		"%zu functions\n", h->ninputs, h->ninputs == 1 ? "" : "s", h->runs,
		h->runs == 1 ? "" : "s", h->reports, h->reports == 1 ? "" : "s", h->nsites, h->nlines,
		h->nfns);
	fprintf(out, "nolock   %d of %d functions interrupted, %d reached but never interrupted, "
		"%d reached with no boundary of their own, %d never reached%s%s\n", count[INTERRUPTED],
		total, count[QUIET], count[WRAPPER], count[NEVER], never[0] ? ":" : "", never);
}
