/**
 * \file
 * The standalone driver of the fuzz targets (tests/fuzz/fuzz.h): instead of
 * libFuzzer's main, run LLVMFuzzerTestOneInput once on every file given, or
 * on every file of a directory given, in name order. Without arguments it
 * replays the target's own corpus, FG_FUZZ_CORPUS (set by Makefile.am to
 * tests/fuzz/corpus/<target>), which is how `make check` runs it: any
 * compiler, no libFuzzer, the sanitizers of the build.
 *
 * Each input is read into a buffer of exactly its size, as libFuzzer hands
 * it over, so a read past its end is caught by AddressSanitizer. A crash
 * ends the run with the sanitizer's report, after the name of the input on
 * stderr. The run fails if there was no input, or if no input reached the
 * code under test (fg_fuzz_reached): a corpus that tests nothing is broken.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FG_FUZZ_CORPUS
#error "FG_FUZZ_CORPUS must name the target's corpus directory"
#endif

/** Inputs run so far. */
static unsigned long n_inputs;

/** Run the target on the file \p path. \return 1, or 0 if unreadable. */
static int
run_file(const char* path)
{
	FILE* in = fopen(path, "rb");
	struct stat st;
	uint8_t* data;
	size_t size, got;
	if(!in || fstat(fileno(in), &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if(in)
			fclose(in);
		return 0;
	}
	size = (size_t)st.st_size;
	/* exactly its size, so that ASan sees a read past the end */
	data = malloc(size ? size : 1);
	if(!data) {
		fprintf(stderr, "%s: out of memory\n", path);
		fclose(in);
		return 0;
	}
	got = fread(data, 1, size, in);
	fclose(in);
	if(got != size) {
		fprintf(stderr, "%s: short read\n", path);
		free(data);
		return 0;
	}
	fprintf(stderr, "running %s (%zu octets)\n", path, size);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	n_inputs++;
	return 1;
}

static int
skip_entry(const struct dirent* d)
{
	return d->d_name[0] != '.';
}

/** Run the target on \p path, a file or a directory of files.
 * \return 1, or 0 if something could not be read. */
static int
run_path(const char* path)
{
	struct dirent** list;
	struct stat st;
	int n, i, ok = 1;
	if(stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 0;
	}
	if(!S_ISDIR(st.st_mode))
		return run_file(path);
	n = scandir(path, &list, skip_entry, alphasort);
	if(n < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 0;
	}
	for(i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(list[i]->d_name) + 2;
		char* file = malloc(len);
		if(!file) {
			ok = 0;
		} else {
			snprintf(file, len, "%s/%s", path, list[i]->d_name);
			ok = run_file(file) && ok;
			free(file);
		}
		free(list[i]);
	}
	free(list);
	return ok;
}

int
main(int argc, char** argv)
{
	char* defaults[] = { FG_FUZZ_CORPUS };
	char** paths = argc > 1 ? argv + 1 : defaults;
	int n = argc > 1 ? argc - 1 : 1, i, ok = 1;
	if(LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for(i = 0; i < n; i++)
		ok = run_path(paths[i]) && ok;
	printf("%s: %lu inputs run, %lu reached the code under test\n",
		argv[0], n_inputs, fg_fuzz_reached_count());
	if(n_inputs == 0 || fg_fuzz_reached_count() == 0) {
		fprintf(stderr, "%s: %s: nothing was tested\n", argv[0],
			n_inputs ? "no input reached the code under test" :
			"no input");
		if(n_inputs && fg_fuzz_unreached_hint)
			fprintf(stderr, "%s: %s\n", argv[0],
				fg_fuzz_unreached_hint());
		ok = 0;
	}
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
