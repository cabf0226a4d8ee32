// SPDX-License-Identifier: GPL-2.0-only
/*
 * blkcheck - write random data to a block device with O_DIRECT and read it
 * back, so that every byte crosses the IOMMU twice.
 *
 *   blkcheck DEVICE SIZE[,SIZE...] [ROUNDS]
 *
 * For each size, the data is written once from one buffer (one iovec, whose
 * pages are physically scattered) and once from many separately allocated
 * page-sized iovecs (a multi-segment scatterlist), then read back into
 * poisoned buffers of the other shape and compared byte by byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define MAX_IOV 1024

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static void *page_alloc(size_t size)
{
	void *p;

	if (posix_memalign(&p, PAGE, size))
		return NULL;
	return p;
}

/* Split @buf into @n iovecs; @scatter uses one fresh allocation per chunk. */
static int make_iov(struct iovec *iov, int n, size_t size, int scatter,
		    unsigned char *flat)
{
	size_t chunk = size / n;
	int i;

	for (i = 0; i < n; i++) {
		iov[i].iov_len = chunk;
		iov[i].iov_base = scatter ? page_alloc(chunk) : flat + i * chunk;
		if (!iov[i].iov_base)
			return -1;
	}
	return 0;
}

static void free_iov(struct iovec *iov, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(iov[i].iov_base);
}

static int check_one(int fd, const char *dev, size_t size, off_t off,
		     int wr_scatter)
{
	struct iovec wiov[MAX_IOV], riov[MAX_IOV];
	unsigned char *wflat = NULL, *rflat = NULL;
	int n = size / PAGE > MAX_IOV ? MAX_IOV : (int)(size / PAGE);
	int ret = 1, i;
	size_t done;
	ssize_t len;

	if (n < 1)
		n = 1;
	if (!wr_scatter) {
		wflat = page_alloc(size);
		if (!wflat)
			return 1;
	} else {
		rflat = page_alloc(size);
		if (!rflat)
			return 1;
	}
	if (make_iov(wiov, wr_scatter ? n : 1, size, wr_scatter, wflat) ||
	    make_iov(riov, wr_scatter ? 1 : n, size, !wr_scatter, rflat)) {
		fprintf(stderr, "blkcheck: out of memory\n");
		return 1;
	}
	for (i = 0; i < (wr_scatter ? n : 1); i++) {
		uint64_t *p = wiov[i].iov_base;
		size_t k;

		for (k = 0; k < wiov[i].iov_len / 8; k++)
			p[k] = rng();
	}
	for (i = 0; i < (wr_scatter ? 1 : n); i++)
		memset(riov[i].iov_base, 0xa5, riov[i].iov_len);

	len = pwritev(fd, wiov, wr_scatter ? n : 1, off);
	if (len != (ssize_t)size) {
		fprintf(stderr, "blkcheck: %s: pwritev %zu at %lld: %zd (%s)\n",
			dev, size, (long long)off, len, strerror(errno));
		goto out;
	}
	len = preadv(fd, riov, wr_scatter ? 1 : n, off);
	if (len != (ssize_t)size) {
		fprintf(stderr, "blkcheck: %s: preadv %zu at %lld: %zd (%s)\n",
			dev, size, (long long)off, len, strerror(errno));
		goto out;
	}
	/* Compare the two differently shaped views of the same bytes. */
	for (done = 0; done < size; done++) {
		size_t wc = wr_scatter ? size / n : size;
		size_t rc = wr_scatter ? size : size / n;
		unsigned char w = ((unsigned char *)wiov[done / wc].iov_base)[done % wc];
		unsigned char r = ((unsigned char *)riov[done / rc].iov_base)[done % rc];

		if (w != r) {
			fprintf(stderr,
				"blkcheck: %s: size %zu: byte %zu differs: wrote %02x read %02x\n",
				dev, size, done, w, r);
			goto out;
		}
	}
	ret = 0;
out:
	if (wr_scatter) {
		free_iov(wiov, n);
		free(rflat);
	} else {
		free_iov(riov, n);
		free(wflat);
	}
	return ret;
}

int main(int argc, char **argv)
{
	int rounds = argc > 3 ? atoi(argv[3]) : 1;
	char *sizes, *tok, *save;
	int fd, r, fail = 0;
	off_t off = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: blkcheck DEVICE SIZE[,SIZE...] [ROUNDS]\n");
		return 2;
	}
	rng_state = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	printf("blkcheck: %s seed %llu\n", argv[1], (unsigned long long)rng_state);
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		sizes = strdup(argv[2]);
		for (tok = strtok_r(sizes, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			size_t size = strtoul(tok, NULL, 0);

			if (!size || size % PAGE) {
				fprintf(stderr, "blkcheck: bad size %s\n", tok);
				return 2;
			}
			if (check_one(fd, argv[1], size, off, 0) ||
			    check_one(fd, argv[1], size, off + size, 1))
				fail++;
			else
				printf("blkcheck: %s size %zu ok\n", argv[1], size);
			off += 2 * size;
		}
		free(sizes);
	}
	close(fd);
	return fail ? 1 : 0;
}
