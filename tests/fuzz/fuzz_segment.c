/**
 * \file
 * Fuzz target: the tracker's segment (core/segment_layout.h) as the tools
 * meet it: a segment file with arbitrary octets (seeds are real segments
 * made by the tracker, tests/fuzz/make_segment_seeds.c), attached read-only
 * and read-write with fg_tracker_attach, then every reader: get_info,
 * foreach, lookup and peek of the names the slots hold, the record scored
 * and explained as fluxguard-control show does, the journal, the counters
 * and the published config. In the read-write session the operator's
 * writes follow (allow, deny, unflag, forget, flush, journal entries) and
 * the module's (answers recorded, verdicts and causes set, config
 * published).
 *
 * Checked: read-only and read-write attach agree; every record copied out
 * is within the bounds struct fg_record_view promises; a journal entry read
 * is well formed; counters beyond the segment's read 0; the config text is
 * terminated within its buffer; and a segment that attached still attaches
 * after a read-write session.
 *
 * The segment lives in the scratch directory: tests/fuzz/run.sh puts that
 * on /dev/shm, where the msync of a closing writer costs nothing.
 */
#include "fuzz.h"
#include "segment_layout.h"
#include "fluxguard/detect.h"
#include "fluxguard/name.h"
#include "fluxguard/score.h"
#include "fluxguard/tracker.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/** Names asked about per input. */
#define NAMES_MAX 48

/** The names an input is asked about. */
struct names {
	/** wire format */
	uint8_t w[NAMES_MAX][FG_NAME_MAX_WIRE];
	/** used */
	size_t n;
};

/** The segment file. */
static char* seg_path;
/** Scoring as configured by default. */
static struct fg_score_params params;

/** Times the readers are asked at: before the seeds' records, while they
 * are recent, when their windows are over, past what 32 bits hold. */
static const uint64_t times[] = {
	0, 1700000000, 1700090000, 4294967296ULL + 7
};

int
LLVMFuzzerInitialize(int* argc FG_FUZZ_UNUSED, char*** argv FG_FUZZ_UNUSED)
{
	fg_fuzz_quiet();
	seg_path = fg_fuzz_path("segment");
	fg_score_params_default(&params);
	return 0;
}

const char*
fg_fuzz_unreached_hint(void)
{
	return "no seed attached: if the segment format changed (FG_SEG_VERSION), "
		"make the seeds again: make tests/fuzz/make_segment_seeds && "
		"tests/fuzz/make_segment_seeds SRCDIR/tests/fuzz/corpus/segment";
}

/** Add the first \p len octets of \p name if they are one wire name. */
static void
add_name(struct names* ns, const uint8_t* name, size_t len)
{
	size_t i;
	if(ns->n >= NAMES_MAX || len == 0 || len > FG_NAME_MAX_WIRE ||
		fg_name_wire_len(name, len) != len)
		return;
	for(i = 0; i < ns->n; i++)
		if(fg_name_equal(ns->w[i], name))
			return;
	memcpy(ns->w[ns->n++], name, len);
}

/** Add \p text ("a.example.") as a name. */
static void
add_name_str(struct names* ns, const char* text)
{
	uint8_t w[FG_NAME_MAX_WIRE];
	size_t len = fg_name_from_str(text, w, sizeof(w));
	add_name(ns, w, len);
}

/** The names in the slots of the raw octets, wherever the header says the
 * buckets are (as far as the octets reach): what a tool asks about after
 * listing them. */
static void
raw_names(const uint8_t* data, size_t size, struct names* ns)
{
	uint64_t off;
	uint32_t nbuckets, b, i;
	if(size < FG_SEG_HEADER_SIZE)
		return;
	memcpy(&off, data + offsetof(struct fg_seg_header, buckets_off),
		sizeof(off));
	memcpy(&nbuckets, data + offsetof(struct fg_seg_header, nbuckets),
		sizeof(nbuckets));
	for(b = 0; b < nbuckets && off <= size &&
		(uint64_t)FG_SEG_BUCKET_SIZE * (b + 1) <= size - off; b++) {
		const uint8_t* bk = data + off + (uint64_t)FG_SEG_BUCKET_SIZE * b;
		for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
			const uint8_t* s = bk + offsetof(struct fg_seg_bucket,
				slots) + (size_t)i * FG_SEG_SLOT_SIZE;
			add_name(ns, s + offsetof(struct fg_seg_slot, pool),
				s[offsetof(struct fg_seg_slot, name_len)]);
		}
	}
}

/** Fail unless \p v is within what struct fg_record_view promises. */
static void
check_view(const struct fg_record_view* v)
{
	uint32_t i;
	if(v->name_len == 0 || fg_name_wire_len(v->name, v->name_len) !=
		v->name_len)
		fg_fuzz_fail("record with a malformed name");
	if(v->n_addrs > FG_TRACK_ADDRS || v->n_asns > FG_TRACK_ASNS ||
		v->n_countries > FG_TRACK_COUNTRIES || v->n_glue > FG_TRACK_GLUE)
		fg_fuzz_fail("record counts beyond their arrays: %u addrs, %u "
			"asns, %u countries, %u glue", v->n_addrs, v->n_asns,
			v->n_countries, v->n_glue);
	if(v->verdict > FG_VERDICT_DENIED)
		fg_fuzz_fail("record verdict %u", v->verdict);
	if(v->cause_len && fg_name_wire_len(v->cause, v->cause_len) !=
		v->cause_len)
		fg_fuzz_fail("record with a malformed cause");
	for(i = 0; i < v->n_addrs; i++)
		if(v->addrs[i].family != FG_AF_INET &&
			v->addrs[i].family != FG_AF_INET6)
			fg_fuzz_fail("record address of family %u",
				v->addrs[i].family);
	for(i = 0; i < v->n_glue; i++)
		if(v->glue[i].family != FG_AF_INET &&
			v->glue[i].family != FG_AF_INET6)
			fg_fuzz_fail("record glue of family %u",
				v->glue[i].family);
}

/** foreach: check each record and note its name. */
static int
visit(const struct fg_record_view* v, void* arg)
{
	check_view(v);
	add_name(arg, v->name, v->name_len);
	return 1;
}

/** What fluxguard-control show does with a record: its zone, its score
 * and the explanation. */
static void
show(struct fg_tracker* t, const uint8_t* name, uint64_t now,
	const struct fg_record_view* rec)
{
	struct fg_record_view zone;
	struct fg_score_explain ex;
	char text[4096];
	int has_zone = fg_detect_find_zone(t, name, now, rec, &zone);
	if(has_zone)
		check_view(&zone);
	(void)fg_score_record(&params, rec, has_zone ? &zone : NULL, &ex);
	(void)fg_score_explain_text(&ex, text, sizeof(text));
	(void)fg_score_explain_json(&ex, text, sizeof(text));
	(void)fg_score_holz(rec);
}

/** Every reader, on every name, at every time. */
static void
read_all(struct fg_tracker* t, struct names* ns, int writable)
{
	static unsigned char resettable[FG_SEG_COUNTERS_SLOTS + 4];
	uint64_t counters[FG_SEG_COUNTERS_SLOTS + 4];
	struct fg_tracker_info info;
	struct fg_record_view rec;
	struct fg_journal_entry je;
	uint64_t head, seq, last, started;
	int64_t pid;
	char config[FG_SEG_CONFIG_TEXT + 16], small[16];
	size_t i, k;

	fg_tracker_get_info(t, &info);
	if(info.used > info.capacity)
		fg_fuzz_fail("info: %u used of %u", info.used, info.capacity);
	(void)fg_tracker_huge_pages(t);
	for(k = 0; k < sizeof(times) / sizeof(times[0]); k++)
		fg_tracker_foreach(t, times[k], visit, ns);
	for(i = 0; i < ns->n; i++) {
		for(k = 0; k < sizeof(times) / sizeof(times[0]); k++) {
			enum fg_verdict v;
			float score;
			if(fg_tracker_peek(t, ns->w[i], times[k], &v, &score) &&
				(unsigned)v > FG_VERDICT_DENIED)
				fg_fuzz_fail("peek: verdict %u", (unsigned)v);
			if(!fg_tracker_lookup(t, ns->w[i], times[k], &rec))
				continue;
			check_view(&rec);
			if(!fg_name_equal(rec.name, ns->w[i]))
				fg_fuzz_fail("lookup found another name");
			if(k == 1)
				show(t, ns->w[i], times[k], &rec);
		}
	}

	/* the ring and a little around it, whatever the head says */
	head = fg_tracker_journal_head(t);
	seq = head > FG_JOURNAL_ENTRIES + 4 ? head - FG_JOURNAL_ENTRIES - 4 : 0;
	last = head < UINT64_MAX ? head + 1 : head;
	for(;; seq++) {
		int r = fg_tracker_journal_read(t, seq, &je);
		if(r == 1 && (je.seq != seq || je.op < FG_JOURNAL_FLAG ||
			je.op > FG_JOURNAL_DECISIONS || je.name_len == 0 ||
			fg_name_wire_len(je.name, je.name_len) != je.name_len))
			fg_fuzz_fail("journal entry %llu malformed",
				(unsigned long long)seq);
		if(seq == last)
			break;
	}

	memset(resettable, 1, sizeof(resettable));
	fg_tracker_counters_read(t, counters, FG_SEG_COUNTERS_SLOTS + 4,
		writable, resettable);
	for(i = FG_SEG_COUNTERS_SLOTS; i < FG_SEG_COUNTERS_SLOTS + 4; i++)
		if(counters[i] != 0)
			fg_fuzz_fail("counter %zu beyond the segment reads %llu",
				i, (unsigned long long)counters[i]);

	if(fg_tracker_read_config(t, &pid, &started, config, sizeof(config)) &&
		strlen(config) >= sizeof(config))
		fg_fuzz_fail("config text not terminated");
	if(fg_tracker_read_config(t, &pid, &started, small, sizeof(small)) &&
		strlen(small) >= sizeof(small))
		fg_fuzz_fail("config text not terminated in a small buffer");
}

/** The writes of a read-write session: the operator's and the module's. */
static void
write_some(struct fg_tracker* t, struct names* ns)
{
	static const enum fg_verdict decisions[] = {
		FG_VERDICT_ALLOWED, FG_VERDICT_DENIED, FG_VERDICT_CLEAN
	};
	struct fg_addr addrs[2];
	const uint8_t* ns_names[1];
	uint64_t now = 1700001000;
	size_t i;
	memset(addrs, 0, sizeof(addrs));
	addrs[0].family = FG_AF_INET;
	memcpy(addrs[0].addr, "\xc0\x00\x02\x01", 4);
	addrs[0].asn = 64496;
	memcpy(addrs[0].country, "NL", 2);
	addrs[1].family = FG_AF_INET6;
	memcpy(addrs[1].addr, "\x20\x01\x0d\xb8", 4);
	for(i = 0; i < ns->n && i < 6; i++, now += 600) {
		const uint8_t* name = ns->w[i];
		(void)fg_tracker_record_addrs(t, name, now, addrs, 2, 60);
		ns_names[0] = ns->w[(i + 1) % ns->n];
		(void)fg_tracker_record_ns(t, name, now, ns_names, 1, addrs, 2,
			3600);
		(void)fg_tracker_set_verdict(t, name, now, 77.5f,
			FG_VERDICT_FLAGGED);
		(void)fg_tracker_set_flags(t, name, FG_REC_UNFLAGGED_BY_OPERATOR,
			0);
		(void)fg_tracker_set_operator_verdict(t, name, now,
			decisions[i % 3]);
		(void)fg_tracker_set_cause(t, ns->w[(i + 2) % ns->n], now, name);
		(void)fg_tracker_journal_append(t, FG_JOURNAL_FLAG, name);
		if(i == 4)
			(void)fg_tracker_forget(t, name);
	}
	(void)fg_tracker_journal_append(t, FG_JOURNAL_DECISIONS, NULL);
	fg_tracker_count(t, 0, 1);
	fg_tracker_publish_config(t, 1, now, "fluxguard:\n\tthreshold: 50\n");
	(void)fg_tracker_flush(t, 1, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static struct names ns;
	struct fg_tracker* ro;
	struct fg_tracker* rw;
	char err[1024];
	int missing;

	fg_fuzz_write(seg_path, data, size);
	ns.n = 0;
	add_name_str(&ns, "flux.example.");
	add_name_str(&ns, "www.flux.example.");
	raw_names(data, size, &ns);

	ro = fg_tracker_attach(seg_path, 0, &missing, err, sizeof(err));
	if(ro) {
		fg_fuzz_reached();
		read_all(ro, &ns, 0);
		fg_tracker_close(ro);
	}
	rw = fg_tracker_attach(seg_path, 1, &missing, err, sizeof(err));
	if(!rw != !ro)
		fg_fuzz_fail("read-only attach %s, read-write attach %s: %s",
			ro ? "worked" : "failed", rw ? "worked" : "failed", err);
	if(!rw)
		return 0;
	read_all(rw, &ns, 1);
	write_some(rw, &ns);
	fg_tracker_close(rw);
	ro = fg_tracker_attach(seg_path, 0, &missing, err, sizeof(err));
	if(!ro)
		fg_fuzz_fail("the segment no longer attaches after a read-write "
			"session: %s", err);
	read_all(ro, &ns, 0);
	fg_tracker_close(ro);
	return 0;
}
