/**
 * \file
 * Enforcement on the module path: a blocked answer replaced by what the
 * core's judgement (fluxguard/judge.h) decided, in Unbound's structs. Which
 * answers are blocked is decided in the core, never here. The cache path
 * (answers Unbound serves without calling any module) is handled by local
 * zones, module/fluxguard_zones.c.
 */
#include "config.h"
#include "util/module.h"
#include "util/log.h"
#include "util/regional.h"
#include "util/net_help.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "services/cache/dns.h"
#include "sldns/rrdef.h"

#include "fluxguard_internal.h"
#include "fluxguard/judge.h"

#include <string.h>

/** An empty NOERROR reply for the query, ready for answer RRsets. */
static struct dns_msg*
make_reply(struct module_qstate* qstate, time_t ttl, size_t capacity)
{
	struct dns_msg* msg = dns_msg_create(qstate->qinfo.qname,
		qstate->qinfo.qname_len, qstate->qinfo.qtype, qstate->qinfo.qclass,
		qstate->region, capacity ? capacity : 1);
	if(!msg)
		return NULL;
	msg->rep->flags = BIT_QR | BIT_RA;
	msg->rep->ttl = ttl;
	msg->rep->prefetch_ttl = PREFETCH_TTL_CALC(ttl);
	msg->rep->serve_expired_ttl = ttl;
	/* Not bogus: the validator sits below us and an unchecked answer would be
	 * turned into SERVFAIL by the mesh. */
	msg->rep->security = sec_status_insecure;
	return msg;
}

/** Add the redirect addresses of the query's type as an answer RRset. */
static int
add_redirect_rrset(struct fluxguard_env* fe, struct module_qstate* qstate,
	struct dns_msg* msg)
{
	const struct fg_conf_addrs* ra = &fe->cfg.redirect_addrs;
	int family = qstate->qinfo.qtype == LDNS_RR_TYPE_A ? FG_AF_INET :
		qstate->qinfo.qtype == LDNS_RR_TYPE_AAAA ? FG_AF_INET6 : 0;
	size_t alen = family == FG_AF_INET ? 4 : 16, n = 0, i;
	struct ub_packed_rrset_key* k;
	struct packed_rrset_data* d;
	uint8_t* rdata;
	for(i = 0; i < ra->n; i++)
		if(ra->a[i].family == family)
			n++;
	if(n == 0)
		return 1; /* no address of this type: NODATA */
	k = regional_alloc_zero(qstate->region, sizeof(*k));
	d = regional_alloc_zero(qstate->region, sizeof(*d) +
		n * (sizeof(size_t) + sizeof(uint8_t*) + sizeof(time_t) + 2 + alen));
	if(!k || !d)
		return 0;
	k->rk.dname = msg->qinfo.qname;
	k->rk.dname_len = msg->qinfo.qname_len;
	k->rk.type = htons(qstate->qinfo.qtype);
	k->rk.rrset_class = htons(LDNS_RR_CLASS_IN);
	k->entry.key = k;
	k->entry.data = d;
	d->ttl = (time_t)fe->cfg.redirect_ttl;
	d->count = n;
	d->trust = rrset_trust_prim_noglue;
	d->security = sec_status_insecure;
	/* the packed layout packed_rrset_ptr_fixup expects */
	d->rr_len = (size_t*)((uint8_t*)d + sizeof(*d));
	d->rr_data = (uint8_t**)&d->rr_len[n];
	d->rr_ttl = (time_t*)&d->rr_data[n];
	rdata = (uint8_t*)&d->rr_ttl[n];
	for(i = 0, n = 0; i < ra->n; i++) {
		if(ra->a[i].family != family)
			continue;
		d->rr_len[n] = 2 + alen;
		d->rr_ttl[n] = d->ttl;
		d->rr_data[n] = rdata;
		rdata[0] = 0;
		rdata[1] = (uint8_t)alen;
		memcpy(rdata + 2, ra->a[i].addr, alen);
		rdata += 2 + alen;
		n++;
	}
	msg->rep->rrsets[0] = k;
	msg->rep->an_numrrsets = 1;
	msg->rep->rrset_count = 1;
	return 1;
}

int
fluxguard_apply_block(struct fluxguard_env* fe, struct module_qstate* qstate,
	const struct fg_judgement* b)
{
	struct dns_msg* msg = NULL;
	switch(b->action) {
	case FG_ACTION_REFUSE:
		qstate->return_rcode = LDNS_RCODE_REFUSED;
		break;
	case FG_ACTION_NXDOMAIN:
		qstate->return_rcode = LDNS_RCODE_NXDOMAIN;
		break;
	case FG_ACTION_NODATA:
	case FG_ACTION_REDIRECT:
		msg = make_reply(qstate, (time_t)fe->cfg.redirect_ttl, 1);
		if(!msg || (b->action == FG_ACTION_REDIRECT &&
			!add_redirect_rrset(fe, qstate, msg))) {
			log_err("fluxguard: out of memory building a blocked answer; "
				"the answer passes");
			return 0;
		}
		qstate->return_rcode = LDNS_RCODE_NOERROR;
		break;
	default:
		return 0;
	}
	qstate->return_msg = msg;
	/* The module's answer must never be cached (the real one was already
	 * stored by the iterator; local zones keep it from being served). */
	qstate->no_cache_store = 1;
	if(fe->ede) {
		char text[128];
		snprintf(text, sizeof(text), "fluxguard: %s", b->reason);
		(void)edns_opt_list_append_ede(&qstate->edns_opts_front_out,
			qstate->region, LDNS_EDE_BLOCKED, text);
	}
	return 1;
}
