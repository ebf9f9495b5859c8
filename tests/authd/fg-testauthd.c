/**
 * \file
 * fg-testauthd: a scriptable authoritative DNS server for fluxguard's
 * integration tests. It serves what a scenario file describes (format: top of
 * authd_scenario.c, and tests/authd/README.md) over UDP and TCP on one
 * loopback address, and unlike NSD can give a different answer to every
 * query: rotating address sets (fast flux) and rotating NS sets with glue
 * (double flux).
 *
 * usage: fg-testauthd -f SCENARIO [-p PORT] [-P PORTFILE] [-a ADDRESS]
 *	[-l QUERYLOG] [-w PIDFILE] [-c]
 *
 * One thread, one poll() loop, in the foreground until SIGTERM or SIGINT.
 * With -p 0 the kernel picks the port, and it is written to PORTFILE once both
 * sockets listen: tests wait for that file to appear. The query log gets one
 * "qname qtype" line per query, flushed at once.
 */
#include "authd.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/** Most TCP connections served at once; more are accepted and closed. */
#define AUTHD_MAX_TCP 32
/** Seconds a TCP connection may sit idle. */
#define AUTHD_TCP_IDLE 10
/** Largest DNS message, and so the TCP read buffer (plus its length). */
#define AUTHD_MAX_MSG 65535
/** Tries at finding a port free for both UDP and TCP with -p 0. */
#define AUTHD_PORT_TRIES 50

/** Set by the signal handler: time to go. */
static volatile sig_atomic_t authd_stop = 0;

/** One TCP connection. */
struct authd_tcp {
	/** The socket, or -1 for a free slot. */
	int fd;
	/** Time of the last activity, for the idle timeout. */
	time_t last;
	/** Incoming bytes: a two-octet length then the message. */
	uint8_t* in;
	/** Bytes in in. */
	size_t inlen;
	/** The reply being written, length prefix included, or NULL. */
	uint8_t* out;
	/** Its length. */
	size_t outlen;
	/** Bytes of it written so far. */
	size_t outpos;
};

/** The server's state. */
struct authd_server {
	/** What it serves. */
	struct authd_scenario* scn;
	/** UDP socket. */
	int udp;
	/** TCP listening socket. */
	int tcp;
	/** TCP connections. */
	struct authd_tcp conns[AUTHD_MAX_TCP];
	/** Query log, or NULL. */
	FILE* log;
	/** Trace of every answer sent, in fluxguard-replay's format, or NULL. */
	FILE* trace;
	/** Time of the last traced answer, microseconds: each answer gets a
	 * timestamp of its own, so the replay never merges two answers. */
	uint64_t trace_last_us;
	/** Queries answered, for the exit message. */
	unsigned long queries;
};

/** Signal handler for SIGTERM and SIGINT. */
static void
authd_on_signal(int sig)
{
	(void)sig;
	authd_stop = 1;
}

/** Print usage and exit 1. */
static void
authd_usage(void)
{
	fprintf(stderr,
"usage: fg-testauthd -f SCENARIO [-p PORT] [-P PORTFILE] [-a ADDRESS]\n"
"                    [-l QUERYLOG] [-t TRACE] [-w PIDFILE] [-c]\n"
"  -f SCENARIO  what to serve (format: tests/authd/README.md)\n"
"  -p PORT      port to listen on, UDP and TCP (default 53; 0: pick a free one)\n"
"  -P PORTFILE  write the port there once listening\n"
"  -a ADDRESS   address to listen on (default 127.0.0.1)\n"
"  -l QUERYLOG  append \"qname qtype\" for every query\n"
"  -t TRACE     append every answer's records as fluxguard-replay lines\n"
"  -w PIDFILE   write the process id there\n"
"  -c           only check the scenario: errors as FILE:LINE: message\n");
	exit(1);
}

/** Write "value\n" to a file atomically (a temporary file, then rename), so
 * that a test polling for it never reads half of it.
 * \return 1 on success, 0 on failure (reported). */
static int
authd_write_file(const char* path, long value)
{
	char tmp[4096];
	FILE* f;
	if(snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >=
		(int)sizeof(tmp)) {
		fprintf(stderr, "fg-testauthd: %s: name too long\n", path);
		return 0;
	}
	if(!(f = fopen(tmp, "w"))) {
		fprintf(stderr, "fg-testauthd: %s: %s\n", tmp, strerror(errno));
		return 0;
	}
	fprintf(f, "%ld\n", value);
	if(fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "fg-testauthd: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return 0;
	}
	return 1;
}

/** Make a socket non-blocking. \return 1 on success, 0 on failure. */
static int
authd_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl != -1 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) != -1;
}

/** Open and bind a socket of type to addr.
 * \return the socket, or -1 with errno set. */
static int
authd_bind(const struct sockaddr_storage* addr, socklen_t alen, int type)
{
	int fd = socket(addr->ss_family, type, 0), on = 1, e;
	if(fd == -1)
		return -1;
	if(type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if(bind(fd, (const struct sockaddr*)addr, alen) == -1 ||
		(type == SOCK_STREAM && listen(fd, 64) == -1) ||
		!authd_nonblock(fd)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/** Set the port of an address. */
static void
authd_set_port(struct sockaddr_storage* addr, int port)
{
	if(addr->ss_family == AF_INET)
		((struct sockaddr_in*)addr)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6*)addr)->sin6_port = htons((uint16_t)port);
}

/** Bind the UDP and TCP sockets on the same port; port 0 picks one free for
 * both. \return the port, or 0 on failure (reported). */
static int
authd_listen(struct authd_server* srv, const char* address, int port)
{
	struct sockaddr_storage addr;
	socklen_t alen;
	int try;
	memset(&addr, 0, sizeof(addr));
	if(inet_pton(AF_INET, address,
		&((struct sockaddr_in*)&addr)->sin_addr) == 1) {
		addr.ss_family = AF_INET;
		alen = sizeof(struct sockaddr_in);
	} else if(inet_pton(AF_INET6, address,
		&((struct sockaddr_in6*)&addr)->sin6_addr) == 1) {
		addr.ss_family = AF_INET6;
		alen = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr, "fg-testauthd: -a: \"%s\" is not an IP "
			"address\n", address);
		return 0;
	}
	for(try = 0; try < AUTHD_PORT_TRIES; try++) {
		struct sockaddr_storage got;
		socklen_t glen = sizeof(got);
		int p;
		authd_set_port(&addr, port);
		if((srv->udp = authd_bind(&addr, alen, SOCK_DGRAM)) == -1) {
			fprintf(stderr, "fg-testauthd: UDP %s port %d: %s\n",
				address, port, strerror(errno));
			return 0;
		}
		if(getsockname(srv->udp, (struct sockaddr*)&got, &glen) == -1) {
			fprintf(stderr, "fg-testauthd: getsockname: %s\n",
				strerror(errno));
			return 0;
		}
		p = ntohs(got.ss_family == AF_INET ?
			((struct sockaddr_in*)&got)->sin_port :
			((struct sockaddr_in6*)&got)->sin6_port);
		authd_set_port(&addr, p);
		if((srv->tcp = authd_bind(&addr, alen, SOCK_STREAM)) != -1)
			return p;
		if(port != 0 || errno != EADDRINUSE) {
			fprintf(stderr, "fg-testauthd: TCP %s port %d: %s\n",
				address, p, strerror(errno));
			return 0;
		}
		/* Someone has that port for TCP: let the kernel pick again. */
		close(srv->udp);
		srv->udp = -1;
	}
	fprintf(stderr, "fg-testauthd: no port free for both UDP and TCP\n");
	return 0;
}

/**
 * Append the records of \p reply to the trace, one fluxguard-replay line
 * each (`SECONDS.MICROS owner ttl IN TYPE rdata`), all with one timestamp of
 * their own. A reply without records (TC, errors) adds nothing.
 */
static void
authd_trace(struct authd_server* srv, const uint8_t* reply, size_t len)
{
	ldns_rr_list* sections[3];
	ldns_pkt* pkt = NULL;
	struct timeval tv;
	uint64_t us;
	size_t s, i;
	if(!srv->trace || ldns_wire2pkt(&pkt, reply, len) != LDNS_STATUS_OK)
		return;
	gettimeofday(&tv, NULL);
	us = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
	if(us <= srv->trace_last_us)
		us = srv->trace_last_us + 1;
	sections[0] = ldns_pkt_answer(pkt);
	sections[1] = ldns_pkt_authority(pkt);
	sections[2] = ldns_pkt_additional(pkt);
	for(s = 0; s < 3; s++) {
		for(i = 0; i < ldns_rr_list_rr_count(sections[s]); i++) {
			char* text = ldns_rr2str(ldns_rr_list_rr(sections[s], i));
			if(!text)
				continue;
			text[strcspn(text, "\n")] = 0;
			fprintf(srv->trace, "%llu.%06llu %s\n",
				(unsigned long long)(us / 1000000u),
				(unsigned long long)(us % 1000000u), text);
			free(text);
			srv->trace_last_us = us;
		}
	}
	fflush(srv->trace);
	ldns_pkt_free(pkt);
}

/** Answer one query, and log it. \return 1 on success, 0 out of memory. */
static int
authd_handle(struct authd_server* srv, const uint8_t* query, size_t len,
	int tcp, uint8_t** reply, size_t* reply_len)
{
	char line[1200];
	if(!authd_answer(srv->scn, query, len, tcp, reply, reply_len, line,
		sizeof(line))) {
		fprintf(stderr, "fg-testauthd: out of memory answering a "
			"query\n");
		return 0;
	}
	srv->queries++;
	if(*reply)
		authd_trace(srv, *reply, *reply_len);
	if(srv->log && line[0]) {
		fprintf(srv->log, "%s\n", line);
		fflush(srv->log);
	}
	return 1;
}

/** Read and answer the datagrams waiting on the UDP socket. */
static void
authd_udp_read(struct authd_server* srv)
{
	static uint8_t buf[AUTHD_MAX_MSG];
	int i;
	/* A bounded batch, so TCP clients get their turn. */
	for(i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		uint8_t* reply;
		size_t rlen;
		ssize_t n = recvfrom(srv->udp, buf, sizeof(buf), 0,
			(struct sockaddr*)&from, &flen);
		if(n < 0)
			return;
		if(!authd_handle(srv, buf, (size_t)n, 0, &reply, &rlen) ||
			!reply)
			continue;
		(void)sendto(srv->udp, reply, rlen, 0, (struct sockaddr*)&from,
			flen);
		free(reply);
	}
}

/** Close a TCP connection and free its slot. */
static void
authd_tcp_close(struct authd_tcp* c)
{
	close(c->fd);
	c->fd = -1;
	free(c->in);
	free(c->out);
	c->in = NULL;
	c->out = NULL;
	c->inlen = c->outlen = c->outpos = 0;
}

/** Accept waiting TCP connections. */
static void
authd_tcp_accept(struct authd_server* srv)
{
	for(;;) {
		int fd = accept(srv->tcp, NULL, NULL), i;
		if(fd == -1)
			return;
		for(i = 0; i < AUTHD_MAX_TCP; i++)
			if(srv->conns[i].fd == -1)
				break;
		if(i == AUTHD_MAX_TCP || !authd_nonblock(fd) ||
			!(srv->conns[i].in = malloc(2 + AUTHD_MAX_MSG))) {
			close(fd);
			continue;
		}
		srv->conns[i].fd = fd;
		srv->conns[i].last = time(NULL);
	}
}

/** Read from a TCP connection; once a whole message is in, answer it.
 * Pipelined queries wait in the socket until the reply is written. */
static void
authd_tcp_read(struct authd_server* srv, struct authd_tcp* c)
{
	size_t want = c->inlen < 2 ? 2 : 2 + ((size_t)c->in[0] << 8 | c->in[1]);
	uint8_t* reply;
	size_t rlen;
	ssize_t n = recv(c->fd, c->in + c->inlen, want - c->inlen, 0);
	if(n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		errno != EINTR)) {
		authd_tcp_close(c);
		return;
	}
	if(n < 0)
		return;
	c->last = time(NULL);
	c->inlen += (size_t)n;
	if(c->inlen < 2)
		return;
	want = 2 + ((size_t)c->in[0] << 8 | c->in[1]);
	if(c->inlen < want)
		return;
	c->inlen = 0;
	if(!authd_handle(srv, c->in + 2, want - 2, 1, &reply, &rlen) ||
		!reply) {
		/* Nothing to say to that: hang up rather than leave the
		 * client waiting. */
		authd_tcp_close(c);
		return;
	}
	if(!(c->out = malloc(rlen + 2))) {
		free(reply);
		authd_tcp_close(c);
		return;
	}
	c->out[0] = (uint8_t)(rlen >> 8);
	c->out[1] = (uint8_t)rlen;
	memcpy(c->out + 2, reply, rlen);
	free(reply);
	c->outlen = rlen + 2;
	c->outpos = 0;
}

/** Write what we can of a TCP connection's pending reply. */
static void
authd_tcp_write(struct authd_tcp* c)
{
	ssize_t n = send(c->fd, c->out + c->outpos, c->outlen - c->outpos,
		MSG_NOSIGNAL);
	if(n < 0) {
		if(errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			authd_tcp_close(c);
		return;
	}
	c->last = time(NULL);
	c->outpos += (size_t)n;
	if(c->outpos == c->outlen) {
		free(c->out);
		c->out = NULL;
		c->outlen = c->outpos = 0;
	}
}

/** Serve until told to stop. \return 1 on a clean stop, 0 on failure. */
static int
authd_serve(struct authd_server* srv)
{
	struct pollfd fds[2 + AUTHD_MAX_TCP];
	int slot[2 + AUTHD_MAX_TCP];
	while(!authd_stop) {
		nfds_t n = 0, k;
		time_t now = time(NULL);
		int i;
		fds[n].fd = srv->udp;
		fds[n++].events = POLLIN;
		fds[n].fd = srv->tcp;
		fds[n++].events = POLLIN;
		for(i = 0; i < AUTHD_MAX_TCP; i++) {
			struct authd_tcp* c = &srv->conns[i];
			if(c->fd == -1)
				continue;
			if(now - c->last > AUTHD_TCP_IDLE) {
				authd_tcp_close(c);
				continue;
			}
			slot[n] = i;
			fds[n].fd = c->fd;
			fds[n++].events = c->out ? POLLOUT : POLLIN;
		}
		if(poll(fds, n, 1000) == -1) {
			if(errno == EINTR)
				continue;
			fprintf(stderr, "fg-testauthd: poll: %s\n",
				strerror(errno));
			return 0;
		}
		if(fds[0].revents)
			authd_udp_read(srv);
		if(fds[1].revents)
			authd_tcp_accept(srv);
		for(k = 2; k < n; k++) {
			struct authd_tcp* c = &srv->conns[slot[k]];
			if(!fds[k].revents || c->fd == -1)
				continue;
			if(c->out)
				authd_tcp_write(c);
			else
				authd_tcp_read(srv, c);
		}
	}
	return 1;
}

/** Catch SIGTERM and SIGINT without SA_RESTART, so that poll() returns. */
static void
authd_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = authd_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
main(int argc, char* argv[])
{
	const char* scenario = NULL, *portfile = NULL, *pidfile = NULL;
	const char* logfile = NULL, *address = "127.0.0.1";
	const char* tracefile = NULL;
	struct authd_server srv;
	int c, check = 0, port = 53, i, ok = 0, pid_written = 0;
	char* end;
	long v;
	memset(&srv, 0, sizeof(srv));
	srv.udp = srv.tcp = -1;
	for(i = 0; i < AUTHD_MAX_TCP; i++)
		srv.conns[i].fd = -1;
	while((c = getopt(argc, argv, "a:cf:hl:p:P:t:w:")) != -1) {
		switch(c) {
		case 'a': address = optarg; break;
		case 'c': check = 1; break;
		case 'f': scenario = optarg; break;
		case 'l': logfile = optarg; break;
		case 't': tracefile = optarg; break;
		case 'P': portfile = optarg; break;
		case 'w': pidfile = optarg; break;
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if(errno || *end || end == optarg || v < 0 || v > 65535) {
				fprintf(stderr, "fg-testauthd: -p: expected a "
					"port from 0 to 65535, got \"%s\"\n",
					optarg);
				return 1;
			}
			port = (int)v;
			break;
		default:
			authd_usage();
		}
	}
	if(!scenario || optind != argc)
		authd_usage();
	authd_signals();
	if(!(srv.scn = authd_scenario_read(scenario)))
		return 1;
	if(check) {
		authd_scenario_delete(srv.scn);
		return 0;
	}
	if(logfile && !(srv.log = fopen(logfile, "a"))) {
		fprintf(stderr, "fg-testauthd: %s: %s\n", logfile,
			strerror(errno));
		goto out;
	}
	if(tracefile && !(srv.trace = fopen(tracefile, "a"))) {
		fprintf(stderr, "fg-testauthd: %s: %s\n", tracefile,
			strerror(errno));
		goto out;
	}
	if(pidfile && !(pid_written = authd_write_file(pidfile,
		(long)getpid())))
		goto out;
	if(!(port = authd_listen(&srv, address, port)))
		goto out;
	if(portfile && !authd_write_file(portfile, port))
		goto out;
	fprintf(stderr, "fg-testauthd: serving %s on %s port %d\n", scenario,
		address, port);
	ok = authd_serve(&srv);
	fprintf(stderr, "fg-testauthd: stopping after %lu queries\n",
		srv.queries);
out:
	for(i = 0; i < AUTHD_MAX_TCP; i++)
		if(srv.conns[i].fd != -1)
			authd_tcp_close(&srv.conns[i]);
	if(srv.udp != -1)
		close(srv.udp);
	if(srv.tcp != -1)
		close(srv.tcp);
	if(srv.log)
		fclose(srv.log);
	if(srv.trace)
		fclose(srv.trace);
	if(pid_written)
		unlink(pidfile);
	authd_scenario_delete(srv.scn);
	return ok ? 0 : 1;
}
