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

#include "fluxguard/addr.h"

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

#endif /* FLUXGUARD_GEO_H */
