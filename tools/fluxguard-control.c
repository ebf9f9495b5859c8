/**
 * \file
 * fluxguard-control: the operator's view of a running fluxguard, in the style
 * of unbound-control. It maps the tracker's shared-memory segment directly (no
 * daemon round trip), so it works while Unbound is under load and never blocks
 * it: readers copy records out under the tracker's seqlock protocol, and every
 * value read from the segment is bounds-checked by the tracker's readers.
 * Operator commands write a verdict and a journal entry; every running
 * Unbound applies the journal within a second.
 *
 * The command table below drives the usage text and the man page
 * (fluxguard-control --man > doc/fluxguard-control.8, checked by
 * tests/integration/test_docs_in_sync.sh); the counters come from
 * fluxguard/counters.h and the gauges from their table here.
 *
 * Exit status as unbound-control's: 0 success, 1 error, 3 no running fluxguard
 * segment. Errors go to standard error in one line.
 */
#include "fg-config.h"

#include "fluxguard/conffile.h"
#include "fluxguard/counters.h"
#include "fluxguard/geo.h"
#include "fluxguard/name.h"
#include "fluxguard/score.h"
#include "fluxguard/tracker.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

/** Exit status when no segment exists. */
#define EXIT_NO_SEGMENT 3
/** Version of the JSON outputs' layout. */
#define CONTROL_JSON_VERSION 1

/** Command-line state. */
struct control {
	/** segment name or path */
	const char* segment;
	/** the config (segment name, score parameters) */
	struct fg_config cfg;
	/** stats output: 0 text, 1 Prometheus, 2 JSON */
	int format;
	/** prepend Unbound's own stats */
	int with_unbound;
	/** unbound-control to run, and its config file (or NULL) */
	const char* unbound_control;
	const char* unbound_config;
	/** list options */
	int flagged_only;
	long top;
	const char* sort;
};

/** A command. */
struct command {
	/** its name */
	const char* name;
	/** its arguments, for usage */
	const char* args;
	/** number of arguments, at least and at most */
	int min_args, max_args;
	/** attach read-write */
	int writable;
	/** what it does (usage and man page) */
	const char* doc;
	/** run it; returns the exit status */
	int (*run)(struct control* c, char** argv, int argc);
};

static void
die(int code, const char* fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void
die(int code, const char* fmt, ...)
{
	va_list ap;
	fputs("fluxguard-control: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/** Attach, or exit with unbound-control's codes. */
static struct fg_tracker*
attach(struct control* c, int writable)
{
	char err[512];
	int missing = 0;
	struct fg_tracker* t = fg_tracker_attach(c->segment, writable, &missing,
		err, sizeof(err));
	if(!t) {
		if(!missing && writable && strstr(err, "ermission"))
			die(EXIT_FAILURE, "%s (writing commands need Unbound's user)",
				err);
		die(missing ? EXIT_NO_SEGMENT : EXIT_FAILURE, "%s", err);
	}
	return t;
}

static const char*
verdict_name(int v)
{
	switch(v) {
	case FG_VERDICT_CLEAN: return "clean";
	case FG_VERDICT_FLAGGED: return "flagged";
	case FG_VERDICT_ALLOWED: return "allowed";
	case FG_VERDICT_DENIED: return "denied";
	default: return "unknown";
	}
}

/** Parse a domain argument or exit. */
static void
parse_domain(const char* arg, uint8_t* wire, char* str)
{
	if(!fg_name_from_str(arg, wire, FG_NAME_MAX_WIRE) ||
		!fg_name_to_str(wire, str, FG_NAME_MAX_STR))
		die(EXIT_FAILURE, "\"%s\" is not a domain name", arg);
	if(wire[0] == 0)
		die(EXIT_FAILURE, "the root cannot be allowed, denied or unflagged");
}

/* ---------------------------------------------------------------- stats */

/** What the gauges are computed from. */
struct gauge_input {
	/** the segment's summary */
	struct fg_tracker_info info;
	/** records by verdict */
	uint64_t by_verdict[4];
	/** now */
	uint64_t now;
};

/** A gauge: computed when read, not stored. */
struct gauge {
	/** name after "fluxguard." */
	const char* name;
	/** description */
	const char* doc;
	/** its value */
	double (*value)(const struct gauge_input* in);
	/** print with 6 decimals (unbound-control's style for times) */
	int fraction;
};

static double g_tracked(const struct gauge_input* in) { return in->info.used; }
static double g_flagged(const struct gauge_input* in)
	{ return (double)in->by_verdict[FG_VERDICT_FLAGGED]; }
static double g_allowed(const struct gauge_input* in)
	{ return (double)in->by_verdict[FG_VERDICT_ALLOWED]; }
static double g_denied(const struct gauge_input* in)
	{ return (double)in->by_verdict[FG_VERDICT_DENIED]; }
static double g_evictions(const struct gauge_input* in)
	{ return (double)in->info.evictions; }
static double g_bytes(const struct gauge_input* in) { return (double)in->info.bytes; }
static double g_capacity(const struct gauge_input* in) { return in->info.capacity; }
static double g_fill(const struct gauge_input* in)
	{ return in->info.capacity ? (double)in->info.used / in->info.capacity : 0; }
static double g_up(const struct gauge_input* in)
	{ return in->now > in->info.created ? (double)(in->now - in->info.created) : 0; }

/** Every gauge. */
static const struct gauge gauges[] = {
	{ "domains.tracked", "domains the tracker holds (stale ones included until evicted)", g_tracked, 0 },
	{ "domains.flagged", "domains whose verdict is flagged", g_flagged, 0 },
	{ "domains.allowed", "domains an operator allowed (fluxguard-control allow)", g_allowed, 0 },
	{ "domains.denied", "domains an operator denied (fluxguard-control deny)", g_denied, 0 },
	{ "tracker.evictions", "records evicted to make room, since the segment was created", g_evictions, 0 },
	{ "segment.bytes", "size of the shared-memory segment", g_bytes, 0 },
	{ "segment.capacity", "domains the segment can hold", g_capacity, 0 },
	{ "segment.fill", "domains held / capacity", g_fill, 1 },
	{ "time.up", "seconds since the segment was created", g_up, 1 },
};
#define N_GAUGES (sizeof(gauges) / sizeof(gauges[0]))

static int
count_verdicts(const struct fg_record_view* rec, void* arg)
{
	struct gauge_input* in = arg;
	if(rec->verdict < 4)
		in->by_verdict[rec->verdict]++;
	return 1;
}

/** A name in Prometheus' alphabet: [a-zA-Z0-9_]. */
static void
prom_name(const char* prefix, const char* name, const char* suffix, char* buf,
	size_t len)
{
	size_t i;
	snprintf(buf, len, "%s%s%s", prefix, name, suffix);
	for(i = 0; buf[i]; i++)
		if(!((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' &&
			buf[i] <= 'Z') || (buf[i] >= '0' && buf[i] <= '9')))
			buf[i] = '_';
}

/** Run unbound-control stats_noreset and print its lines in \p format. */
static int
print_unbound_stats(const struct control* c)
{
	char cmd[2048], line[1024];
	FILE* p;
	int status;
	if(c->unbound_config)
		snprintf(cmd, sizeof(cmd), "'%s' -c '%s' stats_noreset",
			c->unbound_control, c->unbound_config);
	else
		snprintf(cmd, sizeof(cmd), "'%s' stats_noreset", c->unbound_control);
	if(strchr(c->unbound_control, '\'') || (c->unbound_config &&
		strchr(c->unbound_config, '\'')))
		die(EXIT_FAILURE, "--unbound-control/--unbound-config: no quotes, please");
	p = popen(cmd, "r");
	if(!p)
		die(EXIT_FAILURE, "cannot run %s: %s", c->unbound_control, strerror(errno));
	while(fgets(line, sizeof(line), p)) {
		char* eq = strchr(line, '=');
		char* end;
		char name[512];
		double v;
		line[strcspn(line, "\n")] = 0;
		if(c->format == 0) {
			printf("%s\n", line);
			continue;
		}
		if(!eq)
			continue;
		*eq = 0;
		/* Unbound's histogram lines are buckets of one histogram, which
		 * name-per-line cannot express; exporters rebuild it, we leave it */
		if(strncmp(line, "histogram.", 10) == 0)
			continue;
		v = strtod(eq + 1, &end);
		if(end == eq + 1 || *end)
			continue; /* not a number: nothing Prometheus can take */
		prom_name("unbound_", line, "", name, sizeof(name));
		if(c->format == 1)
			printf("# HELP %s Unbound's %s (unbound-control stats_noreset)\n"
				"# TYPE %s untyped\n%s %.17g\n", name, line, name, name, v);
	}
	status = pclose(p);
	if(status != 0)
		die(EXIT_FAILURE, "%s stats_noreset failed (exit %d)",
			c->unbound_control, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

static int
stats(struct control* c, int reset)
{
	struct fg_tracker* t = attach(c, reset);
	uint64_t v[FG_CTR_COUNT];
	unsigned char resettable[FG_CTR_COUNT];
	struct gauge_input in;
	size_t i;
	char name[256];
	for(i = 0; i < FG_CTR_COUNT; i++)
		resettable[i] = (unsigned char)fg_counter_descs[i].resettable;
	memset(&in, 0, sizeof(in));
	in.now = (uint64_t)time(NULL);
	fg_tracker_get_info(t, &in.info);
	fg_tracker_foreach(t, in.now, count_verdicts, &in);
	fg_tracker_counters_read(t, v, FG_CTR_COUNT, reset, resettable);
	fg_tracker_close(t);
	if(c->with_unbound && c->format != 2)
		print_unbound_stats(c);
	if(c->format == 2)
		printf("{\"version\":%d,\"segment\":\"%s\",\"counters\":{",
			CONTROL_JSON_VERSION, in.info.segment);
	for(i = 0; i < FG_CTR_COUNT; i++) {
		const struct fg_counter_desc* d = &fg_counter_descs[i];
		if(c->format == 0) {
			printf("fluxguard.%s=%" PRIu64 "\n", d->name, v[i]);
		} else if(c->format == 1) {
			prom_name("fluxguard_", d->name, "_total", name, sizeof(name));
			printf("# HELP %s %s\n# TYPE %s counter\n%s %" PRIu64 "\n",
				name, d->doc, name, name, v[i]);
		} else {
			printf("%s\"fluxguard.%s\":%" PRIu64, i ? "," : "", d->name, v[i]);
		}
	}
	if(c->format == 2)
		printf("},\"gauges\":{");
	for(i = 0; i < N_GAUGES; i++) {
		double g = gauges[i].value(&in);
		if(c->format == 0) {
			if(gauges[i].fraction)
				printf("fluxguard.%s=%.6f\n", gauges[i].name, g);
			else
				printf("fluxguard.%s=%.0f\n", gauges[i].name, g);
		} else if(c->format == 1) {
			prom_name("fluxguard_", gauges[i].name, "", name, sizeof(name));
			printf("# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", name,
				gauges[i].doc, name, name, g);
		} else {
			printf("%s\"fluxguard.%s\":%.17g", i ? "," : "", gauges[i].name, g);
		}
	}
	if(c->format == 2)
		printf("}}\n");
	return 0;
}

static int
cmd_stats(struct control* c, char** argv, int argc)
{
	(void)argv; (void)argc;
	return stats(c, 1);
}

static int
cmd_stats_noreset(struct control* c, char** argv, int argc)
{
	(void)argv; (void)argc;
	return stats(c, 0);
}

/* --------------------------------------------------------------- status */

/** Whether a pid is alive (0 dead, 1 alive, -1 unknown). */
static int
pid_alive(int64_t pid)
{
	if(pid <= 0)
		return -1;
	if(kill((pid_t)pid, 0) == 0 || errno == EPERM)
		return 1;
	return 0;
}

static int
cmd_status(struct control* c, char** argv, int argc)
{
	struct fg_tracker* t = attach(c, 0);
	struct fg_tracker_info info;
	char text[4096];
	int64_t pid = 0;
	uint64_t started = 0;
	int alive;
	(void)argv; (void)argc;
	fg_tracker_get_info(t, &info);
	printf("segment: %s\n", info.segment);
	printf("format-version: %" PRIu32 "\n", info.version);
	printf("created: %" PRIu64 "\n", info.created);
	printf("generation: %" PRIu64 "\n", info.generation);
	alive = pid_alive(info.writer_pid);
	printf("writer-pid: %" PRId64 " (%s)\n", info.writer_pid,
		alive > 0 ? "running" : alive == 0 ? "not running" : "unknown");
	printf("clean-close: %s\n", info.clean_close ? "yes" : "no");
	printf("capacity: %" PRIu32 "\n", info.capacity);
	printf("used: %" PRIu32 "\n", info.used);
	printf("fill: %.6f\n", info.capacity ? (double)info.used / info.capacity : 0);
	printf("window: %" PRIu32 "\n", info.window);
	printf("bytes: %" PRIu64 "\n", info.bytes);
	printf("evictions: %" PRIu64 "\n", info.evictions);
	if(fg_tracker_read_config(t, &pid, &started, text, sizeof(text))) {
		alive = pid_alive(pid);
		printf("module-pid: %" PRId64 " (%s)\n", pid,
			alive > 0 ? "running" : alive == 0 ? "not running" : "unknown");
		printf("module-started: %" PRIu64 "\n", started);
		printf("config in force:\n%s", text);
		if(text[0] && text[strlen(text) - 1] != '\n')
			printf("\n");
	} else {
		printf("config in force: none published (no fluxguard module has "
			"started on this segment)\n");
	}
	fg_tracker_close(t);
	return 0;
}

/* ----------------------------------------------------------- list, show */

/** Records collected for list. */
struct collected {
	/** the records */
	struct fg_record_view* v;
	/** how many, and room for */
	size_t n, cap;
	/** only flagged */
	int flagged_only;
};

static int
collect(const struct fg_record_view* rec, void* arg)
{
	struct collected* c = arg;
	if(c->flagged_only && rec->verdict != FG_VERDICT_FLAGGED)
		return 1;
	if(c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct fg_record_view* v = realloc(c->v, cap * sizeof(*v));
		if(!v)
			die(EXIT_FAILURE, "out of memory");
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *rec;
	return 1;
}

static int
by_score(const void* a, const void* b)
{
	const struct fg_record_view* x = a, *y = b;
	return (x->score < y->score) - (x->score > y->score);
}

static int
by_last(const void* a, const void* b)
{
	const struct fg_record_view* x = a, *y = b;
	return (x->last_seen < y->last_seen) - (x->last_seen > y->last_seen);
}

static int
by_answers(const void* a, const void* b)
{
	const struct fg_record_view* x = a, *y = b;
	return (x->answers < y->answers) - (x->answers > y->answers);
}

static int
cmd_list(struct control* c, char** argv, int argc)
{
	struct fg_tracker* t = attach(c, 0);
	struct collected col;
	size_t i;
	(void)argv; (void)argc;
	memset(&col, 0, sizeof(col));
	col.flagged_only = c->flagged_only;
	fg_tracker_foreach(t, (uint64_t)time(NULL), collect, &col);
	fg_tracker_close(t);
	if(col.n)
		qsort(col.v, col.n, sizeof(col.v[0]),
			strcmp(c->sort, "last") == 0 ? by_last :
			strcmp(c->sort, "answers") == 0 ? by_answers : by_score);
	printf("%-40s %7s %-8s %8s %9s %11s\n", "domain", "score", "verdict",
		"answers", "addresses", "last-seen");
	for(i = 0; i < col.n && (c->top <= 0 || (long)i < c->top); i++) {
		char name[FG_NAME_MAX_STR];
		if(!fg_name_to_str(col.v[i].name, name, sizeof(name)))
			continue;
		printf("%-40s %7.1f %-8s %8" PRIu32 " %9" PRIu32 " %11" PRIu64 "\n",
			name, (double)col.v[i].score, verdict_name(col.v[i].verdict),
			col.v[i].answers, col.v[i].addr_distinct, col.v[i].last_seen);
	}
	free(col.v);
	return 0;
}

/** The closest enclosing zone of \p name with NS evidence (as the detector
 * scores it), into \p zone; 0 if none. */
static int
zone_of(struct fg_tracker* t, const uint8_t* name, uint64_t now,
	struct fg_record_view* zone)
{
	const uint8_t* p = name;
	while(*p) {
		p += 1 + *p;
		if(*p && fg_tracker_lookup(t, p, now, zone) && zone->ns_answers)
			return 1;
	}
	return 0;
}

static void
print_addr(const char* what, const struct fg_addr* a, const uint32_t* hits)
{
	char buf[FG_ADDR_MAX_STR];
	if(!fg_addr_to_str(a, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	printf("%s: %s", what, buf);
	if(a->asn)
		printf(" AS%" PRIu32, a->asn);
	if(a->country[0])
		printf(" %.2s", a->country);
	if(hits)
		printf(" seen %" PRIu32, *hits);
	printf("\n");
}

static int
cmd_show(struct control* c, char** argv, int argc)
{
	uint8_t name[FG_NAME_MAX_WIRE];
	char str[FG_NAME_MAX_STR], text[4096];
	struct fg_record_view rec, zone;
	struct fg_score_explain ex;
	struct fg_tracker* t;
	uint64_t now = (uint64_t)time(NULL);
	int has_zone;
	uint32_t i;
	(void)argc;
	parse_domain(argv[0], name, str);
	t = attach(c, 0);
	if(!fg_tracker_lookup(t, name, now, &rec)) {
		fg_tracker_close(t);
		die(EXIT_FAILURE, "show: %s is not tracked", str);
	}
	has_zone = zone_of(t, name, now, &zone);
	fg_tracker_close(t);
	printf("domain: %s\n", str);
	printf("verdict: %s\n", verdict_name(rec.verdict));
	printf("score: %.2f\n", (double)rec.score);
	printf("flagged-at: %" PRIu64 "\n", rec.flagged_at);
	printf("unflagged-by-operator: %s\n",
		rec.flags & FG_REC_UNFLAGGED_BY_OPERATOR ? "yes" : "no");
	printf("first-seen: %" PRIu64 "\n", rec.first_seen);
	printf("last-seen: %" PRIu64 "\n", rec.last_seen);
	printf("window-start: %" PRIu64 "\n", rec.window_start);
	printf("answers: %" PRIu32 "\n", rec.answers);
	printf("addresses-distinct: %" PRIu32 "\n", rec.addr_distinct);
	printf("addresses-new: %" PRIu32 "\n", rec.addr_new_total);
	printf("address-set-changes: %" PRIu32 "\n", rec.addr_changes);
	printf("addresses-per-answer-max: %" PRIu32 "\n", rec.addrs_per_answer_max);
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
	for(i = 0; i < rec.n_addrs && i < FG_TRACK_ADDRS; i++)
		print_addr("address", &rec.addrs[i], &rec.addr_hits[i]);
	for(i = 0; i < rec.n_asns && i < FG_TRACK_ASNS; i++)
		printf("asn: AS%" PRIu32 "\n", rec.asns[i]);
	for(i = 0; i < rec.n_countries && i < FG_TRACK_COUNTRIES; i++)
		printf("country: %.2s\n", rec.countries[i]);
	for(i = 0; i < rec.n_glue && i < FG_TRACK_GLUE; i++)
		print_addr("glue", &rec.glue[i], NULL);
	/* the explanation: the same scorer the module runs, on this copy */
	fg_score_record(&c->cfg.score, &rec, has_zone ? &zone : NULL, &ex);
	if(fg_score_explain_text(&ex, text, sizeof(text)))
		printf("explanation:\n%s%s", text,
			text[0] && text[strlen(text) - 1] != '\n' ? "\n" : "");
	return 0;
}

/* ------------------------------------------------- operator commands */

static int
set_verdict(struct control* c, const char* arg, enum fg_verdict verdict,
	const char* done)
{
	uint8_t name[FG_NAME_MAX_WIRE];
	char str[FG_NAME_MAX_STR];
	struct fg_record_view before;
	struct fg_tracker* t;
	int had;
	parse_domain(arg, name, str);
	t = attach(c, 1);
	had = fg_tracker_lookup(t, name, (uint64_t)time(NULL), &before);
	if(!fg_tracker_set_operator_verdict(t, name, (uint64_t)time(NULL), verdict)) {
		fg_tracker_close(t);
		die(EXIT_FAILURE, "%s: no room in its bucket (full of operator "
			"decisions)", str);
	}
	fg_tracker_close(t);
	if(had && before.verdict == FG_VERDICT_FLAGGED)
		printf("%s %s (was flagged, score %.1f)\n", done, str,
			(double)before.score);
	else if(had)
		printf("%s %s (was %s)\n", done, str, verdict_name(before.verdict));
	else
		printf("%s %s (was not tracked)\n", done, str);
	return 0;
}

static int
cmd_allow(struct control* c, char** argv, int argc)
{
	(void)argc;
	return set_verdict(c, argv[0], FG_VERDICT_ALLOWED, "allowed");
}

static int
cmd_deny(struct control* c, char** argv, int argc)
{
	(void)argc;
	return set_verdict(c, argv[0], FG_VERDICT_DENIED, "denied");
}

static int
cmd_unflag(struct control* c, char** argv, int argc)
{
	(void)argc;
	return set_verdict(c, argv[0], FG_VERDICT_CLEAN, "unflagged");
}

static int
cmd_flush(struct control* c, char** argv, int argc)
{
	struct fg_tracker* t;
	if(argc == 0) {
		struct fg_tracker_info info;
		t = attach(c, 1);
		fg_tracker_get_info(t, &info);
		fg_tracker_flush(t);
		(void)fg_tracker_journal_append(t, FG_JOURNAL_FLUSH, NULL);
		fg_tracker_close(t);
		printf("flushed %" PRIu32 " domains\n", info.used);
	} else {
		uint8_t name[FG_NAME_MAX_WIRE];
		char str[FG_NAME_MAX_STR];
		int had;
		parse_domain(argv[0], name, str);
		t = attach(c, 1);
		had = fg_tracker_forget(t, name);
		(void)fg_tracker_journal_append(t, FG_JOURNAL_FORGET, name);
		fg_tracker_close(t);
		printf(had ? "flushed %s\n" : "flushed %s (was not tracked)\n", str);
	}
	return 0;
}

static int
cmd_check_config(struct control* c, char** argv, int argc)
{
	struct fg_config cfg;
	char err[1024];
	(void)c; (void)argc;
	if(!fg_conf_load(argv[0], &cfg, err, sizeof(err)))
		die(EXIT_FAILURE, "%s", err);
	printf("%s: ok\n", argv[0]);
	fg_conf_free(&cfg);
	return 0;
}

/** Every command, in the order usage and the man page list them. */
static const struct command commands[] = {
	{ "status", "", 0, 0, 0, "show the segment (format version, creation, "
	  "generation, writer pids and whether they run, capacity and fill) and "
	  "the config the running module published", cmd_status },
	{ "stats", "", 0, 0, 1, "print the counters and gauges as name=value "
	  "lines, and reset the resettable counters, as unbound-control stats "
	  "does", cmd_stats },
	{ "stats_noreset", "", 0, 0, 0, "print the counters and gauges without "
	  "resetting anything", cmd_stats_noreset },
	{ "list", "", 0, 0, 0, "list the tracked domains: score, verdict, answers, "
	  "distinct addresses, last seen (--flagged, --top N, --sort "
	  "score|last|answers)", cmd_list },
	{ "show", "DOMAIN", 1, 1, 0, "everything the tracker holds about DOMAIN: "
	  "features, addresses with ASN and country, glue, verdict and since "
	  "when, and the score with its explanation", cmd_show },
	{ "allow", "DOMAIN", 1, 1, 1, "allow DOMAIN (that name; whole subtrees go "
	  "in allow: entries of the config): it is never blocked, from the next "
	  "query on, cache included, and the blocks of names below it are lifted",
	  cmd_allow },
	{ "deny", "DOMAIN", 1, 1, 1, "deny DOMAIN: it, and through its local zone "
	  "every name below it, is blocked with deny-action from within a second, "
	  "cache included", cmd_deny },
	{ "unflag", "DOMAIN", 1, 1, 1, "clear DOMAIN's flag (or an operator's allow "
	  "or deny): it resolves normally again, cache included", cmd_unflag },
	{ "flush", "[DOMAIN]", 0, 1, 1, "forget DOMAIN, or every domain, and lift "
	  "the blocks that came from them", cmd_flush },
	{ "check-config", "FILE", 1, 1, 0, "check a fluxguard.conf without "
	  "Unbound; errors are reported as FILE:LINE: option: what is wrong",
	  cmd_check_config },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/** Every option, for usage and the man page. */
static const struct {
	/** as typed */
	const char* flags;
	/** what it does */
	const char* doc;
} options[] = {
	{ "-c, --config FILE", "fluxguard.conf to take the segment and the score "
	  "parameters from (default: the file FLUXGUARD_CONF names, else the "
	  "embedded defaults)" },
	{ "-s, --segment SEGMENT", "the tracker segment, /name for POSIX shared "
	  "memory or a file path (default: the config's segment, /fluxguard)" },
	{ "--prometheus", "stats: Prometheus text exposition format" },
	{ "--json", "stats: one JSON object, with a version field" },
	{ "--with-unbound", "stats: prepend Unbound's own unbound-control "
	  "stats_noreset output (not with --json)" },
	{ "--unbound-control PATH", "the unbound-control to run (default: "
	  "unbound-control on PATH)" },
	{ "--unbound-config FILE", "passed to unbound-control as -c FILE" },
	{ "--flagged", "list: flagged domains only" },
	{ "--top N", "list: the first N only" },
	{ "--sort score|last|answers", "list: order (default score)" },
	{ "-h, --help", "this text" },
};
#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static void
usage(FILE* out)
{
	size_t i;
	fprintf(out, "usage: fluxguard-control [options] COMMAND [ARGS]\n"
		"options:\n");
	for(i = 0; i < N_OPTIONS; i++)
		fprintf(out, "  %-28s %s\n", options[i].flags, options[i].doc);
	fprintf(out, "commands:\n");
	for(i = 0; i < N_COMMANDS; i++) {
		char head[64];
		snprintf(head, sizeof(head), "%s %s", commands[i].name, commands[i].args);
		fprintf(out, "  %-28s %s\n", head, commands[i].doc);
	}
	fprintf(out, "exit status: 0 success, 1 error, 3 no fluxguard segment\n");
}

/** roff text: backslashes and hyphens escaped. */
static void
roff(const char* s)
{
	for(; *s; s++) {
		if(*s == '\\')
			fputs("\\e", stdout);
		else if(*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

/** The man page, from the tables. */
static void
man(void)
{
	size_t i;
	printf(".TH FLUXGUARD-CONTROL 8 \"\" \"fluxguard\" \"System Administration\"\n"
		".SH NAME\nfluxguard\\-control \\- manage and read a running fluxguard\n"
		".SH SYNOPSIS\n.B fluxguard\\-control\n[\\fIoptions\\fR] \\fIcommand\\fR "
		"[\\fIargs\\fR]\n.SH DESCRIPTION\n"
		"fluxguard\\-control reads and manages fluxguard, the fast\\-flux guard "
		"module for Unbound, in the style of\n.BR unbound\\-control (8).\n"
		"It maps fluxguard's shared\\-memory tracker directly, so it works while "
		"Unbound is under load and never blocks it.\n"
		"Commands that change verdicts write to the segment's journal; every "
		"running Unbound with fluxguard applies them within a second, its "
		"local zones and cache included.\n"
		"Its blocks appear in\n.BR \"unbound\\-control list_local_zones\" .\n"
		".SH OPTIONS\n");
	for(i = 0; i < N_OPTIONS; i++) {
		printf(".TP\n.B ");
		roff(options[i].flags);
		printf("\n");
		roff(options[i].doc);
		printf("\n");
	}
	printf(".SH COMMANDS\n");
	for(i = 0; i < N_COMMANDS; i++) {
		printf(".TP\n.B ");
		roff(commands[i].name);
		if(commands[i].args[0]) {
			printf(" \\fI");
			roff(commands[i].args);
			printf("\\fR");
		}
		printf("\n");
		roff(commands[i].doc);
		printf(".\n");
	}
	printf(".SH STATISTICS\nCounters (reset by\n.B stats\nwhere marked) and "
		"gauges, printed as\n.I fluxguard.name=value\nlines:\n");
	for(i = 0; i < FG_CTR_COUNT; i++) {
		printf(".TP\n.B fluxguard.");
		roff(fg_counter_descs[i].name);
		printf("\n");
		roff(fg_counter_descs[i].doc);
		printf("%s\n", fg_counter_descs[i].resettable ? " (reset by stats)." : ".");
	}
	for(i = 0; i < N_GAUGES; i++) {
		printf(".TP\n.B fluxguard.");
		roff(gauges[i].name);
		printf("\n");
		roff(gauges[i].doc);
		printf(" (gauge).\n");
	}
	printf(".SH EXIT STATUS\n0 on success, 1 on an error, 3 when no fluxguard "
		"segment exists (as\n.BR unbound\\-control (8)\nreturns 3 when no "
		"Unbound runs).\n.SH SEE ALSO\n.BR fluxguard.conf (5),\n"
		".BR unbound\\-control (8),\n.BR unbound.conf (5)\n");
}

int
main(int argc, char** argv)
{
	struct control c;
	char path[1024], err[1024];
	const char* config = NULL;
	size_t i;
	int opt;
	enum { O_PROM = 256, O_JSON, O_WITH_UB, O_UB_CTL, O_UB_CONF, O_FLAGGED,
		O_TOP, O_SORT, O_MAN };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "segment", required_argument, NULL, 's' },
		{ "prometheus", no_argument, NULL, O_PROM },
		{ "json", no_argument, NULL, O_JSON },
		{ "with-unbound", no_argument, NULL, O_WITH_UB },
		{ "unbound-control", required_argument, NULL, O_UB_CTL },
		{ "unbound-config", required_argument, NULL, O_UB_CONF },
		{ "flagged", no_argument, NULL, O_FLAGGED },
		{ "top", required_argument, NULL, O_TOP },
		{ "sort", required_argument, NULL, O_SORT },
		{ "man", no_argument, NULL, O_MAN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	memset(&c, 0, sizeof(c));
	c.unbound_control = "unbound-control";
	c.sort = "score";
	/* options may come before or after the command, as with unbound-control */
	while((opt = getopt_long(argc, argv, "c:s:h", longopts, NULL)) != -1) {
		char* end;
		switch(opt) {
		case 'c': config = optarg; break;
		case 's': c.segment = optarg; break;
		case O_PROM: c.format = 1; break;
		case O_JSON: c.format = 2; break;
		case O_WITH_UB: c.with_unbound = 1; break;
		case O_UB_CTL: c.unbound_control = optarg; break;
		case O_UB_CONF: c.unbound_config = optarg; break;
		case O_FLAGGED: c.flagged_only = 1; break;
		case O_TOP:
			errno = 0;
			c.top = strtol(optarg, &end, 10);
			if(errno || *end || c.top <= 0)
				die(EXIT_FAILURE, "--top: expected a positive number, got \"%s\"",
					optarg);
			break;
		case O_SORT:
			if(strcmp(optarg, "score") && strcmp(optarg, "last") &&
				strcmp(optarg, "answers"))
				die(EXIT_FAILURE, "--sort: expected score, last or answers, "
					"got \"%s\"", optarg);
			c.sort = optarg;
			break;
		case O_MAN: man(); return 0;
		case 'h': usage(stdout); return 0;
		default:
			die(EXIT_FAILURE, "bad option (try --help)");
		}
	}
	if(optind >= argc)
		die(EXIT_FAILURE, "no command given (try --help)");
	for(i = 0; i < N_COMMANDS; i++)
		if(strcmp(argv[optind], commands[i].name) == 0)
			break;
	if(i == N_COMMANDS)
		die(EXIT_FAILURE, "unknown command \"%s\" (try --help)", argv[optind]);
	if(argc - optind - 1 < commands[i].min_args ||
		argc - optind - 1 > commands[i].max_args)
		die(EXIT_FAILURE, "%s: expected %s%s", commands[i].name,
			commands[i].args[0] ? commands[i].args : "no arguments",
			commands[i].args[0] ? " as arguments" : "");
	if(c.with_unbound && c.format == 2)
		die(EXIT_FAILURE, "--with-unbound does not mix with --json");
	/* the config: segment name and score parameters */
	fg_conf_defaults(&c.cfg);
	if(commands[i].run != cmd_check_config) {
		if(!config) {
			if(!fg_conf_locate(NULL, path, sizeof(path), err, sizeof(err)))
				die(EXIT_FAILURE, "%s", err);
			config = path[0] ? path : NULL;
		}
		if(config && !fg_conf_load(config, &c.cfg, err, sizeof(err)))
			die(EXIT_FAILURE, "%s", err);
	}
	if(!c.segment)
		c.segment = c.cfg.segment;
	opt = commands[i].run(&c, argv + optind + 1, argc - optind - 1);
	fg_conf_free(&c.cfg);
	if(fflush(stdout) != 0 || ferror(stdout))
		die(EXIT_FAILURE, "writing the output: %s", strerror(errno));
	return opt;
}
