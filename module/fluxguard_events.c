/**
 * \file
 * The module's decision reporting: counters in the segment and lines in the
 * JSON event log. Both are cheap and never block a resolver thread (atomic
 * adds; a bounded queue drained by the event log's own thread).
 */
#include "fluxguard_internal.h"
#include "fluxguard/counters.h"
#include "fluxguard/event.h"
#include "fluxguard/eventlog.h"
#include "fluxguard/name.h"
#include "fluxguard/score.h"
#include "fluxguard/tracker.h"

#include <stdio.h>
#include <time.h>

void
fluxguard_count(struct fluxguard_env* fe, unsigned counter)
{
	if(fe && fe->engine.tracker)
		fg_tracker_count(fe->engine.tracker, counter, 1);
}

void
fluxguard_event(struct fluxguard_env* fe, const char* event,
	const uint8_t* name, double score, int action, const char* list,
	const char* reason, const struct fg_score_explain* explain)
{
	char line[FG_EVENTLOG_LINE_MAX];
	struct fg_event ev;
	if(!fe || !fe->events)
		return;
	ev.time = (uint64_t)time(NULL);
	ev.event = event;
	ev.name = name;
	ev.score = score;
	ev.action = action;
	ev.list = list;
	ev.reason = reason;
	ev.explain = explain;
	if(!fg_event_format(&ev, line, sizeof(line)) ||
		!fg_eventlog_post(fe->events, line))
		fluxguard_count(fe, FG_CTR_EVENTS_DROPPED);
}
