/**
 * \file
 * Declarations shared by the module's Unbound-facing files (module/fluxguard*.c).
 * These files include Unbound's configured headers; the core library (core/)
 * never does, so it can be linked into the tools and tests without Unbound.
 *
 * Per-process state lives in struct fluxguard_env, hung off the dynlib env's
 * dyn_env slot: `unbound-control reload` dlcloses the plugin, so no static
 * variable survives it, and every init builds the state anew.
 *
 * Threads: init and deinit run with no worker running. operate and the inplace
 * callbacks run on every worker thread at once; they only read the env, except
 * through the tracker (shared memory with its own locking) and the zone
 * enforcer (its own mutexes).
 */
#ifndef FLUXGUARD_INTERNAL_H
#define FLUXGUARD_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "fluxguard/engine.h"
#include "fluxguard/name.h"
#include "fluxguard/options.h"
#include "fluxguard/policy.h"
#include "fluxguard/upstream.h"

struct comm_reply;
struct dns_msg;
struct module_env;
struct module_qstate;
struct fg_judgement;
struct fluxguard_retired;
struct fluxguard_zones;
struct fg_eventlog;
struct fg_score_explain;

/** The module's state in one Unbound process. */
struct fluxguard_env {
	/** the configuration in force */
	struct fg_config cfg;
	/** the file it came from, "" for the embedded defaults */
	char conf_path[1024];
	/** the lists, geo, the shared tracker and the detector every response
	 * goes through; engine.tracker is NULL when it could not be opened,
	 * and then fluxguard passes every query through unchanged */
	struct fg_engine engine;
	/** Unbound's `ede: yes`: attach Extended DNS Errors to blocked answers */
	int ede;
	/** the local-zone enforcer that keeps blocked names out of the cache
	 * path (module/fluxguard_zones.c) */
	struct fluxguard_zones* zones;
	/** the JSON event log (option event-log), or NULL */
	struct fg_eventlog* events;
	/** the resolver's identity in events: Unbound's identity:, else the
	 * host name, as Unbound answers id.server */
	char identity[256];
	/** lists replaced by fluxguard_reload_lists, freed at deinit */
	struct fluxguard_retired* retired;
};

/**
 * Re-read the lists (config entries, list files, the operator's decisions
 * file) after fluxguard-control changed the decisions, and put them in force
 * for every thread at once; the lists they replace are kept until deinit (a
 * thread may still be reading them). Called on a worker thread.
 */
void fluxguard_reload_lists(struct fluxguard_env* fe);

/** Count one event in the segment's counters (enum fg_counter). */
void fluxguard_count(struct fluxguard_env* fe, unsigned counter);

/**
 * Append a decision that no query made to the event log (if configured):
 * \p event is "flag" or "unflag"; \p score is written when \p explain is
 * given (a flag), else null; \p action an enum fg_action or -1. Never
 * blocks.
 */
void fluxguard_event(struct fluxguard_env* fe, const char* event,
	const uint8_t* name, double score, int action, const char* reason,
	const struct fg_score_explain* explain);

/** One blocked query, as the module path and the local-zone path report it. */
struct fluxguard_blocked {
	/** the query name, wire format */
	const uint8_t* qname;
	/** the query type */
	uint16_t qtype;
	/** the enum fg_action applied; FG_ACTION_LOG (monitor mode) is
	 * reported as would-block */
	int action;
	/** FG_LIST_DENY when a deny (list or operator) decided, else
	 * FG_LIST_NONE: then score holds the deciding name's score */
	enum fg_list list;
	/** the deciding name's score, as the tracker holds it now */
	double score;
	/** the name whose verdict decided, wire format, or NULL */
	const uint8_t* decided_by;
	/** why, as in the EDE text */
	const char* reason;
};

/**
 * Append one blocked query to the event log (if configured), within the
 * event log's rate (what it leaves out is counted): the client is
 * \p client's address and port, none if NULL. Never blocks.
 */
void fluxguard_event_blocked(struct fluxguard_env* fe,
	const struct fluxguard_blocked* q, const struct comm_reply* client);

/**
 * Whether the Unbound process we are loaded into is the version this module was
 * compiled against. Reads the running binary's own read-only memory, so it works
 * after chroot and privilege drop.
 * \param expected Unbound's PACKAGE_STRING at build time, e.g. "unbound 1.17.1".
 * \return 1 if the running Unbound carries \p expected, 0 if not.
 */
int fluxguard_unbound_version_matches(const char* expected);

/**
 * Read the A, AAAA, NS and CNAME RRsets of an upstream response (as the
 * iterator parsed it) into \p up. Malformed records are skipped.
 * \param msg the response; its rrsets' owner and rdata must outlive \p up.
 * \param now current time, for TTLs.
 */
void fluxguard_read_response(const struct dns_msg* msg, time_t now,
	struct fg_upstream* up);

/**
 * Whether \p answer, the query's final answer, is the plain one the
 * upstream-response callback already judged clean for this query (it leaves
 * a note in qstate->minfo[id]), with no verdict (tracker journal) and no
 * list changed since: then moddone need not judge it again.
 */
int fluxguard_judged_already(struct fluxguard_env* fe,
	const struct module_qstate* qstate, int id,
	const struct fg_upstream* answer);

/**
 * The iterator's inplace query-response callback: record one upstream
 * response through the detector. Registered through dynlib's wrapper.
 * \return 1 (the iterator ignores failure, and so do we: never block a query).
 */
int fluxguard_on_upstream_response(struct module_qstate* qstate,
	struct dns_msg* response, int id, void* cb_arg);

/**
 * Replace the answer of \p qstate by the block's action (REFUSED, NXDOMAIN,
 * NODATA or the redirect records), with an EDE when Unbound's ede is on.
 * \return 1 if the answer was replaced, 0 if not (action log, or out of
 *	memory: then the answer is left alone and the failure logged).
 */
int fluxguard_apply_block(struct fluxguard_env* fe, struct module_qstate* qstate,
	const struct fg_judgement* b);

/** Create the local-zone enforcer; NULL on failure (logged). */
struct fluxguard_zones* fluxguard_zones_create(struct fluxguard_env* fe);

/** Stop and free it. Installed zones are left to Unbound, which drops them
 * with its local zones on reload and exit. */
void fluxguard_zones_delete(struct fluxguard_zones* z);

/**
 * From a worker thread (operate): make sure that worker's timer runs, which
 * applies pending zone changes within FLUXGUARD_ZONES_TICK_MS.
 */
void fluxguard_zones_attach_worker(struct fluxguard_zones* z,
	struct module_env* env);

/**
 * Ask for a local zone that blocks \p name (wire) with \p action (for action
 * log: no zone, the decision is logged once). \p cause is the name whose
 * verdict decided it (the flagged end of a CNAME chain; NULL: \p name itself):
 * unflagging or allowing the cause removes the zone again. \p list is
 * FG_LIST_DENY when a deny decided, \p score the cause's score then.
 * Applied at once when called on a worker thread (\p env of that worker),
 * else on the next timer tick of any worker. Thread-safe, never blocks on
 * I/O.
 * \return 1, or 0 if \p name gets no zone (an alias under
 *	max-blocked-aliases: 0): the caller keeps its answer out of the cache.
 */
int fluxguard_zones_request(struct fluxguard_zones* z, struct module_env* env,
	const uint8_t* name, size_t name_len, const uint8_t* cause,
	size_t cause_len, int action, enum fg_list list, double score,
	const char* reason);

/** What fluxguard_zones_lookup found: the block a fluxguard zone stands for. */
struct fluxguard_zone_hit {
	/** enum fg_action of the zone */
	int action;
	/** FG_LIST_DENY when a deny decided it, else FG_LIST_NONE */
	enum fg_list list;
	/** the name whose verdict decided it, wire format, lower case */
	uint8_t cause[FG_NAME_MAX_WIRE];
	/** the cause's score when the zone was added */
	double score;
	/** the reason then, for the log and the EDE text */
	char reason[96];
};

/**
 * The fluxguard zone that covers \p qname, copied into \p hit; 0 if no
 * fluxguard zone covers it. For the EDE, counters and events of local
 * answers; with \p log_only, the log-only entry (monitor mode: no zone in
 * Unbound) that covers it, for the would-block events of cache answers.
 */
int fluxguard_zones_lookup(struct fluxguard_zones* z, const uint8_t* qname,
	int log_only, struct fluxguard_zone_hit* hit);

/** Memory the enforcer holds, for get_mem. */
size_t fluxguard_zones_mem(struct fluxguard_zones* z);

#endif /* FLUXGUARD_INTERNAL_H */
