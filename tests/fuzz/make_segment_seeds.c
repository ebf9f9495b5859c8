/**
 * \file
 * Writes the seeds of the segment fuzz target (tests/fuzz/fuzz_segment.c)
 * into a directory: small real segments made by the tracker itself, so that
 * the fuzzer starts from every structure a segment holds. Run it again when
 * the segment format changes (the corpus replay says so):
 *
 *	make tests/fuzz/make_segment_seeds
 *	tests/fuzz/make_segment_seeds SRCDIR/tests/fuzz/corpus/segment
 *
 * The seeds: empty.seg (a new segment), records.seg (answers with geo data
 * and overflowing lists, IPv6, NS with glue, a long name, flagged, operator
 * decisions, an alias with its cause, journal entries, counters, a
 * published config), full.seg (more
 * names than a bucket holds, a wrapped journal, aged windows), dirty.seg
 * (records.seg as a writer that died leaves it: unclean close, a slot
 * mid-write, a tag that does not match its name), two-buckets.seg, and two
 * that attach refuses: truncated.seg and not-a-segment.seg.
 */
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"
#include "segment_layout.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** Where the seeds go. */
static const char* out_dir;

static void
die(const char* what, const char* why)
{
	fprintf(stderr, "make_segment_seeds: %s: %s\n", what, why);
	exit(1);
}

/** \p text as a wire name, in one of a few static buffers used in turn. */
static const uint8_t*
wire(const char* text)
{
	static uint8_t bufs[8][FG_NAME_MAX_WIRE];
	static unsigned next;
	uint8_t* w = bufs[next++ % 8];
	if(!fg_name_from_str(text, w, FG_NAME_MAX_WIRE))
		die(text, "not a name");
	return w;
}

/** An address with geo data. */
static struct fg_addr
addr(const char* text, uint32_t asn, const char* cc)
{
	struct fg_addr a;
	if(!fg_addr_from_str(text, &a))
		die(text, "not an address");
	a.asn = asn;
	if(cc)
		memcpy(a.country, cc, 2);
	return a;
}

/** Path of seed \p name in the output directory (static buffer). */
static const char*
seed_path(const char* name)
{
	static char path[1024];
	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	return path;
}

/** A new segment of \p capacity at seed \p name. */
static struct fg_tracker*
make(const char* name, uint32_t capacity)
{
	struct fg_tracker_options o;
	struct fg_tracker* t;
	char err[1024];
	fg_tracker_options_init(&o, seed_path(name), capacity, 3600);
	(void)unlink(o.segment);
	t = fg_tracker_open(&o, err, sizeof(err));
	if(!t)
		die(name, err);
	return t;
}

/** Answers of a fast-flux name: \p n answers of 5 addresses in many ASNs
 * and countries (beyond what a record keeps exactly). */
static void
flux_answers(struct fg_tracker* t, const char* name, uint64_t now, int n)
{
	static const char* const cc[] = { "NL", "US", "DE", "BR", "RU", "CN",
		"IN", "FR", "JP", "KR" };
	struct fg_addr a[5];
	char text[64];
	int i, j;
	for(i = 0; i < n; i++) {
		for(j = 0; j < 5; j++) {
			snprintf(text, sizeof(text), "%d.%d.%d.%d", 20 + i * 5 + j,
				16 * j + 1, i, j + 1);
			a[j] = addr(text, 64500u + (uint32_t)(i * 5 + j),
				cc[(i + j) % 10]);
		}
		if(!fg_tracker_record_addrs(t, wire(name), now + 60u * (uint64_t)i,
			a, 5, 60))
			die(name, "not recorded");
	}
}

/** The records every populated seed has. */
static void
populate(struct fg_tracker* t, uint64_t now)
{
	struct fg_addr a[3], glue[10];
	const uint8_t* ns[3];
	char text[300];
	int i;

	flux_answers(t, "flux.example.", now, 6);
	(void)fg_tracker_set_verdict(t, wire("flux.example."), now + 400, 85.0f,
		FG_VERDICT_FLAGGED);

	a[0] = addr("2001:db8::1", 13335, "US");
	a[1] = addr("2001:db8:1::2", 0, NULL);
	a[2] = addr("192.0.2.1", 64496, "NL");
	(void)fg_tracker_record_addrs(t, wire("www.flux.example."), now, a, 3,
		300);
	(void)fg_tracker_record_addrs(t, wire("www.flux.example."), now + 10,
		a, 2, 30);

	/* a zone with rotating name servers and more glue than is kept */
	ns[0] = wire("ns1.dflux.example.");
	ns[1] = wire("ns2.dflux.example.");
	ns[2] = wire("ns3.other.example.");
	for(i = 0; i < 10; i++) {
		snprintf(text, sizeof(text), "198.51.%d.%d", i, i + 1);
		glue[i] = addr(text, 64510u + (uint32_t)i, i % 2 ? "SE" : "PL");
	}
	glue[9] = addr("2001:db8:53::1", 64520, "FI");
	(void)fg_tracker_record_ns(t, wire("dflux.example."), now, ns, 3, glue,
		10, 172800);
	(void)fg_tracker_record_ns(t, wire("dflux.example."), now + 30, ns + 1,
		2, glue + 5, 5, 600);
	a[0] = addr("203.0.113.5", 64530, "IT");
	(void)fg_tracker_record_addrs(t, wire("a.dflux.example."), now, a, 1,
		60);

	/* a name of the longest kind: 250 octets */
	snprintf(text, sizeof(text), "%s.%s.%s.%s.", "a23456789012345678901234567890123456789012345678901234567890123",
		"b23456789012345678901234567890123456789012345678901234567890123",
		"c23456789012345678901234567890123456789012345678901234567890123",
		"d234567890123456789012345678901234567890123456789012345678");
	a[0] = addr("2001:db8:ffff::1", 0, NULL);
	(void)fg_tracker_record_addrs(t, wire(text), now, a, 1, 5);

	/* operator decisions, with their journal entries */
	(void)fg_tracker_set_operator_verdict(t, wire("allowed.example."), now,
		FG_VERDICT_ALLOWED);
	(void)fg_tracker_set_operator_verdict(t, wire("denied.example."), now,
		FG_VERDICT_DENIED);
	(void)fg_tracker_set_operator_verdict(t, wire("flux.example."), now + 500,
		FG_VERDICT_CLEAN);
	(void)fg_tracker_journal_append(t, FG_JOURNAL_FLAG,
		wire("flux.example."));
	(void)fg_tracker_journal_append(t, FG_JOURNAL_FORGET,
		wire("gone.example."));
	(void)fg_tracker_journal_append(t, FG_JOURNAL_FLUSH, NULL);
	(void)fg_tracker_journal_append(t, FG_JOURNAL_DECISIONS, NULL);

	/* an alias the module blocked because of the flagged name */
	(void)fg_tracker_set_cause(t, wire("alias.example."), now + 450,
		wire("flux.example."));

	/* a record whose window is long over */
	a[0] = addr("192.0.2.99", 64496, "NL");
	(void)fg_tracker_record_addrs(t, wire("stale.example."), now - 86400,
		a, 1, 3600);

	for(i = 0; i < 20; i++)
		fg_tracker_count(t, (unsigned)i, (uint64_t)i * 1000 + 1);
	fg_tracker_publish_config(t, 4242, now, "# fluxguard configuration "
		"in effect\nfluxguard:\n\tthreshold: 55\n\taction: refuse\n");
}

/** Copy seed \p from to \p to, changed by \p edit (NULL: as is) and cut to
 * \p len octets (0: whole). */
static void
derive(const char* from, const char* to, void (*edit)(uint8_t*, size_t),
	size_t len)
{
	FILE* in = fopen(seed_path(from), "rb");
	uint8_t* buf;
	size_t size;
	FILE* out;
	if(!in)
		die(from, strerror(errno));
	fseek(in, 0, SEEK_END);
	size = (size_t)ftell(in);
	rewind(in);
	buf = malloc(size);
	if(!buf || fread(buf, 1, size, in) != size)
		die(from, "cannot read");
	fclose(in);
	if(edit)
		edit(buf, size);
	out = fopen(seed_path(to), "wb");
	if(!out || fwrite(buf, 1, len ? len : size, out) != (len ? len : size) ||
		fclose(out) != 0)
		die(to, "cannot write");
	free(buf);
}

/** What a writer that died leaves: no clean close, the first used slot
 * mid-write, the second one's tag wrong. */
static void
dirty(uint8_t* seg, size_t size)
{
	struct fg_seg_header h;
	struct fg_seg_bucket* bk;
	unsigned i, used = 0;
	memcpy(&h, seg, sizeof(h));
	if(h.buckets_off + FG_SEG_BUCKET_SIZE > size)
		die("dirty.seg", "no bucket");
	h.clean_close = 0;
	h.attach_count = 3;
	memcpy(seg, &h, sizeof(h));
	bk = (struct fg_seg_bucket*)(seg + h.buckets_off);
	for(i = 0; i < FG_SEG_BUCKET_SLOTS && used < 2; i++) {
		if(!bk->tags[i])
			continue;
		if(used++ == 0)
			bk->slots[i].seq |= 1;
		else
			bk->tags[i] ^= 0x5a5a;
	}
}

int
main(int argc, char** argv)
{
	const uint64_t now = 1700000000;
	struct fg_tracker* t;
	char name[64];
	int i;
	FILE* f;
	if(argc != 2) {
		fprintf(stderr, "usage: make_segment_seeds DIR\n");
		return 1;
	}
	out_dir = argv[1];

	fg_tracker_close(make("empty.seg", 16));

	t = make("records.seg", 16);
	populate(t, now);
	fg_tracker_close(t);

	t = make("full.seg", 16);
	populate(t, now);
	for(i = 0; i < 24; i++) {
		struct fg_addr a = addr("192.0.2.200", 0, NULL);
		snprintf(name, sizeof(name), "n%d.full.example.", i);
		(void)fg_tracker_record_addrs(t, wire(name), now + 7200 +
			(uint64_t)i, &a, 1, 60);
	}
	flux_answers(t, "flux.example.", now + 7300, 3);
	for(i = 0; i < FG_JOURNAL_ENTRIES + 20; i++)
		(void)fg_tracker_journal_append(t, FG_JOURNAL_FLAG,
			wire("flux.example."));
	fg_tracker_close(t);

	t = make("two-buckets.seg", 32);
	flux_answers(t, "flux.example.", now, 3);
	flux_answers(t, "www.flux.example.", now, 2);
	fg_tracker_close(t);

	derive("records.seg", "dirty.seg", dirty, 0);
	derive("records.seg", "truncated.seg", NULL, FG_SEG_HEADER_SIZE + 100);
	f = fopen(seed_path("not-a-segment.seg"), "w");
	if(!f || fputs("# not a segment\n", f) < 0 || fclose(f) != 0)
		die("not-a-segment.seg", "cannot write");
	return 0;
}
