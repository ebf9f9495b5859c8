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
 *
 * fg_geo_create checks that each file holds the kind of data it is given
 * for: the records decide, not the metadata's database_type, which is only a
 * name ("GeoLite2-ASN", "DBIP-ASN-Lite (compat=GeoLite2-ASN)", "country
 * ipvAll"). Each open database's type and build time (its metadata's
 * build_epoch) are kept for the start-up log line, the published config
 * (fluxguard-control status) and the geo-max-age warning.
 */
#ifndef FLUXGUARD_GEO_H
#define FLUXGUARD_GEO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fluxguard/addr.h"

/** An open pair of databases (either may be absent). */
struct fg_geo;

/** The two databases of a geo. */
enum fg_geo_kind {
	/** the ASN database (asn-db: autonomous_system_number) */
	FG_GEO_ASN = 0,
	/** the country database (country-db: country.iso_code) */
	FG_GEO_COUNTRY
};

/** What is known about one open database. */
struct fg_geo_db_info {
	/** the file, as given to fg_geo_create */
	const char* path;
	/** the metadata's database_type ("GeoLite2-ASN"), "" if it has none */
	const char* type;
	/** the metadata's build_epoch: when the data was built, UNIX seconds */
	uint64_t build_epoch;
};

/**
 * Open the databases. Either path may be NULL or "" to go without it.
 * A file that holds no data of its kind (a country database given as the ASN
 * database, or the reverse) is refused like one that cannot be opened.
 * \return the geo (never NULL if both paths are absent), or NULL with a message
 *	naming the file in \p err if a database could not be opened or holds
 *	the wrong kind of data.
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
 * Describe the database of \p kind.
 * \param info receives its path, type and build time; the strings live as
 *	long as \p geo.
 * \return 1 if that database is open, 0 if not (NULL geo: not).
 */
int fg_geo_db_info(const struct fg_geo* geo, enum fg_geo_kind kind,
	struct fg_geo_db_info* info);

/** The option that names a kind's database: "asn-db" or "country-db". */
const char* fg_geo_kind_option(enum fg_geo_kind kind);

/**
 * One phrase for logs and status: `/var/lib/GeoIP/GeoLite2-ASN.mmdb (built
 * 2026-06-17T19:51:40Z, type GeoLite2-ASN)`.
 * \return 1, or 0 (and an empty \p buf) if that database is not open.
 */
int fg_geo_db_describe(const struct fg_geo* geo, enum fg_geo_kind kind,
	char* buf, size_t buflen);

/**
 * The geo-max-age check, one sentence for the module's log and check-config:
 * whether the database of \p kind was built more than \p max_age seconds
 * before \p now. A database built in the future (a skewed clock) is not old.
 * \param buf receives, if it is old, `asn-db FILE was built DATE, N days
 *	ago, more than geo-max-age (90d): ...`.
 * \return 1 if it is open and old, 0 if not.
 */
int fg_geo_age_warning(const struct fg_geo* geo, enum fg_geo_kind kind,
	uint32_t max_age, time_t now, char* buf, size_t buflen);

/**
 * Fill \p a->asn and \p a->country from the databases. Special-purpose
 * addresses (fg_addr_is_special) and addresses the databases do not know get
 * ASN 0 and no country. \p geo may be NULL (no databases). Thread-safe.
 */
void fg_geo_annotate(struct fg_geo* geo, struct fg_addr* a);

#endif /* FLUXGUARD_GEO_H */
