/**
 * \file
 * One decision as an event line: the JSON object the event log appends for
 * each flag, block and unflag. Built in the core, so the module, the tools
 * and their tests write one format; queued and written by fluxguard/eventlog.h.
 */
#ifndef FLUXGUARD_EVENT_H
#define FLUXGUARD_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/score.h"

/** One decision to report. */
struct fg_event {
	/** when, UNIX seconds */
	uint64_t time;
	/** the domain, wire format */
	const uint8_t* name;
	/** "flag", "block" or "unflag" */
	const char* event;
	/** its score */
	double score;
	/** the score's explanation, or NULL */
	const struct fg_score_explain* explain;
	/** enum fg_action, or -1 for none */
	int action;
	/** "allow", "deny" or NULL */
	const char* list;
	/** why, or NULL */
	const char* reason;
};

/**
 * Write \p ev as one JSON object (no newline) into \p line:
 * {"time":..,"event":..,"domain":..,"score":..,"action":..,"list":..,
 * "reason":..[,"explain":{..}]}.
 * \return 1, or 0 if the name is malformed or the line did not fit.
 */
int fg_event_format(const struct fg_event* ev, char* line, size_t len);

#endif /* FLUXGUARD_EVENT_H */
