/**
 * \file
 * fg-testauthd's data model, shared by its three files: the scenario parser
 * (authd_scenario.c) fills a struct authd_scenario from a file, the answer
 * engine (authd_answer.c) turns a query into a reply from it, and the server
 * (fg-testauthd.c) moves packets. The scenario format is described at the top
 * of authd_scenario.c and in tests/authd/README.md.
 *
 * Records are kept in one flat list and a zone is only an apex: which zone a
 * name belongs to, and whether it sits below a delegation, is worked out per
 * query. The server is a test tool that serves a few hundred records, so the
 * linear searches are a deliberate choice over an index.
 */
#ifndef FG_AUTHD_H
#define FG_AUTHD_H

#include <stddef.h>
#include <stdint.h>
#include <ldns/ldns.h>

/** A zone the server is authoritative for. */
struct authd_zone {
	/** Next zone, in file order. */
	struct authd_zone* next;
	/** The apex name. */
	ldns_rdf* apex;
	/** The SOA record, given in the file or made up (owned). */
	ldns_rr* soa;
	/** Whether positive answers carry the apex NS set in the authority
	 * section (with glue), as some servers do; off by default. */
	int auth_ns;
	/** Line of the zone statement, for messages. */
	int line;
};

/** A set whose answer changes per query: a window of per_answer items that
 * moves on by per_answer every time the set is answered. */
struct authd_pool {
	/** Next pool, in file order. */
	struct authd_pool* next;
	/** The owner name. */
	ldns_rdf* owner;
	/** LDNS_RR_TYPE_A or _AAAA (address pools) or _NS (name server pools). */
	ldns_rr_type type;
	/** TTL of the answered records (and of NS pools' glue). */
	uint32_t ttl;
	/** How many items one answer holds (at most count). */
	size_t per_answer;
	/** Number of items. */
	size_t count;
	/** The items: address rdfs, or name server names for NS pools. */
	ldns_rdf** items;
	/** Index of the first item of the next answer. */
	size_t next_index;
	/** Line of the statement, for messages. */
	int line;
};

/** A parsed scenario file. */
struct authd_scenario {
	/** Zones, in file order. */
	struct authd_zone* zones;
	/** Static records, glue from nsrotate included (owned). */
	ldns_rr_list* records;
	/** Line of each static record, parallel to records, for messages. */
	int* record_lines;
	/** Capacity of record_lines. */
	size_t record_lines_cap;
	/** Rotating sets. */
	struct authd_pool* pools;
};

/**
 * Parse a scenario file. Every problem is printed to stderr as
 * "FILE:LINE: message"; parsing goes on after an error so that all are shown.
 * \param file: path of the scenario.
 * \return the scenario, or NULL if there was any error (or out of memory).
 */
struct authd_scenario* authd_scenario_read(const char* file);

/** Free a scenario and everything it holds; NULL is fine. */
void authd_scenario_delete(struct authd_scenario* scn);

/**
 * The zone a name belongs to: the declared zone with the deepest apex at or
 * above it. \return the zone, or NULL if the name is in none.
 */
struct authd_zone* authd_zone_find(struct authd_scenario* scn,
	const ldns_rdf* name);

/**
 * Answer one query.
 * \param scn: the scenario; its pools move on as they are answered.
 * \param query: the query packet as received.
 * \param len: its length.
 * \param tcp: 1 if it came over TCP. Over UDP a reply larger than 512
 *	octets, or than the requester's EDNS buffer size, is replaced by a
 *	truncated one (TC bit, question only) so that the requester retries
 *	over TCP.
 * \param reply: set to a malloced wire-format reply, or NULL if the query is
 *	to be dropped (too short to answer, or itself a reply).
 * \param reply_len: set to the reply's length.
 * \param logline: a buffer for the query log line ("qname qtype"), set to ""
 *	if the query could not be parsed.
 * \param logline_len: its size.
 * \return 1 on success (a reply, or a deliberate drop), 0 when out of memory.
 */
int authd_answer(struct authd_scenario* scn, const uint8_t* query, size_t len,
	int tcp, uint8_t** reply, size_t* reply_len, char* logline,
	size_t logline_len);

#endif /* FG_AUTHD_H */
