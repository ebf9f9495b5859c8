/**
 * \file
 * fluxguard's counters, declared once. The X-macro list below generates the
 * enum, the names `fluxguard-control stats` prints, the Prometheus metrics
 * (names, labels and help texts), and the tables in the man page and the
 * README (through tools/fg-gen-docs), so code, tool and docs cannot drift.
 *
 * Counters live in the tracker segment (fg_tracker_count), are updated
 * atomically by every thread of every Unbound process sharing the segment,
 * and `stats` resets the resettable ones as `unbound-control stats` does
 * (never a Prometheus scrape).
 * Gauges (domains tracked, segment fill, uptime) are computed by the tool when
 * it reads them and are not in this list.
 */
#ifndef FLUXGUARD_COUNTERS_H
#define FLUXGUARD_COUNTERS_H

#include <stddef.h>

/**
 * X(enum suffix, stats name, resettable, metric, label, label value,
 *   description)
 * Add new counters at the end: the enum value is the slot in the segment.
 *
 * metric, label and label value give the Prometheus form,
 * fluxguard_<metric>_total{<label>="<label value>"}. Counters that are one
 * meaning told apart by one dimension (the actions, the lists, recorded or
 * not) share a metric and each names its label value, so that a sum over the
 * label means something; the others give "" for both. A shared metric's HELP
 * line joins its counters' descriptions.
 */
#define FG_COUNTERS(X) \
	X(ANSWERS_RECORDED, "answers.recorded", 1, "answers", "result", "recorded", \
		"address RRsets of upstream answers recorded in the tracker") \
	X(NS_RECORDED, "nameservers.recorded", 1, "nameservers_recorded", "", "", \
		"NS RRsets (with their glue) of upstream answers recorded") \
	X(ANSWERS_UNTRACKED, "answers.untracked", 1, "answers", "result", "untracked", \
		"address RRsets not recorded because their bucket was full of operator decisions and flagged records seen within the window") \
	X(DOMAINS_NEWLY_FLAGGED, "domains.newly_flagged", 1, "domains_flagged", "", "", \
		"domains whose score crossed the threshold") \
	X(ACTION_LOG, "action.log", 1, "actions", "action", "log", \
		"answers that would have been blocked, passed in monitor mode (action log)") \
	X(ACTION_REFUSE, "action.refuse", 1, "actions", "action", "refuse", \
		"answers replaced by REFUSED") \
	X(ACTION_NXDOMAIN, "action.nxdomain", 1, "actions", "action", "nxdomain", \
		"answers replaced by NXDOMAIN") \
	X(ACTION_NODATA, "action.nodata", 1, "actions", "action", "nodata", \
		"answers replaced by NODATA") \
	X(ACTION_REDIRECT, "action.redirect", 1, "actions", "action", "redirect", \
		"answers replaced by the redirect (sinkhole) addresses") \
	X(LIST_ALLOW_HITS, "list.allow.hits", 1, "list_hits", "list", "allow", \
		"answers passed because a name or all addresses were on the allow list") \
	X(LIST_DENY_HITS, "list.deny.hits", 1, "list_hits", "list", "deny", \
		"answers blocked because a name or an address was on the deny list") \
	X(ZONES_ADDED, "zones.added", 1, "zones_added", "", "", \
		"local zones added to keep blocked names out of Unbound's cache path") \
	X(ZONES_REMOVED, "zones.removed", 1, "zones_removed", "", "", \
		"local zones removed after an allow, unflag or flush") \
	X(ZONES_ALIASES_DROPPED, "zones.aliases_dropped", 1, "zones_aliases_dropped", "", "", \
		"local zones of aliases removed, the oldest first, to keep under max-blocked-aliases") \
	X(GEO_LOOKUPS, "geo.lookups", 1, "geo_lookups", "", "", \
		"addresses annotated with ASN and country") \
	X(EVENTS_DROPPED, "events.dropped", 1, "events_dropped", "", "", \
		"event-log lines dropped because the writer fell behind") \
	X(ERRORS, "errors", 1, "errors", "", "", \
		"internal failures (each logged); the answer passed unchanged") \
	X(EVENTS_SUPPRESSED, "events.suppressed", 1, "events_suppressed", "", "", \
		"block events not written because of event-rate (summed up in suppressed events)") \
	X(SENSOR_CONNECTIONS, "sensor.connections", 1, "sensor_connections", "", "", \
		"fluxguard-sensor: dnstap senders that connected") \
	X(SENSOR_FRAMES, "sensor.frames", 1, "sensor_frames", "result", "queued", \
		"fluxguard-sensor: dnstap data frames received and queued for the detector") \
	X(SENSOR_DROPPED, "sensor.dropped", 1, "sensor_frames", "result", "dropped", \
		"fluxguard-sensor: dnstap data frames dropped because the queue to the detector was full") \
	X(SENSOR_DAMAGED, "sensor.damaged", 1, "sensor_frames", "result", "damaged", \
		"fluxguard-sensor: dnstap data frames skipped as damaged (not a dnstap message, a malformed DNS message)") \
	X(SENSOR_RESPONSES, "sensor.responses", 1, "sensor_responses", "", "", \
		"fluxguard-sensor: DNS responses handed to the detector") \
	X(SENSOR_PROTOCOL_ERRORS, "sensor.protocol_errors", 1, "sensor_protocol_errors", "", "", \
		"fluxguard-sensor: connections closed for a Frame Streams protocol error")

/** Counter ids. */
enum fg_counter {
#define FG_COUNTER_ENUM(id, name, resettable, metric, label, value, doc) \
	FG_CTR_##id,
	FG_COUNTERS(FG_COUNTER_ENUM)
#undef FG_COUNTER_ENUM
	/** number of counters */
	FG_CTR_COUNT
};

/** A counter's description, from the list above. */
struct fg_counter_desc {
	/** name as `stats` prints it, after "fluxguard." */
	const char* name;
	/** 1 if `stats` resets it */
	int resettable;
	/** Prometheus metric, between "fluxguard_" and "_total" */
	const char* metric;
	/** Prometheus label name and value ("" and "" for none) */
	const char* label;
	const char* label_value;
	/** one-line description (Prometheus HELP, docs) */
	const char* doc;
};

/** The descriptions, indexed by enum fg_counter. */
extern const struct fg_counter_desc fg_counter_descs[FG_CTR_COUNT];

/** A counter's Prometheus metric name, fluxguard_<metric>_total, into
 * \p buf (truncated to \p len). */
void fg_counter_prom_metric(const struct fg_counter_desc* d, char* buf,
	size_t len);

/**
 * A Prometheus series as the exposition and the docs write it: \p metric
 * alone, or metric{label="value"} when \p label is not empty. The label
 * values come from the tables in the code, [a-z_] only: nothing to escape.
 */
void fg_prom_series(const char* metric, const char* label, const char* value,
	char* buf, size_t len);

#endif /* FLUXGUARD_COUNTERS_H */
