/**
 * \file
 * A dynlib module that does nothing: the baseline the resolver benchmark
 * (bench/run-resolver-bench.sh) holds fluxguard against. Loading any dynlib
 * module adds a module to Unbound's stack, an indirect call per event and a
 * dlopen'ed object; this one pays exactly that and no more, so that
 * "fluxguard / pass-through" measures fluxguard's own work.
 *
 * Built against the same configured Unbound tree as module/fluxguard.c, and
 * never installed (Makefile.am, area "resolver benchmark").
 */
#include "config.h"
#include "util/module.h"
#include "dynlibmod/dynlibmod.h"

/** Marks the six entry points Unbound's dynlib module looks up. */
#define FG_BENCH_EXPORT __attribute__((visibility("default")))

FG_BENCH_EXPORT int init(struct module_env* env, int id);
FG_BENCH_EXPORT void deinit(struct module_env* env, int id);
FG_BENCH_EXPORT void operate(struct module_qstate* qstate, enum module_ev event,
	int id, struct outbound_entry* entry);
FG_BENCH_EXPORT void inform_super(struct module_qstate* qstate, int id,
	struct module_qstate* super);
FG_BENCH_EXPORT void clear(struct module_qstate* qstate, int id);
FG_BENCH_EXPORT size_t get_mem(struct module_env* env, int id);

int
init(struct module_env* env, int id)
{
	(void)env;
	(void)id;
	return 1;
}

void
deinit(struct module_env* env, int id)
{
	(void)env;
	(void)id;
}

void
operate(struct module_qstate* qstate, enum module_ev event, int id,
	struct outbound_entry* entry)
{
	(void)entry;
	switch(event) {
	case module_event_new:
	case module_event_pass:
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

/* No subqueries, no per-query state, no memory of its own. */
void inform_super(struct module_qstate* q, int id, struct module_qstate* s) { (void)q; (void)id; (void)s; }
void clear(struct module_qstate* q, int id) { (void)q; (void)id; }
size_t get_mem(struct module_env* env, int id) { (void)env; (void)id; return 0; }
