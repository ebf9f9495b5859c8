/**
 * \file
 * The event line's JSON (fluxguard/event.h).
 */
#include "fluxguard/event.h"
#include "fluxguard/json.h"
#include "fluxguard/name.h"
#include "fluxguard/options.h"

#include <stdarg.h>
#include <stdio.h>

/** Append printf output at \p *pos. \return 0 if it did not fit. */
static int
append(char* line, size_t len, size_t* pos, const char* fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
append(char* line, size_t len, size_t* pos, const char* fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(line + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if(n < 0 || (size_t)n >= len - *pos)
		return 0;
	*pos += (size_t)n;
	return 1;
}

/** Append a JSON string, or null for NULL. */
static int
append_str_or_null(char* line, size_t len, size_t* pos, const char* s)
{
	return s ? fg_json_string(line, len, pos, s) :
		append(line, len, pos, "null");
}

int
fg_event_format(const struct fg_event* ev, char* line, size_t len)
{
	char domain[FG_NAME_MAX_STR], features[2048];
	size_t pos = 0;
	if(len == 0 || !fg_name_to_str(ev->name, domain, sizeof(domain)))
		return 0;
	if(!append(line, len, &pos, "{\"time\":%llu,\"event\":",
			(unsigned long long)ev->time) ||
		!fg_json_string(line, len, &pos, ev->event) ||
		!append(line, len, &pos, ",\"domain\":") ||
		!fg_json_string(line, len, &pos, domain) ||
		!append(line, len, &pos, ",\"score\":%.1f,\"action\":",
			ev->score) ||
		!append_str_or_null(line, len, &pos, ev->action >= 0 ?
			fg_action_name(ev->action) : NULL) ||
		!append(line, len, &pos, ",\"list\":") ||
		!append_str_or_null(line, len, &pos, ev->list) ||
		!append(line, len, &pos, ",\"reason\":") ||
		!fg_json_string(line, len, &pos, ev->reason ? ev->reason : ""))
		return 0;
	if(ev->explain && fg_score_explain_json(ev->explain, features,
		sizeof(features)) && !append(line, len, &pos, ",\"explain\":%s",
		features))
		return 0;
	return append(line, len, &pos, "}");
}
