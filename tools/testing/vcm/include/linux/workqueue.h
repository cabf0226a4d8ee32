/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stub: delayed work runs only when the harness says so. */
#ifndef _VCM_STUB_WORKQUEUE_H
#define _VCM_STUB_WORKQUEUE_H

#include <linux/kernel.h>
#include <linux/types.h>

#define HZ			100
#define msecs_to_jiffies(ms)	((ms) / 10)

struct work_struct {
	void (*func)(struct work_struct *work);
};

struct delayed_work {
	struct work_struct work;
	struct delayed_work *next_pending;
	int pending;
};

#define INIT_DELAYED_WORK(dw, fn) \
	do { (dw)->work.func = (fn); (dw)->pending = 0; (dw)->next_pending = NULL; } while (0)
#define to_delayed_work(w)	container_of(w, struct delayed_work, work)

bool schedule_delayed_work(struct delayed_work *dw, unsigned long delay);
bool cancel_delayed_work_sync(struct delayed_work *dw);
/* Run the delayed work that is pending now; returns how many ran. */
int vcm_stub_run_delayed_work(void);

#endif
