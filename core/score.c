/**
 * \file
 * The flux score (fluxguard/score.h): features computed from a copy of a
 * tracker record, normalised by fixed ramps, weighted and summed, and the
 * explanation of each verdict as text and JSON. doc/SCORING.md gives the
 * formula and why each ramp sits where it does; keep the two in step.
 *
 * The record keeps up to FG_TRACK_ADDRS addresses exactly and only counts the
 * rest, so every feature that needs the addresses themselves (special-purpose
 * filtering, prefix entropy, the ASN stand-in) is computed on the kept ones,
 * and the tracker's counts are used where they are larger.
 */
#include "fluxguard/json.h"
#include "fluxguard/score.h"
#include "fluxguard/geo.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Ramps: a feature below LO normalises to 0, above HI to 1, linearly between. */
/** distinct addresses: one address is no spread; 16 saturate */
#define RAMP_ADDRS_LO 1.0
#define RAMP_ADDRS_HI 16.0
/** distinct prefixes */
#define RAMP_PREFIXES_LO 1.0
#define RAMP_PREFIXES_HI 16.0
/** distinct networks: Holz et al. need about 7.7 ASNs with no other evidence */
#define RAMP_ASNS_LO 1.0
#define RAMP_ASNS_HI 8.0
/** distinct countries */
#define RAMP_COUNTRIES_LO 1.0
#define RAMP_COUNTRIES_HI 6.0
/** the gate on the temporal features: two networks (failover, dual-CDN) open
 * nothing, eight open it fully */
#define RAMP_GATE_LO 2.0
#define RAMP_GATE_HI 8.0
/** glue networks of the zone's name servers */
#define RAMP_GLUE_LO 1.0
#define RAMP_GLUE_HI 4.0
/** entropy is divided by log2 of at least this many addresses, so that two
 * addresses in two prefixes cannot look maximally spread */
#define ENTROPY_MIN_ADDRS 8.0
/** spread: the share of kept addresses in distinct /24s (IPv6 /48s). Flux
 * hosts are home and office machines, one per subnet (0.94 and up on real
 * address space); CDN and ISP-embedded caches stand in clusters (0.5 and
 * down). Below SPREAD_LO the network features and the gate count nothing,
 * above SPREAD_HI fully. */
#define SPREAD_LO 0.45
#define SPREAD_HI 0.9
/** fewer kept addresses than this say nothing about clustering: spread 1 */
#define SPREAD_MIN_ADDRS 4
/** scatter (a botnet inside one or two ISPs): addresses one per subnet,
 * over many /16s, still arriving (growth), in volume */
#define SCATTER_SPREAD_LO 0.6
#define SCATTER_SPREAD_HI 0.9
#define SCATTER_PREFIXES_LO 4.0
#define SCATTER_PREFIXES_HI 16.0
#define SCATTER_GROWTH_LO 0.3
#define SCATTER_GROWTH_HI 0.5
#define SCATTER_ADDRS_LO 30.0
#define SCATTER_ADDRS_HI 90.0
/** TTL at or below TTL_LOW counts fully, at or above TTL_HIGH not at all,
 * log-linear between */
#define TTL_LOW 300.0
#define TTL_HIGH 3600.0

static const char* const feature_names[] = {
#define FG_FEATURE_NAME(e, key, doc) key,
	FG_SCORE_FEATURES(FG_FEATURE_NAME)
#undef FG_FEATURE_NAME
};

static const char* const feature_docs[] = {
#define FG_FEATURE_DOC(e, key, doc) doc,
	FG_SCORE_FEATURES(FG_FEATURE_DOC)
#undef FG_FEATURE_DOC
};

void
fg_score_params_default(struct fg_score_params* p)
{
	static const struct fg_score_params defaults = {
		.threshold = FG_SCORE_DEFAULT_THRESHOLD,
		.w_addrs = FG_SCORE_DEFAULT_W_ADDRS,
		.w_prefixes = FG_SCORE_DEFAULT_W_PREFIXES,
		.w_entropy = FG_SCORE_DEFAULT_W_ENTROPY,
		.w_asns = FG_SCORE_DEFAULT_W_ASNS,
		.w_countries = FG_SCORE_DEFAULT_W_COUNTRIES,
		.w_ttl = FG_SCORE_DEFAULT_W_TTL,
		.w_churn = FG_SCORE_DEFAULT_W_CHURN,
		.w_growth = FG_SCORE_DEFAULT_W_GROWTH,
		.w_scatter = FG_SCORE_DEFAULT_W_SCATTER,
		.w_ns = FG_SCORE_DEFAULT_W_NS
	};
	*p = defaults;
}

const char*
fg_feature_name(enum fg_feature f)
{
	if((unsigned)f >= FG_FEAT_COUNT)
		return "?";
	return feature_names[f];
}

const char*
fg_feature_doc(enum fg_feature f)
{
	if((unsigned)f >= FG_FEAT_COUNT)
		return "?";
	return feature_docs[f];
}

/** Linear ramp of \p x from \p lo (0) to \p hi (1). */
static double
ramp(double x, double lo, double hi)
{
	if(x <= lo)
		return 0.0;
	if(x >= hi)
		return 1.0;
	return (x - lo) / (hi - lo);
}

/** Clamp a share to [0, 1] (records from shared memory are not trusted). */
static double
share(double num, double den)
{
	double v;
	if(den <= 0.0 || num <= 0.0)
		return 0.0;
	v = num / den;
	return v > 1.0 ? 1.0 : v;
}

/** Insert \p v into the set \p set of \p *n values (bounded by \p max). */
static void
set_add(uint64_t* set, size_t* n, size_t max, uint64_t v)
{
	size_t i;
	for(i = 0; i < *n; i++)
		if(set[i] == v)
			return;
	if(*n < max)
		set[(*n)++] = v;
}

/**
 * The block an address without a known ASN is counted in when blocks stand in
 * for networks: the IPv4 /12 or the IPv6 /32. A /16 undercounts what one
 * provider holds (a large ISP or cloud spans many adjacent /16s, so counting
 * /16s would see a CDN as a dozen networks); /12 is closer to a regional
 * registry allocation to one provider, and /32 is the usual IPv6 allocation
 * to one LIR.
 */
static uint64_t
stand_in_block(const struct fg_addr* a)
{
	if(a->family == FG_AF_INET)
		return (4ULL << 32) | ((uint64_t)a->addr[0] << 8) |
			(a->addr[1] & 0xf0);
	return fg_addr_prefix(a);
}

/** What the kept addresses of a record say, special-purpose ones left out. */
struct kept_stats {
	/** non-special kept addresses */
	size_t n;
	/** special kept addresses */
	size_t special;
	/** distinct prefixes of the non-special ones */
	size_t prefixes;
	/** distinct prefixes of the special ones */
	size_t special_prefixes;
	/** distinct provider blocks (stand_in_block) of non-special ones with
	 * no known ASN */
	size_t unknown_asn_blocks;
	/** distinct /24s (IPv6 /48s) of the non-special ones */
	size_t subnets;
	/** Shannon entropy of the prefix distribution, bits */
	double entropy;
};

/** The subnet an address is counted in for spread: the IPv4 /24 or the
 * IPv6 /48, as a number unique across both families. */
static uint64_t
subnet_of(const struct fg_addr* a)
{
	if(a->family == FG_AF_INET)
		return (4ULL << 48) | ((uint64_t)a->addr[0] << 16) |
			((uint64_t)a->addr[1] << 8) | a->addr[2];
	return (6ULL << 48) | ((uint64_t)a->addr[0] << 40) |
		((uint64_t)a->addr[1] << 32) | ((uint64_t)a->addr[2] << 24) |
		((uint64_t)a->addr[3] << 16) | ((uint64_t)a->addr[4] << 8) |
		a->addr[5];
}

/** Compute kept_stats over \p rec's kept addresses. */
static void
kept_stats_compute(const struct fg_record_view* rec, struct kept_stats* ks)
{
	uint64_t pfx[FG_TRACK_ADDRS], spfx[FG_TRACK_ADDRS], upfx[FG_TRACK_ADDRS];
	uint64_t subnet[FG_TRACK_ADDRS];
	size_t count[FG_TRACK_ADDRS];
	size_t i, j, n_addrs = rec->n_addrs;
	memset(ks, 0, sizeof(*ks));
	memset(count, 0, sizeof(count));
	if(n_addrs > FG_TRACK_ADDRS)
		n_addrs = FG_TRACK_ADDRS;
	for(i = 0; i < n_addrs; i++) {
		const struct fg_addr* a = &rec->addrs[i];
		uint64_t p = fg_addr_prefix(a);
		if(fg_addr_is_special(a)) {
			ks->special++;
			set_add(spfx, &ks->special_prefixes, FG_TRACK_ADDRS, p);
			continue;
		}
		ks->n++;
		for(j = 0; j < ks->prefixes; j++)
			if(pfx[j] == p)
				break;
		if(j == ks->prefixes)
			pfx[ks->prefixes++] = p;
		count[j]++;
		set_add(subnet, &ks->subnets, FG_TRACK_ADDRS, subnet_of(a));
		if(a->asn == 0)
			set_add(upfx, &ks->unknown_asn_blocks, FG_TRACK_ADDRS,
				stand_in_block(a));
	}
	for(j = 0; j < ks->prefixes; j++) {
		double q = (double)count[j] / (double)ks->n;
		ks->entropy -= q * log2(q);
	}
}

/**
 * Distinct known values of a feature whose first \p kept distinct values the
 * tracker keeps (\p known of them known, \p unknown 1 if one is the
 * "unknown" value) and counts the rest (\p distinct, the unknown included).
 */
static double
distinct_known(size_t kept, size_t known, int unknown, uint32_t distinct)
{
	/* beyond the kept ones the tracker only counts */
	if(distinct > kept && distinct - (uint32_t)unknown > known)
		return (double)(distinct - (uint32_t)unknown);
	return (double)known;
}

/** Distinct known ASNs of \p rec (ASN 0 is "unknown", never a network). */
static double
count_asns(const struct fg_record_view* rec)
{
	size_t i, n = rec->n_asns < FG_TRACK_ASNS ? rec->n_asns : FG_TRACK_ASNS;
	size_t known = 0;
	for(i = 0; i < n; i++)
		known += rec->asns[i] != 0;
	return distinct_known(n, known, known < n, rec->asn_distinct);
}

/** Distinct known countries of \p rec (two NULs: unknown). */
static double
count_countries(const struct fg_record_view* rec)
{
	size_t i, n = rec->n_countries < FG_TRACK_COUNTRIES ?
		rec->n_countries : FG_TRACK_COUNTRIES;
	size_t known = 0;
	for(i = 0; i < n; i++)
		known += rec->countries[i][0] || rec->countries[i][1];
	return distinct_known(n, known, known < n, rec->country_distinct);
}

/** The NS feature of a zone record: NS-set churn times glue diversity. */
static double
ns_feature(const struct fg_record_view* zone, double* raw)
{
	double churn, nets;
	*raw = 0.0;
	if(!zone || zone->ns_answers < 2)
		return 0.0;
	churn = share(zone->ns_changes, (double)zone->ns_answers - 1.0);
	/* a glue ASN count of 0 means no ASN database: prefixes stand in */
	nets = zone->glue_asn_distinct ? zone->glue_asn_distinct :
		zone->glue_prefix_distinct;
	*raw = churn;
	return churn * ramp(nets, RAMP_GLUE_LO, RAMP_GLUE_HI);
}

double
fg_score_record(const struct fg_score_params* p,
	const struct fg_record_view* rec, const struct fg_record_view* zone,
	struct fg_score_explain* ex)
{
	struct fg_score_explain local;
	struct kept_stats ks;
	double addrs, prefixes, asns, apa, gate, spread, sum = 0.0, ttl_norm;
	int f;

	if(!ex)
		ex = &local;
	memset(ex, 0, sizeof(*ex));
	kept_stats_compute(rec, &ks);

	/* Addresses and prefixes: the tracker's counts when it saw more than
	 * it kept, minus what the kept special-purpose ones account for. */
	addrs = (double)ks.n;
	if(rec->addr_distinct > rec->n_addrs &&
		(double)rec->addr_distinct - (double)ks.special > addrs)
		addrs = (double)rec->addr_distinct - (double)ks.special;
	prefixes = (double)ks.prefixes;
	if(rec->addr_distinct > rec->n_addrs && (double)rec->prefix_distinct -
		(double)ks.special_prefixes > prefixes)
		prefixes = (double)rec->prefix_distinct -
			(double)ks.special_prefixes;

	/* Networks: known ASNs, plus the provider blocks of the addresses
	 * with none. The blocks are only counted while the ASN list is
	 * complete: after it overflowed, the tracker reads kept addresses whose
	 * ASN missed the list back with ASN 0, and the count has them. */
	asns = count_asns(rec);
	if(ks.unknown_asn_blocks && (asns == 0.0 ||
		rec->asn_distinct <= rec->n_asns)) {
		asns += (double)ks.unknown_asn_blocks;
		ex->asn_stand_in = 1;
	}

	ex->raw[FG_FEAT_ADDRS] = addrs;
	ex->norm[FG_FEAT_ADDRS] = ramp(addrs, RAMP_ADDRS_LO, RAMP_ADDRS_HI);
	ex->raw[FG_FEAT_PREFIXES] = prefixes;
	ex->norm[FG_FEAT_PREFIXES] = ramp(prefixes, RAMP_PREFIXES_LO,
		RAMP_PREFIXES_HI);
	ex->raw[FG_FEAT_ENTROPY] = ks.entropy;
	ex->norm[FG_FEAT_ENTROPY] = share(ks.entropy, log2(ks.n >
		ENTROPY_MIN_ADDRS ? (double)ks.n : ENTROPY_MIN_ADDRS));
	ex->raw[FG_FEAT_ASNS] = asns;
	ex->norm[FG_FEAT_ASNS] = ramp(asns, RAMP_ASNS_LO, RAMP_ASNS_HI);
	ex->raw[FG_FEAT_COUNTRIES] = count_countries(rec);
	ex->norm[FG_FEAT_COUNTRIES] = ramp(ex->raw[FG_FEAT_COUNTRIES],
		RAMP_COUNTRIES_LO, RAMP_COUNTRIES_HI);

	/* Spread: network diversity only counts as far as the addresses are
	 * one per subnet; clustered caches of CDNs, inside ISPs too, are not
	 * flux however many networks they answer from. */
	spread = ks.n >= SPREAD_MIN_ADDRS ? (double)ks.subnets / (double)ks.n :
		1.0;
	ex->spread = ramp(spread, SPREAD_LO, SPREAD_HI);
	ex->norm[FG_FEAT_PREFIXES] *= ex->spread;
	ex->norm[FG_FEAT_ENTROPY] *= ex->spread;
	ex->norm[FG_FEAT_ASNS] *= ex->spread;
	ex->norm[FG_FEAT_COUNTRIES] *= ex->spread;

	ex->answers = rec->answers;
	if(rec->answers > 1) {
		ex->raw[FG_FEAT_CHURN] = share(rec->addr_changes,
			(double)rec->answers - 1.0);
		/* The first answer is all new; of the later ones' addresses,
		 * estimated at the largest answer's size, what share was new. */
		apa = rec->addrs_per_answer_max ? rec->addrs_per_answer_max : 1;
		ex->raw[FG_FEAT_GROWTH] = share((double)rec->addr_new_total - apa,
			((double)rec->answers - 1.0) * apa);
	}

	/* Scatter: a botnet inside one or two ISPs shows few ASNs, but its
	 * addresses keep arriving one per subnet over many /16s. */
	ex->raw[FG_FEAT_SCATTER] = spread;
	ex->norm[FG_FEAT_SCATTER] = ramp(spread, SCATTER_SPREAD_LO,
		SCATTER_SPREAD_HI) * ramp(prefixes, SCATTER_PREFIXES_LO,
		SCATTER_PREFIXES_HI) * ramp(ex->raw[FG_FEAT_GROWTH],
		SCATTER_GROWTH_LO, SCATTER_GROWTH_HI) * ramp(addrs,
		SCATTER_ADDRS_LO, SCATTER_ADDRS_HI);

	/* Temporal features, only as strong as the network diversity (many
	 * ASNs, or scatter inside few), and never for clustered answers. */
	gate = ramp(asns, RAMP_GATE_LO, RAMP_GATE_HI);
	if(ex->norm[FG_FEAT_SCATTER] > gate)
		gate = ex->norm[FG_FEAT_SCATTER];
	gate *= ex->spread;
	ex->gate = gate;
	if(rec->answers > 0) {
		double ttl = rec->ttl_min;
		ex->raw[FG_FEAT_TTL] = ttl;
		if(ttl <= TTL_LOW)
			ttl_norm = 1.0;
		else if(ttl >= TTL_HIGH)
			ttl_norm = 0.0;
		else
			ttl_norm = (log(TTL_HIGH) - log(ttl)) /
				(log(TTL_HIGH) - log(TTL_LOW));
		ex->norm[FG_FEAT_TTL] = gate * ttl_norm;
	}
	ex->norm[FG_FEAT_CHURN] = gate * ex->raw[FG_FEAT_CHURN];
	ex->norm[FG_FEAT_GROWTH] = gate * ex->raw[FG_FEAT_GROWTH];

	ex->have_zone = zone != NULL && zone->ns_answers > 0;
	ex->norm[FG_FEAT_NS] = ns_feature(zone, &ex->raw[FG_FEAT_NS]);

	ex->weight[FG_FEAT_ADDRS] = p->w_addrs;
	ex->weight[FG_FEAT_PREFIXES] = p->w_prefixes;
	ex->weight[FG_FEAT_ENTROPY] = p->w_entropy;
	ex->weight[FG_FEAT_ASNS] = p->w_asns;
	ex->weight[FG_FEAT_COUNTRIES] = p->w_countries;
	ex->weight[FG_FEAT_TTL] = p->w_ttl;
	ex->weight[FG_FEAT_CHURN] = p->w_churn;
	ex->weight[FG_FEAT_GROWTH] = p->w_growth;
	ex->weight[FG_FEAT_SCATTER] = p->w_scatter;
	ex->weight[FG_FEAT_NS] = p->w_ns;
	for(f = 0; f < FG_FEAT_COUNT; f++) {
		ex->contrib[f] = ex->norm[f] * ex->weight[f];
		sum += ex->contrib[f];
	}
	if(sum < 0.0)
		sum = 0.0;
	if(sum > 100.0)
		sum = 100.0;
	ex->score = sum;
	ex->threshold = p->threshold;
	ex->flagged = sum >= p->threshold;
	return sum;
}

/** A double for JSON: finite, at most 4 decimals, no trailing noise. */
static double
json_num(double v)
{
	if(!isfinite(v))
		return 0.0;
	return round(v * 10000.0) / 10000.0;
}

/** Write \p ex as text columns or as one JSON object. \return 0 if it did
 * not fit (an overflow leaves used at buflen: checked once at the end). */
static int
explain_write(const struct fg_score_explain* ex, char* buf, size_t buflen,
	int json)
{
	size_t used = 0;
	int f;
	if(json)
		(void)fg_buf_printf(buf, buflen, &used,
			"{\"score\":%.4g,\"threshold\":%.4g,\"flagged\":%s,"
			"\"answers\":%u,\"gate\":%.4g,\"spread\":%.4g,"
			"\"asn_stand_in\":%s,\"features\":{", json_num(ex->score),
			json_num(ex->threshold), ex->flagged ? "true" : "false",
			(unsigned)ex->answers, json_num(ex->gate),
			json_num(ex->spread),
			ex->asn_stand_in ? "true" : "false");
	else
		(void)fg_buf_printf(buf, buflen, &used, "score %.1f, threshold "
			"%.1f: %s (answers %u, network gate %.2f, spread %.2f%s%s)\n"
			"%-10s %10s %6s %6s %7s\n", ex->score, ex->threshold,
			ex->flagged ? "over" : "under", (unsigned)ex->answers,
			ex->gate, ex->spread, ex->asn_stand_in ?
			", blocks stand in for ASNs" : "", ex->have_zone ?
			", zone NS evidence" : "", "feature", "raw", "norm",
			"weight", "contrib");
	for(f = 0; f < FG_FEAT_COUNT; f++) {
		if(json)
			(void)fg_buf_printf(buf, buflen, &used, "%s\"%s\":{"
				"\"raw\":%.10g,\"norm\":%.4g,\"weight\":%.4g,"
				"\"contribution\":%.4g}", f ? "," : "",
				feature_names[f], json_num(ex->raw[f]),
				json_num(ex->norm[f]), json_num(ex->weight[f]),
				json_num(ex->contrib[f]));
		else
			(void)fg_buf_printf(buf, buflen, &used,
				"%-10s %10.3f %6.3f %6.1f %7.2f\n",
				feature_names[f], ex->raw[f], ex->norm[f],
				ex->weight[f], ex->contrib[f]);
	}
	if(json)
		(void)fg_buf_printf(buf, buflen, &used, "}}");
	return used < buflen;
}

int
fg_score_explain_text(const struct fg_score_explain* ex, char* buf,
	size_t buflen)
{
	return explain_write(ex, buf, buflen, 0);
}

int
fg_score_explain_json(const struct fg_score_explain* ex, char* buf,
	size_t buflen)
{
	return explain_write(ex, buf, buflen, 1);
}

/** A weight as far as it can raise a score. */
static double
raising(double w)
{
	return w > 0.0 ? w : 0.0;
}

/* fg_score_bound takes each feature at its most: a new feature needs its
 * bound there too. */
_Static_assert(FG_FEAT_COUNT == 10, "fg_score_bound covers every feature");

double
fg_score_bound(const struct fg_score_params* p,
	const struct fg_record_brief* b)
{
	double n = b->n_addrs, asns, gate, entropy = 0.0, sum;
	if(b->overflowed)
		return HUGE_VAL;
	/* the known ASNs, plus at most one stand-in block per kept address */
	asns = (double)b->n_asns + n;
	/* entropy of at most n prefixes, over log2 of at least 8 addresses */
	if(n > 1.0)
		entropy = log2(n) / log2(n > ENTROPY_MIN_ADDRS ? n :
			ENTROPY_MIN_ADDRS);
	/* spread and the other scatter ramps are at most 1 */
	gate = ramp(asns, RAMP_GATE_LO, RAMP_GATE_HI);
	if(ramp(n, SCATTER_ADDRS_LO, SCATTER_ADDRS_HI) > gate)
		gate = ramp(n, SCATTER_ADDRS_LO, SCATTER_ADDRS_HI);
	sum = raising(p->w_addrs) * ramp(n, RAMP_ADDRS_LO, RAMP_ADDRS_HI) +
		raising(p->w_prefixes) * ramp(n, RAMP_PREFIXES_LO,
		RAMP_PREFIXES_HI) +
		raising(p->w_entropy) * entropy +
		raising(p->w_asns) * ramp(asns, RAMP_ASNS_LO, RAMP_ASNS_HI) +
		raising(p->w_countries) * ramp(b->n_countries,
		RAMP_COUNTRIES_LO, RAMP_COUNTRIES_HI) +
		(raising(p->w_ttl) + raising(p->w_churn) +
		raising(p->w_growth)) * gate +
		raising(p->w_scatter) * ramp(n, SCATTER_ADDRS_LO,
		SCATTER_ADDRS_HI) +
		raising(p->w_ns);
	/* the score sums the same terms in another order: a bound that is
	 * exactly tight must not lose to rounding */
	return sum + 1e-9 * (1.0 + sum);
}

double
fg_score_holz(const struct fg_record_view* rec)
{
	return 1.32 * (double)rec->addr_distinct + 18.54 * count_asns(rec) -
		142.38;
}
