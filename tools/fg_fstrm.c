/**
 * \file
 * The receiving side of Frame Streams (tools/fg_fstrm.h). Every length
 * comes from the peer and is checked before it is used; a control frame is
 * parsed only from a buffer that holds all of it.
 */
#include "fg-config.h"

#include "fg_fstrm.h"

#include <stdlib.h>
#include <string.h>

/** Content-type field of a control frame. */
#define FIELD_CONTENT_TYPE 1

static uint32_t
get32(const uint8_t* p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		((uint32_t)p[2] << 8) | p[3];
}

static void
put32(uint8_t* p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
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

/** Append a control frame of \p type (with the dnstap content type if
 * \p with_type) to \p out. */
static void
reply(uint8_t* out, size_t* out_len, uint32_t type, int with_type)
{
	size_t ct = strlen(FG_FSTRM_CONTENT_TYPE);
	size_t body = 4 + (with_type ? 8 + ct : 0);
	uint8_t* p = out + *out_len;
	if(*out_len + 8 + body > FG_FSTRM_REPLY_MAX)
		return; /* cannot happen: one reply per call at most */
	put32(p, 0);
	put32(p + 4, (uint32_t)body);
	put32(p + 8, type);
	if(with_type) {
		put32(p + 12, FIELD_CONTENT_TYPE);
		put32(p + 16, (uint32_t)ct);
		memcpy(p + 20, FG_FSTRM_CONTENT_TYPE, ct);
	}
	*out_len += 8 + body;
}

/**
 * Check the fields of a control frame body (after its type). \return 1 if
 * they are well formed and (when \p need_type) one is the dnstap content
 * type or there is no content-type field at all, 0 if well formed but
 * another content type, -1 if malformed.
 */
static int
fields_ok(const uint8_t* p, size_t len, int need_type)
{
	size_t off = 0, ct = strlen(FG_FSTRM_CONTENT_TYPE);
	int types = 0, match = 0;
	while(off < len) {
		uint32_t ftype, flen;
		if(len - off < 8)
			return -1;
		ftype = get32(p + off);
		flen = get32(p + off + 4);
		off += 8;
		if(flen > len - off)
			return -1;
		if(ftype == FIELD_CONTENT_TYPE) {
			types++;
			if(flen == ct && memcmp(p + off, FG_FSTRM_CONTENT_TYPE,
				ct) == 0)
				match = 1;
		}
		off += flen;
	}
	if(!need_type || types == 0)
		return 1;
	return match;
}

/** Handle one control frame \p p (\p len octets, type first). \return as
 * fg_fstrm_input. */
static int
control(struct fg_fstrm_conn* c, const uint8_t* p, size_t len, uint8_t* out,
	size_t* out_len, const char** why)
{
	uint32_t type;
	int f;
	if(len < 4) {
		*why = "control frame shorter than its type";
		return -1;
	}
	type = get32(p);
	f = fields_ok(p + 4, len - 4, type == FG_FSTRM_READY ||
		type == FG_FSTRM_START);
	if(f < 0) {
		*why = "malformed control frame fields";
		return -1;
	}
	switch(type) {
	case FG_FSTRM_READY:
		if(c->state != FG_FSTRM_WAIT_FIRST) {
			*why = "READY after the handshake";
			return -1;
		}
		if(f == 0) {
			*why = "the sender offers no protobuf:dnstap.Dnstap "
				"content type";
			return -1;
		}
		reply(out, out_len, FG_FSTRM_ACCEPT, 1);
		c->bidirectional = 1;
		c->state = FG_FSTRM_WAIT_START;
		return 1;
	case FG_FSTRM_START:
		if(c->state != FG_FSTRM_WAIT_FIRST &&
			c->state != FG_FSTRM_WAIT_START) {
			*why = "START twice";
			return -1;
		}
		if(f == 0) {
			*why = "START of a content type other than "
				"protobuf:dnstap.Dnstap";
			return -1;
		}
		c->state = FG_FSTRM_DATA;
		return 1;
	case FG_FSTRM_STOP:
		if(c->state != FG_FSTRM_DATA) {
			*why = "STOP before START";
			return -1;
		}
		if(c->bidirectional)
			reply(out, out_len, FG_FSTRM_FINISH, 0);
		c->state = FG_FSTRM_DONE;
		return 0;
	default:
		/* ACCEPT and FINISH are ours to send; unknown types are
		 * errors too, as libfstrm's reader treats them */
		*why = "unexpected control frame type";
		return -1;
	}
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
