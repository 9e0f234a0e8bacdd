/*
 * fuzz/input_form.h — is a file a text program or a binary input? By rule.
 *
 * A file is text when it is valid UTF-8 (a leading byte order mark allowed,
 * and skipped) with no control character other than tab, CR and LF: no NUL,
 * no other C0 control, no DEL, no C1 control (U+0080..U+009F). Anything else
 * is binary. Every input a fuzz target can crash on starts with its tag,
 * 0x80..0x8f (program.h), a UTF-8 continuation byte that no valid UTF-8
 * starts with, so crash files are always binary; what people write is always
 * text. Nothing is guessed from what the bytes look like.
 */
#ifndef REENTRY_FUZZ_INPUT_FORM_H
#define REENTRY_FUZZ_INPUT_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where and why a byte string is not text. */
struct text_flaw {
	size_t offset;		/* of the first byte that breaks the rule */
	unsigned int line, column;	/* 1-based; columns count bytes, as the parser's do */
	uint8_t byte;		/* that byte */
	const char *why;	/* "a NUL byte", "a control character" or "not UTF-8" */
};

/* The length of a leading UTF-8 byte order mark (3), or 0. */
size_t input_bom(const uint8_t *data, size_t size);

/* True if data (its BOM skipped) is text by the rule; else false, with the
 * first flaw (offsets, lines and columns counted after the BOM) in *flaw. */
bool input_is_text(const uint8_t *data, size_t size, struct text_flaw *flaw);

/* The first NUL byte of data as a flaw: true if there is one. A file read
 * as text (--text) may break the rule anywhere but there, where the parser
 * would stop reading. */
bool input_find_nul(const uint8_t *data, size_t size, struct text_flaw *flaw);

#endif /* REENTRY_FUZZ_INPUT_FORM_H */
