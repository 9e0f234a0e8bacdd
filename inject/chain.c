/* inject/chain.c — model call chains for reports (see chain.h). */
#include "chain.h"
#include "callstack.h"
#include "engine.h"

#include <stdio.h>
#include <string.h>

void chain_capture(struct chain *c, const void *pc)
{
	int i = callstack_depth() - 1, d = machine_depth(), entered;

	*c = (struct chain){ .pc = pc, .cpu = (int8_t)machine_cpu(),
			     .kind = (int8_t)machine_context() };
	while (i >= 0 && c->n < CHAIN_MAX) {
		/* frames at index >= entered ran in context d */
		if (d > 0) {
			enum ctx_kind kind = machine_frame(d, &entered);

			if (i < entered) {
				c->fn[c->n] = NULL;
				c->ctx[c->n++] = (int8_t)kind;
				d--;
				continue;
			}
		}
		c->fn[c->n++] = callstack_frame(i--);
	}
	c->truncated = i >= 0;
}

/* "file:line" of pc and the function it is in (an inline one), then "in
 * FN" when the real function around it is another. */
static void call_site(const void *pc, const void *fn, char *buf, size_t size)
{
	char real[96];
	size_t n;

	engine_symbolize(pc, NULL, buf, size);
	engine_function_name(fn, real, sizeof(real));
	n = strlen(real);
	if (strncmp(buf, real, n) != 0 || (buf[n] != ' ' && buf[n] != '\0'))
		snprintf(buf + strlen(buf), size - strlen(buf), " in %s", real);
}

void chain_format(const struct chain *c, char *buf, size_t size)
{
	size_t len = 0;
	char name[160];

	if (!size)
		return;
	buf[0] = '\0';
	/* taken right where a context was entered: the call site alone */
	if (c->pc && (!c->n || !c->fn[0])) {
		engine_symbolize(c->pc, NULL, name, sizeof(name));
		len += (size_t)snprintf(buf, size, "%s%s", name, c->n ? " <- " : "");
	}
	for (int k = 0; k < c->n && len < size; k++) {
		if (!c->fn[k])
			snprintf(name, sizeof(name), "{%s}", ctx_kind_name((enum ctx_kind)c->ctx[k]));
		else if (k == 0 && c->pc)
			call_site(c->pc, c->fn[k], name, sizeof(name));
		else
			engine_function_name(c->fn[k], name, sizeof(name));
		len += (size_t)snprintf(buf + len, size - len, "%s%s", k ? " <- " : "", name);
	}
	if (c->truncated && len < size)
		len += (size_t)snprintf(buf + len, size - len, " <- ...");
	if (len < size)
		snprintf(buf + len, size - len, " (cpu%d %s)", c->cpu,
			 ctx_kind_name((enum ctx_kind)c->kind));
}

void chain_here(char *buf, size_t size)
{
	struct chain now;

	chain_capture(&now, NULL);
	if (now.n)
		chain_format(&now, buf, size);
	else
		snprintf(buf, size, "the program");
}
