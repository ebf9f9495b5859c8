/**
 * \file
 * Unit tests for the binary inputs of fluxguard-replay: the format from the
 * magic (tools/fg_input.c), the wire-to-upstream converter that mirrors the
 * module's reading (tools/fg_wire.c), the dnstap reader (tools/fg_dnstap.c)
 * and the capture reader (tools/fg_pcap.c), each on streams built here, good
 * and damaged.
 */
#include "fg_input.h"
#include "fg_wire.h"
#include "dnstap/dnstap.pb-c.h"
#include "fluxguard/name.h"
#include "unit.h"

#include <arpa/inet.h>
#include <check.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

/** A DNS message under construction. */
struct msg {
	uint8_t b[1024];
	size_t len;
};

static void
put(struct msg* m, const void* d, size_t n)
{
	ck_assert_uint_le(m->len + n, sizeof(m->b));
	memcpy(m->b + m->len, d, n);
	m->len += n;
}

static void
put16(struct msg* m, uint16_t v)
{
	uint8_t d[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(m, d, 2);
}

static void
put32(struct msg* m, uint32_t v)
{
	put16(m, (uint16_t)(v >> 16));
	put16(m, (uint16_t)v);
}

/** Header of a response (flags 0x8180) with the given counts, and the
 * question www.example.test. A. */
static void
header(struct msg* m, uint16_t flags, uint16_t an, uint16_t ns, uint16_t ar)
{
	m->len = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, 1);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
	put(m, "\3www\7example\4test\0", 18);
	put16(m, 1);
	put16(m, 1);
}

/** An RR owned by the question's name (a compression pointer to it). */
static void
rr_q(struct msg* m, uint16_t type, uint16_t cls, uint32_t ttl,
	const void* rdata, uint16_t rdlen)
{
	put16(m, 0xc00c);
	put16(m, type);
	put16(m, cls);
	put32(m, ttl);
	put16(m, rdlen);
	put(m, rdata, rdlen);
}

START_TEST(test_detect)
{
	/* the first octets of a file, and the format they tell */
	static const struct {
		const char* head;
		size_t len;
		enum fg_input_format fmt;
	} cases[] = {
		{ "\0\0\0\0", 4, FG_INPUT_DNSTAP },
		{ "\xd4\xc3\xb2\xa1", 4, FG_INPUT_PCAP },
		{ "\xa1\xb2\xc3\xd4", 4, FG_INPUT_PCAP },
		{ "\x4d\x3c\xb2\xa1", 4, FG_INPUT_PCAP },
		{ "\x0a\x0d\x0d\x0a", 4, FG_INPUT_PCAPNG },
		{ "1700", 4, FG_INPUT_TEXT },
		{ "# a\n", 4, FG_INPUT_TEXT },
		{ "", 0, FG_INPUT_TEXT },
		{ "\x01\x02\x03\x04", 4, FG_INPUT_UNKNOWN },
		{ "a\0", 2, FG_INPUT_UNKNOWN },
		{ "\x7f" "ELF", 4, FG_INPUT_UNKNOWN },
	};
	size_t i;
	for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_int_eq(fg_input_detect((const uint8_t*)cases[i].head,
			cases[i].len), cases[i].fmt);
}
END_TEST

/** Convert \p m, which must be accepted, into \p up (at time \p now). */
static void
convert(const struct msg* m, uint64_t now, struct fg_wire_msg* wm,
	struct fg_upstream* up)
{
	const char* why = NULL;
	ck_assert_int_eq(fg_wire_to_upstream(m->b, m->len, now, wm, up, &why),
		1);
	ck_assert_uint_eq(up->now, now);
}

/** Assert RRset \p i of \p up: its type, section and owner. */
static void
assert_rrset(const struct fg_upstream* up, size_t i, uint16_t type,
	unsigned section, const char* owner)
{
	char s[FG_NAME_MAX_STR];
	ck_assert_uint_eq(up->rrsets[i].type, type);
	ck_assert_uint_eq(up->rrsets[i].section, section);
	ck_assert(fg_name_to_str(up->rrsets[i].owner, s, sizeof(s)));
	ck_assert_str_eq(s, owner);
}

START_TEST(test_wire_rrsets)
{
	struct msg m;
	struct fg_wire_msg wm;
	struct fg_upstream up;
	char s[FG_NAME_MAX_STR];
	/* answer: two A of one RRset around a TXT and an A of class CH, a
	 * CNAME; authority: the same A RRset again (dropped, as Unbound's
	 * parser drops an RRset's records in a later section) and an NS (a
	 * promiscuous NS in a positive answer: Unbound's scrubber drops it);
	 * additional: an AAAA nothing points at (dropped too) */
	header(&m, 0x8180, 5, 2, 1);
	rr_q(&m, 1, 1, 300, "\xc0\x00\x02\x01", 4);
	rr_q(&m, 16, 1, 300, "\3abc", 4);
	rr_q(&m, 1, 3, 300, "\x0a\0\0\1", 4);
	rr_q(&m, 1, 1, 120, "\xc6\x33\x64\x02", 4);
	rr_q(&m, 5, 1, 0x80000001u, "\3foo\4test\0", 10);
	rr_q(&m, 1, 1, 5, "\x01\x01\x01\x01", 4);
	rr_q(&m, 2, 1, 999999, "\2ns\4test\0", 9);
	rr_q(&m, 28, 1, 60, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	convert(&m, 77, &wm, &up);
	ck_assert_uint_eq(up.n_rrsets, 2);
	/* the A RRset: both records, the smaller TTL */
	assert_rrset(&up, 0, FG_TYPE_A, FG_SECTION_ANSWER, "www.example.test.");
	ck_assert_uint_eq(up.rrsets[0].count, 2);
	ck_assert_uint_eq(up.rrsets[0].ttl, 120);
	/* a TTL with the high bit set is 0, as Unbound stores it */
	ck_assert_uint_eq(up.rrsets[1].type, FG_TYPE_CNAME);
	ck_assert_uint_eq(up.rrsets[1].ttl, 0);
	ck_assert(fg_name_to_str(up.names[up.rrsets[1].first], s, sizeof(s)));
	ck_assert_str_eq(s, "foo.test.");
	ck_assert_uint_eq(up.n_addrs, 2);
	fg_wire_msg_clear(&wm);
}
END_TEST

START_TEST(test_wire_referral)
{
	struct msg m;
	struct fg_wire_msg wm;
	struct fg_upstream up;
	/* a referral to example.test. (the question's owner at offset 12,
	 * example.test. at 16): its NS RRset with glue for ns1, an address
	 * nothing points at, and an NS RRset below the query name (dropped) */
	header(&m, 0x8000, 0, 3, 2);
	put16(&m, 0xc010);
	put16(&m, 2); put16(&m, 1); put32(&m, 999999); put16(&m, 6);
	put(&m, "\3ns1\xc0\x10", 6);
	put16(&m, 0xc010);
	put16(&m, 2); put16(&m, 1); put32(&m, 3600); put16(&m, 6);
	put(&m, "\3ns2\xc0\x10", 6);
	put(&m, "\3sub\3www\xc0\x10", 10);
	put16(&m, 2); put16(&m, 1); put32(&m, 3600); put16(&m, 6);
	put(&m, "\3ns3\xc0\x10", 6);
	put(&m, "\3ns1\xc0\x10", 6);
	put16(&m, 1); put16(&m, 1); put32(&m, 300); put16(&m, 4);
	put(&m, "\xc0\x00\x02\x35", 4);
	put(&m, "\5other\xc0\x10", 8);
	put16(&m, 1); put16(&m, 1); put32(&m, 300); put16(&m, 4);
	put(&m, "\xc0\x00\x02\x36", 4);
	convert(&m, 5, &wm, &up);
	ck_assert_uint_eq(up.n_rrsets, 2);
	assert_rrset(&up, 0, FG_TYPE_NS, FG_SECTION_AUTHORITY, "example.test.");
	ck_assert_uint_eq(up.rrsets[0].count, 2);
	/* TTL capped at Unbound's cache-max-ttl, then the smaller one */
	ck_assert_uint_eq(up.rrsets[0].ttl, 3600);
	assert_rrset(&up, 1, FG_TYPE_A, FG_SECTION_ADDITIONAL,
		"ns1.example.test.");
	fg_wire_msg_clear(&wm);
}
END_TEST

START_TEST(test_wire_rejects)
{
	struct msg m;
	struct fg_wire_msg wm;
	struct fg_upstream up;
	const char* why = NULL;
	header(&m, 0x0100, 0, 0, 0); /* a query */
	ck_assert_int_eq(fg_wire_to_upstream(m.b, m.len, 1, &wm, &up, &why), 0);
	header(&m, 0x8180, 2, 0, 0); /* claims two answers, has one */
	rr_q(&m, 1, 1, 300, "\xc0\x00\x02\x01", 4);
	ck_assert_int_eq(fg_wire_to_upstream(m.b, m.len, 1, &wm, &up, &why), -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(fg_wire_to_upstream(m.b, 5, 1, &wm, &up, &why), -1);
	ck_assert_uint_eq(up.n_rrsets, 0);
}
END_TEST

/** What the readers handed over. */
static unsigned long got;
static char last_ts[FG_INPUT_TS_MAX];
static uint64_t last_now;

static void
count_answer(void* arg, struct fg_upstream* up, const char* ts)
{
	(void)arg;
	ck_assert_uint_ge(up->n_rrsets, 1);
	got++;
	snprintf(last_ts, sizeof(last_ts), "%s", ts);
	last_now = up->now;
}

static void
input_init(struct fg_input* in)
{
	memset(in, 0, sizeof(*in));
	in->name = "test";
	in->answer = count_answer;
	in->dns_port = 53;
	got = 0;
}

/** Append a Frame Streams control frame of \p type to \p out. */
static void
fs_control(struct msg* out, uint32_t type, const char* content_type)
{
	size_t ct = content_type ? strlen(content_type) : 0;
	put32(out, 0);
	put32(out, 4 + (content_type ? 8 + (uint32_t)ct : 0));
	put32(out, type);
	if(content_type) {
		put32(out, 1);
		put32(out, (uint32_t)ct);
		put(out, content_type, ct);
	}
}

/** Append one dnstap data frame of message type \p type carrying \p dns. */
static void
fs_dnstap(struct msg* out, Dnstap__Message__Type type, const struct msg* dns,
	uint64_t sec)
{
	Dnstap__Dnstap d = DNSTAP__DNSTAP__INIT;
	Dnstap__Message mm = DNSTAP__MESSAGE__INIT;
	uint8_t buf[1200];
	size_t n;
	mm.type = type;
	mm.has_response_time_sec = 1;
	mm.response_time_sec = sec;
	mm.has_response_time_nsec = 1;
	mm.response_time_nsec = 250000000;
	mm.has_response_message = 1;
	mm.response_message.data = (uint8_t*)dns->b;
	mm.response_message.len = dns->len;
	d.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
	d.message = &mm;
	n = dnstap__dnstap__get_packed_size(&d);
	ck_assert_uint_le(n, sizeof(buf));
	dnstap__dnstap__pack(&d, buf);
	put32(out, (uint32_t)n);
	put(out, buf, n);
}

/** Read \p s as a dnstap file. \return what fg_dnstap_read returned. */
static int
read_dnstap(struct fg_input* in, struct msg* s)
{
	FILE* f = fmemopen(s->b, s->len, "rb");
	int r;
	ck_assert_ptr_nonnull(f);
	r = fg_dnstap_read(in, f);
	fclose(f);
	return r;
}

START_TEST(test_dnstap)
{
	static struct msg s;
	struct msg dns;
	struct fg_input in;
	header(&dns, 0x8180, 1, 0, 0);
	rr_q(&dns, 1, 1, 60, "\xc0\x00\x02\x01", 4);
	s.len = 0;
	fs_control(&s, 2, "protobuf:dnstap.Dnstap");
	fs_dnstap(&s, DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE, &dns, 99);
	fs_dnstap(&s, DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE, &dns, 100);
	fs_dnstap(&s, DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE, &dns, 101);
	fs_dnstap(&s, DNSTAP__MESSAGE__TYPE__RESOLVER_QUERY, &dns, 102);
	fs_control(&s, 3, NULL);
	/* auto: client responses until the first resolver response */
	input_init(&in);
	ck_assert_int_eq(read_dnstap(&in, &s), 1);
	ck_assert_uint_eq(in.frames, 4);
	ck_assert_uint_eq(got, 2);
	ck_assert_uint_eq(in.damaged, 0);
	ck_assert_str_eq(last_ts, "100.250000");
	ck_assert_uint_eq(last_now, 100);
	input_init(&in);
	in.dnstap_messages = FG_DNSTAP_RESOLVER | FG_DNSTAP_CLIENT;
	ck_assert_int_eq(read_dnstap(&in, &s), 1);
	ck_assert_uint_eq(got, 3);
	input_init(&in);
	in.dnstap_messages = FG_DNSTAP_CLIENT;
	ck_assert_int_eq(read_dnstap(&in, &s), 1);
	ck_assert_uint_eq(got, 2);
	ck_assert_str_eq(last_ts, "101.250000");
	ck_assert(!in.warned);
}
END_TEST

START_TEST(test_dnstap_damaged)
{
	static struct msg s;
	struct msg dns;
	struct fg_input in;
	size_t good;
	header(&dns, 0x8180, 1, 0, 0);
	rr_q(&dns, 1, 1, 60, "\xc0\x00\x02\x01", 4);
	s.len = 0;
	fs_control(&s, 2, "protobuf:dnstap.Dnstap");
	fs_dnstap(&s, DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE, &dns, 100);
	/* a frame that is no protobuf, then one whose DNS message is cut */
	put32(&s, 3);
	put(&s, "\xff\xff\xff", 3);
	dns.len -= 3;
	fs_dnstap(&s, DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE, &dns, 101);
	dns.len += 3;
	fs_dnstap(&s, DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE, &dns, 102);
	good = s.len;
	/* skipped and counted, the rest read; no STOP frame: a warning */
	input_init(&in);
	ck_assert_int_eq(read_dnstap(&in, &s), 1);
	ck_assert_uint_eq(in.frames, 4);
	ck_assert_uint_eq(got, 2);
	ck_assert_uint_eq(in.damaged, 2);
	ck_assert(in.warned);
	ck_assert(!in.broken);
	/* cut inside the last frame */
	s.len = good - 4;
	input_init(&in);
	ck_assert_int_eq(read_dnstap(&in, &s), 0);
	ck_assert(in.broken);
	ck_assert_uint_eq(got, 1);
	/* a frame length beyond any frame */
	s.len = good;
	put32(&s, 0x7fffffff);
	put(&s, "xxxxxxxx", 8);
	input_init(&in);
	ck_assert_int_eq(read_dnstap(&in, &s), 0);
	ck_assert(in.broken);
	ck_assert_uint_eq(got, 2);
	/* another content type */
	s.len = 0;
	fs_control(&s, 2, "protobuf:other.Thing");
	fs_control(&s, 3, NULL);
	input_init(&in);
	ck_assert_int_eq(read_dnstap(&in, &s), 0);
	ck_assert(in.broken);
	/* only the start of the START frame */
	s.len = 6;
	input_init(&in);
	ck_assert_int_eq(read_dnstap(&in, &s), 0);
	ck_assert(in.broken);
}
END_TEST

/** Build a frame: Ethernet, IPv4 or IPv6, UDP or TCP from port 53. */
static size_t
frame(uint8_t* out, int v6, int tcp, uint32_t seq, uint8_t flags,
	const uint8_t* pl, size_t len)
{
	size_t off = 14, l4 = tcp ? 20 : 8, ip = v6 ? 40 : 20;
	memset(out, 0, 14 + ip + l4);
	out[12] = v6 ? 0x86 : 0x08;
	out[13] = v6 ? 0xdd : 0x00;
	if(v6) {
		out[off] = 0x60;
		out[off + 4] = (uint8_t)((l4 + len) >> 8);
		out[off + 5] = (uint8_t)(l4 + len);
		out[off + 6] = tcp ? 6 : 17;
		out[off + 7] = 64;
		out[off + 8 + 15] = 1;
		out[off + 24 + 15] = 2;
	} else {
		out[off] = 0x45;
		out[off + 2] = (uint8_t)((ip + l4 + len) >> 8);
		out[off + 3] = (uint8_t)(ip + l4 + len);
		out[off + 8] = 64;
		out[off + 9] = tcp ? 6 : 17;
		out[off + 12] = 127;
		out[off + 15] = 1;
		out[off + 16] = 127;
		out[off + 19] = 2;
	}
	off += ip;
	out[off + 1] = 53;
	out[off + 2] = 0x9c;
	out[off + 3] = 0x40;
	if(tcp) {
		out[off + 4] = (uint8_t)(seq >> 24);
		out[off + 5] = (uint8_t)(seq >> 16);
		out[off + 6] = (uint8_t)(seq >> 8);
		out[off + 7] = (uint8_t)seq;
		out[off + 12] = 5 << 4;
		out[off + 13] = flags;
	} else {
		out[off + 4] = (uint8_t)((8 + len) >> 8);
		out[off + 5] = (uint8_t)(8 + len);
	}
	if(len)
		memcpy(out + off + l4, pl, len);
	return off + l4 + len;
}

START_TEST(test_pcap)
{
	struct msg dns, tcpdata;
	struct fg_input in;
	uint8_t pkt[2048];
	struct pcap_pkthdr h;
	pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
	char* buf = NULL;
	size_t size = 0, n;
	FILE* mem = open_memstream(&buf, &size);
	pcap_dumper_t* d;
	ck_assert_ptr_nonnull(dead);
	ck_assert_ptr_nonnull(mem);
	d = pcap_dump_fopen(dead, mem);
	ck_assert_ptr_nonnull(d);
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = 500;
	h.ts.tv_usec = 7;
	header(&dns, 0x8180, 1, 0, 0);
	rr_q(&dns, 1, 1, 60, "\xc0\x00\x02\x01", 4);
	/* UDP over IPv4 and IPv6 */
	h.caplen = h.len = (bpf_u_int32)frame(pkt, 0, 0, 0, 0, dns.b, dns.len);
	pcap_dump((u_char*)d, &h, pkt);
	h.caplen = h.len = (bpf_u_int32)frame(pkt, 1, 0, 0, 0, dns.b, dns.len);
	pcap_dump((u_char*)d, &h, pkt);
	/* TCP: SYN-ACK, two messages in three segments, one resent */
	tcpdata.len = 0;
	put16(&tcpdata, (uint16_t)dns.len);
	put(&tcpdata, dns.b, dns.len);
	put16(&tcpdata, (uint16_t)dns.len);
	put(&tcpdata, dns.b, dns.len);
	h.caplen = h.len = (bpf_u_int32)frame(pkt, 0, 1, 99, 0x12, NULL, 0);
	pcap_dump((u_char*)d, &h, pkt);
	n = 10;
	h.caplen = h.len = (bpf_u_int32)frame(pkt, 0, 1, 100, 0x18,
		tcpdata.b, n);
	pcap_dump((u_char*)d, &h, pkt);
	pcap_dump((u_char*)d, &h, pkt);
	h.caplen = h.len = (bpf_u_int32)frame(pkt, 0, 1, 100 + (uint32_t)n,
		0x18, tcpdata.b + n, tcpdata.len - n);
	pcap_dump((u_char*)d, &h, pkt);
	/* a UDP packet from port 53 that is no DNS message */
	h.caplen = h.len = (bpf_u_int32)frame(pkt, 0, 0, 0, 0,
		(const uint8_t*)"\1\2\3", 3);
	pcap_dump((u_char*)d, &h, pkt);
	pcap_dump_flush(d);
	pcap_dump_close(d); /* closes mem */
	pcap_close(dead);

	input_init(&in);
	ck_assert_int_eq(fg_pcap_read(&in, fmemopen(buf, size, "rb")), 1);
	ck_assert_uint_eq(in.frames, 7);
	ck_assert_uint_eq(got, 4);
	ck_assert_uint_eq(in.damaged, 1);
	ck_assert_str_eq(last_ts, "500.000007");
	/* another port: nothing */
	input_init(&in);
	in.dns_port = 5353;
	ck_assert_int_eq(fg_pcap_read(&in, fmemopen(buf, size, "rb")), 1);
	ck_assert_uint_eq(got, 0);
	/* cut inside the last packet */
	input_init(&in);
	ck_assert_int_eq(fg_pcap_read(&in, fmemopen(buf, size - 2, "rb")), 0);
	ck_assert(in.broken);
	ck_assert_uint_eq(got, 4);
	/* cut inside the file header */
	input_init(&in);
	ck_assert_int_eq(fg_pcap_read(&in, fmemopen(buf, 10, "rb")), 0);
	ck_assert(in.broken);
	free(buf);
}
END_TEST

Suite*
fg_unit_suite(void)
{
	const TTest* tests[] = { test_detect, test_wire_rrsets,
		test_wire_referral, test_wire_rejects, test_dnstap, test_dnstap_damaged, test_pcap };
	Suite* s = suite_create("input");
	fg_unit_tcase(s, "readers", NULL, NULL, tests, FG_UNIT_COUNT(tests));
	return s;
}
