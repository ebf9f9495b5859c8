/**
 * \file
 * Flux scoring: features of a tracked domain, and the score and verdict they
 * give. The formula and its rationale are in doc/SCORING.md.
 *
 * The score is a sum of weighted contributions, each a feature normalised to
 * [0, 1] times its weight, clamped to [0, 100]. The temporal features (TTL,
 * churn, growth) are multiplied by a network-diversity gate first: a fast
 * changing address set inside one or two networks is a CDN or a failover, not
 * flux. A domain is flagged when its score reaches the threshold. The weights
 * and threshold are config options (fluxguard.conf(5)); their defaults are the
 * FG_SCORE_DEFAULT_* macros below, which the options table stringifies, so they
 * must stay plain numeric literals and tuning happens here and nowhere else.
 *
 * Special-purpose addresses (fg_addr_is_special in fluxguard/addr.h) never count
 * as diversity: they are left out of every address, prefix, ASN and country
 * count. Without an ASN database (every ASN 0) the number of distinct provider
 * blocks (IPv4 /12, IPv6 /32) stands in for the number of networks.
 *
 * Scoring is a pure function of a record copy: no locks, no allocation, safe on
 * any thread.
 */
#ifndef FLUXGUARD_SCORE_H
#define FLUXGUARD_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/tracker.h"

/** Default threshold and weights (see doc/SCORING.md for the reasoning). */
#define FG_SCORE_DEFAULT_THRESHOLD 55.0
#define FG_SCORE_DEFAULT_W_ADDRS 5.0
#define FG_SCORE_DEFAULT_W_PREFIXES 10.0
#define FG_SCORE_DEFAULT_W_ENTROPY 10.0
#define FG_SCORE_DEFAULT_W_ASNS 35.0
#define FG_SCORE_DEFAULT_W_COUNTRIES 10.0
#define FG_SCORE_DEFAULT_W_TTL 10.0
#define FG_SCORE_DEFAULT_W_CHURN 10.0
#define FG_SCORE_DEFAULT_W_GROWTH 10.0
#define FG_SCORE_DEFAULT_W_SCATTER 35.0
#define FG_SCORE_DEFAULT_W_NS 20.0

/** Threshold and weights, as configured. */
struct fg_score_params {
	/** score at or above which a domain is flagged, 0..100 */
	double threshold;
	/** weight of each normalised feature */
	double w_addrs, w_prefixes, w_entropy, w_asns, w_countries, w_ttl,
		w_churn, w_growth, w_scatter, w_ns;
};

/**
 * The features, once: X(ENUM, key, description). Generates enum fg_feature,
 * the keys used in text and JSON output, and the descriptions, so code, tools
 * and docs cannot drift.
 */
#define FG_SCORE_FEATURES(X) \
	X(ADDRS, "addresses", "distinct non-special addresses") \
	X(PREFIXES, "prefixes", "distinct IPv4 /16 and IPv6 /32 prefixes") \
	X(ENTROPY, "entropy", "Shannon entropy of the prefixes, bits") \
	X(ASNS, "asns", "distinct networks (ASNs; /12 or /32 blocks without one)") \
	X(COUNTRIES, "countries", "distinct countries") \
	X(TTL, "ttl", "minimum TTL of the address answers, seconds") \
	X(CHURN, "churn", "share of answers whose address set changed") \
	X(GROWTH, "growth", "share of later answers' addresses never seen before") \
	X(SCATTER, "scatter", "share of the kept addresses in distinct /24s (IPv6 /48s); normalised: one per subnet, over many /16s, still arriving, in volume") \
	X(NS, "ns", "NS-set churn of the zone, times its glue diversity")

/** Index of a feature in struct fg_score_explain. */
enum fg_feature {
#define FG_FEATURE_ENUM(e, key, doc) FG_FEAT_##e,
	FG_SCORE_FEATURES(FG_FEATURE_ENUM)
#undef FG_FEATURE_ENUM
	/** number of features */
	FG_FEAT_COUNT
};

/** Why a record got its score: every feature's raw value, normalised value,
 * weight and contribution. */
struct fg_score_explain {
	/** the feature as measured (count, bits, seconds or share) */
	double raw[FG_FEAT_COUNT];
	/** normalised to [0, 1], the gate already applied */
	double norm[FG_FEAT_COUNT];
	/** its weight */
	double weight[FG_FEAT_COUNT];
	/** norm times weight */
	double contrib[FG_FEAT_COUNT];
	/** the network-diversity gate applied to TTL, churn and growth, [0, 1] */
	double gate;
	/** how far the addresses are one per /24 (IPv6 /48), [0, 1]: applied
	 * to prefixes, entropy, ASNs, countries and the gate */
	double spread;
	/** sum of the contributions, clamped to [0, 100] */
	double score;
	/** the threshold it was compared with */
	double threshold;
	/** whether score >= threshold (before the min-answers gate and policy) */
	int flagged;
	/** address answers the record holds */
	uint32_t answers;
	/** 1 if address blocks (IPv4 /12, IPv6 /32) stood in for some or all
	 * ASNs (no ASN known for them) */
	int asn_stand_in;
	/** 1 if NS evidence of the zone was available */
	int have_zone;
};

/** Fill \p p with the defaults above. */
void fg_score_params_default(struct fg_score_params* p);

/**
 * Score a domain.
 * \param p threshold and weights.
 * \param rec the domain's record (fg_tracker_lookup).
 * \param zone the record of the closest enclosing zone that has NS evidence
 *	(may be \p rec itself), or NULL if none.
 * \param ex if not NULL, receives the explanation.
 * \return the score, 0..100.
 */
double fg_score_record(const struct fg_score_params* p,
	const struct fg_record_view* rec, const struct fg_record_view* zone,
	struct fg_score_explain* ex);

/** The key of a feature ("asns"), or "?" if out of range. */
const char* fg_feature_name(enum fg_feature f);

/** The one-line description of a feature, or "?" if out of range. */
const char* fg_feature_doc(enum fg_feature f);

/**
 * Render an explanation as an aligned table, one line per feature
 * (`feature raw norm weight contribution`) after a summary line.
 * \return 1 on success, 0 if \p buflen was too small (output truncated).
 */
int fg_score_explain_text(const struct fg_score_explain* ex, char* buf,
	size_t buflen);

/**
 * Render an explanation as one JSON object, no newline:
 * {"score":..,"threshold":..,"flagged":..,"answers":..,"gate":..,
 *  "asn_stand_in":..,"features":{"addresses":{"raw":..,"norm":..,
 *  "weight":..,"contribution":..},...}}
 * \return 1 on success, 0 if \p buflen was too small (output truncated).
 */
int fg_score_explain_json(const struct fg_score_explain* ex, char* buf,
	size_t buflen);

/**
 * The reference classifier of Holz et al., "Measuring and Detecting Fast-Flux
 * Service Networks" (NDSS 2008): f = 1.32 nA + 18.54 nASN - 142.38, flux if
 * f > 0, where nA is the number of distinct A records and nASN the number of
 * distinct ASNs seen. Here nA counts every distinct address (AAAA included)
 * and nASN the known ASNs, so without an ASN database it can only flag
 * domains with 108 or more addresses. Kept for comparison only.
 * \return f.
 */
double fg_score_holz(const struct fg_record_view* rec);

/**
 * An upper bound of the score \p p gives a record, whatever its zone's NS
 * evidence, from its brief alone: every feature at the most the brief's
 * counts allow (a known ASN and a stand-in block for each kept address, every
 * temporal feature and the NS feature at full strength as far as the network
 * gate lets them), weighted by the positive weights. A record whose bound is
 * under the threshold cannot be flagged by its score, so the detector need
 * not read the rest of it. HUGE_VAL when the brief bounds nothing (counts
 * overflowed into the sketches).
 */
double fg_score_bound(const struct fg_score_params* p,
	const struct fg_record_brief* b);

#endif /* FLUXGUARD_SCORE_H */
