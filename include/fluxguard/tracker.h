/**
 * \file
 * The flux tracker: per-domain evidence from upstream answers, kept in a shared
 * memory segment that every Unbound thread, every Unbound process on the host
 * and the operator's tools map at once.
 *
 * This header is the tracker's public interface. The shared-memory layout
 * itself (header, slots, padding, static asserts, lock order, what a reader may
 * assume) is documented in core/segment_layout.h.
 *
 * Writers are Unbound's worker threads (through the module) and the tools
 * (allow/deny/unflag/flush). Readers (the control tool, the scorer) never take
 * a lock that a writer holds for long, and never block Unbound.
 *
 * Time is UNIX seconds, passed in by the caller, so that the replay tool can
 * drive the very same code with a trace's timestamps.
 */
#ifndef FLUXGUARD_TRACKER_H
#define FLUXGUARD_TRACKER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fluxguard/addr.h"
#include "fluxguard/name.h"

/** Distinct addresses kept exactly per domain; beyond this they are counted. */
#define FG_TRACK_ADDRS 16
/** Distinct ASNs kept exactly per domain. */
#define FG_TRACK_ASNS 8
/** Distinct countries kept exactly per domain. */
#define FG_TRACK_COUNTRIES 8
/** Distinct name-server glue addresses kept per zone. */
#define FG_TRACK_GLUE 8

/** What the tracker holds about one domain, copied out consistently. */
struct fg_record_view {
	/** owner name, wire format, lower case */
	uint8_t name[FG_NAME_MAX_WIRE];
	/** length of name */
	uint8_t name_len;

	/** first and last answer seen, UNIX seconds */
	uint64_t first_seen, last_seen;
	/** start of the current window: evidence older than it has aged out */
	uint64_t window_start;

	/* --- address RRsets (A and AAAA) owned by this name, within the window --- */
	/** address answers recorded */
	uint32_t answers;
	/** distinct addresses (exact up to FG_TRACK_ADDRS, estimated beyond) */
	uint32_t addr_distinct;
	/** sum over answers of addresses not seen before in the window (growth) */
	uint32_t addr_new_total;
	/** answers whose address set differed from the answer before */
	uint32_t addr_changes;
	/** most addresses in one answer, and in the last one */
	uint32_t addrs_per_answer_max, addrs_last_answer;
	/** addresses kept exactly, with the number of answers each appeared in */
	uint32_t n_addrs;
	struct fg_addr addrs[FG_TRACK_ADDRS];
	uint32_t addr_hits[FG_TRACK_ADDRS];
	/** distinct IPv4 /16 and IPv6 /32 prefixes (exact over the kept
	 * addresses, estimated beyond) */
	uint32_t prefix_distinct;
	/** distinct ASNs and countries, kept exactly up to the bounds, counted beyond */
	uint32_t n_asns, asn_distinct;
	uint32_t asns[FG_TRACK_ASNS];
	uint32_t n_countries, country_distinct;
	char countries[FG_TRACK_COUNTRIES][2];
	/** TTLs of address answers: minimum, last, running mean */
	uint32_t ttl_min, ttl_last, ttl_mean;

	/* --- NS RRsets owned by this name (it is a zone cut), within the window --- */
	/** NS answers recorded */
	uint32_t ns_answers;
	/** answers whose NS set differed from the answer before */
	uint32_t ns_changes;
	/** distinct NS target names seen (counted by hash) */
	uint32_t ns_distinct;
	/** minimum TTL of the NS RRsets */
	uint32_t ns_ttl_min;
	/** glue addresses of the name servers */
	uint32_t n_glue, glue_distinct, glue_prefix_distinct, glue_asn_distinct;
	struct fg_addr glue[FG_TRACK_GLUE];

	/* --- verdict, written by the scorer and the policy --- */
	/** score at the last evaluation */
	float score;
	/** enum fg_verdict */
	uint8_t verdict;
	/** FG_REC_* flags */
	uint8_t flags;
	/** when the domain was first flagged (0 = never), UNIX seconds */
	uint64_t flagged_at;

	/* --- why the module blocked it, when another name decided --- */
	/** the name whose verdict blocked this one (the flagged or denied end
	 * of its CNAME chain), wire format, lower case, as the module last
	 * noted it (fg_tracker_set_cause) */
	uint8_t cause[FG_NAME_MAX_WIRE];
	/** length of cause, 0 if none */
	uint8_t cause_len;
};

/** Verdict of a domain. */
enum fg_verdict {
	/** not enough evidence, or evidence of nothing */
	FG_VERDICT_CLEAN = 0,
	/** score crossed the threshold */
	FG_VERDICT_FLAGGED = 1,
	/** on the allow list: never blocked */
	FG_VERDICT_ALLOWED = 2,
	/** on the deny list: always blocked */
	FG_VERDICT_DENIED = 3
};

/** Record flags. */
/** set by an operator (fluxguard-control unflag, which also starts the
 * record's window afresh): the score does not flag the name again within
 * that window; the next window clears it */
#define FG_REC_UNFLAGGED_BY_OPERATOR 0x01

/** How to open the tracker. */
struct fg_tracker_options {
	/** "/name" for a POSIX shared-memory object, or a file path (contains a
	 * '/' after the first character) for a file-backed segment */
	const char* segment;
	/** maximum number of domains */
	uint32_t capacity;
	/** sliding window, seconds */
	uint32_t window;
	/** permission bits for a new segment: 0600 or 0640 */
	mode_t mode;
	/** group for a new segment (with mode 0640), or (gid_t)-1 to leave it */
	gid_t group;
	/** map the table with 2 MiB pages if the kernel can (a warning says
	 * why when it cannot; fg_tracker_huge_pages tells which it got) */
	int huge_pages;
	/** 16 octets to key a new segment's hashes with, or NULL for a secret
	 * random key (getrandom). A shared segment keeps a secret one, so that
	 * names an attacker picks cannot be aimed at one bucket or one sketch
	 * bit; a fixed one is for a private segment whose results must come
	 * out the same every run (fluxguard-replay). */
	const uint8_t* hash_key;
};

/**
 * Fill \p opts for a private tracker on \p segment: \p capacity domains,
 * \p window seconds, mode 0600, no group, 4 KiB pages. The one place the
 * tools, tests and benchmarks set a tracker up without a configuration
 * (fg_tracker_options_from_config in fluxguard/engine.h reads one).
 */
void fg_tracker_options_init(struct fg_tracker_options* opts,
	const char* segment, uint32_t capacity, uint32_t window);

/** A process's handle on the segment. */
struct fg_tracker;

/**
 * Attach to the segment, creating it if absent. A segment with a wrong magic,
 * version, layout sizes, capacity or a failed consistency check is reported in
 * one log line (fluxguard/log.h) and rebuilt empty.
 * \return the handle, or NULL with a message in \p err.
 */
struct fg_tracker* fg_tracker_open(const struct fg_tracker_options* opts,
	char* err, size_t errlen);

/**
 * What is at segment \p segment, for a configuration check, without
 * mapping or changing it: 0 nothing (it would be created), 1 a fluxguard
 * segment (of any version; it would be used or rebuilt), -1 something the
 * module would refuse, with the reason in \p why.
 */
int fg_tracker_probe(const char* segment, char* why, size_t whylen);

/**
 * Attach for the tools: never creates or rebuilds; refuses a damaged segment or
 * one of another format version, with a message in \p err.
 * \param writable 0 maps read-only (stats, list, show); 1 read-write (allow, deny,
 *	unflag, flush).
 * \return the handle, or NULL. *\p missing is set to 1 if no segment exists.
 */
struct fg_tracker* fg_tracker_attach(const char* segment, int writable,
	int* missing, char* err, size_t errlen);

/** Whether this process maps the table with 2 MiB pages (huge_pages in
 * struct fg_tracker_options, and the kernel could). */
int fg_tracker_huge_pages(const struct fg_tracker* t);

/** Detach; \p clean marks a clean close when this was the last writer. */
void fg_tracker_close(struct fg_tracker* t);

/**
 * Record one address RRset (A or AAAA) of one upstream answer.
 * \param owner wire-format owner name (any case)
 * \param addrs the RRset's addresses, geo fields filled by the caller
 * \param ttl the RRset's TTL
 * \return 1 on success, 0 if the record could not be stored (table full of
 *	records more valuable than any it could evict).
 */
int fg_tracker_record_addrs(struct fg_tracker* t, const uint8_t* owner,
	uint64_t now, const struct fg_addr* addrs, size_t n, uint32_t ttl);

/**
 * fg_tracker_record_addrs, and the record as it stands afterwards copied into
 * \p out (what fg_tracker_lookup would return) in the same visit: the
 * detector's path, one hash and one lock instead of two.
 * \return 1 if recorded and \p out filled, 0 if not stored.
 */
int fg_tracker_record_addrs_view(struct fg_tracker* t, const uint8_t* owner,
	uint64_t now, const struct fg_addr* addrs, size_t n, uint32_t ttl,
	struct fg_record_view* out);

/**
 * What a record's first cache line says: enough to bound its score
 * (fg_score_bound) without reading, or copying, the rest of it.
 */
struct fg_record_brief {
	/** address answers in the window */
	uint32_t answers;
	/** enum fg_verdict */
	uint8_t verdict;
	/** FG_REC_* */
	uint8_t flags;
	/** answer addresses kept (at most FG_TRACK_ADDRS) */
	uint8_t n_addrs;
	/** known ASNs noted (at most FG_TRACK_ASNS; an address without one
	 * counts in no list) */
	uint8_t n_asns;
	/** known countries noted (at most FG_TRACK_COUNTRIES) */
	uint8_t n_countries;
	/** 1 if addresses, ASNs or countries went beyond what is kept: the
	 * sketches count the rest, and the counts above bound nothing */
	uint8_t overflowed;
	/** score at the last full evaluation */
	float score;
};

/** Whether a caller of fg_tracker_record_addrs_brief wants the whole
 * record after all, given its brief (called with the stripe held: it must
 * only compute). */
typedef int (*fg_tracker_want_view)(const struct fg_record_brief* brief,
	void* arg);

/**
 * fg_tracker_record_addrs, then, in the same visit, the record's brief into
 * \p brief and, if \p want (called with \p want_arg) asks for it, the whole
 * record into \p view. A repeated answer whose brief settles it writes to
 * the slot's first lines only, and nothing is copied out of the rest.
 * \return 0 if not stored, 1 if recorded and \p brief filled, 2 if \p view
 *	was filled too.
 */
int fg_tracker_record_addrs_brief(struct fg_tracker* t, const uint8_t* owner,
	uint64_t now, const struct fg_addr* addrs, size_t n, uint32_t ttl,
	fg_tracker_want_view want, void* want_arg, struct fg_record_brief* brief,
	struct fg_record_view* view);

/**
 * Record one NS RRset of a zone and the glue addresses that came with it.
 * \param ns_names wire-format NS target names
 */
int fg_tracker_record_ns(struct fg_tracker* t, const uint8_t* zone,
	uint64_t now, const uint8_t* const* ns_names, size_t n_ns,
	const struct fg_addr* glue, size_t n_glue, uint32_t ttl);

/**
 * Ask for the memory holding \p name's record (its bucket's tags, its home
 * slot and its lock stripe) without waiting for it: a hint that a record or
 * lookup of \p name follows, so that the wait overlaps other work.
 * Harmless for any name, tracked or not.
 */
void fg_tracker_prefetch(struct fg_tracker* t, const uint8_t* name);

/**
 * Copy a domain's record out, consistent (never torn by a concurrent writer).
 * A record whose last_seen is \p now - window or older is stale and reads as
 * not tracked, unless its verdict is flagged, allowed or denied, or it
 * carries a cause (sticky).
 * The copy has the window ageing of core/segment_layout.h applied at
 * \p now. fg_tracker_foreach visits the same records.
 * \return 1 if found (and within the window), 0 if not tracked.
 */
int fg_tracker_lookup(struct fg_tracker* t, const uint8_t* name, uint64_t now,
	struct fg_record_view* out);

/**
 * The verdict and score of a tracked domain, without copying its record: the
 * resolver's per-query check. Same visibility rule as fg_tracker_lookup.
 * \return 1 if found, 0 if not tracked (or stale).
 */
int fg_tracker_peek(struct fg_tracker* t, const uint8_t* name, uint64_t now,
	enum fg_verdict* verdict, float* score);

/**
 * Store a verdict and score for a tracked domain (flagged_at is set on the first
 * transition to FG_VERDICT_FLAGGED and cleared when it leaves it).
 * \return 1 if the domain is tracked and was updated, 0 if not.
 */
int fg_tracker_set_verdict(struct fg_tracker* t, const uint8_t* name,
	uint64_t now, float score, enum fg_verdict verdict);

/**
 * Set and clear FG_REC_* flags of a tracked domain (fluxguard-control unflag
 * sets FG_REC_UNFLAGGED_BY_OPERATOR; the record's next window clears it).
 * \return 1 if the domain is tracked and was updated, 0 if not.
 */
int fg_tracker_set_flags(struct fg_tracker* t, const uint8_t* name,
	uint8_t set, uint8_t clear);

/**
 * Note that the module blocked \p name because of \p cause (the flagged or
 * denied end of its CNAME chain), creating \p name's record if it is not
 * tracked. The record keeps the cause, replacing an older one, and stays
 * visible while it does (core/segment_layout.h, "The cause"); its own
 * evidence and verdict are left alone.
 * \return 1 if noted, 0 if not (no room in the record or its bucket).
 */
int fg_tracker_set_cause(struct fg_tracker* t, const uint8_t* name,
	uint64_t now, const uint8_t* cause);

/** Forget one domain. \return 1 if it was tracked. */
int fg_tracker_forget(struct fg_tracker* t, const uint8_t* name);

/**
 * Forget every domain, or (\p keep_operator) every domain but those with an
 * operator's verdict (allowed or denied through fluxguard-control).
 * \param busy if not NULL, set to the number of buckets left alone because
 *	their lock stayed held (by a stuck writer; a dead one's is recovered)
 *	past the short wait every locker allows: their domains are still
 *	there.
 * \return the number of domains forgotten.
 */
uint32_t fg_tracker_flush(struct fg_tracker* t, int keep_operator,
	uint32_t* busy);

/** Visit every tracked domain (consistent copies); stop early if cb returns 0. */
void fg_tracker_foreach(struct fg_tracker* t, uint64_t now,
	int (*cb)(const struct fg_record_view* rec, void* arg), void* arg);

/** Summary numbers of the segment, for stats and status. */
struct fg_tracker_info {
	/** segment name or path */
	char segment[256];
	/** format version */
	uint32_t version;
	/** domains the table holds at most, and holds now */
	uint32_t capacity, used;
	/** window in force, seconds */
	uint32_t window;
	/** segment size, bytes */
	uint64_t bytes;
	/** the part of bytes that grows with the capacity (the buckets and
	 * their lock stripes): bytes less the fixed header and journal */
	uint64_t table_bytes;
	/** creation time, UNIX seconds */
	uint64_t created;
	/** bumped on every (re)build of the segment */
	uint64_t generation;
	/** pid of the last process that attached for writing */
	int64_t writer_pid;
	/** whether the last writer closed cleanly */
	int clean_close;
	/** records evicted since creation */
	uint64_t evictions;
};

/** Fill \p info. */
void fg_tracker_get_info(struct fg_tracker* t, struct fg_tracker_info* info);

/** The segment format version this build reads and writes (a segment of
 * another version is refused by readers and rebuilt by the module), for the
 * tools' --version. */
uint32_t fg_tracker_format_version(void);

/**
 * Where segment \p segment lives in the file system, into \p buf: a
 * file-backed segment is its own path; a POSIX shared-memory object "/name"
 * (no other '/') is /dev/shm/name on Linux. For the tools that stat or test
 * the segment's file.
 */
void fg_tracker_segment_path(const char* segment, char* buf, size_t len);


/* --- operator decisions and the journal ------------------------------------
 * Writers that change a verdict out of band (fluxguard-control's allow, deny,
 * unflag, flush; a module that flags a domain) append an entry to the
 * segment's journal, a ring of FG_JOURNAL_ENTRIES. Every Unbound process
 * follows the journal from a worker timer and adjusts its local zones, so a
 * change made anywhere holds everywhere within a second. A reader that fell
 * more than the ring behind resynchronises (fg_tracker_journal_read returns
 * -1) from the table itself.
 */

/** Entries in the journal ring. */
#define FG_JOURNAL_ENTRIES 256

/** What a journal entry says happened to its name. */
enum fg_journal_op {
	/** the name's score crossed the threshold */
	FG_JOURNAL_FLAG = 1,
	/** an operator allowed the name (and everything below it) */
	FG_JOURNAL_ALLOW = 2,
	/** an operator denied the name (and everything below it) */
	FG_JOURNAL_DENY = 3,
	/** an operator unflagged the name */
	FG_JOURNAL_UNFLAG = 4,
	/** an operator forgot the name (flush DOMAIN) */
	FG_JOURNAL_FORGET = 5,
	/** an operator forgot every name (flush) */
	FG_JOURNAL_FLUSH = 6,
	/** an operator changed the decisions file: re-read the lists */
	FG_JOURNAL_DECISIONS = 7
};

/** One journal entry, copied out. */
struct fg_journal_entry {
	/** position in the journal, from 1 */
	uint64_t seq;
	/** enum fg_journal_op */
	int op;
	/** wire-format name ("\0" for FG_JOURNAL_FLUSH and _DECISIONS) */
	uint8_t name[FG_NAME_MAX_WIRE];
	/** its length */
	size_t name_len;
};

/**
 * Set an operator's verdict on \p name, creating the record if it is not
 * tracked: FG_VERDICT_ALLOWED, FG_VERDICT_DENIED, or FG_VERDICT_CLEAN to
 * unflag (which also starts the record's window afresh and sets
 * FG_REC_UNFLAGGED_BY_OPERATOR for it). Appends the matching
 * journal entry.
 * \return 1 on success, 0 if the record could not be stored (its bucket is
 *	full of operator decisions).
 */
int fg_tracker_set_operator_verdict(struct fg_tracker* t, const uint8_t* name,
	uint64_t now, enum fg_verdict verdict);

/**
 * Append a journal entry. \p name may be NULL for FG_JOURNAL_FLUSH and
 * FG_JOURNAL_DECISIONS.
 * \return the entry's seq, 0 on a bad name.
 */
uint64_t fg_tracker_journal_append(struct fg_tracker* t, enum fg_journal_op op,
	const uint8_t* name);

/** Seq of the newest journal entry, 0 if none. */
uint64_t fg_tracker_journal_head(struct fg_tracker* t);

/**
 * Copy journal entry \p seq out.
 * \return 1 if copied, 0 if it is not written yet (retry later), -1 if the
 *	ring has moved past it (the reader fell behind and must resynchronise).
 */
int fg_tracker_journal_read(struct fg_tracker* t, uint64_t seq,
	struct fg_journal_entry* out);

/* --- counters ----------------------------------------------------------------
 * The segment holds the counters of fluxguard/counters.h: 64-bit, updated
 * atomically by every thread of every process, so no increment is lost.
 */

/** Add \p n to counter \p c (an enum fg_counter). */
void fg_tracker_count(struct fg_tracker* t, unsigned c, uint64_t n);

/**
 * Read all counters into \p out (\p n of them; unknown ones read 0).
 * With \p reset, the resettable ones (\p resettable[c] nonzero) are zeroed
 * atomically as they are read, as `unbound-control stats` does.
 */
void fg_tracker_counters_read(struct fg_tracker* t, uint64_t* out, unsigned n,
	int reset, const unsigned char* resettable);

/* --- the configuration in force ----------------------------------------------
 * A module publishes the config it runs with (fg_conf_print's text) and its
 * pid, so that `fluxguard-control status` can show it.
 */

/** Publish \p text (truncated to what fits) as the config in force. */
void fg_tracker_publish_config(struct fg_tracker* t, int64_t pid,
	uint64_t started, const char* text);

/**
 * Copy the published config out (NUL-terminated, bounds-checked).
 * \return 1 if a module has published one, 0 if not.
 */
int fg_tracker_read_config(struct fg_tracker* t, int64_t* pid,
	uint64_t* started, char* buf, size_t buflen);

#endif /* FLUXGUARD_TRACKER_H */
