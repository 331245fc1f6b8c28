/* Networking inside a new network namespace.  A fresh namespace has only a
 * loopback interface, and it is down: programs that talk to 127.0.0.1 (and
 * runc's behaviour, which users rely on) need it up. */
#ifndef VESSEL_RUNTIME_NET_NET_H
#define VESSEL_RUNTIME_NET_NET_H

#include "lib/error.h"

/* Set `lo` of the caller's network namespace up, over rtnetlink.
 * Runs in the container's init, after it entered the namespace. */
int net_loopback_up(struct vs_error *err);

#endif
