/**
 * \file
 * Unit tests for the detector (core/detect.c, fluxguard/detect.h): whole
 * upstream responses, built by hand with fluxguard/upstream.h, judged into a
 * private tracker with no geo databases (blocks stand in for networks) and,
 * where a test adds entries, allow and deny lists (unit.h's detector
 * fixture). They cover the min-answers
 * gate, a CDN-like name, the lists by name and by address, glue that is not
 * an answer, NS evidence raising a double-flux name's score, an operator's
 * verdict over the score, a flag held while a new window gathers too
 * little evidence, the score's upper bound (fg_score_bound) on random
 * records, the shortcut it allows keeping every verdict, and the plain-answer
 * fingerprint the module's moddone relies on.
 */
#include "fluxguard/detect.h"
#include "fluxguard/policy.h"
#include "fluxguard/score.h"
#include "fluxguard/upstream.h"
#include "unit.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/** Add an NS RRset of \p zone in \p section naming the \p n servers of
 * \p ns, and in the additional section an A RRset of glue for each, the
 * address of server i being \p glue[i]. */
static void
add_ns(struct fg_upstream* up, enum fg_section section, const char* zone,
	uint32_t ttl, const char* const* ns, const char* const* glue, size_t n)
{
	size_t i;
	ck_assert_ptr_nonnull(fg_upstream_add_rrset(up, fg_unit_name(zone),
		FG_TYPE_NS, section, ttl));
	for(i = 0; i < n; i++)
		ck_assert(fg_upstream_add_name(up, fg_unit_name(ns[i])));
	for(i = 0; i < n; i++)
		fg_unit_upstream_addrs(up, FG_SECTION_ADDITIONAL, ns[i], ttl,
			&glue[i], 1);
}

/**
 * Judge a response that holds only the answer \p owner A/AAAA \p ips, at
 * \p now, and return its one decision.
 */
static struct fg_decision
judge_answer(const char* owner, uint64_t now, const char* const* ips,
	size_t n, uint32_t ttl)
{
	struct fg_upstream up;
	struct fg_decision dec[2];
	fg_upstream_init(&up, now);
	fg_unit_upstream_addrs(&up, FG_SECTION_ANSWER, owner, ttl, ips, n);
	ck_assert_uint_eq(fg_detect_upstream(&fg_unit_det, &up, dec, 2), 1);
	return dec[0];
}

/** Check what a decision says: verdict, why, and the answers it counts. */
static void
expect_decision(const struct fg_decision* dec, enum fg_verdict verdict,
	enum fg_decision_source source, uint32_t answers)
{
	ck_assert_msg(dec->verdict == verdict && dec->source == source &&
		dec->answers == answers, "decision: verdict %d source %d "
		"answers %u score %.1f, expected verdict %d source %d answers %u",
		(int)dec->verdict, (int)dec->source, (unsigned)dec->answers,
		dec->score, (int)verdict, (int)source, (unsigned)answers);
}

/**
 * Fill \p buf with answer \p round of a single-flux botnet: \p n bots a
 * round, each new one in its own /8 (its own network when blocks stand in
 * for ASNs), none special-purpose.
 */
static void
flux_ips(char buf[][20], const char* ips[], int round, int n)
{
	int j;
	for(j = 0; j < n; j++) {
		int bot = round * n + j;
		ck_assert_int_lt(bot, 69);
		snprintf(buf[j], sizeof(buf[j]), "%d.1.7.%d", 31 + bot,
			1 + bot);
		ips[j] = buf[j];
	}
}

/** Judge answer \p round of the single-flux \p owner (8 bots) at \p now. */
static struct fg_decision
flux_answer(const char* owner, int round, uint64_t now)
{
	char buf[8][20];
	const char* ips[8];
	flux_ips(buf, ips, round, 8);
	return judge_answer(owner, now, ips, 8, 60);
}

/** Copy \p name's record at \p now into \p v; fails the test if it has
 * none. */
static void
record_of(const char* name, uint64_t now, struct fg_record_view* v)
{
	ck_assert_msg(fg_tracker_lookup(fg_unit_tracker, fg_unit_name(name), now,
		v), "%s is not tracked", name);
}

/** Whether \p name has a record at \p now. */
static int
tracked(const char* name, uint64_t now)
{
	struct fg_record_view v;
	return fg_tracker_lookup(fg_unit_tracker, fg_unit_name(name), now, &v);
}

/** Judge \p owner's answer \p ips at 1000 and expect the lists to decide
 * it, as \p verdict for \p source, without recording anything. */
static void
expect_listed(const char* owner, const char* const* ips, size_t n,
	enum fg_verdict verdict, enum fg_decision_source source)
{
	struct fg_decision dec = judge_answer(owner, 1000, ips, n, 60);
	expect_decision(&dec, verdict, source, 0);
	ck_assert_msg(!tracked(owner, 1000), "%s was recorded", owner);
}

/** The verdict the tracker holds for \p name at \p now (peek). */
static enum fg_verdict
held_verdict(const char* name, uint64_t now)
{
	enum fg_verdict v;
	float score;
	ck_assert_msg(fg_tracker_peek(fg_unit_tracker, fg_unit_name(name), now,
		&v, &score), "%s is not tracked", name);
	return v;
}

START_TEST(test_single_flux_second_answer)
{
	struct fg_decision dec = flux_answer("www.Flux.test", 0, 1000);
	/* one answer is never enough, whatever it scores */
	expect_decision(&dec, FG_VERDICT_CLEAN, FG_SRC_SCORE, 1);
	ck_assert_msg(dec.explain.flagged, "score %.1f: the first answer "
		"should score over the threshold, to show the gate",
		dec.score);
	ck_assert(!dec.newly_flagged);
	ck_assert_uint_eq(dec.flagged_at, 0);
	ck_assert_int_eq(held_verdict("www.flux.test", 1000), FG_VERDICT_CLEAN);

	dec = flux_answer("www.flux.test", 1, 1010);
	expect_decision(&dec, FG_VERDICT_FLAGGED, FG_SRC_SCORE, 2);
	ck_assert(dec.newly_flagged);
	ck_assert_uint_eq(dec.flagged_at, 1010);
	ck_assert(dec.score >= fg_unit_det.params.threshold);
	ck_assert(dec.explain.asn_stand_in);
	ck_assert_int_eq(held_verdict("WWW.FLUX.TEST", 1010),
		FG_VERDICT_FLAGGED);

	/* flagged once: later answers say so, without flagging again */
	dec = flux_answer("www.flux.test", 2, 1020);
	expect_decision(&dec, FG_VERDICT_FLAGGED, FG_SRC_SCORE, 3);
	ck_assert(!dec.newly_flagged);
	ck_assert_uint_eq(dec.flagged_at, 1010);
}
END_TEST

START_TEST(test_cdn_never_flagged)
{
	/* 8 of a pool of 24 addresses in one /16 per answer, a short TTL,
	 * every answer a different set */
	char buf[24][20];
	const char* ips[8];
	struct fg_decision dec;
	int i, j;
	for(i = 0; i < 24; i++)
		snprintf(buf[i], sizeof(buf[i]), "104.16.%d.%d", i * 11 % 256,
			1 + i);
	for(i = 0; i < 30; i++) {
		for(j = 0; j < 8; j++)
			ips[j] = buf[(i * 5 + j) % 24];
		dec = judge_answer("img.cdn.test", 1000 + (uint64_t)i, ips, 8,
			20);
		expect_decision(&dec, FG_VERDICT_CLEAN, FG_SRC_SCORE,
			(uint32_t)i + 1);
		ck_assert_msg(dec.score < fg_unit_det.params.threshold,
			"answer %d: score %.1f", i, dec.score);
	}
	/* one network, however much it churns */
	ck_assert(dec.explain.raw[FG_FEAT_ASNS] == 1.0);
	ck_assert(dec.explain.raw[FG_FEAT_CHURN] > 0.9);
	ck_assert_int_eq(held_verdict("img.cdn.test", 1029), FG_VERDICT_CLEAN);
}
END_TEST

START_TEST(test_lists_by_name)
{
	char buf[8][20];
	const char* ips[8];
	fg_unit_list_add(fg_unit_policy, FG_LIST_ALLOW, "cdn.test");
	fg_unit_list_add(fg_unit_policy, FG_LIST_DENY, "bad.test");
	flux_ips(buf, ips, 0, 8);
	/* allowed however it looks; denied however little it shows */
	expect_listed("www.CDN.test", ips, 8, FG_VERDICT_ALLOWED,
		FG_SRC_POLICY_NAME);
	expect_listed("x.bad.test", ips, 1, FG_VERDICT_DENIED,
		FG_SRC_POLICY_NAME);
	/* the allow list's zone keeps no NS evidence either */
	{
		static const char* const ns[] = { "ns1.cdn.test" };
		static const char* const glue[] = { "45.1.0.53" };
		struct fg_upstream up;
		struct fg_decision out[1];
		fg_upstream_init(&up, 1000);
		add_ns(&up, FG_SECTION_AUTHORITY, "cdn.test", 600, ns, glue, 1);
		ck_assert_uint_eq(fg_detect_upstream(&fg_unit_det, &up, out, 1),
			0);
		ck_assert(!tracked("cdn.test", 1000));
	}
}
END_TEST

START_TEST(test_lists_by_address)
{
	static const char* const denied[] = { "45.1.1.1", "203.0.113.9" };
	static const char* const allowed[] = { "104.16.1.1", "104.17.2.2" };
	struct fg_decision dec;
	fg_unit_list_add(fg_unit_policy, FG_LIST_ALLOW, "104.16.0.0/12");
	fg_unit_list_add(fg_unit_policy, FG_LIST_DENY, "203.0.113.0/24");
	/* one address in a denied prefix denies the answer */
	expect_listed("www.example.test", denied, 2, FG_VERDICT_DENIED,
		FG_SRC_POLICY_ADDRS);
	/* every address in an allowed one allows it */
	expect_listed("www.example.test", allowed, 2, FG_VERDICT_ALLOWED,
		FG_SRC_POLICY_ADDRS);
	/* neither: judged by the score */
	dec = judge_answer("www.example.test", 1000, denied, 1, 60);
	expect_decision(&dec, FG_VERDICT_CLEAN, FG_SRC_SCORE, 1);
}
END_TEST

START_TEST(test_glue_is_not_an_answer)
{
	static const char* const answer[] = { "45.10.0.1" };
	static const char* const own_glue[] = { "45.20.0.1", "45.30.0.1" };
	static const char* const other[] = { "45.40.0.1" };
	static const char* const ns[] = { "ns1.glue.test", "ns2.glue.test" };
	static const char* const glue[] = { "45.50.0.53", "45.60.0.53" };
	struct fg_upstream up;
	struct fg_decision dec[4];
	struct fg_record_view v;
	fg_upstream_init(&up, 1000);
	fg_unit_upstream_addrs(&up, FG_SECTION_ANSWER, "www.glue.test", 300,
		answer, 1);
	add_ns(&up, FG_SECTION_AUTHORITY, "glue.test", 600, ns, glue, 2);
	/* the answer's own name again, outside the answer section */
	fg_unit_upstream_addrs(&up, FG_SECTION_ADDITIONAL, "www.glue.test", 300,
		own_glue, 2);
	/* and a name no NS record names */
	fg_unit_upstream_addrs(&up, FG_SECTION_AUTHORITY, "other.glue.test",
		300, other, 1);
	ck_assert_uint_eq(fg_detect_upstream(&fg_unit_det, &up, dec, 4), 1);
	ck_assert_mem_eq(dec[0].owner, fg_unit_name("www.glue.test"), 15);
	expect_decision(&dec[0], FG_VERDICT_CLEAN, FG_SRC_SCORE, 1);
	/* the answer holds its own address only */
	record_of("www.glue.test", 1000, &v);
	ck_assert_uint_eq(v.answers, 1);
	ck_assert_uint_eq(v.n_addrs, 1);
	ck_assert_uint_eq(v.addrs[0].addr[1], 10);
	/* the servers' addresses are glue of the zone, not their answers */
	ck_assert(!tracked("ns1.glue.test", 1000));
	ck_assert(!tracked("ns2.glue.test", 1000));
	ck_assert(!tracked("other.glue.test", 1000));
	record_of("glue.test", 1000, &v);
	ck_assert_uint_eq(v.ns_answers, 1);
	ck_assert_uint_eq(v.ns_distinct, 2);
	ck_assert_uint_eq(v.n_glue, 2);
	ck_assert_uint_eq(v.answers, 0);
}
END_TEST

/**
 * Judge round \p round of a modest rotation of \p owner: 2 of 5 bots in 5
 * networks an answer, not enough to flag it alone; with \p zone, the
 * response also carries the zone's NS set, a new one each round, with glue
 * in networks of its own.
 */
static struct fg_decision
double_flux_round(const char* owner, const char* zone, int round,
	uint64_t now)
{
	static const char* const bots[] = { "31.16.1.1", "47.16.1.1",
		"63.16.1.1", "79.16.1.1", "95.16.1.1", "31.16.1.1" };
	struct fg_upstream up;
	struct fg_decision dec[1];
	fg_upstream_init(&up, now);
	fg_unit_upstream_addrs(&up, FG_SECTION_ANSWER, owner, 120,
		&bots[round % 5], 2);
	if(zone) {
		char ns[2][64], glue[2][20];
		const char* nsp[2] = { ns[0], ns[1] };
		const char* gp[2] = { glue[0], glue[1] };
		int k;
		for(k = 0; k < 2; k++) {
			int server = 2 * round + k;
			snprintf(ns[k], sizeof(ns[k]), "ns%d.%s", server, zone);
			snprintf(glue[k], sizeof(glue[k]), "%d.%d.0.53",
				81 + server, 16 * server % 256);
		}
		add_ns(&up, FG_SECTION_AUTHORITY, zone, 120, nsp, gp, 2);
	}
	ck_assert_uint_eq(fg_detect_upstream(&fg_unit_det, &up, dec, 1), 1);
	return dec[0];
}

START_TEST(test_ns_evidence_raises_score)
{
	struct fg_decision plain, dflux;
	struct fg_record_view zone;
	int round;
	for(round = 0; round < 6; round++) {
		plain = double_flux_round("www.plain.test", NULL, round,
			1000 + (uint64_t)round);
		dflux = double_flux_round("www.dflux.test", "dflux.test", round,
			1000 + (uint64_t)round);
	}
	/* the NS sets were recorded for the zone, with their glue */
	record_of("dflux.test", 1005, &zone);
	ck_assert_uint_eq(zone.ns_answers, 6);
	ck_assert_uint_eq(zone.ns_changes, 5);
	ck_assert_uint_ge(zone.glue_prefix_distinct, 4);
	/* the same answers score the same but for the zone's evidence */
	ck_assert(!plain.explain.have_zone);
	ck_assert(plain.explain.contrib[FG_FEAT_NS] == 0.0);
	expect_decision(&plain, FG_VERDICT_CLEAN, FG_SRC_SCORE, 6);
	ck_assert(dflux.explain.have_zone);
	ck_assert(dflux.explain.contrib[FG_FEAT_NS] == fg_unit_det.params.w_ns);
	ck_assert_msg(dflux.score == plain.score + fg_unit_det.params.w_ns,
		"score %.1f with NS evidence, %.1f without", dflux.score,
		plain.score);
	expect_decision(&dflux, FG_VERDICT_FLAGGED, FG_SRC_SCORE, 6);
}
END_TEST

START_TEST(test_operator_verdict_stands)
{
	struct fg_decision dec;
	/* allowed by an operator: a flux answer does not flag it, and its
	 * evidence is still kept */
	ck_assert(fg_tracker_set_operator_verdict(fg_unit_tracker,
		fg_unit_name("ok.flux.test"), 990, FG_VERDICT_ALLOWED));
	dec = flux_answer("ok.flux.test", 0, 1000);
	expect_decision(&dec, FG_VERDICT_ALLOWED, FG_SRC_OPERATOR, 1);
	dec = flux_answer("ok.flux.test", 1, 1010);
	expect_decision(&dec, FG_VERDICT_ALLOWED, FG_SRC_OPERATOR, 2);
	ck_assert(!dec.newly_flagged);
	ck_assert_int_eq(held_verdict("ok.flux.test", 1010),
		FG_VERDICT_ALLOWED);
	/* denied by an operator: whatever little the answers show */
	ck_assert(fg_tracker_set_operator_verdict(fg_unit_tracker,
		fg_unit_name("no.flux.test"), 990, FG_VERDICT_DENIED));
	{
		static const char* const one[] = { "45.1.1.1" };
		dec = judge_answer("no.flux.test", 1000, one, 1, 86400);
	}
	expect_decision(&dec, FG_VERDICT_DENIED, FG_SRC_OPERATOR, 1);
	/* unflagged by an operator: the score no longer flags it */
	(void)flux_answer("un.flux.test", 0, 1000);
	dec = flux_answer("un.flux.test", 1, 1010);
	expect_decision(&dec, FG_VERDICT_FLAGGED, FG_SRC_SCORE, 2);
	ck_assert(fg_tracker_set_operator_verdict(fg_unit_tracker,
		fg_unit_name("un.flux.test"), 1015, FG_VERDICT_CLEAN));
	/* the unflag starts the record's window afresh: the evidence it
	 * overrules ages out, and the score cannot flag it all that window */
	dec = flux_answer("un.flux.test", 2, 1020);
	expect_decision(&dec, FG_VERDICT_CLEAN, FG_SRC_OPERATOR, 1);
	ck_assert(dec.explain.flagged);
	ck_assert_int_eq(held_verdict("un.flux.test", 1020), FG_VERDICT_CLEAN);
	dec = flux_answer("un.flux.test", 3, 1015 + FG_UNIT_WINDOW - 1);
	expect_decision(&dec, FG_VERDICT_CLEAN, FG_SRC_OPERATOR, 2);
	ck_assert(dec.explain.flagged);
	/* for that window only: the next one judges new evidence by the
	 * score again (allow is what keeps a name unblocked for good) */
	dec = flux_answer("un.flux.test", 4, 1015 + FG_UNIT_WINDOW);
	expect_decision(&dec, FG_VERDICT_CLEAN, FG_SRC_SCORE, 1);
	dec = flux_answer("un.flux.test", 5, 1025 + FG_UNIT_WINDOW);
	expect_decision(&dec, FG_VERDICT_FLAGGED, FG_SRC_SCORE, 2);
	ck_assert(dec.newly_flagged);
	ck_assert_int_eq(held_verdict("un.flux.test", 1025 + FG_UNIT_WINDOW),
		FG_VERDICT_FLAGGED);
}
END_TEST

START_TEST(test_flag_holds_into_new_window)
{
	static const char* const calm[] = { "45.1.1.1" };
	struct fg_decision dec;
	uint64_t later = 1010 + FG_UNIT_WINDOW;
	uint64_t quiet = 1010 + 3 * FG_UNIT_WINDOW;
	(void)flux_answer("www.flux.test", 0, 1000);
	dec = flux_answer("www.flux.test", 1, 1010);
	expect_decision(&dec, FG_VERDICT_FLAGGED, FG_SRC_SCORE, 2);
	/* a window later one calm answer scores under the threshold, but is
	 * too little evidence to clear it */
	dec = judge_answer("www.flux.test", later, calm, 1, 3600);
	expect_decision(&dec, FG_VERDICT_FLAGGED, FG_SRC_SCORE, 1);
	ck_assert_msg(dec.score < fg_unit_det.params.threshold, "score %.1f",
		dec.score);
	ck_assert(!dec.newly_flagged);
	ck_assert_uint_eq(dec.flagged_at, 1010);
	ck_assert_int_eq(held_verdict("www.flux.test", later),
		FG_VERDICT_FLAGGED);
	/* windows later, calm all along: held on one answer, cleared on
	 * min_answers of them */
	dec = judge_answer("www.flux.test", quiet, calm, 1, 3600);
	expect_decision(&dec, FG_VERDICT_FLAGGED, FG_SRC_SCORE, 1);
	dec = judge_answer("www.flux.test", quiet + 10, calm, 1, 3600);
	expect_decision(&dec, FG_VERDICT_CLEAN, FG_SRC_SCORE, 2);
	ck_assert_uint_eq(dec.flagged_at, 0);
	ck_assert_int_eq(held_verdict("www.flux.test", quiet + 10),
		FG_VERDICT_CLEAN);
}
END_TEST

/* ------------------------------------------------- the score's upper bound */

/** A small deterministic generator for the randomised tests below. */
static uint64_t
next_random(uint64_t* state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/** One of \p pool addresses: 198.18.x.y for x, y from the index, every
 * eighth an IPv6 one, with an ASN of \p asns and a country of \p countries
 * (0 = unknown) fixed per address. */
static struct fg_addr
pool_addr(uint64_t k, unsigned asns, unsigned countries)
{
	struct fg_addr a;
	memset(&a, 0, sizeof(a));
	if(k % 8 == 7) {
		a.family = FG_AF_INET6;
		a.addr[0] = 0x20;
		a.addr[1] = 0x01;
		a.addr[2] = (uint8_t)(k >> 8);
		a.addr[5] = (uint8_t)k;
		a.addr[15] = 1;
	} else {
		a.family = FG_AF_INET;
		a.addr[0] = (uint8_t)(11 + k % 200);
		a.addr[1] = (uint8_t)(k * 37);
		a.addr[2] = (uint8_t)(k >> 3);
		a.addr[3] = (uint8_t)(k % 250 + 1);
	}
	if(asns)
		a.asn = (uint32_t)(k * 2654435761u % asns);
	if(countries && k % countries) {
		a.country[0] = (char)('A' + k % countries);
		a.country[1] = 'X';
	}
	return a;
}

/** Always the whole record (fg_tracker_want_view). */
static int
want_always(const struct fg_record_brief* b, void* arg)
{
	(void)b;
	(void)arg;
	return 1;
}

/** Record NS evidence for \p zone: \p n servers named by \p k, their glue
 * in as many networks. */
static void
record_ns(const char* zone, uint64_t now, uint64_t k, size_t n)
{
	char names[8][64];
	const uint8_t* ns[8];
	uint8_t wire[8][FG_NAME_MAX_WIRE];
	struct fg_addr glue[8];
	size_t i;
	for(i = 0; i < n && i < 8; i++) {
		snprintf(names[i], sizeof(names[i]), "ns%u.host%u.test",
			(unsigned)i, (unsigned)((k + i) % 40));
		memcpy(wire[i], fg_unit_name(names[i]), FG_NAME_MAX_WIRE);
		ns[i] = wire[i];
		glue[i] = pool_addr(k * 8 + i, 50, 9);
	}
	(void)fg_tracker_record_ns(fg_unit_tracker, fg_unit_name(zone), now, ns,
		i, glue, i, 60);
}

START_TEST(test_score_bound_holds)
{
	/* Random answers of every shape (1 to 24 addresses out of pools of
	 * 4 to 400, known and unknown ASNs and countries, lists that overflow,
	 * TTLs, windows rolling over, zones with churning NS and glue) under
	 * the default weights and random ones (negative too): the score never
	 * exceeds the bound fg_score_bound takes from the brief. */
	uint64_t rng = 0x9e3779b97f4a7c15ULL, now = 1000;
	struct fg_score_params params[4];
	int checked = 0, bounded = 0, i;
	fg_score_params_default(&params[0]);
	for(i = 1; i < 4; i++) {
		double* w[] = { &params[i].w_addrs, &params[i].w_prefixes,
			&params[i].w_entropy, &params[i].w_asns,
			&params[i].w_countries, &params[i].w_ttl,
			&params[i].w_churn, &params[i].w_growth,
			&params[i].w_scatter, &params[i].w_ns };
		size_t f;
		params[i] = params[0];
		for(f = 0; f < sizeof(w) / sizeof(w[0]); f++)
			*w[f] = (double)(next_random(&rng) % 61) - 10.0;
	}
	for(i = 0; i < 6000; i++) {
		char owner[96], zone[32];
		struct fg_addr addrs[24];
		struct fg_record_brief brief;
		struct fg_record_view rec, z;
		uint64_t r = next_random(&rng);
		unsigned name = (unsigned)(r % 60), pool = 4u << (name % 7);
		unsigned asns = name % 3 ? 3u + name % 14 : 0, n, k;
		int have_zone, p;
		snprintf(zone, sizeof(zone), "z%u.test", name % 9);
		snprintf(owner, sizeof(owner), "n%u.%s", name, zone);
		n = 1 + (unsigned)(next_random(&rng) % (name % 5 ? 6 : 24));
		for(k = 0; k < n; k++)
			addrs[k] = pool_addr(name * 1000u + next_random(&rng) %
				pool, asns, 1 + name % 11);
		now += next_random(&rng) % (name % 4 ? 30 : 900);
		if(next_random(&rng) % 7 == 0)
			record_ns(zone, now, next_random(&rng), 1 +
				next_random(&rng) % 6);
		ck_assert_int_eq(fg_tracker_record_addrs_brief(fg_unit_tracker,
			fg_unit_name(owner), now, addrs, n, (uint32_t)(30 +
			next_random(&rng) % 7200), want_always, NULL, &brief,
			&rec), 2);
		ck_assert_uint_eq(brief.answers, rec.answers);
		ck_assert_uint_eq(brief.verdict, rec.verdict);
		have_zone = fg_detect_find_zone(fg_unit_tracker,
			fg_unit_name(owner), now, &rec, &z);
		/* the detector's table of bounds (the default weights, as
		 * params[0]) holds them rounded up */
		if(!brief.overflowed)
			ck_assert(fg_unit_det.bounds[brief.n_addrs][brief.n_asns]
				[brief.n_countries] >= fg_score_bound(&params[0],
				&brief));
		for(p = 0; p < 4; p++) {
			double score = fg_score_record(&params[p], &rec,
				have_zone ? &z : NULL, NULL);
			double bound = fg_score_bound(&params[p], &brief);
			ck_assert_msg(score <= bound, "%s: score %.4f over "
				"its bound %.4f (weights %d, %u addresses kept, "
				"%u ASNs, %u countries)", owner, score, bound, p,
				(unsigned)brief.n_addrs, (unsigned)brief.n_asns,
				(unsigned)brief.n_countries);
			checked++;
			bounded += bound < params[p].threshold;
		}
	}
	/* both sides of the threshold were tried */
	ck_assert_int_gt(bounded, 0);
	ck_assert_int_lt(bounded, checked);
	/* doc/SCORING.md: with the defaults one or two addresses from one
	 * network bound at 25 to 40, under the threshold of 55 */
	{
		struct fg_record_brief one = { .n_addrs = 1, .n_asns = 1,
			.n_countries = 1 }, two = one;
		two.n_addrs = 2;
		ck_assert(fabs(fg_score_bound(&params[0], &one) - 25.0) < 1e-6);
		ck_assert(fg_score_bound(&params[0], &two) > 39.0 &&
			fg_score_bound(&params[0], &two) < 40.0);
	}
}
END_TEST

START_TEST(test_bounded_answers_keep_their_verdicts)
{
	/* The same random answers judged with every score computed and with
	 * the resolver's shortcut (a clean record whose bound is under the
	 * threshold is not scored), under names of their own in one tracker:
	 * every decision's verdict, flag transition and flag time agree, and
	 * the shortcut did skip some. */
	uint64_t rng = 0x2545f4914f6cdd1dULL, now = 2000;
	int i, run, flagged = 0, differ = 0;
	static struct fg_decision dec[2][4000];
	static enum fg_verdict held[2][4000];
	for(run = 0; run < 2; run++) {
		uint64_t r0 = rng, t = now;
		fg_unit_det.exact_scores = run == 0;
		for(i = 0; i < 4000; i++) {
			char owner[64], ips[24][48];
			const char* ip[24];
			struct fg_upstream up;
			unsigned name = (unsigned)(next_random(&r0) % 40), n, k;
			/* the flux names calm down half-way, a window later:
			 * flagged ones must be cleared alike */
			int calm = name % 4 == 0 && i >= 2000;
			unsigned pool = calm ? 1 : name % 4 == 0 ? 5000 :
				3 + name % 5;
			snprintf(owner, sizeof(owner), "%c%u.z%u.test",
				run ? 'f' : 'e', name, name % 6);
			n = calm ? 1 : 1 + (unsigned)(next_random(&r0) %
				(name % 4 == 0 ? 12 : 3));
			for(k = 0; k < n; k++) {
				uint64_t a = next_random(&r0) % pool;
				snprintf(ips[k], sizeof(ips[k]), "%u.%u.%u.%u",
					(unsigned)(11 + (name % 4 == 0 ? a % 200 :
					name)), (unsigned)(a * 7 % 256),
					(unsigned)(a >> 2 & 255),
					(unsigned)(a % 250 + 1));
				ip[k] = ips[k];
			}
			t += next_random(&r0) % 40 + (i == 2000 ? 2 *
				FG_UNIT_WINDOW : 0);
			fg_upstream_init(&up, t);
			fg_unit_upstream_addrs(&up, FG_SECTION_ANSWER, owner,
				name % 4 == 0 ? 60 : 3600, ip, n);
			ck_assert_uint_eq(fg_detect_upstream(&fg_unit_det, &up,
				&dec[run][i], 1), 1);
			held[run][i] = held_verdict(owner, t);
		}
	}
	fg_unit_det.exact_scores = 0;
	for(i = 0; i < 4000; i++) {
		ck_assert_msg(dec[0][i].verdict == dec[1][i].verdict &&
			dec[0][i].newly_flagged == dec[1][i].newly_flagged &&
			dec[0][i].flagged_at == dec[1][i].flagged_at &&
			dec[0][i].answers == dec[1][i].answers &&
			held[0][i] == held[1][i], "answer %d: %s (held %s) "
			"exactly, %s (held %s) with the shortcut", i,
			fg_verdict_name(dec[0][i].verdict),
			fg_verdict_name(held[0][i]),
			fg_verdict_name(dec[1][i].verdict),
			fg_verdict_name(held[1][i]));
		flagged += dec[0][i].newly_flagged;
		differ += dec[0][i].score != dec[1][i].score;
	}
	ck_assert_int_gt(flagged, 0);
	ck_assert_int_gt(differ, 0);
}
END_TEST

START_TEST(test_plain_answer_fingerprint)
{
	static const char* const two[] = { "192.0.2.1", "192.0.2.2" };
	static const char* const other[] = { "192.0.2.1", "192.0.2.3" };
	static const char* const v6[] = { "2001:db8::1" };
	struct fg_upstream up;
	uint64_t a, b;
	fg_upstream_init(&up, 1);
	fg_unit_upstream_addrs(&up, FG_SECTION_ANSWER, "WWW.Plain.test", 60,
		two, 2);
	/* glue and referrals are not the answer */
	fg_unit_upstream_addrs(&up, FG_SECTION_ADDITIONAL, "ns.plain.test",
		60, v6, 1);
	a = fg_upstream_plain_answer(&up, fg_unit_name("www.plain.test"));
	ck_assert(a != 0);
	/* the same addresses fingerprint alike, other ones not */
	fg_upstream_init(&up, 2);
	fg_unit_upstream_addrs(&up, FG_SECTION_ANSWER, "www.plain.test", 300,
		two, 2);
	ck_assert(fg_upstream_plain_answer(&up,
		fg_unit_name("www.plain.test")) == a);
	fg_upstream_init(&up, 2);
	fg_unit_upstream_addrs(&up, FG_SECTION_ANSWER, "www.plain.test", 60,
		other, 2);
	b = fg_upstream_plain_answer(&up, fg_unit_name("www.plain.test"));
	ck_assert(b != 0 && b != a);
	/* another owner, a CNAME, or no answer at all: not plain */
	ck_assert(fg_upstream_plain_answer(&up,
		fg_unit_name("other.plain.test")) == 0);
	fg_upstream_init(&up, 3);
	ck_assert_ptr_nonnull(fg_upstream_add_rrset(&up,
		fg_unit_name("www.plain.test"), FG_TYPE_CNAME, FG_SECTION_ANSWER,
		60));
	ck_assert(fg_upstream_add_name(&up, fg_unit_name("cdn.plain.test")));
	fg_unit_upstream_addrs(&up, FG_SECTION_ANSWER, "cdn.plain.test", 60,
		two, 2);
	ck_assert(fg_upstream_plain_answer(&up,
		fg_unit_name("www.plain.test")) == 0);
	fg_upstream_init(&up, 4);
	ck_assert(fg_upstream_plain_answer(&up,
		fg_unit_name("www.plain.test")) == 0);
	/* an address RRset with no address left (all malformed) is not
	 * plain either: there was nothing to judge it by */
	ck_assert_ptr_nonnull(fg_upstream_add_rrset(&up,
		fg_unit_name("www.plain.test"), FG_TYPE_A, FG_SECTION_ANSWER, 60));
	ck_assert(fg_upstream_plain_answer(&up,
		fg_unit_name("www.plain.test")) == 0);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_single_flux_second_answer,
		test_cdn_never_flagged, test_lists_by_name,
		test_lists_by_address, test_glue_is_not_an_answer,
		test_ns_evidence_raises_score, test_operator_verdict_stands,
		test_flag_holds_into_new_window, test_score_bound_holds,
		test_bounded_answers_keep_their_verdicts,
		test_plain_answer_fingerprint };
	Suite* s = suite_create("detect");
	fg_unit_tcase(s, "detect", fg_unit_detector_setup,
		fg_unit_detector_teardown, tests, FG_UNIT_COUNT(tests));
	return s;
}
