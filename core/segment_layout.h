/**
 * \file
 * The flux tracker's shared-memory layout. Every Unbound thread, every Unbound
 * process on the host and the operator's tools map the same segment (a POSIX
 * shared-memory object, or a regular file so the evidence survives a reboot),
 * so this header is a file format: fixed-width types, explicit padding,
 * offsets instead of pointers, and static asserts on every size and offset.
 * Change anything here and bump FG_SEG_VERSION; an opener rebuilds a segment
 * of another version, a tool refuses it.
 *
 * Segment
 * -------
 *	offset 0                 struct fg_seg_header (FG_SEG_HEADER_SIZE, 8 KiB)
 *	                          0..511    identity, geometry and state
 *	                          512..4607 struct fg_seg_counters: the counters
 *	                                    of fluxguard/counters.h
 *	                          4608..6655 struct fg_seg_config: the config
 *	                                    text the running module published
 *	                          6656..8191 reserved (zero)
 *	hdr.stripes_off          nstripes x struct fg_seg_stripe (64 octets each,
 *	                          one process-shared robust mutex per cache line)
 *	hdr.journal_off          FG_JOURNAL_ENTRIES x struct fg_seg_journal_entry
 *	                          (272 octets each): the verdict-change journal
 *	hdr.buckets_off          nbuckets x struct fg_seg_bucket (8000 octets each)
 *	hdr.total_size           end; the object's size must equal it exactly
 *
 * A bucket is one cache line of FG_SEG_BUCKET_SLOTS 32-bit tags followed by
 * that many 496-octet slots: 500 octets per tracked domain, index included
 * (header and locks add well under one octet per domain at any useful size).
 *
 * Hashing and probing
 * -------------------
 * A domain's key is SipHash-1-3, keyed with the segment's random hash_key
 * (getrandom() at creation), of its lower-cased wire name. The low 32 bits
 * choose the bucket, the high 32 bits are its tag (0 is remapped to 1; a tag
 * of 0 marks a free slot). A domain lives in its bucket or nowhere: probing is
 * bounded to the bucket's 16 slots, whose tags share one cache line, and since
 * the key is secret, names an attacker picks cannot be aimed at one bucket.
 * A new name takes its home slot (tag % 16) if that one is free, else any
 * free one: writers prefetch the tag line and the home slot together (its
 * first FG_SEG_SLOT_HOT octets for an address answer, all of it when the whole
 * record is wanted), so a name at home costs one round trip to memory
 * instead of two.
 *
 * Eviction
 * --------
 * A new domain whose bucket is full evicts, in this order: a record whose
 * last_seen is a window or more old (and has no sticky verdict), the oldest
 * first; else a clean record (never flagged), the lowest score first, then the
 * oldest; else a flagged record last seen a window or more ago, the oldest.
 * A flagged record seen within the window is never evicted, nor are allowed
 * and denied records (operator decisions): a flood of new names, however
 * large, cannot push them out. When all 16 slots are such, the new domain is
 * not stored (fg_tracker_record_* return 0; the module counts
 * answers.untracked). Evictions are counted in hdr.evictions.
 *
 * Window ageing
 * -------------
 * Each record has a window_start. When an update (or a read, on its private
 * copy) finds now - window_start >= window, a new window starts at now: the
 * counters of the old one (answers, changes, growth, hits, NS answers) go to
 * zero, the addresses and glue of the last answer are carried over as known
 * (hits 0) so that a stable domain does not look new in every window, and the
 * ASN and country lists and the sketches are rebuilt from what was carried.
 * The address-set hashes are kept, so the first answer of a window still
 * counts as a change if it differs from the last one. first_seen, the verdict,
 * the score, flagged_at and the cause entry are kept. A record whose
 * last_seen is a window or more old is stale: lookups and foreach skip it
 * unless its verdict is flagged, allowed or denied, or it carries a cause
 * (sticky); it stays in its slot until evicted or updated again.
 *
 * The cause
 * ---------
 * A name the module blocked because of another one (an alias whose CNAME
 * chain ends at a flagged or denied name) carries that name in one pool
 * entry (FG_SEG_ENT_CAUSE: tag, length, the lower-case wire name), written
 * by fg_tracker_set_cause, which creates the record if there is none; the
 * alias's own verdict stays what it is. It is what `fluxguard-control show`
 * explains an alias's block with. A cause does not make a record less
 * evictable; one that does not fit the pool is not stored.
 *
 * Exact and approximate counts
 * ----------------------------
 * A pool in the middle of the slot is shared by the owner name and
 * variable-size entries: an answer address (FG_SEG_ENT_A4/A6: tag, geo index,
 * 16-bit hit count, address; 8 or 20 octets), a glue address
 * (FG_SEG_ENT_G4/G6: tag, country, ASN, address; 11 or 23 octets) or the
 * cause (FG_SEG_ENT_CAUSE, at most one: tag, length, name). Up to
 * FG_TRACK_ADDRS answer and FG_TRACK_GLUE glue addresses are kept exactly while
 * they fit: with a name of up to 64 octets, 16 IPv4 answer addresses and 8 IPv4
 * glue addresses always fit; a longer name or IPv6 leaves room for fewer.
 * Addresses, /16 and /32 prefixes, ASNs, countries, NS names and glue beyond
 * what is kept are counted in per-record linear-counting bitmaps (128 or 64
 * bits), so the distinct counts stay exact while nothing overflowed and are
 * estimates (a few percent off, saturating near 600 and 260) after. Whether an
 * address that was not kept is new is known only to the sketch: addr_new_total
 * then grows by what the address estimate grows by, so it stays an estimate of
 * the addresses first seen in the window. An answer address's ASN and country
 * are stored as an index into the record's ASN and country lists; an address
 * whose ASN did not make it into the list reads back with ASN 0. Hit counts
 * saturate at 65535. Times are stored as 32-bit UNIX seconds (valid until
 * 2106).
 *
 * Locking, and the lock order
 * ---------------------------
 * 1. The init lock: an OFD byte-range lock on byte 0 of the object, held
 *    exclusively while a process creates, validates, rebuilds or re-initialises
 *    the segment, and shared by a tool while it validates. Nothing else waits
 *    on it.
 * 2. The presence lock: a shared OFD lock on byte 1 held by every read-write
 *    attacher for as long as it is attached. Whoever gets it exclusively is
 *    alone: it may re-initialise the stripe mutexes (a file-backed segment from
 *    before a reboot may hold mutexes locked by threads that no longer exist),
 *    repair torn slots after an unclean close, and set clean_close on close.
 * 3. A stripe mutex (process-shared, robust): bucket b is guarded by stripe
 *    b % nstripes. Writers hold exactly one stripe at a time, never two, and
 *    take no other lock while holding it. A writer that dies holding it is
 *    detected (EOWNERDEAD) by the next locker, which repairs every slot of the
 *    stripe's buckets (see below) and marks the mutex consistent.
 * 4. A slot's seq (seqlock): even when the slot is stable, odd while its
 *    writer, holding the stripe, changes it.
 *
 * What a writer does: insert = fill the slot between seq odd and seq even,
 * then publish the tag (release store); delete = clear the tag, then empty the
 * slot under the seqlock. Repair after a dead writer = every slot of the
 * stripe's buckets whose seq is odd, whose tag does not match its name, or
 * whose tag is missing, is emptied.
 *
 * What a reader may assume
 * ------------------------
 * Readers (lookups, foreach, the tools) take no lock. They load the tags with
 * relaxed loads, copy a candidate slot between two loads of its seq, and retry
 * (a bounded number of times; a slot that stays odd belongs to a dead writer
 * and reads as absent until the next writer repairs it). A copy whose seq did
 * not change and is even is one the writer finished. A reader may NOT assume
 * that a copy is well formed: a buggy or hostile writer can put anything in
 * the segment, so every length, count, index and entry is bounds-checked when
 * the copy is turned into a struct fg_record_view, and a malformed slot reads
 * as absent. Header fields a reader uses (geometry, offsets) are checked
 * against the object's size once, on attach; the geometry never changes while
 * the segment lives (a different capacity means a new object), only window,
 * the state words and the counters do.
 *
 * Rebuilds never happen in place: the damaged object is marked
 * FG_SEG_STATE_RETIRED (if its header is readable) and unlinked, and a new
 * one is created under the same name with generation + 1, so a process still
 * mapping the old one is never pulled out from under.
 */
#ifndef FLUXGUARD_TRACKER_LAYOUT_H
#define FLUXGUARD_TRACKER_LAYOUT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxguard/tracker.h"

/** "FLUXTRK1" read as a little-endian 64-bit word; a segment written on a
 * host of the other byte order reads as a wrong magic. */
#define FG_SEG_MAGIC 0x314b5254584c5546ULL
/** Format version; bump it on any change to this file. */
#define FG_SEG_VERSION 5u

/** Size of the header region. */
#define FG_SEG_HEADER_SIZE 8192u
/** Offset and size of the reserved counters block in the header. */
#define FG_SEG_COUNTERS_OFF 512u
#define FG_SEG_COUNTERS_SIZE 4096u
/** Offset and size of the reserved commands/list area in the header. */
#define FG_SEG_COMMANDS_OFF 4608u
#define FG_SEG_COMMANDS_SIZE 2048u

/** Slots per bucket: the probe bound. 16 tags of 32 bits fill one cache line. */
#define FG_SEG_BUCKET_SLOTS 16u
/** Size of one slot. */
#define FG_SEG_SLOT_SIZE 496u
/** Size of one bucket: tag line plus slots. */
#define FG_SEG_BUCKET_SIZE (64u + FG_SEG_BUCKET_SLOTS * FG_SEG_SLOT_SIZE)
/** Size of one lock stripe. */
#define FG_SEG_STRIPE_SIZE 64u
/** Most stripes: more buys nothing once collisions between threads are rare. */
#define FG_SEG_STRIPES_MAX 4096u
/** Capacity bounds (domains); capacity is rounded up to whole buckets. */
#define FG_SEG_CAPACITY_MIN FG_SEG_BUCKET_SLOTS
#define FG_SEG_CAPACITY_MAX (1u << 26)

/** hdr.state: the segment is initialised and in use. */
#define FG_SEG_STATE_READY 1u
/** hdr.state: the segment was replaced by a rebuild; its mappers should
 * re-attach to the name. */
#define FG_SEG_STATE_RETIRED 2u

/** The segment header. Written at creation; afterwards only window, state,
 * clean_close, attach_count, writer_pid, writer_start, evictions and
 * journal_head change (and the counters and config blocks). */
struct fg_seg_header {
	/** FG_SEG_MAGIC, stored last when the segment is created */
	uint64_t magic;
	/** FG_SEG_VERSION */
	uint32_t version;
	/** FG_SEG_HEADER_SIZE */
	uint32_t header_size;
	/** FG_SEG_SLOT_SIZE */
	uint32_t slot_size;
	/** FG_SEG_BUCKET_SIZE */
	uint32_t bucket_size;
	/** FG_SEG_BUCKET_SLOTS */
	uint32_t bucket_slots;
	/** sizeof(struct fg_seg_stripe); the mutex inside is this libc's */
	uint32_t stripe_size;
	/** capacity the creator asked for (before rounding up) */
	uint32_t capacity_requested;
	/** slots in the table: nbuckets * FG_SEG_BUCKET_SLOTS */
	uint32_t capacity;
	/** buckets in the table */
	uint32_t nbuckets;
	/** lock stripes */
	uint32_t nstripes;
	/** window in force, seconds (changes when an opener asks for another) */
	uint32_t window;
	/** FG_SEG_STATE_* */
	uint32_t state;
	/** offset of the stripe array */
	uint64_t stripes_off;
	/** offset of the bucket array */
	uint64_t buckets_off;
	/** size of the whole object */
	uint64_t total_size;
	/** creation time, UNIX seconds */
	uint64_t created;
	/** 1 for the first segment under a name, +1 on every rebuild */
	uint64_t generation;
	/** SipHash key of this segment, from getrandom() */
	uint8_t hash_key[16];
	/** 1 if the last read-write attacher closed cleanly, 0 while attached */
	uint32_t clean_close;
	/** read-write attachers (advisory: a killed process never decrements
	 * it; reset when an attacher finds itself alone) */
	uint32_t attach_count;
	/** pid of the last process that attached read-write */
	int64_t writer_pid;
	/** its start time, clock ticks since boot (/proc/PID/stat field 22),
	 * 0 if unknown: with writer_pid, tells a restarted writer apart */
	uint64_t writer_start;
	/** records evicted since creation */
	uint64_t evictions;
	/** offset of the journal ring (FG_JOURNAL_ENTRIES entries) */
	uint64_t journal_off;
	/** seq of the newest journal entry (entries are numbered from 1;
	 * entry seq lives at index (seq - 1) % FG_JOURNAL_ENTRIES) */
	uint64_t journal_head;
	/** reserved, zero: pads the identity block to 512 octets */
	uint8_t reserved0[FG_SEG_COUNTERS_OFF - 160];
	/** the counters block, struct fg_seg_counters */
	uint8_t counters[FG_SEG_COUNTERS_SIZE];
	/** the published config, struct fg_seg_config */
	uint8_t commands[FG_SEG_COMMANDS_SIZE];
	/** reserved, zero: pads the header to FG_SEG_HEADER_SIZE */
	uint8_t reserved1[FG_SEG_HEADER_SIZE - FG_SEG_COMMANDS_OFF -
		FG_SEG_COMMANDS_SIZE];
};

_Static_assert(offsetof(struct fg_seg_header, version) == 8, "layout");
_Static_assert(offsetof(struct fg_seg_header, window) == 48, "layout");
_Static_assert(offsetof(struct fg_seg_header, state) == 52, "layout");
_Static_assert(offsetof(struct fg_seg_header, stripes_off) == 56, "layout");
_Static_assert(offsetof(struct fg_seg_header, hash_key) == 96, "layout");
_Static_assert(offsetof(struct fg_seg_header, clean_close) == 112, "layout");
_Static_assert(offsetof(struct fg_seg_header, writer_pid) == 120, "layout");
_Static_assert(offsetof(struct fg_seg_header, evictions) == 136, "layout");
_Static_assert(offsetof(struct fg_seg_header, journal_off) == 144, "layout");
_Static_assert(offsetof(struct fg_seg_header, journal_head) == 152, "layout");
_Static_assert(offsetof(struct fg_seg_header, counters) == FG_SEG_COUNTERS_OFF,
	"counters block offset");
_Static_assert(offsetof(struct fg_seg_header, commands) == FG_SEG_COMMANDS_OFF,
	"commands area offset");
_Static_assert(sizeof(struct fg_seg_header) == FG_SEG_HEADER_SIZE, "header size");

/** One lock stripe: a process-shared robust mutex alone on its cache line. */
struct fg_seg_stripe {
	/** the mutex */
	pthread_mutex_t mutex;
	/** pads the stripe to a cache line so stripes do not share one */
	uint8_t pad[FG_SEG_STRIPE_SIZE - sizeof(pthread_mutex_t)];
};
_Static_assert(sizeof(pthread_mutex_t) <= FG_SEG_STRIPE_SIZE, "mutex fits a stripe");
_Static_assert(sizeof(struct fg_seg_stripe) == FG_SEG_STRIPE_SIZE, "stripe size");

/** Counter slots in the counters block; enum fg_counter indexes them. */
#define FG_SEG_COUNTERS_SLOTS 500u

/**
 * The counters block, at FG_SEG_COUNTERS_OFF. Every value is changed only with
 * atomic read-modify-write operations (add; exchange for a reset), by any
 * thread of any process, so no increment is lost and no lock is needed.
 * Readers load them atomically. A counter id at or beyond FG_SEG_COUNTERS_SLOTS
 * is ignored by writers and reads 0.
 */
struct fg_seg_counters {
	/** the values, indexed by enum fg_counter */
	uint64_t value[FG_SEG_COUNTERS_SLOTS];
	/** reserved, zero: pads the block to FG_SEG_COUNTERS_SIZE */
	uint8_t reserved[FG_SEG_COUNTERS_SIZE - FG_SEG_COUNTERS_SLOTS * 8];
};
_Static_assert(sizeof(struct fg_seg_counters) == FG_SEG_COUNTERS_SIZE,
	"counters block size");

/** Room for the config text. */
#define FG_SEG_CONFIG_TEXT (FG_SEG_COMMANDS_SIZE - 32u)

/**
 * The config in force, at FG_SEG_COMMANDS_OFF: comment lines naming the
 * config file, the health and the geo databases in use (with their build
 * times), then the text fg_conf_print wrote, published by the module at
 * init. seq is a seqlock: odd while a publisher writes (publishers take it
 * with a compare-and-swap from even to odd and give up if another holds it),
 * even when stable. A reader copies between two even, equal loads of seq and
 * bounds-checks len.
 */
struct fg_seg_config {
	/** seqlock word; 0 = never published */
	uint64_t seq;
	/** pid of the publishing Unbound */
	int64_t pid;
	/** when it started, UNIX seconds */
	uint64_t started;
	/** octets of text used, at most FG_SEG_CONFIG_TEXT - 1 */
	uint32_t len;
	/** reserved, zero: aligns text to 32 octets */
	uint32_t pad;
	/** the text, NUL-terminated */
	char text[FG_SEG_CONFIG_TEXT];
};
_Static_assert(sizeof(struct fg_seg_config) == FG_SEG_COMMANDS_SIZE,
	"config block size");

/** Flag in a journal entry's seq while its writer fills it. */
#define FG_SEG_JOURNAL_WRITING (1ull << 63)

/**
 * One journal entry (fluxguard/tracker.h explains the journal). A writer
 * reserves seq with an atomic add on hdr.journal_head, stores seq |
 * FG_SEG_JOURNAL_WRITING, fills the entry, then stores seq (release). A reader
 * of seq s copies the entry between two acquire loads of its seq and accepts
 * the copy only if both equal s; a larger seq means the ring moved on.
 */
struct fg_seg_journal_entry {
	/** seq of the entry (see above); 0 = never written */
	uint64_t seq;
	/** enum fg_journal_op */
	uint8_t op;
	/** length of name, at most FG_NAME_MAX_WIRE */
	uint8_t name_len;
	/** the name, wire format, lower case */
	uint8_t name[FG_NAME_MAX_WIRE];
	/** reserved, zero: pads the entry to 272 octets (8-aligned seq) */
	uint8_t pad[5];
};
_Static_assert(sizeof(struct fg_seg_journal_entry) == 272, "journal entry size");
_Static_assert(offsetof(struct fg_seg_journal_entry, name) == 10, "layout");

/** Size of the journal ring. */
#define FG_SEG_JOURNAL_SIZE (FG_JOURNAL_ENTRIES * \
	(uint64_t)sizeof(struct fg_seg_journal_entry))

/** slot.state */
#define FG_SEG_SLOT_EMPTY 0
#define FG_SEG_SLOT_USED 1

/** slot.bits: more distinct answer addresses than the pool kept */
#define FG_SEG_OVF_ADDR 0x01
/** slot.bits: more distinct ASNs than FG_TRACK_ASNS */
#define FG_SEG_OVF_ASN 0x02
/** slot.bits: more distinct countries than FG_TRACK_COUNTRIES */
#define FG_SEG_OVF_COUNTRY 0x04
/** slot.bits: more distinct NS names than FG_SEG_NS_HASHES */
#define FG_SEG_OVF_NS 0x08
/** slot.bits: more distinct glue addresses than the pool kept */
#define FG_SEG_OVF_GLUE 0x10
/** slot.bits: addr_set_hash holds the set of a previous answer */
#define FG_SEG_HAVE_ADDR_SET 0x20
/** slot.bits: ns_set_hash holds the set of a previous NS answer */
#define FG_SEG_HAVE_NS_SET 0x40
/** slot.bits: the pool holds a cause entry (the record is sticky) */
#define FG_SEG_HAVE_CAUSE 0x80

/** Distinct NS target names kept (as 16-bit hashes) per zone. */
#define FG_SEG_NS_HASHES 8
/** Size of the pool (the owner name and the entries). */
#define FG_SEG_POOL_SIZE 280

/** Pool entry tags (low 3 bits of an entry's first octet). */
#define FG_SEG_ENT_A4 1
#define FG_SEG_ENT_A6 2
#define FG_SEG_ENT_G4 3
#define FG_SEG_ENT_G6 4
#define FG_SEG_ENT_CAUSE 5
#define FG_SEG_ENT_KIND 0x07
/** Entry tag bit: the address was in the last answer (A) or NS answer (glue). */
#define FG_SEG_ENT_LAST 0x80
/** Entry sizes: A = tag, geo (ASN index << 4 | country index, 0xf = none),
 * hits (16 bits, little-endian), address; glue = tag, country[2], ASN (32
 * bits, native order), address. Entries are packed; read them with memcpy. */
#define FG_SEG_ENT_A4_SIZE 8
#define FG_SEG_ENT_A6_SIZE 20
#define FG_SEG_ENT_G4_SIZE 11
#define FG_SEG_ENT_G6_SIZE 23
/** The cause entry: tag, the name's length (1..255), the name; its size is
 * FG_SEG_ENT_CAUSE_HEAD plus that length. */
#define FG_SEG_ENT_CAUSE_HEAD 2
/** Geo index meaning "not in the record's list". */
#define FG_SEG_GEO_NONE 0x0f

/**
 * One tracked domain. All times are 32-bit UNIX seconds.
 *
 * Field order follows use: the first 64 octets hold everything an answer that
 * repeats the last one reads or writes (seq, times, counts, TTLs, the last
 * set's hash, the pending hits); the pool, which starts with the owner name
 * that every probe compares, comes right after; the fields only a changed
 * answer, an NS answer or a reader touches (exact lists, sketches) come last.
 * An update of a repeated answer, the common case, so touches the slot's
 * first two or three cache lines instead of all eight.
 */
struct fg_seg_slot {
	/* --- octets 0..63: the hot header --- */
	/** seqlock: odd while a writer changes the slot */
	uint32_t seq;
	/** FG_SEG_SLOT_EMPTY or FG_SEG_SLOT_USED */
	uint8_t state;
	/** length of the owner name at the start of pool, 1..255 */
	uint8_t name_len;
	/** enum fg_verdict */
	uint8_t verdict;
	/** FG_REC_* */
	uint8_t flags;
	/** first answer ever recorded */
	uint32_t first_seen;
	/** last answer recorded */
	uint32_t last_seen;
	/** start of the current window */
	uint32_t window_start;
	/** first flagged, 0 if not flagged */
	uint32_t flagged_at;
	/** score at the last evaluation */
	float score;
	/** address answers in the window */
	uint32_t answers;
	/** minimum, last and running mean TTL of the address answers */
	uint32_t ttl_min, ttl_last, ttl_mean;
	/** order-independent hash of the last answer's address set */
	uint32_t addr_set_hash;
	/** most addresses in one answer in the window (saturating) */
	uint16_t apa_max;
	/** addresses in the last answer (saturating) */
	uint16_t apa_last;
	/** octets of pool in use: the name plus the entries, <= FG_SEG_POOL_SIZE */
	uint16_t pool_used;
	/** answers that repeated the last one and are not yet added to the
	 * hit counts of its (FG_SEG_ENT_LAST) entries: a repeat costs one
	 * increment here; readers add it to those entries' hits, writers fold
	 * it in before they change the marks */
	uint16_t hits_pending;
	/** answer-address entries in the pool, <= FG_TRACK_ADDRS */
	uint8_t n_addrs;
	/** glue entries in the pool, <= FG_TRACK_GLUE */
	uint8_t n_glue;
	/** entries used in asns, <= FG_TRACK_ASNS */
	uint8_t n_asns;
	/** entries used in countries, <= FG_TRACK_COUNTRIES */
	uint8_t n_countries;
	/** entries used in ns_hashes, <= FG_SEG_NS_HASHES */
	uint8_t n_ns;
	/** FG_SEG_OVF_* and FG_SEG_HAVE_* */
	uint8_t bits;
	/** answer entries of the pool marked FG_SEG_ENT_LAST: with
	 * addr_set_hash, lets a writer see an answer repeat the last one
	 * without walking the pool */
	uint8_t n_last;
	/** bit i set: ns_hashes[i] was in the last NS answer */
	uint8_t ns_last_mask;
	/* --- octets 64..343: the name and the entries --- */
	/** owner name (name_len octets), then the address and glue entries */
	uint8_t pool[FG_SEG_POOL_SIZE];
	/* --- octets 344..495: what only changes, NS answers and readers use --- */
	/** sum of new addresses per answer in the window */
	uint32_t addr_new_total;
	/** answers whose address set differed from the one before */
	uint32_t addr_changes;
	/** NS answers in the window */
	uint32_t ns_answers;
	/** NS answers whose set differed from the one before */
	uint32_t ns_changes;
	/** minimum TTL of the NS answers in the window */
	uint32_t ns_ttl_min;
	/** order-independent hash of the last NS answer's name set */
	uint32_t ns_set_hash;
	/** distinct ASNs, exactly, in order of first appearance */
	uint32_t asns[FG_TRACK_ASNS];
	/** distinct countries, exactly, in order of first appearance */
	char countries[FG_TRACK_COUNTRIES][2];
	/** 16-bit hashes of the distinct NS names */
	uint16_t ns_hashes[FG_SEG_NS_HASHES];
	/** linear-counting bitmap of the answer addresses */
	uint64_t sk_addr[2];
	/** of their IPv4 /16 and IPv6 /32 prefixes */
	uint64_t sk_prefix[2];
	/** of the ASNs */
	uint64_t sk_asn;
	/** of the countries */
	uint64_t sk_country;
	/** of the NS names */
	uint64_t sk_ns;
	/** of the glue addresses */
	uint64_t sk_glue;
};

/** Octets of a slot a repeated answer touches: the hot header and the pool's
 * first line, where the name of most domains ends. */
#define FG_SEG_SLOT_HOT 128u

_Static_assert(offsetof(struct fg_seg_slot, first_seen) == 8, "slot layout");
_Static_assert(offsetof(struct fg_seg_slot, addr_set_hash) == 44, "slot layout");
_Static_assert(offsetof(struct fg_seg_slot, pool_used) == 52, "slot layout");
_Static_assert(offsetof(struct fg_seg_slot, hits_pending) == 54, "slot layout");
_Static_assert(offsetof(struct fg_seg_slot, ns_last_mask) == 63, "slot layout");
_Static_assert(offsetof(struct fg_seg_slot, pool) == 64,
	"the name follows the hot header");
_Static_assert(offsetof(struct fg_seg_slot, addr_new_total) == 344, "slot layout");
_Static_assert(offsetof(struct fg_seg_slot, asns) == 368, "slot layout");
_Static_assert(offsetof(struct fg_seg_slot, countries) == 400, "slot layout");
_Static_assert(offsetof(struct fg_seg_slot, ns_hashes) == 416, "slot layout");
_Static_assert(offsetof(struct fg_seg_slot, sk_addr) == 432, "slot layout");
_Static_assert(sizeof(struct fg_seg_slot) == FG_SEG_SLOT_SIZE, "slot size");
_Static_assert(FG_SEG_POOL_SIZE >= FG_NAME_MAX_WIRE + FG_SEG_ENT_A6_SIZE,
	"a full-length name and one IPv6 address fit the pool");
_Static_assert(64 + FG_TRACK_ADDRS * FG_SEG_ENT_A4_SIZE +
	FG_TRACK_GLUE * FG_SEG_ENT_G4_SIZE <= FG_SEG_POOL_SIZE,
	"a 64-octet name, 16 IPv4 addresses and 8 IPv4 glue fit the pool");
_Static_assert(FG_TRACK_ASNS < FG_SEG_GEO_NONE && FG_TRACK_COUNTRIES < FG_SEG_GEO_NONE,
	"geo indexes fit 4 bits");
_Static_assert(FG_SEG_NS_HASHES <= 8, "ns_last_mask has 8 bits");

/** One bucket: the tags of its slots on one cache line, then the slots. */
struct fg_seg_bucket {
	/** tag of each slot, 0 if the slot is free */
	uint32_t tags[FG_SEG_BUCKET_SLOTS];
	/** the slots */
	struct fg_seg_slot slots[FG_SEG_BUCKET_SLOTS];
};
_Static_assert(sizeof(struct fg_seg_bucket) == FG_SEG_BUCKET_SIZE, "bucket size");
_Static_assert(FG_SEG_BUCKET_SIZE % 64 == 0, "buckets stay cache-line aligned");
_Static_assert(FG_SEG_BUCKET_SIZE / FG_SEG_BUCKET_SLOTS <= 512,
	"at most 512 octets per tracked domain, index included");

#endif /* FLUXGUARD_TRACKER_LAYOUT_H */
