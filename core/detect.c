/**
 * \file
 * The detector (fluxguard/detect.h): policy, geo, tracker, score and verdict
 * for each upstream response, shared by the module and fluxguard-replay.
 * Everything runs on the caller's stack; a record copy is about 1 KiB, and at
 * most two are live at once.
 */
#include "fluxguard/detect.h"
#include "fluxguard/geo.h"
#include "fluxguard/name.h"
#include "fluxguard/policy.h"

#include <math.h>
#include <string.h>

/** How far the stored score may lag behind the last one computed before the
 * detector writes it back (scores are shown with one decimal). */
#define FG_DETECT_SCORE_SLACK 0.05

/** NS targets of one response we match glue against. */
#define DETECT_MAX_NS FG_UPSTREAM_MAX_NAMES

/** Fill d->bounds for d->params: the bound costs as much as a good part
 * of a cheap answer's whole judgement, and it only ever sees these counts. */
static void
bounds_prepare(struct fg_detector* d)
{
	struct fg_record_brief b;
	unsigned a, s, c;
	memset(&b, 0, sizeof(b));
	for(a = 0; a <= FG_TRACK_ADDRS; a++)
	for(s = 0; s <= FG_TRACK_ASNS; s++)
	for(c = 0; c <= FG_TRACK_COUNTRIES; c++) {
		double v;
		float f;
		b.n_addrs = (uint8_t)a;
		b.n_asns = (uint8_t)s;
		b.n_countries = (uint8_t)c;
		v = fg_score_bound(&d->params, &b);
		f = (float)v;
		/* still a bound after rounding */
		if((double)f < v)
			f = nextafterf(f, HUGE_VALF);
		d->bounds[a][s][c] = f;
	}
}

void
fg_detector_init(struct fg_detector* d, struct fg_tracker* tracker,
	struct fg_geo* geo, const struct fg_policy* policy,
	const struct fg_score_params* params, uint32_t min_answers)
{
	memset(d, 0, sizeof(*d));
	d->tracker = tracker;
	d->geo = geo;
	d->policy = policy;
	if(params)
		d->params = *params;
	else
		fg_score_params_default(&d->params);
	d->min_answers = min_answers ? min_answers :
		FG_DETECT_DEFAULT_MIN_ANSWERS;
	d->action = FG_ACTION_LOG;
	d->deny_action = FG_ACTION_REFUSE;
	bounds_prepare(d);
}

void
fg_detector_init_config(struct fg_detector* d, struct fg_tracker* tracker,
	struct fg_geo* geo, const struct fg_policy* policy,
	const struct fg_config* cfg)
{
	fg_detector_init(d, tracker, geo, policy, &cfg->score,
		cfg->min_answers);
	d->action = cfg->action;
	d->deny_action = cfg->deny_action;
}

const char*
fg_verdict_name(int verdict)
{
	switch(verdict) {
	case FG_VERDICT_CLEAN: return "clean";
	case FG_VERDICT_FLAGGED: return "flagged";
	case FG_VERDICT_ALLOWED: return "allowed";
	case FG_VERDICT_DENIED: return "denied";
	default: return "unknown";
	}
}

const char*
fg_decision_source_name(enum fg_decision_source s)
{
	switch(s) {
	case FG_SRC_SCORE: return "score";
	case FG_SRC_POLICY_NAME: return "policy-name";
	case FG_SRC_POLICY_ADDRS: return "policy-addrs";
	case FG_SRC_OPERATOR: return "operator";
	case FG_SRC_UNTRACKED: return "untracked";
	default: return "unknown";
	}
}

/** Map a list match onto a verdict. */
static enum fg_verdict
list_verdict(enum fg_list l)
{
	return l == FG_LIST_DENY ? FG_VERDICT_DENIED : FG_VERDICT_ALLOWED;
}

int
fg_detect_find_zone(struct fg_tracker* tracker, const uint8_t* owner,
	uint64_t now, const struct fg_record_view* rec,
	struct fg_record_view* zone)
{
	const uint8_t* p = owner;
	if(rec->ns_answers > 0) {
		memcpy(zone, rec, sizeof(*zone));
		return 1;
	}
	while(*p && fg_name_label_count(p) > 2) {
		p += 1 + *p;
		if(fg_tracker_lookup(tracker, p, now, zone) &&
			zone->ns_answers > 0)
			return 1;
	}
	return 0;
}

/** The verdict a fresh score gives, given the verdict the record had. */
static enum fg_verdict
judge(const struct fg_detector* d, const struct fg_record_view* rec,
	const struct fg_score_explain* ex)
{
	if(rec->verdict == FG_VERDICT_FLAGGED && rec->answers < d->min_answers)
		return FG_VERDICT_FLAGGED;
	if(rec->flags & FG_REC_UNFLAGGED_BY_OPERATOR)
		return FG_VERDICT_CLEAN;
	if(ex->flagged && rec->answers >= d->min_answers)
		return FG_VERDICT_FLAGGED;
	return FG_VERDICT_CLEAN;
}

/** Whether the whole record is needed to judge the answer just recorded
 * (fg_tracker_want_view): always when every score is wanted, else unless
 * the record is plainly clean and its score cannot reach the threshold. */
static int
want_whole_record(const struct fg_record_brief* b, void* arg)
{
	const struct fg_detector* d = arg;
	/* the brief's counts are within the table by fg_slot_brief */
	if(d->exact_scores || b->verdict != FG_VERDICT_CLEAN || b->overflowed)
		return 1;
	return d->bounds[b->n_addrs][b->n_asns][b->n_countries] >=
		d->params.threshold;
}

int
fg_detect_addrs(struct fg_detector* d, const uint8_t* owner, uint64_t now,
	struct fg_addr* addrs, size_t n, uint32_t ttl, struct fg_decision* out)
{
	struct fg_record_view rec, zone;
	struct fg_record_brief brief;
	const struct fg_policy* policy;
	enum fg_list l;
	enum fg_verdict v;
	size_t i;
	int have_zone, recorded;

	memset(out, 0, sizeof(*out));
	out->owner = owner;
	out->verdict = FG_VERDICT_CLEAN;
	if(n == 0 || fg_name_wire_len(owner, FG_NAME_MAX_WIRE) == 0)
		return 0;
	for(i = 0; i < n; i++)
		fg_geo_annotate(d->geo, &addrs[i]);

	/* loaded once: the module may swap the lists at run time */
	policy = __atomic_load_n(&d->policy, __ATOMIC_ACQUIRE);
	if(policy) {
		l = fg_policy_match_name(policy, owner);
		if(l != FG_LIST_NONE) {
			out->verdict = list_verdict(l);
			out->source = FG_SRC_POLICY_NAME;
			return 1;
		}
		l = fg_policy_match_addrs(policy, addrs, n);
		if(l != FG_LIST_NONE) {
			out->verdict = list_verdict(l);
			out->source = FG_SRC_POLICY_ADDRS;
			return 1;
		}
	}

	recorded = fg_tracker_record_addrs_brief(d->tracker, owner, now, addrs,
		n, ttl, want_whole_record, d, &brief, &rec);
	if(!recorded) {
		out->source = FG_SRC_UNTRACKED;
		return 1;
	}
	out->answers = brief.answers;
	if(recorded == 1) {
		/* clean, and its score cannot reach the threshold: the verdict
		 * stands without the rest of the record, the stored score too */
		out->source = FG_SRC_SCORE;
		out->score = brief.score;
		return 1;
	}
	out->holz = fg_score_holz(&rec);
	if(rec.verdict == FG_VERDICT_ALLOWED ||
		rec.verdict == FG_VERDICT_DENIED) {
		/* an operator's decision stands; the evidence is still kept */
		out->verdict = (enum fg_verdict)rec.verdict;
		out->source = FG_SRC_OPERATOR;
		out->score = rec.score;
		return 1;
	}

	have_zone = fg_detect_find_zone(d->tracker, owner, now, &rec, &zone);
	out->score = fg_score_record(&d->params, &rec,
		have_zone ? &zone : NULL, &out->explain);
	v = judge(d, &rec, &out->explain);
	out->verdict = v;
	out->source = (rec.flags & FG_REC_UNFLAGGED_BY_OPERATOR) &&
		out->explain.flagged ? FG_SRC_OPERATOR : FG_SRC_SCORE;
	out->newly_flagged = v == FG_VERDICT_FLAGGED &&
		rec.verdict != FG_VERDICT_FLAGGED;
	out->flagged_at = v != FG_VERDICT_FLAGGED ? 0 :
		out->newly_flagged ? now : rec.flagged_at;
	/* Most answers change neither the verdict nor the score as shown (one
	 * decimal): those leave the record alone, which saves a second visit
	 * to the slot on the resolver's path. The stored score stays within
	 * FG_DETECT_SCORE_SLACK of the last one computed. */
	if(v == (enum fg_verdict)rec.verdict &&
		fabs(out->score - (double)rec.score) < FG_DETECT_SCORE_SLACK)
		return 1;
	if(!fg_tracker_set_verdict(d->tracker, owner, now, (float)out->score,
		v)) {
		/* evicted between record and now by another thread: the next
		 * answer starts it again */
		out->newly_flagged = 0;
	}
	return 1;
}

int
fg_detect_ns(struct fg_detector* d, const uint8_t* zone, uint64_t now,
	const uint8_t* const* ns_names, size_t n_ns, struct fg_addr* glue,
	size_t n_glue, uint32_t ttl)
{
	const struct fg_policy* policy = __atomic_load_n(&d->policy,
		__ATOMIC_ACQUIRE);
	size_t i;
	if(n_ns == 0 || fg_name_wire_len(zone, FG_NAME_MAX_WIRE) == 0)
		return 0;
	if(policy && fg_policy_match_name(policy, zone) ==
		FG_LIST_ALLOW)
		return 0;
	for(i = 0; i < n_glue; i++)
		fg_geo_annotate(d->geo, &glue[i]);
	return fg_tracker_record_ns(d->tracker, zone, now, ns_names, n_ns,
		glue, n_glue, ttl);
}

/** Whether \p name is one of \p rs's target names in \p up. */
static int
is_target_of(const struct fg_upstream* up, const struct fg_upstream_rrset* rs,
	const uint8_t* name)
{
	size_t j;
	for(j = rs->first; j < (size_t)rs->first + rs->count &&
		j < up->n_names; j++)
		if(fg_name_equal(up->names[j], name))
			return 1;
	return 0;
}

/** Record \p ns (an NS RRset of \p up) with the glue found in \p up. */
static void
detect_ns_rrset(struct fg_detector* d, struct fg_upstream* up,
	const struct fg_upstream_rrset* ns)
{
	struct fg_addr glue[FG_TRACK_GLUE * 4];
	const uint8_t* names[DETECT_MAX_NS];
	size_t i, j, n_glue = 0, n_names = 0;
	for(j = ns->first; j < (size_t)ns->first + ns->count &&
		j < up->n_names && n_names < DETECT_MAX_NS; j++)
		names[n_names++] = up->names[j];
	for(i = 0; i < up->n_rrsets; i++) {
		const struct fg_upstream_rrset* rs = &up->rrsets[i];
		if(rs->type != FG_TYPE_A && rs->type != FG_TYPE_AAAA)
			continue;
		if(!is_target_of(up, ns, rs->owner))
			continue;
		for(j = rs->first; j < (size_t)rs->first + rs->count &&
			j < up->n_addrs; j++) {
			if(n_glue >= sizeof(glue) / sizeof(glue[0]))
				break;
			glue[n_glue++] = up->addrs[j];
		}
	}
	(void)fg_detect_ns(d, ns->owner, up->now, names, n_names, glue, n_glue,
		ns->ttl);
}

size_t
fg_detect_upstream(struct fg_detector* d, struct fg_upstream* up,
	struct fg_decision* out, size_t max_out)
{
	size_t i, n_out = 0;
	for(i = 0; i < up->n_rrsets; i++)
		if(up->rrsets[i].type == FG_TYPE_NS)
			detect_ns_rrset(d, up, &up->rrsets[i]);
	for(i = 0; i < up->n_rrsets; i++) {
		const struct fg_upstream_rrset* rs = &up->rrsets[i];
		struct fg_decision spare;
		size_t n;
		if((rs->type != FG_TYPE_A && rs->type != FG_TYPE_AAAA) ||
			rs->section != FG_SECTION_ANSWER)
			continue;
		if(rs->first >= up->n_addrs)
			continue;
		n = rs->count;
		if((size_t)rs->first + n > up->n_addrs)
			n = up->n_addrs - rs->first;
		/* Every answer is recorded; only the first max_out decisions
		 * are reported. */
		if(fg_detect_addrs(d, rs->owner, up->now, &up->addrs[rs->first],
			n, rs->ttl, n_out < max_out ? &out[n_out] : &spare) &&
			n_out < max_out)
			n_out++;
	}
	return n_out;
}
