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

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	struct fg_input in;
	/* fg_pcap_read closes the stream itself */
	fg_fuzz_read_input(data, size, fg_pcap_read, 1, &in);
	return 0;
}
