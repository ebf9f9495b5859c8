/**
 * \file
 * The module's decision reporting: counters in the segment and lines in the
 * JSON event log. Both are cheap and never block a resolver thread (atomic
 * adds; a bounded queue drained by the event log's own thread).
 */
#include "fluxguard_internal.h"
#include "fluxguard/counters.h"
#include "fluxguard/eventlog.h"
#include "fluxguard/name.h"
#include "fluxguard/score.h"
#include "fluxguard/tracker.h"

#include <stdio.h>
#include <time.h>

void
fluxguard_count(struct fluxguard_env* fe, unsigned counter)
{
	if(fe && fe->tracker)
		fg_tracker_count(fe->tracker, counter, 1);
}

void
fluxguard_event(struct fluxguard_env* fe, const char* event,
	const uint8_t* name, double score, int action, const char* list,
	const char* reason, const struct fg_score_explain* explain)
{
	char line[FG_EVENTLOG_LINE_MAX], domain[FG_NAME_MAX_STR];
	char features[FG_EVENTLOG_LINE_MAX / 2];
	size_t pos;
	int n;
	if(!fe || !fe->events || !fg_name_to_str(name, domain, sizeof(domain)))
		return;
	n = snprintf(line, sizeof(line), "{\"time\":%lld,\"event\":\"%s\",\"domain\":",
		(long long)time(NULL), event);
	if(n < 0 || (size_t)n >= sizeof(line))
		return;
	pos = (size_t)n;
	if(!fg_json_string(line, sizeof(line), &pos, domain))
		return;
	n = snprintf(line + pos, sizeof(line) - pos,
		",\"score\":%.1f,\"action\":%s%s%s,\"list\":%s%s%s,\"reason\":",
		score, action >= 0 ? "\"" : "",
		action >= 0 ? fg_action_name(action) : "null",
		action >= 0 ? "\"" : "", list ? "\"" : "", list ? list : "null",
		list ? "\"" : "");
	if(n < 0 || (size_t)n >= sizeof(line) - pos)
		return;
	pos += (size_t)n;
	if(!fg_json_string(line, sizeof(line), &pos, reason ? reason : ""))
		return;
	if(explain && fg_score_explain_json(explain, features, sizeof(features)))
		n = snprintf(line + pos, sizeof(line) - pos, ",\"explain\":%s}",
			features);
	else
		n = snprintf(line + pos, sizeof(line) - pos, "}");
	if(n < 0 || (size_t)n >= sizeof(line) - pos)
		return;
	if(!fg_eventlog_post(fe->events, line))
		fluxguard_count(fe, FG_CTR_EVENTS_DROPPED);
}
