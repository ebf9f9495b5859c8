/**
 * \file
 * Reading a replay trace (the input of fluxguard-replay): one line into a
 * timestamp and a record, and one answer's records into the struct
 * fg_upstream the detector takes. fluxguard-replay reads files with it and
 * tests/fuzz/fuzz_trace.c feeds it arbitrary text, so both run the same parser.
 *
 * A line is `<ts> <owner> <ttl> IN <TYPE> <rdata>` (ts in UNIX seconds,
 * fraction allowed); `#` comment lines and blank lines hold nothing. A, AAAA,
 * NS and CNAME records are used, other types are ignored. Consecutive lines
 * with the same ts form one answer (fg_trace_read groups them); within it,
 * lines with the same owner and type form one RRset, and an A/AAAA RRset
 * whose owner is a target of one of the answer's NS RRsets is glue (section
 * additional), as in a referral.
 */
#ifndef FLUXGUARD_TOOLS_TRACE_H
#define FLUXGUARD_TOOLS_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fluxguard/addr.h"
#include "fluxguard/name.h"
#include "fluxguard/upstream.h"

/** Longest timestamp text kept, NUL included. */
#define FG_TRACE_TS_MAX 32

/** One record of a trace, parsed. */
struct fg_trace_rr {
	/** owner, lower-case wire format */
	uint8_t owner[FG_NAME_MAX_WIRE];
	/** FG_TYPE_* */
	uint16_t type;
	/** TTL */
	uint32_t ttl;
	/** A/AAAA: the address */
	struct fg_addr addr;
	/** NS/CNAME: the target, lower-case wire format */
	uint8_t target[FG_NAME_MAX_WIRE];
};

/** What fg_trace_split_line found on a line. */
enum fg_trace_line {
	/** blank or a comment: nothing */
	FG_TRACE_LINE_NONE = 0,
	/** a timestamp and the text of a record after it */
	FG_TRACE_LINE_RECORD,
	/** malformed (the reason is set) */
	FG_TRACE_LINE_BAD
};

/**
 * Split one line (as getline read it, \p len octets) into its timestamp and
 * its record text. The line is changed in place: its end of line is cut off.
 * \param ts receives the timestamp text (FG_TRACE_TS_MAX octets).
 * \param now receives its whole seconds.
 * \param rest receives the record text (within \p line).
 * \param why receives what is wrong (a static string) for FG_TRACE_LINE_BAD.
 * \return enum fg_trace_line.
 */
enum fg_trace_line fg_trace_split_line(char* line, size_t len, char* ts,
	uint64_t* now, char** rest, const char** why);

/**
 * Parse the record text of a line into \p rr.
 * \param why receives what is wrong (a static string) when malformed.
 * \return 1 for a record fluxguard uses, 0 for one it ignores (another
 *	type), -1 if malformed.
 */
int fg_trace_parse_rr(const char* text, struct fg_trace_rr* rr,
	const char** why);

/**
 * Build the upstream response of one answer: its \p n records grouped into
 * RRsets in order of first appearance, each with the smallest TTL of its
 * records, as a resolver caches it; NS RRsets in the authority section,
 * their glue in the additional section, the rest in the answer section.
 * \p up points into \p rrs, which must outlive it. Records beyond the bounds
 * of struct fg_upstream are counted in up->truncated.
 */
void fg_trace_answer(const struct fg_trace_rr* rrs, size_t n, uint64_t now,
	struct fg_upstream* up);

/** How fg_trace_read reads one trace: where the records go, and whom it
 * tells. */
struct fg_trace_reader {
	/** room for the records of one answer */
	struct fg_trace_rr* rrs;
	/** how many records \c rrs holds; more in one answer are malformed */
	size_t max_rrs;
	/** one answer: its \p n records (at least one), the timestamp text and
	 * seconds of its lines, and the number of its first line */
	void (*answer)(void* arg, const struct fg_trace_rr* rrs, size_t n,
		const char* ts, uint64_t now, long line);
	/** a line that is not read: its number and what is wrong */
	void (*malformed)(void* arg, long line, const char* why);
	/** passed to both */
	void* arg;
};

/**
 * Read the trace \p in to its end, as fluxguard-replay reads it: each line
 * split (fg_trace_split_line) and parsed (fg_trace_parse_rr), consecutive
 * records of one timestamp handed over together as one answer; the last
 * answer ends with the stream (an answer never spans files).
 * \return 1, or 0 on a read error (after the answers read before it).
 */
int fg_trace_read(const struct fg_trace_reader* rd, FILE* in);

#endif /* FLUXGUARD_TOOLS_TRACE_H */
