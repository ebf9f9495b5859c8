/**
 * \file
 * What the binary readers share (tools/fg_input.h): the format from the
 * magic, and the one way damage is reported and counted.
 */
#include "fg-config.h"

#include "fg_input.h"

#include <stdarg.h>
#include <string.h>

enum fg_input_format
fg_input_detect(const uint8_t* h, size_t n)
{
	size_t i;
	if(n < 4) {
		for(i = 0; i < n; i++)
			if((h[i] < 0x20 || h[i] > 0x7e) && h[i] != '\n' &&
				h[i] != '\r' && h[i] != '\t')
				return FG_INPUT_UNKNOWN;
		return FG_INPUT_TEXT;
	}
	if(h[0] == 0 && h[1] == 0 && h[2] == 0 && h[3] == 0)
		return FG_INPUT_DNSTAP;
	if(memcmp(h, "\xa1\xb2\xc3\xd4", 4) == 0 ||
		memcmp(h, "\xd4\xc3\xb2\xa1", 4) == 0 ||
		memcmp(h, "\xa1\xb2\x3c\x4d", 4) == 0 ||
		memcmp(h, "\x4d\x3c\xb2\xa1", 4) == 0)
		return FG_INPUT_PCAP;
	if(memcmp(h, "\x0a\x0d\x0d\x0a", 4) == 0)
		return FG_INPUT_PCAPNG;
	/* a text trace starts with printable ASCII or white space */
	for(i = 0; i < 4; i++)
		if((h[i] < 0x20 || h[i] > 0x7e) && h[i] != '\n' &&
			h[i] != '\r' && h[i] != '\t')
			return FG_INPUT_UNKNOWN;
	return FG_INPUT_TEXT;
}

const char*
fg_input_format_name(enum fg_input_format f)
{
	switch(f) {
	case FG_INPUT_TEXT: return "text trace";
	case FG_INPUT_DNSTAP: return "dnstap";
	case FG_INPUT_PCAP: return "pcap";
	case FG_INPUT_PCAPNG: return "pcapng";
	default: return "unknown";
	}
}

int
fg_dnstap_messages_parse(const char* tool, const char* text, int* bits)
{
	if(strcmp(text, "auto") == 0)
		*bits = FG_DNSTAP_AUTO;
	else if(strcmp(text, "resolver") == 0)
		*bits = FG_DNSTAP_RESOLVER;
	else if(strcmp(text, "client") == 0)
		*bits = FG_DNSTAP_CLIENT;
	else if(strcmp(text, "all") == 0)
		*bits = FG_DNSTAP_RESOLVER | FG_DNSTAP_CLIENT;
	else {
		fprintf(stderr, "%s: --dnstap-messages: expected auto, "
			"resolver, client or all, got \"%s\"\n", tool, text);
		return 0;
	}
	return 1;
}

/** Print one message about \p in. */
static void
say(struct fg_input* in, const char* where, const char* fmt, va_list args)
{
	if(!in->err)
		return;
	fprintf(in->err, "%s: %s: ", in->name, where);
	vfprintf(in->err, fmt, args);
	fputc('\n', in->err);
}

void
fg_input_damaged(struct fg_input* in, const char* where, const char* fmt, ...)
{
	va_list args;
	in->damaged++;
	if(in->damaged > FG_INPUT_MAX_REPORTS)
		return;
	va_start(args, fmt);
	say(in, where, fmt, args);
	va_end(args);
	if(in->damaged == FG_INPUT_MAX_REPORTS && in->err)
		fprintf(in->err, "%s: further damaged frames are counted, "
			"not reported\n", in->name);
}

void
fg_input_broken(struct fg_input* in, const char* where, const char* fmt, ...)
{
	va_list args;
	in->broken = 1;
	va_start(args, fmt);
	say(in, where, fmt, args);
	va_end(args);
}
