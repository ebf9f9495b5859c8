/**
 * \file
 * The detector: the one function the module and the replay tool both call for
 * every upstream response, so evidence is recorded and judged by exactly one
 * implementation.
 *
 * Per address RRset (A or AAAA, answer section) the detector:
 *  1. asks the policy about the owner name, then about the addresses
 *     (annotated with geo first, so ASN entries match); a name or an answer on
 *     the allow or deny list is decided there and not recorded, which keeps
 *     the shared table for the domains that need judging;
 *  2. records the RRset in the tracker (fg_tracker_record_addrs);
 *  3. copies the owner's record out, and the record of the closest enclosing
 *     zone with NS evidence (the owner itself, then its parents, never a
 *     top-level domain);
 *  4. scores them (fg_score_record) and stores the verdict and score
 *     (fg_tracker_set_verdict), unless an operator fixed the verdict
 *     (fluxguard-control allow/deny/unflag).
 * Per NS RRset it records the NS names and the glue that came with them
 * (fg_tracker_record_ns); that evidence counts from the zone's next address
 * answer on.
 *
 * Verdict rules: a domain is flagged when its score reaches the threshold and
 * it has at least min_answers address answers in the window (one answer is
 * never enough). A flagged domain stays flagged while a new window has not yet
 * gathered min_answers answers (too little evidence to clear it either), and is
 * cleared once it has and scores under the threshold.
 *
 * Threads: a detector is read-only after fg_detector_init; any number of
 * threads may call the fg_detect_* functions on one detector at once (the
 * tracker, geo and policy are thread-safe). Nothing here allocates.
 */
#ifndef FLUXGUARD_DETECT_H
#define FLUXGUARD_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/options.h"
#include "fluxguard/score.h"
#include "fluxguard/tracker.h"
#include "fluxguard/upstream.h"

struct fg_geo;
struct fg_policy;

/** Default of min-answers: a single answer is never enough. */
#define FG_DETECT_DEFAULT_MIN_ANSWERS 2

/** Why a decision came out as it did. */
enum fg_decision_source {
	/** the score (or too little evidence for one) */
	FG_SRC_SCORE = 0,
	/** the owner name is on the allow or deny list */
	FG_SRC_POLICY_NAME,
	/** the answer's addresses are on the allow or deny list */
	FG_SRC_POLICY_ADDRS,
	/** an operator set the record's verdict (fluxguard-control) */
	FG_SRC_OPERATOR,
	/** the tracker could not store the record: not judged, passes */
	FG_SRC_UNTRACKED
};

/** What the detector decided about one address RRset. */
struct fg_decision {
	/** the RRset's owner, wire format (points at the caller's name) */
	const uint8_t* owner;
	/** the domain's verdict after this answer */
	enum fg_verdict verdict;
	/** why */
	enum fg_decision_source source;
	/** its score after this answer (0 if not scored) */
	double score;
	/** 1 if this answer moved the domain to FG_VERDICT_FLAGGED: log or
	 * enforce once */
	int newly_flagged;
	/** address answers the domain has in the window (0 if not recorded) */
	uint32_t answers;
	/** when it was first flagged, UNIX seconds (0 = not flagged) */
	uint64_t flagged_at;
	/** the Holz et al. value on the same record, for comparison */
	double holz;
	/** why the score is what it is (valid when source is FG_SRC_SCORE and
	 * answers > 0) */
	struct fg_score_explain explain;
};

/** Everything the detector needs, owned by the caller. */
struct fg_detector {
	/** the tracker to record into and read from */
	struct fg_tracker* tracker;
	/** geo databases, or NULL for none */
	struct fg_geo* geo;
	/** allow and deny lists, or NULL for none */
	const struct fg_policy* policy;
	/** threshold and weights, fixed once fg_detector_init made bounds
	 * from them (set them through it) */
	struct fg_score_params params;
	/** address answers needed before a domain can be flagged (at least 1) */
	uint32_t min_answers;
	/** enum fg_action for a flagged name (fluxguard/judge.h applies it) */
	int action;
	/** enum fg_action for a denied name or address */
	int deny_action;
	/** 1: score every answer (the replay tool reports each score and the
	 * Holz value); 0: leave a clean record whose score cannot reach the
	 * threshold (fg_score_bound) unscored, as the resolver does: same
	 * verdicts, less of the record read */
	int exact_scores;
	/** fg_score_bound of every brief that bounds anything, by kept
	 * addresses, ASNs and countries, rounded up to a float: made by
	 * fg_detector_init from params */
	float bounds[FG_TRACK_ADDRS + 1][FG_TRACK_ASNS + 1]
		[FG_TRACK_COUNTRIES + 1];
};

/**
 * Set up \p d. \p geo and \p policy may be NULL; \p params NULL means the
 * defaults; a \p min_answers of 0 means FG_DETECT_DEFAULT_MIN_ANSWERS.
 */
void fg_detector_init(struct fg_detector* d, struct fg_tracker* tracker,
	struct fg_geo* geo, const struct fg_policy* policy,
	const struct fg_score_params* params, uint32_t min_answers);

/**
 * Set up \p d from a loaded configuration: its score parameters,
 * min-answers, action and deny-action (fluxguard/options.h).
 */
void fg_detector_init_config(struct fg_detector* d, struct fg_tracker* tracker,
	struct fg_geo* geo, const struct fg_policy* policy,
	const struct fg_config* cfg);

/**
 * The closest enclosing zone of \p owner with NS evidence, whose NS flux
 * counts in \p owner's score: \p rec (owner's own record, as looked up) if
 * it has NS evidence, else the nearest parent that has, never climbing to a
 * top-level domain (its referrals say nothing about one domain). The one
 * rule the detector, fluxguard-control show and the replay tool share.
 * \return 1 with \p zone filled, 0 if none.
 */
int fg_detect_find_zone(struct fg_tracker* tracker, const uint8_t* owner,
	uint64_t now, const struct fg_record_view* rec,
	struct fg_record_view* zone);

/** A verdict's name: "clean", "flagged", "allowed", "denied" ("unknown" for
 * a value out of range, e.g. read from a damaged segment). */
const char* fg_verdict_name(int verdict);

/** A decision source's name: "score", "policy-name", "policy-addrs",
 * "operator", "untracked". */
const char* fg_decision_source_name(enum fg_decision_source s);

/**
 * Judge one address RRset of one upstream answer (see the file comment).
 * \param owner wire-format owner name (any case).
 * \param addrs the addresses; their geo fields are filled here.
 * \param out receives the decision.
 * \return 1 if \p out holds a decision, 0 if the input was unusable (no
 *	addresses, a malformed name).
 */
int fg_detect_addrs(struct fg_detector* d, const uint8_t* owner, uint64_t now,
	struct fg_addr* addrs, size_t n, uint32_t ttl, struct fg_decision* out);

/**
 * Record one NS RRset of a zone and its glue (geo fields of \p glue are
 * filled here). Names on the allow list are not recorded.
 * \return 1 if recorded, 0 if not (allowed, malformed, or the tracker full).
 */
int fg_detect_ns(struct fg_detector* d, const uint8_t* zone, uint64_t now,
	const uint8_t* const* ns_names, size_t n_ns, struct fg_addr* glue,
	size_t n_glue, uint32_t ttl);

/**
 * Judge one upstream response: first every NS RRset with its glue (the A and
 * AAAA RRsets, of any section, owned by one of its NS names), then every A and
 * AAAA RRset of the answer section. Address RRsets outside the answer section
 * are glue only, never answers of their owner. CNAMEs are not judged: the
 * addresses' owner at the end of a chain is. The addresses in \p up are
 * annotated in place.
 * \param out receives one decision per answer-section address RRset, in
 *	message order, at most \p max_out (every answer RRset is recorded
 *	whether or not its decision fits).
 * \return the number of decisions written.
 */
size_t fg_detect_upstream(struct fg_detector* d, struct fg_upstream* up,
	struct fg_decision* out, size_t max_out);

#endif /* FLUXGUARD_DETECT_H */
