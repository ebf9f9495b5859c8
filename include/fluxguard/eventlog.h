/**
 * \file
 * The event log: one JSON object per line, appended to a file for a SIEM, for
 * each flag, block and unflag (option event-log). Resolver threads never wait
 * on it: fg_eventlog_post copies the line into a bounded in-memory queue and
 * returns; a writer thread of its own appends and fsyncs nothing. When the
 * queue is full the line is dropped and counted, never blocking.
 */
#ifndef FLUXGUARD_EVENTLOG_H
#define FLUXGUARD_EVENTLOG_H

#include <stddef.h>
#include <stdint.h>

#include "fluxguard/json.h"

/** Longest line kept; longer ones are cut (and stay valid JSON: see post). */
#define FG_EVENTLOG_LINE_MAX 4096
/** Lines the queue holds. */
#define FG_EVENTLOG_QUEUE 256

struct fg_eventlog;

/**
 * Open (create, mode 0640, append) \p path and start the writer.
 * \return the log, or NULL with the reason in \p err.
 */
struct fg_eventlog* fg_eventlog_open(const char* path, char* err, size_t errlen);

/** Write what is queued, stop the writer, close the file. NULL is fine. */
void fg_eventlog_close(struct fg_eventlog* log);

/**
 * Queue one line (a complete JSON object, no newline). A line longer than
 * FG_EVENTLOG_LINE_MAX - 1 is dropped rather than cut into invalid JSON.
 * \return 1 if queued, 0 if dropped (queue full, line too long, NULL log).
 */
int fg_eventlog_post(struct fg_eventlog* log, const char* line);

/** Lines dropped since open. */
uint64_t fg_eventlog_dropped(struct fg_eventlog* log);

#endif /* FLUXGUARD_EVENTLOG_H */
