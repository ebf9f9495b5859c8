/**
 * \file
 * The packet-capture reader of fluxguard-replay (tools/fg_input.h): pcap and
 * pcapng through libpcap, link, IP and transport headers decoded here, each
 * DNS response through the shared converter (tools/fg_wire.h).
 *
 * Responses are the packets from the DNS port (53 unless told): UDP
 * payloads as they are, TCP payloads reassembled per connection (the 4-tuple)
 * from in-order segments, retransmitted octets dropped, and split at the
 * two-octet length prefixes of RFC 1035 4.2.2. A gap in a connection (a
 * segment lost before the capture saw it, or reordered) leaves the rest of
 * that connection unreadable: it is counted as unsupported, with IP
 * fragments, until the connection starts again. Every length comes from the
 * capture and is checked before it is used.
 */
#include "fg-config.h"

#include "fg_input.h"
#include "fg_wire.h"

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

/** Connections followed at once; more are counted as unsupported. */
#define FLOWS_MAX 65536
/** Hash buckets of the connection table. */
#define FLOW_BUCKETS 4096
/** Octets buffered per connection: two largest DNS messages. */
#define FLOW_BUF_MAX (2 * (65535 + 2))

/** DLT values older libpcap headers may lack. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

/** One TCP connection from the DNS port. */
struct flow {
	/** next in the bucket */
	struct flow* next;
	/** 4 or 6, the addresses (source, destination) and ports */
	uint8_t family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	/** the next sequence number expected; valid when \c synced */
	uint32_t next_seq;
	int synced;
	/** a gap was seen: ignore the connection until it starts again */
	int lost;
	/** octets received and not yet a whole message */
	uint8_t* buf;
	size_t len;
};

/** The state of one read. */
struct pcap_read {
	struct fg_input* in;
	struct flow* buckets[FLOW_BUCKETS];
	size_t n_flows;
	/** where the current packet is, for messages */
	char where[96];
	/** its time */
	uint64_t sec;
	uint32_t usec;
};

static uint16_t
get16(const uint8_t* p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
get32(const uint8_t* p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		((uint32_t)p[2] << 8) | p[3];
}

/** Hand one DNS message to the converter and the callback. */
static void
dns_message(struct pcap_read* pr, const uint8_t* m, size_t len)
{
	static struct fg_upstream up;
	struct fg_wire_msg msg;
	const char* why = NULL;
	char ts[FG_INPUT_TS_MAX];
	int r = fg_wire_to_upstream(m, len, pr->sec, &msg, &up, &why);
	if(r < 0) {
		fg_input_damaged(pr->in, pr->where, "%s from the DNS port", why);
		return;
	}
	if(r == 0)
		return; /* a query from the DNS port: nothing to learn */
	snprintf(ts, sizeof(ts), "%" PRIu64 ".%06u", pr->sec,
		(unsigned)(pr->usec % 1000000));
	pr->in->responses++;
	pr->in->answer(pr->in->arg, &up, ts);
	fg_wire_msg_clear(&msg);
}

static size_t
flow_hash(const struct flow* k)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i, n = k->family == 4 ? 4 : 16;
	for(i = 0; i < n; i++) {
		h = (h ^ k->src[i]) * 1099511628211ULL;
		h = (h ^ k->dst[i]) * 1099511628211ULL;
	}
	h = (h ^ k->sport) * 1099511628211ULL;
	h = (h ^ k->dport) * 1099511628211ULL;
	return (size_t)(h % FLOW_BUCKETS);
}

static int
flow_same(const struct flow* a, const struct flow* b)
{
	return a->family == b->family && a->sport == b->sport &&
		a->dport == b->dport && memcmp(a->src, b->src, 16) == 0 &&
		memcmp(a->dst, b->dst, 16) == 0;
}

/** Find the connection of \p key; with \p create, make it if new.
 * \return it, or NULL. */
static struct flow*
flow_find(struct pcap_read* pr, const struct flow* key, int create)
{
	size_t b = flow_hash(key);
	struct flow* f;
	for(f = pr->buckets[b]; f; f = f->next)
		if(flow_same(f, key))
			return f;
	if(!create || pr->n_flows >= FLOWS_MAX)
		return NULL;
	f = calloc(1, sizeof(*f));
	if(!f)
		return NULL;
	memcpy(f->src, key->src, 16);
	memcpy(f->dst, key->dst, 16);
	f->family = key->family;
	f->sport = key->sport;
	f->dport = key->dport;
	f->next = pr->buckets[b];
	pr->buckets[b] = f;
	pr->n_flows++;
	return f;
}

static void
flow_remove(struct pcap_read* pr, struct flow* gone)
{
	struct flow** p = &pr->buckets[flow_hash(gone)];
	while(*p && *p != gone)
		p = &(*p)->next;
	if(*p)
		*p = gone->next;
	free(gone->buf);
	free(gone);
	pr->n_flows--;
}

/** Take the whole messages at the front of \p f's buffer. */
static void
flow_drain(struct pcap_read* pr, struct flow* f)
{
	size_t off = 0;
	while(f->len - off >= 2) {
		size_t mlen = get16(f->buf + off);
		if(f->len - off < 2 + mlen)
			break;
		dns_message(pr, f->buf + off + 2, mlen);
		off += 2 + mlen;
	}
	memmove(f->buf, f->buf + off, f->len - off);
	f->len -= off;
}

/** One TCP segment from the DNS port. */
static void
tcp_segment(struct pcap_read* pr, struct flow* key, const uint8_t* p,
	size_t len)
{
	size_t hl;
	uint32_t seq;
	uint8_t flags;
	struct flow* f;
	if(len < 20 || (hl = (size_t)(p[12] >> 4) * 4) < 20 || hl > len) {
		fg_input_damaged(pr->in, pr->where, "TCP header cut off");
		return;
	}
	seq = get32(p + 4);
	flags = p[13];
	p += hl;
	len -= hl;
	f = flow_find(pr, key, (flags & 0x02) || len > 0);
	if(!f) {
		if(len > 0)
			pr->in->unsupported++;
		return;
	}
	if(flags & 0x02) { /* SYN: the connection (re)starts */
		f->next_seq = seq + 1;
		f->synced = 1;
		f->lost = 0;
		f->len = 0;
	} else if(!f->synced) {
		/* the capture began inside the connection: assume the first
		 * payload starts a message */
		f->next_seq = seq;
		f->synced = 1;
	}
	if(len > 0 && !f->lost) {
		uint32_t ahead = seq - f->next_seq; /* modulo 2^32 */
		if(ahead != 0 && ahead < 0x80000000U) {
			f->lost = 1; /* a gap: what follows cannot be split */
			f->len = 0;
		} else {
			uint32_t behind = f->next_seq - seq;
			if(behind < len) { /* new octets after any retransmitted */
				p += behind;
				len -= behind;
				if(!f->buf && !(f->buf = malloc(FLOW_BUF_MAX))) {
					f->lost = 1;
				} else if(f->len + len > FLOW_BUF_MAX) {
					f->lost = 1;
					f->len = 0;
				} else {
					memcpy(f->buf + f->len, p, len);
					f->len += len;
					f->next_seq += (uint32_t)len;
					flow_drain(pr, f);
				}
			}
		}
	}
	if(f->lost && len > 0)
		pr->in->unsupported++;
	if(flags & 0x05) /* FIN or RST */
		flow_remove(pr, f);
}

/** One transport payload: \p proto 17 (UDP) or 6 (TCP). */
static void
transport(struct pcap_read* pr, struct flow* key, uint8_t proto,
	const uint8_t* p, size_t len)
{
	uint16_t port = pr->in->dns_port;
	if(proto == 17) {
		size_t ulen;
		if(len < 8) {
			fg_input_damaged(pr->in, pr->where, "UDP header cut off");
			return;
		}
		if(get16(p) != port)
			return;
		ulen = get16(p + 4);
		if(ulen < 8 || ulen > len) {
			fg_input_damaged(pr->in, pr->where, "UDP length %zu does "
				"not fit the %zu octets captured", ulen, len);
			return;
		}
		dns_message(pr, p + 8, ulen - 8);
	} else if(proto == 6) {
		if(len < 4 || get16(p) != port)
			return;
		key->sport = get16(p);
		key->dport = get16(p + 2);
		tcp_segment(pr, key, p, len);
	}
}

/** The payload of an IP packet of \p family (4 or 6), from \p src to
 * \p dst (4 or 16 octets), of protocol \p proto, to its transport. */
static void
ip_payload(struct pcap_read* pr, int family, const uint8_t* src,
	const uint8_t* dst, uint8_t proto, const uint8_t* p, size_t len)
{
	struct flow key;
	size_t alen = family == 4 ? 4 : 16;
	memset(&key, 0, sizeof(key));
	key.family = (uint8_t)family;
	memcpy(key.src, src, alen);
	memcpy(key.dst, dst, alen);
	transport(pr, &key, proto, p, len);
}

static void
ipv4(struct pcap_read* pr, const uint8_t* p, size_t len)
{
	size_t hl, tl;
	if(len < 20 || (hl = (size_t)(p[0] & 0x0f) * 4) < 20 || hl > len) {
		fg_input_damaged(pr->in, pr->where, "IPv4 header cut off");
		return;
	}
	tl = get16(p + 2);
	if(tl < hl || tl > len) {
		fg_input_damaged(pr->in, pr->where, "IPv4 total length %zu "
			"does not fit the %zu octets captured", tl, len);
		return;
	}
	if(get16(p + 6) & 0x3fff) { /* MF or an offset: a fragment */
		pr->in->unsupported++;
		return;
	}
	ip_payload(pr, 4, p + 12, p + 16, p[9], p + hl, tl - hl);
}

static void
ipv6(struct pcap_read* pr, const uint8_t* p, size_t len)
{
	size_t pl, off = 40;
	uint8_t next;
	int hops = 0;
	if(len < 40) {
		fg_input_damaged(pr->in, pr->where, "IPv6 header cut off");
		return;
	}
	pl = get16(p + 4);
	if(40 + pl > len) {
		fg_input_damaged(pr->in, pr->where, "IPv6 payload length %zu "
			"does not fit the %zu octets captured", pl, len - 40);
		return;
	}
	len = 40 + pl;
	next = p[6];
	/* extension headers: hop-by-hop, routing, destination options */
	while((next == 0 || next == 43 || next == 60) && hops++ < 8) {
		if(off + 8 > len || off + ((size_t)p[off + 1] + 1) * 8 > len) {
			fg_input_damaged(pr->in, pr->where, "IPv6 extension "
				"header cut off");
			return;
		}
		next = p[off];
		off += ((size_t)p[off + 1] + 1) * 8;
	}
	if(next == 44) { /* a fragment */
		pr->in->unsupported++;
		return;
	}
	ip_payload(pr, 6, p + 8, p + 24, next, p + off, len - off);
}

/** An IP packet: version from its first nibble. */
static void
ip(struct pcap_read* pr, const uint8_t* p, size_t len)
{
	if(len < 1)
		return;
	if((p[0] >> 4) == 4)
		ipv4(pr, p, len);
	else if((p[0] >> 4) == 6)
		ipv6(pr, p, len);
}

/** One captured frame on link type \p dlt. */
static void
packet(struct pcap_read* pr, int dlt, const uint8_t* p, size_t len)
{
	uint16_t et;
	size_t off;
	switch(dlt) {
	case DLT_EN10MB:
		if(len < 14)
			return;
		et = get16(p + 12);
		off = 14;
		while((et == 0x8100 || et == 0x88a8) && off + 4 <= len) {
			et = get16(p + off + 2);
			off += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if(len < 16)
			return;
		et = get16(p + 14);
		off = 16;
		break;
	case DLT_LINUX_SLL2:
		if(len < 20)
			return;
		et = get16(p);
		off = 20;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		if(len < 4)
			return;
		ip(pr, p + 4, len - 4);
		return;
	default: /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
		ip(pr, p, len);
		return;
	}
	if(et == 0x0800 || et == 0x86dd)
		ip(pr, p + off, len - off);
}

/** Whether this reader knows link type \p dlt. */
static int
link_known(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL ||
		dlt == DLT_LINUX_SLL2 || dlt == DLT_NULL || dlt == DLT_LOOP ||
		dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6;
}

int
fg_pcap_read(struct fg_input* in, FILE* f)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_read* pr;
	pcap_t* p;
	int dlt, ok = 0;
	size_t b;
	errbuf[0] = 0;
	p = pcap_fopen_offline(f, errbuf);
	if(!p) {
		fg_input_broken(in, "offset 0", "not a readable capture: %s",
			errbuf[0] ? errbuf : "libpcap refused it");
		fclose(f);
		return 0;
	}
	dlt = pcap_datalink(p);
	if(!link_known(dlt)) {
		fg_input_broken(in, "offset 0", "link type %s (%d) is not read "
			"here (Ethernet, Linux cooked, raw IP and loopback are)",
			pcap_datalink_val_to_name(dlt) ?
			pcap_datalink_val_to_name(dlt) : "?", dlt);
		pcap_close(p);
		return 0;
	}
	pr = calloc(1, sizeof(*pr));
	if(!pr) {
		fg_input_broken(in, "offset 0", "out of memory");
		pcap_close(p);
		return 0;
	}
	pr->in = in;
	for(;;) {
		struct pcap_pkthdr* h;
		const u_char* data;
		long at = ftell(pcap_file(p));
		int r = pcap_next_ex(p, &h, &data);
		if(at >= 0)
			snprintf(pr->where, sizeof(pr->where), "packet %lu "
				"(offset %ld)", in->frames + 1, at);
		else
			snprintf(pr->where, sizeof(pr->where), "packet %lu",
				in->frames + 1);
		if(r == 1) {
			in->frames++;
			pr->sec = (uint64_t)h->ts.tv_sec;
			pr->usec = (uint32_t)h->ts.tv_usec;
			packet(pr, dlt, data, h->caplen);
			continue;
		}
		if(r == PCAP_ERROR_BREAK) {
			ok = 1;
			break;
		}
		fg_input_broken(in, pr->where, "%s", pcap_geterr(p));
		break;
	}
	for(b = 0; b < FLOW_BUCKETS; b++)
		while(pr->buckets[b])
			flow_remove(pr, pr->buckets[b]);
	free(pr);
	pcap_close(p);
	return ok;
}
