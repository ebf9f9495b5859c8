/**
 * \file
 * The helpers every fuzz target links (tests/fuzz/fuzz.h): the scratch
 * directory removed at exit, file writing, a silent log, the count of inputs
 * that reached the code under test, and the abort for a broken invariant.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "fuzz.h"
#include "fluxguard/log.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** The scratch directory, "" until made. */
static char fuzz_dir[512];
/** Inputs that reached the code under test. */
static unsigned long fuzz_reached;

static int
remove_entry(const char* path, const struct stat* sb, int type,
	struct FTW* ftw)
{
	(void)sb;
	(void)ftw;
	if(type == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

static void
remove_dir(void)
{
	if(fuzz_dir[0])
		(void)nftw(fuzz_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char*
fg_fuzz_dir(void)
{
	const char* tmp;
	if(fuzz_dir[0])
		return fuzz_dir;
	tmp = getenv("TMPDIR");
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/fg-fuzz.XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	if(!mkdtemp(fuzz_dir)) {
		fprintf(stderr, "fuzz: cannot make %s: %s\n", fuzz_dir,
			strerror(errno));
		abort();
	}
	atexit(remove_dir);
	return fuzz_dir;
}

char*
fg_fuzz_path(const char* name)
{
	const char* dir = fg_fuzz_dir();
	size_t len = strlen(dir) + 1 + strlen(name) + 1;
	char* p = malloc(len);
	if(!p)
		abort();
	snprintf(p, len, "%s/%s", dir, name);
	return p;
}

void
fg_fuzz_write(const char* path, const void* data, size_t size)
{
	const uint8_t* p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if(fd < 0) {
		fprintf(stderr, "fuzz: cannot write %s: %s\n", path,
			strerror(errno));
		abort();
	}
	while(size > 0) {
		ssize_t n = write(fd, p, size);
		if(n < 0 && errno == EINTR)
			continue;
		if(n <= 0) {
			fprintf(stderr, "fuzz: cannot write %s: %s\n", path,
				strerror(errno));
			abort();
		}
		p += n;
		size -= (size_t)n;
	}
	close(fd);
}

static void
discard_log(enum fg_log_level level, const char* msg)
{
	(void)level;
	(void)msg;
}

void
fg_fuzz_quiet(void)
{
	fg_log_set_sink(discard_log);
}

void
fg_fuzz_reached(void)
{
	fuzz_reached++;
}

unsigned long
fg_fuzz_reached_count(void)
{
	return fuzz_reached;
}

void
fg_fuzz_fail(const char* what, ...)
{
	va_list args;
	fputs("fuzz: invariant broken: ", stderr);
	va_start(args, what);
	vfprintf(stderr, what, args);
	va_end(args);
	fputc('\n', stderr);
	abort();
}
