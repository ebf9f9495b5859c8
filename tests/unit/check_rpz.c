/**
 * \file
 * Unit tests for the verdict-to-RPZ mapping and the reconciliation's
 * difference (core/rpz.c): which records a flagged or denied name becomes
 * for each action, where its reason goes, how a zone read back is grouped,
 * and which entries a reconciliation writes and withdraws (its own only).
 */
#include "fluxguard/rpz.h"
#include "fluxguard/options.h"
#include "fluxguard/tracker.h"
#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** The config the tests map with, and its parameters. */
static struct fg_config cfg;
static struct fg_rpz_params p;

static void
setup(void)
{
	char why[256];
	fg_conf_defaults(&cfg);
	cfg.rpz_zone = (char*)"RPZ.Example.";
	cfg.action = FG_ACTION_REFUSE;
	cfg.deny_action = FG_ACTION_NXDOMAIN;
	ck_assert_msg(fg_rpz_params_init(&p, &cfg, "res-a", why, sizeof(why)),
		"%s", why);
}

static void
teardown(void)
{
	cfg.rpz_zone = NULL;
}

/** An entry for \p name with \p policy. */
static void
entry(struct fg_rpz_entry* e, const char* name, int policy, int verdict)
{
	memset(e, 0, sizeof(*e));
	ck_assert(fg_name_from_str(name, e->name, sizeof(e->name)) > 0);
	e->policy = policy;
	e->verdict = verdict;
	e->score = 87.5f;
	e->flagged_at = verdict == FG_VERDICT_FLAGGED ? 1764651412u : 0;
}

START_TEST(test_policy_of_actions)
{
	/* action, rpz-refuse-as, and the policy published */
	static const int cases[][3] = {
		{ FG_ACTION_NXDOMAIN, FG_RPZ_NXDOMAIN, FG_RPZ_NXDOMAIN },
		{ FG_ACTION_NODATA, FG_RPZ_NXDOMAIN, FG_RPZ_NODATA },
		{ FG_ACTION_REDIRECT, FG_RPZ_NXDOMAIN, FG_RPZ_REDIRECT },
		{ FG_ACTION_LOG, FG_RPZ_NXDOMAIN, FG_RPZ_NONE },
		/* refuse becomes what rpz-refuse-as says */
		{ FG_ACTION_REFUSE, FG_RPZ_NXDOMAIN, FG_RPZ_NXDOMAIN },
		{ FG_ACTION_REFUSE, FG_RPZ_DROP, FG_RPZ_DROP },
		{ FG_ACTION_REFUSE, FG_RPZ_NODATA, FG_RPZ_NODATA },
	};
	size_t i;
	for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_int_eq(fg_rpz_policy_of(cases[i][0], cases[i][1]),
			cases[i][2]);
}
END_TEST

START_TEST(test_entry_from_record)
{
	struct fg_record_view rec;
	struct fg_rpz_entry e;
	memset(&rec, 0, sizeof(rec));
	rec.name_len = (uint8_t)fg_name_from_str("Bot.Flux.Test", rec.name,
		sizeof(rec.name));
	rec.verdict = FG_VERDICT_FLAGGED;
	rec.score = 91;
	rec.flagged_at = 1000;
	ck_assert(fg_rpz_entry_from_record(&p, &rec, &e));
	ck_assert_int_eq(e.policy, FG_RPZ_NXDOMAIN); /* refuse as nxdomain */
	ck_assert_uint_eq(e.flagged_at, 1000);
	rec.verdict = FG_VERDICT_DENIED;
	ck_assert(fg_rpz_entry_from_record(&p, &rec, &e));
	ck_assert_int_eq(e.policy, FG_RPZ_NXDOMAIN);
	ck_assert_uint_eq(e.flagged_at, 0);
	rec.verdict = FG_VERDICT_ALLOWED;
	ck_assert(!fg_rpz_entry_from_record(&p, &rec, &e));
	rec.verdict = FG_VERDICT_CLEAN;
	ck_assert(!fg_rpz_entry_from_record(&p, &rec, &e));
	/* monitor mode publishes no flag */
	p.action = FG_ACTION_LOG;
	rec.verdict = FG_VERDICT_FLAGGED;
	ck_assert(!fg_rpz_entry_from_record(&p, &rec, &e));
}
END_TEST

START_TEST(test_render_each_policy)
{
	static const struct {
		int policy;
		const char* trigger;
	} cases[] = {
		{ FG_RPZ_NXDOMAIN, "bot.flux.test.rpz.example. CNAME .\n" },
		{ FG_RPZ_NODATA, "bot.flux.test.rpz.example. CNAME *.\n" },
		{ FG_RPZ_DROP, "bot.flux.test.rpz.example. CNAME rpz-drop.\n" },
	};
	char buf[FG_RPZ_ENTRY_TEXT], want[1024];
	struct fg_rpz_entry e;
	size_t i;
	for(i = 0; i < FG_UNIT_COUNT(cases); i++) {
		const char* target = strrchr(cases[i].trigger, ' ') + 1;
		entry(&e, "bot.flux.test", cases[i].policy, FG_VERDICT_FLAGGED);
		ck_assert_int_eq(fg_rpz_render(&p, &e, buf, sizeof(buf)), 3);
		snprintf(want, sizeof(want), "%s*.bot.flux.test.rpz.example. "
			"CNAME %sbot.flux.test._fluxguard.rpz.example. TXT "
			"\"fluxguard verdict=flagged score=87.5 "
			"first-flagged=2025-12-02T04:56:52Z resolver=res-a "
			"action=refuse rpz=%s\"\n", cases[i].trigger, target,
			fg_rpz_policy_name(cases[i].policy));
		ck_assert_str_eq(buf, want);
	}
}
END_TEST

START_TEST(test_render_redirect_and_denied)
{
	char buf[FG_RPZ_ENTRY_TEXT];
	struct fg_rpz_entry e;
	ck_assert(fg_addr_from_str("192.0.2.1", &cfg.redirect_addrs.a[0]));
	ck_assert(fg_addr_from_str("2001:db8::1", &cfg.redirect_addrs.a[1]));
	cfg.redirect_addrs.n = 2;
	entry(&e, "evil.example", FG_RPZ_REDIRECT, FG_VERDICT_DENIED);
	ck_assert_int_eq(fg_rpz_render(&p, &e, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf,
		"evil.example.rpz.example. A 192.0.2.1\n"
		"evil.example.rpz.example. AAAA 2001:db8::1\n"
		"*.evil.example.rpz.example. A 192.0.2.1\n"
		"*.evil.example.rpz.example. AAAA 2001:db8::1\n"
		"evil.example._fluxguard.rpz.example. TXT \"fluxguard "
		"verdict=denied score=87.5 first-flagged=- resolver=res-a "
		"action=nxdomain rpz=redirect\"\n");
	cfg.redirect_addrs.n = 0;
	/* no redirect address: nothing to publish, rather than an empty entry */
	ck_assert_int_eq(fg_rpz_render(&p, &e, buf, sizeof(buf)), 0);
}
END_TEST

START_TEST(test_render_exact_listed)
{
	char buf[FG_RPZ_ENTRY_TEXT];
	struct fg_rpz_entry e;
	/* an exact: deny entry blocks the name, not its subtree */
	entry(&e, "only.example", FG_RPZ_NXDOMAIN, FG_VERDICT_DENIED);
	e.exact = 1;
	e.listed = 1;
	ck_assert_int_eq(fg_rpz_render(&p, &e, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf,
		"only.example.rpz.example. CNAME .\n"
		"only.example._fluxguard.rpz.example. TXT \"fluxguard "
		"verdict=deny-list score=87.5 first-flagged=- resolver=res-a "
		"action=nxdomain rpz=nxdomain\"\n");
}
END_TEST

START_TEST(test_too_long_and_root)
{
	char name[300], t[FG_NAME_MAX_STR], w[FG_NAME_MAX_STR], y[FG_NAME_MAX_STR];
	uint8_t wire[FG_NAME_MAX_WIRE];
	/* 4 labels of 60: 245 octets, fine alone, too long under the zone */
	snprintf(name, sizeof(name), "%060d.%060d.%060d.%060d", 1, 2, 3, 4);
	ck_assert(fg_name_from_str(name, wire, sizeof(wire)) > 0);
	ck_assert(!fg_rpz_owners(&p, wire, t, w, y));
	ck_assert(!fg_rpz_owners(&p, (const uint8_t*)"\0", t, w, y));
	ck_assert(fg_name_from_str("a.b", wire, sizeof(wire)) > 0);
	ck_assert(fg_rpz_owners(&p, wire, t, w, y));
	ck_assert_str_eq(t, "a.b.rpz.example.");
	ck_assert_str_eq(w, "*.a.b.rpz.example.");
	ck_assert_str_eq(y, "a.b._fluxguard.rpz.example.");
}
END_TEST

START_TEST(test_owner_kind)
{
	char base[FG_NAME_MAX_STR];
	ck_assert_int_eq(fg_rpz_owner_kind(&p, "Bot.Flux.Test.RPZ.example.",
		base, sizeof(base)), 1);
	ck_assert_str_eq(base, "bot.flux.test.");
	ck_assert_int_eq(fg_rpz_owner_kind(&p, "*.bot.flux.test.rpz.example.",
		base, sizeof(base)), 2);
	ck_assert_str_eq(base, "bot.flux.test.");
	ck_assert_int_eq(fg_rpz_owner_kind(&p,
		"bot.flux.test._fluxguard.rpz.example.", base, sizeof(base)), 3);
	ck_assert_str_eq(base, "bot.flux.test.");
	ck_assert_int_eq(fg_rpz_owner_kind(&p, "rpz.example.", base,
		sizeof(base)), 0);
	ck_assert_int_eq(fg_rpz_owner_kind(&p, "xrpz.example.", base,
		sizeof(base)), 0);
	ck_assert_int_eq(fg_rpz_owner_kind(&p, "other.example.", base,
		sizeof(base)), 0);
}
END_TEST

/** What a diff asked for, as text. */
struct calls {
	char log[4096];
	int fail_at, n;
};

static int
put_cb(const struct fg_rpz_entry* e, void* arg)
{
	struct calls* c = arg;
	char s[FG_NAME_MAX_STR];
	ck_assert(fg_name_to_str(e->name, s, sizeof(s)));
	snprintf(c->log + strlen(c->log), sizeof(c->log) - strlen(c->log),
		"put %s\n", s);
	return ++c->n != c->fail_at;
}

static int
withdraw_cb(const char* base, const char* why, void* arg)
{
	struct calls* c = arg;
	snprintf(c->log + strlen(c->log), sizeof(c->log) - strlen(c->log),
		"withdraw %s%s\n", base, why[0] ? " (prereq)" : "");
	return ++c->n != c->fail_at;
}

/** Add the rendering of \p e to \p z, line by line, as a transfer would. */
static void
zone_add_entry(struct fg_rpz_zone* z, const struct fg_rpz_entry* e,
	const char* resolver)
{
	char buf[FG_RPZ_ENTRY_TEXT], *line, *save;
	struct fg_rpz_params q = p;
	snprintf(q.resolver, sizeof(q.resolver), "%s", resolver);
	ck_assert(fg_rpz_render(&q, e, buf, sizeof(buf)) > 0);
	for(line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n",
		&save))
		ck_assert(fg_rpz_zone_add(z, &p, line));
}

START_TEST(test_diff)
{
	struct fg_rpz_zone* z = fg_rpz_zone_create();
	struct fg_rpz_entry want[4], e;
	struct fg_rpz_diff_ops ops = { put_cb, withdraw_cb, NULL };
	struct calls c;
	size_t puts, wd;
	ck_assert_ptr_nonnull(z);
	memset(&c, 0, sizeof(c));
	ops.arg = &c;
	/* the apex is no entry */
	ck_assert(fg_rpz_zone_add(z, &p, "rpz.example. NS localhost."));
	/* in the zone and wanted alike: untouched */
	entry(&want[0], "same.test", FG_RPZ_NXDOMAIN, FG_VERDICT_FLAGGED);
	zone_add_entry(z, &want[0], "res-a");
	/* in the zone with another policy: rewritten */
	entry(&want[1], "changed.test", FG_RPZ_NODATA, FG_VERDICT_FLAGGED);
	entry(&e, "changed.test", FG_RPZ_NXDOMAIN, FG_VERDICT_FLAGGED);
	zone_add_entry(z, &e, "res-a");
	/* not in the zone: written, once though given twice */
	entry(&want[2], "new.test", FG_RPZ_DROP, FG_VERDICT_DENIED);
	want[3] = want[2];
	/* ours, no longer wanted: withdrawn with its reason as prerequisite */
	entry(&e, "gone.test", FG_RPZ_NXDOMAIN, FG_VERDICT_FLAGGED);
	zone_add_entry(z, &e, "res-a");
	/* another resolver's: left alone */
	entry(&e, "theirs.test", FG_RPZ_NXDOMAIN, FG_VERDICT_FLAGGED);
	zone_add_entry(z, &e, "res-b");
	/* a stray trigger without reason: nobody's, withdrawn */
	ck_assert(fg_rpz_zone_add(z, &p, "stray.test.rpz.example. CNAME ."));
	/* the same entry as another resolver wrote it: no ping-pong */
	ck_assert(fg_rpz_diff(&p, want, 4, z, &ops, &puts, &wd));
	ck_assert_str_eq(c.log,
		"put changed.test.\n"
		"put new.test.\n"
		"withdraw gone.test. (prereq)\n"
		"withdraw stray.test.\n");
	ck_assert_uint_eq(puts, 2);
	ck_assert_uint_eq(wd, 2);
	ck_assert_uint_eq(fg_rpz_zone_count(z), 5);
	/* a failing call stops the diff and says so */
	memset(&c, 0, sizeof(c));
	c.fail_at = 1;
	ck_assert(!fg_rpz_diff(&p, want, 4, z, &ops, NULL, NULL));
	ck_assert_str_eq(c.log, "put changed.test.\n");
	fg_rpz_zone_delete(z);
}
END_TEST

START_TEST(test_diff_other_resolver_same_name)
{
	struct fg_rpz_zone* z = fg_rpz_zone_create();
	struct fg_rpz_entry want;
	struct fg_rpz_diff_ops ops = { put_cb, withdraw_cb, NULL };
	struct calls c;
	memset(&c, 0, sizeof(c));
	ops.arg = &c;
	/* records sent interleaved (owners apart) group into one entry */
	entry(&want, "both.test", FG_RPZ_NXDOMAIN, FG_VERDICT_FLAGGED);
	ck_assert(fg_rpz_zone_add(z, &p, "*.both.test.rpz.example. CNAME ."));
	ck_assert(fg_rpz_zone_add(z, &p, "other.test.rpz.example. CNAME ."));
	ck_assert(fg_rpz_zone_add(z, &p, "both.test._fluxguard.rpz.example. "
		"TXT \"fluxguard verdict=flagged resolver=res-b\""));
	ck_assert(fg_rpz_zone_add(z, &p, "both.test.rpz.example. CNAME ."));
	ck_assert(fg_rpz_zone_add(z, &p, "other.test._fluxguard.rpz.example. "
		"TXT \"fluxguard verdict=flagged resolver=res-b\""));
	ck_assert(fg_rpz_diff(&p, &want, 1, z, &ops, NULL, NULL));
	ck_assert_str_eq(c.log, "");
	/* wanted by nobody here, but another resolver's: stays */
	ck_assert(fg_rpz_diff(&p, NULL, 0, z, &ops, NULL, NULL));
	ck_assert_str_eq(c.log, "");
	fg_rpz_zone_delete(z);
}
END_TEST

START_TEST(test_why_resolver)
{
	char r[FG_RPZ_RESOLVER_MAX + 1];
	fg_rpz_why_resolver("\"fluxguard verdict=flagged resolver=a.b-c_1 x\"",
		r, sizeof(r));
	ck_assert_str_eq(r, "a.b-c_1");
	fg_rpz_why_resolver("\"no resolver here\"", r, sizeof(r));
	ck_assert_str_eq(r, "");
}
END_TEST

START_TEST(test_params_checks)
{
	char why[256];
	struct fg_rpz_params q;
	ck_assert(!fg_rpz_params_init(&q, &cfg, "bad id", why, sizeof(why)));
	ck_assert(strstr(why, "rpz-resolver-id") != NULL);
	cfg.rpz_zone = NULL;
	ck_assert(!fg_rpz_params_init(&q, &cfg, "ok", why, sizeof(why)));
	ck_assert(strstr(why, "rpz-zone: not set") != NULL);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_policy_of_actions, test_entry_from_record,
		test_render_each_policy, test_render_redirect_and_denied,
		test_render_exact_listed,
		test_too_long_and_root, test_owner_kind, test_diff,
		test_diff_other_resolver_same_name, test_why_resolver,
		test_params_checks };
	Suite* s = suite_create("rpz");
	fg_unit_tcase(s, "core", setup, teardown, tests, FG_UNIT_COUNT(tests));
	return s;
}
