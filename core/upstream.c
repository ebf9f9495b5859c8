/**
 * \file
 * Building a neutral upstream response; see fluxguard/upstream.h.
 */
#include "fluxguard/upstream.h"
#include "fluxguard/name.h"

#include <string.h>

void
fg_upstream_init(struct fg_upstream* up, uint64_t now)
{
	up->now = now;
	up->n_rrsets = 0;
	up->n_addrs = 0;
	up->n_names = 0;
	up->truncated = 0;
}

struct fg_upstream_rrset*
fg_upstream_add_rrset(struct fg_upstream* up, const uint8_t* owner,
	uint16_t type, enum fg_section section, uint32_t ttl)
{
	struct fg_upstream_rrset* rs;
	if(up->n_rrsets >= FG_UPSTREAM_MAX_RRSETS) {
		up->truncated++;
		return NULL;
	}
	rs = &up->rrsets[up->n_rrsets++];
	rs->owner = owner;
	rs->type = type;
	rs->section = (uint8_t)section;
	rs->ttl = ttl;
	rs->count = 0;
	rs->first = (uint16_t)((type == FG_TYPE_A || type == FG_TYPE_AAAA) ?
		up->n_addrs : up->n_names);
	return rs;
}

/**
 * The RRset started last if it takes one more record: one of \p type_a or
 * \p type_b, with \p used of \p max records of its kind stored. Else NULL,
 * and a full array is counted as truncation.
 */
static struct fg_upstream_rrset*
rrset_taking(struct fg_upstream* up, uint16_t type_a, uint16_t type_b,
	size_t used, size_t max)
{
	struct fg_upstream_rrset* rs;
	if(up->n_rrsets == 0)
		return NULL;
	rs = &up->rrsets[up->n_rrsets - 1];
	if(used >= max || (rs->type != type_a && rs->type != type_b)) {
		up->truncated++;
		return NULL;
	}
	return rs;
}

int
fg_upstream_add_addr(struct fg_upstream* up, int family, const uint8_t* addr)
{
	struct fg_upstream_rrset* rs = rrset_taking(up, FG_TYPE_A,
		FG_TYPE_AAAA, up->n_addrs, FG_UPSTREAM_MAX_ADDRS);
	struct fg_addr* a;
	if(!rs)
		return 0;
	a = &up->addrs[up->n_addrs++];
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->addr, addr, family == FG_AF_INET ? 4 : 16);
	rs->count++;
	return 1;
}

int
fg_upstream_add_name(struct fg_upstream* up, const uint8_t* name)
{
	struct fg_upstream_rrset* rs = rrset_taking(up, FG_TYPE_NS,
		FG_TYPE_CNAME, up->n_names, FG_UPSTREAM_MAX_NAMES);
	if(!rs)
		return 0;
	up->names[up->n_names++] = name;
	rs->count++;
	return 1;
}

/** One step of FNV-1a over \p len octets. */
static uint64_t
fnv1a(uint64_t h, const uint8_t* p, size_t len)
{
	while(len-- > 0) {
		h ^= *p++;
		h *= 1099511628211ULL;
	}
	return h;
}

uint64_t
fg_upstream_plain_answer(const struct fg_upstream* up, const uint8_t* qname)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i, k, n_plain = 0;
	for(i = 0; i < up->n_rrsets; i++) {
		const struct fg_upstream_rrset* rs = &up->rrsets[i];
		uint8_t type[2];
		if(rs->section != FG_SECTION_ANSWER)
			continue;
		if((rs->type != FG_TYPE_A && rs->type != FG_TYPE_AAAA) ||
			rs->count == 0 || !fg_name_equal(rs->owner, qname))
			return 0;
		type[0] = (uint8_t)(rs->type >> 8);
		type[1] = (uint8_t)rs->type;
		h = fnv1a(h, type, sizeof(type));
		for(k = rs->first; k < (size_t)rs->first + rs->count &&
			k < up->n_addrs; k++) {
			const struct fg_addr* a = &up->addrs[k];
			h = fnv1a(h, a->addr, a->family == FG_AF_INET ? 4 : 16);
		}
		n_plain++;
	}
	if(n_plain == 0)
		return 0;
	return h ? h : 1;
}
