/**
 * \file
 * Declarations shared by the module's Unbound-facing files (module/fluxguard*.c).
 * These files include Unbound's configured headers; the core library (fg_*.c)
 * never does, so it can be linked into the tools and tests without Unbound.
 */
#ifndef FLUXGUARD_INTERNAL_H
#define FLUXGUARD_INTERNAL_H

#include <time.h>

#include "fluxguard/upstream.h"

/**
 * Whether the Unbound process we are loaded into is the version this module was
 * compiled against. Reads the running binary's own read-only memory, so it works
 * after chroot and privilege drop.
 * \param expected Unbound's PACKAGE_STRING at build time, e.g. "unbound 1.17.1".
 * \return 1 if the running Unbound carries \p expected, 0 if not.
 */
int fluxguard_unbound_version_matches(const char* expected);

struct dns_msg;
struct fg_upstream;

/**
 * Read the A, AAAA, NS and CNAME RRsets of an upstream response (as the
 * iterator parsed it) into \p up. Malformed records are skipped.
 * \param msg the response; its rrsets' owner and rdata must outlive \p up.
 * \param now current time, for TTLs.
 */
void fluxguard_read_response(const struct dns_msg* msg, time_t now,
	struct fg_upstream* up);

#endif /* FLUXGUARD_INTERNAL_H */
