/**
 * \file
 * Logging for the core library. The core never calls Unbound directly (the tools
 * and tests link it without Unbound), so it logs through a sink that the module
 * points at Unbound's log and the tools point at standard error. Every line
 * carries the "fluxguard: " prefix.
 */
#ifndef FLUXGUARD_LOG_H
#define FLUXGUARD_LOG_H

#include <stdarg.h>

/** Severity of a log line, mapped onto Unbound's log_err/log_warn/log_info/verbose. */
enum fg_log_level {
	/** something failed; fluxguard degrades to pass-through where it must */
	FG_LOG_ERR = 0,
	/** something odd that was handled */
	FG_LOG_WARN,
	/** a decision an operator wants to see (flag, block, unflag) */
	FG_LOG_INFO,
	/** detail for debugging, only at higher verbosity */
	FG_LOG_DEBUG
};

/**
 * Where log lines go. The message is already formatted and carries no prefix
 * and no newline.
 */
typedef void fg_log_sink_func(enum fg_log_level level, const char* msg);

/**
 * Point the core's log at a sink; NULL restores the default (stderr, with the
 * "fluxguard: " prefix). Not thread-safe: call at init, before any thread logs.
 */
void fg_log_set_sink(fg_log_sink_func* sink);

/** Log one line through the sink, printf-style. */
void fg_log(enum fg_log_level level, const char* fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** va_list variant of fg_log. */
void fg_vlog(enum fg_log_level level, const char* fmt, va_list args);

#endif /* FLUXGUARD_LOG_H */
