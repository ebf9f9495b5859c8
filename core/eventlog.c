/**
 * \file
 * The event log's queue, rate and writer thread; see fluxguard/eventlog.h.
 * A ring of fixed-size line buffers guarded by one mutex held only for a
 * memcpy; the writer waits on a condition variable (at most
 * FG_EVENTLOG_CHECK_MS, so that it also looks after the file and the
 * suppressed summary when no line comes) and writes outside the lock. The
 * rate is a per-second window of atomic counters, so a flood of block events
 * costs the resolver threads one atomic add each, not the queue's lock.
 */
#include "fluxguard/eventlog.h"
#include "fluxguard/event.h"
#include "fluxguard/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/** The log. */
struct fg_eventlog {
	/** the file, opened O_APPEND; only the writer changes it once it runs */
	int fd;
	/** device and inode of fd, to see the path name another file */
	dev_t dev;
	/** see dev */
	ino_t ino;
	/** the path, owned */
	char* path;
	/** the identity for the suppressed lines, owned, or NULL */
	char* identity;
	/** lines admitted per second, 0 for no limit */
	uint32_t rate;
	/** the writer could not reopen the path (said once until it can) */
	int reopen_failed;
	/** guards the queue and stopping */
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
	/** lines dropped (atomic) */
	uint64_t dropped;
	/** the second the rate's window is in, and lines admitted in it
	 * (atomic) */
	uint64_t rate_sec, rate_used;
	/** lines left out since the last summary, and the second of the first
	 * of them (atomic; the writer takes them) */
	uint64_t pending, pending_since;
	/** lines left out since open (atomic) */
	uint64_t suppressed;
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

/** Open \p path for appending and note its identity. \return the fd or -1
 * (errno set). */
static int
open_file(const char* path, dev_t* dev, ino_t* ino)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if(fd < 0)
		return -1;
	if(fstat(fd, &st) == 0) {
		*dev = st.st_dev;
		*ino = st.st_ino;
	}
	return fd;
}

/** Writer: when the path names another file than the one written, or none
 * (moved away by logrotate, removed), open it anew. */
static void
reopen_if_moved(struct fg_eventlog* log)
{
	struct stat st;
	dev_t dev = 0;
	ino_t ino = 0;
	int fd;
	if(stat(log->path, &st) == 0 && st.st_dev == log->dev &&
		st.st_ino == log->ino)
		return;
	fd = open_file(log->path, &dev, &ino);
	if(fd < 0) {
		if(!log->reopen_failed)
			fg_log(FG_LOG_ERR, "event-log %s: moved or removed, and "
				"cannot be opened anew: %s; events go on to the "
				"file that was moved", log->path, strerror(errno));
		log->reopen_failed = 1;
		return;
	}
	close(log->fd);
	log->fd = fd;
	log->dev = dev;
	log->ino = ino;
	log->reopen_failed = 0;
	fg_log(FG_LOG_INFO, "event-log %s: the file was moved or removed; "
		"events go to a new one", log->path);
}

/** Writer: the summary of what the rate left out since the last one. */
static void
write_suppressed(struct fg_eventlog* log)
{
	char line[FG_EVENTLOG_LINE_MAX + 1];
	uint64_t n = __atomic_exchange_n(&log->pending, 0, __ATOMIC_ACQ_REL);
	uint64_t since = __atomic_exchange_n(&log->pending_since, 0,
		__ATOMIC_ACQ_REL);
	uint64_t now = (uint64_t)time(NULL);
	if(n == 0)
		return;
	if(!fg_event_format_suppressed(now, log->identity, n, since ? since :
		now, log->rate, line, sizeof(line) - 1))
		return;
	strcat(line, "\n");
	write_all(log->fd, line, strlen(line));
}

/** The monotonic clock's now plus FG_EVENTLOG_CHECK_MS. */
static struct timespec
next_check(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += FG_EVENTLOG_CHECK_MS / 1000;
	t.tv_nsec += (long)(FG_EVENTLOG_CHECK_MS % 1000) * 1000000L;
	if(t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/** Whether \p t has come. */
static int
due(const struct timespec* t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec &&
		now.tv_nsec >= t->tv_nsec);
}

static void*
writer_main(void* arg)
{
	struct fg_eventlog* log = arg;
	char line[FG_EVENTLOG_LINE_MAX + 1];
	struct timespec check = next_check();
	pthread_mutex_lock(&log->lock);
	for(;;) {
		while(log->n == 0 && !log->stopping &&
			pthread_cond_timedwait(&log->wake, &log->lock, &check) == 0)
			;
		if(log->n > 0) {
			size_t len = strlen(log->lines[log->head]);
			memcpy(line, log->lines[log->head], len);
			log->head = (log->head + 1) % FG_EVENTLOG_QUEUE;
			log->n--;
			pthread_mutex_unlock(&log->lock);
			line[len++] = '\n';
			write_all(log->fd, line, len);
			pthread_mutex_lock(&log->lock);
		}
		if(log->n == 0 && log->stopping)
			break;
		if(due(&check)) {
			pthread_mutex_unlock(&log->lock);
			reopen_if_moved(log);
			write_suppressed(log);
			check = next_check();
			pthread_mutex_lock(&log->lock);
		}
	}
	pthread_mutex_unlock(&log->lock);
	write_suppressed(log);
	return NULL;
}

/** Free \p log's memory and file (the writer is not running). */
static void
log_free(struct fg_eventlog* log)
{
	if(log->fd >= 0)
		close(log->fd);
	free(log->path);
	free(log->identity);
	free(log);
}

struct fg_eventlog*
fg_eventlog_open(const struct fg_eventlog_params* p, char* err, size_t errlen)
{
	struct fg_eventlog* log = calloc(1, sizeof(*log));
	pthread_condattr_t ca;
	if(!log || !(log->path = strdup(p->path)) || (p->identity &&
		!(log->identity = strdup(p->identity)))) {
		snprintf(err, errlen, "event-log %s: out of memory", p->path);
		if(log) {
			log->fd = -1;
			log_free(log);
		}
		return NULL;
	}
	log->rate = p->rate;
	log->fd = open_file(p->path, &log->dev, &log->ino);
	if(log->fd < 0) {
		snprintf(err, errlen, "event-log %s: %s", p->path, strerror(errno));
		log_free(log);
		return NULL;
	}
	pthread_mutex_init(&log->lock, NULL);
	/* a monotonic wait: a clock step must not stall the file checks */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&log->wake, &ca);
	pthread_condattr_destroy(&ca);
	if(pthread_create(&log->writer, NULL, writer_main, log) != 0) {
		snprintf(err, errlen, "event-log %s: cannot start its writer",
			p->path);
		pthread_cond_destroy(&log->wake);
		pthread_mutex_destroy(&log->lock);
		log_free(log);
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
	log_free(log);
}

int
fg_eventlog_admit(struct fg_eventlog* log, uint64_t now)
{
	uint64_t sec;
	if(!log)
		return 0;
	if(log->rate == 0)
		return 1;
	sec = __atomic_load_n(&log->rate_sec, __ATOMIC_RELAXED);
	/* the first poster of a new second opens its window; a line racing
	 * with it may count in either second */
	if(sec != now && __atomic_compare_exchange_n(&log->rate_sec, &sec, now,
		0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		__atomic_store_n(&log->rate_used, 0, __ATOMIC_RELAXED);
	if(__atomic_fetch_add(&log->rate_used, 1, __ATOMIC_RELAXED) < log->rate)
		return 1;
	__atomic_fetch_add(&log->suppressed, 1, __ATOMIC_RELAXED);
	if(__atomic_fetch_add(&log->pending, 1, __ATOMIC_ACQ_REL) == 0) {
		uint64_t zero = 0;
		(void)__atomic_compare_exchange_n(&log->pending_since, &zero,
			now, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	}
	return 0;
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
	return log ? __atomic_load_n(&log->dropped, __ATOMIC_RELAXED) : 0;
}

uint64_t
fg_eventlog_suppressed(struct fg_eventlog* log)
{
	return log ? __atomic_load_n(&log->suppressed, __ATOMIC_RELAXED) : 0;
}
