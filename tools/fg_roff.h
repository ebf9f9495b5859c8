/**
 * \file
 * roff text for the man pages the tools write from their tables
 * (fluxguard-control --man, fg-gen-docs man).
 */
#ifndef FLUXGUARD_TOOLS_ROFF_H
#define FLUXGUARD_TOOLS_ROFF_H

#include <stdio.h>

/**
 * Print \p s to stdout as roff text: backslashes and hyphens escaped, and a
 * leading '.' or '\'' guarded so the text never reads as a control line.
 */
void fg_roff_text(const char* s);

#endif /* FLUXGUARD_TOOLS_ROFF_H */
