/**
 * \file
 * Cache-proof enforcement through Unbound's local zones.
 *
 * Unbound's worker answers from its message cache without calling any module,
 * but it consults its local zones first (worker_handle_request: local zones,
 * then the cache, then the modules). So once a name is blocked, fluxguard adds
 * a local zone for it, of the type the action asks for (always_refuse,
 * always_nxdomain, always_nodata, or redirect with the sinkhole addresses as
 * local data), through the same API `unbound-control local_zone` uses. The
 * zone covers the name and everything below it. It also drops the name's A and
 * AAAA RRsets from the RRset cache, which invalidates every cached message
 * that refers to them: a CNAME alias cached before the flag then misses the
 * cache, reaches the module, and is blocked (and zoned) there.
 *
 * When: the module path requests a zone on a worker thread and it is applied
 * there at once; a request that finds another worker applying waits for a
 * timer in each worker's event loop, which applies pending requests every
 * FLUXGUARD_ZONES_TICK_MS. Worker threads are the only safe place: during `unbound-control reload` Unbound
 * deletes its local zones after the workers stop and before the module's
 * deinit, so a thread of our own could touch freed memory. The timer is armed
 * from operate, on a worker thread, through Unbound's own event API
 * (ub_event_new, which has no function-pointer whitelist). By deinit the
 * workers and their event bases are gone (Unbound deletes the workers before
 * it deinits the modules, on reload as on exit), and freeing the base took
 * the event out of it; so deinit frees the event's memory without deleting it
 * from a base (ub_event_free touches nothing but the event).
 *
 * Changes made elsewhere (fluxguard-control allow, deny, unflag, flush; a flag
 * by another Unbound process on the same segment) arrive through the tracker's
 * journal, which the same timer follows: a deny adds a zone, an allow, unflag
 * or flush removes the zones of that name, of names below it, and of aliases
 * blocked because of it. A process that falls a whole ring behind
 * re-checks every zone it holds against the tracker.
 *
 * Zones added at runtime vanish on reload (Unbound re-reads its config), and
 * reload empties the caches too: afterwards every name's first query reaches
 * the module, which blocks it from the tracker's sticky verdict and requests
 * its zone again.
 *
 * Unbound 1.17's local_zones_add_zone leaves a new zone's parent pointer
 * unset (upstream issue 1059, fixed in 1.21), which made lookups below an
 * enclosing configured zone miss its local-data (issue 868). We set the parent
 * ourselves right after adding.
 */
#include "config.h"
#include "util/module.h"
#include "util/log.h"
#include "util/locks.h"
#include "util/ub_event.h"
#include "util/netevent.h"
#include "util/data/dname.h"
#include "util/data/packed_rrset.h"
#include "services/localzone.h"
#include "services/cache/rrset.h"
#include "daemon/worker.h"
#include "daemon/daemon.h"
#include "sldns/rrdef.h"

#include "fluxguard_internal.h"
#include "fluxguard/geo.h"
#include "fluxguard/counters.h"
#include "fluxguard/judge.h"
#include "fluxguard/name.h"
#include "fluxguard/policy.h"
#include "fluxguard/tracker.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/** How often pending zone requests and the journal are applied. */
#define FLUXGUARD_ZONES_TICK_MS 200
/** Requests waiting for the next tick; beyond it they are dropped (the next
 * cache miss of the name requests again) and logged. */
#define ZONES_PENDING_MAX 1024
/** Worker timers we track (one per worker thread). */
#define ZONES_WORKERS_MAX 256
/** Buckets of the installed-names table. */
#define ZONES_BUCKETS 4096
/** Bits of the filter of names with a log-only entry (monitor mode): with
 * a thousand such names, about one cache hit in fifty takes the lock. */
#define LOG_FILTER_BITS 65536u
/** Journal entries applied per tick at most (the rest wait a tick). */
#define ZONES_JOURNAL_BATCH 256

/** One requested or installed block. */
struct zone_entry {
	/** next in the hash chain */
	struct zone_entry* next;
	/** name, wire format, lower case */
	uint8_t name[FG_NAME_MAX_WIRE];
	/** its length */
	size_t len;
	/** the name whose verdict caused it (itself, or the flagged end of a
	 * CNAME chain), lower case: unflagging the cause removes this zone */
	uint8_t cause[FG_NAME_MAX_WIRE];
	/** its length */
	size_t cause_len;
	/** enum fg_action */
	int action;
	/** FG_LIST_DENY when a deny decided it, else FG_LIST_NONE */
	enum fg_list list;
	/** the cause's score then */
	double score;
	/** why, for the log and the EDE text */
	char reason[96];
	/** for an alias (name is not cause): the next older and newer alias
	 * zones, oldest first out when max-blocked-aliases is reached */
	struct zone_entry* older, *newer;
};

/** A worker's timer. */
struct zones_worker {
	/** back pointer */
	struct fluxguard_zones* z;
	/** that worker's module env (lives as long as the worker) */
	struct module_env* env;
	/** the timer event */
	struct ub_event* ev;
};

/** The enforcer. */
struct fluxguard_zones {
	/** module state (config, tracker) */
	struct fluxguard_env* fe;
	/** guards pending and n_pending; held briefly */
	pthread_mutex_t pending_lock;
	/** requests not yet applied */
	struct zone_entry pending[ZONES_PENDING_MAX];
	/** number of pending requests */
	size_t n_pending;
	/** requests dropped because pending was full */
	size_t dropped;
	/** one applier at a time, whichever worker; guards journal_seq too */
	pthread_mutex_t apply_lock;
	/** the last journal entry this process applied */
	uint64_t journal_seq;
	/** the alias zones, oldest and newest, and how many (installed_lock
	 * for writing) */
	struct zone_entry* alias_oldest, *alias_newest;
	size_t n_aliases;
	/** the entry found "being written", and since when (a writer that
	 * died between reserving and completing it never finishes it) */
	uint64_t writing_seq;
	time_t writing_since;
	/** guards installed (read by the EDE callback on every local answer) */
	pthread_rwlock_t installed_lock;
	/** names blocked (or, for action log, reported) in this process */
	struct zone_entry* installed[ZONES_BUCKETS];
	/** number of installed entries */
	size_t n_installed;
	/** a bit per log-only entry's name (log_filter_bit): cache hits in
	 * monitor mode look here without a lock, and take installed_lock only
	 * for a name or parent whose bit is set. Set under installed_lock,
	 * never cleared: a stale bit costs a locked lookup, never a wrong
	 * answer. */
	uint64_t log_filter[LOG_FILTER_BITS / 64];
	/** guards workers and n_workers */
	pthread_mutex_t workers_lock;
	/** armed timers */
	struct zones_worker workers[ZONES_WORKERS_MAX];
	/** number of armed timers */
	size_t n_workers;
};

/** FNV-1a over a lower-case wire name: the table is process-private and
 * filled only with names already judged, so no keyed hash is needed. */
static size_t
name_bucket(const uint8_t* name, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;
	for(i = 0; i < len; i++)
		h = (h ^ name[i]) * 16777619u;
	return h % ZONES_BUCKETS;
}

/** The filter bit of a name hash (fg_name_hash). */
static uint32_t
log_filter_bit(uint32_t h)
{
	return (h * 2654435761u) >> 16;
}

/** Note a log-only entry's name in the filter; installed_lock held. */
static void
log_filter_add(struct fluxguard_zones* z, const uint8_t* name, size_t len)
{
	uint32_t b = log_filter_bit(fg_name_hash(name, len));
	__atomic_fetch_or(&z->log_filter[b / 64], (uint64_t)1 << (b % 64),
		__ATOMIC_RELAXED);
}

/** Whether \p name or a name above it may have a log-only entry. */
static int
log_filter_may_hold(struct fluxguard_zones* z, const uint8_t* name,
	size_t len)
{
	uint32_t h[FG_NAME_MAX_LABELS];
	size_t starts[FG_NAME_MAX_LABELS];
	size_t n = fg_name_suffix_hashes(name, len, starts, h), k;
	for(k = 0; k < n; k++) {
		uint32_t b = log_filter_bit(h[k]);
		if(__atomic_load_n(&z->log_filter[b / 64], __ATOMIC_RELAXED) >>
			(b % 64) & 1)
			return 1;
	}
	return 0;
}

/** The installed entry for exactly \p name; installed_lock held. */
static struct zone_entry*
installed_find(struct fluxguard_zones* z, const uint8_t* name, size_t len)
{
	struct zone_entry* e = z->installed[name_bucket(name, len)];
	for(; e; e = e->next)
		if(e->len == len && memcmp(e->name, name, len) == 0)
			return e;
	return NULL;
}

static void
count(struct fluxguard_zones* z, enum fg_counter c)
{
	fluxguard_count(z->fe, c);
}

struct fluxguard_zones*
fluxguard_zones_create(struct fluxguard_env* fe)
{
	struct fluxguard_zones* z = calloc(1, sizeof(*z));
	if(!z) {
		log_err("fluxguard: out of memory creating the zone enforcer");
		return NULL;
	}
	z->fe = fe;
	/* What the journal held before this init is in the tracker's verdicts
	 * already, which the module path consults. */
	z->journal_seq = fe->engine.tracker ?
		fg_tracker_journal_head(fe->engine.tracker) : 0;
	pthread_mutex_init(&z->pending_lock, NULL);
	pthread_mutex_init(&z->apply_lock, NULL);
	pthread_mutex_init(&z->workers_lock, NULL);
	pthread_rwlock_init(&z->installed_lock, NULL);
	return z;
}

/** Free the workers' timer events. Their bases are gone by deinit (file
 * comment), so nothing dispatches them any more. */
static void
workers_free_events(struct fluxguard_zones* z)
{
	size_t i;
	for(i = 0; i < z->n_workers; i++) {
		ub_event_free(z->workers[i].ev);
		z->workers[i].ev = NULL;
	}
}

void
fluxguard_zones_delete(struct fluxguard_zones* z)
{
	size_t i;
	if(!z)
		return;
	workers_free_events(z);
	for(i = 0; i < ZONES_BUCKETS; i++) {
		struct zone_entry* e = z->installed[i], *next;
		for(; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	pthread_rwlock_destroy(&z->installed_lock);
	pthread_mutex_destroy(&z->workers_lock);
	pthread_mutex_destroy(&z->apply_lock);
	pthread_mutex_destroy(&z->pending_lock);
	free(z);
}

/** Local zone type for an action. */
static enum localzone_type
action_zone_type(int action)
{
	switch(action) {
	case FG_ACTION_REFUSE: return local_zone_always_refuse;
	case FG_ACTION_NXDOMAIN: return local_zone_always_nxdomain;
	case FG_ACTION_NODATA: return local_zone_always_nodata;
	case FG_ACTION_REDIRECT: return local_zone_redirect;
	default: return local_zone_unset;
	}
}

/** The closest existing zone strictly above \p name; zones->lock held. */
static struct local_zone*
enclosing_zone(struct local_zones* zones, const uint8_t* name, size_t len)
{
	uint8_t* nm = (uint8_t*)name;
	size_t nmlen = len;
	while(!dname_is_root(nm)) {
		struct local_zone* p;
		dname_remove_label(&nm, &nmlen);
		p = local_zones_find(zones, nm, nmlen, dname_count_labels(nm),
			LDNS_RR_CLASS_IN);
		if(p)
			return p;
	}
	return NULL;
}

/** Add the zone for \p e. \return 1 if added (or updated), 0 if not. */
static int
add_zone(struct fluxguard_zones* z, struct local_zones* zones,
	const struct zone_entry* e, int ours)
{
	enum localzone_type t = action_zone_type(e->action);
	struct local_zone* lz;
	uint8_t* nm;
	int labs;
	if(t == local_zone_unset)
		return 1;
	nm = malloc(e->len);
	if(!nm)
		return 0;
	memcpy(nm, e->name, e->len);
	labs = dname_count_labels(nm);
	lock_rw_wrlock(&zones->lock);
	lz = local_zones_find(zones, nm, e->len, labs, LDNS_RR_CLASS_IN);
	if(lz) {
		if(!ours) {
			/* the operator's own zone: never touch it */
			lock_rw_unlock(&zones->lock);
			free(nm);
			return 0;
		}
		lock_rw_wrlock(&lz->lock);
		lz->type = t;
		lock_rw_unlock(&lz->lock);
		free(nm);
	} else {
		/* local_zones_add_zone owns nm from here, also on failure */
		lz = local_zones_add_zone(zones, nm, e->len, labs,
			LDNS_RR_CLASS_IN, t);
		if(!lz) {
			lock_rw_unlock(&zones->lock);
			return 0;
		}
		lock_rw_wrlock(&lz->lock);
		lz->parent = enclosing_zone(zones, lz->name, lz->namelen);
		lock_rw_unlock(&lz->lock);
	}
	lock_rw_unlock(&zones->lock);
	if(t == local_zone_redirect) {
		const struct fg_conf_addrs* ra = &z->fe->cfg.redirect_addrs;
		char name[FG_NAME_MAX_STR], addr[FG_ADDR_MAX_STR], rr[1200];
		size_t i;
		if(!fg_name_to_str(e->name, name, sizeof(name)))
			return 0;
		for(i = 0; i < ra->n; i++) {
			if(!fg_addr_to_str(&ra->a[i], addr, sizeof(addr)))
				continue;
			snprintf(rr, sizeof(rr), "%s %u IN %s %s", name,
				(unsigned)z->fe->cfg.redirect_ttl,
				ra->a[i].family == FG_AF_INET ? "A" : "AAAA", addr);
			if(!local_zones_add_RR(zones, rr))
				log_err("fluxguard: could not add redirect data %s", rr);
		}
	}
	return 1;
}

/** Remove our zone for \p e, if Unbound still has it. */
static void
del_zone(struct local_zones* zones, const struct zone_entry* e)
{
	struct local_zone* lz;
	if(action_zone_type(e->action) == local_zone_unset)
		return;
	lock_rw_wrlock(&zones->lock);
	lz = local_zones_find(zones, (uint8_t*)e->name, e->len,
		dname_count_labels((uint8_t*)e->name), LDNS_RR_CLASS_IN);
	if(lz)
		local_zones_del_zone(zones, lz);
	lock_rw_unlock(&zones->lock);
}

/** Drop \p name's address RRsets from the RRset cache, invalidating every
 * cached message (CNAME aliases included) that refers to them. */
static void
drop_from_cache(struct module_env* env, const struct zone_entry* e)
{
	static const uint16_t types[] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA,
		LDNS_RR_TYPE_CNAME };
	size_t i;
	for(i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		rrset_cache_remove(env->rrset_cache, (uint8_t*)e->name, e->len,
			types[i], LDNS_RR_CLASS_IN, 0);
}

static int is_alias(const struct zone_entry* e);
static void alias_unlink(struct fluxguard_zones* z, struct zone_entry* e);
static void drop_old_aliases(struct fluxguard_zones* z,
	struct module_env* env, struct local_zones* zones);

/** Apply one add request; apply_lock held. */
static void
apply(struct fluxguard_zones* z, struct module_env* env,
	struct local_zones* zones, const struct zone_entry* req)
{
	struct zone_entry* e;
	char name[FG_NAME_MAX_STR];
	int ours;
	pthread_rwlock_rdlock(&z->installed_lock);
	e = installed_find(z, req->name, req->len);
	ours = e != NULL;
	if(e && e->action == req->action) {
		pthread_rwlock_unlock(&z->installed_lock);
		return;
	}
	pthread_rwlock_unlock(&z->installed_lock);
	if(!fg_name_to_str(req->name, name, sizeof(name)))
		return;
	if(!add_zone(z, zones, req, ours)) {
		log_warn("fluxguard: %s: could not add a local zone (%s); "
			"cache hits for it are not blocked", name,
			ours ? "out of memory" : "the config has a local zone there");
		count(z, FG_CTR_ERRORS);
		return;
	}
	if(req->action != FG_ACTION_LOG) {
		drop_from_cache(env, req);
		count(z, FG_CTR_ZONES_ADDED);
	}
	pthread_rwlock_wrlock(&z->installed_lock);
	if(!e && (e = calloc(1, sizeof(*e))) != NULL) {
		size_t b = name_bucket(req->name, req->len);
		memcpy(e->name, req->name, req->len);
		e->len = req->len;
		e->next = z->installed[b];
		z->installed[b] = e;
		__atomic_store_n(&z->n_installed, z->n_installed + 1,
			__ATOMIC_RELAXED);
	}
	if(e) {
		alias_unlink(z, e);
		memcpy(e->cause, req->cause, req->cause_len);
		e->cause_len = req->cause_len;
		e->action = req->action;
		if(e->action == FG_ACTION_LOG)
			log_filter_add(z, e->name, e->len);
		e->list = req->list;
		e->score = req->score;
		snprintf(e->reason, sizeof(e->reason), "%s", req->reason);
		if(is_alias(e)) {
			/* newest alias last: the oldest goes first */
			e->older = z->alias_newest;
			if(z->alias_newest)
				z->alias_newest->newer = e;
			else
				z->alias_oldest = e;
			z->alias_newest = e;
			z->n_aliases++;
		}
	}
	pthread_rwlock_unlock(&z->installed_lock);
	drop_old_aliases(z, env, zones);
	if(req->action == FG_ACTION_LOG)
		log_info("fluxguard: would block %s (%s); action log lets it pass",
			name, req->reason);
	else
		log_info("fluxguard: blocking %s (%s): action %s, cache included",
			name, req->reason, fg_action_name(req->action));
	/* the event log has a line per blocked query, from the query paths */
}

/** Whether \p e should go when \p name is allowed, unflagged or forgotten
 * (NULL: everything goes). */
static int
released_by(const struct zone_entry* e, const uint8_t* name)
{
	return !name || fg_name_is_subdomain(e->name, name) ||
		(e->cause_len && fg_name_is_subdomain(e->cause, name));
}

/** Whether \p e is an alias's zone (another name's verdict caused it). */
static int
is_alias(const struct zone_entry* e)
{
	return e->len != e->cause_len || memcmp(e->name, e->cause, e->len) != 0;
}

/** Take alias zone \p e out of the age list; installed_lock held. */
static void
alias_unlink(struct fluxguard_zones* z, struct zone_entry* e)
{
	if(e->older)
		e->older->newer = e->newer;
	else if(z->alias_oldest == e)
		z->alias_oldest = e->newer;
	else
		return; /* not in the list */
	if(e->newer)
		e->newer->older = e->older;
	else
		z->alias_newest = e->older;
	e->older = e->newer = NULL;
	z->n_aliases--;
}

/** Remove the zones \p name releases; apply_lock held. */
static void
release(struct fluxguard_zones* z, struct local_zones* zones,
	const uint8_t* name, const char* why)
{
	size_t b;
	for(b = 0; b < ZONES_BUCKETS; b++) {
		struct zone_entry** pp = &z->installed[b];
		while(*pp) {
			struct zone_entry* e = *pp;
			char str[FG_NAME_MAX_STR];
			if(!released_by(e, name)) {
				pp = &e->next;
				continue;
			}
			del_zone(zones, e);
			pthread_rwlock_wrlock(&z->installed_lock);
			alias_unlink(z, e);
			*pp = e->next;
			__atomic_store_n(&z->n_installed, z->n_installed - 1,
				__ATOMIC_RELAXED);
			pthread_rwlock_unlock(&z->installed_lock);
			if(e->action != FG_ACTION_LOG)
				count(z, FG_CTR_ZONES_REMOVED);
			if(fg_name_to_str(e->name, str, sizeof(str)))
				log_info("fluxguard: unblocked %s (%s)", str, why);
			fluxguard_event(z->fe, "unflag", e->name, 0, -1, why,
				NULL);
			free(e);
		}
	}
}

/**
 * Keep the alias zones under max-blocked-aliases: an alias flood (a
 * wildcard CNAME onto a flagged name, random labels) would otherwise cost a
 * zone per name. The oldest alias goes; a flagged or denied name's own zone
 * never does. Its answer leaves the cache with it (the iterator cached the
 * chain after the zone came, when the block was decided before caching), so
 * its next query is a cache miss, and the module path judges its chain and
 * blocks it again. apply_lock held.
 */
static void
drop_old_aliases(struct fluxguard_zones* z, struct module_env* env,
	struct local_zones* zones)
{
	while(z->n_aliases > z->fe->cfg.max_blocked_aliases &&
		z->alias_oldest) {
		struct zone_entry* e = z->alias_oldest, **pp;
		size_t b = name_bucket(e->name, e->len);
		/* the cache first: while the zone still answers, nothing
		 * stores the chain again */
		if(env && env->rrset_cache && e->action != FG_ACTION_LOG)
			drop_from_cache(env, e);
		del_zone(zones, e);
		pthread_rwlock_wrlock(&z->installed_lock);
		alias_unlink(z, e);
		for(pp = &z->installed[b]; *pp && *pp != e; pp = &(*pp)->next)
			;
		if(*pp)
			*pp = e->next;
		__atomic_store_n(&z->n_installed, z->n_installed - 1,
			__ATOMIC_RELAXED);
		pthread_rwlock_unlock(&z->installed_lock);
		count(z, FG_CTR_ZONES_ALIASES_DROPPED);
		free(e);
	}
}

/** Fill an add request. */
static void
make_req(struct zone_entry* req, const uint8_t* name, size_t len,
	const uint8_t* cause, size_t cause_len, int action, enum fg_list list,
	double score, const char* reason)
{
	memcpy(req->name, name, len);
	fg_name_lower(req->name);
	req->len = len;
	memcpy(req->cause, cause, cause_len);
	fg_name_lower(req->cause);
	req->cause_len = cause_len;
	req->action = action;
	req->list = list;
	req->score = score;
	snprintf(req->reason, sizeof(req->reason), "%s", reason);
}

int
fluxguard_zones_request(struct fluxguard_zones* z, struct module_env* env,
	const uint8_t* name, size_t name_len, const uint8_t* cause,
	size_t cause_len, int action, enum fg_list list, double score,
	const char* reason)
{
	struct zone_entry* e, req;
	struct worker* worker = env ? env->worker : NULL;
	int known;
	if(!z || fg_name_wire_len(name, name_len) != name_len)
		return 1;
	if(!cause || fg_name_wire_len(cause, cause_len) != cause_len) {
		cause = name;
		cause_len = name_len;
	}
	/* Already done with the same action: nothing to ask (the common case
	 * for a name queried again in the moments before its zone exists). */
	pthread_rwlock_rdlock(&z->installed_lock);
	e = installed_find(z, name, name_len);
	known = e && e->action == action;
	pthread_rwlock_unlock(&z->installed_lock);
	if(known)
		return 1;
	make_req(&req, name, name_len, cause, cause_len, action, list, score,
		reason);
	/* max-blocked-aliases 0: no alias gets a zone (it would be added and
	 * dropped again at once). The caller keeps its answer out of the
	 * cache; what an earlier link of its chain left there goes now (at
	 * moddone all of it is there), so that its next query is a cache
	 * miss, which the module path blocks again. Monitor mode only
	 * observes: the answer passes and stays. */
	if(z->fe->cfg.max_blocked_aliases == 0 && is_alias(&req)) {
		if(action != FG_ACTION_LOG && env && env->rrset_cache)
			drop_from_cache(env, &req);
		return 0;
	}
	/* On a worker thread the local zones are safe to change right away, so
	 * the very next query (other threads' included) meets the zone. If
	 * another worker is applying, leave it to the next tick. */
	if(worker && worker->daemon && worker->daemon->local_zones &&
		pthread_mutex_trylock(&z->apply_lock) == 0) {
		apply(z, env, worker->daemon->local_zones, &req);
		pthread_mutex_unlock(&z->apply_lock);
		return 1;
	}
	pthread_mutex_lock(&z->pending_lock);
	if(z->n_pending < ZONES_PENDING_MAX)
		z->pending[z->n_pending++] = req;
	else
		z->dropped++;
	pthread_mutex_unlock(&z->pending_lock);
	return 1;
}

static void keep_backed(struct fluxguard_zones* z, struct module_env* env,
	struct local_zones* zones, const char* why);

/** Apply one journal entry; apply_lock held. */
static void
apply_journal(struct fluxguard_zones* z, struct module_env* env,
	struct local_zones* zones, const struct fg_journal_entry* je)
{
	struct fluxguard_env* fe = z->fe;
	struct fg_record_view rec;
	struct zone_entry req;
	char reason[96];
	switch(je->op) {
	case FG_JOURNAL_FLAG:
		if(!fg_tracker_lookup(fe->engine.tracker, je->name, (uint64_t)*env->now,
			&rec) || rec.verdict != FG_VERDICT_FLAGGED)
			return; /* unflagged again since */
		fg_judge_score_reason(rec.score, reason, sizeof(reason));
		make_req(&req, je->name, je->name_len, je->name, je->name_len,
			fe->cfg.action, FG_LIST_NONE, rec.score, reason);
		apply(z, env, zones, &req);
		return;
	case FG_JOURNAL_DENY:
		make_req(&req, je->name, je->name_len, je->name, je->name_len,
			fe->cfg.deny_action, FG_LIST_DENY, 0, "deny list (operator)");
		apply(z, env, zones, &req);
		return;
	case FG_JOURNAL_ALLOW:
		release(z, zones, je->name, "allowed by an operator");
		return;
	case FG_JOURNAL_UNFLAG:
		release(z, zones, je->name, "unflagged by an operator");
		return;
	case FG_JOURNAL_FORGET:
		release(z, zones, je->name, "forgotten by an operator");
		return;
	case FG_JOURNAL_FLUSH:
		/* a flush keeps the operator's decisions (unless --all, which
		 * took them from the tracker): what they back stays blocked */
		keep_backed(z, env, zones, "tracker flushed by an operator");
		return;
	case FG_JOURNAL_DECISIONS:
		fluxguard_reload_lists(fe);
		keep_backed(z, env, zones, "allowed by an operator");
		return;
	default:
		return;
	}
}

/** Keep only the zones the lists and the tracker still back (a denied
 * cause, or one the tracker holds flagged or denied); apply_lock held. */
static void
keep_backed(struct fluxguard_zones* z, struct module_env* env,
	struct local_zones* zones, const char* why)
{
	const struct fg_policy* policy = __atomic_load_n(&z->fe->engine.policy,
		__ATOMIC_ACQUIRE);
	size_t b;
	for(b = 0; b < ZONES_BUCKETS; b++) {
		struct zone_entry* e = z->installed[b];
		while(e) {
			struct fg_record_view rec;
			uint8_t name[FG_NAME_MAX_WIRE];
			if(fg_policy_match_name(policy, e->cause) == FG_LIST_DENY ||
				(z->fe->engine.tracker &&
				fg_tracker_lookup(z->fe->engine.tracker, e->cause,
				(uint64_t)*env->now, &rec) &&
				(rec.verdict == FG_VERDICT_FLAGGED ||
				rec.verdict == FG_VERDICT_DENIED))) {
				e = e->next;
				continue;
			}
			/* release frees e and the zones of its aliases, which
			 * may include any entry after it: compare against a
			 * copy, and walk the bucket again from its head */
			memcpy(name, e->name, e->len);
			release(z, zones, name, why);
			e = z->installed[b];
		}
	}
}

/** After falling a ring behind: keep only the zones the tracker still
 * backs; apply_lock held. */
static void
resync(struct fluxguard_zones* z, struct module_env* env,
	struct local_zones* zones)
{
	log_warn("fluxguard: fell behind the tracker's journal; re-checking "
		"every blocked name against the tracker");
	keep_backed(z, env, zones, "no longer flagged");
}

/** Seconds an entry may stay "being written" before it counts as abandoned:
 * a writer fills one in microseconds. */
#define ZONES_WRITING_GIVE_UP 2

/** Follow the journal from where this process left it; apply_lock held. */
static void
follow_journal(struct fluxguard_zones* z, struct module_env* env,
	struct local_zones* zones)
{
	uint64_t head;
	int n = 0;
	if(!z->fe->engine.tracker)
		return; /* lists only: no journal to follow */
	head = fg_tracker_journal_head(z->fe->engine.tracker);
	while(z->journal_seq < head && n++ < ZONES_JOURNAL_BATCH) {
		struct fg_journal_entry je;
		int r = fg_tracker_journal_read(z->fe->engine.tracker, z->journal_seq + 1,
			&je);
		if(r == 0) {
			/* being written: next tick, unless its writer is gone */
			if(z->writing_seq != z->journal_seq + 1) {
				z->writing_seq = z->journal_seq + 1;
				z->writing_since = *env->now;
				return;
			}
			if(*env->now - z->writing_since < ZONES_WRITING_GIVE_UP)
				return;
			log_warn("fluxguard: journal entry %llu was never "
				"completed (its writer died?); re-checking every "
				"blocked name instead", (unsigned long long)
				z->writing_seq);
			resync(z, env, zones);
			z->journal_seq++;
			continue;
		}
		if(r < 0) {
			resync(z, env, zones);
			z->journal_seq = head;
			return;
		}
		apply_journal(z, env, zones, &je);
		z->journal_seq++;
	}
}

/** The timer: apply what is pending and what the journal says. Runs on a
 * worker thread. */
static void
zones_tick(int fd, short bits, void* arg)
{
	struct zones_worker* w = arg;
	struct fluxguard_zones* z = w->z;
	struct worker* worker = w->env->worker;
	struct local_zones* zones;
	static __thread struct zone_entry batch[64];
	size_t n, i;
	(void)fd;
	(void)bits;
	if(!worker || !worker->daemon || !worker->daemon->local_zones)
		return;
	zones = worker->daemon->local_zones;
	if(pthread_mutex_trylock(&z->apply_lock) != 0)
		return; /* another worker is applying */
	do {
		pthread_mutex_lock(&z->pending_lock);
		n = z->n_pending < 64 ? z->n_pending : 64;
		memcpy(batch, &z->pending[z->n_pending - n], n * sizeof(batch[0]));
		z->n_pending -= n;
		if(z->dropped) {
			log_warn("fluxguard: %u zone requests dropped (more than %d "
				"in %d ms); they are requested again on the next cache miss",
				(unsigned)z->dropped, ZONES_PENDING_MAX,
				FLUXGUARD_ZONES_TICK_MS);
			z->dropped = 0;
		}
		pthread_mutex_unlock(&z->pending_lock);
		for(i = 0; i < n; i++)
			apply(z, w->env, zones, &batch[i]);
	} while(n == 64);
	follow_journal(z, w->env, zones);
	pthread_mutex_unlock(&z->apply_lock);
}

void
fluxguard_zones_attach_worker(struct fluxguard_zones* z, struct module_env* env)
{
	static const struct timeval tick = { 0, FLUXGUARD_ZONES_TICK_MS * 1000 };
	struct timeval tv = tick;
	struct zones_worker* w;
	size_t i;
	if(!z || !env->worker_base || !env->worker)
		return;
	/* Cheap unlocked check first: a worker arms once per init. A stale
	 * read only costs a trip to the locked check below. */
	for(i = 0; i < __atomic_load_n(&z->n_workers, __ATOMIC_ACQUIRE); i++)
		if(z->workers[i].env == env)
			return;
	pthread_mutex_lock(&z->workers_lock);
	for(i = 0; i < z->n_workers; i++)
		if(z->workers[i].env == env)
			break;
	if(i == z->n_workers && z->n_workers < ZONES_WORKERS_MAX) {
		w = &z->workers[z->n_workers];
		w->z = z;
		w->env = env;
		w->ev = ub_event_new(comm_base_internal(env->worker_base), -1,
			UB_EV_TIMEOUT | UB_EV_PERSIST, zones_tick, w);
		if(!w->ev || ub_event_add(w->ev, &tv) != 0) {
			log_err("fluxguard: could not arm the zone timer of a worker");
			ub_event_free(w->ev);
			w->ev = NULL;
		} else
			__atomic_store_n(&z->n_workers, z->n_workers + 1,
				__ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&z->workers_lock);
}

int
fluxguard_zones_lookup(struct fluxguard_zones* z, const uint8_t* qname,
	int log_only, struct fluxguard_zone_hit* hit)
{
	size_t len = fg_name_wire_len(qname, FG_NAME_MAX_WIRE);
	uint8_t lower[FG_NAME_MAX_WIRE];
	const uint8_t* p = lower;
	int found = 0;
	if(!z || !len || __atomic_load_n(&z->n_installed, __ATOMIC_RELAXED) == 0)
		return 0;
	/* asked on every cache hit in monitor mode: no lock unless the
	 * filter says a log-only entry may cover the name */
	if(log_only && !log_filter_may_hold(z, qname, len))
		return 0;
	memcpy(lower, qname, len);
	fg_name_lower(lower);
	pthread_rwlock_rdlock(&z->installed_lock);
	/* the zone covers the name and everything below it */
	for(;;) {
		size_t plen = len - (size_t)(p - lower);
		struct zone_entry* e = installed_find(z, p, plen);
		if(e && (e->action == FG_ACTION_LOG) == (log_only != 0)) {
			hit->action = e->action;
			hit->list = e->list;
			memcpy(hit->cause, e->cause, e->cause_len);
			hit->score = e->score;
			snprintf(hit->reason, sizeof(hit->reason), "%s", e->reason);
			found = 1;
			break;
		}
		if(*p == 0)
			break;
		p += 1 + *p;
	}
	pthread_rwlock_unlock(&z->installed_lock);
	return found;
}

size_t
fluxguard_zones_mem(struct fluxguard_zones* z)
{
	size_t n;
	if(!z)
		return 0;
	pthread_rwlock_rdlock(&z->installed_lock);
	n = z->n_installed;
	pthread_rwlock_unlock(&z->installed_lock);
	return sizeof(*z) + n * sizeof(struct zone_entry);
}
