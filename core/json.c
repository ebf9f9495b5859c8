/**
 * \file
 * JSON string encoding (fluxguard/json.h). One function decides how a byte
 * is written; the buffer and the stream writers both use it.
 */
#include "fluxguard/json.h"

#include <stdio.h>
#include <string.h>

/** Longest encoding of one byte ("\u00XX"), NUL included. */
#define JSON_BYTE_MAX 7

/** Encode one byte of a string's content into \p out. \return its length. */
static size_t
json_escape_byte(unsigned char c, char out[JSON_BYTE_MAX])
{
	if(c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		out[2] = 0;
		return 2;
	}
	if(c < 0x20 || c == 0x7f)
		return (size_t)snprintf(out, JSON_BYTE_MAX, "\\u%04x", c);
	out[0] = (char)c;
	out[1] = 0;
	return 1;
}

int
fg_json_string(char* buf, size_t len, size_t* pos, const char* s)
{
	char enc[JSON_BYTE_MAX];
	size_t p = *pos, n;
	if(p + 1 >= len)
		return 0;
	buf[p++] = '"';
	for(; *s; s++) {
		n = json_escape_byte((unsigned char)*s, enc);
		if(p + n >= len)
			return 0;
		memcpy(buf + p, enc, n);
		p += n;
	}
	if(p + 1 >= len)
		return 0;
	buf[p++] = '"';
	buf[p] = 0;
	*pos = p;
	return 1;
}

void
fg_json_fputs(FILE* out, const char* s)
{
	char enc[JSON_BYTE_MAX];
	fputc('"', out);
	for(; *s; s++) {
		json_escape_byte((unsigned char)*s, enc);
		fputs(enc, out);
	}
	fputc('"', out);
}
