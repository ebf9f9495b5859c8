/**
 * \file
 * The bounded queue between fluxguard-sensor's receiver and its detector
 * thread: frames are copied in by the receiver and taken out by the
 * detector. A push never waits: a queue full in frames or in octets refuses
 * the frame, so a sender is never slowed down (the sensor drops and counts
 * it instead), and a flood of large frames cannot make the queue cost more
 * than its octet bound.
 */
#ifndef FLUXGUARD_TOOLS_FRAME_QUEUE_H
#define FLUXGUARD_TOOLS_FRAME_QUEUE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/** One frame: its length, then its octets. */
struct fg_frame {
	/** octets in data */
	size_t len;
	/** the frame */
	uint8_t data[];
};

/** The queue. */
struct fg_frame_queue {
	/** guards everything below */
	pthread_mutex_t lock;
	/** signalled when a frame is queued or the queue is closed */
	pthread_cond_t nonempty;
	/** the frames, a ring of cap */
	struct fg_frame** ring;
	/** frames at most, first frame's index, frames queued */
	size_t cap, head, count;
	/** octets of the frames queued, and at most */
	size_t bytes, max_bytes;
	/** no more frames come: pops drain what is left, then return NULL */
	int closed;
};

/**
 * Set up an empty queue.
 * \param cap frames at most (at least 1).
 * \param max_bytes octets of frames at most.
 * \return 1, or 0 out of memory.
 */
int fg_frame_queue_init(struct fg_frame_queue* q, size_t cap,
	size_t max_bytes);

/** Free the queue and the frames still in it. */
void fg_frame_queue_deinit(struct fg_frame_queue* q);

/**
 * A copy of \p len octets as a frame (malloced), for fg_frame_queue_push.
 * \return the frame, or NULL out of memory.
 */
struct fg_frame* fg_frame_new(const uint8_t* data, size_t len);

/**
 * Whether a frame of \p len octets would be queued now: a hint that saves
 * copying a frame that would be dropped when the queue is full (the push
 * still decides). Never waits.
 */
int fg_frame_queue_would_take(struct fg_frame_queue* q, size_t len);

/**
 * Queue a frame; never waits.
 * \return 1 when queued (the queue owns it), 0 when the queue is full in
 *	frames or in octets, or closed (the caller keeps it).
 */
int fg_frame_queue_push(struct fg_frame_queue* q, struct fg_frame* f);

/**
 * Take the oldest frame, waiting for one.
 * \return the frame (the caller frees it), or NULL once the queue is
 *	closed and empty.
 */
struct fg_frame* fg_frame_queue_pop(struct fg_frame_queue* q);

/** Close the queue: no more pushes; waiting pops drain it and end. */
void fg_frame_queue_close(struct fg_frame_queue* q);

#endif /* FLUXGUARD_TOOLS_FRAME_QUEUE_H */
