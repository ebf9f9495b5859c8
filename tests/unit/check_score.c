/**
 * \file
 * Unit tests for the scorer (core/score.c) and the special-purpose address
 * table (core/geo.c), on hand-made records. A tiny accumulator below
 * builds struct fg_record_view the way the tracker fills it, answer by answer,
 * so the shapes read like the traffic they stand for.
 */
#include "fluxguard/geo.h"
#include "fluxguard/score.h"
#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** An address with its geo, for building answers. */
struct taddr {
	/** presentation form */
	const char* ip;
	/** ASN, 0 for unknown */
	uint32_t asn;
	/** country code, "" for unknown */
	const char* cc;
};

/** Add a distinct value to a small array counter. */
static void
add_u32(uint32_t* arr, uint32_t* n, uint32_t max, uint32_t* distinct,
	uint32_t v)
{
	uint32_t i;
	for(i = 0; i < *n; i++)
		if(arr[i] == v)
			return;
	if(*n < max)
		arr[(*n)++] = v;
	(*distinct)++;
}

/** The previous answer's addresses, to tell whether the set changed. */
static struct fg_addr prev[32];
/** How many prev holds. */
static size_t prev_n;

/** Whether \p a[0..n) holds the same set as prev. */
static int
same_as_prev(const struct fg_addr* a, size_t n)
{
	size_t i, j;
	for(i = 0; i < n; i++) {
		for(j = 0; j < prev_n; j++)
			if(memcmp(a[i].addr, prev[j].addr, 16) == 0)
				break;
		if(j == prev_n)
			return 0;
	}
	for(j = 0; j < prev_n; j++) {
		for(i = 0; i < n; i++)
			if(memcmp(a[i].addr, prev[j].addr, 16) == 0)
				break;
		if(i == n)
			return 0;
	}
	return 1;
}

/** Record one address answer into \p rec as the tracker would. */
static void
feed(struct fg_record_view* rec, const struct taddr* in, size_t n,
	uint32_t ttl)
{
	struct fg_addr a[32];
	size_t i, j;
	uint32_t newc = 0;
	ck_assert(n <= 32);
	for(i = 0; i < n; i++) {
		int found = 0;
		ck_assert(fg_addr_from_str(in[i].ip, &a[i]));
		if(!fg_addr_is_special(&a[i])) {
			a[i].asn = in[i].asn;
			if(in[i].cc[0])
				memcpy(a[i].country, in[i].cc, 2);
		}
		for(j = 0; j < rec->n_addrs; j++) {
			if(memcmp(rec->addrs[j].addr, a[i].addr, 16) == 0) {
				rec->addr_hits[j]++;
				found = 1;
			}
		}
		if(!found) {
			uint32_t p, k;
			int pfound = 0;
			newc++;
			rec->addr_distinct++;
			for(k = 0; k < rec->n_addrs; k++)
				if(fg_addr_prefix(&rec->addrs[k]) ==
					fg_addr_prefix(&a[i]))
					pfound = 1;
			if(!pfound)
				rec->prefix_distinct++;
			if(rec->n_addrs < FG_TRACK_ADDRS) {
				p = rec->n_addrs++;
				rec->addrs[p] = a[i];
				rec->addr_hits[p] = 1;
			}
			add_u32(rec->asns, &rec->n_asns, FG_TRACK_ASNS,
				&rec->asn_distinct, a[i].asn);
			if(a[i].country[0]) {
				uint32_t cc = (uint32_t)a[i].country[0] << 8 |
					(uint32_t)a[i].country[1];
				for(k = 0; k < rec->n_countries; k++)
					if(((uint32_t)rec->countries[k][0] << 8 |
						(uint32_t)rec->countries[k][1]) == cc)
						break;
				if(k == rec->n_countries) {
					if(k < FG_TRACK_COUNTRIES)
						memcpy(rec->countries[
							rec->n_countries++],
							a[i].country, 2);
					rec->country_distinct++;
				}
			}
		}
	}
	if(rec->answers > 0 && !same_as_prev(a, n))
		rec->addr_changes++;
	memcpy(prev, a, n * sizeof(a[0]));
	prev_n = n;
	rec->addr_new_total += newc;
	rec->answers++;
	if(n > rec->addrs_per_answer_max)
		rec->addrs_per_answer_max = (uint32_t)n;
	rec->addrs_last_answer = (uint32_t)n;
	if(rec->answers == 1 || ttl < rec->ttl_min)
		rec->ttl_min = ttl;
	rec->ttl_last = ttl;
}

static struct fg_score_params params;
static struct fg_record_view rec;
static struct fg_score_explain ex;

static void
setup(void)
{
	fg_score_params_default(&params);
	memset(&rec, 0, sizeof(rec));
	memset(&ex, 0, sizeof(ex));
	prev_n = 0;
}

/** Score \p rec with no zone evidence. */
static double
score(void)
{
	return fg_score_record(&params, &rec, NULL, &ex);
}

/** A feature's raw value, as a test expects it exactly. */
struct raw_want {
	/** the feature */
	enum fg_feature f;
	/** its raw value */
	double raw;
};

/** Check the \p n raw values of \p w against the last explanation. */
static void
check_raw(const struct raw_want* w, size_t n)
{
	size_t i;
	for(i = 0; i < n; i++)
		ck_assert_msg(ex.raw[w[i].f] == w[i].raw, "%s: raw %f, "
			"expected %f", fg_feature_name(w[i].f), ex.raw[w[i].f],
			w[i].raw);
}

/** Score \p rec, check the raw values of \p w, and expect a score under
 * \p max and no flag: the shape of benign traffic. */
static void
expect_benign(const struct raw_want* w, size_t n, double max)
{
	score();
	check_raw(w, n);
	ck_assert_msg(ex.score < max, "score %f, expected under %f", ex.score,
		max);
	ck_assert(!ex.flagged);
}

START_TEST(test_defaults)
{
	ck_assert(params.threshold == FG_SCORE_DEFAULT_THRESHOLD);
	ck_assert(params.w_asns == FG_SCORE_DEFAULT_W_ASNS);
	ck_assert(params.w_ns == FG_SCORE_DEFAULT_W_NS);
	ck_assert_str_eq(fg_feature_name(FG_FEAT_ASNS), "asns");
	ck_assert_str_eq(fg_feature_name(FG_FEAT_COUNT), "?");
	/* an empty record scores nothing */
	ck_assert(score() == 0.0);
	ck_assert(!ex.flagged);
}
END_TEST

START_TEST(test_cloudflare_pair)
{
	static const struct taddr pair[] = {
		{ "104.16.132.229", 13335, "US" },
		{ "104.16.133.229", 13335, "US" } };
	static const struct raw_want w[] = {
		{ FG_FEAT_ADDRS, 2.0 }, { FG_FEAT_PREFIXES, 1.0 },
		{ FG_FEAT_ASNS, 1.0 }, { FG_FEAT_COUNTRIES, 1.0 },
		{ FG_FEAT_CHURN, 0.0 }, { FG_FEAT_GROWTH, 0.0 } };
	int i;
	for(i = 0; i < 20; i++)
		feed(&rec, pair, 2, 300);
	expect_benign(w, FG_UNIT_COUNT(w), 5.0);
	ck_assert(ex.gate == 0.0);
}
END_TEST

START_TEST(test_cloudfront_eight)
{
	/* 8 addresses per answer from a pool of 24 in two /16s of one ASN */
	static const struct raw_want w[] = {
		{ FG_FEAT_ASNS, 1.0 }, { FG_FEAT_PREFIXES, 2.0 } };
	struct taddr ans[8];
	char ips[24][20];
	int i, j;
	for(i = 0; i < 24; i++)
		snprintf(ips[i], sizeof(ips[i]), "13.%d.%d.%d", 32 + i % 2,
			i * 7 % 256, 10 + i);
	for(i = 0; i < 30; i++) {
		for(j = 0; j < 8; j++) {
			ans[j].ip = ips[(i * 5 + j) % 24];
			ans[j].asn = 16509;
			ans[j].cc = "US";
		}
		feed(&rec, ans, 8, 60);
	}
	expect_benign(w, FG_UNIT_COUNT(w), 15.0);
	ck_assert(ex.raw[FG_FEAT_CHURN] > 0.9);
	/* churn and a short TTL inside one network count for nothing */
	ck_assert(ex.contrib[FG_FEAT_CHURN] == 0.0);
	ck_assert(ex.contrib[FG_FEAT_TTL] == 0.0);
}
END_TEST

START_TEST(test_internal_round_robin)
{
	static const struct taddr rr[] = {
		{ "10.66.75.3", 0, "" }, { "10.66.75.123", 0, "" },
		{ "10.66.75.173", 0, "" }, { "10.66.75.175", 0, "" },
		{ "10.67.1.1", 0, "" }, { "192.168.1.1", 0, "" } };
	/* private addresses are no diversity at all, not even by stand-in */
	static const struct raw_want w[] = {
		{ FG_FEAT_ADDRS, 0.0 }, { FG_FEAT_PREFIXES, 0.0 },
		{ FG_FEAT_ASNS, 0.0 }, { FG_FEAT_ENTROPY, 0.0 } };
	int i;
	for(i = 0; i < 30; i++)
		feed(&rec, &rr[i % 3], 4, 0);
	score();
	check_raw(w, FG_UNIT_COUNT(w));
	ck_assert(!ex.asn_stand_in);
	ck_assert(ex.score == 0.0);
	ck_assert(!ex.flagged);
}
END_TEST

START_TEST(test_failover_flip)
{
	static const struct taddr primary = { "33.25.101.252", 64601, "DE" };
	static const struct taddr backup = { "104.0.36.27", 64602, "US" };
	static const struct raw_want w[] = {
		{ FG_FEAT_ASNS, 2.0 }, { FG_FEAT_COUNTRIES, 2.0 } };
	int i;
	for(i = 0; i < 20; i++)
		feed(&rec, i < 12 || i >= 16 ? &primary : &backup, 1, 60);
	expect_benign(w, FG_UNIT_COUNT(w), 20.0);
	ck_assert(ex.gate == 0.0);
}
END_TEST

START_TEST(test_dyndns_change)
{
	static const struct taddr home[] = {
		{ "32.168.122.127", 64700, "NL" },
		{ "32.168.176.242", 64700, "NL" },
		{ "32.169.5.9", 64700, "NL" } };
	static const struct raw_want w[] = {
		{ FG_FEAT_ADDRS, 3.0 }, { FG_FEAT_ASNS, 1.0 } };
	int i;
	for(i = 0; i < 30; i++)
		feed(&rec, &home[i / 10], 1, 60);
	expect_benign(w, FG_UNIT_COUNT(w), 10.0);
	ck_assert_msg(ex.raw[FG_FEAT_CHURN] < 0.1, "churn %f",
		ex.raw[FG_FEAT_CHURN]);
}
END_TEST

/** Feed \p rounds answers of \p n flux bots each, all bots distinct:
 * every bot in its own /16 (IPv6: its own /32) and, \p with_asn, its own
 * ASN with a country from a short list; without, no geo at all. */
static void
feed_flux(int rounds, int n, int v6, int with_asn, uint32_t ttl)
{
	static const char* const cc[] = { "RU", "UA", "BR", "IN", "VN", "TR",
		"CN", "US", "RO" };
	struct taddr ans[8];
	char ips[8][40];
	int round, j;
	ck_assert(n <= 8);
	for(round = 0; round < rounds; round++) {
		for(j = 0; j < n; j++) {
			int bot = round * n + j;
			if(v6)
				snprintf(ips[j], 40, "2a0%d:%x::%x", bot % 10,
					0x100 + bot, bot + 1);
			else
				snprintf(ips[j], 40, "%d.%d.%d.%d",
					31 + bot % 60, 37 * bot % 256,
					7 * bot % 256, 1 + bot % 250);
			ans[j].ip = ips[j];
			ans[j].asn = with_asn ? 30000 + (uint32_t)bot : 0;
			ans[j].cc = with_asn ? cc[bot % 9] : "";
		}
		feed(&rec, ans, (size_t)n, ttl);
	}
}

START_TEST(test_single_flux)
{
	static const struct raw_want w[] = {
		{ FG_FEAT_ADDRS, 14.0 }, { FG_FEAT_ASNS, 14.0 },
		{ FG_FEAT_GROWTH, 1.0 }, { FG_FEAT_CHURN, 1.0 } };
	feed_flux(2, 7, 0, 1, 60);
	score();
	check_raw(w, FG_UNIT_COUNT(w));
	ck_assert(ex.gate == 1.0);
	ck_assert(ex.norm[FG_FEAT_ENTROPY] > 0.95);
	ck_assert_msg(ex.score >= 80.0, "score %f", ex.score);
	ck_assert(ex.flagged);
	/* Holz agrees on this one */
	ck_assert(fg_score_holz(&rec) > 0.0);
}
END_TEST

START_TEST(test_flux_without_asn_db)
{
	/* no ASN or country data: prefixes stand in for networks */
	static const struct raw_want w[] = {
		{ FG_FEAT_ASNS, 14.0 }, { FG_FEAT_PREFIXES, 14.0 },
		{ FG_FEAT_COUNTRIES, 0.0 } };
	feed_flux(2, 7, 0, 0, 60);
	score();
	ck_assert(ex.asn_stand_in);
	check_raw(w, FG_UNIT_COUNT(w));
	ck_assert(ex.flagged);
	/* the reference cannot see networks without the database */
	ck_assert(fg_score_holz(&rec) < 0.0);
}
END_TEST

START_TEST(test_ipv6_flux)
{
	static const struct raw_want w[] = { { FG_FEAT_PREFIXES, 15.0 } };
	feed_flux(3, 5, 1, 0, 120);
	score();
	check_raw(w, FG_UNIT_COUNT(w));
	ck_assert(ex.asn_stand_in);
	ck_assert_msg(ex.flagged, "score %f", ex.score);
}
END_TEST

START_TEST(test_double_flux)
{
	/* a modest rotation of 4 bots in 4 networks, 2 per answer... */
	static const struct taddr bots[] = {
		{ "31.20.1.1", 30001, "RU" }, { "31.21.1.1", 30002, "UA" },
		{ "31.22.1.1", 30003, "BR" }, { "31.23.1.1", 30004, "IN" },
		{ "31.20.1.1", 30001, "RU" } };
	struct fg_record_view zone;
	double alone;
	int i;
	for(i = 0; i < 6; i++)
		feed(&rec, &bots[i % 4], 2, 120);
	alone = score();
	ck_assert_msg(!ex.flagged, "score %f", ex.score);
	ck_assert(!ex.have_zone);
	ck_assert(ex.contrib[FG_FEAT_NS] == 0.0);
	/* ...is double flux once its zone's NS set and glue rotate across
	 * networks too */
	memset(&zone, 0, sizeof(zone));
	zone.ns_answers = 6;
	zone.ns_changes = 5;
	zone.ns_distinct = 4;
	zone.n_glue = 8;
	zone.glue_distinct = 10;
	zone.glue_prefix_distinct = 9;
	zone.glue_asn_distinct = 9;
	fg_score_record(&params, &rec, &zone, &ex);
	ck_assert(ex.have_zone);
	ck_assert(ex.raw[FG_FEAT_NS] == 1.0);
	ck_assert(ex.contrib[FG_FEAT_NS] == params.w_ns);
	ck_assert(ex.score == alone + params.w_ns);
	ck_assert_msg(ex.flagged, "score %f", ex.score);
	/* without an ASN database the glue prefixes stand in */
	zone.glue_asn_distinct = 0;
	fg_score_record(&params, &rec, &zone, &ex);
	ck_assert(ex.contrib[FG_FEAT_NS] == params.w_ns);
	/* a stable NS set with glue in several networks is ordinary
	 * multi-provider DNS */
	zone.ns_changes = 0;
	fg_score_record(&params, &rec, &zone, &ex);
	ck_assert(ex.contrib[FG_FEAT_NS] == 0.0);
	ck_assert(!ex.flagged);
	/* so is a rotating NS set whose glue sits in one network */
	zone.ns_changes = 5;
	zone.glue_prefix_distinct = 1;
	fg_score_record(&params, &rec, &zone, &ex);
	ck_assert(ex.contrib[FG_FEAT_NS] == 0.0);
}
END_TEST

START_TEST(test_special_addresses)
{
	static const struct {
		const char* ip;
		int special;
	} cases[] = {
		{ "10.1.2.3", 1 }, { "172.16.0.1", 1 }, { "172.31.255.255", 1 },
		{ "172.32.0.1", 0 }, { "192.168.7.7", 1 }, { "100.64.0.1", 1 },
		{ "100.127.255.255", 1 }, { "100.128.0.1", 0 },
		{ "127.0.0.1", 1 }, { "169.254.1.1", 1 }, { "0.1.2.3", 1 },
		{ "192.0.2.55", 1 }, { "198.51.100.1", 1 }, { "203.0.113.9", 1 },
		{ "198.18.0.1", 1 }, { "198.19.255.1", 1 }, { "198.20.0.1", 0 },
		{ "224.0.0.251", 1 }, { "239.1.1.1", 1 }, { "240.0.0.1", 1 },
		{ "255.255.255.255", 1 }, { "192.0.0.8", 1 }, { "192.88.99.1", 1 },
		{ "192.88.100.1", 0 }, { "223.255.255.255", 0 },
		{ "8.8.8.8", 0 }, { "1.1.1.1", 0 }, { "31.13.64.35", 0 },
		{ "::", 1 }, { "::1", 1 }, { "::ffff:8.8.8.8", 1 },
		{ "64:ff9b::808:808", 1 }, { "fc00::1", 1 }, { "fd12:3456::1", 1 },
		{ "fe80::1", 1 }, { "ff02::1", 1 }, { "2001:db8::1", 1 },
		{ "2001:2::1", 1 }, { "3fff::1", 1 },
		{ "2001:4860:4860::8888", 0 }, { "2606:4700::1111", 0 },
		{ "2a00:1450:4001::1", 0 } };
	size_t i;
	struct fg_addr a;
	char buf[FG_ADDR_MAX_STR];
	for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(fg_addr_from_str(cases[i].ip, &a), "%s",
			cases[i].ip);
		ck_assert_msg(fg_addr_is_special(&a) == cases[i].special,
			"%s: expected special=%d", cases[i].ip,
			cases[i].special);
	}
	ck_assert(!fg_addr_from_str("not-an-ip", &a));
	ck_assert(!fg_addr_from_str("1.2.3.4/8", &a));
	ck_assert(fg_addr_from_str("2001:DB8::A", &a));
	ck_assert(fg_addr_to_str(&a, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "2001:db8::a");
	ck_assert(fg_addr_from_str("31.13.64.35", &a));
	ck_assert(fg_addr_to_str(&a, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "31.13.64.35");
	/* /16 and /32 prefixes, IPv4 and IPv6 apart */
	{
		struct fg_addr b;
		ck_assert(fg_addr_from_str("31.13.1.1", &b));
		ck_assert(fg_addr_prefix(&a) == fg_addr_prefix(&b));
		ck_assert(fg_addr_from_str("31.14.64.35", &b));
		ck_assert(fg_addr_prefix(&a) != fg_addr_prefix(&b));
		ck_assert(fg_addr_from_str("1f0d::", &b));
		ck_assert(fg_addr_prefix(&a) != fg_addr_prefix(&b));
	}
}
END_TEST

START_TEST(test_explain_output)
{
	char text[2048], json[4096], tiny[16];
	int f;
	double sum = 0.0;
	feed_flux(2, 7, 0, 1, 60);
	score();
	for(f = 0; f < FG_FEAT_COUNT; f++) {
		ck_assert(ex.norm[f] >= 0.0 && ex.norm[f] <= 1.0);
		ck_assert(ex.contrib[f] == ex.norm[f] * ex.weight[f]);
		sum += ex.contrib[f];
	}
	ck_assert(ex.score == (sum > 100.0 ? 100.0 : sum));
	ck_assert(fg_score_explain_text(&ex, text, sizeof(text)));
	ck_assert_ptr_nonnull(strstr(text, "over"));
	ck_assert_ptr_nonnull(strstr(text, "asns"));
	ck_assert_ptr_nonnull(strstr(text, "contrib"));
	ck_assert(fg_score_explain_json(&ex, json, sizeof(json)));
	ck_assert_ptr_nonnull(strstr(json, "\"flagged\":true"));
	ck_assert_ptr_nonnull(strstr(json,
		"\"asns\":{\"raw\":14,\"norm\":1,\"weight\":35,\"contribution\":35}"));
	ck_assert(json[0] == '{' && json[strlen(json) - 1] == '}');
	/* truncation is reported, and the output stays terminated */
	ck_assert(!fg_score_explain_json(&ex, tiny, sizeof(tiny)));
	ck_assert(strlen(tiny) < sizeof(tiny));
	ck_assert(!fg_score_explain_text(&ex, tiny, sizeof(tiny)));
	ck_assert(strlen(tiny) < sizeof(tiny));
}
END_TEST

START_TEST(test_untrusted_counts)
{
	/* a record with counts out of range (it came from shared memory)
	 * still scores within bounds */
	memset(&rec, 0xff, sizeof(rec));
	score();
	ck_assert(ex.score >= 0.0 && ex.score <= 100.0);
	memset(&rec, 0, sizeof(rec));
	rec.answers = 3;
	rec.addr_changes = 1000;
	rec.addr_new_total = 5;
	score();
	ck_assert(ex.raw[FG_FEAT_CHURN] == 1.0);
}
END_TEST

/** Feed \p rounds answers of \p n addresses each, made by \p make from
 * the running address number: the shapes of real address space below. */
static void
feed_made(int rounds, int n, uint32_t ttl,
	void (*make)(int k, char* ip, size_t len, struct taddr* t))
{
	struct taddr ans[8];
	char ips[8][40];
	int round, j;
	ck_assert(n <= 8);
	for(round = 0; round < rounds; round++) {
		for(j = 0; j < n; j++) {
			make(round * n + j, ips[j], sizeof(ips[j]), &ans[j]);
			ans[j].ip = ips[j];
		}
		feed(&rec, ans, (size_t)n, ttl);
	}
}

/** A botnet inside one ISP: every bot a new home address, one per /24,
 * over twenty /16s of one ASN in one country. */
static void
make_isp_bot(int k, char* ip, size_t len, struct taddr* t)
{
	snprintf(ip, len, "%d.%d.%d.%d", 58 + k % 4, 16 + (k * 7) % 20,
		(k * 37) % 256, 2 + k % 200);
	t->asn = 4134;
	t->cc = "CN";
}

START_TEST(test_botnet_in_one_isp)
{
	feed_made(12, 8, 60, make_isp_bot);
	score();
	ck_assert(ex.raw[FG_FEAT_ASNS] == 1.0);
	ck_assert(ex.raw[FG_FEAT_SCATTER] == 1.0);
	ck_assert_msg(ex.norm[FG_FEAT_SCATTER] == 1.0, "scatter %f (prefixes "
		"%f, growth %f, addresses %f)", ex.norm[FG_FEAT_SCATTER],
		ex.raw[FG_FEAT_PREFIXES], ex.raw[FG_FEAT_GROWTH],
		ex.raw[FG_FEAT_ADDRS]);
	ck_assert(ex.spread == 1.0);
	/* scatter opens the gate that one ASN keeps shut */
	ck_assert(ex.gate == 1.0);
	ck_assert_msg(ex.flagged, "score %f", ex.score);
	/* the same few answers at first are not enough volume */
	setup();
	feed_made(2, 8, 60, make_isp_bot);
	score();
	ck_assert(ex.norm[FG_FEAT_SCATTER] < 0.1);
	ck_assert(!ex.flagged);
}
END_TEST

/** CDN caches inside ten ISPs: each a cluster of addresses in one /24 of
 * its ISP; an answer comes from one cache (its four addresses), the next
 * from another, addresses rotating within each cluster. */
static void
make_isp_cache(int k, char* ip, size_t len, struct taddr* t)
{
	static const char* const cc[] = { "DE", "FR", "BR", "IN", "US" };
	int isp = (k / 4) % 10;
	snprintf(ip, len, "%d.%d.44.%d", 80 + isp * 7, 10 + isp, 10 + k % 23);
	t->asn = 3320 + (uint32_t)isp;
	t->cc = cc[isp % 5];
}

START_TEST(test_caches_in_isps)
{
	feed_made(40, 4, 20, make_isp_cache);
	score();
	ck_assert(ex.raw[FG_FEAT_ASNS] >= 8.0);
	ck_assert(ex.raw[FG_FEAT_GROWTH] > 0.4);
	/* ten networks, but clustered: they count for nothing */
	ck_assert_msg(ex.raw[FG_FEAT_SCATTER] < 0.45, "spread %f",
		ex.raw[FG_FEAT_SCATTER]);
	ck_assert(ex.spread == 0.0);
	ck_assert(ex.contrib[FG_FEAT_ASNS] == 0.0);
	ck_assert(ex.gate == 0.0);
	ck_assert_msg(ex.score < 20.0 && !ex.flagged, "score %f", ex.score);
}
END_TEST

/** Multi-cloud GSLB: three endpoints in each of AWS, GCP and Azure, every
 * one in its own /16, answered three at a time. */
static void
make_multicloud(int k, char* ip, size_t len, struct taddr* t)
{
	static const uint32_t asn[] = { 16509, 15169, 8075 };
	int e = k % 9;
	snprintf(ip, len, "%d.%d.%d.%d", 3 + e * 11, 5 + e, 100 + e, 7);
	t->asn = asn[e % 3];
	t->cc = e % 2 ? "US" : "IE";
}

START_TEST(test_multicloud)
{
	feed_made(40, 3, 30, make_multicloud);
	score();
	ck_assert(ex.raw[FG_FEAT_ADDRS] == 9.0);
	/* a served set that recurs: no novelty, no scatter */
	ck_assert(ex.raw[FG_FEAT_GROWTH] < 0.1);
	ck_assert(ex.norm[FG_FEAT_SCATTER] == 0.0);
	ck_assert_msg(ex.score < 35.0 && !ex.flagged, "score %f", ex.score);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_defaults, test_cloudflare_pair,
		test_cloudfront_eight, test_internal_round_robin,
		test_failover_flip, test_dyndns_change, test_single_flux,
		test_flux_without_asn_db, test_ipv6_flux, test_double_flux,
		test_special_addresses, test_explain_output,
		test_untrusted_counts, test_botnet_in_one_isp,
		test_caches_in_isps, test_multicloud };
	Suite* s = suite_create("score");
	fg_unit_tcase(s, "score", setup, NULL, tests, FG_UNIT_COUNT(tests));
	return s;
}
