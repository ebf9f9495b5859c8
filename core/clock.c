/**
 * \file
 * The monotonic clock (fluxguard/clock.h).
 */
#include "fluxguard/clock.h"

#include <time.h>

double
fg_clock_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
