/**
 * \file
 * Fuzz target: the publisher's view of a zone read back from the primary
 * (fg_rpz_zone_add, fluxguard/rpz.h), which takes records as text lines
 * from an AXFR, that is from the network, and the reconciliation's
 * difference against a fixed set of wanted entries.
 *
 * Each input line is one record line. Checked: the difference never asks
 * for a wanted entry twice, never withdraws a wanted one, and never
 * withdraws an entry whose reason names another resolver.
 */
#include "fuzz.h"
#include "fluxguard/name.h"
#include "fluxguard/options.h"
#include "fluxguard/rpz.h"
#include "fluxguard/tracker.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/** The mapping's parameters and the wanted entries. */
static struct fg_config cfg;
static struct fg_rpz_params params;
static struct fg_rpz_entry want[3];

/** Names put in one difference, to catch a repeat. */
static char puts_seen[8][FG_NAME_MAX_STR];
static size_t n_puts;

int
LLVMFuzzerInitialize(int* argc FG_FUZZ_UNUSED, char*** argv FG_FUZZ_UNUSED)
{
	static const char* const names[] = { "bot.flux.test", "a.b.c",
		"x.example" };
	char why[256];
	size_t i;
	fg_fuzz_quiet();
	fg_conf_defaults(&cfg);
	cfg.rpz_zone = (char*)"rpz.example";
	cfg.action = FG_ACTION_NXDOMAIN;
	if(!fg_rpz_params_init(&params, &cfg, "me", why, sizeof(why)))
		fg_fuzz_fail("params: %s", why);
	for(i = 0; i < 3; i++) {
		memset(&want[i], 0, sizeof(want[i]));
		fg_name_from_str(names[i], want[i].name, sizeof(want[i].name));
		want[i].policy = (int)i + FG_RPZ_NXDOMAIN;
		want[i].verdict = FG_VERDICT_FLAGGED;
	}
	return 0;
}

static int
put(const struct fg_rpz_entry* e, void* arg)
{
	char s[FG_NAME_MAX_STR];
	size_t i;
	(void)arg;
	if(!fg_name_to_str(e->name, s, sizeof(s)))
		fg_fuzz_fail("put of a malformed name");
	for(i = 0; i < n_puts; i++)
		if(strcmp(puts_seen[i], s) == 0)
			fg_fuzz_fail("%s put twice", s);
	if(n_puts < 8)
		memcpy(puts_seen[n_puts++], s, strlen(s) + 1);
	return 1;
}

static int
withdraw(const char* base, const char* why_line, void* arg)
{
	char res[FG_RPZ_RESOLVER_MAX + 1];
	uint8_t wire[FG_NAME_MAX_WIRE];
	size_t i;
	(void)arg;
	if(fg_name_from_str(base, wire, sizeof(wire)) > 0)
		for(i = 0; i < 3; i++)
			if(fg_name_equal(wire, want[i].name))
				fg_fuzz_fail("wanted %s withdrawn", base);
	fg_rpz_why_resolver(why_line, res, sizeof(res));
	if(res[0] && strcasecmp(res, "me") != 0)
		fg_fuzz_fail("%s of resolver %s withdrawn", base, res);
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	struct fg_rpz_zone* z = fg_rpz_zone_create();
	struct fg_rpz_diff_ops ops = { put, withdraw, NULL };
	char* text = malloc(size + 1), *line, *save;
	if(!z || !text)
		fg_fuzz_fail("out of memory");
	memcpy(text, data, size);
	text[size] = 0;
	for(line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n",
		&save))
		if(fg_rpz_zone_add(z, &params, line))
			fg_fuzz_reached();
	n_puts = 0;
	if(!fg_rpz_diff(&params, want, 3, z, &ops, NULL, NULL))
		fg_fuzz_fail("diff failed with callbacks that never fail");
	(void)fg_rpz_zone_count(z);
	fg_rpz_zone_delete(z);
	free(text);
	return 0;
}
