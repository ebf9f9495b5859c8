/**
 * \file
 * The receiving side of Frame Streams (tools/fg_fstrm.h). Every length
 * comes from the peer and is checked before it is used; a control frame is
 * decoded (and its replies encoded) by libfstrm's control API, only from a
 * buffer that holds all of it.
 */
#include "fg-config.h"

#include "fg_fstrm.h"

#include <fstrm.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
get32(const uint8_t* p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		((uint32_t)p[2] << 8) | p[3];
}

void
fg_fstrm_conn_init(struct fg_fstrm_conn* c)
{
	memset(c, 0, sizeof(*c));
	c->state = FG_FSTRM_WAIT_FIRST;
}

void
fg_fstrm_conn_free(struct fg_fstrm_conn* c)
{
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

/** Append the control frame \p type (with the dnstap content type if
 * \p with_type), encoded by libfstrm, to \p out. \return 0 if it could not
 * be built (out of memory). */
static int
reply(uint8_t* out, size_t* out_len, fstrm_control_type type, int with_type)
{
	struct fstrm_control* c = fstrm_control_init();
	size_t len = FG_FSTRM_REPLY_MAX - *out_len;
	int ok = c && fstrm_control_set_type(c, type) == fstrm_res_success &&
		(!with_type || fstrm_control_add_field_content_type(c,
		(const uint8_t*)FG_FSTRM_CONTENT_TYPE,
		strlen(FG_FSTRM_CONTENT_TYPE)) == fstrm_res_success) &&
		fstrm_control_encode(c, out + *out_len, &len,
		FSTRM_CONTROL_FLAG_WITH_HEADER) == fstrm_res_success;
	if(ok)
		*out_len += len;
	fstrm_control_destroy(&c);
	return ok;
}

/** Whether a READY or START offers the dnstap content type, or names none
 * (a sender that names none means the one the receiver expects). */
static int
offers_dnstap(const struct fstrm_control* c)
{
	size_t n = 0;
	if(fstrm_control_get_num_field_content_type(c, &n) !=
		fstrm_res_success || n == 0)
		return 1;
	return fstrm_control_match_field_content_type(c,
		(const uint8_t*)FG_FSTRM_CONTENT_TYPE,
		strlen(FG_FSTRM_CONTENT_TYPE)) == fstrm_res_success;
}

/** What one control frame does to \p conn, decoded into \p c. \return as
 * fg_fstrm_input. */
static int
control_step(struct fg_fstrm_conn* conn, const struct fstrm_control* c,
	uint8_t* out, size_t* out_len, const char** why)
{
	fstrm_control_type type;
	if(fstrm_control_get_type(c, &type) != fstrm_res_success) {
		*why = "malformed control frame";
		return -1;
	}
	switch(type) {
	case FSTRM_CONTROL_READY:
		if(conn->state != FG_FSTRM_WAIT_FIRST) {
			*why = "READY after the handshake";
			return -1;
		}
		if(!offers_dnstap(c)) {
			*why = "the sender offers no protobuf:dnstap.Dnstap "
				"content type";
			return -1;
		}
		if(!reply(out, out_len, FSTRM_CONTROL_ACCEPT, 1)) {
			*why = "out of memory";
			return -1;
		}
		conn->bidirectional = 1;
		conn->state = FG_FSTRM_WAIT_START;
		return 1;
	case FSTRM_CONTROL_START:
		if(conn->state != FG_FSTRM_WAIT_FIRST &&
			conn->state != FG_FSTRM_WAIT_START) {
			*why = "START twice";
			return -1;
		}
		if(!offers_dnstap(c)) {
			*why = "START of a content type other than "
				"protobuf:dnstap.Dnstap";
			return -1;
		}
		conn->state = FG_FSTRM_DATA;
		return 1;
	case FSTRM_CONTROL_STOP:
		if(conn->state != FG_FSTRM_DATA) {
			*why = "STOP before START";
			return -1;
		}
		if(conn->bidirectional &&
			!reply(out, out_len, FSTRM_CONTROL_FINISH, 0)) {
			*why = "out of memory";
			return -1;
		}
		conn->state = FG_FSTRM_DONE;
		return 0;
	default:
		/* ACCEPT and FINISH are ours to send */
		*why = "unexpected control frame type";
		return -1;
	}
}

/** Handle one control frame \p p (\p len octets after its length),
 * decoded and checked by libfstrm. \return as fg_fstrm_input. */
static int
control(struct fg_fstrm_conn* conn, const uint8_t* p, size_t len,
	uint8_t* out, size_t* out_len, const char** why)
{
	struct fstrm_control* c = fstrm_control_init();
	int r;
	if(!c) {
		*why = "out of memory";
		return -1;
	}
	if(fstrm_control_decode(c, p, len, 0) != fstrm_res_success) {
		*why = "malformed control frame";
		r = -1;
	} else {
		r = control_step(conn, c, out, out_len, why);
	}
	fstrm_control_destroy(&c);
	return r;
}

int
fg_fstrm_input(struct fg_fstrm_conn* c, const uint8_t* in, size_t n,
	fg_fstrm_data_func data, void* arg, uint8_t* out, size_t* out_len,
	const char** why)
{
	size_t off = 0;
	*out_len = 0;
	if(c->state == FG_FSTRM_DONE) {
		*why = "data after STOP";
		return -1;
	}
	if(n > 0) {
		/* what is kept between calls is less than one frame and its
		 * length (FG_FSTRM_MAX_FRAME + 4), so this stays bounded by
		 * that and the caller's read size */
		if(c->len + n > c->cap) {
			size_t cap = c->cap ? c->cap : 4096;
			uint8_t* nb;
			while(cap < c->len + n)
				cap *= 2;
			nb = realloc(c->buf, cap);
			if(!nb) {
				*why = "out of memory";
				return -1;
			}
			c->buf = nb;
			c->cap = cap;
		}
		memcpy(c->buf + c->len, in, n);
		c->len += n;
	}
	for(;;) {
		size_t avail = c->len - off;
		uint32_t flen;
		const uint8_t* p = c->buf + off;
		if(avail < 4)
			break;
		flen = get32(p);
		if(flen == 0) { /* escape: a control frame */
			uint32_t clen;
			int r;
			if(avail < 8)
				break;
			clen = get32(p + 4);
			if(clen > FG_FSTRM_MAX_CONTROL) {
				*why = "control frame too long";
				return -1;
			}
			if(avail < 8 + (size_t)clen)
				break;
			r = control(c, p + 8, clen, out, out_len, why);
			off += 8 + (size_t)clen;
			if(r <= 0) {
				c->len = 0;
				return r;
			}
			continue;
		}
		if(c->state != FG_FSTRM_DATA) {
			*why = "data frame before START";
			return -1;
		}
		if(flen > FG_FSTRM_MAX_FRAME) {
			*why = "data frame too long";
			return -1;
		}
		if(avail < 4 + (size_t)flen)
			break;
		c->frames++;
		data(arg, p + 4, flen);
		off += 4 + (size_t)flen;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return 1;
}
