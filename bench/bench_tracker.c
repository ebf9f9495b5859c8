/**
 * \file
 * Micro-benchmarks of the flux tracker (core/tracker*.c): median time of
 * one fg_tracker_record_addrs on a table pre-filled with a million random
 * names (1 to 8 addresses each, one answer in ten rotating an address, as a
 * flux domain would), update throughput with 1 and 2 threads, lookup time,
 * the detector's whole cost per answer (fg_detect_addrs: record, score,
 * verdict; every name's zone has NS evidence, as in a resolver), the
 * machine's own latency for one dependent load from a table as large as the
 * segment (the floor under any update of a name not in the CPU's caches),
 * and the segment's size per tracked domain. bench/RESULTS.md holds the
 * figures and the command that reproduces them. Names are drawn uniformly
 * (every update a cold cache miss: the worst case) and Zipf(1)-distributed
 * (how resolver traffic looks). `--smoke` runs everything
 * at a tiny size so that `make check` keeps this program working.
 *
 *	bench_tracker [--smoke] [--domains N] [--capacity N] [--ops N]
 *	              [--segment NAME-OR-PATH] [--small-pages]
 *
 * The table is mapped with 2 MiB pages where the kernel can, as the module
 * does by default (option huge-pages); --small-pages keeps 4 KiB pages.
 * --segment puts the table somewhere else than a fresh POSIX object, e.g. a
 * file on a tmpfs mounted with huge=within_size, to measure what huge pages
 * buy (the segment is removed afterwards).
 */
#include "fluxguard/detect.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/** Room for one generated wire name. */
#define NAME_ROOM 64

/** The benchmark's configuration and shared state. */
struct bench {
	/** domains pre-filled */
	uint32_t domains;
	/** table capacity */
	uint32_t capacity;
	/** timed operations per measurement */
	uint32_t ops;
	/** the names, NAME_ROOM octets each */
	uint8_t* names;
	/** the tracker */
	struct fg_tracker* t;
	/** the time all measurements pretend it is */
	uint64_t now;
	/** 1: names drawn Zipf(1)-distributed, as resolver traffic is; 0:
	 * uniformly, every update a cold miss (the worst case) */
	int zipf;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
xorshift(uint64_t* s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/** A random name "<8..20 chars>.<zone i%5000>.com" in wire format. */
static void
make_name(uint8_t* out, uint32_t i, uint64_t* rng)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char zone[16];
	unsigned len = 8 + (unsigned)(xorshift(rng) % 13), j, zl;
	out[0] = (uint8_t)len;
	for(j = 0; j < len; j++)
		out[1 + j] = (uint8_t)alnum[xorshift(rng) % 36];
	zl = (unsigned)snprintf(zone, sizeof(zone), "z%u", i % 5000);
	out[1 + len] = (uint8_t)zl;
	memcpy(out + 2 + len, zone, zl);
	memcpy(out + 2 + len + zl, "\3com", 5);
}

/** The next domain to update: uniform, or Zipf(1) over ranks scattered
 * across the names (rank r drawn as N^u, u uniform). */
static uint32_t
pick(const struct bench* b, uint64_t* rng)
{
	uint64_t r;
	double u;
	if(!b->zipf)
		return (uint32_t)(xorshift(rng) % b->domains);
	u = (double)(xorshift(rng) >> 11) / 9007199254740992.0;
	r = (uint64_t)pow((double)b->domains, u);
	if(r < 1)
		r = 1;
	return (uint32_t)(((r - 1) * 2654435761u) % b->domains);
}

/** Addresses of domain \p d's answer: 1..8 addresses; \p rotate changes one. */
static size_t
make_answer(uint32_t d, int rotate, uint64_t* rng, struct fg_addr* a)
{
	size_t n = 1 + (d * 2654435761u >> 7) % 8, i;
	memset(a, 0, n * sizeof(*a));
	for(i = 0; i < n; i++) {
		uint32_t x = d * 8 + (uint32_t)i;
		a[i].family = FG_AF_INET;
		a[i].addr[0] = (uint8_t)(x >> 24 | 1);
		a[i].addr[1] = (uint8_t)(x >> 16);
		a[i].addr[2] = (uint8_t)(x >> 8);
		a[i].addr[3] = (uint8_t)x;
		a[i].asn = 64512 + (x % 300);
		a[i].country[0] = 'N';
		a[i].country[1] = 'L';
	}
	if(rotate)
		a[xorshift(rng) % n].addr[3] ^= (uint8_t)(1 + xorshift(rng) % 255);
	return n;
}

static int
cmp_u64(const void* a, const void* b)
{
	uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
	return x < y ? -1 : x > y;
}

/** Median cost of an empty timed region, to subtract. */
static uint64_t
timer_overhead(void)
{
	uint64_t d[4001];
	int i;
	for(i = 0; i < 4001; i++) {
		uint64_t t0 = now_ns();
		d[i] = now_ns() - t0;
	}
	qsort(d, 4001, sizeof(d[0]), cmp_u64);
	return d[2000];
}

/** One timed operation on domain \p dom whose answer is \p a (\p n
 * addresses). \return 0 if it failed. */
typedef int (*bench_op)(struct bench* b, const uint8_t* name,
	struct fg_addr* a, size_t n, void* ctx);

/**
 * Time b->ops single operations on random pre-filled names (drawn as b->zipf
 * says, from \p seed); the median in ns goes to *\p median and the mean to
 * *\p mean (if not NULL). \return the operations that succeeded.
 */
static uint32_t
bench_time(struct bench* b, uint64_t seed, bench_op op, void* ctx,
	double* median, double* mean)
{
	uint64_t* d = malloc(b->ops * sizeof(*d));
	uint64_t rng = seed, over = timer_overhead(), sum = 0;
	uint32_t i, next = pick(b, &rng), ok = 0;
	struct fg_addr a[8];
	if(!d)
		exit(1);
	for(i = 0; i < b->ops; i++) {
		uint32_t dom = next;
		size_t n = make_answer(dom, xorshift(&rng) % 10 == 0, &rng, a);
		uint64_t t0, t1;
		/* the resolver has the name in its packet buffer: keep the
		 * harness's own names array out of the measurement */
		next = pick(b, &rng);
		__builtin_prefetch(b->names + (size_t)next * NAME_ROOM);
		t0 = now_ns();
		ok += (uint32_t)(op(b, b->names + (size_t)dom * NAME_ROOM, a, n,
			ctx) != 0);
		t1 = now_ns();
		d[i] = t1 - t0 > over ? t1 - t0 - over : 0;
		sum += d[i];
	}
	qsort(d, b->ops, sizeof(d[0]), cmp_u64);
	*median = (double)d[b->ops / 2];
	if(mean)
		*mean = (double)sum / b->ops;
	free(d);
	return ok;
}

static int
op_update(struct bench* b, const uint8_t* name, struct fg_addr* a, size_t n,
	void* ctx)
{
	(void)ctx;
	return fg_tracker_record_addrs(b->t, name, b->now, a, n, 300);
}

static int
op_lookup(struct bench* b, const uint8_t* name, struct fg_addr* a, size_t n,
	void* ctx)
{
	struct fg_record_view v;
	(void)a;
	(void)n;
	(void)ctx;
	return fg_tracker_lookup(b->t, name, b->now, &v);
}

static int
op_detect(struct bench* b, const uint8_t* name, struct fg_addr* a, size_t n,
	void* ctx)
{
	struct fg_decision out;
	return fg_detect_addrs(ctx, name, b->now, a, n, 300, &out) &&
		out.source != FG_SRC_UNTRACKED;
}

/** Median and mean ns of single updates of random pre-filled names. */
static void
bench_update_latency(struct bench* b, double* median, double* mean)
{
	if(bench_time(b, 0x9e3779b97f4a7c15ULL, op_update, NULL, median,
		mean) != b->ops) {
		fprintf(stderr, "bench_tracker: update failed\n");
		exit(1);
	}
}

/** Median ns of a lookup of a random pre-filled name. */
static double
bench_lookup(struct bench* b)
{
	double med;
	uint32_t found = bench_time(b, 12345, op_lookup, NULL, &med, NULL);
	if(found < b->ops / 2) {
		fprintf(stderr, "bench_tracker: only %u of %u lookups found\n",
			found, b->ops);
		exit(1);
	}
	return med;
}

/** Median ns of one fg_detect_addrs (the module's work per address RRset). */
static double
bench_detect(struct bench* b)
{
	struct fg_detector det;
	double med;
	fg_detector_init(&det, b->t, NULL, NULL, NULL, 0);
	if(bench_time(b, 777, op_detect, &det, &med, NULL) != b->ops) {
		fprintf(stderr, "bench_tracker: detect failed\n");
		exit(1);
	}
	return med;
}

/** Median ns of one dependent load at random from \p size octets: what one
 * access to memory not in any cache costs on this machine. */
static double
memory_latency(size_t size)
{
	size_t n = size / 64, i, p;
	uint64_t rng = 99, t0;
	uint64_t* m = mmap(NULL, size, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t* perm = malloc(n * sizeof(*perm));
	const uint32_t loads = 2000000;
	double ns;
	if(m == MAP_FAILED || !perm)
		exit(1);
	/* one random cycle through every cache line */
	for(i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for(i = n - 1; i > 0; i--) {
		size_t j = xorshift(&rng) % (i + 1);
		uint32_t x = perm[i];
		perm[i] = perm[j];
		perm[j] = x;
	}
	for(i = 0; i < n; i++)
		m[(size_t)perm[i] * 8] = (uint64_t)perm[(i + 1) % n] * 8;
	free(perm);
	p = 0;
	t0 = now_ns();
	for(i = 0; i < loads; i++)
		p = m[p];
	ns = (double)(now_ns() - t0) / loads;
	munmap(m, size);
	return p == 1 ? ns + 0 : ns;
}

/** One throughput thread. */
struct tput_arg {
	/** the benchmark */
	struct bench* b;
	/** seed */
	uint64_t seed;
	/** updates to do */
	uint32_t ops;
};

static void*
tput_thread(void* p)
{
	struct tput_arg* ta = p;
	struct bench* b = ta->b;
	uint64_t rng = ta->seed;
	uint32_t i, next = pick(b, &rng);
	struct fg_addr a[8];
	for(i = 0; i < ta->ops; i++) {
		uint32_t dom = next;
		size_t n = make_answer(dom, xorshift(&rng) % 10 == 0, &rng, a);
		next = pick(b, &rng);
		__builtin_prefetch(b->names + (size_t)next * NAME_ROOM);
		fg_tracker_record_addrs(b->t, b->names + (size_t)dom * NAME_ROOM,
			b->now, a, n, 300);
	}
	return NULL;
}

/** Updates per second with \p nthreads threads, each doing b->ops. */
static double
bench_throughput(struct bench* b, int nthreads)
{
	pthread_t th[8];
	struct tput_arg ta[8];
	uint64_t t0, t1;
	int i;
	t0 = now_ns();
	for(i = 0; i < nthreads; i++) {
		ta[i].b = b;
		ta[i].seed = 0x1234567ULL * (uint64_t)(i + 1) + 99;
		ta[i].ops = b->ops;
		if(pthread_create(&th[i], NULL, tput_thread, &ta[i]) != 0)
			exit(1);
	}
	for(i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	t1 = now_ns();
	return (double)b->ops * nthreads / ((double)(t1 - t0) / 1e9);
}

/** Remove the segment \p seg: a POSIX object or a file. */
static void
remove_segment(const char* seg)
{
	if(seg[0] == '/' && strchr(seg + 1, '/') == NULL)
		shm_unlink(seg);
	else
		unlink(seg);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_tracker [--smoke] [--domains N] "
		"[--capacity N] [--ops N] [--segment NAME-OR-PATH] "
		"[--small-pages]\n");
	exit(2);
}

int
main(int argc, char** argv)
{
	struct bench b;
	struct fg_tracker_options o;
	struct fg_tracker_info info;
	char seg[512], err[512];
	const char* segment = NULL;
	uint64_t rng = 42, t0;
	double med, mean, lk, tp1, tp2, det;
	uint32_t i;
	int smoke = 0, small_pages = 0;

	memset(&b, 0, sizeof(b));
	b.domains = 1000000;
	b.ops = 2000000;
	for(i = 1; i < (uint32_t)argc; i++) {
		if(strcmp(argv[i], "--smoke") == 0)
			smoke = 1;
		else if(strcmp(argv[i], "--domains") == 0 && i + 1 < (uint32_t)argc)
			b.domains = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if(strcmp(argv[i], "--capacity") == 0 && i + 1 < (uint32_t)argc)
			b.capacity = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if(strcmp(argv[i], "--ops") == 0 && i + 1 < (uint32_t)argc)
			b.ops = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if(strcmp(argv[i], "--segment") == 0 && i + 1 < (uint32_t)argc)
			segment = argv[++i];
		else if(strcmp(argv[i], "--small-pages") == 0)
			small_pages = 1;
		else
			usage();
	}
	if(smoke) {
		b.domains = 5000;
		b.ops = 20000;
		b.capacity = 0;
	}
	if(b.domains == 0 || b.ops == 0)
		usage();
	/* room to spare, as an operator would size it: 80% full */
	if(b.capacity == 0)
		b.capacity = b.domains / 4 * 5 + 16;
	b.now = 1700000000;

	if(segment)
		snprintf(seg, sizeof(seg), "%s", segment);
	else
		snprintf(seg, sizeof(seg), "/fg-bench-tracker-%d", (int)getpid());
	remove_segment(seg);
	fg_tracker_options_init(&o, seg, b.capacity, 6 * 3600);
	o.huge_pages = !small_pages;
	t0 = now_ns();
	b.t = fg_tracker_open(&o, err, sizeof(err));
	if(!b.t) {
		fprintf(stderr, "bench_tracker: %s\n", err);
		return 1;
	}
	printf("%-34s %s   (segment created and mapped in %.2f s)\n", "pages",
		fg_tracker_huge_pages(b.t) ? "2 MiB" : "4 KiB",
		(double)(now_ns() - t0) / 1e9);
	b.names = malloc((size_t)b.domains * NAME_ROOM);
	if(!b.names)
		return 1;
	for(i = 0; i < b.domains; i++)
		make_name(b.names + (size_t)i * NAME_ROOM, i, &rng);

	t0 = now_ns();
	for(i = 0; i < b.domains; i++) {
		struct fg_addr a[8];
		size_t n = make_answer(i, 0, &rng, a);
		fg_tracker_record_addrs(b.t, b.names + (size_t)i * NAME_ROOM,
			b.now, a, n, 300);
	}
	/* every zone z<i>.com has NS evidence, as the referrals of a
	 * resolver's cache misses give it */
	for(i = 0; i < 5000 && i < b.domains; i++) {
		uint8_t zone[NAME_ROOM], ns1[] = "\3ns1\4host\3net", ns2[] =
			"\3ns2\4host\3net";
		const uint8_t* ns[2] = { ns1, ns2 };
		char zs[16];
		unsigned zl = (unsigned)snprintf(zs, sizeof(zs), "z%u", i);
		zone[0] = (uint8_t)zl;
		memcpy(zone + 1, zs, zl);
		memcpy(zone + 1 + zl, "\3com", 5);
		fg_tracker_record_ns(b.t, zone, b.now, ns, 2, NULL, 0, 3600);
	}
	fg_tracker_get_info(b.t, &info);
	printf("%-34s %u domains into capacity %u (%u held, %llu evicted) "
		"in %.2f s\n", "prefill", b.domains, info.capacity, info.used,
		(unsigned long long)info.evictions, (double)(now_ns() - t0) / 1e9);

	for(b.zipf = 0; b.zipf < 2; b.zipf++) {
		const char* d = b.zipf ? "zipf" : "uniform";
		char label[64];
		bench_update_latency(&b, &med, &mean);
		lk = bench_lookup(&b);
		det = bench_detect(&b);
		tp1 = bench_throughput(&b, 1);
		tp2 = bench_throughput(&b, 2);
		snprintf(label, sizeof(label), "%s: update, median (1 thread)", d);
		printf("%-34s %8.0f ns   (mean %.0f ns, %u updates)\n", label,
			med, mean, b.ops);
		snprintf(label, sizeof(label), "%s: lookup, median", d);
		printf("%-34s %8.0f ns\n", label, lk);
		snprintf(label, sizeof(label), "%s: detect, median", d);
		printf("%-34s %8.0f ns   (record, score, verdict: one answer)\n",
			label, det);
		snprintf(label, sizeof(label), "%s: updates/s, 1 thread", d);
		printf("%-34s %8.2f M/s\n", label, tp1 / 1e6);
		snprintf(label, sizeof(label), "%s: updates/s, 2 threads", d);
		printf("%-34s %8.2f M/s   (%.2fx)\n", label, tp2 / 1e6, tp2 / tp1);
	}
	printf("%-34s %8.0f ns   (one dependent load, random, %.0f MiB)\n",
		"memory latency", memory_latency(info.bytes), (double)info.bytes /
		1048576.0);
	fg_tracker_get_info(b.t, &info);
	printf("%-34s %8.1f B    (segment %.1f MiB / capacity %u)\n",
		"bytes per tracked domain", (double)info.bytes / info.capacity,
		(double)info.bytes / 1048576.0, info.capacity);
	printf("%-34s %8.1f B    (segment / %u domains held)\n",
		"bytes per domain held", (double)info.bytes / info.used, info.used);

	fg_tracker_close(b.t);
	remove_segment(seg);
	free(b.names);
	/* The smoke table is small, so the fixed parts of the segment (header,
	 * journal) weigh on the ratio: judge the per-domain part there. */
	if(smoke && (info.used == 0 ||
		(double)info.table_bytes / info.capacity > 512)) {
		fprintf(stderr, "bench_tracker: smoke run looks wrong\n");
		return 1;
	}
	return 0;
}
