/* fuzz/anchors.c — ordinals to function anchors and back (see anchors.h). */
#include "anchors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int anchors_position_print(char *buf, size_t size, const struct fn_position *at)
{
	if (!at->fn)
		return snprintf(buf, size, "?");
	return program_anchor_print(buf, size, AT_FUNCTION, at->fn, at->k);
}

static void to_function(struct event *ev, const struct fn_position *at)
{
	ev->anchor = AT_FUNCTION;
	memset(ev->fn, 0, sizeof(ev->fn));
	snprintf(ev->fn, sizeof(ev->fn), "%s", at->fn);
	ev->ordinal = at->k;
}

/* A "# unfired:" line that named ev before it moved names it after. */
static void follow_unfired(struct program *p, const struct event *old, const struct event *ev)
{
	for (int i = 0; i < p->nunfired; i++) {
		struct unfired *u = &p->unfired[i];

		if (u->op == old->op && u->kind == old->kind && u->anchor == old->anchor &&
		    u->ordinal == old->ordinal && strcmp(u->fn, old->fn) == 0) {
			u->anchor = ev->anchor;
			u->ordinal = ev->ordinal;
			memcpy(u->fn, ev->fn, sizeof(u->fn));
		}
	}
}

/* Convert p's events in place, keeping their order (see anchors_convert). */
static int convert(struct program *p, enum event_anchor to)
{
	static struct program ran;
	struct exec x = { .track_anchors = true };
	struct event old;
	int left = 0;

	ran = *p;
	exec_run(&x, &ran);
	for (int e = 0; e < p->nevents; e++) {
		struct event *ev = &p->events[e];
		const struct event_landing *l = &x.landed[e];

		if (ev->anchor == AT_OCCURRENCE || ev->anchor == to)
			continue;
		if (!(x.events_reached & (1u << e)) || l->ordinal == 0 ||
		    (to == AT_FUNCTION && (!l->at.fn || strlen(l->at.fn) >= sizeof(ev->fn) ||
					   l->at.k > PROGRAM_MAX_ORDINAL)) ||
		    (to == AT_BOUNDARY && l->ordinal > PROGRAM_MAX_ORDINAL)) {
			left++;
			continue;
		}
		old = *ev;
		if (to == AT_FUNCTION) {
			to_function(ev, &l->at);
		} else {
			ev->anchor = AT_BOUNDARY;
			ev->ordinal = l->ordinal;
			memset(ev->fn, 0, sizeof(ev->fn));
		}
		follow_unfired(p, &old, ev);
	}
	exec_free(&x);
	return left;
}

int anchors_convert(struct program *p, enum event_anchor to)
{
	int left = convert(p, to);

	program_sort_events(p);
	return left;
}

/* snprintf-style output: counts everything, stores what fits. */
struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->len++)
		if (o->len + 1 < o->size)
			o->buf[o->len] = s[i];
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

/* Is "@N KIND" at s the anchor of ev (not yet used)? */
static bool names_event(const char *s, uint8_t anchor, uint32_t ordinal, uint8_t kind,
			size_t *len)
{
	const char *name = event_kind_name((enum event_kind)kind);
	char *end;
	unsigned long n = strtoul(s + 1, &end, 10);
	const char *k = end;

	if (anchor != AT_BOUNDARY || n != ordinal || end == s + 1)
		return false;
	while (*k == ' ' || *k == '\t')
		k++;
	if (strncmp(k, name, strlen(name)) != 0)
		return false;
	*len = (size_t)(end - s);
	return true;
}

/*
 * The rewrite of one line: each "@N KIND" of op `op` (or, on an "# unfired:"
 * line, the unfired entry it names) becomes its converted anchor, in order;
 * everything else is copied. A comment ends the scan of an op line.
 */
static void rewrite_line(struct out *o, const char *line, size_t n, int op, bool unfired_line,
			 const struct program *was, const struct program *now, bool *used)
{
	size_t i = 0;

	while (i < n) {
		size_t len = 0;
		bool done = false;

		if (!unfired_line && line[i] == '#' && (i + 1 == n || line[i + 1] == ' ' ||
							 line[i + 1] == '\t'))
			break;	/* a comment: copied as it is */
		if (line[i] == '@' && i + 1 < n && line[i + 1] >= '0' && line[i + 1] <= '9') {
			char anchor[PROGRAM_FN_LEN + 32];

			if (unfired_line) {
				for (int u = 0; u < was->nunfired && !done; u++)
					if (was->unfired[u].op == op && !used[MAX_EVENTS + u] &&
					    names_event(line + i, was->unfired[u].anchor,
							was->unfired[u].ordinal, was->unfired[u].kind,
							&len)) {
						const struct unfired *w = &now->unfired[u];

						used[MAX_EVENTS + u] = done = true;
						program_anchor_print(anchor, sizeof(anchor), w->anchor,
								     w->fn, w->ordinal);
					}
			} else {
				for (int e = 0; e < was->nevents && !done; e++)
					if (was->events[e].op == op && !used[e] &&
					    names_event(line + i, was->events[e].anchor,
							was->events[e].ordinal, was->events[e].kind,
							&len)) {
						const struct event *w = &now->events[e];

						used[e] = done = true;
						program_anchor_print(anchor, sizeof(anchor), w->anchor,
								     w->fn, w->ordinal);
					}
			}
			if (done) {
				put(o, anchor, strlen(anchor));
				i += len;
				continue;
			}
		}
		put(o, line + i, 1);
		i++;
	}
	put(o, line + i, n - i);
}

int anchors_rewrite_text(const char *text, const struct program *p, char *out, size_t size,
			 int *left)
{
	static struct program now;
	static bool used[2 * MAX_EVENTS];
	struct out o = { .buf = out, .size = size };
	const char *line = text;
	int op = -1;

	now = *p;
	*left = convert(&now, AT_FUNCTION);
	memset(used, 0, sizeof(used));
	if (size)
		out[0] = '\0';
	while (*line) {
		size_t n = strcspn(line, "\n");
		const char *s = line + strspn(line, " \t");

		if (strncmp(s, "# unfired:", 10) == 0) {
			s += 10;
			s += strspn(s, " \t");
			rewrite_line(&o, line, n, strncmp(s, "op", 2) == 0 ? atoi(s + 2) : -1, true,
				     p, &now, used);
		} else if (*s == '#' || *s == '\n' || !*s) {
			put(&o, line, n);	/* a header, a comment or a blank line */
		} else {
			rewrite_line(&o, line, n, ++op, false, p, &now, used);
		}
		if (line[n] == '\n')
			put(&o, "\n", 1);
		line += n + (line[n] == '\n');
	}
	return (int)o.len;
}
