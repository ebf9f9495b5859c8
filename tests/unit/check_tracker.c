/**
 * \file
 * Unit tests for the flux tracker (core/tracker.c, core/segment.c):
 * recording and reading records, window ageing, eviction order, a full table,
 * names forced into one bucket, damaged segments (magic, version, truncation)
 * that an opener rebuilds and a tool refuses, persistence of a file-backed
 * segment, NS recording, and the admin operations.
 */
#include "fluxguard/log.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"
#include "core/segment_layout.h"
#include "core/tracker_internal.h"
#include "unit.h"

#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

/** Log lines captured, and how many mention a rebuild. */
static char last_log[1024];
static int n_rebuild_logs;

static void
capture_log(enum fg_log_level level, const char* msg)
{
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
	if(strstr(msg, "rebuilding it empty"))
		n_rebuild_logs++;
}

/* Every test gets a private segment (fg_unit_seg) and a scratch directory
 * for the file-backed ones, and the tracker's log lines. */
static void
setup(void)
{
	n_rebuild_logs = 0;
	last_log[0] = 0;
	fg_log_set_sink(capture_log);
	fg_unit_scratch_setup();
	fg_unit_seg_setup();
}

static void
teardown(void)
{
	fg_unit_seg_teardown();
	fg_unit_scratch_teardown();
	fg_log_set_sink(NULL);
}

static struct fg_addr
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint32_t asn, const char* cc)
{
	struct fg_addr x;
	memset(&x, 0, sizeof(x));
	x.family = FG_AF_INET;
	x.addr[0] = a;
	x.addr[1] = b;
	x.addr[2] = c;
	x.addr[3] = d;
	x.asn = asn;
	if(cc) {
		x.country[0] = cc[0];
		x.country[1] = cc[1];
	}
	return x;
}

static struct fg_addr
v6(uint16_t top, uint16_t low, uint32_t asn)
{
	struct fg_addr x;
	memset(&x, 0, sizeof(x));
	x.family = FG_AF_INET6;
	x.addr[0] = (uint8_t)(top >> 8);
	x.addr[1] = (uint8_t)top;
	x.addr[14] = (uint8_t)(low >> 8);
	x.addr[15] = (uint8_t)low;
	x.asn = asn;
	return x;
}

/** The longest name there is, in wire form: 4 labels of 62 octets and one
 * of 1, 4*63 + 2 + 1 = 255 octets. */
static void
longest_name(uint8_t w[FG_NAME_MAX_WIRE])
{
	char name[300];
	int i;
	memset(name, 'x', sizeof(name));
	for(i = 0; i < 4; i++)
		name[i * 63 + 62] = '.';
	name[252] = 'y';
	name[253] = 0;
	ck_assert_uint_eq(fg_name_from_str(name, w, FG_NAME_MAX_WIRE), 255);
}

/** An integer member of a record view or of the tracker's info, and the
 * values a test allows in it. */
struct want {
	/** the member as the test names it */
	const char* name;
	/** its offset and size */
	size_t off, size;
	/** the least and the most it may hold (equal for an exact value;
	 * apart for the counts the tracker estimates) */
	uint64_t lo, hi;
};

/** A want on member \p m of struct \p type. */
#define WANT(type, m, lo, hi) { #m, offsetof(type, m), \
	sizeof(((type*)0)->m), (lo), (hi) }
/** Exactly \p v in member \p m of struct fg_record_view. */
#define VIEW(m, v) WANT(struct fg_record_view, m, v, v)
/** Between \p lo and \p hi in member \p m of struct fg_record_view. */
#define VIEW_IN(m, lo, hi) WANT(struct fg_record_view, m, lo, hi)
/** Exactly \p v in member \p m of struct fg_tracker_info. */
#define INFO(m, v) WANT(struct fg_tracker_info, m, v, v)

/** Check the \p n members of \p w in \p obj (unsigned, or never
 * negative). */
static void
check_fields(const void* obj, const struct want* w, size_t n)
{
	size_t i;
	for(i = 0; i < n; i++) {
		const uint8_t* p = (const uint8_t*)obj + w[i].off;
		uint64_t got;
		uint32_t u32;
		uint16_t u16;
		switch(w[i].size) {
		case 1:
			got = *p;
			break;
		case 2:
			memcpy(&u16, p, 2);
			got = u16;
			break;
		case 4:
			memcpy(&u32, p, 4);
			got = u32;
			break;
		default:
			ck_assert_uint_eq(w[i].size, 8);
			memcpy(&got, p, 8);
			break;
		}
		if(w[i].lo == w[i].hi)
			ck_assert_msg(got == w[i].lo, "%s is %llu, expected %llu",
				w[i].name, (unsigned long long)got,
				(unsigned long long)w[i].lo);
		else
			ck_assert_msg(got >= w[i].lo && got <= w[i].hi, "%s is "
				"%llu, expected %llu to %llu", w[i].name,
				(unsigned long long)got,
				(unsigned long long)w[i].lo,
				(unsigned long long)w[i].hi);
	}
}

/** Record the \p n addresses of one answer for \p name at \p now, copy
 * its record out at \p now, and check the \p nw members of \p w in it. */
static void
record_expect(struct fg_tracker* t, const char* name, uint64_t now,
	const struct fg_addr* a, size_t n, uint32_t ttl, const struct want* w,
	size_t nw)
{
	struct fg_record_view v;
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name(name), now, a, n,
		ttl));
	ck_assert(fg_tracker_lookup(t, fg_unit_name(name), now, &v));
	check_fields(&v, w, nw);
}

START_TEST(test_insert_and_lookup)
{
	static const struct want want[] = {
		VIEW(name_len, 17), VIEW(first_seen, 1000), VIEW(last_seen, 1000),
		VIEW(answers, 1), VIEW(addr_distinct, 2), VIEW(addr_new_total, 2),
		VIEW(addr_changes, 0), VIEW(n_addrs, 2),
		VIEW(addrs[0].family, FG_AF_INET), VIEW(addrs[1].asn, 64501),
		VIEW(addr_hits[0], 1), VIEW(prefix_distinct, 2),
		VIEW(asn_distinct, 2), VIEW(country_distinct, 2),
		VIEW(ttl_min, 300), VIEW(ttl_last, 300),
		VIEW(addrs_per_answer_max, 2), VIEW(verdict, FG_VERDICT_CLEAN) };
	struct fg_tracker* t = fg_unit_tracker_open(1024, 3600);
	struct fg_record_view v;
	struct fg_addr a[2];
	a[0] = v4(192, 0, 2, 1, 64500, "NL");
	a[1] = v4(198, 51, 100, 7, 64501, "DE");
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("WWW.Example.COM"),
		1000, a, 2, 300));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("www.example.com"), 1000,
		&v));
	check_fields(&v, want, FG_UNIT_COUNT(want));
	ck_assert_mem_eq(v.name, "\3www\7example\3com\0", 17);
	ck_assert_mem_eq(v.addrs[1].addr, "\306\063\144\007", 4);
	ck_assert_mem_eq(v.addrs[1].country, "DE", 2);
	ck_assert(!fg_tracker_lookup(t, fg_unit_name("example.com"), 1000, &v));
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_update)
{
	/* the same set in another order: no change, nothing new */
	static const struct want same[] = {
		VIEW(answers, 2), VIEW(addr_changes, 0), VIEW(addr_new_total, 2),
		VIEW(addr_hits[0], 2), VIEW(addr_hits[1], 2), VIEW(ttl_min, 30),
		VIEW(ttl_mean, 45) };
	/* a different set: one change, one new address, a new prefix and
	 * ASN; an unknown country is not counted */
	static const struct want changed[] = {
		VIEW(answers, 3), VIEW(addr_changes, 1), VIEW(addr_new_total, 3),
		VIEW(addr_distinct, 3), VIEW(prefix_distinct, 2),
		VIEW(asn_distinct, 2), VIEW(country_distinct, 1),
		VIEW(addr_hits[0], 2), VIEW(addr_hits[1], 3),
		VIEW(addr_hits[2], 1), VIEW(addrs[2].asn, 2), VIEW(ttl_last, 90),
		VIEW(last_seen, 120), VIEW(first_seen, 100) };
	struct fg_tracker* t = fg_unit_tracker_open(1024, 3600);
	struct fg_addr a[3], b[2];
	a[0] = v4(10, 1, 0, 1, 1, "US");
	a[1] = v4(10, 1, 0, 2, 1, "US");
	a[2] = a[0];
	b[0] = v4(10, 1, 0, 2, 1, "US");
	b[1] = v4(10, 2, 0, 3, 2, "\0\0");
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("flux.test"), 100, a,
		2, 60));
	record_expect(t, "flux.test", 110, a + 1, 2, 30, same,
		FG_UNIT_COUNT(same));
	record_expect(t, "flux.test", 120, b, 2, 90, changed,
		FG_UNIT_COUNT(changed));
	fg_tracker_close(t);
}
END_TEST

/* Repeated answers are counted without a walk through the pool (pending
 * hits); what a reader sees must be the same as if each were counted at once,
 * through a change of set, the 16-bit saturation and a new window. */
START_TEST(test_repeats_and_view)
{
	static const struct want six[] = {
		VIEW(answers, 6), VIEW(addr_hits[0], 6), VIEW(addr_hits[1], 6) };
	/* a change folds the pending hits into the old set's entries first */
	static const struct want changed[] = {
		VIEW(addr_hits[0], 6), VIEW(addr_hits[1], 8),
		VIEW(addr_changes, 1) };
	/* back to the first set: a[1] was last too, so only a[0] is
	 * re-marked */
	static const struct want back[] = {
		VIEW(addr_hits[0], 7), VIEW(addr_hits[1], 9) };
	/* hit counts saturate at 65535, pending ones included */
	static const struct want saturated[] = {
		VIEW(addr_hits[0], 7), VIEW(addr_hits[1], 65535),
		VIEW(answers, 70009) };
	/* a new window starts the kept addresses' hits again */
	static const struct want next_window[] = {
		VIEW(answers, 1), VIEW(n_addrs, 1), VIEW(addr_hits[0], 1) };
	struct fg_tracker* t = fg_unit_tracker_open(1024, 3600);
	struct fg_record_view v, w;
	struct fg_addr a[2], b[1];
	uint32_t i;
	a[0] = v4(10, 1, 0, 1, 1, "US");
	a[1] = v4(10, 1, 0, 2, 1, "US");
	b[0] = v4(10, 1, 0, 2, 1, "US");
	for(i = 0; i < 5; i++)
		ck_assert(fg_tracker_record_addrs(t, fg_unit_name("rep.test"),
			100 + i, a, 2, 60));
	/* the view returned by the update is what a lookup returns */
	ck_assert(fg_tracker_record_addrs_view(t, fg_unit_name("rep.test"), 105,
		a, 2, 60, &v));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("rep.test"), 105, &w));
	ck_assert_mem_eq(&v, &w, sizeof(v));
	check_fields(&v, six, FG_UNIT_COUNT(six));
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("rep.test"), 106, b,
		1, 60));
	record_expect(t, "rep.test", 107, b, 1, 60, changed,
		FG_UNIT_COUNT(changed));
	record_expect(t, "rep.test", 108, a, 2, 60, back,
		FG_UNIT_COUNT(back));
	for(i = 0; i < 70000; i++)
		ck_assert(fg_tracker_record_addrs(t, fg_unit_name("rep.test"),
			109, b, 1, 60));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("rep.test"), 109, &v));
	check_fields(&v, saturated, FG_UNIT_COUNT(saturated));
	record_expect(t, "rep.test", 109 + 3600, b, 1, 60, next_window,
		FG_UNIT_COUNT(next_window));
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_many_addresses_estimated)
{
	/* 200 distinct addresses in 100 /16s and 50 ASNs: beyond the exact
	 * bounds, so estimated */
	static const struct want want[] = {
		VIEW(answers, 100), VIEW(n_addrs, FG_TRACK_ADDRS),
		VIEW_IN(addr_distinct, 140, 260), VIEW_IN(prefix_distinct, 75, 125),
		VIEW_IN(asn_distinct, 35, 65), VIEW(n_asns, FG_TRACK_ASNS),
		VIEW(addr_changes, 99), VIEW_IN(addr_new_total, 140, 260) };
	struct fg_tracker* t = fg_unit_tracker_open(1024, 3600);
	struct fg_record_view v;
	uint32_t i;
	for(i = 0; i < 100; i++) {
		struct fg_addr a[2];
		a[0] = v4(20, (uint8_t)i, 1, 1, 1000 + i / 2, "NL");
		a[1] = v4(20, (uint8_t)i, 2, 2, 1000 + i / 2, "NL");
		ck_assert(fg_tracker_record_addrs(t, fg_unit_name("big.flux.test"),
			10 + i, a, 2, 5));
	}
	ck_assert(fg_tracker_lookup(t, fg_unit_name("big.flux.test"), 200, &v));
	check_fields(&v, want, FG_UNIT_COUNT(want));
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_long_name_and_ipv6)
{
	static const struct want longest[] = {
		VIEW(name_len, 255), VIEW_IN(n_addrs, 1, FG_TRACK_ADDRS),
		VIEW_IN(addr_distinct, 15, 25), VIEW(addrs_last_answer, 20),
		VIEW(asn_distinct, 1), VIEW(addrs[0].asn, 7),
		VIEW(addrs[0].family, FG_AF_INET6) };
	/* a short name keeps 16 IPv4 addresses exactly */
	static const struct want exact[] = {
		VIEW(n_addrs, 16), VIEW(addr_distinct, 16),
		VIEW(prefix_distinct, 1), VIEW(asn_distinct, 0) };
	struct fg_tracker* t = fg_unit_tracker_open(1024, 3600);
	struct fg_record_view v;
	struct fg_addr a[20];
	uint8_t w[FG_NAME_MAX_WIRE];
	int i;
	longest_name(w);
	for(i = 0; i < 20; i++)
		a[i] = v6(0x2001, (uint16_t)i, 7);
	ck_assert(fg_tracker_record_addrs(t, w, 50, a, 20, 10));
	ck_assert(fg_tracker_lookup(t, w, 50, &v));
	check_fields(&v, longest, FG_UNIT_COUNT(longest));
	ck_assert_mem_eq(v.name, w, 255);
	for(i = 0; i < 16; i++)
		a[i] = v4(1, 2, 3, (uint8_t)i, 0, NULL);
	record_expect(t, "s.test", 50, a, 16, 10, exact,
		FG_UNIT_COUNT(exact));
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_window_expiry)
{
	static const struct want sticky[] = {
		VIEW(verdict, FG_VERDICT_FLAGGED), VIEW(flagged_at, 1100) };
	static const struct want two_answers[] = {
		VIEW(addr_distinct, 3), VIEW(asn_distinct, 3) };
	/* the reader ages its copy: only the last answer's address is
	 * carried */
	static const struct want aged[] = {
		VIEW(window_start, 1120), VIEW(answers, 0), VIEW(addr_distinct, 1),
		VIEW(addr_hits[0], 0), VIEW(asns[0], 3), VIEW(addrs[0].asn, 3) };
	static const struct want next_window[] = {
		VIEW(window_start, 1120), VIEW(answers, 1), VIEW(addr_changes, 0),
		VIEW(addr_new_total, 0), VIEW(addr_distinct, 1),
		VIEW(asn_distinct, 1), VIEW(country_distinct, 1),
		VIEW(first_seen, 1000) };
	struct fg_tracker* t = fg_unit_tracker_open(1024, 100);
	struct fg_record_view v;
	struct fg_addr a[3];
	a[0] = v4(10, 0, 0, 1, 1, "NL");
	a[1] = v4(10, 9, 0, 2, 2, "DE");
	a[2] = v4(10, 8, 0, 3, 3, "FR");
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("old.test"), 1000, a,
		2, 60));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("old.test"), 1099, &v));
	/* a window after the last answer: stale */
	ck_assert(!fg_tracker_lookup(t, fg_unit_name("old.test"), 1100, &v));
	/* unless flagged (sticky) */
	ck_assert(fg_tracker_set_verdict(t, fg_unit_name("old.test"), 1100,
		70.0f, FG_VERDICT_FLAGGED));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("old.test"), 5000, &v));
	check_fields(&v, sticky, FG_UNIT_COUNT(sticky));

	/* ageing: {a0,a1} then {a2}; a window later {a2} again */
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("age.test"), 1000, a,
		2, 60));
	record_expect(t, "age.test", 1050, a + 2, 1, 60, two_answers,
		FG_UNIT_COUNT(two_answers));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("age.test"), 1120, &v));
	check_fields(&v, aged, FG_UNIT_COUNT(aged));
	ck_assert_mem_eq(v.addrs[0].country, "FR", 2);
	record_expect(t, "age.test", 1120, a + 2, 1, 60, next_window,
		FG_UNIT_COUNT(next_window));
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_cause)
{
	static const struct want alias[] = {
		VIEW(name_len, 12), VIEW(answers, 0), VIEW(n_addrs, 0),
		VIEW(verdict, FG_VERDICT_CLEAN), VIEW(first_seen, 1000),
		VIEW(cause_len, 10) };
	/* the cause sits among the address entries and outlives a window */
	static const struct want both[] = {
		VIEW(answers, 2), VIEW(n_addrs, 16), VIEW(addr_distinct, 16),
		VIEW(cause_len, 10) };
	static const struct want both_aged[] = {
		VIEW(answers, 0), VIEW(n_addrs, 1), VIEW(addr_hits[0], 0),
		VIEW(cause_len, 10) };
	struct fg_tracker* t = fg_unit_tracker_open(1024, 100);
	struct fg_record_view v;
	struct fg_addr a[16];
	enum fg_verdict verdict;
	float score;
	uint8_t w[FG_NAME_MAX_WIRE];
	int i;
	/* a name not tracked gets a record that carries its cause */
	ck_assert(fg_tracker_set_cause(t, fg_unit_name("Alias.Test"), 1000,
		fg_unit_name("BOT.test")));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("alias.test"), 1000, &v));
	check_fields(&v, alias, FG_UNIT_COUNT(alias));
	ck_assert_mem_eq(v.cause, "\3bot\4test\0", 10);
	/* its own verdict is untouched: the judgement asks the cause */
	ck_assert(fg_tracker_peek(t, fg_unit_name("alias.test"), 1000, &verdict,
		&score));
	ck_assert_int_eq(verdict, FG_VERDICT_CLEAN);
	/* sticky: a window later it still explains the block */
	ck_assert(fg_tracker_lookup(t, fg_unit_name("alias.test"), 5000, &v));
	ck_assert_uint_eq(v.cause_len, 10);
	/* the same again, then another one replaces it */
	ck_assert(fg_tracker_set_cause(t, fg_unit_name("alias.test"), 1001,
		fg_unit_name("bot.test")));
	ck_assert(fg_tracker_set_cause(t, fg_unit_name("alias.test"), 1002,
		fg_unit_name("www.other.test")));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("alias.test"), 1002, &v));
	ck_assert_uint_eq(v.cause_len, 16);
	ck_assert_mem_eq(v.cause, "\3www\5other\4test\0", 16);

	/* a record with evidence keeps it, before and after the cause */
	for(i = 0; i < 16; i++)
		a[i] = v4(10, (uint8_t)i, 0, 1, 0, NULL);
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("both.test"), 1000,
		a, 8, 60));
	ck_assert(fg_tracker_set_cause(t, fg_unit_name("both.test"), 1000,
		fg_unit_name("bot.test")));
	record_expect(t, "both.test", 1010, a + 8, 8, 60, both,
		FG_UNIT_COUNT(both));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("both.test"), 1010, &v));
	ck_assert_mem_eq(v.cause, "\3bot\4test\0", 10);
	ck_assert_mem_eq(v.addrs[15].addr, "\012\017\000\001", 4);
	/* a new window carries the last answer's addresses and the cause;
	 * at 1300 the record is a window old, and the cause keeps it */
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("both.test"), 1200,
		a + 15, 1, 60));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("both.test"), 1300, &v));
	check_fields(&v, both_aged, FG_UNIT_COUNT(both_aged));
	ck_assert_mem_eq(v.cause, "\3bot\4test\0", 10);

	/* a 255-octet name leaves no room for a long cause: not noted */
	longest_name(w);
	ck_assert(!fg_tracker_set_cause(t, w, 1000, w));
	ck_assert(fg_tracker_set_cause(t, w, 1000, fg_unit_name("b.test")));
	ck_assert(fg_tracker_lookup(t, w, 1000, &v));
	ck_assert_uint_eq(v.cause_len, 8);
	ck_assert(!fg_tracker_set_cause(t, fg_unit_name("x.test"), 1000, NULL));
	fg_tracker_close(t);
}
END_TEST

/** Name i of a family of test names. */
static const uint8_t*
name_n(const char* fmt, int i)
{
	char s[64];
	snprintf(s, sizeof(s), fmt, i);
	return fg_unit_name(s);
}

START_TEST(test_eviction_order)
{
	/* capacity 16: one bucket, every name collides */
	struct fg_tracker* t = fg_unit_tracker_open(16, 100);
	struct fg_tracker_info info;
	struct fg_record_view v;
	struct fg_addr a = v4(10, 0, 0, 1, 0, NULL);
	int i;
	for(i = 0; i < 16; i++)
		ck_assert(fg_tracker_record_addrs(t, name_n("n%d.test", i),
			1000 + (uint64_t)i, &a, 1, 60));
	/* n0..n3 flagged, n4 denied, n5 allowed; scores of the others */
	for(i = 0; i < 4; i++)
		ck_assert(fg_tracker_set_verdict(t, name_n("n%d.test", i), 1000,
			90.0f, FG_VERDICT_FLAGGED));
	ck_assert(fg_tracker_set_verdict(t, name_n("n%d.test", 4), 1000, 0,
		FG_VERDICT_DENIED));
	ck_assert(fg_tracker_set_verdict(t, name_n("n%d.test", 5), 1000, 0,
		FG_VERDICT_ALLOWED));
	for(i = 6; i < 16; i++)
		ck_assert(fg_tracker_set_verdict(t, name_n("n%d.test", i), 1000,
			(float)(40 - i), FG_VERDICT_CLEAN));
	/* everyone clean but n10 answers again at 1105 */
	for(i = 6; i < 16; i++)
		if(i != 10)
			ck_assert(fg_tracker_record_addrs(t, name_n("n%d.test", i),
				1105, &a, 1, 60));
	/* 1. the stale one (n10, last seen 1010) goes first */
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("new1.test"), 1110, &a, 1, 60));
	ck_assert(!fg_tracker_lookup(t, name_n("n%d.test", 10), 1000, &v));
	ck_assert(fg_tracker_set_verdict(t, fg_unit_name("new1.test"), 1110, 50.0f,
		FG_VERDICT_CLEAN));
	/* 2. then the clean one with the lowest score: n15 (25) */
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("new2.test"), 1110, &a, 1, 60));
	ck_assert(!fg_tracker_lookup(t, name_n("n%d.test", 15), 1110, &v));
	ck_assert(fg_tracker_lookup(t, name_n("n%d.test", 14), 1110, &v));
	/* 3. new2 has no score yet (0): it goes next */
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("new3.test"), 1111, &a, 1, 60));
	ck_assert(!fg_tracker_lookup(t, fg_unit_name("new2.test"), 1111, &v));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("new1.test"), 1111, &v));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("new3.test"), 1111, &v));
	/* flagged, allowed and denied survive all of this */
	for(i = 0; i < 6; i++)
		ck_assert(fg_tracker_lookup(t, name_n("n%d.test", i), 1111, &v));
	fg_tracker_get_info(t, &info);
	ck_assert_uint_eq(info.evictions, 3);
	ck_assert_uint_eq(info.used, 16);
	ck_assert_uint_eq(info.capacity, 16);
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_full_table)
{
	struct fg_tracker* t = fg_unit_tracker_open(16, 100);
	struct fg_record_view v;
	struct fg_addr a = v4(10, 0, 0, 1, 0, NULL);
	int i;
	for(i = 0; i < 16; i++) {
		ck_assert(fg_tracker_record_addrs(t, name_n("d%d.test", i),
			10 + (uint64_t)i, &a, 1, 60));
		ck_assert(fg_tracker_set_verdict(t, name_n("d%d.test", i), 10, 0,
			i < 8 ? FG_VERDICT_DENIED : FG_VERDICT_FLAGGED));
	}
	/* all flagged (seen within the window) or denied: nothing may go,
	 * however many new names come; a flood cannot launder a flagged one */
	for(i = 0; i < 100; i++)
		ck_assert(!fg_tracker_record_addrs(t, name_n("flood%d.test", i), 30,
			&a, 1, 60));
	for(i = 0; i < 16; i++)
		ck_assert(fg_tracker_lookup(t, name_n("d%d.test", i), 30, &v));
	/* a window later without answers, the oldest flagged one (d8) goes */
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("x.test"), 130, &a, 1, 60));
	ck_assert(!fg_tracker_lookup(t, name_n("d%d.test", 8), 130, &v));
	for(i = 9; i < 16; i++)
		ck_assert(fg_tracker_record_addrs(t, name_n("d%d.test", i), 130,
			&a, 1, 60));
	for(i = 9; i < 16; i++)
		ck_assert(fg_tracker_set_verdict(t, name_n("d%d.test", i), 130, 0,
			FG_VERDICT_ALLOWED));
	ck_assert(fg_tracker_set_verdict(t, fg_unit_name("x.test"), 130, 0,
		FG_VERDICT_ALLOWED));
	/* all allowed or denied: nothing may go, the new name is not stored */
	ck_assert(!fg_tracker_record_addrs(t, fg_unit_name("y.test"), 130, &a, 1, 60));
	ck_assert(!fg_tracker_lookup(t, fg_unit_name("y.test"), 130, &v));
	/* an existing one is still updated */
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("x.test"), 130, &a, 1, 60));
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_collisions)
{
	/* 64 slots in 4 buckets, 1000 names: bounded probing, evictions */
	struct fg_tracker* t = fg_unit_tracker_open(64, 3600);
	struct fg_tracker_info info;
	struct fg_record_view v;
	int i, found = 0;
	for(i = 0; i < 1000; i++) {
		struct fg_addr a = v4(10, 0, (uint8_t)(i >> 8), (uint8_t)i, 0, NULL);
		ck_assert(fg_tracker_record_addrs(t, name_n("c%d.example", i),
			100 + (uint64_t)i, &a, 1, 60));
		/* the name just recorded is always there */
		ck_assert(fg_tracker_lookup(t, name_n("c%d.example", i),
			100 + (uint64_t)i, &v));
		ck_assert_uint_eq(v.answers, 1);
	}
	for(i = 0; i < 1000; i++)
		if(fg_tracker_lookup(t, name_n("c%d.example", i), 1100, &v)) {
			found++;
			ck_assert_uint_eq(v.n_addrs, 1);
			ck_assert_uint_eq(v.addrs[0].addr[3], (uint8_t)i);
		}
	fg_tracker_get_info(t, &info);
	ck_assert_int_eq(found, 64);
	ck_assert_uint_eq(info.used, 64);
	ck_assert_uint_eq(info.evictions, 1000 - 64);
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_ns)
{
	static const struct want first[] = {
		VIEW(ns_answers, 1), VIEW(ns_changes, 0), VIEW(ns_distinct, 2),
		VIEW(ns_ttl_min, 600), VIEW(n_glue, 2), VIEW(glue_distinct, 2),
		VIEW(glue_prefix_distinct, 1), VIEW(glue_asn_distinct, 1),
		VIEW(answers, 0) };
	/* same set, other order and case */
	static const struct want same[] = {
		VIEW(ns_answers, 2), VIEW(ns_changes, 0), VIEW(ns_ttl_min, 300) };
	static const struct want new_set[] = {
		VIEW(ns_answers, 3), VIEW(ns_changes, 1), VIEW(ns_distinct, 3),
		VIEW(glue_distinct, 3), VIEW(glue_prefix_distinct, 2),
		VIEW(glue_asn_distinct, 2), VIEW(glue[2].asn, 200) };
	/* addresses and NS of one name live side by side */
	static const struct want both[] = {
		VIEW(answers, 1), VIEW(n_addrs, 1), VIEW(n_glue, 3) };
	struct fg_tracker* t = fg_unit_tracker_open(1024, 3600);
	struct fg_record_view v;
	const uint8_t* ns1[2];
	const uint8_t* ns2[2];
	uint8_t names[4][FG_NAME_MAX_WIRE];
	struct fg_addr g[3];
	/* the NS target names are given in upper case: compared in lower */
	ck_assert(fg_name_from_str("ns1.flux.test", names[0], FG_NAME_MAX_WIRE));
	ck_assert(fg_name_from_str("ns2.flux.test", names[1], FG_NAME_MAX_WIRE));
	memcpy(names[2], names[1], fg_name_wire_len(names[1], FG_NAME_MAX_WIRE));
	names[2][1] = 'N';
	names[2][2] = 'S';
	ck_assert(fg_name_from_str("ns3.flux.test", names[3], FG_NAME_MAX_WIRE));
	ns1[0] = names[0];
	ns1[1] = names[1];
	ns2[0] = names[2];
	ns2[1] = names[3];
	g[0] = v4(192, 0, 2, 53, 100, "NL");
	g[1] = v4(192, 0, 3, 53, 100, "NL");
	g[2] = v4(198, 18, 0, 53, 200, "US");
	ck_assert(fg_tracker_record_ns(t, fg_unit_name("flux.test"), 10, ns1, 2,
		g, 2, 600));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("flux.test"), 10, &v));
	check_fields(&v, first, FG_UNIT_COUNT(first));
	ns1[0] = names[1];
	ns1[1] = names[0];
	ck_assert(fg_tracker_record_ns(t, fg_unit_name("flux.test"), 20, ns1, 2,
		g, 2, 300));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("flux.test"), 20, &v));
	check_fields(&v, same, FG_UNIT_COUNT(same));
	ck_assert(fg_tracker_record_ns(t, fg_unit_name("flux.test"), 30, ns2, 2,
		g + 1, 2, 900));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("flux.test"), 30, &v));
	check_fields(&v, new_set, FG_UNIT_COUNT(new_set));
	ck_assert_mem_eq(v.glue[2].country, "US", 2);
	record_expect(t, "flux.test", 40, g, 1, 5, both,
		FG_UNIT_COUNT(both));
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_admin)
{
	static const struct want flagged[] = { VIEW(flagged_at, 7) };
	static const struct want unflagged[] = {
		VIEW(flagged_at, 0), VIEW(flags, FG_REC_UNFLAGGED_BY_OPERATOR) };
	const struct want info_want[] = {
		INFO(used, 9), INFO(capacity, 1024), INFO(version, FG_SEG_VERSION),
		INFO(window, 3600), INFO(generation, 1),
		INFO(writer_pid, (uint64_t)getpid()), INFO(clean_close, 0),
		INFO(bytes, FG_SEG_HEADER_SIZE + 64 * 64 + FG_SEG_JOURNAL_SIZE +
			64 * FG_SEG_BUCKET_SIZE) };
	struct fg_tracker* t = fg_unit_tracker_open(1024, 3600);
	struct fg_record_view v;
	struct fg_tracker_info info;
	struct fg_addr a = v4(10, 0, 0, 1, 0, NULL);
	uint32_t busy = 1;
	int i;
	for(i = 0; i < 10; i++)
		ck_assert(fg_tracker_record_addrs(t, name_n("a%d.test", i), 5, &a,
			1, 60));
	ck_assert(fg_tracker_set_verdict(t, fg_unit_name("a1.test"), 7, 55.5f,
		FG_VERDICT_FLAGGED));
	ck_assert(fg_tracker_set_verdict(t, fg_unit_name("a1.test"), 9, 60.0f,
		FG_VERDICT_FLAGGED));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("a1.test"), 9, &v));
	check_fields(&v, flagged, FG_UNIT_COUNT(flagged));
	ck_assert(v.score == 60.0f);
	ck_assert(fg_tracker_set_verdict(t, fg_unit_name("a1.test"), 11, 1.0f,
		FG_VERDICT_CLEAN));
	ck_assert(fg_tracker_set_flags(t, fg_unit_name("a1.test"),
		FG_REC_UNFLAGGED_BY_OPERATOR, 0));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("a1.test"), 11, &v));
	check_fields(&v, unflagged, FG_UNIT_COUNT(unflagged));
	ck_assert(!fg_tracker_set_verdict(t, fg_unit_name("absent.test"), 11,
		1.0f, FG_VERDICT_DENIED));
	ck_assert(fg_tracker_forget(t, fg_unit_name("a2.test")));
	ck_assert(!fg_tracker_forget(t, fg_unit_name("a2.test")));
	ck_assert(!fg_tracker_lookup(t, fg_unit_name("a2.test"), 11, &v));
	fg_tracker_get_info(t, &info);
	check_fields(&info, info_want, FG_UNIT_COUNT(info_want));
	ck_assert_str_eq(info.segment, fg_unit_seg);
	ck_assert_uint_gt(fg_tracker_flush(t, 0, &busy), 0);
	ck_assert_uint_eq(busy, 0);
	fg_tracker_get_info(t, &info);
	ck_assert_uint_eq(info.used, 0);
	fg_tracker_close(t);
}
END_TEST

/** Hold stripe 0 of the tracker in \p arg until released. */
struct held_stripe {
	struct fg_tracker* t;
	int locked, release;
};

static void*
hold_stripe(void* arg)
{
	struct held_stripe* h = arg;
	ck_assert(fg_segment_lock(&h->t->seg, 0));
	__atomic_store_n(&h->locked, 1, __ATOMIC_RELEASE);
	while(!__atomic_load_n(&h->release, __ATOMIC_ACQUIRE))
		usleep(1000);
	fg_segment_unlock(&h->t->seg, 0);
	return NULL;
}

START_TEST(test_flush_reports_busy_buckets)
{
	/* a writer stuck holding a lock: flush leaves its buckets (two: one
	 * bucket more than there are stripes), says how many, and a later
	 * flush takes them */
	struct fg_tracker* t = fg_unit_tracker_open(FG_SEG_BUCKET_SLOTS *
		(FG_SEG_STRIPES_MAX + 1), 300);
	struct fg_tracker_info info;
	struct held_stripe h = { t, 0, 0 };
	struct fg_addr a = v4(10, 0, 0, 1, 0, NULL);
	uint32_t busy = 0, b, expect = 0;
	pthread_t th;
	char name[32];
	int i;
	for(i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		(void)fg_tracker_record_addrs(t, fg_unit_name(name), 10, &a, 1,
			60);
	}
	for(b = 0; b < t->seg.nbuckets; b++)
		expect += fg_segment_stripe_of(&t->seg, b) == 0;
	ck_assert_uint_eq(expect, 2);
	ck_assert_int_eq(pthread_create(&th, NULL, hold_stripe, &h), 0);
	while(!__atomic_load_n(&h.locked, __ATOMIC_ACQUIRE))
		usleep(1000);
	(void)fg_tracker_flush(t, 0, &busy);
	ck_assert_uint_eq(busy, expect);
	__atomic_store_n(&h.release, 1, __ATOMIC_RELEASE);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	(void)fg_tracker_flush(t, 0, &busy);
	ck_assert_uint_eq(busy, 0);
	fg_tracker_get_info(t, &info);
	ck_assert_uint_eq(info.used, 0);
	fg_tracker_close(t);
}
END_TEST

static int
count_cb(const struct fg_record_view* r, void* arg)
{
	int* n = arg;
	ck_assert_uint_gt(r->name_len, 0);
	(*n)++;
	return *n < 5;
}

START_TEST(test_foreach)
{
	struct fg_tracker* t = fg_unit_tracker_open(1024, 100);
	struct fg_addr a = v4(10, 0, 0, 1, 0, NULL);
	int i, n = 0;
	for(i = 0; i < 10; i++)
		ck_assert(fg_tracker_record_addrs(t, name_n("f%d.test", i),
			(uint64_t)(i < 3 ? 10 : 100), &a, 1, 60));
	/* at 150 the three seen at 10 are stale */
	fg_tracker_foreach(t, 150, count_cb, &n);
	ck_assert_int_eq(n, 5); /* stopped early */
	n = -100;
	fg_tracker_foreach(t, 150, count_cb, &n);
	ck_assert_int_eq(n, -93);
	fg_tracker_close(t);
}
END_TEST

/** Write \p len octets at \p off of the segment's object. */
static void
poke(off_t off, const void* data, size_t len)
{
	int fd = open(fg_unit_seg_path(), O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, data, len, off), (ssize_t)len);
	close(fd);
}

static void
expect_attach_refused(const char* what)
{
	char err[512];
	int missing = -1;
	struct fg_tracker* t = fg_tracker_attach(fg_unit_seg, 0, &missing, err,
		sizeof(err));
	ck_assert(t == NULL);
	ck_assert_int_eq(missing, 0);
	ck_assert_msg(strstr(err, what) != NULL, "err \"%s\" lacks \"%s\"", err,
		what);
}

/** Record one name, close cleanly. */
static void
make_segment(uint32_t capacity)
{
	struct fg_tracker* t = fg_unit_tracker_open(capacity, 3600);
	struct fg_addr a = v4(10, 0, 0, 1, 0, NULL);
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("keep.test"), 5, &a, 1, 60));
	fg_tracker_close(t);
}

static void
expect_rebuilt(uint32_t capacity, uint64_t generation)
{
	struct fg_tracker* t;
	struct fg_tracker_info info;
	struct fg_record_view v;
	n_rebuild_logs = 0;
	t = fg_unit_tracker_open(capacity, 3600);
	ck_assert_int_eq(n_rebuild_logs, 1);
	ck_assert(!fg_tracker_lookup(t, fg_unit_name("keep.test"), 5, &v));
	fg_tracker_get_info(t, &info);
	ck_assert_uint_eq(info.generation, generation);
	ck_assert_uint_eq(info.used, 0);
	fg_tracker_close(t);
	/* and it is valid now */
	n_rebuild_logs = 0;
	t = fg_unit_tracker_open(capacity, 3600);
	ck_assert_int_eq(n_rebuild_logs, 0);
	fg_tracker_close(t);
}

/** Open the tracker on fg_unit_seg and expect a refusal naming \p what. */
static void
expect_open_refused(const char* what)
{
	struct fg_tracker_options o;
	char err[512];
	fg_tracker_options_init(&o, fg_unit_seg, 1024, 3600);
	ck_assert(fg_tracker_open(&o, err, sizeof(err)) == NULL);
	ck_assert_msg(strstr(err, what) != NULL, "err \"%s\" lacks \"%s\"", err,
		what);
}

START_TEST(test_corrupt_magic)
{
	/* without the magic it may be anybody's data: refused, left alone */
	uint64_t bad = 0x0123456789abcdefULL;
	struct stat before, after;
	make_segment(1024);
	poke(0, &bad, sizeof(bad));
	expect_attach_refused("wrong magic");
	ck_assert_int_eq(stat(fg_unit_seg_path(), &before), 0);
	expect_open_refused("not a fluxguard segment (wrong magic");
	ck_assert_int_eq(stat(fg_unit_seg_path(), &after), 0);
	ck_assert_int_eq(before.st_size, after.st_size);
	ck_assert_int_eq(before.st_ino, after.st_ino);
}
END_TEST

START_TEST(test_others_segment_refused)
{
	/* another user's, or one others may write: forged verdicts and held
	 * locks could come through it */
	int fd = shm_open(fg_unit_seg, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, 0666), 0);
	expect_open_refused("lets others write it");
	ck_assert_int_eq(fchmod(fd, 0600), 0);
	ck_assert_int_eq(fchown(fd, 65534, (gid_t)-1), 0);
	expect_open_refused("owned by uid 65534");
	close(fd);
}
END_TEST

START_TEST(test_stuck_lock_skipped)
{
	/* a process that holds every stripe and does not let go: the update
	 * gives up instead of waiting on it */
	struct fg_tracker* t = fg_unit_tracker_open(1024, 3600);
	struct fg_addr a = v4(10, 0, 0, 1, 0, NULL);
	int ready[2], status;
	pid_t child;
	char c;
	ck_assert_int_eq(pipe(ready), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if(child == 0) {
		uint32_t i;
		for(i = 0; i < t->seg.nstripes; i++)
			if(!fg_segment_lock(&t->seg, i))
				_exit(2);
		if(write(ready[1], "x", 1) != 1)
			_exit(3);
		sleep(3);
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert(!fg_tracker_record_addrs(t, fg_unit_name("stuck.test"), 5,
		&a, 1, 60));
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	close(ready[0]);
	close(ready[1]);
	/* and once the holder is gone, the locks recover */
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("stuck.test"), 5,
		&a, 1, 60));
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_foreign_file_kept)
{
	static const char text[] = "server:\n    interface: 127.0.0.1\n";
	char path[600], target[620], back[sizeof(text)];
	struct stat st;
	FILE* f;
	fg_unit_seg_use_file();
	/* another program's file at the segment's path: byte for byte intact,
	 * mode unchanged */
	f = fopen(fg_unit_seg, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(fg_unit_seg, 0644), 0);
	expect_open_refused("refusing to overwrite it");
	f = fopen(fg_unit_seg, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(back, 1, sizeof(back), f), sizeof(text) - 1);
	fclose(f);
	ck_assert(memcmp(back, text, sizeof(text) - 1) == 0);
	ck_assert_int_eq(stat(fg_unit_seg, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	/* a symbolic link at the path is never followed */
	snprintf(path, sizeof(path), "%s", fg_unit_seg);
	snprintf(target, sizeof(target), "%s.target", path);
	ck_assert_int_eq(rename(path, target), 0);
	ck_assert_int_eq(symlink(target, path), 0);
	expect_open_refused("cannot open or create it");
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(st.st_size, (off_t)(sizeof(text) - 1));
	unlink(path);
	unlink(target);
}
END_TEST

START_TEST(test_wrong_version)
{
	uint32_t bad = FG_SEG_VERSION + 98;
	fg_unit_seg_use_file();
	make_segment(1024);
	poke(8, &bad, sizeof(bad));
	expect_attach_refused("format version");
	expect_rebuilt(1024, 2);
}
END_TEST

START_TEST(test_wrong_slot_size)
{
	uint32_t bad = FG_SEG_SLOT_SIZE + 8;
	make_segment(1024);
	poke(16, &bad, sizeof(bad));
	expect_attach_refused("layout sizes");
	expect_rebuilt(1024, 2);
}
END_TEST

START_TEST(test_truncated)
{
	fg_unit_seg_use_file();
	make_segment(1024);
	ck_assert_int_eq(truncate(fg_unit_seg, FG_SEG_HEADER_SIZE + 100000), 0);
	expect_attach_refused("truncated");
	expect_rebuilt(1024, 2);
	ck_assert_int_eq(truncate(fg_unit_seg, 100), 0);
	expect_attach_refused("smaller than the header");
	expect_rebuilt(1024, 1);
}
END_TEST

START_TEST(test_inconsistent_geometry)
{
	uint32_t bad = 9999;
	make_segment(1024);
	poke(40, &bad, sizeof(bad)); /* nbuckets */
	expect_attach_refused("consistency");
	expect_rebuilt(1024, 2);
}
END_TEST

START_TEST(test_capacity_and_window_change)
{
	struct fg_tracker* t;
	struct fg_tracker_info info;
	struct fg_record_view v;
	make_segment(1024);
	/* another window: kept, header updated */
	t = fg_unit_tracker_open(1024, 60);
	ck_assert_int_eq(n_rebuild_logs, 0);
	ck_assert(fg_tracker_lookup(t, fg_unit_name("keep.test"), 5, &v));
	fg_tracker_get_info(t, &info);
	ck_assert_uint_eq(info.window, 60);
	fg_tracker_close(t);
	/* another capacity: rebuilt */
	expect_rebuilt(2048, 2);
	t = fg_unit_tracker_open(2048, 60);
	fg_tracker_get_info(t, &info);
	ck_assert_uint_eq(info.capacity, 2048);
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_file_persistence)
{
	struct fg_tracker* t;
	struct fg_tracker_info info;
	struct fg_record_view v;
	fg_unit_seg_use_file();
	make_segment(1024);
	t = fg_unit_tracker_open(1024, 3600);
	ck_assert(fg_tracker_lookup(t, fg_unit_name("keep.test"), 5, &v));
	ck_assert_uint_eq(v.answers, 1);
	fg_tracker_get_info(t, &info);
	ck_assert_uint_eq(info.generation, 1);
	fg_tracker_close(t);
	/* a tool sees it clean, read-only, and cannot write */
	{
		char err[256];
		int missing = -1;
		struct fg_addr a = v4(10, 0, 0, 2, 0, NULL);
		t = fg_tracker_attach(fg_unit_seg, 0, &missing, err, sizeof(err));
		ck_assert_msg(t != NULL, "%s", err);
		fg_tracker_get_info(t, &info);
		ck_assert_int_eq(info.clean_close, 1);
		ck_assert(fg_tracker_lookup(t, fg_unit_name("keep.test"), 5, &v));
		ck_assert(!fg_tracker_record_addrs(t, fg_unit_name("keep.test"), 6, &a, 1, 1));
		fg_tracker_close(t);
		t = fg_tracker_attach(fg_unit_seg, 1, &missing, err, sizeof(err));
		ck_assert_msg(t != NULL, "%s", err);
		ck_assert(fg_tracker_set_verdict(t, fg_unit_name("keep.test"), 6, 0,
			FG_VERDICT_DENIED));
		fg_tracker_close(t);
	}
	t = fg_unit_tracker_open(1024, 3600);
	ck_assert(fg_tracker_lookup(t, fg_unit_name("keep.test"), 5, &v));
	ck_assert_uint_eq(v.verdict, FG_VERDICT_DENIED);
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_attach_missing)
{
	char err[256];
	int missing = 0;
	ck_assert(fg_tracker_attach(fg_unit_seg, 0, &missing, err, sizeof(err)) == NULL);
	ck_assert_int_eq(missing, 1);
	ck_assert(strstr(err, fg_unit_seg) != NULL);
}
END_TEST

START_TEST(test_bad_input)
{
	struct fg_tracker* t = fg_unit_tracker_open(1024, 3600);
	struct fg_record_view v;
	struct fg_addr a = v4(10, 0, 0, 1, 0, NULL);
	uint8_t bad[4] = { 64, 'a', 'b', 0 };
	ck_assert(!fg_tracker_record_addrs(t, bad, 1, &a, 1, 1));
	ck_assert(!fg_tracker_lookup(t, bad, 1, &v));
	ck_assert(!fg_tracker_record_addrs(t, fg_unit_name("x.test"), 1, NULL, 1, 1));
	a.family = 5; /* ignored, but the answer counts */
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("x.test"), 1, &a, 1, 1));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("x.test"), 1, &v));
	ck_assert_uint_eq(v.answers, 1);
	ck_assert_uint_eq(v.n_addrs, 0);
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_operator_verdict)
{
	struct fg_tracker* t = fg_unit_tracker_open(64, 3600);
	struct fg_record_view v;
	struct fg_journal_entry e;
	/* not tracked yet: the operator's verdict creates the record */
	ck_assert(fg_tracker_set_operator_verdict(t, fg_unit_name("Deny.Example"), 1000,
		FG_VERDICT_DENIED));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("deny.example"), 1000, &v));
	ck_assert_uint_eq(v.verdict, FG_VERDICT_DENIED);
	ck_assert_uint_eq(v.answers, 0);
	/* sticky: still there a window later */
	ck_assert(fg_tracker_lookup(t, fg_unit_name("deny.example"), 1000 + 7200, &v));
	/* unflag: clean, marked */
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("bot.example"), 1000, NULL, 0, 60));
	ck_assert(fg_tracker_set_verdict(t, fg_unit_name("bot.example"), 1000, 90,
		FG_VERDICT_FLAGGED));
	ck_assert(fg_tracker_set_operator_verdict(t, fg_unit_name("bot.example"), 1001,
		FG_VERDICT_CLEAN));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("bot.example"), 1001, &v));
	ck_assert_uint_eq(v.verdict, FG_VERDICT_CLEAN);
	ck_assert_uint_eq(v.flagged_at, 0);
	ck_assert(v.flags & FG_REC_UNFLAGGED_BY_OPERATOR);
	/* and its window starts afresh: the evidence it overrules is gone */
	ck_assert_uint_eq(v.window_start, 1001);
	ck_assert_uint_eq(v.answers, 0);
	/* a flag is no operator verdict */
	ck_assert(!fg_tracker_set_operator_verdict(t, fg_unit_name("x.example"), 1,
		FG_VERDICT_FLAGGED));
	/* each change is in the journal, lower case */
	ck_assert_uint_eq(fg_tracker_journal_head(t), 2);
	ck_assert_int_eq(fg_tracker_journal_read(t, 1, &e), 1);
	ck_assert_int_eq(e.op, FG_JOURNAL_DENY);
	ck_assert_mem_eq(e.name, "\4deny\7example\0", 14);
	ck_assert_int_eq(fg_tracker_journal_read(t, 2, &e), 1);
	ck_assert_int_eq(e.op, FG_JOURNAL_UNFLAG);
	fg_tracker_close(t);
}
END_TEST

/* A new segment's memory is reserved at creation, not on first write: a
 * sparse object on a tmpfs that fills up would be a SIGBUS in the resolver. */
START_TEST(test_memory_reserved)
{
	struct fg_tracker* t = fg_unit_tracker_open(100000, 3600);
	struct fg_tracker_info info;
	struct stat st;
	fg_tracker_get_info(t, &info);
	ck_assert_int_eq(stat(fg_unit_seg_path(), &st), 0);
	ck_assert_uint_eq((uint64_t)st.st_size, info.bytes);
	ck_assert_msg((uint64_t)st.st_blocks * 512 >= info.bytes,
		"%llu of %llu octets reserved", (unsigned long long)st.st_blocks *
		512, (unsigned long long)info.bytes);
	fg_tracker_close(t);
}
END_TEST

/** Kilobytes of \p field ("ShmemPmdMapped:") summed over this process's
 * mappings of the test's segment, or -1 if there is none. */
static long
smaps_kb(const char* field)
{
	FILE* f = fopen("/proc/self/smaps", "r");
	char line[FG_UNIT_PATH_MAX + 128], path[FG_UNIT_PATH_MAX + 32];
	int in = 0;
	long kb = -1;
	ck_assert_ptr_nonnull(f);
	ck_assert((size_t)snprintf(path, sizeof(path), "%s\n",
		fg_unit_seg_path()) < sizeof(path));
	while(fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		unsigned long lo, hi;
		if(sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			/* a mapping's first line ends with its path */
			in = n >= strlen(path) &&
				strcmp(line + n - strlen(path), path) == 0;
			continue;
		}
		if(in && strncmp(line, field, strlen(field)) == 0)
			kb = (kb < 0 ? 0 : kb) + strtol(line + strlen(field), NULL, 10);
	}
	fclose(f);
	return kb;
}

/* huge_pages: either every 2 MiB range of the table is mapped huge, as the
 * tracker says, or the tracker says it is not and one warning says why;
 * either way the table works. */
START_TEST(test_huge_pages)
{
	struct fg_tracker_options o;
	struct fg_tracker* t;
	struct fg_tracker_info info;
	struct fg_record_view rec;
	char err[512];
	long kb;
	fg_tracker_options_init(&o, fg_unit_seg, 20000, 3600); /* ~10 MiB */
	o.huge_pages = 1;
	t = fg_tracker_open(&o, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	fg_tracker_get_info(t, &info);
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("huge.example"), 1000, NULL,
		0, 60));
	ck_assert(fg_tracker_lookup(t, fg_unit_name("huge.example"), 1000, &rec));
	kb = smaps_kb("ShmemPmdMapped:");
	if(fg_tracker_huge_pages(t)) {
		ck_assert_msg(kb >= (long)(info.bytes >> 21) * 2048,
			"%ld KiB mapped huge of %llu octets", kb,
			(unsigned long long)info.bytes);
	} else {
		ck_assert_ptr_nonnull(strstr(last_log, "4 KiB pages used: "));
		ck_assert_int_eq(kb, 0);
	}
	fg_tracker_close(t);
	/* not asked: 4 KiB pages, no warning */
	shm_unlink(fg_unit_seg);
	last_log[0] = 0;
	o.huge_pages = 0;
	t = fg_tracker_open(&o, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	ck_assert(!fg_tracker_huge_pages(t));
	ck_assert_int_eq(smaps_kb("ShmemPmdMapped:"), 0);
	ck_assert_ptr_null(strstr(last_log, "pages"));
	fg_tracker_close(t);
	/* asked, but the table is smaller than one huge page: nothing to
	 * gain and nothing to warn about */
	shm_unlink(fg_unit_seg);
	o.huge_pages = 1;
	o.capacity = 1024;
	t = fg_tracker_open(&o, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	fg_tracker_get_info(t, &info);
	ck_assert_uint_lt(info.bytes, 2u << 20);
	ck_assert(!fg_tracker_huge_pages(t));
	ck_assert_ptr_null(strstr(last_log, "pages"));
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_permissions)
{
	struct fg_tracker_options o;
	struct fg_tracker* t;
	struct stat st;
	char err[512];
	int fd;
	/* 0600 by default */
	t = fg_unit_tracker_open(64, 3600);
	fd = shm_open(fg_unit_seg, O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	close(fd);
	fg_tracker_close(t);
	shm_unlink(fg_unit_seg);
	/* 0640 with a group, on a file-backed segment */
	fg_unit_seg_use_file();
	fg_tracker_options_init(&o, fg_unit_seg, 64, 3600);
	o.mode = 0640;
	o.group = getgid() == 0 ? 1 : getgid(); /* root may give any group */
	t = fg_tracker_open(&o, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_int_eq(stat(fg_unit_seg, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0640);
	ck_assert_uint_eq(st.st_gid, o.group);
	fg_tracker_close(t);
	/* a group we may not give is a clear error, not a silent 0600 */
	if(getuid() != 0) {
		unlink(fg_unit_seg);
		o.group = 0;
		ck_assert_ptr_null(fg_tracker_open(&o, err, sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "cannot set group"));
	}
}
END_TEST

START_TEST(test_peek)
{
	struct fg_tracker* t = fg_unit_tracker_open(64, 3600);
	enum fg_verdict v;
	float score;
	ck_assert(!fg_tracker_peek(t, fg_unit_name("none.example"), 1000, &v, &score));
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("Peek.Example"), 1000, NULL, 0, 60));
	ck_assert(fg_tracker_peek(t, fg_unit_name("peek.example"), 1000, &v, &score));
	ck_assert_int_eq(v, FG_VERDICT_CLEAN);
	ck_assert(fg_tracker_set_verdict(t, fg_unit_name("peek.example"), 1001, 77.5f,
		FG_VERDICT_FLAGGED));
	ck_assert(fg_tracker_peek(t, fg_unit_name("PEEK.example"), 1001, &v, &score));
	ck_assert_int_eq(v, FG_VERDICT_FLAGGED);
	ck_assert(score == 77.5f);
	/* a flag is sticky past the window; a clean record is not */
	ck_assert(fg_tracker_peek(t, fg_unit_name("peek.example"), 1000 + 7200, &v, &score));
	ck_assert(fg_tracker_record_addrs(t, fg_unit_name("old.example"), 1000, NULL, 0, 60));
	ck_assert(!fg_tracker_peek(t, fg_unit_name("old.example"), 1000 + 3600, &v, &score));
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_journal_ring)
{
	struct fg_tracker* t = fg_unit_tracker_open(64, 3600);
	struct fg_tracker* ro;
	struct fg_journal_entry e;
	char err[256];
	int missing;
	uint64_t i;
	ck_assert_uint_eq(fg_tracker_journal_head(t), 0);
	ck_assert_int_eq(fg_tracker_journal_read(t, 1, &e), 0); /* not yet */
	ck_assert_uint_eq(fg_tracker_journal_append(t, FG_JOURNAL_FLUSH, NULL), 1);
	ck_assert_int_eq(fg_tracker_journal_read(t, 1, &e), 1);
	ck_assert_int_eq(e.op, FG_JOURNAL_FLUSH);
	ck_assert_uint_eq(e.name_len, 1);
	/* bad input is refused, not written */
	ck_assert_uint_eq(fg_tracker_journal_append(t, FG_JOURNAL_DENY, NULL), 0);
	ck_assert_uint_eq(fg_tracker_journal_append(t, (enum fg_journal_op)99,
		fg_unit_name("a.example")), 0);
	ck_assert_uint_eq(fg_tracker_journal_append(t, FG_JOURNAL_DENY,
		(const uint8_t*)"\300\014"), 0);
	/* a reader that falls more than the ring behind is told so */
	for(i = 0; i < FG_JOURNAL_ENTRIES + 10; i++)
		ck_assert(fg_tracker_journal_append(t, FG_JOURNAL_FLAG, fg_unit_name("f.example")));
	ck_assert_int_eq(fg_tracker_journal_read(t, 1, &e), -1);
	ck_assert_int_eq(fg_tracker_journal_read(t, 11, &e), -1);
	ck_assert_int_eq(fg_tracker_journal_read(t, 12, &e), 1);
	ck_assert_int_eq(fg_tracker_journal_read(t, fg_tracker_journal_head(t), &e), 1);
	/* a damaged entry in shared memory reads as lost, not as garbage */
	ro = fg_tracker_attach(fg_unit_seg, 0, &missing, err, sizeof(err));
	ck_assert_msg(ro != NULL, "%s", err);
	{
		uint8_t* base;
		int fd = shm_open(fg_unit_seg, O_RDWR, 0);
		struct fg_seg_header* h;
		struct fg_seg_journal_entry* je;
		uint64_t head = fg_tracker_journal_head(t);
		ck_assert_int_ge(fd, 0);
		base = mmap(NULL, FG_SEG_HEADER_SIZE + 64 * 64 + FG_SEG_JOURNAL_SIZE,
			PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ck_assert(base != MAP_FAILED);
		h = (struct fg_seg_header*)base;
		je = (struct fg_seg_journal_entry*)(base + h->journal_off);
		je[(head - 1) % FG_JOURNAL_ENTRIES].name[0] = 0xc0;
		ck_assert_int_eq(fg_tracker_journal_read(ro, head, &e), -1);
		je[(head - 1) % FG_JOURNAL_ENTRIES].op = 0;
		ck_assert_int_eq(fg_tracker_journal_read(ro, head, &e), -1);
		munmap(base, FG_SEG_HEADER_SIZE + 64 * 64 + FG_SEG_JOURNAL_SIZE);
		close(fd);
	}
	/* read-only attachers cannot write */
	ck_assert_uint_eq(fg_tracker_journal_append(ro, FG_JOURNAL_FLUSH, NULL), 0);
	fg_tracker_close(ro);
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_counters_and_config)
{
	struct fg_tracker* t = fg_unit_tracker_open(64, 3600);
	struct fg_tracker* ro;
	unsigned char resettable[3] = { 1, 0, 1 };
	uint64_t v[3];
	char err[256], text[64];
	int64_t pid;
	uint64_t started;
	int missing;
	fg_tracker_count(t, 0, 5);
	fg_tracker_count(t, 1, 7);
	fg_tracker_count(t, 1, 1);
	fg_tracker_count(t, FG_SEG_COUNTERS_SLOTS, 1); /* out of range: ignored */
	ro = fg_tracker_attach(fg_unit_seg, 0, &missing, err, sizeof(err));
	ck_assert_msg(ro != NULL, "%s", err);
	/* a read-only reader never resets, nor counts */
	fg_tracker_count(ro, 0, 100);
	fg_tracker_counters_read(ro, v, 3, 1, resettable);
	ck_assert_uint_eq(v[0], 5);
	ck_assert_uint_eq(v[1], 8);
	ck_assert_uint_eq(v[2], 0);
	/* a reset zeroes only the resettable ones */
	fg_tracker_counters_read(t, v, 3, 1, resettable);
	ck_assert_uint_eq(v[0], 5);
	fg_tracker_counters_read(t, v, 3, 0, resettable);
	ck_assert_uint_eq(v[0], 0);
	ck_assert_uint_eq(v[1], 8);
	/* the config in force */
	ck_assert(!fg_tracker_read_config(ro, &pid, &started, text, sizeof(text)));
	fg_tracker_publish_config(t, 4242, 1234, "fluxguard:\n\taction: refuse\n");
	ck_assert(fg_tracker_read_config(ro, &pid, &started, text, sizeof(text)));
	ck_assert_int_eq(pid, 4242);
	ck_assert_uint_eq(started, 1234);
	ck_assert_str_eq(text, "fluxguard:\n\taction: refuse\n");
	/* a small buffer truncates, NUL-terminated */
	ck_assert(fg_tracker_read_config(ro, &pid, &started, text, 5));
	ck_assert_str_eq(text, "flux");
	fg_tracker_close(ro);
	fg_tracker_close(t);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* table_tests[] = { test_insert_and_lookup, test_update,
		test_repeats_and_view, test_many_addresses_estimated,
		test_long_name_and_ipv6, test_window_expiry,
		test_eviction_order, test_full_table, test_collisions,
		test_ns, test_admin, test_foreach, test_bad_input,
		test_operator_verdict, test_permissions, test_memory_reserved,
		test_huge_pages, test_peek, test_journal_ring,
		test_counters_and_config, test_cause };
	const TTest* segment_tests[] = { test_corrupt_magic, test_foreign_file_kept,
		test_others_segment_refused, test_stuck_lock_skipped,
		test_wrong_version, test_wrong_slot_size, test_truncated,
		test_inconsistent_geometry, test_capacity_and_window_change,
		test_file_persistence, test_attach_missing,
		test_flush_reports_busy_buckets };
	Suite* s = suite_create("tracker");
	fg_unit_tcase(s, "table", setup, teardown,
		table_tests, FG_UNIT_COUNT(table_tests));
	fg_unit_tcase(s, "segment", setup, teardown,
		segment_tests, FG_UNIT_COUNT(segment_tests));
	return s;
}
