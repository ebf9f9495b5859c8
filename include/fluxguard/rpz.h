/**
 * \file
 * Verdicts as a Response Policy Zone: how a flagged or denied name becomes
 * RPZ records, how a zone read back from the primary is grouped by the name
 * it blocks, and the difference between the two. fluxguard-publish
 * (tools/fluxguard-publish.c) is the one caller today; the functions here
 * know no transport and no DNS library, so the unit tests drive them with
 * text.
 *
 * The records of one blocked name N in zone Z (the "entry" of N):
 *
 *	N.Z        TTL IN CNAME .          action nxdomain (and refuse, see below)
 *	*.N.Z      TTL IN CNAME .          the same for every name below N
 *	N._fluxguard.Z TTL IN TXT "..."    why: fluxguard-publish(8), the reason
 *
 * nodata is CNAME *., drop is CNAME rpz-drop., redirect is local data: the
 * redirect-address records (A and AAAA) at N.Z and *.N.Z. RPZ has no
 * REFUSED: a name whose action is refuse is published with the action that
 * rpz-refuse-as names (nxdomain by default). Action log (monitor mode)
 * publishes nothing.
 *
 * The reason lives under its own label, _fluxguard, because a CNAME cannot
 * share its owner with a TXT record. _fluxguard is no valid top-level label,
 * so the TXT owner is a trigger for a name nobody can query by accident.
 *
 * Text forms. A "line" is one record without TTL and class, the way the
 * comparison sees it: "owner TYPE rdata", owner absolute and lower case,
 * e.g. "bot.flux.test.rpz.example. CNAME .". The transport adds TTL and
 * class when it builds the record, and writes records read from the primary
 * back into this form (fg_rpz_zone_add).
 */
#ifndef FLUXGUARD_RPZ_H
#define FLUXGUARD_RPZ_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/name.h"
#include "fluxguard/options.h"

struct fg_record_view;

/** The label under which an entry's reason (TXT) is kept. */
#define FG_RPZ_WHY_LABEL "_fluxguard"

/** Longest resolver identity in a TXT record. */
#define FG_RPZ_RESOLVER_MAX 63

/** Longest rendering of one entry: its lines, each ended by '\n'. */
#define FG_RPZ_ENTRY_TEXT (2 * FG_CONF_MAX_ADDRS * (FG_NAME_MAX_STR + 64) + 4096)

/** The RPZ policy an entry is published with. */
enum fg_rpz_policy {
	/** not published (action log) */
	FG_RPZ_NONE = 0,
	/** CNAME . */
	FG_RPZ_NXDOMAIN,
	/** CNAME *. */
	FG_RPZ_NODATA,
	/** CNAME rpz-drop. */
	FG_RPZ_DROP,
	/** local data: the redirect addresses */
	FG_RPZ_REDIRECT
};

/** What the mapping needs from the configuration. */
struct fg_rpz_params {
	/** the zone, wire format, lower case */
	uint8_t zone[FG_NAME_MAX_WIRE];
	/** its length */
	size_t zone_len;
	/** the zone, presentation format with the trailing dot */
	char zone_str[FG_NAME_MAX_STR];
	/** action for flagged names and for denied names (enum fg_action) */
	int action, deny_action;
	/** the policy refuse maps to (enum fg_rpz_policy) */
	int refuse_as;
	/** sinkhole addresses for redirect */
	const struct fg_conf_addrs* redirect;
	/** this resolver's identity, for the TXT record: [A-Za-z0-9._-] */
	char resolver[FG_RPZ_RESOLVER_MAX + 1];
};

/**
 * Fill \p p from \p cfg (rpz-zone, action, deny-action, rpz-refuse-as,
 * redirect-address) and \p resolver.
 * \return 1, or 0 with what is wrong in \p why (no rpz-zone, a resolver
 *	identity with other characters).
 */
int fg_rpz_params_init(struct fg_rpz_params* p, const struct fg_config* cfg,
	const char* resolver, char* why, size_t whylen);

/** One name to publish, as the tracker holds it. */
struct fg_rpz_entry {
	/** the blocked name, wire format, lower case */
	uint8_t name[FG_NAME_MAX_WIRE];
	/** enum fg_rpz_policy */
	int policy;
	/** enum fg_verdict: flagged or denied */
	int verdict;
	/** score when published */
	float score;
	/** when first flagged, UNIX seconds (0 for a denied name) */
	uint64_t flagged_at;
	/** 1: the name only, no wildcard (an exact: entry of a deny list) */
	int exact;
	/** 1: from a deny list or the decisions file rather than the tracker
	 * (the reason says "deny-list") */
	int listed;
};

/** The policy for \p action (enum fg_action) with refuse mapped to
 * \p refuse_as. */
enum fg_rpz_policy fg_rpz_policy_of(int action, int refuse_as);

/** "nxdomain", "nodata", "drop", "redirect" or "none". */
const char* fg_rpz_policy_name(int policy);

/**
 * The entry for a tracked record: flagged names with action, denied names
 * with deny-action.
 * \return 1 if \p rec is to be published (filled \p e), 0 if not (clean,
 *	allowed, or its action publishes nothing).
 */
int fg_rpz_entry_from_record(const struct fg_rpz_params* p,
	const struct fg_record_view* rec, struct fg_rpz_entry* e);

/**
 * The owners of \p name's entry: the trigger N.Z, the wildcard *.N.Z and the
 * reason N._fluxguard.Z, presentation format, each at least FG_NAME_MAX_STR.
 * \return 1, or 0 if \p name is too long to fit under the zone (255 octets).
 */
int fg_rpz_owners(const struct fg_rpz_params* p, const uint8_t* name,
	char* trigger, char* wildcard, char* why);

/**
 * The lines of \p e's entry, each ended by '\n': the policy records of the
 * trigger and the wildcard (none for an exact entry) first, the TXT last.
 * \return the number of lines, 0 if the name does not fit under the zone or
 *	\p buflen (use FG_RPZ_ENTRY_TEXT) is too small.
 */
int fg_rpz_render(const struct fg_rpz_params* p, const struct fg_rpz_entry* e,
	char* buf, size_t buflen);

/**
 * Which entry an owner belongs to: the blocked name's presentation form
 * (with trailing dot) goes to \p base.
 * \return 1 trigger, 2 wildcard, 3 reason, 0 anything else (the apex, a
 *	name outside the zone).
 */
int fg_rpz_owner_kind(const struct fg_rpz_params* p, const char* owner,
	char* base, size_t baselen);

/** How many of \p s's first characters may stand in a resolver identity
 * (A-Z a-z 0-9 . _ -: what a TXT reason carries unescaped). An identity is
 * valid when that is all of it, 1 to FG_RPZ_RESOLVER_MAX of them. */
size_t fg_rpz_resolver_span(const char* s);

/** The resolver identity in a reason text (after "resolver="), or "" if
 * none, at most FG_RPZ_RESOLVER_MAX characters. */
void fg_rpz_why_resolver(const char* why, char* out, size_t outlen);

/** The entries found in a zone read back from the primary. */
struct fg_rpz_zone;

/** An empty zone view. \return it, or NULL when out of memory. */
struct fg_rpz_zone* fg_rpz_zone_create(void);

/** Free \p z. */
void fg_rpz_zone_delete(struct fg_rpz_zone* z);

/**
 * Add one record of the zone, as a line ("owner TYPE rdata"; case does not
 * matter). Records that belong to no entry (the apex SOA and NS) are
 * ignored.
 * \return 1, or 0 when out of memory or the line has no owner and type.
 */
int fg_rpz_zone_add(struct fg_rpz_zone* z, const struct fg_rpz_params* p,
	const char* line);

/** Number of entries (blocked names) in \p z. */
size_t fg_rpz_zone_count(const struct fg_rpz_zone* z);

/** What fg_rpz_diff asks for. */
struct fg_rpz_diff_ops {
	/** write \p e's entry (replacing whatever its owners hold) */
	int (*put)(const struct fg_rpz_entry* e, void* arg);
	/**
	 * remove the entry of \p base (presentation form); \p why_line is the
	 * reason line the zone holds for it ("" if none): the transport
	 * makes it a prerequisite, so that an entry another publisher has
	 * just rewritten is left alone
	 */
	int (*withdraw)(const char* base, const char* why_line, void* arg);
	/** handed to put and withdraw */
	void* arg;
};

/**
 * Bring zone \p have to the entries \p want (sorted or not; a name given twice
 * counts once): put every wanted entry whose policy lines \p have lacks or
 * holds differently, or that has no reason; withdraw every entry of \p have
 * that is not wanted and whose reason names this resolver (p->resolver), or
 * names none. Entries of other resolvers stay: several resolvers publish into
 * one zone, and each reconciles only its own.
 * \param puts, withdrawals receive the number of calls made (may be NULL).
 * \return 1 if every call returned 1, 0 at the first that failed (the rest
 *	are not made).
 */
int fg_rpz_diff(const struct fg_rpz_params* p, const struct fg_rpz_entry* want,
	size_t n_want, const struct fg_rpz_zone* have,
	const struct fg_rpz_diff_ops* ops, size_t* puts, size_t* withdrawals);

/**
 * The publisher's counters and gauges, declared once:
 * X(enum suffix, stats name, is a gauge, description). fluxguard-publish
 * prints them (stats file, --stats) and fg-gen-docs writes them into its man
 * page and the README.
 */
#define FG_RPZ_COUNTERS(X) \
	X(PUBLISHED, "rpz.published", 0, \
		"entries written to the zone (a flagged or denied name, its subtree and its reason)") \
	X(WITHDRAWN, "rpz.withdrawn", 0, \
		"entries removed from the zone after an allow, unflag or flush") \
	X(UPDATES, "rpz.updates", 0, \
		"DNS UPDATE messages the primary accepted (update backend), or zone files written (zonefile backend)") \
	X(RECONCILES, "rpz.reconciles", 0, \
		"full reconciliations: the zone read back and compared with the segment (start-up, journal wrap, after the primary failed)") \
	X(ERRORS, "rpz.errors", 0, \
		"failed attempts to reach or update the primary (each retried with backoff)") \
	X(TSIG_ERRORS, "rpz.tsig_errors", 0, \
		"updates or transfers the primary rejected for their TSIG signature or key") \
	X(QUEUE_OVERFLOWS, "rpz.queue_overflows", 0, \
		"names that found the queue full (rpz-queue-size): a full reconciliation follows, nothing is lost") \
	X(SKIPPED, "rpz.skipped", 0, \
		"names too long to publish under the zone (name plus zone over 255 octets)") \
	X(PENDING, "rpz.pending", 1, \
		"names waiting to be published or withdrawn") \
	X(ENTRIES, "rpz.entries", 1, \
		"entries the segment held for the zone at the last reconciliation") \
	X(LAST_SERIAL, "rpz.last_serial", 1, \
		"SOA serial of the zone after the last change") \
	X(PRIMARY_UP, "rpz.primary_up", 1, \
		"1 if the last exchange with the primary succeeded, else 0")

/** The publisher's counters, FG_RPZ_C_*. */
enum fg_rpz_counter {
#define FG_RPZ_X(id, name, gauge, doc) FG_RPZ_C_##id,
	FG_RPZ_COUNTERS(FG_RPZ_X)
#undef FG_RPZ_X
	/** number of counters */
	FG_RPZ_C_COUNT
};

/** A publisher counter's stats name, gauge flag and description. */
struct fg_rpz_counter_info {
	/** "rpz.published" */
	const char* name;
	/** 1 for a gauge (a level, not a running total) */
	int gauge;
	/** one line for the docs */
	const char* doc;
};

/** The table of FG_RPZ_COUNTERS, indexed by enum fg_rpz_counter. */
extern const struct fg_rpz_counter_info fg_rpz_counters[FG_RPZ_C_COUNT];

#endif /* FLUXGUARD_RPZ_H */
