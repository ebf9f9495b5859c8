/**
 * \file
 * The embedded default allow list: well-known infrastructure whose answers
 * legitimately rotate across many addresses, prefixes or networks (CDN edge
 * domains, cloud load balancers, traffic managers, volunteer pools). The policy
 * owner adds these names to the allow list with fg_policy_add when the
 * default-allow-list option is on (the default); doc/BENIGN.md explains the
 * choice of entries and how to override them.
 */
#ifndef FLUXGUARD_BENIGN_H
#define FLUXGUARD_BENIGN_H

#include <stddef.h>

/**
 * The list: presentation-format names, each meaning that domain and every name
 * below it (fluxguard/policy.h entry syntax), ending with a NULL entry.
 */
extern const char* const fg_benign_default[];

struct fg_policy;

/**
 * Add every entry of fg_benign_default to the allow list of \p p (what the
 * module and fluxguard-replay do when default-allow-list is on).
 * \return 1 on success, 0 with the reason in \p err.
 */
int fg_benign_add_to_policy(struct fg_policy* p, char* err, size_t errlen);

#endif /* FLUXGUARD_BENIGN_H */
