/**
 * \file
 * The helpers every fuzz target links (tests/fuzz/fuzz.h): the scratch
 * directory removed at exit, file writing, a silent log, the count of inputs
 * that reached the code under test, the abort for a broken invariant, the
 * checks of a struct fg_upstream, and one run of a binary input reader.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "fuzz.h"
#include "fg_input.h"
#include "fluxguard/log.h"
#include "fluxguard/name.h"
#include "fluxguard/upstream.h"

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

void
fg_fuzz_check_upstream(const struct fg_upstream* up)
{
	size_t i, j;
	if(up->n_rrsets > FG_UPSTREAM_MAX_RRSETS ||
		up->n_addrs > FG_UPSTREAM_MAX_ADDRS ||
		up->n_names > FG_UPSTREAM_MAX_NAMES)
		fg_fuzz_fail("bounds: %zu RRsets, %zu addresses, %zu names",
			up->n_rrsets, up->n_addrs, up->n_names);
	for(i = 0; i < up->n_rrsets; i++) {
		const struct fg_upstream_rrset* rs = &up->rrsets[i];
		int addr = rs->type == FG_TYPE_A || rs->type == FG_TYPE_AAAA;
		if(fg_name_wire_len(rs->owner, FG_NAME_MAX_WIRE) == 0)
			fg_fuzz_fail("RRset %zu: invalid owner", i);
		if(rs->section > FG_SECTION_ADDITIONAL)
			fg_fuzz_fail("RRset %zu: section %u", i, rs->section);
		if((size_t)rs->first + rs->count >
			(addr ? up->n_addrs : up->n_names))
			fg_fuzz_fail("RRset %zu: records outside the arrays", i);
		for(j = rs->first; j < (size_t)rs->first + rs->count; j++) {
			if(addr && up->addrs[j].family != (rs->type == FG_TYPE_A ?
				FG_AF_INET : FG_AF_INET6))
				fg_fuzz_fail("RRset %zu: address of the wrong "
					"family", i);
			if(!addr && fg_name_wire_len(up->names[j],
				FG_NAME_MAX_WIRE) == 0)
				fg_fuzz_fail("RRset %zu: invalid target", i);
		}
	}
}

/** Check one response a binary reader built. */
static void
check_input_answer(void* arg, struct fg_upstream* up, const char* ts)
{
	(void)arg;
	if(strlen(ts) >= FG_INPUT_TS_MAX)
		fg_fuzz_fail("timestamp text too long");
	fg_fuzz_check_upstream(up);
}

void
fg_fuzz_read_input(const uint8_t* data, size_t size,
	int (*read)(struct fg_input* in, FILE* f), int closes,
	struct fg_input* in)
{
	FILE* f;
	fg_fuzz_quiet();
	memset(in, 0, sizeof(*in));
	if(size == 0)
		return;
	f = fmemopen((void*)data, size, "rb");
	if(!f)
		return;
	in->name = "fuzz";
	in->answer = check_input_answer;
	in->dns_port = 53;
	in->dnstap_messages = (data[size - 1] & 1) ? FG_DNSTAP_AUTO :
		FG_DNSTAP_RESOLVER | FG_DNSTAP_CLIENT;
	(void)read(in, f);
	if(!closes)
		fclose(f);
	if(in->frames > 0)
		fg_fuzz_reached();
}
