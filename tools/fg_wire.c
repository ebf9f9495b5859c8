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

/** Records of one message Unbound's scrubber would keep: one flag per
 * record of each section. */
struct keep {
	uint8_t* an;
	uint8_t* ns;
	uint8_t* ar;
	/** names whose address records the additional section may hold */
	const uint8_t* marked[FG_UPSTREAM_MAX_NAMES * 2];
	size_t n_marked;
};

/** The wire data of name rdf \p d, or NULL. */
static const uint8_t*
rdf_name(const ldns_rdf* d)
{
	if(!d || ldns_rdf_get_type(d) != LDNS_RDF_TYPE_DNAME ||
		fg_name_wire_len(ldns_rdf_data(d), ldns_rdf_size(d)) !=
		ldns_rdf_size(d))
		return NULL;
	return ldns_rdf_data(d);
}

/** Mark the name \p rr points additional records at (iter_scrub.c
 * get_additional_name: NS, MX, KX, SRV and kin). */
static void
mark_additional(struct keep* k, const ldns_rr* rr)
{
	const uint8_t* n = NULL;
	switch(ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_MB:
	case LDNS_RR_TYPE_MD:
	case LDNS_RR_TYPE_MF:
		n = rdf_name(ldns_rr_rdf(rr, 0));
		break;
	case LDNS_RR_TYPE_MX:
	case LDNS_RR_TYPE_KX:
		n = rdf_name(ldns_rr_rdf(rr, 1));
		break;
	case LDNS_RR_TYPE_SRV:
		n = rdf_name(ldns_rr_rdf(rr, 3));
		break;
	default:
		break;
	}
	if(n && k->n_marked < sizeof(k->marked) / sizeof(k->marked[0]))
		k->marked[k->n_marked++] = n;
}

/** Whether \p name is marked for the additional section. */
static int
is_marked(const struct keep* k, const uint8_t* name)
{
	size_t i;
	for(i = 0; i < k->n_marked; i++)
		if(fg_name_equal(k->marked[i], name))
			return 1;
	return 0;
}

/** The index of the first record of \p list before \p i in the same RRset
 * as record \p i, or \p i. */
static size_t
rrset_first(const ldns_rr_list* list, size_t i)
{
	const ldns_rr* rr = ldns_rr_list_rr(list, i);
	const uint8_t* o = owner_of(rr);
	size_t j;
	if(!o)
		return i;
	for(j = 0; j < i; j++) {
		const ldns_rr* p = ldns_rr_list_rr(list, j);
		const uint8_t* po = owner_of(p);
		if(po && ldns_rr_get_type(p) == ldns_rr_get_type(rr) &&
			ldns_rr_get_class(p) == ldns_rr_get_class(rr) &&
			fg_name_equal(po, o))
			return j;
	}
	return i;
}

/**
 * Decide which records Unbound's scrubber (iterator/iter_scrub.c
 * scrub_normalize and scrub_sanitize, with iter-scrub-promiscuous at its
 * default, yes) keeps, so that a capture is read as the module sees the
 * message: in the answer section the query name's RRsets (its CNAME, or
 * its RRset of the query type: the rest of a chain is cut off); in
 * authority one NS RRset at or above the query name, and only in a
 * referral (no answer, no SOA); in additional the address RRsets of names
 * kept RRsets point at. Not mirrored: the parts that need the delegation
 * point the query went to (out-of-zone RRsets, NODATA from the zone
 * itself), DNAME synthesis, and private-address filtering.
 */
static void
scrub(ldns_pkt* pkt, struct keep* k)
{
	const ldns_rr_list* an = ldns_pkt_answer(pkt);
	const ldns_rr_list* ns = ldns_pkt_authority(pkt);
	const ldns_rr_list* ar = ldns_pkt_additional(pkt);
	size_t n_an = ldns_rr_list_rr_count(an), n_ns = ldns_rr_list_rr_count(ns),
		n_ar = ldns_rr_list_rr_count(ar), i, an_rrsets = 0;
	ldns_pkt_rcode rc = ldns_pkt_get_rcode(pkt);
	const ldns_rr* q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	const uint8_t *qname, *sname, *nsset = NULL;
	ldns_rr_type qtype;
	int soa = 0, del_addi = 0;
	memset(k->an, 1, n_an);
	memset(k->ns, 1, n_ns);
	memset(k->ar, 1, n_ar);
	if(!q || !(qname = owner_of(q)) || (rc != LDNS_RCODE_NOERROR &&
		rc != LDNS_RCODE_NXDOMAIN && rc != LDNS_RCODE_YXDOMAIN))
		return;
	qtype = ldns_rr_get_type(q);
	sname = qname;
	for(i = 0; i < n_an; i++) {
		const ldns_rr* rr = ldns_rr_list_rr(an, i);
		const uint8_t* o = owner_of(rr);
		size_t f = rrset_first(an, i);
		if(f != i) { /* a later record of an RRset decided on */
			k->an[i] = k->an[f];
			if(k->an[i] && fg_name_equal(o, qname))
				mark_additional(k, rr);
			continue;
		}
		if(!o || !fg_name_equal(o, sname)) {
			k->an[i] = 0;
			continue;
		}
		if(ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME) {
			const uint8_t* t = rdf_name(ldns_rr_rdf(rr, 0));
			if(!t) { /* Unbound gives up on the message */
				memset(k->an, 0, n_an);
				memset(k->ns, 0, n_ns);
				memset(k->ar, 0, n_ar);
				return;
			}
			sname = t;
			an_rrsets++;
			continue;
		}
		if(qtype != LDNS_RR_TYPE_ANY && qtype != ldns_rr_get_type(rr)) {
			k->an[i] = 0;
			continue;
		}
		an_rrsets++;
		if(fg_name_equal(o, qname))
			mark_additional(k, rr);
	}
	for(i = 0; i < n_ns; i++)
		if(ldns_rr_get_type(ldns_rr_list_rr(ns, i)) == LDNS_RR_TYPE_SOA)
			soa = 1;
	/* scrub_sanitize: the answer section keeps the query name's RRsets
	 * only; the rest of a CNAME chain is cut off (the iterator queries
	 * the target itself), and with a cut RRset that points at
	 * additional names the additional section goes too */
	for(i = 0; i < n_an; i++) {
		const ldns_rr* rr = ldns_rr_list_rr(an, i);
		const uint8_t* o = owner_of(rr);
		if(!k->an[i] || (o && fg_name_equal(o, qname)))
			continue;
		k->an[i] = 0;
		switch(ldns_rr_get_type(rr)) {
		case LDNS_RR_TYPE_NS: case LDNS_RR_TYPE_MB:
		case LDNS_RR_TYPE_MD: case LDNS_RR_TYPE_MF:
		case LDNS_RR_TYPE_MX: case LDNS_RR_TYPE_KX:
		case LDNS_RR_TYPE_SRV: case LDNS_RR_TYPE_NAPTR:
			del_addi = 1;
			break;
		default:
			break;
		}
	}
	for(i = 0; i < n_ns; i++) {
		const ldns_rr* rr = ldns_rr_list_rr(ns, i);
		const uint8_t* o = owner_of(rr);
		ldns_rr_type t = ldns_rr_get_type(rr);
		size_t f = rrset_first(ns, i);
		if(f != i) {
			k->ns[i] = k->ns[f];
			if(k->ns[i])
				mark_additional(k, rr);
			continue;
		}
		if(t == LDNS_RR_TYPE_DNAME || t == LDNS_RR_TYPE_CNAME ||
			t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA) {
			k->ns[i] = 0;
			continue;
		}
		if(t == LDNS_RR_TYPE_NS) {
			if(!o || !fg_name_is_subdomain(qname, o) ||
				rc == LDNS_RCODE_NXDOMAIN ||
				rc != LDNS_RCODE_NOERROR ||
				(soa && an_rrsets == 0) || an_rrsets != 0 ||
				nsset) {
				k->ns[i] = 0;
				continue;
			}
			nsset = o;
		}
		mark_additional(k, rr);
	}
	for(i = 0; i < n_ar; i++) {
		const ldns_rr* rr = ldns_rr_list_rr(ar, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		const uint8_t* o = owner_of(rr);
		if(del_addi || ((t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA) &&
			(!o || !is_marked(k, o))))
			k->ar[i] = 0;
	}
}

/** Whether record \p j of \p list belongs to the RRset of \p rr (class
 * IN, owner \p owner): the same type, class IN and owner. */
static int
in_rrset(const ldns_rr_list* list, size_t j, const ldns_rr* rr,
	const uint8_t* owner)
{
	const ldns_rr* o = ldns_rr_list_rr(list, j);
	const uint8_t* ow;
	return ldns_rr_get_type(o) == ldns_rr_get_type(rr) &&
		ldns_rr_get_class(o) == LDNS_RR_CLASS_IN &&
		(ow = owner_of(o)) != NULL && fg_name_equal(ow, owner);
}

/** Add the wanted RRsets of one section to \p up, of the records
 * \p keep flags. */
static void
add_section(struct fg_upstream* up, const ldns_rr_list* list,
	enum fg_section section, const uint8_t* keep)
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
	for(i = 0; i < n; i++)
		if(!keep[i])
			used[i] = 1;
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
		for(j = i + 1; j < n; j++)
			if(!used[j] && in_rrset(list, j, rr, owner) &&
				ttl_of(ldns_rr_list_rr(list, j)) < ttl)
				ttl = ttl_of(ldns_rr_list_rr(list, j));
		rs = fg_upstream_add_rrset(up, owner, (uint16_t)ldns_rr_get_type(rr),
			section, ttl);
		if(!rs)
			continue;
		add_record(up, rr);
		for(j = i + 1; j < n; j++) {
			if(used[j] || !in_rrset(list, j, rr, owner))
				continue;
			used[j] = 1;
			add_record(up, ldns_rr_list_rr(list, j));
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
	struct keep k;
	uint8_t store[512];
	uint8_t* flags;
	size_t total;
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
	memset(&k, 0, sizeof(k));
	total = ldns_pkt_ancount(pkt) + ldns_pkt_nscount(pkt) +
		ldns_pkt_arcount(pkt);
	flags = total <= sizeof(store) ? store : malloc(total);
	if(!flags) {
		up->truncated += total;
		return 1;
	}
	k.an = flags;
	k.ns = k.an + ldns_pkt_ancount(pkt);
	k.ar = k.ns + ldns_pkt_nscount(pkt);
	scrub(pkt, &k);
	add_section(up, ldns_pkt_answer(pkt), FG_SECTION_ANSWER, k.an);
	add_section(up, ldns_pkt_authority(pkt), FG_SECTION_AUTHORITY, k.ns);
	add_section(up, ldns_pkt_additional(pkt), FG_SECTION_ADDITIONAL, k.ar);
	if(flags != store)
		free(flags);
	return 1;
}

void
fg_wire_msg_clear(struct fg_wire_msg* msg)
{
	if(msg->pkt)
		ldns_pkt_free((ldns_pkt*)msg->pkt);
	msg->pkt = NULL;
}
