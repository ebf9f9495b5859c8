/**
 * \file
 * Enforcement on the module path: which names of an answer decide it, and how
 * a blocked answer is replaced. The cache path (answers Unbound serves without
 * calling any module) is handled by local zones, module/fluxguard_zones.c.
 *
 * The names of an answer are the query name, every CNAME target of the answer
 * section (so a name whose chain ends at a flagged name is treated as flagged)
 * and every address RRset owner. Precedence, documented in the README:
 * an allowed name, or an answer wholly within allowed addresses/ASNs, always
 * passes; otherwise a denied name or address blocks with deny-action; otherwise
 * a flagged name blocks with action.
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
#include "fluxguard/geo.h"
#include "fluxguard/name.h"
#include "fluxguard/policy.h"
#include "fluxguard/tracker.h"

#include <string.h>

/** Most addresses of one answer checked against the address lists. */
#define JUDGE_MAX_ADDRS 64

/** Running result of judging an answer's names. */
struct judgement {
	/** an allow matched: the answer passes whatever else matched */
	int allowed;
	/** FG_VERDICT_DENIED, FG_VERDICT_FLAGGED or FG_VERDICT_CLEAN so far */
	int verdict;
	/** the block being built */
	struct fluxguard_block* out;
	/** consult the tracker too, not only the lists */
	int use_tracker;
};

/** Note \p verdict for \p name unless a stronger one is already noted. */
static void
note(struct judgement* j, int verdict, const uint8_t* name, double score,
	const char* reason)
{
	size_t len;
	if(verdict == FG_VERDICT_CLEAN || j->verdict == FG_VERDICT_DENIED ||
		(j->verdict == FG_VERDICT_FLAGGED && verdict != FG_VERDICT_DENIED))
		return;
	j->verdict = verdict;
	len = fg_name_wire_len(name, FG_NAME_MAX_WIRE);
	memcpy(j->out->name, name, len);
	j->out->name_len = len;
	j->out->score = score;
	snprintf(j->out->reason, sizeof(j->out->reason), "%s", reason);
}

/** Judge one name by the lists and the tracker. */
static void
judge_name(struct fluxguard_env* fe, struct judgement* j, const uint8_t* name,
	time_t now)
{
	enum fg_verdict verdict;
	float score;
	char reason[96];
	switch(fg_policy_match_name(fe->policy, name)) {
	case FG_LIST_ALLOW:
		j->allowed = 1;
		return;
	case FG_LIST_DENY:
		note(j, FG_VERDICT_DENIED, name, 0, "deny list");
		return;
	default:
		break;
	}
	if(!j->use_tracker ||
		!fg_tracker_peek(fe->tracker, name, (uint64_t)now, &verdict, &score))
		return;
	switch(verdict) {
	case FG_VERDICT_ALLOWED:
		j->allowed = 1;
		break;
	case FG_VERDICT_DENIED:
		note(j, FG_VERDICT_DENIED, name, score, "deny list (operator)");
		break;
	case FG_VERDICT_FLAGGED:
		snprintf(reason, sizeof(reason), "flux score %.1f", (double)score);
		note(j, FG_VERDICT_FLAGGED, name, score, reason);
		break;
	default:
		break;
	}
}

/** The rdata of RR \p i of \p d, checked: NULL if malformed. */
static const uint8_t*
rr_rdata(const struct packed_rrset_data* d, size_t i, size_t* rdlen)
{
	const uint8_t* rd = d->rr_data[i];
	if(d->rr_len[i] < 2)
		return NULL;
	*rdlen = ((size_t)rd[0] << 8) | rd[1];
	if(*rdlen + 2 > d->rr_len[i])
		return NULL;
	return rd + 2;
}

/** Judge the answer section of \p msg: CNAME targets, owners, addresses. */
static void
judge_answer(struct fluxguard_env* fe, struct judgement* j,
	const uint8_t* qname, const struct dns_msg* msg, time_t now)
{
	struct fg_addr addrs[JUDGE_MAX_ADDRS];
	size_t n_addrs = 0, i, k;
	const struct reply_info* rep = msg->rep;
	if(!rep)
		return;
	for(i = 0; i < rep->an_numrrsets && i < rep->rrset_count; i++) {
		const struct ub_packed_rrset_key* key = rep->rrsets[i];
		const struct packed_rrset_data* d = key->entry.data;
		uint16_t type = ntohs(key->rk.type);
		if(!d || fg_name_wire_len(key->rk.dname, key->rk.dname_len) !=
			key->rk.dname_len)
			continue;
		if(type != LDNS_RR_TYPE_A && type != LDNS_RR_TYPE_AAAA &&
			type != LDNS_RR_TYPE_CNAME)
			continue;
		/* the query name was judged already; it owns most answers */
		if(!fg_name_equal(key->rk.dname, qname))
			judge_name(fe, j, key->rk.dname, now);
		for(k = 0; k < d->count; k++) {
			size_t rdlen;
			const uint8_t* rd = rr_rdata(d, k, &rdlen);
			if(!rd)
				continue;
			if(type == LDNS_RR_TYPE_CNAME) {
				if(fg_name_wire_len(rd, rdlen) == rdlen)
					judge_name(fe, j, rd, now);
			} else if(n_addrs < JUDGE_MAX_ADDRS &&
				rdlen == (type == LDNS_RR_TYPE_A ? 4u : 16u)) {
				struct fg_addr* a = &addrs[n_addrs++];
				memset(a, 0, sizeof(*a));
				a->family = type == LDNS_RR_TYPE_A ? FG_AF_INET : FG_AF_INET6;
				memcpy(a->addr, rd, rdlen);
				if(fe->geo)
					fg_geo_annotate(fe->geo, a);
			}
		}
	}
	if(n_addrs == 0)
		return;
	switch(fg_policy_match_addrs(fe->policy, addrs, n_addrs)) {
	case FG_LIST_ALLOW:
		j->allowed = 1;
		break;
	case FG_LIST_DENY:
		note(j, FG_VERDICT_DENIED, msg->qinfo.qname, 0,
			"deny list (address)");
		break;
	default:
		break;
	}
}

int
fluxguard_judge(struct fluxguard_env* fe, const uint8_t* qname,
	size_t qname_len, const struct dns_msg* msg, time_t now,
	struct fluxguard_block* out)
{
	struct judgement j;
	memset(out, 0, sizeof(*out));
	if(fg_name_wire_len(qname, qname_len) != qname_len)
		return 0;
	j.allowed = 0;
	j.verdict = FG_VERDICT_CLEAN;
	j.out = out;
	/* Before resolution only the lists are asked: a tracker probe for a
	 * random name costs a cache miss on every query (about 1.5 % of a
	 * cache-miss's CPU with a million domains tracked), while a name
	 * flagged earlier already has its local zone and never gets here,
	 * except for its first query after a reload, which moddone blocks. */
	j.use_tracker = msg != NULL;
	judge_name(fe, &j, qname, now);
	if(msg)
		judge_answer(fe, &j, qname, msg, now);
	if(j.allowed) {
		out->list = FG_LIST_ALLOW;
		return 0;
	}
	if(j.verdict == FG_VERDICT_CLEAN)
		return 0;
	out->list = j.verdict == FG_VERDICT_DENIED ? FG_LIST_DENY : FG_LIST_NONE;
	out->blocked = 1;
	out->verdict = j.verdict;
	out->action = j.verdict == FG_VERDICT_DENIED ? fe->cfg.deny_action :
		fe->cfg.action;
	return 1;
}

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
	const struct fluxguard_block* b)
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
