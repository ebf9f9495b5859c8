/**
 * \file
 * What the fuzz targets in tests/fuzz/ share. Each fuzz_<target>.c defines
 * LLVMFuzzerTestOneInput over the core library and is linked two ways:
 * with libFuzzer (configure --enable-fuzzing, clang) as tests/fuzz/fuzz_<target>,
 * which tests/fuzz/run.sh runs for a set time, and with the standalone driver
 * replay_main.c as tests/fuzz/corpus_<target>, which `make check` runs to
 * replay the seed corpus tests/fuzz/corpus/<target>/ (and every crash
 * reproducer kept there) as a regression test. doc/FUZZING.md has the runs.
 *
 * A target must stay deterministic for one input (state it keeps between
 * inputs is reset at the start of each) and leave nothing behind: what it
 * writes lives in fg_fuzz_dir(), removed at exit.
 */
#ifndef FG_TESTS_FUZZ_H
#define FG_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** libFuzzer's entry point: run one input. \return 0. */
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

/** libFuzzer's optional one-time set-up (a target may leave it out). */
int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

/**
 * A private scratch directory, made on first use under $TMPDIR (or /tmp)
 * and removed with everything in it at exit. Aborts if it cannot be made:
 * a target without it would test nothing.
 */
const char* fg_fuzz_dir(void);

/** \p name inside fg_fuzz_dir(), malloc'd (targets make the few paths they
 * need once and keep them). Aborts on out of memory. */
char* fg_fuzz_path(const char* name);

/** Write \p size octets to \p path, replacing it. Aborts on failure. */
void fg_fuzz_write(const char* path, const void* data, size_t size);

/** Send the core's log (fluxguard/log.h) nowhere: bad inputs log a lot. */
void fg_fuzz_quiet(void);

struct fg_upstream;

/**
 * Check what every struct fg_upstream a reader builds must hold: its
 * bounds; each RRset's records within the arrays, with its type's family;
 * valid owners, target names and sections. Fails the run (fg_fuzz_fail)
 * when one breaks.
 */
void fg_fuzz_check_upstream(const struct fg_upstream* up);

struct fg_input;

/**
 * Run \p read, one of fluxguard-replay's binary readers (fg_dnstap_read,
 * fg_pcap_read of tools/fg_input.h), over \p data as the file it reads,
 * as the tool does, with the core's log silenced (fg_fuzz_quiet): every
 * response it hands over is checked (its timestamp text fits,
 * fg_fuzz_check_upstream); the last octet picks the dnstap messages taken. \p closes: the reader closes the stream itself.
 * An input of which a frame or packet was read counts as reached.
 * \p in gets the reader's counts (zeroed when nothing was read).
 */
void fg_fuzz_read_input(const uint8_t* data, size_t size,
	int (*read)(struct fg_input* in, FILE* f), int closes,
	struct fg_input* in);

/** Marks LLVMFuzzerInitialize's parameters, which no target uses. */
#define FG_FUZZ_UNUSED __attribute__((unused))

/**
 * Count an input that got past the input checks into the code under test
 * (a config that loaded, a segment that attached). The replay driver fails
 * when no input of a corpus did: seeds that a format change made useless
 * would otherwise pass while testing nothing.
 */
void fg_fuzz_reached(void);

/** How many inputs fg_fuzz_reached counted. */
unsigned long fg_fuzz_reached_count(void);

/** What to do when no input of the corpus reached the code under test (a
 * target may define it; the replay driver prints it then). */
const char* fg_fuzz_unreached_hint(void) __attribute__((weak));

/** Abort with \p what (an invariant of the code under test failed): a crash,
 * so that libFuzzer keeps the input. */
void fg_fuzz_fail(const char* what, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif /* FG_TESTS_FUZZ_H */
