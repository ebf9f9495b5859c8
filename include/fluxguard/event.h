/**
 * \file
 * One decision as an event line: the JSON object the event log appends for
 * each flag, blocked query and unflag, and the summary of the block events
 * the event log's rate left out. Built in the core, so the module, the tools
 * and their tests write one format; queued and written by
 * fluxguard/eventlog.h.
 *
 * Every decision line carries the same keys, null where a key does not
 * apply, so that a SIEM parses one schema:
 *
 *	{"time":1700000000,"event":"block","identity":"resolver1",
 *	 "client":"192.0.2.10","client_port":53124,"domain":"alias.example.",
 *	 "qtype":"A","score":96.0,"action":"refuse","list":null,
 *	 "decided_by":"bot.example.","reason":"flux score 96.0"}
 *
 * event is "flag" (a score crossed the threshold), "block" (a query was
 * answered with the action), "would-block" (the same in monitor mode,
 * action log: the answer passed unchanged) or "unflag" (a block was lifted).
 * score is the deciding name's score as the tracker held it when the query
 * was answered, null when a list decided; decided_by is the name whose
 * verdict decided (the query name itself, a name it is below, or the
 * flagged end of its CNAME chain). A flag line adds "explain", the score's
 * explanation.
 */
#ifndef FLUXGUARD_EVENT_H
#define FLUXGUARD_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/addr.h"
#include "fluxguard/score.h"

/** One decision to report. */
struct fg_event {
	/** when, UNIX seconds */
	uint64_t time;
	/** "flag", "block", "would-block" or "unflag" */
	const char* event;
	/** the resolver that decided (Unbound's identity or the host name),
	 * or NULL */
	const char* identity;
	/** the client whose query was blocked, or NULL (no query: a flag,
	 * an unflag, an answer nobody asked for such as a prefetch) */
	const struct fg_addr* client;
	/** its source port */
	uint16_t client_port;
	/** the domain (for a query: the query name), wire format */
	const uint8_t* name;
	/** the query type as text ("AAAA"), or NULL */
	const char* qtype;
	/** 1 if score holds the deciding name's score, 0 if a list decided
	 * (written as null) */
	int has_score;
	/** the deciding name's score */
	double score;
	/** the score's explanation, or NULL */
	const struct fg_score_explain* explain;
	/** enum fg_action, or -1 for none */
	int action;
	/** "allow", "deny" or NULL */
	const char* list;
	/** the name whose verdict decided, wire format, or NULL */
	const uint8_t* decided_by;
	/** why, or NULL */
	const char* reason;
};

/**
 * Write \p ev as one JSON object (no newline) into \p line, keys as in the
 * file comment, then "explain" if there is one.
 * \return 1, or 0 if a name is malformed or the line did not fit.
 */
int fg_event_format(const struct fg_event* ev, char* line, size_t len);

/**
 * Write the summary of block events left out by the event log's rate:
 * {"time":..,"event":"suppressed","identity":..,"count":N,"since":T0,
 * "reason":"event-rate: more than R block events in a second"}.
 * \param since when the first of them was left out, UNIX seconds.
 * \return 1, or 0 if the line did not fit.
 */
int fg_event_format_suppressed(uint64_t time, const char* identity,
	uint64_t count, uint64_t since, uint32_t rate, char* line, size_t len);

#endif /* FLUXGUARD_EVENT_H */
