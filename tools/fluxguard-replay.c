/**
 * \file
 * fluxguard-replay: run recorded upstream answers through the very detector
 * the module uses (fg_detect_upstream: policy, geo, tracker, score) and print
 * each domain's outcome. The tracker is a private file-backed segment in a
 * temporary directory, removed at exit.
 *
 * Input: one resource record per line, `<ts> <owner> <ttl> IN <TYPE> <rdata>`;
 * consecutive lines with the same ts form one upstream answer. The parser and
 * the grouping into RRsets (glue included) are in tools/fg_trace.c, which the
 * fuzz target tests/fuzz/fuzz_trace.c drives too.
 *
 * Output: per domain that owned an address RRset, sorted by name, `domain
 * score verdict answers flagged_at` (TSV with a header line), or one JSON object
 * per line with the features, the answers it took to flag, and the Holz et al.
 * reference outcome. With --answers, instead one row per answer, in trace
 * order: what the module would have answered (the core's judgement,
 * fg_judge_answer, the very function the module calls), for the query name
 * the answer starts with (its first answer-section owner, the head of a
 * CNAME chain), so aliases of a flagged name show as blocked too.
 *
 * Besides text traces it reads dnstap files and pcap/pcapng captures
 * (tools/fg_input.h), told apart by their first octets, so `-` works for
 * every format: each DNS response in them becomes a struct fg_upstream
 * through the one converter of tools/fg_wire.h and takes the same path as
 * a text answer.
 *
 * Exit status: 0 if every line was read, 2 if some input was damaged
 * (malformed lines, damaged frames or packets, a truncated or corrupt file,
 * a file of no known format: reported as FILE:LINE: or FILE: frame N
 * (offset X): what on stderr and skipped; the output still covers the
 * rest), 1 on a fatal error (usage, unreadable file, config).
 */
#define _GNU_SOURCE 1 /* fopencookie, for format detection on a pipe */
#include "fg-config.h"

#include "fluxguard/conffile.h"
#include "fluxguard/detect.h"
#include "fluxguard/engine.h"
#include "fluxguard/json.h"
#include "fluxguard/judge.h"
#include "fluxguard/name.h"
#include "fluxguard/score.h"
#include "fluxguard/tracker.h"
#include "fluxguard/upstream.h"
#include "fg_cli.h"
#include "fg_input.h"
#include "fg_trace.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** Most records of one answer (more are reported and dropped). */
#define ANSWER_MAX_RRS 1024
/** Holz et al. (NDSS 2008) looked a domain up twice within this window,
 * seconds: the comparison with their protocol classifies on those two. */
#define HOLZ_WINDOW 1860
/** Default tracker capacity for a replay (the module's default is sized for
 * a busy resolver; a trace rarely needs that much). */
#define REPLAY_DEFAULT_CAPACITY 65536

/** What the tool remembers per domain. */
struct domain {
	/** next in the hash chain */
	struct domain* next;
	/** presentation name, lower case, trailing dot */
	char* name;
	/** address answers seen in the trace */
	uint32_t answers;
	/** last decision's score and verdict */
	double score;
	enum fg_verdict verdict;
	/** the timestamp of the answer that first flagged it, "" if none */
	char flagged_at[FG_TRACE_TS_MAX];
	/** answers seen when it was first flagged */
	uint32_t answers_to_flag;
	/** the same for the Holz et al. formula */
	char holz_flagged_at[FG_TRACE_TS_MAX];
	uint32_t holz_answers_to_flag;
	/** last Holz value */
	double holz;
	/** Holz et al.'s own protocol: the classifier on a domain's first two
	 * lookups, the second within HOLZ_WINDOW of the first (on the first
	 * alone if it came later or never); the time of the first answer */
	double holz_first, holz_two;
	uint64_t first_now;
	/** last decision's source */
	enum fg_decision_source source;
	/** last explanation, and whether there is one */
	struct fg_score_explain explain;
	int have_explain;
};

/** The replay state. */
struct replay {
	/** lists, geo, tracker and the detector, as the module sets them up */
	struct fg_engine engine;
	/** print one judged row per answer instead of the domain table */
	int answers;
	/** with answers: JSON rows instead of TSV */
	int json;
	/** domains, chained hash */
	struct domain** buckets;
	size_t n_buckets, n_domains;
	/** room for the records of a text trace's answer */
	struct fg_trace_rr* rrs;
	/** the answer's timestamp text and value */
	char ts[FG_TRACE_TS_MAX];
	uint64_t now;
	/** the file read, and the line the answer started on, for messages */
	const char* file;
	long line;
	/** malformed lines seen, and binary files with damage */
	unsigned long malformed;
	/** --explain's domain, or NULL */
	const char* explain;
	/** --dns-port and --dnstap-messages for the binary readers */
	uint16_t dns_port;
	int dnstap_messages;
};

/** Temporary directory and segment file, removed at exit. */
static char tmp_dir[512];
static char tmp_segment[600];

static void
remove_tmp(void)
{
	if(tmp_segment[0])
		(void)unlink(tmp_segment);
	if(tmp_dir[0])
		(void)rmdir(tmp_dir);
}

static void
on_signal(int sig)
{
	remove_tmp();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
usage(FILE* out)
{
	fprintf(out,
		"usage: fluxguard-replay [options] FILE... (- for stdin)\n"
		"Replay a trace of upstream answers through fluxguard's detector.\n"
		"  --config FILE         fluxguard.conf to take the scoring, lists,\n"
		"                        databases and window from\n"
		"  --asn-db FILE         MaxMind-format ASN database (overrides config)\n"
		"  --country-db FILE     MaxMind-format country database (overrides config)\n"
		"  --no-default-allow-list  leave the embedded allow list out\n"
		"  --capacity N          tracker capacity (default %d)\n"
		"  --format tsv|json     output format (default tsv)\n"
		"  --explain DOMAIN      print the score explanation of DOMAIN\n"
		"                        after each of its answers, to stderr\n"
		"  --answers             one row per answer: what the module would\n"
		"                        have answered (pass or the action), decided by\n"
		"                        which name and why, instead of the domain table\n"
		"  --segment NAME        keep the tracker in segment NAME (/name or a\n"
		"                        path; must not exist) for fluxguard-control\n"
		"  --dns-port N          captures: responses come from port N (53)\n"
		"  --dnstap-messages auto|resolver|client|all\n"
		"                        dnstap: which responses to take (auto:\n"
		"                        resolver responses, client responses only\n"
		"                        in a file without resolver responses)\n"
		"  --version             print fluxguard's version\n"
		"  -h, --help            this text\n"
		"FILE is a text trace, a dnstap file or a pcap/pcapng capture,\n"
		"told apart by its first octets. Every answer is scored, and the\n"
		"tracker's hashes have a fixed key: a trace gives the same output\n"
		"on every run.\n"
		"Exit status: 0 ok, 2 some input damaged (reported, skipped),\n"
		"1 fatal error.\n",
		REPLAY_DEFAULT_CAPACITY);
}

/** FNV-1a of a wire name. */
static size_t
name_hash(const uint8_t* w, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for(i = 0; i < len; i++) {
		h ^= w[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/** Find or add the domain \p owner. \return it, or NULL on out of memory. */
static struct domain*
domain_get(struct replay* r, const uint8_t* owner)
{
	char name[FG_NAME_MAX_STR];
	size_t len = fg_name_wire_len(owner, FG_NAME_MAX_WIRE), b;
	struct domain* d;
	if(!fg_name_to_str(owner, name, sizeof(name)))
		return NULL;
	b = name_hash(owner, len) % r->n_buckets;
	for(d = r->buckets[b]; d; d = d->next)
		if(strcmp(d->name, name) == 0)
			return d;
	if(r->n_domains >= r->n_buckets * 2) {
		/* grow: rehash every chain into a table four times the size */
		size_t nb = r->n_buckets * 4, i;
		struct domain** nbk = calloc(nb, sizeof(*nbk));
		if(!nbk)
			return NULL;
		for(i = 0; i < r->n_buckets; i++) {
			while(r->buckets[i]) {
				struct domain* e = r->buckets[i];
				uint8_t w[FG_NAME_MAX_WIRE];
				size_t wl = fg_name_from_str(e->name, w, sizeof(w));
				size_t k = name_hash(w, wl) % nb;
				r->buckets[i] = e->next;
				e->next = nbk[k];
				nbk[k] = e;
			}
		}
		free(r->buckets);
		r->buckets = nbk;
		r->n_buckets = nb;
		b = name_hash(owner, len) % nb;
	}
	d = calloc(1, sizeof(*d));
	if(!d || !(d->name = strdup(name))) {
		free(d);
		return NULL;
	}
	d->next = r->buckets[b];
	r->buckets[b] = d;
	r->n_domains++;
	return d;
}

/** The trace reader's callback: report a malformed line of r->file. */
static void
malformed(void* arg, long line, const char* why)
{
	struct replay* r = arg;
	fprintf(stderr, "%s:%ld: %s\n", r->file, line, why);
	r->malformed++;
}

/** Fold one decision into its domain's row. */
static void
note_decision(struct replay* r, const struct fg_decision* dec,
	const char* explain_name)
{
	struct domain* d = domain_get(r, dec->owner);
	if(!d) {
		fprintf(stderr, "fluxguard-replay: out of memory\n");
		exit(1);
	}
	d->answers++;
	if(d->answers == 1) {
		d->first_now = r->now;
		d->holz_first = d->holz_two = dec->holz;
	} else if(d->answers == 2)
		d->holz_two = r->now - d->first_now <= HOLZ_WINDOW ? dec->holz :
			d->holz_first;
	d->score = dec->score;
	d->verdict = dec->verdict;
	d->source = dec->source;
	d->holz = dec->holz;
	if(dec->source == FG_SRC_SCORE && dec->answers > 0) {
		d->explain = dec->explain;
		d->have_explain = 1;
	}
	if(dec->verdict == FG_VERDICT_FLAGGED && !d->flagged_at[0]) {
		snprintf(d->flagged_at, sizeof(d->flagged_at), "%s", r->ts);
		d->answers_to_flag = d->answers;
	}
	/* Holz et al., with the same min-answers gate, on the same record */
	if(dec->answers >= r->engine.detector.min_answers && dec->holz > 0.0 &&
		!d->holz_flagged_at[0]) {
		snprintf(d->holz_flagged_at, sizeof(d->holz_flagged_at), "%s",
			r->ts);
		d->holz_answers_to_flag = d->answers;
	}
	if(explain_name && strcmp(explain_name, d->name) == 0 &&
		d->have_explain) {
		char buf[2048];
		fg_score_explain_text(&dec->explain, buf, sizeof(buf));
		fprintf(stderr, "%s %s %s", r->ts, d->name, buf);
	}
}

/** The query name an answer stands for: its first answer-section owner. */
static const uint8_t*
answer_qname(const struct fg_upstream* up)
{
	size_t i;
	for(i = 0; i < up->n_rrsets; i++)
		if(up->rrsets[i].section == FG_SECTION_ANSWER)
			return up->rrsets[i].owner;
	return NULL;
}

/** Print what the module would have answered to \p up (--answers). */
static void
print_judgement(struct replay* r, const struct fg_upstream* up)
{
	const uint8_t* qname = answer_qname(up);
	char q[FG_NAME_MAX_STR], by[FG_NAME_MAX_STR];
	const char* action;
	struct fg_judgement j;
	if(!qname || !fg_name_to_str(qname, q, sizeof(q)))
		return; /* a referral: nothing was asked of the module */
	if(fg_judge_answer(&r->engine.detector, qname, up, &j))
		action = fg_action_name(j.action);
	else
		action = "pass";
	if(j.name_len == 0 || !fg_name_to_str(j.name, by, sizeof(by)))
		snprintf(by, sizeof(by), "-");
	if(!r->json) {
		printf("%s\t%s\t%s\t%s\t%s\n", r->ts, q, action, by,
			j.reason[0] ? j.reason : "-");
		return;
	}
	printf("{\"ts\":\"%s\",\"qname\":", r->ts);
	fg_json_fputs(stdout, q);
	printf(",\"action\":\"%s\",\"verdict\":\"%s\",\"list\":%s,"
		"\"decided_by\":", action, fg_verdict_name(j.verdict),
		j.list == FG_LIST_ALLOW ? "\"allow\"" : j.list == FG_LIST_DENY ?
		"\"deny\"" : "null");
	if(j.name_len)
		fg_json_fputs(stdout, by);
	else
		fputs("null", stdout);
	printf(",\"score\":%.1f,\"reason\":", j.score);
	fg_json_fputs(stdout, j.reason);
	printf("}\n");
}

/** Run one answer through the detector (and the judgement), whatever
 * format it came in. */
static void
detect_answer(struct replay* r, struct fg_upstream* up)
{
	static struct fg_decision dec[FG_UPSTREAM_MAX_RRSETS];
	size_t i, n = fg_detect_upstream(&r->engine.detector, up, dec,
		FG_UPSTREAM_MAX_RRSETS);
	for(i = 0; i < n; i++)
		note_decision(r, &dec[i], r->explain);
	if(r->answers)
		print_judgement(r, up);
}

/** The trace reader's callback: hand one answer of r->file to the
 * detector. */
static void
text_answer(void* arg, const struct fg_trace_rr* rrs, size_t n,
	const char* ts, uint64_t now, long line)
{
	static struct fg_upstream up;
	struct replay* r = arg;
	snprintf(r->ts, sizeof(r->ts), "%s", ts);
	r->now = now;
	r->line = line;
	fg_trace_answer(rrs, n, now, &up);
	if(up.truncated)
		fprintf(stderr, "%s:%ld: answer too large, %zu records or "
			"RRsets dropped\n", r->file, r->line, up.truncated);
	detect_answer(r, &up);
}

/** The binary readers' callback: one response of a dnstap file or a
 * capture. */
static void
binary_answer(void* arg, struct fg_upstream* up, const char* ts)
{
	struct replay* r = arg;
	snprintf(r->ts, sizeof(r->ts), "%s", ts);
	r->now = up->now;
	detect_answer(r, up);
}

/** A stream that gives back the octets read to tell the format, then the
 * rest of a stream that cannot seek (a pipe on standard input). */
struct peeked {
	/** the stream */
	FILE* f;
	/** the octets read ahead, and how many are still to give */
	uint8_t head[4];
	size_t n, pos;
};

static ssize_t
peeked_read(void* cookie, char* buf, size_t size)
{
	struct peeked* p = cookie;
	size_t k = 0;
	while(p->pos < p->n && k < size)
		buf[k++] = (char)p->head[p->pos++];
	if(k < size)
		k += fread(buf + k, 1, size - k, p->f);
	if(k == 0 && ferror(p->f))
		return -1;
	return (ssize_t)k;
}

static int
peeked_close(void* cookie)
{
	struct peeked* p = cookie;
	/* closing the cookie stream closes the one under it (a FIFO or a
	 * pipe given by path), as closing a file would; stdin stays open */
	if(p->f && p->f != stdin)
		fclose(p->f);
	free(p);
	return 0;
}

/** Read a dnstap file or a capture from \p in (format \p fmt), and close
 * \p in unless it is stdin. \return 1 if it was read, damaged or not;
 * damage is counted in r->malformed. */
static int
replay_binary(struct replay* r, FILE* in, const char* name,
	enum fg_input_format fmt)
{
	struct fg_input fi;
	memset(&fi, 0, sizeof(fi));
	fi.name = name;
	fi.err = stderr;
	fi.answer = binary_answer;
	fi.arg = r;
	fi.dns_port = r->dns_port;
	fi.dnstap_messages = r->dnstap_messages;
	r->file = name;
	r->line = 0;
	if(fmt == FG_INPUT_DNSTAP) {
		(void)fg_dnstap_read(&fi, in);
		if(in != stdin)
			fclose(in);
	} else
		(void)fg_pcap_read(&fi, in); /* closes in */
	if(fi.damaged || fi.broken || fi.unsupported)
		fprintf(stderr, "%s: %s: %lu %s, %lu responses read, %lu "
			"damaged and skipped, %lu unsupported%s\n", name,
			fg_input_format_name(fmt), fi.frames,
			fmt == FG_INPUT_DNSTAP ? "frames" : "packets",
			fi.responses, fi.damaged, fi.unsupported,
			fi.broken ? ", the rest unreadable" : "");
	if(fi.damaged || fi.broken)
		r->malformed++;
	return 1;
}

static int replay_text(struct replay* r, FILE* in, const char* name);

/** Replay one file (or stdin for "-"), of any format. \return 0 on a
 * fatal error. */
static int
replay_file(struct replay* r, const char* path)
{
	FILE* in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	const char* name = strcmp(path, "-") == 0 ? "-" : path;
	uint8_t head[4];
	size_t n_head;
	enum fg_input_format fmt;
	if(!in) {
		fprintf(stderr, "fluxguard-replay: %s: %s\n", path,
			strerror(errno));
		return 0;
	}
	n_head = fread(head, 1, sizeof(head), in);
	fmt = fg_input_detect(head, n_head);
	if(fseek(in, 0, SEEK_SET) != 0) {
		/* a pipe: read on through a stream that gives the head back */
		struct peeked* p = calloc(1, sizeof(*p));
		cookie_io_functions_t io = { peeked_read, NULL, NULL,
			peeked_close };
		FILE* f;
		if(!p || !(f = fopencookie(p, "r", io))) {
			free(p);
			fprintf(stderr, "fluxguard-replay: out of memory\n");
			return 0;
		}
		p->f = in;
		memcpy(p->head, head, n_head);
		p->n = n_head;
		if(fmt == FG_INPUT_DNSTAP || fmt == FG_INPUT_PCAP ||
			fmt == FG_INPUT_PCAPNG) {
			return replay_binary(r, f, name, fmt); /* closes f */
		}
		/* text through the cookie stream: getline below reads f */
		if(fmt == FG_INPUT_TEXT)
			return replay_text(r, f, name); /* closes f */
		p->f = NULL; /* in is closed below */
		fclose(f);
	}
	if(fmt == FG_INPUT_UNKNOWN) {
		fprintf(stderr, "%s: offset 0: wrong format: not a text trace, "
			"dnstap file or pcap/pcapng capture (starts with "
			"%02x %02x %02x %02x)\n", name, head[0],
			n_head > 1 ? head[1] : 0, n_head > 2 ? head[2] : 0,
			n_head > 3 ? head[3] : 0);
		r->malformed++;
		if(in != stdin)
			fclose(in);
		return 1;
	}
	if(fmt != FG_INPUT_TEXT) {
		if(in == stdin && fmt != FG_INPUT_DNSTAP) {
			/* libpcap closes what it reads: give it its own */
			FILE* f = fdopen(dup(fileno(stdin)), "r");
			if(!f) {
				fprintf(stderr, "fluxguard-replay: -: %s\n",
					strerror(errno));
				return 0;
			}
			in = f;
		}
		return replay_binary(r, in, name, fmt);
	}
	return replay_text(r, in, name);
}

/** Replay the text trace \p in. \return 0 on a fatal error. */
static int
replay_text(struct replay* r, FILE* in, const char* name)
{
	const struct fg_trace_reader rd = { .rrs = r->rrs,
		.max_rrs = ANSWER_MAX_RRS, .answer = text_answer,
		.malformed = malformed, .arg = r };
	int ok;
	r->file = name;
	ok = fg_trace_read(&rd, in);
	if(!ok)
		fprintf(stderr, "fluxguard-replay: %s: read error\n", name);
	if(in != stdin)
		fclose(in);
	return ok;
}

static int
cmp_domain(const void* a, const void* b)
{
	const struct domain* x = *(const struct domain* const*)a;
	const struct domain* y = *(const struct domain* const*)b;
	return strcmp(x->name, y->name);
}

/** Print every domain, sorted by name. */
static int
print_results(struct replay* r, int json)
{
	struct domain** all = calloc(r->n_domains ? r->n_domains : 1,
		sizeof(*all));
	size_t i, n = 0;
	if(!all)
		return 0;
	for(i = 0; i < r->n_buckets; i++) {
		struct domain* d;
		for(d = r->buckets[i]; d; d = d->next)
			all[n++] = d;
	}
	qsort(all, n, sizeof(*all), cmp_domain);
	if(!json)
		printf("domain\tscore\tverdict\tanswers\tflagged_at\n");
	for(i = 0; i < n; i++) {
		struct domain* d = all[i];
		if(!json) {
			printf("%s\t%.1f\t%s\t%u\t%s\n", d->name, d->score,
				fg_verdict_name(d->verdict), d->answers,
				d->flagged_at[0] ? d->flagged_at : "-");
			continue;
		}
		fputs("{\"domain\":", stdout);
		fg_json_fputs(stdout, d->name);
		printf(",\"score\":%.1f,\"verdict\":\"%s\",\"source\":\"%s\","
			"\"answers\":%u,\"flagged_at\":", d->score,
			fg_verdict_name(d->verdict), fg_decision_source_name(d->source),
			d->answers);
		if(d->flagged_at[0])
			printf("\"%s\",\"answers_to_flag\":%u", d->flagged_at,
				d->answers_to_flag);
		else
			printf("null,\"answers_to_flag\":null");
		printf(",\"holz\":%.2f,\"holz_flagged_at\":", d->holz);
		if(d->holz_flagged_at[0])
			printf("\"%s\",\"holz_answers_to_flag\":%u",
				d->holz_flagged_at, d->holz_answers_to_flag);
		else
			printf("null,\"holz_answers_to_flag\":null");
		printf(",\"holz_2_lookups_flagged\":%s", d->holz_two > 0.0 ?
			"true" : "false");
		if(d->have_explain) {
			char buf[4096];
			fg_score_explain_json(&d->explain, buf, sizeof(buf));
			printf(",\"explain\":%s", buf);
		}
		printf("}\n");
	}
	free(all);
	return fflush(stdout) == 0;
}

/**
 * Open the engine with the tracker in \p keep (a segment left behind for
 * fluxguard-control; it must not exist yet, so nothing is overwritten) or,
 * when NULL, in a private temporary file. \return 0 on failure (said).
 */
static int
open_engine(struct replay* r, const struct fg_config* cfg, uint32_t capacity,
	const char* keep)
{
	/* The segment's hashes pick buckets and the sketch bits that count
	 * addresses beyond the kept ones: with a fixed key a trace gives the
	 * same figures every run (with a random one, answers-to-flag of
	 * domains with hundreds of addresses move by one or two). */
	static const uint8_t replay_key[16] = { 'f', 'l', 'u', 'x', 'g', 'u',
		'a', 'r', 'd', '-', 'r', 'e', 'p', 'l', 'a', 'y' };
	struct fg_tracker_options o;
	const char* tmp = getenv("TMPDIR");
	char err[1024];
	fg_tracker_options_from_config(cfg, &o);
	o.capacity = capacity;
	o.mode = 0600;
	o.group = (gid_t)-1;
	o.huge_pages = 0;
	o.hash_key = replay_key;
	if(keep) {
		char path[600];
		fg_tracker_segment_path(keep, path, sizeof(path));
		if(access(path, F_OK) == 0) {
			fprintf(stderr, "fluxguard-replay: --segment: %s exists; "
				"refusing to overwrite it\n", keep);
			return 0;
		}
		o.segment = keep;
	} else {
		snprintf(tmp_dir, sizeof(tmp_dir), "%s/fluxguard-replay-XXXXXX",
			tmp && *tmp ? tmp : "/tmp");
		if(!mkdtemp(tmp_dir)) {
			fprintf(stderr, "fluxguard-replay: %s: %s\n", tmp_dir,
				strerror(errno));
			tmp_dir[0] = 0;
			return 0;
		}
		snprintf(tmp_segment, sizeof(tmp_segment), "%s/segment",
			tmp_dir);
		o.segment = tmp_segment;
	}
	if(!fg_engine_open(&r->engine, cfg, &o, err, sizeof(err))) {
		fprintf(stderr, "fluxguard-replay: %s\n", err);
		return 0;
	}
	/* every answer's score and Holz value are reported: score them all */
	r->engine.detector.exact_scores = 1;
	return 1;
}

/** Set option \p name of \p cfg from the command line, or exit. */
static void
override_option(struct fg_config* cfg, const char* name, const char* value)
{
	char why[512];
	if(!fg_option_set(cfg, fg_option_find(name), value, NULL, 0, why,
		sizeof(why))) {
		fprintf(stderr, "fluxguard-replay: --%s: %s\n", name, why);
		exit(1);
	}
}

int
main(int argc, char** argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "asn-db", required_argument, NULL, 'a' },
		{ "country-db", required_argument, NULL, 'C' },
		{ "no-default-allow-list", no_argument, NULL, 'N' },
		{ "capacity", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'f' },
		{ "explain", required_argument, NULL, 'e' },
		{ "answers", no_argument, NULL, 'A' },
		{ "segment", required_argument, NULL, 's' },
		{ "dns-port", required_argument, NULL, 'p' },
		{ "dnstap-messages", required_argument, NULL, 'm' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char* config = NULL;
	const char* asn_db = NULL;
	const char* country_db = NULL;
	const char* explain = NULL;
	const char* keep_segment = NULL;
	char explain_name[FG_NAME_MAX_STR];
	int json = 0, no_default_allow = 0, c, i, ok = 1;
	unsigned long capacity = REPLAY_DEFAULT_CAPACITY, port;
	struct fg_config cfg;
	struct replay r;
	char err[1024];

	memset(&r, 0, sizeof(r));
	r.dns_port = 53;
	while((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch(c) {
		case 'c':
			config = optarg;
			break;
		case 'a':
			asn_db = optarg;
			break;
		case 'C':
			country_db = optarg;
			break;
		case 'N':
			no_default_allow = 1;
			break;
		case 'k':
			if(!fg_cli_number("fluxguard-replay", "capacity",
				optarg, 16, 16777216, &capacity))
				return 1;
			break;
		case 'f':
			if(strcmp(optarg, "tsv") == 0)
				json = 0;
			else if(strcmp(optarg, "json") == 0)
				json = 1;
			else {
				fprintf(stderr, "fluxguard-replay: --format: "
					"expected tsv or json, got \"%s\"\n",
					optarg);
				return 1;
			}
			break;
		case 'e':
			explain = optarg;
			break;
		case 'A':
			r.answers = 1;
			break;
		case 's':
			keep_segment = optarg;
			break;
		case 'p':
			if(!fg_cli_number("fluxguard-replay", "dns-port",
				optarg, 1, 65535, &port))
				return 1;
			r.dns_port = (uint16_t)port;
			break;
		case 'm':
			if(!fg_dnstap_messages_parse("fluxguard-replay", optarg,
				&r.dnstap_messages))
				return 1;
			break;
		default:
			return fg_cli_exit_option("fluxguard-replay", c, 0,
				usage);
		}
	}
	if(optind >= argc) {
		usage(stderr);
		return 1;
	}
	if(explain) {
		uint8_t w[FG_NAME_MAX_WIRE];
		if(!fg_name_from_str(explain, w, sizeof(w)) ||
			!fg_name_to_str(w, explain_name, sizeof(explain_name))) {
			fprintf(stderr, "fluxguard-replay: --explain: not a "
				"domain name: \"%s\"\n", explain);
			return 1;
		}
		explain = explain_name;
	}
	r.explain = explain;

	if(!fg_cli_load_config("fluxguard-replay", config, &cfg))
		return 1;
	if(no_default_allow)
		cfg.default_allow_list = 0;

	if(asn_db)
		override_option(&cfg, "asn-db", asn_db);
	if(country_db)
		override_option(&cfg, "country-db", country_db);
	r.json = json;
	r.n_buckets = 1024;
	r.buckets = calloc(r.n_buckets, sizeof(*r.buckets));
	r.rrs = calloc(ANSWER_MAX_RRS, sizeof(*r.rrs));
	if(!r.buckets || !r.rrs) {
		fprintf(stderr, "fluxguard-replay: out of memory\n");
		return 1;
	}
	if(!fg_engine_load_lists(&r.engine, &cfg, err, sizeof(err))) {
		fprintf(stderr, "fluxguard-replay: %s\n", err);
		return 1;
	}
	atexit(remove_tmp);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if(!open_engine(&r, &cfg, (uint32_t)capacity, keep_segment))
		return 1;
	/* A private segment is ours alone: unlink it now, the mapping stays. */
	remove_tmp();
	if(r.answers && !r.json)
		printf("ts\tqname\taction\tdecided_by\treason\n");

	for(i = optind; i < argc && ok; i++)
		ok = replay_file(&r, argv[i]);
	if(ok && !r.answers && !print_results(&r, json)) {
		fprintf(stderr, "fluxguard-replay: cannot write output\n");
		ok = 0;
	}

	if(ok && r.answers && fflush(stdout) != 0) {
		fprintf(stderr, "fluxguard-replay: cannot write output\n");
		ok = 0;
	}
	fg_engine_close(&r.engine);
	fg_conf_free(&cfg);
	for(i = 0; i < (int)r.n_buckets; i++) {
		while(r.buckets[i]) {
			struct domain* d = r.buckets[i];
			r.buckets[i] = d->next;
			free(d->name);
			free(d);
		}
	}
	free(r.buckets);
	free(r.rrs);
	if(!ok)
		return 1;
	return r.malformed ? 2 : 0;
}
