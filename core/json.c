/**
 * \file
 * JSON string encoding (fluxguard/json.h). One function decides how a byte
 * is written; the buffer and the stream writers both use it.
 */
#include "fluxguard/json.h"

#include <stdarg.h>
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

/** Append \p n bytes at \p *p of \p buf, keeping it NUL-terminated.
 * \return 0 if they do not fit. */
static int
put(char* buf, size_t len, size_t* p, const char* bytes, size_t n)
{
	if(*p + n >= len)
		return 0;
	memcpy(buf + *p, bytes, n);
	*p += n;
	buf[*p] = 0;
	return 1;
}

int
fg_json_string(char* buf, size_t len, size_t* pos, const char* s)
{
	char enc[JSON_BYTE_MAX];
	size_t p = *pos;
	if(!put(buf, len, &p, "\"", 1))
		return 0;
	for(; *s; s++)
		if(!put(buf, len, &p, enc, json_escape_byte((unsigned char)*s,
			enc)))
			return 0;
	if(!put(buf, len, &p, "\"", 1))
		return 0;
	*pos = p;
	return 1;
}

int
fg_buf_printf(char* buf, size_t len, size_t* pos, const char* fmt, ...)
{
	va_list ap;
	int n;
	if(*pos >= len)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if(n < 0 || (size_t)n >= len - *pos) {
		*pos = len;
		return 0;
	}
	*pos += (size_t)n;
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
