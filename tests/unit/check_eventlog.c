/**
 * \file
 * Unit tests for the event line (core/event.c) and the JSON event log
 * (core/eventlog.c): every key of a block line, in order, with a client,
 * the query type, the identity, the action and the deciding name's score;
 * null where a key does not apply; monitor mode's would-block; the
 * suppressed summary. The log: lines arrive whole and in order, posting
 * never blocks (a full queue drops and counts), the rate admits so many a
 * second and sums up the rest, a moved or removed file is followed by a new
 * one, JSON strings are escaped, and a bad path is a clear error.
 */
#include "fluxguard/event.h"
#include "fluxguard/eventlog.h"
#include "fluxguard/options.h"
#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/** The event log of the running test, in its scratch directory. */
static char path[FG_UNIT_PATH_MAX];

static void
setup(void)
{
	fg_unit_scratch_setup();
	snprintf(path, sizeof(path), "%s", fg_unit_path("events.jsonl"));
}

/** \p file's content, malloc'ed. */
static char*
slurp_file(const char* file)
{
	FILE* f = fopen(file, "r");
	char* buf = calloc(1, 1 << 20);
	size_t n;
	ck_assert_msg(f && buf, "cannot read %s", file);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/** The log's content. */
static char*
slurp(void)
{
	return slurp_file(path);
}

/** Open the test's log with \p rate and identity "r1". */
static struct fg_eventlog*
open_log(uint32_t rate)
{
	struct fg_eventlog_params p = { path, rate, "r1" };
	char err[256];
	struct fg_eventlog* log = fg_eventlog_open(&p, err, sizeof(err));
	ck_assert_msg(log != NULL, "%s", err);
	return log;
}

/** Post \p line, waiting for the writer if the queue is full. */
static void
post_wait(struct fg_eventlog* log, const char* line)
{
	int i;
	for(i = 0; i < 5000 && !fg_eventlog_post(log, line); i++)
		usleep(1000);
	ck_assert_int_lt(i, 5000);
}

/** Lines in \p text. */
static int
count_lines(const char* text)
{
	int n = 0;
	for(; *text; text++)
		n += *text == '\n';
	return n;
}

/* ------------------------------------------------------------ the line */

START_TEST(test_format_block)
{
	struct fg_addr client = fg_unit_addr("192.0.2.10", 0, NULL);
	struct fg_event ev;
	char line[1024];
	memset(&ev, 0, sizeof(ev));
	ev.time = 1700000000;
	ev.event = "block";
	ev.identity = "resolver1";
	ev.client = &client;
	ev.client_port = 53124;
	ev.name = fg_unit_name("Alias.Example");
	ev.qtype = "AAAA";
	ev.has_score = 1;
	ev.score = 96.04;
	ev.action = FG_ACTION_REFUSE;
	ev.decided_by = fg_unit_name("bot.example");
	ev.reason = "flux score 96.0";
	ck_assert(fg_event_format(&ev, line, sizeof(line)));
	ck_assert_str_eq(line, "{\"time\":1700000000,\"event\":\"block\","
		"\"identity\":\"resolver1\",\"client\":\"192.0.2.10\","
		"\"client_port\":53124,\"domain\":\"alias.example.\","
		"\"qtype\":\"AAAA\",\"score\":96.0,\"action\":\"refuse\","
		"\"list\":null,\"decided_by\":\"bot.example.\","
		"\"reason\":\"flux score 96.0\"}");
	/* does not fit: an error, never a cut line */
	ck_assert(!fg_event_format(&ev, line, 100));
}
END_TEST

START_TEST(test_format_deny_v6_would_block)
{
	struct fg_addr client = fg_unit_addr("2001:db8::53", 0, NULL);
	struct fg_event ev;
	char line[1024];
	memset(&ev, 0, sizeof(ev));
	ev.time = 5;
	ev.event = "would-block";
	ev.client = &client;
	ev.client_port = 1;
	ev.name = fg_unit_name("www.denied.example");
	ev.qtype = "TYPE65280";
	ev.has_score = 0;
	ev.score = 12;
	ev.action = FG_ACTION_LOG;
	ev.list = "deny";
	ev.decided_by = fg_unit_name("www.denied.example");
	ev.reason = "deny list";
	ck_assert(fg_event_format(&ev, line, sizeof(line)));
	/* a list decided: no score; monitor mode: would-block, action log */
	ck_assert_str_eq(line, "{\"time\":5,\"event\":\"would-block\","
		"\"identity\":null,\"client\":\"2001:db8::53\",\"client_port\":1,"
		"\"domain\":\"www.denied.example.\",\"qtype\":\"TYPE65280\","
		"\"score\":null,\"action\":\"log\",\"list\":\"deny\","
		"\"decided_by\":\"www.denied.example.\",\"reason\":\"deny list\"}");
}
END_TEST

START_TEST(test_format_flag_unflag)
{
	struct fg_score_explain ex;
	struct fg_event ev;
	char line[4096];
	memset(&ex, 0, sizeof(ex));
	memset(&ev, 0, sizeof(ev));
	ev.time = 7;
	ev.event = "unflag";
	ev.identity = "r\"1";
	ev.name = fg_unit_name("bot.example");
	ev.action = -1;
	ev.reason = "unflagged by an operator";
	ck_assert(fg_event_format(&ev, line, sizeof(line)));
	/* no query: no client, no type, no deciding name; escaped identity */
	ck_assert_str_eq(line, "{\"time\":7,\"event\":\"unflag\","
		"\"identity\":\"r\\\"1\",\"client\":null,\"client_port\":null,"
		"\"domain\":\"bot.example.\",\"qtype\":null,\"score\":null,"
		"\"action\":null,\"list\":null,\"decided_by\":null,"
		"\"reason\":\"unflagged by an operator\"}");
	ev.event = "flag";
	ev.has_score = 1;
	ev.score = 90.66;
	ev.action = FG_ACTION_NXDOMAIN;
	ev.explain = &ex;
	ev.reason = NULL;
	ck_assert(fg_event_format(&ev, line, sizeof(line)));
	ck_assert_ptr_nonnull(strstr(line, "\"score\":90.7,\"action\":"
		"\"nxdomain\""));
	ck_assert_ptr_nonnull(strstr(line, "\"reason\":\"\",\"explain\":{"));
	ck_assert_int_eq(line[strlen(line) - 1], '}');
}
END_TEST

START_TEST(test_format_bad_name)
{
	uint8_t bad[FG_NAME_MAX_WIRE];
	struct fg_event ev;
	char line[1024];
	/* a label length no wire name has, in a buffer of a name's room */
	memset(bad, 0x40, sizeof(bad));
	memset(&ev, 0, sizeof(ev));
	ev.event = "block";
	ev.name = bad;
	ck_assert(!fg_event_format(&ev, line, sizeof(line)));
	ev.name = fg_unit_name("ok.example");
	ev.decided_by = bad;
	ck_assert(!fg_event_format(&ev, line, sizeof(line)));
	ev.name = NULL;
	ev.decided_by = NULL;
	ck_assert(!fg_event_format(&ev, line, sizeof(line)));
}
END_TEST

START_TEST(test_format_suppressed)
{
	char line[512];
	ck_assert(fg_event_format_suppressed(1700000002, "r1", 15, 1700000001,
		5, line, sizeof(line)));
	ck_assert_str_eq(line, "{\"time\":1700000002,\"event\":\"suppressed\","
		"\"identity\":\"r1\",\"count\":15,\"since\":1700000001,"
		"\"reason\":\"event-rate: more than 5 block events in a "
		"second\"}");
	ck_assert(!fg_event_format_suppressed(1, NULL, 1, 1, 1, line, 40));
}
END_TEST

/* ------------------------------------------------------------- the log */

START_TEST(test_lines_in_order)
{
	struct fg_eventlog* log = open_log(0);
	char line[64];
	char* got;
	int i;
	for(i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "{\"n\":%d}", i);
		/* the writer keeps up with 100 lines; retry if it is slow */
		post_wait(log, line);
	}
	fg_eventlog_close(log);
	got = slurp();
	ck_assert(strncmp(got, "{\"n\":0}\n{\"n\":1}\n", 16) == 0);
	ck_assert_ptr_nonnull(strstr(got, "{\"n\":98}\n{\"n\":99}\n"));
	free(got);
}
END_TEST

START_TEST(test_drop_not_block)
{
	char* big = malloc(FG_EVENTLOG_LINE_MAX + 10);
	struct fg_eventlog* log = open_log(0);
	int i, queued = 0;
	/* a line too long to keep whole is dropped, never cut */
	memset(big, 'x', FG_EVENTLOG_LINE_MAX + 5);
	big[FG_EVENTLOG_LINE_MAX + 5] = 0;
	ck_assert(!fg_eventlog_post(log, big));
	ck_assert_uint_eq(fg_eventlog_dropped(log), 1);
	/* far more than the queue in a burst: some are dropped, none blocks */
	for(i = 0; i < FG_EVENTLOG_QUEUE * 50; i++)
		queued += fg_eventlog_post(log, "{\"burst\":true}");
	ck_assert_uint_eq(fg_eventlog_dropped(log) + (uint64_t)queued,
		1 + FG_EVENTLOG_QUEUE * 50);
	ck_assert_int_ge(queued, FG_EVENTLOG_QUEUE);
	ck_assert(!fg_eventlog_post(NULL, "{}"));
	fg_eventlog_close(log);
	free(big);
}
END_TEST

START_TEST(test_rate_suppresses_and_counts)
{
	struct fg_eventlog* log = open_log(5);
	int i, admitted = 0;
	char* got;
	const char* s;
	/* one second: 5 admitted, the other 15 counted */
	for(i = 0; i < 20; i++)
		if(fg_eventlog_admit(log, 1000)) {
			admitted++;
			post_wait(log, "{\"event\":\"block\"}");
		}
	ck_assert_int_eq(admitted, 5);
	ck_assert_uint_eq(fg_eventlog_suppressed(log), 15);
	/* the next second opens a new window */
	ck_assert(fg_eventlog_admit(log, 1001));
	post_wait(log, "{\"event\":\"block\"}");
	/* the summary is written within a check interval, and at close */
	fg_eventlog_close(log);
	got = slurp();
	ck_assert_int_eq(count_lines(got), 7);
	s = strstr(got, "\"event\":\"suppressed\",\"identity\":\"r1\","
		"\"count\":15,\"since\":1000,");
	ck_assert_msg(s != NULL, "no summary: %s", got);
	free(got);
	ck_assert(!fg_eventlog_admit(NULL, 1));
}
END_TEST

START_TEST(test_rate_summary_while_running)
{
	struct fg_eventlog* log = open_log(1);
	char* got = NULL;
	int i;
	ck_assert(fg_eventlog_admit(log, 2000));
	ck_assert(!fg_eventlog_admit(log, 2000));
	ck_assert(!fg_eventlog_admit(log, 2000));
	/* no line comes, yet the writer sums them up about once a second */
	for(i = 0; i < 40; i++) {
		usleep(100 * 1000);
		free(got);
		got = slurp();
		if(strstr(got, "\"count\":2,\"since\":2000,"))
			break;
	}
	ck_assert_msg(i < 40, "no summary within 4 s: %s", got);
	free(got);
	fg_eventlog_close(log);
	/* nothing left to sum up at close: still one summary */
	got = slurp();
	ck_assert_int_eq(count_lines(got), 1);
	free(got);
}
END_TEST

START_TEST(test_unlimited)
{
	struct fg_eventlog* log = open_log(0);
	int i;
	for(i = 0; i < 10000; i++)
		ck_assert(fg_eventlog_admit(log, 3000));
	ck_assert_uint_eq(fg_eventlog_suppressed(log), 0);
	fg_eventlog_close(log);
}
END_TEST

/** Wait until \p file exists, for up to 4 s. */
static void
wait_for_file(const char* file)
{
	struct stat st;
	int i;
	for(i = 0; i < 400 && stat(file, &st) != 0; i++)
		usleep(10 * 1000);
	ck_assert_msg(i < 400, "%s did not appear", file);
}

START_TEST(test_follows_a_moved_file)
{
	struct fg_eventlog* log = open_log(0);
	char moved[FG_UNIT_PATH_MAX], removed[FG_UNIT_PATH_MAX];
	char* got;
	snprintf(moved, sizeof(moved), "%s", fg_unit_path("events.jsonl.1"));
	snprintf(removed, sizeof(removed), "%s", fg_unit_path("gone"));
	post_wait(log, "{\"n\":1}");
	/* logrotate: move it away; the writer starts a new file at the path */
	usleep(200 * 1000);
	ck_assert_int_eq(rename(path, moved), 0);
	wait_for_file(path);
	post_wait(log, "{\"n\":2}");
	/* removed outright: the same */
	usleep(200 * 1000);
	ck_assert_int_eq(rename(path, removed), 0);
	ck_assert_int_eq(unlink(removed), 0);
	wait_for_file(path);
	post_wait(log, "{\"n\":3}");
	fg_eventlog_close(log);
	got = slurp_file(moved);
	ck_assert_str_eq(got, "{\"n\":1}\n");
	free(got);
	got = slurp();
	ck_assert_str_eq(got, "{\"n\":3}\n");
	free(got);
}
END_TEST

START_TEST(test_bad_path)
{
	struct fg_eventlog_params p = { "/nonexistent-dir/events.jsonl", 0, NULL };
	char err[256];
	ck_assert_ptr_null(fg_eventlog_open(&p, err, sizeof(err)));
	ck_assert_str_eq(err, "event-log /nonexistent-dir/events.jsonl: No such "
		"file or directory");
	fg_eventlog_close(NULL);
}
END_TEST

START_TEST(test_json_string)
{
	char buf[64];
	size_t pos = 0;
	ck_assert(fg_json_string(buf, sizeof(buf), &pos, "a\"b\\c\n\001"));
	ck_assert_str_eq(buf, "\"a\\\"b\\\\c\\u000a\\u0001\"");
	pos = 0;
	ck_assert(!fg_json_string(buf, 5, &pos, "abcdef"));
	ck_assert_uint_eq(pos, 0);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* format[] = { test_format_block,
		test_format_deny_v6_would_block, test_format_flag_unflag,
		test_format_bad_name, test_format_suppressed, test_json_string };
	const TTest* log[] = { test_lines_in_order, test_drop_not_block,
		test_rate_suppresses_and_counts, test_rate_summary_while_running,
		test_unlimited, test_follows_a_moved_file, test_bad_path };
	Suite* s = suite_create("eventlog");
	fg_unit_tcase(s, "event", NULL, NULL, format, FG_UNIT_COUNT(format));
	fg_unit_tcase(s, "log", setup, fg_unit_scratch_teardown,
		log, FG_UNIT_COUNT(log));
	return s;
}
