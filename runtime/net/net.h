/* Networking inside a new network namespace.  A fresh namespace has only a
 * loopback interface, and it is down: programs that talk to 127.0.0.1 (and
 * runc's behaviour, which users rely on) need it up. */
#ifndef VESSEL_RUNTIME_NET_NET_H
#define VESSEL_RUNTIME_NET_NET_H

#include <stddef.h>

#include "lib/error.h"

/* Set `lo` of the caller's network namespace up, over rtnetlink.
 * Runs in the container's init, after it entered the namespace. */
int net_loopback_up(struct vs_error *err);

/* linux.netDevices: one host interface to move, and its name inside (NULL
 * or "": the same; a "%d" template lets the kernel pick). */
struct net_dev {
	const char *host;
	const char *name;
};

/* Move each of devs from the caller's network namespace into that of the
 * process behind pidfd, keeping its permanent global addresses, and set
 * it up (netdev.c).  Stops at the first failure; interfaces already moved
 * stay where they are (the container is torn down, and with its namespace
 * a physical one returns to the host, a virtual one is destroyed). */
int net_devices_move(int pidfd, const struct net_dev *devs, size_t n, struct vs_error *err);

#endif
