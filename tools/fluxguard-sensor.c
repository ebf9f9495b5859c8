/**
 * \file
 * fluxguard-sensor: fluxguard for resolvers that cannot load the module.
 * It listens as a dnstap collector does (a Frame Streams unix socket, TCP
 * sockets), takes the resolver responses every connected resolver streams
 * to it, and runs them through the very detector the module runs
 * (fg_detect_upstream, over the one wire converter of tools/fg_wire.h),
 * into a tracker segment of its own, so `fluxguard-control -s SEGMENT`
 * lists, shows, explains and counts what it found (and what publishes from
 * a segment can follow it).
 *
 * Two threads: the receiver polls the listening sockets and every sender's
 * connection, runs the Frame Streams handshake (tools/fg_fstrm.c) and puts
 * each data frame, copied, on a bounded queue; the detector takes frames
 * off the queue, decodes them (tools/fg_dnstap.c) and records them. The
 * receiver never waits for the detector: when the queue is full the frame
 * is dropped and counted (sensor.dropped), so a slow detector never slows
 * a resolver's dnstap thread. Counters are in the segment, as the module's
 * are (fluxguard-control stats).
 */
#include "fg-config.h"

#include "fluxguard/conffile.h"
#include "fluxguard/counters.h"
#include "fluxguard/detect.h"
#include "fluxguard/engine.h"
#include "fluxguard/name.h"
#include "fluxguard/tracker.h"
#include "fg_cli.h"
#include "fg_fstrm.h"
#include "fg_frame_queue.h"
#include "fg_input.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/** Listening sockets at most. */
#define MAX_LISTEN 8
/** Sender connections at once; more are refused. */
#define MAX_CONNS 256
/** Default queue length (frames). */
#define DEFAULT_QUEUE 65536
/** Octets of frames the queue holds at most, whatever its length: a
 * sender of frames near FG_FSTRM_MAX_FRAME would otherwise make a full
 * queue cost gigabytes (real dnstap frames are a few hundred octets). */
#define QUEUE_MAX_BYTES (64 * 1024 * 1024)
/** Octets read per call. */
#define READ_CHUNK 65536

/** One sender. */
struct conn {
	int fd;
	/** the peer, for messages */
	char peer[128];
	struct fg_fstrm_conn fs;
};

/** The sensor. */
struct sensor {
	struct fg_engine engine;
	struct fg_frame_queue q;
	int listen_fd[MAX_LISTEN];
	char listen_name[MAX_LISTEN][256];
	size_t n_listen;
	struct conn* conns[MAX_CONNS];
	size_t n_conns;
	/** --dnstap-messages */
	int dnstap_messages;
	/** unix socket paths to remove at exit */
	const char* unix_paths[MAX_LISTEN];
	size_t n_unix;
};

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
usage(FILE* out)
{
	fprintf(out,
		"usage: fluxguard-sensor [options] (-u PATH | -t ADDR:PORT)...\n"
		"Receive dnstap from resolvers and run their responses through\n"
		"fluxguard's detector, into a segment of the sensor's own.\n"
		"  -c, --config FILE     fluxguard.conf (segment, capacity, scoring,\n"
		"                        lists, databases); default: built-in defaults\n"
		"  -s, --segment NAME    the segment (/name or a path); overrides the\n"
		"                        config's segment\n"
		"  -u, --unix PATH       listen on the Frame Streams unix socket PATH\n"
		"                        (Unbound's dnstap-socket-path)\n"
		"  -t, --tcp ADDR:PORT   listen on TCP (Unbound's dnstap-ip);\n"
		"                        [ADDR]:PORT for IPv6\n"
		"  -q, --queue N         frames queued for the detector before they\n"
		"                        are dropped (default %d; 64 MiB of frames\n"
		"                        at most, whatever N)\n"
		"      --dnstap-messages auto|resolver|client|all\n"
		"                        which responses to take (default auto:\n"
		"                        resolver responses, client responses only\n"
		"                        until the first resolver response)\n"
		"      --version         print fluxguard's version\n"
		"  -h, --help            this text\n"
		"-u and -t may be given several times. SIGTERM or SIGINT stops it.\n",
		DEFAULT_QUEUE);
}

static void
count(struct sensor* s, unsigned c, uint64_t n)
{
	if(s->engine.tracker)
		fg_tracker_count(s->engine.tracker, c, n);
}


/* --- the detector thread -------------------------------------------------- */

/** A response out of a frame: record it as the module records one. */
static void
on_response(void* arg, struct fg_upstream* up, const char* ts)
{
	struct sensor* s = arg;
	struct fg_decision dec[FG_UPSTREAM_MAX_RRSETS];
	size_t n, i;
	(void)ts;
	count(s, FG_CTR_SENSOR_RESPONSES, 1);
	n = fg_detect_upstream(&s->engine.detector, up, dec,
		FG_UPSTREAM_MAX_RRSETS);
	for(i = 0; i < up->n_rrsets; i++)
		if(up->rrsets[i].type == FG_TYPE_NS)
			count(s, FG_CTR_NS_RECORDED, 1);
	if(s->engine.geo && up->n_addrs)
		count(s, FG_CTR_GEO_LOOKUPS, up->n_addrs);
	for(i = 0; i < n; i++) {
		char name[FG_NAME_MAX_STR];
		if(dec[i].source == FG_SRC_UNTRACKED)
			count(s, FG_CTR_ANSWERS_UNTRACKED, 1);
		else if(dec[i].source == FG_SRC_SCORE ||
			dec[i].source == FG_SRC_OPERATOR)
			count(s, FG_CTR_ANSWERS_RECORDED, 1);
		if(!dec[i].newly_flagged)
			continue;
		count(s, FG_CTR_DOMAINS_NEWLY_FLAGGED, 1);
		(void)fg_tracker_journal_append(s->engine.tracker,
			FG_JOURNAL_FLAG, dec[i].owner);
		if(fg_name_to_str(dec[i].owner, name, sizeof(name)))
			fprintf(stderr, "fluxguard-sensor: flagged %s: score "
				"%.1f after %u answers\n", name, dec[i].score,
				(unsigned)dec[i].answers);
	}
}

static void*
detector_main(void* arg)
{
	struct sensor* s = arg;
	struct fg_input in;
	int seen_resolver = 0;
	unsigned long damaged = 0;
	struct fg_frame* it;
	memset(&in, 0, sizeof(in));
	in.name = "fluxguard-sensor";
	in.err = stderr;
	in.answer = on_response;
	in.arg = s;
	in.dnstap_messages = s->dnstap_messages;
	while((it = fg_frame_queue_pop(&s->q)) != NULL) {
		char where[64];
		snprintf(where, sizeof(where), "frame %lu", in.frames + 1);
		in.frames++;
		fg_dnstap_frame(&in, it->data, it->len, where, &seen_resolver);
		if(in.damaged != damaged) {
			count(s, FG_CTR_SENSOR_DAMAGED, in.damaged - damaged);
			damaged = in.damaged;
		}
		free(it);
	}
	return NULL;
}

/* --- the receiver --------------------------------------------------------- */

/** A data frame received: queue a copy, or drop it (without copying it
 * when the queue is full: that is when the machine has no time to spare). */
static void
on_frame(void* arg, const uint8_t* data, size_t len)
{
	struct sensor* s = arg;
	struct fg_frame* it = fg_frame_queue_would_take(&s->q, len) ?
		fg_frame_new(data, len) : NULL;
	if(!it) {
		count(s, FG_CTR_SENSOR_DROPPED, 1);
		return;
	}
	if(!fg_frame_queue_push(&s->q, it)) {
		free(it);
		count(s, FG_CTR_SENSOR_DROPPED, 1);
		return;
	}
	count(s, FG_CTR_SENSOR_FRAMES, 1);
}

/** Write all of \p buf to a connection (replies are a few dozen octets). */
static int
write_all(int fd, const uint8_t* buf, size_t len)
{
	while(len > 0) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
		if(w < 0 && errno == EINTR)
			continue;
		if(w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { fd, POLLOUT, 0 };
			if(poll(&p, 1, 1000) <= 0)
				return 0;
			continue;
		}
		if(w <= 0)
			return 0;
		buf += w;
		len -= (size_t)w;
	}
	return 1;
}

static void
conn_close(struct sensor* s, size_t i)
{
	struct conn* c = s->conns[i];
	close(c->fd);
	fg_fstrm_conn_free(&c->fs);
	free(c);
	s->conns[i] = s->conns[--s->n_conns];
}

/** Read what a sender sent. \return 0 if the connection is to be closed. */
static int
conn_read(struct sensor* s, struct conn* c)
{
	static uint8_t buf[READ_CHUNK];
	uint8_t out[FG_FSTRM_REPLY_MAX];
	size_t out_len = 0;
	const char* why = NULL;
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
	int r;
	if(n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return 1;
	if(n <= 0) {
		if(n < 0 || c->fs.state != FG_FSTRM_DONE)
			fprintf(stderr, "fluxguard-sensor: %s: connection %s "
				"without STOP\n", c->peer, n < 0 ?
				strerror(errno) : "closed");
		return 0;
	}
	r = fg_fstrm_input(&c->fs, buf, (size_t)n, on_frame, s, out, &out_len,
		&why);
	if(out_len && !write_all(c->fd, out, out_len)) {
		fprintf(stderr, "fluxguard-sensor: %s: cannot reply: %s\n",
			c->peer, strerror(errno));
		return 0;
	}
	if(r < 0) {
		count(s, FG_CTR_SENSOR_PROTOCOL_ERRORS, 1);
		fprintf(stderr, "fluxguard-sensor: %s: Frame Streams error "
			"after %lu frames: %s; closing\n", c->peer,
			c->fs.frames, why);
		return 0;
	}
	if(r == 0) {
		fprintf(stderr, "fluxguard-sensor: %s: stream stopped after "
			"%lu frames\n", c->peer, c->fs.frames);
		return 0;
	}
	return 1;
}

static void
accept_on(struct sensor* s, size_t li)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = accept(s->listen_fd[li], (struct sockaddr*)&ss, &sl);
	struct conn* c;
	if(fd < 0)
		return;
	if(s->n_conns >= MAX_CONNS || !(c = calloc(1, sizeof(*c)))) {
		fprintf(stderr, "fluxguard-sensor: %s: too many senders, "
			"refusing one\n", s->listen_name[li]);
		close(fd);
		return;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c->fd = fd;
	fg_fstrm_conn_init(&c->fs);
	if(ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
		char host[INET6_ADDRSTRLEN], port[8];
		if(getnameinfo((struct sockaddr*)&ss, sl, host, sizeof(host),
			port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
			snprintf(c->peer, sizeof(c->peer), "%s port %s", host,
				port);
	}
	if(!c->peer[0])
		snprintf(c->peer, sizeof(c->peer), "%s (sender %d)",
			s->listen_name[li], fd);
	s->conns[s->n_conns++] = c;
	count(s, FG_CTR_SENSOR_CONNECTIONS, 1);
}

static void
receive_loop(struct sensor* s)
{
	struct pollfd pfd[MAX_LISTEN + MAX_CONNS];
	while(!stopping) {
		size_t i, n = 0, nl = s->n_listen, nc = s->n_conns;
		int r;
		for(i = 0; i < nl; i++) {
			pfd[n].fd = s->listen_fd[i];
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
		for(i = 0; i < nc; i++) {
			pfd[n].fd = s->conns[i]->fd;
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
		r = poll(pfd, n, 250);
		if(r <= 0)
			continue;
		/* connections from the end, so closing one (which moves the
		 * last into its place) never skips another */
		for(i = nc; i-- > 0;) {
			if(!pfd[nl + i].revents)
				continue;
			if(!conn_read(s, s->conns[i]))
				conn_close(s, i);
		}
		for(i = 0; i < nl; i++)
			if(pfd[i].revents & POLLIN)
				accept_on(s, i);
	}
}

/* --- listening ------------------------------------------------------------ */

static int
listen_unix(struct sensor* s, const char* path)
{
	struct sockaddr_un sa;
	int fd;
	if(strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "fluxguard-sensor: -u %s: path too long\n",
			path);
		return 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if(fd < 0)
		goto fail;
	/* a socket left by an earlier run: replace it, never a file */
	{
		struct stat st;
		if(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			(void)unlink(path);
	}
	if(bind(fd, (struct sockaddr*)&sa, sizeof(sa)) != 0 ||
		listen(fd, 64) != 0)
		goto fail;
	s->listen_fd[s->n_listen] = fd;
	snprintf(s->listen_name[s->n_listen++], sizeof(s->listen_name[0]),
		"%s", path);
	s->unix_paths[s->n_unix++] = path;
	fprintf(stderr, "fluxguard-sensor: listening on %s\n", path);
	return 1;
fail:
	fprintf(stderr, "fluxguard-sensor: -u %s: %s\n", path, strerror(errno));
	if(fd >= 0)
		close(fd);
	return 0;
}

static int
listen_tcp(struct sensor* s, const char* spec)
{
	char host[256];
	const char* port;
	const char* colon = strrchr(spec, ':');
	struct addrinfo hints, *ai = NULL;
	int fd = -1, one = 1, e;
	if(!colon || colon == spec || strlen(spec) >= sizeof(host)) {
		fprintf(stderr, "fluxguard-sensor: -t %s: expected ADDR:PORT "
			"or [ADDR]:PORT\n", spec);
		return 0;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = 0;
	port = colon + 1;
	if(host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if((e = getaddrinfo(host, port, &hints, &ai)) != 0) {
		fprintf(stderr, "fluxguard-sensor: -t %s: %s\n", spec,
			gai_strerror(e));
		return 0;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if(fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		sizeof(one)) != 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
		listen(fd, 64) != 0) {
		fprintf(stderr, "fluxguard-sensor: -t %s: %s\n", spec,
			strerror(errno));
		if(fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return 0;
	}
	freeaddrinfo(ai);
	s->listen_fd[s->n_listen] = fd;
	snprintf(s->listen_name[s->n_listen++], sizeof(s->listen_name[0]),
		"%s", spec);
	fprintf(stderr, "fluxguard-sensor: listening on %s\n", spec);
	return 1;
}

int
main(int argc, char** argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "segment", required_argument, NULL, 's' },
		{ "unix", required_argument, NULL, 'u' },
		{ "tcp", required_argument, NULL, 't' },
		{ "queue", required_argument, NULL, 'q' },
		{ "dnstap-messages", required_argument, NULL, 'm' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct sensor s;
	const char* config = NULL;
	const char* segment = NULL;
	const char* unix_paths[MAX_LISTEN];
	const char* tcp_specs[MAX_LISTEN];
	size_t n_unix = 0, n_tcp = 0, i;
	unsigned long queue_len = DEFAULT_QUEUE;
	struct fg_config cfg;
	struct fg_tracker_options o;
	struct sigaction sa;
	pthread_t det;
	char err[1024];
	int c, ok = 1;

	while((c = getopt_long(argc, argv, "c:s:u:t:q:h", longopts, NULL)) != -1) {
		switch(c) {
		case 'c':
			config = optarg;
			break;
		case 's':
			segment = optarg;
			break;
		case 'u':
		case 't':
			if(n_unix + n_tcp >= MAX_LISTEN) {
				fprintf(stderr, "fluxguard-sensor: at most %d "
					"sockets\n", MAX_LISTEN);
				return 1;
			}
			if(c == 'u')
				unix_paths[n_unix++] = optarg;
			else
				tcp_specs[n_tcp++] = optarg;
			break;
		case 'q':
			if(!fg_cli_number("fluxguard-sensor", "queue", optarg,
				1, 16777216, &queue_len))
				return 1;
			break;
		case 'm':
			if(!fg_dnstap_messages_parse("fluxguard-sensor", optarg,
				&s.dnstap_messages))
				return 1;
			break;
		default:
			return fg_cli_exit_option("fluxguard-sensor", c, 0,
				usage);
		}
	}
	if(optind != argc || n_unix + n_tcp == 0) {
		usage(stderr);
		return 1;
	}
	if(!fg_cli_load_config("fluxguard-sensor", config, &cfg))
		return 1;
	if(!fg_engine_load_lists(&s.engine, &cfg, err, sizeof(err))) {
		fprintf(stderr, "fluxguard-sensor: %s\n", err);
		return 1;
	}
	fg_tracker_options_from_config(&cfg, &o);
	if(segment)
		o.segment = segment;
	if(!fg_engine_open(&s.engine, &cfg, &o, err, sizeof(err))) {
		fprintf(stderr, "fluxguard-sensor: %s\n", err);
		return 1;
	}
	if(s.engine.degraded)
		fprintf(stderr, "fluxguard-sensor: degraded: %s\n",
			s.engine.degraded_why);
	if(!fg_frame_queue_init(&s.q, queue_len, QUEUE_MAX_BYTES)) {
		fprintf(stderr, "fluxguard-sensor: out of memory\n");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for(i = 0; i < n_unix && ok; i++)
		ok = listen_unix(&s, unix_paths[i]);
	for(i = 0; i < n_tcp && ok; i++)
		ok = listen_tcp(&s, tcp_specs[i]);
	if(ok && pthread_create(&det, NULL, detector_main, &s) != 0) {
		fprintf(stderr, "fluxguard-sensor: cannot start the detector "
			"thread\n");
		ok = 0;
	}
	if(ok) {
		fprintf(stderr, "fluxguard-sensor: segment %s, queue %lu "
			"frames, ready\n", o.segment, queue_len);
		receive_loop(&s);
		fg_frame_queue_close(&s.q);
		pthread_join(det, NULL);
		fprintf(stderr, "fluxguard-sensor: stopped\n");
	}
	while(s.n_conns)
		conn_close(&s, s.n_conns - 1);
	for(i = 0; i < s.n_listen; i++)
		close(s.listen_fd[i]);
	for(i = 0; i < s.n_unix; i++)
		(void)unlink(s.unix_paths[i]);
	fg_engine_close(&s.engine);
	fg_conf_free(&cfg);
	fg_frame_queue_deinit(&s.q);
	return ok ? 0 : 1;
}
