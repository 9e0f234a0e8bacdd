/*
 * tests/test_cli.c — the `reentry` command's option layer (fuzz/cli_options.c)
 * and its text-or-binary rule (fuzz/input_form.c). tests/cli_options.sh runs
 * the command itself.
 */
#include "test.h"

#include "../core/bugs.h"
#include "../fuzz/cli_options.h"
#include "../fuzz/input_form.h"
#include "../fuzz/sweep.h"

#include <stdarg.h>
#include <string.h>

#define ALL_OPTIONS ((1u << NR_CLI_OPTIONS) - 1 - CLI_OPT(OPT_OUT_DIR) - CLI_OPT(OPT_OUT_REPORTS))

/* Parse a verb's arguments given as a NULL-terminated list. */
static bool parse(uint32_t accepted, struct cli_args *a, char *err, size_t errsize, ...)
{
	static char copies[32][128];
	char *argv[33];
	int argc = 0;
	va_list ap;
	const char *s;
	bool ok;

	va_start(ap, errsize);
	while ((s = va_arg(ap, const char *)) && argc < 32) {
		snprintf(copies[argc], sizeof(copies[argc]), "%s", s);
		argv[argc] = copies[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	ok = cli_parse(argc, argv, accepted, a, err, errsize);
	if (!ok)
		fprintf(stderr, "(expected or not) %s\n", err);
	return ok;
}

TEST(cli_number_is_strict)
{
	uint64_t v = 0;

	CHECK(cli_number("5", 1, 10, &v) && v == 5);
	CHECK(cli_number("0x10", 0, 100, &v) && v == 16);
	CHECK(cli_number("010", 0, 100, &v) && v == 10);	/* decimal, not octal */
	CHECK(cli_number("18446744073709551615", 0, UINT64_MAX, &v) && v == UINT64_MAX);
	CHECK(!cli_number("-5", 0, UINT64_MAX, &v));	/* strtoull would wrap it round */
	CHECK(!cli_number("+5", 0, 10, &v));
	CHECK(!cli_number(" 5", 0, 10, &v));
	CHECK(!cli_number("abc", 0, 10, &v));
	CHECK(!cli_number("2abc", 0, 10, &v));
	CHECK(!cli_number("5 ", 0, 10, &v));
	CHECK(!cli_number("", 0, 10, &v));
	CHECK(!cli_number("0x", 0, 10, &v));
	CHECK(!cli_number("0x-1", 0, UINT64_MAX, &v));
	CHECK(!cli_number("18446744073709551616", 0, UINT64_MAX, &v));	/* 2^64 */
	CHECK(!cli_number("0", 1, 10, &v));
	CHECK(!cli_number("11", 1, 10, &v));
	CHECK_EQ(v, UINT64_MAX);	/* a refused value leaves *out alone */
	return true;
}

static bool text(const char *s)
{
	struct text_flaw flaw;

	return input_is_text((const uint8_t *)s, strlen(s), &flaw);
}

TEST(input_text_rule)
{
	struct text_flaw flaw;
	uint8_t tagged[2] = { 0, 'c' };

	CHECK(text(""));
	CHECK(text("# config: cpus=4\r\n\tcpu0 task: irq_work()\n"));
	CHECK(text("# caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n"));	/* é, €, an emoji */
	CHECK(text("\xef\xbb\xbf# a BOM first\n"));
	CHECK(text("// not the grammar, but text\n"));
	CHECK(text("\xef\xbb\xbf\xef\xbb\xbf"));	/* a second BOM is U+FEFF: text */
	CHECK(!text("a\x07"));		/* C0 control */
	CHECK(!text("a\x7f"));		/* DEL */
	CHECK(!text("a\xc2\x85"));		/* C1 control (NEL) */
	CHECK(!text("\xc0\xaf"));		/* overlong '/' */
	CHECK(!text("\xed\xa0\x80"));	/* a surrogate */
	CHECK(!text("\xf4\x90\x80\x80"));	/* past U+10FFFF */
	CHECK(!text("a\xe2\x82"));		/* cut short */
	CHECK(!text("\xff"));
	/* every fuzz target's tag is a continuation byte: never text */
	for (int id = 0; id < 16; id++) {
		tagged[0] = (uint8_t)(TARGET_TAG | id);
		CHECK(!input_is_text(tagged, sizeof(tagged), &flaw));
		CHECK_EQ(flaw.offset, 0);
	}
	/* where: lines and columns as the parser counts them (bytes, after a BOM) */
	CHECK(!input_is_text((const uint8_t *)"\xef\xbb\xbf# x\ncpu0 \x01", 13, &flaw));
	CHECK_EQ(flaw.line, 2);
	CHECK_EQ(flaw.column, 6);
	CHECK_EQ(flaw.byte, 1);
	CHECK(strcmp(flaw.why, "a control character") == 0);
	CHECK(!input_is_text((const uint8_t *)"ab\n\ncd\0", 7, &flaw));
	CHECK_EQ(flaw.line, 3);
	CHECK_EQ(flaw.column, 3);
	CHECK(strcmp(flaw.why, "a NUL byte") == 0);
	/* --text reads anything but a NUL */
	CHECK(!input_find_nul((const uint8_t *)"\xff\x01", 2, &flaw));
	CHECK(input_find_nul((const uint8_t *)"x\n\xff\0", 4, &flaw));
	CHECK_EQ(flaw.line, 2);
	CHECK_EQ(flaw.column, 2);
	CHECK_EQ(input_bom((const uint8_t *)"\xef\xbb\xbfx", 4), 3);
	CHECK_EQ(input_bom((const uint8_t *)"\xef\xbb", 2), 0);
	return true;
}

TEST(cli_parse_defaults_and_operands)
{
	struct cli_args a;
	char err[512];

	CHECK(parse(ALL_OPTIONS, &a, err, sizeof(err), "sweep", "f1", "--depth", "2", "f2",
		    "--kinds=nmi,kprobe", "--", "--not-an-option", NULL));
	CHECK_EQ(a.noperands, 3);
	CHECK(strcmp(a.operands[0], "f1") == 0 && strcmp(a.operands[1], "f2") == 0);
	CHECK(strcmp(a.operands[2], "--not-an-option") == 0);
	CHECK_EQ(a.depth, 2);
	CHECK_EQ(a.kinds, (1u << EV_NMI) | (1u << EV_KPROBE));
	CHECK_EQ(a.seed, 1);
	CHECK_EQ(a.trials, 10000);
	CHECK_EQ(a.nhandler, 1);	/* the default handler, parsed */
	CHECK_EQ(a.handler_ops[0].kind, OP_KMALLOC_NOLOCK);
	CHECK(a.form == FORM_BY_RULE && !a.target && !a.bugs && !a.no_bugs && !a.help);
	cli_args_free(&a);
	CHECK(parse(ALL_OPTIONS, &a, err, sizeof(err), "random", "-", "--tr", "7", NULL));
	CHECK_EQ(a.trials, 7);	/* an unambiguous abbreviation */
	CHECK(strcmp(a.operands[0], "-") == 0);
	cli_args_free(&a);
	CHECK(parse(ALL_OPTIONS, &a, err, sizeof(err), "x", "-h", NULL));
	CHECK(a.help);
	cli_args_free(&a);
	return true;
}

/* Each bad value: refused with a message naming the option. */
TEST(cli_parse_refuses_bad_values)
{
	static const char *const bad[][3] = {
		{ "--trials", "-5", "option '--trials': '-5' is not a whole number" },
		{ "--trials", "abc", "option '--trials': 'abc'" },
		{ "--trials", "0", "option '--trials': '0'" },
		{ "--seed", "abc", "option '--seed': 'abc'" },
		{ "--depth", "2abc", "option '--depth': '2abc'" },
		{ "--depth", "3", "in 1..2" },
		{ "--bug", "bogus", "no historical bug named 'bogus'" },
		{ "--bug", "kprobe_fastpath,", "names no bug" },
		{ "--target", "bogus", "no fuzz target named 'bogus' (nolock, " },
		{ "--config", "cpus=9", "option '--config': 'cpus=9': column" },
		{ "--kinds", "nmi,bogus", "unknown interrupt kind 'bogus'" },
		{ "--handler", "bogus(a)", "option '--handler'" },
	};
	struct cli_args a;
	char err[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!parse(ALL_OPTIONS, &a, err, sizeof(err), "v", "f", bad[i][0], bad[i][1], NULL));
		if (!strstr(err, bad[i][2])) {
			fprintf(stderr, "%s %s: got '%s', want '%s'\n", bad[i][0], bad[i][1], err, bad[i][2]);
			return false;
		}
		cli_args_free(&a);
	}
	return true;
}

TEST(cli_parse_names_missing_unknown_and_ambiguous)
{
	struct cli_args a;
	char err[512];

	CHECK(!parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "f", "--bug", NULL));
	CHECK(strstr(err, "option '--bug' needs a value"));
	cli_args_free(&a);
	CHECK(!parse(ALL_OPTIONS, &a, err, sizeof(err), "minimize", "f", "-o", NULL));
	CHECK(strstr(err, "option '-o' needs a value"));
	cli_args_free(&a);
	CHECK(!parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--bogus", "f", NULL));
	CHECK(strstr(err, "unknown option '--bogus' (reentry replay --help"));
	cli_args_free(&a);
	/* known, but not to this verb */
	CHECK(!parse(CLI_OPT(OPT_BUG), &a, err, sizeof(err), "sweep", "f", "--seed", "3", NULL));
	CHECK(strstr(err, "unknown option '--seed'"));
	cli_args_free(&a);
	CHECK(!parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "-x", NULL));
	CHECK(strstr(err, "unknown option '-x'"));
	cli_args_free(&a);
	CHECK(!parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--replay=yes", NULL));
	CHECK(strstr(err, "option '--replay' takes no value"));
	cli_args_free(&a);
	CHECK(!parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--t", "x", NULL));
	CHECK(strstr(err, "option '--t' is ambiguous (--target, --text, --trials)"));
	cli_args_free(&a);
	CHECK(!parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--text", "--binary", NULL));
	CHECK(strstr(err, "contradict"));
	cli_args_free(&a);
	return true;
}

/* No limits: every bug, many config items; --bug none and --no-bugs. */
TEST(cli_parse_bugs_and_configs_unlimited)
{
	char args[NR_SLAB_BUGS * 2 + 8][64];
	char *argv[NR_SLAB_BUGS * 2 + 400];
	struct cli_args a;
	char err[512];
	int argc = 0;

	argv[argc++] = "replay";
	for (int i = 0; i < NR_SLAB_BUGS; i++) {
		argv[argc++] = "--bug";
		snprintf(args[i], sizeof(args[i]), "%s", slab_bugs[i].name);
		argv[argc++] = args[i];
	}
	for (int i = 0; i < 150; i++) {
		argv[argc++] = "--config";
		argv[argc++] = i % 2 ? "cpus=4" : "lockdep";
	}
	argv[argc++] = "f";
	argv[argc] = NULL;
	CHECK(NR_SLAB_BUGS > 8);	/* past the old limit of 8 */
	CHECK(cli_parse(argc, argv, ALL_OPTIONS, &a, err, sizeof(err)));
	CHECK_EQ(a.bugs, (1ull << NR_SLAB_BUGS) - 1);
	CHECK_EQ(a.nconfigs, 150);
	CHECK(!a.no_bugs);
	cli_args_free(&a);

	CHECK(parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--bug", "none", "f", NULL));
	CHECK(a.no_bugs && !a.bugs);
	cli_args_free(&a);
	CHECK(parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--bug", "none,kprobe_fastpath",
		    "--bug=list_lock_spin", "f", NULL));
	CHECK(a.no_bugs);
	CHECK_EQ(a.bugs, (1ull << bug_lookup("kprobe_fastpath")) | (1ull << bug_lookup("list_lock_spin")));
	cli_args_free(&a);
	CHECK(parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--no-bugs", "f", NULL));
	CHECK(a.no_bugs);
	cli_args_free(&a);
	return true;
}

TEST(cli_parse_target_and_form)
{
	struct cli_args a;
	char err[512];

	CHECK(parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--target", "sheaves", "f", NULL));
	CHECK(a.target && a.target->id == TARGET_SHEAVES);
	cli_args_free(&a);
	CHECK(parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--target=nolock_rt_fuzzer", "f", NULL));
	CHECK(a.target && a.target->id == TARGET_NOLOCK_RT);
	cli_args_free(&a);
	CHECK(parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--text", "--text", "f", NULL));
	CHECK(a.form == FORM_TEXT);
	cli_args_free(&a);
	CHECK(parse(ALL_OPTIONS, &a, err, sizeof(err), "replay", "--binary", "f", NULL));
	CHECK(a.form == FORM_BINARY);
	cli_args_free(&a);
	return true;
}
