/**
 * \file
 * Refuse to run inside an Unbound other than the one we were compiled against.
 * Struct layouts (module_qstate, module_env) depend on the exact version and its
 * configure options, and Unbound offers no run-time version call. Every
 * Unbound binary carries its PACKAGE_STRING ("unbound 1.17.1") as a string
 * literal (the start-of-service log line prints it), so we look for that string,
 * NUL-delimited, in the main program's read-only loaded segments. That reads
 * memory already mapped: no file access, so it works inside a chroot.
 */
#define _GNU_SOURCE
#include "fluxguard_internal.h"

#include <link.h>
#include <string.h>

/** Search state for the dl_iterate_phdr callback. */
struct version_search {
	/** NUL-delimited needle: "\0unbound 1.17.1\0" */
	const char* needle;
	/** needle length, both NULs included */
	size_t needle_len;
	/** set when found */
	int found;
};

static int
search_main_program(struct dl_phdr_info* info, size_t size, void* arg)
{
	struct version_search* s = arg;
	int i;
	(void)size;
	/* The first object dl_iterate_phdr reports is the main program. */
	for(i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr)* ph = &info->dlpi_phdr[i];
		const char* start;
		if(ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || !(ph->p_flags & PF_R))
			continue;
		start = (const char*)(info->dlpi_addr + ph->p_vaddr);
		if(memmem(start, ph->p_memsz, s->needle, s->needle_len)) {
			s->found = 1;
			break;
		}
	}
	return 1; /* stop after the main program */
}

int
fluxguard_unbound_version_matches(const char* expected)
{
	char needle[128];
	struct version_search s;
	size_t len = strlen(expected);
	if(len + 2 > sizeof(needle))
		return 0;
	needle[0] = 0;
	memcpy(needle + 1, expected, len);
	needle[len + 1] = 0;
	s.needle = needle;
	s.needle_len = len + 2;
	s.found = 0;
	dl_iterate_phdr(search_main_program, &s);
	return s.found;
}
