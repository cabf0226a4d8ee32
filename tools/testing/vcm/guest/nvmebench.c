// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sequential O_DIRECT reads from a block device, for make bench: every
 * request is one dma_map_sg()/unmap in the driver.
 *
 *   nvmebench DEVICE BYTES_PER_REQUEST MSECS [DEPTH]
 *
 * DEPTH threads (default 1) each keep one request in flight, so that up
 * to DEPTH requests are queued at once; thread i reads requests i,
 * i + DEPTH, i + 2 * DEPTH, ... of the whole requests that fit in the
 * first 128 MiB, wrapping around.
 * Prints "reqs=N ns_per_req=T mib_s=R", T being the wall time per request
 * of all threads together.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH	64

struct reader {
	pthread_t thread;
	int fd;
	size_t bs;
	long long nr;
	long long next;
	int step;
	long long end;
	long long reqs;
	int err;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *reader(void *arg)
{
	struct reader *r = arg;
	void *buf;

	if (posix_memalign(&buf, 4096, r->bs)) {
		r->err = 1;
		return NULL;
	}
	do {
		off_t off = (off_t)(r->next % r->nr) * r->bs;

		if (pread(r->fd, buf, r->bs, off) != (ssize_t)r->bs) {
			perror("pread");
			r->err = 1;
			break;
		}
		r->next += r->step;
		r->reqs++;
	} while (now_ns() < r->end);
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	static struct reader r[MAX_DEPTH];
	long long start, end, elapsed, reqs = 0;
	int fd, depth = 1, i, err = 0;
	off_t span;
	size_t bs;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: nvmebench DEVICE BYTES MSECS [DEPTH]\n");
		return 2;
	}
	bs = strtoul(argv[2], NULL, 0);
	if (argc == 5)
		depth = atoi(argv[4]);
	if (depth < 1 || depth > MAX_DEPTH) {
		fprintf(stderr, "nvmebench: depth 1 to %d\n", MAX_DEPTH);
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0 || !bs) {
		perror(argv[1]);
		return 1;
	}
	span = lseek(fd, 0, SEEK_END);
	if (span > 128 << 20)
		span = 128 << 20;
	if (span < (off_t)bs) {
		fprintf(stderr, "%s: smaller than one request\n", argv[1]);
		return 1;
	}
	start = now_ns();
	end = start + strtoll(argv[3], NULL, 0) * 1000000LL;
	for (i = 0; i < depth; i++) {
		r[i].fd = fd;
		r[i].bs = bs;
		r[i].nr = span / bs;
		r[i].next = i;
		r[i].step = depth;
		r[i].end = end;
		if (pthread_create(&r[i].thread, NULL, reader, &r[i])) {
			perror("pthread_create");
			return 1;
		}
	}
	for (i = 0; i < depth; i++) {
		pthread_join(r[i].thread, NULL);
		reqs += r[i].reqs;
		err |= r[i].err;
	}
	elapsed = now_ns() - start;
	if (err || !reqs)
		return 1;
	printf("reqs=%lld ns_per_req=%lld mib_s=%.1f\n", reqs, elapsed / reqs,
	       (double)reqs * bs / (1 << 20) / (elapsed / 1e9));
	close(fd);
	return 0;
}
