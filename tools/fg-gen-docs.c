/**
 * \file
 * fg-gen-docs: writes the documents that follow from the options table
 * (core/options.c), so that they cannot drift from it:
 *	fg-gen-docs man              the man page doc/fluxguard.conf.5 (roff)
 *	fg-gen-docs example          unbound-conf-examples/fluxguard.conf
 *	fg-gen-docs readme-options   README.md's option table (Markdown)
 *	fg-gen-docs readme-counters  README.md's counter table (stats and
 *	                             Prometheus names), from the counter list
 *	                             in fluxguard/counters.h
 *	fg-gen-docs publish-man      the man page doc/fluxguard-publish.8, with
 *	                             the rpz-* options and the publisher's
 *	                             counters (fluxguard/rpz.h)
 *	fg-gen-docs readme-publish-counters  README.md's table of them
 * All are committed; `make regen-docs` rewrites them (the README tables
 * between their markers, with scripts/splice-docs.sh) and
 * tests/integration/test_docs_in_sync.sh fails when they differ from what this
 * program prints. The prose around the option list lives here too.
 */
#include "fluxguard/conffile.h"
#include "fluxguard/counters.h"
#include "fluxguard/options.h"
#include "fluxguard/rpz.h"

#include "fg_roff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** What a value of each type without a range is, by enum fg_opt_type
 * (NULL: described with its range or choices below). */
static const char* const fixed_type_doc[] = {
	[FG_OPT_BOOL] = "yes or no",
	[FG_OPT_STRING] = "string",
	[FG_OPT_PATH] = "file name",
	[FG_OPT_ADDR] = "IPv4 or IPv6 address",
	[FG_OPT_ENTRY] = "allow/deny entry",
	[FG_OPT_INCLUDE] = "file name or glob pattern"
};

/** Describe an option's type and range, e.g. "number from 0 to 100". */
static void
type_doc(const struct fg_option* opt, char* buf, size_t len)
{
	char lo[32], hi[32];
	size_t pos;
	const struct fg_opt_choice* c;
	if((size_t)opt->type < sizeof(fixed_type_doc) / sizeof(fixed_type_doc[0])
		&& fixed_type_doc[opt->type])
		snprintf(buf, len, "%s", fixed_type_doc[opt->type]);
	else if(opt->type == FG_OPT_UINT)
		snprintf(buf, len, "integer from %.0f to %.0f", opt->min, opt->max);
	else if(opt->type == FG_OPT_DOUBLE)
		snprintf(buf, len, "number from %.15g to %.15g", opt->min, opt->max);
	else if(opt->type == FG_OPT_DURATION) {
		fg_duration_format((uint32_t)opt->min, lo, sizeof(lo));
		fg_duration_format((uint32_t)opt->max, hi, sizeof(hi));
		snprintf(buf, len, "duration from %s to %s (seconds, or a number "
			"with unit s, m, h or d)", lo, hi);
	} else {
		/* FG_OPT_ENUM */
		pos = (size_t)snprintf(buf, len, "one of");
		for(c = opt->choices; c && c->name && pos < len; c++)
			pos += (size_t)snprintf(buf + pos, len - pos, "%s %s",
				c == opt->choices ? "" : ",", c->name);
	}
	if(opt->flags & FG_OPT_F_LIST) {
		pos = strlen(buf);
		snprintf(buf + pos, len - pos, "; repeatable");
	}
}

/** The default as the docs show it. */
static const char*
default_doc(const struct fg_option* opt)
{
	if(opt->def)
		return opt->def;
	return opt->def_doc ? opt->def_doc : "none";
}

/** Lines of the man page before the option list, copied verbatim (they are
 * roff already). */
static const char* const man_head[] = {
	".TH FLUXGUARD.CONF 5 \"\" \"fluxguard\" \"File Formats\"",
	".SH NAME",
	"fluxguard.conf \\- configuration of fluxguard, the fast\\-flux guard for Unbound",
	".SH SYNOPSIS",
	".B fluxguard.conf",
	".SH DESCRIPTION",
	"fluxguard is an Unbound dynlib module that tracks the addresses, networks",
	"and name servers behind the names Unbound resolves, scores them for",
	"fast\\-flux behaviour and blocks flagged and deny\\-listed names.",
	"This file sets its thresholds, weights, actions and lists.",
	"Every option is optional: without a file fluxguard runs on the defaults.",
	".SH LOCATION",
	"Unbound loads fluxguard; fluxguard then looks for its file as follows:",
	".IP 1. 4",
	"the file named by the environment variable",
	".BR FLUXGUARD_CONF ,",
	"if it is set and not empty (the file must then exist);",
	".IP 2. 4",
	".I fluxguard.conf",
	"in the directory of Unbound's own configuration file, if it exists;",
	".IP 3. 4",
	"otherwise none: the defaults below apply.",
	".PP",
	"fluxguard reads the file when Unbound starts and on every",
	".BR \"unbound\\-control reload\" ,",
	"after Unbound's chroot: paths are seen from inside the chroot.",
	".SH SYNTAX",
	"The syntax follows",
	".BR unbound.conf (5).",
	"Options stand in a",
	".B fluxguard:",
	"clause, one",
	".I \"name: value\"",
	"per line; indentation is free.",
	"A",
	".B #",
	"starts a comment that runs to the end of the line, except inside quotes.",
	"A value may be quoted with double (or single) quotes, and must be if it",
	"holds spaces or a",
	".BR # .",
	"An option given twice keeps the last value, except the repeatable ones,",
	"which add up.",
	"Relative file names are resolved against the directory of the file",
	"that names them.",
	".PP",
	".B include:",
	"may stand before the clause or inside it.",
	"An included file continues in the clause it was included from and may open",
	"its own",
	".BR fluxguard: .",
	"A pattern with",
	".BR * ,",
	".B ?",
	"or",
	".B [",
	"reads every matching file in order and may match none; a plain file name",
	"must exist.",
	"Includes nest at most 8 deep and may not loop.",
	".PP",
	"Errors name the file, the line and the option, for example:",
	".PP",
	".RS",
	".nf",
	"fluxguard.conf:12: threshold: expected a number between 0 and 100, got \"high\"",
	".fi",
	".RE",
	".SH OPTIONS",
	NULL
};

/** Lines of the man page after the option list. */
static const char* const man_tail[] = {
	".SH ACTIONS",
	".TP",
	".B log",
	"log the decision and let the answer through unchanged;",
	".TP",
	".B refuse",
	"answer REFUSED;",
	".TP",
	".B nxdomain",
	"answer NXDOMAIN;",
	".TP",
	".B nodata",
	"answer NOERROR with no records;",
	".TP",
	".B redirect",
	"answer A and AAAA queries with the",
	".B redirect\\-address",
	"records of that family (at least one",
	".B redirect\\-address",
	"is then required).",
	".SH ALLOW AND DENY ENTRIES",
	"The entries of",
	".BR allow: ,",
	".B deny:",
	"and of the files named by",
	".B allow\\-file:",
	"and",
	".B deny\\-file:",
	"take these forms:",
	".TP",
	".B example.com",
	"that domain and every name below it (case\\-insensitive, trailing dot optional);",
	".TP",
	".B exact:www.example.com",
	"that exact name only;",
	".TP",
	".BR AS13335 \" or \" as13335",
	"an autonomous system number: allowed, an answer whose addresses all",
	"belong to allowed ASNs (or prefixes) is never blocked; denied, an answer",
	"with any address in it is blocked (needs",
	".BR asn\\-db );",
	".TP",
	".BR 192.0.2.0/24 \", \" 2001:db8::/32",
	"a CIDR prefix, host bits zero, with the same all/any rule as ASNs;",
	".TP",
	".BR 192.0.2.7 \", \" 2001:db8::1",
	"a single address.",
	".PP",
	"List files hold one entry per line;",
	".B #",
	"starts a comment and blank lines are ignored.",
	"The root name is refused.",
	".PP",
	"Precedence for names: the most specific entry wins.",
	"An",
	".B exact:",
	"entry for the queried name beats an entry for the same name, which beats",
	"an entry for a parent domain; at equal specificity deny wins.",
	"So with",
	".B deny: example.com",
	"and",
	".BR \"allow: cdn.example.com\" ,",
	"cdn.example.com and the names below it are allowed and the rest of",
	"example.com is denied.",
	"For addresses deny wins outright.",
	".SH EXAMPLE",
	".RS",
	".nf",
	"fluxguard:",
	"    action: nxdomain",
	"    threshold: 60",
	"    asn\\-db: \"/var/lib/GeoIP/GeoLite2\\-ASN.mmdb\"",
	"    allow: \"AS13335\"",
	"    deny: \"exact:bad.example.net\"",
	"    deny\\-file: \"fluxguard.deny\"",
	".fi",
	".RE",
	".SH FILES",
	".TP",
	".I /etc/unbound/fluxguard.conf",
	"the usual place, next to",
	".IR unbound.conf .",
	".SH SEE ALSO",
	".BR unbound.conf (5),",
	".BR unbound (8),",
	".BR fluxguard\\-control (8),",
	".BR fluxguard\\-publish (8)",
	NULL
};

/** fluxguard-publish(8) before its option list. */
static const char* const publish_head[] = {
	".TH FLUXGUARD\\-PUBLISH 8 \"\" \"fluxguard\" \"System Manager's Manual\"",
	".SH NAME",
	"fluxguard\\-publish \\- publish fluxguard's verdicts as a Response Policy Zone",
	".SH SYNOPSIS",
	".B fluxguard\\-publish",
	".RB [ \\-c",
	".IR FILE ]",
	".RB [ \\-s",
	".IR SEGMENT ]",
	".RB [ \\-\\-once ]",
	".RB [ \\-\\-stats ]",
	".RB [ \\-\\-counters ]",
	".RB [ \\-\\-version ]",
	".RB [ \\-h ]",
	".SH DESCRIPTION",
	".B fluxguard\\-publish",
	"keeps a Response Policy Zone (RPZ) on a primary name server in step with",
	"the verdicts of fluxguard's tracker segment, so that every resolver of a",
	"fleet that consumes the zone (Unbound's",
	".B rpz:",
	"clause, BIND's",
	".BR response\\-policy ,",
	"PowerDNS Recursor, Knot Resolver) blocks what one fluxguard has flagged or",
	"an operator has denied.",
	"It runs beside Unbound as a separate process, maps the segment read\\-only",
	"as",
	".BR fluxguard\\-control (8)",
	"does, and follows the segment's journal.",
	".PP",
	"A flagged or denied name N becomes, in zone Z, the QNAME triggers",
	".I N.Z",
	"and",
	".I *.N.Z",
	"(the name and everything below it, as fluxguard's own local zones cover the",
	"subtree) with the policy of",
	".B action",
	"(flagged) or",
	".B deny\\-action",
	"(denied): nxdomain is",
	".BR \"CNAME .\" ,",
	"nodata",
	".BR \"CNAME *.\" ,",
	"redirect the",
	".B redirect\\-address",
	"records as local data.",
	"RPZ has no REFUSED: refuse is published as",
	".B rpz\\-refuse\\-as",
	"says (nxdomain by default; drop is",
	".BR \"CNAME rpz\\-drop.\" ).",
	"Action log (monitor mode) publishes no flags.",
	"The names of the deny lists",
	".RB ( deny: ,",
	".BR deny\\-file: ,",
	"the decisions file of",
	".BR \"fluxguard\\-control deny\" )",
	"are published as well, unless a more specific allow entry covers them;",
	"an",
	".B exact:",
	"entry without its subtree.",
	"The reason is a TXT record at",
	".IR N._fluxguard.Z ,",
	"for example",
	".PP",
	".RS",
	".nf",
	"bot.example._fluxguard.rpz.example. 60 IN TXT \"fluxguard verdict=flagged",
	"  score=90.7 first\\-flagged=2026\\-12\\-02T05:06:27Z resolver=resolver\\-a",
	"  action=refuse rpz=nxdomain\"",
	".fi",
	".RE",
	".PP",
	"(a TXT cannot share an owner with a CNAME, and _fluxguard is no valid",
	"top\\-level label, so the owner is a trigger nobody queries by accident).",
	"allow, unflag and flush delete the entry.",
	".SH TRANSPORT",
	"With",
	".B rpz\\-backend: update",
	"(the default) changes go to",
	".B rpz\\-primary",
	"as RFC 2136 DNS UPDATE messages over TCP, signed with TSIG when",
	".B rpz\\-tsig\\-key",
	"is set; the primary (Knot DNS, BIND) keeps the journal, serves IXFR and",
	"sends NOTIFY.",
	"Each write deletes every record at the entry's three owners and adds the",
	"entry, so updates are idempotent and several resolvers may publish into",
	"one zone.",
	"At start\\-up, when the journal wrapped past the publisher, on a flush,",
	"on SIGHUP and after the primary failed, the publisher reconciles: it reads",
	"the zone by AXFR, compares it with the segment, writes what is missing or",
	"different and withdraws the entries that its own",
	".B rpz\\-resolver\\-id",
	"published and the segment no longer holds (with the entry's reason as",
	"an UPDATE prerequisite); other resolvers' entries stay.",
	"While the primary is down the names wait in a queue of",
	".B rpz\\-queue\\-size",
	"and are retried with a backoff doubling from 0.25 s up to",
	".BR rpz\\-retry\\-max ;",
	"a full queue turns into a reconciliation, so nothing is lost.",
	"A failure is logged in one line per outage; a TSIG failure says so.",
	".PP",
	"With",
	".B rpz\\-backend: zonefile",
	"the whole zone is written to",
	".B rpz\\-zonefile",
	"(a temporary file beside it, synced, renamed over it) with the SOA serial",
	"one above the last, and",
	".B rpz\\-reload\\-command",
	"is run, for primaries without updates (NSD, BIND with a static zone);",
	"at most one file a second, the flags of a burst together.",
	".SH OPTIONS",
	".TP",
	".BR \\-c \", \" \\-\\-config \" \\fIFILE\\fR\"",
	"fluxguard.conf (default: found as",
	".BR fluxguard\\-control (8)",
	"finds it).",
	".TP",
	".BR \\-s \", \" \\-\\-segment \" \\fISEGMENT\\fR\"",
	"the tracker segment (default: the config's",
	".BR segment: ).",
	".TP",
	".B \\-\\-once",
	"reconcile once and exit: 0 if the zone then matches the segment, 1 if not.",
	".TP",
	".B \\-\\-stats",
	"print the running publisher's counters from",
	".BR rpz\\-stats\\-file .",
	".TP",
	".B \\-\\-counters",
	"list the counters and what they mean.",
	".TP",
	".B \\-\\-version",
	"print the version.",
	".TP",
	".BR \\-h \", \" \\-\\-help",
	"this text.",
	".SH CONFIGURATION",
	"The publisher reads the",
	".B fluxguard:",
	"clause of",
	".BR fluxguard.conf (5):",
	".BR segment ,",
	".BR action ,",
	".BR deny\\-action ,",
	".B redirect\\-address",
	"and these:",
	NULL
};

/** fluxguard-publish(8) after its counters. */
static const char* const publish_tail[] = {
	".SH SIGNALS",
	"SIGTERM and SIGINT stop it (the counters are written a last time);",
	"SIGHUP reads fluxguard.conf again (actions, lists, counters' file; the",
	"segment, the zone, the backend, the primary, the key, the zone file,",
	"rpz\\-ttl and the queue size stay as started, and a change of them is",
	"logged) and reconciles the whole zone.",
	".SH FILES",
	".TP",
	".I unbound\\-conf\\-examples/knot.conf",
	"a Knot DNS primary for the zone;",
	".TP",
	".I unbound\\-conf\\-examples/rpz\\-consumer\\-unbound.conf",
	"an Unbound consumer's",
	".B rpz:",
	"clause;",
	".TP",
	".I unbound\\-conf\\-examples/rpz\\-consumer\\-named.conf",
	"a BIND consumer's",
	".BR response\\-policy ;",
	".TP",
	".I unbound\\-conf\\-examples/fluxguard\\-publish.service",
	"a systemd unit.",
	".SH SEE ALSO",
	".BR fluxguard.conf (5),",
	".BR fluxguard\\-control (8),",
	".BR knotd (8),",
	".BR unbound.conf (5)",
	NULL
};

/** Print lines verbatim. */
static void
print_lines(const char* const* lines)
{
	for(; *lines; lines++)
		printf("%s\n", *lines);
}

/** Whether an option's example or default is written quoted in a config. */
static int
quoted(const struct fg_option* opt)
{
	return opt->type == FG_OPT_STRING || opt->type == FG_OPT_PATH ||
		opt->type == FG_OPT_ENTRY || opt->type == FG_OPT_INCLUDE;
}

/** The rows of the options table that fluxguard-publish reads. */
static int
is_publish_option(const struct fg_option* opt)
{
	return strncmp(opt->name, "rpz-", 4) == 0;
}

/**
 * The man pages' entries of the options: name, doc, type and default of
 * every option with an example (fluxguard.conf(5)), or with \p publish of
 * the rpz-* options only (fluxguard-publish(8)).
 */
static void
man_options(int publish)
{
	size_t i;
	char type[256];
	for(i = 0; i < fg_options_count; i++) {
		const struct fg_option* opt = &fg_options[i];
		if(publish && !is_publish_option(opt))
			continue;
		type_doc(opt, type, sizeof(type));
		fg_roff_tag("", opt->name, ":");
		fg_roff_text(opt->doc);
		printf(".\n.br\nType: ");
		fg_roff_text(type);
		printf(". Default: ");
		fg_roff_text(default_doc(opt));
		printf(".\n");
		if(publish || !opt->example)
			continue;
		printf(".br\nExample: ");
		fg_roff_text(opt->name);
		printf(quoted(opt) ? ": \\(dq" : ": ");
		fg_roff_text(opt->example);
		printf(quoted(opt) ? "\\(dq\n" : "\n");
	}
}

/** The man page. */
static void
gen_man(void)
{
	printf(".\\\" Generated by tools/fg-gen-docs from the options table in "
		"core/options.c.\n.\\\" Do not edit: change the table and "
		"run \"make regen-docs\".\n");
	print_lines(man_head);
	man_options(0);
	print_lines(man_tail);
}

/** The example config: every option commented out with its default. */
static void
gen_example(void)
{
	size_t i;
	char type[256];
	printf("# fluxguard.conf: configuration of fluxguard, the fast-flux "
		"guard for Unbound.\n"
		"# Generated by tools/fg-gen-docs from the options table "
		"(core/options.c);\n"
		"# see fluxguard.conf(5). Every option is shown commented out "
		"with its default,\n"
		"# or with a sample value where it has none. Put this file next "
		"to unbound.conf,\n"
		"# or name it in the FLUXGUARD_CONF environment variable.\n"
		"\n"
		"fluxguard:\n");
	for(i = 0; i < fg_options_count; i++) {
		const struct fg_option* opt = &fg_options[i];
		const char* q = quoted(opt) ? "\"" : "";
		type_doc(opt, type, sizeof(type));
		printf("\t# %s.\n\t# %s; default: %s.\n", opt->doc, type,
			default_doc(opt));
		if(opt->def)
			printf("\t# %s: %s%s%s\n", opt->name, q, opt->def, q);
		else if(opt->example)
			printf("\t# %s: %s%s%s\n", opt->name, q, opt->example, q);
		if(i + 1 < fg_options_count)
			printf("\n");
	}
}

/** Print text for a Markdown table cell: pipes escaped. */
static void
md(const char* s)
{
	for(; *s; s++) {
		if(*s == '|')
			fputs("\\|", stdout);
		else
			putchar(*s);
	}
}

/** README.md's table of every option. */
static void
gen_readme_options(void)
{
	size_t i;
	printf("| option | value | default | what it sets |\n");
	printf("| --- | --- | --- | --- |\n");
	for(i = 0; i < fg_options_count; i++) {
		const struct fg_option* opt = &fg_options[i];
		char type[256];
		type_doc(opt, type, sizeof(type));
		printf("| `%s:` | ", opt->name);
		md(type);
		printf(" | `");
		md(default_doc(opt));
		printf("` | ");
		md(opt->doc);
		printf(" |\n");
	}
}

/** README.md's table of every counter. */
static void
gen_readme_counters(void)
{
	int c;
	printf("| counter | Prometheus (`--prometheus`) | reset by `stats` | what it counts |\n");
	printf("| --- | --- | --- | --- |\n");
	for(c = 0; c < FG_CTR_COUNT; c++) {
		char metric[128], series[256];
		fg_counter_prom_metric(&fg_counter_descs[c], metric, sizeof(metric));
		fg_prom_series(metric, fg_counter_descs[c].label,
			fg_counter_descs[c].label_value, series, sizeof(series));
		printf("| `fluxguard.%s` | `", fg_counter_descs[c].name);
		md(series);
		printf("` | %s | ", fg_counter_descs[c].resettable ? "yes" : "no");
		md(fg_counter_descs[c].doc);
		printf(" |\n");
	}
}

/** fluxguard-publish(8). */
static void
gen_publish_man(void)
{
	int c;
	printf(".\\\" Generated by tools/fg-gen-docs from the rpz-* rows of "
		"core/options.c and the\n.\\\" counters of fluxguard/rpz.h. Do "
		"not edit: run \"make regen-docs\".\n");
	print_lines(publish_head);
	man_options(1);
	printf(".SH COUNTERS\n"
		"Written to\n.B rpz\\-stats\\-file\n"
		"every second as aligned\n.I \"name value description\"\n"
		"rows, as\n.B fluxguard\\-control stats\nprints its own:\n");
	for(c = 0; c < FG_RPZ_C_COUNT; c++) {
		fg_roff_tag("", fg_rpz_counters[c].name, "");
		fg_roff_text(fg_rpz_counters[c].gauge ? "(gauge) " : "(total) ");
		fg_roff_text(fg_rpz_counters[c].doc);
		printf(".\n");
	}
	print_lines(publish_tail);
}

/** README.md's table of the publisher's counters. */
static void
gen_readme_publish_counters(void)
{
	int c;
	printf("| counter | kind | what it counts |\n");
	printf("| --- | --- | --- |\n");
	for(c = 0; c < FG_RPZ_C_COUNT; c++) {
		printf("| `%s` | %s | ", fg_rpz_counters[c].name,
			fg_rpz_counters[c].gauge ? "gauge" : "total");
		md(fg_rpz_counters[c].doc);
		printf(" |\n");
	}
}

int
main(int argc, char** argv)
{
	if(argc == 2 && strcmp(argv[1], "man") == 0) {
		gen_man();
	} else if(argc == 2 && strcmp(argv[1], "example") == 0) {
		gen_example();
	} else if(argc == 2 && strcmp(argv[1], "readme-options") == 0) {
		gen_readme_options();
	} else if(argc == 2 && strcmp(argv[1], "readme-counters") == 0) {
		gen_readme_counters();
	} else if(argc == 2 && strcmp(argv[1], "publish-man") == 0) {
		gen_publish_man();
	} else if(argc == 2 && strcmp(argv[1], "readme-publish-counters") == 0) {
		gen_readme_publish_counters();
	} else {
		fprintf(stderr, "usage: fg-gen-docs man|example|readme-options|"
			"readme-counters|publish-man|readme-publish-counters\n");
		return EXIT_FAILURE;
	}
	if(fflush(stdout) != 0 || ferror(stdout)) {
		perror("fg-gen-docs: stdout");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
