/**
 * \file
 * The event log's queue and writer thread; see fluxguard/eventlog.h.
 * A ring of fixed-size line buffers guarded by one mutex held only for a
 * memcpy; the writer waits on a condition variable and writes outside the lock.
 */
#include "fluxguard/eventlog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** The log. */
struct fg_eventlog {
	/** the file, opened O_APPEND */
	int fd;
	/** guards everything below */
	pthread_mutex_t lock;
	/** signalled when a line is queued or on close */
	pthread_cond_t wake;
	/** the writer */
	pthread_t writer;
	/** queued lines, each NUL-terminated */
	char lines[FG_EVENTLOG_QUEUE][FG_EVENTLOG_LINE_MAX];
	/** index of the oldest queued line, and how many are queued */
	size_t head, n;
	/** set by close: write what is left, then exit */
	int stopping;
	/** lines dropped */
	uint64_t dropped;
};

/** Write all of \p buf; a failure drops the line (logged by nobody: the
 * file is the log, and a resolver must not stall on it). */
static void
write_all(int fd, const char* buf, size_t len)
{
	while(len > 0) {
		ssize_t r = write(fd, buf, len);
		if(r < 0 && errno == EINTR)
			continue;
		if(r <= 0)
			return;
		buf += r;
		len -= (size_t)r;
	}
}

static void*
writer_main(void* arg)
{
	struct fg_eventlog* log = arg;
	char line[FG_EVENTLOG_LINE_MAX + 1];
	pthread_mutex_lock(&log->lock);
	for(;;) {
		size_t len;
		while(log->n == 0 && !log->stopping)
			pthread_cond_wait(&log->wake, &log->lock);
		if(log->n == 0 && log->stopping)
			break;
		len = strlen(log->lines[log->head]);
		memcpy(line, log->lines[log->head], len);
		log->head = (log->head + 1) % FG_EVENTLOG_QUEUE;
		log->n--;
		pthread_mutex_unlock(&log->lock);
		line[len++] = '\n';
		write_all(log->fd, line, len);
		pthread_mutex_lock(&log->lock);
	}
	pthread_mutex_unlock(&log->lock);
	return NULL;
}

struct fg_eventlog*
fg_eventlog_open(const char* path, char* err, size_t errlen)
{
	struct fg_eventlog* log = calloc(1, sizeof(*log));
	if(!log) {
		snprintf(err, errlen, "event-log %s: out of memory", path);
		return NULL;
	}
	log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if(log->fd < 0) {
		snprintf(err, errlen, "event-log %s: %s", path, strerror(errno));
		free(log);
		return NULL;
	}
	pthread_mutex_init(&log->lock, NULL);
	pthread_cond_init(&log->wake, NULL);
	if(pthread_create(&log->writer, NULL, writer_main, log) != 0) {
		snprintf(err, errlen, "event-log %s: cannot start its writer", path);
		pthread_cond_destroy(&log->wake);
		pthread_mutex_destroy(&log->lock);
		close(log->fd);
		free(log);
		return NULL;
	}
	return log;
}

void
fg_eventlog_close(struct fg_eventlog* log)
{
	if(!log)
		return;
	pthread_mutex_lock(&log->lock);
	log->stopping = 1;
	pthread_cond_signal(&log->wake);
	pthread_mutex_unlock(&log->lock);
	pthread_join(log->writer, NULL);
	pthread_cond_destroy(&log->wake);
	pthread_mutex_destroy(&log->lock);
	close(log->fd);
	free(log);
}

int
fg_eventlog_post(struct fg_eventlog* log, const char* line)
{
	size_t len;
	if(!log || !line)
		return 0;
	len = strlen(line);
	pthread_mutex_lock(&log->lock);
	if(len >= FG_EVENTLOG_LINE_MAX || log->n == FG_EVENTLOG_QUEUE ||
		log->stopping) {
		__atomic_fetch_add(&log->dropped, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&log->lock);
		return 0;
	}
	memcpy(log->lines[(log->head + log->n) % FG_EVENTLOG_QUEUE], line, len + 1);
	log->n++;
	pthread_cond_signal(&log->wake);
	pthread_mutex_unlock(&log->lock);
	return 1;
}

uint64_t
fg_eventlog_dropped(struct fg_eventlog* log)
{
	/* counted under the queue's lock, read without it */
	return log ? __atomic_load_n(&log->dropped, __ATOMIC_RELAXED) : 0;
}
