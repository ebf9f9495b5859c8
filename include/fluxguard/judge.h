/**
 * \file
 * The answer judgement: whether one answer to one query is blocked, and why.
 * It is the product's central decision, so it lives in the core and takes
 * neutral input: the module converts Unbound's reply into a struct fg_upstream
 * (module/fluxguard_record.c) and applies the result; fluxguard-replay calls
 * the very same function on each answer of a trace, so a dry run shows
 * exactly what the module would have blocked, CNAME aliases included.
 *
 * The names of an answer are the query name, every owner and every CNAME
 * target of the answer section's A, AAAA and CNAME RRsets (so a name whose
 * chain ends at a flagged name is treated as flagged), and its addresses.
 * Precedence:
 *  1. an allowed name (allow list, or an operator's allow), or an answer whose
 *     addresses lie wholly within allowed ASNs/CIDRs, passes, whatever else
 *     matched;
 *  2. else a denied name (deny list or operator) or any denied address blocks
 *     with deny-action;
 *  3. else a flagged name blocks with action.
 * Among list entries for one name the most specific wins (fluxguard/policy.h);
 * among names of equal strength the first in message order decides.
 *
 * Threads: read-only on the detector; any number of threads at once.
 */
#ifndef FLUXGUARD_JUDGE_H
#define FLUXGUARD_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/detect.h"
#include "fluxguard/name.h"
#include "fluxguard/policy.h"
#include "fluxguard/upstream.h"

/** Longest reason text, NUL included. */
#define FG_JUDGE_REASON_MAX 96

/** What the judgement decided for one answer. */
struct fg_judgement {
	/** FG_LIST_ALLOW if an allow (list or operator) let it pass,
	 * FG_LIST_DENY if a deny (list or operator) blocked it, else
	 * FG_LIST_NONE */
	enum fg_list list;
	/** 1 if a name or address of the answer is flagged or denied */
	int blocked;
	/** enum fg_action to apply when blocked (FG_ACTION_LOG: monitor only) */
	int action;
	/** the verdict that decided it: FG_VERDICT_FLAGGED or
	 * FG_VERDICT_DENIED when blocked, else FG_VERDICT_CLEAN */
	enum fg_verdict verdict;
	/** the deciding name's score as the tracker holds it (0 for a list
	 * match) */
	double score;
	/** the deciding name, wire format, lower case as given */
	uint8_t name[FG_NAME_MAX_WIRE];
	/** length of name (0 when nothing decided) */
	size_t name_len;
	/** why, for logs and the EDE text: "flux score 87.5", "deny list" */
	char reason[FG_JUDGE_REASON_MAX];
};

/**
 * The reason of a block by score, as the EDE text, the logs and the events
 * say it: "flux score 87.5" (the score to one decimal, as shown everywhere).
 */
void fg_judge_score_reason(double score, char* buf, size_t len);

/**
 * Judge a query before it is resolved: only the allow and deny lists are
 * asked about \p qname (a tracker probe for every new name would cost a
 * cache miss per query; a name flagged earlier already has its local zone).
 * \return 1 if \p out holds a block, 0 if the query may go ahead (\p out
 *	still says whether an allow matched).
 */
int fg_judge_query(const struct fg_detector* d, const uint8_t* qname,
	struct fg_judgement* out);

/**
 * Judge the answer to \p qname: its answer-section RRsets in \p answer
 * (other sections are ignored), against the lists and the tracker's verdicts
 * at \p answer->now (addresses are looked up in geo on a copy).
 * \return 1 if \p out holds a block, 0 if the answer may pass.
 */
int fg_judge_answer(const struct fg_detector* d, const uint8_t* qname,
	const struct fg_upstream* answer, struct fg_judgement* out);

#endif /* FLUXGUARD_JUDGE_H */
