/**
 * \file
 * Unit tests for the answer judgement (core/judge.c) on hand-made answers:
 * a CNAME alias of a flagged name, allow beating a flag, deny beating an
 * allow of lower specificity and a flag, address lists, operator verdicts,
 * the lists-only judgement before resolution, sections other than the answer
 * ignored, and the action each verdict maps to.
 */
#include "fluxguard/conffile.h"
#include "fluxguard/detect.h"
#include "fluxguard/judge.h"
#include "fluxguard/name.h"
#include "fluxguard/options.h"
#include "fluxguard/policy.h"
#include "fluxguard/tracker.h"
#include "fluxguard/upstream.h"
#include "unit.h"

#include <check.h>
#include <string.h>

/** When every answer of these tests arrives. */
#define NOW 1700000000u

/* The detector fixture of unit.h, blocking flags with NXDOMAIN and denies
 * with REFUSED so that each verdict's action tells them apart. */
static void
setup(void)
{
	fg_unit_detector_setup();
	fg_unit_det.action = FG_ACTION_NXDOMAIN;
	fg_unit_det.deny_action = FG_ACTION_REFUSE;
}

/** Add a list entry, failing the test on an error. */
static void
list(enum fg_list which, const char* entry)
{
	fg_unit_list_add(fg_unit_policy, which, entry);
}

/** Give \p name a tracked record with \p verdict and \p score. */
static void
track(const char* name, enum fg_verdict verdict, float score)
{
	struct fg_addr a = fg_unit_addr("45.0.0.1", 0, NULL);
	ck_assert(fg_tracker_record_addrs(fg_unit_tracker, fg_unit_name(name),
		NOW, &a, 1, 60));
	if(verdict == FG_VERDICT_ALLOWED || verdict == FG_VERDICT_DENIED)
		ck_assert(fg_tracker_set_operator_verdict(fg_unit_tracker,
			fg_unit_name(name), NOW, verdict));
	else
		ck_assert(fg_tracker_set_verdict(fg_unit_tracker,
			fg_unit_name(name), NOW, score, verdict));
}

/** Start an answer. */
static void
answer_init(struct fg_upstream* up)
{
	fg_upstream_init(up, NOW);
}

/** Add a CNAME \p owner -> \p target to the answer section. */
static void
add_cname(struct fg_upstream* up, const char* owner, const char* target)
{
	ck_assert_ptr_nonnull(fg_upstream_add_rrset(up, fg_unit_name(owner),
		FG_TYPE_CNAME, FG_SECTION_ANSWER, 300));
	ck_assert(fg_upstream_add_name(up, fg_unit_name(target)));
}

/** Add an A RRset of \p owner in \p section with the IPv4 address \p ip
 * (dotted quad). */
static void
add_a(struct fg_upstream* up, const char* owner, enum fg_section section,
	const char* ip)
{
	fg_unit_upstream_addrs(up, section, owner, 60, &ip, 1);
}

/**
 * Judge the answer to \p query that follows the CNAME chain \p chain (its
 * names, space-separated, each an alias of the next) to an A record \p ip
 * of the last name, or to no data when \p ip is NULL.
 * \return what fg_judge_answer returns, with \p j filled.
 */
static int
judge_chain(const char* query, const char* chain, const char* ip,
	struct fg_judgement* j)
{
	struct fg_upstream up;
	char names[8][FG_NAME_MAX_STR];
	size_t n = 0, i, len;
	const char* p = chain;
	answer_init(&up);
	for(p += strspn(p, " "); *p; p += len, p += strspn(p, " ")) {
		len = strcspn(p, " ");
		ck_assert(n < 8 && len < FG_NAME_MAX_STR);
		memcpy(names[n], p, len);
		names[n++][len] = 0;
	}
	ck_assert_uint_gt(n, 0);
	for(i = 0; i + 1 < n; i++)
		add_cname(&up, names[i], names[i + 1]);
	if(ip)
		add_a(&up, names[n - 1], FG_SECTION_ANSWER, ip);
	return fg_judge_answer(&fg_unit_det, fg_unit_name(query), &up, j);
}

/** Judge the query for \p name before resolution (lists only). */
static int
judge_query(const char* name, struct fg_judgement* j)
{
	return fg_judge_query(&fg_unit_det, fg_unit_name(name), j);
}

/** The deciding name of \p j in presentation format. */
static const char*
decided_by(const struct fg_judgement* j)
{
	static char buf[FG_NAME_MAX_STR];
	if(j->name_len == 0)
		return "-";
	ck_assert(fg_name_to_str(j->name, buf, sizeof(buf)));
	return buf;
}

START_TEST(test_cname_alias_of_flagged)
{
	struct fg_judgement j;
	track("bot.example.", FG_VERDICT_FLAGGED, 90.0f);
	ck_assert(judge_chain("alias.example.", "alias.example. bot.example.",
		"45.0.0.1", &j));
	ck_assert_int_eq(j.blocked, 1);
	ck_assert_int_eq(j.verdict, FG_VERDICT_FLAGGED);
	ck_assert_int_eq(j.action, FG_ACTION_NXDOMAIN);
	ck_assert_int_eq(j.list, FG_LIST_NONE);
	ck_assert_str_eq(decided_by(&j), "bot.example.");
	ck_assert_str_eq(j.reason, "flux score 90.0");
	ck_assert(j.score > 89.9 && j.score < 90.1);
	/* a longer chain: the flagged name in the middle decides too */
	ck_assert(judge_chain("A.Example.",
		"a.example. bot.example. cdn.example.", "45.0.0.2", &j));
	ck_assert_str_eq(decided_by(&j), "bot.example.");
	/* a chain that ends at the flagged name without its records (the
	 * target has no data of the query's type) is blocked all the same */
	ck_assert(judge_chain("nodata.example.",
		"nodata.example. bot.example.", NULL, &j));
	ck_assert_str_eq(decided_by(&j), "bot.example.");
	/* a clean chain passes */
	ck_assert(!judge_chain("www.example.", "www.example. cdn.example.",
		"45.0.0.3", &j));
	ck_assert_int_eq(j.blocked, 0);
	ck_assert_int_eq(j.verdict, FG_VERDICT_CLEAN);
	ck_assert_int_eq(j.list, FG_LIST_NONE);
}
END_TEST

START_TEST(test_allow_beats_flag)
{
	struct fg_judgement j;
	track("bot.example.", FG_VERDICT_FLAGGED, 90.0f);
	list(FG_LIST_ALLOW, "exact:alias.example");
	ck_assert(!judge_chain("alias.example.", "alias.example. bot.example.",
		"45.0.0.1", &j));
	ck_assert_int_eq(j.blocked, 0);
	ck_assert_int_eq(j.list, FG_LIST_ALLOW);
	ck_assert_int_eq(j.verdict, FG_VERDICT_CLEAN);
	/* an operator's allow of the flagged target does the same */
	track("bot2.example.", FG_VERDICT_ALLOWED, 0);
	track("bot3.example.", FG_VERDICT_FLAGGED, 80.0f);
	ck_assert(!judge_chain("x.example.",
		"x.example. bot3.example. bot2.example.", "45.0.0.1", &j));
	ck_assert_int_eq(j.list, FG_LIST_ALLOW);
}
END_TEST

START_TEST(test_deny_beats_lower_allow_and_flag)
{
	struct fg_judgement j;
	list(FG_LIST_ALLOW, "example.com");
	list(FG_LIST_DENY, "bad.example.com");
	ck_assert(judge_chain("www.bad.example.com.", "www.bad.example.com.",
		"45.0.0.1", &j));
	ck_assert_int_eq(j.verdict, FG_VERDICT_DENIED);
	ck_assert_int_eq(j.list, FG_LIST_DENY);
	ck_assert_int_eq(j.action, FG_ACTION_REFUSE);
	ck_assert_str_eq(j.reason, "deny list");
	ck_assert_str_eq(decided_by(&j), "www.bad.example.com.");
	/* the less specific allow still covers its other names */
	ck_assert(!judge_chain("good.example.com.", "good.example.com.",
		"45.0.0.1", &j));
	ck_assert_int_eq(j.list, FG_LIST_ALLOW);
	/* a deny later in the chain beats a flag earlier in it */
	track("bot.example.", FG_VERDICT_FLAGGED, 90.0f);
	ck_assert(judge_chain("q.example.",
		"q.example. bot.example. x.bad.example.com.", "45.0.0.1", &j));
	ck_assert_int_eq(j.verdict, FG_VERDICT_DENIED);
	ck_assert_str_eq(decided_by(&j), "x.bad.example.com.");
	ck_assert_int_eq(j.action, FG_ACTION_REFUSE);
	/* an operator's deny blocks with deny-action and says so */
	track("op.example.", FG_VERDICT_DENIED, 0);
	ck_assert(judge_chain("op.example.", "op.example.", "45.0.0.1", &j));
	ck_assert_str_eq(j.reason, "deny list (operator)");
	ck_assert_int_eq(j.list, FG_LIST_DENY);
}
END_TEST

START_TEST(test_address_lists)
{
	static const char* const one_denied[] = { "45.0.0.1", "192.0.2.9" };
	struct fg_upstream up;
	struct fg_judgement j;
	list(FG_LIST_DENY, "192.0.2.0/24");
	list(FG_LIST_ALLOW, "198.51.100.0/24");
	/* one denied address blocks the answer, named after the query */
	answer_init(&up);
	add_cname(&up, "w.example.", "x.example.");
	fg_unit_upstream_addrs(&up, FG_SECTION_ANSWER, "x.example.", 60,
		one_denied, 2);
	ck_assert(fg_judge_answer(&fg_unit_det, fg_unit_name("w.example."), &up,
		&j));
	ck_assert_str_eq(j.reason, "deny list (address)");
	ck_assert_str_eq(decided_by(&j), "w.example.");
	/* an answer wholly in allowed addresses passes although flagged */
	track("f.example.", FG_VERDICT_FLAGGED, 70.0f);
	ck_assert(!judge_chain("f.example.", "f.example.", "198.51.100.7", &j));
	ck_assert_int_eq(j.list, FG_LIST_ALLOW);
}
END_TEST

START_TEST(test_only_answer_section)
{
	struct fg_upstream up;
	struct fg_judgement j;
	track("bot.example.", FG_VERDICT_FLAGGED, 90.0f);
	list(FG_LIST_DENY, "192.0.2.0/24");
	answer_init(&up);
	add_a(&up, "www.example.", FG_SECTION_ANSWER, "45.0.0.1");
	add_a(&up, "bot.example.", FG_SECTION_ADDITIONAL, "192.0.2.1");
	ck_assert(!fg_judge_answer(&fg_unit_det, fg_unit_name("www.example."),
		&up, &j));
	ck_assert_int_eq(j.verdict, FG_VERDICT_CLEAN);
}
END_TEST

START_TEST(test_query_lists_only)
{
	struct fg_judgement j;
	track("bot.example.", FG_VERDICT_FLAGGED, 90.0f);
	list(FG_LIST_DENY, "evil.example");
	/* before resolution the tracker is not asked */
	ck_assert(!judge_query("bot.example.", &j));
	ck_assert(judge_query("www.evil.example.", &j));
	ck_assert_int_eq(j.action, FG_ACTION_REFUSE);
	ck_assert_int_eq(j.list, FG_LIST_DENY);
	list(FG_LIST_ALLOW, "exact:www.evil.example");
	ck_assert(!judge_query("www.evil.example.", &j));
	ck_assert_int_eq(j.list, FG_LIST_ALLOW);
}
END_TEST

START_TEST(test_monitor_and_config)
{
	struct fg_judgement j;
	struct fg_config cfg;
	fg_conf_defaults(&cfg);
	/* the defaults: monitor mode for flags, refuse for denies */
	fg_detector_init_config(&fg_unit_det, fg_unit_tracker, NULL,
		fg_unit_policy, &cfg);
	fg_conf_free(&cfg);
	track("bot.example.", FG_VERDICT_FLAGGED, 90.0f);
	ck_assert(judge_chain("bot.example.", "bot.example.", "45.0.0.1", &j));
	ck_assert_int_eq(j.blocked, 1);
	ck_assert_int_eq(j.action, FG_ACTION_LOG);
	list(FG_LIST_DENY, "bot.example");
	ck_assert(judge_chain("bot.example.", "bot.example.", "45.0.0.1", &j));
	ck_assert_int_eq(j.action, FG_ACTION_REFUSE);
	/* a malformed query name is nothing to judge */
	ck_assert(!fg_judge_query(&fg_unit_det, (const uint8_t*)"\077abc", &j));
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_cname_alias_of_flagged,
		test_allow_beats_flag, test_deny_beats_lower_allow_and_flag,
		test_address_lists, test_only_answer_section,
		test_query_lists_only, test_monitor_and_config };
	Suite* s = suite_create("judge");
	fg_unit_tcase(s, "judge", setup, fg_unit_detector_teardown, tests,
		FG_UNIT_COUNT(tests));
	return s;
}
