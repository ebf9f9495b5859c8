/**
 * \file
 * Fuzz target: the allow and deny lists (fluxguard/policy.h) read from
 * arbitrary list files and decisions files, and the lookups on the result.
 * The input is written to a file in the scratch directory and loaded three
 * ways: as an allow file over a few fixed deny entries, as the operator's
 * decisions file over a few fixed allow entries, and as a deny file alone.
 * The names and addresses of the input's lines (and their parents and a
 * child) are then looked up in each.
 *
 * Checked on the deny file loaded alone: every line that fg_policy_entry_check
 * accepts is denied when looked up (its name, or the first address of its
 * prefix, or an address of its AS), since nothing else is listed; and the
 * lists count no more entries than there are lines.
 */
#include "fuzz.h"
#include "fluxguard/addr.h"
#include "fluxguard/name.h"
#include "fluxguard/policy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/** Lines of one input whose entries are checked and looked up. */
#define LINES_MAX 64

/** The input, as a file. */
static char* list_path;

/** Entries the fixed parts of the lists hold. */
static const char* const fixed_deny[] = {
	"deny.example", "exact:www.allow.example", "203.0.113.0/24",
	"2001:db8:dead::/48", "AS64500"
};
static const char* const fixed_allow[] = {
	"allow.example", "exact:www.deny.example", "192.0.2.0/24",
	"2001:db8::/32", "AS13335"
};

int
LLVMFuzzerInitialize(int* argc FG_FUZZ_UNUSED, char*** argv FG_FUZZ_UNUSED)
{
	fg_fuzz_quiet();
	list_path = fg_fuzz_path("list.txt");
	return 0;
}

/** Lists with \p n fixed entries on \p which. */
static struct fg_policy*
policy_with(enum fg_list which, const char* const* entries, size_t n)
{
	struct fg_policy* p = fg_policy_create();
	char err[256];
	size_t i;
	if(!p)
		return NULL;
	for(i = 0; i < n; i++)
		if(!fg_policy_add(p, which, entries[i], err, sizeof(err)))
			fg_fuzz_fail("fixed entry %s: %s", entries[i], err);
	return p;
}

/** Look \p name up in every list set, with its parents and a child. */
static void
match_name(struct fg_policy* const* ps, size_t n, const uint8_t* name)
{
	uint8_t child[FG_NAME_MAX_WIRE];
	size_t len = fg_name_wire_len(name, FG_NAME_MAX_WIRE), i;
	const uint8_t* p;
	for(i = 0; i < n; i++) {
		for(p = name; ; p += 1 + *p) {
			(void)fg_policy_match_name(ps[i], p);
			if(!*p)
				break;
		}
	}
	if(len == 0 || len + 2 > FG_NAME_MAX_WIRE)
		return;
	child[0] = 1;
	child[1] = 'x';
	memcpy(child + 2, name, len);
	for(i = 0; i < n; i++)
		(void)fg_policy_match_name(ps[i], child);
}

/** The address before any '/' of \p s, or 0. */
static int
probe_addr(const char* s, struct fg_addr* a)
{
	char text[64];
	size_t len = strcspn(s, "/");
	if(len >= sizeof(text))
		return 0;
	memcpy(text, s, len);
	text[len] = 0;
	memset(a, 0, sizeof(*a));
	if(inet_pton(AF_INET, text, a->addr) == 1)
		a->family = FG_AF_INET;
	else if(inet_pton(AF_INET6, text, a->addr) == 1)
		a->family = FG_AF_INET6;
	else
		return 0;
	return 1;
}

/**
 * The entry of one line (load_file's rule: '#' starts a comment, blanks
 * around are dropped), into \p buf; NULL for a line that holds none.
 */
static char*
line_entry(const uint8_t* line, size_t len, char* buf, size_t buflen)
{
	char *s, *end, *hash;
	if(len >= buflen || memchr(line, 0, len))
		return NULL;
	memcpy(buf, line, len);
	buf[len] = 0;
	if((hash = strchr(buf, '#')))
		*hash = 0;
	for(s = buf; isspace((unsigned char)*s); s++)
		;
	end = s + strlen(s);
	while(end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return *s ? s : NULL;
}

/**
 * Look the name or address of the entry \p s up everywhere. If \p deny is
 * not NULL, it is a deny list holding nothing but the input's lines: a valid
 * entry must be denied there.
 */
static void
check_entry(struct fg_policy* deny, struct fg_policy* const* ps, size_t n,
	const char* s, struct fg_addr* addrs, size_t* n_addrs)
{
	uint8_t wire[FG_NAME_MAX_WIRE];
	struct fg_addr a;
	char err[256];
	int exact;
	size_t i;
	if(!fg_policy_entry_check(s, err, sizeof(err)))
		return;
	if(fg_policy_entry_name(s, wire, &exact)) {
		if(deny && fg_policy_match_name(deny, wire) != FG_LIST_DENY)
			fg_fuzz_fail("name entry \"%s\" on the deny list does "
				"not match its own name", s);
		match_name(ps, n, wire);
		return;
	}
	if(!probe_addr(s, &a)) {
		/* neither a name nor a prefix: an AS number (AS64496) */
		memset(&a, 0, sizeof(a));
		a.family = FG_AF_INET;
		a.asn = (uint32_t)strtoul(s + 2, NULL, 10);
	}
	if(deny && fg_policy_match_addrs(deny, &a, 1) != FG_LIST_DENY)
		fg_fuzz_fail("entry \"%s\" on the deny list does not match its "
			"own address or AS", s);
	if(*n_addrs < LINES_MAX)
		addrs[(*n_addrs)++] = a;
	for(i = 0; i < n; i++)
		(void)fg_policy_match_addrs(ps[i], &a, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	struct fg_policy* ps[3];
	struct fg_addr addrs[LINES_MAX];
	char err[1024], buf[1024];
	size_t i, off, n_lines = 0, n_addrs = 0;
	int ok;

	fg_fuzz_write(list_path, data, size);
	ps[0] = policy_with(FG_LIST_DENY, fixed_deny,
		sizeof(fixed_deny) / sizeof(fixed_deny[0]));
	ps[1] = policy_with(FG_LIST_ALLOW, fixed_allow,
		sizeof(fixed_allow) / sizeof(fixed_allow[0]));
	ps[2] = fg_policy_create();
	if(!ps[0] || !ps[1] || !ps[2])
		goto out;
	ok = fg_policy_load_file(ps[0], FG_LIST_ALLOW, list_path, err,
		sizeof(err));
	ok = fg_policy_load_decisions(ps[1], list_path, err, sizeof(err)) && ok;
	ok = fg_policy_load_file(ps[2], FG_LIST_DENY, list_path, err,
		sizeof(err)) && ok;
	if(!ok)
		fg_fuzz_fail("a readable file did not load: %s", err);
	if(fg_policy_count(ps[2], FG_LIST_DENY) > 0)
		fg_fuzz_reached();

	for(off = 0; off < size; n_lines++) {
		const uint8_t* nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		char* s;
		size_t word;
		if(n_lines < LINES_MAX &&
			(s = line_entry(data + off, len, buf, sizeof(buf)))) {
			check_entry(ps[2], ps, 3, s, addrs, &n_addrs);
			/* a decisions line: allow ENTRY, deny ENTRY */
			word = strcspn(s, " \t");
			if((word == 5 && strncmp(s, "allow", 5) == 0) ||
				(word == 4 && strncmp(s, "deny", 4) == 0))
				check_entry(NULL, ps, 3, s + word +
					strspn(s + word, " \t"), addrs,
					&n_addrs);
		}
		off += len + 1;
	}
	if(fg_policy_count(ps[2], FG_LIST_DENY) > n_lines)
		fg_fuzz_fail("%zu entries from %zu lines",
			fg_policy_count(ps[2], FG_LIST_DENY), n_lines);
	for(i = 0; i < 3; i++) {
		(void)fg_policy_match_addrs(ps[i], addrs, n_addrs);
		(void)fg_policy_bad_lines(ps[i]);
	}
out:
	for(i = 0; i < 3; i++)
		fg_policy_delete(ps[i]);
	return 0;
}
