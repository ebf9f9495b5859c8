/**
 * \file
 * The event line's JSON (fluxguard/event.h).
 */
#include "fluxguard/event.h"
#include "fluxguard/json.h"
#include "fluxguard/name.h"
#include "fluxguard/options.h"

#include <stdio.h>

/** Append a JSON string, or null for NULL. */
static int
append_str_or_null(char* line, size_t len, size_t* pos, const char* s)
{
	return s ? fg_json_string(line, len, pos, s) :
		fg_buf_printf(line, len, pos, "null");
}

int
fg_event_format(const struct fg_event* ev, char* line, size_t len)
{
	char domain[FG_NAME_MAX_STR], features[2048];
	size_t pos = 0;
	if(len == 0 || !fg_name_to_str(ev->name, domain, sizeof(domain)))
		return 0;
	if(!fg_buf_printf(line, len, &pos, "{\"time\":%llu,\"event\":",
			(unsigned long long)ev->time) ||
		!fg_json_string(line, len, &pos, ev->event) ||
		!fg_buf_printf(line, len, &pos, ",\"domain\":") ||
		!fg_json_string(line, len, &pos, domain) ||
		!fg_buf_printf(line, len, &pos, ",\"score\":%.1f,\"action\":",
			ev->score) ||
		!append_str_or_null(line, len, &pos, ev->action >= 0 ?
			fg_action_name(ev->action) : NULL) ||
		!fg_buf_printf(line, len, &pos, ",\"list\":") ||
		!append_str_or_null(line, len, &pos, ev->list) ||
		!fg_buf_printf(line, len, &pos, ",\"reason\":") ||
		!fg_json_string(line, len, &pos, ev->reason ? ev->reason : ""))
		return 0;
	if(ev->explain && fg_score_explain_json(ev->explain, features,
		sizeof(features)) && !fg_buf_printf(line, len, &pos, ",\"explain\":%s",
		features))
		return 0;
	return fg_buf_printf(line, len, &pos, "}");
}
