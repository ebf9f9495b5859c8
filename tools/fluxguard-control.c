/**
 * \file
 * fluxguard-control: the operator's view of a running fluxguard, in the style
 * of unbound-control. It maps the tracker's shared-memory segment directly (no
 * daemon round trip), so it works while Unbound is under load and never blocks
 * it: readers copy records out under the tracker's consistency protocol.
 *
 * Exit status as unbound-control's: 0 success, 1 error, 3 no running fluxguard
 * segment. Errors go to standard error in one line.
 */
#include "fg-config.h"

#include "fluxguard/name.h"
#include "fluxguard/tracker.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/** Exit status when no segment exists. */
#define EXIT_NO_SEGMENT 3

/** Command-line state. */
struct control_args {
	/** segment name or path */
	const char* segment;
};

static void
usage(FILE* out)
{
	fprintf(out,
		"usage: fluxguard-control [-s SEGMENT] COMMAND [ARGS]\n"
		"  -s SEGMENT   tracker segment: /name (POSIX shm) or a file path\n"
		"               (default /fluxguard)\n"
		"commands:\n"
		"  status       the segment: version, capacity, fill, writer\n"
		"  list         every tracked domain, one per line\n"
		"  show DOMAIN  everything the tracker holds about DOMAIN\n");
}

static const char*
verdict_name(uint8_t v)
{
	switch(v) {
	case FG_VERDICT_CLEAN: return "clean";
	case FG_VERDICT_FLAGGED: return "flagged";
	case FG_VERDICT_ALLOWED: return "allowed";
	case FG_VERDICT_DENIED: return "denied";
	default: return "unknown";
	}
}

static void
print_addr(FILE* out, const struct fg_addr* a)
{
	char buf[INET6_ADDRSTRLEN];
	if(!inet_ntop(a->family == FG_AF_INET ? AF_INET : AF_INET6, a->addr, buf,
		sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	fprintf(out, "%s", buf);
	if(a->asn)
		fprintf(out, " AS%" PRIu32, a->asn);
	if(a->country[0])
		fprintf(out, " %.2s", a->country);
}

/** Open the segment for reading, or exit with unbound-control's codes. */
static struct fg_tracker*
attach_or_exit(const struct control_args* args)
{
	char err[512];
	int missing = 0;
	struct fg_tracker* t = fg_tracker_attach(args->segment, 0, &missing, err,
		sizeof(err));
	if(!t) {
		fprintf(stderr, "fluxguard-control: %s\n", err);
		exit(missing ? EXIT_NO_SEGMENT : EXIT_FAILURE);
	}
	return t;
}

static int
cmd_status(const struct control_args* args)
{
	struct fg_tracker* t = attach_or_exit(args);
	struct fg_tracker_info info;
	fg_tracker_get_info(t, &info);
	printf("segment: %s\n", info.segment);
	printf("format-version: %" PRIu32 "\n", info.version);
	printf("created: %" PRIu64 "\n", info.created);
	printf("generation: %" PRIu64 "\n", info.generation);
	printf("writer-pid: %" PRId64 "\n", info.writer_pid);
	printf("clean-close: %s\n", info.clean_close ? "yes" : "no");
	printf("capacity: %" PRIu32 "\n", info.capacity);
	printf("used: %" PRIu32 "\n", info.used);
	printf("window: %" PRIu32 "\n", info.window);
	printf("bytes: %" PRIu64 "\n", info.bytes);
	printf("evictions: %" PRIu64 "\n", info.evictions);
	fg_tracker_close(t);
	return 0;
}

static int
list_one(const struct fg_record_view* rec, void* arg)
{
	char name[FG_NAME_MAX_STR];
	(void)arg;
	if(!fg_name_to_str(rec->name, name, sizeof(name)))
		return 1;
	printf("%s\t%.2f\t%s\t%" PRIu32 "\t%" PRIu32 "\n", name, (double)rec->score,
		verdict_name(rec->verdict), rec->answers, rec->addr_distinct);
	return 1;
}

static int
cmd_list(const struct control_args* args)
{
	struct fg_tracker* t = attach_or_exit(args);
	printf("domain\tscore\tverdict\tanswers\taddresses\n");
	fg_tracker_foreach(t, (uint64_t)time(NULL), list_one, NULL);
	fg_tracker_close(t);
	return 0;
}

static int
cmd_show(const struct control_args* args, const char* domain)
{
	uint8_t name[FG_NAME_MAX_WIRE];
	struct fg_record_view rec;
	struct fg_tracker* t;
	uint32_t i;
	if(!fg_name_from_str(domain, name, sizeof(name))) {
		fprintf(stderr, "fluxguard-control: show: \"%s\" is not a domain name\n", domain);
		return 1;
	}
	t = attach_or_exit(args);
	if(!fg_tracker_lookup(t, name, (uint64_t)time(NULL), &rec)) {
		fprintf(stderr, "fluxguard-control: show: %s is not tracked\n", domain);
		fg_tracker_close(t);
		return 1;
	}
	fg_tracker_close(t);
	printf("domain: %s\n", domain);
	printf("verdict: %s\n", verdict_name(rec.verdict));
	printf("score: %.2f\n", (double)rec.score);
	printf("flagged-at: %" PRIu64 "\n", rec.flagged_at);
	printf("first-seen: %" PRIu64 "\n", rec.first_seen);
	printf("last-seen: %" PRIu64 "\n", rec.last_seen);
	printf("answers: %" PRIu32 "\n", rec.answers);
	printf("addresses-distinct: %" PRIu32 "\n", rec.addr_distinct);
	printf("addresses-new: %" PRIu32 "\n", rec.addr_new_total);
	printf("address-set-changes: %" PRIu32 "\n", rec.addr_changes);
	printf("prefixes-distinct: %" PRIu32 "\n", rec.prefix_distinct);
	printf("asns-distinct: %" PRIu32 "\n", rec.asn_distinct);
	printf("countries-distinct: %" PRIu32 "\n", rec.country_distinct);
	printf("ttl-min: %" PRIu32 "\n", rec.ttl_min);
	printf("ttl-last: %" PRIu32 "\n", rec.ttl_last);
	printf("ttl-mean: %" PRIu32 "\n", rec.ttl_mean);
	printf("ns-answers: %" PRIu32 "\n", rec.ns_answers);
	printf("ns-changes: %" PRIu32 "\n", rec.ns_changes);
	printf("ns-distinct: %" PRIu32 "\n", rec.ns_distinct);
	printf("glue-distinct: %" PRIu32 "\n", rec.glue_distinct);
	for(i = 0; i < rec.n_addrs && i < FG_TRACK_ADDRS; i++) {
		printf("address: ");
		print_addr(stdout, &rec.addrs[i]);
		printf(" seen %" PRIu32 "\n", rec.addr_hits[i]);
	}
	for(i = 0; i < rec.n_glue && i < FG_TRACK_GLUE; i++) {
		printf("glue: ");
		print_addr(stdout, &rec.glue[i]);
		printf("\n");
	}
	return 0;
}

int
main(int argc, char** argv)
{
	struct control_args args = { "/fluxguard" };
	int c;
	static const struct option longopts[] = {
		{ "segment", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	while((c = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		switch(c) {
		case 's':
			args.segment = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if(optind >= argc) {
		usage(stderr);
		return 1;
	}
	if(strcmp(argv[optind], "status") == 0 && argc - optind == 1)
		return cmd_status(&args);
	if(strcmp(argv[optind], "list") == 0 && argc - optind == 1)
		return cmd_list(&args);
	if(strcmp(argv[optind], "show") == 0 && argc - optind == 2)
		return cmd_show(&args, argv[optind + 1]);
	fprintf(stderr, "fluxguard-control: unknown command or wrong arguments: %s "
		"(try --help)\n", argv[optind]);
	return 1;
}
