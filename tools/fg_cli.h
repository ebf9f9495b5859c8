/**
 * \file
 * What the command-line tools (fluxguard-control, fluxguard-publish,
 * fluxguard-replay, fluxguard-sensor) say the same way: a number option
 * out of its range, and --version. One function each, so that the tools'
 * messages, which the integration tests and the man pages quote, cannot
 * drift apart.
 */
#ifndef FLUXGUARD_TOOLS_CLI_H
#define FLUXGUARD_TOOLS_CLI_H

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

#endif /* FLUXGUARD_TOOLS_CLI_H */
