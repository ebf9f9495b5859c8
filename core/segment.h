/**
 * \file
 * The tracker's segment: creating, attaching to, validating, rebuilding and
 * repairing the shared-memory object laid out in core/segment_layout.h,
 * and the stripe locks and name hash that the table operations in
 * core/tracker*.c build on. Internal to the core library.
 */
#ifndef FG_SEGMENT_H
#define FG_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/tracker.h"
#include "segment_layout.h"

/** A process's mapping of the segment. Geometry is copied out of the header
 * once it has been validated, and never re-read from shared memory. */
struct fg_segment {
	/** name or path, as configured */
	char name[256];
	/** 1 for a POSIX shared-memory object, 0 for a file */
	int is_shm;
	/** 1 if mapped read-write */
	int writable;
	/** the object, kept open for the presence lock */
	int fd;
	/** the mapping */
	uint8_t* base;
	/** its size: hdr->total_size, checked against the object's */
	size_t size;
	/** the header, at base */
	struct fg_seg_header* hdr;
	/** the stripes, at base + stripes_off */
	struct fg_seg_stripe* stripes;
	/** the journal ring, at base + journal_off */
	struct fg_seg_journal_entry* journal;
	/** the buckets, at base + buckets_off */
	struct fg_seg_bucket* buckets;
	/** bucket and stripe counts, validated */
	uint32_t nbuckets, nstripes;
	/** the hash key, copied */
	uint8_t key[16];
};

/**
 * Open the segment named in \p opts for a resolver: create it if absent,
 * rebuild it (one log line) if damaged or of another format or capacity,
 * repair it if the last writer did not close cleanly.
 * \return 1, or 0 with a message in \p err.
 */
int fg_segment_open(struct fg_segment* seg, const struct fg_tracker_options* opts,
	char* err, size_t errlen);

/** The huge page size the table is aligned for (x86-64 and arm64 PMD). */
#define FG_SEG_HUGE_PAGE ((size_t)2 << 20)

/**
 * Map the segment with 2 MiB pages (MADV_COLLAPSE). Only a hint: on failure
 * the mapping keeps its 4 KiB pages and works as before.
 * \return 1 if every huge-page-sized range is now mapped huge, else 0 with
 *	the reason in \p why.
 */
int fg_segment_use_huge_pages(struct fg_segment* seg, char* why, size_t whylen);

/**
 * Attach for a tool: never create or rebuild.
 * \return 1, or 0 with a message in \p err (and *\p missing = 1 if absent).
 */
int fg_segment_attach(struct fg_segment* seg, const char* name, int writable,
	int* missing, char* err, size_t errlen);

/**
 * Whether segment \p name is a POSIX shared-memory object ("/name", no other
 * '/'); anything else names a file. The one rule the tracker and the tools
 * follow.
 */
int fg_segment_is_shm(const char* name);

/**
 * What is at segment \p name, without mapping or changing it: 0 nothing,
 * 1 a fluxguard segment (of any version, or empty), -1 something the module
 * would refuse to open or to overwrite (\p why says what).
 */
int fg_segment_probe(const char* name, char* why, size_t whylen);

/** Unmap and close; a read-write attacher that is the last one marks the
 * segment clean. */
void fg_segment_close(struct fg_segment* seg);

/** Keyed hash (SipHash-1-3) of a lower-case wire name of \p len octets. */
uint64_t fg_segment_hash(const uint8_t key[16], const uint8_t* name, size_t len);

/** Bucket of a name hash. */
static inline uint32_t
fg_segment_bucket_of(const struct fg_segment* seg, uint64_t h)
{
	return (uint32_t)(((h & 0xffffffffu) * (uint64_t)seg->nbuckets) >> 32);
}

/** Tag of a name hash, never 0. */
static inline uint32_t
fg_segment_tag_of(uint64_t h)
{
	uint32_t tag = (uint32_t)(h >> 32);
	return tag ? tag : 1;
}

/** Stripe guarding bucket \p b. */
static inline uint32_t
fg_segment_stripe_of(const struct fg_segment* seg, uint32_t b)
{
	return b % seg->nstripes;
}

/**
 * Lock a stripe. If its last owner died holding it, repair the stripe's
 * buckets first.
 * \return 1 when locked, 0 if the mutex is unusable (logged).
 */
int fg_segment_lock(struct fg_segment* seg, uint32_t stripe);

/** Unlock a stripe. */
void fg_segment_unlock(struct fg_segment* seg, uint32_t stripe);

/**
 * Check every slot of bucket \p b and empty the ones that are torn (odd seq),
 * malformed, or whose tag does not match their name. The caller holds the
 * bucket's stripe, or is alone on the segment.
 * \return the number of slots emptied.
 */
uint32_t fg_segment_repair_bucket(struct fg_segment* seg, uint32_t b);

/** Empty one slot under its seqlock (caller holds the stripe). */
void fg_segment_slot_clear(struct fg_seg_bucket* bk, uint32_t i);

#endif /* FG_SEGMENT_H */
