/**
 * \file
 * roff text for the tools' man pages (tools/fg_roff.h).
 */
#include "fg_roff.h"

void
fg_roff_text(const char* s)
{
	if(*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	for(; *s; s++) {
		if(*s == '\\')
			fputs("\\e", stdout);
		else if(*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

void
fg_roff_tag(const char* prefix, const char* tag, const char* suffix)
{
	printf(".TP\n.B %s", prefix);
	fg_roff_text(tag);
	printf("%s\n", suffix);
}
