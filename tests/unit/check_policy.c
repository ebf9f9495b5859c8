/**
 * \file
 * Unit tests for the allow/deny lists (core/policy.c): subtree and exact
 * names, case, ASN and CIDR matching for IPv4 and IPv6, precedence, list files
 * and their errors, and building from a parsed config.
 */
#include "fluxguard/conffile.h"
#include "fluxguard/log.h"
#include "fluxguard/name.h"
#include "fluxguard/policy.h"
#include "unit.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** Match a presentation-format name, sent in wire format with its case
 * kept (fg_unit_name). */
static enum fg_list
match(const struct fg_policy* p, const char* name)
{
	return fg_policy_match_name(p, fg_unit_name(name));
}

/** What a step of a name test does. */
enum step_op {
	/** add the entry to the list */
	ADD,
	/** match the name and expect the list */
	MATCH
};

/** One step of a name test: entries and the names they must (not) match,
 * in the order the test builds the lists. */
struct name_step {
	/** ADD or MATCH */
	enum step_op op;
	/** the list added to, or expected */
	enum fg_list list;
	/** the entry, or the name (any case; "" is the root) */
	const char* text;
};

/** Run the \p n steps of \p steps on \p p. */
static void
run_steps(struct fg_policy* p, const struct name_step* steps, size_t n)
{
	size_t i;
	for(i = 0; i < n; i++) {
		if(steps[i].op == ADD) {
			fg_unit_list_add(p, steps[i].list, steps[i].text);
			continue;
		}
		ck_assert_msg(match(p, steps[i].text) == steps[i].list,
			"step %zu: \"%s\": expected list %d", i, steps[i].text,
			(int)steps[i].list);
	}
}

/** Up to three addresses of one answer, and the list it must match. */
struct addrs_case {
	/** the answer's addresses (presentation form, and ASN), ip NULL
	 * after the last */
	struct {
		/** the address */
		const char* ip;
		/** its ASN, 0 for unknown */
		uint32_t asn;
	} a[3];
	/** what fg_policy_match_addrs must say */
	enum fg_list want;
};

/** Check fg_policy_match_addrs on each of the \p n answers of \p c. */
static void
check_addrs(const struct fg_policy* p, const struct addrs_case* c, size_t n)
{
	size_t i, k;
	for(i = 0; i < n; i++) {
		struct fg_addr a[3];
		for(k = 0; k < 3 && c[i].a[k].ip; k++)
			a[k] = fg_unit_addr(c[i].a[k].ip, c[i].a[k].asn, NULL);
		ck_assert_msg(fg_policy_match_addrs(p, a, k) == c[i].want,
			"case %zu (%s, %zu addresses): expected list %d", i,
			k ? c[i].a[0].ip : "none", k, (int)c[i].want);
	}
}

START_TEST(test_subtree_and_exact)
{
	static const struct name_step steps[] = {
		{ MATCH, FG_LIST_NONE, "www.example.com" },
		{ ADD, FG_LIST_ALLOW, "example.com" },
		{ ADD, FG_LIST_DENY, "exact:www.bad.net" },
		{ MATCH, FG_LIST_ALLOW, "example.com" },
		{ MATCH, FG_LIST_ALLOW, "www.example.com" },
		{ MATCH, FG_LIST_ALLOW, "a.b.c.example.com" },
		{ MATCH, FG_LIST_NONE, "badexample.com" },
		{ MATCH, FG_LIST_NONE, "com" },
		{ MATCH, FG_LIST_NONE, "" },
		{ MATCH, FG_LIST_DENY, "www.bad.net" },
		{ MATCH, FG_LIST_NONE, "a.www.bad.net" },
		{ MATCH, FG_LIST_NONE, "bad.net" } };
	struct fg_policy* p = fg_policy_create();
	ck_assert_ptr_nonnull(p);
	run_steps(p, steps, FG_UNIT_COUNT(steps));
	/* a malformed name matches nothing */
	ck_assert_int_eq(fg_policy_match_name(p,
		(const uint8_t*)"\7example\300\014"), FG_LIST_NONE);
	ck_assert_uint_eq(fg_policy_count(p, FG_LIST_ALLOW), 1);
	ck_assert_uint_eq(fg_policy_count(p, FG_LIST_DENY), 1);
	fg_policy_delete(p);
	fg_policy_delete(NULL);
}
END_TEST

START_TEST(test_case_insensitive)
{
	static const struct name_step steps[] = {
		{ ADD, FG_LIST_DENY, "Evil.EXAMPLE.org." },
		{ ADD, FG_LIST_ALLOW, "EXACT:Good.Example.ORG" },
		{ MATCH, FG_LIST_DENY, "WWW.evil.example.ORG" },
		{ MATCH, FG_LIST_DENY, "evil.example.org" },
		{ MATCH, FG_LIST_ALLOW, "gOOd.eXample.org" },
		/* the same entry twice, in another case, counts once */
		{ ADD, FG_LIST_DENY, "evil.example.org" } };
	struct fg_policy* p = fg_policy_create();
	run_steps(p, steps, FG_UNIT_COUNT(steps));
	ck_assert_uint_eq(fg_policy_count(p, FG_LIST_DENY), 1);
	fg_policy_delete(p);
}
END_TEST

START_TEST(test_name_precedence)
{
	static const struct name_step steps[] = {
		/* the most specific entry wins */
		{ ADD, FG_LIST_DENY, "example.com" },
		{ ADD, FG_LIST_ALLOW, "cdn.example.com" },
		{ MATCH, FG_LIST_DENY, "www.example.com" },
		{ MATCH, FG_LIST_ALLOW, "cdn.example.com" },
		{ MATCH, FG_LIST_ALLOW, "img.cdn.example.com" },
		{ ADD, FG_LIST_DENY, "bad.cdn.example.com" },
		{ MATCH, FG_LIST_DENY, "x.bad.cdn.example.com" },
		/* equal specificity: deny wins */
		{ ADD, FG_LIST_ALLOW, "both.org" },
		{ ADD, FG_LIST_DENY, "both.org" },
		{ MATCH, FG_LIST_DENY, "www.both.org" },
		{ ADD, FG_LIST_DENY, "exact:x.both2.org" },
		{ ADD, FG_LIST_ALLOW, "exact:x.both2.org" },
		{ MATCH, FG_LIST_DENY, "x.both2.org" },
		/* exact beats a subtree entry for the same name, only for
		 * that name */
		{ ADD, FG_LIST_DENY, "shop.net" },
		{ ADD, FG_LIST_ALLOW, "exact:shop.net" },
		{ MATCH, FG_LIST_ALLOW, "shop.net" },
		{ MATCH, FG_LIST_DENY, "www.shop.net" },
		/* exact beats a parent's subtree entry */
		{ ADD, FG_LIST_ALLOW, "exact:login.example.com" },
		{ MATCH, FG_LIST_ALLOW, "login.example.com" },
		{ MATCH, FG_LIST_DENY, "a.login.example.com" } };
	struct fg_policy* p = fg_policy_create();
	run_steps(p, steps, FG_UNIT_COUNT(steps));
	fg_policy_delete(p);
}
END_TEST

START_TEST(test_asn)
{
	static const struct addrs_case cases[] = {
		/* allow: all addresses within allowed ASNs */
		{ { { "192.0.2.1", 13335 }, { "2001:db8::1", 15169 } },
			FG_LIST_ALLOW },
		{ { { "192.0.2.1", 13335 }, { "2001:db8::1", 15169 },
			{ "198.51.100.1", 64500 } }, FG_LIST_NONE },
		{ { { NULL, 0 } }, FG_LIST_NONE },
		/* deny: any address in a denied ASN, and deny wins over allow */
		{ { { "192.0.2.1", 13335 }, { "2001:db8::1", 15169 },
			{ "198.51.100.1", 64496 } }, FG_LIST_DENY },
		{ { { "198.51.100.1", 64496 } }, FG_LIST_DENY },
		/* unknown ASN matches nothing */
		{ { { "192.0.2.1", 0 }, { "2001:db8::1", 15169 } },
			FG_LIST_NONE } };
	struct fg_policy* p = fg_policy_create();
	fg_unit_list_add(p, FG_LIST_ALLOW, "AS13335");
	fg_unit_list_add(p, FG_LIST_ALLOW, "as15169");
	fg_unit_list_add(p, FG_LIST_DENY, "As64496");
	check_addrs(p, cases, FG_UNIT_COUNT(cases));
	ck_assert_uint_eq(fg_policy_count(p, FG_LIST_ALLOW), 2);
	/* names are untouched by ASN entries */
	ck_assert_int_eq(match(p, "as13335"), FG_LIST_NONE);
	fg_policy_delete(p);
}
END_TEST

START_TEST(test_cidr_v4)
{
	static const struct addrs_case cases[] = {
		{ { { "192.0.2.0", 0 } }, FG_LIST_DENY },
		{ { { "192.0.2.255", 0 } }, FG_LIST_DENY },
		{ { { "192.0.3.0", 0 } }, FG_LIST_NONE },
		{ { { "192.0.1.255", 0 } }, FG_LIST_NONE },
		{ { { "203.0.113.7", 0 } }, FG_LIST_DENY },
		{ { { "203.0.113.8", 0 } }, FG_LIST_NONE },
		/* nested allow prefixes merge; all addresses must be inside */
		{ { { "10.1.2.3", 0 }, { "10.200.0.1", 0 } }, FG_LIST_ALLOW },
		{ { { "10.1.2.3", 0 }, { "172.31.255.255", 0 } }, FG_LIST_ALLOW },
		{ { { "10.1.2.3", 0 }, { "172.32.0.0", 0 } }, FG_LIST_NONE },
		/* deny anywhere in the answer wins */
		{ { { "10.1.2.3", 0 }, { "192.0.2.9", 0 } }, FG_LIST_DENY },
		/* an IPv6 address is not in an IPv4 prefix */
		{ { { "::ffff:10.0.0.1", 0 } }, FG_LIST_NONE } };
	static const struct addrs_case everything[] = {
		{ { { "255.255.255.255", 0 } }, FG_LIST_ALLOW } };
	struct fg_policy* p = fg_policy_create();
	fg_unit_list_add(p, FG_LIST_DENY, "192.0.2.0/24");
	fg_unit_list_add(p, FG_LIST_DENY, "203.0.113.7");
	fg_unit_list_add(p, FG_LIST_ALLOW, "10.0.0.0/8");
	fg_unit_list_add(p, FG_LIST_ALLOW, "10.1.0.0/16");
	fg_unit_list_add(p, FG_LIST_ALLOW, "172.16.0.0/12");
	check_addrs(p, cases, FG_UNIT_COUNT(cases));
	ck_assert_uint_eq(fg_policy_count(p, FG_LIST_ALLOW), 3);
	fg_unit_list_add(p, FG_LIST_ALLOW, "0.0.0.0/0");
	check_addrs(p, everything, FG_UNIT_COUNT(everything));
	fg_policy_delete(p);
}
END_TEST

START_TEST(test_cidr_v6)
{
	static const struct addrs_case cases[] = {
		{ { { "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 0 } },
			FG_LIST_DENY },
		{ { { "2001:db9::", 0 } }, FG_LIST_NONE },
		{ { { "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", 0 } },
			FG_LIST_NONE },
		{ { { "2a00:1450:4001:80b::200e", 0 },
			{ "2606:4700::6810:84e5", 0 } }, FG_LIST_ALLOW },
		{ { { "2a00:1450:4001:80b::200e", 0 },
			{ "2606:4700::6810:84e6", 0 } }, FG_LIST_NONE },
		/* a /31 spans two /32s */
		{ { { "2a00:1450:4001:80b::200e", 0 },
			{ "2400:cb01:ffff::1", 0 } }, FG_LIST_ALLOW },
		{ { { "2a00:1450:4001:80b::200e", 0 },
			{ "2400:cb02::", 0 } }, FG_LIST_NONE } };
	/* mixed families in one answer */
	static const struct addrs_case mixed[] = {
		{ { { "2a00:1450:4001:80b::200e", 0 },
			{ "198.51.100.20", 0 } }, FG_LIST_ALLOW } };
	struct fg_policy* p = fg_policy_create();
	fg_unit_list_add(p, FG_LIST_DENY, "2001:db8::/32");
	fg_unit_list_add(p, FG_LIST_DENY, "2001:db8:ffff::/48");
	fg_unit_list_add(p, FG_LIST_ALLOW, "2a00:1450:4001::/48");
	fg_unit_list_add(p, FG_LIST_ALLOW, "2606:4700::6810:84e5");
	fg_unit_list_add(p, FG_LIST_ALLOW, "2400:cb00::/31");
	check_addrs(p, cases, FG_UNIT_COUNT(cases));
	fg_unit_list_add(p, FG_LIST_ALLOW, "198.51.100.0/24");
	check_addrs(p, mixed, FG_UNIT_COUNT(mixed));
	fg_policy_delete(p);
}
END_TEST

START_TEST(test_allow_mixes_asn_and_cidr)
{
	static const struct addrs_case cases[] = {
		{ { { "104.16.0.1", 13335 }, { "198.51.100.1", 0 } },
			FG_LIST_ALLOW },
		{ { { "104.16.0.1", 13335 }, { "198.51.101.1", 0 } },
			FG_LIST_NONE } };
	struct fg_policy* p = fg_policy_create();
	fg_unit_list_add(p, FG_LIST_ALLOW, "AS13335");
	fg_unit_list_add(p, FG_LIST_ALLOW, "198.51.100.0/24");
	check_addrs(p, cases, FG_UNIT_COUNT(cases));
	fg_policy_delete(p);
}
END_TEST

/** Expect an entry to be refused with exactly \p want. */
static void
bad_entry(const char* entry, const char* want)
{
	struct fg_policy* p = fg_policy_create();
	char err[256];
	ck_assert_msg(!fg_policy_entry_check(entry, err, sizeof(err)),
		"accepted \"%s\"", entry);
	ck_assert_str_eq(err, want);
	ck_assert(!fg_policy_add(p, FG_LIST_DENY, entry, err, sizeof(err)));
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(fg_policy_count(p, FG_LIST_DENY), 0);
	fg_policy_delete(p);
}

START_TEST(test_entry_errors)
{
	const char* any = "expected a domain name, exact:NAME, ASnnn, an "
		"address or a CIDR prefix, got \"%s\"";
	static const char* const unknown[] = { "", "a..b", "a b", "exact:",
		"exact:a..b", "exct:foo.com", "zz::1" };
	char want[256];
	size_t i;
	char err[256];
	for(i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		snprintf(want, sizeof(want), any, unknown[i]);
		bad_entry(unknown[i], want);
	}
	bad_entry(".", "the root \".\" would match every name, got \".\"");
	bad_entry("exact:.", "the root \".\" would match every name, got \"exact:.\"");
	bad_entry("AS0", "expected an AS number between 1 and 4294967295, got \"AS0\"");
	bad_entry("as4294967296",
		"expected an AS number between 1 and 4294967295, got \"as4294967296\"");
	bad_entry("192.0.2.0/33",
		"expected a prefix length between 0 and 32, got \"192.0.2.0/33\"");
	bad_entry("192.0.2.0/",
		"expected a prefix length between 0 and 32, got \"192.0.2.0/\"");
	bad_entry("192.0.2.0/2x",
		"expected a prefix length between 0 and 32, got \"192.0.2.0/2x\"");
	bad_entry("2001:db8::/129",
		"expected a prefix length between 0 and 128, got \"2001:db8::/129\"");
	bad_entry("192.0.2.1/24",
		"expected the first address of the /24 (host bits zero), got \"192.0.2.1/24\"");
	bad_entry("2001:db8::1/64",
		"expected the first address of the /64 (host bits zero), got \"2001:db8::1/64\"");
	bad_entry("300.0.0.0/8",
		"expected an IPv4 or IPv6 address before the '/', got \"300.0.0.0/8\"");
	/* valid ones */
	ck_assert(fg_policy_entry_check("as4294967295", err, sizeof(err)));
	ck_assert(fg_policy_entry_check("as12x.example", err, sizeof(err)));
	ck_assert(fg_policy_entry_check("::/0", err, sizeof(err)));
	ck_assert(fg_policy_entry_check("2001:db8::/32", err, sizeof(err)));
	ck_assert(fg_policy_entry_check("_dmarc.example.com", err, sizeof(err)));
}
END_TEST

/** What the lists logged during a test, one line each. */
static char logged[4096];

static void
capture_log(enum fg_log_level level, const char* msg)
{
	size_t used = strlen(logged);
	(void)level;
	snprintf(logged + used, sizeof(logged) - used, "%s\n", msg);
}

START_TEST(test_list_file)
{
	static const struct addrs_case denied[] = {
		{ { { "192.0.2.5", 0 } }, FG_LIST_DENY },
		{ { { "203.0.113.1", 64496 } }, FG_LIST_DENY } };
	struct fg_policy* p = fg_policy_create();
	char err[512], want[600];
	const char* path = fg_unit_write_file("deny.txt",
		"# deny list\n"
		"\n"
		"evil.example   # a trailing comment\n"
		"   exact:one.example.net\r\n"
		"\tAS64496\n"
		"192.0.2.0/24\n"
		"2001:db8::/32\n");
	ck_assert_msg(fg_policy_load_file(p, FG_LIST_DENY, path, err,
		sizeof(err)), "%s", err);
	ck_assert_int_eq(match(p, "www.evil.example"), FG_LIST_DENY);
	ck_assert_int_eq(match(p, "one.example.net"), FG_LIST_DENY);
	ck_assert_int_eq(match(p, "two.example.net"), FG_LIST_NONE);
	check_addrs(p, denied, FG_UNIT_COUNT(denied));
	ck_assert_uint_eq(fg_policy_count(p, FG_LIST_DENY), 5);

	/* a bad line: skipped, named by file and line, counted; the lines
	 * before and after it load */
	path = fg_unit_write_file("allow.txt",
		"# allow list\n"
		"good.example\n"
		"\n"
		"192.0.2.1/24  # oops\n"
		"never.example\n");
	logged[0] = 0;
	fg_log_set_sink(capture_log);
	ck_assert_msg(fg_policy_load_file(p, FG_LIST_ALLOW, path, err,
		sizeof(err)), "%s", err);
	snprintf(want, sizeof(want), "%s:4: entry: expected the first address "
		"of the /24 (host bits zero), got \"192.0.2.1/24\"; line skipped\n"
		"%s: 1 of 5 lines skipped as bad (the first at line 4); the rest "
		"loaded\n", path, path);
	ck_assert_str_eq(logged, want);
	ck_assert_int_eq(match(p, "good.example"), FG_LIST_ALLOW);
	ck_assert_int_eq(match(p, "never.example"), FG_LIST_ALLOW);
	ck_assert_uint_eq(fg_policy_bad_lines(p), 1);

	/* many bad lines: the first five named, all counted, one summary */
	path = fg_unit_write_file("two.txt", "a.example b.example\nx y\n"
		"AS0\n1.2.3.4/33\nexact:\nAS99999999999\n10.0.0.1/8\n"
		"last.example\n");
	logged[0] = 0;
	ck_assert(fg_policy_load_file(p, FG_LIST_ALLOW, path, err, sizeof(err)));
	fg_log_set_sink(NULL);
	snprintf(want, sizeof(want), "%s:1: entry: expected a domain name, "
		"exact:NAME, ASnnn, an address or a CIDR prefix, got "
		"\"a.example b.example\"; line skipped\n", path);
	ck_assert_ptr_nonnull(strstr(logged, want));
	ck_assert_ptr_null(strstr(logged, ":6: entry"));
	snprintf(want, sizeof(want), "%s: 7 of 8 lines skipped as bad (the "
		"first at line 1); the rest loaded\n", path);
	ck_assert_msg(strstr(logged, want) != NULL, "%s", logged);
	ck_assert_uint_eq(fg_policy_bad_lines(p), 8);
	ck_assert_int_eq(match(p, "last.example"), FG_LIST_ALLOW);

	snprintf(want, sizeof(want), "%s/missing.txt", fg_unit_dir);
	ck_assert(!fg_policy_load_file(p, FG_LIST_ALLOW, want, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "missing.txt: cannot open: No such "
		"file or directory"));
	fg_policy_delete(p);
}
END_TEST

START_TEST(test_from_config)
{
	struct fg_config cfg;
	struct fg_policy* p;
	char err[512], want[700];
	const char* conf;
	fg_unit_write_file("deny.txt", "bad.example\nAS64496\n");
	fg_unit_write_file("allow.txt", "# nothing but a comment\nok.bad.example\n");
	conf = fg_unit_write_file("fluxguard.conf",
		"fluxguard:\n"
		"allow: 10.0.0.0/8\n"
		"deny: exact:x.example\n"
		"deny-file: deny.txt\n"
		"allow-file: allow.txt\n");
	ck_assert_msg(fg_conf_load(conf, &cfg, err, sizeof(err)), "%s", err);
	p = fg_policy_from_config(&cfg, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_int_eq(match(p, "www.bad.example"), FG_LIST_DENY);
	ck_assert_int_eq(match(p, "ok.bad.example"), FG_LIST_ALLOW);
	ck_assert_int_eq(match(p, "x.example"), FG_LIST_DENY);
	ck_assert_uint_eq(fg_policy_count(p, FG_LIST_DENY), 3);
	ck_assert_uint_eq(fg_policy_count(p, FG_LIST_ALLOW), 2);
	fg_policy_delete(p);
	fg_conf_free(&cfg);

	/* a missing list file is named with the config line that names it */
	conf = fg_unit_write_file("fluxguard.conf",
		"fluxguard:\n\ndeny-file: nope.txt\n");
	ck_assert_msg(fg_conf_load(conf, &cfg, err, sizeof(err)), "%s", err);
	ck_assert_ptr_null(fg_policy_from_config(&cfg, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:3: deny-file: cannot open \"%s/nope.txt\": "
		"No such file or directory", conf, fg_unit_dir);
	ck_assert_str_eq(err, want);
	fg_conf_free(&cfg);

	/* a bad line in a list file is skipped and named by the list file */
	fg_unit_write_file("deny.txt", "ok.example\n\nAS0\n");
	conf = fg_unit_write_file("fluxguard.conf", "fluxguard:\ndeny-file: deny.txt\n");
	ck_assert_msg(fg_conf_load(conf, &cfg, err, sizeof(err)), "%s", err);
	logged[0] = 0;
	fg_log_set_sink(capture_log);
	p = fg_policy_from_config(&cfg, err, sizeof(err));
	fg_log_set_sink(NULL);
	ck_assert_msg(p != NULL, "%s", err);
	snprintf(want, sizeof(want), "%s/deny.txt:3: entry: expected an AS "
		"number between 1 and 4294967295, got \"AS0\"; line skipped",
		fg_unit_dir);
	ck_assert_ptr_nonnull(strstr(logged, want));
	ck_assert_int_eq(match(p, "ok.example"), FG_LIST_DENY);
	ck_assert_uint_eq(fg_policy_bad_lines(p), 1);
	fg_policy_delete(p);
	fg_conf_free(&cfg);
}
END_TEST

/** Whether a.b.c.d lies in any of n random prefixes, the slow way. */
static int
brute_in(const uint32_t* net, const unsigned* len, size_t n, uint32_t x)
{
	size_t i;
	for(i = 0; i < n; i++) {
		uint32_t mask = len[i] ? 0xffffffffu << (32 - len[i]) : 0;
		if((x & mask) == net[i])
			return 1;
	}
	return 0;
}

START_TEST(test_many_entries)
{
	struct fg_policy* p = fg_policy_create();
	uint32_t net[600];
	unsigned len[600];
	char text[64];
	size_t i;
	unsigned seed = 12345;
	/* enough names to grow the hash table many times */
	for(i = 0; i < 20000; i++) {
		snprintf(text, sizeof(text), "host%u.zone%u.example", (unsigned)i,
			(unsigned)(i % 97));
		fg_unit_list_add(p, i % 2 ? FG_LIST_DENY : FG_LIST_ALLOW, text);
	}
	for(i = 0; i < 20000; i++) {
		snprintf(text, sizeof(text), "x.host%u.zone%u.example",
			(unsigned)i, (unsigned)(i % 97));
		ck_assert_int_eq(match(p, text), i % 2 ? FG_LIST_DENY :
			FG_LIST_ALLOW);
	}
	ck_assert_int_eq(match(p, "host4.zone4.example"), FG_LIST_ALLOW);
	ck_assert_int_eq(match(p, "a.host19999.zone17.example"), FG_LIST_DENY);
	ck_assert_int_eq(match(p, "host20000.zone19.example"), FG_LIST_NONE);
	ck_assert_uint_eq(fg_policy_count(p, FG_LIST_ALLOW), 10000);
	/* random, overlapping IPv4 prefixes against a brute-force check */
	for(i = 0; i < 600; i++) {
		struct in_addr ia;
		len[i] = 8 + (unsigned)(rand_r(&seed) % 25);
		net[i] = (uint32_t)rand_r(&seed) << 1 ^ (uint32_t)rand_r(&seed);
		net[i] &= 0xffffffffu << (32 - len[i]);
		ia.s_addr = htonl(net[i]);
		snprintf(text, sizeof(text), "%s/%u", inet_ntoa(ia), len[i]);
		fg_unit_list_add(p, FG_LIST_DENY, text);
	}
	for(i = 0; i < 20000; i++) {
		struct fg_addr a;
		uint32_t x = (uint32_t)rand_r(&seed) << 1 ^ (uint32_t)rand_r(&seed);
		if(i % 2)	/* half of them near a listed prefix */
			x = net[i % 600] + (x & 0x3ff);
		memset(&a, 0, sizeof(a));
		a.family = FG_AF_INET;
		a.addr[0] = (uint8_t)(x >> 24);
		a.addr[1] = (uint8_t)(x >> 16);
		a.addr[2] = (uint8_t)(x >> 8);
		a.addr[3] = (uint8_t)x;
		ck_assert_int_eq(fg_policy_match_addrs(p, &a, 1) == FG_LIST_DENY,
			brute_in(net, len, 600, x));
	}
	fg_policy_delete(p);
}
END_TEST

START_TEST(test_suffix_filter)
{
	/* A list the size of the built-in one leaves most of the name filter
	 * clear: every listed name must still match, below it too and in any
	 * case, and the names beside it must not. */
	struct fg_policy* p = fg_policy_create();
	char text[96];
	unsigned i;
	for(i = 0; i < 200; i++) {
		snprintf(text, sizeof(text), "%scdn%u.example%u.net",
			i % 3 ? "" : "exact:", i, i % 7);
		fg_unit_list_add(p, i % 2 ? FG_LIST_DENY : FG_LIST_ALLOW, text);
	}
	for(i = 0; i < 200; i++) {
		enum fg_list want = i % 2 ? FG_LIST_DENY : FG_LIST_ALLOW;
		snprintf(text, sizeof(text), "CDN%u.Example%u.NET", i, i % 7);
		ck_assert_int_eq(match(p, text), want);
		snprintf(text, sizeof(text), "a.b.cdn%u.example%u.net", i, i % 7);
		ck_assert_int_eq(match(p, text), i % 3 ? want : FG_LIST_NONE);
		snprintf(text, sizeof(text), "cdn%u.example%u.net", i, (i + 1) % 7);
		ck_assert_int_eq(match(p, text), FG_LIST_NONE);
	}
	for(i = 0; i < 20000; i++) {
		snprintf(text, sizeof(text), "m%u.bench.test", i);
		ck_assert_int_eq(match(p, text), FG_LIST_NONE);
	}
	fg_policy_delete(p);
}
END_TEST

/** What fg_policy_foreach_name visited, as "name/exact" words. */
static int
foreach_cb(const uint8_t* name, int exact, void* arg)
{
	char* log = arg, s[FG_NAME_MAX_STR];
	ck_assert(fg_name_to_str(name, s, sizeof(s)));
	snprintf(log + strlen(log), 512 - strlen(log), "%s%s/%d", log[0] ? " " :
		"", s, exact);
	return 1;
}

START_TEST(test_foreach_name)
{
	struct fg_policy* p = fg_policy_create();
	char err[256], log[512] = "";
	ck_assert(fg_policy_add(p, FG_LIST_DENY, "Bad.Example", err, sizeof(err)));
	ck_assert(fg_policy_add(p, FG_LIST_DENY, "exact:bad.example", err,
		sizeof(err)));
	ck_assert(fg_policy_add(p, FG_LIST_DENY, "AS64500", err, sizeof(err)));
	ck_assert(fg_policy_add(p, FG_LIST_ALLOW, "good.example", err,
		sizeof(err)));
	/* the deny list's names only, each way it is listed, lower case */
	fg_policy_foreach_name(p, FG_LIST_DENY, foreach_cb, log);
	ck_assert_str_eq(log, "bad.example./0 bad.example./1");
	log[0] = 0;
	fg_policy_foreach_name(p, FG_LIST_ALLOW, foreach_cb, log);
	ck_assert_str_eq(log, "good.example./0");
	fg_policy_delete(p);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_subtree_and_exact,
		test_case_insensitive, test_name_precedence, test_asn,
		test_cidr_v4, test_cidr_v6, test_allow_mixes_asn_and_cidr,
		test_entry_errors, test_list_file, test_from_config,
		test_many_entries, test_suffix_filter, test_foreach_name };
	Suite* s = suite_create("policy");
	fg_unit_tcase(s, "core", fg_unit_scratch_setup, fg_unit_scratch_teardown,
		tests, FG_UNIT_COUNT(tests));
	return s;
}
