/**
 * \file
 * Domain names in DNS wire format (RFC 1035 3.1: length-prefixed labels ending
 * in the root label), the form fluxguard stores and compares. Every function
 * here bounds-checks: names come from the network, from files and from shared
 * memory, and none of those is trusted.
 */
#ifndef FLUXGUARD_NAME_H
#define FLUXGUARD_NAME_H

#include <stddef.h>
#include <stdint.h>

/** Longest wire-format name, root label included (RFC 1035 2.3.4). */
#define FG_NAME_MAX_WIRE 255
/** Most labels of a wire name, the root not counted: 255 octets hold at
 * most 127 one-octet labels and the root. */
#define FG_NAME_MAX_LABELS 127
/** Longest label. */
#define FG_LABEL_MAX 63
/** Buffer that holds any name in presentation format: every octet escaped as
 * \DDD, plus dots and the terminating NUL. */
#define FG_NAME_MAX_STR (4 * FG_NAME_MAX_WIRE + 1)

/**
 * Length of the wire-format name at \p name, reading at most \p max octets.
 * \return the length including the root label, or 0 if the name is malformed
 * (a label over 63, a compression pointer, longer than 255 or than \p max).
 */
size_t fg_name_wire_len(const uint8_t* name, size_t max);

/**
 * FNV-1a over the \p len octets of wire name \p name, ASCII lower-cased,
 * from the last to the first. Backwards, so that a name's hash continues its
 * parent's: fg_name_suffix_hashes gets every suffix's in one pass.
 */
uint32_t fg_name_hash(const uint8_t* name, size_t len);

/**
 * The fg_name_hash of every suffix of the well-formed wire name \p name
 * (\p len octets) but the root, longest first, in one backward pass:
 * suffix k starts at \p starts[k] and hashes to \p hashes[k] (both arrays
 * FG_NAME_MAX_LABELS long). \return the number of suffixes (labels).
 */
size_t fg_name_suffix_hashes(const uint8_t* name, size_t len, size_t* starts,
	uint32_t* hashes);

/** Lower-case the ASCII letters of a valid wire-format name in place. */
void fg_name_lower(uint8_t* name);

/**
 * Write a valid wire name in presentation format, lower-case, with the trailing
 * dot ("." for the root); octets outside [a-z0-9-_] and label dots are escaped
 * as in zone files (\. \\ \DDD).
 * \return 1 on success, 0 if \p buflen is too small or the name malformed.
 */
int fg_name_to_str(const uint8_t* name, char* buf, size_t buflen);

/**
 * Parse a presentation-format name ("www.example.com", trailing dot optional,
 * zone-file escapes allowed) into lower-case wire format.
 * \return the wire length, or 0 if the text is not a valid name.
 */
size_t fg_name_from_str(const char* str, uint8_t* out, size_t outlen);

/** Number of labels, the root label not counted ("." has 0). */
int fg_name_label_count(const uint8_t* name);

/**
 * Whether \p name equals \p parent or lies below it (case-insensitive).
 * Both must be valid wire names.
 */
int fg_name_is_subdomain(const uint8_t* name, const uint8_t* parent);

/** Case-insensitive equality of two valid wire names. */
int fg_name_equal(const uint8_t* a, const uint8_t* b);

#endif /* FLUXGUARD_NAME_H */
