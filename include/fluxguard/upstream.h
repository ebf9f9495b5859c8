/**
 * \file
 * One upstream response in neutral form: the RRsets fluxguard cares about (A,
 * AAAA, NS, CNAME) with their section, owner, TTL and data. The module fills it
 * from Unbound's parsed message (module/fluxguard_record.c) and the replay tool
 * from one timestamp's lines of a trace, and both hand it to the same detector
 * (fg_detect_upstream in fluxguard/detect.h), so the evidence is recorded by one
 * implementation.
 *
 * Fixed bounds keep it on the stack of a resolver thread (about 8 KiB): RRsets
 * or records beyond them are dropped and counted in \c truncated, never
 * overflowed.
 */
#ifndef FLUXGUARD_UPSTREAM_H
#define FLUXGUARD_UPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/addr.h"

/** RR types fluxguard reads. */
#define FG_TYPE_A 1
#define FG_TYPE_NS 2
#define FG_TYPE_CNAME 5
#define FG_TYPE_AAAA 28

/** Bounds of one response. */
#define FG_UPSTREAM_MAX_RRSETS 32
#define FG_UPSTREAM_MAX_ADDRS 256
#define FG_UPSTREAM_MAX_NAMES 64

/** Message section an RRset came in. */
enum fg_section {
	/** answer section */
	FG_SECTION_ANSWER = 0,
	/** authority section (referral NS) */
	FG_SECTION_AUTHORITY = 1,
	/** additional section (glue) */
	FG_SECTION_ADDITIONAL = 2
};

/** One RRset; its data lives in the fg_upstream arrays. */
struct fg_upstream_rrset {
	/** owner name, wire format; points into memory that outlives the call */
	const uint8_t* owner;
	/** FG_TYPE_* */
	uint16_t type;
	/** enum fg_section */
	uint8_t section;
	/** RRset TTL (seconds, relative) */
	uint32_t ttl;
	/** first index into addrs (A/AAAA) or names (NS/CNAME) */
	uint16_t first;
	/** number of records */
	uint16_t count;
};

/** One upstream response. */
struct fg_upstream {
	/** when it arrived, UNIX seconds */
	uint64_t now;
	/** RRsets in message order */
	struct fg_upstream_rrset rrsets[FG_UPSTREAM_MAX_RRSETS];
	/** number of rrsets used */
	size_t n_rrsets;
	/** addresses of A/AAAA RRsets */
	struct fg_addr addrs[FG_UPSTREAM_MAX_ADDRS];
	/** number of addrs used */
	size_t n_addrs;
	/** target names of NS/CNAME RRsets (wire format, pointing into the caller's memory) */
	const uint8_t* names[FG_UPSTREAM_MAX_NAMES];
	/** number of names used */
	size_t n_names;
	/** RRsets or records dropped because a bound was reached */
	size_t truncated;
};

/** Empty \p up and set its time. */
void fg_upstream_init(struct fg_upstream* up, uint64_t now);

/**
 * Start an RRset. Returns it, or NULL (and counts truncation) if full.
 * Add its records with fg_upstream_add_addr / fg_upstream_add_name right after.
 */
struct fg_upstream_rrset* fg_upstream_add_rrset(struct fg_upstream* up,
	const uint8_t* owner, uint16_t type, enum fg_section section, uint32_t ttl);

/** Add an address to the RRset started last. \return 1, or 0 if full. */
int fg_upstream_add_addr(struct fg_upstream* up, int family, const uint8_t* addr);

/** Add a target name to the RRset started last. \return 1, or 0 if full. */
int fg_upstream_add_name(struct fg_upstream* up, const uint8_t* name);

/**
 * A fingerprint of \p up's answer section when it is plain: only A and AAAA
 * RRsets, all owned by \p qname (any case), each with an address, at least
 * one; else 0. Two responses with the same nonzero fingerprint hold, but for
 * a 64-bit hash collision, the same addresses in the same order (FNV-1a: no
 * defence against collisions crafted on purpose; both answers come from the
 * same upstream response in the module, which uses it to know that the answer
 * it judges at the end of a query is the one the detector just saw).
 */
uint64_t fg_upstream_plain_answer(const struct fg_upstream* up,
	const uint8_t* qname);

#endif /* FLUXGUARD_UPSTREAM_H */
