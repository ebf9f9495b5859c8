/**
 * \file
 * The flux tracker's table operations (fluxguard/tracker.h) on the segment of
 * fg_segment.c: finding, inserting and evicting records in their bucket,
 * recording address and NS answers into a slot under its stripe lock and
 * seqlock, ageing a record's window, and turning a consistent copy of a slot
 * into a struct fg_record_view with every field bounds-checked. The layout,
 * the eviction order, the window ageing and the lock order are documented in
 * core/segment_layout.h.
 */
#include "fg-config.h"

#include "segment.h"
#include "fluxguard/log.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"
#include "segment_layout.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Addresses, NS names or glue of one answer that are looked at; the rest of
 * a (pathologically large) RRset only counts towards addrs_per_answer. */
#define TRACK_ANSWER_MAX 64
#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#else
#define CPU_RELAX() __asm__ __volatile__("" ::: "memory")
#endif

/** Attempts at a consistent copy of a slot before it reads as absent. */
#define TRACK_READ_TRIES 4096

/** A process's handle on the tracker. */
struct fg_tracker {
	/** the mapped segment */
	struct fg_segment seg;
	/** this process maps the table with 2 MiB pages */
	int huge_pages;
};

/** Where a name lives. */
struct track_loc {
	/** lower-case wire name */
	uint8_t name[FG_NAME_MAX_WIRE];
	/** its length */
	size_t len;
	/** its bucket, stripe and tag */
	uint32_t bucket, stripe, tag;
};

/* ------------------------------------------------------------- utilities */

static uint32_t
time32(uint64_t now)
{
	return now > UINT32_MAX ? UINT32_MAX : (uint32_t)now;
}

static uint32_t
sat_inc32(uint32_t v)
{
	return v == UINT32_MAX ? v : v + 1;
}

/** Whether \p window seconds have passed from \p since to \p now (a clock
 * that went back says no): the one rule for a stale record, an evictable
 * one and a window that is over. */
static int
window_over(uint32_t since, uint32_t now, uint32_t window)
{
	return now >= since && now - since >= window;
}

/** Lower-case copy of a wire name of \p len octets: length octets are
 * <= 63, below 'A', so lower-casing every octet is safe. */
static void
name_lower_copy(uint8_t* dst, const uint8_t* src, size_t len)
{
	size_t i;
	for(i = 0; i < len; i++) {
		uint8_t c = src[i];
		dst[i] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
	}
}

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t
key_word(const struct fg_segment* seg, int i)
{
	uint64_t k;
	memcpy(&k, seg->key + 8 * i, 8);
	return k;
}

/** Keyed hash of an address (only its family's octets count). */
static uint64_t
addr_hash(const struct fg_segment* seg, uint8_t family, const uint8_t* addr)
{
	uint64_t a = 0, b = 0;
	if(family == FG_AF_INET)
		memcpy(&a, addr, 4);
	else {
		memcpy(&a, addr, 8);
		memcpy(&b, addr + 8, 8);
	}
	return mix64(mix64(a ^ key_word(seg, 0)) ^ b ^ key_word(seg, 1) ^
		((uint64_t)family << 56));
}

/** An address's IPv4 /16 or IPv6 /32, the prefix the tracker counts. */
static uint32_t
prefix_of(uint8_t family, const uint8_t* addr)
{
	return family == FG_AF_INET ? (uint32_t)addr[0] << 8 | addr[1] :
		(uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
		(uint32_t)addr[2] << 8 | addr[3];
}

/** Keyed hash of an address's prefix (prefix_of). */
static uint64_t
prefix_hash(const struct fg_segment* seg, uint8_t family, const uint8_t* addr)
{
	return mix64((uint64_t)prefix_of(family, addr) ^
		((uint64_t)family << 40) ^ key_word(seg, 1));
}

static uint64_t
asn_hash(const struct fg_segment* seg, uint32_t asn)
{
	return mix64((uint64_t)asn ^ 0x5a5a000000000000ULL ^ key_word(seg, 0));
}

static uint64_t
country_hash(const struct fg_segment* seg, const char* cc)
{
	uint64_t v = (uint64_t)(uint8_t)cc[0] << 8 | (uint8_t)cc[1];
	return mix64(v ^ 0xc0c0000000000000ULL ^ key_word(seg, 1));
}

static void
sketch_set(uint64_t* sk, unsigned words, uint64_t h)
{
	unsigned bit = (unsigned)(h % (64u * words));
	sk[bit / 64] |= (uint64_t)1 << (bit % 64);
}

/** Natural logarithm for x >= 1 (the core does not link libm). */
static double
ln_pos(double x)
{
	static const double ln2 = 0.69314718055994530942;
	double y, y2, term, sum = 0;
	int k = 0, i;
	while(x >= 2) {
		x /= 2;
		k++;
	}
	/* ln x = 2 atanh((x-1)/(x+1)), y <= 1/3: 12 terms are plenty */
	y = (x - 1) / (x + 1);
	y2 = y * y;
	term = y;
	for(i = 0; i < 12; i++) {
		sum += term / (2 * i + 1);
		term *= y2;
	}
	return k * ln2 + 2 * sum;
}

/** Linear-counting estimate of the distinct items in a bitmap. */
static uint32_t
sketch_estimate(const uint64_t* sk, unsigned words)
{
	unsigned m = 64u * words, set = 0, i;
	double zeros;
	for(i = 0; i < words; i++)
		set += (unsigned)__builtin_popcountll(sk[i]);
	/* all bits set: the estimate saturates as if half a bit were left */
	zeros = set >= m ? 0.5 : (double)(m - set);
	return (uint32_t)(m * ln_pos((double)m / zeros) + 0.5);
}

static int
verdict_sticky(uint8_t v)
{
	return v == FG_VERDICT_FLAGGED || v == FG_VERDICT_ALLOWED ||
		v == FG_VERDICT_DENIED;
}

static uint32_t
window_of(const struct fg_tracker* t)
{
	uint32_t w = __atomic_load_n(&t->seg.hdr->window, __ATOMIC_RELAXED);
	return w ? w : 1;
}

/** Lower-case copy, hash and position of a wire name. */
static int
loc_prepare(const struct fg_tracker* t, const uint8_t* name, struct track_loc* l)
{
	uint64_t h;
	l->len = fg_name_wire_len(name, FG_NAME_MAX_WIRE);
	if(l->len == 0)
		return 0;
	name_lower_copy(l->name, name, l->len);
	h = fg_segment_hash(t->seg.key, l->name, l->len);
	l->bucket = fg_segment_bucket_of(&t->seg, h);
	l->stripe = fg_segment_stripe_of(&t->seg, l->bucket);
	l->tag = fg_segment_tag_of(h);
	return 1;
}

/* -------------------------------------------------------- pool entries */

/** Entry sizes by kind (FG_SEG_ENT_KIND bits), 0 for no entry: a table,
 * not a switch, because every pool walk steps through it. */
static const uint8_t ent_sizes[FG_SEG_ENT_KIND + 1] = {
	0, FG_SEG_ENT_A4_SIZE, FG_SEG_ENT_A6_SIZE, FG_SEG_ENT_G4_SIZE,
	FG_SEG_ENT_G6_SIZE, 0, 0, 0
};

static unsigned
ent_size(uint8_t tag)
{
	return ent_sizes[tag & FG_SEG_ENT_KIND];
}

static int
ent_is_glue(uint8_t tag)
{
	uint8_t k = tag & FG_SEG_ENT_KIND;
	return k == FG_SEG_ENT_G4 || k == FG_SEG_ENT_G6;
}

/** Offset of the address inside an entry. */
static unsigned
ent_addr_off(uint8_t tag)
{
	return ent_is_glue(tag) ? 7 : 4;
}

/** Whether an answer's address has a family the tracker stores; others
 * (a caller's garbage) are passed over. */
static int
family_known(uint8_t family)
{
	return family == FG_AF_INET || family == FG_AF_INET6;
}

/** Address family of an entry kind. */
static uint8_t
family_of_kind(uint8_t kind)
{
	return (kind == FG_SEG_ENT_A4 || kind == FG_SEG_ENT_G4) ? FG_AF_INET :
		FG_AF_INET6;
}

/** Entry kind for an address family: answer or glue. */
static uint8_t
ent_kind(uint8_t family, int glue)
{
	if(family == FG_AF_INET)
		return glue ? FG_SEG_ENT_G4 : FG_SEG_ENT_A4;
	return glue ? FG_SEG_ENT_G6 : FG_SEG_ENT_A6;
}

/** Offset of the entry of that kind and address, or -1. */
static int
ent_find(const struct fg_seg_slot* s, uint8_t kind, const uint8_t* addr)
{
	unsigned off = s->name_len, end = s->pool_used,
		alen = family_of_kind(kind) == FG_AF_INET ? 4 : 16;
	if(end > FG_SEG_POOL_SIZE)
		end = FG_SEG_POOL_SIZE;
	while(off < end) {
		uint8_t tag = s->pool[off];
		unsigned sz = ent_size(tag);
		if(sz == 0 || off + sz > end)
			return -1;
		if((tag & FG_SEG_ENT_KIND) == kind &&
			memcmp(s->pool + off + ent_addr_off(tag), addr, alen) == 0)
			return (int)off;
		off += sz;
	}
	return -1;
}

/** Clear the LAST bit of every glue entry. */
static void
ent_clear_last_glue(struct fg_seg_slot* s)
{
	unsigned off = s->name_len;
	while(off < s->pool_used && off < FG_SEG_POOL_SIZE) {
		unsigned sz = ent_size(s->pool[off]);
		if(sz == 0)
			return;
		if(ent_is_glue(s->pool[off]))
			s->pool[off] &= (uint8_t)~FG_SEG_ENT_LAST;
		off += sz;
	}
}

static uint16_t
ent_hits(const uint8_t* e)
{
	return (uint16_t)(e[2] | (uint16_t)e[3] << 8);
}

static void
ent_set_hits(uint8_t* e, uint16_t hits)
{
	e[2] = (uint8_t)(hits & 0xff);
	e[3] = (uint8_t)(hits >> 8);
}

/** \p a + \p b, saturating at 65535 like every hit count. */
static uint16_t
hits_add(uint16_t a, uint16_t b)
{
	return (uint32_t)a + b > UINT16_MAX ? UINT16_MAX : (uint16_t)(a + b);
}

/**
 * Fold hits_pending into the answer entries marked LAST and, with \p clear,
 * take their marks away: one walk, before a writer changes the marks.
 */
static void
ent_settle_last(struct fg_seg_slot* s, int clear)
{
	unsigned off = s->name_len;
	while(off < s->pool_used && off < FG_SEG_POOL_SIZE) {
		uint8_t* e = s->pool + off;
		unsigned sz = ent_size(*e);
		if(sz == 0 || off + sz > FG_SEG_POOL_SIZE)
			break;
		if(!ent_is_glue(*e) && (*e & FG_SEG_ENT_LAST)) {
			if(s->hits_pending)
				ent_set_hits(e, hits_add(ent_hits(e), s->hits_pending));
			if(clear)
				*e &= (uint8_t)~FG_SEG_ENT_LAST;
		}
		off += sz;
	}
	s->hits_pending = 0;
	if(clear)
		s->n_last = 0;
}

/* ---------------------------------------------------------- geo lists */

/** Note an ASN in the record's list or sketch; \return its index or NONE. */
static uint8_t
note_asn(const struct fg_segment* seg, struct fg_seg_slot* s, uint32_t asn)
{
	uint8_t i;
	if(asn == 0)
		return FG_SEG_GEO_NONE;
	for(i = 0; i < s->n_asns && i < FG_TRACK_ASNS; i++)
		if(s->asns[i] == asn)
			return i;
	sketch_set(&s->sk_asn, 1, asn_hash(seg, asn));
	if(s->n_asns < FG_TRACK_ASNS) {
		s->asns[s->n_asns] = asn;
		return s->n_asns++;
	}
	s->bits |= FG_SEG_OVF_ASN;
	return FG_SEG_GEO_NONE;
}

static uint8_t
note_country(const struct fg_segment* seg, struct fg_seg_slot* s, const char* cc)
{
	uint8_t i;
	if(cc[0] == 0 && cc[1] == 0)
		return FG_SEG_GEO_NONE;
	for(i = 0; i < s->n_countries && i < FG_TRACK_COUNTRIES; i++)
		if(s->countries[i][0] == cc[0] && s->countries[i][1] == cc[1])
			return i;
	sketch_set(&s->sk_country, 1, country_hash(seg, cc));
	if(s->n_countries < FG_TRACK_COUNTRIES) {
		s->countries[s->n_countries][0] = cc[0];
		s->countries[s->n_countries][1] = cc[1];
		return s->n_countries++;
	}
	s->bits |= FG_SEG_OVF_COUNTRY;
	return FG_SEG_GEO_NONE;
}

/* ---------------------------------------------------------- window ageing */

/**
 * Start a new window if the current one is over (see the layout header):
 * keep the last answer's addresses and glue, drop the rest, rebuild the geo
 * lists and sketches from what was kept. Used in place by writers and on a
 * private copy by readers.
 */
static void
slot_age(const struct fg_segment* seg, struct fg_seg_slot* s, uint32_t now,
	uint32_t window)
{
	uint32_t old_asns[FG_TRACK_ASNS];
	char old_cc[FG_TRACK_COUNTRIES][2];
	unsigned old_n_asns, old_n_cc, off, w, end, i;
	uint16_t kept_ns[FG_SEG_NS_HASHES];
	uint8_t n_kept_ns = 0;
	if(!window_over(s->window_start, now, window))
		return;
	s->window_start = now;
	s->answers = 0;
	s->addr_new_total = 0;
	s->addr_changes = 0;
	s->apa_max = 0;
	s->ns_answers = 0;
	s->ns_changes = 0;
	s->bits &= FG_SEG_HAVE_ADDR_SET | FG_SEG_HAVE_NS_SET;
	old_n_asns = s->n_asns < FG_TRACK_ASNS ? s->n_asns : FG_TRACK_ASNS;
	old_n_cc = s->n_countries < FG_TRACK_COUNTRIES ? s->n_countries :
		FG_TRACK_COUNTRIES;
	memcpy(old_asns, s->asns, sizeof(old_asns));
	memcpy(old_cc, s->countries, sizeof(old_cc));
	memset(s->asns, 0, sizeof(s->asns));
	memset(s->countries, 0, sizeof(s->countries));
	s->n_asns = s->n_countries = 0;
	memset(s->sk_addr, 0, sizeof(s->sk_addr));
	memset(s->sk_prefix, 0, sizeof(s->sk_prefix));
	s->sk_asn = s->sk_country = s->sk_ns = s->sk_glue = 0;
	s->n_addrs = s->n_glue = 0;
	/* the kept answer entries are the LAST ones, their hits start at 0 */
	s->hits_pending = 0;
	s->n_last = 0;

	off = w = s->name_len;
	end = s->pool_used <= FG_SEG_POOL_SIZE ? s->pool_used : FG_SEG_POOL_SIZE;
	while(off < end) {
		uint8_t tag = s->pool[off];
		unsigned sz = ent_size(tag);
		if(sz == 0 || off + sz > end)
			break;
		if(tag & FG_SEG_ENT_LAST) {
			uint8_t* e = s->pool + off;
			uint8_t family = family_of_kind(tag & FG_SEG_ENT_KIND);
			const uint8_t* addr = e + ent_addr_off(tag);
			if(ent_is_glue(tag)) {
				sketch_set(&s->sk_glue, 1, ~addr_hash(seg, family, addr));
				s->n_glue++;
			} else {
				uint8_t ai = e[1] >> 4, ci = e[1] & 0x0f;
				uint8_t na = FG_SEG_GEO_NONE, nc = FG_SEG_GEO_NONE;
				if(ai < old_n_asns)
					na = note_asn(seg, s, old_asns[ai]);
				if(ci < old_n_cc)
					nc = note_country(seg, s, old_cc[ci]);
				e[1] = (uint8_t)(na << 4 | nc);
				ent_set_hits(e, 0);
				sketch_set(s->sk_addr, 2, addr_hash(seg, family, addr));
				sketch_set(s->sk_prefix, 2, prefix_hash(seg, family, addr));
				s->n_addrs++;
				if(s->n_last < UINT8_MAX)
					s->n_last++;
			}
			if(w != off)
				memmove(s->pool + w, e, sz);
			w += sz;
		}
		off += sz;
	}
	memset(s->pool + w, 0, FG_SEG_POOL_SIZE - w);
	s->pool_used = (uint16_t)w;

	for(i = 0; i < s->n_ns && i < FG_SEG_NS_HASHES; i++)
		if(s->ns_last_mask & (1u << i))
			kept_ns[n_kept_ns++] = s->ns_hashes[i];
	memset(s->ns_hashes, 0, sizeof(s->ns_hashes));
	memcpy(s->ns_hashes, kept_ns, n_kept_ns * sizeof(kept_ns[0]));
	s->n_ns = n_kept_ns;
	s->ns_last_mask = (uint8_t)((1u << n_kept_ns) - 1);
	for(i = 0; i < n_kept_ns; i++)
		sketch_set(&s->sk_ns, 1, kept_ns[i]);
}

/* ------------------------------------------------------------ recording */

/** Record an address answer into a slot (caller holds the stripe and the
 * slot's seqlock). */
static void
slot_record_addrs(const struct fg_segment* seg, struct fg_seg_slot* s,
	const struct fg_addr* addrs, size_t n, uint32_t ttl)
{
	uint64_t hs[TRACK_ANSWER_MAX];
	size_t i, m = n < TRACK_ANSWER_MAX ? n : TRACK_ANSWER_MAX, valid = 0;
	uint32_t set = 0, fresh = 0;
	uint16_t apa = n > UINT16_MAX ? UINT16_MAX : (uint16_t)n;

	s->answers = sat_inc32(s->answers);
	if(s->answers == 1) {
		s->ttl_min = s->ttl_mean = ttl;
	} else {
		if(ttl < s->ttl_min)
			s->ttl_min = ttl;
		s->ttl_mean = (uint32_t)((int64_t)s->ttl_mean +
			((int64_t)ttl - (int64_t)s->ttl_mean) / (int64_t)s->answers);
	}
	s->ttl_last = ttl;
	s->apa_last = apa;
	if(apa > s->apa_max)
		s->apa_max = apa;

	for(i = 0; i < m; i++) {
		if(!family_known(addrs[i].family)) {
			hs[i] = 0;
			continue;
		}
		hs[i] = addr_hash(seg, addrs[i].family, addrs[i].addr);
		set += (uint32_t)(hs[i] >> 32);
		valid++;
	}

	/* fast path: the same set as last time, all of it kept exactly (as
	 * many LAST entries as valid addresses): one more pending hit for
	 * each of them, no walk through the pool */
	if((s->bits & FG_SEG_HAVE_ADDR_SET) && set == s->addr_set_hash &&
		s->n_last == valid) {
		if(s->hits_pending == UINT16_MAX)
			ent_settle_last(s, 0);
		s->hits_pending++;
		return;
	}

	ent_settle_last(s, 1);
	for(i = 0; i < m; i++) {
		const struct fg_addr* a = &addrs[i];
		uint8_t kind;
		int off;
		if(!family_known(a->family))
			continue;
		kind = ent_kind(a->family, 0);
		off = ent_find(s, kind, a->addr);
		if(off >= 0) {
			uint8_t* e = s->pool + off;
			if(*e & FG_SEG_ENT_LAST)
				continue; /* listed twice in one RRset */
			*e |= FG_SEG_ENT_LAST;
			if(s->n_last < UINT8_MAX)
				s->n_last++;
			if(ent_hits(e) < UINT16_MAX)
				ent_set_hits(e, (uint16_t)(ent_hits(e) + 1));
			continue;
		}
		sketch_set(s->sk_prefix, 2, prefix_hash(seg, a->family, a->addr));
		{
			uint8_t ai = note_asn(seg, s, a->asn);
			uint8_t ci = note_country(seg, s, a->country);
			unsigned sz = ent_size(kind);
			if(s->n_addrs < FG_TRACK_ADDRS &&
				s->pool_used + sz <= FG_SEG_POOL_SIZE) {
				uint8_t* e = s->pool + s->pool_used;
				e[0] = (uint8_t)(kind | FG_SEG_ENT_LAST);
				e[1] = (uint8_t)(ai << 4 | ci);
				ent_set_hits(e, 1);
				if(s->n_last < UINT8_MAX)
					s->n_last++;
				memcpy(e + 4, a->addr, sz - 4);
				s->pool_used = (uint16_t)(s->pool_used + sz);
				s->n_addrs++;
				sketch_set(s->sk_addr, 2, hs[i]);
				fresh++;
			} else {
				/* not kept: whether it is new is only known to
				 * the sketch; count what the estimate grows by,
				 * so the sum stays an unbiased distinct count */
				uint32_t before = sketch_estimate(s->sk_addr, 2);
				s->bits |= FG_SEG_OVF_ADDR;
				sketch_set(s->sk_addr, 2, hs[i]);
				fresh += sketch_estimate(s->sk_addr, 2) - before;
			}
		}
	}
	s->addr_new_total += fresh;
	if((s->bits & FG_SEG_HAVE_ADDR_SET) && set != s->addr_set_hash)
		s->addr_changes = sat_inc32(s->addr_changes);
	s->addr_set_hash = set;
	s->bits |= FG_SEG_HAVE_ADDR_SET;
}

/** Record an NS answer and its glue into a slot (stripe and seqlock held). */
static void
slot_record_ns(const struct fg_segment* seg, struct fg_seg_slot* s,
	const uint8_t* const* ns_names, size_t n_ns, const struct fg_addr* glue,
	size_t n_glue, uint32_t ttl)
{
	uint64_t hs[TRACK_ANSWER_MAX];
	size_t i, j, nh = 0;
	uint32_t set = 0;

	s->ns_answers = sat_inc32(s->ns_answers);
	if(s->ns_answers == 1 || ttl < s->ns_ttl_min)
		s->ns_ttl_min = ttl;

	for(i = 0; i < n_ns && nh < TRACK_ANSWER_MAX; i++) {
		uint8_t lname[FG_NAME_MAX_WIRE];
		size_t len;
		uint64_t h;
		if(!ns_names || !ns_names[i])
			continue;
		len = fg_name_wire_len(ns_names[i], FG_NAME_MAX_WIRE);
		if(len == 0)
			continue;
		name_lower_copy(lname, ns_names[i], len);
		h = fg_segment_hash(seg->key, lname, len);
		for(j = 0; j < nh; j++)
			if(hs[j] == h)
				break;
		if(j < nh)
			continue;
		hs[nh++] = h;
		set += (uint32_t)(h >> 32);
	}
	s->ns_last_mask = 0;
	for(i = 0; i < nh; i++) {
		uint16_t h16 = (uint16_t)(hs[i] >> 48);
		for(j = 0; j < s->n_ns && j < FG_SEG_NS_HASHES; j++)
			if(s->ns_hashes[j] == h16)
				break;
		if(j < s->n_ns && j < FG_SEG_NS_HASHES) {
			s->ns_last_mask |= (uint8_t)(1u << j);
			continue;
		}
		sketch_set(&s->sk_ns, 1, h16);
		if(s->n_ns < FG_SEG_NS_HASHES) {
			s->ns_hashes[s->n_ns] = h16;
			s->ns_last_mask |= (uint8_t)(1u << s->n_ns);
			s->n_ns++;
		} else
			s->bits |= FG_SEG_OVF_NS;
	}
	if((s->bits & FG_SEG_HAVE_NS_SET) && set != s->ns_set_hash)
		s->ns_changes = sat_inc32(s->ns_changes);
	s->ns_set_hash = set;
	s->bits |= FG_SEG_HAVE_NS_SET;

	ent_clear_last_glue(s);
	for(i = 0; i < n_glue && i < TRACK_ANSWER_MAX; i++) {
		const struct fg_addr* g = &glue[i];
		uint8_t kind;
		unsigned sz;
		int off;
		if(!family_known(g->family))
			continue;
		kind = ent_kind(g->family, 1);
		off = ent_find(s, kind, g->addr);
		if(off >= 0) {
			s->pool[off] |= FG_SEG_ENT_LAST;
			continue;
		}
		sketch_set(&s->sk_glue, 1, ~addr_hash(seg, g->family, g->addr));
		sz = ent_size(kind);
		if(s->n_glue < FG_TRACK_GLUE && s->pool_used + sz <= FG_SEG_POOL_SIZE) {
			uint8_t* e = s->pool + s->pool_used;
			e[0] = (uint8_t)(kind | FG_SEG_ENT_LAST);
			e[1] = (uint8_t)g->country[0];
			e[2] = (uint8_t)g->country[1];
			memcpy(e + 3, &g->asn, 4);
			memcpy(e + 7, g->addr, sz - 7);
			s->pool_used = (uint16_t)(s->pool_used + sz);
			s->n_glue++;
		} else
			s->bits |= FG_SEG_OVF_GLUE;
	}
}

/* ---------------------------------------------------- slots and buckets */

static void
slot_write_begin(struct fg_seg_slot* s)
{
	uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, seq | 1u, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void
slot_write_end(struct fg_seg_slot* s)
{
	uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, (seq | 1u) + 1, __ATOMIC_RELEASE);
}

/**
 * Consistent copy of a slot, taken without a lock.
 * \return 0 if the slot stayed mid-write (a dead or very slow writer).
 */
static int
slot_read(const struct fg_seg_slot* s, struct fg_seg_slot* out)
{
	int tries;
	for(tries = 0; tries < TRACK_READ_TRIES; tries++) {
		uint32_t s1 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE), s2;
		if(!(s1 & 1)) {
			memcpy(out, s, sizeof(*out));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			s2 = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
			if(s1 == s2)
				return 1;
		}
		if((tries & 63) == 63)
			sched_yield();
		else
			CPU_RELAX();
	}
	return 0;
}

/** Ask for the cache lines of a slot's first \p len octets at once: the walk
 * through it would otherwise miss on them one after the other. */
static void
slot_prefetch(const struct fg_seg_slot* s, size_t len, int write)
{
	const uint8_t* p = (const uint8_t*)s;
	size_t off;
	for(off = 0; off < len; off += 64) {
		if(write)
			__builtin_prefetch(p + off, 1);
		else
			__builtin_prefetch(p + off, 0);
	}
	/* slots are not line-aligned: the range's last octet may sit on one
	 * more line */
	if(write)
		__builtin_prefetch(p + len - 1, 1);
	else
		__builtin_prefetch(p + len - 1, 0);
}

/** A name's home slot in its bucket: where it goes if that slot is free, so
 * that its lines can be fetched together with the tags, before the tags say
 * where it is. */
static unsigned
home_of(uint32_t tag)
{
	return tag % FG_SEG_BUCKET_SLOTS;
}

/** Prefetch the tags and the first \p len octets of the home slot together
 * (only a hint: no lock, and no load that would wait for the tags). */
static void
bucket_prefetch(const struct fg_seg_bucket* bk, uint32_t tag, size_t len,
	int write)
{
	unsigned home = home_of(tag);
	if(write)
		__builtin_prefetch(bk->tags, 1);
	else
		__builtin_prefetch(bk->tags, 0);
	slot_prefetch(&bk->slots[home], len, write);
}

/** Index of the slot holding the name in its bucket, or -1 (stripe held). */
static int
bucket_find(struct fg_seg_bucket* bk, const struct track_loc* l)
{
	unsigned i;
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
		const struct fg_seg_slot* s;
		if(__atomic_load_n(&bk->tags[i], __ATOMIC_RELAXED) != l->tag)
			continue;
		s = &bk->slots[i];
		if(s->name_len == l->len && memcmp(s->pool, l->name, l->len) == 0)
			return (int)i;
	}
	return -1;
}

/** Eviction class: lower goes first (see the layout header); -1 = never. */
static int
evict_class(const struct fg_seg_slot* s, uint32_t now, uint32_t window)
{
	if(s->verdict == FG_VERDICT_ALLOWED || s->verdict == FG_VERDICT_DENIED)
		return -1;
	if(s->verdict == FG_VERDICT_FLAGGED)
		return 2;
	return window_over(s->last_seen, now, window) ? 0 : 1;
}

/** A slot for a new name: a free one, or the least valuable (stripe held).
 * \return its index, or -1 if every slot is allowed or denied. */
static int
bucket_make_room(struct fg_tracker* t, struct fg_seg_bucket* bk, uint32_t tag,
	uint32_t now, uint32_t window)
{
	int best = -1, best_class = 3;
	float best_score = 0;
	uint32_t best_last = 0;
	unsigned i;
	if(__atomic_load_n(&bk->tags[home_of(tag)], __ATOMIC_RELAXED) == 0)
		return (int)home_of(tag);
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++)
		if(__atomic_load_n(&bk->tags[i], __ATOMIC_RELAXED) == 0)
			return (int)i;
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
		const struct fg_seg_slot* s = &bk->slots[i];
		int c = evict_class(s, now, window);
		float score = s->score == s->score ? s->score : 0; /* NaN */
		int better;
		if(c < 0)
			continue;
		if(c != best_class)
			better = c < best_class;
		else if(c == 1 && score != best_score)
			better = score < best_score;
		else
			better = s->last_seen < best_last;
		if(better) {
			best = (int)i;
			best_class = c;
			best_score = score;
			best_last = s->last_seen;
		}
	}
	if(best >= 0) {
		fg_segment_slot_clear(bk, (uint32_t)best);
		__atomic_add_fetch(&t->seg.hdr->evictions, 1, __ATOMIC_RELAXED);
	}
	return best;
}

/** Fill a free slot for a new name (stripe held, seqlock open). */
static void
slot_init(struct fg_seg_slot* s, const struct track_loc* l, uint32_t now)
{
	memset((uint8_t*)s + sizeof(s->seq), 0, sizeof(*s) - sizeof(s->seq));
	s->state = FG_SEG_SLOT_USED;
	s->name_len = (uint8_t)l->len;
	memcpy(s->pool, l->name, l->len);
	s->pool_used = (uint16_t)l->len;
	s->first_seen = s->last_seen = s->window_start = now;
}

static int slot_to_view(const struct fg_seg_slot* c, struct fg_record_view* v);

/** What a record operation does to its slot. */
struct track_update {
	/** address answer, or NULL */
	const struct fg_addr* addrs;
	/** its size */
	size_t n_addrs;
	/** NS answer (is_ns) */
	int is_ns;
	/** NS names and glue */
	const uint8_t* const* ns_names;
	/** counts */
	size_t n_ns;
	/** glue */
	const struct fg_addr* glue;
	/** counts */
	size_t n_glue;
	/** TTL of the RRset */
	uint32_t ttl;
	/** if not NULL, the record after the update is copied here */
	struct fg_record_view* view;
};

static int
tracker_record(struct fg_tracker* t, const uint8_t* owner, uint64_t now64,
	const struct track_update* u)
{
	struct track_loc l;
	struct fg_seg_bucket* bk;
	struct fg_seg_slot* s;
	uint32_t now = time32(now64), window;
	int i, fresh = 0, ok;
	if(!t || !t->seg.writable || !loc_prepare(t, owner, &l))
		return 0;
	window = window_of(t);
	bk = &t->seg.buckets[l.bucket];
	/* the stripe's line comes in while the tags are read and the slot's
	 * lines are requested; the lock is taken once they are on their way */
	__builtin_prefetch(&t->seg.stripes[l.stripe], 1);
	/* a repeated address answer touches only the hot part; an NS answer
	 * or a caller that wants the whole record reads all of it */
	bucket_prefetch(bk, l.tag, u->view || u->is_ns ? sizeof(*bk->slots) :
		FG_SEG_SLOT_HOT, 1);
	if(!fg_segment_lock(&t->seg, l.stripe))
		return 0;
	i = bucket_find(bk, &l);
	if(i < 0) {
		i = bucket_make_room(t, bk, l.tag, now, window);
		if(i < 0) {
			fg_segment_unlock(&t->seg, l.stripe);
			return 0;
		}
		fresh = 1;
	}
	s = &bk->slots[i];
	slot_write_begin(s);
	if(fresh)
		slot_init(s, &l, now);
	slot_age(&t->seg, s, now, window);
	if(now > s->last_seen)
		s->last_seen = now;
	if(now < s->first_seen)
		s->first_seen = now;
	if(u->is_ns)
		slot_record_ns(&t->seg, s, u->ns_names, u->n_ns, u->glue,
			u->n_glue, u->ttl);
	else
		slot_record_addrs(&t->seg, s, u->addrs, u->n_addrs, u->ttl);
	slot_write_end(s);
	if(fresh)
		__atomic_store_n(&bk->tags[i], l.tag, __ATOMIC_RELEASE);
	/* the stripe is still held: no writer can change the slot, so it is
	 * read in place; slot_to_view checks it like any copy */
	ok = !u->view || slot_to_view(s, u->view);
	fg_segment_unlock(&t->seg, l.stripe);
	return ok;
}

/** Record an address answer; with \p view, copy the record out too. */
static int
tracker_record_addrs(struct fg_tracker* t, const uint8_t* owner,
	uint64_t now, const struct fg_addr* addrs, size_t n, uint32_t ttl,
	struct fg_record_view* view)
{
	struct track_update u;
	if(n > 0 && !addrs)
		return 0;
	memset(&u, 0, sizeof(u));
	u.addrs = addrs;
	u.n_addrs = n;
	u.ttl = ttl;
	u.view = view;
	return tracker_record(t, owner, now, &u);
}

int
fg_tracker_record_addrs(struct fg_tracker* t, const uint8_t* owner,
	uint64_t now, const struct fg_addr* addrs, size_t n, uint32_t ttl)
{
	return tracker_record_addrs(t, owner, now, addrs, n, ttl, NULL);
}

int
fg_tracker_record_addrs_view(struct fg_tracker* t, const uint8_t* owner,
	uint64_t now, const struct fg_addr* addrs, size_t n, uint32_t ttl,
	struct fg_record_view* out)
{
	if(!out)
		return 0;
	return tracker_record_addrs(t, owner, now, addrs, n, ttl, out);
}

int
fg_tracker_record_ns(struct fg_tracker* t, const uint8_t* zone,
	uint64_t now, const uint8_t* const* ns_names, size_t n_ns,
	const struct fg_addr* glue, size_t n_glue, uint32_t ttl)
{
	struct track_update u;
	if((n_ns > 0 && !ns_names) || (n_glue > 0 && !glue))
		return 0;
	memset(&u, 0, sizeof(u));
	u.is_ns = 1;
	u.ns_names = ns_names;
	u.n_ns = n_ns;
	u.glue = glue;
	u.n_glue = n_glue;
	u.ttl = ttl;
	return tracker_record(t, zone, now, &u);
}

/* -------------------------------------------------------------- reading */

/** Distinct prefixes among kept addresses (family counts too). */
static uint32_t
count_prefixes(const struct fg_addr* a, uint32_t n)
{
	uint32_t i, j, d = 0;
	for(i = 0; i < n; i++) {
		for(j = 0; j < i; j++)
			if(a[j].family == a[i].family &&
				prefix_of(a[j].family, a[j].addr) ==
				prefix_of(a[i].family, a[i].addr))
				break;
		if(j == i)
			d++;
	}
	return d;
}

static uint32_t
max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/**
 * Turn a private copy of a slot into a view, checking everything: the copy
 * came out of shared memory.
 * \return 0 if the slot is not a well-formed record.
 */
static int
slot_to_view(const struct fg_seg_slot* c, struct fg_record_view* v)
{
	unsigned off, end, len = c->name_len, i, j;
	memset(v, 0, sizeof(*v));
	if(c->state != FG_SEG_SLOT_USED || len == 0 || c->pool_used < len ||
		c->pool_used > FG_SEG_POOL_SIZE ||
		fg_name_wire_len(c->pool, len) != len)
		return 0;
	memcpy(v->name, c->pool, len);
	v->name_len = (uint8_t)len;
	v->first_seen = c->first_seen;
	v->last_seen = c->last_seen;
	v->window_start = c->window_start;
	v->answers = c->answers;
	v->addr_new_total = c->addr_new_total;
	v->addr_changes = c->addr_changes;
	v->addrs_per_answer_max = c->apa_max;
	v->addrs_last_answer = c->apa_last;
	v->ttl_min = c->ttl_min;
	v->ttl_last = c->ttl_last;
	v->ttl_mean = c->ttl_mean;
	v->n_asns = c->n_asns < FG_TRACK_ASNS ? c->n_asns : FG_TRACK_ASNS;
	memcpy(v->asns, c->asns, v->n_asns * sizeof(v->asns[0]));
	v->n_countries = c->n_countries < FG_TRACK_COUNTRIES ? c->n_countries :
		FG_TRACK_COUNTRIES;
	memcpy(v->countries, c->countries, v->n_countries * 2);

	end = c->pool_used;
	for(off = len; off < end; ) {
		uint8_t tag = c->pool[off], kind = tag & FG_SEG_ENT_KIND;
		const uint8_t* e = c->pool + off;
		unsigned sz = ent_size(tag);
		if(sz == 0 || off + sz > end)
			return 0;
		if(!ent_is_glue(tag) && v->n_addrs < FG_TRACK_ADDRS) {
			struct fg_addr* a = &v->addrs[v->n_addrs];
			uint8_t ai = e[1] >> 4, ci = e[1] & 0x0f;
			a->family = family_of_kind(kind);
			memcpy(a->addr, e + 4, sz - 4);
			if(ai < v->n_asns)
				a->asn = v->asns[ai];
			if(ci < v->n_countries)
				memcpy(a->country, v->countries[ci], 2);
			v->addr_hits[v->n_addrs++] = (tag & FG_SEG_ENT_LAST) ?
				hits_add(ent_hits(e), c->hits_pending) : ent_hits(e);
		} else if(ent_is_glue(tag) && v->n_glue < FG_TRACK_GLUE) {
			struct fg_addr* g = &v->glue[v->n_glue++];
			g->family = family_of_kind(kind);
			g->country[0] = (char)e[1];
			g->country[1] = (char)e[2];
			memcpy(&g->asn, e + 3, 4);
			memcpy(g->addr, e + 7, sz - 7);
		}
		off += sz;
	}

	v->addr_distinct = v->n_addrs;
	v->prefix_distinct = count_prefixes(v->addrs, v->n_addrs);
	if(c->bits & FG_SEG_OVF_ADDR) {
		v->addr_distinct = max32(v->addr_distinct, sketch_estimate(c->sk_addr, 2));
		v->prefix_distinct = max32(v->prefix_distinct,
			sketch_estimate(c->sk_prefix, 2));
	}
	v->asn_distinct = v->n_asns;
	if(c->bits & FG_SEG_OVF_ASN)
		v->asn_distinct = max32(v->n_asns, sketch_estimate(&c->sk_asn, 1));
	v->country_distinct = v->n_countries;
	if(c->bits & FG_SEG_OVF_COUNTRY)
		v->country_distinct = max32(v->n_countries,
			sketch_estimate(&c->sk_country, 1));

	v->ns_answers = c->ns_answers;
	v->ns_changes = c->ns_changes;
	v->ns_ttl_min = c->ns_ttl_min;
	v->ns_distinct = c->n_ns < FG_SEG_NS_HASHES ? c->n_ns : FG_SEG_NS_HASHES;
	if(c->bits & FG_SEG_OVF_NS)
		v->ns_distinct = max32(v->ns_distinct, sketch_estimate(&c->sk_ns, 1));
	v->glue_distinct = v->n_glue;
	if(c->bits & FG_SEG_OVF_GLUE)
		v->glue_distinct = max32(v->n_glue, sketch_estimate(&c->sk_glue, 1));
	v->glue_prefix_distinct = count_prefixes(v->glue, v->n_glue);
	for(i = 0; i < v->n_glue; i++) {
		if(v->glue[i].asn == 0)
			continue;
		for(j = 0; j < i; j++)
			if(v->glue[j].asn == v->glue[i].asn)
				break;
		if(j == i)
			v->glue_asn_distinct++;
	}

	v->score = c->score;
	v->verdict = c->verdict <= FG_VERDICT_DENIED ? c->verdict : FG_VERDICT_CLEAN;
	v->flags = c->flags;
	v->flagged_at = c->flagged_at;
	return 1;
}

/** Whether a record (its copy) is visible at \p now: not stale, or sticky. */
static int
slot_visible(const struct fg_seg_slot* c, uint32_t now, uint32_t window)
{
	if(verdict_sticky(c->verdict))
		return 1;
	return !window_over(c->last_seen, now, window);
}

void
fg_tracker_prefetch(struct fg_tracker* t, const uint8_t* name)
{
	struct track_loc l;
	struct fg_seg_bucket* bk;
	if(!t || !loc_prepare(t, name, &l))
		return;
	bk = &t->seg.buckets[l.bucket];
	__builtin_prefetch(&t->seg.stripes[l.stripe], 1);
	bucket_prefetch(bk, l.tag, sizeof(*bk->slots), 1);
}

int
fg_tracker_lookup(struct fg_tracker* t, const uint8_t* name, uint64_t now64,
	struct fg_record_view* out)
{
	struct track_loc l;
	struct fg_seg_bucket* bk;
	uint32_t now = time32(now64), window;
	unsigned i;
	if(!t || !out || !loc_prepare(t, name, &l))
		return 0;
	window = window_of(t);
	bk = &t->seg.buckets[l.bucket];
	bucket_prefetch(bk, l.tag, sizeof(*bk->slots), 0);
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
		struct fg_seg_slot c;
		if(__atomic_load_n(&bk->tags[i], __ATOMIC_ACQUIRE) != l.tag)
			continue;
		if(!slot_read(&bk->slots[i], &c))
			continue;
		if(c.state != FG_SEG_SLOT_USED || c.name_len != l.len ||
			memcmp(c.pool, l.name, l.len) != 0)
			continue;
		if(!slot_visible(&c, now, window))
			return 0;
		slot_age(&t->seg, &c, now, window);
		return slot_to_view(&c, out);
	}
	return 0;
}

int
fg_tracker_peek(struct fg_tracker* t, const uint8_t* name, uint64_t now64,
	enum fg_verdict* verdict, float* score)
{
	struct track_loc l;
	struct fg_seg_bucket* bk;
	uint32_t now = time32(now64), window;
	unsigned i;
	if(!t || !loc_prepare(t, name, &l))
		return 0;
	window = window_of(t);
	bk = &t->seg.buckets[l.bucket];
	bucket_prefetch(bk, l.tag, FG_SEG_SLOT_HOT, 0);
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
		const struct fg_seg_slot* s = &bk->slots[i];
		int tries;
		if(__atomic_load_n(&bk->tags[i], __ATOMIC_ACQUIRE) != l.tag)
			continue;
		/* the seqlock protocol of slot_read, on the few fields needed:
		 * the resolver asks this on every cache miss */
		for(tries = 0; tries < TRACK_READ_TRIES; tries++) {
			uint32_t s1 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE), s2;
			uint8_t state, len, v;
			uint32_t last;
			float sc;
			int same;
			if(s1 & 1) {
				CPU_RELAX();
				continue;
			}
			state = s->state;
			len = s->name_len;
			v = s->verdict;
			last = s->last_seen;
			sc = s->score;
			same = len == l.len && memcmp(s->pool, l.name, l.len) == 0;
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			s2 = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
			if(s1 != s2)
				continue;
			if(state != FG_SEG_SLOT_USED || !same || v > FG_VERDICT_DENIED)
				break; /* another name with this tag, or garbage */
			if(!verdict_sticky(v) && window_over(last, now, window))
				return 0; /* stale */
			*verdict = (enum fg_verdict)v;
			*score = sc;
			return 1;
		}
	}
	return 0;
}

void
fg_tracker_foreach(struct fg_tracker* t, uint64_t now64,
	int (*cb)(const struct fg_record_view* rec, void* arg), void* arg)
{
	struct fg_record_view v;
	uint32_t now = time32(now64), window, b;
	unsigned i;
	if(!t || !cb)
		return;
	window = window_of(t);
	for(b = 0; b < t->seg.nbuckets; b++) {
		struct fg_seg_bucket* bk = &t->seg.buckets[b];
		for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
			struct fg_seg_slot c;
			if(__atomic_load_n(&bk->tags[i], __ATOMIC_ACQUIRE) == 0)
				continue;
			if(!slot_read(&bk->slots[i], &c) || !slot_visible(&c, now, window))
				continue;
			slot_age(&t->seg, &c, now, window);
			if(!slot_to_view(&c, &v))
				continue;
			if(!cb(&v, arg))
				return;
		}
	}
}

/* ------------------------------------------------------- verdicts, admin */

/** slot_edit: set the score. */
#define EDIT_SCORE 0x01
/** slot_edit: set the verdict (flagged_at follows it). */
#define EDIT_VERDICT 0x02
/** slot_edit: empty the slot (nothing else applies). */
#define EDIT_FORGET 0x04

/** What the modify path changes in one record: every out-of-band change
 * (scorer, policy, operator) is some of these fields, so one function
 * applies them all under the same locks. */
struct slot_edit {
	/** EDIT_* bits; the flags below apply always */
	unsigned what;
	/** time of the change: flagged_at, and first_seen of a new record */
	uint32_t now;
	/** the score, with EDIT_SCORE */
	float score;
	/** the verdict, with EDIT_VERDICT */
	uint8_t verdict;
	/** FG_REC_* flags to set */
	uint8_t flags_set;
	/** FG_REC_* flags to clear */
	uint8_t flags_clear;
};

/** Apply \p e to slot \p i of \p bk (stripe held). */
static void
slot_edit(struct fg_seg_bucket* bk, unsigned i, const struct slot_edit* e)
{
	struct fg_seg_slot* s = &bk->slots[i];
	if(e->what & EDIT_FORGET) {
		fg_segment_slot_clear(bk, i);
		return;
	}
	slot_write_begin(s);
	if(e->what & EDIT_SCORE)
		s->score = e->score;
	if(e->what & EDIT_VERDICT) {
		/* a re-evaluation that flags again keeps the first flagging */
		if(e->verdict != FG_VERDICT_FLAGGED)
			s->flagged_at = 0;
		else if(s->verdict != FG_VERDICT_FLAGGED || s->flagged_at == 0)
			s->flagged_at = e->now ? e->now : 1;
		s->verdict = e->verdict;
	}
	s->flags = (uint8_t)((s->flags & ~e->flags_clear) | e->flags_set);
	slot_write_end(s);
}

/**
 * Apply \p e to the name's slot under its stripe and seqlock. With
 * \p create, a name not tracked gets a fresh record first (evicting by the
 * usual order).
 * \return 1 if the name had (or got) a slot, 0 if not.
 */
static int
tracker_modify(struct fg_tracker* t, const uint8_t* name, int create,
	const struct slot_edit* e)
{
	struct track_loc l;
	struct fg_seg_bucket* bk;
	int i;
	if(!t || !t->seg.writable || !loc_prepare(t, name, &l))
		return 0;
	bk = &t->seg.buckets[l.bucket];
	if(!fg_segment_lock(&t->seg, l.stripe))
		return 0;
	i = bucket_find(bk, &l);
	if(i < 0 && create) {
		i = bucket_make_room(t, bk, l.tag, e->now, window_of(t));
		if(i >= 0) {
			slot_write_begin(&bk->slots[i]);
			slot_init(&bk->slots[i], &l, e->now);
			slot_write_end(&bk->slots[i]);
			__atomic_store_n(&bk->tags[i], l.tag, __ATOMIC_RELEASE);
		}
	}
	if(i >= 0)
		slot_edit(bk, (unsigned)i, e);
	fg_segment_unlock(&t->seg, l.stripe);
	return i >= 0;
}

int
fg_tracker_set_verdict(struct fg_tracker* t, const uint8_t* name,
	uint64_t now, float score, enum fg_verdict verdict)
{
	struct slot_edit e = { .what = EDIT_SCORE | EDIT_VERDICT };
	if((unsigned)verdict > FG_VERDICT_DENIED)
		return 0;
	e.now = time32(now);
	e.score = score;
	e.verdict = (uint8_t)verdict;
	return tracker_modify(t, name, 0, &e);
}

int
fg_tracker_set_flags(struct fg_tracker* t, const uint8_t* name, uint8_t set,
	uint8_t clear)
{
	struct slot_edit e = { .flags_set = set, .flags_clear = clear };
	return tracker_modify(t, name, 0, &e);
}

int
fg_tracker_forget(struct fg_tracker* t, const uint8_t* name)
{
	struct slot_edit e = { .what = EDIT_FORGET };
	return tracker_modify(t, name, 0, &e);
}

void
fg_tracker_flush(struct fg_tracker* t)
{
	uint32_t b;
	unsigned i;
	if(!t || !t->seg.writable)
		return;
	for(b = 0; b < t->seg.nbuckets; b++) {
		struct fg_seg_bucket* bk = &t->seg.buckets[b];
		uint32_t stripe = fg_segment_stripe_of(&t->seg, b);
		if(!fg_segment_lock(&t->seg, stripe))
			continue;
		for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++)
			if(__atomic_load_n(&bk->tags[i], __ATOMIC_RELAXED) != 0 ||
				bk->slots[i].state != FG_SEG_SLOT_EMPTY)
				fg_segment_slot_clear(bk, i);
		fg_segment_unlock(&t->seg, stripe);
	}
}

/* ------------------------------------------------ operator decisions */

int
fg_tracker_set_operator_verdict(struct fg_tracker* t, const uint8_t* name,
	uint64_t now, enum fg_verdict verdict)
{
	/* an operator's verdict keeps the score; unflag marks the record */
	struct slot_edit e = { .what = EDIT_VERDICT };
	enum fg_journal_op op;
	switch(verdict) {
	case FG_VERDICT_ALLOWED: op = FG_JOURNAL_ALLOW; break;
	case FG_VERDICT_DENIED: op = FG_JOURNAL_DENY; break;
	case FG_VERDICT_CLEAN: op = FG_JOURNAL_UNFLAG; break;
	default: return 0;
	}
	e.now = time32(now);
	e.verdict = (uint8_t)verdict;
	if(verdict == FG_VERDICT_CLEAN)
		e.flags_set = FG_REC_UNFLAGGED_BY_OPERATOR;
	else
		e.flags_clear = FG_REC_UNFLAGGED_BY_OPERATOR;
	if(!tracker_modify(t, name, 1, &e))
		return 0;
	return fg_tracker_journal_append(t, op, name) != 0;
}

/* -------------------------------------------------------------- journal */

uint64_t
fg_tracker_journal_append(struct fg_tracker* t, enum fg_journal_op op,
	const uint8_t* name)
{
	struct fg_seg_journal_entry* e;
	uint64_t seq;
	size_t len = 1;
	if(!t || !t->seg.writable || op < FG_JOURNAL_FLAG || op > FG_JOURNAL_FLUSH)
		return 0;
	if(name) {
		len = fg_name_wire_len(name, FG_NAME_MAX_WIRE);
		if(!len)
			return 0;
	} else if(op != FG_JOURNAL_FLUSH) {
		return 0;
	}
	seq = __atomic_add_fetch(&t->seg.hdr->journal_head, 1, __ATOMIC_ACQ_REL);
	e = &t->seg.journal[(seq - 1) % FG_JOURNAL_ENTRIES];
	__atomic_store_n(&e->seq, seq | FG_SEG_JOURNAL_WRITING, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->op = (uint8_t)op;
	e->name_len = (uint8_t)len;
	if(name) {
		memcpy(e->name, name, len);
		fg_name_lower(e->name);
	} else {
		e->name[0] = 0;
	}
	__atomic_store_n(&e->seq, seq, __ATOMIC_RELEASE);
	return seq;
}

uint64_t
fg_tracker_journal_head(struct fg_tracker* t)
{
	return t ? __atomic_load_n(&t->seg.hdr->journal_head, __ATOMIC_ACQUIRE) : 0;
}

int
fg_tracker_journal_read(struct fg_tracker* t, uint64_t seq,
	struct fg_journal_entry* out)
{
	const struct fg_seg_journal_entry* e;
	uint64_t head, s1, s2;
	uint8_t op, len;
	if(!t || seq == 0)
		return -1;
	head = fg_tracker_journal_head(t);
	if(seq > head)
		return 0;
	if(head - seq >= FG_JOURNAL_ENTRIES)
		return -1;
	e = &t->seg.journal[(seq - 1) % FG_JOURNAL_ENTRIES];
	s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
	if((s1 & ~FG_SEG_JOURNAL_WRITING) > seq)
		return -1;
	if(s1 != seq)
		return 0; /* reserved but not yet written */
	op = e->op;
	len = e->name_len; /* a uint8_t: never beyond name[] */
	memcpy(out->name, e->name, len);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
	if(s2 != seq)
		return -1; /* overwritten while we copied */
	/* never trust what shared memory says: check the copy */
	if(op < FG_JOURNAL_FLAG || op > FG_JOURNAL_FLUSH || len == 0 ||
		fg_name_wire_len(out->name, len) != len)
		return -1;
	out->seq = seq;
	out->op = op;
	out->name_len = len;
	return 1;
}

/* ------------------------------------------------------------- counters */

/** The counters block of the mapped header. */
static struct fg_seg_counters*
counters_of(struct fg_tracker* t)
{
	return (struct fg_seg_counters*)t->seg.hdr->counters;
}

void
fg_tracker_count(struct fg_tracker* t, unsigned c, uint64_t n)
{
	if(!t || !t->seg.writable || c >= FG_SEG_COUNTERS_SLOTS)
		return;
	__atomic_fetch_add(&counters_of(t)->value[c], n, __ATOMIC_RELAXED);
}

void
fg_tracker_counters_read(struct fg_tracker* t, uint64_t* out, unsigned n,
	int reset, const unsigned char* resettable)
{
	unsigned c;
	for(c = 0; c < n; c++) {
		uint64_t* v;
		if(!t || c >= FG_SEG_COUNTERS_SLOTS) {
			out[c] = 0;
			continue;
		}
		v = &counters_of(t)->value[c];
		if(reset && t->seg.writable && resettable && resettable[c])
			out[c] = __atomic_exchange_n(v, 0, __ATOMIC_RELAXED);
		else
			out[c] = __atomic_load_n(v, __ATOMIC_RELAXED);
	}
}

/* -------------------------------------------------------- config in force */

void
fg_tracker_publish_config(struct fg_tracker* t, int64_t pid, uint64_t started,
	const char* text)
{
	struct fg_seg_config* c;
	uint64_t seq;
	size_t len;
	if(!t || !t->seg.writable || !text)
		return;
	c = (struct fg_seg_config*)t->seg.hdr->commands;
	seq = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
	/* another process publishing right now wins; ours is no newer */
	if((seq & 1) || !__atomic_compare_exchange_n(&c->seq, &seq, seq + 1, 0,
		__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	len = strlen(text);
	if(len > FG_SEG_CONFIG_TEXT - 1)
		len = FG_SEG_CONFIG_TEXT - 1;
	c->pid = pid;
	c->started = started;
	c->len = (uint32_t)len;
	memcpy(c->text, text, len);
	c->text[len] = 0;
	__atomic_store_n(&c->seq, seq + 2, __ATOMIC_RELEASE);
}

int
fg_tracker_read_config(struct fg_tracker* t, int64_t* pid, uint64_t* started,
	char* buf, size_t buflen)
{
	const struct fg_seg_config* c;
	int tries;
	if(!t || buflen == 0)
		return 0;
	c = (const struct fg_seg_config*)t->seg.hdr->commands;
	for(tries = 0; tries < 100; tries++) {
		uint64_t s1 = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE), s2;
		uint32_t len;
		if(s1 == 0)
			return 0;
		if(s1 & 1)
			continue;
		len = c->len;
		if(len > FG_SEG_CONFIG_TEXT - 1)
			len = FG_SEG_CONFIG_TEXT - 1;
		if(len > buflen - 1)
			len = (uint32_t)(buflen - 1);
		memcpy(buf, c->text, len);
		buf[len] = 0;
		*pid = c->pid;
		*started = c->started;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
		if(s1 == s2)
			return 1;
	}
	return 0;
}

/* ----------------------------------------------------------- lifecycle */

struct fg_tracker*
fg_tracker_open(const struct fg_tracker_options* opts, char* err, size_t errlen)
{
	struct fg_tracker* t = calloc(1, sizeof(*t));
	if(!t) {
		snprintf(err, errlen, "tracker: out of memory");
		return NULL;
	}
	if(!fg_segment_open(&t->seg, opts, err, errlen)) {
		free(t);
		return NULL;
	}
	/* a table below one huge page fits the TLB anyway */
	if(opts->huge_pages && t->seg.size >= FG_SEG_HUGE_PAGE) {
		char why[160];
		t->huge_pages = fg_segment_use_huge_pages(&t->seg, why,
			sizeof(why));
		if(!t->huge_pages)
			fg_log(FG_LOG_WARN, "tracker: segment %s: 2 MiB pages "
				"not available, 4 KiB pages used: %s",
				t->seg.name, why);
	}
	return t;
}

struct fg_tracker*
fg_tracker_attach(const char* segment, int writable, int* missing, char* err,
	size_t errlen)
{
	struct fg_tracker* t = calloc(1, sizeof(*t));
	if(missing)
		*missing = 0;
	if(!t) {
		snprintf(err, errlen, "tracker: out of memory");
		return NULL;
	}
	if(!fg_segment_attach(&t->seg, segment, writable, missing, err, errlen)) {
		free(t);
		return NULL;
	}
	return t;
}

int
fg_tracker_huge_pages(const struct fg_tracker* t)
{
	return t ? t->huge_pages : 0;
}

void
fg_tracker_close(struct fg_tracker* t)
{
	if(!t)
		return;
	fg_segment_close(&t->seg);
	free(t);
}

void
fg_tracker_get_info(struct fg_tracker* t, struct fg_tracker_info* info)
{
	const struct fg_seg_header* h;
	uint32_t b, used = 0;
	unsigned i;
	if(!info)
		return;
	memset(info, 0, sizeof(*info));
	if(!t)
		return;
	h = t->seg.hdr;
	snprintf(info->segment, sizeof(info->segment), "%s", t->seg.name);
	info->version = h->version;
	info->capacity = t->seg.nbuckets * FG_SEG_BUCKET_SLOTS;
	for(b = 0; b < t->seg.nbuckets; b++)
		for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++)
			if(__atomic_load_n(&t->seg.buckets[b].tags[i], __ATOMIC_RELAXED))
				used++;
	info->used = used;
	info->window = window_of(t);
	info->bytes = t->seg.size;
	info->created = h->created;
	info->generation = h->generation;
	info->writer_pid = __atomic_load_n(&h->writer_pid, __ATOMIC_RELAXED);
	info->clean_close = __atomic_load_n(&h->clean_close, __ATOMIC_RELAXED) != 0;
	info->evictions = __atomic_load_n(&h->evictions, __ATOMIC_RELAXED);
}
