/**
 * \file
 * Verdicts as RPZ records, and the difference between the entries the
 * segment wants and the zone the primary holds (fluxguard/rpz.h). Text in,
 * text out: the transport (tools/fg_rpz_update.c) turns lines into records
 * and records read back into lines, so this file needs no DNS library and
 * the unit tests (tests/unit/check_rpz.c) drive it directly.
 */
#include "fluxguard/rpz.h"
#include "fluxguard/array.h"
#include "fluxguard/json.h"
#include "fluxguard/addr.h"
#include "fluxguard/tracker.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const struct fg_rpz_counter_info fg_rpz_counters[FG_RPZ_C_COUNT] = {
#define FG_RPZ_X(id, name, gauge, doc) { name, gauge, doc },
	FG_RPZ_COUNTERS(FG_RPZ_X)
#undef FG_RPZ_X
};

int
fg_rpz_params_init(struct fg_rpz_params* p, const struct fg_config* cfg,
	const char* resolver, char* why, size_t whylen)
{
	size_t n;
	memset(p, 0, sizeof(*p));
	if(!cfg->rpz_zone) {
		snprintf(why, whylen, "rpz-zone: not set: name the policy zone "
			"to publish into");
		return 0;
	}
	p->zone_len = fg_name_from_str(cfg->rpz_zone, p->zone, sizeof(p->zone));
	if(p->zone_len <= 1 || !fg_name_to_str(p->zone, p->zone_str,
		sizeof(p->zone_str))) {
		snprintf(why, whylen, "rpz-zone: not a domain name: \"%s\"",
			cfg->rpz_zone);
		return 0;
	}
	p->action = cfg->action;
	p->deny_action = cfg->deny_action;
	p->refuse_as = cfg->rpz_refuse_as;
	p->redirect = &cfg->redirect_addrs;
	n = fg_rpz_resolver_span(resolver);
	if(!resolver[0] || resolver[n] || n > FG_RPZ_RESOLVER_MAX) {
		snprintf(why, whylen, "rpz-resolver-id: \"%s\" is not up to %d of "
			"A-Z a-z 0-9 . _ - (set it when the host name is not)",
			resolver, FG_RPZ_RESOLVER_MAX);
		return 0;
	}
	memcpy(p->resolver, resolver, n + 1);
	return 1;
}

enum fg_rpz_policy
fg_rpz_policy_of(int action, int refuse_as)
{
	switch(action) {
	case FG_ACTION_REFUSE:
		/* RPZ has no REFUSED: the operator picks the nearest */
		return refuse_as == FG_RPZ_NODATA || refuse_as == FG_RPZ_DROP ?
			(enum fg_rpz_policy)refuse_as : FG_RPZ_NXDOMAIN;
	case FG_ACTION_NXDOMAIN: return FG_RPZ_NXDOMAIN;
	case FG_ACTION_NODATA: return FG_RPZ_NODATA;
	case FG_ACTION_REDIRECT: return FG_RPZ_REDIRECT;
	default: return FG_RPZ_NONE; /* log: monitor mode blocks nowhere */
	}
}

const char*
fg_rpz_policy_name(int policy)
{
	switch(policy) {
	case FG_RPZ_NXDOMAIN: return "nxdomain";
	case FG_RPZ_NODATA: return "nodata";
	case FG_RPZ_DROP: return "drop";
	case FG_RPZ_REDIRECT: return "redirect";
	default: return "none";
	}
}

int
fg_rpz_entry_from_record(const struct fg_rpz_params* p,
	const struct fg_record_view* rec, struct fg_rpz_entry* e)
{
	int action;
	if(rec->verdict == FG_VERDICT_FLAGGED)
		action = p->action;
	else if(rec->verdict == FG_VERDICT_DENIED)
		action = p->deny_action;
	else
		return 0;
	memset(e, 0, sizeof(*e));
	e->policy = fg_rpz_policy_of(action, p->refuse_as);
	if(e->policy == FG_RPZ_NONE)
		return 0;
	if(rec->name_len == 0)
		return 0;
	memcpy(e->name, rec->name, rec->name_len);
	fg_name_lower(e->name);
	e->verdict = rec->verdict;
	e->score = rec->score;
	e->flagged_at = rec->verdict == FG_VERDICT_FLAGGED ? rec->flagged_at : 0;
	return 1;
}

/**
 * Write \p prefix (a wire name without its root label, or NULL), \p name's
 * labels, \p infix (likewise) and the zone into \p out as one wire name.
 * \return 1, or 0 if it would pass 255 octets.
 */
static int
owner_wire(const struct fg_rpz_params* p, const uint8_t* prefix,
	size_t prefix_len, const uint8_t* name, const uint8_t* infix,
	size_t infix_len, uint8_t* out)
{
	size_t nl = fg_name_wire_len(name, FG_NAME_MAX_WIRE), len;
	if(nl == 0)
		return 0;
	nl--; /* without the root label */
	len = prefix_len + nl + infix_len + p->zone_len;
	if(len > FG_NAME_MAX_WIRE)
		return 0;
	if(prefix_len)
		memcpy(out, prefix, prefix_len);
	memcpy(out + prefix_len, name, nl);
	if(infix_len)
		memcpy(out + prefix_len + nl, infix, infix_len);
	memcpy(out + prefix_len + nl + infix_len, p->zone, p->zone_len);
	return 1;
}

int
fg_rpz_owners(const struct fg_rpz_params* p, const uint8_t* name,
	char* trigger, char* wildcard, char* why)
{
	static const uint8_t star[] = { 1, '*' };
	uint8_t label[1 + sizeof(FG_RPZ_WHY_LABEL)];
	uint8_t w[FG_NAME_MAX_WIRE];
	label[0] = (uint8_t)(sizeof(FG_RPZ_WHY_LABEL) - 1);
	memcpy(label + 1, FG_RPZ_WHY_LABEL, sizeof(FG_RPZ_WHY_LABEL) - 1);
	if(fg_name_label_count(name) < 1)
		return 0; /* the root would block every name */
	/* the longest of the three decides whether the entry fits */
	if(!owner_wire(p, NULL, 0, name, label, sizeof(label) - 1, w) ||
		!fg_name_to_str(w, why, FG_NAME_MAX_STR))
		return 0;
	if(!owner_wire(p, star, sizeof(star), name, NULL, 0, w) ||
		!fg_name_to_str(w, wildcard, FG_NAME_MAX_STR))
		return 0;
	/* fg_name_to_str escapes '*'; a wildcard label is written bare */
	if(strncmp(wildcard, "\\042.", 5) == 0)
		memmove(wildcard + 1, wildcard + 4, strlen(wildcard + 4) + 1);
	wildcard[0] = '*';
	if(!owner_wire(p, NULL, 0, name, NULL, 0, w) ||
		!fg_name_to_str(w, trigger, FG_NAME_MAX_STR))
		return 0;
	return 1;
}

/**
 * The reason text of \p e (the TXT record's one string, without quotes):
 * "fluxguard verdict=flagged score=87.5 first-flagged=2026-12-02T04:56:52Z
 * resolver=ID action=refuse rpz=nxdomain". first-flagged is "-" for a
 * denied name; a name of a deny list (not the tracker) has verdict
 * deny-list.
 */
static void
rpz_why(const struct fg_rpz_params* p, const struct fg_rpz_entry* e,
	char* buf, size_t buflen)
{
	char when[32] = "-";
	int action = e->verdict == FG_VERDICT_DENIED ? p->deny_action : p->action;
	if(e->flagged_at) {
		time_t t = (time_t)e->flagged_at;
		struct tm tm;
		if(gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	snprintf(buf, buflen, "fluxguard verdict=%s score=%.1f first-flagged=%s "
		"resolver=%s action=%s rpz=%s",
		e->listed ? "deny-list" : e->verdict == FG_VERDICT_DENIED ?
		"denied" : "flagged",
		(double)e->score, when, p->resolver, fg_action_name(action),
		fg_rpz_policy_name(e->policy));
}

/** The policy records at \p owner. \return the lines written, -1 if no room. */
static int
render_policy(const struct fg_rpz_params* p, int policy, const char* owner,
	char* buf, size_t buflen, size_t* used)
{
	const char* target = policy == FG_RPZ_NODATA ? "*." :
		policy == FG_RPZ_DROP ? "rpz-drop." : ".";
	size_t i;
	int lines = 0;
	char a[FG_ADDR_MAX_STR];
	if(policy != FG_RPZ_REDIRECT)
		return fg_buf_printf(buf, buflen, used, "%s CNAME %s\n", owner,
			target) ? 1 : -1;
	for(i = 0; p->redirect && i < p->redirect->n; i++) {
		const struct fg_addr* ad = &p->redirect->a[i];
		if(!fg_addr_to_str(ad, a, sizeof(a)))
			continue;
		if(!fg_buf_printf(buf, buflen, used, "%s %s %s\n", owner,
			strchr(a, ':') ? "AAAA" : "A", a))
			return -1;
		lines++;
	}
	return lines;
}

int
fg_rpz_render(const struct fg_rpz_params* p, const struct fg_rpz_entry* e,
	char* buf, size_t buflen)
{
	char trigger[FG_NAME_MAX_STR], wildcard[FG_NAME_MAX_STR];
	char why_owner[FG_NAME_MAX_STR], why[512];
	size_t used = 0;
	int a, b;
	if(buflen == 0)
		return 0;
	buf[0] = 0;
	if(e->policy == FG_RPZ_NONE ||
		!fg_rpz_owners(p, e->name, trigger, wildcard, why_owner))
		return 0;
	a = render_policy(p, e->policy, trigger, buf, buflen, &used);
	b = e->exact ? 1 : render_policy(p, e->policy, wildcard, buf, buflen,
		&used);
	rpz_why(p, e, why, sizeof(why));
	if(a <= 0 || b <= 0 || !fg_buf_printf(buf, buflen, &used, "%s TXT \"%s\"\n",
		why_owner, why)) {
		buf[0] = 0;
		return 0;
	}
	return a + (e->exact ? 0 : b) + 1;
}

int
fg_rpz_owner_kind(const struct fg_rpz_params* p, const char* owner,
	char* base, size_t baselen)
{
	size_t ol = strlen(owner), zl = strlen(p->zone_str), bl;
	static const char why[] = "." FG_RPZ_WHY_LABEL;
	int kind = 1;
	/* owner = BASE "." zone_str, BASE non-empty */
	if(ol <= zl + 1 || owner[ol - zl - 1] != '.' ||
		strcasecmp(owner + ol - zl, p->zone_str) != 0)
		return 0;
	bl = ol - zl - 1;
	if(bl > 2 && owner[0] == '*' && owner[1] == '.') {
		owner += 2;
		bl -= 2;
		kind = 2;
	} else if(bl > sizeof(why) - 1 && strncasecmp(owner + bl -
		(sizeof(why) - 1), why, sizeof(why) - 1) == 0) {
		bl -= sizeof(why) - 1;
		kind = 3;
	}
	if(bl + 2 > baselen)
		return 0;
	memcpy(base, owner, bl);
	base[bl] = '.';
	base[bl + 1] = 0;
	for(; *base; base++)
		*base = (char)tolower((unsigned char)*base);
	return kind;
}

size_t
fg_rpz_resolver_span(const char* s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789._-");
}

void
fg_rpz_why_resolver(const char* why, char* out, size_t outlen)
{
	const char* r = strstr(why, "resolver=");
	size_t n = 0;
	if(outlen == 0)
		return;
	if(r) {
		r += 9;
		n = fg_rpz_resolver_span(r);
		if(n > FG_RPZ_RESOLVER_MAX)
			n = FG_RPZ_RESOLVER_MAX;
		if(n >= outlen)
			n = outlen - 1;
		memcpy(out, r, n);
	}
	out[n] = 0;
}

/* ------------------------------------------------------------ zone view */

/** One entry of the zone: its blocked name's records, as lines. */
struct zone_entry {
	/** the blocked name, presentation form, lower case (the sort key) */
	char* base;
	/** the policy lines (trigger and wildcard), sorted, '\n'-ended */
	char* policy;
	/** the reason line, or NULL */
	char* why;
};

struct fg_rpz_zone {
	/** entries, sorted by base once sorted is set */
	struct zone_entry* v;
	/** used and allocated */
	size_t n, cap;
	/** whether v is sorted (adds unsort it) */
	int sorted;
};

struct fg_rpz_zone*
fg_rpz_zone_create(void)
{
	return calloc(1, sizeof(struct fg_rpz_zone));
}

void
fg_rpz_zone_delete(struct fg_rpz_zone* z)
{
	size_t i;
	if(!z)
		return;
	for(i = 0; i < z->n; i++) {
		free(z->v[i].base);
		free(z->v[i].policy);
		free(z->v[i].why);
	}
	free(z->v);
	free(z);
}

/** Compare entries by base. */
static int
entry_cmp(const void* a, const void* b)
{
	return strcmp(((const struct zone_entry*)a)->base,
		((const struct zone_entry*)b)->base);
}

/** Compare C strings through pointers. */
static int
str_cmp(const void* a, const void* b)
{
	return strcmp(*(char* const*)a, *(char* const*)b);
}

/**
 * Sort each entry's policy lines and the entries, so that the comparison
 * neither depends on the order the primary sent the records in nor is
 * quadratic.
 */
static int
zone_sort(struct fg_rpz_zone* z)
{
	size_t i;
	if(z->sorted)
		return 1;
	for(i = 0; i < z->n; i++) {
		char* lines[2 * FG_CONF_MAX_ADDRS + 8], *s, *copy, *out, *save;
		size_t k = 0, j, len;
		if(!z->v[i].policy)
			continue;
		len = strlen(z->v[i].policy);
		if(!(copy = strdup(z->v[i].policy)) || !(out = malloc(len + 1))) {
			free(copy);
			return 0;
		}
		for(s = strtok_r(copy, "\n", &save); s && k < sizeof(lines) /
			sizeof(lines[0]); s = strtok_r(NULL, "\n", &save))
			lines[k++] = s;
		qsort(lines, k, sizeof(lines[0]), str_cmp);
		out[0] = 0;
		for(j = 0, len = 0; j < k; j++) {
			size_t l = strlen(lines[j]);
			memcpy(out + len, lines[j], l);
			out[len + l] = '\n';
			len += l + 1;
		}
		out[len] = 0;
		free(copy);
		free(z->v[i].policy);
		z->v[i].policy = out;
	}
	if(z->n)
		qsort(z->v, z->n, sizeof(z->v[0]), entry_cmp);
	z->sorted = 1;
	return 1;
}

/** The entry of \p base in a sorted zone, or NULL. */
static const struct zone_entry*
zone_find(const struct fg_rpz_zone* z, const char* base)
{
	struct zone_entry key;
	if(z->n == 0)
		return NULL;
	key.base = (char*)base;
	return bsearch(&key, z->v, z->n, sizeof(z->v[0]), entry_cmp);
}

/** Append \p line and '\n' to the malloc'd *\p s. */
static int
str_add_line(char** s, const char* line)
{
	size_t old = *s ? strlen(*s) : 0, l = strlen(line);
	char* n = realloc(*s, old + l + 2);
	if(!n)
		return 0;
	memcpy(n + old, line, l);
	n[old + l] = '\n';
	n[old + l + 1] = 0;
	*s = n;
	return 1;
}

int
fg_rpz_zone_add(struct fg_rpz_zone* z, const struct fg_rpz_params* p,
	const char* line)
{
	char owner[FG_NAME_MAX_STR], base[FG_NAME_MAX_STR], lower[4096];
	size_t ol = strcspn(line, " \t"), i, ll = strlen(line);
	struct zone_entry* e = NULL;
	int kind;
	if(ol == 0 || ol >= sizeof(owner) || !line[ol] || ll >= sizeof(lower))
		return 0;
	memcpy(owner, line, ol);
	owner[ol] = 0;
	kind = fg_rpz_owner_kind(p, owner, base, sizeof(base));
	if(kind == 0)
		return 1; /* the apex and anything that is not ours */
	for(i = 0; i <= ll; i++)
		lower[i] = (char)tolower((unsigned char)line[i]);
	/* the newest entry is the likeliest: a transfer groups by owner */
	if(z->n && strcmp(z->v[z->n - 1].base, base) == 0)
		e = &z->v[z->n - 1];
	else if(z->sorted && (e = (struct zone_entry*)zone_find(z, base)))
		; /* found */
	else {
		/* an unsorted view may hold base already: zone_merge joins */
		if(!fg_array_grow((void**)&z->v, &z->cap, z->n,
			sizeof(*z->v), 64))
			return 0;
		e = &z->v[z->n];
		memset(e, 0, sizeof(*e));
		if(!(e->base = strdup(base)))
			return 0;
		z->n++;
		z->sorted = 0;
	}
	if(kind == 3) {
		/* as read: the withdrawal's prerequisite compares it exactly */
		free(e->why);
		return (e->why = strdup(line)) != NULL;
	}
	return str_add_line(&e->policy, lower);
}

/**
 * Merge entries of the same base (a transfer that interleaves owners gives
 * one base several entries) after sorting.
 */
static int
zone_merge(struct fg_rpz_zone* z)
{
	size_t i, o = 0;
	if(!zone_sort(z))
		return 0;
	for(i = 0; i < z->n; i++) {
		if(o > 0 && strcmp(z->v[o - 1].base, z->v[i].base) == 0) {
			struct zone_entry* d = &z->v[o - 1];
			if(z->v[i].policy) {
				char* s, *copy = strdup(z->v[i].policy);
				if(!copy)
					return 0;
				for(s = strtok(copy, "\n"); s; s = strtok(NULL, "\n"))
					if(!str_add_line(&d->policy, s)) {
						free(copy);
						return 0;
					}
				free(copy);
			}
			if(z->v[i].why && !d->why) {
				d->why = z->v[i].why;
				z->v[i].why = NULL;
			}
			free(z->v[i].base);
			free(z->v[i].policy);
			free(z->v[i].why);
			continue;
		}
		z->v[o++] = z->v[i];
	}
	if(o != z->n) {
		z->n = o;
		z->sorted = 0;
		return zone_sort(z);
	}
	return 1;
}

size_t
fg_rpz_zone_count(const struct fg_rpz_zone* z)
{
	size_t i, n = 0;
	for(i = 0; i < z->n; i++)
		if(i == 0 || strcmp(z->v[i].base, z->v[i - 1].base) != 0 ||
			!z->sorted)
			n++;
	return n;
}

/** Split a rendering into its policy part (sorted) and its reason line. */
static int
split_rendering(const char* text, char** policy, char** why)
{
	struct fg_rpz_zone one;
	char* s, *copy = strdup(text), *line;
	memset(&one, 0, sizeof(one));
	*policy = *why = NULL;
	if(!copy)
		return 0;
	for(line = strtok_r(copy, "\n", &s); line; line = strtok_r(NULL, "\n",
		&s)) {
		size_t i;
		for(i = 0; line[i]; i++)
			line[i] = (char)tolower((unsigned char)line[i]);
		if(strstr(line, " txt ")) {
			free(*why);
			if(!(*why = strdup(line)))
				goto fail;
		} else if(!str_add_line(policy, line))
			goto fail;
	}
	free(copy);
	copy = NULL;
	if(*policy) {
		/* sort its lines the way zone_sort does */
		struct zone_entry e = { (char*)"", *policy, NULL };
		one.v = &e;
		one.n = one.cap = 1;
		if(!zone_sort(&one))
			goto fail; /* e.policy is still *policy */
		*policy = e.policy;
	}
	return 1;
fail:
	free(copy);
	free(*policy);
	free(*why);
	*policy = *why = NULL;
	return 0;
}

/** Compare entries to publish by name. */
static int
want_cmp(const void* a, const void* b)
{
	const struct fg_rpz_entry* x = *(const struct fg_rpz_entry* const*)a;
	const struct fg_rpz_entry* y = *(const struct fg_rpz_entry* const*)b;
	char xs[FG_NAME_MAX_STR], ys[FG_NAME_MAX_STR];
	if(!fg_name_to_str(x->name, xs, sizeof(xs)))
		xs[0] = 0;
	if(!fg_name_to_str(y->name, ys, sizeof(ys)))
		ys[0] = 0;
	return strcmp(xs, ys);
}

int
fg_rpz_diff(const struct fg_rpz_params* p, const struct fg_rpz_entry* want,
	size_t n_want, const struct fg_rpz_zone* have_c,
	const struct fg_rpz_diff_ops* ops, size_t* puts, size_t* withdrawals)
{
	struct fg_rpz_zone* have = (struct fg_rpz_zone*)have_c;
	const struct fg_rpz_entry** sorted;
	char* text = NULL;
	size_t i, np = 0, nw = 0;
	int ok = 1;
	if(puts)
		*puts = 0;
	if(withdrawals)
		*withdrawals = 0;
	/* sorting the view is no change to what it holds */
	if(!zone_merge(have))
		return 0;
	sorted = malloc((n_want ? n_want : 1) * sizeof(*sorted));
	text = malloc(FG_RPZ_ENTRY_TEXT);
	if(!sorted || !text) {
		free(sorted);
		free(text);
		return 0;
	}
	for(i = 0; i < n_want; i++)
		sorted[i] = &want[i];
	if(n_want)
		qsort(sorted, n_want, sizeof(*sorted), want_cmp);
	/* puts: wanted entries the zone lacks or holds otherwise */
	for(i = 0; ok && i < n_want; i++) {
		char base[FG_NAME_MAX_STR], *policy, *why;
		const struct zone_entry* ze;
		if(i > 0 && want_cmp(&sorted[i - 1], &sorted[i]) == 0)
			continue; /* the same name twice */
		if(!fg_name_to_str(sorted[i]->name, base, sizeof(base)) ||
			fg_rpz_render(p, sorted[i], text, FG_RPZ_ENTRY_TEXT) == 0)
			continue; /* too long to publish: the caller counts it */
		if(!split_rendering(text, &policy, &why)) {
			ok = 0;
			break;
		}
		ze = zone_find(have, base);
		/* the reason is not compared: another resolver's, or an older
		 * score, is as good a reason as ours */
		if(!ze || !ze->why || !ze->policy || !policy ||
			strcmp(ze->policy, policy) != 0) {
			ok = ops->put(sorted[i], ops->arg);
			np++;
		}
		free(policy);
		free(why);
	}
	/* withdrawals: entries of ours (or of nobody) no longer wanted */
	for(i = 0; ok && i < have->n; i++) {
		const struct zone_entry* ze = &have->v[i];
		uint8_t wire[FG_NAME_MAX_WIRE];
		struct fg_rpz_entry key, *kp = &key;
		char owner_res[FG_RPZ_RESOLVER_MAX + 1] = "";
		if(fg_name_from_str(ze->base, wire, sizeof(wire)) > 0) {
			memset(&key, 0, sizeof(key));
			memcpy(key.name, wire, sizeof(wire));
			if(n_want && bsearch(&kp, sorted, n_want, sizeof(*sorted),
				want_cmp))
				continue;
		}
		if(ze->why) {
			fg_rpz_why_resolver(ze->why, owner_res, sizeof(owner_res));
			if(owner_res[0] && strcasecmp(owner_res, p->resolver) != 0)
				continue; /* another publisher's */
		}
		ok = ops->withdraw(ze->base, ze->why ? ze->why : "", ops->arg);
		nw++;
	}
	free(sorted);
	free(text);
	if(puts)
		*puts = np;
	if(withdrawals)
		*withdrawals = nw;
	return ok;
}
