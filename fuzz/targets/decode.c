/*
 * decode_fuzzer — the program format itself: any bytes decode to a valid
 * program, whose text form parses back to the same program and whose
 * encoding decodes back to it.
 *
 * Pass: decode never crashes; parse(print(decode(x))) == decode(x) field by
 * field (printed again: the same text); decode(encode(decode(x))) ==
 * decode(x). Fail: a mismatch (abort) or ASan/UBSan.
 */
#include "../program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char text[1 << 16], again[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct program p, q, r;
	static uint8_t bytes[PROGRAM_MAX_BYTES];
	char err[256];
	size_t n;

	program_decode(data, size, &p);
	program_print(&p, text, sizeof(text));
	if (!program_parse(text, &q, err, sizeof(err))) {
		fprintf(stderr, "decode_fuzzer: printed program does not parse: %s\n%s", err, text);
		abort();
	}
	program_print(&q, again, sizeof(again));
	if (strcmp(text, again) != 0) {
		fprintf(stderr, "decode_fuzzer: print(parse(print(p))) differs:\n%s---\n%s", text, again);
		abort();
	}
	n = program_encode(&p, bytes, sizeof(bytes));
	program_decode(bytes, n, &r);
	program_print(&r, again, sizeof(again));
	if (strcmp(text, again) != 0) {
		fprintf(stderr, "decode_fuzzer: decode(encode(p)) differs:\n%s---\n%s", text, again);
		abort();
	}
	return 0;
}
