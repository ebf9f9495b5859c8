/**
 * \file
 * fg-testauthd's scenario files: what the test authoritative server serves.
 * The format, also in tests/authd/README.md:
 *
 * One statement per line. A '#' that starts a word, or a ';', begins a comment
 * (not inside double quotes); a line ending in '\' goes on on the next line.
 * Names are absolute ("www.flux.test.") or relative to the apex of the latest
 * zone statement ("www", and "@" for the apex itself).
 *
 *   zone APEX [auth-ns=yes|no]
 *	Be authoritative for APEX: answers get the AA bit, NXDOMAIN and NODATA
 *	carry the zone's SOA in the authority section. The apex needs an NS set
 *	(static NS records or an nsrotate). Without an SOA record the zone gets
 *	"APEX 60 IN SOA ns.APEX hostmaster.APEX 1 3600 900 604800 60".
 *	auth-ns=yes also puts the apex NS set (and its glue) in the authority
 *	section of positive answers. Where zones nest, the deepest one answers.
 *
 *   OWNER [TTL] [IN] TYPE RDATA
 *	Any other line is a static record in zone-file syntax, parsed by ldns
 *	(A, AAAA, CNAME, TXT, NS, MX, SOA, ...; TTL defaults to 300). The owner
 *	must lie in a zone declared above. NS records below an apex delegate:
 *	a query at or below that name gets a referral (NS set in the authority
 *	section, glue from this file in the additional section, no AA bit).
 *	A CNAME is followed inside its zone, so the answer holds the chain and
 *	the target's records (rotating ones too).
 *
 *   rotate OWNER A|AAAA ITEM... [per-answer=K] [ttl=T] [count=N] [step=S]
 *	A rotating address set. An ITEM is an address or a PREFIX/LEN, which
 *	stands for count addresses: the prefix's network address + 1, then
 *	+ 1 + step, + 1 + 2*step... (count defaults to all of the prefix, which
 *	then may hold at most 65536; step defaults to 1). Each query of OWNER
 *	and that type is answered with the next per-answer (default 1) addresses
 *	of the pool, round robin, with TTL T (default 300). One rotate per owner
 *	and type; an owner may have an A rotate and an AAAA rotate.
 *
 *   nsrotate OWNER SERVER... [per-answer=K] [ttl=T]
 *   nsrotate OWNER gen=TEMPLATE count=N glue=PREFIX/LEN [glue6=PREFIX/LEN]
 *	[step=S] [per-answer=K] [ttl=T]
 *	A rotating NS set at a zone apex, or below one (a delegation): double
 *	flux. A SERVER is NSNAME or NSNAME=ADDR[,ADDR...]; the addresses become
 *	A/AAAA records at NSNAME with TTL T (authoritative data inside the zone,
 *	glue below a delegation), sent in the additional section with the NS
 *	set. gen= makes count servers named TEMPLATE with "{}" replaced by 1..N,
 *	the i-th getting the i-th address of glue= (and of glue6=), as rotate
 *	counts through a prefix. The window moves as for rotate.
 *
 * Example:
 *	zone flux.test.
 *	@ SOA ns1 hostmaster 1 3600 900 604800 30
 *	@ NS ns1
 *	ns1 A 127.0.0.1
 *	static A 192.0.2.1
 *	alias CNAME www
 *	rotate www A 10.0.0.0/8 count=200 step=65536 per-answer=5 ttl=60
 *	rotate www AAAA 2001:db8::/64 count=100 per-answer=4 ttl=60
 *	zone dflux.test.
 *	nsrotate @ gen=ns{}.dflux.test. count=12 glue=10.53.0.0/16 per-answer=3 ttl=60
 */
#include "authd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/** TTL of static records that give none, and of rotating sets by default. */
#define SCN_DEFAULT_TTL 300
/** Most addresses a prefix may stand for without an explicit count=. */
#define SCN_MAX_IMPLICIT_COUNT 65536
/** Most items in one pool: bounds the memory a typo can take. */
#define SCN_MAX_POOL 1000000

/** State of one file's parse. */
struct scn_parse {
	/** File name, for messages. */
	const char* file;
	/** Line the current statement starts on. */
	int line;
	/** Errors so far. */
	int errors;
	/** The scenario being built. */
	struct authd_scenario* scn;
	/** The latest zone statement: origin of relative names. */
	struct authd_zone* cur;
};

/** The words of one statement, options (key=value) apart. */
struct scn_words {
	/** All words, in order. */
	char** w;
	/** Number of words. */
	size_t n;
	/** Capacity of w. */
	size_t cap;
};

/** Print an error about the current statement. */
static void
scn_err(struct scn_parse* p, const char* fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
scn_err(struct scn_parse* p, const char* fmt, ...)
{
	va_list args;
	fprintf(stderr, "%s:%d: ", p->file, p->line);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	p->errors++;
}

struct authd_zone*
authd_zone_find(struct authd_scenario* scn, const ldns_rdf* name)
{
	struct authd_zone* z, *best = NULL;
	for(z = scn->zones; z; z = z->next) {
		if(ldns_dname_compare(z->apex, name) != 0 &&
			!ldns_dname_is_subdomain(name, z->apex))
			continue;
		if(!best || ldns_dname_label_count(z->apex) >
			ldns_dname_label_count(best->apex))
			best = z;
	}
	return best;
}

/** Name from text, relative names taken against the current zone's apex.
 * \return the name, or NULL after reporting the error. */
static ldns_rdf*
scn_dname(struct scn_parse* p, const char* str)
{
	ldns_rdf* d;
	if(strcmp(str, "@") == 0) {
		if(!p->cur) {
			scn_err(p, "\"@\" before any zone statement");
			return NULL;
		}
		return ldns_rdf_clone(p->cur->apex);
	}
	d = ldns_dname_new_frm_str(str);
	if(!d) {
		scn_err(p, "\"%s\" is not a domain name", str);
		return NULL;
	}
	if(!ldns_dname_str_absolute(str)) {
		if(!p->cur) {
			scn_err(p, "relative name \"%s\" before any zone "
				"statement", str);
			ldns_rdf_deep_free(d);
			return NULL;
		}
		if(ldns_dname_cat(d, p->cur->apex) != LDNS_STATUS_OK) {
			scn_err(p, "\"%s\": name too long with the origin",
				str);
			ldns_rdf_deep_free(d);
			return NULL;
		}
	}
	return d;
}

/** Name from text that must lie in a declared zone.
 * \return the name, or NULL after reporting the error. */
static ldns_rdf*
scn_dname_in_zone(struct scn_parse* p, const char* str)
{
	ldns_rdf* d = scn_dname(p, str);
	if(d && !authd_zone_find(p->scn, d)) {
		char* s = ldns_rdf2str(d);
		scn_err(p, "%s is not inside any zone declared so far",
			s ? s : str);
		free(s);
		ldns_rdf_deep_free(d);
		return NULL;
	}
	return d;
}

/** Parse an unsigned decimal number no larger than max.
 * \return 1 on success, 0 after reporting the error. */
static int
scn_number(struct scn_parse* p, const char* key, const char* val,
	uint64_t max, uint64_t* out)
{
	char* end;
	unsigned long long v;
	if(val[0] < '0' || val[0] > '9')
		goto fail;
	errno = 0;
	v = strtoull(val, &end, 10);
	if(errno || *end || v > max)
		goto fail;
	*out = v;
	return 1;
fail:
	scn_err(p, "%s: expected a number from 0 to %" PRIu64 ", got \"%s\"",
		key, max, val);
	return 0;
}

/** Append a static record; takes ownership of rr.
 * \return 1 on success, 0 when out of memory (reported). */
static int
scn_add_record(struct scn_parse* p, ldns_rr* rr)
{
	struct authd_scenario* scn = p->scn;
	size_t n = ldns_rr_list_rr_count(scn->records);
	if(n >= scn->record_lines_cap) {
		size_t cap = scn->record_lines_cap ? 2 * scn->record_lines_cap
			: 64;
		int* l = realloc(scn->record_lines, cap * sizeof(*l));
		if(!l)
			goto oom;
		scn->record_lines = l;
		scn->record_lines_cap = cap;
	}
	if(!ldns_rr_list_push_rr(scn->records, rr))
		goto oom;
	scn->record_lines[n] = p->line;
	return 1;
oom:
	scn_err(p, "out of memory");
	ldns_rr_free(rr);
	return 0;
}

/** Make a record from an owner, type, TTL and one rdf (all cloned). */
static ldns_rr*
scn_make_rr(const ldns_rdf* owner, ldns_rr_type type, uint32_t ttl,
	const ldns_rdf* rdf)
{
	ldns_rr* rr = ldns_rr_new();
	ldns_rdf* o, *r;
	if(!rr)
		return NULL;
	o = ldns_rdf_clone(owner);
	r = ldns_rdf_clone(rdf);
	if(!o || !r || !ldns_rr_push_rdf(rr, r)) {
		ldns_rdf_deep_free(o);
		ldns_rdf_deep_free(r);
		ldns_rr_free(rr);
		return NULL;
	}
	ldns_rr_set_owner(rr, o);
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, ttl);
	return rr;
}

/** Append an item to a pool; takes ownership of rdf.
 * \return 1 on success, 0 after reporting the error. */
static int
scn_pool_add(struct scn_parse* p, struct authd_pool* pool, ldns_rdf* rdf,
	size_t* cap)
{
	if(!rdf) {
		scn_err(p, "out of memory");
		return 0;
	}
	if(pool->count >= SCN_MAX_POOL) {
		scn_err(p, "more than %d items in one set", SCN_MAX_POOL);
		ldns_rdf_deep_free(rdf);
		return 0;
	}
	if(pool->count >= *cap) {
		size_t ncap = *cap ? 2 * *cap : 16;
		ldns_rdf** items = realloc(pool->items,
			ncap * sizeof(*items));
		if(!items) {
			scn_err(p, "out of memory");
			ldns_rdf_deep_free(rdf);
			return 0;
		}
		pool->items = items;
		*cap = ncap;
	}
	pool->items[pool->count++] = rdf;
	return 1;
}

/** An address prefix, and how to count through it. */
struct scn_prefix {
	/** The network address, host bits cleared, network byte order. */
	uint8_t addr[16];
	/** 4 or 16. */
	size_t len;
	/** Offset of the first address from the network address. */
	uint64_t first;
	/** Largest offset inside the prefix. */
	uint64_t last;
};

/** Parse ADDR or ADDR/LEN of the family that goes with type (A: IPv4,
 * AAAA: IPv6). \return 1 on success, 0 after reporting the error. */
static int
scn_prefix_parse(struct scn_parse* p, const char* str, ldns_rr_type type,
	struct scn_prefix* pfx)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char* slash;
	uint64_t plen, hostbits;
	size_t i;
	int af = type == LDNS_RR_TYPE_A ? AF_INET : AF_INET6;
	pfx->len = af == AF_INET ? 4 : 16;
	if(strlen(str) >= sizeof(buf))
		goto bad;
	strcpy(buf, str);
	slash = strchr(buf, '/');
	if(slash)
		*slash = 0;
	if(inet_pton(af, buf, pfx->addr) != 1)
		goto bad;
	plen = pfx->len * 8;
	if(slash && !scn_number(p, "prefix length", slash + 1, pfx->len * 8,
		&plen))
		return 0;
	for(i = 0; i < pfx->len; i++) {
		uint64_t bit = i * 8;
		if(bit >= plen)
			pfx->addr[i] = 0;
		else if(bit + 8 > plen)
			pfx->addr[i] &= (uint8_t)(0xff << (8 - (plen - bit)));
	}
	hostbits = pfx->len * 8 - plen;
	/* Skip the network address itself unless that is all there is. */
	pfx->first = hostbits ? 1 : 0;
	pfx->last = hostbits >= 64 ? UINT64_MAX
		: ((uint64_t)1 << hostbits) - 1;
	return 1;
bad:
	scn_err(p, "\"%s\" is not an %s address or prefix", str,
		af == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

/** How many addresses a prefix holds counting in steps of step. */
static uint64_t
scn_prefix_room(const struct scn_prefix* pfx, uint64_t step)
{
	if(pfx->last < pfx->first)
		return 0;
	return (pfx->last - pfx->first) / step + 1;
}

/** The i-th address of a prefix counting in steps of step, as an rdf.
 * The caller made sure it lies inside the prefix. */
static ldns_rdf*
scn_prefix_addr(const struct scn_prefix* pfx, uint64_t i, uint64_t step)
{
	uint8_t a[16];
	uint64_t add = pfx->first + i * step;
	size_t k = pfx->len;
	unsigned carry = 0;
	memcpy(a, pfx->addr, pfx->len);
	while(k > 0 && (add || carry)) {
		unsigned sum;
		k--;
		sum = a[k] + (unsigned)(add & 0xff) + carry;
		a[k] = (uint8_t)sum;
		carry = sum >> 8;
		add >>= 8;
	}
	return ldns_rdf_new_frm_data(pfx->len == 4 ? LDNS_RDF_TYPE_A
		: LDNS_RDF_TYPE_AAAA, pfx->len, a);
}

/** Check that count addresses (0: as many as fit) in steps of step fit in a
 * prefix. \return the count to use, or 0 after reporting the error. */
static uint64_t
scn_prefix_count(struct scn_parse* p, const char* str,
	const struct scn_prefix* pfx, uint64_t count, uint64_t step)
{
	uint64_t room = scn_prefix_room(pfx, step);
	if(count == 0) {
		if(room > SCN_MAX_IMPLICIT_COUNT) {
			scn_err(p, "%s holds %" PRIu64 " addresses: give "
				"count=", str, room);
			return 0;
		}
		return room;
	}
	if(count > room) {
		scn_err(p, "%s holds only %" PRIu64 " addresses in steps of "
			"%" PRIu64 ", count=%" PRIu64 " asked for", str, room,
			step, count);
		return 0;
	}
	return count;
}

/** Split a statement into words (whitespace separated, no quoting).
 * \return 1 on success, 0 when out of memory. */
static int
scn_split(char* line, struct scn_words* words)
{
	char* tok, *save = NULL;
	words->n = 0;
	for(tok = strtok_r(line, " \t\r\n", &save); tok;
		tok = strtok_r(NULL, " \t\r\n", &save)) {
		if(words->n >= words->cap) {
			size_t cap = words->cap ? 2 * words->cap : 16;
			char** w = realloc(words->w, cap * sizeof(*w));
			if(!w)
				return 0;
			words->w = w;
			words->cap = cap;
		}
		words->w[words->n++] = tok;
	}
	return 1;
}

/** If word is "key=value" for a key in the NULL-terminated keys, return the
 * value (and the key's index), else NULL. */
static const char*
scn_option(const char* word, const char* const* keys, int* which)
{
	int i;
	for(i = 0; keys[i]; i++) {
		size_t n = strlen(keys[i]);
		if(strncmp(word, keys[i], n) == 0 && word[n] == '=') {
			*which = i;
			return word + n + 1;
		}
	}
	return NULL;
}

/** The pool for owner and type, if any. */
static struct authd_pool*
scn_pool_find(struct authd_scenario* scn, const ldns_rdf* owner,
	ldns_rr_type type)
{
	struct authd_pool* pool;
	for(pool = scn->pools; pool; pool = pool->next)
		if(pool->type == type &&
			ldns_dname_compare(pool->owner, owner) == 0)
			return pool;
	return NULL;
}

/** Start a pool of \p type for the name \p owner_text of the current zone,
 * answering \p per_answer records at a time with \p ttl, linked in at the
 * end. \return the pool, or NULL after reporting the error. */
static struct authd_pool*
scn_pool_new(struct scn_parse* p, const char* owner_text, ldns_rr_type type,
	uint64_t ttl, uint64_t per_answer)
{
	struct authd_pool* pool, **tail;
	ldns_rdf* owner = scn_dname_in_zone(p, owner_text);
	if(!owner)
		return NULL;
	if(scn_pool_find(p->scn, owner, type)) {
		char* s = ldns_rdf2str(owner);
		scn_err(p, "%s already has a rotating %s set", s ? s : "name",
			type == LDNS_RR_TYPE_NS ? "NS" : "address");
		free(s);
		ldns_rdf_deep_free(owner);
		return NULL;
	}
	pool = calloc(1, sizeof(*pool));
	if(!pool) {
		scn_err(p, "out of memory");
		ldns_rdf_deep_free(owner);
		return NULL;
	}
	pool->owner = owner;
	pool->type = type;
	pool->ttl = (uint32_t)ttl;
	pool->per_answer = per_answer;
	pool->line = p->line;
	for(tail = &p->scn->pools; *tail; tail = &(*tail)->next)
		;
	*tail = pool;
	return pool;
}

/** zone APEX [auth-ns=yes|no] */
static void
scn_zone(struct scn_parse* p, struct scn_words* words)
{
	static const char* const keys[] = { "auth-ns", NULL };
	struct authd_zone* z, **tail;
	ldns_rdf* apex;
	const char* val;
	int auth_ns = 0, which;
	size_t i;
	if(words->n < 2) {
		scn_err(p, "zone: expected an apex name");
		return;
	}
	for(i = 2; i < words->n; i++) {
		if(!(val = scn_option(words->w[i], keys, &which))) {
			scn_err(p, "zone: unknown option \"%s\"", words->w[i]);
			return;
		}
		if(strcmp(val, "yes") == 0)
			auth_ns = 1;
		else if(strcmp(val, "no") == 0)
			auth_ns = 0;
		else {
			scn_err(p, "auth-ns: expected yes or no, got \"%s\"",
				val);
			return;
		}
	}
	if(!ldns_dname_str_absolute(words->w[1])) {
		scn_err(p, "zone: the apex must be an absolute name (ending "
			"in '.'), got \"%s\"", words->w[1]);
		return;
	}
	if(!(apex = scn_dname(p, words->w[1])))
		return;
	for(z = p->scn->zones; z; z = z->next) {
		if(ldns_dname_compare(z->apex, apex) == 0) {
			scn_err(p, "zone %s is already declared on line %d",
				words->w[1], z->line);
			ldns_rdf_deep_free(apex);
			return;
		}
	}
	if(!(z = calloc(1, sizeof(*z)))) {
		scn_err(p, "out of memory");
		ldns_rdf_deep_free(apex);
		return;
	}
	z->apex = apex;
	z->auth_ns = auth_ns;
	z->line = p->line;
	for(tail = &p->scn->zones; *tail; tail = &(*tail)->next)
		;
	*tail = z;
	p->cur = z;
}

/** rotate OWNER A|AAAA ITEM... [per-answer=K] [ttl=T] [count=N] [step=S] */
static void
scn_rotate(struct scn_parse* p, struct scn_words* words)
{
	enum { O_PER, O_TTL, O_COUNT, O_STEP };
	static const char* const keys[] = { "per-answer", "ttl", "count",
		"step", NULL };
	uint64_t per = 1, ttl = SCN_DEFAULT_TTL, count = 0, step = 1, v;
	struct authd_pool* pool;
	ldns_rr_type type;
	const char* val;
	size_t i, cap = 0, nitems = 0;
	int which;
	if(words->n < 4) {
		scn_err(p, "rotate: expected OWNER A|AAAA ADDRESS-OR-PREFIX...");
		return;
	}
	if(strcasecmp(words->w[2], "A") == 0)
		type = LDNS_RR_TYPE_A;
	else if(strcasecmp(words->w[2], "AAAA") == 0)
		type = LDNS_RR_TYPE_AAAA;
	else {
		scn_err(p, "rotate: type must be A or AAAA, got \"%s\"",
			words->w[2]);
		return;
	}
	for(i = 3; i < words->n; i++) {
		if(!(val = scn_option(words->w[i], keys, &which))) {
			nitems++;
			continue;
		}
		if(!scn_number(p, keys[which], val, which == O_TTL ?
			INT32_MAX : SCN_MAX_POOL, &v))
			return;
		if((which == O_PER || which == O_STEP || which == O_COUNT) &&
			v == 0) {
			scn_err(p, "%s: must be at least 1", keys[which]);
			return;
		}
		if(which == O_PER) per = v;
		else if(which == O_TTL) ttl = v;
		else if(which == O_COUNT) count = v;
		else step = v;
	}
	if(nitems == 0) {
		scn_err(p, "rotate: no addresses or prefixes");
		return;
	}
	if(!(pool = scn_pool_new(p, words->w[1], type, ttl, per)))
		return;
	for(i = 3; i < words->n; i++) {
		struct scn_prefix pfx;
		uint64_t n, k;
		if(scn_option(words->w[i], keys, &which))
			continue;
		if(!scn_prefix_parse(p, words->w[i], type, &pfx))
			return;
		if(!strchr(words->w[i], '/')) {
			if(!scn_pool_add(p, pool, ldns_rdf_new_frm_data(
				type == LDNS_RR_TYPE_A ? LDNS_RDF_TYPE_A :
				LDNS_RDF_TYPE_AAAA, pfx.len, pfx.addr), &cap))
				return;
			continue;
		}
		if(!(n = scn_prefix_count(p, words->w[i], &pfx, count, step)))
			return;
		for(k = 0; k < n; k++)
			if(!scn_pool_add(p, pool, scn_prefix_addr(&pfx, k, step),
				&cap))
				return;
	}
}

/** Add glue records at nsname for a comma-separated address list.
 * \return 1 on success, 0 after reporting the error. */
static int
scn_glue_list(struct scn_parse* p, const ldns_rdf* nsname, char* list,
	uint32_t ttl)
{
	char* a, *save = NULL;
	for(a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		ldns_rr_type type = strchr(a, ':') ? LDNS_RR_TYPE_AAAA
			: LDNS_RR_TYPE_A;
		struct scn_prefix pfx;
		ldns_rdf* rdf;
		ldns_rr* rr;
		if(strchr(a, '/')) {
			scn_err(p, "nsrotate: \"%s\": glue must be single "
				"addresses here (prefixes go in glue=)", a);
			return 0;
		}
		if(!scn_prefix_parse(p, a, type, &pfx))
			return 0;
		rdf = ldns_rdf_new_frm_data(type == LDNS_RR_TYPE_A ?
			LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA, pfx.len, pfx.addr);
		rr = rdf ? scn_make_rr(nsname, type, ttl, rdf) : NULL;
		ldns_rdf_deep_free(rdf);
		if(!rr) {
			scn_err(p, "out of memory");
			return 0;
		}
		if(!scn_add_record(p, rr))
			return 0;
	}
	return 1;
}

/** Add a name server to an NS pool, with its glue addresses (list, may be
 * NULL; pfx/pfx6 with index i, may be NULL).
 * \return 1 on success, 0 after reporting the error. */
static int
scn_ns_server(struct scn_parse* p, struct authd_pool* pool, size_t* cap,
	ldns_rdf* nsname, char* list, const struct scn_prefix* pfx,
	const struct scn_prefix* pfx6, uint64_t i, uint64_t step)
{
	const struct scn_prefix* g[2];
	int k;
	if((list || pfx) && !authd_zone_find(p->scn, nsname)) {
		char* s = ldns_rdf2str(nsname);
		scn_err(p, "nsrotate: %s has glue but is not inside any zone "
			"declared so far", s ? s : "server");
		free(s);
		ldns_rdf_deep_free(nsname);
		return 0;
	}
	if(list && !scn_glue_list(p, nsname, list, pool->ttl)) {
		ldns_rdf_deep_free(nsname);
		return 0;
	}
	g[0] = pfx;
	g[1] = pfx6;
	for(k = 0; k < 2; k++) {
		ldns_rdf* rdf;
		ldns_rr* rr;
		if(!g[k])
			continue;
		rdf = scn_prefix_addr(g[k], i, step);
		rr = rdf ? scn_make_rr(nsname, g[k]->len == 4 ?
			LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA, pool->ttl, rdf)
			: NULL;
		ldns_rdf_deep_free(rdf);
		if(!rr) {
			scn_err(p, "out of memory");
			ldns_rdf_deep_free(nsname);
			return 0;
		}
		if(!scn_add_record(p, rr)) {
			ldns_rdf_deep_free(nsname);
			return 0;
		}
	}
	return scn_pool_add(p, pool, nsname, cap);
}

/** The name gen= makes for server i (from 1): TEMPLATE with "{}" replaced.
 * \return the name, or NULL after reporting the error. */
static ldns_rdf*
scn_gen_name(struct scn_parse* p, const char* tmpl, uint64_t i)
{
	char buf[LDNS_MAX_DOMAINLEN + 32];
	const char* brace = strstr(tmpl, "{}");
	int n;
	if(!brace) {
		scn_err(p, "gen: the template needs a \"{}\" for the number");
		return NULL;
	}
	n = snprintf(buf, sizeof(buf), "%.*s%" PRIu64 "%s",
		(int)(brace - tmpl), tmpl, i, brace + 2);
	if(n < 0 || (size_t)n >= sizeof(buf)) {
		scn_err(p, "gen: name too long");
		return NULL;
	}
	return scn_dname(p, buf);
}

/** nsrotate OWNER SERVER... | gen=... [per-answer=K] [ttl=T] ... */
static void
scn_nsrotate(struct scn_parse* p, struct scn_words* words)
{
	enum { O_PER, O_TTL, O_COUNT, O_STEP, O_GEN, O_GLUE, O_GLUE6 };
	static const char* const keys[] = { "per-answer", "ttl", "count",
		"step", "gen", "glue", "glue6", NULL };
	uint64_t per = 1, ttl = SCN_DEFAULT_TTL, count = 0, step = 1, v, i;
	const char* gen = NULL, *glue = NULL, *glue6 = NULL, *val;
	struct scn_prefix pfx, pfx6;
	struct authd_pool* pool;
	size_t w, cap = 0, nitems = 0;
	int which;
	if(words->n < 3) {
		scn_err(p, "nsrotate: expected OWNER SERVER... or OWNER "
			"gen=TEMPLATE count=N glue=PREFIX");
		return;
	}
	for(w = 2; w < words->n; w++) {
		if(!(val = scn_option(words->w[w], keys, &which))) {
			nitems++;
			continue;
		}
		if(which == O_GEN) gen = val;
		else if(which == O_GLUE) glue = val;
		else if(which == O_GLUE6) glue6 = val;
		else {
			if(!scn_number(p, keys[which], val, which == O_TTL ?
				INT32_MAX : SCN_MAX_POOL, &v))
				return;
			if(which != O_TTL && v == 0) {
				scn_err(p, "%s: must be at least 1",
					keys[which]);
				return;
			}
			if(which == O_PER) per = v;
			else if(which == O_TTL) ttl = v;
			else if(which == O_COUNT) count = v;
			else step = v;
		}
	}
	if(gen && nitems) {
		scn_err(p, "nsrotate: give either servers or gen=, not both");
		return;
	}
	if(!gen && !nitems) {
		scn_err(p, "nsrotate: no servers");
		return;
	}
	if(gen && (!count || !glue)) {
		scn_err(p, "nsrotate: gen= needs count= and glue=");
		return;
	}
	if(!gen && (glue || glue6 || count)) {
		scn_err(p, "nsrotate: count=, glue= and glue6= go with gen=");
		return;
	}
	if(gen) {
		if(!scn_prefix_parse(p, glue, LDNS_RR_TYPE_A, &pfx) ||
			!scn_prefix_count(p, glue, &pfx, count, step))
			return;
		if(glue6 && (!scn_prefix_parse(p, glue6, LDNS_RR_TYPE_AAAA,
			&pfx6) || !scn_prefix_count(p, glue6, &pfx6, count,
			step)))
			return;
	}
	if(!(pool = scn_pool_new(p, words->w[1], LDNS_RR_TYPE_NS, ttl, per)))
		return;
	if(gen) {
		for(i = 0; i < count; i++) {
			ldns_rdf* ns = scn_gen_name(p, gen, i + 1);
			if(!ns || !scn_ns_server(p, pool, &cap, ns, NULL, &pfx,
				glue6 ? &pfx6 : NULL, i, step))
				return;
		}
		return;
	}
	for(w = 2; w < words->n; w++) {
		char* eq;
		ldns_rdf* ns;
		if(scn_option(words->w[w], keys, &which))
			continue;
		if((eq = strchr(words->w[w], '=')))
			*eq = 0;
		if(!(ns = scn_dname(p, words->w[w])))
			return;
		if(!scn_ns_server(p, pool, &cap, ns, eq ? eq + 1 : NULL, NULL,
			NULL, 0, 1))
			return;
	}
}

/** A static record in zone-file syntax. */
static void
scn_record(struct scn_parse* p, const char* text)
{
	ldns_rr* rr = NULL;
	ldns_status st;
	struct authd_zone* z;
	char* s;
	if(!p->cur) {
		scn_err(p, "a record before any zone statement");
		return;
	}
	st = ldns_rr_new_frm_str(&rr, text, SCN_DEFAULT_TTL, p->cur->apex,
		NULL);
	if(st != LDNS_STATUS_OK) {
		scn_err(p, "record \"%s\": %s", text,
			ldns_get_errorstr_by_id(st));
		return;
	}
	if(ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		scn_err(p, "record: only class IN is served");
		ldns_rr_free(rr);
		return;
	}
	z = authd_zone_find(p->scn, ldns_rr_owner(rr));
	if(!z) {
		s = ldns_rdf2str(ldns_rr_owner(rr));
		scn_err(p, "%s is not inside any zone declared so far",
			s ? s : "the owner");
		free(s);
		ldns_rr_free(rr);
		return;
	}
	if(ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
		if(ldns_dname_compare(z->apex, ldns_rr_owner(rr)) != 0) {
			scn_err(p, "an SOA record belongs at a zone apex");
			ldns_rr_free(rr);
		} else if(z->soa) {
			scn_err(p, "a second SOA record for the zone of line "
				"%d", z->line);
			ldns_rr_free(rr);
		} else
			z->soa = rr;
		return;
	}
	(void)scn_add_record(p, rr);
}

/** Remove comments from a statement, in place. A '#' starting a word and a
 * ';' begin one, except inside double quotes. */
static void
scn_strip_comment(char* s)
{
	int quoted = 0;
	size_t i;
	for(i = 0; s[i]; i++) {
		if(s[i] == '\\' && s[i + 1]) {
			i++;
			continue;
		}
		if(s[i] == '"')
			quoted = !quoted;
		else if(!quoted && (s[i] == ';' || (s[i] == '#' &&
			(i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')))) {
			s[i] = 0;
			return;
		}
	}
}

/** Handle one statement (comments stripped, continuations joined). */
static void
scn_statement(struct scn_parse* p, char* stmt, struct scn_words* words)
{
	char* copy;
	const char* first;
	size_t n;
	stmt += strspn(stmt, " \t\r\n");
	n = strlen(stmt);
	while(n > 0 && strchr(" \t\r\n", stmt[n - 1]))
		stmt[--n] = 0;
	if(n == 0)
		return;
	/* The record parser wants the text intact, the word splitter cuts. */
	if(!(copy = strdup(stmt))) {
		scn_err(p, "out of memory");
		return;
	}
	if(!scn_split(copy, words)) {
		scn_err(p, "out of memory");
		free(copy);
		return;
	}
	first = words->w[0];
	if(strcmp(first, "zone") == 0)
		scn_zone(p, words);
	else if(strcmp(first, "rotate") == 0)
		scn_rotate(p, words);
	else if(strcmp(first, "nsrotate") == 0)
		scn_nsrotate(p, words);
	else
		scn_record(p, stmt);
	free(copy);
}

/** Check what can only be checked once the whole file is read, and give
 * zones without an SOA the default one. */
static void
scn_finish(struct scn_parse* p)
{
	struct authd_scenario* scn = p->scn;
	struct authd_zone* z;
	struct authd_pool* pool;
	size_t i, j, n = ldns_rr_list_rr_count(scn->records);
	char* s;
	for(i = 0; i < n; i++) {
		ldns_rr* rr = ldns_rr_list_rr(scn->records, i);
		if(ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME)
			continue;
		p->line = scn->record_lines[i];
		for(j = 0; j < n; j++) {
			ldns_rr* o = ldns_rr_list_rr(scn->records, j);
			if(j != i && ldns_dname_compare(ldns_rr_owner(o),
				ldns_rr_owner(rr)) == 0) {
				scn_err(p, "a CNAME cannot share its owner "
					"with other records (line %d)",
					scn->record_lines[j]);
				break;
			}
		}
		for(pool = scn->pools; pool; pool = pool->next)
			if(ldns_dname_compare(pool->owner,
				ldns_rr_owner(rr)) == 0)
				scn_err(p, "a CNAME cannot share its owner with "
					"the rotating set of line %d",
					pool->line);
		for(z = scn->zones; z; z = z->next)
			if(ldns_dname_compare(z->apex, ldns_rr_owner(rr)) == 0)
				scn_err(p, "a CNAME cannot be at a zone apex");
	}
	for(pool = scn->pools; pool; pool = pool->next) {
		p->line = pool->line;
		for(i = 0; i < n; i++) {
			ldns_rr* rr = ldns_rr_list_rr(scn->records, i);
			if(ldns_rr_get_type(rr) == pool->type &&
				ldns_dname_compare(ldns_rr_owner(rr),
				pool->owner) == 0) {
				scn_err(p, "the rotating set clashes with the "
					"static record of line %d",
					scn->record_lines[i]);
				break;
			}
		}
	}
	for(z = scn->zones; z; z = z->next) {
		int has_ns = scn_pool_find(scn, z->apex, LDNS_RR_TYPE_NS) != NULL;
		p->line = z->line;
		for(i = 0; i < n && !has_ns; i++) {
			ldns_rr* rr = ldns_rr_list_rr(scn->records, i);
			has_ns = ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS &&
				ldns_dname_compare(ldns_rr_owner(rr),
				z->apex) == 0;
		}
		s = ldns_rdf2str(z->apex);
		if(!has_ns)
			scn_err(p, "zone %s has no NS records at its apex (add "
				"\"@ NS ...\" or an nsrotate)", s ? s : "");
		if(!z->soa) {
			char buf[3 * LDNS_MAX_DOMAINLEN + 64];
			ldns_status st;
			/* The root's apex prints as ".", which would make
			 * "ns..": leave it out there. */
			const char* sfx = !s || strcmp(s, ".") == 0 ? "" : s;
			snprintf(buf, sizeof(buf), "%s 60 IN SOA ns.%s "
				"hostmaster.%s 1 3600 900 604800 60",
				s ? s : ".", sfx, sfx);
			st = ldns_rr_new_frm_str(&z->soa, buf, 60, NULL, NULL);
			if(st != LDNS_STATUS_OK)
				scn_err(p, "zone %s: cannot make a default SOA: "
					"%s", s ? s : "", ldns_get_errorstr_by_id(st));
		}
		free(s);
	}
}

struct authd_scenario*
authd_scenario_read(const char* file)
{
	struct scn_parse p;
	struct scn_words words;
	char* line = NULL, *stmt = NULL;
	size_t linecap = 0, stmtlen = 0;
	ssize_t got;
	int lineno = 0;
	FILE* in;
	memset(&p, 0, sizeof(p));
	memset(&words, 0, sizeof(words));
	p.file = file;
	if(!(in = fopen(file, "r"))) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return NULL;
	}
	p.scn = calloc(1, sizeof(*p.scn));
	if(!p.scn || !(p.scn->records = ldns_rr_list_new())) {
		fprintf(stderr, "%s: out of memory\n", file);
		fclose(in);
		authd_scenario_delete(p.scn);
		return NULL;
	}
	while((got = getline(&line, &linecap, in)) != -1) {
		size_t n = (size_t)got;
		int more;
		char* grown;
		lineno++;
		if(!stmt)
			p.line = lineno;
		/* Comments go first, so that a backslash inside one is no
		 * continuation. */
		scn_strip_comment(line);
		n = strlen(line);
		while(n > 0 && strchr(" \t\r\n", line[n - 1]))
			line[--n] = 0;
		more = n > 0 && line[n - 1] == '\\';
		if(more)
			line[--n] = ' ';
		if(!(grown = realloc(stmt, stmtlen + n + 2))) {
			scn_err(&p, "out of memory");
			break;
		}
		stmt = grown;
		memcpy(stmt + stmtlen, line, n);
		stmtlen += n;
		stmt[stmtlen] = 0;
		if(more)
			continue;
		scn_statement(&p, stmt, &words);
		free(stmt);
		stmt = NULL;
		stmtlen = 0;
	}
	if(stmt) {
		scn_statement(&p, stmt, &words);
		free(stmt);
	}
	if(ferror(in))
		scn_err(&p, "read error: %s", strerror(errno));
	free(line);
	free(words.w);
	fclose(in);
	if(!p.scn->zones && !p.errors) {
		p.line = lineno;
		scn_err(&p, "no zone statement: nothing to serve");
	}
	scn_finish(&p);
	if(p.errors) {
		authd_scenario_delete(p.scn);
		return NULL;
	}
	return p.scn;
}

void
authd_scenario_delete(struct authd_scenario* scn)
{
	struct authd_zone* z, *znext;
	struct authd_pool* pool, *pnext;
	size_t i;
	if(!scn)
		return;
	for(z = scn->zones; z; z = znext) {
		znext = z->next;
		ldns_rdf_deep_free(z->apex);
		ldns_rr_free(z->soa);
		free(z);
	}
	for(pool = scn->pools; pool; pool = pnext) {
		pnext = pool->next;
		for(i = 0; i < pool->count; i++)
			ldns_rdf_deep_free(pool->items[i]);
		free(pool->items);
		ldns_rdf_deep_free(pool->owner);
		free(pool);
	}
	ldns_rr_list_deep_free(scn->records);
	free(scn->record_lines);
	free(scn);
}
