/**
 * \file
 * rpz_bench: the measuring half of bench/rpz-latency.sh. It writes flags
 * into a tracker segment as the module does (a record, the flagged verdict,
 * a FLAG journal entry) and watches for each name to be blocked:
 *
 *	rpz_bench latency SEGMENT RESOLVER_PORT COUNT RATE
 *		flags COUNT names at RATE per second and asks the consumer
 *		resolver (on 127.0.0.1) for each every 10 ms until it answers
 *		with the RPZ block (NXDOMAIN without RA: the consumer runs with
 *		rpz-signal-nxdomain-ra); prints the median, p99 and max time
 *		from flag to block, in ms
 *	rpz_bench throughput SEGMENT PRIMARY_PORT ZONE COUNT
 *		flags COUNT names at once and asks the primary for the trigger
 *		of the last one until it has it; prints entries per second
 *
 * The segment is created if it does not exist. Built with the tests, never
 * run by them except in bench/smoke_rpz.sh.
 */
#include "fluxguard/addr.h"
#include "fluxguard/clock.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"

#include <ldns/ldns.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/** Monotonic milliseconds. */
static double
now_ms(void)
{
	return fg_clock_mono() * 1e3;
}

/** Flag name \p i (f<i>.<run>.bench.test) in the tracker. */
static void
flag(struct fg_tracker* t, unsigned run, unsigned i, uint8_t* wire)
{
	char name[128];
	struct fg_addr a;
	uint64_t now = (uint64_t)time(NULL);
	snprintf(name, sizeof(name), "f%u.r%u.bench.test", i, run);
	if(!fg_name_from_str(name, wire, FG_NAME_MAX_WIRE) ||
		!fg_addr_from_str("192.0.2.1", &a) ||
		!fg_tracker_record_addrs(t, wire, now, &a, 1, 60) ||
		!fg_tracker_set_verdict(t, wire, now, 90, FG_VERDICT_FLAGGED) ||
		!fg_tracker_journal_append(t, FG_JOURNAL_FLAG, wire)) {
		fprintf(stderr, "rpz_bench: cannot flag %s\n", name);
		exit(1);
	}
}

/** Ask 127.0.0.1@port for \p wire's \p type: the answer, or NULL. */
static ldns_pkt*
ask(ldns_resolver* r, const uint8_t* wire, ldns_rr_type type)
{
	char s[FG_NAME_MAX_STR];
	ldns_rdf* n;
	ldns_pkt* p = NULL;
	if(!fg_name_to_str(wire, s, sizeof(s)) || !(n = ldns_dname_new_frm_str(s)))
		return NULL;
	(void)ldns_resolver_query_status(&p, r, n, type, LDNS_RR_CLASS_IN,
		LDNS_RD);
	ldns_rdf_deep_free(n);
	return p;
}

static ldns_resolver*
resolver_at(int port, int rd)
{
	ldns_resolver* r = ldns_resolver_new();
	ldns_rdf* a = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, "127.0.0.1");
	struct timeval tv = { 1, 0 };
	ldns_resolver_push_nameserver(r, a);
	ldns_rdf_deep_free(a);
	ldns_resolver_set_port(r, (uint16_t)port);
	ldns_resolver_set_retry(r, 1);
	ldns_resolver_set_timeout(r, tv);
	ldns_resolver_set_recursive(r, rd);
	return r;
}

static int
cmp_double(const void* a, const void* b)
{
	double x = *(const double*)a, y = *(const double*)b;
	return (x > y) - (x < y);
}

/** Attach to \p segment for writing, creating it if it does not exist. */
static struct fg_tracker*
open_segment(const char* segment)
{
	struct fg_tracker_options o;
	char err[512];
	struct fg_tracker* t;
	fg_tracker_options_init(&o, segment, 65536, 6 * 3600);
	if(!(t = fg_tracker_open(&o, err, sizeof(err)))) {
		fprintf(stderr, "rpz_bench: %s\n", err);
		exit(1);
	}
	return t;
}

static int
latency(const char* segment, int port, unsigned count, double rate)
{
	struct fg_tracker* t = open_segment(segment);
	ldns_resolver* r = resolver_at(port, 1);
	uint8_t (*names)[FG_NAME_MAX_WIRE] = calloc(count, sizeof(*names));
	double* at = calloc(count, sizeof(double)), *lat = calloc(count,
		sizeof(double)), start = now_ms(), last_poll = 0;
	unsigned run = (unsigned)getpid(), next = 0, done = 0, i, lost = 0;
	char* blocked = calloc(count, 1);
	if(!names || !at || !lat || !blocked)
		return 1;
	while(done < count) {
		double now = now_ms();
		/* flags at the rate */
		while(next < count && now >= start + next * 1000.0 / rate) {
			flag(t, run, next, names[next]);
			at[next++] = now_ms();
		}
		if(now - last_poll >= 10) {
			last_poll = now;
			for(i = 0; i < next; i++) {
				ldns_pkt* p;
				if(blocked[i])
					continue;
				if(now_ms() - at[i] > 30000) {
					blocked[i] = 1; /* given up on: counted */
					lost++;
					done++;
					continue;
				}
				p = ask(r, names[i], LDNS_RR_TYPE_A);
				if(p && ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN &&
					!ldns_pkt_ra(p)) {
					lat[done - lost] = now_ms() - at[i];
					blocked[i] = 1;
					done++;
				}
				ldns_pkt_free(p);
			}
		}
		usleep(1000);
	}
	count -= lost;
	qsort(lat, count, sizeof(double), cmp_double);
	printf("flags %u at %.1f/s: flag to block on the consumer: median %.0f "
		"ms, p99 %.0f ms, max %.0f ms; not blocked within 30 s: %u\n",
		count + lost, rate, count ? lat[count / 2] : 0,
		count ? lat[(size_t)((count - 1) * 0.99)] : 0,
		count ? lat[count - 1] : 0, lost);
	ldns_resolver_deep_free(r);
	fg_tracker_close(t);
	free(names);
	free(at);
	free(lat);
	free(blocked);
	return lost ? 1 : 0;
}

static int
throughput(const char* segment, int port, const char* zone, unsigned count)
{
	struct fg_tracker* t = open_segment(segment);
	ldns_resolver* r = resolver_at(port, 0);
	uint8_t wire[FG_NAME_MAX_WIRE], trig[FG_NAME_MAX_WIRE];
	unsigned run = (unsigned)getpid(), i;
	double start = now_ms(), flagged;
	char s[FG_NAME_MAX_STR], q[2 * FG_NAME_MAX_STR];
	for(i = 0; i < count; i++)
		flag(t, run, i, wire);
	flagged = now_ms();
	/* the publisher sends in journal order: the last one there means all */
	fg_name_to_str(wire, s, sizeof(s));
	snprintf(q, sizeof(q), "%s%s", s, zone);
	fg_name_from_str(q, trig, sizeof(trig));
	for(;;) {
		ldns_pkt* p = ask(r, trig, LDNS_RR_TYPE_CNAME);
		int there = p && ldns_pkt_ancount(p) > 0;
		ldns_pkt_free(p);
		if(there)
			break;
		if(now_ms() - start > 600000) {
			fprintf(stderr, "rpz_bench: %s not on the primary after "
				"600 s\n", q);
			return 1;
		}
		usleep(2000);
	}
	printf("%u flags written in %.0f ms; all on the primary after %.0f ms: "
		"%.0f entries/s\n", count, flagged - start, now_ms() - start,
		count / ((now_ms() - start) / 1000.0));
	ldns_resolver_deep_free(r);
	fg_tracker_close(t);
	return 0;
}

int
main(int argc, char** argv)
{
	if(argc == 6 && strcmp(argv[1], "latency") == 0)
		return latency(argv[2], atoi(argv[3]), (unsigned)atoi(argv[4]),
			atof(argv[5]));
	if(argc == 6 && strcmp(argv[1], "throughput") == 0)
		return throughput(argv[2], atoi(argv[3]), argv[4],
			(unsigned)atoi(argv[5]));
	fprintf(stderr, "usage: rpz_bench latency SEGMENT RESOLVER_PORT COUNT "
		"RATE\n       rpz_bench throughput SEGMENT PRIMARY_PORT ZONE "
		"COUNT\n");
	return 2;
}
