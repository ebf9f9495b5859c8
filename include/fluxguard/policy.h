/**
 * \file
 * Allow and deny lists: what the operator says about names and addresses,
 * consulted on the resolver's response path before (and instead of) scoring.
 *
 * Entry syntax, the same in fluxguard.conf (allow:, deny:) and in list files
 * (allow-file:, deny-file:):
 *
 *	example.com            that domain and every name below it
 *	exact:www.example.com  that exact name only
 *	AS13335, as13335       an autonomous system number (1..4294967295)
 *	192.0.2.0/24           an IPv4 CIDR prefix (host bits must be zero)
 *	2001:db8::/32          an IPv6 CIDR prefix
 *	192.0.2.7, 2001:db8::1 a single address (a /32 or /128)
 *
 * Names are case-insensitive, a trailing dot is optional, and text that parses
 * as an address is an address. The root "." is refused: it would cover every
 * name.
 *
 * List files hold one entry per line; '#' starts a comment that runs to the
 * end of the line, and blank lines are ignored.
 *
 * Precedence. Names: the most specific match wins. An exact: entry for the
 * queried name beats a subtree entry for that same name, which beats a subtree
 * entry for any parent; at equal specificity deny wins. So with
 * "deny: example.com" and "allow: cdn.example.com", cdn.example.com and
 * everything below it is allowed while the rest of example.com is denied.
 *
 * Addresses (an answer's A/AAAA set): deny wins outright. The answer is denied
 * if any address lies in a denied prefix or a denied ASN; otherwise it is
 * allowed if it has at least one address and every address lies in an allowed
 * prefix or an allowed ASN; otherwise neither. An ASN of 0 (unknown) matches
 * nothing.
 *
 * Threads: building (create, add, load) is single-threaded; once built, the
 * match functions only read, allocate nothing and may run on any number of
 * threads at once.
 */
#ifndef FLUXGUARD_POLICY_H
#define FLUXGUARD_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/addr.h"

struct fg_config;

/** Which list an entry belongs to, and the result of a match. */
enum fg_list {
	/** on neither list (a match result only) */
	FG_LIST_NONE = 0,
	/** allowed: never blocked */
	FG_LIST_ALLOW,
	/** denied: always blocked */
	FG_LIST_DENY
};

/** Allow and deny lists, compiled for lookup. */
struct fg_policy;

/** Empty lists. \return NULL on out of memory. */
struct fg_policy* fg_policy_create(void);

/** Free the lists; NULL is ignored. */
void fg_policy_delete(struct fg_policy* p);

/**
 * Check the syntax of one entry without adding it.
 * \param err receives what is wrong, e.g. `expected a prefix length between 0
 *	and 32, got "192.0.2.0/33"`, without place.
 * \return 1 if valid, 0 if not.
 */
int fg_policy_entry_check(const char* entry, char* err, size_t errlen);

/**
 * Whether \p entry is a name entry (`example.com` or `exact:www.example.com`,
 * not an ASN or a prefix): then its name goes to \p wire (lower case, at
 * least FG_NAME_MAX_WIRE octets) and \p exact says which kind.
 * \return 1 for a valid name entry, 0 otherwise.
 */
int fg_policy_entry_name(const char* entry, uint8_t* wire, int* exact);

/**
 * Add one entry to a list. Adding an entry twice is harmless.
 * \param which FG_LIST_ALLOW or FG_LIST_DENY.
 * \param err as for fg_policy_entry_check, or "out of memory".
 * \return 1 on success, 0 on failure.
 */
int fg_policy_add(struct fg_policy* p, enum fg_list which, const char* entry,
	char* err, size_t errlen);

/**
 * Add every entry of a list file. A line that is no entry is skipped, never
 * fatal: logged (fluxguard/log.h) as `FILE:LINE: entry: what is wrong; line
 * skipped` for the first few, summed up in one line per file, and counted
 * (fg_policy_bad_lines). Errors read `FILE: cannot open: reason` or
 * `FILE:LINE: read error: reason`; the entries read before stay added.
 * \return 1 on success, 0 on failure.
 */
int fg_policy_load_file(struct fg_policy* p, enum fg_list which,
	const char* path, char* err, size_t errlen);

/**
 * Add the operator's decisions file (fluxguard-control allow and deny): one
 * `allow ENTRY` or `deny ENTRY` per line, `#` comments; bad lines are
 * skipped as in list files. A file that does not exist holds no decisions.
 * \return 1 on success, 0 if it cannot be read (err says why).
 */
int fg_policy_load_decisions(struct fg_policy* p, const char* path, char* err,
	size_t errlen);

/** List-file lines skipped so far because they were no entry. */
size_t fg_policy_bad_lines(const struct fg_policy* p);

/**
 * Build the lists from a parsed config: its allow: and deny: entries, then its
 * allow-file: and deny-file: files. Errors name the place: `FILE:LINE: deny:
 * what` for a config entry, `FILE:LINE: entry: what` for a list file line,
 * `FILE:LINE: deny-file: cannot open "PATH": reason` for a missing list file.
 * The embedded default allow list (cfg->default_allow_list) is not added here;
 * whoever owns it adds it with fg_policy_add.
 * \return the lists, or NULL with \p err set.
 */
struct fg_policy* fg_policy_from_config(const struct fg_config* cfg,
	char* err, size_t errlen);

/**
 * Which list a name is on (see the precedence rules above). No allocation.
 * \param wire_name wire-format name, any case.
 * \return FG_LIST_ALLOW, FG_LIST_DENY, or FG_LIST_NONE (also for a malformed
 *	name).
 */
enum fg_list fg_policy_match_name(const struct fg_policy* p,
	const uint8_t* wire_name);

/**
 * Which list an answer's address set is on (see the rules above). Uses each
 * address's family, addr and asn. No allocation.
 * \return FG_LIST_DENY, FG_LIST_ALLOW, or FG_LIST_NONE (also when n is 0).
 */
enum fg_list fg_policy_match_addrs(const struct fg_policy* p,
	const struct fg_addr* addrs, size_t n);

/**
 * Visit every name entry on list \p which (FG_LIST_ALLOW or FG_LIST_DENY),
 * in no particular order: \p name is lower-case wire format, \p exact 1
 * for an exact: entry, 0 for the name and its subtree (a name listed both
 * ways is visited twice). Stops early if \p cb returns 0. For
 * fluxguard-publish, which publishes the deny list's names.
 */
void fg_policy_foreach_name(const struct fg_policy* p, enum fg_list which,
	int (*cb)(const uint8_t* name, int exact, void* arg), void* arg);

/** Number of distinct entries on a list (names, ASNs and prefixes), for
 * status output. */
size_t fg_policy_count(const struct fg_policy* p, enum fg_list which);

#endif /* FLUXGUARD_POLICY_H */
