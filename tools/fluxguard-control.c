/**
 * \file
 * fluxguard-control: the operator's view of a running fluxguard, in the style
 * of unbound-control. It maps the tracker's shared-memory segment directly (no
 * daemon round trip), so it works while Unbound is under load and never blocks
 * it: readers copy records out under the tracker's seqlock protocol, and every
 * value read from the segment is bounds-checked by the tracker's readers. It
 * trusts the segment no further than its owner and mode allow (segment_check),
 * prints text out of it with control characters replaced, and runs a command
 * again when a resolver replaced the segment under it. Operator commands
 * write a verdict and a journal entry; every running Unbound applies the
 * journal within a second.
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

#include "fluxguard/array.h"
#include "fluxguard/conffile.h"
#include "fluxguard/counters.h"
#include "fluxguard/detect.h"
#include "fluxguard/geo.h"
#include "fluxguard/json.h"
#include "fluxguard/log.h"
#include "fluxguard/name.h"
#include "fluxguard/policy.h"
#include "fluxguard/score.h"
#include "fluxguard/tracker.h"
#include "fg_cli.h"
#include "fg_roff.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/** Exit status when no segment exists. */
#define EXIT_NO_SEGMENT 3
/** Version of the JSON outputs' layout. */
#define CONTROL_JSON_VERSION 1
/** Rows a plain list shows unless --top or --all says otherwise. */
#define LIST_DEFAULT_TOP 100

/** Command-line state. */
struct control {
	/** the command being run */
	const char* command;
	/** segment name or path */
	const char* segment;
	/** the config (segment name, score parameters) */
	struct fg_config cfg;
	/** stats output: 0 text, 1 Prometheus, 2 JSON */
	int format;
	/** stats: write the Prometheus exposition to this file instead (or
	 * NULL) */
	const char* textfile;
	/** prepend Unbound's own stats */
	int with_unbound;
	/** unbound-control to run, and its config file (or NULL) */
	const char* unbound_control;
	const char* unbound_config;
	/** list options: --flagged, --top N (0: not given), --all (also
	 * flush --all: the operator's decisions too), --sort */
	int flagged_only;
	long top;
	int all;
	const char* sort;
	/** check-config: print the effective config too */
	int verbose;
	/** the segment's file as attach found it (to notice a replacement) */
	struct stat seg_st;
	/** whether seg_st is known */
	int seg_st_ok;
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

/** One message line on standard error, as every message of the tool. */
static void
vsay(const char* fmt, va_list ap)
{
	fputs("fluxguard-control: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
die(int code, const char* fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(code);
}

/** Times a command re-runs when the segment was replaced under it. */
#define SEGMENT_RETRIES 3

static const char*
user_name(uid_t uid, char* buf, size_t len)
{
	struct passwd* pw = getpwuid(uid);
	if(pw)
		snprintf(buf, len, "user %s", pw->pw_name);
	else
		snprintf(buf, len, "uid %lu", (unsigned long)uid);
	return buf;
}

/** Whether this process is in group \p gid. */
static int
in_group(gid_t gid)
{
	gid_t groups[256];
	int n, i;
	if(getegid() == gid)
		return 1;
	n = getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);
	for(i = 0; i < n; i++)
		if(groups[i] == gid)
			return 1;
	return 0;
}

/**
 * Refuse a segment this user should not trust, or cannot use, before mapping
 * it: one that others could have written (its contents could be forged), or
 * one owned by another unprivileged user. Trusted: our own, root's, anything
 * for root, and for reading, a segment our group may read (the operators'
 * group of segment-mode 0640). fg_tracker_attach then refuses a damaged
 * segment or one of another format version.
 * \return 1 with \p st filled, 0 if there is nothing to stat (missing, or no
 *	file system path for it): attach then says why.
 */
static int
segment_check(const char* segment, int writable, struct stat* st)
{
	char path[1100], owner[300];
	uid_t euid = geteuid();
	fg_tracker_segment_path(segment, path, sizeof(path));
	if(stat(path, st) != 0)
		return 0;
	if(!S_ISREG(st->st_mode))
		die(EXIT_FAILURE, "segment %s: %s is not a regular file", segment,
			path);
	user_name(st->st_uid, owner, sizeof(owner));
	if(st->st_mode & (S_IWGRP | S_IWOTH))
		die(EXIT_FAILURE, "segment %s: writable by %s (mode %04o, owner "
			"%s): its contents could be forged, refusing it (fluxguard "
			"creates segments 0600 or 0640)", segment,
			st->st_mode & S_IWOTH ? "everyone" : "its group",
			(unsigned)(st->st_mode & 07777), owner);
	if(euid == 0 || st->st_uid == euid || st->st_uid == 0)
		return 1;
	if(!writable && (st->st_mode & S_IRGRP) && in_group(st->st_gid))
		return 1;
	die(EXIT_FAILURE, "segment %s: owned by %s (mode %04o), not by you or "
		"root: %s", segment, owner, (unsigned)(st->st_mode & 07777),
		writable ? "writing commands need that user or root" :
		"run as that user or root, or let an operators' group read it "
		"(segment-mode: 0640, segment-group:)");
	return 0;
}

/** The real uid of process \p pid, or (uid_t)-1 if it cannot be read. */
static uid_t
process_uid(long pid)
{
	char path[64], line[256];
	unsigned long uid;
	uid_t found = (uid_t)-1;
	FILE* f;
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if(!(f = fopen(path, "r")))
		return found;
	while(fgets(line, sizeof(line), f))
		if(sscanf(line, "Uid: %lu", &uid) == 1) {
			found = (uid_t)uid;
			break;
		}
	fclose(f);
	return found;
}

/** Whether process \p pid has fluxguard's module mapped. */
static int
runs_module(long pid)
{
	char path[64], line[4096];
	int found = 0;
	FILE* f;
	snprintf(path, sizeof(path), "/proc/%ld/maps", pid);
	if(!(f = fopen(path, "r")))
		return 0;
	while(!found && fgets(line, sizeof(line), f))
		found = strstr(line, "/fluxguard.so") != NULL;
	fclose(f);
	return found;
}

/**
 * As root, a segment owned by another user is trusted only if it is the
 * segment of a resolver that runs as that user: the writer the segment names
 * runs fluxguard's module, with the segment owner's uid. Otherwise any
 * local user could plant a segment whose text root then reads and acts on.
 */
static void
root_trust_check(struct control* c, struct fg_tracker* t, uid_t owner)
{
	struct fg_tracker_info info;
	char name[300];
	if(geteuid() != 0 || owner == 0)
		return;
	fg_tracker_get_info(t, &info);
	if(info.writer_pid > 0 && info.writer_pid < INT32_MAX &&
		process_uid((long)info.writer_pid) == owner &&
		runs_module((long)info.writer_pid))
		return;
	fg_tracker_close(t);
	die(EXIT_FAILURE, "segment %s: owned by %s, but no resolver runs "
		"fluxguard as that user (the writer it names, pid %lld, does "
		"not): its contents could be forged, refusing it as root; run as "
		"that user to read it", c->segment, user_name(owner, name,
		sizeof(name)), (long long)info.writer_pid);
}

/**
 * Whether process \p pid has fluxguard's module mapped but no tracker
 * segment: a resolver running degraded on its lists. Read from
 * /proc/PID/maps (root sees every process, others their own).
 */
static int
runs_without_segment(long pid)
{
	char path[64], line[4096];
	int module = 0, segment = 0;
	FILE* f;
	snprintf(path, sizeof(path), "/proc/%ld/maps", pid);
	if(!(f = fopen(path, "r")))
		return 0;
	while(fgets(line, sizeof(line), f)) {
		char* file = strchr(line, '/');
		char why[256];
		if(!file)
			continue;
		file[strcspn(file, "\n")] = 0;
		if(strstr(file, "/fluxguard.so"))
			module = 1;
		else if(!segment && !strstr(file, ".so") &&
			fg_tracker_probe(file, why, sizeof(why)) == 1)
			segment = 1;
	}
	fclose(f);
	return module && !segment;
}

/** A running process with the module and no segment, or 0. */
static long
degraded_module_process(void)
{
	DIR* d = opendir("/proc");
	struct dirent* de;
	long found = 0;
	if(!d)
		return 0;
	while(!found && (de = readdir(d))) {
		char* end;
		long pid = strtol(de->d_name, &end, 10);
		if(*end || pid <= 0 || pid == (long)getpid())
			continue;
		if(runs_without_segment(pid))
			found = pid;
	}
	closedir(d);
	return found;
}

/**
 * No segment: exit 3 as unbound-control does when nothing runs, unless a
 * resolver does run the module, without its segment: then it runs degraded
 * on its lists, which is an error of its own (exit 1).
 */
static void
no_segment(struct control* c, const char* err)
{
	long pid = degraded_module_process();
	if(pid)
		die(EXIT_FAILURE, "segment %s does not exist, but process %ld "
			"has fluxguard loaded: it runs degraded, on its allow and "
			"deny lists only (its log says why)", c->segment, pid);
	die(EXIT_NO_SEGMENT, "%s", err);
}

/**
 * Attach, or exit with unbound-control's codes. The segment is checked before
 * it is mapped, and again after: /dev/shm is writable by everyone, so a
 * segment that was missing at the first check could have been planted before
 * the attach opened it (the sticky bit keeps anyone but its owner from
 * swapping an existing one).
 */
static struct fg_tracker*
attach(struct control* c, int writable)
{
	char err[512];
	int missing, had, attempt;
	struct fg_tracker* t;
	struct stat before;
	for(attempt = 1; ; attempt++) {
		missing = 0;
		had = segment_check(c->segment, writable, &before);
		t = fg_tracker_attach(c->segment, writable, &missing, err,
			sizeof(err));
		if(!t) {
			if(!missing && strstr(err, "ermission") && had) {
				char owner[300];
				die(EXIT_FAILURE, "%s (owner %s, mode %04o: %s)", err,
					user_name(before.st_uid, owner, sizeof(owner)),
					(unsigned)(before.st_mode & 07777), writable ?
					"writing commands need that user or root" :
					"run as that user or root, or let an operators' "
					"group read it (segment-mode: 0640, "
					"segment-group:)");
			}
			if(missing)
				no_segment(c, err);
			die(EXIT_FAILURE, "%s", err);
		}
		c->seg_st_ok = segment_check(c->segment, writable, &c->seg_st);
		if(c->seg_st_ok)
			root_trust_check(c, t, c->seg_st.st_uid);
		if(!c->seg_st_ok && !had)
			return t; /* no file system view of it (not Linux) */
		if(c->seg_st_ok && (!had || (before.st_dev == c->seg_st.st_dev &&
			before.st_ino == c->seg_st.st_ino)))
			return t;
		fg_tracker_close(t);
		if(attempt == SEGMENT_RETRIES)
			die(EXIT_FAILURE, "segment %s: replaced while attaching, "
				"%d times in a row; try again", c->segment, attempt);
	}
}

/**
 * Whether the segment was replaced since attach (a resolver rebuilt it under
 * a new object, as Varnish's readers notice a restarted writer): what was
 * read or written went to the old one, and the command runs again.
 */
static int
segment_replaced(const struct control* c)
{
	char path[1100];
	struct stat st;
	if(!c->seg_st_ok)
		return 0;
	fg_tracker_segment_path(c->segment, path, sizeof(path));
	if(stat(path, &st) != 0)
		return 1;
	return st.st_dev != c->seg_st.st_dev || st.st_ino != c->seg_st.st_ino;
}

/** Length of the well-formed UTF-8 sequence at \p p (1 to 4), 0 if none
 * (overlong forms, surrogates and code points past U+10FFFF are not). */
static size_t
utf8_len(const unsigned char* p)
{
	size_t n, i;
	if(p[0] < 0x80)
		return 1;
	n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 :
		p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : 0;
	if(p[0] >= 0xf5)
		n = 0;
	for(i = 1; i < n; i++)
		if((p[i] & 0xc0) != 0x80)
			return 0;
	if((n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) ||
		(p[0] == 0xed && p[1] >= 0xa0))) ||
		(n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) ||
		(p[0] == 0xf4 && p[1] >= 0x90))))
		return 0;
	return n;
}

/** The code point of the \p n-octet UTF-8 sequence at \p p. */
static uint32_t
utf8_code_point(const unsigned char* p, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = p[0] & lead_mask[n];
	size_t i;
	for(i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

/** Print text that came out of the segment: control characters (a forged
 * segment could hold terminal escapes) become '?'. */
static void
print_clean(const char* s)
{
	const unsigned char* p = (const unsigned char*)s;
	while(*p) {
		size_t n = utf8_len(p);
		uint32_t cp = n ? utf8_code_point(p, n) : 0;
		/* C0 and C1 controls (ESC, CSI 0x9b, ...), DEL and anything
		 * that is not UTF-8 would reach the terminal as commands */
		if(n == 0 || (cp < 0x20 && cp != '\n' && cp != '\t') ||
			(cp >= 0x7f && cp <= 0x9f)) {
			putchar('?');
			p += n ? n : 1;
			continue;
		}
		fwrite(p, 1, n, stdout);
		p += n;
	}
}

/** Seconds since the epoch as ISO 8601 UTC, 2024-05-01T12:00:00Z ("?"
 * for a time out of range: the value came out of the segment). The one
 * spelling of a time that status, show, list and the JSON share. */
static const char*
utc_str(uint64_t t, char* buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if(t > (uint64_t)INT32_MAX * 4 || !gmtime_r(&tt, &tm) ||
		!strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "?");
	return buf;
}

/** Seconds since the epoch with the UTC time, for status and show. */
static void
print_time(const char* label, uint64_t t)
{
	char buf[64];
	if(t == 0) {
		printf("%s: never\n", label);
		return;
	}
	printf("%s: %" PRIu64 " (%s)\n", label, t, utc_str(t, buf, sizeof(buf)));
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
	/** 1 if the module published a degraded health, else 0 */
	int degraded;
};

/**
 * A value computed when read, not stored: the gauges, and the evictions the
 * segment has counted since its creation (which only grow, so Prometheus
 * gets them as a counter). Text and JSON name them as stats prints them;
 * Prometheus by their metric, with units in the name, and a label where
 * several of them are one metric (domains by verdict).
 */
struct gauge {
	/** name after "fluxguard." */
	const char* name;
	/** description */
	const char* doc;
	/** its value */
	double (*value)(const struct gauge_input* in);
	/** print with 6 decimals (unbound-control's style for times) */
	int fraction;
	/** Prometheus metric and type */
	const char* metric;
	const char* type;
	/** Prometheus label name and value ("" and "" for none) */
	const char* label;
	const char* label_value;
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
static double g_degraded(const struct gauge_input* in)
	{ return in->degraded; }
static double g_up(const struct gauge_input* in)
	{ return in->now > in->info.created ? (double)(in->now - in->info.created) : 0; }

/** Every gauge. */
static const struct gauge gauges[] = {
	{ "domains.tracked", "domains the tracker holds (stale ones included until evicted)",
	  g_tracked, 0, "fluxguard_domains_tracked", "gauge", "", "" },
	{ "domains.flagged", "domains whose verdict is flagged",
	  g_flagged, 0, "fluxguard_domains", "gauge", "verdict", "flagged" },
	{ "domains.allowed", "domains an operator allowed (fluxguard-control allow)",
	  g_allowed, 0, "fluxguard_domains", "gauge", "verdict", "allowed" },
	{ "domains.denied", "domains an operator denied (fluxguard-control deny)",
	  g_denied, 0, "fluxguard_domains", "gauge", "verdict", "denied" },
	{ "tracker.evictions", "records evicted to make room, since the segment was created",
	  g_evictions, 0, "fluxguard_tracker_evictions_total", "counter", "", "" },
	{ "segment.bytes", "size of the shared-memory segment",
	  g_bytes, 0, "fluxguard_segment_size_bytes", "gauge", "", "" },
	{ "segment.capacity", "domains the segment can hold",
	  g_capacity, 0, "fluxguard_segment_capacity", "gauge", "", "" },
	{ "segment.fill", "domains held / capacity",
	  g_fill, 1, "fluxguard_segment_fill_ratio", "gauge", "", "" },
	{ "health.degraded", "1 while the module runs degraded (a database, the "
	  "configuration: status says which), else 0",
	  g_degraded, 0, "fluxguard_degraded", "gauge", "", "" },
	{ "time.up", "seconds since the segment was created",
	  g_up, 1, "fluxguard_segment_age_seconds", "gauge", "", "" },
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

/** A Prometheus HELP text: backslash and newline escaped, as the format says. */
static void
print_prom_help(FILE* out, const char* s)
{
	while(*s) {
		size_t plain = strcspn(s, "\\\n");
		fwrite(s, 1, plain, out);
		s += plain;
		if(*s)
			fputs(*s++ == '\n' ? "\\n" : "\\\\", out);
	}
}

/** One sample of fluxguard's Prometheus exposition. */
struct prom_sample {
	/** metric name */
	char metric[128];
	/** "counter" or "gauge" */
	const char* type;
	/** label name and value ("" and "" for none) */
	const char* label;
	const char* label_value;
	/** what it measures (HELP; joined over the samples of one metric) */
	const char* doc;
	/** the value as printed */
	char value[40];
};

/**
 * Print samples grouped by metric, as the format wants every sample of a
 * metric together after one HELP and one TYPE line: in the order each metric
 * first appears (the counter list cannot be reordered, its order is the
 * segment's slots). A metric of several labelled samples gets each sample's
 * description in its HELP line, label="value": what it counts.
 */
static void
prom_print(FILE* out, const struct prom_sample* s, size_t n)
{
	size_t i, j;
	for(i = 0; i < n; i++) {
		int seen = 0, first = 1;
		for(j = 0; j < i && !seen; j++)
			seen = strcmp(s[j].metric, s[i].metric) == 0;
		if(seen)
			continue;
		fprintf(out, "# HELP %s ", s[i].metric);
		for(j = i; j < n; j++) {
			if(strcmp(s[j].metric, s[i].metric) != 0)
				continue;
			if(s[j].label[0])
				fprintf(out, "%s%s=\"%s\": ", first ? "" : "; ",
					s[j].label, s[j].label_value);
			print_prom_help(out, s[j].doc);
			first = 0;
		}
		fprintf(out, "\n# TYPE %s %s\n", s[i].metric, s[i].type);
		for(j = i; j < n; j++) {
			char series[256];
			if(strcmp(s[j].metric, s[i].metric) != 0)
				continue;
			fg_prom_series(s[j].metric, s[j].label, s[j].label_value,
				series, sizeof(series));
			fprintf(out, "%s %s\n", series, s[j].value);
		}
	}
}

/** Unbound's own statistics: the output of unbound-control stats_noreset. */
struct unbound_stats {
	/** the output, NUL-terminated */
	char* text;
	/** its length */
	size_t len;
};

/** Whether \p dir holds an executable file \p name; its path in \p buf. */
static int
unbound_control_at(const char* dir, const char* name, char* buf, size_t len)
{
	struct stat st;
	snprintf(buf, len, "%s/%s", *dir ? dir : ".", name);
	return stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		access(buf, X_OK) == 0;
}

/**
 * The unbound-control to run: \p name as it is if it has a slash, else the
 * first executable \p name in the directory fluxguard-control runs from (both
 * installed in Unbound's sbin), the sbin of the Unbound prefix configure was
 * given, then PATH, which a cron job or a systemd unit often has without
 * sbin. Exits naming every place tried when none has it.
 * \return \p name or \p buf.
 */
static const char*
unbound_control_find(const char* name, char* buf, size_t len)
{
	char self[1024], tried[3000] = "";
	const char* path = getenv("PATH");
	const char* p;
	ssize_t n;
	if(strchr(name, '/'))
		return name;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if(n > 0) {
		self[n] = 0;
		*strrchr(self, '/') = 0; /* the kernel's path is absolute */
		if(unbound_control_at(*self ? self : "/", name, buf, len))
			return buf;
		snprintf(tried, sizeof(tried), "%s, ", buf);
	}
	if(unbound_control_at(FG_UNBOUND_PREFIX "/sbin", name, buf, len))
		return buf;
	snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s", buf);
	for(p = path; p && *p; ) {
		size_t dlen = strcspn(p, ":");
		char dir[1024];
		snprintf(dir, sizeof(dir), "%.*s", (int)dlen, p);
		if(unbound_control_at(dir, name, buf, len))
			return buf;
		p += dlen;
		if(*p == ':')
			p++;
	}
	die(EXIT_FAILURE, "%s not found: tried %s and the directories of PATH "
		"(%s); name it with --unbound-control PATH", name, tried,
		path && *path ? path : "empty");
}

/**
 * Run unbound-control [-c FILE] stats_noreset (no shell: the paths are passed
 * as they are) and keep its output. Its own errors go to standard error.
 */
static void
unbound_stats_read(const struct control* c, struct unbound_stats* out)
{
	const char* args[5];
	char prog[1100];
	size_t cap = 65536, n = 0;
	int fd[2], status, i = 0;
	pid_t pid;
	ssize_t r;
	args[i++] = unbound_control_find(c->unbound_control, prog, sizeof(prog));
	if(c->unbound_config) {
		args[i++] = "-c";
		args[i++] = c->unbound_config;
	}
	args[i++] = "stats_noreset";
	args[i] = NULL;
	fflush(stdout);
	if(pipe(fd) != 0)
		die(EXIT_FAILURE, "pipe: %s", strerror(errno));
	pid = fork();
	if(pid < 0)
		die(EXIT_FAILURE, "fork: %s", strerror(errno));
	if(pid == 0) {
		close(fd[0]);
		if(dup2(fd[1], STDOUT_FILENO) < 0)
			_exit(127);
		close(fd[1]);
		execv(args[0], (char* const*)args);
		fprintf(stderr, "fluxguard-control: cannot run %s: %s\n",
			args[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	out->text = malloc(cap);
	if(!out->text)
		die(EXIT_FAILURE, "out of memory");
	for(;;) {
		if(n + 1 == cap) {
			char* p = realloc(out->text, cap * 2);
			if(!p)
				die(EXIT_FAILURE, "out of memory");
			out->text = p;
			cap *= 2;
		}
		r = read(fd[0], out->text + n, cap - 1 - n);
		if(r < 0 && errno == EINTR)
			continue;
		if(r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd[0]);
	out->text[n] = 0;
	out->len = n;
	while(waitpid(pid, &status, 0) < 0)
		if(errno != EINTR)
			die(EXIT_FAILURE, "waitpid: %s", strerror(errno));
	if(WIFEXITED(status) && WEXITSTATUS(status) == 127)
		exit(EXIT_FAILURE); /* the child said why */
	if(!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die(EXIT_FAILURE, "%s stats_noreset failed (%s %d)", args[0],
			WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ?
			WEXITSTATUS(status) : WTERMSIG(status));
}

/** Whether \p v is a plain finite number (what Unbound prints), as strtod
 * reads it. */
static int
stat_number(const char* v, double* d)
{
	char* end;
	if(!*v || strspn(v, "0123456789.eE+-") != strlen(v))
		return 0;
	*d = strtod(v, &end);
	return *end == 0 && isfinite(*d);
}

/** Whether \p v is already a JSON number in the form Unbound prints
 * (digits, maybe a fraction), so it can be copied as it is. */
static int
json_number(const char* v)
{
	if(*v == '0' && v[1] && v[1] != '.')
		return 0;
	if(!(*v >= '0' && *v <= '9'))
		return 0;
	v += strspn(v, "0123456789");
	if(*v == '.') {
		v++;
		if(!(*v >= '0' && *v <= '9'))
			return 0;
		v += strspn(v, "0123456789");
	}
	return *v == 0;
}

/**
 * Print Unbound's name=value lines: as they are for text; as untyped metrics
 * unbound_NAME for Prometheus (the histogram lines are buckets of one
 * histogram, which name-per-line cannot express: exporters rebuild it, this
 * leaves it out; a name that maps onto one already printed is left out, as
 * the format allows each once); as members of a JSON object.
 */
static void
unbound_stats_print(FILE* out, const struct control* c,
	const struct unbound_stats* u)
{
	char* line, *next, *eq;
	char** seen = NULL;
	size_t n_seen = 0, i;
	int first = 1;
	if(c->format == 0) {
		fwrite(u->text, 1, u->len, out);
		if(u->len && u->text[u->len - 1] != '\n')
			fputc('\n', out);
		return;
	}
	for(line = u->text; *line; line = next) {
		char name[512];
		double v;
		next = line + strcspn(line, "\n");
		if(*next)
			*next++ = 0;
		eq = strchr(line, '=');
		if(!eq || eq == line)
			continue;
		*eq = 0;
		if(!stat_number(eq + 1, &v))
			continue; /* not a number: nothing either format can take */
		if(c->format == 2) {
			fputs(first ? "" : ",", out);
			fg_json_fputs(out, line);
			if(json_number(eq + 1))
				fprintf(out, ":%s", eq + 1);
			else
				fprintf(out, ":%.17g", v);
			first = 0;
			continue;
		}
		if(strncmp(line, "histogram.", 10) == 0)
			continue;
		prom_name("unbound_", line, "", name, sizeof(name));
		for(i = 0; i < n_seen; i++)
			if(strcmp(seen[i], name) == 0)
				break;
		if(i < n_seen)
			continue;
		seen = realloc(seen, (n_seen + 1) * sizeof(*seen));
		if(!seen || !(seen[n_seen++] = strdup(name)))
			die(EXIT_FAILURE, "out of memory");
		fprintf(out, "# HELP %s Unbound's %s (unbound-control stats_noreset)\n"
			"# TYPE %s untyped\n%s %s\n", name, line, name, name, eq + 1);
	}
	for(i = 0; i < n_seen; i++)
		free(seen[i]);
	free(seen);
}

/** Whether the config the module published says it runs degraded. */
static int
published_degraded(struct fg_tracker* t)
{
	static char text[65536];
	int64_t pid;
	uint64_t started;
	if(!fg_tracker_read_config(t, &pid, &started, text, sizeof(text)))
		return 0;
	return strstr(text, "# health: degraded") != NULL;
}

/** Everything stats prints, read from the segment in one attach. */
struct stats_read {
	/** the counters */
	uint64_t v[FG_CTR_COUNT];
	/** what the gauges are computed from */
	struct gauge_input in;
};

static void
stats_read(struct control* c, int reset, struct stats_read* r)
{
	unsigned char resettable[FG_CTR_COUNT];
	struct fg_tracker* t;
	size_t i;
	int attempt;
	for(i = 0; i < FG_CTR_COUNT; i++)
		resettable[i] = (unsigned char)fg_counter_descs[i].resettable;
	for(attempt = 1; ; attempt++) {
		t = attach(c, reset);
		memset(r, 0, sizeof(*r));
		r->in.now = (uint64_t)time(NULL);
		fg_tracker_get_info(t, &r->in.info);
		fg_tracker_foreach(t, r->in.now, count_verdicts, &r->in);
		r->in.degraded = published_degraded(t);
		fg_tracker_counters_read(t, r->v, FG_CTR_COUNT, reset, resettable);
		fg_tracker_close(t);
		/* after a reset, what was read is the old segment's final tally:
		 * print it, as unbound-control does after a restart */
		if(reset || attempt == SEGMENT_RETRIES || !segment_replaced(c))
			break;
	}
}

/** The counters and gauges as unbound-control prints its own: name=value. */
static void
stats_print_text(FILE* out, const struct stats_read* r)
{
	size_t i;
	for(i = 0; i < FG_CTR_COUNT; i++)
		fprintf(out, "fluxguard.%s=%" PRIu64 "\n", fg_counter_descs[i].name,
			r->v[i]);
	for(i = 0; i < N_GAUGES; i++)
		fprintf(out, gauges[i].fraction ? "fluxguard.%s=%.6f\n" :
			"fluxguard.%s=%.0f\n", gauges[i].name,
			gauges[i].value(&r->in));
}

/** The counters and gauges in the Prometheus text format (the metric names
 * and labels of the counter list and the gauge table). */
static void
stats_print_prom(FILE* out, const struct stats_read* r)
{
	struct prom_sample s[FG_CTR_COUNT + N_GAUGES];
	size_t i, n = 0;
	for(i = 0; i < FG_CTR_COUNT; i++, n++) {
		const struct fg_counter_desc* d = &fg_counter_descs[i];
		fg_counter_prom_metric(d, s[n].metric, sizeof(s[n].metric));
		s[n].type = "counter";
		s[n].label = d->label;
		s[n].label_value = d->label_value;
		s[n].doc = d->doc;
		snprintf(s[n].value, sizeof(s[n].value), "%" PRIu64, r->v[i]);
	}
	for(i = 0; i < N_GAUGES; i++, n++) {
		snprintf(s[n].metric, sizeof(s[n].metric), "%s", gauges[i].metric);
		s[n].type = gauges[i].type;
		s[n].label = gauges[i].label;
		s[n].label_value = gauges[i].label_value;
		s[n].doc = gauges[i].doc;
		snprintf(s[n].value, sizeof(s[n].value), "%.17g",
			gauges[i].value(&r->in));
	}
	prom_print(out, s, n);
}

/** One JSON object: version, segment, time (epoch and UTC), counters and
 * gauges by their stats names, and Unbound's numbers if read. */
static void
stats_print_json(FILE* out, const struct control* c, const struct stats_read* r,
	const struct unbound_stats* ub)
{
	char utc[64];
	size_t i;
	fprintf(out, "{\"version\":%d,\"segment\":", CONTROL_JSON_VERSION);
	fg_json_fputs(out, r->in.info.segment);
	fprintf(out, ",\"time\":%" PRIu64 ",\"time_utc\":\"%s\",\"counters\":{",
		r->in.now, utc_str(r->in.now, utc, sizeof(utc)));
	for(i = 0; i < FG_CTR_COUNT; i++)
		fprintf(out, "%s\"fluxguard.%s\":%" PRIu64, i ? "," : "",
			fg_counter_descs[i].name, r->v[i]);
	fprintf(out, "},\"gauges\":{");
	for(i = 0; i < N_GAUGES; i++)
		fprintf(out, "%s\"fluxguard.%s\":%.17g", i ? "," : "",
			gauges[i].name, gauges[i].value(&r->in));
	fprintf(out, "}");
	if(c->with_unbound) {
		fprintf(out, ",\"unbound\":{");
		unbound_stats_print(out, c, ub);
		fprintf(out, "}");
	}
	fprintf(out, "}\n");
}

/**
 * node_exporter's textfile collector reads every *.prom file of its directory
 * at each of its scrapes, so a file rewritten in place could be read half
 * written. The exposition goes to a temporary file beside \p path instead,
 * named so that the collector skips it (a leading dot, no .prom at the end),
 * and textfile_commit renames it over \p path: a reader sees the old file or
 * the new one, never a mix. Mode 0666 less the umask, as the shell's
 * `> FILE` would give, so that node_exporter's user can read it.
 * \return the stream; \p tmp gets the temporary file's name.
 */
static FILE*
textfile_open(const char* path, char* tmp, size_t len)
{
	const char* slash = strrchr(path, '/');
	const char* base = slash ? slash + 1 : path;
	mode_t mask;
	FILE* f;
	int fd;
	if(!*base)
		die(EXIT_FAILURE, "--textfile %s: not a file name", path);
	if(!slash)
		snprintf(tmp, len, ".%s.XXXXXX", base);
	else
		snprintf(tmp, len, "%.*s/.%s.XXXXXX", (int)(slash - path), path,
			base);
	fd = mkstemp(tmp);
	if(fd < 0)
		die(EXIT_FAILURE, "--textfile %s: cannot create a temporary file "
			"beside it: %s", path, strerror(errno));
	mask = umask(0);
	umask(mask);
	if(fchmod(fd, 0666 & ~mask) != 0 || !(f = fdopen(fd, "w"))) {
		int err = errno;
		close(fd);
		unlink(tmp);
		die(EXIT_FAILURE, "--textfile %s: %s: %s", path, tmp, strerror(err));
	}
	return f;
}

/** Flush the temporary file to disk and rename it over \p path; on any
 * failure remove it and exit, leaving \p path as it was. */
static void
textfile_commit(FILE* f, const char* tmp, const char* path)
{
	int err = 0;
	errno = 0;
	if(fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)
		err = errno ? errno : EIO;
	if(fclose(f) != 0 && !err)
		err = errno;
	if(!err && rename(tmp, path) != 0)
		err = errno;
	if(err) {
		unlink(tmp);
		die(EXIT_FAILURE, "--textfile %s: %s", path, strerror(err));
	}
}

/**
 * stats and stats_noreset. A Prometheus scrape never resets, whichever of
 * the two ran it: its counters must only grow, and a second scraper (or a
 * retried scrape) would otherwise see them vanish; it also needs only read
 * access, so an operators' group can scrape.
 */
static int
stats(struct control* c, int reset)
{
	struct stats_read r;
	struct unbound_stats ub;
	char tmp[1100];
	FILE* out = stdout;
	if(c->format == 1)
		reset = 0;
	stats_read(c, reset, &r);
	memset(&ub, 0, sizeof(ub));
	if(c->with_unbound)
		unbound_stats_read(c, &ub);
	/* everything is read: only now the temporary file, which an error
	 * while reading would leave behind */
	if(c->textfile)
		out = textfile_open(c->textfile, tmp, sizeof(tmp));
	if(c->format == 2) {
		stats_print_json(out, c, &r, &ub);
	} else {
		if(c->with_unbound)
			unbound_stats_print(out, c, &ub);
		if(c->format == 1)
			stats_print_prom(out, &r);
		else
			stats_print_text(out, &r);
	}
	if(c->textfile)
		textfile_commit(out, tmp, c->textfile);
	free(ub.text);
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
	struct fg_tracker* t;
	struct fg_tracker_info info;
	char text[4096];
	int64_t pid = 0;
	uint64_t started = 0;
	int alive, published, attempt;
	(void)argv; (void)argc;
	for(attempt = 1; ; attempt++) {
		t = attach(c, 0);
		fg_tracker_get_info(t, &info);
		published = fg_tracker_read_config(t, &pid, &started, text,
			sizeof(text));
		fg_tracker_close(t);
		if(attempt == SEGMENT_RETRIES || !segment_replaced(c))
			break;
	}
	printf("segment: ");
	print_clean(info.segment);
	printf("\nformat-version: %" PRIu32 "\n", info.version);
	print_time("created", info.created);
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
	if(published) {
		alive = pid_alive(pid);
		printf("module-pid: %" PRId64 " (%s)\n", pid,
			alive > 0 ? "running" : alive == 0 ? "not running" : "unknown");
		print_time("module-started", started);
		printf("config in force:\n");
		print_clean(text);
		if(text[0] && text[strlen(text) - 1] != '\n')
			printf("\n");
	} else {
		printf("config in force: none published (no fluxguard module has "
			"started on this segment)\n");
	}
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
	if(!fg_array_grow((void**)&c->v, &c->cap, c->n, sizeof(*c->v), 1024))
		die(EXIT_FAILURE, "out of memory");
	c->v[c->n++] = *rec;
	return 1;
}

/** A score to sort by: a NaN out of the segment sorts last, so that the
 * comparison stays a total order (glibc's qsort misbehaves without one). */
static double
sort_score(float f)
{
	return isnan(f) ? -HUGE_VAL : (double)f;
}

static int
by_score(const void* a, const void* b)
{
	double x = sort_score(((const struct fg_record_view*)a)->score);
	double y = sort_score(((const struct fg_record_view*)b)->score);
	return (x < y) - (x > y);
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

/** A time as two JSON members, NAME (epoch seconds) and NAME_utc (ISO
 * 8601), both null for 0 (never). */
static void
list_json_time(const char* name, uint64_t t)
{
	char utc[64];
	if(t == 0)
		printf(",\"%s\":null,\"%s_utc\":null", name, name);
	else
		printf(",\"%s\":%" PRIu64 ",\"%s_utc\":\"%s\"", name, t, name,
			utc_str(t, utc, sizeof(utc)));
}

/** list --json: one object with the segment, the time, how many domains
 * there are and are shown, and the shown ones. */
static void
list_json(const struct fg_tracker_info* info, uint64_t now,
	const struct collected* col, size_t n)
{
	char utc[64], name[FG_NAME_MAX_STR];
	size_t i;
	printf("{\"version\":%d,\"segment\":", CONTROL_JSON_VERSION);
	fg_json_fputs(stdout, info->segment);
	printf(",\"time\":%" PRIu64 ",\"time_utc\":\"%s\",\"total\":%zu,"
		"\"shown\":%zu,\"domains\":[", now, utc_str(now, utc, sizeof(utc)),
		col->n, n);
	for(i = 0; i < n; i++) {
		const struct fg_record_view* v = &col->v[i];
		if(!fg_name_to_str(v->name, name, sizeof(name)))
			snprintf(name, sizeof(name), "?");
		printf("%s{\"domain\":", i ? "," : "");
		fg_json_fputs(stdout, name);
		if(isfinite(v->score))
			printf(",\"score\":%.2f", (double)v->score);
		else
			printf(",\"score\":null");
		printf(",\"verdict\":\"%s\",\"answers\":%" PRIu32 ",\"addresses\":%"
			PRIu32, fg_verdict_name(v->verdict), v->answers,
			v->addr_distinct);
		list_json_time("first_seen", v->first_seen);
		list_json_time("last_seen", v->last_seen);
		list_json_time("flagged_at", v->flagged_at);
		printf("}");
	}
	printf("]}\n");
}

static int
cmd_list(struct control* c, char** argv, int argc)
{
	struct fg_tracker* t;
	struct fg_tracker_info info;
	struct collected col;
	size_t i, n, width = 6;
	char (*names)[FG_NAME_MAX_STR];
	char utc[64];
	uint64_t now = 0;
	int attempt;
	(void)argv; (void)argc;
	memset(&col, 0, sizeof(col));
	for(attempt = 1; ; attempt++) {
		col.n = 0;
		col.flagged_only = c->flagged_only;
		t = attach(c, 0);
		now = (uint64_t)time(NULL);
		fg_tracker_get_info(t, &info);
		fg_tracker_foreach(t, now, collect, &col);
		fg_tracker_close(t);
		if(attempt == SEGMENT_RETRIES || !segment_replaced(c))
			break;
	}
	if(col.n)
		qsort(col.v, col.n, sizeof(col.v[0]),
			strcmp(c->sort, "last") == 0 ? by_last :
			strcmp(c->sort, "answers") == 0 ? by_answers : by_score);
	/* a terminal wants a screenful, a program (--json) everything */
	n = col.n;
	if(c->top > 0 && (size_t)c->top < n)
		n = (size_t)c->top;
	else if(!c->top && !c->all && c->format != 2 && n > LIST_DEFAULT_TOP)
		n = LIST_DEFAULT_TOP;
	if(c->format == 2) {
		list_json(&info, now, &col, n);
		free(col.v);
		return 0;
	}
	names = calloc(n ? n : 1, sizeof(*names));
	if(!names)
		die(EXIT_FAILURE, "out of memory");
	for(i = 0; i < n; i++) {
		if(!fg_name_to_str(col.v[i].name, names[i], sizeof(names[i])))
			snprintf(names[i], sizeof(names[i]), "?");
		if(strlen(names[i]) > width)
			width = strlen(names[i]);
	}
	printf("%-*s %7s %-8s %8s %9s %11s %s\n", (int)width, "domain",
		"score", "verdict", "answers", "addresses", "last-seen",
		"last-seen-utc");
	for(i = 0; i < n; i++)
		printf("%-*s %7.1f %-8s %8" PRIu32 " %9" PRIu32 " %11" PRIu64
			" %s\n", (int)width, names[i], (double)col.v[i].score,
			fg_verdict_name(col.v[i].verdict), col.v[i].answers,
			col.v[i].addr_distinct, col.v[i].last_seen,
			utc_str(col.v[i].last_seen, utc, sizeof(utc)));
	if(n < col.n && !c->top)
		printf("(%zu more %s not shown: --top N or --all shows them)\n",
			col.n - n, c->flagged_only ? "flagged domains" : "domains");
	free(names);
	free(col.v);
	return 0;
}

/** A country code out of the segment: two letters, or "??". */
static const char*
country_str(const char* cc)
{
	static char buf[3];
	if(cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z') {
		buf[0] = cc[0];
		buf[1] = cc[1];
	} else {
		buf[0] = buf[1] = '?';
	}
	buf[2] = 0;
	return buf;
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
		printf(" %s", country_str(a->country));
	if(hits)
		printf(" seen %" PRIu32, *hits);
	printf("\n");
}

/**
 * For a name the module blocked because of another one (its CNAME chain
 * ends at a flagged or denied name): the name it follows, and what that
 * name's verdict now means for it. \p cause is that name's record, NULL
 * if it is not tracked.
 */
static void
print_follows(const struct fg_record_view* rec,
	const struct fg_record_view* cause)
{
	char str[FG_NAME_MAX_STR];
	if(!fg_name_to_str(rec->cause, str, sizeof(str)))
		return;
	printf("follows: %s\n", str);
	if(!cause) {
		printf("follows-verdict: not tracked (blocked as an alias of it "
			"only while a deny list names it)\n");
		return;
	}
	switch(cause->verdict) {
	case FG_VERDICT_FLAGGED:
		printf("follows-verdict: flagged, score %.2f (blocked as an "
			"alias of it: its CNAME chain ends there)\n",
			(double)cause->score);
		break;
	case FG_VERDICT_DENIED:
		printf("follows-verdict: denied (blocked as an alias of it: "
			"its CNAME chain ends there)\n");
		break;
	default:
		printf("follows-verdict: %s, score %.2f (no longer blocked "
			"because of it, unless a deny list names it)\n",
			fg_verdict_name(cause->verdict), (double)cause->score);
		break;
	}
}

static int
cmd_show(struct control* c, char** argv, int argc)
{
	uint8_t name[FG_NAME_MAX_WIRE];
	char str[FG_NAME_MAX_STR], text[4096];
	struct fg_record_view rec, zone, cause;
	struct fg_score_explain ex;
	struct fg_tracker* t;
	uint64_t now = (uint64_t)time(NULL);
	int has_zone, has_cause, found, attempt;
	uint32_t i;
	(void)argc;
	parse_domain(argv[0], name, str);
	for(attempt = 1; ; attempt++) {
		t = attach(c, 0);
		found = fg_tracker_lookup(t, name, now, &rec);
		has_zone = found && fg_detect_find_zone(t, name, now, &rec, &zone);
		has_cause = found && rec.cause_len &&
			fg_tracker_lookup(t, rec.cause, now, &cause);
		fg_tracker_close(t);
		if(attempt == SEGMENT_RETRIES || !segment_replaced(c))
			break;
	}
	if(!found)
		die(EXIT_FAILURE, "show: %s is not tracked", str);
	printf("domain: %s\n", str);
	printf("verdict: %s\n", fg_verdict_name(rec.verdict));
	if(rec.cause_len)
		print_follows(&rec, has_cause ? &cause : NULL);
	printf("score: %.2f\n", (double)rec.score);
	print_time("flagged-at", rec.flagged_at);
	printf("unflagged-by-operator: %s\n",
		rec.flags & FG_REC_UNFLAGGED_BY_OPERATOR ? "yes" : "no");
	print_time("first-seen", rec.first_seen);
	print_time("last-seen", rec.last_seen);
	print_time("window-start", rec.window_start);
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
		printf("country: %s\n", country_str(rec.countries[i]));
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

/*
 * A write that went to a segment replaced meanwhile (a resolver rebuilt it)
 * reached no resolver: the operator commands are idempotent, so they run
 * again on the new one.
 */

/**
 * Rewrite the operator's decisions file \p path: drop every line for
 * \p entry (either list), then add `LIST ENTRY` when \p list is not NULL.
 * Atomic (a temporary file in the same directory, then rename), keeping the
 * file's mode and owner; a new file is 0644 (Unbound's user reads it).
 * \return 1 if a line for \p entry was there before.
 */
static int
decisions_update(const char* path, const char* entry, const char* list)
{
	char tmp[PATH_MAX], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int had = 0, fd;
	struct stat st;
	FILE* in = fopen(path, "r");
	FILE* out;
	time_t now = time(NULL);
	if(!in && errno != ENOENT)
		die(EXIT_FAILURE, "decisions file %s: %s", path, strerror(errno));
	if(snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		die(EXIT_FAILURE, "decisions file %s: name too long", path);
	fd = mkstemp(tmp);
	if(fd < 0 || !(out = fdopen(fd, "w")))
		die(EXIT_FAILURE, "decisions file %s: cannot write beside it: %s",
			path, strerror(errno));
	if(in && fstat(fileno(in), &st) == 0) {
		(void)fchmod(fd, st.st_mode & 07777);
		(void)fchown(fd, st.st_uid, st.st_gid);
	} else {
		(void)fchmod(fd, 0644);
		fprintf(out, "# fluxguard operator decisions, kept by "
			"fluxguard-control (allow ENTRY or deny ENTRY per line)\n");
	}
	while(in && (len = getline(&line, &cap, in)) >= 0) {
		char* s = line;
		size_t w;
		while(*s == ' ' || *s == '\t')
			s++;
		w = strcspn(s, " \t");
		if(*s != '#' && ((w == 5 && strncmp(s, "allow", 5) == 0) ||
			(w == 4 && strncmp(s, "deny", 4) == 0))) {
			char* e = s + w;
			size_t el;
			while(*e == ' ' || *e == '\t')
				e++;
			el = strcspn(e, " \t\r\n#");
			if(el == strlen(entry) && strncasecmp(e, entry, el) == 0) {
				had = 1;
				continue;
			}
		}
		fputs(line, out);
	}
	free(line);
	if(in)
		fclose(in);
	if(list)
		fprintf(out, "%s %s # %s by uid %u at %lld\n", list, entry, list,
			(unsigned)getuid(), (long long)now);
	if(fflush(out) != 0 || fsync(fd) != 0 || fclose(out) != 0 ||
		rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		die(EXIT_FAILURE, "decisions file %s: %s", path, strerror(e));
	}
	return had;
}

/**
 * allow, deny and unflag ENTRY, with the config's entry syntax (a domain and
 * everything below it, exact:NAME, ASnnn, an address or CIDR prefix). The
 * decision is kept in the decisions file (durable: it survives flushes,
 * capacity changes and damaged segments) and every resolver re-reads its
 * lists; for a name, the tracker's verdict changes too, at once.
 */
static int
set_verdict(struct control* c, const char* arg, enum fg_verdict verdict,
	const char* done)
{
	uint8_t name[FG_NAME_MAX_WIRE];
	char str[FG_NAME_MAX_STR], why[512];
	struct fg_record_view before;
	struct fg_tracker* t;
	const char* file = c->cfg.decisions_file;
	const char* list = verdict == FG_VERDICT_ALLOWED ? "allow" :
		verdict == FG_VERDICT_DENIED ? "deny" : NULL;
	int had = 0, was_kept = 0, is_name, exact = 0, attempt;
	if(!fg_policy_entry_check(arg, why, sizeof(why)))
		die(EXIT_FAILURE, "\"%s\" is not an entry: %s", arg, why);
	is_name = fg_policy_entry_name(arg, name, &exact);
	if(is_name && name[0] == 0)
		die(EXIT_FAILURE, "the root cannot be allowed, denied or unflagged");
	if(!file && !is_name)
		die(EXIT_FAILURE, "%s: an ASN or address entry needs a decisions "
			"file (decisions-file: in fluxguard.conf)", arg);
	if(file)
		was_kept = decisions_update(file, arg, list);
	for(attempt = 1; ; attempt++) {
		uint64_t now = (uint64_t)time(NULL);
		t = attach(c, 1);
		if(is_name) {
			if(attempt == 1)
				had = fg_tracker_lookup(t, name, now, &before);
			if(!fg_tracker_set_operator_verdict(t, name, now,
				verdict)) {
				fg_tracker_close(t);
				die(EXIT_FAILURE, "%s: no room in its bucket (full "
					"of operator decisions)", arg);
			}
		}
		if(file)
			(void)fg_tracker_journal_append(t, FG_JOURNAL_DECISIONS,
				NULL);
		fg_tracker_close(t);
		if(attempt == SEGMENT_RETRIES || !segment_replaced(c))
			break;
	}
	/* names as the tracker shows them, other entries as given */
	if(!is_name || !fg_name_to_str(name, str, sizeof(str)))
		snprintf(str, sizeof(str), "%s", arg);
	if(had && before.verdict == FG_VERDICT_FLAGGED)
		printf("%s %s%s (was flagged, score %.1f)", done,
			exact ? "exact:" : "", str, (double)before.score);
	else if(had)
		printf("%s %s%s (was %s)", done, exact ? "exact:" : "", str,
			fg_verdict_name(before.verdict));
	else if(is_name)
		printf("%s %s%s (was not tracked)", done, exact ? "exact:" : "",
			str);
	else
		printf("%s %s", done, str);
	if(file && list)
		printf("; kept in %s\n", file);
	else if(file)
		printf("; %s %s\n", was_kept ? "removed from" : "was not in", file);
	else
		printf("; in the tracker only (no decisions file)\n");
	return 0;
}

/** allow, deny and unflag: the verdict each command sets and the word
 * that reports it. */
static const struct {
	/** the command */
	const char* name;
	/** the verdict it sets */
	enum fg_verdict verdict;
	/** what it reports it did */
	const char* done;
} verdict_commands[] = {
	{ "allow", FG_VERDICT_ALLOWED, "allowed" },
	{ "deny", FG_VERDICT_DENIED, "denied" },
	{ "unflag", FG_VERDICT_CLEAN, "unflagged" }
};

static int
cmd_set_verdict(struct control* c, char** argv, int argc)
{
	size_t i;
	(void)argc;
	for(i = 0; i < sizeof(verdict_commands) / sizeof(verdict_commands[0]);
		i++)
		if(strcmp(c->command, verdict_commands[i].name) == 0)
			return set_verdict(c, argv[0],
				verdict_commands[i].verdict,
				verdict_commands[i].done);
	die(EXIT_FAILURE, "%s: not a verdict command", c->command);
}

static int
cmd_flush(struct control* c, char** argv, int argc)
{
	struct fg_tracker* t;
	uint8_t name[FG_NAME_MAX_WIRE];
	char str[FG_NAME_MAX_STR];
	uint32_t forgotten = 0, busy = 0;
	int had = 0, attempt, dropped = 0;
	if(argc > 0) {
		if(c->all)
			die(EXIT_FAILURE, "flush: --all goes without a DOMAIN");
		parse_domain(argv[0], name, str);
	}
	if(argc == 0 && c->all && c->cfg.decisions_file &&
		remove(c->cfg.decisions_file) == 0)
		dropped = 1;
	for(attempt = 1; ; attempt++) {
		t = attach(c, 1);
		if(argc == 0) {
			/* operator decisions stay unless --all */
			forgotten += fg_tracker_flush(t, !c->all, &busy);
			(void)fg_tracker_journal_append(t, FG_JOURNAL_FLUSH, NULL);
			if(dropped)
				(void)fg_tracker_journal_append(t,
					FG_JOURNAL_DECISIONS, NULL);
		} else {
			had |= fg_tracker_forget(t, name);
			(void)fg_tracker_journal_append(t, FG_JOURNAL_FORGET, name);
		}
		fg_tracker_close(t);
		if(attempt == SEGMENT_RETRIES || !segment_replaced(c))
			break;
	}
	if(argc > 0)
		printf(had ? "flushed %s\n" : "flushed %s (was not tracked)\n", str);
	else if(c->all)
		printf("flushed %" PRIu32 " domains, operator decisions included%s\n",
			forgotten, dropped ? " (decisions file removed)" : "");
	else
		printf("flushed %" PRIu32 " domains; operator decisions kept "
			"(flush --all forgets them too)\n", forgotten);
	if(busy) {
		fprintf(stderr, "fluxguard-control: flush: %" PRIu32 " buckets "
			"were left as they were: their lock stayed held (a stuck "
			"writer); run flush again\n", busy);
		return EXIT_FAILURE;
	}
	return 0;
}

/** What check-config found so far. */
struct check {
	/** errors reported */
	int errors;
};

/** The check in progress, for the log sink (which has no argument). */
static struct check* current_check;

/** Report one error of check-config. */
static void
check_error(struct check* k, const char* fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
check_error(struct check* k, const char* fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	k->errors++;
}

/** A config error (fg_conf_check's report). */
static void
check_conf_report(const char* msg, void* arg)
{
	check_error(arg, "%s", msg);
}

/** What the core logs while the lists load: a skipped list-file line is
 * no error to the module, but check-config names and counts it. */
static void
check_log(enum fg_log_level level, const char* msg)
{
	if(level > FG_LOG_WARN || !current_check)
		return;
	if(strstr(msg, "; line skipped"))
		check_error(current_check, "%s", msg);
	else /* a file's summary of its skipped lines */
		fprintf(stderr, "fluxguard-control: %s\n", msg);
}

/** Read one list file (\p which FG_LIST_NONE: the decisions file) into
 * \p p, its bad lines and read errors reported. */
static void
check_list_file(struct check* k, struct fg_policy* p, enum fg_list which,
	const char* option, const char* path)
{
	char err[1024];
	int ok;
	current_check = k;
	fg_log_set_sink(check_log);
	ok = which == FG_LIST_NONE ?
		fg_policy_load_decisions(p, path, err, sizeof(err)) :
		fg_policy_load_file(p, which, path, err, sizeof(err));
	fg_log_set_sink(NULL);
	current_check = NULL;
	if(!ok)
		check_error(k, "%s: %s", option, err);
}

/** Every list file and the decisions file, each on its own, so that one
 * missing file hides no error of another. */
static void
check_lists(struct check* k, const char* file, const struct fg_config* cfg)
{
	struct fg_policy* p = fg_policy_create();
	size_t i;
	if(!p) {
		check_error(k, "%s: out of memory", file);
		return;
	}
	for(i = 0; i < cfg->allow_files.n; i++)
		check_list_file(k, p, FG_LIST_ALLOW, "allow-file",
			cfg->allow_files.v[i].value);
	for(i = 0; i < cfg->deny_files.n; i++)
		check_list_file(k, p, FG_LIST_DENY, "deny-file",
			cfg->deny_files.v[i].value);
	if(cfg->decisions_file)
		check_list_file(k, p, FG_LIST_NONE, "decisions-file",
			cfg->decisions_file);
	fg_policy_delete(p);
}

/** The geo databases, opened as the module would: unreadable or the wrong
 * kind is an error, older than geo-max-age a warning. */
static void
check_databases(struct check* k, const char* file, const struct fg_config* cfg)
{
	char err[1024];
	struct fg_geo* geo;
	int kind;
	if(!cfg->asn_db && !cfg->country_db)
		return;
	geo = fg_geo_create(cfg->asn_db, cfg->country_db, err, sizeof(err));
	if(!geo) {
		check_error(k, "%s: %s", file, err);
		return;
	}
	for(kind = FG_GEO_ASN; kind <= FG_GEO_COUNTRY; kind++)
		if(fg_geo_age_warning(geo, (enum fg_geo_kind)kind,
			cfg->geo_max_age, time(NULL), err, sizeof(err)))
			fprintf(stderr, "fluxguard-control: warning: %s: %s\n",
				file, err);
	fg_geo_delete(geo);
}

/** A file's directory must exist and be writable: \p what names it. */
static void
check_dir_of(struct check* k, const char* file, const char* what,
	const char* path)
{
	char dir[PATH_MAX];
	char* slash;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if(!slash)
		snprintf(dir, sizeof(dir), ".");
	else if(slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	if(access(dir, W_OK) != 0)
		check_error(k, "%s: %s: directory %s: %s", file, what, dir,
			strerror(errno));
}

/**
 * check-config: everything the module would read (the file and its
 * includes, the list files and the decisions file, the databases) and the
 * places it would write (the event log's directory, the segment), every
 * error reported, not just the first.
 */
static int
cmd_check_config(struct control* c, char** argv, int argc)
{
	struct fg_config cfg;
	struct check k;
	char err[1024];
	int probe;
	(void)argc;
	memset(&k, 0, sizeof(k));
	if(!fg_conf_check(argv[0], &cfg, check_conf_report, &k)) {
		fprintf(stderr, "fluxguard-control: %s: %d error%s\n", argv[0],
			k.errors, k.errors == 1 ? "" : "s");
		return EXIT_FAILURE;
	}
	check_lists(&k, argv[0], &cfg);
	check_databases(&k, argv[0], &cfg);
	if(cfg.event_log)
		check_dir_of(&k, argv[0], "event-log", cfg.event_log);
	probe = fg_tracker_probe(cfg.segment, err, sizeof(err));
	if(probe < 0)
		check_error(&k, "%s: segment %s: %s", argv[0], cfg.segment, err);
	else if(probe == 0 && cfg.segment[0] == '/' &&
		strchr(cfg.segment + 1, '/'))
		check_dir_of(&k, argv[0], "segment", cfg.segment);
	if(k.errors) {
		fprintf(stderr, "fluxguard-control: %s: %d error%s\n", argv[0],
			k.errors, k.errors == 1 ? "" : "s");
		fg_conf_free(&cfg);
		return EXIT_FAILURE;
	}
	printf("%s: ok\n", argv[0]);
	if(c->verbose)
		fg_conf_print(stdout, &cfg);
	fg_conf_free(&cfg);
	return 0;
}

/** Every command, in the order usage and the man page list them. */
static const struct command commands[] = {
	{ "status", "", 0, 0, 0, "show the segment (format version, creation, "
	  "generation, writer pids and whether they run, capacity and fill) and "
	  "the config the running module published, which begins with the "
	  "asn-db and country-db files in use and their build times (as the "
	  "module opened them: status does not open them itself)", cmd_status },
	{ "stats", "", 0, 0, 1, "print the counters and gauges as name=value "
	  "lines, and reset the resettable counters, as unbound-control stats "
	  "does (not with --prometheus: a scrape never resets)", cmd_stats },
	{ "stats_noreset", "", 0, 0, 0, "print the counters and gauges without "
	  "resetting anything", cmd_stats_noreset },
	{ "list", "", 0, 0, 0, "list the tracked domains: score (as of the last "
	  "answer scored, 0.0 if none was: answers that cannot reach the "
	  "threshold are not), "
	  "verdict, answers, distinct addresses, last seen (epoch seconds and UTC); the first 100, "
	  "and a closing line saying how many more there are, unless --top N or "
	  "--all (--flagged, --sort score|last|answers, --json)", cmd_list },
	{ "show", "DOMAIN", 1, 1, 0, "everything the tracker holds about DOMAIN: "
	  "features, addresses with ASN and country, glue, verdict and since "
	  "when, and the score with its explanation; for a name blocked as an "
	  "alias (its CNAME chain ends at a flagged or denied name), the name "
	  "it follows (follows:) and that name's verdict and score now "
	  "(follows-verdict:)", cmd_show },
	{ "allow", "ENTRY", 1, 1, 1, "allow ENTRY, in the config's entry syntax "
	  "(example.com and everything below it, exact:NAME, ASnnn, an address or "
	  "CIDR prefix): never blocked, from within a second, cache included; kept "
	  "in the decisions file, so it survives flushes, restarts and a rebuilt "
	  "segment", cmd_set_verdict },
	{ "deny", "ENTRY", 1, 1, 1, "deny ENTRY (the same syntax): blocked with "
	  "deny-action from within a second, cache included; kept in the "
	  "decisions file", cmd_set_verdict },
	{ "unflag", "ENTRY", 1, 1, 1, "clear ENTRY's flag and take back an "
	  "operator's allow or deny of it (removed from the decisions file): it "
	  "resolves normally again, cache included; its evidence window starts "
	  "afresh, and its score does not flag it again within it (allow keeps "
	  "it unblocked for good)", cmd_set_verdict },
	{ "flush", "[DOMAIN]", 0, 1, 1, "forget DOMAIN, or every domain but the "
	  "operator's decisions (--all: those too, and the decisions file), and "
	  "lift the blocks that came from them; buckets whose lock a stuck "
	  "writer holds are left as they were, counted, exit status 1", cmd_flush },
	{ "check-config", "FILE", 1, 1, 0, "check a fluxguard.conf without "
	  "Unbound: everything the module would read (the file and its "
	  "includes, the list files and the decisions file, the databases) and "
	  "where it would write (the event log's directory, the segment), and "
	  "print FILE: ok (with -v, the effective config too, every option with "
	  "its default filled in). Every error is reported, not just the first, "
	  "as FILE:LINE: option: what is wrong (a bad list-file line as "
	  "LISTFILE:LINE), then FILE: N errors, exit status 1. A database that "
	  "cannot be read or holds the wrong kind of data is an error, one "
	  "built longer ago than geo-max-age a warning; a segment path holding "
	  "something that is not a segment is an error", cmd_check_config },
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
	{ "--prometheus", "stats: Prometheus text exposition format, one metric "
	  "per meaning with a label telling its values apart "
	  "(fluxguard_actions_total{action=\"refuse\"}), _total on counters, "
	  "units in the names (STATISTICS lists every series); a scrape never "
	  "resets the counters, even through stats" },
	{ "--textfile FILE", "stats: write the Prometheus exposition to FILE "
	  "instead of printing it, for node_exporter's textfile collector "
	  "(FILE in its --collector.textfile.directory, ending in .prom): "
	  "atomically, through a temporary file beside it renamed over it, so "
	  "the collector never reads a half-written file; implies --prometheus" },
	{ "--json", "stats and list: one JSON object with a version field (1), "
	  "the segment and the time (epoch seconds and UTC, as every time in "
	  "it); for stats counters, gauges (and unbound) objects, for list the "
	  "total, the number shown (all unless --top N) and a domains array" },
	{ "-u, --with-unbound", "stats: also run unbound-control stats_noreset "
	  "and print Unbound's numbers first (as untyped unbound_NAME metrics "
	  "with --prometheus, without the histogram lines; as an unbound object "
	  "with --json)" },
	{ "--unbound-control PATH", "the unbound-control to run; a name without "
	  "a slash (default unbound-control) is looked for in the directory "
	  "fluxguard-control runs from, then in the sbin directory of the "
	  "Unbound prefix fluxguard was configured with (--version shows it), "
	  "then on PATH, so that -u works from cron or a systemd unit whose PATH "
	  "lacks sbin" },
	{ "--unbound-config FILE", "passed to unbound-control as -c FILE" },
	{ "--flagged", "list: flagged domains only" },
	{ "--top N", "list: the first N only" },
	{ "--all", "list: every domain (a plain list shows the first 100)" },
	{ "--sort score|last|answers", "list: order (default score)" },
	{ "-v, --verbose", "check-config: print the effective config" },
	{ "--version", "print the version of fluxguard, the segment format "
	  "version this build reads and writes, and the Unbound prefix it looks "
	  "for unbound-control in" },
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
		fg_roff_tag("", options[i].flags, "");
		fg_roff_text(options[i].doc);
		printf("\n");
	}
	printf(".SH COMMANDS\n");
	for(i = 0; i < N_COMMANDS; i++) {
		printf(".TP\n.B ");
		fg_roff_text(commands[i].name);
		if(commands[i].args[0]) {
			printf(" \\fI");
			fg_roff_text(commands[i].args);
			printf("\\fR");
		}
		printf("\n");
		fg_roff_text(commands[i].doc);
		printf(".\n");
	}
	printf(".SH STATISTICS\nCounters (reset by\n.B stats\nwhere marked) and "
		"gauges, printed as\n.I fluxguard.name=value\nlines, and with\n"
		".B \\-\\-prometheus\nas the series named after each:\n");
	for(i = 0; i < FG_CTR_COUNT; i++) {
		char metric[128], series[256];
		fg_counter_prom_metric(&fg_counter_descs[i], metric, sizeof(metric));
		fg_prom_series(metric, fg_counter_descs[i].label,
			fg_counter_descs[i].label_value, series, sizeof(series));
		fg_roff_tag("fluxguard.", fg_counter_descs[i].name, "");
		fg_roff_text(fg_counter_descs[i].doc);
		printf("%s Prometheus: ", fg_counter_descs[i].resettable ?
			" (reset by stats)." : ".");
		fg_roff_text(series);
		printf(" (counter).\n");
	}
	for(i = 0; i < N_GAUGES; i++) {
		char series[256];
		fg_prom_series(gauges[i].metric, gauges[i].label,
			gauges[i].label_value, series, sizeof(series));
		fg_roff_tag("fluxguard.", gauges[i].name, "");
		fg_roff_text(gauges[i].doc);
		printf(". Prometheus: ");
		fg_roff_text(series);
		printf(" (%s).\n", gauges[i].type);
	}
	printf(".PP\nThe gauges are computed when read;\n.B time.up\ncounts from the "
		"creation of the segment (which survives Unbound's restarts and "
		"reloads), not from the start of the module: see\n.B status\nfor "
		"that.\n"
		".PP\nA Prometheus scrape never resets the counters, whether it runs "
		"through\n.B stats\nor\n.BR stats_noreset :\nits counters only grow, "
		"as Prometheus' rate() expects, and several scrapers do not disturb "
		"each other (a plain\n.B stats\nstill resets them for every reader, "
		"which Prometheus takes as a counter reset, as it does a new "
		"segment).\n"
		".SH SEGMENT ACCESS\n"
		"The segment is refused, with one line saying why, when it is "
		"damaged or of another format version, when its group or others may "
		"write it (its contents could be forged), or when it belongs to "
		"another user than the caller or root and the caller is not root; "
		"a member of the segment's group may read a segment of mode 0640 "
		"(segment\\-mode and segment\\-group in\n.BR fluxguard.conf (5)).\n"
		"Writing commands, and\n.B stats\nwhich resets counters (a Prometheus "
		"scrape does not), need the owner (Unbound's user) or root.\n"
		"Everything read from the segment is bounds\\-checked, and text "
		"out of it is printed with control characters replaced.\n"
		"A command that finds the segment was replaced while it ran (a "
		"resolver rebuilt it) runs again on the new one.\n"
		".SH ENVIRONMENT\n.TP\n.B FLUXGUARD_CONF\nthe fluxguard.conf to read "
		"when\n.B \\-c\nis not given.\n");
	printf(".SH EXIT STATUS\n0 on success, 1 on an error, 3 when no fluxguard "
		"segment exists and no resolver runs the module (as\n"
		".BR unbound\\-control (8)\nreturns 3 when no Unbound runs); "
		"1 with a message saying so when a resolver runs the module "
		"without its segment (degraded, on its lists only).\n.SH SEE ALSO\n.BR fluxguard.conf (5),\n"
		".BR fluxguard\\-replay (1),\n.BR unbound\\-control (8),\n"
		".BR unbound.conf (5)\n");
}

/** Whether command \p cmd is one of the stats commands. */
static int
is_stats(const struct command* cmd)
{
	return cmd->run == cmd_stats || cmd->run == cmd_stats_noreset;
}

/**
 * A segment shrunk (truncated by someone) while it is mapped: the next read
 * past its new end raises SIGBUS. Say so in one line and exit, instead of
 * dying with a signal; only async-signal-safe calls here.
 */
static void
on_sigbus(int sig)
{
	static const char msg[] = "fluxguard-control: the segment shrank while "
		"it was being read (truncated by another process?); nothing "
		"more was read\n";
	(void)sig;
	if(write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to say it with */
	}
	_exit(EXIT_FAILURE);
}

int
main(int argc, char** argv)
{
	struct control c;
	char path[1024], err[1024];
	const char* config = NULL;
	const struct command* cmd;
	int opt, stats_opts = 0, list_opts = 0, json = 0;
	size_t i;
	enum { O_PROM = 256, O_TEXTFILE, O_JSON, O_UB_CTL, O_UB_CONF, O_FLAGGED,
		O_TOP, O_ALL, O_SORT, O_MAN, O_VERSION };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "segment", required_argument, NULL, 's' },
		{ "prometheus", no_argument, NULL, O_PROM },
		{ "textfile", required_argument, NULL, O_TEXTFILE },
		{ "json", no_argument, NULL, O_JSON },
		{ "with-unbound", no_argument, NULL, 'u' },
		{ "unbound-control", required_argument, NULL, O_UB_CTL },
		{ "unbound-config", required_argument, NULL, O_UB_CONF },
		{ "flagged", no_argument, NULL, O_FLAGGED },
		{ "top", required_argument, NULL, O_TOP },
		{ "all", no_argument, NULL, O_ALL },
		{ "sort", required_argument, NULL, O_SORT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "man", no_argument, NULL, O_MAN },
		{ "version", no_argument, NULL, O_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	memset(&c, 0, sizeof(c));
	signal(SIGBUS, on_sigbus);
	c.unbound_control = "unbound-control";
	c.sort = "score";
	opterr = 0; /* our own one-line messages */
	/* options may come before or after the command, as with unbound-control */
	while((opt = getopt_long(argc, argv, ":c:s:uvh", longopts, NULL)) != -1) {
		char* end;
		switch(opt) {
		case 'c': config = optarg; break;
		case 's': c.segment = optarg; break;
		case O_PROM: c.format = 1; stats_opts = 1; break;
		case O_TEXTFILE: c.textfile = optarg; stats_opts = 1; break;
		case O_JSON: c.format = 2; json = 1; break;
		case 'u': c.with_unbound = 1; stats_opts = 1; break;
		case O_UB_CTL: c.unbound_control = optarg; stats_opts = 1; break;
		case O_UB_CONF: c.unbound_config = optarg; stats_opts = 1; break;
		case O_FLAGGED: c.flagged_only = 1; list_opts = 1; break;
		case O_TOP:
			errno = 0;
			c.top = strtol(optarg, &end, 10);
			if(errno || end == optarg || *end || c.top <= 0)
				die(EXIT_FAILURE, "--top: expected a positive number, got \"%s\"",
					optarg);
			list_opts = 1;
			break;
		case O_ALL: c.all = 1; break; /* list and flush */
		case O_SORT:
			if(strcmp(optarg, "score") && strcmp(optarg, "last") &&
				strcmp(optarg, "answers"))
				die(EXIT_FAILURE, "--sort: expected score, last or answers, "
					"got \"%s\"", optarg);
			c.sort = optarg;
			list_opts = 1;
			break;
		case 'v': c.verbose = 1; break;
		case O_MAN: man(); return 0;
		case O_VERSION:
			fg_cli_version("fluxguard-control", 1);
			printf("unbound prefix: %s\n", FG_UNBOUND_PREFIX);
			return 0;
		case 'h': usage(stdout); return 0;
		case ':':
			die(EXIT_FAILURE, "option %s needs an argument (try --help)",
				argv[optind - 1]);
		default:
			if(optopt && optopt < 256)
				die(EXIT_FAILURE, "unknown option -%c (try --help)", optopt);
			die(EXIT_FAILURE, "unknown option %s (try --help)",
				argv[optind - 1]);
		}
	}
	if(optind >= argc)
		die(EXIT_FAILURE, "no command given (try --help)");
	for(i = 0; i < N_COMMANDS; i++)
		if(strcmp(argv[optind], commands[i].name) == 0)
			break;
	if(i == N_COMMANDS)
		die(EXIT_FAILURE, "unknown command \"%s\" (try --help)", argv[optind]);
	cmd = &commands[i];
	if(argc - optind - 1 < cmd->min_args || argc - optind - 1 > cmd->max_args)
		die(EXIT_FAILURE, "%s: expected %s%s", cmd->name,
			cmd->args[0] ? cmd->args : "no arguments",
			cmd->args[0] ? " as arguments" : "");
	if(stats_opts && !is_stats(cmd))
		die(EXIT_FAILURE, "%s: --prometheus, --textfile, --with-unbound, "
			"--unbound-control and --unbound-config are stats options",
			cmd->name);
	if(c.textfile && c.format == 2)
		die(EXIT_FAILURE, "%s: --textfile writes the Prometheus format, "
			"not --json", cmd->name);
	if(c.textfile)
		c.format = 1;
	if(list_opts && cmd->run != cmd_list)
		die(EXIT_FAILURE, "%s: --flagged, --top and --sort are list "
			"options", cmd->name);
	if(c.all && cmd->run != cmd_list && cmd->run != cmd_flush)
		die(EXIT_FAILURE, "%s: --all is a list and flush option", cmd->name);
	if(json && !is_stats(cmd) && cmd->run != cmd_list)
		die(EXIT_FAILURE, "%s: --json is a stats and list option", cmd->name);
	if(c.top && c.all)
		die(EXIT_FAILURE, "%s: --top N and --all do not go together",
			cmd->name);
	if(c.verbose && cmd->run != cmd_check_config)
		die(EXIT_FAILURE, "%s: -v is a check-config option", cmd->name);
	/* the config: segment name and score parameters */
	fg_conf_defaults(&c.cfg);
	if(cmd->run != cmd_check_config) {
		if(!config) {
			if(!fg_conf_locate(NULL, path, sizeof(path), err, sizeof(err)))
				die(EXIT_FAILURE, "%s", err);
			config = path[0] ? path : NULL;
		}
		if(config && !fg_conf_load(config, &c.cfg, err, sizeof(err))) {
			/* the resolver may run on its last good configuration:
			 * with the segment named, the tool still reads it */
			if(!c.segment)
				die(EXIT_FAILURE, "%s (name the segment with -s to "
					"read it anyway)", err);
			fprintf(stderr, "fluxguard-control: warning: %s; using the "
				"default score parameters\n", err);
		}
	}
	if(!c.segment)
		c.segment = c.cfg.segment;
	c.command = cmd->name;
	opt = cmd->run(&c, argv + optind + 1, argc - optind - 1);
	fg_conf_free(&c.cfg);
	if(fflush(stdout) != 0 || ferror(stdout))
		die(EXIT_FAILURE, "writing the output: %s", strerror(errno));
	return opt;
}
