/**
 * \file
 * Fuzz target: the capture reader (tools/fg_pcap.c): pcap and pcapng through libpcap, the link, IP, UDP and TCP headers (TCP reassembly included), and each response through the shared converter (tools/fg_wire.c), on arbitrary octets, read as fluxguard-replay reads
 * a file of that format.
 *
 * Checked on every response handed over: the bounds of struct fg_upstream
 * hold; each RRset's records lie within the arrays and have its type's
 * family; owners and target names are valid names. (One TCP segment may
 * carry several responses, so their number is not bounded by the packets'.)
 */
#include "fuzz.h"
#include "fg_input.h"
#include "fluxguard/upstream.h"

#include <stdio.h>
#include <string.h>

int
LLVMFuzzerInitialize(int* argc FG_FUZZ_UNUSED, char*** argv FG_FUZZ_UNUSED)
{
	fg_fuzz_quiet();
	return 0;
}

/** Check one response the reader built. */
static void
check_answer(void* arg, struct fg_upstream* up, const char* ts)
{
	(void)arg;
	if(strlen(ts) >= FG_INPUT_TS_MAX)
		fg_fuzz_fail("timestamp text too long");
	fg_fuzz_check_upstream(up);
}

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	struct fg_input in;
	FILE* f;
	if(size == 0)
		return 0;
	f = fmemopen((void*)data, size, "rb");
	if(!f)
		return 0;
	memset(&in, 0, sizeof(in));
	in.name = "fuzz";
	in.answer = check_answer;
	in.dns_port = 53;
	in.dnstap_messages = (data[size - 1] & 1) ? FG_DNSTAP_AUTO :
		FG_DNSTAP_RESOLVER | FG_DNSTAP_CLIENT;
	(void)fg_pcap_read(&in, f); /* closes f */
	if(in.frames > 0)
		fg_fuzz_reached();
	return 0;
}
