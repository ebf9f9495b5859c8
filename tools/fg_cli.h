/**
 * \file
 * What the command-line tools (fluxguard-control, fluxguard-publish,
 * fluxguard-replay, fluxguard-sensor) do and say the same way: a number
 * option out of its range, --version, --help and an unknown option, and a
 * configuration file named or not. One function each, so that the tools'
 * messages, which the integration tests and the man pages quote, cannot
 * drift apart.
 */
#ifndef FLUXGUARD_TOOLS_CLI_H
#define FLUXGUARD_TOOLS_CLI_H

#include <stdio.h>

struct fg_config;

/**
 * Parse the value \p arg of option --\p opt of \p tool as a decimal number
 * from \p min to \p max into *\p out. On anything else print
 * "TOOL: --OPT: expected a number between MIN and MAX, got "ARG"" to stderr.
 * \return 1, or 0 (said) if \p arg is not such a number.
 */
int fg_cli_number(const char* tool, const char* opt, const char* arg,
	unsigned long min, unsigned long max, unsigned long* out);

/**
 * Print --version: "TOOL (PACKAGE) VERSION", and with \p segment_format
 * the tracker segment format the tool reads, on a line of its own.
 */
void fg_cli_version(const char* tool, int segment_format);

/**
 * What --version (\c 'V'), --help (\c 'h') and any other option a tool's
 * getopt_long loop does not take (its default: case) do, the same in
 * every tool: print the version (fg_cli_version with \p segment_format),
 * the usage to stdout, or the usage to stderr.
 * \return the tool's exit status: 0, 0, or 1.
 */
int fg_cli_exit_option(const char* tool, int opt, int segment_format,
	void (*usage)(FILE* out));

/**
 * Load the configuration file \p path into \p cfg, or, when \p path is
 * NULL, fill \p cfg with the defaults. \return 1, or 0 with the error
 * printed as "TOOL: error".
 */
int fg_cli_load_config(const char* tool, const char* path,
	struct fg_config* cfg);

#endif /* FLUXGUARD_TOOLS_CLI_H */
