/**
 * \file
 * The fluxguard.conf reader: lines, quotes, comments, the clause header and
 * includes; every value is handed to the options table's setter
 * (fg_option_set), which knows the types. See fluxguard/conffile.h for the
 * syntax and the lookup rule.
 */
#include "fluxguard/conffile.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/** Where an option was last set. */
struct conf_loc {
	/** file (one of cfg->files), NULL if never set */
	const char* file;
	/** line in file */
	int line;
};

/** State of one fg_conf_load. */
struct conf_state {
	/** the config being filled */
	struct fg_config* cfg;
	/** error output */
	char* err;
	/** size of err */
	size_t errlen;
	/** real paths of the files being read, outermost first, for loops */
	char* open[FG_CONF_MAX_DEPTH + 1];
	/** where each option of the table was last set, by table index */
	struct conf_loc* set_at;
	/** check mode: every error goes here and reading goes on (NULL: the
	 * first error stops the load) */
	fg_conf_report_func* report;
	/** its argument */
	void* report_arg;
	/** errors reported */
	int errors;
};

/** Keep a copy of a file name in cfg->files for the config's lifetime. */
static const char*
intern_file(struct fg_config* cfg, const char* path)
{
	char** files;
	char* copy = strdup(path);
	if(!copy)
		return NULL;
	files = realloc(cfg->files, (cfg->n_files + 1) * sizeof(*files));
	if(!files) {
		free(copy);
		return NULL;
	}
	cfg->files = files;
	cfg->files[cfg->n_files++] = copy;
	return copy;
}

/** Format "FILE:LINE: NAME: what" into the state's error buffer. */
static int
conf_error(struct conf_state* st, const char* file, int line,
	const char* name, const char* fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
conf_error(struct conf_state* st, const char* file, int line,
	const char* name, const char* fmt, ...)
{
	va_list args;
	int pos = snprintf(st->err, st->errlen, "%s:%d: %s: ", file, line, name);
	if(pos >= 0 && (size_t)pos < st->errlen) {
		va_start(args, fmt);
		vsnprintf(st->err + pos, st->errlen - (size_t)pos, fmt, args);
		va_end(args);
	}
	if(!st->report)
		return 0;
	/* check mode: say it and read on, to find every error at once */
	st->report(st->err, st->report_arg);
	st->errors++;
	return 1;
}

/** Read one file (defined below; includes recurse into it). */
static int read_file(struct conf_state* st, const char* path, int depth,
	int in_clause, const char* from_file, int from_line);

/** Whether an include value is a glob pattern. */
static int
is_pattern(const char* s)
{
	return strpbrk(s, "*?[") != NULL;
}

/** include: read the named file, or every match of a pattern, in place. */
static int
do_include(struct conf_state* st, const char* file, int line, int depth,
	int in_clause, const char* value)
{
	char* resolved;
	glob_t g;
	size_t i;
	int r, ok = 1;

	if(!*value)
		return conf_error(st, file, line, "include", "expected a file "
			"name, got \"\"");
	if(depth + 1 > FG_CONF_MAX_DEPTH)
		return conf_error(st, file, line, "include", "includes nested "
			"deeper than %d", FG_CONF_MAX_DEPTH);
	/* relative to the includer's directory, as every path is */
	resolved = fg_conf_resolve_path(value, file);
	if(!resolved)
		return conf_error(st, file, line, "include", "out of memory");
	if(!is_pattern(resolved)) {
		ok = read_file(st, resolved, depth + 1, in_clause, file, line);
	} else {
		r = glob(resolved, 0, NULL, &g);
		if(r == 0) {
			for(i = 0; ok && i < g.gl_pathc; i++)
				ok = read_file(st, g.gl_pathv[i], depth + 1,
					in_clause, file, line);
			globfree(&g);
		} else if(r != GLOB_NOMATCH) {
			ok = conf_error(st, file, line, "include", "cannot "
				"expand \"%s\"", resolved);
		}
	}
	free(resolved);
	return ok;
}

/** Whether c may be part of an option name. */
static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_';
}

/** Parse and apply one line (without its newline). */
static int
parse_line(struct conf_state* st, const char* file, int line, char* p,
	int depth, int* in_clause)
{
	char *name, *value;
	const struct fg_option* opt;
	char why[512];
	int quoted = 0;

	while(*p == ' ' || *p == '\t')
		p++;
	if(*p == 0 || *p == '#')
		return 1;
	name = p;
	while(name_char(*p))
		p++;
	if(p == name) {
		snprintf(st->err, st->errlen, "%s:%d: expected \"name: value\", "
			"got \"%s\"", file, line, name);
		return 0;
	}
	if(*p != ':') {
		*p = 0;
		return conf_error(st, file, line, name, "expected ':' after "
			"the option name");
	}
	*p++ = 0;
	while(*p == ' ' || *p == '\t')
		p++;
	if(*p == '"' || *p == '\'') {
		char q = *p++;
		value = p;
		while(*p && *p != q)
			p++;
		if(*p != q)
			return conf_error(st, file, line, name, "unterminated "
				"quoted string");
		*p++ = 0;
		quoted = 1;
	} else {
		value = p;
		while(*p && *p != ' ' && *p != '\t' && *p != '#')
			p++;
		if(*p == '#')
			*p = 0;
		else if(*p)
			*p++ = 0;
	}
	while(*p == ' ' || *p == '\t')
		p++;
	if(*p && *p != '#')
		return conf_error(st, file, line, name, "unexpected text after "
			"the value: \"%s\"", p);

	if(strcmp(name, "fluxguard") == 0) {
		if(*value || quoted)
			return conf_error(st, file, line, name, "the clause "
				"header takes no value; put options on their "
				"own lines");
		*in_clause = 1;
		return 1;
	}
	opt = fg_option_find(name);
	if(!opt)
		return conf_error(st, file, line, name, "unknown option");
	if(!*in_clause && opt->type != FG_OPT_INCLUDE)
		return conf_error(st, file, line, name, "option outside a "
			"fluxguard: clause (add a \"fluxguard:\" line above it)");
	if(!*value && !quoted)
		return conf_error(st, file, line, name, "missing value");
	if(opt->type == FG_OPT_INCLUDE)
		return do_include(st, file, line, depth, *in_clause, value);
	if(!fg_option_set(st->cfg, opt, value, file, line, why, sizeof(why)))
		return conf_error(st, file, line, name, "%s", why);
	st->set_at[opt - fg_options].file = file;
	st->set_at[opt - fg_options].line = line;
	return 1;
}

/** Read one file; \p from_file:from_line is the include that named it, or
 * NULL for the main file. */
/** Parse every line of \p in, read as \p file (its name for messages). */
static int
read_lines(struct conf_state* st, FILE* in, const char* file, int depth,
	int in_clause)
{
	char* buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int line = 0, ok = 1;
	while(ok && (len = getline(&buf, &cap, in)) >= 0) {
		line++;
		while(len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = 0;
		ok = parse_line(st, file, line, buf, depth, &in_clause);
	}
	if(ok && ferror(in)) {
		snprintf(st->err, st->errlen, "%s:%d: read error: %s", file,
			line, strerror(errno));
		ok = 0;
	}
	free(buf);
	return ok;
}

static int
read_file(struct conf_state* st, const char* path, int depth, int in_clause,
	const char* from_file, int from_line)
{
	char real[PATH_MAX];
	const char* file;
	FILE* in;
	int i, ok;

	in = fopen(path, "r");
	if(!in || !realpath(path, real)) {
		int e = errno;
		if(in)
			fclose(in);
		if(from_file)
			return conf_error(st, from_file, from_line, "include",
				"cannot open \"%s\": %s", path, strerror(e));
		snprintf(st->err, st->errlen, "%s: cannot open: %s", path,
			strerror(e));
		return 0;
	}
	for(i = 0; i < depth; i++) {
		if(strcmp(st->open[i], real) == 0) {
			fclose(in);
			return conf_error(st, from_file, from_line, "include",
				"include loop: \"%s\" is already being read",
				path);
		}
	}
	file = intern_file(st->cfg, path);
	if(!file) {
		fclose(in);
		snprintf(st->err, st->errlen, "%s: out of memory", path);
		return 0;
	}
	st->open[depth] = real;
	ok = read_lines(st, in, file, depth, in_clause);
	st->open[depth] = NULL;
	fclose(in);
	return ok;
}

/** Parse \p text as the main file named \p name (no include loop check:
 * it has no real path). */
static int
read_text(struct conf_state* st, const char* name, const char* text)
{
	const char* file = intern_file(st->cfg, name);
	FILE* in;
	int ok;
	if(!file) {
		snprintf(st->err, st->errlen, "%s: out of memory", name);
		return 0;
	}
	in = fmemopen((void*)text, strlen(text), "r");
	if(!in) {
		snprintf(st->err, st->errlen, "%s: %s", name, strerror(errno));
		return 0;
	}
	/* the include loop check compares every open file's real path:
	 * the text stands in with its name */
	st->open[0] = (char*)file;
	ok = read_lines(st, in, file, 0, 0);
	st->open[0] = NULL;
	fclose(in);
	return ok;
}

/** Load from the file \p path, or (\p text not NULL) from \p text read as
 * if it were a file named \p path. */
static int
conf_load(const char* path, const char* text, struct fg_config* cfg,
	char* err, size_t errlen, fg_conf_report_func* report, void* report_arg)
{
	struct conf_state st;
	const struct fg_option* deny_opt = fg_option_find("deny-action");
	const char* bad = NULL;
	char why[256];

	fg_conf_defaults(cfg);
	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.err = err;
	st.errlen = errlen;
	st.report = report;
	st.report_arg = report_arg;
	st.set_at = calloc(fg_options_count, sizeof(*st.set_at));
	if(!st.set_at) {
		snprintf(err, errlen, "%s: out of memory", path);
		return 0;
	}
	if(!(text ? read_text(&st, path, text) :
		read_file(&st, path, 0, 0, NULL, 0))) {
		if(report)
			report(err, report_arg);
		free(st.set_at);
		fg_conf_free(cfg);
		return 0;
	}
	/* the operator's decisions live beside the config by default */
	if(!text && !cfg->decisions_file &&
		!(cfg->decisions_file = fg_conf_resolve_path(
		FG_CONF_DECISIONS_FILENAME, path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(st.set_at);
		fg_conf_free(cfg);
		return 0;
	}
	/* deny-action defaults to whatever action ended up as */
	if(!st.set_at[deny_opt - fg_options].file)
		cfg->deny_action = fg_conf_default_deny_action(cfg->action);
	if(!fg_options_check_config(cfg, &bad, why, sizeof(why))) {
		const struct fg_option* o = fg_option_find(bad);
		const struct conf_loc* at = o ? &st.set_at[o - fg_options] : NULL;
		st.report = NULL; /* the last one: reported below */
		if(at && at->file)
			conf_error(&st, at->file, at->line, bad, "%s", why);
		else
			snprintf(err, errlen, "%s: %s: %s", path, bad, why);
		if(report)
			report(err, report_arg);
		free(st.set_at);
		fg_conf_free(cfg);
		return 0;
	}
	free(st.set_at);
	if(st.errors) {
		snprintf(err, errlen, "%s: %d error%s", path, st.errors,
			st.errors == 1 ? "" : "s");
		fg_conf_free(cfg);
		return 0;
	}
	return 1;
}

int
fg_conf_load(const char* path, struct fg_config* cfg, char* err,
	size_t errlen)
{
	return conf_load(path, NULL, cfg, err, errlen, NULL, NULL);
}

int
fg_conf_check(const char* path, struct fg_config* cfg,
	fg_conf_report_func* report, void* arg)
{
	char err[1024];
	return conf_load(path, NULL, cfg, err, sizeof(err), report, arg);
}

int
fg_conf_load_text(const char* name, const char* text, struct fg_config* cfg,
	char* err, size_t errlen)
{
	return conf_load(name, text, cfg, err, errlen, NULL, NULL);
}

int
fg_conf_locate(const char* unbound_dir, char* path, size_t pathlen,
	char* err, size_t errlen)
{
	const char* env = getenv(FG_CONF_ENV);
	struct stat sb;
	int n;
	if(env && *env) {
		if(stat(env, &sb) != 0) {
			snprintf(err, errlen, "%s=%s: %s", FG_CONF_ENV, env,
				strerror(errno));
			return 0;
		}
		n = snprintf(path, pathlen, "%s", env);
		if(n < 0 || (size_t)n >= pathlen) {
			snprintf(err, errlen, "%s: file name too long", FG_CONF_ENV);
			return 0;
		}
		return 1;
	}
	path[0] = 0;
	if(unbound_dir && *unbound_dir) {
		size_t dl = strlen(unbound_dir);
		const char* sep = unbound_dir[dl - 1] == '/' ? "" : "/";
		n = snprintf(path, pathlen, "%s%s%s", unbound_dir, sep,
			FG_CONF_FILENAME);
		if(n < 0 || (size_t)n >= pathlen || stat(path, &sb) != 0)
			path[0] = 0;
	}
	return 1;
}
