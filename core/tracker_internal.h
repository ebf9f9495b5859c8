/**
 * \file
 * Private to the tracker's own files, which together implement
 * fluxguard/tracker.h on the segment of core/segment.h: core/tracker.c
 * (the table: buckets, eviction, record, lookup, the modify path, the
 * handle), core/tracker_slot.c (what one slot holds, how it ages, how an
 * answer is recorded into it and copied out of it) and
 * core/tracker_journal.c (the journal, the counters, the published
 * config). Everything else, the tools included, uses fluxguard/tracker.h.
 *
 * The seqlock of a slot and the few helpers the record and lookup paths
 * call on every answer are static inline here, so that splitting the files
 * costs those paths no call.
 */
#ifndef FG_TRACKER_INTERNAL_H
#define FG_TRACKER_INTERNAL_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "segment.h"
#include "fluxguard/tracker.h"

/** A process's handle on the tracker. */
struct fg_tracker {
	/** the mapped segment */
	struct fg_segment seg;
	/** this process maps the table with 2 MiB pages */
	int huge_pages;
};

/* ------------------------------------------------------------- helpers */

/** Whether \p window seconds have passed from \p since to \p now (a clock
 * that went back says no): the one rule for a stale record, an evictable
 * one and a window that is over. */
static inline int
fg_track_window_over(uint32_t since, uint32_t now, uint32_t window)
{
	return now >= since && now - since >= window;
}

/** Lower-case copy of a wire name of \p len octets: length octets are
 * <= 63, below 'A', so lower-casing every octet is safe. */
static inline void
fg_track_name_lower_copy(uint8_t* dst, const uint8_t* src, size_t len)
{
	size_t i;
	for(i = 0; i < len; i++) {
		uint8_t c = src[i];
		dst[i] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
	}
}

/* ------------------------------------------------------- slot seqlock
 * A writer holds the slot's stripe and brackets its changes with
 * fg_slot_write_begin and fg_slot_write_end; readers take no lock and
 * retry while the sequence is odd or moved (core/segment_layout.h). */

/** Spin-wait hint while a slot is mid-write. */
#if defined(__x86_64__) || defined(__i386__)
#define FG_CPU_RELAX() __builtin_ia32_pause()
#else
#define FG_CPU_RELAX() __asm__ __volatile__("" ::: "memory")
#endif

/** Attempts at a consistent copy of a slot before it reads as absent. */
#define FG_TRACK_READ_TRIES 4096

/** Open a slot for writing: readers now see it mid-write (stripe held). */
static inline void
fg_slot_write_begin(struct fg_seg_slot* s)
{
	uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, seq | 1u, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/** Close a slot's write: the next sequence, even, publishes it. */
static inline void
fg_slot_write_end(struct fg_seg_slot* s)
{
	uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, (seq | 1u) + 1, __ATOMIC_RELEASE);
}

/**
 * Consistent copy of a slot, taken without a lock.
 * \return 0 if the slot stayed mid-write (a dead or very slow writer).
 */
static inline int
fg_slot_read(const struct fg_seg_slot* s, struct fg_seg_slot* out)
{
	int tries;
	for(tries = 0; tries < FG_TRACK_READ_TRIES; tries++) {
		uint32_t s1 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE), s2;
		if(!(s1 & 1)) {
			memcpy(out, s, sizeof(*out));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			s2 = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
			if(s1 == s2)
				return 1;
		}
		if((tries & 63) == 63)
			sched_yield();
		else
			FG_CPU_RELAX();
	}
	return 0;
}

/* ------------------------------------------- one slot (tracker_slot.c)
 * Writers call these with the slot's stripe held and its seqlock open;
 * readers call fg_slot_age and fg_slot_to_view on a private copy. */

/**
 * Fill a free slot for a new name.
 * \param name lower-case wire name of \p len octets (checked by the caller)
 */
void fg_slot_init(struct fg_seg_slot* s, const uint8_t* name, size_t len,
	uint32_t now);

/**
 * Start a new window at \p now (see the layout header): keep the last
 * answer's addresses and glue, drop the rest, rebuild the geo lists and
 * sketches from what was kept. Callers go through fg_slot_age.
 */
void fg_slot_new_window(const struct fg_segment* seg, struct fg_seg_slot* s,
	uint32_t now);

/** Start a new window if the current one is over. Inline, because record
 * and lookup ask on every call and the answer is nearly always no. */
static inline void
fg_slot_age(const struct fg_segment* seg, struct fg_seg_slot* s, uint32_t now,
	uint32_t window)
{
	if(fg_track_window_over(s->window_start, now, window))
		fg_slot_new_window(seg, s, now);
}

/** Record an address answer into a slot. */
void fg_slot_record_addrs(const struct fg_segment* seg, struct fg_seg_slot* s,
	const struct fg_addr* addrs, size_t n, uint32_t ttl);

/** Record an NS answer and its glue into a slot. */
void fg_slot_record_ns(const struct fg_segment* seg, struct fg_seg_slot* s,
	const uint8_t* const* ns_names, size_t n_ns, const struct fg_addr* glue,
	size_t n_glue, uint32_t ttl);

/**
 * Set the slot's cause entry to \p cause (lower-case wire name of \p len
 * octets, checked by the caller), replacing the one it had.
 * \return 1 if it holds it, 0 if it does not fit the pool.
 */
int fg_slot_set_cause(struct fg_seg_slot* s, const uint8_t* cause, size_t len);

/**
 * Turn a slot into a view, checking everything: it came out of shared
 * memory (a private copy, or the slot itself while its stripe is held).
 * \return 0 if the slot is not a well-formed record.
 */
int fg_slot_to_view(const struct fg_seg_slot* c, struct fg_record_view* v);

/** Fill \p b from the hot header of \p s (first cache line only), with the
 * same bounds fg_slot_to_view applies. */
void fg_slot_brief(const struct fg_seg_slot* s, struct fg_record_brief* b);

#endif /* FG_TRACKER_INTERNAL_H */
