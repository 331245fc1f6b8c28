#include "runtime/net/net.h"

#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "lib/cleanup.h"

/* One request and its ack need no netlink library: the message is a fixed
 * struct, and the only answer that matters is the NLMSG_ERROR carrying the
 * request's sequence number (error 0 is the ack).  Not linking libmnl saves
 * every vessel command a shared object to map and relocate. */
struct net_link_req {
	struct nlmsghdr nlh;
	struct ifinfomsg ifm;
};

/* Reads until the kernel's answer to seq: 0 for the ack, its error else.
 * Anything else on the socket (there should be nothing) is skipped. */
static int net_wait_ack(int fd, uint32_t seq, struct vs_error *err)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vs_error_errno(err, errno, "rtnetlink receive");
		unsigned len = (unsigned)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return vs_error_set(err, "rtnetlink: short error message");
			const struct nlmsgerr *e = NLMSG_DATA(h);
			if (e->error)
				return vs_error_errno(err, -e->error, "rtnetlink set lo up");
			return 0;
		}
	}
}

int net_loopback_up(struct vs_error *err)
{
	unsigned idx = if_nametoindex("lo");
	if (idx == 0)
		return vs_error_errno(err, errno, "find interface lo");
	_cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return vs_error_errno(err, errno, "open rtnetlink socket");
	uint32_t seq = (uint32_t)time(NULL);
	struct net_link_req req = {
	    .nlh =
		{
		    .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		    .nlmsg_type = RTM_NEWLINK,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		    .nlmsg_seq = seq,
		},
	    .ifm =
		{
		    .ifi_family = AF_UNSPEC,
		    .ifi_index = (int)idx,
		    .ifi_flags = IFF_UP,
		    .ifi_change = IFF_UP,
		},
	};
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return vs_error_errno(err, errno, "rtnetlink send");
	return net_wait_ack(fd, seq, err);
}
