/**
 * \file
 * The event log: one JSON object per line (fluxguard/event.h), appended to a
 * file for a SIEM (option event-log). Resolver threads never wait on it:
 * fg_eventlog_post copies the line into a bounded in-memory queue and
 * returns; a writer thread of its own appends and fsyncs nothing. When the
 * queue is full the line is dropped and counted, never blocking.
 *
 * Rate: block events come with every blocked query, so a flood of them is
 * capped (option event-rate): fg_eventlog_admit hands out that many lines a
 * second, lock-free, and counts the rest; the writer writes one
 * "suppressed" line with their number about once a second while there are
 * any, and at close.
 *
 * Rotation: about once a second the writer compares the file it writes with
 * what the path names now; when the path names another file or none (it was
 * moved or removed, as logrotate does), it opens the path anew, creating
 * it. Lines written before the switch stay in the moved file, none is lost.
 * A file truncated in place (copytruncate) is written on at its new end.
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
/** How often the writer looks for a moved file and writes the suppressed
 * summary, milliseconds. */
#define FG_EVENTLOG_CHECK_MS 1000

struct fg_eventlog;

/** How to open the event log. */
struct fg_eventlog_params {
	/** the file: appended to, created with mode 0640 if absent */
	const char* path;
	/** lines fg_eventlog_admit lets through per second; 0 for no limit */
	uint32_t rate;
	/** the resolver's identity, for the suppressed lines; NULL for none */
	const char* identity;
};

/**
 * Open \p p->path and start the writer.
 * \return the log, or NULL with the reason in \p err.
 */
struct fg_eventlog* fg_eventlog_open(const struct fg_eventlog_params* p,
	char* err, size_t errlen);

/** Write what is queued and the last suppressed summary, stop the writer,
 * close the file. NULL is fine. */
void fg_eventlog_close(struct fg_eventlog* log);

/**
 * Ask whether one more rate-limited line (a block event) may be written in
 * second \p now (UNIX seconds): 1 if so, then format and post it; 0 if the
 * rate is used up, and the line is counted for the next suppressed summary
 * instead. Lock-free, for resolver threads. A NULL log admits nothing.
 */
int fg_eventlog_admit(struct fg_eventlog* log, uint64_t now);

/**
 * Queue one line (a complete JSON object, no newline). A line longer than
 * FG_EVENTLOG_LINE_MAX - 1 is dropped rather than cut into invalid JSON.
 * \return 1 if queued, 0 if dropped (queue full, line too long, NULL log).
 */
int fg_eventlog_post(struct fg_eventlog* log, const char* line);

/** Lines dropped since open. */
uint64_t fg_eventlog_dropped(struct fg_eventlog* log);

/** Lines left out by the rate since open. */
uint64_t fg_eventlog_suppressed(struct fg_eventlog* log);

#endif /* FLUXGUARD_EVENTLOG_H */
