/**
 * \file
 * Growable arrays: the one way the core and the tools make room for one
 * more element (the configuration's lists, the policy's sets, the zone
 * read back from an RPZ primary, the publisher's and the control tool's
 * collections), doubling the capacity so that n appends cost O(n).
 */
#ifndef FLUXGUARD_ARRAY_H
#define FLUXGUARD_ARRAY_H

#include <stddef.h>

/**
 * Make room for element \p n of the array at *\p v, of *\p cap elements of
 * \p size octets: if it is full, double it (or allocate \p first elements
 * for an empty one) with realloc, updating *\p v and *\p cap.
 * \return 1, or 0 when out of memory (the array is left as it was).
 */
int fg_array_grow(void** v, size_t* cap, size_t n, size_t size,
	size_t first);

#endif /* FLUXGUARD_ARRAY_H */
