/**
 * \file
 * fluxguard-publish's zone-file backend (fg_rpz_backend.h), for primaries
 * that take no updates (NSD, BIND with a static zone): the whole zone is
 * written from the segment's verdicts to a temporary file beside
 * rpz-zonefile, synced and renamed over it (a primary never reads half a
 * file), with an SOA serial one above the last; then rpz-reload-command
 * tells the primary. The primary makes IXFR from the differences.
 */
#include "fg-config.h"

#include "fg_rpz_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/** The serial of a zone file this backend wrote, 0 if none or unreadable. */
static uint32_t
previous_serial(const char* path)
{
	FILE* f = fopen(path, "r");
	char line[512];
	unsigned long s = 0;
	if(!f)
		return 0;
	while(fgets(line, sizeof(line), f))
		if(sscanf(line, "; fluxguard-publish serial %lu", &s) == 1)
			break;
	fclose(f);
	return (uint32_t)s;
}

int
fg_rpz_zonefile_write(const struct fg_config* cfg,
	const struct fg_rpz_params* p, const struct fg_rpz_entry* v, size_t n,
	uint32_t* serial, char* err, size_t errlen)
{
	char tmp[4200], *text = NULL, *line, *save;
	uint32_t old;
	size_t i;
	FILE* f;
	int fd, st;
	if(!cfg->rpz_zonefile) {
		snprintf(err, errlen, "rpz-zonefile: not set (rpz-backend "
			"zonefile needs it)");
		return 0;
	}
	old = previous_serial(cfg->rpz_zonefile);
	/* a first file starts at the clock, above any serial an older zone
	 * of that name is likely to have had */
	*serial = old ? old + 1 : (uint32_t)time(NULL);
	if(*serial == 0)
		*serial = 1;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", cfg->rpz_zonefile,
		(long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if(fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "rpz-zonefile %s: cannot write %s: %s",
			cfg->rpz_zonefile, tmp, strerror(errno));
		if(fd >= 0)
			close(fd);
		return 0;
	}
	if(!(text = malloc(FG_RPZ_ENTRY_TEXT))) {
		fclose(f);
		unlink(tmp);
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	fprintf(f, "; written by fluxguard-publish from the segment's verdicts: "
		"do not edit\n; fluxguard-publish serial %" PRIu32 "\n"
		"$ORIGIN %s\n$TTL %u\n"
		"@ IN SOA localhost. hostmaster.localhost. %" PRIu32
		" 3600 600 86400 %u\n@ IN NS localhost.\n", *serial, p->zone_str,
		(unsigned)cfg->rpz_ttl, *serial, (unsigned)cfg->rpz_ttl);
	for(i = 0; i < n; i++) {
		if(fg_rpz_render(p, &v[i], text, FG_RPZ_ENTRY_TEXT) == 0)
			continue; /* too long: the caller counted it */
		for(line = strtok_r(text, "\n", &save); line;
			line = strtok_r(NULL, "\n", &save)) {
			const char* sp = strchr(line, ' ');
			fprintf(f, "%.*s %u IN %s\n", (int)(sp - line), line,
				(unsigned)cfg->rpz_ttl, sp + 1);
		}
	}
	free(text);
	if(fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f)) {
		snprintf(err, errlen, "rpz-zonefile %s: writing %s: %s",
			cfg->rpz_zonefile, tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return 0;
	}
	if(fclose(f) != 0 || rename(tmp, cfg->rpz_zonefile) != 0) {
		snprintf(err, errlen, "rpz-zonefile %s: cannot put %s in place: %s",
			cfg->rpz_zonefile, tmp, strerror(errno));
		unlink(tmp);
		return 0;
	}
	if(!cfg->rpz_reload_command)
		return 1;
	st = system(cfg->rpz_reload_command);
	if(st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(err, errlen, "rpz-reload-command \"%s\" failed (%s %d) "
			"after serial %" PRIu32 " was written", cfg->rpz_reload_command,
			st == -1 ? "could not run:" : WIFEXITED(st) ? "exit status" :
			"signal", st == -1 ? errno : WIFEXITED(st) ? WEXITSTATUS(st) :
			WTERMSIG(st), *serial);
		return 0;
	}
	return 1;
}
