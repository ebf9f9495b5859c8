/**
 * \file
 * The counter descriptions, generated from the list in fluxguard/counters.h.
 */
#include "fluxguard/counters.h"

const struct fg_counter_desc fg_counter_descs[FG_CTR_COUNT] = {
#define FG_COUNTER_DESC(id, name, resettable, doc) { name, resettable, doc },
	FG_COUNTERS(FG_COUNTER_DESC)
#undef FG_COUNTER_DESC
};
