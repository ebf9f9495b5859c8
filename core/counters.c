/**
 * \file
 * The counter descriptions, generated from the list in fluxguard/counters.h,
 * and the one spelling of their Prometheus names that the exposition and the
 * docs share.
 */
#include "fluxguard/counters.h"

#include <stdio.h>

const struct fg_counter_desc fg_counter_descs[FG_CTR_COUNT] = {
#define FG_COUNTER_DESC(id, name, resettable, metric, label, value, doc) \
	{ name, resettable, metric, label, value, doc },
	FG_COUNTERS(FG_COUNTER_DESC)
#undef FG_COUNTER_DESC
};

void
fg_counter_prom_metric(const struct fg_counter_desc* d, char* buf, size_t len)
{
	snprintf(buf, len, "fluxguard_%s_total", d->metric);
}

void
fg_prom_series(const char* metric, const char* label, const char* value,
	char* buf, size_t len)
{
	if(label[0])
		snprintf(buf, len, "%s{%s=\"%s\"}", metric, label, value);
	else
		snprintf(buf, len, "%s", metric);
}
