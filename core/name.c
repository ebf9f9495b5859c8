/**
 * \file
 * Wire-format domain name helpers; see fluxguard/name.h.
 */
#include "fluxguard/name.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

size_t
fg_name_wire_len(const uint8_t* name, size_t max)
{
	size_t len = 0;
	if(!name)
		return 0;
	for(;;) {
		uint8_t lab;
		if(len >= max)
			return 0;
		lab = name[len];
		if(lab > FG_LABEL_MAX) /* also rejects compression pointers */
			return 0;
		len += 1 + (size_t)lab;
		if(len > FG_NAME_MAX_WIRE || len > max)
			return 0;
		if(lab == 0)
			return len;
	}
}

/** ASCII lower case; length octets (<= 63) are left alone by construction. */
static uint8_t
lower_octet(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/** fg_name_hash continued from \p h over \p len more octets. */
static uint32_t
hash_step(uint32_t h, const uint8_t* p, size_t len)
{
	while(len > 0) {
		h ^= lower_octet(p[--len]);
		h *= 16777619u;
	}
	return h;
}

uint32_t
fg_name_hash(const uint8_t* name, size_t len)
{
	return hash_step(2166136261u, name, len);
}

size_t
fg_name_suffix_hashes(const uint8_t* name, size_t len, size_t* starts,
	uint32_t* hashes)
{
	size_t off = 0, n = 0, k;
	uint32_t h;
	while(off < len && name[off] != 0 && n < FG_NAME_MAX_LABELS) {
		starts[n++] = off;
		off += (size_t)name[off] + 1;
	}
	if(off >= len)
		return 0; /* not well formed: no root within len */
	h = hash_step(2166136261u, name + off, len - off);
	for(k = n; k-- > 0; ) {
		size_t end = k + 1 < n ? starts[k + 1] : off;
		h = hash_step(h, name + starts[k], end - starts[k]);
		hashes[k] = h;
	}
	return n;
}

void
fg_name_lower(uint8_t* name)
{
	while(*name) {
		uint8_t lab = *name++, i;
		for(i = 0; i < lab; i++, name++)
			*name = (uint8_t)tolower(*name);
	}
}

/** Octets that print as themselves in a label. */
static int
label_char_plain(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		(c >= 'A' && c <= 'Z');
}

int
fg_name_to_str(const uint8_t* name, char* buf, size_t buflen)
{
	size_t pos = 0;
	if(!fg_name_wire_len(name, FG_NAME_MAX_WIRE) || buflen < 2)
		return 0;
	if(*name == 0) {
		buf[0] = '.';
		buf[1] = 0;
		return 1;
	}
	while(*name) {
		uint8_t lab = *name++, i;
		for(i = 0; i < lab; i++, name++) {
			uint8_t c = *name;
			if(label_char_plain(c)) {
				if(pos + 1 >= buflen)
					return 0;
				buf[pos++] = (char)tolower(c);
			} else if(c == '.' || c == '\\') {
				if(pos + 2 >= buflen)
					return 0;
				buf[pos++] = '\\';
				buf[pos++] = (char)c;
			} else {
				if(pos + 4 >= buflen)
					return 0;
				snprintf(buf + pos, 5, "\\%03u", (unsigned)c);
				pos += 4;
			}
		}
		if(pos + 1 >= buflen)
			return 0;
		buf[pos++] = '.';
	}
	buf[pos] = 0;
	return 1;
}

size_t
fg_name_from_str(const char* str, uint8_t* out, size_t outlen)
{
	size_t pos = 0, labstart;
	const char* p = str;
	int closed = 0; /* the last label was ended by an unescaped dot */
	if(!str || outlen < 1)
		return 0;
	if(strcmp(str, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	if(*p == 0 || *p == '.')
		return 0;
	labstart = pos++;
	while(*p) {
		unsigned c;
		if(*p == '.') {
			size_t lab = pos - labstart - 1;
			if(lab == 0 || lab > FG_LABEL_MAX)
				return 0;
			out[labstart] = (uint8_t)lab;
			p++;
			if(*p == 0) {
				closed = 1;
				break;
			}
			if(pos >= outlen)
				return 0;
			labstart = pos++;
			continue;
		}
		if(*p == '\\') {
			p++;
			if(isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
				isdigit((unsigned char)p[2])) {
				c = (unsigned)(p[0] - '0') * 100 + (unsigned)(p[1] - '0') * 10 +
					(unsigned)(p[2] - '0');
				if(c > 255)
					return 0;
				p += 3;
			} else if(*p) {
				c = (unsigned char)*p++;
			} else {
				return 0;
			}
		} else {
			c = (unsigned char)*p++;
		}
		if(pos >= outlen || pos >= FG_NAME_MAX_WIRE)
			return 0;
		out[pos++] = (uint8_t)tolower((int)c);
	}
	if(!closed) {
		/* no trailing dot: close the last label */
		size_t lab = pos - labstart - 1;
		if(lab == 0 || lab > FG_LABEL_MAX)
			return 0;
		out[labstart] = (uint8_t)lab;
	}
	if(pos >= outlen || pos + 1 > FG_NAME_MAX_WIRE)
		return 0;
	out[pos++] = 0;
	return pos;
}

int
fg_name_label_count(const uint8_t* name)
{
	int n = 0;
	while(*name) {
		name += 1 + *name;
		n++;
	}
	return n;
}

int
fg_name_equal(const uint8_t* a, const uint8_t* b)
{
	for(;;) {
		uint8_t la = *a++, lb = *b++, i;
		if(la != lb)
			return 0;
		if(la == 0)
			return 1;
		for(i = 0; i < la; i++)
			if(tolower(a[i]) != tolower(b[i]))
				return 0;
		a += la;
		b += la;
	}
}

int
fg_name_is_subdomain(const uint8_t* name, const uint8_t* parent)
{
	int n = fg_name_label_count(name), p = fg_name_label_count(parent);
	if(n < p)
		return 0;
	while(n > p) {
		name += 1 + *name;
		n--;
	}
	return fg_name_equal(name, parent);
}
