/**
 * \file
 * Where an address lives: its autonomous system and country, from optional
 * MaxMind-format databases (GeoLite2-ASN and GeoLite2-Country schemas, and
 * compatible ones such as DB-IP's lite databases), and whether it is a
 * special-purpose address that says nothing about network diversity.
 *
 * The databases are opened once, memory-mapped, by fg_geo_create and closed by
 * fg_geo_delete; the module re-creates its geo on every reload. Lookups on one
 * open database are thread-safe (libmaxminddb only reads the map), and the
 * small lookup cache in front of them is per thread, so fg_geo_annotate may run
 * on every resolver thread at once. Without databases everything still works:
 * the ASN stays 0 and the country unknown, and the scorer falls back on
 * address prefixes.
 */
#ifndef FLUXGUARD_GEO_H
#define FLUXGUARD_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/tracker.h"

/** Longest address in presentation format, NUL included (INET6_ADDRSTRLEN). */
#define FG_ADDR_MAX_STR 46

/** An open pair of databases (either may be absent). */
struct fg_geo;

/**
 * Open the databases. Either path may be NULL or "" to go without it.
 * \return the geo (never NULL if both paths are absent), or NULL with a message
 *	naming the file in \p err if a database could not be opened.
 */
struct fg_geo* fg_geo_create(const char* asn_db, const char* country_db,
	char* err, size_t errlen);

/** Close the databases and free \p geo (NULL is fine). */
void fg_geo_delete(struct fg_geo* geo);

/** Whether an ASN database is open (NULL geo: no). */
int fg_geo_has_asn(const struct fg_geo* geo);

/** Whether a country database is open (NULL geo: no). */
int fg_geo_has_country(const struct fg_geo* geo);

/**
 * Fill \p a->asn and \p a->country from the databases. Special-purpose
 * addresses (fg_addr_is_special) and addresses the databases do not know get
 * ASN 0 and no country. \p geo may be NULL (no databases). Thread-safe.
 */
void fg_geo_annotate(struct fg_geo* geo, struct fg_addr* a);

/**
 * Whether \p a is a special-purpose address (RFC 6890 and successors) that
 * must never count as network diversity: private (RFC 1918, ULA fc00::/7),
 * shared/CGNAT 100.64/10, loopback, link-local, "this network" 0/8,
 * documentation (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32,
 * 3fff::/20), benchmarking (198.18/15, 2001:2::/48), IETF protocol
 * assignments (192.0.0/24, 2001::/23), 6to4 relay anycast, multicast,
 * reserved 240/4 and broadcast, and every IPv6 address outside global unicast
 * 2000::/3 (unspecified, loopback, IPv4-mapped and -compatible, NAT64
 * 64:ff9b::/96, discard 100::/64, site-local, ...).
 */
int fg_addr_is_special(const struct fg_addr* a);

/**
 * Parse an IPv4 or IPv6 address in presentation format into \p a (geo fields
 * cleared). \return 1 on success, 0 if \p str is not an address.
 */
int fg_addr_from_str(const char* str, struct fg_addr* a);

/**
 * Write \p a in presentation format into \p buf (at least FG_ADDR_MAX_STR).
 * \return 1 on success, 0 if the family is unknown or \p buf too small.
 */
int fg_addr_to_str(const struct fg_addr* a, char* buf, size_t buflen);

/**
 * The address's network prefix used for prefix diversity: the IPv4 /16 or the
 * IPv6 /32, as a number unique across both families.
 */
uint64_t fg_addr_prefix(const struct fg_addr* a);

#endif /* FLUXGUARD_GEO_H */
