/**
 * \file
 * Allow and deny lists; see fluxguard/policy.h for the entry syntax and the
 * precedence rules.
 *
 * Names live in one open-addressing hash table keyed by the lower-case wire
 * name, each slot carrying which lists hold the name as a subtree or as an
 * exact name. A lookup hashes each suffix of the queried name in place (no
 * copy, no allocation), longest first, so the first hit is the most specific.
 * ASNs are sorted arrays searched by bisection. Prefixes become address ranges:
 * a sorted, merged array per family and list, so a lookup is one bisection.
 * Builders append and then "finish" (sort, merge) before returning, so the
 * read-only lookups never see an unsorted array.
 */
#include "fluxguard/array.h"
#include "fluxguard/log.h"
#include "fluxguard/policy.h"
#include "fluxguard/name.h"
#include "fluxguard/options.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Slot flags: which lists hold a name, and how. */
#define PF_ALLOW_SUB 0x01
#define PF_DENY_SUB 0x02
#define PF_ALLOW_EXACT 0x04
#define PF_DENY_EXACT 0x08

/** Hash table slot; name NULL means empty. */
struct name_slot {
	/** lower-case wire name, owned */
	uint8_t* name;
	/** hash of name */
	uint32_t hash;
	/** wire length of name */
	uint8_t len;
	/** PF_* */
	uint8_t flags;
};

/** An IPv4 range, host byte order, inclusive. */
struct range4 {
	/** first and last address */
	uint32_t lo, hi;
};

/** An IPv6 range, network byte order, inclusive. */
struct range6 {
	/** first and last address */
	uint8_t lo[16], hi[16];
};

/** The prefixes of one list. */
struct prefix_set {
	/** every prefix added, as ranges (sorted and de-duplicated by finish) */
	struct range4* raw4;
	/** see raw4 */
	struct range6* raw6;
	/** used and allocated lengths of raw4 and raw6 */
	size_t n_raw4, cap_raw4, n_raw6, cap_raw6;
	/** raw ranges with nested ones merged away: what lookups search */
	struct range4* m4;
	/** see m4 */
	struct range6* m6;
	/** lengths of m4 and m6 */
	size_t n_m4, n_m6;
};

/** The ASNs of one list. */
struct asn_set {
	/** the numbers (sorted and de-duplicated by finish) */
	uint32_t* v;
	/** used and allocated length of v */
	size_t n, cap;
};

/** Parsed form of one entry. */
struct entry {
	/** which kind of entry */
	enum { E_SUBTREE, E_EXACT, E_ASN, E_PREFIX4, E_PREFIX6 } kind;
	/** name (E_SUBTREE, E_EXACT), lower case */
	uint8_t name[FG_NAME_MAX_WIRE];
	/** wire length of name */
	size_t name_len;
	/** E_ASN */
	uint32_t asn;
	/** E_PREFIX4 */
	struct range4 r4;
	/** E_PREFIX6 */
	struct range6 r6;
};

/** Bits of the name filter: 512 octets, about 1 % false hits per suffix
 * with the built-in allow list, saturating (probing every suffix, as
 * without it) only with lists of many thousand names. */
#define FILTER_BITS 4096

struct fg_policy {
	/** one bit per name hash (filter_bit): a suffix whose bit is clear
	 * is in no list, and most suffixes of most names are in none, so
	 * their probes into slots (cold on the resolver's path) are skipped */
	uint64_t filter[FILTER_BITS / 64];
	/** name hash table, capacity a power of two */
	struct name_slot* slots;
	/** capacity and filled slots of slots */
	size_t cap, used;
	/** distinct names per list (index enum fg_list) */
	size_t n_names[3];
	/** prefixes per list */
	struct prefix_set pfx[3];
	/** ASNs per list */
	struct asn_set asn[3];
	/** ASNs or prefixes were added since the last finish */
	int dirty;
	/** list-file lines skipped because they were not an entry */
	size_t bad_lines;
};

/** ASCII lower case; length octets (<= 63) are left alone by construction. */
static uint8_t
lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/** The hash a name's slot is found by (fg_name_hash: backwards, so that
 * fg_policy_match_name gets every suffix's in one pass). */
static uint32_t
name_hash(const uint8_t* name, size_t len)
{
	return fg_name_hash(name, len);
}

/** The filter bit of a name hash: its top bits after a multiplicative
 * mix, independent of the low bits that pick the slot. */
static unsigned
filter_bit(uint32_t h)
{
	return (unsigned)((h * 2654435761u) >> 20) & (FILTER_BITS - 1);
}

/** Whether \p h may be in the table (no false "no"). */
static int
filter_may_hold(const struct fg_policy* p, uint32_t h)
{
	unsigned b = filter_bit(h);
	return (p->filter[b / 64] >> (b % 64)) & 1;
}

/** Note \p h in the filter. */
static void
filter_add(struct fg_policy* p, uint32_t h)
{
	unsigned b = filter_bit(h);
	p->filter[b / 64] |= (uint64_t)1 << (b % 64);
}

/** The slot holding \p name (any case), or NULL. */
static const struct name_slot*
slot_find_hashed(const struct fg_policy* p, const uint8_t* name, size_t len,
	uint32_t h)
{
	size_t i = h & (p->cap - 1);
	for(;;) {
		const struct name_slot* s = &p->slots[i];
		if(!s->name)
			return NULL;
		if(s->hash == h && s->len == len) {
			size_t k;
			for(k = 0; k < len && s->name[k] == lc(name[k]); k++)
				;
			if(k == len)
				return s;
		}
		i = (i + 1) & (p->cap - 1);
	}
}

/** The slot holding \p name (any case), or NULL. */
static const struct name_slot*
slot_find(const struct fg_policy* p, const uint8_t* name, size_t len)
{
	return slot_find_hashed(p, name, len, name_hash(name, len));
}

/** Put a slot into a table known to have room and not to hold it. */
static void
slot_place(struct name_slot* slots, size_t cap, const struct name_slot* s)
{
	size_t i = s->hash & (cap - 1);
	while(slots[i].name)
		i = (i + 1) & (cap - 1);
	slots[i] = *s;
}

/** Keep the table at most half full. */
static int
table_grow(struct fg_policy* p)
{
	size_t cap = p->cap * 2, i;
	struct name_slot* slots = calloc(cap, sizeof(*slots));
	if(!slots)
		return 0;
	for(i = 0; i < p->cap; i++)
		if(p->slots[i].name)
			slot_place(slots, cap, &p->slots[i]);
	free(p->slots);
	p->slots = slots;
	p->cap = cap;
	return 1;
}

struct fg_policy*
fg_policy_create(void)
{
	struct fg_policy* p = calloc(1, sizeof(*p));
	if(!p)
		return NULL;
	p->cap = 64;
	p->slots = calloc(p->cap, sizeof(*p->slots));
	if(!p->slots) {
		free(p);
		return NULL;
	}
	return p;
}

void
fg_policy_delete(struct fg_policy* p)
{
	size_t i;
	if(!p)
		return;
	for(i = 0; i < p->cap; i++)
		free(p->slots[i].name);
	free(p->slots);
	for(i = 0; i < 3; i++) {
		free(p->pfx[i].raw4);
		free(p->pfx[i].raw6);
		free(p->pfx[i].m4);
		free(p->pfx[i].m6);
		free(p->asn[i].v);
	}
	free(p);
}

/** The usual complaint about an entry that is nothing we know. */
static int
entry_unknown(const char* s, char* err, size_t errlen)
{
	snprintf(err, errlen, "expected a domain name, exact:NAME, ASnnn, an "
		"address or a CIDR prefix, got \"%s\"", s);
	return 0;
}

/** Parse an AS number: "AS" (any case) and 1..4294967295. \return 1 if the
 * text is an ASN at all (with *ok telling whether it is a valid one). */
static int
parse_asn(const char* s, uint32_t* asn, int* ok)
{
	uint64_t v = 0;
	const char* d;
	if(tolower((unsigned char)s[0]) != 'a' || tolower((unsigned char)s[1]) != 's'
		|| !isdigit((unsigned char)s[2]))
		return 0;
	for(d = s + 2; *d; d++)
		if(!isdigit((unsigned char)*d))
			return 0;
	*ok = 0;
	for(d = s + 2; *d; d++) {
		v = v * 10 + (uint64_t)(*d - '0');
		if(v > UINT32_MAX)
			return 1;
	}
	if(v == 0)
		return 1;
	*asn = (uint32_t)v;
	*ok = 1;
	return 1;
}

/** Range covered by a prefix; 0 if host bits are set. */
static int
prefix_range(const uint8_t* addr, int family, unsigned plen, struct entry* e)
{
	if(family == FG_AF_INET) {
		uint32_t a = ((uint32_t)addr[0] << 24) | ((uint32_t)addr[1] << 16) |
			((uint32_t)addr[2] << 8) | addr[3];
		uint32_t host = plen == 0 ? 0xffffffffu : (plen == 32 ? 0 :
			(0xffffffffu >> plen));
		if(a & host)
			return 0;
		e->kind = E_PREFIX4;
		e->r4.lo = a;
		e->r4.hi = a | host;
	} else {
		unsigned i;
		e->kind = E_PREFIX6;
		for(i = 0; i < 16; i++) {
			uint8_t host;
			if(plen >= 8 * (i + 1))
				host = 0;
			else if(plen <= 8 * i)
				host = 0xff;
			else
				host = (uint8_t)(0xff >> (plen - 8 * i));
			if(addr[i] & host)
				return 0;
			e->r6.lo[i] = addr[i];
			e->r6.hi[i] = addr[i] | host;
		}
	}
	return 1;
}

/** Parse an address with an optional "/len". \return 1 if valid. */
static int
parse_prefix(const char* s, struct entry* e, char* err, size_t errlen)
{
	char addr_text[64];
	uint8_t addr[16];
	const char* slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int family;
	unsigned plen, max;

	if(alen >= sizeof(addr_text))
		return entry_unknown(s, err, errlen);
	memcpy(addr_text, s, alen);
	addr_text[alen] = 0;
	memset(addr, 0, sizeof(addr));
	if(inet_pton(AF_INET, addr_text, addr) == 1)
		family = FG_AF_INET;
	else if(inet_pton(AF_INET6, addr_text, addr) == 1)
		family = FG_AF_INET6;
	else if(slash) {
		snprintf(err, errlen, "expected an IPv4 or IPv6 address before "
			"the '/', got \"%s\"", s);
		return 0;
	} else
		return 0;
	max = family == FG_AF_INET ? 32 : 128;
	plen = max;
	if(slash) {
		const char* d = slash + 1;
		unsigned v = 0;
		int ok = *d != 0 && strlen(d) <= 3;
		for(; ok && *d; d++) {
			if(!isdigit((unsigned char)*d))
				ok = 0;
			else
				v = v * 10 + (unsigned)(*d - '0');
		}
		if(!ok || v > max) {
			snprintf(err, errlen, "expected a prefix length between 0 "
				"and %u, got \"%s\"", max, s);
			return 0;
		}
		plen = v;
	}
	if(!prefix_range(addr, family, plen, e)) {
		snprintf(err, errlen, "expected the first address of the /%u "
			"(host bits zero), got \"%s\"", plen, s);
		return 0;
	}
	return 1;
}

/** Parse a name (for a subtree or exact entry). */
static int
parse_name(const char* s, const char* whole, struct entry* e, char* err,
	size_t errlen)
{
	e->name_len = fg_name_from_str(s, e->name, sizeof(e->name));
	if(e->name_len == 0 || strchr(s, ':'))
		return entry_unknown(whole, err, errlen);
	if(e->name_len == 1) {
		snprintf(err, errlen, "the root \".\" would match every name, "
			"got \"%s\"", whole);
		return 0;
	}
	return 1;
}

/** Parse any entry. */
static int
entry_parse(const char* s, struct entry* e, char* err, size_t errlen)
{
	int ok = 0;
	const char* c;
	memset(e, 0, sizeof(*e));
	if(!*s)
		return entry_unknown(s, err, errlen);
	for(c = s; *c; c++)
		if(isspace((unsigned char)*c) || iscntrl((unsigned char)*c))
			return entry_unknown(s, err, errlen);
	if(strncasecmp(s, "exact:", 6) == 0) {
		e->kind = E_EXACT;
		return parse_name(s + 6, s, e, err, errlen);
	}
	if(parse_asn(s, &e->asn, &ok)) {
		if(!ok) {
			snprintf(err, errlen, "expected an AS number between 1 "
				"and 4294967295, got \"%s\"", s);
			return 0;
		}
		e->kind = E_ASN;
		return 1;
	}
	err[0] = 0;
	if(parse_prefix(s, e, err, errlen))
		return 1;
	if(err[0])
		return 0;
	e->kind = E_SUBTREE;
	return parse_name(s, s, e, err, errlen);
}

int
fg_policy_entry_check(const char* entry, char* err, size_t errlen)
{
	struct entry e;
	return entry_parse(entry, &e, err, errlen);
}

int
fg_policy_entry_name(const char* entry, uint8_t* wire, int* exact)
{
	struct entry e;
	char why[256];
	if(!entry_parse(entry, &e, why, sizeof(why)) ||
		(e.kind != E_SUBTREE && e.kind != E_EXACT))
		return 0;
	memcpy(wire, e.name, e.name_len);
	*exact = e.kind == E_EXACT;
	return 1;
}

/** Append \p elem (\p size octets) to a growable array. \return 0 when
 * out of memory. */
static int
append(void** v, size_t* cap, size_t* n, size_t size, const void* elem)
{
	if(!fg_array_grow(v, cap, *n, size, 16))
		return 0;
	memcpy((uint8_t*)*v + *n * size, elem, size);
	(*n)++;
	return 1;
}

/** Add a name to the table with one PF_* flag. */
static int
add_name(struct fg_policy* p, enum fg_list which, const struct entry* e)
{
	uint8_t flag = e->kind == E_EXACT ?
		(which == FG_LIST_DENY ? PF_DENY_EXACT : PF_ALLOW_EXACT) :
		(which == FG_LIST_DENY ? PF_DENY_SUB : PF_ALLOW_SUB);
	struct name_slot* s = (struct name_slot*)slot_find(p, e->name,
		e->name_len);
	struct name_slot ns;
	if(s) {
		if(!(s->flags & flag))
			p->n_names[which]++;
		s->flags |= flag;
		return 1;
	}
	if((p->used + 1) * 2 > p->cap && !table_grow(p))
		return 0;
	ns.name = malloc(e->name_len);
	if(!ns.name)
		return 0;
	memcpy(ns.name, e->name, e->name_len);
	ns.len = (uint8_t)e->name_len;
	ns.hash = name_hash(e->name, e->name_len);
	ns.flags = flag;
	slot_place(p->slots, p->cap, &ns);
	filter_add(p, ns.hash);
	p->used++;
	p->n_names[which]++;
	return 1;
}

/** Add a parsed entry, leaving arrays unsorted until finish. */
static int
add_entry(struct fg_policy* p, enum fg_list which, const struct entry* e)
{
	struct prefix_set* ps = &p->pfx[which];
	struct asn_set* as = &p->asn[which];
	if(e->kind != E_SUBTREE && e->kind != E_EXACT)
		p->dirty = 1;
	switch(e->kind) {
	case E_SUBTREE:
	case E_EXACT:
		return add_name(p, which, e);
	case E_ASN:
		return append((void**)&as->v, &as->cap, &as->n, sizeof(*as->v),
			&e->asn);
	case E_PREFIX4:
		return append((void**)&ps->raw4, &ps->cap_raw4, &ps->n_raw4,
			sizeof(*ps->raw4), &e->r4);
	case E_PREFIX6:
		return append((void**)&ps->raw6, &ps->cap_raw6, &ps->n_raw6,
			sizeof(*ps->raw6), &e->r6);
	}
	return 0;
}

/** qsort order of ASNs. */
static int
cmp_u32(const void* a, const void* b)
{
	uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
	return x < y ? -1 : x > y;
}

/** qsort order of IPv4 ranges: by start, wider first. */
static int
cmp_r4(const void* a, const void* b)
{
	const struct range4* x = a;
	const struct range4* y = b;
	if(x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi > y->hi ? -1 : x->hi < y->hi;
}

/** qsort order of IPv6 ranges: by start, wider first. */
static int
cmp_r6(const void* a, const void* b)
{
	const struct range6* x = a;
	const struct range6* y = b;
	int c = memcmp(x->lo, y->lo, 16);
	if(c)
		return c;
	return -memcmp(x->hi, y->hi, 16);
}

/** Sort \p n elements of \p size at \p base and drop repeats.
 * \return the number left. */
static size_t
sort_unique(void* base, size_t n, size_t size,
	int (*cmp)(const void*, const void*))
{
	uint8_t* v = base;
	size_t i, kept;
	if(n == 0)
		return 0;
	qsort(v, n, size, cmp);
	for(i = 1, kept = 1; i < n; i++)
		if(cmp(v + i * size, v + (kept - 1) * size) != 0)
			memmove(v + kept++ * size, v + i * size, size);
	return kept;
}

/** Sort, de-duplicate and merge one list's ASNs and prefixes. CIDR blocks
 * either nest or are disjoint, so merging only drops nested ranges. */
static int
finish_list(struct fg_policy* p, enum fg_list which)
{
	struct prefix_set* ps = &p->pfx[which];
	struct asn_set* as = &p->asn[which];
	size_t i;

	as->n = sort_unique(as->v, as->n, sizeof(*as->v), cmp_u32);
	ps->n_raw4 = sort_unique(ps->raw4, ps->n_raw4, sizeof(*ps->raw4),
		cmp_r4);
	ps->n_raw6 = sort_unique(ps->raw6, ps->n_raw6, sizeof(*ps->raw6),
		cmp_r6);
	free(ps->m4);
	free(ps->m6);
	ps->n_m4 = ps->n_m6 = 0;
	ps->m4 = malloc((ps->n_raw4 ? ps->n_raw4 : 1) * sizeof(*ps->m4));
	ps->m6 = malloc((ps->n_raw6 ? ps->n_raw6 : 1) * sizeof(*ps->m6));
	if(!ps->m4 || !ps->m6)
		return 0;
	/* sorted by start, wider first: a range inside the last kept one is
	 * nested in it */
	for(i = 0; i < ps->n_raw4; i++)
		if(ps->n_m4 == 0 || ps->raw4[i].lo > ps->m4[ps->n_m4 - 1].hi)
			ps->m4[ps->n_m4++] = ps->raw4[i];
	for(i = 0; i < ps->n_raw6; i++)
		if(ps->n_m6 == 0 || memcmp(ps->raw6[i].lo,
			ps->m6[ps->n_m6 - 1].hi, 16) > 0)
			ps->m6[ps->n_m6++] = ps->raw6[i];
	return 1;
}

/** Make both lists ready for lookups; names need nothing, so adding only
 * names (the default allow list) costs no sorting. */
static int
policy_finish(struct fg_policy* p, char* err, size_t errlen)
{
	if(!p->dirty)
		return 1;
	if(!finish_list(p, FG_LIST_ALLOW) || !finish_list(p, FG_LIST_DENY)) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	p->dirty = 0;
	return 1;
}

/** Which list index \p which is, or 0 for an invalid one. */
static int
list_valid(enum fg_list which)
{
	return which == FG_LIST_ALLOW || which == FG_LIST_DENY;
}

/** Parse and add one entry without finishing. */
static int
policy_add(struct fg_policy* p, enum fg_list which, const char* text,
	char* err, size_t errlen)
{
	struct entry e;
	if(!list_valid(which)) {
		snprintf(err, errlen, "no such list");
		return 0;
	}
	if(!entry_parse(text, &e, err, errlen))
		return 0;
	if(!add_entry(p, which, &e)) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	return 1;
}

int
fg_policy_add(struct fg_policy* p, enum fg_list which, const char* entry,
	char* err, size_t errlen)
{
	if(!policy_add(p, which, entry, err, errlen))
		return 0;
	return policy_finish(p, err, errlen);
}

/**
 * Add one line of a list file: an entry of list \p which, or for a decisions
 * file (\p which FG_LIST_NONE) `allow ENTRY` or `deny ENTRY`.
 */
static int
add_line(struct fg_policy* p, enum fg_list which, char* s, char* why,
	size_t whylen)
{
	size_t word;
	if(which != FG_LIST_NONE)
		return policy_add(p, which, s, why, whylen);
	word = strcspn(s, " \t");
	if(word == 5 && strncmp(s, "allow", 5) == 0)
		which = FG_LIST_ALLOW;
	else if(word == 4 && strncmp(s, "deny", 4) == 0)
		which = FG_LIST_DENY;
	else {
		snprintf(why, whylen, "expected allow ENTRY or deny ENTRY, got "
			"\"%s\"", s);
		return 0;
	}
	s += word;
	while(isspace((unsigned char)*s))
		s++;
	return policy_add(p, which, s, why, whylen);
}

/** Bad lines of one list file named one by one in the log; the rest are
 * only counted, in the file's summary line. */
#define BAD_LINES_LOGGED 5

/**
 * Read a list file without finishing. A line that is not an entry (threat
 * feeds always have some) is skipped: logged with FILE:LINE (the first
 * BAD_LINES_LOGGED of them), counted, and summed up in one line per file; it
 * never fails the load. \p open_err receives errno when the file cannot be
 * opened (and err is then left alone); a read error fails the load.
 */
static int
load_file(struct fg_policy* p, enum fg_list which, const char* path,
	char* err, size_t errlen, int* open_err)
{
	char* buf = NULL;
	size_t cap = 0, bad = 0;
	ssize_t len;
	int line = 0, first_bad = 0, ok = 1;
	char why[512];
	FILE* in = fopen(path, "r");

	*open_err = 0;
	if(!in) {
		*open_err = errno ? errno : EIO;
		return 0;
	}
	while((len = getline(&buf, &cap, in)) >= 0) {
		char *s = buf, *hash, *end;
		line++;
		if((size_t)len != strlen(buf))
			snprintf(why, sizeof(why), "unexpected NUL octet");
		else {
			hash = strchr(s, '#');
			if(hash)
				*hash = 0;
			while(isspace((unsigned char)*s))
				s++;
			end = s + strlen(s);
			while(end > s && isspace((unsigned char)end[-1]))
				*--end = 0;
			if(!*s || add_line(p, which, s, why, sizeof(why)))
				continue;
		}
		if(bad++ == 0)
			first_bad = line;
		if(bad <= BAD_LINES_LOGGED)
			fg_log(FG_LOG_WARN, "%s:%d: entry: %s; line skipped", path,
				line, why);
	}
	if(ferror(in)) {
		snprintf(err, errlen, "%s:%d: read error: %s", path, line,
			strerror(errno));
		ok = 0;
	}
	if(bad)
		fg_log(FG_LOG_WARN, "%s: %zu of %d lines skipped as bad (the "
			"first at line %d); the rest loaded", path, bad, line,
			first_bad);
	p->bad_lines += bad;
	free(buf);
	fclose(in);
	return ok;
}

size_t
fg_policy_bad_lines(const struct fg_policy* p)
{
	return p ? p->bad_lines : 0;
}

/** Read a list file (\p which FG_LIST_NONE: a decisions file) and finish
 * the lists; a file that does not exist is no error when \p missing_ok. */
static int
load_and_finish(struct fg_policy* p, enum fg_list which, const char* path,
	int missing_ok, char* err, size_t errlen)
{
	int open_err, ok = load_file(p, which, path, err, errlen, &open_err);
	if(!ok && missing_ok && open_err == ENOENT)
		ok = 1;
	else if(!ok && open_err)
		snprintf(err, errlen, "%s: cannot open: %s", path,
			strerror(open_err));
	/* finish even on failure: what was added stays usable */
	if(!policy_finish(p, ok ? err : NULL, ok ? errlen : 0))
		return 0;
	return ok;
}

int
fg_policy_load_file(struct fg_policy* p, enum fg_list which,
	const char* path, char* err, size_t errlen)
{
	if(!list_valid(which)) {
		snprintf(err, errlen, "%s: no such list", path);
		return 0;
	}
	return load_and_finish(p, which, path, 0, err, errlen);
}

/** Add a config's entries (allow: or deny:) for one list. */
static int
add_conf_entries(struct fg_policy* p, enum fg_list which,
	const struct fg_conf_list* l, const char* option, char* err,
	size_t errlen)
{
	char why[512];
	size_t i;
	for(i = 0; i < l->n; i++) {
		if(policy_add(p, which, l->v[i].value, why, sizeof(why)))
			continue;
		if(l->v[i].file)
			snprintf(err, errlen, "%s:%d: %s: %s", l->v[i].file,
				l->v[i].line, option, why);
		else
			snprintf(err, errlen, "%s: %s", option, why);
		return 0;
	}
	return 1;
}

int
fg_policy_load_decisions(struct fg_policy* p, const char* path, char* err,
	size_t errlen)
{
	/* no file yet: no decisions yet */
	return load_and_finish(p, FG_LIST_NONE, path, 1, err, errlen);
}

/** Load a config's list files (allow-file: or deny-file:) for one list. */
static int
add_conf_files(struct fg_policy* p, enum fg_list which,
	const struct fg_conf_list* l, const char* option, char* err,
	size_t errlen)
{
	size_t i;
	int open_err;
	for(i = 0; i < l->n; i++) {
		if(load_file(p, which, l->v[i].value, err, errlen, &open_err))
			continue;
		if(!open_err)
			return 0;
		if(l->v[i].file)
			snprintf(err, errlen, "%s:%d: %s: cannot open \"%s\": %s",
				l->v[i].file, l->v[i].line, option,
				l->v[i].value, strerror(open_err));
		else
			snprintf(err, errlen, "%s: cannot open \"%s\": %s",
				option, l->v[i].value, strerror(open_err));
		return 0;
	}
	return 1;
}

struct fg_policy*
fg_policy_from_config(const struct fg_config* cfg, char* err, size_t errlen)
{
	struct fg_policy* p = fg_policy_create();
	if(!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if(!add_conf_entries(p, FG_LIST_ALLOW, &cfg->allow, "allow", err, errlen)
		|| !add_conf_entries(p, FG_LIST_DENY, &cfg->deny, "deny", err,
		errlen)
		|| !add_conf_files(p, FG_LIST_ALLOW, &cfg->allow_files,
		"allow-file", err, errlen)
		|| !add_conf_files(p, FG_LIST_DENY, &cfg->deny_files,
		"deny-file", err, errlen)
		|| !policy_finish(p, err, errlen)) {
		fg_policy_delete(p);
		return NULL;
	}
	return p;
}

void
fg_policy_foreach_name(const struct fg_policy* p, enum fg_list which,
	int (*cb)(const uint8_t* name, int exact, void* arg), void* arg)
{
	uint8_t sub = which == FG_LIST_DENY ? PF_DENY_SUB : PF_ALLOW_SUB;
	uint8_t exact = which == FG_LIST_DENY ? PF_DENY_EXACT : PF_ALLOW_EXACT;
	size_t i;
	for(i = 0; i < p->cap; i++) {
		const struct name_slot* s = &p->slots[i];
		if(!s->name)
			continue;
		if((s->flags & sub) && !cb(s->name, 0, arg))
			return;
		if((s->flags & exact) && !cb(s->name, 1, arg))
			return;
	}
}

enum fg_list
fg_policy_match_name(const struct fg_policy* p, const uint8_t* wire_name)
{
	size_t len, n, k, starts[FG_NAME_MAX_LABELS];
	uint32_t hashes[FG_NAME_MAX_LABELS];
	if(!p || p->used == 0)
		return FG_LIST_NONE;
	len = fg_name_wire_len(wire_name, FG_NAME_MAX_WIRE);
	if(len == 0)
		return FG_LIST_NONE;
	n = fg_name_suffix_hashes(wire_name, len, starts, hashes);
	/* longest suffix first: the first hit is the most specific */
	for(k = 0; k < n; k++) {
		const struct name_slot* s;
		if(!filter_may_hold(p, hashes[k]))
			continue;
		s = slot_find_hashed(p,
			wire_name + starts[k], len - starts[k], hashes[k]);
		if(s) {
			if(k == 0 && (s->flags & PF_DENY_EXACT))
				return FG_LIST_DENY;
			if(k == 0 && (s->flags & PF_ALLOW_EXACT))
				return FG_LIST_ALLOW;
			if(s->flags & PF_DENY_SUB)
				return FG_LIST_DENY;
			if(s->flags & PF_ALLOW_SUB)
				return FG_LIST_ALLOW;
		}
	}
	return FG_LIST_NONE;
}

/** Whether an IPv4 address lies in a merged range array. */
static int
in_ranges4(const struct range4* v, size_t n, uint32_t a)
{
	size_t lo = 0, hi = n;
	/* find the last range starting at or before a */
	while(lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if(v[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && a <= v[lo - 1].hi;
}

/** Whether an IPv6 address lies in a merged range array. */
static int
in_ranges6(const struct range6* v, size_t n, const uint8_t* a)
{
	size_t lo = 0, hi = n;
	while(lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if(memcmp(v[mid].lo, a, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && memcmp(a, v[lo - 1].hi, 16) <= 0;
}

/** Whether an address lies in one list's prefixes or ASNs. */
static int
addr_listed(const struct fg_policy* p, enum fg_list which,
	const struct fg_addr* a)
{
	const struct prefix_set* ps = &p->pfx[which];
	const struct asn_set* as = &p->asn[which];
	if(a->asn != 0 && as->n && bsearch(&a->asn, as->v, as->n,
		sizeof(*as->v), cmp_u32))
		return 1;
	if(a->family == FG_AF_INET && ps->n_m4) {
		uint32_t x = ((uint32_t)a->addr[0] << 24) |
			((uint32_t)a->addr[1] << 16) |
			((uint32_t)a->addr[2] << 8) | a->addr[3];
		return in_ranges4(ps->m4, ps->n_m4, x);
	}
	if(a->family == FG_AF_INET6 && ps->n_m6)
		return in_ranges6(ps->m6, ps->n_m6, a->addr);
	return 0;
}

enum fg_list
fg_policy_match_addrs(const struct fg_policy* p, const struct fg_addr* addrs,
	size_t n)
{
	size_t i;
	if(!p || n == 0)
		return FG_LIST_NONE;
	for(i = 0; i < n; i++)
		if(addr_listed(p, FG_LIST_DENY, &addrs[i]))
			return FG_LIST_DENY;
	for(i = 0; i < n; i++)
		if(!addr_listed(p, FG_LIST_ALLOW, &addrs[i]))
			return FG_LIST_NONE;
	return FG_LIST_ALLOW;
}

size_t
fg_policy_count(const struct fg_policy* p, enum fg_list which)
{
	if(!p || !list_valid(which))
		return 0;
	return p->n_names[which] + p->asn[which].n + p->pfx[which].n_raw4 +
		p->pfx[which].n_raw6;
}
