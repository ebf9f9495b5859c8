/**
 * \file
 * The engine: the core's parts put together from one configuration, the
 * same way for every program that judges answers (the module, the replay
 * tool): the allow and deny lists (with the embedded allow list when it is
 * on), the geo databases, the tracker and the detector over them.
 *
 * Two steps, because they fail differently in the module: a list that does
 * not load is a configuration error, while a database or a segment that
 * cannot be opened degrades the engine part by part, never all of it: the
 * lists need neither, so deny lists keep blocking (fail-open is a decision,
 * made per part and reported, see enum fg_degraded).
 */
#ifndef FLUXGUARD_ENGINE_H
#define FLUXGUARD_ENGINE_H

#include <stddef.h>

#include "fluxguard/detect.h"
#include "fluxguard/options.h"
#include "fluxguard/tracker.h"

struct fg_geo;
struct fg_policy;

/** Parts of the engine that run degraded (bits of fg_engine.degraded). */
enum fg_degraded {
	/** a geo database could not be opened: no ASNs or countries (ASN and
	 * country list entries cannot match; the score uses stand-in blocks) */
	FG_DEGRADED_GEO = 1,
	/** the segment could not be opened: nothing is recorded or scored,
	 * only the lists decide */
	FG_DEGRADED_TRACKER = 2,
	/** the configuration did not load at a reload: the last good one of
	 * this process is in force (set by the module) */
	FG_DEGRADED_CONFIG = 4
};

/** The parts, owned by the engine. Zero it before the first call. */
struct fg_engine {
	/** allow and deny lists, or NULL before fg_engine_load_lists */
	struct fg_policy* policy;
	/** geo databases, or NULL */
	struct fg_geo* geo;
	/** the tracker, or NULL before fg_engine_open succeeded */
	struct fg_tracker* tracker;
	/** the detector over them, valid after fg_engine_open (its tracker and
	 * geo may be NULL when degraded) */
	struct fg_detector detector;
	/** enum fg_degraded bits */
	unsigned degraded;
	/** why, one line per degraded part, for logs and status */
	char degraded_why[1024];
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
 * Build the lists: the config's entries and list files, the operator's
 * decisions file, and the embedded allow list if default-allow-list is on.
 * \return 1, or 0 with a message naming the file and line in \p err.
 */
int fg_engine_load_lists(struct fg_engine* e, const struct fg_config* cfg,
	char* err, size_t errlen);

/**
 * Open the geo databases and the tracker (with \p opts, or the config's own
 * options when NULL) and set up the detector with the config's scoring and
 * actions. Call after fg_engine_load_lists. A part that cannot be opened is
 * left out, its bit set in e->degraded and its reason (naming the file)
 * appended to e->degraded_why; the detector is set up in any case.
 * \return 1 if everything opened, 0 if the engine runs degraded (\p err
 *	holds the first reason).
 */
int fg_engine_open(struct fg_engine* e, const struct fg_config* cfg,
	const struct fg_tracker_options* opts, char* err, size_t errlen);

/** Mark \p part (enum fg_degraded) degraded, with its reason. */
void fg_engine_note_degraded(struct fg_engine* e, unsigned part,
	const char* why);

/** Close everything; \p e is zero afterwards. */
void fg_engine_close(struct fg_engine* e);

#endif /* FLUXGUARD_ENGINE_H */
