/**
 * \file
 * The engine (fluxguard/engine.h): lists, geo, tracker and detector from one
 * configuration.
 */
#include "fluxguard/engine.h"
#include "fluxguard/benign.h"
#include "fluxguard/geo.h"
#include "fluxguard/policy.h"

#include <stdio.h>
#include <string.h>

void
fg_tracker_options_from_config(const struct fg_config* cfg,
	struct fg_tracker_options* opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->segment = cfg->segment;
	opts->capacity = cfg->capacity;
	opts->window = cfg->window;
	opts->huge_pages = cfg->huge_pages;
	opts->mode = (mode_t)cfg->segment_mode;
	opts->group = cfg->segment_group ? cfg->segment_gid : (gid_t)-1;
}

int
fg_engine_load_lists(struct fg_engine* e, const struct fg_config* cfg,
	char* err, size_t errlen)
{
	char why[1024];
	e->policy = fg_policy_from_config(cfg, err, errlen);
	if(!e->policy)
		return 0;
	if(cfg->decisions_file && !fg_policy_load_decisions(e->policy,
		cfg->decisions_file, err, errlen)) {
		fg_policy_delete(e->policy);
		e->policy = NULL;
		return 0;
	}
	if(cfg->default_allow_list &&
		!fg_benign_add_to_policy(e->policy, why, sizeof(why))) {
		snprintf(err, errlen, "default allow list: %s", why);
		fg_policy_delete(e->policy);
		e->policy = NULL;
		return 0;
	}
	return 1;
}

void
fg_engine_note_degraded(struct fg_engine* e, unsigned part, const char* why)
{
	size_t used = strlen(e->degraded_why);
	e->degraded |= part;
	snprintf(e->degraded_why + used, sizeof(e->degraded_why) - used,
		"%s%s", used ? "\n" : "", why);
}

int
fg_engine_open(struct fg_engine* e, const struct fg_config* cfg,
	const struct fg_tracker_options* opts, char* err, size_t errlen)
{
	struct fg_tracker_options own;
	char why[1024];
	err[0] = 0;
	if(cfg->asn_db || cfg->country_db) {
		e->geo = fg_geo_create(cfg->asn_db, cfg->country_db, why,
			sizeof(why));
		if(!e->geo)
			fg_engine_note_degraded(e, FG_DEGRADED_GEO, why);
	}
	if(!opts) {
		fg_tracker_options_from_config(cfg, &own);
		opts = &own;
	}
	e->tracker = fg_tracker_open(opts, why, sizeof(why));
	if(!e->tracker)
		fg_engine_note_degraded(e, FG_DEGRADED_TRACKER, why);
	fg_detector_init_config(&e->detector, e->tracker, e->geo, e->policy,
		cfg);
	if(e->degraded & (FG_DEGRADED_GEO | FG_DEGRADED_TRACKER)) {
		snprintf(err, errlen, "%s", e->degraded_why);
		return 0;
	}
	return 1;
}

void
fg_engine_close(struct fg_engine* e)
{
	if(e->tracker)
		fg_tracker_close(e->tracker);
	fg_geo_delete(e->geo);
	fg_policy_delete(e->policy);
	memset(e, 0, sizeof(*e));
}
