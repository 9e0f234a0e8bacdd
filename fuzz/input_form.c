/* fuzz/input_form.c — text or binary, by the rule of input_form.h. */
#include "input_form.h"

size_t input_bom(const uint8_t *data, size_t size)
{
	return size >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf ? 3 : 0;
}

static void locate(const uint8_t *data, size_t offset, const char *why, struct text_flaw *flaw)
{
	size_t line_start = 0;

	flaw->line = 1;
	for (size_t i = 0; i < offset; i++) {
		if (data[i] == '\n') {
			flaw->line++;
			line_start = i + 1;
		}
	}
	flaw->offset = offset;
	flaw->column = (unsigned int)(offset - line_start + 1);
	flaw->byte = data[offset];
	flaw->why = why;
}

/*
 * The length of the well-formed UTF-8 sequence at data[i] (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0.
 */
static size_t utf8_length(const uint8_t *data, size_t size, size_t i)
{
	uint8_t b = data[i], lo = 0x80, hi = 0xbf;
	size_t n;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		n = 2;
	else if (b >= 0xe0 && b <= 0xef)
		n = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 4;
	else
		return 0;	/* a continuation byte, an overlong lead, or past U+10FFFF */
	/* the second byte's range rules out overlongs, surrogates and > U+10FFFF */
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (size - i < n || data[i + 1] < lo || data[i + 1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (data[i + k] < 0x80 || data[i + k] > 0xbf)
			return 0;
	return n;
}

bool input_is_text(const uint8_t *data, size_t size, struct text_flaw *flaw)
{
	size_t bom = input_bom(data, size);

	data += bom;
	size -= bom;
	for (size_t i = 0; i < size;) {
		uint8_t b = data[i];
		size_t n = utf8_length(data, size, i);

		if (n == 0) {
			locate(data, i, "not UTF-8", flaw);
			return false;
		}
		if (b == 0) {
			locate(data, i, "a NUL byte", flaw);
			return false;
		}
		/* C0 controls but tab, LF and CR; DEL; C1 controls (U+0080..U+009F) */
		if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f ||
		    (b == 0xc2 && data[i + 1] < 0xa0)) {
			locate(data, i, "a control character", flaw);
			return false;
		}
		i += n;
	}
	return true;
}

bool input_find_nul(const uint8_t *data, size_t size, struct text_flaw *flaw)
{
	size_t bom = input_bom(data, size);

	for (size_t i = bom; i < size; i++) {
		if (data[i] == 0) {
			locate(data + bom, i - bom, "a NUL byte", flaw);
			return true;
		}
	}
	return false;
}
