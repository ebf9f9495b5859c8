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

/**
 * Start a tagged paragraph (.TP) whose tag line is \p tag in bold, as roff
 * text between \p prefix and \p suffix (printed as they are): the one
 * shape of every option, command and counter entry of the man pages.
 */
void fg_roff_tag(const char* prefix, const char* tag, const char* suffix);

#endif /* FLUXGUARD_TOOLS_ROFF_H */
