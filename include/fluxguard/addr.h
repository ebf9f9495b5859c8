/**
 * \file
 * Addresses (core/addr.c): the one struct every part of fluxguard passes an
 * IPv4 or IPv6 address in, with what geo knows about it, and the one parser,
 * printer, prefix and special-purpose check for it. Kept apart from the
 * tracker so that the policy, the options and geo need not pull in the
 * tracker's API.
 */
#ifndef FLUXGUARD_ADDR_H
#define FLUXGUARD_ADDR_H

#include <stddef.h>
#include <stdint.h>

/** Address family tags used in struct fg_addr. */
#define FG_AF_INET 4
#define FG_AF_INET6 6

/** Longest address in presentation format, NUL included (INET6_ADDRSTRLEN). */
#define FG_ADDR_MAX_STR 46

/** One address with what geo knows about it. */
struct fg_addr {
	/** FG_AF_INET or FG_AF_INET6 */
	uint8_t family;
	/** ISO 3166 country code, or two NULs if unknown */
	char country[2];
	/** reserved, zero */
	uint8_t pad;
	/** autonomous system number, 0 if unknown or a special-purpose address */
	uint32_t asn;
	/** the address; IPv4 in the first 4 octets, the rest zero */
	uint8_t addr[16];
};

/**
 * Whether \p a is a special-purpose address (RFC 6890 and successors) that
 * must never count as network diversity: private (RFC 1918, ULA fc00::/7),
 * shared/CGNAT 100.64/10, loopback, link-local, "this network" 0/8,
 * documentation (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32,
 * 3fff::/20), benchmarking (198.18/15, 2001:2::/48), IETF protocol
 * assignments (192.0.0/24, 2001::/23), 6to4 relay anycast, multicast,
 * reserved 240/4 and broadcast, and every IPv6 address outside global unicast
 * 2000::/3 (unspecified, loopback, IPv4-mapped and -compatible, NAT64
 * 64:ff9b::/96, discard 100::/64, site-local, ...).
 */
int fg_addr_is_special(const struct fg_addr* a);

/**
 * Parse an IPv4 or IPv6 address in presentation format into \p a (geo fields
 * cleared). \return 1 on success, 0 if \p str is not an address.
 */
int fg_addr_from_str(const char* str, struct fg_addr* a);

/**
 * Parse ADDRESS or ADDRESS@PORT (an IPv4 or IPv6 address, a port 1..65535)
 * into \p a and \p port; \p default_port when there is no @PORT.
 * \return 1 on success, 0 if \p str is neither.
 */
int fg_addr_port_from_str(const char* str, uint16_t default_port,
	struct fg_addr* a, uint16_t* port);

/**
 * Write \p a in presentation format into \p buf (at least FG_ADDR_MAX_STR).
 * \return 1 on success, 0 if the family is unknown or \p buf too small.
 */
int fg_addr_to_str(const struct fg_addr* a, char* buf, size_t buflen);

/**
 * The address's network prefix used for prefix diversity: the IPv4 /16 or the
 * IPv6 /32, as a number unique across both families.
 */
uint64_t fg_addr_prefix(const struct fg_addr* a);

#endif /* FLUXGUARD_ADDR_H */
