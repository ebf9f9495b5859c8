/**
 * \file
 * The core library's log sink: formats a line once and hands it to whoever the
 * host installed (Unbound's log in the module, stderr in the tools and tests).
 */
#include "fluxguard/log.h"

#include <stdio.h>

static void
log_stderr(enum fg_log_level level, const char* msg)
{
	static const char* const names[] = { "error", "warning", "info", "debug" };
	fprintf(stderr, "fluxguard: %s: %s\n", names[level], msg);
}

static fg_log_sink_func* log_sink = log_stderr;

void
fg_log_set_sink(fg_log_sink_func* sink)
{
	log_sink = sink ? sink : log_stderr;
}

void
fg_vlog(enum fg_log_level level, const char* fmt, va_list args)
{
	/* One stack buffer: logging must not allocate on a resolver thread. */
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, args);
	log_sink(level, msg);
}

void
fg_log(enum fg_log_level level, const char* fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	fg_vlog(level, fmt, args);
	va_end(args);
}
