/**
 * \file
 * The one main() of every Check program in tests/unit/, as Unbound's
 * testcode/unitmain.c is the one main() of its unit tests: each
 * check_<area>.c brings only its tests and fg_unit_suite(), and this runs it.
 *
 * Check's environment is honoured as before (CK_DEFAULT_TIMEOUT, CK_FORK,
 * CK_RUN_CASE and friends, and CK_VERBOSITY, normal by default, which prints
 * Check's summary line); the exit status is non-zero if any test failed. The
 * run directory and segment prefix of unit.h are made before the first test
 * and cleaned after the last, which is the only place that also catches what
 * a failed test left behind.
 */
#include "unit.h"

#include <stdlib.h>

int
main(int argc, char** argv)
{
	SRunner* sr;
	int failed;
	(void)argc;
	if(!fg_unit_run_begin(argv[0]))
		return EXIT_FAILURE;
	sr = srunner_create(fg_unit_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if(!fg_unit_run_end())
		failed++;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
