/**
 * \file
 * The fixtures and helpers the Check programs share (see unit.h): test
 * cases from a list of tests, the run directory and segment prefix that the
 * runner cleans up, the scratch directory, the private tracker segment, the
 * detector over it, and names, addresses, list entries and upstream RRsets
 * from text.
 */
/* nftw() is XSI, which -std=gnu* alone does not declare */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "unit.h"
#include "fluxguard/addr.h"
#include "fluxguard/name.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

char fg_unit_dir[FG_UNIT_PATH_MAX];
char fg_unit_seg[FG_UNIT_PATH_MAX];

/** The run directory, made by fg_unit_run_begin. */
static char run_dir[FG_UNIT_PATH_MAX];
/** Shared-memory names of this run start with this, "/" excluded. */
static char seg_prefix[128];
/** Whether fg_unit_seg is a file path rather than a shared-memory name. */
static int seg_is_file;

/** nftw callback: remove one entry, children before their directory. */
static int
remove_entry(const char* path, const struct stat* st, int type,
	struct FTW* ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/** Remove \p dir and everything below it, not following links.
 * \return 1 on success (or if it was already gone). */
static int
remove_tree(const char* dir)
{
	if(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0)
		return 1;
	return errno == ENOENT;
}

TCase*
fg_unit_tcase(Suite* s, const char* name, SFun setup, SFun teardown,
	const TTest* const* tests, size_t n)
{
	TCase* tc = tcase_create(name);
	size_t i;
	if(setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	for(i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return tc;
}

int
fg_unit_run_begin(const char* prog)
{
	const char* tmp = getenv("TMPDIR");
	const char* base = strrchr(prog, '/');
	base = base ? base + 1 : prog;
	snprintf(seg_prefix, sizeof(seg_prefix), "fg-%s-%d-", base,
		(int)getpid());
	snprintf(run_dir, sizeof(run_dir), "%s/fg-%s.XXXXXX",
		tmp && *tmp ? tmp : "/tmp", base);
	if(!mkdtemp(run_dir)) {
		fprintf(stderr, "%s: cannot make the run directory %s: %s\n",
			base, run_dir, strerror(errno));
		run_dir[0] = 0;
		return 0;
	}
	return 1;
}

int
fg_unit_run_end(void)
{
	DIR* d;
	struct dirent* e;
	int ok = 1;
	if(run_dir[0] && !remove_tree(run_dir)) {
		fprintf(stderr, "cannot remove %s: %s\n", run_dir,
			strerror(errno));
		ok = 0;
	}
	/* Segments cannot live in the run directory: find them by name. */
	if(!(d = opendir("/dev/shm")))
		return ok;
	while((e = readdir(d)) != NULL) {
		char name[FG_UNIT_PATH_MAX];
		if(strncmp(e->d_name, seg_prefix, strlen(seg_prefix)) != 0)
			continue;
		snprintf(name, sizeof(name), "/%s", e->d_name);
		if(shm_unlink(name) != 0 && errno != ENOENT) {
			fprintf(stderr, "cannot remove segment %s: %s\n", name,
				strerror(errno));
			ok = 0;
		}
	}
	closedir(d);
	return ok;
}

const char*
fg_unit_run_dir(void)
{
	return run_dir;
}

void
fg_unit_scratch_setup(void)
{
	ck_assert_msg(run_dir[0], "no run directory (fg_unit_run_begin)");
	ck_assert((size_t)snprintf(fg_unit_dir, sizeof(fg_unit_dir),
		"%s/test.XXXXXX", run_dir) < sizeof(fg_unit_dir));
	ck_assert_msg(mkdtemp(fg_unit_dir) != NULL, "mkdtemp %s: %s",
		fg_unit_dir, strerror(errno));
}

void
fg_unit_scratch_teardown(void)
{
	ck_assert_msg(remove_tree(fg_unit_dir), "cannot remove %s: %s",
		fg_unit_dir, strerror(errno));
}

const char*
fg_unit_path(const char* name)
{
	static char bufs[8][FG_UNIT_PATH_MAX];
	static unsigned next;
	char* b = bufs[next++ % 8];
	ck_assert_msg((size_t)snprintf(b, sizeof(bufs[0]), "%s/%s", fg_unit_dir,
		name) < sizeof(bufs[0]), "path too long: %s", name);
	return b;
}

const char*
fg_unit_write_file(const char* name, const char* text)
{
	const char* path = fg_unit_path(name);
	char dir[FG_UNIT_PATH_MAX];
	char* slash;
	FILE* f;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = 0;
	/* an existing directory is fine; anything else shows at fopen */
	(void)mkdir(dir, 0700);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/** Remove the current segment, whichever kind it is. */
static void
seg_remove(void)
{
	if(!fg_unit_seg[0])
		return;
	if(seg_is_file)
		unlink(fg_unit_seg);
	else
		shm_unlink(fg_unit_seg);
}

void
fg_unit_seg_use_file(void)
{
	static unsigned n;
	char name[64];
	snprintf(name, sizeof(name), "segment-%u.seg", n++);
	ck_assert((size_t)snprintf(fg_unit_seg, sizeof(fg_unit_seg), "%s",
		fg_unit_path(name)) < sizeof(fg_unit_seg));
	seg_is_file = 1;
	seg_remove();
}

void
fg_unit_seg_setup(void)
{
	/* Unique per test process and per call: Check forks each test from
	 * the runner, so a counter alone would repeat across tests. */
	static unsigned n;
	snprintf(fg_unit_seg, sizeof(fg_unit_seg), "/%s%d-%u", seg_prefix,
		(int)getpid(), n++);
	seg_is_file = 0;
	seg_remove();
}

void
fg_unit_seg_teardown(void)
{
	seg_remove();
}

const char*
fg_unit_seg_path(void)
{
	static char path[FG_UNIT_PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s%s", seg_is_file ? "" : "/dev/shm",
		fg_unit_seg);
	return path;
}

struct fg_tracker*
fg_unit_tracker_open(uint32_t capacity, uint32_t window)
{
	struct fg_tracker_options o;
	struct fg_tracker* t;
	char err[512];
	fg_tracker_options_init(&o, fg_unit_seg, capacity, window);
	t = fg_tracker_open(&o, err, sizeof(err));
	ck_assert_msg(t != NULL, "open %s: %s", fg_unit_seg, err);
	return t;
}

struct fg_tracker* fg_unit_tracker;
struct fg_policy* fg_unit_policy;
struct fg_detector fg_unit_det;

void
fg_unit_detector_setup(void)
{
	fg_unit_seg_setup();
	fg_unit_tracker = fg_unit_tracker_open(1024, FG_UNIT_WINDOW);
	fg_unit_policy = fg_policy_create();
	ck_assert_ptr_nonnull(fg_unit_policy);
	fg_detector_init(&fg_unit_det, fg_unit_tracker, NULL, fg_unit_policy,
		NULL, 2);
}

void
fg_unit_detector_teardown(void)
{
	fg_tracker_close(fg_unit_tracker);
	fg_policy_delete(fg_unit_policy);
	fg_unit_seg_teardown();
}

const uint8_t*
fg_unit_name(const char* text)
{
	static uint8_t bufs[64][FG_NAME_MAX_WIRE];
	static unsigned next;
	uint8_t* w = bufs[next++ % 64];
	const char* s = text;
	size_t i = 0;
	if(strcmp(s, ".") == 0)
		s++;
	while(*s) {
		const char* dot = strchr(s, '.');
		size_t len = dot ? (size_t)(dot - s) : strlen(s);
		ck_assert_msg(len >= 1 && len <= 63 && i + 1 + len + 1 <=
			FG_NAME_MAX_WIRE, "bad test name \"%s\"", text);
		w[i++] = (uint8_t)len;
		memcpy(w + i, s, len);
		i += len;
		s += len;
		if(*s == '.')
			s++;
	}
	w[i] = 0;
	return w;
}

struct fg_addr
fg_unit_addr(const char* text, uint32_t asn, const char* cc)
{
	struct fg_addr a;
	ck_assert_msg(fg_addr_from_str(text, &a), "bad test address \"%s\"",
		text);
	a.asn = asn;
	if(cc && cc[0]) {
		a.country[0] = cc[0];
		a.country[1] = cc[1];
	}
	return a;
}

void
fg_unit_list_add(struct fg_policy* p, enum fg_list which, const char* entry)
{
	char err[256];
	ck_assert_msg(fg_policy_add(p, which, entry, err, sizeof(err)),
		"%s: %s", entry, err);
}

void
fg_unit_upstream_addrs(struct fg_upstream* up, enum fg_section section,
	const char* owner, uint32_t ttl, const char* const* ips, size_t n)
{
	struct fg_addr a;
	size_t i;
	ck_assert_uint_gt(n, 0);
	a = fg_unit_addr(ips[0], 0, NULL);
	ck_assert_ptr_nonnull(fg_upstream_add_rrset(up, fg_unit_name(owner),
		a.family == FG_AF_INET ? FG_TYPE_A : FG_TYPE_AAAA, section,
		ttl));
	for(i = 0; i < n; i++) {
		a = fg_unit_addr(ips[i], 0, NULL);
		ck_assert(fg_upstream_add_addr(up, a.family, a.addr));
	}
}
