/**
 * \file
 * fluxguard's Unbound entry points: the six functions Unbound's dynlib module
 * looks up (init, deinit, operate, inform_super, clear, get_mem). They adapt
 * Unbound's structs to the core library and keep per-process state in the
 * dynlib env's dyn_env slot, because `unbound-control reload` dlcloses the
 * plugin and wipes any static state.
 *
 * Threads: init and deinit run on the main thread with no workers running;
 * operate runs on every worker thread at once.
 */
#include "config.h"
#include "util/module.h"
#include "util/log.h"
#include "dynlibmod/dynlibmod.h"

#include "fluxguard_internal.h"
#include "fluxguard/log.h"

#include <stdlib.h>

#ifndef FG_EXPECT_UNBOUND_PACKAGE_STRING
/** The Unbound we were compiled against; its config.h defines PACKAGE_STRING. */
#define FG_EXPECT_UNBOUND_PACKAGE_STRING PACKAGE_STRING
#endif

/** Marks the six entry points as the only exported symbols. */
#define FG_EXPORT __attribute__((visibility("default")))

/** Per-process module state, hung off dynlibmod_env.dyn_env. */
struct fluxguard_env {
	/** nothing yet beyond existing: the pass-through stage */
	int initialised;
};

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

int
init(struct module_env* env, int id)
{
	struct dynlibmod_env* de = env->modinfo[id];
	struct fluxguard_env* fe;

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
	fe->initialised = 1;
	de->dyn_env = fe;
	log_info("fluxguard: initialised (built for %s)", FG_EXPECT_UNBOUND_PACKAGE_STRING);
	return 1;
}

void
deinit(struct module_env* env, int id)
{
	struct dynlibmod_env* de = env->modinfo[id];
	if(!de)
		return;
	free(de->dyn_env);
	de->dyn_env = NULL;
	fg_log_set_sink(NULL);
}

void
operate(struct module_qstate* qstate, enum module_ev event, int id,
	struct outbound_entry* entry)
{
	(void)entry;
	switch(event) {
	case module_event_new:
	case module_event_pass:
		/* nothing to decide on the way down: let the next module resolve */
		qstate->ext_state[id] = module_wait_module;
		break;
	case module_event_moddone:
		qstate->ext_state[id] = module_finished;
		break;
	default:
		qstate->ext_state[id] = module_error;
		break;
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
	/* no per-query state is kept */
	(void)qstate;
	(void)id;
}

size_t
get_mem(struct module_env* env, int id)
{
	struct dynlibmod_env* de = env->modinfo[id];
	return de && de->dyn_env ? sizeof(struct fluxguard_env) : 0;
}
