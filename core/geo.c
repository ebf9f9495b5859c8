/**
 * \file
 * Geo annotation of addresses (fluxguard/geo.h): libmaxminddb lookups of the
 * ASN and the country, a per-thread direct-mapped cache in front of them, and
 * the special-purpose address table.
 *
 * The cache is a __thread array, so no thread ever sees another's entries and
 * no lock is needed. Entries carry the id of the geo that filled them; ids are
 * never reused within a process, so a reload (a new geo, possibly at the same
 * address, with other databases) can never be answered from stale entries.
 */
#include "fluxguard/geo.h"
#include "fluxguard/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/** Entries in each thread's lookup cache (a power of two). */
#define GEO_CACHE_SIZE 512

struct fg_geo {
	/** process-unique id, the cache's validity tag */
	uint32_t id;
	/** whether asn_db / country_db are open */
	int have_asn, have_country;
	/** the open databases */
	MMDB_s asn_db, country_db;
};

/** One cached lookup. */
struct geo_cache_entry {
	/** id of the geo that filled it; 0 = empty (ids start at 1) */
	uint32_t geo_id;
	/** what the lookup gave */
	uint32_t asn;
	/** the address looked up */
	uint8_t addr[16];
	/** its family */
	uint8_t family;
	/** the country the lookup gave */
	char country[2];
};

static uint32_t geo_next_id;
static __thread struct geo_cache_entry geo_cache[GEO_CACHE_SIZE];

/** Open one database into \p db; on failure write a message to \p err. */
static int
geo_open(const char* path, const char* what, MMDB_s* db, char* err,
	size_t errlen)
{
	int status = MMDB_open(path, MMDB_MODE_MMAP, db);
	if(status != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: cannot open %s database: %s%s%s", path,
			what, MMDB_strerror(status),
			status == MMDB_IO_ERROR ? ": " : "",
			status == MMDB_IO_ERROR ? strerror(errno) : "");
		return 0;
	}
	return 1;
}

struct fg_geo*
fg_geo_create(const char* asn_db, const char* country_db, char* err,
	size_t errlen)
{
	struct fg_geo* geo = calloc(1, sizeof(*geo));
	if(!geo) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	geo->id = __atomic_add_fetch(&geo_next_id, 1, __ATOMIC_RELAXED);
	if(geo->id == 0) /* 2^32 reloads later: skip the "empty" tag */
		geo->id = __atomic_add_fetch(&geo_next_id, 1, __ATOMIC_RELAXED);
	if(asn_db && *asn_db) {
		if(!geo_open(asn_db, "ASN", &geo->asn_db, err, errlen)) {
			free(geo);
			return NULL;
		}
		geo->have_asn = 1;
	}
	if(country_db && *country_db) {
		if(!geo_open(country_db, "country", &geo->country_db, err,
			errlen)) {
			fg_geo_delete(geo);
			return NULL;
		}
		geo->have_country = 1;
	}
	return geo;
}

void
fg_geo_delete(struct fg_geo* geo)
{
	if(!geo)
		return;
	if(geo->have_asn)
		MMDB_close(&geo->asn_db);
	if(geo->have_country)
		MMDB_close(&geo->country_db);
	free(geo);
}

int
fg_geo_has_asn(const struct fg_geo* geo)
{
	return geo && geo->have_asn;
}

int
fg_geo_has_country(const struct fg_geo* geo)
{
	return geo && geo->have_country;
}

/** Look \p a up in \p db; \return 1 with \p res filled if it has an entry. */
static int
geo_lookup(MMDB_s* db, const struct fg_addr* a, MMDB_lookup_result_s* res)
{
	int mmdb_error = 0;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	if(a->family == FG_AF_INET) {
		struct sockaddr_in* sin = (struct sockaddr_in*)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->addr, 4);
	} else {
		struct sockaddr_in6* sin6 = (struct sockaddr_in6*)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->addr, 16);
	}
	*res = MMDB_lookup_sockaddr(db, (struct sockaddr*)&ss, &mmdb_error);
	/* An IPv6 address in an IPv4-only database is an error, not a miss;
	 * either way there is nothing to say about it. */
	return mmdb_error == MMDB_SUCCESS && res->found_entry;
}

/** The ASN of \p a, 0 if unknown. Accepts any unsigned integer type, as
 * compatible databases differ in the width they store. */
static uint32_t
geo_lookup_asn(MMDB_s* db, const struct fg_addr* a)
{
	MMDB_lookup_result_s res;
	MMDB_entry_data_s data;
	if(!geo_lookup(db, a, &res))
		return 0;
	if(MMDB_get_value(&res.entry, &data, "autonomous_system_number",
		NULL) != MMDB_SUCCESS || !data.has_data)
		return 0;
	switch(data.type) {
	case MMDB_DATA_TYPE_UINT16:
		return data.uint16;
	case MMDB_DATA_TYPE_UINT32:
		return data.uint32;
	case MMDB_DATA_TYPE_INT32:
		return data.int32 > 0 ? (uint32_t)data.int32 : 0;
	case MMDB_DATA_TYPE_UINT64:
		return data.uint64 <= UINT32_MAX ? (uint32_t)data.uint64 : 0;
	default:
		return 0;
	}
}

/** Copy a two-letter ISO code from \p data into \p cc. \return 1 if it was one. */
static int
geo_iso_code(const MMDB_entry_data_s* data, char cc[2])
{
	if(!data->has_data || data->type != MMDB_DATA_TYPE_UTF8_STRING ||
		data->data_size != 2)
		return 0;
	cc[0] = data->utf8_string[0];
	cc[1] = data->utf8_string[1];
	return 1;
}

/** The country of \p a into \p cc; the registered country if the database
 * has no physical one (anycast and satellite ranges). */
static void
geo_lookup_country(MMDB_s* db, const struct fg_addr* a, char cc[2])
{
	MMDB_lookup_result_s res;
	MMDB_entry_data_s data;
	cc[0] = cc[1] = 0;
	if(!geo_lookup(db, a, &res))
		return;
	if(MMDB_get_value(&res.entry, &data, "country", "iso_code", NULL)
		== MMDB_SUCCESS && geo_iso_code(&data, cc))
		return;
	if(MMDB_get_value(&res.entry, &data, "registered_country",
		"iso_code", NULL) == MMDB_SUCCESS)
		(void)geo_iso_code(&data, cc);
}

/** Cache slot for \p a. */
static struct geo_cache_entry*
geo_cache_slot(const struct fg_addr* a)
{
	uint64_t w[2], h;
	memcpy(w, a->addr, 16);
	h = (w[0] ^ (w[1] * 0x9e3779b97f4a7c15ULL)) + a->family;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return &geo_cache[h & (GEO_CACHE_SIZE - 1)];
}

void
fg_geo_annotate(struct fg_geo* geo, struct fg_addr* a)
{
	struct geo_cache_entry* e;
	a->asn = 0;
	a->country[0] = a->country[1] = 0;
	a->pad = 0;
	if(!geo || (!geo->have_asn && !geo->have_country) ||
		fg_addr_is_special(a))
		return;
	e = geo_cache_slot(a);
	if(e->geo_id == geo->id && e->family == a->family &&
		memcmp(e->addr, a->addr, 16) == 0) {
		a->asn = e->asn;
		memcpy(a->country, e->country, 2);
		return;
	}
	if(geo->have_asn)
		a->asn = geo_lookup_asn(&geo->asn_db, a);
	if(geo->have_country)
		geo_lookup_country(&geo->country_db, a, a->country);
	e->geo_id = geo->id;
	e->family = a->family;
	memcpy(e->addr, a->addr, 16);
	e->asn = a->asn;
	memcpy(e->country, a->country, 2);
}
