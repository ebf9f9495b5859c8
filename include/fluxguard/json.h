/**
 * \file
 * Bounded text output and JSON string encoding, once for every writer of
 * text into a fixed buffer and of JSON (the event log, the
 * control tool's JSON and Prometheus-adjacent output, the replay tool): a
 * quote, a backslash, every control byte (below 0x20) and DEL are escaped,
 * so a name or reason holding them cannot break a line or a terminal.
 */
#ifndef FLUXGUARD_JSON_H
#define FLUXGUARD_JSON_H

#include <stddef.h>
#include <stdio.h>

/**
 * Append \p s to \p buf (at \p *pos, capacity \p len) as a JSON string with
 * quotes; \p buf stays NUL-terminated and \p *pos moves past the string.
 * \return 0 if it did not fit (\p *pos is left alone).
 */
int fg_json_string(char* buf, size_t len, size_t* pos, const char* s);

/**
 * Append printf output to \p buf (at \p *pos, capacity \p len), keeping it
 * NUL-terminated. \return 0 if it did not fit: then \p *pos is \p len, so
 * every later append fails too and a caller may check once at the end.
 */
int fg_buf_printf(char* buf, size_t len, size_t* pos, const char* fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** Write \p s to \p out as a JSON string with quotes. */
void fg_json_fputs(FILE* out, const char* s);

#endif /* FLUXGUARD_JSON_H */
