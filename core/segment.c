/**
 * \file
 * The tracker's segment (see segment.h and, for the layout, the lock order
 * and what readers may assume, core/segment_layout.h): opening a POSIX
 * shared-memory object or a file, creating and validating its header, the
 * rebuild of a damaged segment under a new object, the presence lock that
 * tells a process it is alone, the robust stripe mutexes and the repair of
 * slots a dead writer left torn.
 */
#include "fg-config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "segment.h"
#include "fluxguard/log.h"
#include "fluxguard/name.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef F_OFD_SETLK
#define SEG_SETLK F_OFD_SETLK
#define SEG_SETLKW F_OFD_SETLKW
#else
/* Per-process locks: weaker (closing any descriptor of the object drops
 * them), but enough for one handle per process. */
#define SEG_SETLK F_SETLK
#define SEG_SETLKW F_SETLKW
#endif

/** Byte of the object locked while the segment is set up. */
#define SEG_LOCK_INIT 0
/** Longest wait for a stripe lock, milliseconds. */
#define SEG_LOCK_WAIT_MS 100
/** Byte of the object share-locked by every read-write attacher. */
#define SEG_LOCK_PRESENCE 1
/** Attempts at opening before giving up on racing rebuilders. */
#define SEG_OPEN_ATTEMPTS 16

/* ---------------------------------------------------------------- SipHash */

/* SipHash-1-3 (one compression round, three finalisation rounds), the
 * variant Rust's and CPython's hash tables use against hash flooding: keyed
 * with the segment's secret key it keeps names an attacker picks from being
 * aimed at one bucket, at about half the cost of SipHash-2-4 on the short
 * names a resolver sees. */

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32); \
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32); \
	} while(0)

static uint64_t
load_le64(const uint8_t* p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

uint64_t
fg_segment_hash(const uint8_t key[16], const uint8_t* in, size_t len)
{
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = ((uint64_t)len) << 56, m;
	const uint8_t* end = in + len - (len % 8);
	size_t left = len & 7;
	for(; in != end; in += 8) {
		m = load_le64(in);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	switch(left) {
	case 7: b |= ((uint64_t)in[6]) << 48; /* fallthrough */
	case 6: b |= ((uint64_t)in[5]) << 40; /* fallthrough */
	case 5: b |= ((uint64_t)in[4]) << 32; /* fallthrough */
	case 4: b |= ((uint64_t)in[3]) << 24; /* fallthrough */
	case 3: b |= ((uint64_t)in[2]) << 16; /* fallthrough */
	case 2: b |= ((uint64_t)in[1]) << 8; /* fallthrough */
	case 1: b |= ((uint64_t)in[0]); break;
	default: break;
	}
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* --------------------------------------------------------------- geometry */

/** Where everything goes for a capacity. */
struct seg_geometry {
	/** slots, buckets, stripes */
	uint32_t capacity, nbuckets, nstripes;
	/** offsets and total size */
	uint64_t stripes_off, journal_off, buckets_off, total_size;
};

static void
geometry_compute(uint32_t capacity_requested, struct seg_geometry* g)
{
	g->nbuckets = (capacity_requested + FG_SEG_BUCKET_SLOTS - 1) /
		FG_SEG_BUCKET_SLOTS;
	g->capacity = g->nbuckets * FG_SEG_BUCKET_SLOTS;
	g->nstripes = g->nbuckets < FG_SEG_STRIPES_MAX ? g->nbuckets :
		FG_SEG_STRIPES_MAX;
	g->stripes_off = FG_SEG_HEADER_SIZE;
	g->journal_off = g->stripes_off + (uint64_t)g->nstripes * FG_SEG_STRIPE_SIZE;
	g->buckets_off = g->journal_off + FG_SEG_JOURNAL_SIZE;
	g->total_size = g->buckets_off + (uint64_t)g->nbuckets * FG_SEG_BUCKET_SIZE;
}

/* ------------------------------------------------------------ the object */

static int
seg_open_fd(const struct fg_segment* seg, int flags, mode_t mode)
{
	if(seg->is_shm)
		return shm_open(seg->name, flags, mode);
	/* never through a symbolic link: it would make the resolver write
	 * (and chmod) whatever file the link names */
	return open(seg->name, flags | O_CLOEXEC | O_NOFOLLOW, mode);
}

static int
seg_unlink(const struct fg_segment* seg)
{
	return seg->is_shm ? shm_unlink(seg->name) : unlink(seg->name);
}

/** Byte-range lock on one byte of the object; \p wait blocks. */
static int
seg_range_lock(int fd, off_t byte, short type, int wait)
{
	struct flock fl;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = byte;
	fl.l_len = 1;
	for(;;) {
		if(fcntl(fd, wait ? SEG_SETLKW : SEG_SETLK, &fl) == 0)
			return 1;
		if(errno != EINTR)
			return 0;
	}
}

/** Whether \p fd is still the object under the name (a rebuilder may have
 * replaced it while we waited for the init lock). */
static int
seg_same_object(const struct fg_segment* seg, int fd)
{
	struct stat a, b;
	int fd2 = seg_open_fd(seg, O_RDONLY, 0), same;
	if(fd2 < 0)
		return 0;
	same = fstat(fd, &a) == 0 && fstat(fd2, &b) == 0 &&
		a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	close(fd2);
	return same;
}

/** Start time of this process (clock ticks since boot), 0 if unknown. */
static uint64_t
seg_self_start_time(void)
{
	char buf[1024], *p;
	unsigned long long start = 0;
	FILE* f = fopen("/proc/self/stat", "r");
	size_t n;
	int field;
	if(!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* the command name (field 2) may hold spaces: count after its ')' */
	p = strrchr(buf, ')');
	if(!p)
		return 0;
	for(field = 2; *p && field < 22; p++)
		if(*p == ' ')
			field++;
	if(sscanf(p, "%llu", &start) != 1)
		return 0;
	return (uint64_t)start;
}

/** Set every stripe mutex to unlocked. Only when alone on the segment. */
static int
seg_init_mutexes(struct fg_segment* seg, char* err, size_t errlen)
{
	pthread_mutexattr_t attr;
	uint32_t i;
	if(pthread_mutexattr_init(&attr) != 0 ||
		pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0 ||
		pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) != 0) {
		snprintf(err, errlen, "segment %s: cannot set up process-shared "
			"robust mutexes", seg->name);
		return 0;
	}
	for(i = 0; i < seg->nstripes; i++) {
		memset(&seg->stripes[i], 0, sizeof(seg->stripes[i]));
		if(pthread_mutex_init(&seg->stripes[i].mutex, &attr) != 0) {
			pthread_mutexattr_destroy(&attr);
			snprintf(err, errlen, "segment %s: cannot initialise "
				"mutex %u", seg->name, (unsigned)i);
			return 0;
		}
	}
	pthread_mutexattr_destroy(&attr);
	return 1;
}

static void
seg_unmap(struct fg_segment* seg)
{
	if(seg->base)
		munmap(seg->base, seg->size);
	seg->base = NULL;
	seg->hdr = NULL;
	seg->size = 0;
}

/** Map \p size octets of the object. */
static int
seg_map(struct fg_segment* seg, size_t size, char* err, size_t errlen)
{
	int prot = PROT_READ | (seg->writable ? PROT_WRITE : 0);
	void* p = MAP_FAILED;
	/* At a 2 MiB boundary, so that the table can be mapped with huge
	 * pages (fg_segment_use_huge_pages): reserve a range one huge page
	 * longer, map over its aligned part and give the rest back. */
	uint8_t* r = mmap(NULL, size + FG_SEG_HUGE_PAGE, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if(r != MAP_FAILED) {
		uint8_t* a = (uint8_t*)(((uintptr_t)r + FG_SEG_HUGE_PAGE - 1) &
			~(uintptr_t)(FG_SEG_HUGE_PAGE - 1));
		p = mmap(a, size, prot, MAP_SHARED | MAP_FIXED, seg->fd, 0);
		if(p == MAP_FAILED) {
			munmap(r, size + FG_SEG_HUGE_PAGE);
		} else {
			/* the head may be empty; the tail never is */
			if(a > r)
				munmap(r, (size_t)(a - r));
			munmap(a + size, (size_t)(r + FG_SEG_HUGE_PAGE - a));
		}
	}
	if(p == MAP_FAILED)
		p = mmap(NULL, size, prot, MAP_SHARED, seg->fd, 0);
	if(p == MAP_FAILED) {
		snprintf(err, errlen, "segment %s: cannot map %zu octets: %s",
			seg->name, size, strerror(errno));
		return 0;
	}
	seg->base = p;
	seg->size = size;
	seg->hdr = p;
	return 1;
}

/** Point the geometry fields of \p seg at a header already validated. */
static void
seg_adopt(struct fg_segment* seg)
{
	struct fg_seg_header* h = seg->hdr;
	seg->nbuckets = h->nbuckets;
	seg->nstripes = h->nstripes;
	seg->stripes = (struct fg_seg_stripe*)(seg->base + h->stripes_off);
	seg->journal = (struct fg_seg_journal_entry*)(seg->base + h->journal_off);
	seg->buckets = (struct fg_seg_bucket*)(seg->base + h->buckets_off);
	memcpy(seg->key, h->hash_key, sizeof(seg->key));
#ifdef MADV_HUGEPAGE
	/* the table is hit at random: fewer TLB misses where the kernel allows */
	if(seg->writable)
		(void)madvise(seg->base, seg->size, MADV_HUGEPAGE);
#endif
}

/**
 * Check the header of a mapped object of \p size octets.
 * \return 1 if valid, else 0 with what is wrong in \p why.
 */
static int
seg_validate(const struct fg_segment* seg, size_t size, char* why, size_t whylen)
{
	const struct fg_seg_header* h = seg->hdr;
	struct seg_geometry g;
	uint64_t magic;
	if(size < FG_SEG_HEADER_SIZE) {
		snprintf(why, whylen, "only %zu octets, smaller than the header "
			"(%u)", size, FG_SEG_HEADER_SIZE);
		return 0;
	}
	magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);
	if(magic != FG_SEG_MAGIC) {
		snprintf(why, whylen, "wrong magic 0x%016" PRIx64 " (expected "
			"0x%016" PRIx64 ")", magic, (uint64_t)FG_SEG_MAGIC);
		return 0;
	}
	if(h->version != FG_SEG_VERSION) {
		snprintf(why, whylen, "format version %u, this build reads "
			"version %u", (unsigned)h->version, FG_SEG_VERSION);
		return 0;
	}
	if(h->header_size != FG_SEG_HEADER_SIZE || h->slot_size !=
		FG_SEG_SLOT_SIZE || h->bucket_size != FG_SEG_BUCKET_SIZE ||
		h->bucket_slots != FG_SEG_BUCKET_SLOTS || h->stripe_size !=
		FG_SEG_STRIPE_SIZE) {
		snprintf(why, whylen, "layout sizes (header %u, slot %u, bucket "
			"%u x %u, stripe %u) differ from this build's (%u, %u, "
			"%u x %u, %u)", (unsigned)h->header_size,
			(unsigned)h->slot_size, (unsigned)h->bucket_size,
			(unsigned)h->bucket_slots, (unsigned)h->stripe_size,
			FG_SEG_HEADER_SIZE, FG_SEG_SLOT_SIZE, FG_SEG_BUCKET_SIZE,
			FG_SEG_BUCKET_SLOTS, FG_SEG_STRIPE_SIZE);
		return 0;
	}
	if(__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) != FG_SEG_STATE_READY) {
		snprintf(why, whylen, "state %u: retired by a rebuild, or never "
			"finished", (unsigned)h->state);
		return 0;
	}
	if(h->capacity_requested < FG_SEG_CAPACITY_MIN ||
		h->capacity_requested > FG_SEG_CAPACITY_MAX) {
		snprintf(why, whylen, "failed consistency check: capacity %u out "
			"of range", (unsigned)h->capacity_requested);
		return 0;
	}
	geometry_compute(h->capacity_requested, &g);
	if(g.capacity != h->capacity || g.nbuckets != h->nbuckets ||
		g.nstripes != h->nstripes || g.stripes_off != h->stripes_off ||
		g.journal_off != h->journal_off ||
		g.buckets_off != h->buckets_off || g.total_size != h->total_size) {
		snprintf(why, whylen, "failed consistency check: geometry "
			"(capacity %u, %u buckets, %u stripes, size %" PRIu64
			") does not follow from capacity %u",
			(unsigned)h->capacity, (unsigned)h->nbuckets,
			(unsigned)h->nstripes, h->total_size,
			(unsigned)h->capacity_requested);
		return 0;
	}
	if((uint64_t)size != g.total_size) {
		snprintf(why, whylen, "size %zu octets does not match capacity "
			"%u (%" PRIu64 " octets): truncated or overwritten",
			size, (unsigned)h->capacity, g.total_size);
		return 0;
	}
	if(h->window == 0 || h->generation == 0) {
		snprintf(why, whylen, "failed consistency check: window %u, "
			"generation %" PRIu64, (unsigned)h->window, h->generation);
		return 0;
	}
	(void)seg;
	return 1;
}

/** Fill a new, empty object: the caller holds the init lock. */
static int
seg_create(struct fg_segment* seg, const struct fg_tracker_options* opts,
	uint64_t generation, char* err, size_t errlen)
{
	struct seg_geometry g;
	struct fg_seg_header* h;
	size_t got = 0;
	int r;
	geometry_compute(opts->capacity, &g);
	if(fchmod(seg->fd, opts->mode) != 0) {
		snprintf(err, errlen, "segment %s: cannot set mode %o: %s",
			seg->name, (unsigned)opts->mode, strerror(errno));
		return 0;
	}
	if(opts->group != (gid_t)-1 && fchown(seg->fd, (uid_t)-1, opts->group) != 0) {
		snprintf(err, errlen, "segment %s: cannot set group %ld: %s",
			seg->name, (long)opts->group, strerror(errno));
		return 0;
	}
	if(ftruncate(seg->fd, (off_t)g.total_size) != 0) {
		snprintf(err, errlen, "segment %s: cannot size it to %" PRIu64
			" octets: %s", seg->name, g.total_size, strerror(errno));
		return 0;
	}
	/* Reserve the memory (or disk blocks) now: a sparse object whose
	 * tmpfs or file system fills up later would kill the resolver with
	 * SIGBUS on its next write into a hole. */
	if((r = posix_fallocate(seg->fd, 0, (off_t)g.total_size)) != 0 &&
		r != EOPNOTSUPP && r != EINVAL) {
		snprintf(err, errlen, "segment %s: cannot reserve %" PRIu64
			" octets for it: %s", seg->name, g.total_size, strerror(r));
		return 0;
	}
	if(!seg_map(seg, (size_t)g.total_size, err, errlen))
		return 0;
	h = seg->hdr;
	h->version = FG_SEG_VERSION;
	h->header_size = FG_SEG_HEADER_SIZE;
	h->slot_size = FG_SEG_SLOT_SIZE;
	h->bucket_size = FG_SEG_BUCKET_SIZE;
	h->bucket_slots = FG_SEG_BUCKET_SLOTS;
	h->stripe_size = FG_SEG_STRIPE_SIZE;
	h->capacity_requested = opts->capacity;
	h->capacity = g.capacity;
	h->nbuckets = g.nbuckets;
	h->nstripes = g.nstripes;
	h->window = opts->window;
	h->stripes_off = g.stripes_off;
	h->journal_off = g.journal_off;
	h->buckets_off = g.buckets_off;
	h->total_size = g.total_size;
	h->created = (uint64_t)time(NULL);
	h->generation = generation;
	h->clean_close = 1;
	if(opts->hash_key) {
		memcpy(h->hash_key, opts->hash_key, sizeof(h->hash_key));
		got = sizeof(h->hash_key);
	}
	while(got < sizeof(h->hash_key)) {
		ssize_t r = getrandom(h->hash_key + got, sizeof(h->hash_key) - got, 0);
		if(r < 0 && errno == EINTR)
			continue;
		if(r <= 0) {
			snprintf(err, errlen, "segment %s: getrandom: %s",
				seg->name, strerror(errno));
			seg_unmap(seg);
			return 0;
		}
		got += (size_t)r;
	}
	seg_adopt(seg);
	if(!seg_init_mutexes(seg, err, errlen)) {
		seg_unmap(seg);
		return 0;
	}
	/* the buckets are zero from ftruncate: every tag free, every slot empty */
	__atomic_store_n(&h->state, FG_SEG_STATE_READY, __ATOMIC_RELEASE);
	__atomic_store_n(&h->magic, FG_SEG_MAGIC, __ATOMIC_RELEASE);
	return 1;
}

static int
seg_check_name(struct fg_segment* seg, const char* name, char* err, size_t errlen)
{
	size_t len = name ? strlen(name) : 0;
	if(len == 0 || len >= sizeof(seg->name)) {
		snprintf(err, errlen, "segment name \"%s\": expected 1 to %zu "
			"characters", name ? name : "", sizeof(seg->name) - 1);
		return 0;
	}
	memcpy(seg->name, name, len + 1);
	seg->is_shm = fg_segment_is_shm(name);
	return 1;
}

int
fg_segment_is_shm(const char* name)
{
	return name[0] == '/' && strchr(name + 1, '/') == NULL;
}

int
fg_segment_probe(const char* name, char* why, size_t whylen)
{
	struct fg_segment seg;
	uint64_t magic = 0;
	ssize_t n;
	memset(&seg, 0, sizeof(seg));
	if(!seg_check_name(&seg, name, why, whylen))
		return -1;
	seg.fd = seg_open_fd(&seg, O_RDONLY, 0);
	if(seg.fd < 0) {
		if(errno == ENOENT)
			return 0;
		snprintf(why, whylen, "cannot open it: %s", strerror(errno));
		return -1;
	}
	n = pread(seg.fd, &magic, sizeof(magic), 0);
	close(seg.fd);
	if(n == 0)
		return 1; /* empty: created and not yet laid out */
	if(n != (ssize_t)sizeof(magic) || magic != FG_SEG_MAGIC) {
		snprintf(why, whylen, "it holds something that is not a "
			"fluxguard segment (no segment magic)");
		return -1;
	}
	return 1;
}

/** Register this process as a read-write attacher; the init lock is held.
 * Whoever is alone resets the mutexes and repairs an unclean segment. */
static int
seg_become_present(struct fg_segment* seg, int created, char* err, size_t errlen)
{
	struct fg_seg_header* h = seg->hdr;
	if(seg_range_lock(seg->fd, SEG_LOCK_PRESENCE, F_WRLCK, 0)) {
		if(!seg_init_mutexes(seg, err, errlen))
			return 0;
		if(!created && !__atomic_load_n(&h->clean_close, __ATOMIC_ACQUIRE)) {
			uint32_t b, repaired = 0;
			for(b = 0; b < seg->nbuckets; b++)
				repaired += fg_segment_repair_bucket(seg, b);
			fg_log(FG_LOG_WARN, "tracker: segment %s: last writer "
				"(pid %" PRId64 ") did not close cleanly; checked %u "
				"slots, emptied %u torn ones", seg->name,
				h->writer_pid, (unsigned)(seg->nbuckets *
				FG_SEG_BUCKET_SLOTS), (unsigned)repaired);
		}
		__atomic_store_n(&h->attach_count, 0, __ATOMIC_RELAXED);
	}
	if(!seg_range_lock(seg->fd, SEG_LOCK_PRESENCE, F_RDLCK, 1)) {
		snprintf(err, errlen, "segment %s: cannot take the presence lock: "
			"%s", seg->name, strerror(errno));
		return 0;
	}
	__atomic_store_n(&h->clean_close, 0, __ATOMIC_RELEASE);
	__atomic_add_fetch(&h->attach_count, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&h->writer_pid, (int64_t)getpid(), __ATOMIC_RELAXED);
	__atomic_store_n(&h->writer_start, seg_self_start_time(), __ATOMIC_RELAXED);
	return 1;
}

/**
 * Whether the object opened for writing is this user's and nobody else's
 * to write: a segment another local user created (or may write) could feed
 * the resolver forged verdicts and hold its locks. \return 0 with \p err.
 */
static int
seg_owned_safely(const struct fg_segment* seg, const struct stat* st,
	char* err, size_t errlen)
{
	if(st->st_uid != geteuid()) {
		snprintf(err, errlen, "segment %s: owned by uid %u, not by this "
			"process's user (uid %u): refusing it (another user could "
			"forge verdicts through it); remove it", seg->name,
			(unsigned)st->st_uid, (unsigned)geteuid());
		return 0;
	}
	if(st->st_mode & 0022) {
		snprintf(err, errlen, "segment %s: mode %04o lets others write "
			"it: refusing it (they could forge verdicts through it); "
			"remove it", seg->name, (unsigned)(st->st_mode & 07777));
		return 0;
	}
	return 1;
}

/** Whether the mapped object of \p size octets carries the segment's magic:
 * then it is a fluxguard segment (maybe damaged, of another version or size)
 * and may be rebuilt; anything else may be another program's data. */
static int
seg_is_ours(const struct fg_segment* seg, size_t size)
{
	uint64_t magic;
	if(size < sizeof(magic))
		return 0;
	memcpy(&magic, seg->base, sizeof(magic));
	return magic == FG_SEG_MAGIC;
}

int
fg_segment_open(struct fg_segment* seg, const struct fg_tracker_options* opts,
	char* err, size_t errlen)
{
	uint64_t generation = 1;
	int attempt;
	memset(seg, 0, sizeof(*seg));
	seg->fd = -1;
	seg->writable = 1;
	if(!opts || !seg_check_name(seg, opts->segment, err, errlen))
		return 0;
	if(opts->capacity < FG_SEG_CAPACITY_MIN || opts->capacity >
		FG_SEG_CAPACITY_MAX || opts->window == 0) {
		snprintf(err, errlen, "segment %s: capacity %u (expected %u to "
			"%u) or window %u (expected > 0) out of range", seg->name,
			(unsigned)opts->capacity, FG_SEG_CAPACITY_MIN,
			FG_SEG_CAPACITY_MAX, (unsigned)opts->window);
		return 0;
	}
	if((opts->mode & ~(mode_t)0777) != 0 || (opts->mode & 0600) != 0600) {
		snprintf(err, errlen, "segment %s: mode %o: expected 0600 or 0640",
			seg->name, (unsigned)opts->mode);
		return 0;
	}
	for(attempt = 0; attempt < SEG_OPEN_ATTEMPTS; attempt++) {
		char why[512];
		struct stat st;
		int created = 0;
		seg->fd = seg_open_fd(seg, O_RDWR | O_CREAT, opts->mode);
		if(seg->fd < 0) {
			snprintf(err, errlen, "segment %s: cannot open or create "
				"it: %s", seg->name, strerror(errno));
			return 0;
		}
		if(!seg_range_lock(seg->fd, SEG_LOCK_INIT, F_WRLCK, 1)) {
			snprintf(err, errlen, "segment %s: cannot lock it: %s",
				seg->name, strerror(errno));
			goto fail;
		}
		if(!seg_same_object(seg, seg->fd)) {
			/* replaced by a rebuilder while we waited: start over */
			close(seg->fd);
			continue;
		}
		if(fstat(seg->fd, &st) != 0) {
			snprintf(err, errlen, "segment %s: fstat: %s", seg->name,
				strerror(errno));
			goto fail;
		}
		if(!seg_owned_safely(seg, &st, err, errlen))
			goto fail;
		if(st.st_size == 0) {
			if(!seg_create(seg, opts, generation, err, errlen))
				goto fail;
			created = 1;
		} else {
			size_t size = (size_t)st.st_size;
			int valid;
			if(!seg_map(seg, size, err, errlen))
				goto fail;
			valid = seg_validate(seg, size, why, sizeof(why));
			if(valid && seg->hdr->capacity_requested != opts->capacity) {
				snprintf(why, sizeof(why), "capacity %u, but %u "
					"is configured",
					(unsigned)seg->hdr->capacity_requested,
					(unsigned)opts->capacity);
				valid = 0;
			}
			if(!valid && !seg_is_ours(seg, size)) {
				/* never destroy what is not ours: only a
				 * segment (its magic) is rebuilt */
				snprintf(err, errlen, "segment %s: holds %zu "
					"octets that are not a fluxguard segment "
					"(%s): refusing to overwrite it; remove it "
					"or configure another segment:", seg->name,
					size, why);
				goto fail;
			}
			if(!valid) {
				fg_log(FG_LOG_WARN, "tracker: segment %s: %s; "
					"rebuilding it empty", seg->name, why);
				if(size >= FG_SEG_HEADER_SIZE &&
					seg->hdr->magic == FG_SEG_MAGIC) {
					if(seg->hdr->generation < UINT64_MAX - 1 &&
						seg->hdr->generation >= generation)
						generation = seg->hdr->generation + 1;
					__atomic_store_n(&seg->hdr->state,
						FG_SEG_STATE_RETIRED, __ATOMIC_RELEASE);
				}
				seg_unmap(seg);
				if(seg_unlink(seg) != 0 && errno != ENOENT) {
					snprintf(err, errlen, "segment %s: cannot "
						"remove it to rebuild: %s", seg->name,
						strerror(errno));
					goto fail;
				}
				close(seg->fd);
				seg->fd = -1;
				continue;
			}
			seg_adopt(seg);
			if(seg->hdr->window != opts->window) {
				fg_log(FG_LOG_INFO, "tracker: segment %s: window "
					"%u s, now %u s", seg->name,
					(unsigned)seg->hdr->window,
					(unsigned)opts->window);
				__atomic_store_n(&seg->hdr->window, opts->window,
					__ATOMIC_RELAXED);
			}
		}
		if(!seg_become_present(seg, created, err, errlen))
			goto fail;
		seg_range_lock(seg->fd, SEG_LOCK_INIT, F_UNLCK, 1);
		return 1;
	}
	snprintf(err, errlen, "segment %s: still being replaced after %d "
		"attempts", seg->name, SEG_OPEN_ATTEMPTS);
	return 0;
fail:
	seg_unmap(seg);
	if(seg->fd >= 0)
		close(seg->fd);
	seg->fd = -1;
	return 0;
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1; older kernels answer EINVAL */
#endif

int
fg_segment_use_huge_pages(struct fg_segment* seg, char* why, size_t whylen)
{
	/* The resolver touches one random record per answer in a table far
	 * larger than the TLB covers: with 4 KiB pages each touch also walks
	 * the page tables (a second trip to memory, two under a hypervisor).
	 * MADV_COLLAPSE makes the object's pages huge and maps them so,
	 * whatever transparent_hugepage/shmem_enabled says, and is undone by
	 * nothing but memory pressure. It needs free 2 MiB blocks and, the
	 * first time, copies the table; a failure leaves 4 KiB pages. */
	if(!seg->base || ((uintptr_t)seg->base & (FG_SEG_HUGE_PAGE - 1)) != 0) {
		snprintf(why, whylen, "mapping not at a 2 MiB boundary");
		return 0;
	}
	if(seg->size < FG_SEG_HUGE_PAGE) {
		snprintf(why, whylen, "segment smaller than one huge page");
		return 0;
	}
	if(madvise(seg->base, seg->size & ~(FG_SEG_HUGE_PAGE - 1),
		MADV_COLLAPSE) != 0) {
		snprintf(why, whylen, "madvise(MADV_COLLAPSE): %s%s",
			strerror(errno), errno == EINVAL ? " (kernel before "
			"6.1, or a file system without huge pages)" : "");
		return 0;
	}
	return 1;
}

int
fg_segment_attach(struct fg_segment* seg, const char* name, int writable,
	int* missing, char* err, size_t errlen)
{
	struct stat st;
	char why[512];
	if(missing)
		*missing = 0;
	memset(seg, 0, sizeof(*seg));
	seg->fd = -1;
	seg->writable = writable ? 1 : 0;
	if(!seg_check_name(seg, name, err, errlen))
		return 0;
	seg->fd = seg_open_fd(seg, writable ? O_RDWR : O_RDONLY, 0);
	if(seg->fd < 0) {
		if(errno == ENOENT && missing)
			*missing = 1;
		snprintf(err, errlen, "segment %s: %s%s", seg->name,
			strerror(errno), errno == ENOENT ?
			" (is a resolver with fluxguard running?)" : "");
		return 0;
	}
	/* a shared hold on the init lock: never see a half-built segment */
	if(!seg_range_lock(seg->fd, SEG_LOCK_INIT, F_RDLCK, 1) ||
		fstat(seg->fd, &st) != 0) {
		snprintf(err, errlen, "segment %s: cannot lock or stat it: %s",
			seg->name, strerror(errno));
		goto fail;
	}
	if(st.st_size == 0) {
		snprintf(err, errlen, "segment %s: empty: being created, or its "
			"creator died", seg->name);
		goto fail;
	}
	if(!seg_map(seg, (size_t)st.st_size, err, errlen))
		goto fail;
	if(!seg_validate(seg, (size_t)st.st_size, why, sizeof(why))) {
		snprintf(err, errlen, "segment %s: %s; refusing it (a resolver "
			"with fluxguard rebuilds it when it starts)", seg->name, why);
		goto fail;
	}
	seg_adopt(seg);
	if(writable && !seg_become_present(seg, 0, err, errlen))
		goto fail;
	seg_range_lock(seg->fd, SEG_LOCK_INIT, F_UNLCK, 1);
	return 1;
fail:
	seg_unmap(seg);
	close(seg->fd);
	seg->fd = -1;
	return 0;
}

void
fg_segment_close(struct fg_segment* seg)
{
	if(seg->fd < 0)
		return;
	if(seg->writable && seg->hdr) {
		struct fg_seg_header* h = seg->hdr;
		uint32_t n = __atomic_load_n(&h->attach_count, __ATOMIC_RELAXED);
		if(n > 0)
			__atomic_sub_fetch(&h->attach_count, 1, __ATOMIC_RELAXED);
		/* Under the init lock, so that two closers cannot each see the
		 * other still present: drop our presence, and if nobody else
		 * holds one, we were the last. */
		if(seg_range_lock(seg->fd, SEG_LOCK_INIT, F_WRLCK, 1)) {
			seg_range_lock(seg->fd, SEG_LOCK_PRESENCE, F_UNLCK, 1);
			if(seg_range_lock(seg->fd, SEG_LOCK_PRESENCE, F_WRLCK, 0)) {
				__atomic_store_n(&h->clean_close, 1,
					__ATOMIC_RELEASE);
				if(!seg->is_shm)
					(void)msync(seg->base, seg->size, MS_SYNC);
			}
		}
	}
	seg_unmap(seg);
	close(seg->fd);
	seg->fd = -1;
}

/* ------------------------------------------------------- locks and repair */

void
fg_segment_slot_clear(struct fg_seg_bucket* bk, uint32_t i)
{
	struct fg_seg_slot* s = &bk->slots[i];
	uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED) | 1u;
	__atomic_store_n(&bk->tags[i], 0, __ATOMIC_RELEASE);
	__atomic_store_n(&s->seq, seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memset((uint8_t*)s + sizeof(s->seq), 0, sizeof(*s) - sizeof(s->seq));
	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELEASE);
}

uint32_t
fg_segment_repair_bucket(struct fg_segment* seg, uint32_t b)
{
	struct fg_seg_bucket* bk = &seg->buckets[b];
	uint32_t i, emptied = 0;
	for(i = 0; i < FG_SEG_BUCKET_SLOTS; i++) {
		struct fg_seg_slot* s = &bk->slots[i];
		uint32_t tag = __atomic_load_n(&bk->tags[i], __ATOMIC_RELAXED);
		uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
		int bad = 0;
		if(seq & 1)
			bad = 1;
		else if(tag == 0)
			bad = s->state != FG_SEG_SLOT_EMPTY;
		else if(s->state != FG_SEG_SLOT_USED || s->name_len == 0 ||
			s->pool_used < s->name_len ||
			s->pool_used > FG_SEG_POOL_SIZE ||
			fg_name_wire_len(s->pool, s->name_len) != s->name_len)
			bad = 1;
		else {
			uint64_t h = fg_segment_hash(seg->key, s->pool, s->name_len);
			bad = fg_segment_tag_of(h) != tag ||
				fg_segment_bucket_of(seg, h) != b;
		}
		if(bad) {
			fg_segment_slot_clear(bk, i);
			emptied++;
		}
	}
	return emptied;
}

int
fg_segment_lock(struct fg_segment* seg, uint32_t stripe)
{
	static time_t last_timeout_log;
	pthread_mutex_t* m = &seg->stripes[stripe].mutex;
	struct timespec deadline;
	int rc = pthread_mutex_trylock(m);
	if(rc == EBUSY) {
		/* held: wait, but never for long. A writer holds a stripe for
		 * microseconds; one that holds it longer is stuck or hostile,
		 * and a resolver thread must not wait on it */
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += SEG_LOCK_WAIT_MS * 1000000L;
		if(deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		rc = pthread_mutex_timedlock(m, &deadline);
	}
	if(rc == 0)
		return 1;
	if(rc == EOWNERDEAD) {
		uint32_t b, emptied = 0;
		for(b = stripe; b < seg->nbuckets; b += seg->nstripes)
			emptied += fg_segment_repair_bucket(seg, b);
		pthread_mutex_consistent(m);
		fg_log(FG_LOG_WARN, "tracker: segment %s: a writer died holding "
			"lock %u; emptied %u torn slots", seg->name,
			(unsigned)stripe, (unsigned)emptied);
		return 1;
	}
	if(rc == ETIMEDOUT) {
		time_t now = time(NULL);
		/* at most one line a second: a stuck lock would flood it */
		if(now != __atomic_exchange_n(&last_timeout_log, now,
			__ATOMIC_RELAXED))
			fg_log(FG_LOG_ERR, "tracker: segment %s: lock %u held for "
				"more than %d ms; the update is skipped", seg->name,
				(unsigned)stripe, SEG_LOCK_WAIT_MS);
		return 0;
	}
	fg_log(FG_LOG_ERR, "tracker: segment %s: lock %u unusable: %s",
		seg->name, (unsigned)stripe, strerror(rc));
	return 0;
}

void
fg_segment_unlock(struct fg_segment* seg, uint32_t stripe)
{
	pthread_mutex_unlock(&seg->stripes[stripe].mutex);
}
