/**
 * \file
 * The engine: the core's parts put together from one configuration, the
 * same way for every program that judges answers (the module, the replay
 * tool): the allow and deny lists (with the embedded allow list when it is
 * on), the geo databases, the tracker and the detector over them.
 *
 * Two steps, because they fail differently in the module: a list that does
 * not load is a configuration error (Unbound must not start on it), while a
 * database or a segment that cannot be opened leaves fluxguard passing every
 * query through until the next reload.
 */
#ifndef FLUXGUARD_ENGINE_H
#define FLUXGUARD_ENGINE_H

#include <stddef.h>

#include "fluxguard/detect.h"
#include "fluxguard/options.h"
#include "fluxguard/tracker.h"

struct fg_geo;
struct fg_policy;

/** The parts, owned by the engine. Zero it before the first call. */
struct fg_engine {
	/** allow and deny lists, or NULL before fg_engine_load_lists */
	struct fg_policy* policy;
	/** geo databases, or NULL */
	struct fg_geo* geo;
	/** the tracker, or NULL before fg_engine_open succeeded */
	struct fg_tracker* tracker;
	/** the detector over them, valid once tracker is set */
	struct fg_detector detector;
};

/**
 * The tracker options a configuration asks for (segment, capacity, window,
 * mode, group, huge pages): the one place they are read from struct
 * fg_config, so a caller that overrides one (the replay tool's private
 * segment) changes only that field.
 */
void fg_tracker_options_from_config(const struct fg_config* cfg,
	struct fg_tracker_options* opts);

/**
 * Build the lists: the config's entries and list files, and the embedded
 * allow list if default-allow-list is on.
 * \return 1, or 0 with a message naming the file and line in \p err.
 */
int fg_engine_load_lists(struct fg_engine* e, const struct fg_config* cfg,
	char* err, size_t errlen);

/**
 * Open the geo databases and the tracker (with \p opts, or the config's own
 * options when NULL) and set up the detector with the config's scoring and
 * actions. Call after fg_engine_load_lists.
 * \return 1, or 0 with a message naming the file in \p err; what was opened
 *	is closed again, the lists stay.
 */
int fg_engine_open(struct fg_engine* e, const struct fg_config* cfg,
	const struct fg_tracker_options* opts, char* err, size_t errlen);

/** Close everything; \p e is zero afterwards. */
void fg_engine_close(struct fg_engine* e);

#endif /* FLUXGUARD_ENGINE_H */
