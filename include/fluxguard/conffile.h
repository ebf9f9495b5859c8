/**
 * \file
 * Reading fluxguard.conf: where it is, how it is parsed, and printing the
 * configuration in effect. The options themselves are in fluxguard/options.h.
 *
 * Syntax, in the manner of unbound.conf:
 *
 *	# a comment, to the end of the line (not inside quotes)
 *	fluxguard:
 *		threshold: 60
 *		action: "redirect"          # quotes are optional...
 *		deny-file: "/etc/unbound/deny list.txt"   # ...unless there are spaces
 *		include: "/etc/unbound/fluxguard.d/site-*.conf"
 *
 * One "name: value" per line, indentation free. Options must follow a
 * "fluxguard:" clause header. include: may stand at top level or inside the
 * clause; an included file continues in the includer's clause state (so a
 * file included inside the clause may hold bare options) and may open its own
 * "fluxguard:". A relative path (include:, *-file:, *-db:, event-log:) is
 * resolved against the directory of the file that names it. An include
 * pattern with *, ? or [ is a glob that may match nothing; a plain include
 * must exist. Includes nest at most FG_CONF_MAX_DEPTH deep and may not loop.
 *
 * Every error names the place and the option:
 *	/etc/unbound/fluxguard.conf:12: threshold: expected a number between 0 and 100, got "high"
 *
 * Where the file is (fg_conf_locate): $FLUXGUARD_CONF if it is set and not
 * empty (the file must then exist); else fluxguard.conf next to the config
 * file Unbound was started with (the module finds it: -c or CONFIGFILE), if it
 * exists; else none, and fluxguard runs on its defaults.
 * The module reads it in init, after Unbound's chroot: paths are inside the
 * chroot.
 */
#ifndef FLUXGUARD_CONFFILE_H
#define FLUXGUARD_CONFFILE_H

#include <stddef.h>
#include <stdio.h>

#include "fluxguard/options.h"

/** Environment variable naming the config file. */
#define FG_CONF_ENV "FLUXGUARD_CONF"
/** File looked for next to Unbound's config. */
#define FG_CONF_FILENAME "fluxguard.conf"
/** The operator's decisions file looked for beside the config file, when
 * decisions-file is not given. */
#define FG_CONF_DECISIONS_FILENAME "fluxguard.decisions"
/** Deepest include nesting (the main file is depth 0). */
#define FG_CONF_MAX_DEPTH 8

/**
 * Read a config file into \p cfg, which this initialises (its previous
 * contents are not freed). The configuration is complete and consistent on
 * success: cross-option checks have run and deny-action, if not given, equals
 * action.
 * \param err receives `FILE:LINE: option: what is wrong` (or `FILE: reason`
 *	when the file itself cannot be read).
 * \return 1 on success, 0 on failure; on failure \p cfg holds the defaults and
 *	owns nothing.
 */
int fg_conf_load(const char* path, struct fg_config* cfg, char* err,
	size_t errlen);

/** Receives one error message (`FILE:LINE: option: what is wrong`). */
typedef void fg_conf_report_func(const char* msg, void* arg);

/**
 * fg_conf_load for checking: every error is handed to \p report and
 * reading goes on, so that one run finds them all (an unreadable main file
 * or a cross-option error ends it). \p cfg is filled on success only.
 * \return 1 if the file has no error.
 */
int fg_conf_check(const char* path, struct fg_config* cfg,
	fg_conf_report_func* report, void* arg);

/**
 * fg_conf_load on \p text instead of a file, read as if it were a file named
 * \p name (for messages; relative paths in it are taken as they are). The
 * module reloads its last good configuration this way (fg_conf_print's
 * output).
 */
int fg_conf_load_text(const char* name, const char* text,
	struct fg_config* cfg, char* err, size_t errlen);

/**
 * Find the config file by the rule in the file comment.
 * \param unbound_dir directory of Unbound's config file, or NULL to skip that
 *	step.
 * \param path receives the file to load, or "" for none (run on defaults).
 * \param err receives why $FLUXGUARD_CONF is unusable.
 * \return 1 on success (\p path set, maybe empty), 0 if $FLUXGUARD_CONF names
 *	a file that does not exist or the name does not fit \p pathlen.
 */
int fg_conf_locate(const char* unbound_dir, char* path, size_t pathlen,
	char* err, size_t errlen);

#endif /* FLUXGUARD_CONFFILE_H */
