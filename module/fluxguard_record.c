/**
 * \file
 * Reading an upstream response out of Unbound's structs into the neutral
 * struct fg_upstream (fluxguard/upstream.h). Called from the iterator's
 * inplace query-response callback, which sees every upstream response a cache
 * miss causes, referrals (NS in authority, glue in additional) included.
 *
 * Everything here comes from the network: every rdata length is checked before
 * it is read, and malformed records are skipped, not trusted.
 */
#include "config.h"
#include "util/module.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "services/cache/dns.h"
#include "sldns/rrdef.h"
#include "util/log.h"
#include "util/regional.h"

#include "fluxguard_internal.h"
#include "fluxguard/counters.h"
#include "fluxguard/judge.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"

/** Which section rrset index i of \p rep belongs to. */
static enum fg_section
rrset_section(const struct reply_info* rep, size_t i)
{
	if(i < rep->an_numrrsets)
		return FG_SECTION_ANSWER;
	if(i < rep->an_numrrsets + rep->ns_numrrsets)
		return FG_SECTION_AUTHORITY;
	return FG_SECTION_ADDITIONAL;
}

/** Relative TTL of an RRset: responses straight off the wire hold relative
 * TTLs, but guard against an absolute one (rrset already from the cache). */
static uint32_t
rrset_ttl(const struct packed_rrset_data* d, time_t now)
{
	time_t ttl = d->ttl;
	if(ttl > now)
		ttl -= now;
	if(ttl < 0)
		ttl = 0;
	return ttl > (time_t)UINT32_MAX ? UINT32_MAX : (uint32_t)ttl;
}

/** Add one Unbound RRset to \p up; A, AAAA, NS and CNAME only. */
static void
add_rrset(struct fg_upstream* up, struct ub_packed_rrset_key* k,
	enum fg_section section, time_t now)
{
	struct packed_rrset_data* d = (struct packed_rrset_data*)k->entry.data;
	uint16_t type = ntohs(k->rk.type);
	size_t j;

	if(!d || ntohs(k->rk.rrset_class) != LDNS_RR_CLASS_IN)
		return;
	if(type != LDNS_RR_TYPE_A && type != LDNS_RR_TYPE_AAAA &&
		type != LDNS_RR_TYPE_NS && type != LDNS_RR_TYPE_CNAME)
		return;
	if(!k->rk.dname || fg_name_wire_len(k->rk.dname, k->rk.dname_len) != k->rk.dname_len)
		return;
	if(!fg_upstream_add_rrset(up, k->rk.dname, type, section, rrset_ttl(d, now)))
		return;
	/* rr_data[j] is the 2-octet rdlength followed by the rdata */
	for(j = 0; j < d->count; j++) {
		const uint8_t* rd = d->rr_data[j];
		size_t len = d->rr_len[j];
		size_t rdlen;
		if(len < 2)
			continue;
		rdlen = ((size_t)rd[0] << 8) | rd[1];
		if(rdlen + 2 > len)
			continue;
		if(type == LDNS_RR_TYPE_A) {
			if(rdlen == 4)
				fg_upstream_add_addr(up, FG_AF_INET, rd + 2);
		} else if(type == LDNS_RR_TYPE_AAAA) {
			if(rdlen == 16)
				fg_upstream_add_addr(up, FG_AF_INET6, rd + 2);
		} else if(fg_name_wire_len(rd + 2, rdlen) == rdlen) {
			fg_upstream_add_name(up, rd + 2);
		}
	}
}

void
fluxguard_read_response(const struct dns_msg* msg, time_t now, struct fg_upstream* up)
{
	const struct reply_info* rep = msg->rep;
	size_t i;
	fg_upstream_init(up, (uint64_t)now);
	if(!rep)
		return;
	for(i = 0; i < rep->rrset_count; i++)
		add_rrset(up, rep->rrsets[i], rrset_section(rep, i), now);
}

/**
 * The response holds a flagged or denied name: put the query's local zone
 * in place now, before the iterator stores the answer in Unbound's cache.
 * Blocking only at moddone leaves a moment in which another thread could
 * serve the freshly cached answer (an alias's chain to a flagged name) from
 * the cache, which no module sees. The judgement is the one moddone makes.
 */
static void
block_before_caching(struct fluxguard_env* fe, struct module_qstate* qstate,
	const struct fg_upstream* up)
{
	struct fg_judgement b;
	if(!fe->zones || !fg_judge_answer(&fe->engine.detector,
		qstate->qinfo.qname, up, &b) || b.action == FG_ACTION_LOG)
		return;
	/* no zone will stand in front of the cache for it: keep the answer
	 * out of the cache, or another thread could serve it unblocked
	 * before moddone */
	if(!fluxguard_zones_request(fe->zones, qstate->env, qstate->qinfo.qname,
		qstate->qinfo.qname_len, b.name, b.name_len, b.action, b.list,
		b.score, b.reason))
		qstate->no_cache_store = 1;
}

/** What the upstream callback leaves in a query's minfo for its moddone. */
struct judged_note {
	/** the plain answer it judged clean (fg_upstream_plain_answer) */
	uint64_t fingerprint;
	/** the tracker's journal head then: every flag, deny, allow and
	 * unflag since, by any thread or process, moves it */
	uint64_t journal_head;
	/** the lists in force then (a reload of the lists swaps them) */
	const struct fg_policy* policy;
};

/** The state the note must still find for the judgement to stand. */
static void
judged_state(struct fluxguard_env* fe, struct judged_note* n)
{
	n->journal_head = fg_tracker_journal_head(fe->engine.tracker);
	n->policy = __atomic_load_n(&fe->engine.detector.policy,
		__ATOMIC_ACQUIRE);
}

/**
 * Leave this query's moddone a note when the response is plain (only the
 * query name's addresses: fg_upstream_plain_answer) and every decision on it
 * was a clean, recorded one: the final answer is then this response, judged
 * already, and moddone need not read the tracker again unless a verdict or
 * the lists changed since \p before, the state taken before the detector
 * read the tracker (fluxguard_judged_already). Any other response, a
 * referral or the next link of a chain, takes the note away.
 */
static void
note_judged(const struct judged_note* before, struct module_qstate* qstate,
	int id, const struct fg_upstream* up, const struct fg_decision* d,
	size_t n)
{
	struct judged_note* note = qstate->minfo[id];
	uint64_t fingerprint = 0;
	size_t i;
	/* an answer the tracker could not store was not judged by it */
	for(i = 0; i < n && d[i].verdict == FG_VERDICT_CLEAN &&
		d[i].source != FG_SRC_UNTRACKED; i++)
		;
	if(i == n)
		fingerprint = fg_upstream_plain_answer(up, qstate->qinfo.qname);
	if(!fingerprint) {
		qstate->minfo[id] = NULL;
		return;
	}
	if(!note)
		note = regional_alloc(qstate->region, sizeof(*note));
	qstate->minfo[id] = note;
	if(!note)
		return;
	*note = *before;
	note->fingerprint = fingerprint;
}

int
fluxguard_judged_already(struct fluxguard_env* fe,
	const struct module_qstate* qstate, int id,
	const struct fg_upstream* answer)
{
	const struct judged_note* note = qstate->minfo[id];
	struct judged_note now;
	if(!note || !fe->engine.tracker)
		return 0;
	judged_state(fe, &now);
	return note->journal_head == now.journal_head &&
		note->policy == now.policy && note->fingerprint ==
		fg_upstream_plain_answer(answer, qstate->qinfo.qname);
}

int
fluxguard_on_upstream_response(struct module_qstate* qstate,
	struct dns_msg* response, int id, void* cb_arg)
{
	struct fluxguard_env* fe = cb_arg;
	struct fg_upstream up;
	struct fg_decision decisions[FG_UPSTREAM_MAX_RRSETS];
	struct judged_note before;
	size_t n, i;
	int blocking = 0;
	if(!qstate)
		return 1;
	if(!fe || !fe->engine.tracker || !response) {
		qstate->minfo[id] = NULL;
		return 1;
	}
	/* The answer's record is in a table far larger than the CPU caches:
	 * ask for it now, so that the wait overlaps reading the response and
	 * the list lookups instead of following them. */
	if(response->qinfo.qtype == LDNS_RR_TYPE_A ||
		response->qinfo.qtype == LDNS_RR_TYPE_AAAA)
		fg_tracker_prefetch(fe->engine.tracker, response->qinfo.qname);
	fluxguard_read_response(response, *qstate->env->now, &up);
	/* before the detector reads the tracker: a flag by another thread in
	 * between must show as a change to moddone */
	judged_state(fe, &before);
	n = fg_detect_upstream(&fe->engine.detector, &up, decisions,
		FG_UPSTREAM_MAX_RRSETS);
	for(i = 0; i < up.n_rrsets; i++)
		if(up.rrsets[i].type == FG_TYPE_NS)
			fluxguard_count(fe, FG_CTR_NS_RECORDED);
	if(fe->engine.geo && up.n_addrs)
		fg_tracker_count(fe->engine.tracker, FG_CTR_GEO_LOOKUPS, up.n_addrs);
	for(i = 0; i < n; i++) {
		const struct fg_decision* d = &decisions[i];
		char name[FG_NAME_MAX_STR];
		if(d->source == FG_SRC_UNTRACKED)
			fluxguard_count(fe, FG_CTR_ANSWERS_UNTRACKED);
		else if(d->source == FG_SRC_SCORE || d->source == FG_SRC_OPERATOR)
			fluxguard_count(fe, FG_CTR_ANSWERS_RECORDED);
		if(d->verdict == FG_VERDICT_FLAGGED ||
			d->verdict == FG_VERDICT_DENIED)
			blocking = 1;
		if(!d->newly_flagged)
			continue;
		/* once per domain: newly_flagged is set on the transition only */
		fluxguard_count(fe, FG_CTR_DOMAINS_NEWLY_FLAGGED);
		/* other Unbound processes on the segment learn it from the journal */
		(void)fg_tracker_journal_append(fe->engine.tracker, FG_JOURNAL_FLAG,
			d->owner);
		fluxguard_event(fe, "flag", d->owner, d->score, fe->cfg.action,
			"flux score crossed the threshold", &d->explain);
		if(fg_name_to_str(d->owner, name, sizeof(name)))
			log_info("fluxguard: flagged %s: score %.1f after %u answers",
				name, d->score, (unsigned)d->answers);
	}
	if(blocking) {
		qstate->minfo[id] = NULL;
		block_before_caching(fe, qstate, &up);
	} else {
		note_judged(&before, qstate, id, &up, decisions, n);
	}
	return 1;
}
