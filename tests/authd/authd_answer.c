/**
 * \file
 * fg-testauthd's answer engine: one query in, one reply out, the way an
 * authoritative server does it (RFC 1034 4.3.2): find the zone, hand out a
 * referral if the name lies at or below a delegation, else answer with the AA
 * bit, following CNAMEs inside the zone, synthesising from a wildcard at the
 * closest encloser of a name that does not exist (RFC 4592), or say NXDOMAIN
 * or NODATA with the SOA. Rotating sets move on each time they are put in a
 * reply, whatever the section, so a test sees a new window on every query.
 *
 * Anything that does not parse gets FORMERR when the header can be read and
 * is dropped otherwise; replies are never answered.
 */
#include "authd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Longest CNAME chain followed in one answer. */
#define ANS_MAX_CHAIN 8
/** The EDNS buffer size the server offers. */
#define ANS_EDNS_SIZE 1232

/** Whether name equals parent or lies below it. */
static int
ans_at_or_below(const ldns_rdf* name, const ldns_rdf* parent)
{
	return ldns_dname_compare(name, parent) == 0 ||
		ldns_dname_is_subdomain(name, parent);
}

/** Append a copy of rr to list. \return 1 on success, 0 out of memory. */
static int
ans_list_add(ldns_rr_list* list, const ldns_rr* rr)
{
	ldns_rr* c = ldns_rr_clone(rr);
	if(!c || !ldns_rr_list_push_rr(list, c)) {
		ldns_rr_free(c);
		return 0;
	}
	return 1;
}

/** Append the next window of a pool to list and move the window on.
 * \return 1 on success, 0 out of memory. */
static int
ans_pool_window(struct authd_pool* pool, ldns_rr_list* list)
{
	size_t k = pool->per_answer < pool->count ? pool->per_answer
		: pool->count;
	size_t j;
	for(j = 0; j < k; j++) {
		ldns_rr* rr = ldns_rr_new();
		ldns_rdf* owner = ldns_rdf_clone(pool->owner);
		ldns_rdf* rdf = ldns_rdf_clone(pool->items[
			(pool->next_index + j) % pool->count]);
		if(!rr || !owner || !rdf || !ldns_rr_push_rdf(rr, rdf)) {
			ldns_rr_free(rr);
			ldns_rdf_deep_free(owner);
			ldns_rdf_deep_free(rdf);
			return 0;
		}
		ldns_rr_set_owner(rr, owner);
		ldns_rr_set_type(rr, pool->type);
		ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
		ldns_rr_set_ttl(rr, pool->ttl);
		if(!ldns_rr_list_push_rr(list, rr)) {
			ldns_rr_free(rr);
			return 0;
		}
	}
	if(pool->count)
		pool->next_index = (pool->next_index + k) % pool->count;
	return 1;
}

/** Append the records at name of type (every type for ANY) to list: static
 * ones, the SOA at an apex, and the next window of a rotating set.
 * \return 1 on success, 0 out of memory. */
static int
ans_rrset(struct authd_scenario* scn, const ldns_rdf* name,
	ldns_rr_type type, ldns_rr_list* list)
{
	int any = type == LDNS_RR_TYPE_ANY;
	struct authd_zone* z;
	struct authd_pool* pool;
	size_t i, n = ldns_rr_list_rr_count(scn->records);
	if(any || type == LDNS_RR_TYPE_SOA)
		for(z = scn->zones; z; z = z->next)
			if(ldns_dname_compare(z->apex, name) == 0 &&
				!ans_list_add(list, z->soa))
				return 0;
	for(i = 0; i < n; i++) {
		ldns_rr* rr = ldns_rr_list_rr(scn->records, i);
		if((any || ldns_rr_get_type(rr) == type) &&
			ldns_dname_compare(ldns_rr_owner(rr), name) == 0 &&
			!ans_list_add(list, rr))
			return 0;
	}
	for(pool = scn->pools; pool; pool = pool->next)
		if((any || pool->type == type) &&
			ldns_dname_compare(pool->owner, name) == 0 &&
			!ans_pool_window(pool, list))
			return 0;
	return 1;
}

/** Whether name exists in the data: something is at it or below it. */
static int
ans_name_exists(struct authd_scenario* scn, const ldns_rdf* name)
{
	struct authd_zone* z;
	struct authd_pool* pool;
	size_t i, n = ldns_rr_list_rr_count(scn->records);
	for(z = scn->zones; z; z = z->next)
		if(ans_at_or_below(z->apex, name))
			return 1;
	for(i = 0; i < n; i++)
		if(ans_at_or_below(ldns_rr_owner(ldns_rr_list_rr(scn->records,
			i)), name))
			return 1;
	for(pool = scn->pools; pool; pool = pool->next)
		if(ans_at_or_below(pool->owner, name))
			return 1;
	return 0;
}

/** Consider owner as a zone cut for name in zone: keep the topmost. */
static void
ans_cut_candidate(const struct authd_zone* zone, const ldns_rdf* name,
	const ldns_rdf* owner, const ldns_rdf** best)
{
	if(!ldns_dname_is_subdomain(owner, zone->apex) ||
		!ans_at_or_below(name, owner))
		return;
	if(!*best || ldns_dname_label_count(owner) <
		ldns_dname_label_count(*best))
		*best = owner;
}

/** The delegation in zone at or above name (below the apex), if any. */
static const ldns_rdf*
ans_find_cut(struct authd_scenario* scn, const struct authd_zone* zone,
	const ldns_rdf* name)
{
	const ldns_rdf* best = NULL;
	struct authd_pool* pool;
	size_t i, n = ldns_rr_list_rr_count(scn->records);
	for(i = 0; i < n; i++) {
		ldns_rr* rr = ldns_rr_list_rr(scn->records, i);
		if(ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS)
			ans_cut_candidate(zone, name, ldns_rr_owner(rr), &best);
	}
	for(pool = scn->pools; pool; pool = pool->next)
		if(pool->type == LDNS_RR_TYPE_NS)
			ans_cut_candidate(zone, name, pool->owner, &best);
	return best;
}

/** Move every record of list into section of pkt, leaving list empty.
 * \return 1 on success, 0 out of memory (the records are freed). */
static int
ans_move(ldns_pkt* pkt, ldns_pkt_section section, ldns_rr_list* list)
{
	size_t i, n = ldns_rr_list_rr_count(list);
	int ok = 1;
	for(i = 0; i < n; i++) {
		ldns_rr* rr = ldns_rr_list_rr(list, i);
		if(!ok || !ldns_pkt_push_rr(pkt, section, rr)) {
			ldns_rr_free(rr);
			ok = 0;
		}
	}
	ldns_rr_list_set_rr_count(list, 0);
	return ok;
}

/** Put the NS set at owner in section, and the addresses of those name
 * servers inside zone (glue, or authoritative data) in the additional
 * section. \return 1 on success, 0 out of memory. */
static int
ans_ns_and_glue(struct authd_scenario* scn, const struct authd_zone* zone,
	const ldns_rdf* owner, ldns_pkt* pkt, ldns_pkt_section section)
{
	ldns_rr_list* ns = ldns_rr_list_new(), *glue = ldns_rr_list_new();
	size_t i;
	int ok = ns && glue && ans_rrset(scn, owner, LDNS_RR_TYPE_NS, ns);
	for(i = 0; ok && i < ldns_rr_list_rr_count(ns); i++) {
		const ldns_rdf* name = ldns_rr_rdf(ldns_rr_list_rr(ns, i), 0);
		if(!name || !ans_at_or_below(name, zone->apex))
			continue;
		ok = ans_rrset(scn, name, LDNS_RR_TYPE_A, glue) &&
			ans_rrset(scn, name, LDNS_RR_TYPE_AAAA, glue);
	}
	ok = ok && ans_move(pkt, section, ns) &&
		ans_move(pkt, LDNS_SECTION_ADDITIONAL, glue);
	ldns_rr_list_deep_free(ns);
	ldns_rr_list_deep_free(glue);
	return ok;
}

/** Put the zone's SOA in the authority section with the negative TTL
 * (RFC 2308 5: the smaller of its TTL and its minimum field).
 * \return 1 on success, 0 out of memory. */
static int
ans_negative(const struct authd_zone* zone, ldns_pkt* pkt)
{
	ldns_rr* soa = ldns_rr_clone(zone->soa);
	const ldns_rdf* min;
	if(!soa)
		return 0;
	min = ldns_rr_rdf(soa, 6);
	if(min && ldns_rdf_size(min) == 4 &&
		ldns_rdf2native_int32(min) < ldns_rr_ttl(soa))
		ldns_rr_set_ttl(soa, ldns_rdf2native_int32(min));
	if(!ldns_pkt_push_rr(pkt, LDNS_SECTION_AUTHORITY, soa)) {
		ldns_rr_free(soa);
		return 0;
	}
	return 1;
}

/** Whether the answer section already holds a CNAME at name: a loop. */
static int
ans_cname_seen(ldns_pkt* pkt, const ldns_rdf* name)
{
	ldns_rr_list* ans = ldns_pkt_answer(pkt);
	size_t i;
	for(i = 0; i < ldns_rr_list_rr_count(ans); i++) {
		ldns_rr* rr = ldns_rr_list_rr(ans, i);
		if(ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			ldns_dname_compare(ldns_rr_owner(rr), name) == 0)
			return 1;
	}
	return 0;
}

/** The wildcard that synthesises name, which does not exist: `*` below its
 * closest encloser (the nearest ancestor that exists, at most the apex), if
 * anything is there (RFC 4592 3.3.1). \return a new rdf, or NULL if there
 * is none (or out of memory). */
static ldns_rdf*
ans_wildcard(struct authd_scenario* scn, const struct authd_zone* zone,
	const ldns_rdf* name)
{
	ldns_rdf* encloser = ldns_dname_left_chop(name), *star, *wild;
	while(encloser && !ans_name_exists(scn, encloser) &&
		ldns_dname_is_subdomain(encloser, zone->apex)) {
		ldns_rdf* up = ldns_dname_left_chop(encloser);
		ldns_rdf_deep_free(encloser);
		encloser = up;
	}
	if(!encloser)
		return NULL;
	star = ldns_dname_new_frm_str("*");
	wild = star ? ldns_dname_cat_clone(star, encloser) : NULL;
	ldns_rdf_deep_free(star);
	ldns_rdf_deep_free(encloser);
	if(wild && !ans_name_exists(scn, wild)) {
		ldns_rdf_deep_free(wild);
		wild = NULL;
	}
	return wild;
}

/** Give every record of list the owner name (a wildcard's synthesis).
 * \return 1 on success, 0 out of memory. */
static int
ans_rename(ldns_rr_list* list, const ldns_rdf* name)
{
	size_t i;
	for(i = 0; i < ldns_rr_list_rr_count(list); i++) {
		ldns_rr* rr = ldns_rr_list_rr(list, i);
		ldns_rdf* owner = ldns_rdf_clone(name);
		if(!owner)
			return 0;
		ldns_rdf_deep_free(ldns_rr_owner(rr));
		ldns_rr_set_owner(rr, owner);
	}
	return 1;
}

/** Append the records at name of type to list, or, for a name that does not
 * exist, those of the wildcard that covers it, renamed to name. Sets *wild
 * when a wildcard answered. \return 1 on success, 0 out of memory. */
static int
ans_rrset_or_wildcard(struct authd_scenario* scn,
	const struct authd_zone* zone, const ldns_rdf* name, ldns_rr_type type,
	ldns_rr_list* list, int* wild)
{
	ldns_rdf* source;
	int ok;
	*wild = 0;
	if(ans_name_exists(scn, name))
		return ans_rrset(scn, name, type, list);
	if(!(source = ans_wildcard(scn, zone, name)))
		return 1;
	*wild = 1;
	ok = ans_rrset(scn, source, type, list) && ans_rename(list, name);
	ldns_rdf_deep_free(source);
	return ok;
}

/** Fill in the answer for qname and qtype from zone: a referral, or an
 * authoritative answer following CNAMEs inside the zone.
 * \return 1 on success, 0 out of memory. */
static int
ans_lookup(struct authd_scenario* scn, struct authd_zone* zone,
	const ldns_rdf* qname, ldns_rr_type qtype, ldns_pkt* pkt)
{
	const ldns_rdf* name = qname, *cut;
	ldns_rr_list* list;
	int hops, ok = 1;
	cut = ans_find_cut(scn, zone, qname);
	/* The DS set of a delegation lives in the parent, at the cut. */
	if(cut && !(qtype == LDNS_RR_TYPE_DS &&
		ldns_dname_compare(cut, qname) == 0))
		return ans_ns_and_glue(scn, zone, cut, pkt,
			LDNS_SECTION_AUTHORITY);
	ldns_pkt_set_aa(pkt, 1);
	if(!(list = ldns_rr_list_new()))
		return 0;
	for(hops = 0; ok; hops++) {
		ldns_rr* cname;
		int wild;
		if(qtype == LDNS_RR_TYPE_NS &&
			ldns_dname_compare(name, zone->apex) == 0) {
			ok = ans_ns_and_glue(scn, zone, zone->apex, pkt,
				LDNS_SECTION_ANSWER);
			break;
		}
		if(!(ok = ans_rrset_or_wildcard(scn, zone, name, qtype, list,
			&wild)))
			break;
		if(ldns_rr_list_rr_count(list) > 0) {
			ok = ans_move(pkt, LDNS_SECTION_ANSWER, list);
			if(ok && zone->auth_ns)
				ok = ans_ns_and_glue(scn, zone, zone->apex, pkt,
					LDNS_SECTION_AUTHORITY);
			break;
		}
		if(qtype == LDNS_RR_TYPE_CNAME || !(ok = ans_rrset_or_wildcard(
			scn, zone, name, LDNS_RR_TYPE_CNAME, list, &wild)))
			break;
		if(ldns_rr_list_rr_count(list) == 0) {
			if(!wild && !ans_name_exists(scn, name))
				ldns_pkt_set_rcode(pkt, LDNS_RCODE_NXDOMAIN);
			ok = ans_negative(zone, pkt);
			break;
		}
		/* Follow the chain while it stays in this zone's own data. */
		cname = ldns_rr_list_rr(list, 0);
		name = ldns_rr_rdf(cname, 0);
		if(!(ok = ans_move(pkt, LDNS_SECTION_ANSWER, list)) || !name ||
			hops + 1 >= ANS_MAX_CHAIN ||
			authd_zone_find(scn, name) != zone ||
			ans_find_cut(scn, zone, name) ||
			ans_cname_seen(pkt, name))
			break;
	}
	ldns_rr_list_deep_free(list);
	return ok;
}

/** A reply to query with its header, question and EDNS record (if the query
 * had one), and nothing else yet. \return the reply, or NULL. */
static ldns_pkt*
ans_reply_new(const ldns_pkt* query)
{
	ldns_pkt* pkt = ldns_pkt_new();
	ldns_rr* q;
	if(!pkt)
		return NULL;
	ldns_pkt_set_id(pkt, ldns_pkt_id(query));
	ldns_pkt_set_qr(pkt, 1);
	ldns_pkt_set_opcode(pkt, ldns_pkt_get_opcode(query));
	ldns_pkt_set_rd(pkt, ldns_pkt_rd(query));
	ldns_pkt_set_cd(pkt, ldns_pkt_cd(query));
	if(ldns_pkt_qdcount(query) == 1 &&
		ldns_rr_list_rr_count(ldns_pkt_question(query)) == 1) {
		q = ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(query), 0));
		if(!q || !ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, q)) {
			ldns_rr_free(q);
			ldns_pkt_free(pkt);
			return NULL;
		}
	}
	if(ldns_pkt_edns(query))
		ldns_pkt_set_edns_udp_size(pkt, ANS_EDNS_SIZE);
	return pkt;
}

/** FORMERR for a query ldns cannot parse, from its raw header: same ID,
 * opcode and RD, no sections. \return 1 on success, 0 out of memory. */
static int
ans_formerr_raw(const uint8_t* query, uint8_t** reply, size_t* reply_len)
{
	uint8_t* r = calloc(1, LDNS_HEADER_SIZE);
	if(!r)
		return 0;
	r[0] = query[0];
	r[1] = query[1];
	/* QR, the query's opcode and RD. */
	r[2] = (uint8_t)(0x80 | (query[2] & 0x79));
	r[3] = LDNS_RCODE_FORMERR;
	*reply = r;
	*reply_len = LDNS_HEADER_SIZE;
	return 1;
}

/** Work out the reply to a parsed query. \return 1 on success, 0 out of
 * memory. */
static int
ans_query(struct authd_scenario* scn, const ldns_pkt* query, ldns_pkt* pkt)
{
	const ldns_rr* q;
	struct authd_zone* zone;
	ldns_rr_type qtype;
	if(ldns_pkt_get_opcode(query) != LDNS_PACKET_QUERY) {
		ldns_pkt_set_rcode(pkt, LDNS_RCODE_NOTIMPL);
		return 1;
	}
	if(ldns_pkt_qdcount(query) != 1 ||
		ldns_rr_list_rr_count(ldns_pkt_question(query)) != 1) {
		ldns_pkt_set_rcode(pkt, LDNS_RCODE_FORMERR);
		return 1;
	}
	q = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	qtype = ldns_rr_get_type(q);
	if(ldns_rr_get_class(q) != LDNS_RR_CLASS_IN ||
		qtype == LDNS_RR_TYPE_AXFR || qtype == LDNS_RR_TYPE_IXFR ||
		!(zone = authd_zone_find(scn, ldns_rr_owner(q)))) {
		ldns_pkt_set_rcode(pkt, LDNS_RCODE_REFUSED);
		return 1;
	}
	return ans_lookup(scn, zone, ldns_rr_owner(q), qtype, pkt);
}

/** The query log line: "qname qtype". */
static void
ans_logline(const ldns_pkt* query, char* buf, size_t len)
{
	const ldns_rr* q;
	char* name, *type;
	if(len == 0)
		return;
	buf[0] = 0;
	if(ldns_rr_list_rr_count(ldns_pkt_question(query)) < 1)
		return;
	q = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	name = ldns_rdf2str(ldns_rr_owner(q));
	type = ldns_rr_type2str(ldns_rr_get_type(q));
	snprintf(buf, len, "%s %s", name ? name : "?", type ? type : "?");
	free(name);
	free(type);
}

int
authd_answer(struct authd_scenario* scn, const uint8_t* query, size_t len,
	int tcp, uint8_t** reply, size_t* reply_len, char* logline,
	size_t logline_len)
{
	ldns_pkt* q = NULL, *r;
	size_t max;
	int ok;
	*reply = NULL;
	*reply_len = 0;
	if(logline_len)
		logline[0] = 0;
	/* Too short for a header, or a reply: answering could loop. */
	if(len < LDNS_HEADER_SIZE || LDNS_QR_WIRE(query))
		return 1;
	if(ldns_wire2pkt(&q, query, len) != LDNS_STATUS_OK || !q)
		return ans_formerr_raw(query, reply, reply_len);
	ans_logline(q, logline, logline_len);
	if(!(r = ans_reply_new(q))) {
		ldns_pkt_free(q);
		return 0;
	}
	ok = ans_query(scn, q, r) &&
		ldns_pkt2wire(reply, r, reply_len) == LDNS_STATUS_OK;
	max = 512;
	if(tcp)
		max = 65535;
	else if(ldns_pkt_edns(q) && ldns_pkt_edns_udp_size(q) > max)
		max = ldns_pkt_edns_udp_size(q);
	if(ok && *reply_len > max) {
		/* Question only, TC set: the requester comes back over TCP. */
		ldns_pkt* t = ans_reply_new(q);
		free(*reply);
		*reply = NULL;
		ok = t != NULL;
		if(ok) {
			ldns_pkt_set_tc(t, 1);
			ldns_pkt_set_aa(t, ldns_pkt_aa(r));
			ldns_pkt_set_rcode(t, ldns_pkt_get_rcode(r));
			ok = ldns_pkt2wire(reply, t, reply_len) ==
				LDNS_STATUS_OK;
		}
		ldns_pkt_free(t);
	}
	if(!ok) {
		free(*reply);
		*reply = NULL;
		*reply_len = 0;
	}
	ldns_pkt_free(q);
	ldns_pkt_free(r);
	return ok;
}
