/**
 * \file
 * Unit tests for the JSON event log (core/eventlog.c): lines arrive
 * whole and in order, posting never blocks (a full queue drops and counts),
 * JSON strings are escaped, and a bad path is a clear error.
 */
#include "fluxguard/eventlog.h"
#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** The event log of the running test, in its scratch directory. */
static char path[FG_UNIT_PATH_MAX];

static void
setup(void)
{
	fg_unit_scratch_setup();
	snprintf(path, sizeof(path), "%s", fg_unit_path("events.jsonl"));
}

/** The file's content, malloc'ed. */
static char*
slurp(void)
{
	FILE* f = fopen(path, "r");
	char* buf = calloc(1, 1 << 20);
	size_t n;
	ck_assert(f && buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

START_TEST(test_lines_in_order)
{
	char err[256], line[64];
	struct fg_eventlog* log = fg_eventlog_open(path, err, sizeof(err));
	char* got;
	int i;
	ck_assert_msg(log != NULL, "%s", err);
	for(i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "{\"n\":%d}", i);
		/* the writer keeps up with 100 lines; retry if it is slow */
		while(!fg_eventlog_post(log, line))
			usleep(1000);
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
	char err[256];
	char* big = malloc(FG_EVENTLOG_LINE_MAX + 10);
	struct fg_eventlog* log = fg_eventlog_open(path, err, sizeof(err));
	int i, queued = 0;
	ck_assert_msg(log != NULL, "%s", err);
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

START_TEST(test_bad_path)
{
	char err[256];
	ck_assert_ptr_null(fg_eventlog_open("/nonexistent-dir/events.jsonl", err,
		sizeof(err)));
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
	const TTest* tests[] = { test_lines_in_order, test_drop_not_block,
		test_bad_path, test_json_string };
	Suite* s = suite_create("eventlog");
	fg_unit_tcase(s, "core", setup, fg_unit_scratch_teardown,
		tests, FG_UNIT_COUNT(tests));
	return s;
}
