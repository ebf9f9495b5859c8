/**
 * \file
 * Growable arrays (fluxguard/array.h).
 */
#include "fluxguard/array.h"

#include <stdint.h>
#include <stdlib.h>

int
fg_array_grow(void** v, size_t* cap, size_t n, size_t size, size_t first)
{
	void* nv;
	size_t ncap;
	if(n < *cap)
		return 1;
	ncap = *cap ? *cap * 2 : first;
	if(ncap < *cap || ncap > SIZE_MAX / size)
		return 0;
	nv = realloc(*v, ncap * size);
	if(!nv)
		return 0;
	*v = nv;
	*cap = ncap;
	return 1;
}
