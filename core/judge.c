/**
 * \file
 * The answer judgement (fluxguard/judge.h): the lists and the tracker's
 * verdicts for every name and address of one answer, folded by precedence
 * into one decision. Runs on the caller's stack and allocates nothing.
 */
#include "fluxguard/judge.h"
#include "fluxguard/geo.h"
#include "fluxguard/options.h"

#include <stdio.h>
#include <string.h>

/** Most addresses of one answer checked against the address lists. */
#define JUDGE_MAX_ADDRS 64

/** The running state while an answer's names are judged. */
struct judging {
	/** the detector: lists, tracker, geo, actions */
	const struct fg_detector* d;
	/** its lists, loaded once (the module may swap them at run time) */
	const struct fg_policy* policy;
	/** an allow matched: the answer passes whatever else matched */
	int allowed;
	/** ask the tracker too, not only the lists */
	int use_tracker;
	/** when, for the tracker's window */
	uint64_t now;
	/** the decision being built */
	struct fg_judgement* out;
};

/** Strength of a verdict in the precedence: deny over flag over nothing. */
static int
strength(enum fg_verdict v)
{
	return v == FG_VERDICT_DENIED ? 2 : v == FG_VERDICT_FLAGGED ? 1 : 0;
}

/** Note \p verdict for \p name unless an equal or stronger one is noted. */
static void
note(struct judging* j, enum fg_verdict verdict, const uint8_t* name,
	double score, const char* reason)
{
	struct fg_judgement* out = j->out;
	size_t len = fg_name_wire_len(name, FG_NAME_MAX_WIRE);
	if(strength(verdict) <= strength(out->verdict) || len == 0)
		return;
	out->verdict = verdict;
	memcpy(out->name, name, len);
	out->name_len = len;
	out->score = score;
	snprintf(out->reason, sizeof(out->reason), "%s", reason);
}

/** Fold a list match \p l about \p name into \p j (a deny with \p reason).
 * \return 1 if a list matched. */
static int
note_list(struct judging* j, enum fg_list l, const uint8_t* name,
	const char* reason)
{
	if(l == FG_LIST_ALLOW)
		j->allowed = 1;
	else if(l == FG_LIST_DENY)
		note(j, FG_VERDICT_DENIED, name, 0, reason);
	return l != FG_LIST_NONE;
}

/** Judge one name by the lists and, if asked, the tracker's verdict. */
static void
judge_name(struct judging* j, const uint8_t* name)
{
	enum fg_verdict verdict;
	float score;
	char reason[FG_JUDGE_REASON_MAX];
	if(j->policy && note_list(j, fg_policy_match_name(j->policy,
		name), name, "deny list"))
		return;
	if(!j->use_tracker || !j->d->tracker ||
		!fg_tracker_peek(j->d->tracker, name, j->now, &verdict, &score))
		return;
	switch(verdict) {
	case FG_VERDICT_ALLOWED:
		j->allowed = 1;
		break;
	case FG_VERDICT_DENIED:
		note(j, FG_VERDICT_DENIED, name, score, "deny list (operator)");
		break;
	case FG_VERDICT_FLAGGED:
		fg_judge_score_reason(score, reason, sizeof(reason));
		note(j, FG_VERDICT_FLAGGED, name, score, reason);
		break;
	default:
		break;
	}
}

/** Judge the answer section of \p up: owners, CNAME targets, addresses. */
static void
judge_answer_section(struct judging* j, const uint8_t* qname,
	const struct fg_upstream* up)
{
	struct fg_addr addrs[JUDGE_MAX_ADDRS];
	size_t n_addrs = 0, i, k;
	for(i = 0; i < up->n_rrsets; i++) {
		const struct fg_upstream_rrset* rs = &up->rrsets[i];
		if(rs->section != FG_SECTION_ANSWER || (rs->type != FG_TYPE_A &&
			rs->type != FG_TYPE_AAAA && rs->type != FG_TYPE_CNAME))
			continue;
		/* the query name was judged already; it owns most answers */
		if(!fg_name_equal(rs->owner, qname))
			judge_name(j, rs->owner);
		for(k = rs->first; k < (size_t)rs->first + rs->count; k++) {
			if(rs->type == FG_TYPE_CNAME) {
				if(k < up->n_names)
					judge_name(j, up->names[k]);
			} else if(k < up->n_addrs && n_addrs < JUDGE_MAX_ADDRS) {
				addrs[n_addrs] = up->addrs[k];
				fg_geo_annotate(j->d->geo, &addrs[n_addrs++]);
			}
		}
	}
	if(n_addrs && j->policy)
		(void)note_list(j, fg_policy_match_addrs(j->policy, addrs,
			n_addrs), qname, "deny list (address)");
}

/** Start \p out and \p j for one judgement. \return 0 if \p qname is
 * malformed (nothing to judge: it passes). */
static int
judging_start(struct judging* j, const struct fg_detector* d,
	const uint8_t* qname, uint64_t now, int use_tracker,
	struct fg_judgement* out)
{
	memset(out, 0, sizeof(*out));
	out->verdict = FG_VERDICT_CLEAN;
	out->action = FG_ACTION_LOG;
	j->d = d;
	j->policy = __atomic_load_n(&d->policy, __ATOMIC_ACQUIRE);
	j->allowed = 0;
	j->use_tracker = use_tracker;
	j->now = now;
	j->out = out;
	return fg_name_wire_len(qname, FG_NAME_MAX_WIRE) != 0;
}

/** Fold the precedence into the result. \return out->blocked. */
static int
judging_finish(struct judging* j)
{
	struct fg_judgement* out = j->out;
	if(j->allowed) {
		/* an allow beats every deny and flag of the answer */
		out->list = FG_LIST_ALLOW;
		out->verdict = FG_VERDICT_CLEAN;
		out->name_len = 0;
		out->score = 0;
		out->reason[0] = 0;
		return 0;
	}
	if(out->verdict == FG_VERDICT_CLEAN)
		return 0;
	out->blocked = 1;
	if(out->verdict == FG_VERDICT_DENIED) {
		out->list = FG_LIST_DENY;
		out->action = j->d->deny_action;
	} else {
		out->list = FG_LIST_NONE;
		out->action = j->d->action;
	}
	return 1;
}

void
fg_judge_score_reason(double score, char* buf, size_t len)
{
	snprintf(buf, len, "flux score %.1f", score);
}

int
fg_judge_query(const struct fg_detector* d, const uint8_t* qname,
	struct fg_judgement* out)
{
	struct judging j;
	if(!judging_start(&j, d, qname, 0, 0, out))
		return 0;
	judge_name(&j, qname);
	return judging_finish(&j);
}

int
fg_judge_answer(const struct fg_detector* d, const uint8_t* qname,
	const struct fg_upstream* answer, struct fg_judgement* out)
{
	struct judging j;
	if(!judging_start(&j, d, qname, answer->now, 1, out))
		return 0;
	judge_name(&j, qname);
	judge_answer_section(&j, qname, answer);
	return judging_finish(&j);
}
