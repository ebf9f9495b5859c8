/**
 * \file
 * Unit tests for fluxguard-sensor's frame queue (tools/fg_frame_queue.c):
 * frames come out in order, a queue full in frames or in octets refuses a
 * frame without waiting, taking frames out frees their room, a closed queue
 * drains and then ends, and a detector thread waiting on an empty queue is
 * woken by a push and by the close.
 */
#include "fg_frame_queue.h"
#include "unit.h"

#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/** A frame of \p len octets, all \p fill. */
static struct fg_frame*
frame_of(size_t len, uint8_t fill)
{
	uint8_t buf[4096];
	ck_assert_uint_le(len, sizeof(buf));
	memset(buf, fill, len);
	return fg_frame_new(buf, len);
}

START_TEST(test_order_and_frame_bound)
{
	struct fg_frame_queue q;
	struct fg_frame* f, *extra;
	int i;
	ck_assert(fg_frame_queue_init(&q, 3, 1 << 20));
	for(i = 0; i < 3; i++)
		ck_assert(fg_frame_queue_push(&q, frame_of(10 + i, (uint8_t)i)));
	extra = frame_of(1, 9);
	/* full: not taken, and the hint says so before anything is copied */
	ck_assert(!fg_frame_queue_would_take(&q, 1));
	ck_assert(!fg_frame_queue_push(&q, extra));
	for(i = 0; i < 3; i++) {
		f = fg_frame_queue_pop(&q);
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(f->len, 10 + (size_t)i);
		ck_assert_uint_eq(f->data[0], (unsigned)i);
		free(f);
	}
	ck_assert(fg_frame_queue_would_take(&q, 1));
	ck_assert(fg_frame_queue_push(&q, extra)); /* room again */
	ck_assert_uint_eq(q.bytes, 1);
	fg_frame_queue_deinit(&q); /* frees the frame still queued */
}
END_TEST

START_TEST(test_octet_bound)
{
	struct fg_frame_queue q;
	struct fg_frame* big = frame_of(600, 1), *small = frame_of(400, 2),
		*over = frame_of(401, 3), *f;
	ck_assert(fg_frame_queue_init(&q, 100, 1000));
	ck_assert(fg_frame_queue_push(&q, big));
	ck_assert(!fg_frame_queue_would_take(&q, 401));
	ck_assert(!fg_frame_queue_push(&q, over)); /* 1001 octets: refused */
	ck_assert(fg_frame_queue_would_take(&q, 400));
	ck_assert(fg_frame_queue_push(&q, small)); /* exactly 1000 */
	ck_assert_uint_eq(q.bytes, 1000);
	ck_assert_uint_eq(q.count, 2);
	f = fg_frame_queue_pop(&q);
	ck_assert_ptr_eq(f, big);
	free(f);
	ck_assert_uint_eq(q.bytes, 400);
	ck_assert(fg_frame_queue_push(&q, over)); /* 801 octets now */
	fg_frame_queue_deinit(&q);
}
END_TEST

START_TEST(test_close_drains)
{
	struct fg_frame_queue q;
	struct fg_frame* late = frame_of(5, 5), *f;
	ck_assert(fg_frame_queue_init(&q, 4, 1 << 20));
	ck_assert(fg_frame_queue_push(&q, frame_of(5, 1)));
	fg_frame_queue_close(&q);
	ck_assert(!fg_frame_queue_would_take(&q, 5));
	ck_assert(!fg_frame_queue_push(&q, late)); /* closed: not taken */
	free(late);
	f = fg_frame_queue_pop(&q);
	ck_assert_ptr_nonnull(f); /* what was queued still comes out */
	free(f);
	ck_assert_ptr_null(fg_frame_queue_pop(&q)); /* then the end */
	fg_frame_queue_deinit(&q);
}
END_TEST

/** A detector thread: count the frames until the queue ends. */
static void*
consume(void* arg)
{
	struct fg_frame_queue* q = arg;
	struct fg_frame* f;
	size_t* n = calloc(1, sizeof(*n));
	while((f = fg_frame_queue_pop(q)) != NULL) {
		(*n)++;
		free(f);
	}
	return n;
}

START_TEST(test_waiting_consumer)
{
	struct fg_frame_queue q;
	pthread_t t;
	size_t* n;
	int i, queued = 0;
	ck_assert(fg_frame_queue_init(&q, 8, 1 << 20));
	ck_assert_int_eq(pthread_create(&t, NULL, consume, &q), 0);
	for(i = 0; i < 1000; i++) {
		struct fg_frame* f = frame_of(32, (uint8_t)i);
		if(fg_frame_queue_push(&q, f))
			queued++;
		else
			free(f); /* full: the sensor drops and counts it */
	}
	fg_frame_queue_close(&q);
	ck_assert_int_eq(pthread_join(t, (void**)&n), 0);
	ck_assert_uint_eq(*n, (size_t)queued);
	ck_assert_int_ge(queued, 8);
	free(n);
	ck_assert_uint_eq(q.count, 0);
	ck_assert_uint_eq(q.bytes, 0);
	fg_frame_queue_deinit(&q);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_order_and_frame_bound, test_octet_bound,
		test_close_drains, test_waiting_consumer };
	Suite* s = suite_create("frame_queue");
	fg_unit_tcase(s, "queue", NULL, NULL, tests, FG_UNIT_COUNT(tests));
	return s;
}
