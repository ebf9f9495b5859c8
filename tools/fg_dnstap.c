/**
 * \file
 * The dnstap reader of fluxguard-replay (tools/fg_input.h): Frame Streams
 * through libfstrm's reader, each data frame a protobuf dnstap.Dnstap
 * (decoded by protobuf-c with the code generated at build time from the
 * dnstap.proto of the Unbound source tree), and each RESOLVER_RESPONSE or
 * CLIENT_RESPONSE message's DNS message through the shared converter
 * (tools/fg_wire.h).
 *
 * libfstrm reads through our own byte source (an fstrm_rdwr over a stdio
 * stream), which counts the offset, tells a clean end from a cut-off frame,
 * and lets standard input and the fuzz target's memory be read like a file.
 * Frame Streams has no resynchronisation marker: once a frame's length is
 * wrong nothing after it can be found, so corrupt framing ends the read; a
 * frame whose protobuf or DNS message is damaged is skipped and counted.
 */
#include "fg-config.h"

#include "fg_input.h"
#include "fg_wire.h"
#include "dnstap/dnstap.pb-c.h"

#include <fstrm.h>
#include <inttypes.h>
#include <string.h>

/** The content type a dnstap stream announces. */
#define DNSTAP_CONTENT_TYPE "protobuf:dnstap.Dnstap"
/** Largest frame read; Unbound's and BIND's frames are far smaller. */
#define DNSTAP_MAX_FRAME (1024 * 1024)

/** The byte source under libfstrm's reader. */
struct source {
	/** the stream */
	FILE* f;
	/** octets consumed */
	uint64_t offset;
	/** the stream ended between two reads */
	int eof;
	/** the stream ended inside a read: a frame is cut off */
	int cut;
	/** the last 4-octet value read (a frame or control length) */
	uint32_t last_word;
	/** the stream failed to read */
	int error;
	/** the last 4-octet value exceeded DNSTAP_MAX_FRAME: libfstrm 0.6
	 * reports such a frame length as a successful read of stale data
	 * (reader.c goto fail with res still success), so we catch it here */
	int oversize;
};

static fstrm_res
source_open(void* obj)
{
	(void)obj;
	return fstrm_res_success;
}

static fstrm_res
source_close(void* obj)
{
	(void)obj;
	return fstrm_res_success;
}

static fstrm_res
source_read(void* obj, void* data, size_t count)
{
	struct source* s = obj;
	size_t got = fread(data, 1, count, s->f);
	s->offset += got;
	if(got == count) {
		if(count == 4) {
			const uint8_t* p = data;
			s->last_word = ((uint32_t)p[0] << 24) |
				((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
			s->oversize = s->last_word > DNSTAP_MAX_FRAME;
		}
		return fstrm_res_success;
	}
	if(ferror(s->f)) {
		s->error = 1;
		return fstrm_res_failure;
	}
	if(got == 0) {
		s->eof = 1;
		return fstrm_res_stop;
	}
	s->cut = 1;
	return fstrm_res_failure;
}

/** Check the START frame's content type. \return 1 if it is dnstap's. */
static int
content_type_ok(struct fg_input* in, struct fstrm_reader* r)
{
	const struct fstrm_control* c = NULL;
	size_t n = 0, i;
	if(fstrm_reader_get_control(r, FSTRM_CONTROL_START, &c) !=
		fstrm_res_success || !c)
		return 0;
	if(fstrm_control_get_num_field_content_type(c, &n) != fstrm_res_success)
		return 0;
	if(n == 0) /* a stream may leave it out; the frames will tell */
		return 1;
	for(i = 0; i < n; i++) {
		const uint8_t* ct;
		size_t len;
		if(fstrm_control_get_field_content_type(c, i, &ct, &len) ==
			fstrm_res_success && len == strlen(DNSTAP_CONTENT_TYPE) &&
			memcmp(ct, DNSTAP_CONTENT_TYPE, len) == 0)
			return 1;
		if(i == 0)
			fg_input_broken(in, "offset 0", "wrong format: Frame "
				"Streams of content type \"%.*s\", not \"%s\"",
				(int)(len > 100 ? 100 : len), (const char*)ct,
				DNSTAP_CONTENT_TYPE);
	}
	return 0;
}

/** Whether message type \p t is taken, given \p in's setting. */
static int
take_type(struct fg_input* in, Dnstap__Message__Type t, int* seen_resolver)
{
	int want = in->dnstap_messages;
	if(t == DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE) {
		*seen_resolver = 1;
		return want == FG_DNSTAP_AUTO || (want & FG_DNSTAP_RESOLVER);
	}
	if(t == DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE)
		return want == FG_DNSTAP_AUTO ? !*seen_resolver :
			(want & FG_DNSTAP_CLIENT) != 0;
	return 0;
}

void
fg_dnstap_frame(struct fg_input* in, const uint8_t* data, size_t len,
	const char* where, int* seen_resolver)
{
	Dnstap__Dnstap* d = dnstap__dnstap__unpack(NULL, len, data);
	const Dnstap__Message* m;
	struct fg_wire_msg msg;
	struct fg_upstream* up;
	static struct fg_upstream up_store;
	char ts[FG_INPUT_TS_MAX];
	const char* why = NULL;
	if(!d) {
		fg_input_damaged(in, where, "not a dnstap protobuf message "
			"(%zu octets)", len);
		return;
	}
	m = d->message;
	if(d->type != DNSTAP__DNSTAP__TYPE__MESSAGE || !m ||
		!take_type(in, m->type, seen_resolver)) {
		dnstap__dnstap__free_unpacked(d, NULL);
		return;
	}
	if(!m->has_response_message || !m->has_response_time_sec) {
		fg_input_damaged(in, where, "response without %s",
			m->has_response_message ? "response_time_sec" :
			"response_message");
		dnstap__dnstap__free_unpacked(d, NULL);
		return;
	}
	up = &up_store;
	if(fg_wire_to_upstream(m->response_message.data,
		m->response_message.len, m->response_time_sec, &msg, up,
		&why) != 1) {
		fg_input_damaged(in, where, "%s", why);
		dnstap__dnstap__free_unpacked(d, NULL);
		return;
	}
	snprintf(ts, sizeof(ts), "%" PRIu64 ".%06u", m->response_time_sec,
		(unsigned)(m->has_response_time_nsec ?
		m->response_time_nsec / 1000 % 1000000 : 0));
	in->responses++;
	in->answer(in->arg, up, ts);
	fg_wire_msg_clear(&msg);
	dnstap__dnstap__free_unpacked(d, NULL);
}

int
fg_dnstap_read(struct fg_input* in, FILE* f)
{
	struct source s;
	struct fstrm_rdwr* rdwr;
	struct fstrm_reader_options* ropt;
	struct fstrm_reader* r;
	int seen_resolver = 0, ok = 0;
	char where[96];
	memset(&s, 0, sizeof(s));
	s.f = f;
	rdwr = fstrm_rdwr_init(&s);
	ropt = fstrm_reader_options_init();
	if(!rdwr || !ropt) {
		fg_input_broken(in, "offset 0", "out of memory");
		if(rdwr)
			fstrm_rdwr_destroy(&rdwr);
		if(ropt)
			fstrm_reader_options_destroy(&ropt);
		return 0;
	}
	fstrm_rdwr_set_open(rdwr, source_open);
	fstrm_rdwr_set_close(rdwr, source_close);
	fstrm_rdwr_set_read(rdwr, source_read);
	fstrm_reader_options_set_max_frame_size(ropt, DNSTAP_MAX_FRAME);
	r = fstrm_reader_init(ropt, &rdwr); /* takes rdwr */
	fstrm_reader_options_destroy(&ropt);
	if(!r) {
		fg_input_broken(in, "offset 0", "out of memory");
		return 0;
	}
	if(fstrm_reader_open(r) != fstrm_res_success) {
		if(s.cut || s.eof)
			fg_input_broken(in, "offset 0", "truncated: the file ends "
				"inside the Frame Streams START frame");
		else if(s.error)
			fg_input_broken(in, "offset 0", "read error");
		else
			fg_input_broken(in, "offset 0", "corrupt: no valid Frame "
				"Streams START frame");
		goto done;
	}
	if(!content_type_ok(in, r)) {
		if(!in->broken)
			fg_input_broken(in, "offset 0", "wrong format: no "
				"dnstap content type in the START frame");
		goto done;
	}
	for(;;) {
		const uint8_t* data;
		size_t len;
		uint64_t at = s.offset;
		fstrm_res res = fstrm_reader_read(r, &data, &len);
		snprintf(where, sizeof(where), "frame %lu (offset %" PRIu64 ")",
			in->frames + 1, at);
		if(res == fstrm_res_success && s.oversize) {
			fg_input_broken(in, where, "corrupt: frame length %"
				PRIu32 " exceeds %d", s.last_word,
				DNSTAP_MAX_FRAME);
			break;
		}
		if(res == fstrm_res_success) {
			in->frames++;
			fg_dnstap_frame(in, data, len, where, &seen_resolver);
			continue;
		}
		if(res == fstrm_res_stop) {
			if(s.eof) {
				/* a capture still running, or stopped hard */
				if(in->err)
					fprintf(in->err, "%s: offset %" PRIu64
						": warning: no STOP frame at the "
						"end (capture still running?)\n",
						in->name, s.offset);
				in->warned = 1;
			}
			ok = 1;
			break;
		}
		if(s.cut)
			fg_input_broken(in, where, "truncated: the file ends "
				"inside the frame (at offset %" PRIu64 ")",
				s.offset);
		else if(s.error)
			fg_input_broken(in, where, "read error");
		else if(s.last_word > DNSTAP_MAX_FRAME)
			fg_input_broken(in, where, "corrupt: frame length %"
				PRIu32 " exceeds %d", s.last_word,
				DNSTAP_MAX_FRAME);
		else
			fg_input_broken(in, where, "corrupt Frame Streams "
				"control frame");
		break;
	}
done:
	fstrm_reader_destroy(&r);
	return ok;
}
