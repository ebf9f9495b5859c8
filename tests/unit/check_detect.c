/**
 * \file
 * Unit tests for the detector (core/detect.c, fluxguard/detect.h): whole
 * upstream responses, built by hand with fluxguard/upstream.h, judged into a
 * private tracker with no geo databases (blocks stand in for networks) and,
 * where a test adds entries, allow and deny lists (unit.h's detector
 * fixture). They cover the min-answers
 * gate, a CDN-like name, the lists by name and by address, glue that is not
 * an answer, NS evidence raising a double-flux name's score, an operator's
 * verdict over the score, and a flag held while a new window gathers too
 * little evidence.
 */
#include "fluxguard/detect.h"
#include "fluxguard/policy.h"
#include "fluxguard/upstream.h"
#include "unit.h"

#include <check.h>
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
	dec = flux_answer("un.flux.test", 2, 1020);
	expect_decision(&dec, FG_VERDICT_CLEAN, FG_SRC_OPERATOR, 3);
	ck_assert(dec.explain.flagged);
	ck_assert_int_eq(held_verdict("un.flux.test", 1020), FG_VERDICT_CLEAN);
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

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_single_flux_second_answer,
		test_cdn_never_flagged, test_lists_by_name,
		test_lists_by_address, test_glue_is_not_an_answer,
		test_ns_evidence_raises_score, test_operator_verdict_stands,
		test_flag_holds_into_new_window };
	Suite* s = suite_create("detect");
	fg_unit_tcase(s, "detect", fg_unit_detector_setup,
		fg_unit_detector_teardown, tests, FG_UNIT_COUNT(tests));
	return s;
}
