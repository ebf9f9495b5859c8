/**
 * \file
 * Unit tests for the options table and the fluxguard.conf reader
 * (core/options.c, core/conffile.c): defaults, every type's parsing
 * and range errors with their exact FILE:LINE messages, quotes, comments,
 * includes and their limits, repeatable options, the FLUXGUARD_CONF lookup
 * rule and the effective-config printer.
 */
#include "fluxguard/addr.h"
#include "fluxguard/conffile.h"
#include "fluxguard/options.h"
#include "unit.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/**
 * Load \p text as fluxguard.conf and expect it to fail with exactly the
 * message \p fmt, whose %s stand, in order, for the paths of the scratch
 * files \p first and \p second (NULL for fluxguard.conf itself): an error
 * in an included file names that file.
 */
static void
expect_error_in(const char* text, const char* fmt, const char* first,
	const char* second)
{
	struct fg_config cfg;
	char err[1024], want[1024];
	const char* path = fg_unit_write_file("fluxguard.conf", text);
	ck_assert_msg(!fg_conf_load(path, &cfg, err, sizeof(err)),
		"loaded without error: %s", text);
	snprintf(want, sizeof(want), fmt, first ? fg_unit_path(first) : path,
		second ? fg_unit_path(second) : path);
	ck_assert_str_eq(err, want);
	/* a failed load leaves the defaults, owning nothing */
	ck_assert_int_eq(cfg.action, FG_ACTION_LOG);
	ck_assert_uint_eq(cfg.n_files, 0);
	fg_conf_free(&cfg);
}

/** expect_error_in for an error in fluxguard.conf itself. */
static void
expect_error(const char* text, const char* fmt)
{
	expect_error_in(text, fmt, NULL, NULL);
}

/** Load \p text and expect success. */
static void
load_ok(const char* text, struct fg_config* cfg)
{
	char err[1024];
	const char* path = fg_unit_write_file("fluxguard.conf", text);
	ck_assert_msg(fg_conf_load(path, cfg, err, sizeof(err)), "%s", err);
}

START_TEST(test_defaults)
{
	struct fg_config cfg;
	size_t i;
	char why[256];
	fg_conf_defaults(&cfg);
	/* monitor mode by default, but the operator's deny list blocks */
	ck_assert_int_eq(cfg.action, FG_ACTION_LOG);
	ck_assert_int_eq(cfg.deny_action, FG_ACTION_REFUSE);
	ck_assert(cfg.score.threshold == FG_SCORE_DEFAULT_THRESHOLD);
	ck_assert(cfg.score.w_addrs == FG_SCORE_DEFAULT_W_ADDRS);
	ck_assert(cfg.score.w_prefixes == FG_SCORE_DEFAULT_W_PREFIXES);
	ck_assert(cfg.score.w_entropy == FG_SCORE_DEFAULT_W_ENTROPY);
	ck_assert(cfg.score.w_asns == FG_SCORE_DEFAULT_W_ASNS);
	ck_assert(cfg.score.w_countries == FG_SCORE_DEFAULT_W_COUNTRIES);
	ck_assert(cfg.score.w_ttl == FG_SCORE_DEFAULT_W_TTL);
	ck_assert(cfg.score.w_churn == FG_SCORE_DEFAULT_W_CHURN);
	ck_assert(cfg.score.w_growth == FG_SCORE_DEFAULT_W_GROWTH);
	ck_assert(cfg.score.w_ns == FG_SCORE_DEFAULT_W_NS);
	ck_assert_uint_eq(cfg.min_answers, 2);
	ck_assert_uint_eq(cfg.redirect_addrs.n, 0);
	ck_assert_uint_eq(cfg.redirect_ttl, 60);
	ck_assert_uint_eq(cfg.allow.n + cfg.deny.n, 0);
	ck_assert_uint_eq(cfg.allow_files.n + cfg.deny_files.n, 0);
	ck_assert_int_eq(cfg.default_allow_list, 1);
	ck_assert_ptr_null(cfg.asn_db);
	ck_assert_ptr_null(cfg.country_db);
	ck_assert_uint_eq(cfg.geo_max_age, 90 * 86400);
	ck_assert_ptr_null(cfg.event_log);
	ck_assert_str_eq(cfg.segment, "/fluxguard");
	ck_assert_int_eq(cfg.segment_mode, 0600);
	ck_assert_ptr_null(cfg.segment_group);
	ck_assert(cfg.segment_gid == (gid_t)-1);
	ck_assert_uint_eq(cfg.capacity, 262144);
	ck_assert_uint_eq(cfg.window, 6 * 3600);
	/* every default in the table parses as its own type */
	for(i = 0; i < fg_options_count; i++) {
		const struct fg_option* o = &fg_options[i];
		ck_assert_msg(o->doc && *o->doc, "%s has no doc", o->name);
		ck_assert_msg(o->def || o->def_doc, "%s: no default doc", o->name);
		ck_assert_ptr_eq(fg_option_find(o->name), o);
		if(!o->def || o->type == FG_OPT_STRING || o->type == FG_OPT_PATH)
			continue;
		ck_assert_msg(fg_option_set(&cfg, o, o->def, NULL, 0, why,
			sizeof(why)), "%s: default \"%s\": %s", o->name, o->def,
			why);
	}
	ck_assert_ptr_null(fg_option_find("nonesuch"));
	fg_conf_free(&cfg);
	fg_conf_free(&cfg);
}
END_TEST

START_TEST(test_every_type)
{
	struct fg_config cfg;
	load_ok("fluxguard:\n"
		"action: nxdomain\n"
		"deny-action: redirect\n"
		"threshold: 72.5\n"
		"min-answers: 1000\n"
		"weight-addresses: 0\n"
		"weight-prefixes: 100\n"
		"weight-entropy: 1.5\n"
		"weight-asns: 2\n"
		"weight-countries: 3\n"
		"weight-ttl: 4\n"
		"weight-churn: 5\n"
		"weight-growth: 6\n"
		"weight-ns: 7\n"
		"redirect-address: 192.0.2.1\n"
		"redirect-address: 2001:db8::53\n"
		"redirect-ttl: 0\n"
		"allow: cdn.example.com\n"
		"deny: AS64496\n"
		"allow-file: lists/allow.txt\n"
		"deny-file: /etc/deny.txt\n"
		"default-allow-list: no\n"
		"asn-db: /var/lib/GeoIP/asn.mmdb\n"
		"country-db: geo/country.mmdb\n"
		"event-log: /var/log/fg.log\n"
		"segment: /var/lib/unbound/fluxguard.seg\n"
		"segment-mode: 0640\n"
		"segment-group: 0\n"
		"capacity: 1024\n"
		"window: 7d\n", &cfg);
	ck_assert_int_eq(cfg.action, FG_ACTION_NXDOMAIN);
	ck_assert_int_eq(cfg.deny_action, FG_ACTION_REDIRECT);
	ck_assert(cfg.score.threshold == 72.5);
	ck_assert_uint_eq(cfg.min_answers, 1000);
	ck_assert(cfg.score.w_addrs == 0);
	ck_assert(cfg.score.w_prefixes == 100);
	ck_assert(cfg.score.w_entropy == 1.5);
	ck_assert(cfg.score.w_asns == 2 && cfg.score.w_countries == 3);
	ck_assert(cfg.score.w_ttl == 4 && cfg.score.w_churn == 5);
	ck_assert(cfg.score.w_growth == 6 && cfg.score.w_ns == 7);
	ck_assert_uint_eq(cfg.redirect_addrs.n, 2);
	ck_assert_int_eq(cfg.redirect_addrs.a[0].family, FG_AF_INET);
	ck_assert_mem_eq(cfg.redirect_addrs.a[0].addr, "\300\000\002\001", 4);
	ck_assert_int_eq(cfg.redirect_addrs.a[1].family, FG_AF_INET6);
	ck_assert_uint_eq(cfg.redirect_addrs.a[1].addr[15], 0x53);
	ck_assert_uint_eq(cfg.redirect_ttl, 0);
	ck_assert_uint_eq(cfg.allow.n, 1);
	ck_assert_str_eq(cfg.allow.v[0].value, "cdn.example.com");
	ck_assert_str_eq(cfg.deny.v[0].value, "AS64496");
	/* relative paths land next to the file that names them */
	ck_assert_str_eq(cfg.allow_files.v[0].value, fg_unit_path("lists/allow.txt"));
	ck_assert_str_eq(cfg.deny_files.v[0].value, "/etc/deny.txt");
	ck_assert_int_eq(cfg.default_allow_list, 0);
	ck_assert_str_eq(cfg.asn_db, "/var/lib/GeoIP/asn.mmdb");
	ck_assert_str_eq(cfg.country_db, fg_unit_path("geo/country.mmdb"));
	ck_assert_str_eq(cfg.event_log, "/var/log/fg.log");
	ck_assert_str_eq(cfg.segment, "/var/lib/unbound/fluxguard.seg");
	ck_assert_int_eq(cfg.segment_mode, 0640);
	ck_assert_str_eq(cfg.segment_group, "0");
	ck_assert(cfg.segment_gid == 0);
	ck_assert_uint_eq(cfg.capacity, 1024);
	ck_assert_uint_eq(cfg.window, 7 * 86400);
	ck_assert_uint_eq(cfg.n_files, 1);
	fg_conf_free(&cfg);
	ck_assert_ptr_null(cfg.files);
	ck_assert_str_eq(cfg.segment, "/fluxguard");
}
END_TEST

START_TEST(test_value_errors)
{
	expect_error("fluxguard:\n  threshold: high\n",
		"%s:2: threshold: expected a number between 0 and 100, got \"high\"");
	expect_error("fluxguard:\nthreshold: 100.5\n",
		"%s:2: threshold: expected a number between 0 and 100, got \"100.5\"");
	expect_error("fluxguard:\nthreshold: -1\n",
		"%s:2: threshold: expected a number between 0 and 100, got \"-1\"");
	expect_error("fluxguard:\nthreshold: nan\n",
		"%s:2: threshold: expected a number between 0 and 100, got \"nan\"");
	expect_error("fluxguard:\nweight-ns: 5x\n",
		"%s:2: weight-ns: expected a number between 0 and 100, got \"5x\"");
	expect_error("fluxguard:\ncapacity: 100\n",
		"%s:2: capacity: expected a number between 1024 and 16777216, got \"100\"");
	expect_error("fluxguard:\ncapacity: 16777217\n",
		"%s:2: capacity: expected a number between 1024 and 16777216, got \"16777217\"");
	expect_error("fluxguard:\ncapacity: -2048\n",
		"%s:2: capacity: expected a number between 1024 and 16777216, got \"-2048\"");
	expect_error("fluxguard:\ncapacity: 99999999999999999999999\n",
		"%s:2: capacity: expected a number between 1024 and 16777216, got \"99999999999999999999999\"");
	expect_error("fluxguard:\nmin-answers: 0\n",
		"%s:2: min-answers: expected a number between 1 and 1000, got \"0\"");
	expect_error("fluxguard:\nredirect-ttl: 86401\n",
		"%s:2: redirect-ttl: expected a number between 0 and 86400, got \"86401\"");
	expect_error("fluxguard:\nwindow: 30s\n",
		"%s:2: window: expected a duration (seconds, or a number with unit s, m, h or d) between 1m and 7d, got \"30s\"");
	expect_error("fluxguard:\nwindow: 8d\n",
		"%s:2: window: expected a duration (seconds, or a number with unit s, m, h or d) between 1m and 7d, got \"8d\"");
	expect_error("fluxguard:\nwindow: 5x\n",
		"%s:2: window: expected a duration (seconds, or a number with unit s, m, h or d) between 1m and 7d, got \"5x\"");
	expect_error("fluxguard:\nwindow: h\n",
		"%s:2: window: expected a duration (seconds, or a number with unit s, m, h or d) between 1m and 7d, got \"h\"");
	expect_error("fluxguard:\naction: drop\n",
		"%s:2: action: expected one of log, refuse, nxdomain, nodata, redirect, got \"drop\"");
	expect_error("fluxguard:\ndeny-action: \"\"\n",
		"%s:2: deny-action: expected one of log, refuse, nxdomain, nodata, redirect, got \"\"");
	expect_error("fluxguard:\nsegment-mode: 0644\n",
		"%s:2: segment-mode: expected one of 0600, 0640, got \"0644\"");
	expect_error("fluxguard:\ndefault-allow-list: maybe\n",
		"%s:2: default-allow-list: expected yes or no, got \"maybe\"");
	expect_error("fluxguard:\nredirect-address: 300.1.1.1\n",
		"%s:2: redirect-address: expected an IPv4 or IPv6 address, got \"300.1.1.1\"");
	expect_error("fluxguard:\nsegment: fluxguard\n",
		"%s:2: segment: expected /name (shared memory) or an absolute file path, got \"fluxguard\"");
	expect_error("fluxguard:\nsegment-group: no-such-group-fg\n",
		"%s:2: segment-group: unknown group \"no-such-group-fg\"");
	expect_error("fluxguard:\nasn-db: \"\"\n",
		"%s:2: asn-db: expected a file name, got \"\"");
	expect_error("fluxguard:\n\n# deny list\ndeny: a..b\n",
		"%s:4: deny: expected a domain name, exact:NAME, ASnnn, an address or a CIDR prefix, got \"a..b\"");
	expect_error("fluxguard:\nallow: 192.0.2.0/33\n",
		"%s:2: allow: expected a prefix length between 0 and 32, got \"192.0.2.0/33\"");
}
END_TEST

START_TEST(test_syntax_errors)
{
	expect_error("threshold: 5\n",
		"%s:1: threshold: option outside a fluxguard: clause (add a \"fluxguard:\" line above it)");
	expect_error("# comment\n\nfluxguard:\nbogus: 1\n",
		"%s:4: bogus: unknown option");
	expect_error("server:\n", "%s:1: server: unknown option");
	expect_error("fluxguard:\nthreshold:\n", "%s:2: threshold: missing value");
	expect_error("fluxguard:\nthreshold:    # nothing\n",
		"%s:2: threshold: missing value");
	expect_error("fluxguard:\nthreshold 5\n",
		"%s:2: threshold: expected ':' after the option name");
	expect_error("fluxguard:\n\"x\": 5\n",
		"%s:2: expected \"name: value\", got \"\"x\": 5\"");
	expect_error("fluxguard:\nthreshold: 5 6\n",
		"%s:2: threshold: unexpected text after the value: \"6\"");
	expect_error("fluxguard:\nsegment: \"/fg\" x\n",
		"%s:2: segment: unexpected text after the value: \"x\"");
	expect_error("fluxguard:\nsegment: \"/fg\n",
		"%s:2: segment: unterminated quoted string");
	expect_error("fluxguard: yes\n",
		"%s:1: fluxguard: the clause header takes no value; put options on their own lines");
	expect_error("fluxguard:\naction: redirect\n",
		"%s:2: action: redirect needs at least one redirect-address");
	expect_error("fluxguard:\naction: log\ndeny-action: redirect\n",
		"%s:3: deny-action: redirect needs at least one redirect-address");
	/* fluxguard-publish's options */
	expect_error("fluxguard:\nrpz-zone: \".\"\n",
		"%s:2: rpz-zone: the root cannot be the policy zone");
	expect_error("fluxguard:\nrpz-zone: \"a..b\"\n",
		"%s:2: rpz-zone: expected a domain name, got \"a..b\"");
	expect_error("fluxguard:\nrpz-primary: \"knot.example\"\n",
		"%s:2: rpz-primary: expected ADDRESS or ADDRESS@PORT (an IPv4 or "
		"IPv6 address, a port 1..65535), got \"knot.example\"");
	expect_error("fluxguard:\nrpz-primary: \"127.0.0.1@0\"\n",
		"%s:2: rpz-primary: expected ADDRESS or ADDRESS@PORT (an IPv4 or "
		"IPv6 address, a port 1..65535), got \"127.0.0.1@0\"");
	expect_error("fluxguard:\nrpz-tsig-algorithm: \"hmac-md5\"\n",
		"%s:2: rpz-tsig-algorithm: expected hmac-sha256, hmac-sha384, "
		"hmac-sha512 or hmac-sha1, got \"hmac-md5\"");
	expect_error("fluxguard:\nrpz-resolver-id: \"a b\"\n",
		"%s:2: rpz-resolver-id: expected up to 63 of A-Z a-z 0-9 . _ -, "
		"got \"a b\"");
	expect_error("fluxguard:\nrpz-refuse-as: refuse\n",
		"%s:2: rpz-refuse-as: expected one of nxdomain, nodata, drop, got \"refuse\"");
	expect_error("fluxguard:\nrpz-tsig-key: k\n",
		"%s:2: rpz-tsig-key: needs rpz-tsig-secret-file, the file holding "
		"the key's secret");
	expect_error("fluxguard:\nrpz-backend: zonefile\n",
		"%s:2: rpz-backend: zonefile needs rpz-zonefile, the file to write");
}
END_TEST

START_TEST(test_missing_file)
{
	struct fg_config cfg;
	char err[1024], want[1024];
	ck_assert(!fg_conf_load(fg_unit_path("nope.conf"), &cfg, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory",
		fg_unit_path("nope.conf"));
	ck_assert_str_eq(err, want);
	fg_conf_free(&cfg);
}
END_TEST

START_TEST(test_quotes_and_comments)
{
	struct fg_config cfg;
	load_ok("# fluxguard test\r\n"
		"   \t\r\n"
		"fluxguard:   # the clause\r\n"
		"\t\tsegment: \"/fg # not a comment\"   # a comment\r\n"
		"  event-log: 'with space/ev log.txt'\n"
		"action: \"nodata\"#comment\n"
		"deny:    'exact:Bad.Example.NET'\n"
		"threshold: 10 # ten\n"
		"#threshold: 99\n", &cfg);
	ck_assert_str_eq(cfg.segment, "/fg # not a comment");
	ck_assert_str_eq(cfg.event_log, fg_unit_path("with space/ev log.txt"));
	ck_assert_int_eq(cfg.action, FG_ACTION_NODATA);
	/* deny-action follows a blocking action when not given */
	ck_assert_int_eq(cfg.deny_action, FG_ACTION_NODATA);
	ck_assert_str_eq(cfg.deny.v[0].value, "exact:Bad.Example.NET");
	ck_assert(cfg.score.threshold == 10);
	fg_conf_free(&cfg);
	/* ... and is refuse in monitor mode */
	load_ok("fluxguard:\naction: log\n", &cfg);
	ck_assert_int_eq(cfg.deny_action, FG_ACTION_REFUSE);
	fg_conf_free(&cfg);
}
END_TEST

START_TEST(test_durations)
{
	struct fg_config cfg;
	const struct fg_option* w = fg_option_find("window");
	char why[256], buf[32];
	static const struct { const char* text; uint32_t secs; } ok[] = {
		{ "60", 60 }, { "90s", 90 }, { "15m", 900 }, { "6h", 21600 },
		{ "2d", 172800 }, { "7d", 604800 }, { "604800s", 604800 }
	};
	static const char* const bad[] = { "59", "59s", "", "s", "1.5h",
		"-1m", "10w", "5 m", "1H", "604801" };
	size_t i;
	fg_conf_defaults(&cfg);
	for(i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(fg_option_set(&cfg, w, ok[i].text, NULL, 0, why,
			sizeof(why)), "%s: %s", ok[i].text, why);
		ck_assert_uint_eq(cfg.window, ok[i].secs);
	}
	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!fg_option_set(&cfg, w, bad[i], NULL, 0, why,
			sizeof(why)), "accepted \"%s\"", bad[i]);
	/* geo-max-age: a day to ten years */
	w = fg_option_find("geo-max-age");
	ck_assert_ptr_nonnull(w);
	ck_assert(fg_option_set(&cfg, w, "365d", NULL, 0, why, sizeof(why)));
	ck_assert_uint_eq(cfg.geo_max_age, 365 * 86400);
	ck_assert(fg_option_set(&cfg, w, "24h", NULL, 0, why, sizeof(why)));
	ck_assert_uint_eq(cfg.geo_max_age, 86400);
	ck_assert(!fg_option_set(&cfg, w, "23h", NULL, 0, why, sizeof(why)));
	ck_assert_str_eq(why, "expected a duration (seconds, or a number with "
		"unit s, m, h or d) between 1d and 3650d, got \"23h\"");
	ck_assert(!fg_option_set(&cfg, w, "3651d", NULL, 0, why, sizeof(why)));
	fg_duration_format(90, buf, sizeof(buf));
	ck_assert_str_eq(buf, "90s");
	fg_duration_format(900, buf, sizeof(buf));
	ck_assert_str_eq(buf, "15m");
	fg_duration_format(21600, buf, sizeof(buf));
	ck_assert_str_eq(buf, "6h");
	fg_duration_format(7 * 86400, buf, sizeof(buf));
	ck_assert_str_eq(buf, "7d");
	fg_duration_format(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0s");
	fg_conf_free(&cfg);
}
END_TEST

START_TEST(test_repeatable_and_last_wins)
{
	struct fg_config cfg;
	char text[4096];
	size_t i, pos;
	load_ok("fluxguard:\n"
		"allow: a.example\n"
		"threshold: 10\n"
		"allow: AS13335\n"
		"deny: 192.0.2.0/24\n"
		"threshold: 20\n"
		"allow: 2001:db8::/32\n"
		"segment: /one\n"
		"segment: /two\n", &cfg);
	ck_assert(cfg.score.threshold == 20);
	ck_assert_str_eq(cfg.segment, "/two");
	ck_assert_uint_eq(cfg.allow.n, 3);
	ck_assert_str_eq(cfg.allow.v[0].value, "a.example");
	ck_assert_str_eq(cfg.allow.v[1].value, "AS13335");
	ck_assert_str_eq(cfg.allow.v[2].value, "2001:db8::/32");
	/* each entry remembers its place, for policy errors */
	ck_assert_str_eq(cfg.allow.v[1].file, fg_unit_path("fluxguard.conf"));
	ck_assert_int_eq(cfg.allow.v[1].line, 4);
	ck_assert_int_eq(cfg.deny.v[0].line, 5);
	fg_conf_free(&cfg);

	/* at most FG_CONF_MAX_ADDRS redirect addresses */
	pos = (size_t)snprintf(text, sizeof(text), "fluxguard:\n");
	for(i = 0; i <= FG_CONF_MAX_ADDRS; i++)
		pos += (size_t)snprintf(text + pos, sizeof(text) - pos,
			"redirect-address: 192.0.2.%u\n", (unsigned)i);
	expect_error(text, "%s:18: redirect-address: at most 16 addresses, "
		"got another: \"192.0.2.16\"");
}
END_TEST

START_TEST(test_include)
{
	struct fg_config cfg;
	fg_unit_write_file("sub/inside.conf",
		"# included inside the clause: bare options are fine\n"
		"threshold: 30\n"
		"deny-file: deny.txt\n");
	fg_unit_write_file("conf.d/10-a.conf", "fluxguard:\nallow: a.example\n");
	fg_unit_write_file("conf.d/20-b.conf", "fluxguard:\nallow: b.example\nthreshold: 40\n");
	load_ok("include: \"conf.d/*.conf\"\n"
		"include: nothing-matches-*.conf\n"
		"fluxguard:\n"
		"  include: sub/inside.conf\n"
		"  allow: c.example\n", &cfg);
	ck_assert_uint_eq(cfg.allow.n, 3);
	ck_assert_str_eq(cfg.allow.v[0].value, "a.example");
	ck_assert_str_eq(cfg.allow.v[1].value, "b.example");
	ck_assert_str_eq(cfg.allow.v[2].value, "c.example");
	/* included later, so it overrides 20-b.conf's threshold */
	ck_assert(cfg.score.threshold == 30);
	/* resolved against the included file's directory */
	ck_assert_str_eq(cfg.deny_files.v[0].value, fg_unit_path("sub/deny.txt"));
	ck_assert_str_eq(cfg.deny_files.v[0].file, fg_unit_path("sub/inside.conf"));
	ck_assert_int_eq(cfg.deny_files.v[0].line, 3);
	ck_assert_uint_eq(cfg.n_files, 4);
	fg_conf_free(&cfg);

	/* a file included at top level starts outside the clause */
	fg_unit_write_file("top.conf", "threshold: 5\n");
	expect_error_in("include: top.conf\n", "%s:1: threshold: option "
		"outside a fluxguard: clause (add a \"fluxguard:\" line above it)",
		"top.conf", NULL);
	fg_unit_write_file("bad.conf", "fluxguard:\n\nwindow: forever\n");
	expect_error_in("fluxguard:\ninclude: bad.conf\n", "%s:3: window: "
		"expected a duration (seconds, or a number with unit s, m, h or "
		"d) between 1m and 7d, got \"forever\"", "bad.conf", NULL);
}
END_TEST

START_TEST(test_include_missing_names_path)
{
	expect_error_in("fluxguard:\n\ninclude: missing.conf\n", "%s:3: "
		"include: cannot open \"%s\": No such file or directory", NULL,
		"missing.conf");
}
END_TEST

START_TEST(test_include_loop_and_depth)
{
	struct fg_config cfg;
	char name[32], text[64];
	int i;

	fg_unit_write_file("b.conf", "# b\ninclude: fluxguard.conf\n");
	expect_error_in("fluxguard:\ninclude: b.conf\n", "%s:2: include: "
		"include loop: \"%s\" is already being read", "b.conf", NULL);
	expect_error("fluxguard:\ninclude: fluxguard.conf\n",
		"%s:2: include: include loop: \"%s\" is already being read");

	/* d1 includes d2 ... d8: the main file plus 8 levels is the limit */
	for(i = 1; i <= 9; i++) {
		snprintf(name, sizeof(name), "d%d.conf", i);
		snprintf(text, sizeof(text), "include: d%d.conf\n", i + 1);
		fg_unit_write_file(name, text);
	}
	fg_unit_write_file("d8.conf", "threshold: 8\n");
	load_ok("fluxguard:\ninclude: d1.conf\n", &cfg);
	ck_assert(cfg.score.threshold == 8);
	fg_conf_free(&cfg);
	fg_unit_write_file("d8.conf", "include: d9.conf\n");
	fg_unit_write_file("d9.conf", "threshold: 9\n");
	expect_error_in("fluxguard:\ninclude: d1.conf\n", "%s:1: include: "
		"includes nested deeper than 8", "d8.conf", NULL);
}
END_TEST

START_TEST(test_locate)
{
	char path[512], err[512], want[600];
	unsetenv(FG_CONF_ENV);
	/* nothing anywhere: run on defaults */
	ck_assert(fg_conf_locate(fg_unit_dir, path, sizeof(path), err, sizeof(err)));
	ck_assert_str_eq(path, "");
	ck_assert(fg_conf_locate(NULL, path, sizeof(path), err, sizeof(err)));
	ck_assert_str_eq(path, "");
	/* next to unbound.conf */
	fg_unit_write_file("fluxguard.conf", "fluxguard:\n");
	ck_assert(fg_conf_locate(fg_unit_dir, path, sizeof(path), err, sizeof(err)));
	ck_assert_str_eq(path, fg_unit_path("fluxguard.conf"));
	snprintf(want, sizeof(want), "%s/", fg_unit_dir);
	ck_assert(fg_conf_locate(want, path, sizeof(path), err, sizeof(err)));
	ck_assert_str_eq(path, fg_unit_path("fluxguard.conf"));
	/* the environment wins, and must then exist */
	fg_unit_write_file("elsewhere.conf", "fluxguard:\n");
	setenv(FG_CONF_ENV, fg_unit_path("elsewhere.conf"), 1);
	ck_assert(fg_conf_locate(fg_unit_dir, path, sizeof(path), err, sizeof(err)));
	ck_assert_str_eq(path, fg_unit_path("elsewhere.conf"));
	setenv(FG_CONF_ENV, fg_unit_path("missing.conf"), 1);
	ck_assert(!fg_conf_locate(fg_unit_dir, path, sizeof(path), err, sizeof(err)));
	snprintf(want, sizeof(want), "FLUXGUARD_CONF=%s: No such file or "
		"directory", fg_unit_path("missing.conf"));
	ck_assert_str_eq(err, want);
	/* set but empty counts as unset */
	setenv(FG_CONF_ENV, "", 1);
	ck_assert(fg_conf_locate(fg_unit_dir, path, sizeof(path), err, sizeof(err)));
	ck_assert_str_eq(path, fg_unit_path("fluxguard.conf"));
	unsetenv(FG_CONF_ENV);
}
END_TEST

/** Print \p cfg into a string, without the "# read" lines that name files. */
static char*
print_config(const struct fg_config* cfg)
{
	char* buf = NULL;
	size_t len = 0;
	FILE* f = open_memstream(&buf, &len);
	char *line, *out;
	size_t pos = 0;
	ck_assert_ptr_nonnull(f);
	fg_conf_print(f, cfg);
	fclose(f);
	out = calloc(1, len + 1);
	for(line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if(strncmp(line, "# read ", 7) == 0)
			continue;
		pos += (size_t)sprintf(out + pos, "%s\n", line);
	}
	free(buf);
	return out;
}

START_TEST(test_print_roundtrip)
{
	struct fg_config cfg, again;
	char err[1024];
	char *first, *second;
	const char* printed;
	load_ok("fluxguard:\n"
		"action: redirect\n"
		"redirect-address: 192.0.2.1\n"
		"redirect-address: 2001:db8::1\n"
		"threshold: 33.3333\n"
		"window: 90m\n"
		"allow: exact:www.example.com\n"
		"allow: \"o'neil.example\"\n"
		"deny: 'x\"y.test'\n"
		"deny-file: \"/etc/unbound/deny list.txt\"\n"
		"segment-mode: 0640\n", &cfg);
	first = print_config(&cfg);
	ck_assert_ptr_nonnull(strstr(first, "\taction: redirect\n"));
	ck_assert_ptr_nonnull(strstr(first, "\tdeny-action: redirect\n"));
	ck_assert_ptr_nonnull(strstr(first, "\tredirect-address: 2001:db8::1\n"));
	ck_assert_ptr_nonnull(strstr(first, "\tthreshold: 33.3333\n"));
	ck_assert_ptr_nonnull(strstr(first, "\twindow: 90m\n"));
	ck_assert_ptr_nonnull(strstr(first, "\tallow: \"exact:www.example.com\"\n"));
	/* a value with a quote is written in the other quote, and loads back */
	ck_assert_ptr_nonnull(strstr(first, "\tallow: \"o'neil.example\"\n"));
	ck_assert_ptr_nonnull(strstr(first, "\tdeny: 'x\"y.test'\n"));
	ck_assert_ptr_nonnull(strstr(first, "\tdeny-file: \"/etc/unbound/deny list.txt\"\n"));
	ck_assert_ptr_nonnull(strstr(first, "\t# asn-db: (none)\n"));
	ck_assert_ptr_nonnull(strstr(first, "\tsegment-mode: 0640\n"));
	printed = fg_unit_write_file("printed.conf", first);
	ck_assert_msg(fg_conf_load(printed, &again, err, sizeof(err)), "%s", err);
	second = print_config(&again);
	ck_assert_str_eq(first, second);
	free(first);
	free(second);
	fg_conf_free(&cfg);
	fg_conf_free(&again);

	/* defaults print too, and say so */
	fg_conf_defaults(&cfg);
	first = print_config(&cfg);
	ck_assert_ptr_nonnull(strstr(first, "# no config file read: defaults\n"));
	ck_assert_ptr_nonnull(strstr(first, "\tsegment: \"/fluxguard\"\n"));
	free(first);
}
END_TEST

START_TEST(test_load_text)
{
	/* the last good configuration is loaded from text; an include in it
	 * is read as from a file (the fuzzer found a NULL dereference here) */
	struct fg_config cfg;
	char err[1024], text[1200];
	const char* inc = fg_unit_write_file("part.conf", "threshold: 42\n");
	snprintf(text, sizeof(text), "fluxguard:\n\taction: refuse\n"
		"\tinclude: \"%s\"\n", inc);
	ck_assert_msg(fg_conf_load_text("(text)", text, &cfg, err, sizeof(err)),
		"%s", err);
	ck_assert_int_eq(cfg.action, FG_ACTION_REFUSE);
	ck_assert(cfg.score.threshold == 42.0);
	fg_conf_free(&cfg);
	/* errors name the text by its name */
	ck_assert(!fg_conf_load_text("(text)", "fluxguard:\n\tacton: log\n",
		&cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "(text):2: acton: unknown option");
}
END_TEST

START_TEST(test_address_at_port)
{
	/* the one parser of ADDRESS[@PORT]: rpz-primary's check and the
	 * publisher's connection both use it */
	static const char* const bad[] = { "", "@53", "192.0.2.1@",
		"192.0.2.1@0", "192.0.2.1@65536", "192.0.2.1@53x",
		"192.0.2.1@-1", "knot.example", "192.0.2.1 @53",
		"2001:db8::1@99999", "192.0.2.1@ 53", "192.0.2.1@+53" };
	struct fg_addr a;
	uint16_t port = 0;
	size_t i;
	ck_assert(fg_addr_port_from_str("192.0.2.1", 53, &a, &port));
	ck_assert_int_eq(a.family, FG_AF_INET);
	ck_assert_uint_eq(port, 53);
	ck_assert(fg_addr_port_from_str("2001:db8::1@5353", 53, &a, &port));
	ck_assert_int_eq(a.family, FG_AF_INET6);
	ck_assert_uint_eq(port, 5353);
	ck_assert(fg_addr_port_from_str("127.0.0.1@65535", 53, &a, &port));
	ck_assert_uint_eq(port, 65535);
	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!fg_addr_port_from_str(bad[i], 53, &a, &port),
			"\"%s\" taken", bad[i]);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_defaults, test_every_type,
		test_value_errors, test_syntax_errors, test_missing_file,
		test_quotes_and_comments, test_durations,
		test_repeatable_and_last_wins, test_include,
		test_include_missing_names_path, test_include_loop_and_depth,
		test_locate, test_print_roundtrip, test_load_text,
		test_address_at_port };
	Suite* s = suite_create("options");
	fg_unit_tcase(s, "core", fg_unit_scratch_setup, fg_unit_scratch_teardown,
		tests, FG_UNIT_COUNT(tests));
	return s;
}
