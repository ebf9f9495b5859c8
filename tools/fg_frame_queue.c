/**
 * \file
 * fluxguard-sensor's bounded frame queue (fg_frame_queue.h): a ring of
 * frame pointers under one mutex, with a count of the octets queued.
 */
#include "fg_frame_queue.h"

#include <stdlib.h>
#include <string.h>

int
fg_frame_queue_init(struct fg_frame_queue* q, size_t cap, size_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	if(cap == 0 || !(q->ring = calloc(cap, sizeof(*q->ring))))
		return 0;
	q->cap = cap;
	q->max_bytes = max_bytes;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->nonempty, NULL);
	return 1;
}

void
fg_frame_queue_deinit(struct fg_frame_queue* q)
{
	if(!q->ring)
		return;
	while(q->count > 0) {
		free(q->ring[q->head]);
		q->head = (q->head + 1) % q->cap;
		q->count--;
	}
	free(q->ring);
	q->ring = NULL;
	pthread_cond_destroy(&q->nonempty);
	pthread_mutex_destroy(&q->lock);
}

struct fg_frame*
fg_frame_new(const uint8_t* data, size_t len)
{
	struct fg_frame* f = malloc(sizeof(*f) + len);
	if(!f)
		return NULL;
	f->len = len;
	memcpy(f->data, data, len);
	return f;
}

/** Whether \p len more octets fit now; lock held. */
static int
room_for(const struct fg_frame_queue* q, size_t len)
{
	/* bytes never exceeds max_bytes, so the subtraction cannot wrap */
	return !q->closed && q->count < q->cap && len <= q->max_bytes - q->bytes;
}

int
fg_frame_queue_would_take(struct fg_frame_queue* q, size_t len)
{
	int ok;
	pthread_mutex_lock(&q->lock);
	ok = room_for(q, len);
	pthread_mutex_unlock(&q->lock);
	return ok;
}

int
fg_frame_queue_push(struct fg_frame_queue* q, struct fg_frame* f)
{
	int ok = 0;
	pthread_mutex_lock(&q->lock);
	if(room_for(q, f->len)) {
		q->ring[(q->head + q->count) % q->cap] = f;
		q->count++;
		q->bytes += f->len;
		ok = 1;
		pthread_cond_signal(&q->nonempty);
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

struct fg_frame*
fg_frame_queue_pop(struct fg_frame_queue* q)
{
	struct fg_frame* f = NULL;
	pthread_mutex_lock(&q->lock);
	while(q->count == 0 && !q->closed)
		pthread_cond_wait(&q->nonempty, &q->lock);
	if(q->count > 0) {
		f = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->count--;
		q->bytes -= f->len;
	}
	pthread_mutex_unlock(&q->lock);
	return f;
}

void
fg_frame_queue_close(struct fg_frame_queue* q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}
