/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU's edu device: the registers of its DMA engine and one transfer
 * between its 4 KiB buffer and a bus address. Shared by the window
 * sample (vcm_edu.c) and the DMA-API test driver of make check
 * (tools/testing/vcm/dmatest/).
 */
#ifndef _SAMPLES_VCM_EDU_H
#define _SAMPLES_VCM_EDU_H

#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/types.h>

#define EDU_ID		0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000
/*
 * edu's buffer is 4 KiB, but QEMU 7.2's edu rejects a transfer that ends
 * exactly at the end of it (and stops the machine): move half a page at
 * a time.
 */
#define EDU_XFER	2048

/*
 * One edu DMA of @len bytes through the registers at @bar; @to_ram: edu's
 * buffer to @iova, else @iova to the buffer. Sleeps until it completes.
 */
static inline int vcm_edu_dma(void __iomem *bar, dma_addr_t iova, size_t len,
			      bool to_ram)
{
	int i;

	writeq(to_ram ? EDU_BUF : iova, bar + EDU_DMA_SRC);
	writeq(to_ram ? iova : EDU_BUF, bar + EDU_DMA_DST);
	writeq(len, bar + EDU_DMA_CNT);
	writeq(EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0), bar + EDU_DMA_CMD);
	/* edu completes a transfer on a 100 ms timer. */
	for (i = 0; i < 300; i++) {
		if (!(readq(bar + EDU_DMA_CMD) & EDU_CMD_RUN))
			return 0;
		usleep_range(10000, 20000);
	}
	return -ETIMEDOUT;
}

#endif /* _SAMPLES_VCM_EDU_H */
