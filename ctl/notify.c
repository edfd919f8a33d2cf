// SPDX-License-Identifier: GPL-2.0
/*
 * sd_notify() messages for systemd's Type=notify services (libsystemd).
 * A reload is RELOADING=1 with the monotonic time it began, then READY=1
 * again once it is over, whatever its outcome (a refused reload keeps
 * the running configuration, so the service stays ready). Failures to
 * notify are logged at debug level only: systemd notices a missing
 * READY=1 by itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"
#include "notify.h"

static void notify(const char *fmt, const char *arg)
{
	int ret = sd_notifyf(0, fmt, arg);

	if (ret < 0)
		log_debug("sd_notify: %s", strerror(-ret));
}

void notify_ready(const char *status)
{
	notify("READY=1\nSTATUS=%s", status);
}

void notify_reloading(void)
{
	struct timespec ts;
	char usec[24];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(usec, sizeof(usec), "%llu",
		 (unsigned long long)ts.tv_sec * 1000000 +
			 (unsigned long long)ts.tv_nsec / 1000);
	notify("RELOADING=1\nMONOTONIC_USEC=%s\nSTATUS=reloading", usec);
}

void notify_stopping(void)
{
	notify("STOPPING=1\nSTATUS=%s", "stopping, data plane left running");
}
