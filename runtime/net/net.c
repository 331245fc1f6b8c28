#include "runtime/net/net.h"

#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

static void net_socket_closep(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
}

/* MNL_SOCKET_BUFFER_SIZE is a runtime value (page size) in libmnl; 8 KiB is
 * plenty for one link request and its ack.
 *
 * Waits for the kernel's ack of one request; mnl_cb_run turns an NLMSG_ERROR
 * with a non-zero code into -1 with errno set. */
static int net_wait_ack(struct mnl_socket *nl, uint32_t seq, struct vs_error *err)
{
	char buf[8192];
	uint32_t portid = mnl_socket_get_portid(nl);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return vs_error_errno(err, errno, "rtnetlink receive");
		int r = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
		if (r < 0)
			return vs_error_errno(err, errno, "rtnetlink set lo up");
		if (r == MNL_CB_STOP)
			return 0;
	}
}

int net_loopback_up(struct vs_error *err)
{
	unsigned idx = if_nametoindex("lo");
	if (idx == 0)
		return vs_error_errno(err, errno, "find interface lo");
	__attribute__((cleanup(net_socket_closep))) struct mnl_socket *nl =
	    mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return vs_error_errno(err, errno, "open rtnetlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return vs_error_errno(err, errno, "bind rtnetlink socket");

	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	uint32_t seq = (uint32_t)time(NULL);
	nlh->nlmsg_seq = seq;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)idx;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return vs_error_errno(err, errno, "rtnetlink send");
	return net_wait_ack(nl, seq, err);
}
