/**
 * \file
 * Unit tests for wire-format name helpers (core/name.c).
 */
#include "fluxguard/name.h"
#include "unit.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_roundtrip)
{
	uint8_t wire[FG_NAME_MAX_WIRE];
	char str[FG_NAME_MAX_STR];
	size_t len = fg_name_from_str("WWW.Example.COM", wire, sizeof(wire));
	ck_assert_uint_eq(len, 17);
	ck_assert_mem_eq(wire, "\3www\7example\3com\0", 17);
	ck_assert_uint_eq(fg_name_wire_len(wire, sizeof(wire)), 17);
	ck_assert(fg_name_to_str(wire, str, sizeof(str)));
	ck_assert_str_eq(str, "www.example.com.");
	ck_assert_uint_eq(fg_name_from_str("www.example.com.", wire, sizeof(wire)), 17);
}
END_TEST

START_TEST(test_root_and_escapes)
{
	uint8_t wire[FG_NAME_MAX_WIRE];
	char str[FG_NAME_MAX_STR];
	ck_assert_uint_eq(fg_name_from_str(".", wire, sizeof(wire)), 1);
	ck_assert(fg_name_to_str(wire, str, sizeof(str)));
	ck_assert_str_eq(str, ".");
	/* an escaped dot is part of the label, not a separator */
	ck_assert_uint_eq(fg_name_from_str("a\\.b.c", wire, sizeof(wire)), 7);
	ck_assert_mem_eq(wire, "\3a.b\1c\0", 7);
	ck_assert(fg_name_to_str(wire, str, sizeof(str)));
	ck_assert_str_eq(str, "a\\.b.c.");
	ck_assert_uint_eq(fg_name_from_str("x\\.", wire, sizeof(wire)), 4);
	ck_assert_uint_eq(fg_name_from_str("\\007z", wire, sizeof(wire)), 4);
	ck_assert(fg_name_to_str(wire, str, sizeof(str)));
	ck_assert_str_eq(str, "\\007z.");
}
END_TEST

START_TEST(test_rejects_malformed)
{
	uint8_t wire[300];
	char label[70];
	char big[400];
	int i;
	ck_assert_uint_eq(fg_name_from_str("", wire, sizeof(wire)), 0);
	ck_assert_uint_eq(fg_name_from_str("a..b", wire, sizeof(wire)), 0);
	ck_assert_uint_eq(fg_name_from_str(".a", wire, sizeof(wire)), 0);
	ck_assert_uint_eq(fg_name_from_str("a\\", wire, sizeof(wire)), 0);
	ck_assert_uint_eq(fg_name_from_str("a\\999", wire, sizeof(wire)), 0);
	memset(label, 'a', 64);
	label[64] = 0;
	ck_assert_uint_eq(fg_name_from_str(label, wire, sizeof(wire)), 0);
	label[63] = 0;
	ck_assert_uint_eq(fg_name_from_str(label, wire, sizeof(wire)), 65);
	/* 5 labels of 63 = 320 octets: over 255 */
	big[0] = 0;
	for(i = 0; i < 5; i++) {
		strcat(big, label);
		strcat(big, ".");
	}
	ck_assert_uint_eq(fg_name_from_str(big, wire, sizeof(wire)), 0);
	/* wire checks: compression pointer, overlong, unterminated */
	ck_assert_uint_eq(fg_name_wire_len((const uint8_t*)"\300\014", 2), 0);
	ck_assert_uint_eq(fg_name_wire_len((const uint8_t*)"\3www", 4), 0);
	ck_assert_uint_eq(fg_name_wire_len((const uint8_t*)"\3www\0", 5), 5);
	ck_assert_uint_eq(fg_name_wire_len((const uint8_t*)"\3www\0", 4), 0);
	/* too small an output buffer */
	ck_assert_uint_eq(fg_name_from_str("www.example.com", wire, 10), 0);
}
END_TEST

START_TEST(test_subdomain_and_equal)
{
	uint8_t a[FG_NAME_MAX_WIRE], b[FG_NAME_MAX_WIRE], c[FG_NAME_MAX_WIRE];
	ck_assert(fg_name_from_str("www.Example.com", a, sizeof(a)));
	ck_assert(fg_name_from_str("example.com", b, sizeof(b)));
	ck_assert(fg_name_from_str("badexample.com", c, sizeof(c)));
	ck_assert(fg_name_is_subdomain(a, b));
	ck_assert(fg_name_is_subdomain(b, b));
	ck_assert(!fg_name_is_subdomain(b, a));
	ck_assert(!fg_name_is_subdomain(c, b));
	ck_assert(fg_name_equal((const uint8_t*)"\1A\0", (const uint8_t*)"\1a\0"));
	ck_assert(!fg_name_equal(a, b));
	ck_assert_int_eq(fg_name_label_count(a), 3);
	ck_assert_int_eq(fg_name_label_count((const uint8_t*)"\0"), 0);
}
END_TEST

START_TEST(test_suffix_hashes)
{
	/* each suffix's hash is the hash of that suffix on its own, in any
	 * case: what the lists and the monitor-mode filter store and ask */
	static const char* const names[] = { "www.Bot.Example.", "a.b.c.d.e.f.",
		"example." };
	size_t starts[FG_NAME_MAX_LABELS], i, k, n;
	uint32_t hashes[FG_NAME_MAX_LABELS];
	uint8_t wire[FG_NAME_MAX_WIRE], lower[FG_NAME_MAX_WIRE];
	for(i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len = fg_name_from_str(names[i], wire, sizeof(wire));
		ck_assert_uint_gt(len, 0);
		memcpy(lower, wire, len);
		fg_name_lower(lower);
		n = fg_name_suffix_hashes(wire, len, starts, hashes);
		ck_assert_uint_eq(n, fg_name_label_count(wire));
		ck_assert_uint_eq(starts[0], 0);
		for(k = 0; k < n; k++) {
			ck_assert_uint_eq(hashes[k], fg_name_hash(wire + starts[k],
				len - starts[k]));
			ck_assert_uint_eq(hashes[k], fg_name_hash(lower + starts[k],
				len - starts[k]));
			if(k > 0)
				ck_assert_uint_ne(hashes[k], hashes[k - 1]);
		}
	}
	/* the root has no suffix but itself */
	ck_assert_uint_eq(fg_name_suffix_hashes((const uint8_t*)"", 1, starts,
		hashes), 0);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_roundtrip, test_root_and_escapes,
		test_rejects_malformed, test_subdomain_and_equal,
		test_suffix_hashes };
	Suite* s = suite_create("name");
	fg_unit_tcase(s, "core", NULL, NULL, tests, FG_UNIT_COUNT(tests));
	return s;
}
