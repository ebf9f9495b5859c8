/**
 * \file
 * The module's decision reporting: counters in the segment and lines in the
 * JSON event log (fluxguard/event.h has the line's format). Both are cheap
 * and never block a resolver thread (atomic adds; the event log's rate is
 * lock-free, and its bounded queue is drained by the event log's own thread).
 *
 * Here Unbound's client address (struct comm_reply, the PROXY protocol's
 * client when there is one) and query type become the event's neutral
 * fields.
 */
#include "config.h"
#include "util/netevent.h"
#include "sldns/wire2str.h"

#include "fluxguard_internal.h"
#include "fluxguard/counters.h"
#include "fluxguard/event.h"
#include "fluxguard/eventlog.h"
#include "fluxguard/name.h"
#include "fluxguard/score.h"
#include "fluxguard/tracker.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void
fluxguard_count(struct fluxguard_env* fe, unsigned counter)
{
	if(fe && fe->engine.tracker)
		fg_tracker_count(fe->engine.tracker, counter, 1);
}

/** Format and queue \p ev; a line that cannot be is counted as dropped. */
static void
post(struct fluxguard_env* fe, const struct fg_event* ev)
{
	char line[FG_EVENTLOG_LINE_MAX];
	if(!fg_event_format(ev, line, sizeof(line)) ||
		!fg_eventlog_post(fe->events, line))
		fluxguard_count(fe, FG_CTR_EVENTS_DROPPED);
}

void
fluxguard_event(struct fluxguard_env* fe, const char* event,
	const uint8_t* name, double score, int action, const char* reason,
	const struct fg_score_explain* explain)
{
	struct fg_event ev;
	if(!fe || !fe->events)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.time = (uint64_t)time(NULL);
	ev.event = event;
	ev.identity = fe->identity;
	ev.name = name;
	ev.has_score = explain != NULL;
	ev.score = score;
	ev.action = action;
	ev.reason = reason;
	ev.explain = explain;
	post(fe, &ev);
}

/** The client's address and port out of Unbound's reply info. \return 0
 * if it holds neither IPv4 nor IPv6. */
static int
client_of(const struct comm_reply* r, struct fg_addr* a, uint16_t* port)
{
	const struct sockaddr_in* s4 = (const void*)&r->client_addr;
	const struct sockaddr_in6* s6 = (const void*)&r->client_addr;
	int v4 = r->client_addr.ss_family == AF_INET &&
		r->client_addrlen >= (socklen_t)sizeof(*s4);
	int v6 = r->client_addr.ss_family == AF_INET6 &&
		r->client_addrlen >= (socklen_t)sizeof(*s6);
	memset(a, 0, sizeof(*a));
	if(!v4 && !v6)
		return 0;
	a->family = v4 ? FG_AF_INET : FG_AF_INET6;
	memcpy(a->addr, v4 ? (const void*)&s4->sin_addr :
		(const void*)&s6->sin6_addr, v4 ? 4 : 16);
	*port = ntohs(v4 ? s4->sin_port : s6->sin6_port);
	return 1;
}

void
fluxguard_event_blocked(struct fluxguard_env* fe,
	const struct fluxguard_blocked* q, const struct comm_reply* client)
{
	struct fg_event ev;
	struct fg_addr addr;
	char qtype[16];
	int n;
	uint64_t now = (uint64_t)time(NULL);
	if(!fe || !fe->events)
		return;
	/* the rate first: a line left out costs no formatting */
	if(!fg_eventlog_admit(fe->events, now)) {
		fluxguard_count(fe, FG_CTR_EVENTS_SUPPRESSED);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.event = q->action == FG_ACTION_LOG ? "would-block" : "block";
	ev.identity = fe->identity;
	if(client && client_of(client, &addr, &ev.client_port))
		ev.client = &addr;
	ev.name = q->qname;
	/* Unbound's own names for types, TYPEnnn for the rest (RFC 3597) */
	n = sldns_wire2str_type_buf(q->qtype, qtype, sizeof(qtype));
	if(n > 0 && (size_t)n < sizeof(qtype))
		ev.qtype = qtype;
	ev.has_score = q->list != FG_LIST_DENY;
	ev.score = q->score;
	ev.action = q->action;
	ev.list = q->list == FG_LIST_DENY ? "deny" : NULL;
	ev.decided_by = q->decided_by;
	ev.reason = q->reason;
	post(fe, &ev);
}
