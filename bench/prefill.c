/**
 * \file
 * Fills a tracker segment with random domains before the resolver benchmark
 * (bench/run-resolver-bench.sh) starts Unbound with fluxguard on it, so that
 * fluxguard is measured against a realistically full table rather than an
 * empty one. It goes through the core library's public tracker interface
 * (fluxguard/tracker.h), exactly as the module does, and opens the segment
 * with the capacity and window that the benchmark's fluxguard.conf names:
 * a segment opened with another capacity would be rebuilt empty.
 *
 * Usage:
 *   prefill --segment NAME --capacity N [--window SECS] [--domains N]
 *           [--seed S]            record N random domains (default 1000000)
 *   prefill --info --segment NAME  print the segment's summary and exit
 *
 * Output is "name value" lines, one per fact, for the benchmark to parse.
 */
#include "fg-config.h"

#include "fluxguard/clock.h"
#include "fluxguard/log.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/** Parsed command line. */
struct prefill_args {
	/** segment name or path */
	const char* segment;
	/** capacity to open the segment with */
	uint32_t capacity;
	/** window, seconds */
	uint32_t window;
	/** domains to record */
	uint32_t domains;
	/** PRNG seed */
	uint64_t seed;
	/** only print the segment's summary */
	int info;
};

/** splitmix64: fast, seedable, good enough to spread names over buckets. */
static uint64_t
prefill_rand(uint64_t* state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/** Print the library's log lines on stderr. */
static void
prefill_log_sink(enum fg_log_level level, const char* msg)
{
	(void)level;
	fprintf(stderr, "prefill: %s\n", msg);
}

static void
prefill_usage(void)
{
	fprintf(stderr, "usage: prefill --segment NAME --capacity N [--window SECS] "
		"[--domains N] [--seed S]\n"
		"       prefill --info --segment NAME\n");
	exit(2);
}

/** Parse an unsigned decimal number in [min, max] or exit. */
static uint64_t
prefill_number(const char* opt, const char* s, uint64_t min, uint64_t max)
{
	char* end;
	unsigned long long v;
	errno = 0;
	v = strtoull(s, &end, 10);
	if(errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "prefill: %s: expected a number between %" PRIu64
			" and %" PRIu64 ", got \"%s\"\n", opt, min, max, s);
		exit(2);
	}
	return v;
}

static void
prefill_parse(int argc, char** argv, struct prefill_args* a)
{
	int i;
	memset(a, 0, sizeof(*a));
	a->window = 6 * 3600;
	a->domains = 1000000;
	a->seed = 1;
	for(i = 1; i < argc; i++) {
		const char* o = argv[i];
		if(strcmp(o, "--info") == 0) {
			a->info = 1;
			continue;
		}
		if(i + 1 >= argc)
			prefill_usage();
		if(strcmp(o, "--segment") == 0)
			a->segment = argv[++i];
		else if(strcmp(o, "--capacity") == 0)
			a->capacity = (uint32_t)prefill_number(o, argv[++i], 1, UINT32_MAX);
		else if(strcmp(o, "--window") == 0)
			a->window = (uint32_t)prefill_number(o, argv[++i], 1, UINT32_MAX);
		else if(strcmp(o, "--domains") == 0)
			a->domains = (uint32_t)prefill_number(o, argv[++i], 0, UINT32_MAX);
		else if(strcmp(o, "--seed") == 0)
			a->seed = prefill_number(o, argv[++i], 0, UINT64_MAX);
		else
			prefill_usage();
	}
	if(!a->segment || (!a->info && !a->capacity))
		prefill_usage();
}

/**
 * A random domain in wire format: one to three labels of 4 to 14 letters and
 * digits under one of a few TLDs, so that lengths and label counts vary as in
 * real traffic. \return the wire length.
 */
static size_t
prefill_name(uint64_t* rng, uint8_t* wire)
{
	static const char* const tlds[] = { "com", "net", "org", "info", "ru",
		"de", "xyz", "top", "cn", "io" };
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint64_t r = prefill_rand(rng);
	unsigned labels = 1 + (unsigned)(r % 3), l;
	const char* tld = tlds[(r >> 8) % (sizeof(tlds) / sizeof(tlds[0]))];
	size_t pos = 0, tl = strlen(tld);

	for(l = 0; l < labels; l++) {
		uint64_t bits = prefill_rand(rng);
		unsigned len = 4 + (unsigned)(bits % 11), c;
		wire[pos++] = (uint8_t)len;
		for(c = 0; c < len; c++) {
			bits = bits * 6364136223846793005ULL + 1442695040888963407ULL;
			wire[pos++] = (uint8_t)alphabet[(bits >> 33) % 36];
		}
	}
	wire[pos++] = (uint8_t)tl;
	memcpy(wire + pos, tld, tl);
	pos += tl;
	wire[pos++] = 0;
	return pos;
}

/** One to four IPv4 addresses, mostly in one /16 as for ordinary sites. */
static size_t
prefill_addrs(uint64_t* rng, struct fg_addr* addrs)
{
	uint64_t r = prefill_rand(rng);
	size_t n = 1 + (size_t)(r % 4), i;
	for(i = 0; i < n; i++) {
		memset(&addrs[i], 0, sizeof(addrs[i]));
		addrs[i].family = FG_AF_INET;
		addrs[i].addr[0] = (uint8_t)(1 + (r >> 8) % 223);
		addrs[i].addr[1] = (uint8_t)(r >> 16);
		addrs[i].addr[2] = (uint8_t)(r >> 24);
		addrs[i].addr[3] = (uint8_t)(1 + i + (r >> 32) % 200);
		addrs[i].asn = 64512 + (uint32_t)((r >> 40) % 1000);
		addrs[i].country[0] = (char)('A' + (r >> 50) % 26);
		addrs[i].country[1] = (char)('A' + (r >> 55) % 26);
	}
	return n;
}

static void
prefill_print_info(struct fg_tracker* t)
{
	struct fg_tracker_info info;
	fg_tracker_get_info(t, &info);
	printf("segment %s\n", info.segment);
	printf("capacity %u\n", (unsigned)info.capacity);
	printf("used %u\n", (unsigned)info.used);
	printf("window %u\n", (unsigned)info.window);
	printf("bytes %" PRIu64 "\n", info.bytes);
	printf("evictions %" PRIu64 "\n", info.evictions);
	printf("generation %" PRIu64 "\n", info.generation);
}

int
main(int argc, char** argv)
{
	struct prefill_args a;
	struct fg_tracker_options opts;
	struct fg_tracker* t;
	char err[512];
	uint64_t rng, failed = 0, now;
	uint32_t i;
	double t0, dt;

	prefill_parse(argc, argv, &a);
	fg_log_set_sink(prefill_log_sink);

	if(a.info) {
		int missing = 0;
		t = fg_tracker_attach(a.segment, 0, &missing, err, sizeof(err));
		if(!t) {
			fprintf(stderr, "prefill: %s: %s\n", a.segment,
				missing ? "no such segment" : err);
			return 1;
		}
		prefill_print_info(t);
		fg_tracker_close(t);
		return 0;
	}

	fg_tracker_options_init(&opts, a.segment, a.capacity, a.window);
	t = fg_tracker_open(&opts, err, sizeof(err));
	if(!t) {
		fprintf(stderr, "prefill: %s: %s\n", a.segment, err);
		return 1;
	}

	rng = a.seed;
	now = (uint64_t)time(NULL);
	t0 = fg_clock_mono();
	for(i = 0; i < a.domains; i++) {
		uint8_t wire[FG_NAME_MAX_WIRE];
		struct fg_addr addrs[4];
		size_t n;
		prefill_name(&rng, wire);
		n = prefill_addrs(&rng, addrs);
		if(!fg_tracker_record_addrs(t, wire, now, addrs, n,
			60 + (uint32_t)(prefill_rand(&rng) % 3600)))
			failed++;
	}
	dt = fg_clock_mono() - t0;

	printf("recorded %u\n", (unsigned)a.domains);
	printf("failed %" PRIu64 "\n", failed);
	printf("seconds %.3f\n", dt);
	printf("ns_per_record %.1f\n", a.domains ? dt * 1e9 / a.domains : 0.0);
	prefill_print_info(t);
	fg_tracker_close(t);
	return 0;
}
