/**
 * \file
 * The options table, the typed setters that every value goes through, and
 * what is done to a whole configuration by the table (defaults, free,
 * print); see fluxguard/options.h. Adding an option is adding a row to
 * fg_options (and a field to struct fg_config); the parser, the printer and
 * the generated docs follow from the row. The file syntax is conffile.c's.
 */
#include "fluxguard/options.h"
#include "fluxguard/array.h"
#include "fluxguard/policy.h"
#include "fluxguard/rpz.h"
#include "fluxguard/addr.h"
#include "fluxguard/name.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Turn a macro's value into a string literal (for the FG_SCORE_DEFAULT_*). */
#define FG_STR2(x) #x
#define FG_STR(x) FG_STR2(x)

/** Words of action and deny-action. */
static const struct fg_opt_choice action_choices[] = {
	{ "log", FG_ACTION_LOG },
	{ "refuse", FG_ACTION_REFUSE },
	{ "nxdomain", FG_ACTION_NXDOMAIN },
	{ "nodata", FG_ACTION_NODATA },
	{ "redirect", FG_ACTION_REDIRECT },
	{ NULL, 0 }
};

/** Words of segment-mode: the permission bits, in octal as chmod writes them. */
static const struct fg_opt_choice mode_choices[] = {
	{ "0600", 0600 },
	{ "0640", 0640 },
	{ NULL, 0 }
};

/** Words of rpz-backend. */
static const struct fg_opt_choice rpz_backend_choices[] = {
	{ "update", FG_RPZ_BACKEND_UPDATE },
	{ "zonefile", FG_RPZ_BACKEND_ZONEFILE },
	{ NULL, 0 }
};

/** Words of rpz-refuse-as: the RPZ policies a refusal can become. */
static const struct fg_opt_choice rpz_refuse_choices[] = {
	{ "nxdomain", FG_RPZ_NXDOMAIN },
	{ "nodata", FG_RPZ_NODATA },
	{ "drop", FG_RPZ_DROP },
	{ NULL, 0 }
};

/** Words of rpz-tsig-algorithm: the HMACs ldns signs with. */
static const struct fg_opt_choice rpz_tsig_choices[] = {
	{ "hmac-sha256", 256 },
	{ "hmac-sha384", 384 },
	{ "hmac-sha512", 512 },
	{ "hmac-sha1", 1 },
	{ NULL, 0 }
};

/* The table's check callbacks, defined after the setters they rely on. */
static fg_opt_check_func check_rpz_zone;
static fg_opt_check_func check_rpz_primary;
static fg_opt_check_func check_rpz_key;
static fg_opt_check_func check_rpz_algorithm;
static fg_opt_check_func check_rpz_resolver;
static fg_opt_check_func check_segment;
static fg_opt_check_func check_group;
static fg_opt_check_func check_entry;

/** Row for one scoring weight. */
#define FG_WEIGHT(oname, field, macro, what) \
	{ .name = oname, .type = FG_OPT_DOUBLE, .min = 0, .max = 100, \
	  .def = FG_STR(macro), .doc = "weight of " what " in the score", \
	  .offset = offsetof(struct fg_config, score.field) }

const struct fg_option fg_options[] = {
	{ .name = "action", .type = FG_OPT_ENUM, .choices = action_choices,
	  .def = "log",
	  .doc = "what to answer for a domain whose score reached the threshold "
		"(log: monitor only; set refuse or another blocking action, "
		"with an asn-db, to block)",
	  .offset = offsetof(struct fg_config, action) },
	{ .name = "deny-action", .type = FG_OPT_ENUM, .choices = action_choices,
	  .def_doc = "same as action, or refuse when action is log",
	  .example = "nxdomain",
	  .doc = "what to answer for a deny-listed name or address",
	  .offset = offsetof(struct fg_config, deny_action) },
	{ .name = "threshold", .type = FG_OPT_DOUBLE, .min = 0, .max = 100,
	  .def = FG_STR(FG_SCORE_DEFAULT_THRESHOLD),
	  .doc = "score at or above which a domain is flagged",
	  .offset = offsetof(struct fg_config, score.threshold) },
	{ .name = "min-answers", .type = FG_OPT_UINT, .min = 1, .max = 1000,
	  .def = "2",
	  .doc = "address answers a domain needs within the window before it can be flagged",
	  .offset = offsetof(struct fg_config, min_answers) },
	FG_WEIGHT("weight-addresses", w_addrs, FG_SCORE_DEFAULT_W_ADDRS,
		"the number of distinct addresses"),
	FG_WEIGHT("weight-prefixes", w_prefixes, FG_SCORE_DEFAULT_W_PREFIXES,
		"the number of distinct IPv4 /16 and IPv6 /32 prefixes"),
	FG_WEIGHT("weight-entropy", w_entropy, FG_SCORE_DEFAULT_W_ENTROPY,
		"how evenly answers spread over the addresses"),
	FG_WEIGHT("weight-asns", w_asns, FG_SCORE_DEFAULT_W_ASNS,
		"the number of distinct autonomous systems"),
	FG_WEIGHT("weight-countries", w_countries, FG_SCORE_DEFAULT_W_COUNTRIES,
		"the number of distinct countries"),
	FG_WEIGHT("weight-ttl", w_ttl, FG_SCORE_DEFAULT_W_TTL,
		"short TTLs"),
	FG_WEIGHT("weight-churn", w_churn, FG_SCORE_DEFAULT_W_CHURN,
		"how often the address set changes"),
	FG_WEIGHT("weight-growth", w_growth, FG_SCORE_DEFAULT_W_GROWTH,
		"new addresses per answer"),
	FG_WEIGHT("weight-scatter", w_scatter, FG_SCORE_DEFAULT_W_SCATTER,
		"addresses arriving one per subnet over many /16s (a botnet inside one or two ISPs)"),
	FG_WEIGHT("weight-ns", w_ns, FG_SCORE_DEFAULT_W_NS,
		"name-server flux (NS set and glue changes)"),
	{ .name = "redirect-address", .type = FG_OPT_ADDR, .flags = FG_OPT_F_LIST,
	  .def_doc = "none", .example = "192.0.2.1",
	  .doc = "sinkhole address that action redirect answers with: IPv4 for A queries, IPv6 for AAAA",
	  .offset = offsetof(struct fg_config, redirect_addrs) },
	{ .name = "redirect-ttl", .type = FG_OPT_UINT, .min = 0, .max = 86400,
	  .def = "60",
	  .doc = "TTL in seconds of the redirect records",
	  .offset = offsetof(struct fg_config, redirect_ttl) },
	{ .name = "allow", .type = FG_OPT_ENTRY, .flags = FG_OPT_F_LIST,
	  .def_doc = "none", .example = "cdn.example.com", .check = check_entry,
	  .doc = "name, exact:name, ASN, address or CIDR prefix never to block",
	  .offset = offsetof(struct fg_config, allow) },
	{ .name = "deny", .type = FG_OPT_ENTRY, .flags = FG_OPT_F_LIST,
	  .def_doc = "none", .example = "AS64496", .check = check_entry,
	  .doc = "name, exact:name, ASN, address or CIDR prefix always to block",
	  .offset = offsetof(struct fg_config, deny) },
	{ .name = "allow-file", .type = FG_OPT_PATH, .flags = FG_OPT_F_LIST,
	  .def_doc = "none", .example = "fluxguard.allow",
	  .doc = "file of allow entries, one per line",
	  .offset = offsetof(struct fg_config, allow_files) },
	{ .name = "deny-file", .type = FG_OPT_PATH, .flags = FG_OPT_F_LIST,
	  .def_doc = "none", .example = "fluxguard.deny",
	  .doc = "file of deny entries, one per line",
	  .offset = offsetof(struct fg_config, deny_files) },
	{ .name = "decisions-file", .type = FG_OPT_PATH,
	  .def_doc = "fluxguard.decisions beside the config file (none without one)",
	  .example = "/etc/unbound/fluxguard.decisions",
	  .doc = "file where fluxguard-control keeps the operator's allow and deny decisions (allow ENTRY or deny ENTRY per line), read with the lists",
	  .offset = offsetof(struct fg_config, decisions_file) },
	{ .name = "max-blocked-aliases", .type = FG_OPT_UINT, .min = 0,
	  .max = 10000000, .def = "10000",
	  .doc = "local zones kept for names blocked as aliases of a flagged or denied name (each is a local zone in Unbound and an entry in fluxguard); past it the oldest alias zone goes (its next cache miss is blocked again), never the flagged or denied name's own; 0 keeps none (each alias answer is blocked on the module path and kept out of the cache)",
	  .offset = offsetof(struct fg_config, max_blocked_aliases) },
	{ .name = "default-allow-list", .type = FG_OPT_BOOL, .def = "yes",
	  .doc = "allow the built-in list of well-known CDN and SaaS domains",
	  .offset = offsetof(struct fg_config, default_allow_list) },
	{ .name = "asn-db", .type = FG_OPT_PATH,
	  .def_doc = "none", .example = "/var/lib/GeoIP/GeoLite2-ASN.mmdb",
	  .doc = "MaxMind-format ASN database",
	  .offset = offsetof(struct fg_config, asn_db) },
	{ .name = "country-db", .type = FG_OPT_PATH,
	  .def_doc = "none", .example = "/var/lib/GeoIP/GeoLite2-Country.mmdb",
	  .doc = "MaxMind-format country database",
	  .offset = offsetof(struct fg_config, country_db) },
	{ .name = "geo-max-age", .type = FG_OPT_DURATION, .min = 86400,
	  .max = 3650 * 86400, .def = "90d",
	  .doc = "warn (at start-up and in check-config) when the asn-db or "
		"country-db was built longer ago than this: networks change "
		"hands, and stale data misjudges them",
	  .offset = offsetof(struct fg_config, geo_max_age) },
	{ .name = "event-log", .type = FG_OPT_PATH,
	  .def_doc = "none", .example = "/var/log/unbound/fluxguard-events.log",
	  .doc = "file that flag, block (one per blocked query, see "
		"event-rate) and unflag events are appended to, one JSON object "
		"per line; when it is moved or removed (log rotation) a new one "
		"is started within a second",
	  .offset = offsetof(struct fg_config, event_log) },
	{ .name = "event-rate", .type = FG_OPT_UINT, .min = 0, .max = 1000000,
	  .def = "100",
	  .doc = "most block events written to the event log per second; "
		"the rest are counted and summed up in one suppressed event "
		"about once a second (0: no limit)",
	  .offset = offsetof(struct fg_config, event_rate) },
	{ .name = "segment", .type = FG_OPT_STRING, .def = "/fluxguard",
	  .check = check_segment,
	  .doc = "tracker segment: /name for POSIX shared memory, or an absolute file path",
	  .offset = offsetof(struct fg_config, segment) },
	{ .name = "segment-mode", .type = FG_OPT_ENUM, .choices = mode_choices,
	  .def = "0600",
	  .doc = "permissions of a new segment (0640 lets segment-group read it)",
	  .offset = offsetof(struct fg_config, segment_mode) },
	{ .name = "segment-group", .type = FG_OPT_STRING,
	  .def_doc = "none", .example = "unbound", .check = check_group,
	  .doc = "group name or number that a new segment is given",
	  .offset = offsetof(struct fg_config, segment_group) },
	{ .name = "capacity", .type = FG_OPT_UINT, .min = 1024, .max = 16777216,
	  .def = "262144",
	  .doc = "most domains the tracker holds: 500 octets each (125 MiB at "
		"the default), reserved in full when the segment is created",
	  .offset = offsetof(struct fg_config, capacity) },
	{ .name = "huge-pages", .type = FG_OPT_BOOL, .def = "yes",
	  .doc = "map the tracker with 2 MiB pages (Linux 6.1 or later), so "
		"that one TLB entry covers about 4,000 records instead of 8; "
		"setting up a new segment takes about 1 s longer per 300 MiB; "
		"where the kernel cannot, 4 KiB pages and one warning",
	  .offset = offsetof(struct fg_config, huge_pages) },
	{ .name = "window", .type = FG_OPT_DURATION, .min = 60, .max = 7 * 86400,
	  .def = "6h",
	  .doc = "how long evidence about a domain is kept",
	  .offset = offsetof(struct fg_config, window) },
	{ .name = "rpz-zone", .type = FG_OPT_STRING,
	  .def_doc = "none (fluxguard-publish refuses to start)",
	  .example = "rpz.fluxguard.example", .check = check_rpz_zone,
	  .doc = "fluxguard-publish: the Response Policy Zone that flagged and "
		"denied names are published into",
	  .offset = offsetof(struct fg_config, rpz_zone) },
	{ .name = "rpz-backend", .type = FG_OPT_ENUM,
	  .choices = rpz_backend_choices, .def = "update",
	  .doc = "fluxguard-publish: update sends TSIG-signed DNS UPDATEs to "
		"rpz-primary (Knot DNS, BIND) and reads the zone back by AXFR; "
		"zonefile writes rpz-zonefile and runs rpz-reload-command",
	  .offset = offsetof(struct fg_config, rpz_backend) },
	{ .name = "rpz-primary", .type = FG_OPT_STRING, .def = "127.0.0.1@53",
	  .check = check_rpz_primary,
	  .doc = "fluxguard-publish: the primary's address, with @port if not 53",
	  .offset = offsetof(struct fg_config, rpz_primary) },
	{ .name = "rpz-tsig-key", .type = FG_OPT_STRING,
	  .def_doc = "none (unsigned)", .example = "fluxguard-publish",
	  .check = check_rpz_key,
	  .doc = "fluxguard-publish: name of the TSIG key that signs updates "
		"and transfers (with rpz-tsig-secret-file)",
	  .offset = offsetof(struct fg_config, rpz_tsig_key) },
	{ .name = "rpz-tsig-algorithm", .type = FG_OPT_STRING,
	  .def = "hmac-sha256", .check = check_rpz_algorithm,
	  .doc = "fluxguard-publish: the TSIG key's algorithm: hmac-sha256, "
		"hmac-sha384, hmac-sha512 or hmac-sha1",
	  .offset = offsetof(struct fg_config, rpz_tsig_algorithm) },
	{ .name = "rpz-tsig-secret-file", .type = FG_OPT_PATH,
	  .def_doc = "none", .example = "/etc/unbound/fluxguard-publish.secret",
	  .doc = "fluxguard-publish: file holding the TSIG key's secret in "
		"base64 (what keymgr or tsig-keygen print as secret), on one "
		"line, readable by the publisher only",
	  .offset = offsetof(struct fg_config, rpz_tsig_secret_file) },
	{ .name = "rpz-zonefile", .type = FG_OPT_PATH,
	  .def_doc = "none", .example = "/var/lib/knot/rpz.fluxguard.example.zone",
	  .doc = "fluxguard-publish, zonefile backend: the zone file written "
		"(to a temporary file beside it, then renamed over it)",
	  .offset = offsetof(struct fg_config, rpz_zonefile) },
	{ .name = "rpz-reload-command", .type = FG_OPT_STRING,
	  .def_doc = "none", .example = "knotc zone-reload rpz.fluxguard.example",
	  .doc = "fluxguard-publish, zonefile backend: shell command run after "
		"each new zone file, to make the primary load it",
	  .offset = offsetof(struct fg_config, rpz_reload_command) },
	{ .name = "rpz-ttl", .type = FG_OPT_UINT, .min = 0, .max = 86400,
	  .def = "60",
	  .doc = "fluxguard-publish: TTL in seconds of the published records",
	  .offset = offsetof(struct fg_config, rpz_ttl) },
	{ .name = "rpz-refuse-as", .type = FG_OPT_ENUM,
	  .choices = rpz_refuse_choices, .def = "nxdomain",
	  .doc = "fluxguard-publish: RPZ has no REFUSED, so a name blocked with "
		"action refuse is published as nxdomain (CNAME .), nodata "
		"(CNAME *.) or drop (CNAME rpz-drop.)",
	  .offset = offsetof(struct fg_config, rpz_refuse_as) },
	{ .name = "rpz-queue-size", .type = FG_OPT_UINT, .min = 16,
	  .max = 10000000, .def = "100000",
	  .doc = "fluxguard-publish: names kept waiting while the primary is "
		"unreachable; past it the publisher reconciles the whole zone "
		"once the primary is back (nothing is lost)",
	  .offset = offsetof(struct fg_config, rpz_queue_size) },
	{ .name = "rpz-retry-max", .type = FG_OPT_DURATION, .min = 1,
	  .max = 3600, .def = "30s",
	  .doc = "fluxguard-publish: longest wait between attempts to reach a "
		"failed primary (the wait starts at 0.25 s and doubles)",
	  .offset = offsetof(struct fg_config, rpz_retry_max) },
	{ .name = "rpz-resolver-id", .type = FG_OPT_STRING,
	  .def_doc = "the host name", .example = "resolver-a.site1",
	  .check = check_rpz_resolver,
	  .doc = "fluxguard-publish: this resolver's name in the published "
		"reasons; each publisher into a shared zone withdraws only "
		"what it published ([A-Za-z0-9._-], up to 63)",
	  .offset = offsetof(struct fg_config, rpz_resolver_id) },
	{ .name = "rpz-stats-file", .type = FG_OPT_PATH,
	  .def_doc = "none", .example = "/run/unbound/fluxguard-publish.stats",
	  .doc = "fluxguard-publish: file its counters are written to every "
		"second (read by fluxguard-publish --stats)",
	  .offset = offsetof(struct fg_config, rpz_stats_file) },
	{ .name = "include", .type = FG_OPT_INCLUDE, .flags = FG_OPT_F_LIST,
	  .def_doc = "none", .example = "fluxguard.d/*.conf",
	  .doc = "read another config file here; a glob pattern reads every match" },
};

const size_t fg_options_count = sizeof(fg_options) / sizeof(fg_options[0]);

const struct fg_option*
fg_option_find(const char* name)
{
	size_t i;
	for(i = 0; i < fg_options_count; i++)
		if(strcmp(fg_options[i].name, name) == 0)
			return &fg_options[i];
	return NULL;
}

const char*
fg_action_name(int action)
{
	const struct fg_opt_choice* c;
	for(c = action_choices; c->name; c++)
		if(c->value == action)
			return c->name;
	return "?";
}

/** Field of \p cfg that \p opt stores into. */
static void*
field(struct fg_config* cfg, const struct fg_option* opt)
{
	return (char*)cfg + opt->offset;
}

/** Read-only variant of field. */
static const void*
cfield(const struct fg_config* cfg, const struct fg_option* opt)
{
	return (const char*)cfg + opt->offset;
}

/** Write a range bound as the docs and errors show it. */
static void
format_bound(const struct fg_option* opt, double v, char* buf, size_t len)
{
	if(opt->type == FG_OPT_DURATION)
		fg_duration_format((uint32_t)v, buf, len);
	else
		snprintf(buf, len, "%.15g", v);
}

/** "expected a number between MIN and MAX, got "VALUE"" */
static int
range_error(const struct fg_option* opt, const char* what, const char* value,
	char* why, size_t whylen)
{
	char lo[32], hi[32];
	format_bound(opt, opt->min, lo, sizeof(lo));
	format_bound(opt, opt->max, hi, sizeof(hi));
	snprintf(why, whylen, "expected %s between %s and %s, got \"%s\"",
		what, lo, hi, value);
	return 0;
}

/** Parse an unsigned decimal number, digits only. */
static int
parse_u64(const char* s, uint64_t* out)
{
	uint64_t v = 0;
	if(!*s)
		return 0;
	for(; *s; s++) {
		if(!isdigit((unsigned char)*s))
			return 0;
		if(v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 1;
}

/** Parse a duration: digits, then an optional unit s, m, h or d. */
static int
parse_duration(const char* s, uint64_t* out)
{
	char num[24];
	size_t len = strlen(s);
	uint64_t mult = 1, v;
	if(len == 0 || len >= sizeof(num))
		return 0;
	memcpy(num, s, len + 1);
	switch(num[len - 1]) {
	case 's': mult = 1; num[len - 1] = 0; break;
	case 'm': mult = 60; num[len - 1] = 0; break;
	case 'h': mult = 3600; num[len - 1] = 0; break;
	case 'd': mult = 86400; num[len - 1] = 0; break;
	default: break;
	}
	if(!parse_u64(num, &v) || v > UINT64_MAX / mult)
		return 0;
	*out = v * mult;
	return 1;
}

void
fg_duration_format(uint32_t secs, char* buf, size_t buflen)
{
	if(secs != 0 && secs % 86400 == 0)
		snprintf(buf, buflen, "%ud", (unsigned)(secs / 86400));
	else if(secs != 0 && secs % 3600 == 0)
		snprintf(buf, buflen, "%uh", (unsigned)(secs / 3600));
	else if(secs != 0 && secs % 60 == 0)
		snprintf(buf, buflen, "%um", (unsigned)(secs / 60));
	else
		snprintf(buf, buflen, "%us", (unsigned)secs);
}

/** Directory part of \p file, with the trailing '/', into buf ("" if none). */
static void
dir_of(const char* file, char* buf, size_t buflen)
{
	const char* slash = file ? strrchr(file, '/') : NULL;
	size_t len = slash ? (size_t)(slash - file) + 1 : 0;
	if(len >= buflen)
		len = 0;
	memcpy(buf, file, len);
	buf[len] = 0;
}

char*
fg_conf_resolve_path(const char* value, const char* file)
{
	char dir[4096];
	char* out;
	size_t dlen, vlen = strlen(value);
	if(value[0] == '/' || !file) {
		dir[0] = 0;
	} else {
		dir_of(file, dir, sizeof(dir));
	}
	dlen = strlen(dir);
	out = malloc(dlen + vlen + 1);
	if(!out)
		return NULL;
	memcpy(out, dir, dlen);
	memcpy(out + dlen, value, vlen + 1);
	return out;
}

/** Replace an owned string field, never freeing the table's default text. */
static void
str_replace(const struct fg_option* opt, char** fieldp, char* value)
{
	if(*fieldp && *fieldp != opt->def)
		free(*fieldp);
	*fieldp = value;
}

/** Append \p value (taking ownership) to a list. */
static int
list_append(struct fg_conf_list* l, char* value, const char* file, int line)
{
	if(!fg_array_grow((void**)&l->v, &l->cap, l->n, sizeof(*l->v), 8))
		return 0;
	l->v[l->n].value = value;
	l->v[l->n].file = file;
	l->v[l->n].line = line;
	l->n++;
	return 1;
}

/** Store a text value (string, path, entry) as a scalar or list item. */
static int
set_text(struct fg_config* cfg, const struct fg_option* opt,
	const char* value, const char* file, int line, char* why, size_t whylen)
{
	char* copy;
	if(opt->type == FG_OPT_PATH && !*value) {
		snprintf(why, whylen, "expected a file name, got \"\"");
		return 0;
	}
	if(opt->type == FG_OPT_PATH)
		copy = fg_conf_resolve_path(value, file);
	else
		copy = strdup(value);
	if(!copy) {
		snprintf(why, whylen, "out of memory");
		return 0;
	}
	if(opt->flags & FG_OPT_F_LIST) {
		if(!list_append(field(cfg, opt), copy, file, line)) {
			free(copy);
			snprintf(why, whylen, "out of memory");
			return 0;
		}
		return 1;
	}
	str_replace(opt, field(cfg, opt), copy);
	return 1;
}

int
fg_option_set(struct fg_config* cfg, const struct fg_option* opt,
	const char* value, const char* file, int line, char* why, size_t whylen)
{
	uint64_t u;
	double d;
	char* end;
	const struct fg_opt_choice* c;
	struct fg_addr a;

	switch(opt->type) {
	case FG_OPT_BOOL:
		if(strcasecmp(value, "yes") == 0)
			*(int*)field(cfg, opt) = 1;
		else if(strcasecmp(value, "no") == 0)
			*(int*)field(cfg, opt) = 0;
		else {
			snprintf(why, whylen, "expected yes or no, got \"%s\"", value);
			return 0;
		}
		return 1;
	case FG_OPT_UINT:
		if(!parse_u64(value, &u) || (double)u < opt->min || (double)u > opt->max)
			return range_error(opt, "a number", value, why, whylen);
		*(uint32_t*)field(cfg, opt) = (uint32_t)u;
		return 1;
	case FG_OPT_DURATION:
		if(!parse_duration(value, &u) || (double)u < opt->min ||
			(double)u > opt->max)
			return range_error(opt, "a duration (seconds, or a number "
				"with unit s, m, h or d)", value, why, whylen);
		*(uint32_t*)field(cfg, opt) = (uint32_t)u;
		return 1;
	case FG_OPT_DOUBLE:
		errno = 0;
		d = *value ? strtod(value, &end) : 0;
		if(!*value || *end || errno || !isfinite(d) || d < opt->min ||
			d > opt->max)
			return range_error(opt, "a number", value, why, whylen);
		*(double*)field(cfg, opt) = d;
		return 1;
	case FG_OPT_ENUM:
		for(c = opt->choices; c->name; c++) {
			if(strcasecmp(c->name, value) == 0) {
				*(int*)field(cfg, opt) = c->value;
				return 1;
			}
		}
		{
			size_t pos = (size_t)snprintf(why, whylen, "expected one of");
			for(c = opt->choices; c->name && pos < whylen; c++)
				pos += (size_t)snprintf(why + pos, whylen - pos,
					"%s %s", c == opt->choices ? "" : ",", c->name);
			if(pos < whylen)
				snprintf(why + pos, whylen - pos, ", got \"%s\"", value);
		}
		return 0;
	case FG_OPT_ADDR: {
		struct fg_conf_addrs* l = field(cfg, opt);
		if(!fg_addr_from_str(value, &a)) {
			snprintf(why, whylen, "expected an IPv4 or IPv6 address, "
				"got \"%s\"", value);
			return 0;
		}
		if(l->n >= FG_CONF_MAX_ADDRS) {
			snprintf(why, whylen, "at most %d addresses, got another: "
				"\"%s\"", FG_CONF_MAX_ADDRS, value);
			return 0;
		}
		l->a[l->n++] = a;
		return 1;
	}
	case FG_OPT_STRING:
	case FG_OPT_PATH:
	case FG_OPT_ENTRY:
		if(opt->check && !opt->check(cfg, value, why, whylen))
			return 0;
		return set_text(cfg, opt, value, file, line, why, whylen);
	case FG_OPT_INCLUDE:
		snprintf(why, whylen, "include is read by the config parser");
		return 0;
	}
	snprintf(why, whylen, "option of unknown type");
	return 0;
}

int
fg_option_format(const struct fg_config* cfg, const struct fg_option* opt,
	char* buf, size_t buflen)
{
	const struct fg_opt_choice* c;
	const char* s;
	int r = -1;
	switch(opt->type) {
	case FG_OPT_BOOL:
		r = snprintf(buf, buflen, "%s",
			*(const int*)cfield(cfg, opt) ? "yes" : "no");
		break;
	case FG_OPT_UINT:
		r = snprintf(buf, buflen, "%u",
			(unsigned)*(const uint32_t*)cfield(cfg, opt));
		break;
	case FG_OPT_DURATION:
		fg_duration_format(*(const uint32_t*)cfield(cfg, opt), buf, buflen);
		r = 0;
		break;
	case FG_OPT_DOUBLE: {
		/* the shortest text that reads back as the same double */
		double d = *(const double*)cfield(cfg, opt);
		int prec;
		for(prec = 6; prec <= 17; prec++) {
			r = snprintf(buf, buflen, "%.*g", prec, d);
			if(r < 0 || (size_t)r >= buflen || strtod(buf, NULL) == d)
				break;
		}
		break;
	}
	case FG_OPT_ENUM:
		for(c = opt->choices; c->name; c++)
			if(c->value == *(const int*)cfield(cfg, opt))
				r = snprintf(buf, buflen, "%s", c->name);
		break;
	case FG_OPT_STRING:
	case FG_OPT_PATH:
		if(opt->flags & FG_OPT_F_LIST)
			return 0;
		s = *(char* const*)cfield(cfg, opt);
		if(!s)
			return 0;
		r = snprintf(buf, buflen, "%s", s);
		break;
	case FG_OPT_ADDR:
	case FG_OPT_ENTRY:
	case FG_OPT_INCLUDE:
		return 0;
	}
	return r >= 0 && (size_t)r < buflen;
}

/** segment: "/name" or an absolute path, short enough for the tracker. */
static int
check_segment(struct fg_config* cfg, const char* value, char* why, size_t whylen)
{
	(void)cfg;
	if(value[0] != '/' || value[1] == 0) {
		snprintf(why, whylen, "expected /name (shared memory) or an "
			"absolute file path, got \"%s\"", value);
		return 0;
	}
	if(strlen(value) > FG_CONF_SEGMENT_MAX) {
		snprintf(why, whylen, "longer than %d characters: \"%s\"",
			FG_CONF_SEGMENT_MAX, value);
		return 0;
	}
	return 1;
}

/** segment-group: a group name known to the system, or a number. Numbers
 * avoid the lookup, which can fail inside a chroot without /etc/group. */
static int
check_group(struct fg_config* cfg, const char* value, char* why, size_t whylen)
{
	uint64_t gid;
	struct group* gr;
	if(parse_u64(value, &gid)) {
		if(gid >= (uint64_t)(gid_t)-1) {
			snprintf(why, whylen, "group number out of range: \"%s\"",
				value);
			return 0;
		}
		cfg->segment_gid = (gid_t)gid;
		return 1;
	}
	gr = getgrnam(value);
	if(!gr) {
		snprintf(why, whylen, "unknown group \"%s\"", value);
		return 0;
	}
	cfg->segment_gid = gr->gr_gid;
	return 1;
}

/** rpz-zone: a name other than the root. */
static int
check_rpz_zone(struct fg_config* cfg, const char* value, char* why,
	size_t whylen)
{
	uint8_t wire[FG_NAME_MAX_WIRE];
	size_t n = fg_name_from_str(value, wire, sizeof(wire));
	(void)cfg;
	if(n == 0) {
		snprintf(why, whylen, "expected a domain name, got \"%s\"", value);
		return 0;
	}
	if(n == 1) {
		snprintf(why, whylen, "the root cannot be the policy zone");
		return 0;
	}
	return 1;
}

/** rpz-primary: an IPv4 or IPv6 address, optionally @port. */
static int
check_rpz_primary(struct fg_config* cfg, const char* value, char* why,
	size_t whylen)
{
	struct fg_addr a;
	uint16_t port;
	(void)cfg;
	if(fg_addr_port_from_str(value, 53, &a, &port))
		return 1;
	snprintf(why, whylen, "expected ADDRESS or ADDRESS@PORT (an IPv4 or "
		"IPv6 address, a port 1..65535), got \"%s\"", value);
	return 0;
}

/** rpz-tsig-key: a key name. */
static int
check_rpz_key(struct fg_config* cfg, const char* value, char* why,
	size_t whylen)
{
	uint8_t wire[FG_NAME_MAX_WIRE];
	(void)cfg;
	if(fg_name_from_str(value, wire, sizeof(wire)) > 1)
		return 1;
	snprintf(why, whylen, "expected a key name, got \"%s\"", value);
	return 0;
}

/** rpz-tsig-algorithm: one ldns signs with. */
static int
check_rpz_algorithm(struct fg_config* cfg, const char* value, char* why,
	size_t whylen)
{
	const struct fg_opt_choice* c;
	(void)cfg;
	for(c = rpz_tsig_choices; c->name; c++)
		if(strcmp(c->name, value) == 0)
			return 1;
	snprintf(why, whylen, "expected hmac-sha256, hmac-sha384, hmac-sha512 "
		"or hmac-sha1, got \"%s\"", value);
	return 0;
}

/** rpz-resolver-id: the characters a TXT reason carries unescaped. */
static int
check_rpz_resolver(struct fg_config* cfg, const char* value, char* why,
	size_t whylen)
{
	size_t n = fg_rpz_resolver_span(value);
	(void)cfg;
	if(value[0] && !value[n] && n <= FG_RPZ_RESOLVER_MAX)
		return 1;
	snprintf(why, whylen, "expected up to %d of A-Z a-z 0-9 . _ -, got "
		"\"%s\"", FG_RPZ_RESOLVER_MAX, value);
	return 0;
}

/** allow, deny: the policy's own syntax check. */
static int
check_entry(struct fg_config* cfg, const char* value, char* why, size_t whylen)
{
	(void)cfg;
	return fg_policy_entry_check(value, why, whylen);
}

int
fg_options_check_config(const struct fg_config* cfg,
	const char** bad_option, char* why, size_t whylen)
{
	if(cfg->redirect_addrs.n == 0) {
		if(cfg->action == FG_ACTION_REDIRECT) {
			*bad_option = "action";
			snprintf(why, whylen, "redirect needs at least one "
				"redirect-address");
			return 0;
		}
		if(cfg->deny_action == FG_ACTION_REDIRECT) {
			*bad_option = "deny-action";
			snprintf(why, whylen, "redirect needs at least one "
				"redirect-address");
			return 0;
		}
	}
	/* fluxguard-publish's options: caught here, in check-config and at
	 * Unbound's start, rather than when the publisher first sends */
	if(cfg->rpz_tsig_key && !cfg->rpz_tsig_secret_file) {
		*bad_option = "rpz-tsig-key";
		snprintf(why, whylen, "needs rpz-tsig-secret-file, the file "
			"holding the key's secret");
		return 0;
	}
	if(cfg->rpz_backend == FG_RPZ_BACKEND_ZONEFILE && !cfg->rpz_zonefile) {
		*bad_option = "rpz-backend";
		snprintf(why, whylen, "zonefile needs rpz-zonefile, the file to "
			"write");
		return 0;
	}
	return 1;
}

/* ------------------------------------------ a whole configuration */

int
fg_conf_default_deny_action(int action)
{
	/* Names an operator denies are meant to be blocked: monitor mode (action
	 * log) watches the score's verdicts, not the operator's own list. */
	return action == FG_ACTION_LOG ? FG_ACTION_REFUSE : action;
}

void
fg_conf_defaults(struct fg_config* cfg)
{
	size_t i;
	char why[256];
	memset(cfg, 0, sizeof(*cfg));
	for(i = 0; i < fg_options_count; i++) {
		const struct fg_option* opt = &fg_options[i];
		if(!opt->def)
			continue;
		if(opt->type == FG_OPT_STRING || opt->type == FG_OPT_PATH) {
			/* points at the table: owns nothing, cannot fail */
			*(char**)((char*)cfg + opt->offset) = (char*)opt->def;
			continue;
		}
		/* cannot fail either: check_options proves every default parses */
		(void)fg_option_set(cfg, opt, opt->def, NULL, 0, why, sizeof(why));
	}
	cfg->deny_action = fg_conf_default_deny_action(cfg->action);
	cfg->segment_gid = (gid_t)-1;
}

/** Free a list's values and array. */
static void
list_free(struct fg_conf_list* l)
{
	size_t i;
	for(i = 0; i < l->n; i++)
		free(l->v[i].value);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
fg_conf_free(struct fg_config* cfg)
{
	size_t i;
	for(i = 0; i < fg_options_count; i++) {
		const struct fg_option* opt = &fg_options[i];
		void* f = (char*)cfg + opt->offset;
		if(opt->type == FG_OPT_INCLUDE || opt->type == FG_OPT_ADDR)
			continue;
		if(opt->flags & FG_OPT_F_LIST) {
			list_free(f);
		} else if(opt->type == FG_OPT_STRING || opt->type == FG_OPT_PATH) {
			char** s = f;
			if(*s != opt->def)
				free(*s);
			*s = NULL;
		}
	}
	for(i = 0; i < cfg->n_files; i++)
		free(cfg->files[i]);
	free(cfg->files);
	fg_conf_defaults(cfg);
}

/** Print one text value, quoted. */
static void
print_text(FILE* out, const char* name, const char* value)
{
	/* quoted so that it loads back: the reader has no escapes, so pick
	 * the quote the value does not hold, or none if it needs none */
	if(!strchr(value, '"'))
		fprintf(out, "\t%s: \"%s\"\n", name, value);
	else if(!strchr(value, '\''))
		fprintf(out, "\t%s: '%s'\n", name, value);
	else if(!strpbrk(value, " \t#") && value[0] != '"' && value[0] != '\'')
		fprintf(out, "\t%s: %s\n", name, value);
	else
		fprintf(out, "\t# %s: a value holding both quotes and a blank "
			"or '#' cannot be written back\n", name);
}

void
fg_conf_print(FILE* out, const struct fg_config* cfg)
{
	size_t i, j;
	char buf[FG_ADDR_MAX_STR + 64];
	fprintf(out, "# fluxguard configuration in effect\n");
	if(cfg->n_files == 0)
		fprintf(out, "# no config file read: defaults\n");
	for(i = 0; i < cfg->n_files; i++)
		fprintf(out, "# read %s\n", cfg->files[i]);
	fprintf(out, "fluxguard:\n");
	for(i = 0; i < fg_options_count; i++) {
		const struct fg_option* opt = &fg_options[i];
		const void* f = (const char*)cfg + opt->offset;
		if(opt->type == FG_OPT_INCLUDE)
			continue;
		if(opt->type == FG_OPT_ADDR) {
			const struct fg_conf_addrs* l = f;
			for(j = 0; j < l->n; j++)
				if(fg_addr_to_str(&l->a[j], buf, sizeof(buf)))
					fprintf(out, "\t%s: %s\n", opt->name, buf);
			if(l->n == 0)
				fprintf(out, "\t# %s: (none)\n", opt->name);
		} else if(opt->flags & FG_OPT_F_LIST) {
			const struct fg_conf_list* l = f;
			for(j = 0; j < l->n; j++)
				print_text(out, opt->name, l->v[j].value);
			if(l->n == 0)
				fprintf(out, "\t# %s: (none)\n", opt->name);
		} else if(opt->type == FG_OPT_STRING || opt->type == FG_OPT_PATH) {
			const char* s = *(char* const*)f;
			if(s)
				print_text(out, opt->name, s);
			else
				fprintf(out, "\t# %s: (none)\n", opt->name);
		} else if(!fg_option_format(cfg, opt, buf, sizeof(buf))) {
			fprintf(out, "\t# %s: (none)\n", opt->name);
		} else {
			fprintf(out, "\t%s: %s\n", opt->name, buf);
		}
	}
}
