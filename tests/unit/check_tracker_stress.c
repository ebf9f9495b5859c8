/**
 * \file
 * Stress tests for the flux tracker's concurrency (core/tracker.c,
 * core/segment.c): several processes, each with several threads, open
 * the same segment at once and update the same domains while a reader copies
 * them, and no update may be lost; writers SIGKILLed at random moments, some
 * while holding a stripe lock, must not wedge the survivors nor leave a
 * segment that fails validation.
 */
#include "fluxguard/log.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"
#include "unit.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_PROCS 3
#define N_THREADS 4
#define N_UPDATES 20000
#define N_DOMAINS 32
#define N_KILLS 20
#define N_SURVIVOR_DOMAINS 4
#define N_VICTIM_DOMAINS 4

/** Lines the tracker logged about dead lock holders, in this process. */
static volatile int n_dead_owner_logs;
static volatile int n_unclean_logs;

static void
count_log(enum fg_log_level level, const char* msg)
{
	(void)level;
	if(strstr(msg, "died holding"))
		n_dead_owner_logs++;
	if(strstr(msg, "did not close cleanly"))
		n_unclean_logs++;
}

/* Every test gets a private segment (fg_unit_seg) and counts the log
 * lines. */
static void
setup(void)
{
	fg_unit_seg_setup();
	fg_log_set_sink(count_log);
}

static void
teardown(void)
{
	fg_unit_seg_teardown();
	fg_log_set_sink(NULL);
}

/** Open the test's segment; NULL (said on stderr) if it cannot. Unlike
 * fg_unit_tracker_open it does not assert: the writers are children that
 * report by exit status. */
static struct fg_tracker*
open_tracker(uint32_t capacity)
{
	struct fg_tracker_options o;
	char err[512];
	struct fg_tracker* t;
	fg_tracker_options_init(&o, fg_unit_seg, capacity, 86400);
	t = fg_tracker_open(&o, err, sizeof(err));
	if(!t)
		fprintf(stderr, "open %s: %s\n", fg_unit_seg, err);
	return t;
}

static void
domain_name(const char* prefix, int i, uint8_t* out)
{
	char s[64];
	snprintf(s, sizeof(s), "%s%d.stress.test", prefix, i);
	if(!fg_name_from_str(s, out, FG_NAME_MAX_WIRE))
		abort();
}

/** Answer k of a domain: two of its five addresses. */
static void
answer(int domain, uint32_t k, struct fg_addr a[2])
{
	int j;
	memset(a, 0, 2 * sizeof(*a));
	for(j = 0; j < 2; j++) {
		a[j].family = FG_AF_INET;
		a[j].addr[0] = 10;
		a[j].addr[1] = (uint8_t)domain;
		a[j].addr[3] = (uint8_t)((k + (uint32_t)j) % 5);
		a[j].asn = 100 + (k + (uint32_t)j) % 5;
	}
}

/** What a writer thread does. */
struct writer_arg {
	/** the tracker */
	struct fg_tracker* t;
	/** thread number, for the spread over domains */
	int id;
	/** updates that failed */
	int failures;
};

static void*
writer_thread(void* p)
{
	struct writer_arg* w = p;
	uint8_t names[N_DOMAINS][FG_NAME_MAX_WIRE];
	struct fg_addr a[2];
	int i;
	for(i = 0; i < N_DOMAINS; i++)
		domain_name("d", i, names[i]);
	for(i = 0; i < N_UPDATES; i++) {
		int d = (i + w->id) % N_DOMAINS;
		answer(d, (uint32_t)(i * 7 + w->id), a);
		if(!fg_tracker_record_addrs(w->t, names[d], 1000 + (uint64_t)(i % 100),
			a, 2, 60))
			w->failures++;
	}
	return NULL;
}

/** What the reader thread checks. */
struct reader_arg {
	/** the tracker */
	struct fg_tracker* t;
	/** set to stop */
	volatile int stop;
	/** copies checked, and inconsistent ones */
	long reads, bad;
};

static void*
reader_thread(void* p)
{
	struct reader_arg* r = p;
	uint8_t names[N_DOMAINS][FG_NAME_MAX_WIRE];
	uint32_t last[N_DOMAINS];
	struct fg_record_view v;
	int i;
	memset(last, 0, sizeof(last));
	for(i = 0; i < N_DOMAINS; i++)
		domain_name("d", i, names[i]);
	while(!r->stop) {
		for(i = 0; i < N_DOMAINS; i++) {
			uint32_t j, hits = 0;
			if(!fg_tracker_lookup(r->t, names[i], 1100, &v))
				continue;
			r->reads++;
			for(j = 0; j < v.n_addrs && j < FG_TRACK_ADDRS; j++)
				hits += v.addr_hits[j];
			/* a torn copy would break these */
			if(v.answers < last[i] || hits != 2 * v.answers ||
				v.n_addrs > 5 ||
				v.name_len != fg_name_wire_len(names[i], FG_NAME_MAX_WIRE) ||
				memcmp(v.name, names[i], v.name_len) != 0)
				r->bad++;
			last[i] = v.answers;
		}
	}
	return NULL;
}

/** A child process: open (all at once with the others), run the threads. */
static void
writer_process(int gate)
{
	struct writer_arg w[N_THREADS];
	pthread_t th[N_THREADS];
	struct fg_tracker* t;
	char c;
	int i, failures = 0;
	/* wait for the gate to open so that every child opens at once */
	while(read(gate, &c, 1) < 0 && errno == EINTR)
		;
	t = open_tracker(1024);
	if(!t)
		_exit(2);
	for(i = 0; i < N_THREADS; i++) {
		w[i].t = t;
		w[i].id = i;
		w[i].failures = 0;
		if(pthread_create(&th[i], NULL, writer_thread, &w[i]) != 0)
			_exit(3);
	}
	for(i = 0; i < N_THREADS; i++) {
		pthread_join(th[i], NULL);
		failures += w[i].failures;
	}
	fg_tracker_close(t);
	_exit(failures ? 4 : 0);
}

START_TEST(test_no_lost_updates)
{
	pid_t pids[N_PROCS];
	int gate[2], i, status;
	struct fg_tracker* t;
	struct reader_arg r;
	pthread_t rt;
	struct fg_record_view v;
	uint8_t name[FG_NAME_MAX_WIRE];
	const uint32_t per_domain = N_PROCS * N_THREADS * N_UPDATES / N_DOMAINS;

	ck_assert_int_eq(pipe(gate), 0);
	for(i = 0; i < N_PROCS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if(pids[i] == 0) {
			close(gate[1]);
			writer_process(gate[0]);
		}
	}
	close(gate[0]);
	close(gate[1]); /* all children race into fg_tracker_open */
	t = NULL;
	for(i = 0; i < 1000 && !t; i++) {
		char err[256];
		int missing;
		t = fg_tracker_attach(fg_unit_seg, 0, &missing, err, sizeof(err));
		if(!t)
			usleep(1000);
	}
	ck_assert_msg(t != NULL, "reader could not attach");
	memset(&r, 0, sizeof(r));
	r.t = t;
	ck_assert_int_eq(pthread_create(&rt, NULL, reader_thread, &r), 0);
	for(i = 0; i < N_PROCS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			"writer %d: status 0x%x", i, status);
	}
	r.stop = 1;
	pthread_join(rt, NULL);
	ck_assert_msg(r.bad == 0, "%ld of %ld copies inconsistent", r.bad, r.reads);
	for(i = 0; i < N_DOMAINS; i++) {
		uint32_t j, hits = 0;
		domain_name("d", i, name);
		ck_assert(fg_tracker_lookup(t, name, 1100, &v));
		ck_assert_uint_eq(v.answers, per_domain);
		ck_assert_uint_eq(v.addr_distinct, 5);
		ck_assert_uint_eq(v.asn_distinct, 5);
		for(j = 0; j < v.n_addrs; j++)
			hits += v.addr_hits[j];
		ck_assert_uint_eq(hits, 2 * per_domain);
	}
	{
		struct fg_tracker_info info;
		fg_tracker_get_info(t, &info);
		ck_assert_uint_eq(info.generation, 1); /* created once */
		ck_assert_uint_eq(info.used, N_DOMAINS);
		ck_assert_int_eq(info.clean_close, 1);
	}
	fprintf(stderr, "no lost updates: %ld consistent copies read\n", r.reads);
	fg_tracker_close(t);
}
END_TEST

/** The victim: update its own domains (and verdicts) until killed. */
static void
victim_process(void)
{
	struct fg_tracker* t = open_tracker(16);
	uint8_t names[N_VICTIM_DOMAINS][FG_NAME_MAX_WIRE];
	struct fg_addr a[2];
	uint32_t k;
	int i;
	if(!t)
		_exit(2);
	for(i = 0; i < N_VICTIM_DOMAINS; i++)
		domain_name("v", i, names[i]);
	for(k = 0;; k++) {
		int d = (int)(k % N_VICTIM_DOMAINS);
		answer(d, k, a);
		fg_tracker_record_addrs(t, names[d], 1000, a, 2, 60);
		if(k % 64 == 0)
			fg_tracker_set_verdict(t, names[d], 1000, 1.0f, FG_VERDICT_CLEAN);
	}
}

/** The survivor: update its own domains until its stdin closes, then report
 * how many updates each got. A deadlock trips the alarm. */
static void
survivor_process(int gate, int report)
{
	struct fg_tracker* t;
	uint8_t names[N_SURVIVOR_DOMAINS][FG_NAME_MAX_WIRE];
	uint32_t counts[N_SURVIVOR_DOMAINS + 1];
	struct fg_addr a[2];
	uint32_t k;
	int i;
	alarm(20);
	t = open_tracker(16);
	if(!t)
		_exit(2);
	memset(counts, 0, sizeof(counts));
	for(i = 0; i < N_SURVIVOR_DOMAINS; i++)
		domain_name("s", i, names[i]);
	for(k = 0;; k++) {
		int d = (int)(k % N_SURVIVOR_DOMAINS);
		char c;
		answer(d, k, a);
		if(!fg_tracker_record_addrs(t, names[d], 1000, a, 2, 60))
			_exit(4);
		counts[d]++;
		if(k % 256 == 0 && read(gate, &c, 1) == 0)
			break; /* the parent closed the gate: done */
	}
	counts[N_SURVIVOR_DOMAINS] = (uint32_t)n_dead_owner_logs;
	fg_tracker_close(t);
	if(write(report, counts, sizeof(counts)) != (ssize_t)sizeof(counts))
		_exit(5);
	_exit(0);
}

START_TEST(test_sigkill_writers)
{
	int gate[2], report[2], i, status;
	uint32_t counts[N_SURVIVOR_DOMAINS + 1];
	pid_t survivor;
	struct fg_tracker* t;
	struct fg_record_view v;
	uint8_t name[FG_NAME_MAX_WIRE];
	char err[512];
	int missing;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	srandom((unsigned)ts.tv_nsec);
	/* the survivor polls the gate without blocking */
	ck_assert_int_eq(pipe(gate), 0);
	ck_assert_int_eq(pipe(report), 0);
	ck_assert(fcntl(gate[0], F_SETFL, O_NONBLOCK) == 0);
	survivor = fork();
	ck_assert_int_ge(survivor, 0);
	if(survivor == 0) {
		close(gate[1]);
		close(report[0]);
		survivor_process(gate[0], report[1]);
	}
	close(gate[0]);
	close(report[1]);
	for(i = 0; i < N_KILLS; i++) {
		pid_t victim = fork();
		ck_assert_int_ge(victim, 0);
		if(victim == 0) {
			close(gate[1]);
			victim_process();
		}
		usleep((useconds_t)(2000 + random() % 8000));
		kill(victim, SIGKILL);
		ck_assert_int_eq(waitpid(victim, &status, 0), victim);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			"victim %d ended by itself: 0x%x", i, status);
	}
	close(gate[1]);
	ck_assert_int_eq(read(report[0], counts, sizeof(counts)),
		(ssize_t)sizeof(counts));
	ck_assert_int_eq(waitpid(survivor, &status, 0), survivor);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"survivor: status 0x%x (SIGALRM = deadlock)", status);
	fprintf(stderr, "sigkill: %d writers killed, %u times holding a lock; "
		"survivor made %u updates\n", N_KILLS, counts[N_SURVIVOR_DOMAINS],
		counts[0] * N_SURVIVOR_DOMAINS);

	/* the segment still validates for a tool, and nothing of the survivor
	 * was lost */
	t = fg_tracker_attach(fg_unit_seg, 0, &missing, err, sizeof(err));
	ck_assert_msg(t != NULL, "attach after kills: %s", err);
	for(i = 0; i < N_SURVIVOR_DOMAINS; i++) {
		domain_name("s", i, name);
		ck_assert(fg_tracker_lookup(t, name, 1000, &v));
		ck_assert_uint_eq(v.answers, counts[i]);
		ck_assert_uint_eq(v.addr_distinct, 5);
	}
	fg_tracker_close(t);
	/* and an opener takes it over without rebuilding, repairing what the
	 * last victim left */
	n_unclean_logs = 0;
	t = open_tracker(16);
	ck_assert(t != NULL);
	for(i = 0; i < N_SURVIVOR_DOMAINS; i++) {
		domain_name("s", i, name);
		ck_assert(fg_tracker_lookup(t, name, 1000, &v));
		ck_assert_uint_eq(v.answers, counts[i]);
	}
	{
		struct fg_tracker_info info;
		fg_tracker_get_info(t, &info);
		ck_assert_uint_eq(info.generation, 1);
	}
	fg_tracker_close(t);
}
END_TEST

START_TEST(test_unclean_close_repaired)
{
	struct fg_tracker* t;
	struct fg_record_view v;
	uint8_t name[FG_NAME_MAX_WIRE];
	pid_t child;
	int status;
	/* a writer alone on the segment dies */
	child = fork();
	ck_assert_int_ge(child, 0);
	if(child == 0)
		victim_process();
	usleep(20000);
	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	n_unclean_logs = 0;
	t = open_tracker(16);
	ck_assert(t != NULL);
	ck_assert_int_eq(n_unclean_logs, 1);
	/* the lock it may have held is usable */
	domain_name("v", 0, name);
	{
		struct fg_addr a[2];
		answer(0, 0, a);
		ck_assert(fg_tracker_record_addrs(t, name, 1000, a, 2, 60));
	}
	ck_assert(fg_tracker_lookup(t, name, 1000, &v));
	fg_tracker_close(t);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_no_lost_updates, test_sigkill_writers,
		test_unclean_close_repaired };
	Suite* s = suite_create("tracker-stress");
	TCase* tc = fg_unit_tcase(s, "concurrency", setup, teardown,
		tests, FG_UNIT_COUNT(tests));
	tcase_set_timeout(tc, 40);
	return s;
}
