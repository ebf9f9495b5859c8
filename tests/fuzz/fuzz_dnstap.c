/**
 * \file
 * Fuzz target: the dnstap reader (tools/fg_dnstap.c): Frame Streams through libfstrm, the protobuf, and each response's DNS message through the shared converter (tools/fg_wire.c), on arbitrary octets, read as fluxguard-replay reads
 * a file of that format.
 *
 * Checked on every response handed over: the bounds of struct fg_upstream
 * hold; each RRset's records lie within the arrays and have its type's
 * family; owners and target names are valid names. And the reader's own
 * accounting holds: it never hands over more responses than it read frames
 * or packets.
 */
#include "fuzz.h"
#include "fg_input.h"

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	struct fg_input in;
	fg_fuzz_read_input(data, size, fg_dnstap_read, 0, &in);
	if(in.responses > in.frames)
		fg_fuzz_fail("%lu responses from %lu frames", in.responses,
			in.frames);
	return 0;
}
