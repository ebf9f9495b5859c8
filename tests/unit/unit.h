/**
 * \file
 * What the Check programs in tests/unit/ share. Each check_<area>.c holds its
 * tests and one suite constructor, fg_unit_suite(), and links runner.c (the
 * one main(), as Unbound's testcode/unitmain.c is for its unit tests) and
 * unit.c (the fixtures and helpers below), so a fixture is written once.
 *
 * Why the run owns the names: Check runs each test in a child process, and a
 * test that fails an assertion ends that child at once, so its checked
 * teardown never runs. Everything a test may leave behind therefore lives
 * under names the runner owns: the scratch directories under one run
 * directory, the shared-memory segments under a prefix that carries the
 * runner's pid. The runner removes both after the last test, passed or not.
 */
#ifndef FG_TESTS_UNIT_H
#define FG_TESTS_UNIT_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxguard/detect.h"
#include "fluxguard/policy.h"
#include "fluxguard/tracker.h"
#include "fluxguard/upstream.h"

/** Number of elements of a fixed array, for table-driven tests. */
#define FG_UNIT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/** Room for a scratch path or a segment name. */
#define FG_UNIT_PATH_MAX 512

/**
 * The suite this program runs. Each check_<area>.c defines it; runner.c
 * calls it once.
 */
Suite* fg_unit_suite(void);

/**
 * Add a test case \p name to \p s: the \p n tests of \p tests, in order,
 * each run with the checked fixture \p setup and \p teardown (either may be
 * NULL).
 * \return the test case, for a timeout or an unchecked fixture.
 */
TCase* fg_unit_tcase(Suite* s, const char* name, SFun setup, SFun teardown,
	const TTest* const* tests, size_t n);

/* --- the run (runner.c calls these around the suite) ------------------- */

/**
 * Make the run directory ($TMPDIR/fg-PROG.XXXXXX) and the segment prefix
 * (/fg-PROG-PID-) of this run.
 * \param prog the program's name, for telling leftovers apart.
 * \return 1, or 0 with the reason on stderr.
 */
int fg_unit_run_begin(const char* prog);

/**
 * Remove what the run's tests left: the run directory with everything in
 * it, and every shared-memory object under the run's prefix.
 * \return 1 if all of it went, 0 (with the reason on stderr) if not.
 */
int fg_unit_run_end(void);

/**
 * The run directory, for fixtures made once per run (unchecked fixtures run
 * in the runner's process). Removed by fg_unit_run_end.
 */
const char* fg_unit_run_dir(void);

/* --- scratch directory (checked fixture) -------------------------------- */

/** The running test's scratch directory, empty when the test starts. */
extern char fg_unit_dir[FG_UNIT_PATH_MAX];

/** Checked setup: make a fresh fg_unit_dir inside the run directory. */
void fg_unit_scratch_setup(void);

/** Checked teardown: remove fg_unit_dir and everything below it. */
void fg_unit_scratch_teardown(void);

/**
 * Path of \p name inside fg_unit_dir. The result is one of a few static
 * buffers used in turn, so up to 8 may be live in one expression.
 */
const char* fg_unit_path(const char* name);

/**
 * Write \p text to \p name inside fg_unit_dir, making its directory if
 * needed (one level); fails the test if it cannot.
 * \return the file's path, as fg_unit_path.
 */
const char* fg_unit_write_file(const char* name, const char* text);

/* --- private tracker segment (checked fixture) --------------------------- */

/** The running test's segment: a shared-memory name (/fg-PROG-PID-...) or,
 * after fg_unit_seg_use_file, a file path in fg_unit_dir. */
extern char fg_unit_seg[FG_UNIT_PATH_MAX];

/** Checked setup: a fresh shared-memory name in fg_unit_seg, with any
 * object of that name removed. */
void fg_unit_seg_setup(void);

/** Checked teardown: remove the test's segment (object or file). */
void fg_unit_seg_teardown(void);

/** Move to a fresh file-backed segment in fg_unit_dir (needs the scratch
 * fixture). */
void fg_unit_seg_use_file(void);

/** Where the segment's octets are on disk: /dev/shm/NAME or the file. */
const char* fg_unit_seg_path(void);

/** Open a tracker on fg_unit_seg (fg_tracker_options_init); fails the test
 * if it cannot. */
struct fg_tracker* fg_unit_tracker_open(uint32_t capacity, uint32_t window);

/* --- a detector over a private tracker (checked fixture) ------------------- */

/** Window of the detector fixture's tracker, seconds. */
#define FG_UNIT_WINDOW 3600

/** The detector fixture: a tracker on fg_unit_seg (1024 domains, a window
 * of FG_UNIT_WINDOW), lists that start empty, and a detector over both with
 * no geo, the default score parameters and min_answers 2. */
extern struct fg_tracker* fg_unit_tracker;
extern struct fg_policy* fg_unit_policy;
extern struct fg_detector fg_unit_det;

/** Checked setup: a fresh segment (fg_unit_seg_setup), then the detector
 * fixture on it. */
void fg_unit_detector_setup(void);

/** Checked teardown: close and delete what fg_unit_detector_setup made. */
void fg_unit_detector_teardown(void);

/* --- values ---------------------------------------------------------------- */

/**
 * \p text ("www.Example.com", "" or "." for the root) in wire format, built
 * label by label so that the case is kept as given: the code under test
 * must fold it itself. Fails the test on a malformed name. The result is
 * one of 64 static buffers used in turn, so it stays valid for the next 63
 * calls: enough for every name of a hand-made upstream response.
 */
const uint8_t* fg_unit_name(const char* text);

/**
 * An address from its presentation form, with \p asn and the country
 * \p cc (NULL or "" for unknown); fails the test if \p text is no address.
 */
struct fg_addr fg_unit_addr(const char* text, uint32_t asn, const char* cc);

/** Add \p entry to list \p which of \p p; fails the test on an error. */
void fg_unit_list_add(struct fg_policy* p, enum fg_list which,
	const char* entry);

/**
 * Add to \p up an address RRset of \p owner (fg_unit_name) in \p section:
 * the \p n addresses of \p ips, A or AAAA by the first one's family.
 * Fails the test if \p up is full.
 */
void fg_unit_upstream_addrs(struct fg_upstream* up, enum fg_section section,
	const char* owner, uint32_t ttl, const char* const* ips, size_t n);

#endif /* FG_TESTS_UNIT_H */
