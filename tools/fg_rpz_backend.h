/**
 * \file
 * fluxguard-publish's two ways to a primary: DNS UPDATE with TSIG and AXFR
 * (fg_rpz_update.c, for Knot DNS or BIND with updates), and a zone file
 * written atomically plus a reload command (fg_rpz_zonefile.c, for NSD or a
 * primary without updates). The loop that decides what to send is
 * fluxguard-publish.c; what a name's records are is core/rpz.c.
 */
#ifndef FG_RPZ_BACKEND_H
#define FG_RPZ_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/options.h"
#include "fluxguard/rpz.h"

/** One change for the update backend. */
struct fg_rpz_change {
	/** 1: remove the entry of base; 0: write entry e */
	int withdraw;
	/** the entry to write */
	struct fg_rpz_entry e;
	/** the name to withdraw, presentation form */
	char base[FG_NAME_MAX_STR];
	/** for a withdrawal: the reason line the zone must still hold (a
	 * prerequisite), "" for none */
	char why_line[1024];
};

/** What went wrong in an exchange with the primary. */
enum fg_rpz_fail {
	/** nothing */
	FG_RPZ_FAIL_NONE = 0,
	/** no answer, a refused connection, a server failure: retry */
	FG_RPZ_FAIL_NET,
	/** the primary rejected the signature or the key */
	FG_RPZ_FAIL_TSIG,
	/** a prerequisite did not hold: someone changed the entry */
	FG_RPZ_FAIL_PREREQ,
	/** the primary refused (not its zone, not allowed): retry, loudly */
	FG_RPZ_FAIL_REFUSED
};

/** A connection's settings to the primary. */
struct fg_rpz_update;

/**
 * Settings from \p cfg: rpz-primary, the TSIG key (its secret read from
 * rpz-tsig-secret-file now).
 * \return the handle, or NULL with the reason in \p err.
 */
struct fg_rpz_update* fg_rpz_update_create(const struct fg_config* cfg,
	const struct fg_rpz_params* p, char* err, size_t errlen);

/** Free \p u. */
void fg_rpz_update_delete(struct fg_rpz_update* u);

/**
 * Read the zone by AXFR into \p z (fg_rpz_zone_add per record).
 * \return 1 with the SOA serial in \p serial, 0 with \p err and \p fail set.
 */
int fg_rpz_update_read_zone(struct fg_rpz_update* u, struct fg_rpz_zone* z,
	uint32_t* serial, char* err, size_t errlen, enum fg_rpz_fail* fail);

/**
 * Send \p n changes in one UPDATE message, signed if a key is set. A
 * write is "delete every record at the entry's three owners, add its
 * records", a withdrawal the deletion alone: both are idempotent, so
 * several publishers may send the same change.
 * \return 1 if the primary applied it, 0 with \p err and \p fail set.
 */
int fg_rpz_update_send(struct fg_rpz_update* u, const struct fg_rpz_change* c,
	size_t n, char* err, size_t errlen, enum fg_rpz_fail* fail);

/** The zone's SOA serial, asked of the primary. \return 1 or 0. */
int fg_rpz_update_serial(struct fg_rpz_update* u, uint32_t* serial);

/**
 * Write the zone file rpz-zonefile holding the entries \p v (atomically: a
 * temporary file beside it, fsync, rename), with an SOA serial one above
 * the file's last, then run rpz-reload-command if set.
 * \return 1 with the new serial in \p serial, 0 with \p err.
 */
int fg_rpz_zonefile_write(const struct fg_config* cfg,
	const struct fg_rpz_params* p, const struct fg_rpz_entry* v, size_t n,
	uint32_t* serial, char* err, size_t errlen);

#endif /* FG_RPZ_BACKEND_H */
