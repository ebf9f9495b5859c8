/**
 * \file
 * Addresses (fluxguard/addr.h): parsing and printing, the prefix that
 * measures network diversity, and the special-purpose address table the
 * scorer consults for every kept address.
 */
#include "fluxguard/addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/**
 * A special-purpose prefix, at most 32 bits long in either family, as the
 * first four octets of the network read big-endian and its length: a check
 * is a mask and a compare (the scorer asks it for every kept address of every
 * answer).
 */
struct special_prefix {
	/** first four octets of the network, big-endian */
	uint32_t net;
	/** prefix length, 1..32 */
	uint8_t bits;
};

/** The first four octets \p a..\p d as a big-endian word. */
#define SPECIAL_NET(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
	(uint32_t)(c) << 8 | (uint32_t)(d))

/** IPv4 special-purpose blocks (RFC 6890, RFC 5737, RFC 6598, RFC 7526). */
static const struct special_prefix special_v4[] = {
	{ SPECIAL_NET(0, 0, 0, 0), 8 },		/* "this network" */
	{ SPECIAL_NET(10, 0, 0, 0), 8 },	/* private */
	{ SPECIAL_NET(100, 64, 0, 0), 10 },	/* shared address space (CGNAT) */
	{ SPECIAL_NET(127, 0, 0, 0), 8 },	/* loopback */
	{ SPECIAL_NET(169, 254, 0, 0), 16 },	/* link-local */
	{ SPECIAL_NET(172, 16, 0, 0), 12 },	/* private */
	{ SPECIAL_NET(192, 0, 0, 0), 24 },	/* IETF protocol assignments */
	{ SPECIAL_NET(192, 0, 2, 0), 24 },	/* documentation TEST-NET-1 */
	{ SPECIAL_NET(192, 88, 99, 0), 24 },	/* 6to4 relay anycast (deprecated) */
	{ SPECIAL_NET(192, 168, 0, 0), 16 },	/* private */
	{ SPECIAL_NET(198, 18, 0, 0), 15 },	/* benchmarking */
	{ SPECIAL_NET(198, 51, 100, 0), 24 },	/* documentation TEST-NET-2 */
	{ SPECIAL_NET(203, 0, 113, 0), 24 },	/* documentation TEST-NET-3 */
	{ SPECIAL_NET(224, 0, 0, 0), 4 },	/* multicast */
	{ SPECIAL_NET(240, 0, 0, 0), 4 }	/* reserved, and broadcast */
};

/** IPv6 special-purpose blocks inside global unicast 2000::/3; everything
 * outside 2000::/3 is special anyway. */
static const struct special_prefix special_v6[] = {
	{ SPECIAL_NET(0x20, 0x01, 0x00, 0x00), 23 },	/* IETF protocol
						 * assignments, benchmarking
						 * 2001:2::/48 */
	{ SPECIAL_NET(0x20, 0x01, 0x0d, 0xb8), 32 },	/* documentation */
	{ SPECIAL_NET(0x3f, 0xff, 0x00, 0x00), 20 }	/* documentation (RFC 9637) */
};

/** Whether \p word (an address's first four octets) is inside one of the
 * \p n prefixes. */
static int
special_match(uint32_t word, const struct special_prefix* p, size_t n)
{
	size_t i;
	for(i = 0; i < n; i++) {
		uint32_t mask = 0xffffffffu << (32 - p[i].bits);
		if((word & mask) == p[i].net)
			return 1;
	}
	return 0;
}

int
fg_addr_is_special(const struct fg_addr* a)
{
	uint32_t word = SPECIAL_NET(a->addr[0], a->addr[1], a->addr[2],
		a->addr[3]);
	if(a->family == FG_AF_INET) {
		/* most addresses start with none of the blocks' first octets */
		switch(a->addr[0]) {
		case 0: case 10: case 100: case 127: case 169: case 172:
		case 192: case 198: case 203:
			break;
		default:
			if(a->addr[0] < 224)
				return 0;
		}
		return special_match(word, special_v4,
			sizeof(special_v4) / sizeof(special_v4[0]));
	}
	if(a->family == FG_AF_INET6)
		return (a->addr[0] & 0xe0) != 0x20 || special_match(word,
			special_v6, sizeof(special_v6) / sizeof(special_v6[0]));
	/* an unknown family is nothing we can count */
	return 1;
}

int
fg_addr_from_str(const char* str, struct fg_addr* a)
{
	memset(a, 0, sizeof(*a));
	if(inet_pton(AF_INET, str, a->addr) == 1) {
		a->family = FG_AF_INET;
		return 1;
	}
	if(inet_pton(AF_INET6, str, a->addr) == 1) {
		a->family = FG_AF_INET6;
		return 1;
	}
	memset(a, 0, sizeof(*a));
	return 0;
}

int
fg_addr_port_from_str(const char* str, uint16_t default_port,
	struct fg_addr* a, uint16_t* port)
{
	char host[FG_ADDR_MAX_STR + 1], *end;
	const char* at = strchr(str, '@');
	size_t hl = at ? (size_t)(at - str) : strlen(str);
	long p = default_port;
	if(hl == 0 || hl >= sizeof(host))
		return 0;
	memcpy(host, str, hl);
	host[hl] = 0;
	if(!fg_addr_from_str(host, a))
		return 0;
	if(at) {
		/* digits only: strtol would take " 53" and "+53" too */
		if(!isdigit((unsigned char)at[1]))
			return 0;
		errno = 0;
		p = strtol(at + 1, &end, 10);
		if(errno || end == at + 1 || *end || p < 1 || p > 65535)
			return 0;
	}
	*port = (uint16_t)p;
	return 1;
}

int
fg_addr_to_str(const struct fg_addr* a, char* buf, size_t buflen)
{
	int af;
	if(a->family == FG_AF_INET)
		af = AF_INET;
	else if(a->family == FG_AF_INET6)
		af = AF_INET6;
	else
		return 0;
	return inet_ntop(af, a->addr, buf, (socklen_t)buflen) != NULL;
}

uint64_t
fg_addr_prefix(const struct fg_addr* a)
{
	/* The family in the top bits keeps IPv4 /16s and IPv6 /32s apart. */
	if(a->family == FG_AF_INET)
		return (4ULL << 32) | ((uint64_t)a->addr[0] << 8) | a->addr[1];
	return (6ULL << 32) | ((uint64_t)a->addr[0] << 24) |
		((uint64_t)a->addr[1] << 16) | ((uint64_t)a->addr[2] << 8) |
		a->addr[3];
}
