/**
 * \file
 * What the tracker's segment carries besides the table
 * (fluxguard/tracker.h, layout in core/segment_layout.h): the journal ring
 * through which every Unbound process hears of out-of-band verdicts, the
 * counters every thread of every process adds to atomically, and the
 * config a module publishes for fluxguard-control status. Each is written
 * and read lock-free; every reader checks what it copies out.
 */
#include "fg-config.h"

#include "tracker_internal.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"
#include "segment_layout.h"

#include <string.h>

/* --------------------------------------------------------------- journal */

uint64_t
fg_tracker_journal_append(struct fg_tracker* t, enum fg_journal_op op,
	const uint8_t* name)
{
	struct fg_seg_journal_entry* e;
	uint64_t seq;
	size_t len = 1;
	if(!t || !t->seg.writable || op < FG_JOURNAL_FLAG ||
		op > FG_JOURNAL_DECISIONS)
		return 0;
	if(name) {
		len = fg_name_wire_len(name, FG_NAME_MAX_WIRE);
		if(!len)
			return 0;
	} else if(op != FG_JOURNAL_FLUSH && op != FG_JOURNAL_DECISIONS) {
		return 0; /* only these two are about no name */
	}
	seq = __atomic_add_fetch(&t->seg.hdr->journal_head, 1, __ATOMIC_ACQ_REL);
	e = &t->seg.journal[(seq - 1) % FG_JOURNAL_ENTRIES];
	__atomic_store_n(&e->seq, seq | FG_SEG_JOURNAL_WRITING, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->op = (uint8_t)op;
	e->name_len = (uint8_t)len;
	if(name) {
		memcpy(e->name, name, len);
		fg_name_lower(e->name);
	} else {
		e->name[0] = 0;
	}
	__atomic_store_n(&e->seq, seq, __ATOMIC_RELEASE);
	return seq;
}

uint64_t
fg_tracker_journal_head(struct fg_tracker* t)
{
	return t ? __atomic_load_n(&t->seg.hdr->journal_head, __ATOMIC_ACQUIRE) : 0;
}

int
fg_tracker_journal_read(struct fg_tracker* t, uint64_t seq,
	struct fg_journal_entry* out)
{
	const struct fg_seg_journal_entry* e;
	uint64_t head, s1, s2;
	uint8_t op, len;
	if(!t || seq == 0)
		return -1;
	head = fg_tracker_journal_head(t);
	if(seq > head)
		return 0;
	if(head - seq >= FG_JOURNAL_ENTRIES)
		return -1;
	e = &t->seg.journal[(seq - 1) % FG_JOURNAL_ENTRIES];
	s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
	if((s1 & ~FG_SEG_JOURNAL_WRITING) > seq)
		return -1;
	if(s1 != seq)
		return 0; /* reserved but not yet written */
	op = e->op;
	len = e->name_len; /* a uint8_t: never beyond name[] */
	memcpy(out->name, e->name, len);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
	if(s2 != seq)
		return -1; /* overwritten while we copied */
	/* never trust what shared memory says: check the copy */
	if(op < FG_JOURNAL_FLAG || op > FG_JOURNAL_DECISIONS || len == 0 ||
		fg_name_wire_len(out->name, len) != len)
		return -1;
	out->seq = seq;
	out->op = op;
	out->name_len = len;
	return 1;
}

/* -------------------------------------------------------------- counters */

/** The counters block of the mapped header. */
static struct fg_seg_counters*
counters_of(struct fg_tracker* t)
{
	return (struct fg_seg_counters*)t->seg.hdr->counters;
}

void
fg_tracker_count(struct fg_tracker* t, unsigned c, uint64_t n)
{
	if(!t || !t->seg.writable || c >= FG_SEG_COUNTERS_SLOTS)
		return;
	__atomic_fetch_add(&counters_of(t)->value[c], n, __ATOMIC_RELAXED);
}

void
fg_tracker_counters_read(struct fg_tracker* t, uint64_t* out, unsigned n,
	int reset, const unsigned char* resettable)
{
	unsigned c;
	for(c = 0; c < n; c++) {
		uint64_t* v;
		if(!t || c >= FG_SEG_COUNTERS_SLOTS) {
			out[c] = 0;
			continue;
		}
		v = &counters_of(t)->value[c];
		if(reset && t->seg.writable && resettable && resettable[c])
			out[c] = __atomic_exchange_n(v, 0, __ATOMIC_RELAXED);
		else
			out[c] = __atomic_load_n(v, __ATOMIC_RELAXED);
	}
}

/* ------------------------------------------------------- config in force */

void
fg_tracker_publish_config(struct fg_tracker* t, int64_t pid, uint64_t started,
	const char* text)
{
	struct fg_seg_config* c;
	uint64_t seq;
	size_t len;
	if(!t || !t->seg.writable || !text)
		return;
	c = (struct fg_seg_config*)t->seg.hdr->commands;
	seq = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
	/* another process publishing right now wins; ours is no newer */
	if((seq & 1) || !__atomic_compare_exchange_n(&c->seq, &seq, seq + 1, 0,
		__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	len = strlen(text);
	if(len > FG_SEG_CONFIG_TEXT - 1)
		len = FG_SEG_CONFIG_TEXT - 1;
	c->pid = pid;
	c->started = started;
	c->len = (uint32_t)len;
	memcpy(c->text, text, len);
	c->text[len] = 0;
	__atomic_store_n(&c->seq, seq + 2, __ATOMIC_RELEASE);
}

int
fg_tracker_read_config(struct fg_tracker* t, int64_t* pid, uint64_t* started,
	char* buf, size_t buflen)
{
	const struct fg_seg_config* c;
	int tries;
	if(!t || buflen == 0)
		return 0;
	c = (const struct fg_seg_config*)t->seg.hdr->commands;
	for(tries = 0; tries < 100; tries++) {
		uint64_t s1 = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE), s2;
		uint32_t len;
		if(s1 == 0)
			return 0;
		if(s1 & 1)
			continue;
		len = c->len;
		if(len > FG_SEG_CONFIG_TEXT - 1)
			len = FG_SEG_CONFIG_TEXT - 1;
		if(len > buflen - 1)
			len = (uint32_t)(buflen - 1);
		memcpy(buf, c->text, len);
		buf[len] = 0;
		*pid = c->pid;
		*started = c->started;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
		if(s1 == s2)
			return 1;
	}
	return 0;
}
