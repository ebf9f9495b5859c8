/**
 * \file
 * One record's slot of the flux tracker (core/segment_layout.h documents
 * its encoding): the keyed hashes of addresses, prefixes, ASNs and
 * countries and the sketches that count them beyond what is kept exactly,
 * the pool of address and glue entries, the ageing of a record's window,
 * recording an address or NS answer into a slot, and turning a slot into a
 * struct fg_record_view with every field bounds-checked. Nothing here
 * locks or looks beyond its one slot: core/tracker.c finds the slot and
 * holds its stripe and seqlock (tracker_internal.h).
 */
#include "fg-config.h"

#include "tracker_internal.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"
#include "segment_layout.h"

#include <string.h>

/** Addresses, NS names or glue of one answer that are looked at; the rest of
 * a (pathologically large) RRset only counts towards addrs_per_answer. */
#define TRACK_ANSWER_MAX 64

/* --------------------------------------------------- hashes and sketches */

/** \p v + 1, saturating: counters of a long-lived record never wrap. */
static uint32_t
sat_inc32(uint32_t v)
{
	return v == UINT32_MAX ? v : v + 1;
}

/** 64-bit finaliser (MurmurHash3 fmix64): spreads every input bit. */
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

/** Word \p i (0 or 1) of the segment's secret hash key. */
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

/** Keyed hash of an ASN, for its sketch. */
static uint64_t
asn_hash(const struct fg_segment* seg, uint32_t asn)
{
	return mix64((uint64_t)asn ^ 0x5a5a000000000000ULL ^ key_word(seg, 0));
}

/** Keyed hash of a country code, for its sketch. */
static uint64_t
country_hash(const struct fg_segment* seg, const char* cc)
{
	uint64_t v = (uint64_t)(uint8_t)cc[0] << 8 | (uint8_t)cc[1];
	return mix64(v ^ 0xc0c0000000000000ULL ^ key_word(seg, 1));
}

/** Set the bit of hash \p h in a linear-counting bitmap of \p words. */
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

/* ---------------------------------------------------------- pool entries */

/** Sizes of the address entries by kind (FG_SEG_ENT_KIND bits), 0 for no
 * entry or one whose size it holds itself (the cause): a table, not a
 * switch, because every pool walk steps through it. */
static const uint8_t ent_sizes[FG_SEG_ENT_KIND + 1] = {
	0, FG_SEG_ENT_A4_SIZE, FG_SEG_ENT_A6_SIZE, FG_SEG_ENT_G4_SIZE,
	FG_SEG_ENT_G6_SIZE, 0, 0, 0
};

/** Size of the pool entry at \p e, of which \p room octets lie in the
 * pool; 0 if it is none or does not fit. */
static unsigned
ent_size(const uint8_t* e, unsigned room)
{
	unsigned sz;
	if(room == 0)
		return 0;
	if((e[0] & FG_SEG_ENT_KIND) == FG_SEG_ENT_CAUSE)
		sz = room >= FG_SEG_ENT_CAUSE_HEAD && e[1] ?
			FG_SEG_ENT_CAUSE_HEAD + (unsigned)e[1] : 0;
	else
		sz = ent_sizes[e[0] & FG_SEG_ENT_KIND];
	return sz <= room ? sz : 0;
}

/** Whether an entry holds a name server's glue. */
static int
ent_is_glue(uint8_t tag)
{
	uint8_t k = tag & FG_SEG_ENT_KIND;
	return k == FG_SEG_ENT_G4 || k == FG_SEG_ENT_G6;
}

/** Whether an entry holds an answer's address. */
static int
ent_is_answer(uint8_t tag)
{
	uint8_t k = tag & FG_SEG_ENT_KIND;
	return k == FG_SEG_ENT_A4 || k == FG_SEG_ENT_A6;
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
		unsigned sz = ent_size(s->pool + off, end - off);
		if(sz == 0)
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
	unsigned off = s->name_len, end = s->pool_used < FG_SEG_POOL_SIZE ?
		s->pool_used : FG_SEG_POOL_SIZE;
	while(off < end) {
		unsigned sz = ent_size(s->pool + off, end - off);
		if(sz == 0)
			return;
		if(ent_is_glue(s->pool[off]))
			s->pool[off] &= (uint8_t)~FG_SEG_ENT_LAST;
		off += sz;
	}
}

/** Answers an entry's address appeared in (little-endian, 16 bits). */
static uint16_t
ent_hits(const uint8_t* e)
{
	return (uint16_t)(e[2] | (uint16_t)e[3] << 8);
}

/** Store an entry's hit count. */
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
	unsigned off = s->name_len, end = s->pool_used < FG_SEG_POOL_SIZE ?
		s->pool_used : FG_SEG_POOL_SIZE;
	while(off < end) {
		uint8_t* e = s->pool + off;
		unsigned sz = ent_size(e, end - off);
		if(sz == 0)
			break;
		if(ent_is_answer(*e) && (*e & FG_SEG_ENT_LAST)) {
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

/* ------------------------------------------------------------- geo lists */

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

/** Note a country in the record's list or sketch; \return its index
 * or NONE. */
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

/* --------------------------------------------------------- window ageing */

/* Used in place by writers and on a private copy by readers; the test
 * whether the window is over is fg_slot_age's, inline in the callers. */
void
fg_slot_new_window(const struct fg_segment* seg, struct fg_seg_slot* s,
	uint32_t now)
{
	uint32_t old_asns[FG_TRACK_ASNS];
	char old_cc[FG_TRACK_COUNTRIES][2];
	unsigned old_n_asns, old_n_cc, off, w, end, i;
	uint16_t kept_ns[FG_SEG_NS_HASHES];
	uint8_t n_kept_ns = 0;
	s->window_start = now;
	/* an operator's unflag holds off the score for the window it was
	 * given in: from the next one the name is judged on new evidence */
	s->flags &= (uint8_t)~FG_REC_UNFLAGGED_BY_OPERATOR;
	s->answers = 0;
	s->addr_new_total = 0;
	s->addr_changes = 0;
	s->apa_max = 0;
	s->ns_answers = 0;
	s->ns_changes = 0;
	s->bits &= FG_SEG_HAVE_ADDR_SET | FG_SEG_HAVE_NS_SET | FG_SEG_HAVE_CAUSE;
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
		unsigned sz = ent_size(s->pool + off, end - off);
		if(sz == 0)
			break;
		if((tag & FG_SEG_ENT_KIND) == FG_SEG_ENT_CAUSE) {
			/* not evidence: it stays as it is */
			if(w != off)
				memmove(s->pool + w, s->pool + off, sz);
			w += sz;
		} else if(tag & FG_SEG_ENT_LAST) {
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

/* ------------------------------------------------------------- recording */

void
fg_slot_init(struct fg_seg_slot* s, const uint8_t* name, size_t len,
	uint32_t now)
{
	memset((uint8_t*)s + sizeof(s->seq), 0, sizeof(*s) - sizeof(s->seq));
	s->state = FG_SEG_SLOT_USED;
	s->name_len = (uint8_t)len;
	memcpy(s->pool, name, len);
	s->pool_used = (uint16_t)len;
	s->first_seen = s->last_seen = s->window_start = now;
}

void
fg_slot_record_addrs(const struct fg_segment* seg, struct fg_seg_slot* s,
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
			unsigned sz = ent_sizes[kind];
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

void
fg_slot_record_ns(const struct fg_segment* seg, struct fg_seg_slot* s,
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
		fg_track_name_lower_copy(lname, ns_names[i], len);
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
		sz = ent_sizes[kind];
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

int
fg_slot_set_cause(struct fg_seg_slot* s, const uint8_t* cause, size_t len)
{
	unsigned off = s->name_len, end = s->pool_used < FG_SEG_POOL_SIZE ?
		s->pool_used : FG_SEG_POOL_SIZE;
	if(len == 0 || len > FG_NAME_MAX_WIRE)
		return 0;
	/* take the old one out, unless it is this one */
	while(off < end) {
		uint8_t* e = s->pool + off;
		unsigned sz = ent_size(e, end - off);
		if(sz == 0)
			return 0; /* malformed: leave it to the readers' checks */
		if((*e & FG_SEG_ENT_KIND) != FG_SEG_ENT_CAUSE) {
			off += sz;
			continue;
		}
		if(e[1] == len && memcmp(e + FG_SEG_ENT_CAUSE_HEAD, cause,
			len) == 0)
			return 1;
		memmove(e, e + sz, end - off - sz);
		end -= sz;
		memset(s->pool + end, 0, sz);
		s->pool_used = (uint16_t)end;
		s->bits &= (uint8_t)~FG_SEG_HAVE_CAUSE;
		break;
	}
	if(end + FG_SEG_ENT_CAUSE_HEAD + len > FG_SEG_POOL_SIZE)
		return 0;
	s->pool[end] = FG_SEG_ENT_CAUSE;
	s->pool[end + 1] = (uint8_t)len;
	memcpy(s->pool + end + FG_SEG_ENT_CAUSE_HEAD, cause, len);
	s->pool_used = (uint16_t)(end + FG_SEG_ENT_CAUSE_HEAD + len);
	s->bits |= FG_SEG_HAVE_CAUSE;
	return 1;
}

/* --------------------------------------------------------------- reading */

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

/** The larger of \p a and \p b. */
static uint32_t
max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

void
fg_slot_brief(const struct fg_seg_slot* s, struct fg_record_brief* b)
{
	b->answers = s->answers;
	b->verdict = s->verdict <= FG_VERDICT_DENIED ? s->verdict :
		FG_VERDICT_CLEAN;
	b->flags = s->flags;
	b->n_addrs = s->n_addrs < FG_TRACK_ADDRS ? s->n_addrs : FG_TRACK_ADDRS;
	b->n_asns = s->n_asns < FG_TRACK_ASNS ? s->n_asns : FG_TRACK_ASNS;
	b->n_countries = s->n_countries < FG_TRACK_COUNTRIES ? s->n_countries :
		FG_TRACK_COUNTRIES;
	b->overflowed = (s->bits & (FG_SEG_OVF_ADDR | FG_SEG_OVF_ASN |
		FG_SEG_OVF_COUNTRY)) != 0;
	b->score = s->score;
}

int
fg_slot_to_view(const struct fg_seg_slot* c, struct fg_record_view* v)
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
		unsigned sz = ent_size(e, end - off);
		if(sz == 0)
			return 0;
		if(kind == FG_SEG_ENT_CAUSE) {
			/* a cause that is no name is left out, the record stays */
			if(fg_name_wire_len(e + FG_SEG_ENT_CAUSE_HEAD, e[1]) == e[1]) {
				memcpy(v->cause, e + FG_SEG_ENT_CAUSE_HEAD, e[1]);
				v->cause_len = e[1];
			}
		} else if(ent_is_answer(tag) && v->n_addrs < FG_TRACK_ADDRS) {
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
