/**
 * \file
 * The receiving side of a Frame Streams connection, as a dnstap collector
 * runs it: libfstrm has no server, so fluxguard-sensor keeps one state
 * machine per connection here, fed with whatever octets arrived, and the
 * fuzz target tests/fuzz/fuzz_fstrm.c drives the very same code.
 *
 * Bidirectional (what Unbound's dnstap-socket-path and dnstap-ip speak,
 * dnstap/dtstream.c): the sender sends READY with its content types, we
 * answer ACCEPT naming protobuf:dnstap.Dnstap (Unbound closes the
 * connection on an ACCEPT without it), the sender sends START, then data
 * frames, then STOP, which we answer with FINISH. Unidirectional: START,
 * data frames, STOP, no replies. A sender that offers no dnstap content
 * type, a control frame out of order, or a frame longer than
 * FG_FSTRM_MAX_FRAME ends the connection with a reason.
 */
#ifndef FLUXGUARD_TOOLS_FSTRM_H
#define FLUXGUARD_TOOLS_FSTRM_H

#include <stddef.h>
#include <stdint.h>

/** The content type accepted. */
#define FG_FSTRM_CONTENT_TYPE "protobuf:dnstap.Dnstap"
/** Largest data frame taken (Unbound's own receiver allows 1 MiB too). */
#define FG_FSTRM_MAX_FRAME (1024 * 1024)
/** Largest control frame (libfstrm's limit). */
#define FG_FSTRM_MAX_CONTROL 512
/** Room the replies of one fg_fstrm_input call need. */
#define FG_FSTRM_REPLY_MAX 128

/** Where a connection is. */
enum fg_fstrm_state {
	/** nothing yet: READY (bidirectional) or START (unidirectional) */
	FG_FSTRM_WAIT_FIRST = 0,
	/** ACCEPT sent, START expected */
	FG_FSTRM_WAIT_START,
	/** data frames until STOP */
	FG_FSTRM_DATA,
	/** STOP seen (FINISH queued if bidirectional): close */
	FG_FSTRM_DONE
};

/** One connection's receiving state. */
struct fg_fstrm_conn {
	/** enum fg_fstrm_state */
	int state;
	/** the sender did the bidirectional handshake */
	int bidirectional;
	/** octets received and not yet a whole frame */
	uint8_t* buf;
	size_t len, cap;
	/** data frames received */
	unsigned long frames;
};

/** Gets each data frame (valid during the call only). */
typedef void (*fg_fstrm_data_func)(void* arg, const uint8_t* data,
	size_t len);

/** Start \p c fresh. */
void fg_fstrm_conn_init(struct fg_fstrm_conn* c);

/** Free what \p c holds. */
void fg_fstrm_conn_free(struct fg_fstrm_conn* c);

/**
 * Feed \p n octets that arrived on the connection. Every complete data
 * frame goes to \p data; replies the sender must get (ACCEPT, FINISH) are
 * appended to \p out (FG_FSTRM_REPLY_MAX octets of room; \p out_len is set
 * to what was written).
 * \param why receives the reason (a static string) on -1.
 * \return 1 to keep reading, 0 when the stream ended properly (STOP; send
 *	\p out, then close), -1 on a protocol error (send \p out, close).
 */
int fg_fstrm_input(struct fg_fstrm_conn* c, const uint8_t* in, size_t n,
	fg_fstrm_data_func data, void* arg, uint8_t* out, size_t* out_len,
	const char** why);

#endif /* FLUXGUARD_TOOLS_FSTRM_H */
