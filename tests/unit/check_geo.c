/**
 * \file
 * Unit tests for geo annotation (core/geo.c): lookups, the check that a file
 * holds the kind of data it is given for, each database's type and build
 * time, and the geo-max-age warning. The MaxMind-format fixtures
 * are written once per run by tests/fixtures/make-mmdb.pl (MaxMind::DB::Writer)
 * into the run directory (unit.h); the sample databases beside the checkout
 * ($FG_SRCDIR/../shared/data/sample) are used too when present.
 */
#include "fluxguard/geo.h"
#include "unit.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/** Paths of the fixtures, written by mmdb_setup. */
static char asn_path[FG_UNIT_PATH_MAX], cc_path[FG_UNIT_PATH_MAX],
	dbip_path[FG_UNIT_PATH_MAX], old_path[FG_UNIT_PATH_MAX],
	flat_path[FG_UNIT_PATH_MAX], empty_path[FG_UNIT_PATH_MAX];

/** old-asn.mmdb's build_epoch (make-mmdb.pl): 2017-07-14T02:40:00Z. */
#define OLD_EPOCH 1500000000

/** Unchecked setup: write the fixtures once, in the runner's process, so
 * every test's process finds them. They go into the run directory, which
 * the runner removes; their absence fails the run. */
static void
mmdb_setup(void)
{
	const char* src = getenv("FG_SRCDIR");
	char dir[FG_UNIT_PATH_MAX / 2], cmd[2 * FG_UNIT_PATH_MAX];
	ck_assert((size_t)snprintf(dir, sizeof(dir), "%s/mmdb",
		fg_unit_run_dir()) < sizeof(dir));
	ck_assert_msg(mkdir(dir, 0700) == 0, "%s: %s", dir, strerror(errno));
	snprintf(cmd, sizeof(cmd), "perl '%s/tests/fixtures/make-mmdb.pl' '%s'",
		src ? src : ".", dir);
	ck_assert_msg(system(cmd) == 0, "could not generate the mmdb "
		"fixtures (is libmaxmind-db-writer-perl installed?)");
	snprintf(asn_path, sizeof(asn_path), "%s/asn.mmdb", dir);
	snprintf(cc_path, sizeof(cc_path), "%s/country.mmdb", dir);
	snprintf(dbip_path, sizeof(dbip_path), "%s/dbip-asn.mmdb", dir);
	snprintf(old_path, sizeof(old_path), "%s/old-asn.mmdb", dir);
	snprintf(flat_path, sizeof(flat_path), "%s/flat-country.mmdb", dir);
	snprintf(empty_path, sizeof(empty_path), "%s/empty-asn.mmdb", dir);
}

/** Assert that \p hay contains \p needle, showing both if not. */
#define ASSERT_HAS(hay, needle) ck_assert_msg(strstr((hay), (needle)) != \
	NULL, "\"%s\" lacks \"%s\"", (hay), (needle))

/** Annotate \p ip with \p geo. */
static struct fg_addr
annotate(struct fg_geo* geo, const char* ip)
{
	struct fg_addr a;
	ck_assert_msg(fg_addr_from_str(ip, &a), "%s", ip);
	fg_geo_annotate(geo, &a);
	return a;
}

START_TEST(test_lookups)
{
	static const struct {
		/** the address */
		const char* ip;
		/** its ASN and country ("" for none) by the fixtures */
		uint32_t asn;
		const char* cc;
	} cases[] = {
		{ "8.8.8.8", 15169, "US" },
		{ "31.13.77.1", 32934, "IE" },
		{ "2a00:1450:4001::5", 15169, "DE" },
		/* registered country stands in for a missing physical one */
		{ "1.0.0.1", 0, "AU" },
		/* not in the databases */
		{ "9.9.9.9", 0, "" },
		/* in the databases, but special-purpose: never looked up */
		{ "10.1.2.3", 0, "" },
		{ "::ffff:8.8.8.8", 0, "" } };
	char err[256];
	struct fg_geo* geo = fg_geo_create(asn_path, cc_path, err, sizeof(err));
	size_t i;
	int round;
	ck_assert_msg(geo != NULL, "%s", err);
	ck_assert(fg_geo_has_asn(geo) && fg_geo_has_country(geo));
	/* twice: the second round comes from the cache */
	for(round = 0; round < 2; round++) {
		for(i = 0; i < FG_UNIT_COUNT(cases); i++) {
			struct fg_addr a = annotate(geo, cases[i].ip);
			char want[3] = { 0, 0, 0 };
			/* unknown is two NULs: what "" gives here */
			snprintf(want, sizeof(want), "%s", cases[i].cc);
			ck_assert_msg(a.asn == cases[i].asn, "%s: AS%u, "
				"expected AS%u", cases[i].ip, (unsigned)a.asn,
				(unsigned)cases[i].asn);
			ck_assert_msg(memcmp(a.country, want, 2) == 0,
				"%s: country \"%.2s\", expected \"%s\"",
				cases[i].ip, a.country, cases[i].cc);
		}
	}
	fg_geo_delete(geo);
}
END_TEST

START_TEST(test_no_databases)
{
	char err[256];
	struct fg_geo* geo = fg_geo_create(NULL, "", err, sizeof(err));
	struct fg_addr a;
	ck_assert_ptr_nonnull(geo);
	ck_assert(!fg_geo_has_asn(geo) && !fg_geo_has_country(geo));
	a = annotate(geo, "8.8.8.8");
	ck_assert_uint_eq(a.asn, 0);
	fg_geo_delete(geo);
	/* a NULL geo is "no databases" too */
	a = annotate(NULL, "8.8.8.8");
	ck_assert_uint_eq(a.asn, 0);
	ck_assert(!fg_geo_has_asn(NULL));
	fg_geo_delete(NULL);
}
END_TEST

START_TEST(test_open_errors)
{
	char err[256];
	ck_assert_ptr_null(fg_geo_create("/nonexistent/asn.mmdb", NULL, err,
		sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/asn.mmdb"));
	ck_assert_ptr_nonnull(strstr(err, "ASN"));
	/* a file that is not a database, as the country database */
	ck_assert_ptr_null(fg_geo_create(asn_path, "/etc/hostname", err,
		sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/etc/hostname"));
	ck_assert_ptr_nonnull(strstr(err, "country"));
}
END_TEST

START_TEST(test_compatible_and_reload)
{
	char err[256];
	struct fg_geo* geo = fg_geo_create(asn_path, NULL, err, sizeof(err));
	struct fg_addr a;
	ck_assert_ptr_nonnull(geo);
	a = annotate(geo, "9.9.9.9");
	ck_assert_uint_eq(a.asn, 0);
	fg_geo_delete(geo);
	/* a reload with another database must not answer from the old
	 * one's cache entries, even if the new geo lands at the same address */
	geo = fg_geo_create(dbip_path, NULL, err, sizeof(err));
	ck_assert_msg(geo != NULL, "%s", err);
	a = annotate(geo, "9.9.9.9");
	ck_assert_uint_eq(a.asn, 19281);
	a = annotate(geo, "8.8.8.8");
	ck_assert_uint_eq(a.asn, 0);
	fg_geo_delete(geo);
}
END_TEST

START_TEST(test_db_info)
{
	char err[256], buf[1024];
	struct fg_geo_db_info info;
	time_t now = time(NULL);
	struct fg_geo* geo = fg_geo_create(asn_path, cc_path, err, sizeof(err));
	ck_assert_msg(geo != NULL, "%s", err);
	ck_assert(fg_geo_db_info(geo, FG_GEO_ASN, &info));
	ck_assert_str_eq(info.path, asn_path);
	ck_assert_str_eq(info.type, "GeoLite2-ASN");
	/* written by this run's mmdb_setup */
	ck_assert_msg(info.build_epoch + 86400 > (uint64_t)now &&
		info.build_epoch <= (uint64_t)now + 60, "build_epoch %llu, now "
		"%lld", (unsigned long long)info.build_epoch, (long long)now);
	ck_assert(fg_geo_db_info(geo, FG_GEO_COUNTRY, &info));
	ck_assert_str_eq(info.path, cc_path);
	ck_assert_str_eq(info.type, "GeoLite2-Country");
	ck_assert(fg_geo_db_describe(geo, FG_GEO_ASN, buf, sizeof(buf)));
	ck_assert(strncmp(buf, asn_path, strlen(asn_path)) == 0);
	ASSERT_HAS(buf, " (built 20");
	ASSERT_HAS(buf, "Z, type GeoLite2-ASN)");
	fg_geo_delete(geo);

	/* what is not open says so, and leaves nothing behind */
	geo = fg_geo_create(old_path, NULL, err, sizeof(err));
	ck_assert_msg(geo != NULL, "%s", err);
	ck_assert(fg_geo_db_info(geo, FG_GEO_ASN, &info));
	ck_assert_uint_eq(info.build_epoch, OLD_EPOCH);
	ck_assert(fg_geo_db_describe(geo, FG_GEO_ASN, buf, sizeof(buf)));
	ASSERT_HAS(buf, " (built 2017-07-14T02:40:00Z, type GeoLite2-ASN)");
	ck_assert(!fg_geo_db_info(geo, FG_GEO_COUNTRY, &info));
	ck_assert_ptr_null(info.path);
	ck_assert(!fg_geo_db_describe(geo, FG_GEO_COUNTRY, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "");
	fg_geo_delete(geo);
	ck_assert(!fg_geo_db_info(NULL, FG_GEO_ASN, &info));
	ck_assert_str_eq(fg_geo_kind_option(FG_GEO_ASN), "asn-db");
	ck_assert_str_eq(fg_geo_kind_option(FG_GEO_COUNTRY), "country-db");
}
END_TEST

START_TEST(test_wrong_kind)
{
	char err[512];
	struct fg_geo* geo;
	/* a country database as the ASN database: refused, naming the file
	 * and what it is */
	ck_assert_ptr_null(fg_geo_create(cc_path, NULL, err, sizeof(err)));
	ck_assert(strncmp(err, cc_path, strlen(cc_path)) == 0);
	ASSERT_HAS(err, ": is a country database (type \"GeoLite2-Country\"), "
		"not an ASN database: give it as country-db");
	/* and the reverse */
	ck_assert_ptr_null(fg_geo_create(NULL, asn_path, err, sizeof(err)));
	ck_assert(strncmp(err, asn_path, strlen(asn_path)) == 0);
	ASSERT_HAS(err, ": is an ASN database (type \"GeoLite2-ASN\"), not a "
		"country database: give it as asn-db");
	/* the right kind in the wrong layout (ip-location-db's own) */
	ck_assert_ptr_null(fg_geo_create(NULL, flat_path, err, sizeof(err)));
	ASSERT_HAS(err, flat_path);
	ASSERT_HAS(err, "its records have no country.iso_code (type "
		"\"country ipvAll\")");
	/* a database without a single network */
	ck_assert_ptr_null(fg_geo_create(empty_path, NULL, err, sizeof(err)));
	ASSERT_HAS(err, empty_path);
	ASSERT_HAS(err, "holds no networks");
	/* the records decide, not the type's name: DB-IP's is accepted */
	geo = fg_geo_create(dbip_path, cc_path, err, sizeof(err));
	ck_assert_msg(geo != NULL, "%s", err);
	fg_geo_delete(geo);
}
END_TEST

START_TEST(test_age_warning)
{
	char err[256], buf[1024];
	const uint32_t max_age = 90 * 86400;
	struct fg_geo* geo = fg_geo_create(old_path, cc_path, err,
		sizeof(err));
	ck_assert_msg(geo != NULL, "%s", err);
	/* exactly geo-max-age old is still fine; a second more is not */
	ck_assert(!fg_geo_age_warning(geo, FG_GEO_ASN, max_age,
		OLD_EPOCH + max_age, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "");
	ck_assert(fg_geo_age_warning(geo, FG_GEO_ASN, max_age,
		OLD_EPOCH + max_age + 1, buf, sizeof(buf)));
	ck_assert(strncmp(buf, "asn-db ", 7) == 0);
	ASSERT_HAS(buf, old_path);
	ASSERT_HAS(buf, " was built 2017-07-14T02:40:00Z, 90 days ago, more "
		"than geo-max-age (90d)");
	/* now: years old */
	ck_assert(fg_geo_age_warning(geo, FG_GEO_ASN, max_age, time(NULL), buf,
		sizeof(buf)));
	/* a clock behind the build time: not old */
	ck_assert(!fg_geo_age_warning(geo, FG_GEO_ASN, max_age, OLD_EPOCH - 5,
		buf, sizeof(buf)));
	/* the country fixture was written by this run */
	ck_assert(!fg_geo_age_warning(geo, FG_GEO_COUNTRY, max_age, time(NULL),
		buf, sizeof(buf)));
	ck_assert(fg_geo_age_warning(geo, FG_GEO_COUNTRY, 86400,
		time(NULL) + 2 * 86400, buf, sizeof(buf)));
	ASSERT_HAS(buf, "country-db ");
	ASSERT_HAS(buf, "geo-max-age (1d)");
	fg_geo_delete(geo);
	/* nothing open, nothing old */
	ck_assert(!fg_geo_age_warning(NULL, FG_GEO_ASN, max_age, time(NULL),
		buf, sizeof(buf)));
}
END_TEST

/** Shared by the threads of test_threads. */
static struct fg_geo* thread_geo;

static void*
annotate_loop(void* arg)
{
	static const char* const ips[] = { "8.8.8.8", "31.13.1.1", "9.9.9.9",
		"2a00:1450::1", "10.0.0.1", "8.8.8.9" };
	static const uint32_t asns[] = { 15169, 32934, 0, 15169, 0, 15169 };
	long bad = 0;
	int i;
	(void)arg;
	for(i = 0; i < 20000; i++) {
		struct fg_addr a;
		size_t k = (size_t)i % 6;
		if(!fg_addr_from_str(ips[k], &a))
			bad++;
		fg_geo_annotate(thread_geo, &a);
		if(a.asn != asns[k])
			bad++;
	}
	return (void*)bad;
}

START_TEST(test_threads)
{
	char err[256];
	pthread_t t[4];
	int i;
	thread_geo = fg_geo_create(asn_path, cc_path, err, sizeof(err));
	ck_assert_ptr_nonnull(thread_geo);
	for(i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, annotate_loop,
			NULL), 0);
	for(i = 0; i < 4; i++) {
		void* bad;
		ck_assert_int_eq(pthread_join(t[i], &bad), 0);
		ck_assert_ptr_null(bad);
	}
	fg_geo_delete(thread_geo);
}
END_TEST

START_TEST(test_sample_databases)
{
	/* optional: the sample data beside the checkout */
	const char* src = getenv("FG_SRCDIR");
	char a_path[512], c_path[512], err[256];
	struct fg_geo* geo;
	struct fg_addr a;
	if(!src)
		return;
	snprintf(a_path, sizeof(a_path), "%s/../shared/data/sample/asn.mmdb",
		src);
	snprintf(c_path, sizeof(c_path),
		"%s/../shared/data/sample/country.mmdb", src);
	if(access(a_path, R_OK) != 0 || access(c_path, R_OK) != 0)
		return;
	geo = fg_geo_create(a_path, c_path, err, sizeof(err));
	ck_assert_msg(geo != NULL, "%s", err);
	a = annotate(geo, "31.25.76.218");
	ck_assert_uint_ne(a.asn, 0);
	ck_assert(a.country[0] != 0);
	a = annotate(geo, "10.66.75.3");
	ck_assert_uint_eq(a.asn, 0);
	fg_geo_delete(geo);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* mmdb_tests[] = { test_lookups, test_open_errors,
		test_compatible_and_reload, test_db_info, test_wrong_kind,
		test_age_warning, test_threads };
	const TTest* geo_tests[] = { test_no_databases,
		test_sample_databases };
	Suite* s = suite_create("geo");
	TCase* tc = fg_unit_tcase(s, "mmdb", NULL, NULL,
		mmdb_tests, FG_UNIT_COUNT(mmdb_tests));
	tcase_add_unchecked_fixture(tc, mmdb_setup, NULL);
	fg_unit_tcase(s, "geo", NULL, NULL,
		geo_tests, FG_UNIT_COUNT(geo_tests));
	return s;
}
