/**
 * \file
 * fluxguard-publish: keeps a Response Policy Zone in step with the verdicts
 * in the tracker segment, so that every resolver of a fleet (Unbound with or
 * without fluxguard, BIND, PowerDNS, Knot Resolver) blocks what one
 * fluxguard has flagged or an operator has denied. A separate process, never
 * a resolver thread: it maps the segment read-only, as fluxguard-control
 * does, and follows its journal.
 *
 * The loop: read new journal entries and queue their names (a bounded queue,
 * each name once); send the queue's names to the primary in batches, each
 * name's records computed from the tracker at that moment (so the order and
 * number of journal entries for a name do not matter); on start-up, on a
 * journal the reader fell behind (wrap), on a flush, after the primary failed,
 * or when the queue overflowed: reconcile (read the zone back, compare with
 * the whole segment, send the difference). A failed exchange keeps its
 * names queued and retries with a doubling backoff up to rpz-retry-max.
 *
 * Backends: fg_rpz_update.c (DNS UPDATE + AXFR), fg_rpz_zonefile.c. The
 * records of a verdict: core/rpz.c. Exit status: 0 on SIGTERM/SIGINT, 1 on
 * a bad configuration or command line.
 */
#include "fg-config.h"

#include "fluxguard/array.h"
#include "fluxguard/clock.h"
#include "fluxguard/conffile.h"
#include "fluxguard/engine.h"
#include "fluxguard/log.h"
#include "fluxguard/policy.h"
#include "fluxguard/name.h"
#include "fluxguard/rpz.h"
#include "fluxguard/tracker.h"
#include "fg_cli.h"
#include "fg_rpz_backend.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/** Names per UPDATE message. */
#define BATCH 100
/** Journal poll interval, microseconds: well inside the 5 s a flag may take
 * to reach a consumer, and idle otherwise. */
#define POLL_US 50000
/** Least seconds between two zone files (zonefile backend): each is the
 * whole segment read and the whole zone written and reloaded. */
#define ZONEFILE_INTERVAL 1.0
/** Waiting names searched for a repeat before one is queued. */
#define DEDUPE_SCAN 1024
/** First retry wait, seconds. */
#define BACKOFF_START 0.25

/** The publisher's state. */
struct publisher {
	/** config file read, for messages */
	const char* config;
	/** the configuration */
	struct fg_config cfg;
	/** the zone and the mapping */
	struct fg_rpz_params p;
	/** segment name or path */
	const char* segment;
	/** the segment, read-only, or NULL while there is none */
	struct fg_tracker* t;
	/** its inode and generation when attached: a rebuilt segment is a new
	 * one */
	ino_t seg_ino;
	/** generation read at attach */
	uint64_t seg_gen;
	/** next journal entry to read */
	uint64_t next_seq;
	/** the update transport (backend update), or NULL */
	struct fg_rpz_update* up;
	/** queued names: a ring of wire names */
	uint8_t (*q)[FG_NAME_MAX_WIRE];
	/** ring start, length and capacity */
	size_t qhead, qn, qcap;
	/** a reconciliation is due */
	int need_reconcile;
	/** monotonic time before which no exchange is tried, and the wait */
	double next_try, backoff;
	/** the last failure was logged (one line per streak, not per retry) */
	int fail_logged;
	/** counters and gauges, enum fg_rpz_counter */
	uint64_t c[FG_RPZ_C_COUNT];
	/** when the stats file was last written */
	double stats_at;
	/** the names of the deny lists and the decisions file (fluxguard-control
	 * deny), with deny-action, sorted by wire name: published unless the
	 * tracker says otherwise */
	struct fg_rpz_entry* listed;
	/** length of listed */
	size_t n_listed;
	/** the lists failed to load, and that was logged */
	int lists_logged;
	/** resolver identity in force */
	char resolver[256];
	/** zonefile backend: the entries of the file last written */
	struct fg_rpz_zone* zf_prev;
};

/** Set by the signal handlers. */
static volatile sig_atomic_t stop_requested, reconcile_requested;

/** Log one line to standard error, with the time (systemd adds its own). */
static void
say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char* fmt, ...)
{
	va_list ap;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s fluxguard-publish: ", when);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/** The core's log lines, through say. */
static void
log_sink(enum fg_log_level level, const char* msg)
{
	(void)level;
	say("%s", msg);
}

/** Exit with a message: command line and configuration errors only. */
static void
die(const char* fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char* fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fluxguard-publish: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	reconcile_requested = 1;
}

/* ------------------------------------------------------------ segment */

/**
 * Whether the segment's file may be believed: what it names goes to every
 * resolver of the fleet, so a segment others could have written, or one of
 * another user, is refused (as fluxguard-control refuses it), with one log
 * line per refusal streak. Root is no exception: run the publisher as the
 * resolver's user, who owns the segment.
 */
static int
segment_trusted(struct publisher* pb, const char* path, const struct stat* st)
{
	const char* why = NULL;
	if(!S_ISREG(st->st_mode))
		why = "is not a regular file";
	else if(st->st_mode & (S_IWGRP | S_IWOTH))
		why = "is writable by others: its contents could be forged";
	else if(st->st_uid != geteuid() && st->st_uid != 0)
		why = "belongs to another user: run fluxguard-publish as the "
			"resolver's user, who owns the segment";
	if(!why)
		return 1;
	if(!pb->fail_logged)
		say("segment %s: %s (mode %04o, uid %lu) %s; refusing it",
			pb->segment, path, (unsigned)(st->st_mode & 07777),
			(unsigned long)st->st_uid, why);
	pb->fail_logged = 1;
	return 0;
}

/**
 * Attach read-only if not attached, or again if the segment was rebuilt (a
 * new inode or generation): then everything is reconciled.
 * \return 1 if attached.
 */
static int
segment_follow(struct publisher* pb)
{
	char path[1100], err[512];
	struct stat st;
	int missing = 0;
	fg_tracker_segment_path(pb->segment, path, sizeof(path));
	if(pb->t) {
		struct fg_tracker_info info;
		fg_tracker_get_info(pb->t, &info);
		if(stat(path, &st) == 0 && st.st_ino == pb->seg_ino &&
			info.generation == pb->seg_gen)
			return 1;
		say("segment %s was replaced: following the new one", pb->segment);
		fg_tracker_close(pb->t);
		pb->t = NULL;
	}
	if(stat(path, &st) == 0 && !segment_trusted(pb, path, &st))
		return 0;
	pb->t = fg_tracker_attach(pb->segment, 0, &missing, err, sizeof(err));
	if(!pb->t) {
		if(!pb->fail_logged)
			say("%s; waiting for it", err);
		pb->fail_logged = 1;
		return 0;
	}
	{
		struct fg_tracker_info info;
		fg_tracker_get_info(pb->t, &info);
		pb->seg_gen = info.generation;
		pb->seg_ino = stat(path, &st) == 0 ? st.st_ino : 0;
	}
	pb->fail_logged = 0;
	pb->need_reconcile = 1;
	say("following segment %s (journal at %" PRIu64 ")", pb->segment,
		fg_tracker_journal_head(pb->t));
	return 1;
}

/* -------------------------------------------------------------- queue */

/** Queue \p name unless it is queued already; overflow means reconcile. */
static void
queue_add(struct publisher* pb, const uint8_t* name)
{
	size_t i, len = fg_name_wire_len(name, FG_NAME_MAX_WIRE);
	if(len == 0)
		return;
	/* a name flagged twice before it was sent is sent once. The queue
	 * drains every poll, so it is short unless the primary is down; then
	 * only its head is searched (a repeat beyond costs an idempotent
	 * write, not a wrong zone) so that a long outage stays linear */
	for(i = 0; i < pb->qn && i < DEDUPE_SCAN; i++)
		if(fg_name_equal(pb->q[(pb->qhead + i) % pb->qcap], name))
			return;
	if(pb->qn == pb->qcap) {
		pb->c[FG_RPZ_C_QUEUE_OVERFLOWS]++;
		pb->need_reconcile = 1;
		return;
	}
	memcpy(pb->q[(pb->qhead + pb->qn) % pb->qcap], name, len);
	pb->qn++;
}

/** Read the journal entries written since the last call. */
static void
journal_follow(struct publisher* pb)
{
	uint64_t head = fg_tracker_journal_head(pb->t);
	struct fg_journal_entry e;
	while(pb->next_seq <= head) {
		int r = fg_tracker_journal_read(pb->t, pb->next_seq, &e);
		if(r == 0)
			return; /* being written: next poll */
		pb->next_seq++;
		if(r < 0) {
			/* the ring moved past us: the table has the truth */
			pb->need_reconcile = 1;
			pb->next_seq = head + 1;
			return;
		}
		switch(e.op) {
		case FG_JOURNAL_FLUSH:
		case FG_JOURNAL_DECISIONS:
			pb->need_reconcile = 1;
			break;
		default:
			if(e.name_len > 1)
				queue_add(pb, e.name);
		}
	}
}

/* ---------------------------------------------------------- deny lists */

/** Order listed entries by wire name (lower case already). */
static int
listed_cmp(const void* a, const void* b)
{
	const struct fg_rpz_entry* x = a, *y = b;
	size_t lx = fg_name_wire_len(x->name, FG_NAME_MAX_WIRE);
	size_t ly = fg_name_wire_len(y->name, FG_NAME_MAX_WIRE);
	int c = memcmp(x->name, y->name, lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
}

/** Lists being read into a new listed set. */
struct lists_read {
	/** the publisher */
	struct publisher* pb;
	/** the lists */
	const struct fg_policy* policy;
	/** entries, used, allocated */
	struct fg_rpz_entry* v;
	/** see v */
	size_t n, cap;
	/** out of memory */
	int oom;
};

static int
lists_cb(const uint8_t* name, int exact, void* arg)
{
	struct lists_read* r = arg;
	struct fg_rpz_entry* e;
	int policy = fg_rpz_policy_of(r->pb->cfg.deny_action,
		r->pb->cfg.rpz_refuse_as);
	/* a more specific allow (or an operator's allow) wins, as in the
	 * resolver */
	if(policy == FG_RPZ_NONE ||
		fg_policy_match_name(r->policy, name) != FG_LIST_DENY)
		return 1;
	if(!fg_array_grow((void**)&r->v, &r->cap, r->n, sizeof(*r->v), 64)) {
		r->oom = 1;
		return 0;
	}
	e = &r->v[r->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, fg_name_wire_len(name, FG_NAME_MAX_WIRE));
	e->policy = policy;
	e->verdict = FG_VERDICT_DENIED;
	e->exact = exact;
	e->listed = 1;
	return 1;
}

/**
 * Read the deny lists and the decisions file as the resolver does
 * (fg_engine_load_lists); on an error keep the names read before and say
 * so once.
 */
static void
lists_load(struct publisher* pb)
{
	struct fg_engine e;
	struct lists_read r;
	char err[1024];
	size_t i, o;
	memset(&e, 0, sizeof(e));
	memset(&r, 0, sizeof(r));
	if(!fg_engine_load_lists(&e, &pb->cfg, err, sizeof(err))) {
		if(!pb->lists_logged)
			say("deny lists: %s; publishing the %zu names read before",
				err, pb->n_listed);
		pb->lists_logged = 1;
		return;
	}
	pb->lists_logged = 0;
	r.pb = pb;
	r.policy = e.policy;
	fg_policy_foreach_name(e.policy, FG_LIST_DENY, lists_cb, &r);
	fg_policy_delete(e.policy);
	if(r.oom) {
		free(r.v);
		say("deny lists: out of memory; publishing the %zu names read "
			"before", pb->n_listed);
		return;
	}
	if(r.n)
		qsort(r.v, r.n, sizeof(*r.v), listed_cmp);
	/* a name listed both ways is published with its subtree */
	for(i = 0, o = 0; i < r.n; i++) {
		if(o > 0 && listed_cmp(&r.v[o - 1], &r.v[i]) == 0) {
			r.v[o - 1].exact &= r.v[i].exact;
			continue;
		}
		r.v[o++] = r.v[i];
	}
	free(pb->listed);
	pb->listed = r.v;
	pb->n_listed = o;
}

/** The listed entry of \p name, or NULL. */
static const struct fg_rpz_entry*
listed_find(const struct publisher* pb, const uint8_t* name)
{
	struct fg_rpz_entry key;
	if(pb->n_listed == 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	memcpy(key.name, name, fg_name_wire_len(name, FG_NAME_MAX_WIRE));
	fg_name_lower(key.name);
	return bsearch(&key, pb->listed, pb->n_listed, sizeof(key), listed_cmp);
}

/* ------------------------------------------------------- the primary */

/** Note a failed exchange: count, back off, log once per streak. */
static void
failed(struct publisher* pb, const char* err, enum fg_rpz_fail fail)
{
	pb->c[FG_RPZ_C_ERRORS]++;
	if(fail == FG_RPZ_FAIL_TSIG)
		pb->c[FG_RPZ_C_TSIG_ERRORS]++;
	pb->c[FG_RPZ_C_PRIMARY_UP] = 0;
	if(!pb->fail_logged)
		say("%s; retrying with backoff up to %us, %zu names waiting", err,
			(unsigned)pb->cfg.rpz_retry_max, pb->qn);
	pb->fail_logged = 1;
	pb->backoff = pb->backoff ? pb->backoff * 2 : BACKOFF_START;
	if(pb->backoff > pb->cfg.rpz_retry_max)
		pb->backoff = pb->cfg.rpz_retry_max;
	pb->next_try = fg_clock_mono() + pb->backoff;
	/* the primary may come back without what it held: check it all */
	pb->need_reconcile = 1;
}

/** Note a successful exchange. */
static void
succeeded(struct publisher* pb)
{
	if(pb->fail_logged && pb->c[FG_RPZ_C_PRIMARY_UP] == 0)
		say("primary %s answers again", pb->cfg.rpz_backend ==
			FG_RPZ_BACKEND_UPDATE ? pb->cfg.rpz_primary :
			"(zone file)");
	pb->fail_logged = 0;
	pb->backoff = 0;
	pb->c[FG_RPZ_C_PRIMARY_UP] = 1;
}

/**
 * What \p name should be in the zone now, by the tracker: 1 with \p e
 * filled, 0 to withdraw it, -1 if the tracker has no say (not tracked, or
 * clean) and the deny lists decide.
 */
static int
tracker_wants(struct publisher* pb, const uint8_t* name,
	struct fg_rpz_entry* e)
{
	struct fg_record_view rec;
	if(!fg_tracker_lookup(pb->t, name, (uint64_t)time(NULL), &rec))
		return -1;
	if(fg_rpz_entry_from_record(&pb->p, &rec, e))
		return 1;
	/* an operator's allow or unflag outranks a list until the lists are
	 * read again (their decisions-file change follows in the journal,
	 * within seconds; the unflag's mark itself lasts the record's window) */
	return rec.verdict == FG_VERDICT_ALLOWED ||
		(rec.flags & FG_REC_UNFLAGGED_BY_OPERATOR) ? 0 : -1;
}

/** What \p name should be in the zone now: 1 with \p e filled, or 0
 * (withdraw). */
static int
wanted(struct publisher* pb, const uint8_t* name, struct fg_rpz_entry* e)
{
	const struct fg_rpz_entry* l;
	int w = tracker_wants(pb, name, e);
	if(w >= 0)
		return w;
	if(!(l = listed_find(pb, name)))
		return 0;
	*e = *l;
	return 1;
}

/** Collected entries of the whole segment. */
struct collect {
	/** the publisher */
	struct publisher* pb;
	/** entries */
	struct fg_rpz_entry* v;
	/** used and allocated */
	size_t n, cap;
	/** out of memory */
	int oom;
};

/** Add \p e to the collection, unless it is too long for the zone. */
static int
collect_add(struct collect* c, const struct fg_rpz_entry* e)
{
	char t[FG_NAME_MAX_STR], w[FG_NAME_MAX_STR], y[FG_NAME_MAX_STR];
	if(!fg_rpz_owners(&c->pb->p, e->name, t, w, y)) {
		c->pb->c[FG_RPZ_C_SKIPPED]++;
		return 1;
	}
	if(!fg_array_grow((void**)&c->v, &c->cap, c->n, sizeof(*c->v), 256)) {
		c->oom = 1;
		return 0;
	}
	c->v[c->n++] = *e;
	return 1;
}

static int
collect_cb(const struct fg_record_view* rec, void* arg)
{
	struct collect* c = arg;
	struct fg_rpz_entry e;
	if(!fg_rpz_entry_from_record(&c->pb->p, rec, &e))
		return 1;
	return collect_add(c, &e);
}

/** Batch of changes built by the reconciliation's diff. */
struct recon {
	/** the publisher */
	struct publisher* pb;
	/** pending writes */
	struct fg_rpz_change* b;
	/** used */
	size_t n;
	/** the last failure */
	char err[1024];
	/** its kind */
	enum fg_rpz_fail fail;
};

/** Send the batched writes. */
static int
recon_flush(struct recon* r)
{
	if(r->n == 0)
		return 1;
	if(!fg_rpz_update_send(r->pb->up, r->b, r->n, r->err, sizeof(r->err),
		&r->fail))
		return 0;
	r->pb->c[FG_RPZ_C_UPDATES]++;
	r->pb->c[FG_RPZ_C_PUBLISHED] += r->n;
	r->n = 0;
	return 1;
}

static int
recon_put(const struct fg_rpz_entry* e, void* arg)
{
	struct recon* r = arg;
	memset(&r->b[r->n], 0, sizeof(r->b[r->n]));
	r->b[r->n++].e = *e;
	return r->n < BATCH ? 1 : recon_flush(r);
}

static int
recon_withdraw(const char* base, const char* why_line, void* arg)
{
	struct recon* r = arg;
	struct fg_rpz_change c;
	memset(&c, 0, sizeof(c));
	c.withdraw = 1;
	snprintf(c.base, sizeof(c.base), "%s", base);
	snprintf(c.why_line, sizeof(c.why_line), "%s", why_line);
	/* one message each: its prerequisite must not fail the others */
	if(!fg_rpz_update_send(r->pb->up, &c, 1, r->err, sizeof(r->err),
		&r->fail))
		/* a prerequisite that failed: someone else's now, go on */
		return r->fail == FG_RPZ_FAIL_PREREQ;
	r->pb->c[FG_RPZ_C_UPDATES]++;
	r->pb->c[FG_RPZ_C_WITHDRAWN]++;
	return 1;
}

/** Counts a difference without sending anything. */
static int
count_put(const struct fg_rpz_entry* e, void* arg)
{
	(void)e;
	((struct publisher*)arg)->c[FG_RPZ_C_PUBLISHED]++;
	return 1;
}

static int
count_withdraw(const char* base, const char* why_line, void* arg)
{
	(void)base;
	(void)why_line;
	((struct publisher*)arg)->c[FG_RPZ_C_WITHDRAWN]++;
	return 1;
}

/**
 * Zonefile backend: count what the file just written changed against the
 * one before, with the reconciliation's own difference, and keep it as
 * the next one's "before".
 */
static void
zonefile_count(struct publisher* pb, const struct fg_rpz_entry* v, size_t n)
{
	struct fg_rpz_zone* now = fg_rpz_zone_create();
	struct fg_rpz_diff_ops ops = { count_put, count_withdraw, pb };
	char* text = malloc(FG_RPZ_ENTRY_TEXT), *line, *save;
	size_t i;
	for(i = 0; now && text && i < n; i++) {
		if(fg_rpz_render(&pb->p, &v[i], text, FG_RPZ_ENTRY_TEXT) == 0)
			continue;
		for(line = strtok_r(text, "\n", &save); line;
			line = strtok_r(NULL, "\n", &save))
			(void)fg_rpz_zone_add(now, &pb->p, line);
	}
	free(text);
	if(!now)
		return;
	if(pb->zf_prev)
		(void)fg_rpz_diff(&pb->p, v, n, pb->zf_prev, &ops, NULL, NULL);
	else
		pb->c[FG_RPZ_C_PUBLISHED] += n;
	fg_rpz_zone_delete(pb->zf_prev);
	pb->zf_prev = now;
}

/** Read the serial after a change (update backend). */
static void
note_serial(struct publisher* pb)
{
	uint32_t serial;
	if(fg_rpz_update_serial(pb->up, &serial))
		pb->c[FG_RPZ_C_LAST_SERIAL] = serial;
}

/**
 * The whole segment against the whole zone (update backend) or the whole
 * zone file written (zonefile backend). The journal position is taken first,
 * so an entry written during the reconciliation is read again afterwards.
 */
static int
reconcile(struct publisher* pb)
{
	uint64_t head = fg_tracker_journal_head(pb->t);
	struct collect col;
	char err[1024];
	int ok;
	size_t i;
	memset(&col, 0, sizeof(col));
	col.pb = pb;
	pb->c[FG_RPZ_C_SKIPPED] = 0;
	fg_tracker_foreach(pb->t, (uint64_t)time(NULL), collect_cb, &col);
	/* the deny lists, read again, where the tracker has no say */
	lists_load(pb);
	for(i = 0; !col.oom && i < pb->n_listed; i++) {
		struct fg_rpz_entry e;
		if(tracker_wants(pb, pb->listed[i].name, &e) < 0)
			(void)collect_add(&col, &pb->listed[i]);
	}
	if(col.oom) {
		free(col.v);
		failed(pb, "reconciliation: out of memory", FG_RPZ_FAIL_NET);
		return 0;
	}
	if(pb->cfg.rpz_backend == FG_RPZ_BACKEND_ZONEFILE) {
		uint32_t serial;
		ok = fg_rpz_zonefile_write(&pb->cfg, &pb->p, col.v, col.n, &serial,
			err, sizeof(err));
		if(ok) {
			pb->c[FG_RPZ_C_UPDATES]++;
			pb->c[FG_RPZ_C_LAST_SERIAL] = serial;
			pb->c[FG_RPZ_C_ENTRIES] = col.n;
			zonefile_count(pb, col.v, col.n);
			/* flags in a burst go into the next file together */
			pb->next_try = fg_clock_mono() + ZONEFILE_INTERVAL;
		} else
			failed(pb, err, FG_RPZ_FAIL_NET);
	} else {
		struct fg_rpz_zone* z = fg_rpz_zone_create();
		struct fg_rpz_diff_ops ops;
		struct recon r;
		enum fg_rpz_fail fail;
		uint32_t serial = 0;
		size_t puts = 0, wd = 0;
		memset(&r, 0, sizeof(r));
		r.pb = pb;
		r.b = calloc(BATCH, sizeof(*r.b));
		ok = z && r.b;
		if(!ok)
			failed(pb, "reconciliation: out of memory", FG_RPZ_FAIL_NET);
		else if(!(ok = fg_rpz_update_read_zone(pb->up, z, &serial, err,
			sizeof(err), &fail))) {
			failed(pb, err, fail);
		} else {
			ops.put = recon_put;
			ops.withdraw = recon_withdraw;
			ops.arg = &r;
			ok = fg_rpz_diff(&pb->p, col.v, col.n, z, &ops, &puts, &wd) &&
				recon_flush(&r);
			if(!ok)
				failed(pb, r.err[0] ? r.err : "reconciliation: out of "
					"memory", r.err[0] ? r.fail : FG_RPZ_FAIL_NET);
			else {
				pb->c[FG_RPZ_C_LAST_SERIAL] = serial;
				if(puts || wd)
					note_serial(pb);
				pb->c[FG_RPZ_C_ENTRIES] = col.n;
				say("reconciled zone %s with the segment: %zu entries, "
					"%zu written, %zu withdrawn, serial %" PRIu64,
					pb->p.zone_str, col.n, puts, wd,
					pb->c[FG_RPZ_C_LAST_SERIAL]);
			}
		}
		free(r.b);
		fg_rpz_zone_delete(z);
	}
	free(col.v);
	if(!ok)
		return 0;
	succeeded(pb);
	pb->c[FG_RPZ_C_RECONCILES]++;
	pb->need_reconcile = 0;
	pb->qn = 0;
	pb->next_seq = head + 1;
	return 1;
}

/** Send up to BATCH queued names (update backend). */
static void
flush_queue(struct publisher* pb)
{
	struct fg_rpz_change* b;
	char err[1024];
	enum fg_rpz_fail fail;
	size_t n = 0, k, puts = 0, wds = 0;
	if(pb->qn == 0)
		return;
	if(pb->cfg.rpz_backend == FG_RPZ_BACKEND_ZONEFILE) {
		/* the whole file anew: at most every poll, for any number of
		 * names */
		pb->need_reconcile = 1;
		pb->qn = 0;
		return;
	}
	if(!(b = calloc(BATCH, sizeof(*b)))) {
		failed(pb, "out of memory", FG_RPZ_FAIL_NET);
		return;
	}
	/* k names looked at, n changes made of them */
	for(k = 0; k < BATCH && k < pb->qn; k++) {
		const uint8_t* name = pb->q[(pb->qhead + k) % pb->qcap];
		struct fg_rpz_change* c = &b[n];
		char t[FG_NAME_MAX_STR], w[FG_NAME_MAX_STR], y[FG_NAME_MAX_STR];
		if(!fg_rpz_owners(&pb->p, name, t, w, y)) {
			/* too long to go under the zone: nothing to send */
			pb->c[FG_RPZ_C_SKIPPED]++;
			continue;
		}
		if(wanted(pb, name, &c->e)) {
			c->withdraw = 0;
			puts++;
		} else {
			c->withdraw = 1;
			fg_name_to_str(name, c->base, sizeof(c->base));
			wds++;
		}
		n++;
	}
	if(n && !fg_rpz_update_send(pb->up, b, n, err, sizeof(err), &fail)) {
		failed(pb, err, fail);
		free(b);
		return;
	}
	free(b);
	pb->qhead = (pb->qhead + k) % pb->qcap;
	pb->qn -= k;
	if(n == 0)
		return;
	succeeded(pb);
	pb->c[FG_RPZ_C_UPDATES]++;
	pb->c[FG_RPZ_C_PUBLISHED] += puts;
	pb->c[FG_RPZ_C_WITHDRAWN] += wds;
	note_serial(pb);
}

/** Swap two strings of the configurations. \return 1 if they differed. */
static int
keep_str(char** fresh, char** started)
{
	char* t = *fresh;
	int differ = (t == NULL) != (*started == NULL) ||
		(t && strcmp(t, *started) != 0);
	*fresh = *started;
	*started = t;
	return differ;
}

/**
 * Give the configuration read at SIGHUP the settings that stay as started
 * (the transport was built from them, and the zone file backend must not
 * move), and hand the started ones to \p started, which the caller frees.
 * \return 1 if the file asked for a change of any of them.
 */
static int
keep_started(struct fg_config* fresh, struct fg_config* started)
{
	int differ = fresh->rpz_backend != started->rpz_backend ||
		fresh->rpz_ttl != started->rpz_ttl ||
		fresh->rpz_queue_size != started->rpz_queue_size;
	fresh->rpz_backend = started->rpz_backend;
	fresh->rpz_ttl = started->rpz_ttl;
	fresh->rpz_queue_size = started->rpz_queue_size;
	differ |= keep_str(&fresh->rpz_primary, &started->rpz_primary);
	differ |= keep_str(&fresh->rpz_tsig_key, &started->rpz_tsig_key);
	differ |= keep_str(&fresh->rpz_tsig_algorithm,
		&started->rpz_tsig_algorithm);
	differ |= keep_str(&fresh->rpz_tsig_secret_file,
		&started->rpz_tsig_secret_file);
	differ |= keep_str(&fresh->rpz_zonefile, &started->rpz_zonefile);
	/* the segment followed, which pb->segment may point at */
	differ |= keep_str(&fresh->segment, &started->segment);
	return differ;
}

/**
 * SIGHUP: read fluxguard.conf again for the actions, the lists and the
 * counters' file; the segment, the zone and the way to the primary
 * (backend, primary, key, zone file, TTL, queue size) stay as started
 * (moving them is a restart). A file with errors changes nothing.
 */
static void
reload_config(struct publisher* pb)
{
	struct fg_config cfg;
	struct fg_rpz_params p;
	char err[1024];
	fg_conf_defaults(&cfg);
	if(!fg_conf_load(pb->config, &cfg, err, sizeof(err))) {
		say("SIGHUP: %s; keeping the configuration in force", err);
		fg_conf_free(&cfg);
		return;
	}
	if(!fg_rpz_params_init(&p, &cfg, pb->resolver, err, sizeof(err)) ||
		memcmp(p.zone, pb->p.zone, p.zone_len) != 0 ||
		p.zone_len != pb->p.zone_len) {
		say("SIGHUP: %s: %s; keeping the configuration in force",
			pb->config, p.zone_len ? "rpz-zone changed: restart "
			"fluxguard-publish to publish into another zone" : err);
		fg_conf_free(&cfg);
		return;
	}
	if(keep_started(&cfg, &pb->cfg))
		say("SIGHUP: %s changes the segment, the backend, the "
			"primary, the key, the zone file, rpz-ttl or "
			"rpz-queue-size: those stay as started until a restart",
			pb->config);
	/* params point into the config */
	fg_conf_free(&pb->cfg);
	pb->cfg = cfg;
	fg_rpz_params_init(&pb->p, &pb->cfg, pb->resolver, err, sizeof(err));
	say("SIGHUP: read %s again; reconciling", pb->config);
}

/* -------------------------------------------------------------- stats */

/** Print the counters as fluxguard-control stats prints its own. */
static void
stats_print(FILE* out, const struct publisher* pb)
{
	int i;
	for(i = 0; i < FG_RPZ_C_COUNT; i++)
		fprintf(out, "%-24s %20" PRIu64 "  %s\n", fg_rpz_counters[i].name,
			i == FG_RPZ_C_PENDING ? (uint64_t)pb->qn : pb->c[i],
			fg_rpz_counters[i].doc);
}

/** Write the stats file atomically, about once a second. */
static void
stats_write(struct publisher* pb, int force)
{
	char tmp[4200];
	FILE* f;
	double now = fg_clock_mono();
	if(!pb->cfg.rpz_stats_file || (!force && now - pb->stats_at < 1.0))
		return;
	pb->stats_at = now;
	snprintf(tmp, sizeof(tmp), "%s.tmp", pb->cfg.rpz_stats_file);
	if(!(f = fopen(tmp, "w"))) {
		say("rpz-stats-file %s: cannot write %s: %s",
			pb->cfg.rpz_stats_file, tmp, strerror(errno));
		return;
	}
	fprintf(f, "# fluxguard-publish stats, zone %s, pid %ld, at %ld\n",
		pb->p.zone_str, (long)getpid(), (long)time(NULL));
	stats_print(f, pb);
	if(fclose(f) != 0 || rename(tmp, pb->cfg.rpz_stats_file) != 0)
		say("rpz-stats-file %s: cannot replace it: %s",
			pb->cfg.rpz_stats_file, strerror(errno));
}

/** --stats: print the running publisher's stats file. */
static int
stats_show(const struct fg_config* cfg)
{
	char line[1024];
	FILE* f;
	if(!cfg->rpz_stats_file)
		die("--stats: rpz-stats-file is not set in the configuration");
	if(!(f = fopen(cfg->rpz_stats_file, "r")))
		die("--stats: %s: %s (is fluxguard-publish running?)",
			cfg->rpz_stats_file, strerror(errno));
	if(!fgets(line, sizeof(line), f) ||
		strncmp(line, "# fluxguard-publish stats", 25) != 0) {
		fclose(f);
		die("--stats: %s is not a fluxguard-publish stats file",
			cfg->rpz_stats_file);
	}
	while(fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
	return 0;
}

/* --------------------------------------------------------------- main */

static void
usage(FILE* out)
{
	fprintf(out, "usage: fluxguard-publish [-c FILE] [-s SEGMENT] [--once] "
		"[--stats] [--counters] [--version]\n"
		"Publish fluxguard's verdicts into a Response Policy Zone "
		"(rpz-* options of fluxguard.conf).\n"
		"  -c, --config FILE     fluxguard.conf (default: as "
		"fluxguard-control finds it)\n"
		"  -s, --segment SEGMENT the tracker segment (default: segment: of "
		"the config)\n"
		"  --once        reconcile once and exit (0 if the zone now "
		"matches the segment)\n"
		"  --stats       print the running publisher's counters "
		"(rpz-stats-file)\n"
		"  --counters    list the counters and what they mean\n"
		"  --version     print the version\n"
		"  -h, --help    this text\n");
}

int
main(int argc, char** argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "segment", required_argument, NULL, 's' },
		{ "once", no_argument, NULL, 'o' },
		{ "stats", no_argument, NULL, 'S' },
		{ "counters", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct publisher pb;
	char err[1024], path[4096], host[256];
	const char* config = NULL;
	int opt, once = 0, show_stats = 0, i;
	struct sigaction sa;
	memset(&pb, 0, sizeof(pb));
	while((opt = getopt_long(argc, argv, "c:s:h", longopts, NULL)) != -1) {
		switch(opt) {
		case 'c': config = optarg; break;
		case 's': pb.segment = optarg; break;
		case 'o': once = 1; break;
		case 'S': show_stats = 1; break;
		case 'C':
			for(i = 0; i < FG_RPZ_C_COUNT; i++)
				printf("%-22s %-5s %s\n", fg_rpz_counters[i].name,
					fg_rpz_counters[i].gauge ? "gauge" : "total",
					fg_rpz_counters[i].doc);
			return 0;
		default:
			return fg_cli_exit_option("fluxguard-publish", opt, 1,
				usage);
		}
	}
	if(optind < argc)
		die("unexpected argument \"%s\" (try --help)", argv[optind]);
	fg_log_set_sink(log_sink);
	fg_conf_defaults(&pb.cfg);
	if(!config) {
		if(!fg_conf_locate(NULL, path, sizeof(path), err, sizeof(err)))
			die("%s", err);
		config = path[0] ? path : NULL;
	}
	if(!config)
		die("no fluxguard.conf found: name it with -c");
	if(!fg_conf_load(config, &pb.cfg, err, sizeof(err)))
		die("%s", err);
	pb.config = config;
	if(show_stats) {
		i = stats_show(&pb.cfg);
		fg_conf_free(&pb.cfg);
		return i;
	}
	if(!pb.segment)
		pb.segment = pb.cfg.segment;
	if(pb.cfg.rpz_resolver_id)
		snprintf(host, sizeof(host), "%s", pb.cfg.rpz_resolver_id);
	else if(gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = 0;
	snprintf(pb.resolver, sizeof(pb.resolver), "%s", host);
	if(!fg_rpz_params_init(&pb.p, &pb.cfg, host, err, sizeof(err)))
		die("%s: %s", config, err);
	if(pb.cfg.rpz_backend == FG_RPZ_BACKEND_UPDATE) {
		if(!(pb.up = fg_rpz_update_create(&pb.cfg, &pb.p, err, sizeof(err))))
			die("%s: %s", config, err);
	} else if(!pb.cfg.rpz_zonefile)
		die("%s: rpz-backend zonefile needs rpz-zonefile", config);
	pb.qcap = pb.cfg.rpz_queue_size;
	if(!(pb.q = calloc(pb.qcap, sizeof(*pb.q))))
		die("rpz-queue-size %zu: out of memory", pb.qcap);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	say("publishing %s verdicts into zone %s (%s %s, action %s as %s, "
		"deny-action %s as %s, resolver %s)", pb.segment, pb.p.zone_str,
		pb.cfg.rpz_backend == FG_RPZ_BACKEND_UPDATE ? "update to" :
		"zone file", pb.cfg.rpz_backend == FG_RPZ_BACKEND_UPDATE ?
		pb.cfg.rpz_primary : pb.cfg.rpz_zonefile,
		fg_action_name(pb.cfg.action), fg_rpz_policy_name(fg_rpz_policy_of(
		pb.cfg.action, pb.cfg.rpz_refuse_as)),
		fg_action_name(pb.cfg.deny_action), fg_rpz_policy_name(
		fg_rpz_policy_of(pb.cfg.deny_action, pb.cfg.rpz_refuse_as)),
		pb.p.resolver);
	while(!stop_requested) {
		if(segment_follow(&pb)) {
			journal_follow(&pb);
			if(reconcile_requested) {
				reconcile_requested = 0;
				reload_config(&pb);
				pb.need_reconcile = 1;
				pb.next_try = 0;
			}
			if(fg_clock_mono() >= pb.next_try) {
				if(pb.need_reconcile) {
					int ok = reconcile(&pb);
					if(once) {
						stats_write(&pb, 1);
						break;
					}
					(void)ok;
				} else
					flush_queue(&pb);
			}
		} else if(once)
			break;
		stats_write(&pb, 0);
		if(pb.qn == 0 || fg_clock_mono() < pb.next_try)
			usleep(POLL_US);
	}
	stats_write(&pb, 1);
	i = once && (pb.need_reconcile || !pb.t) ? 1 : 0;
	say("%s (published %" PRIu64 ", withdrawn %" PRIu64 ", %zu waiting)",
		stop_requested ? "stopping" : "done", pb.c[FG_RPZ_C_PUBLISHED],
		pb.c[FG_RPZ_C_WITHDRAWN], pb.qn);
	if(pb.t)
		fg_tracker_close(pb.t);
	fg_rpz_update_delete(pb.up);
	free(pb.q);
	free(pb.listed);
	fg_rpz_zone_delete(pb.zf_prev);
	fg_conf_free(&pb.cfg);
	return i;
}
