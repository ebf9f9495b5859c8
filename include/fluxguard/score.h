/**
 * \file
 * Flux scoring: features of a tracked domain, and the score and verdict they
 * give. The formula is documented in doc/SCORING.md.
 *
 * The score is a sum of weighted contributions, each a feature normalised to
 * [0, 1] times its weight, clamped to [0, 100]. A domain is flagged when its score
 * reaches the threshold. The weights and threshold are config options
 * (fluxguard.conf(5)); their defaults are the FG_SCORE_DEFAULT_* macros below,
 * which the options table uses, so tuning happens here and nowhere else.
 */
#ifndef FLUXGUARD_SCORE_H
#define FLUXGUARD_SCORE_H

#include <stdint.h>

#include "fluxguard/tracker.h"

/** Default threshold and weights (tuned on the sample trace, see doc/SCORING.md). */
#define FG_SCORE_DEFAULT_THRESHOLD 50.0
#define FG_SCORE_DEFAULT_W_ADDRS 20.0
#define FG_SCORE_DEFAULT_W_PREFIXES 20.0
#define FG_SCORE_DEFAULT_W_ENTROPY 10.0
#define FG_SCORE_DEFAULT_W_ASNS 25.0
#define FG_SCORE_DEFAULT_W_COUNTRIES 10.0
#define FG_SCORE_DEFAULT_W_TTL 10.0
#define FG_SCORE_DEFAULT_W_CHURN 15.0
#define FG_SCORE_DEFAULT_W_GROWTH 10.0
#define FG_SCORE_DEFAULT_W_NS 20.0

/** Threshold and weights, as configured. */
struct fg_score_params {
	/** score at or above which a domain is flagged, 0..100 */
	double threshold;
	/** weight of each normalised feature */
	double w_addrs, w_prefixes, w_entropy, w_asns, w_countries, w_ttl,
		w_churn, w_growth, w_ns;
};

/** Fill \p p with the defaults above. */
void fg_score_params_default(struct fg_score_params* p);

#endif /* FLUXGUARD_SCORE_H */
