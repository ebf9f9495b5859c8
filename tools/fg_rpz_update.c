/**
 * \file
 * fluxguard-publish's update backend (fg_rpz_backend.h): RFC 2136 DNS UPDATE
 * and AXFR with ldns, signed with TSIG when a key is configured. Updates go
 * over TCP: a batch of entries does not fit a UDP message, and TCP tells a
 * primary that is down (connection refused) at once.
 *
 * Every write first deletes all records at the entry's owners, then adds
 * the entry: RFC 2136 applies an UPDATE's records in order, so the result
 * does not depend on what the zone held, and two publishers sending the
 * same write leave the same zone (idempotent).
 */
#include "fg-config.h"

#include "fg_rpz_backend.h"

#include <ldns/ldns.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Seconds an exchange with the primary may take. */
#define UPDATE_TIMEOUT 5

struct fg_rpz_update {
	/** the zone and the record TTL */
	const struct fg_rpz_params* p;
	/** TTL of the records written */
	uint32_t ttl;
	/** primary as configured, for messages */
	char primary[128];
	/** address and port */
	ldns_rdf* addr;
	/** port */
	uint16_t port;
	/** TSIG key name ("" for none), algorithm ("hmac-sha256.") and secret */
	char key[FG_NAME_MAX_STR], alg[32], secret[512];
};

/** Read the base64 secret of \p path (one line; blanks around it go). */
static int
read_secret(const char* path, char* out, size_t outlen, char* err,
	size_t errlen)
{
	FILE* f = fopen(path, "r");
	size_t n, i;
	if(!f) {
		snprintf(err, errlen, "rpz-tsig-secret-file %s: cannot open: %s",
			path, strerror(errno));
		return 0;
	}
	if(!fgets(out, (int)outlen, f)) {
		fclose(f);
		snprintf(err, errlen, "rpz-tsig-secret-file %s: empty", path);
		return 0;
	}
	fclose(f);
	n = strlen(out);
	while(n && isspace((unsigned char)out[n - 1]))
		out[--n] = 0;
	for(i = 0; i < n; i++)
		if(!isalnum((unsigned char)out[i]) && out[i] != '+' &&
			out[i] != '/' && out[i] != '=')
			break;
	if(n == 0 || i < n) {
		snprintf(err, errlen, "rpz-tsig-secret-file %s: expected the "
			"secret in base64 on the first line", path);
		return 0;
	}
	return 1;
}

struct fg_rpz_update*
fg_rpz_update_create(const struct fg_config* cfg, const struct fg_rpz_params* p,
	char* err, size_t errlen)
{
	struct fg_rpz_update* u = calloc(1, sizeof(*u));
	char host[FG_ADDR_MAX_STR];
	struct fg_addr a;
	if(!u) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	u->p = p;
	u->ttl = cfg->rpz_ttl;
	snprintf(u->primary, sizeof(u->primary), "%s", cfg->rpz_primary);
	/* the option's own check (fluxguard/options.h) took it already */
	if(fg_addr_port_from_str(cfg->rpz_primary, 53, &a, &u->port) &&
		fg_addr_to_str(&a, host, sizeof(host)))
		u->addr = ldns_rdf_new_frm_str(a.family == FG_AF_INET6 ?
			LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, host);
	if(!u->addr) {
		snprintf(err, errlen, "rpz-primary: not an address: \"%s\"",
			cfg->rpz_primary);
		free(u);
		return NULL;
	}
	if(cfg->rpz_tsig_key) {
		if(!cfg->rpz_tsig_secret_file) {
			snprintf(err, errlen, "rpz-tsig-key %s: no "
				"rpz-tsig-secret-file holds its secret",
				cfg->rpz_tsig_key);
			fg_rpz_update_delete(u);
			return NULL;
		}
		if(!read_secret(cfg->rpz_tsig_secret_file, u->secret,
			sizeof(u->secret), err, errlen)) {
			fg_rpz_update_delete(u);
			return NULL;
		}
		snprintf(u->key, sizeof(u->key), "%s%s", cfg->rpz_tsig_key,
			cfg->rpz_tsig_key[strlen(cfg->rpz_tsig_key) - 1] == '.' ?
			"" : ".");
		snprintf(u->alg, sizeof(u->alg), "%s.", cfg->rpz_tsig_algorithm);
	}
	return u;
}

void
fg_rpz_update_delete(struct fg_rpz_update* u)
{
	if(!u)
		return;
	ldns_rdf_deep_free(u->addr);
	memset(u->secret, 0, sizeof(u->secret));
	free(u);
}

/** A resolver object that talks to the primary only, over TCP. */
static ldns_resolver*
resolver_new(struct fg_rpz_update* u)
{
	ldns_resolver* r = ldns_resolver_new();
	struct timeval tv;
	if(!r)
		return NULL;
	if(ldns_resolver_push_nameserver(r, u->addr) != LDNS_STATUS_OK) {
		ldns_resolver_deep_free(r);
		return NULL;
	}
	ldns_resolver_set_port(r, u->port);
	ldns_resolver_set_usevc(r, true);
	ldns_resolver_set_retry(r, 1);
	ldns_resolver_set_recursive(r, false);
	tv.tv_sec = UPDATE_TIMEOUT;
	tv.tv_usec = 0;
	ldns_resolver_set_timeout(r, tv);
	if(u->key[0]) {
		ldns_resolver_set_tsig_keyname(r, u->key);
		ldns_resolver_set_tsig_algorithm(r, u->alg);
		ldns_resolver_set_tsig_keydata(r, u->secret);
	}
	return r;
}

/** Say what a failed exchange was, with the TSIG case in one clear line. */
static void
describe(struct fg_rpz_update* u, const char* what, ldns_status st,
	const ldns_pkt* answer, char* err, size_t errlen, enum fg_rpz_fail* fail)
{
	ldns_pkt_rcode rc = answer ? ldns_pkt_get_rcode(answer) : 0;
	if(st == LDNS_STATUS_CRYPTO_TSIG_BOGUS || st == LDNS_STATUS_CRYPTO_TSIG_ERR ||
		(answer && rc == LDNS_RCODE_NOTAUTH && (u->key[0] ||
		ldns_pkt_tsig(answer)))) {
		*fail = FG_RPZ_FAIL_TSIG;
		snprintf(err, errlen, "%s to %s: TSIG failure: the primary %s key "
			"%s (%s): check rpz-tsig-key, rpz-tsig-algorithm and the "
			"secret in rpz-tsig-secret-file against the primary's key",
			what, u->primary, answer && rc == LDNS_RCODE_NOTAUTH ?
			"rejected" : "did not sign its answer with",
			u->key[0] ? u->key : "(none configured)",
			answer && rc == LDNS_RCODE_NOTAUTH ? "rcode NOTAUTH" :
			ldns_get_errorstr_by_id(st));
		return;
	}
	if(st != LDNS_STATUS_OK || !answer) {
		*fail = FG_RPZ_FAIL_NET;
		snprintf(err, errlen, "%s to %s: %s", what, u->primary,
			ldns_get_errorstr_by_id(st));
		return;
	}
	if(rc == LDNS_RCODE_NXRRSET || rc == LDNS_RCODE_YXRRSET ||
		rc == LDNS_RCODE_NXDOMAIN || rc == LDNS_RCODE_YXDOMAIN)
		*fail = FG_RPZ_FAIL_PREREQ;
	else if(rc == LDNS_RCODE_SERVFAIL)
		*fail = FG_RPZ_FAIL_NET;
	else
		*fail = FG_RPZ_FAIL_REFUSED;
	snprintf(err, errlen, "%s to %s for zone %s: the primary answered %s",
		what, u->primary, u->p->zone_str, rc == LDNS_RCODE_REFUSED ?
		"REFUSED (is the zone configured there, and updates allowed "
		"for this key or address?)" : rc == LDNS_RCODE_NOTZONE ?
		"NOTZONE" : rc == LDNS_RCODE_NOTAUTH ? "NOTAUTH" :
		rc == LDNS_RCODE_SERVFAIL ? "SERVFAIL" :
		rc == LDNS_RCODE_NXRRSET ? "NXRRSET" : "an error");
}

/** One record line of ours (plus TTL and class) as an ldns RR. */
static ldns_rr*
rr_from_line(const char* line, uint32_t ttl)
{
	char buf[4096];
	const char* sp = strchr(line, ' ');
	ldns_rr* rr = NULL;
	if(!sp)
		return NULL;
	snprintf(buf, sizeof(buf), "%.*s %u IN %s", (int)(sp - line), line,
		(unsigned)ttl, sp + 1);
	if(ldns_rr_new_frm_str(&rr, buf, ttl, NULL, NULL) != LDNS_STATUS_OK)
		return NULL;
	return rr;
}

/** The "delete all RRsets at owner" record of RFC 2136 2.5.3. */
static ldns_rr*
rr_delete_all(const char* owner)
{
	ldns_rr* rr = ldns_rr_new();
	ldns_rdf* o = ldns_dname_new_frm_str(owner);
	if(!rr || !o) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(o);
		return NULL;
	}
	ldns_rr_set_owner(rr, o);
	ldns_rr_set_type(rr, LDNS_RR_TYPE_ANY);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_ANY);
	ldns_rr_set_ttl(rr, 0);
	return rr;
}

/** Push the records of one change onto the update and prerequisite lists. */
static int
change_rrs(struct fg_rpz_update* u, const struct fg_rpz_change* c,
	ldns_rr_list* up, ldns_rr_list* pre, char* text)
{
	char trig[FG_NAME_MAX_STR], wild[FG_NAME_MAX_STR], why[FG_NAME_MAX_STR];
	uint8_t wire[FG_NAME_MAX_WIRE];
	const uint8_t* name;
	char* line, *save;
	int i;
	if(c->withdraw) {
		if(fg_name_from_str(c->base, wire, sizeof(wire)) == 0)
			return 0;
		name = wire;
	} else
		name = c->e.name;
	if(!fg_rpz_owners(u->p, name, trig, wild, why))
		return 0;
	{
		const char* owners[3] = { trig, wild, why };
		for(i = 0; i < 3; i++) {
			ldns_rr* rr = rr_delete_all(owners[i]);
			if(!rr || !ldns_rr_list_push_rr(up, rr)) {
				ldns_rr_free(rr);
				return 0;
			}
		}
	}
	if(c->withdraw) {
		if(c->why_line[0]) {
			/* RRset exists, value dependent (RFC 2136 2.4.2) */
			ldns_rr* rr = rr_from_line(c->why_line, 0);
			if(!rr || !ldns_rr_list_push_rr(pre, rr)) {
				ldns_rr_free(rr);
				return 0;
			}
		}
		return 1;
	}
	if(fg_rpz_render(u->p, &c->e, text, FG_RPZ_ENTRY_TEXT) == 0)
		return 0;
	for(line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n",
		&save)) {
		ldns_rr* rr = rr_from_line(line, u->ttl);
		if(!rr || !ldns_rr_list_push_rr(up, rr)) {
			ldns_rr_free(rr);
			return 0;
		}
	}
	return 1;
}

int
fg_rpz_update_send(struct fg_rpz_update* u, const struct fg_rpz_change* c,
	size_t n, char* err, size_t errlen, enum fg_rpz_fail* fail)
{
	ldns_rr_list* up = ldns_rr_list_new(), *pre = ldns_rr_list_new();
	ldns_resolver* r = NULL;
	ldns_pkt* q = NULL, *a = NULL;
	ldns_rdf* zone = ldns_dname_new_frm_str(u->p->zone_str);
	char* text = malloc(FG_RPZ_ENTRY_TEXT);
	ldns_status st;
	size_t i;
	int ok = 0;
	*fail = FG_RPZ_FAIL_REFUSED;
	if(!up || !pre || !zone || !text) {
		snprintf(err, errlen, "update: out of memory");
		goto out;
	}
	for(i = 0; i < n; i++)
		if(!change_rrs(u, &c[i], up, pre, text)) {
			snprintf(err, errlen, "update: cannot build the records of "
				"%s", c[i].withdraw ? c[i].base : "an entry");
			goto out;
		}
	q = ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN,
		ldns_rr_list_rr_count(pre) ? pre : NULL, up, NULL);
	zone = NULL; /* the packet owns it */
	if(!q || !(r = resolver_new(u))) {
		snprintf(err, errlen, "update: out of memory");
		goto out;
	}
	ldns_pkt_set_rd(q, false);
	ldns_pkt_set_random_id(q);
	if(u->key[0] && (st = ldns_update_pkt_tsig_add(q, r)) != LDNS_STATUS_OK) {
		*fail = FG_RPZ_FAIL_TSIG;
		snprintf(err, errlen, "update: cannot sign with key %s (%s): %s",
			u->key, u->alg, ldns_get_errorstr_by_id(st));
		goto out;
	}
	st = ldns_resolver_send_pkt(&a, r, q);
	if(st != LDNS_STATUS_OK || !a ||
		ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR) {
		describe(u, "update", st, a, err, errlen, fail);
		goto out;
	}
	*fail = FG_RPZ_FAIL_NONE;
	ok = 1;
out:
	ldns_rr_list_deep_free(up);
	ldns_rr_list_deep_free(pre);
	ldns_rdf_deep_free(zone);
	ldns_pkt_free(q);
	ldns_pkt_free(a);
	ldns_resolver_deep_free(r);
	free(text);
	return ok;
}

/** A record as a line of ours: "owner TYPE rdata", no TTL, no class. */
static int
rr_to_line(const ldns_rr* rr, char* buf, size_t buflen)
{
	char* owner = ldns_rdf2str(ldns_rr_owner(rr));
	char* type = ldns_rr_type2str(ldns_rr_get_type(rr));
	size_t used, i;
	int ok = owner && type;
	if(ok)
		ok = snprintf(buf, buflen, "%s %s", owner, type) < (int)buflen;
	free(owner);
	free(type);
	used = ok ? strlen(buf) : 0;
	for(i = 0; ok && i < ldns_rr_rd_count(rr); i++) {
		char* s = ldns_rdf2str(ldns_rr_rdf(rr, i));
		int n = s ? snprintf(buf + used, buflen - used, " %s", s) : -1;
		free(s);
		if(n < 0 || (size_t)n >= buflen - used)
			ok = 0;
		else
			used += (size_t)n;
	}
	return ok;
}

int
fg_rpz_update_read_zone(struct fg_rpz_update* u, struct fg_rpz_zone* z,
	uint32_t* serial, char* err, size_t errlen, enum fg_rpz_fail* fail)
{
	ldns_resolver* r = resolver_new(u);
	ldns_rdf* zone = ldns_dname_new_frm_str(u->p->zone_str);
	ldns_status st;
	ldns_rr* rr;
	char line[4096];
	int soas = 0, ok = 0;
	*fail = FG_RPZ_FAIL_NET;
	if(!r || !zone) {
		snprintf(err, errlen, "transfer: out of memory");
		goto out;
	}
	st = ldns_axfr_start(r, zone, LDNS_RR_CLASS_IN);
	if(st != LDNS_STATUS_OK) {
		describe(u, "transfer", st, NULL, err, errlen, fail);
		goto out;
	}
	while((rr = ldns_axfr_next(r))) {
		if(ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			if(soas++ == 0 && ldns_rr_rd_count(rr) >= 3)
				*serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
		} else if(!rr_to_line(rr, line, sizeof(line)) ||
			!fg_rpz_zone_add(z, u->p, line)) {
			ldns_rr_free(rr);
			snprintf(err, errlen, "transfer from %s: a record too long "
				"or out of memory", u->primary);
			*fail = FG_RPZ_FAIL_REFUSED;
			goto out;
		}
		ldns_rr_free(rr);
	}
	if(!ldns_axfr_complete(r) || soas < 2) {
		const ldns_pkt* last = ldns_axfr_last_pkt(r);
		if(last && ldns_pkt_get_rcode(last) != LDNS_RCODE_NOERROR)
			describe(u, "transfer", LDNS_STATUS_OK, last, err, errlen,
				fail);
		else {
			snprintf(err, errlen, "transfer of %s from %s: incomplete "
				"(the primary closed it or did not answer)",
				u->p->zone_str, u->primary);
			*fail = FG_RPZ_FAIL_NET;
		}
		goto out;
	}
	*fail = FG_RPZ_FAIL_NONE;
	ok = 1;
out:
	ldns_rdf_deep_free(zone);
	if(r)
		ldns_axfr_abort(r);
	ldns_resolver_deep_free(r);
	return ok;
}

int
fg_rpz_update_serial(struct fg_rpz_update* u, uint32_t* serial)
{
	ldns_resolver* r = resolver_new(u);
	ldns_rdf* zone = ldns_dname_new_frm_str(u->p->zone_str);
	ldns_pkt* a = NULL;
	ldns_rr_list* soa;
	int ok = 0;
	if(r && zone)
		a = ldns_resolver_query(r, zone, LDNS_RR_TYPE_SOA,
			LDNS_RR_CLASS_IN, 0);
	if(a && (soa = ldns_pkt_rr_list_by_type(a, LDNS_RR_TYPE_SOA,
		LDNS_SECTION_ANSWER))) {
		ldns_rr* rr = ldns_rr_list_rr(soa, 0);
		if(rr && ldns_rr_rd_count(rr) >= 3) {
			*serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
			ok = 1;
		}
		ldns_rr_list_deep_free(soa);
	}
	ldns_pkt_free(a);
	ldns_rdf_deep_free(zone);
	ldns_resolver_deep_free(r);
	return ok;
}
