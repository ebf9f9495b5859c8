/**
 * \file
 * The replay trace parser (tools/fg_trace.h): timestamps, records through
 * ldns, and the grouping of one answer's records into a struct fg_upstream.
 * fluxguard-replay reports what it returns; the fuzz target drives it.
 */
#include "fg-config.h"

#include "fg_trace.h"

#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Parse the timestamp at the start of \p line into \p ts / \p now.
 * \return the rest of the line, or NULL if there is no valid timestamp. */
static char*
parse_ts(char* line, char* ts, uint64_t* now)
{
	char* p = line;
	char* end;
	size_t len;
	unsigned long long secs;
	while(*p && *p != ' ' && *p != '\t')
		p++;
	len = (size_t)(p - line);
	if(len == 0 || len >= FG_TRACE_TS_MAX)
		return NULL;
	errno = 0;
	secs = strtoull(line, &end, 10);
	if(errno || end == line || line[0] == '-' || line[0] == '+')
		return NULL;
	if(*end == '.') {
		end++;
		while(end < p && *end >= '0' && *end <= '9')
			end++;
	}
	if(end != p)
		return NULL;
	memcpy(ts, line, len);
	ts[len] = 0;
	*now = secs;
	while(*p == ' ' || *p == '\t')
		p++;
	return p;
}

enum fg_trace_line
fg_trace_split_line(char* line, size_t len, char* ts, uint64_t* now,
	char** rest, const char** why)
{
	char* p;
	while(len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = 0;
	p = line;
	while(*p == ' ' || *p == '\t')
		p++;
	if(*p == 0 || *p == '#')
		return FG_TRACE_LINE_NONE;
	if(strlen(p) != len - (size_t)(p - line)) {
		*why = "NUL byte in line";
		return FG_TRACE_LINE_BAD;
	}
	p = parse_ts(p, ts, now);
	if(!p) {
		*why = "expected a UNIX timestamp first";
		return FG_TRACE_LINE_BAD;
	}
	if(*p == 0) {
		*why = "no record after the timestamp";
		return FG_TRACE_LINE_BAD;
	}
	*rest = p;
	return FG_TRACE_LINE_RECORD;
}

int
fg_trace_parse_rr(const char* text, struct fg_trace_rr* rr, const char** why)
{
	ldns_rr* lrr = NULL;
	ldns_status st;
	ldns_rdf* owner;
	ldns_rdf* rd;
	ldns_rr_type type;
	int ret = 0;

	st = ldns_rr_new_frm_str(&lrr, text, 0, NULL, NULL);
	if(st != LDNS_STATUS_OK) {
		*why = ldns_get_errorstr_by_id(st);
		return -1;
	}
	if(ldns_rr_get_class(lrr) != LDNS_RR_CLASS_IN) {
		*why = "class is not IN";
		ldns_rr_free(lrr);
		return -1;
	}
	type = ldns_rr_get_type(lrr);
	if(type != LDNS_RR_TYPE_A && type != LDNS_RR_TYPE_AAAA &&
		type != LDNS_RR_TYPE_NS && type != LDNS_RR_TYPE_CNAME) {
		ldns_rr_free(lrr);
		return 0;
	}
	memset(rr, 0, sizeof(*rr));
	owner = ldns_rr_owner(lrr);
	rd = ldns_rr_rd_count(lrr) == 1 ? ldns_rr_rdf(lrr, 0) : NULL;
	if(!owner || ldns_rdf_size(owner) > FG_NAME_MAX_WIRE || !rd ||
		fg_name_wire_len(ldns_rdf_data(owner), ldns_rdf_size(owner)) !=
		ldns_rdf_size(owner)) {
		*why = "unusable owner or rdata";
		ldns_rr_free(lrr);
		return -1;
	}
	memcpy(rr->owner, ldns_rdf_data(owner), ldns_rdf_size(owner));
	fg_name_lower(rr->owner);
	rr->ttl = ldns_rr_ttl(lrr);
	rr->type = (uint16_t)type;
	if(type == LDNS_RR_TYPE_A && ldns_rdf_size(rd) == 4) {
		rr->addr.family = FG_AF_INET;
		memcpy(rr->addr.addr, ldns_rdf_data(rd), 4);
		ret = 1;
	} else if(type == LDNS_RR_TYPE_AAAA && ldns_rdf_size(rd) == 16) {
		rr->addr.family = FG_AF_INET6;
		memcpy(rr->addr.addr, ldns_rdf_data(rd), 16);
		ret = 1;
	} else if((type == LDNS_RR_TYPE_NS || type == LDNS_RR_TYPE_CNAME) &&
		ldns_rdf_size(rd) <= FG_NAME_MAX_WIRE &&
		fg_name_wire_len(ldns_rdf_data(rd), ldns_rdf_size(rd)) ==
		ldns_rdf_size(rd)) {
		memcpy(rr->target, ldns_rdf_data(rd), ldns_rdf_size(rd));
		fg_name_lower(rr->target);
		ret = 1;
	} else {
		*why = "unusable rdata";
		ret = -1;
	}
	ldns_rr_free(lrr);
	return ret;
}

/** Whether \p name is the target of an NS record among \p rrs. */
static int
is_ns_target(const struct fg_trace_rr* rrs, size_t n, const uint8_t* name)
{
	size_t i;
	for(i = 0; i < n; i++)
		if(rrs[i].type == FG_TYPE_NS &&
			fg_name_equal(rrs[i].target, name))
			return 1;
	return 0;
}

/** Whether record \p j belongs to an RRset started before it (same owner
 * and type earlier in the answer). */
static int
seen_rrset(const struct fg_trace_rr* rrs, size_t j)
{
	size_t i;
	for(i = 0; i < j; i++)
		if(rrs[i].type == rrs[j].type &&
			fg_name_equal(rrs[i].owner, rrs[j].owner))
			return 1;
	return 0;
}

void
fg_trace_answer(const struct fg_trace_rr* rrs, size_t n, uint64_t now,
	struct fg_upstream* up)
{
	size_t i, j;
	fg_upstream_init(up, now);
	for(j = 0; j < n; j++) {
		const struct fg_trace_rr* rr = &rrs[j];
		enum fg_section sec = FG_SECTION_ANSWER;
		if(seen_rrset(rrs, j))
			continue;
		if(rr->type == FG_TYPE_NS)
			sec = FG_SECTION_AUTHORITY;
		else if((rr->type == FG_TYPE_A || rr->type == FG_TYPE_AAAA) &&
			is_ns_target(rrs, n, rr->owner))
			sec = FG_SECTION_ADDITIONAL;
		if(!fg_upstream_add_rrset(up, rr->owner, rr->type, sec,
			rr->ttl))
			continue;
		/* the RRset's records: this one and later ones like it; the
		 * RRset's TTL is its smallest, as a resolver caches it */
		for(i = j; i < n; i++) {
			const struct fg_trace_rr* o = &rrs[i];
			if(o->type != rr->type || !fg_name_equal(o->owner,
				rr->owner))
				continue;
			if(o->ttl < up->rrsets[up->n_rrsets - 1].ttl)
				up->rrsets[up->n_rrsets - 1].ttl = o->ttl;
			if(o->type == FG_TYPE_A || o->type == FG_TYPE_AAAA)
				fg_upstream_add_addr(up, o->addr.family,
					o->addr.addr);
			else
				fg_upstream_add_name(up, o->target);
		}
	}
}

int
fg_trace_read(const struct fg_trace_reader* rd, FILE* in)
{
	char* line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	long lineno = 0, first = 0;
	char answer_ts[FG_TRACE_TS_MAX] = "";
	uint64_t answer_now = 0;
	int ok;
	while((len = getline(&line, &cap, in)) != -1) {
		char ts[FG_TRACE_TS_MAX];
		uint64_t now = 0;
		char* rest = NULL;
		const char* why = NULL;
		int k;
		lineno++;
		switch(fg_trace_split_line(line, (size_t)len, ts, &now, &rest,
			&why)) {
		case FG_TRACE_LINE_NONE:
			continue;
		case FG_TRACE_LINE_BAD:
			rd->malformed(rd->arg, lineno, why);
			continue;
		case FG_TRACE_LINE_RECORD:
			break;
		}
		if(n && strcmp(ts, answer_ts) != 0) {
			rd->answer(rd->arg, rd->rrs, n, answer_ts, answer_now,
				first);
			n = 0;
		}
		if(n == rd->max_rrs) {
			char msg[64];
			snprintf(msg, sizeof(msg), "more than %zu records in "
				"one answer", rd->max_rrs);
			rd->malformed(rd->arg, lineno, msg);
			continue;
		}
		k = fg_trace_parse_rr(rest, &rd->rrs[n], &why);
		if(k < 0)
			rd->malformed(rd->arg, lineno, why);
		if(k <= 0)
			continue;
		if(n == 0) {
			memcpy(answer_ts, ts, sizeof(answer_ts));
			answer_now = now;
			first = lineno;
		}
		n++;
	}
	if(n)
		rd->answer(rd->arg, rd->rrs, n, answer_ts, answer_now, first);
	ok = !ferror(in);
	free(line);
	return ok;
}
