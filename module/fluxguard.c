/**
 * \file
 * fluxguard's Unbound entry points: the six functions Unbound's dynlib module
 * looks up (init, deinit, operate, inform_super, clear, get_mem). They adapt
 * Unbound's structs to the core library and keep per-process state in the
 * dynlib env's dyn_env slot (struct fluxguard_env, module/fluxguard_internal.h),
 * because `unbound-control reload` dlcloses the plugin and wipes any static
 * state.
 *
 * A query's walk: on the way down (module_event_new) a deny-listed name is
 * answered at once, without asking upstream. Every upstream response
 * the iterator receives passes fluxguard_on_upstream_response, which records it
 * through the detector. On the way back (module_event_moddone) the final
 * answer's names (query name, CNAME chain, address owners) are judged again
 * and a blocked answer is replaced; a local zone is requested so that Unbound's
 * cache, which answers before any module, cannot serve the name either.
 *
 * Failure policy: a bad config file stops Unbound from starting (init returns
 * 0 with a FILE:LINE message). Anything else that fails (the segment, a
 * database) is logged once and fluxguard passes every query through unchanged.
 */
#include "config.h"
#include "util/module.h"
#include "util/log.h"
#include "util/config_file.h"
#include "util/data/msgreply.h"
#include "services/cache/dns.h"
#include "services/mesh.h"
#include "dynlibmod/dynlibmod.h"

#include "fluxguard_internal.h"
#include "fluxguard/conffile.h"
#include "fluxguard/counters.h"
#include "fluxguard/eventlog.h"
#include "fluxguard/geo.h"
#include "fluxguard/judge.h"
#include "fluxguard/log.h"
#include "fluxguard/policy.h"
#include "fluxguard/tracker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef FG_EXPECT_UNBOUND_PACKAGE_STRING
/** The Unbound we were compiled against; its config.h defines PACKAGE_STRING. */
#define FG_EXPECT_UNBOUND_PACKAGE_STRING PACKAGE_STRING
#endif

/** Marks the six entry points as the only exported symbols. */
#define FG_EXPORT __attribute__((visibility("default")))

/** Route the core library's log lines into Unbound's log. */
static void
log_to_unbound(enum fg_log_level level, const char* msg)
{
	switch(level) {
	case FG_LOG_ERR:
		log_err("fluxguard: %s", msg);
		break;
	case FG_LOG_WARN:
		log_warn("fluxguard: %s", msg);
		break;
	case FG_LOG_INFO:
		verbose(VERB_OPS, "fluxguard: %s", msg);
		break;
	case FG_LOG_DEBUG:
	default:
		verbose(VERB_ALGO, "fluxguard: %s", msg);
		break;
	}
}

FG_EXPORT int init(struct module_env* env, int id);
FG_EXPORT void deinit(struct module_env* env, int id);
FG_EXPORT void operate(struct module_qstate* qstate, enum module_ev event, int id,
	struct outbound_entry* entry);
FG_EXPORT void inform_super(struct module_qstate* qstate, int id,
	struct module_qstate* super);
FG_EXPORT void clear(struct module_qstate* qstate, int id);
FG_EXPORT size_t get_mem(struct module_env* env, int id);

/**
 * The config file Unbound was started with: its -c argument, read from
 * /proc/self/cmdline (Unbound's parsed config does not keep the name), else
 * the CONFIGFILE it was built with. \return 1 if it came from -c.
 */
static int
unbound_conf_file(char* file, size_t len)
{
	char args[8192];
	size_t n = 0, i;
	FILE* f = fopen("/proc/self/cmdline", "r");
	snprintf(file, len, "%s", CONFIGFILE);
	if(!f)
		return 0; /* in a chroot without /proc: the built-in name */
	n = fread(args, 1, sizeof(args) - 1, f);
	fclose(f);
	args[n] = 0;
	/* NUL-separated arguments; -c FILE or -cFILE, the last one wins as
	 * in Unbound's getopt */
	for(i = 0; i < n; i += strlen(args + i) + 1) {
		const char* a = args + i;
		if(strncmp(a, "-c", 2) != 0)
			continue;
		if(a[2])
			snprintf(file, len, "%s", a + 2);
		else if(i + 3 < n)
			snprintf(file, len, "%s", a + 3);
	}
	return strcmp(file, CONFIGFILE) != 0;
}

/**
 * Directory of the config file Unbound was started with, as seen from
 * inside the chroot: fluxguard.conf is looked for next to it. Modules start
 * after chroot, so a chroot prefix is stripped as Unbound does for its own
 * files.
 */
static void
unbound_conf_dir(struct module_env* env, char* dir, size_t len)
{
	char name[1000];
	const char* file = name;
	const char* chroot = env->cfg ? env->cfg->chrootdir : NULL;
	char* slash;
	(void)unbound_conf_file(name, sizeof(name));
	if(chroot && chroot[0] && strncmp(file, chroot, strlen(chroot)) == 0)
		file += strlen(chroot);
	snprintf(dir, len, "%s", file);
	slash = strrchr(dir, '/');
	if(slash && slash != dir)
		*slash = 0;
	else if(slash)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "."); /* a relative -c: Unbound's own cwd */
}

/** The environment variable that keeps this process's last good
 * configuration across reloads (dlclose wipes everything of the module's
 * own; the environment is the process's). */
#define FG_LAST_GOOD_ENV "FLUXGUARD_LAST_GOOD_CONFIG"

/** Keep the configuration in force as this process's last good one. */
static void
remember_good_config(struct fluxguard_env* fe)
{
	char* text = NULL;
	size_t len = 0;
	FILE* f = open_memstream(&text, &len);
	if(!f)
		return;
	fg_conf_print(f, &fe->cfg);
	if(fclose(f) == 0 && text && setenv(FG_LAST_GOOD_ENV, text, 1) != 0)
		log_warn("fluxguard: cannot keep the configuration for reloads: "
			"%s", strerror(errno));
	free(text);
}

/** Read the config file and the lists; errors are logged and the last one
 * left in \p err. \return 0 on an error. */
static int
load_config_file(struct fluxguard_env* fe, struct module_env* env, char* err,
	size_t errlen)
{
	char dir[1024];
	fg_conf_defaults(&fe->cfg);
	unbound_conf_dir(env, dir, sizeof(dir));
	if(!fg_conf_locate(dir, fe->conf_path, sizeof(fe->conf_path), err,
		errlen)) {
		log_err("fluxguard: %s", err);
		return 0;
	}
	if(fe->conf_path[0] && !fg_conf_load(fe->conf_path, &fe->cfg, err,
		errlen)) {
		log_err("fluxguard: %s", err);
		return 0;
	}
	if(!fg_engine_load_lists(&fe->engine, &fe->cfg, err, errlen)) {
		log_err("fluxguard: %s", err);
		fg_conf_free(&fe->cfg);
		return 0;
	}
	return 1;
}

/**
 * Read the config. On an error at a reload (this process ran fluxguard
 * with a good configuration before) keep running on that one, with the
 * lists re-read: a typo must not take the resolver down. At start there is
 * none, and the error stops Unbound, as its own config errors do.
 * \return 0 (with the message logged) to stop Unbound's start.
 */
static int
load_config(struct fluxguard_env* fe, struct module_env* env)
{
	const char* last = getenv(FG_LAST_GOOD_ENV);
	char err[1200], why[1024];
	if(load_config_file(fe, env, why, sizeof(why))) {
		remember_good_config(fe);
		return 1;
	}
	if(!last) {
		log_err("fluxguard: not starting: fix the configuration above "
			"(fluxguard-control check-config FILE checks it); at a "
			"reload fluxguard keeps its last good configuration, at a "
			"start it has none");
		return 0;
	}
	log_err("fluxguard: the configuration above has errors: keeping the "
		"last good configuration of this process (lists re-read) until "
		"a reload with a good one");
	snprintf(fe->conf_path, sizeof(fe->conf_path), "(last good "
		"configuration of pid %d)", (int)getpid());
	if(!fg_conf_load_text(fe->conf_path, last, &fe->cfg, err,
		sizeof(err)) || !fg_engine_load_lists(&fe->engine, &fe->cfg, err,
		sizeof(err))) {
		/* a list file vanished since: go on with what loads */
		log_err("fluxguard: %s", err);
		if(!fe->engine.policy && !(fe->engine.policy =
			fg_policy_create())) {
			log_err("fluxguard: out of memory");
			return 0;
		}
	}
	snprintf(err, sizeof(err), "configuration: %s", why);
	fg_engine_note_degraded(&fe->engine, FG_DEGRADED_CONFIG, err);
	return 1;
}

/**
 * Open the databases and the tracker. A part that cannot be opened is left
 * out and said once, here; the lists keep deciding in any case.
 */
static void
open_resources(struct fluxguard_env* fe)
{
	char err[1024];
	if(fg_engine_open(&fe->engine, &fe->cfg, NULL, err, sizeof(err)))
		return;
	(void)err; /* each part is said below, the reasons after them */
	if(fe->engine.degraded & FG_DEGRADED_GEO)
		log_err("fluxguard: running without ASNs and countries (ASN and "
			"country list entries cannot match, scores use address "
			"blocks) until the next reload");
	if(fe->engine.degraded & FG_DEGRADED_TRACKER)
		log_err("fluxguard: running on the allow and deny lists only (no "
			"recording, no scores, no counters) until the next reload");
	log_err("fluxguard: degraded: %s", fe->engine.degraded_why);
}

/** The counter of an action. */
static unsigned
action_counter(int action)
{
	switch(action) {
	case FG_ACTION_REFUSE: return FG_CTR_ACTION_REFUSE;
	case FG_ACTION_NXDOMAIN: return FG_CTR_ACTION_NXDOMAIN;
	case FG_ACTION_NODATA: return FG_CTR_ACTION_NODATA;
	case FG_ACTION_REDIRECT: return FG_CTR_ACTION_REDIRECT;
	default: return FG_CTR_ACTION_LOG;
	}
}

/**
 * Report a query answered because of fluxguard zone entry \p hit: count it,
 * add the EDE if \p opt_list_out is given (Unbound attaches none to
 * local-zone answers), and write its event with the client. A block by
 * score says the deciding name's score as the tracker holds it now, as the
 * module path does, so that an alias and its target, and both paths, show
 * the same score.
 */
static void
report_zone_hit(struct fluxguard_env* fe, const struct query_info* qinfo,
	struct fluxguard_zone_hit* hit, uint64_t now,
	struct edns_option** opt_list_out, struct regional* region,
	struct comm_reply* repinfo)
{
	struct fluxguard_blocked q;
	char text[160];
	enum fg_verdict verdict;
	float score;
	int ede = fe->ede && region && opt_list_out;
	fluxguard_count(fe, action_counter(hit->action));
	/* the text only when the score moved since the zone was added: a
	 * double's formatting costs more than the peek; and no peek when
	 * neither an EDE nor an event will carry the text */
	if((ede || fe->events) && hit->list != FG_LIST_DENY &&
		fg_tracker_peek(fe->engine.tracker,
		hit->cause, now, &verdict, &score) &&
		verdict == FG_VERDICT_FLAGGED && (double)score != hit->score) {
		hit->score = score;
		fg_judge_score_reason(score, hit->reason, sizeof(hit->reason));
	}
	if(ede) {
		snprintf(text, sizeof(text), "fluxguard: %s", hit->reason);
		(void)edns_opt_list_append_ede(opt_list_out, region,
			LDNS_EDE_BLOCKED, text);
	}
	q.qname = qinfo->qname;
	q.qtype = qinfo->qtype;
	q.action = hit->action;
	q.list = hit->list;
	q.score = hit->score;
	q.decided_by = hit->cause;
	q.reason = hit->reason;
	fluxguard_event_blocked(fe, &q, repinfo);
}

/** When the callback's answer was made, for the tracker's window. */
static uint64_t
answer_time(const struct timeval* start_time)
{
	return start_time ? (uint64_t)start_time->tv_sec : (uint64_t)time(NULL);
}

/** An answer the worker made without the module: report it if a fluxguard
 * entry covers \p name, the query name or a name of its answer (\p
 * log_only: a log-only one). \return 1 if reported. */
static int
report_worker_answer(void* cb_arg, const struct query_info* qinfo,
	const uint8_t* name, int log_only, const struct timeval* start_time,
	struct edns_option** opt_list_out, struct regional* region,
	struct comm_reply* repinfo)
{
	struct fluxguard_env* fe = cb_arg;
	struct fluxguard_zone_hit hit;
	if(!fe || !fe->zones || !qinfo || !name ||
		!fluxguard_zones_lookup(fe->zones, name, log_only, &hit))
		return 0;
	report_zone_hit(fe, qinfo, &hit, answer_time(start_time), opt_list_out,
		region, repinfo);
	return 1;
}

/** A local-zone answer: report it (with the EDE) if a fluxguard zone made
 * it. */
static int
on_local_reply(struct query_info* qinfo, struct module_qstate* qstate,
	struct reply_info* rep, int rcode, struct edns_data* edns,
	struct edns_option** opt_list_out, struct comm_reply* repinfo,
	struct regional* region, struct timeval* start_time, int id, void* cb_arg)
{
	(void)qstate; (void)rep; (void)rcode; (void)edns; (void)id;
	(void)report_worker_answer(cb_arg, qinfo, qinfo ? qinfo->qname : NULL,
		0, start_time, opt_list_out, region, repinfo);
	return 1;
}

/**
 * An answer from Unbound's cache, in monitor mode (action log) only: no
 * zone stands in front of the cache there, so a flagged name's cache hits
 * are reported as would-block here, as its cache misses are on the module
 * path. An alias cached before its target was flagged is caught by the
 * names of its answer (its CNAME chain), as the module path judges it.
 * Registered only when action or deny-action is log: blocking actions have
 * zones that answer before the cache. The answer passes unchanged: no EDE.
 */
static int
on_cache_reply(struct query_info* qinfo, struct module_qstate* qstate,
	struct reply_info* rep, int rcode, struct edns_data* edns,
	struct edns_option** opt_list_out, struct comm_reply* repinfo,
	struct regional* region, struct timeval* start_time, int id, void* cb_arg)
{
	size_t i;
	(void)qstate; (void)rcode; (void)edns; (void)id;
	(void)opt_list_out; (void)region;
	if(!qinfo || report_worker_answer(cb_arg, qinfo, qinfo->qname, 1,
		start_time, NULL, NULL, repinfo) || !rep)
		return 1;
	/* the worker holds these RRsets locked for reading while it answers */
	for(i = 0; i < rep->an_numrrsets && i < rep->rrset_count; i++)
		if(rep->rrsets[i] && rep->rrsets[i]->rk.dname &&
			report_worker_answer(cb_arg, qinfo, rep->rrsets[i]->rk.dname,
			1, start_time, NULL, NULL, repinfo))
			break;
	return 1;
}

/** The identity events carry: Unbound's identity:, else the host name, as
 * Unbound answers id.server. */
static void
set_identity(struct fluxguard_env* fe, struct module_env* env)
{
	const char* id = env->cfg ? env->cfg->identity : NULL;
	if(id && *id) {
		snprintf(fe->identity, sizeof(fe->identity), "%s", id);
		return;
	}
	if(gethostname(fe->identity, sizeof(fe->identity) - 1) != 0)
		fe->identity[0] = 0;
	fe->identity[sizeof(fe->identity) - 1] = 0;
}

/** What the database of \p kind is, for the start-up line: its file, build
 * time and type; "PATH (not open)" when it is configured but the geo did not
 * open (the error is logged); "none" when it is not configured. */
static void
describe_db(struct fluxguard_env* fe, enum fg_geo_kind kind, char* buf,
	size_t len)
{
	const char* path = kind == FG_GEO_ASN ? fe->cfg.asn_db :
		fe->cfg.country_db;
	if(fg_geo_db_describe(fe->engine.geo, kind, buf, len))
		return;
	if(path && *path)
		snprintf(buf, len, "%s (not open)", path);
	else
		snprintf(buf, len, "none");
}

/** The geo-max-age check: one warning per open database that is older. */
static void
warn_old_databases(struct fluxguard_env* fe)
{
	char msg[1024];
	int k;
	for(k = FG_GEO_ASN; k <= FG_GEO_COUNTRY; k++)
		if(fg_geo_age_warning(fe->engine.geo, (enum fg_geo_kind)k,
			fe->cfg.geo_max_age, time(NULL), msg, sizeof(msg)))
			log_warn("fluxguard: %s", msg);
}

/**
 * Publish the config in force to the segment, for fluxguard-control status:
 * first comment lines naming the config file, the health, and the databases
 * in use with their build times (status cannot open them itself: their paths
 * may lie inside Unbound's chroot, and the files may have been replaced
 * since), then the config. The comments come first so that a long config,
 * cut to the segment's room, never loses them.
 */
static void
publish_config(struct fluxguard_env* fe)
{
	char* text = NULL;
	char db[1200];
	size_t len = 0;
	int k;
	FILE* f = open_memstream(&text, &len);
	if(!f)
		return;
	fprintf(f, "# %s\n", fe->conf_path[0] ? fe->conf_path :
		"(embedded defaults)");
	/* status shows the health with the config in force */
	if(fe->engine.degraded) {
		const char* p = fe->engine.degraded_why;
		fprintf(f, "# health: degraded%s\n", fe->engine.degraded &
			FG_DEGRADED_CONFIG ? " (the last good configuration is "
			"in force: the file has errors)" : "");
		while(*p) {
			size_t n = strcspn(p, "\n");
			fprintf(f, "# degraded: %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
	} else
		fprintf(f, "# health: ok\n");
	for(k = FG_GEO_ASN; k <= FG_GEO_COUNTRY; k++)
		if(fg_geo_db_describe(fe->engine.geo, (enum fg_geo_kind)k, db,
			sizeof(db)))
			fprintf(f, "# %s in use: %s\n",
				fg_geo_kind_option((enum fg_geo_kind)k), db);
	fg_conf_print(f, &fe->cfg);
	if(fclose(f) == 0 && text)
		fg_tracker_publish_config(fe->engine.tracker, (int64_t)getpid(),
			(uint64_t)time(NULL), text);
	free(text);
}

/** Lists replaced at run time, kept until deinit. */
struct fluxguard_retired {
	/** the replaced lists */
	struct fg_policy* policy;
	/** the next older ones */
	struct fluxguard_retired* next;
};

void
fluxguard_reload_lists(struct fluxguard_env* fe)
{
	struct fg_engine fresh;
	struct fluxguard_retired* r;
	char err[1024];
	memset(&fresh, 0, sizeof(fresh));
	r = calloc(1, sizeof(*r));
	if(!r || !fg_engine_load_lists(&fresh, &fe->cfg, err, sizeof(err))) {
		log_err("fluxguard: the operator's decisions changed, but the "
			"lists did not load (%s); the lists in force stay",
			r ? err : "out of memory");
		free(r);
		return;
	}
	r->policy = fe->engine.policy;
	r->next = fe->retired;
	fe->retired = r;
	/* readers load the pointer once per decision; the old lists stay
	 * valid for whoever still reads them */
	__atomic_store_n(&fe->engine.detector.policy, fresh.policy,
		__ATOMIC_RELEASE);
	__atomic_store_n(&fe->engine.policy, fresh.policy, __ATOMIC_RELEASE);
	log_info("fluxguard: lists re-read: the operator's decisions changed");
}

/** Free everything in \p fe and \p fe itself. */
static void
env_delete(struct fluxguard_env* fe)
{
	if(!fe)
		return;
	while(fe->retired) {
		struct fluxguard_retired* r = fe->retired;
		fe->retired = r->next;
		fg_policy_delete(r->policy);
		free(r);
	}
	fluxguard_zones_delete(fe->zones);
	fg_eventlog_close(fe->events);
	fg_engine_close(&fe->engine);
	fg_conf_free(&fe->cfg);
	free(fe);
}

int
init(struct module_env* env, int id)
{
	struct dynlibmod_env* de = env->modinfo[id];
	struct fluxguard_env* fe;
	char asn_db[1200], country_db[1200];

	fg_log_set_sink(log_to_unbound);
	if(!fluxguard_unbound_version_matches(FG_EXPECT_UNBOUND_PACKAGE_STRING)) {
		log_err("fluxguard: built for %s but loaded into a different Unbound; "
			"refusing to initialise (rebuild fluxguard against this Unbound's "
			"configured source tree)", FG_EXPECT_UNBOUND_PACKAGE_STRING);
		return 0;
	}
	fe = calloc(1, sizeof(*fe));
	if(!fe) {
		log_err("fluxguard: out of memory in init");
		return 0;
	}
	if(!load_config(fe, env)) {
		env_delete(fe);
		return 0;
	}
	fe->ede = env->cfg ? env->cfg->ede : 0;
	open_resources(fe);
	set_identity(fe, env);
	if(fe->cfg.event_log) {
		struct fg_eventlog_params ep;
		char err[1024];
		ep.path = fe->cfg.event_log;
		ep.rate = fe->cfg.event_rate;
		ep.identity = fe->identity;
		/* the event log is a copy for a SIEM: without it, keep protecting */
		fe->events = fg_eventlog_open(&ep, err, sizeof(err));
		if(!fe->events)
			log_err("fluxguard: %s; decisions go to Unbound's log only", err);
	}
	if(fe->engine.tracker)
		publish_config(fe);
	fe->zones = fluxguard_zones_create(fe);
	if((fe->engine.tracker && !de->inplace_cb_register_wrapped(
		(void*)&fluxguard_on_upstream_response, inplace_cb_query_response,
		fe, env, id)) || !de->inplace_cb_register_wrapped(
		(void*)&on_local_reply, inplace_cb_reply_local, fe, env, id) ||
		((fe->cfg.action == FG_ACTION_LOG ||
		fe->cfg.deny_action == FG_ACTION_LOG) &&
		!de->inplace_cb_register_wrapped(
		(void*)&on_cache_reply, inplace_cb_reply_cache, fe, env, id))) {
		log_err("fluxguard: could not register with Unbound's inplace "
			"callbacks; nothing is recorded, the lists still decide");
		if(fe->engine.tracker)
			fg_tracker_close(fe->engine.tracker);
		fe->engine.tracker = NULL;
		fe->engine.detector.tracker = NULL;
	}
	de->dyn_env = fe;
	describe_db(fe, FG_GEO_ASN, asn_db, sizeof(asn_db));
	describe_db(fe, FG_GEO_COUNTRY, country_db, sizeof(country_db));
	log_info("fluxguard: initialised (built for %s), config %s, segment %s "
		"(%s), action %s, threshold %.1f, asn-db %s, country-db %s, %s",
		FG_EXPECT_UNBOUND_PACKAGE_STRING,
		fe->conf_path[0] ? fe->conf_path : "(embedded defaults)",
		fe->cfg.segment, !fe->engine.tracker ? "not open" :
		fg_tracker_huge_pages(fe->engine.tracker) ? "2 MiB pages" :
		"4 KiB pages", fg_action_name(fe->cfg.action),
		fe->cfg.score.threshold, asn_db, country_db,
		fe->engine.degraded ? "degraded" : "healthy");
	warn_old_databases(fe);
	return 1;
}

void
deinit(struct module_env* env, int id)
{
	struct dynlibmod_env* de = env->modinfo[id];
	if(!de)
		return;
	if(de->dyn_env) {
		/* Unregistering a list we never registered is harmless. */
		de->inplace_cb_delete_wrapped(env, inplace_cb_query_response, id);
		de->inplace_cb_delete_wrapped(env, inplace_cb_reply_local, id);
		de->inplace_cb_delete_wrapped(env, inplace_cb_reply_cache, id);
	}
	env_delete(de->dyn_env);
	de->dyn_env = NULL;
	fg_log_set_sink(NULL);
}

/**
 * Report a blocked query to the event log: one event per client waiting
 * for this answer (Unbound joins identical queries into one), none named
 * when nobody waits (a prefetch).
 */
static void
report_blocked(struct fluxguard_env* fe, struct module_qstate* qstate,
	const struct fg_judgement* b)
{
	struct fluxguard_blocked q;
	struct mesh_reply* r;
	if(!fe->events)
		return;
	q.qname = qstate->qinfo.qname;
	q.qtype = qstate->qinfo.qtype;
	q.action = b->action;
	q.list = b->list;
	q.score = b->score;
	q.decided_by = b->name_len ? b->name : NULL;
	q.reason = b->reason;
	r = qstate->mesh_info ? qstate->mesh_info->reply_list : NULL;
	if(!r)
		fluxguard_event_blocked(fe, &q, NULL);
	for(; r; r = r->next)
		fluxguard_event_blocked(fe, &q, &r->query_reply);
}

/**
 * A query blocked because of another name (the end of its CNAME chain):
 * note that name in the query name's tracker record, so that
 * `fluxguard-control show ALIAS` can say what the alias follows. Once per
 * alias in the common case: afterwards its local zone answers.
 */
static void
note_cause(struct fluxguard_env* fe, struct module_qstate* qstate,
	const struct fg_judgement* b)
{
	if(!fe->engine.tracker || !b->name_len ||
		fg_name_equal(b->name, qstate->qinfo.qname))
		return;
	(void)fg_tracker_set_cause(fe->engine.tracker, qstate->qinfo.qname,
		(uint64_t)*qstate->env->now, b->name);
}

/** Answer a blocked query, count it, report it and request its local zone. */
static void
block(struct fluxguard_env* fe, struct module_qstate* qstate, int id,
	const struct fg_judgement* b)
{
	if(b->list == FG_LIST_DENY)
		fluxguard_count(fe, FG_CTR_LIST_DENY_HITS);
	note_cause(fe, qstate, b);
	if(b->action == FG_ACTION_LOG) {
		/* monitor mode: the answer passes (would-block); the enforcer
		 * logs it once */
		fluxguard_count(fe, FG_CTR_ACTION_LOG);
		report_blocked(fe, qstate, b);
		(void)fluxguard_zones_request(fe->zones, qstate->env, qstate->qinfo.qname,
			qstate->qinfo.qname_len, b->name, b->name_len, b->action,
			b->list, b->score, b->reason);
		return;
	}
	if(fluxguard_apply_block(fe, qstate, b)) {
		fluxguard_count(fe, action_counter(b->action));
		report_blocked(fe, qstate, b);
		(void)fluxguard_zones_request(fe->zones, qstate->env, qstate->qinfo.qname,
			qstate->qinfo.qname_len, b->name, b->name_len, b->action,
			b->list, b->score, b->reason);
		qstate->ext_state[id] = module_finished;
	} else {
		fluxguard_count(fe, FG_CTR_ERRORS);
	}
}

void
operate(struct module_qstate* qstate, enum module_ev event, int id,
	struct outbound_entry* entry)
{
	struct dynlibmod_env* de = qstate->env->modinfo[id];
	struct fluxguard_env* fe = de ? de->dyn_env : NULL;
	struct fg_judgement b;
	struct fg_upstream answer;
	time_t now = *qstate->env->now;
	(void)entry;
	switch(event) {
	case module_event_new:
	case module_event_pass:
		qstate->ext_state[id] = module_wait_module;
		if(!fe)
			return;
		fluxguard_zones_attach_worker(fe->zones, qstate->env);
		/* Denied before resolving: do not even ask upstream. */
		if(fg_judge_query(&fe->engine.detector, qstate->qinfo.qname, &b))
			block(fe, qstate, id, &b);
		return;
	case module_event_moddone:
		qstate->ext_state[id] = module_finished;
		if(!fe || !qstate->return_msg)
			return;
		/* the answer in the core's neutral form, judged there */
		fluxguard_read_response(qstate->return_msg, now, &answer);
		if(fluxguard_judged_already(fe, qstate, id, &answer))
			return;
		if(fg_judge_answer(&fe->engine.detector, qstate->qinfo.qname,
			&answer, &b))
			block(fe, qstate, id, &b);
		else if(b.list == FG_LIST_ALLOW)
			fluxguard_count(fe, FG_CTR_LIST_ALLOW_HITS);
		return;
	default:
		qstate->ext_state[id] = module_error;
		return;
	}
}

void
inform_super(struct module_qstate* qstate, int id, struct module_qstate* super)
{
	/* fluxguard starts no subqueries of its own */
	(void)qstate;
	(void)id;
	(void)super;
}

void
clear(struct module_qstate* qstate, int id)
{
	/* the only per-query state, the upstream callback's note, lives in
	 * the query's region */
	qstate->minfo[id] = NULL;
}

size_t
get_mem(struct module_env* env, int id)
{
	struct dynlibmod_env* de = env->modinfo[id];
	struct fluxguard_env* fe = de ? de->dyn_env : NULL;
	if(!fe)
		return 0;
	return sizeof(*fe) + fluxguard_zones_mem(fe->zones);
}
