/**
 * \file
 * The flux tracker's table (fluxguard/tracker.h) on the segment of
 * core/segment.c: finding a name's bucket and slot, making room by the
 * eviction order, recording answers under the stripe lock and the slot's
 * seqlock, the lock-free lookup, peek and walk, the modify path for
 * verdicts, flags and forgetting, and the handle's lifecycle. What one
 * slot holds and how it ages is core/tracker_slot.c; the journal, counters
 * and published config are core/tracker_journal.c. The layout, the
 * eviction order, the window ageing and the lock order are documented in
 * core/segment_layout.h.
 */
#include "fg-config.h"

#include "tracker_internal.h"
#include "fluxguard/log.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"
#include "segment_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Where a name lives. */
struct track_loc {
	/** lower-case wire name */
	uint8_t name[FG_NAME_MAX_WIRE];
	/** its length */
	size_t len;
	/** its bucket, stripe and tag */
	uint32_t bucket, stripe, tag;
};

/* ------------------------------------------------------------- utilities */

/** Seconds as the slots store them: 32 bits, saturating (year 2106). */
static uint32_t
time32(uint64_t now)
{
	return now > UINT32_MAX ? UINT32_MAX : (uint32_t)now;
}

/** Verdicts that keep a stale record visible (fluxguard/tracker.h). */
static int
verdict_sticky(uint8_t v)
{
	return v == FG_VERDICT_FLAGGED || v == FG_VERDICT_ALLOWED ||
		v == FG_VERDICT_DENIED;
}

/** The window in force, read again each time (a resolver started with
 * another window changes it); a 0 from shared memory reads as 1, not as
 * every record stale. */
static uint32_t
window_of(const struct fg_tracker* t)
{
	uint32_t w = __atomic_load_n(&t->seg.hdr->window, __ATOMIC_RELAXED);
	return w ? w : 1;
}

/** Lower-case copy, hash and position of a wire name. */
static int
loc_prepare(const struct fg_tracker* t, const uint8_t* name, struct track_loc* l)
{
	uint64_t h;
	l->len = fg_name_wire_len(name, FG_NAME_MAX_WIRE);
	if(l->len == 0)
		return 0;
	fg_track_name_lower_copy(l->name, name, l->len);
	h = fg_segment_hash(t->seg.key, l->name, l->len);
	l->bucket = fg_segment_bucket_of(&t->seg, h);
	l->stripe = fg_segment_stripe_of(&t->seg, l->bucket);
	l->tag = fg_segment_tag_of(h);
	return 1;
}

/* ----------------------------------------------------- slots and buckets */

/** Ask for the cache lines of a slot's first \p len octets at once: the walk
 * through it would otherwise miss on them one after the other. */
static void
slot_prefetch(const struct fg_seg_slot* s, size_t len, int write)
{
	const uint8_t* p = (const uint8_t*)s;
	size_t off;
	for(off = 0; off < len; off += 64) {
		if(write)
			__builtin_prefetch(p + off, 1);
		else
			__builtin_prefetch(p + off, 0);
	}
	/* slots are not line-aligned: the range's last octet may sit on one
	 * more line */
	if(write)
		__builtin_prefetch(p + len - 1, 1);
	else
		__builtin_prefetch(p + len - 1, 0);
}

/** A name's home slot in its bucket: where it goes if that slot is free, so
 * that its lines can be fetched together with the tags, before the tags say
 * where it is. */
static unsigned
home_of(uint32_t tag)
{
	return tag % FG_SEG_BUCKET_SLOTS;
}

/** Prefetch the tags and the first \p len octets of the home slot together
 * (only a hint: no lock, and no load that would wait for the tags). */
static void
bucket_prefetch(const struct fg_seg_bucket* bk, uint32_t tag, size_t len,
	int write)
{
	unsigned home = home_of(tag);
	if(write)
		__builtin_prefetch(bk->tags, 1);
	else
		__builtin_prefetch(bk->tags, 0);
	slot_prefetch(&bk->slots[home], len, write);
}

/** Index of the slot holding the name in its bucket, or -1 (stripe held). */
static int
bucket_find(struct fg_seg_bucket* bk, const struct track_loc* l)
{
	unsigned i;
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
		const struct fg_seg_slot* s;
		if(__atomic_load_n(&bk->tags[i], __ATOMIC_RELAXED) != l->tag)
			continue;
		s = &bk->slots[i];
		if(s->name_len == l->len && memcmp(s->pool, l->name, l->len) == 0)
			return (int)i;
	}
	return -1;
}

/** Eviction class: lower goes first (see the layout header); -1 = never.
 * A flagged record still answering within the window is never evicted for a
 * new name: otherwise a flood of new (soon self-flagging) names could push a
 * chosen flagged name out and launder it. */
static int
evict_class(const struct fg_seg_slot* s, uint32_t now, uint32_t window)
{
	int stale = fg_track_window_over(s->last_seen, now, window);
	if(s->verdict == FG_VERDICT_ALLOWED || s->verdict == FG_VERDICT_DENIED)
		return -1;
	if(s->verdict == FG_VERDICT_FLAGGED)
		return stale ? 2 : -1;
	return stale ? 0 : 1;
}

/** A slot for a new name: a free one, or the least valuable (stripe held).
 * \return its index, or -1 if every slot is an operator's decision or a
 *	flagged record seen within the window. */
static int
bucket_make_room(struct fg_tracker* t, struct fg_seg_bucket* bk, uint32_t tag,
	uint32_t now, uint32_t window)
{
	int best = -1, best_class = 3;
	float best_score = 0;
	uint32_t best_last = 0;
	unsigned i;
	if(__atomic_load_n(&bk->tags[home_of(tag)], __ATOMIC_RELAXED) == 0)
		return (int)home_of(tag);
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++)
		if(__atomic_load_n(&bk->tags[i], __ATOMIC_RELAXED) == 0)
			return (int)i;
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
		const struct fg_seg_slot* s = &bk->slots[i];
		int c = evict_class(s, now, window);
		float score = s->score == s->score ? s->score : 0; /* NaN */
		int better;
		if(c < 0)
			continue;
		if(c != best_class)
			better = c < best_class;
		else if(c == 1 && score != best_score)
			better = score < best_score;
		else
			better = s->last_seen < best_last;
		if(better) {
			best = (int)i;
			best_class = c;
			best_score = score;
			best_last = s->last_seen;
		}
	}
	if(best >= 0) {
		fg_segment_slot_clear(bk, (uint32_t)best);
		__atomic_add_fetch(&t->seg.hdr->evictions, 1, __ATOMIC_RELAXED);
	}
	return best;
}

/**
 * Lock the stripe of \p l and find the name's slot or, with \p create,
 * make room for it by the eviction order. A fresh slot (*\p fresh = 1) is
 * empty and its tag not yet published: the caller fills it under the
 * seqlock, then publishes the tag.
 * \return the slot's index with the stripe held, or -1 with it not held
 *	(lock unusable, name not tracked and no \p create, or no room).
 */
static int
bucket_lock_slot(struct fg_tracker* t, const struct track_loc* l,
	uint32_t now, uint32_t window, int create, int* fresh)
{
	struct fg_seg_bucket* bk = &t->seg.buckets[l->bucket];
	int i;
	*fresh = 0;
	if(!fg_segment_lock(&t->seg, l->stripe))
		return -1;
	i = bucket_find(bk, l);
	if(i < 0 && create) {
		i = bucket_make_room(t, bk, l->tag, now, window);
		*fresh = i >= 0;
	}
	if(i < 0)
		fg_segment_unlock(&t->seg, l->stripe);
	return i;
}

/* ------------------------------------------------------------- recording */

/** What a record operation does to its slot. */
struct track_update {
	/** address answer, or NULL */
	const struct fg_addr* addrs;
	/** its size */
	size_t n_addrs;
	/** NS answer (is_ns) */
	int is_ns;
	/** NS names and glue */
	const uint8_t* const* ns_names;
	/** counts */
	size_t n_ns;
	/** glue */
	const struct fg_addr* glue;
	/** counts */
	size_t n_glue;
	/** TTL of the RRset */
	uint32_t ttl;
	/** if not NULL, the record after the update is copied here */
	struct fg_record_view* view;
	/** if not NULL, the record's brief after the update goes here, and
	 * the view is only filled if want says so */
	struct fg_record_brief* brief;
	/** asked with the brief whether the view is wanted after all */
	fg_tracker_want_view want;
	/** its argument */
	void* want_arg;
};

/** Record one answer as \p u describes it: the common path of the
 * fg_tracker_record_* functions. \return 2 if u->view was filled, 1 if
 *	recorded without it, 0 if not stored. */
static int
tracker_record(struct fg_tracker* t, const uint8_t* owner, uint64_t now64,
	const struct track_update* u)
{
	struct track_loc l;
	struct fg_seg_bucket* bk;
	struct fg_seg_slot* s;
	uint32_t now = time32(now64), window;
	int i, fresh, ok = 1;
	if(!t || !t->seg.writable || !loc_prepare(t, owner, &l))
		return 0;
	window = window_of(t);
	bk = &t->seg.buckets[l.bucket];
	/* the stripe's line comes in while the tags are read and the slot's
	 * lines are requested; the lock is taken once they are on their way */
	__builtin_prefetch(&t->seg.stripes[l.stripe], 1);
	/* a repeated address answer touches only the hot part; an NS answer
	 * or a caller that may want the whole record reads all of it (the
	 * lines come in together: one wait, not a second one under the lock
	 * when the brief does not settle it) */
	bucket_prefetch(bk, l.tag, u->view || u->is_ns ? sizeof(*bk->slots) :
		FG_SEG_SLOT_HOT, 1);
	i = bucket_lock_slot(t, &l, now, window, 1, &fresh);
	if(i < 0)
		return 0;
	s = &bk->slots[i];
	fg_slot_write_begin(s);
	if(fresh)
		fg_slot_init(s, l.name, l.len, now);
	fg_slot_age(&t->seg, s, now, window);
	if(now > s->last_seen)
		s->last_seen = now;
	if(now < s->first_seen)
		s->first_seen = now;
	if(u->is_ns)
		fg_slot_record_ns(&t->seg, s, u->ns_names, u->n_ns, u->glue,
			u->n_glue, u->ttl);
	else
		fg_slot_record_addrs(&t->seg, s, u->addrs, u->n_addrs, u->ttl);
	fg_slot_write_end(s);
	if(fresh)
		__atomic_store_n(&bk->tags[i], l.tag, __ATOMIC_RELEASE);
	/* the stripe is still held: no writer can change the slot, so it is
	 * read in place; fg_slot_to_view checks it like any copy */
	if(u->brief)
		fg_slot_brief(s, u->brief);
	if(u->view && (!u->want || u->want(u->brief, u->want_arg)))
		ok = fg_slot_to_view(s, u->view) ? 2 : 0;
	fg_segment_unlock(&t->seg, l.stripe);
	return ok;
}

/** Record an address answer; with \p view, copy the record out too (with
 * \p brief, its brief, and the view only if \p want asks for it). */
static int
tracker_record_addrs(struct fg_tracker* t, const uint8_t* owner,
	uint64_t now, const struct fg_addr* addrs, size_t n, uint32_t ttl,
	struct fg_record_view* view, struct fg_record_brief* brief,
	fg_tracker_want_view want, void* want_arg)
{
	struct track_update u;
	if(n > 0 && !addrs)
		return 0;
	memset(&u, 0, sizeof(u));
	u.addrs = addrs;
	u.n_addrs = n;
	u.ttl = ttl;
	u.view = view;
	u.brief = brief;
	u.want = want;
	u.want_arg = want_arg;
	return tracker_record(t, owner, now, &u);
}

int
fg_tracker_record_addrs(struct fg_tracker* t, const uint8_t* owner,
	uint64_t now, const struct fg_addr* addrs, size_t n, uint32_t ttl)
{
	return tracker_record_addrs(t, owner, now, addrs, n, ttl, NULL, NULL,
		NULL, NULL) != 0;
}

int
fg_tracker_record_addrs_view(struct fg_tracker* t, const uint8_t* owner,
	uint64_t now, const struct fg_addr* addrs, size_t n, uint32_t ttl,
	struct fg_record_view* out)
{
	if(!out)
		return 0;
	return tracker_record_addrs(t, owner, now, addrs, n, ttl, out, NULL,
		NULL, NULL) != 0;
}

int
fg_tracker_record_addrs_brief(struct fg_tracker* t, const uint8_t* owner,
	uint64_t now, const struct fg_addr* addrs, size_t n, uint32_t ttl,
	fg_tracker_want_view want, void* want_arg, struct fg_record_brief* brief,
	struct fg_record_view* view)
{
	if(!brief || !view || !want)
		return 0;
	return tracker_record_addrs(t, owner, now, addrs, n, ttl, view, brief,
		want, want_arg);
}

int
fg_tracker_record_ns(struct fg_tracker* t, const uint8_t* zone,
	uint64_t now, const uint8_t* const* ns_names, size_t n_ns,
	const struct fg_addr* glue, size_t n_glue, uint32_t ttl)
{
	struct track_update u;
	if((n_ns > 0 && !ns_names) || (n_glue > 0 && !glue))
		return 0;
	memset(&u, 0, sizeof(u));
	u.is_ns = 1;
	u.ns_names = ns_names;
	u.n_ns = n_ns;
	u.glue = glue;
	u.n_glue = n_glue;
	u.ttl = ttl;
	return tracker_record(t, zone, now, &u);
}

/* --------------------------------------------------------------- reading */

/** Whether a record (its copy) is visible at \p now: not stale, or sticky. */
static int
slot_visible(const struct fg_seg_slot* c, uint32_t now, uint32_t window)
{
	if(verdict_sticky(c->verdict) || (c->bits & FG_SEG_HAVE_CAUSE))
		return 1;
	return !fg_track_window_over(c->last_seen, now, window);
}

void
fg_tracker_prefetch(struct fg_tracker* t, const uint8_t* name)
{
	struct track_loc l;
	struct fg_seg_bucket* bk;
	if(!t || !loc_prepare(t, name, &l))
		return;
	bk = &t->seg.buckets[l.bucket];
	__builtin_prefetch(&t->seg.stripes[l.stripe], 1);
	bucket_prefetch(bk, l.tag, sizeof(*bk->slots), 1);
}

int
fg_tracker_lookup(struct fg_tracker* t, const uint8_t* name, uint64_t now64,
	struct fg_record_view* out)
{
	struct track_loc l;
	struct fg_seg_bucket* bk;
	uint32_t now = time32(now64), window;
	unsigned i;
	if(!t || !out || !loc_prepare(t, name, &l))
		return 0;
	window = window_of(t);
	bk = &t->seg.buckets[l.bucket];
	bucket_prefetch(bk, l.tag, sizeof(*bk->slots), 0);
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
		struct fg_seg_slot c;
		if(__atomic_load_n(&bk->tags[i], __ATOMIC_ACQUIRE) != l.tag)
			continue;
		if(!fg_slot_read(&bk->slots[i], &c))
			continue;
		if(c.state != FG_SEG_SLOT_USED || c.name_len != l.len ||
			memcmp(c.pool, l.name, l.len) != 0)
			continue;
		if(!slot_visible(&c, now, window))
			return 0;
		fg_slot_age(&t->seg, &c, now, window);
		return fg_slot_to_view(&c, out);
	}
	return 0;
}

int
fg_tracker_peek(struct fg_tracker* t, const uint8_t* name, uint64_t now64,
	enum fg_verdict* verdict, float* score)
{
	struct track_loc l;
	struct fg_seg_bucket* bk;
	uint32_t now = time32(now64), window;
	unsigned i;
	if(!t || !loc_prepare(t, name, &l))
		return 0;
	window = window_of(t);
	bk = &t->seg.buckets[l.bucket];
	bucket_prefetch(bk, l.tag, FG_SEG_SLOT_HOT, 0);
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
		const struct fg_seg_slot* s = &bk->slots[i];
		int tries;
		if(__atomic_load_n(&bk->tags[i], __ATOMIC_ACQUIRE) != l.tag)
			continue;
		/* the seqlock protocol of fg_slot_read, on the few fields needed:
		 * the resolver asks this on every cache miss */
		for(tries = 0; tries < FG_TRACK_READ_TRIES; tries++) {
			uint32_t s1 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE), s2;
			uint8_t state, len, v;
			uint32_t last;
			float sc;
			int same;
			if(s1 & 1) {
				FG_CPU_RELAX();
				continue;
			}
			state = s->state;
			len = s->name_len;
			v = s->verdict;
			last = s->last_seen;
			sc = s->score;
			same = len == l.len && memcmp(s->pool, l.name, l.len) == 0;
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			s2 = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
			if(s1 != s2)
				continue;
			if(state != FG_SEG_SLOT_USED || !same || v > FG_VERDICT_DENIED)
				break; /* another name with this tag, or garbage */
			if(!verdict_sticky(v) && fg_track_window_over(last, now, window))
				return 0; /* stale */
			*verdict = (enum fg_verdict)v;
			*score = sc;
			return 1;
		}
	}
	return 0;
}

void
fg_tracker_foreach(struct fg_tracker* t, uint64_t now64,
	int (*cb)(const struct fg_record_view* rec, void* arg), void* arg)
{
	struct fg_record_view v;
	uint32_t now = time32(now64), window, b;
	unsigned i;
	if(!t || !cb)
		return;
	window = window_of(t);
	for(b = 0; b < t->seg.nbuckets; b++) {
		struct fg_seg_bucket* bk = &t->seg.buckets[b];
		for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
			struct fg_seg_slot c;
			if(__atomic_load_n(&bk->tags[i], __ATOMIC_ACQUIRE) == 0)
				continue;
			if(!fg_slot_read(&bk->slots[i], &c) || !slot_visible(&c, now, window))
				continue;
			fg_slot_age(&t->seg, &c, now, window);
			if(!fg_slot_to_view(&c, &v))
				continue;
			if(!cb(&v, arg))
				return;
		}
	}
}

/* ------------------------------------------------------- verdicts, admin */

/** slot_edit: set the score. */
#define EDIT_SCORE 0x01
/** slot_edit: set the verdict (flagged_at follows it). */
#define EDIT_VERDICT 0x02
/** slot_edit: empty the slot (nothing else applies). */
#define EDIT_FORGET 0x04
/** slot_edit: set the cause. */
#define EDIT_CAUSE 0x08
/** slot_edit: start a new window at now first (an operator's unflag: the
 * evidence it overrules ages out, and its mark holds a whole window) */
#define EDIT_NEW_WINDOW 0x10

/** What the modify path changes in one record: every out-of-band change
 * (scorer, policy, operator) is some of these fields, so one function
 * applies them all under the same locks. */
struct slot_edit {
	/** EDIT_* bits; the flags below apply always */
	unsigned what;
	/** time of the change: flagged_at, and first_seen of a new record */
	uint32_t now;
	/** the score, with EDIT_SCORE */
	float score;
	/** the verdict, with EDIT_VERDICT */
	uint8_t verdict;
	/** FG_REC_* flags to set */
	uint8_t flags_set;
	/** FG_REC_* flags to clear */
	uint8_t flags_clear;
	/** the cause, lower case, with EDIT_CAUSE */
	const uint8_t* cause;
	/** its length */
	size_t cause_len;
};

/** Apply \p e to slot \p i of \p bk (stripe held). \return 0 if a part
 * of it did not fit (the cause), 1 if all of it applied. */
static int
slot_edit(const struct fg_segment* seg, struct fg_seg_bucket* bk, unsigned i,
	const struct slot_edit* e)
{
	struct fg_seg_slot* s = &bk->slots[i];
	int ok = 1;
	if(e->what & EDIT_FORGET) {
		fg_segment_slot_clear(bk, i);
		return 1;
	}
	fg_slot_write_begin(s);
	if(e->what & EDIT_NEW_WINDOW)
		fg_slot_new_window(seg, s, e->now);
	if(e->what & EDIT_CAUSE)
		ok = fg_slot_set_cause(s, e->cause, e->cause_len);
	if(e->what & EDIT_SCORE)
		s->score = e->score;
	if(e->what & EDIT_VERDICT) {
		/* a re-evaluation that flags again keeps the first flagging */
		if(e->verdict != FG_VERDICT_FLAGGED)
			s->flagged_at = 0;
		else if(s->verdict != FG_VERDICT_FLAGGED || s->flagged_at == 0)
			s->flagged_at = e->now ? e->now : 1;
		s->verdict = e->verdict;
	}
	s->flags = (uint8_t)((s->flags & ~e->flags_clear) | e->flags_set);
	fg_slot_write_end(s);
	return ok;
}

/**
 * Apply \p e to the name's slot under its stripe and seqlock. With
 * \p create, a name not tracked gets a fresh record first (evicting by the
 * usual order).
 * \return 1 if the name had (or got) a slot and all of \p e applied, 0 if
 *	not.
 */
static int
tracker_modify(struct fg_tracker* t, const uint8_t* name, int create,
	const struct slot_edit* e)
{
	struct track_loc l;
	struct fg_seg_bucket* bk;
	int i, fresh, ok;
	if(!t || !t->seg.writable || !loc_prepare(t, name, &l))
		return 0;
	bk = &t->seg.buckets[l.bucket];
	i = bucket_lock_slot(t, &l, e->now, window_of(t), create, &fresh);
	if(i < 0)
		return 0;
	if(fresh) {
		fg_slot_write_begin(&bk->slots[i]);
		fg_slot_init(&bk->slots[i], l.name, l.len, e->now);
		fg_slot_write_end(&bk->slots[i]);
		__atomic_store_n(&bk->tags[i], l.tag, __ATOMIC_RELEASE);
	}
	ok = slot_edit(&t->seg, bk, (unsigned)i, e);
	fg_segment_unlock(&t->seg, l.stripe);
	return ok;
}

int
fg_tracker_set_verdict(struct fg_tracker* t, const uint8_t* name,
	uint64_t now, float score, enum fg_verdict verdict)
{
	struct slot_edit e = { .what = EDIT_SCORE | EDIT_VERDICT };
	if((unsigned)verdict > FG_VERDICT_DENIED)
		return 0;
	e.now = time32(now);
	e.score = score;
	e.verdict = (uint8_t)verdict;
	return tracker_modify(t, name, 0, &e);
}

int
fg_tracker_set_flags(struct fg_tracker* t, const uint8_t* name, uint8_t set,
	uint8_t clear)
{
	struct slot_edit e = { .flags_set = set, .flags_clear = clear };
	return tracker_modify(t, name, 0, &e);
}

int
fg_tracker_set_cause(struct fg_tracker* t, const uint8_t* name, uint64_t now,
	const uint8_t* cause)
{
	struct slot_edit e = { .what = EDIT_CAUSE };
	uint8_t lower[FG_NAME_MAX_WIRE];
	size_t len = cause ? fg_name_wire_len(cause, FG_NAME_MAX_WIRE) : 0;
	if(len == 0)
		return 0;
	fg_track_name_lower_copy(lower, cause, len);
	e.now = time32(now);
	e.cause = lower;
	e.cause_len = len;
	return tracker_modify(t, name, 1, &e);
}

int
fg_tracker_forget(struct fg_tracker* t, const uint8_t* name)
{
	struct slot_edit e = { .what = EDIT_FORGET };
	return tracker_modify(t, name, 0, &e);
}

uint32_t
fg_tracker_flush(struct fg_tracker* t, int keep_operator, uint32_t* busy)
{
	/* stripes that stayed held: their other buckets are not waited on
	 * again (each wait is the lock's whole timeout) */
	uint64_t stuck[FG_SEG_STRIPES_MAX / 64];
	uint32_t b, n = 0, skipped = 0;
	unsigned i;
	if(busy)
		*busy = 0;
	if(!t || !t->seg.writable)
		return 0;
	memset(stuck, 0, sizeof(stuck));
	for(b = 0; b < t->seg.nbuckets; b++) {
		struct fg_seg_bucket* bk = &t->seg.buckets[b];
		uint32_t stripe = fg_segment_stripe_of(&t->seg, b);
		if(stripe >= FG_SEG_STRIPES_MAX ||
			(stuck[stripe / 64] >> (stripe % 64) & 1) ||
			!fg_segment_lock(&t->seg, stripe)) {
			if(stripe < FG_SEG_STRIPES_MAX)
				stuck[stripe / 64] |= (uint64_t)1 << (stripe % 64);
			skipped++;
			continue;
		}
		for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
			const struct fg_seg_slot* s = &bk->slots[i];
			if(__atomic_load_n(&bk->tags[i], __ATOMIC_RELAXED) == 0 &&
				s->state == FG_SEG_SLOT_EMPTY)
				continue;
			if(keep_operator && s->state != FG_SEG_SLOT_EMPTY &&
				(s->verdict == FG_VERDICT_ALLOWED ||
				s->verdict == FG_VERDICT_DENIED))
				continue;
			n += s->state != FG_SEG_SLOT_EMPTY;
			fg_segment_slot_clear(bk, i);
		}
		fg_segment_unlock(&t->seg, stripe);
	}
	if(busy)
		*busy = skipped;
	return n;
}

/* ------------------------------------------------ operator decisions */

int
fg_tracker_set_operator_verdict(struct fg_tracker* t, const uint8_t* name,
	uint64_t now, enum fg_verdict verdict)
{
	/* an operator's verdict keeps the score; unflag marks the record */
	struct slot_edit e = { .what = EDIT_VERDICT };
	enum fg_journal_op op;
	switch(verdict) {
	case FG_VERDICT_ALLOWED: op = FG_JOURNAL_ALLOW; break;
	case FG_VERDICT_DENIED: op = FG_JOURNAL_DENY; break;
	case FG_VERDICT_CLEAN: op = FG_JOURNAL_UNFLAG; break;
	default: return 0;
	}
	e.now = time32(now);
	e.verdict = (uint8_t)verdict;
	if(verdict == FG_VERDICT_CLEAN) {
		e.what |= EDIT_NEW_WINDOW;
		e.flags_set = FG_REC_UNFLAGGED_BY_OPERATOR;
	} else {
		e.flags_clear = FG_REC_UNFLAGGED_BY_OPERATOR;
	}
	if(!tracker_modify(t, name, 1, &e))
		return 0;
	return fg_tracker_journal_append(t, op, name) != 0;
}

/* ----------------------------------------------------------- lifecycle */

struct fg_tracker*
fg_tracker_open(const struct fg_tracker_options* opts, char* err, size_t errlen)
{
	struct fg_tracker* t = calloc(1, sizeof(*t));
	if(!t) {
		snprintf(err, errlen, "tracker: out of memory");
		return NULL;
	}
	if(!fg_segment_open(&t->seg, opts, err, errlen)) {
		free(t);
		return NULL;
	}
	/* a table below one huge page fits the TLB anyway */
	if(opts->huge_pages && t->seg.size >= FG_SEG_HUGE_PAGE) {
		char why[160];
		t->huge_pages = fg_segment_use_huge_pages(&t->seg, why,
			sizeof(why));
		if(!t->huge_pages)
			fg_log(FG_LOG_WARN, "tracker: segment %s: 2 MiB pages "
				"not available, 4 KiB pages used: %s",
				t->seg.name, why);
	}
	return t;
}

struct fg_tracker*
fg_tracker_attach(const char* segment, int writable, int* missing, char* err,
	size_t errlen)
{
	struct fg_tracker* t = calloc(1, sizeof(*t));
	if(missing)
		*missing = 0;
	if(!t) {
		snprintf(err, errlen, "tracker: out of memory");
		return NULL;
	}
	if(!fg_segment_attach(&t->seg, segment, writable, missing, err, errlen)) {
		free(t);
		return NULL;
	}
	return t;
}

void
fg_tracker_options_init(struct fg_tracker_options* opts, const char* segment,
	uint32_t capacity, uint32_t window)
{
	memset(opts, 0, sizeof(*opts));
	opts->segment = segment;
	opts->capacity = capacity;
	opts->window = window;
	opts->mode = 0600;
	opts->group = (gid_t)-1;
}

int
fg_tracker_probe(const char* segment, char* why, size_t whylen)
{
	return fg_segment_probe(segment, why, whylen);
}

int
fg_tracker_huge_pages(const struct fg_tracker* t)
{
	return t ? t->huge_pages : 0;
}

void
fg_tracker_close(struct fg_tracker* t)
{
	if(!t)
		return;
	fg_segment_close(&t->seg);
	free(t);
}

uint32_t
fg_tracker_format_version(void)
{
	return FG_SEG_VERSION;
}

void
fg_tracker_segment_path(const char* segment, char* buf, size_t len)
{
	snprintf(buf, len, "%s%s", fg_segment_is_shm(segment) ? "/dev/shm" :
		"", segment);
}

void
fg_tracker_get_info(struct fg_tracker* t, struct fg_tracker_info* info)
{
	const struct fg_seg_header* h;
	uint32_t b, used = 0;
	unsigned i;
	if(!info)
		return;
	memset(info, 0, sizeof(*info));
	if(!t)
		return;
	h = t->seg.hdr;
	snprintf(info->segment, sizeof(info->segment), "%s", t->seg.name);
	info->version = h->version;
	info->capacity = t->seg.nbuckets * FG_SEG_BUCKET_SLOTS;
	for(b = 0; b < t->seg.nbuckets; b++)
		for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++)
			if(__atomic_load_n(&t->seg.buckets[b].tags[i], __ATOMIC_RELAXED))
				used++;
	info->used = used;
	info->window = window_of(t);
	info->bytes = t->seg.size;
	/* from the geometry validated at attach, not from the header again */
	info->table_bytes = (uint64_t)t->seg.nstripes * FG_SEG_STRIPE_SIZE +
		(uint64_t)t->seg.nbuckets * FG_SEG_BUCKET_SIZE;
	info->created = h->created;
	info->generation = h->generation;
	info->writer_pid = __atomic_load_n(&h->writer_pid, __ATOMIC_RELAXED);
	info->clean_close = __atomic_load_n(&h->clean_close, __ATOMIC_RELAXED) != 0;
	info->evictions = __atomic_load_n(&h->evictions, __ATOMIC_RELAXED);
}
