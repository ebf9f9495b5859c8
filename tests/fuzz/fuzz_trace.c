/**
 * \file
 * Fuzz target: the replay trace reader (tools/fg_trace.h), the parser
 * fluxguard-replay reads traces with, on arbitrary text: lines split into
 * timestamps and records, records parsed (through ldns), consecutive records
 * of one timestamp grouped into the struct fg_upstream the detector takes,
 * as the tool does.
 *
 * Checked on every answer built: the bounds of struct fg_upstream hold; each
 * RRset's records lie within the arrays and have its type's family; owners
 * are valid names and no owner and type makes two RRsets; NS RRsets are in
 * the authority section and an address RRset is in the additional section
 * exactly when its owner is an NS target of the answer; and, when nothing
 * was truncated, every record of the answer is in it.
 */
#include "fuzz.h"
#include "fg_trace.h"
#include "fluxguard/name.h"
#include "fluxguard/upstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Records of one answer kept (the tool keeps 1024; fewer keep runs fast). */
#define RRS_MAX 256

int
LLVMFuzzerInitialize(int* argc FG_FUZZ_UNUSED, char*** argv FG_FUZZ_UNUSED)
{
	fg_fuzz_quiet();
	return 0;
}

/** Whether \p name is an NS target among \p rrs. */
static int
ns_target(const struct fg_trace_rr* rrs, size_t n, const uint8_t* name)
{
	size_t i;
	for(i = 0; i < n; i++)
		if(rrs[i].type == FG_TYPE_NS && fg_name_equal(rrs[i].target,
			name))
			return 1;
	return 0;
}

/** Check \p up, built from \p rrs. */
static void
check_answer(const struct fg_trace_rr* rrs, size_t n,
	const struct fg_upstream* up)
{
	char str[FG_NAME_MAX_STR];
	size_t i, j, records = 0;
	/* bounds, records within the arrays, families, valid names */
	fg_fuzz_check_upstream(up);
	for(i = 0; i < up->n_rrsets; i++) {
		const struct fg_upstream_rrset* rs = &up->rrsets[i];
		int addr = rs->type == FG_TYPE_A || rs->type == FG_TYPE_AAAA;
		uint8_t want = rs->type == FG_TYPE_NS ? FG_SECTION_AUTHORITY :
			addr && ns_target(rrs, n, rs->owner) ?
			FG_SECTION_ADDITIONAL : FG_SECTION_ANSWER;
		if(!fg_name_to_str(rs->owner, str, sizeof(str)))
			fg_fuzz_fail("RRset %zu: owner is no valid name", i);
		if(rs->section != want)
			fg_fuzz_fail("RRset %zu (%s type %u): section %u, not %u",
				i, str, rs->type, rs->section, want);
		for(j = 0; j < i; j++)
			if(up->rrsets[j].type == rs->type &&
				fg_name_equal(up->rrsets[j].owner, rs->owner))
				fg_fuzz_fail("RRsets %zu and %zu: same owner %s "
					"and type", j, i, str);
		records += rs->count;
	}
	if(up->truncated == 0 && records != n)
		fg_fuzz_fail("%zu records in the answer, %zu read", records, n);
}

/** Build and check the answer of \p n records. \return 1 if there was
 * one. */
static int
flush_answer(const struct fg_trace_rr* rrs, size_t n, uint64_t now)
{
	static struct fg_upstream up;
	if(n == 0)
		return 0;
	fg_trace_answer(rrs, n, now, &up);
	check_answer(rrs, n, &up);
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static struct fg_trace_rr rrs[RRS_MAX];
	char answer_ts[FG_TRACE_TS_MAX] = "";
	uint64_t answer_now = 0;
	size_t n = 0, cap = 0;
	int answers = 0;
	char *copy, *line = NULL;
	ssize_t len;
	FILE* in;

	if(size == 0)
		return 0;
	/* the tool reads lines with getline: so does this, from memory */
	copy = malloc(size);
	if(!copy)
		return 0;
	memcpy(copy, data, size);
	in = fmemopen(copy, size, "r");
	if(!in) {
		free(copy);
		return 0;
	}
	while((len = getline(&line, &cap, in)) != -1) {
		char ts[FG_TRACE_TS_MAX];
		uint64_t now = 0;
		char* rest = NULL;
		const char* why = NULL;
		switch(fg_trace_split_line(line, (size_t)len, ts, &now, &rest,
			&why)) {
		case FG_TRACE_LINE_NONE:
			continue;
		case FG_TRACE_LINE_BAD:
			if(!why)
				fg_fuzz_fail("a bad line without a reason");
			continue;
		case FG_TRACE_LINE_RECORD:
			break;
		}
		if(!rest || !*rest || strlen(ts) >= FG_TRACE_TS_MAX)
			fg_fuzz_fail("a record line without a record");
		if(n && strcmp(ts, answer_ts) != 0) {
			answers += flush_answer(rrs, n, answer_now);
			n = 0;
		}
		if(n == RRS_MAX)
			continue;
		switch(fg_trace_parse_rr(rest, &rrs[n], &why)) {
		case -1:
			if(!why)
				fg_fuzz_fail("a malformed record without a reason");
			continue;
		case 0:
			continue;
		}
		if(n == 0) {
			memcpy(answer_ts, ts, sizeof(answer_ts));
			answer_now = now;
		}
		n++;
	}
	if(flush_answer(rrs, n, answer_now) || answers)
		fg_fuzz_reached();
	free(line);
	fclose(in);
	free(copy);
	return 0;
}
