/**
 * \file
 * Binary inputs of fluxguard-replay (and of the fuzz targets that drive the
 * same code): dnstap files (tools/fg_dnstap.c) and packet captures
 * (tools/fg_pcap.c). A reader takes an open stream, turns every DNS response
 * it finds into a struct fg_upstream with the one converter of
 * tools/fg_wire.h, and hands it to a callback; the caller runs the detector.
 *
 * Damage is reported, never trusted: a frame or packet that cannot be read
 * is reported as FILE: frame N (offset X): what, counted and skipped; a file
 * whose framing breaks off (truncated, corrupt lengths) ends the read with
 * one such message and \c broken set. The first FG_INPUT_MAX_REPORTS
 * messages of a file are printed, the rest only counted.
 */
#ifndef FLUXGUARD_TOOLS_INPUT_H
#define FLUXGUARD_TOOLS_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fluxguard/upstream.h"

/** Messages about damage printed per file; the rest are counted. */
#define FG_INPUT_MAX_REPORTS 20
/** Longest timestamp text handed to the callback, NUL included. */
#define FG_INPUT_TS_MAX 32

/** File formats, from the first octets. */
enum fg_input_format {
	/** the text trace of fluxguard-replay (tools/fg_trace.h) */
	FG_INPUT_TEXT = 0,
	/** Frame Streams (dnstap): starts with a control frame's escape */
	FG_INPUT_DNSTAP,
	/** pcap, either byte order, micro- or nanosecond */
	FG_INPUT_PCAP,
	/** pcapng: starts with a section header block */
	FG_INPUT_PCAPNG,
	/** binary of no kind we read */
	FG_INPUT_UNKNOWN
};

/** Which dnstap messages a reader takes (enum bits; 0 is auto). */
#define FG_DNSTAP_AUTO 0
#define FG_DNSTAP_RESOLVER 1
#define FG_DNSTAP_CLIENT 2

/**
 * Parse a --dnstap-messages value (auto, resolver, client, all) of \p tool
 * into FG_DNSTAP_* bits. \return 1, or 0 if it is none of them, said on
 * stderr as "TOOL: --dnstap-messages: expected ...".
 */
int fg_dnstap_messages_parse(const char* tool, const char* text, int* bits);

/** The callback: one response, with its arrival time as text. */
typedef void (*fg_input_answer_func)(void* arg, struct fg_upstream* up,
	const char* ts);

/** One read of one file: what the caller sets, and what the reader counts. */
struct fg_input {
	/** the file's name in messages */
	const char* name;
	/** where messages go; NULL for none */
	FILE* err;
	/** gets each response */
	fg_input_answer_func answer;
	/** its first argument */
	void* arg;
	/** pcap: the port DNS responses come from (53) */
	uint16_t dns_port;
	/** dnstap: FG_DNSTAP_* bits; auto takes resolver responses, and client
	 * responses only while no resolver response was seen in the file */
	int dnstap_messages;

	/** frames (dnstap) or packets (pcap) read */
	unsigned long frames;
	/** responses handed to the callback */
	unsigned long responses;
	/** frames or packets skipped as damaged */
	unsigned long damaged;
	/** packets that may hold DNS but cannot be read here (IP fragments,
	 * TCP segments after a gap); not damage, counted */
	unsigned long unsupported;
	/** the file broke off or its framing is corrupt: the rest is unread */
	int broken;
	/** a warning that changes nothing read (no STOP frame at the end) */
	int warned;
};

/** The format of a file that starts with \p head (\p n octets, 0 to 4). */
enum fg_input_format fg_input_detect(const uint8_t* head, size_t n);

/** Name of a format, for messages. */
const char* fg_input_format_name(enum fg_input_format f);

/**
 * Report damage at \p where (e.g. "frame 12 (offset 3456)") and count it
 * in \p in->damaged; printed while fewer than FG_INPUT_MAX_REPORTS were.
 */
void fg_input_damaged(struct fg_input* in, const char* where,
	const char* fmt, ...) __attribute__((format(printf, 3, 4)));

/** Report that the file broke off at \p where, and set \p in->broken. */
void fg_input_broken(struct fg_input* in, const char* where,
	const char* fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * Read a dnstap file (Frame Streams, content type protobuf:dnstap.Dnstap)
 * from \p f to its end. \return 1 if it was read to the end, 0 if it broke
 * off (said, \c broken set).
 */
int fg_dnstap_read(struct fg_input* in, FILE* f);

/**
 * Handle one dnstap data frame \p data (a protobuf dnstap.Dnstap) as
 * fg_dnstap_read does: a response of a type \p in takes goes to its
 * callback, damage is reported at \p where and counted. \p seen_resolver
 * carries the auto setting's memory between the frames of one stream
 * (start it at 0). The sensor calls it for the frames it receives.
 */
void fg_dnstap_frame(struct fg_input* in, const uint8_t* data, size_t len,
	const char* where, int* seen_resolver);

/**
 * Read a pcap or pcapng capture from \p f to its end (libpcap takes \p f
 * over: it is closed when this returns): DNS responses from
 * \p in->dns_port over UDP and TCP (in-order segments of a connection
 * reassembled), IPv4 and IPv6, on Ethernet, Linux cooked, raw IP and BSD
 * loopback links. \return 1 if it was read to the end, 0 if it broke off.
 */
int fg_pcap_read(struct fg_input* in, FILE* f);

#endif /* FLUXGUARD_TOOLS_INPUT_H */
