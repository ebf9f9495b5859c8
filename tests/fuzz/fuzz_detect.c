/**
 * \file
 * Fuzz target: the detector and the answer judgement (fluxguard/detect.h,
 * fluxguard/judge.h) on arbitrary neutral answers, as the module hands them
 * over. The input is a little program: answers (RRsets of A, AAAA, NS and
 * CNAME, any section, owners and targets from a table of names, addresses
 * and TTLs from the input, time moving on between them) built through the
 * fg_upstream_* functions the module uses, with names the input defines and
 * the operator's verdicts in between. Each answer goes through
 * fg_detect_upstream, then fg_judge_answer and fg_judge_query, on a private
 * tracker (64 domains, so that buckets fill and evict) emptied before each
 * input, with fixed allow and deny lists and no geo databases.
 *
 * Input: one octet of settings (min-answers, action, threshold), then
 * operations until the input ends:
 *	op%8 0-3: an answer: u16 seconds on (op 3: u32 << 8 more), a count of
 *	          RRsets (1-40), each: type/section/owner octet, TTL octet,
 *	          count octet (records%16, 0x80: of the wrong kind), then its
 *	          records (A: 4 octets, AAAA: 4 octets placed
 *	          in the /32 and the last two, NS/CNAME: a name index); then
 *	          which name is the query
 *	op%8 4:   define name slot: labels of length%64 until a 0
 *	op%8 5:   the operator's verdict on a name (allow, deny, unflag)
 *	op%8 6:   forget a name, or flush keeping the operator's decisions
 *	op%8 7:   set a name's verdict and score as the scorer does, or (name
 *	          octet >= 0x80) note another name as its cause as the module
 *	          does for an alias it blocked
 *
 * Checked: decisions are no more than the answer's address RRsets, name
 * their owner, and carry a verdict, a source and a score in range; a
 * judgement blocks exactly when it says so, names a valid name when it
 * blocks, never blocks when an allow matched, and ends its reason text.
 */
#include "fuzz.h"
#include "fluxguard/detect.h"
#include "fluxguard/judge.h"
#include "fluxguard/name.h"
#include "fluxguard/options.h"
#include "fluxguard/policy.h"
#include "fluxguard/tracker.h"
#include "fluxguard/upstream.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/** Names an input refers to by index. */
#define NAMES 16
/** Operations of one input. */
#define OPS_MAX 64

/** The input, read from the front; reads past the end give 0. */
struct input {
	const uint8_t* p;
	size_t left;
};

static uint8_t
u8(struct input* in)
{
	if(!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/* one read per statement: the order of two in one expression is unspecified */
static uint16_t
u16(struct input* in)
{
	uint16_t hi = u8(in);
	return (uint16_t)(hi << 8 | u8(in));
}

static uint32_t
u32(struct input* in)
{
	uint32_t hi = u16(in);
	return hi << 16 | u16(in);
}

/** The private tracker and the lists. */
static struct fg_tracker* tracker;
static struct fg_policy* policy;

/** The names slots start with (valid wire names once converted). */
static const char* const default_names[NAMES] = {
	"flux.example.", "www.flux.example.", "ns1.flux.example.",
	"ns2.flux.example.", "alias.example.", "allow.example.",
	"deny.example.", "exact.deny.example.", "cdn.allow.example.",
	"a.b.c.d.example.", "example.", ".", "n12.example.",
	"N13.Example.", "n14.dflux.example.", "dflux.example."
};

int
LLVMFuzzerInitialize(int* argc FG_FUZZ_UNUSED, char*** argv FG_FUZZ_UNUSED)
{
	static const char* const allow[] = { "allow.example", "192.0.2.0/28",
		"2001:db8:a11::/48" };
	static const char* const deny[] = { "deny.example",
		"exact:exact.deny.example", "203.0.113.0/24",
		"2001:db8:dead::/48" };
	struct fg_tracker_options o;
	char err[1024];
	char* path = fg_fuzz_path("segment");
	size_t i;
	fg_fuzz_quiet();
	fg_tracker_options_init(&o, path, 64, 3600);
	tracker = fg_tracker_open(&o, err, sizeof(err));
	free(path);
	policy = fg_policy_create();
	if(!tracker || !policy)
		fg_fuzz_fail("set-up: %s", tracker ? "out of memory" : err);
	for(i = 0; i < sizeof(allow) / sizeof(allow[0]); i++)
		if(!fg_policy_add(policy, FG_LIST_ALLOW, allow[i], err,
			sizeof(err)))
			fg_fuzz_fail("allow %s: %s", allow[i], err);
	for(i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if(!fg_policy_add(policy, FG_LIST_DENY, deny[i], err,
			sizeof(err)))
			fg_fuzz_fail("deny %s: %s", deny[i], err);
	return 0;
}

/** Read a name of labels (length%64, then its octets, until a 0) into
 * \p w, kept a valid wire name whatever the input says. */
static void
read_name(struct input* in, uint8_t* w)
{
	size_t len = 0;
	for(;;) {
		uint8_t lab = u8(in) % 64;
		size_t i;
		if(lab == 0 || len + 1 + lab + 1 > FG_NAME_MAX_WIRE)
			break;
		w[len++] = lab;
		for(i = 0; i < lab; i++)
			w[len++] = u8(in);
	}
	w[len] = 0;
}

/** A TTL from one octet: small steps, or one of the extremes. */
static uint32_t
read_ttl(struct input* in)
{
	uint8_t b = u8(in);
	if(b == 0xff)
		return UINT32_MAX;
	if(b >= 0xf0)
		return u32(in);
	return (uint32_t)b * 10;
}

/** Fail unless decision \p d about an RRset of \p up is in range. */
static void
check_decision(const struct fg_decision* d)
{
	if(!d->owner || fg_name_wire_len(d->owner, FG_NAME_MAX_WIRE) == 0)
		fg_fuzz_fail("decision without a valid owner");
	if((unsigned)d->verdict > FG_VERDICT_DENIED ||
		(unsigned)d->source > FG_SRC_UNTRACKED)
		fg_fuzz_fail("decision: verdict %d, source %d", (int)d->verdict,
			(int)d->source);
	if(!(d->score >= 0.0 && d->score <= 100.0))
		fg_fuzz_fail("decision: score %g", d->score);
	if(d->newly_flagged && d->verdict != FG_VERDICT_FLAGGED)
		fg_fuzz_fail("newly flagged, verdict %d", (int)d->verdict);
}

/** Fail unless judgement \p j (returned \p r) holds together. */
static void
check_judgement(int r, const struct fg_judgement* j)
{
	if(r != j->blocked)
		fg_fuzz_fail("judgement returned %d, blocked %d", r, j->blocked);
	if(!memchr(j->reason, 0, sizeof(j->reason)))
		fg_fuzz_fail("judgement reason not terminated");
	if(j->list == FG_LIST_ALLOW && j->blocked)
		fg_fuzz_fail("allowed and blocked");
	if(!j->blocked)
		return;
	if(j->verdict != FG_VERDICT_FLAGGED && j->verdict != FG_VERDICT_DENIED)
		fg_fuzz_fail("blocked with verdict %d", (int)j->verdict);
	if(j->name_len == 0 || fg_name_wire_len(j->name, j->name_len) !=
		j->name_len)
		fg_fuzz_fail("blocked without a valid deciding name");
	if((unsigned)j->action > FG_ACTION_REDIRECT)
		fg_fuzz_fail("blocked with action %d", j->action);
}

/** Build one answer from the input, judge it and check what came out. */
static void
run_answer(struct fg_detector* det, struct input* in,
	uint8_t names[NAMES][FG_NAME_MAX_WIRE], uint64_t now)
{
	static struct fg_upstream up;
	struct fg_decision dec[FG_UPSTREAM_MAX_RRSETS];
	struct fg_judgement j;
	const uint8_t* qname = NULL;
	size_t i, k, n, n_rrsets = 1 + u8(in) % 40, addr_rrsets = 0;
	uint8_t q;
	int r;

	fg_upstream_init(&up, now);
	for(i = 0; i < n_rrsets; i++) {
		static const uint16_t types[] = { FG_TYPE_A, FG_TYPE_AAAA,
			FG_TYPE_NS, FG_TYPE_CNAME };
		uint8_t b = u8(in);
		uint16_t type = types[b & 3];
		uint32_t ttl = read_ttl(in);
		uint8_t count = u8(in);
		/* a record of the other kind now and then: the module must
		 * never produce one, the functions must refuse it */
		int wrong = (count & 0x80) != 0;
		if(!fg_upstream_add_rrset(&up, names[b >> 4], type,
			(enum fg_section)(((b >> 2) & 3) % 3), ttl))
			continue;
		for(k = 0; k < (size_t)(count & 0x0f); k++) {
			int addr = type == FG_TYPE_A || type == FG_TYPE_AAAA;
			if(addr != wrong) {
				uint8_t a[16];
				memset(a, 0, sizeof(a));
				if(type == FG_TYPE_A || (wrong &&
					type == FG_TYPE_NS)) {
					a[0] = u8(in); a[1] = u8(in);
					a[2] = u8(in); a[3] = u8(in);
					(void)fg_upstream_add_addr(&up, FG_AF_INET, a);
				} else {
					a[0] = 0x20; a[1] = 0x01;
					a[2] = u8(in); a[3] = u8(in);
					a[14] = u8(in); a[15] = u8(in);
					(void)fg_upstream_add_addr(&up, FG_AF_INET6,
						a);
				}
			} else
				(void)fg_upstream_add_name(&up,
					names[u8(in) % NAMES]);
		}
	}
	for(i = 0; i < up.n_rrsets; i++)
		if((up.rrsets[i].type == FG_TYPE_A ||
			up.rrsets[i].type == FG_TYPE_AAAA) &&
			up.rrsets[i].section == FG_SECTION_ANSWER) {
			addr_rrsets++;
			if(!qname)
				qname = up.rrsets[i].owner;
		}
	q = u8(in);
	if(!qname || q >= 0xc0)
		qname = names[q % NAMES];

	n = fg_detect_upstream(det, &up, dec, FG_UPSTREAM_MAX_RRSETS);
	if(n > addr_rrsets)
		fg_fuzz_fail("%zu decisions for %zu address RRsets", n,
			addr_rrsets);
	for(i = 0; i < n; i++)
		check_decision(&dec[i]);
	r = fg_judge_answer(det, qname, &up, &j);
	check_judgement(r, &j);
	r = fg_judge_query(det, qname, &j);
	check_judgement(r, &j);
}

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static const enum fg_verdict decisions[] = { FG_VERDICT_ALLOWED,
		FG_VERDICT_DENIED, FG_VERDICT_CLEAN };
	uint8_t names[NAMES][FG_NAME_MAX_WIRE];
	struct fg_score_params params;
	struct fg_detector det;
	struct input in = { data, size };
	uint64_t now = 1700000000;
	uint8_t settings = u8(&in);
	int ops, answered = 0;
	size_t i;

	(void)fg_tracker_flush(tracker, 0, NULL);
	for(i = 0; i < NAMES; i++)
		if(!fg_name_from_str(default_names[i], names[i],
			FG_NAME_MAX_WIRE))
			fg_fuzz_fail("default name %s", default_names[i]);
	fg_score_params_default(&params);
	if(settings & 0x80)
		params.threshold = (settings & 0x0f) * 10.0;
	fg_detector_init(&det, tracker, NULL, policy, &params,
		1 + (settings & 3));
	det.action = (settings >> 2) % (FG_ACTION_REDIRECT + 1);
	det.deny_action = fg_conf_default_deny_action(det.action);

	for(ops = 0; ops < OPS_MAX && in.left; ops++) {
		uint8_t op = u8(&in), which;
		switch(op % 8) {
		case 3:
			now += (uint64_t)u32(&in) << 8;
			/* fallthrough */
		case 0:
		case 1:
		case 2:
			now += u16(&in);
			run_answer(&det, &in, names, now);
			answered = 1;
			break;
		case 4:
			which = u8(&in) % NAMES;
			read_name(&in, names[which]);
			break;
		case 5:
			which = u8(&in) % NAMES;
			(void)fg_tracker_set_operator_verdict(tracker,
				names[which], now, decisions[u8(&in) % 3]);
			break;
		case 6:
			which = u8(&in);
			if(which & 0x80)
				(void)fg_tracker_flush(tracker, 1, NULL);
			else
				(void)fg_tracker_forget(tracker,
					names[which % NAMES]);
			break;
		case 7:
			which = u8(&in);
			if(which & 0x80)
				(void)fg_tracker_set_cause(tracker,
					names[which % NAMES], now,
					names[u8(&in) % NAMES]);
			else
				(void)fg_tracker_set_verdict(tracker,
					names[which % NAMES], now,
					(float)(u8(&in) % 101),
					FG_VERDICT_FLAGGED);
			break;
		}
	}
	if(answered)
		fg_fuzz_reached();
	return 0;
}
