/**
 * \file
 * Fuzz target: the config parser (fluxguard/conffile.h) on arbitrary text,
 * loaded both ways the module loads a config: from a file with fg_conf_load
 * (at start) and from text with fg_conf_load_text (its last good config, at a
 * reload). Each load must hold the round trip that reload relies on: what
 * fg_conf_print writes for the loaded config loads again and prints the same.
 * Also checked: an error names its place (a file in the scratch directory),
 * and every allow: or deny: entry the parser accepted is one the lists accept
 * (fg_policy_add).
 *
 * The text is <scratch>/fuzz.conf, so relative includes reach the fixtures
 * made there (nested, looping, erroneous and glob-matched files). An input
 * that names include: and holds a '/' anywhere is skipped: it could include
 * any file of the host (/dev/zero, /dev/stdin) and the run would test the
 * host instead of the parser.
 */
#include "fuzz.h"
#include "fluxguard/conffile.h"
#include "fluxguard/options.h"
#include "fluxguard/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** The name the input is read as. */
static char* conf_name;

/** Files an input may include: one per way an include can go. */
static const struct {
	const char* name;
	const char* text;
} fixtures[] = {
	{ "inc.conf", "threshold: 42\nallow: inc.example\n" },
	{ "clause.conf", "fluxguard:\n\tdeny: AS64496\n\tdeny-file: deny.txt\n" },
	{ "bad.conf", "fluxguard:\n\tthreshold: high\n" },
	{ "loop.conf", "include: loop.conf\n" },
	{ "nest0.conf", "include: nest1.conf\n" },
	{ "nest1.conf", "include: nest2.conf\n" },
	{ "nest2.conf", "include: nest3.conf\n" },
	{ "nest3.conf", "include: nest4.conf\n" },
	{ "nest4.conf", "include: nest5.conf\n" },
	{ "nest5.conf", "include: nest6.conf\n" },
	{ "nest6.conf", "include: nest7.conf\n" },
	{ "nest7.conf", "include: nest8.conf\n" },
	{ "nest8.conf", "include: nest9.conf\n" },
	{ "nest9.conf", "fluxguard:\nmin-answers: 3\n" }
};

int
LLVMFuzzerInitialize(int* argc FG_FUZZ_UNUSED, char*** argv FG_FUZZ_UNUSED)
{
	size_t i;
	fg_fuzz_quiet();
	conf_name = fg_fuzz_path("fuzz.conf");
	for(i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		char* p = fg_fuzz_path(fixtures[i].name);
		fg_fuzz_write(p, fixtures[i].text, strlen(fixtures[i].text));
		free(p);
	}
	return 0;
}

/** fg_conf_print's text of \p cfg, malloc'd. */
static char*
print_config(const struct fg_config* cfg)
{
	char* text = NULL;
	size_t len = 0;
	FILE* out = open_memstream(&text, &len);
	if(!out)
		abort();
	fg_conf_print(out, cfg);
	if(fclose(out) != 0)
		abort();
	return text;
}

/** The options part of a printed config: what follows the clause header.
 * The comments before it list the files read, which differ by design (the
 * re-load reads one text, the first load also what it included). */
static const char*
options_part(const char* printed)
{
	const char* p = strstr(printed, "\nfluxguard:\n");
	if(!p)
		fg_fuzz_fail("printed config has no clause header:\n%s", printed);
	return p;
}

/** Every entry of \p l must be one the lists take. */
static void
check_entries(struct fg_policy* p, enum fg_list which,
	const struct fg_conf_list* l)
{
	char why[512];
	size_t i;
	for(i = 0; i < l->n; i++)
		if(!fg_policy_add(p, which, l->v[i].value, why, sizeof(why)))
			fg_fuzz_fail("entry \"%s\" loaded by the config parser, "
				"refused by the lists: %s", l->v[i].value, why);
}

/** Check one load of \p text (how: "file" or "text"): an error names its
 * place; a config prints, loads again from the print and prints the same,
 * and its entries are ones the lists take. */
static void
check_load(const char* how, int ok, struct fg_config* cfg, const char* err,
	const char* text)
{
	struct fg_config again;
	struct fg_policy* p;
	char err2[1024];
	char *printed, *reprinted;
	const char* dir = fg_fuzz_dir();
	if(!ok) {
		if(strncmp(err, dir, strlen(dir)) != 0)
			fg_fuzz_fail("%s load: error does not name its file: "
				"\"%s\"", how, err);
		return;
	}
	fg_fuzz_reached();
	printed = print_config(cfg);
	if(!fg_conf_load_text(conf_name, printed, &again, err2, sizeof(err2)))
		fg_fuzz_fail("%s load: the printed config does not load again: "
			"%s\n--- input\n%s\n--- printed\n%s", how, err2, text,
			printed);
	reprinted = print_config(&again);
	if(strcmp(options_part(printed), options_part(reprinted)) != 0)
		fg_fuzz_fail("%s load: the printed config prints differently "
			"once loaded again\n--- input\n%s\n--- printed\n%s\n"
			"--- printed again\n%s", how, text, printed, reprinted);
	p = fg_policy_create();
	if(p) {
		check_entries(p, FG_LIST_ALLOW, &cfg->allow);
		check_entries(p, FG_LIST_DENY, &cfg->deny);
		fg_policy_delete(p);
	}
	free(reprinted);
	free(printed);
	fg_conf_free(&again);
	fg_conf_free(cfg);
}

int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	struct fg_config cfg;
	char err[1024];
	char* text;
	int ok;

	/* the parser takes a C string: the text ends at the first NUL */
	text = malloc(size + 1);
	if(!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if(strstr(text, "include") && strchr(text, '/')) {
		free(text);
		return 0;
	}
	/* as the module reads its config file at start */
	fg_fuzz_write(conf_name, text, strlen(text));
	err[0] = 0;
	ok = fg_conf_load(conf_name, &cfg, err, sizeof(err));
	check_load("file", ok, &cfg, err, text);
	/* as it reads its last good config at a reload */
	err[0] = 0;
	ok = fg_conf_load_text(conf_name, text, &cfg, err, sizeof(err));
	check_load("text", ok, &cfg, err, text);
	free(text);
	return 0;
}
