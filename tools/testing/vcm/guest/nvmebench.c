// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sequential O_DIRECT reads from a block device at queue depth 1, for
 * make bench: every request is one dma_map_sg()/unmap in the driver.
 *
 *   nvmebench DEVICE BYTES_PER_REQUEST MSECS
 *
 * prints "reqs=N ns_per_req=T mib_s=R".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long start, end, elapsed, reqs = 0;
	size_t bs;
	off_t off = 0, span;
	void *buf;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: nvmebench DEVICE BYTES MSECS\n");
		return 2;
	}
	bs = strtoul(argv[2], NULL, 0);
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0 || !bs || posix_memalign(&buf, 4096, bs)) {
		perror(argv[1]);
		return 1;
	}
	span = lseek(fd, 0, SEEK_END);
	if (span > 64 << 20)
		span = 64 << 20;
	if (span < (off_t)bs) {
		fprintf(stderr, "%s: smaller than one request\n", argv[1]);
		return 1;
	}
	start = now_ns();
	end = start + strtoll(argv[3], NULL, 0) * 1000000LL;
	do {
		if (off + (off_t)bs > span)
			off = 0;
		if (pread(fd, buf, bs, off) != (ssize_t)bs) {
			perror("pread");
			return 1;
		}
		off += bs;
		reqs++;
	} while (now_ns() < end);
	elapsed = now_ns() - start;
	printf("reqs=%lld ns_per_req=%lld mib_s=%.1f\n", reqs, elapsed / reqs,
	       (double)reqs * bs / (1 << 20) / (elapsed / 1e9));
	close(fd);
	return 0;
}
