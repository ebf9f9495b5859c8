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

/** Append a wire name as a JSON string, or null for NULL.
 * \return 0 if it is malformed or does not fit. */
static int
append_name_or_null(char* line, size_t len, size_t* pos, const uint8_t* name)
{
	char str[FG_NAME_MAX_STR];
	if(!name)
		return fg_buf_printf(line, len, pos, "null");
	return fg_name_to_str(name, str, sizeof(str)) &&
		fg_json_string(line, len, pos, str);
}

/** Append the client's address and port, or two nulls. */
static int
append_client(char* line, size_t len, size_t* pos, const struct fg_event* ev)
{
	char addr[FG_ADDR_MAX_STR];
	if(!ev->client || !fg_addr_to_str(ev->client, addr, sizeof(addr)))
		return fg_buf_printf(line, len, pos,
			",\"client\":null,\"client_port\":null");
	return fg_buf_printf(line, len, pos, ",\"client\":") &&
		fg_json_string(line, len, pos, addr) &&
		fg_buf_printf(line, len, pos, ",\"client_port\":%u",
			(unsigned)ev->client_port);
}

int
fg_event_format(const struct fg_event* ev, char* line, size_t len)
{
	char features[2048];
	size_t pos = 0;
	if(len == 0 || !ev->name)
		return 0;
	if(!fg_buf_printf(line, len, &pos, "{\"time\":%llu,\"event\":",
			(unsigned long long)ev->time) ||
		!fg_json_string(line, len, &pos, ev->event) ||
		!fg_buf_printf(line, len, &pos, ",\"identity\":") ||
		!append_str_or_null(line, len, &pos, ev->identity) ||
		!append_client(line, len, &pos, ev) ||
		!fg_buf_printf(line, len, &pos, ",\"domain\":") ||
		!append_name_or_null(line, len, &pos, ev->name) ||
		!fg_buf_printf(line, len, &pos, ",\"qtype\":") ||
		!append_str_or_null(line, len, &pos, ev->qtype))
		return 0;
	if(ev->has_score ? !fg_buf_printf(line, len, &pos, ",\"score\":%.1f",
		ev->score) : !fg_buf_printf(line, len, &pos, ",\"score\":null"))
		return 0;
	if(!fg_buf_printf(line, len, &pos, ",\"action\":") ||
		!append_str_or_null(line, len, &pos, ev->action >= 0 ?
			fg_action_name(ev->action) : NULL) ||
		!fg_buf_printf(line, len, &pos, ",\"list\":") ||
		!append_str_or_null(line, len, &pos, ev->list) ||
		!fg_buf_printf(line, len, &pos, ",\"decided_by\":") ||
		!append_name_or_null(line, len, &pos, ev->decided_by) ||
		!fg_buf_printf(line, len, &pos, ",\"reason\":") ||
		!fg_json_string(line, len, &pos, ev->reason ? ev->reason : ""))
		return 0;
	if(ev->explain && fg_score_explain_json(ev->explain, features,
		sizeof(features)) && !fg_buf_printf(line, len, &pos, ",\"explain\":%s",
		features))
		return 0;
	return fg_buf_printf(line, len, &pos, "}");
}

int
fg_event_format_suppressed(uint64_t time, const char* identity,
	uint64_t count, uint64_t since, uint32_t rate, char* line, size_t len)
{
	size_t pos = 0;
	if(len == 0)
		return 0;
	return fg_buf_printf(line, len, &pos, "{\"time\":%llu,\"event\":"
			"\"suppressed\",\"identity\":", (unsigned long long)time) &&
		append_str_or_null(line, len, &pos, identity) &&
		fg_buf_printf(line, len, &pos, ",\"count\":%llu,\"since\":%llu,"
			"\"reason\":\"event-rate: more than %u block events in a "
			"second\"}", (unsigned long long)count,
			(unsigned long long)since, (unsigned)rate);
}
