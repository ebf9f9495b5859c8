/**
 * \file
 * What the tools' command lines share (tools/fg_cli.h).
 */
#include "fg-config.h"

#include "fg_cli.h"
#include "fluxguard/conffile.h"
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

int
fg_cli_exit_option(const char* tool, int opt, int segment_format,
	void (*usage)(FILE* out))
{
	switch(opt) {
	case 'V':
		fg_cli_version(tool, segment_format);
		return 0;
	case 'h':
		usage(stdout);
		return 0;
	default:
		usage(stderr);
		return 1;
	}
}

int
fg_cli_load_config(const char* tool, const char* path, struct fg_config* cfg)
{
	char err[1024];
	if(!path) {
		fg_conf_defaults(cfg);
		return 1;
	}
	if(!fg_conf_load(path, cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", tool, err);
		return 0;
	}
	return 1;
}
