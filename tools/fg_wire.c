/**
 * \file
 * A wire DNS message into a struct fg_upstream (tools/fg_wire.h), parsed by
 * ldns. Every RRset rule here mirrors module/fluxguard_record.c: change both
 * or neither.
 */
#include "fg-config.h"

#include "fg_wire.h"
#include "fluxguard/name.h"

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

/** Unbound's default cache-max-ttl: it caps every TTL it parses at this
 * (util/data/msgreply.c rdata_copy), so the module sees capped TTLs too. */
#define WIRE_MAX_TTL 86400

/** Whether \p rr is one fluxguard reads: class IN, A/AAAA/NS/CNAME. */
static int
wanted(const ldns_rr* rr)
{
	ldns_rr_type t = ldns_rr_get_type(rr);
	if(ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return 0;
	return t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA ||
		t == LDNS_RR_TYPE_NS || t == LDNS_RR_TYPE_CNAME;
}

/** The owner of \p rr in wire format, or NULL if it is not a valid name. */
static const uint8_t*
owner_of(const ldns_rr* rr)
{
	const ldns_rdf* o = ldns_rr_owner(rr);
	const uint8_t* w;
	if(!o || ldns_rdf_get_type(o) != LDNS_RDF_TYPE_DNAME)
		return NULL;
	w = ldns_rdf_data(o);
	if(fg_name_wire_len(w, ldns_rdf_size(o)) != ldns_rdf_size(o))
		return NULL;
	return w;
}

/** A record's TTL as Unbound stores it: one with the high bit set is 0
 * (RFC 2181 section 8), and none exceeds WIRE_MAX_TTL. */
static uint32_t
ttl_of(const ldns_rr* rr)
{
	uint32_t t = ldns_rr_ttl(rr);
	if(t & 0x80000000U)
		return 0;
	return t > WIRE_MAX_TTL ? WIRE_MAX_TTL : t;
}

/** Whether an earlier section of \p up holds owner \p owner and type
 * \p type: Unbound's parser drops an RRset's records in later sections. */
static int
in_earlier_section(const struct fg_upstream* up, const uint8_t* owner,
	uint16_t type, enum fg_section section)
{
	size_t i;
	for(i = 0; i < up->n_rrsets; i++)
		if(up->rrsets[i].section < section && up->rrsets[i].type == type &&
			fg_name_equal(up->rrsets[i].owner, owner))
			return 1;
	return 0;
}

/** Add record \p rr's data to the RRset started last in \p up. */
static void
add_record(struct fg_upstream* up, const ldns_rr* rr)
{
	const ldns_rdf* d = ldns_rr_rd_count(rr) ? ldns_rr_rdf(rr, 0) : NULL;
	size_t len;
	if(!d)
		return;
	len = ldns_rdf_size(d);
	switch(ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_A:
		if(len == 4)
			fg_upstream_add_addr(up, FG_AF_INET, ldns_rdf_data(d));
		break;
	case LDNS_RR_TYPE_AAAA:
		if(len == 16)
			fg_upstream_add_addr(up, FG_AF_INET6, ldns_rdf_data(d));
		break;
	default:
		if(ldns_rdf_get_type(d) == LDNS_RDF_TYPE_DNAME &&
			fg_name_wire_len(ldns_rdf_data(d), len) == len)
			fg_upstream_add_name(up, ldns_rdf_data(d));
		break;
	}
}

/** Add the wanted RRsets of one section to \p up. */
static void
add_section(struct fg_upstream* up, const ldns_rr_list* list,
	enum fg_section section)
{
	size_t n = list ? ldns_rr_list_rr_count(list) : 0, i, j;
	/* which records an earlier RRset of this section took */
	uint8_t taken[512];
	uint8_t* used = n <= sizeof(taken) ? taken : calloc(n, 1);
	if(!used) {
		up->truncated += n;
		return;
	}
	memset(used, 0, n <= sizeof(taken) ? n : 0);
	for(i = 0; i < n; i++) {
		const ldns_rr* rr = ldns_rr_list_rr(list, i);
		const uint8_t* owner;
		struct fg_upstream_rrset* rs;
		uint32_t ttl;
		if(used[i] || !wanted(rr) || !(owner = owner_of(rr)) ||
			in_earlier_section(up, owner,
			(uint16_t)ldns_rr_get_type(rr), section))
			continue;
		ttl = ttl_of(rr);
		for(j = i + 1; j < n; j++) {
			const ldns_rr* o = ldns_rr_list_rr(list, j);
			const uint8_t* ow;
			if(used[j] || ldns_rr_get_type(o) != ldns_rr_get_type(rr) ||
				ldns_rr_get_class(o) != LDNS_RR_CLASS_IN ||
				!(ow = owner_of(o)) || !fg_name_equal(ow, owner))
				continue;
			if(ttl_of(o) < ttl)
				ttl = ttl_of(o);
		}
		rs = fg_upstream_add_rrset(up, owner, (uint16_t)ldns_rr_get_type(rr),
			section, ttl);
		if(!rs)
			continue;
		add_record(up, rr);
		for(j = i + 1; j < n; j++) {
			const ldns_rr* o = ldns_rr_list_rr(list, j);
			const uint8_t* ow;
			if(used[j] || ldns_rr_get_type(o) != ldns_rr_get_type(rr) ||
				ldns_rr_get_class(o) != LDNS_RR_CLASS_IN ||
				!(ow = owner_of(o)) || !fg_name_equal(ow, owner))
				continue;
			used[j] = 1;
			add_record(up, o);
		}
	}
	if(used != taken)
		free(used);
}

int
fg_wire_to_upstream(const uint8_t* wire, size_t len, uint64_t now,
	struct fg_wire_msg* msg, struct fg_upstream* up, const char** why)
{
	ldns_pkt* pkt = NULL;
	msg->pkt = NULL;
	fg_upstream_init(up, now);
	if(len < LDNS_HEADER_SIZE) {
		*why = "DNS message shorter than its 12-octet header";
		return -1;
	}
	if(ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK || !pkt) {
		*why = "malformed DNS message";
		return -1;
	}
	/* ldns keeps what it read of a message cut off inside a section;
	 * Unbound's parser rejects the message (FORMERR), so must we */
	if(ldns_rr_list_rr_count(ldns_pkt_answer(pkt)) != ldns_pkt_ancount(pkt) ||
		ldns_rr_list_rr_count(ldns_pkt_authority(pkt)) !=
		ldns_pkt_nscount(pkt) ||
		ldns_rr_list_rr_count(ldns_pkt_additional(pkt)) !=
		ldns_pkt_arcount(pkt)) {
		ldns_pkt_free(pkt);
		*why = "DNS message cut off: fewer records than its header "
			"counts";
		return -1;
	}
	if(!ldns_pkt_qr(pkt)) {
		ldns_pkt_free(pkt);
		*why = "DNS message is a query, not a response";
		return 0;
	}
	msg->pkt = pkt;
	add_section(up, ldns_pkt_answer(pkt), FG_SECTION_ANSWER);
	add_section(up, ldns_pkt_authority(pkt), FG_SECTION_AUTHORITY);
	add_section(up, ldns_pkt_additional(pkt), FG_SECTION_ADDITIONAL);
	return 1;
}

void
fg_wire_msg_clear(struct fg_wire_msg* msg)
{
	if(msg->pkt)
		ldns_pkt_free((ldns_pkt*)msg->pkt);
	msg->pkt = NULL;
}
