/**
 * \file
 * The tools' shared command-line messages (tools/fg_cli.h).
 */
#include "fg-config.h"

#include "fg_cli.h"
#include "fluxguard/tracker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int
fg_cli_number(const char* tool, const char* opt, const char* arg,
	unsigned long min, unsigned long max, unsigned long* out)
{
	char* end;
	unsigned long v;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if(errno || end == arg || *end || v < min || v > max) {
		fprintf(stderr, "%s: --%s: expected a number between %lu and "
			"%lu, got \"%s\"\n", tool, opt, min, max, arg);
		return 0;
	}
	*out = v;
	return 1;
}

void
fg_cli_version(const char* tool, int segment_format)
{
	printf("%s (%s) %s\n", tool, PACKAGE_NAME, PACKAGE_VERSION);
	if(segment_format)
		printf("segment format: %" PRIu32 "\n",
			fg_tracker_format_version());
}
