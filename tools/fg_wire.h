/**
 * \file
 * One DNS response off the wire (a dnstap frame's message, a packet's
 * payload) into the neutral struct fg_upstream the detector takes. The
 * dnstap and pcap readers of fluxguard-replay (tools/fg_dnstap.c,
 * tools/fg_pcap.c) and the sensor share this one converter, and it takes
 * from the message what module/fluxguard_record.c takes from Unbound's
 * parsed one: the IN-class A, AAAA, NS and CNAME RRsets of the answer,
 * authority and additional sections in message order, the records of one
 * owner, type and section grouped into one RRset (owner compared without
 * regard to case, as Unbound's parser does) with the smallest TTL of its
 * records, addresses of the right length and target names only.
 *
 * The module sees a response after Unbound's scrubber; a capture sees it
 * before, so the converter applies the scrubber's rules that need nothing
 * but the message (see scrub() in tools/fg_wire.c). What needs the
 * delegation point the query went to (dropping out-of-zone RRsets) is not
 * applied: an authoritative server that sends out-of-zone data is read
 * with it.
 */
#ifndef FLUXGUARD_TOOLS_WIRE_H
#define FLUXGUARD_TOOLS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/upstream.h"

/** A parsed message; the fg_upstream built from it points into it. */
struct fg_wire_msg {
	/** the ldns packet (ldns_pkt*), NULL when empty */
	void* pkt;
};

/**
 * Parse the DNS message \p wire (\p len octets) with ldns and fill \p up
 * with its RRsets, \p now as its time. \p up points into \p msg until
 * fg_wire_msg_clear(\p msg).
 * \param why receives what is wrong (a static string) on failure.
 * \return 1 for a response (QR set), 0 for a query, -1 if it is no valid
 *	DNS message (then \p msg is empty).
 */
int fg_wire_to_upstream(const uint8_t* wire, size_t len, uint64_t now,
	struct fg_wire_msg* msg, struct fg_upstream* up, const char** why);

/** Free what \p msg holds; it may be reused. */
void fg_wire_msg_clear(struct fg_wire_msg* msg);

#endif /* FLUXGUARD_TOOLS_WIRE_H */
