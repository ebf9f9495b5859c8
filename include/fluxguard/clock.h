/**
 * \file
 * The monotonic clock, read one way by every process that times an
 * interval (the publisher's retries and stats, the benchmarks): never the
 * wall clock, which an operator or NTP may step.
 */
#ifndef FLUXGUARD_CLOCK_H
#define FLUXGUARD_CLOCK_H

/** Seconds on CLOCK_MONOTONIC, with their fraction: for intervals only. */
double fg_clock_mono(void);

#endif /* FLUXGUARD_CLOCK_H */
