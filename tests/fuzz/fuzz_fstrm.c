/**
 * \file
 * Fuzz target: the receiving side of Frame Streams that fluxguard-sensor
 * runs per sender (tools/fg_fstrm.c): the handshake (READY, ACCEPT, START),
 * data frames, STOP and FINISH, on arbitrary octets that arrive in pieces
 * of arbitrary sizes (the first input octet picks the piece size, as the
 * network picks how a stream is split).
 *
 * Checked: replies fit FG_FSTRM_REPLY_MAX and are whole control frames of
 * type ACCEPT (naming the dnstap content type) or FINISH; ACCEPT only
 * answers the first frame, FINISH only a STOP of a bidirectional stream;
 * data frames are handed over only after START and are never longer than
 * FG_FSTRM_MAX_FRAME; the same octets split differently give the same
 * frames.
 */
#include "fuzz.h"
#include "fg_fstrm.h"

#include <fstrm.h>
#include <string.h>

int
LLVMFuzzerInitialize(int* argc FG_FUZZ_UNUSED, char*** argv FG_FUZZ_UNUSED)
{
	fg_fuzz_quiet();
	return 0;
}

/** What a run saw. */
struct seen {
	unsigned long frames;
	uint64_t octets;
	const struct fg_fstrm_conn* c;
};

static void
on_data(void* arg, const uint8_t* data, size_t len)
{
	struct seen* s = arg;
	(void)data;
	if(s->c->state != FG_FSTRM_DATA)
		fg_fuzz_fail("data frame in state %d", s->c->state);
	if(len > FG_FSTRM_MAX_FRAME)
		fg_fuzz_fail("data frame of %zu octets", len);
	s->frames++;
	s->octets += len;
}

static uint32_t
get32(const uint8_t* p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		((uint32_t)p[2] << 8) | p[3];
}

/** Check the replies of one call. */
static void
check_replies(const uint8_t* out, size_t len, int before_state,
	const struct fg_fstrm_conn* c)
{
	size_t off = 0;
	if(len > FG_FSTRM_REPLY_MAX)
		fg_fuzz_fail("replies of %zu octets", len);
	while(off < len) {
		uint32_t clen, type;
		if(len - off < 12 || get32(out + off) != 0)
			fg_fuzz_fail("reply is no control frame");
		clen = get32(out + off + 4);
		if(clen < 4 || clen > len - off - 8)
			fg_fuzz_fail("reply length %u", clen);
		type = get32(out + off + 8);
		if(type == FSTRM_CONTROL_ACCEPT) {
			if(before_state != FG_FSTRM_WAIT_FIRST)
				fg_fuzz_fail("ACCEPT after the first frame");
			if(clen != 4 + 8 + strlen(FG_FSTRM_CONTENT_TYPE) ||
				memcmp(out + off + 20, FG_FSTRM_CONTENT_TYPE,
				strlen(FG_FSTRM_CONTENT_TYPE)) != 0)
				fg_fuzz_fail("ACCEPT without the content type");
		} else if(type == FSTRM_CONTROL_FINISH) {
			if(!c->bidirectional || c->state != FG_FSTRM_DONE)
				fg_fuzz_fail("FINISH not after a bidirectional "
					"STOP");
		} else
			fg_fuzz_fail("reply of type %u", type);
		off += 8 + clen;
	}
}

/** Feed \p data in pieces of \p piece octets. \return the frames seen. */
static struct seen
run(const uint8_t* data, size_t size, size_t piece)
{
	struct fg_fstrm_conn c;
	struct seen s;
	size_t off = 0;
	memset(&s, 0, sizeof(s));
	fg_fstrm_conn_init(&c);
	s.c = &c;
	while(off < size) {
		uint8_t out[FG_FSTRM_REPLY_MAX];
		size_t n = size - off < piece ? size - off : piece, out_len = 0;
		const char* why = NULL;
		int before = c.state;
		int r = fg_fstrm_input(&c, data + off, n, on_data, &s, out,
			&out_len, &why);
		check_replies(out, out_len, before, &c);
		off += n;
		if(r < 0 && !why)
			fg_fuzz_fail("error without a reason");
		if(r <= 0)
			break;
	}
	if(c.state == FG_FSTRM_DATA)
		fg_fuzz_reached();
	fg_fstrm_conn_free(&c);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	struct seen a, b;
	size_t piece;
	if(size < 1)
		return 0;
	piece = (size_t)data[0] % 64 + 1;
	a = run(data + 1, size - 1, piece);
	b = run(data + 1, size - 1, size);
	if(a.frames != b.frames || a.octets != b.octets)
		fg_fuzz_fail("pieces of %zu: %lu frames, whole: %lu", piece,
			a.frames, b.frames);
	return 0;
}
