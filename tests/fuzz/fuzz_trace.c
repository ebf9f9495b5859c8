/**
 * \file
 * Fuzz target: the replay trace reader (tools/fg_trace.h, fg_trace_read),
 * the one fluxguard-replay reads traces with, on arbitrary text: lines split
 * into timestamps and records, records parsed (through ldns), consecutive
 * records of one timestamp grouped into the struct fg_upstream the detector
 * takes.
 *
 * Checked on every answer built: the bounds of struct fg_upstream hold; each
 * RRset's records lie within the arrays and have its type's family; owners
 * are valid names and no owner and type makes two RRsets; NS RRsets are in
 * the authority section and an address RRset is in the additional section
 * exactly when its owner is an NS target of the answer; when nothing was
 * truncated, every record of the answer is in it; and every line not read
 * says why.
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

/** The reader's callback: build and check the answer of \p n records. */
static void
trace_answer(void* arg, const struct fg_trace_rr* rrs, size_t n,
	const char* ts, uint64_t now, long line)
{
	static struct fg_upstream up;
	(void)line;
	if(n == 0 || strlen(ts) >= FG_TRACE_TS_MAX)
		fg_fuzz_fail("an answer of %zu records, timestamp \"%s\"", n,
			ts);
	fg_trace_answer(rrs, n, now, &up);
	check_answer(rrs, n, &up);
	(*(int*)arg)++;
}

/** The reader's callback: a line it did not read must say why. */
static void
trace_malformed(void* arg, long line, const char* why)
{
	(void)arg;
	if(!why || !*why)
		fg_fuzz_fail("line %ld: malformed without a reason", line);
}

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static struct fg_trace_rr rrs[RRS_MAX];
	int answers = 0;
	const struct fg_trace_reader rd = { .rrs = rrs, .max_rrs = RRS_MAX,
		.answer = trace_answer, .malformed = trace_malformed,
		.arg = &answers };
	char* copy;
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
	(void)fg_trace_read(&rd, in);
	if(answers)
		fg_fuzz_reached();
	fclose(in);
	free(copy);
	return 0;
}
