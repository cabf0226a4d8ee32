// SPDX-License-Identifier: GPL-2.0-only
/*
 * rawcheck - send raw Ethernet frames with random payloads out of one
 * interface and verify each one as it arrives on another (AF_PACKET).
 * Both NICs DMA through the IOMMU: transmit reads the frame, receive writes it.
 *
 *   rawcheck TX-IFACE RX-IFACE COUNT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETHERTYPE_VCM 0x88b5	/* IEEE 802 local experimental */
#define HDR 18			/* Ethernet header + sequence number */

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545F4914F6CDD1DULL) >> 32;
}

static int open_if(const char *name, unsigned char *mac, int *ifindex)
{
	struct sockaddr_ll sll = { 0 };
	struct ifreq ifr = { 0 };
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE_VCM));
	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		return -1;
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETHERTYPE_VCM);
	sll.sll_ifindex = *ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -1;
	return fd;
}

/* Wait up to @ms for a frame carrying sequence number @seq on @fd. */
static ssize_t recv_seq(int fd, unsigned char *buf, size_t len, uint32_t seq,
			int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	uint32_t got;

	while (poll(&pfd, 1, ms) == 1) {
		n = recv(fd, buf, len, 0);
		if (n < HDR)
			continue;
		memcpy(&got, buf + 14, 4);
		if (ntohl(got) == seq)
			return n;
		/* A late copy of an earlier frame: keep waiting. */
	}
	return -1;
}

int main(int argc, char **argv)
{
	unsigned char txmac[6], rxmac[6], frame[1514], buf[2048];
	int tx, rx, txidx, rxidx, count, i, lost = 0, bad = 0, try;
	struct sockaddr_ll to = { 0 };

	if (argc != 4) {
		fprintf(stderr, "usage: rawcheck TX-IFACE RX-IFACE COUNT\n");
		return 2;
	}
	count = atoi(argv[3]);
	rng_state = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	tx = open_if(argv[1], txmac, &txidx);
	rx = open_if(argv[2], rxmac, &rxidx);
	if (tx < 0 || rx < 0) {
		perror("rawcheck: socket");
		return 1;
	}
	to.sll_family = AF_PACKET;
	to.sll_ifindex = txidx;
	to.sll_halen = 6;
	memcpy(to.sll_addr, rxmac, 6);

	for (i = 0; i < count; i++) {
		size_t len = 60 + rng() % (sizeof(frame) - 60 + 1);
		uint16_t type = htons(ETHERTYPE_VCM);
		uint32_t seq = htonl(i);
		size_t k;
		ssize_t n = -1;

		memcpy(frame, rxmac, 6);
		memcpy(frame + 6, txmac, 6);
		memcpy(frame + 12, &type, 2);
		memcpy(frame + 14, &seq, 4);
		for (k = HDR; k < len; k++)
			frame[k] = rng();
		/* The first frames may race the link coming up: retry those. */
		for (try = 0; try < 3 && n < 0; try++) {
			if (sendto(tx, frame, len, 0, (struct sockaddr *)&to,
				   sizeof(to)) != (ssize_t)len) {
				perror("rawcheck: sendto");
				return 1;
			}
			n = recv_seq(rx, buf, sizeof(buf), i, 2000);
		}
		if (n < 0) {
			lost++;
			continue;
		}
		if ((size_t)n != len || memcmp(buf, frame, len)) {
			fprintf(stderr, "rawcheck: frame %d: %zd bytes differ from the %zu sent\n",
				i, n, len);
			bad++;
		}
	}
	printf("rawcheck: %s -> %s: %d frames, %d lost, %d corrupted\n",
	       argv[1], argv[2], count, lost, bad);
	return lost || bad ? 1 : 0;
}
