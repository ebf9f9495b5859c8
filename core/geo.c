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
 *
 * What a file holds is judged by its records (geo_holds), because the
 * metadata's database_type is free text: a country database handed over as
 * the ASN database would otherwise give ASN 0 for every address, silently.
 */
#include "fluxguard/geo.h"
#include "fluxguard/log.h"
#include "fluxguard/options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/** Entries in each thread's lookup cache (a power of two). */
#define GEO_CACHE_SIZE 512

/** Search-tree nodes geo_holds reads at most: the first data record of a
 * real database lies within a path's depth (at most 128) of the root. */
#define GEO_PROBE_NODES 4096
/** Data records geo_holds looks at before it decides. */
#define GEO_PROBE_RECORDS 32

struct fg_geo {
	/** process-unique id, the cache's validity tag */
	uint32_t id;
	/** whether db[FG_GEO_ASN] / db[FG_GEO_COUNTRY] are open */
	int have[2];
	/** the open databases, by enum fg_geo_kind */
	MMDB_s db[2];
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

/** Names of the kinds, for messages, by enum fg_geo_kind. */
static const char* const geo_kind_names[2] = { "ASN", "country" };
/** The same with their article. */
static const char* const geo_kind_a[2] = { "an ASN", "a country" };

/** Whether the data record \p e carries \p kind's field. */
static int
geo_entry_is(MMDB_entry_s* e, enum fg_geo_kind kind)
{
	MMDB_entry_data_s data;
	if(kind == FG_GEO_ASN)
		return MMDB_get_value(e, &data, "autonomous_system_number",
			NULL) == MMDB_SUCCESS && data.has_data;
	return (MMDB_get_value(e, &data, "country", "iso_code", NULL) ==
		MMDB_SUCCESS && data.has_data) ||
		(MMDB_get_value(e, &data, "registered_country", "iso_code",
		NULL) == MMDB_SUCCESS && data.has_data);
}

/**
 * What \p db holds, by its first data records (depth first from the lowest
 * address, at most GEO_PROBE_RECORDS of them): bit 1 << kind is set if one
 * carries that kind's field. A database that holds both (an ISP or
 * enterprise database) serves as either.
 * \return the bits, or -1 if the walk found no data record at all.
 */
static int
geo_holds(const MMDB_s* db)
{
	uint32_t stack[256];
	size_t sp = 0;
	unsigned nodes = 0, records = 0;
	int kinds = 0;
	stack[sp++] = 0;
	while(sp > 0 && nodes < GEO_PROBE_NODES && records < GEO_PROBE_RECORDS) {
		MMDB_search_node_s node;
		uint8_t types[2];
		MMDB_entry_s* entries[2];
		uint64_t next[2];
		int side;
		nodes++;
		if(MMDB_read_node(db, stack[--sp], &node) != MMDB_SUCCESS)
			break;
		types[0] = node.left_record_type;
		types[1] = node.right_record_type;
		entries[0] = &node.left_record_entry;
		entries[1] = &node.right_record_entry;
		next[0] = node.left_record;
		next[1] = node.right_record;
		/* the right child goes on the stack first, so that the left one,
		 * the lower addresses, is read first */
		for(side = 1; side >= 0; side--) {
			if(types[side] == MMDB_RECORD_TYPE_DATA) {
				records++;
				if(geo_entry_is(entries[side], FG_GEO_ASN))
					kinds |= 1 << FG_GEO_ASN;
				if(geo_entry_is(entries[side], FG_GEO_COUNTRY))
					kinds |= 1 << FG_GEO_COUNTRY;
			} else if(types[side] == MMDB_RECORD_TYPE_SEARCH_NODE &&
				sp < sizeof(stack) / sizeof(stack[0]) &&
				next[side] <= UINT32_MAX) {
				stack[sp++] = (uint32_t)next[side];
			}
		}
	}
	return records ? kinds : -1;
}

/** Open the database of \p kind into \p db and check that it holds that
 * kind of data; on failure write a message naming the file to \p err. */
static int
geo_open(const char* path, enum fg_geo_kind kind, MMDB_s* db, char* err,
	size_t errlen)
{
	const char* what = geo_kind_names[kind];
	const char* type;
	int status = MMDB_open(path, MMDB_MODE_MMAP, db), holds;
	if(status != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: cannot open %s database: %s%s%s", path,
			what, MMDB_strerror(status),
			status == MMDB_IO_ERROR ? ": " : "",
			status == MMDB_IO_ERROR ? strerror(errno) : "");
		return 0;
	}
	type = db->metadata.database_type ? db->metadata.database_type : "";
	holds = geo_holds(db);
	if(holds < 0) {
		snprintf(err, errlen, "%s: not usable as the %s database: it "
			"holds no networks (type \"%s\")", path, what, type);
	} else if(!(holds & (1 << kind))) {
		enum fg_geo_kind other = kind == FG_GEO_ASN ? FG_GEO_COUNTRY :
			FG_GEO_ASN;
		if(holds & (1 << other))
			snprintf(err, errlen, "%s: is %s database (type \"%s\"), "
				"not %s database: give it as %s", path,
				geo_kind_a[other], type, geo_kind_a[kind],
				fg_geo_kind_option(other));
		else
			snprintf(err, errlen, "%s: not usable as the %s database: "
				"its records have no %s (type \"%s\")", path,
				what, kind == FG_GEO_ASN ?
				"autonomous_system_number" : "country.iso_code",
				type);
	} else {
		return 1;
	}
	MMDB_close(db);
	return 0;
}

struct fg_geo*
fg_geo_create(const char* asn_db, const char* country_db, char* err,
	size_t errlen)
{
	const char* paths[2];
	int k;
	struct fg_geo* geo = calloc(1, sizeof(*geo));
	if(!geo) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	geo->id = __atomic_add_fetch(&geo_next_id, 1, __ATOMIC_RELAXED);
	if(geo->id == 0) /* 2^32 reloads later: skip the "empty" tag */
		geo->id = __atomic_add_fetch(&geo_next_id, 1, __ATOMIC_RELAXED);
	paths[FG_GEO_ASN] = asn_db;
	paths[FG_GEO_COUNTRY] = country_db;
	for(k = FG_GEO_ASN; k <= FG_GEO_COUNTRY; k++) {
		if(!paths[k] || !*paths[k])
			continue;
		if(!geo_open(paths[k], (enum fg_geo_kind)k, &geo->db[k], err,
			errlen)) {
			fg_geo_delete(geo);
			return NULL;
		}
		geo->have[k] = 1;
	}
	return geo;
}

void
fg_geo_delete(struct fg_geo* geo)
{
	int k;
	if(!geo)
		return;
	for(k = FG_GEO_ASN; k <= FG_GEO_COUNTRY; k++)
		if(geo->have[k])
			MMDB_close(&geo->db[k]);
	free(geo);
}

int
fg_geo_has_asn(const struct fg_geo* geo)
{
	return geo && geo->have[FG_GEO_ASN];
}

int
fg_geo_has_country(const struct fg_geo* geo)
{
	return geo && geo->have[FG_GEO_COUNTRY];
}

const char*
fg_geo_kind_option(enum fg_geo_kind kind)
{
	return kind == FG_GEO_ASN ? "asn-db" : "country-db";
}

int
fg_geo_db_info(const struct fg_geo* geo, enum fg_geo_kind kind,
	struct fg_geo_db_info* info)
{
	const MMDB_s* db;
	memset(info, 0, sizeof(*info));
	if(!geo || (kind != FG_GEO_ASN && kind != FG_GEO_COUNTRY) ||
		!geo->have[kind])
		return 0;
	db = &geo->db[kind];
	info->path = db->filename;
	info->type = db->metadata.database_type ? db->metadata.database_type :
		"";
	info->build_epoch = db->metadata.build_epoch;
	return 1;
}

/** A build time as status prints times: 2026-06-17T19:51:40Z. */
static void
geo_format_time(uint64_t t, char* buf, size_t buflen)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if(t > (uint64_t)INT32_MAX * 4 || !gmtime_r(&tt, &tm) ||
		!strftime(buf, buflen, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, buflen, "%" PRIu64, t);
}

int
fg_geo_db_describe(const struct fg_geo* geo, enum fg_geo_kind kind,
	char* buf, size_t buflen)
{
	struct fg_geo_db_info info;
	char built[32];
	if(buflen)
		buf[0] = 0;
	if(!fg_geo_db_info(geo, kind, &info))
		return 0;
	geo_format_time(info.build_epoch, built, sizeof(built));
	snprintf(buf, buflen, "%s (built %s, type %s)", info.path, built,
		info.type[0] ? info.type : "unnamed");
	return 1;
}

int
fg_geo_age_warning(const struct fg_geo* geo, enum fg_geo_kind kind,
	uint32_t max_age, time_t now, char* buf, size_t buflen)
{
	struct fg_geo_db_info info;
	char built[32], limit[32];
	uint64_t age;
	if(buflen)
		buf[0] = 0;
	if(!fg_geo_db_info(geo, kind, &info) || now < 0 ||
		info.build_epoch >= (uint64_t)now)
		return 0;
	age = (uint64_t)now - info.build_epoch;
	if(age <= max_age)
		return 0;
	geo_format_time(info.build_epoch, built, sizeof(built));
	fg_duration_format(max_age, limit, sizeof(limit));
	snprintf(buf, buflen, "%s %s was built %s, %" PRIu64 " days ago, more "
		"than geo-max-age (%s): networks change hands, install a "
		"current database", fg_geo_kind_option(kind),
		info.path, built, age / 86400, limit);
	return 1;
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
	if(!geo || (!geo->have[FG_GEO_ASN] && !geo->have[FG_GEO_COUNTRY]) ||
		fg_addr_is_special(a))
		return;
	e = geo_cache_slot(a);
	if(e->geo_id == geo->id && e->family == a->family &&
		memcmp(e->addr, a->addr, 16) == 0) {
		a->asn = e->asn;
		memcpy(a->country, e->country, 2);
		return;
	}
	if(geo->have[FG_GEO_ASN])
		a->asn = geo_lookup_asn(&geo->db[FG_GEO_ASN], a);
	if(geo->have[FG_GEO_COUNTRY])
		geo_lookup_country(&geo->db[FG_GEO_COUNTRY], a, a->country);
	e->geo_id = geo->id;
	e->family = a->family;
	memcpy(e->addr, a->addr, 16);
	e->asn = a->asn;
	memcpy(e->country, a->country, 2);
}
