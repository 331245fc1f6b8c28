/* linux.netDevices (runtime-spec v1.3): move host interfaces into the
 * container's network namespace, renamed if asked, with their permanent
 * global addresses, and set them up.
 *
 * Run by the parent (it sees the host's interfaces) once the init's
 * network namespace exists.  One rtnetlink socket in the host's namespace
 * moves the link (RTM_NEWLINK with IFLA_NET_NS_FD and the new IFLA_IFNAME:
 * the kernel renames as it moves, EEXIST when the name is taken there
 * unless it is a "%d" template); a second socket, created while the parent
 * is briefly in the container's namespace (setns with the init's pidfd),
 * adds the addresses back (a move drops them) and sets the link up.  The
 * link's lifetime is the namespace's (spec: never moved back). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/net/net.h"

struct nl {
	struct mnl_socket *sock;
	uint32_t seq;
};

static void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static int nl_open(struct nl *nl, struct vs_error *err)
{
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return vs_error_errno(err, errno, "open rtnetlink socket");
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return vs_error_errno(err, errno, "bind rtnetlink socket");
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

/* Send one request and run cb over the answers until the ack (or the end
 * of a dump); an NLMSG_ERROR answer is -1 with errno. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[16384];
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	uint32_t portid = mnl_socket_get_portid(nl->sock);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -1;
		int r = mnl_cb_run(buf, (size_t)n, nl->seq, portid, cb, data);
		if (r <= MNL_CB_STOP)
			return r < 0 ? -1 : 0;
	}
}

/* The addresses a move must carry over: permanent, global scope (spec). */
struct saved_addr {
	uint8_t family, prefixlen;
	uint8_t local[16], address[16];
	bool has_local, has_address;
};

struct addr_dump {
	int ifindex;
	struct saved_addr addrs[32];
	size_t n;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	size_t alen = ifa->ifa_family == AF_INET6 ? 16 : 4;
	if ((int)ifa->ifa_index != d->ifindex || !(ifa->ifa_flags & IFA_F_PERMANENT) ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE || d->n == ARRAY_SIZE(d->addrs))
		return MNL_CB_OK;
	struct saved_addr *a = &d->addrs[d->n];
	*a = (struct saved_addr){.family = ifa->ifa_family, .prefixlen = ifa->ifa_prefixlen};
	const struct nlattr *attr;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa))
	{
		uint16_t type = mnl_attr_get_type(attr);
		if ((type != IFA_LOCAL && type != IFA_ADDRESS) ||
		    mnl_attr_get_payload_len(attr) != alen)
			continue;
		memcpy(type == IFA_LOCAL ? a->local : a->address, mnl_attr_get_payload(attr), alen);
		*(type == IFA_LOCAL ? &a->has_local : &a->has_address) = true;
	}
	if (a->has_local || a->has_address)
		d->n++;
	return MNL_CB_OK;
}

static int dump_addrs(struct nl *nl, struct addr_dump *d)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	return nl_talk(nl, nlh, addr_cb, d);
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	*(int *)data = ifi->ifi_index;
	return MNL_CB_OK;
}

/* ifindex of NAME in the socket's namespace, or of the link whose index
 * is `index` (a "%d" template's name is the kernel's choice; a move keeps
 * the index when the target namespace has it free). */
static int link_index(struct nl *nl, const char *name, int index, int *ret)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	/* The ack ends the exchange: a plain get has one answer and no
	 * NLMSG_DONE. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	else
		ifi->ifi_index = index;
	*ret = 0;
	return nl_talk(nl, nlh, link_cb, ret) < 0 || *ret <= 0 ? -1 : 0;
}

static int move_link(struct nl *host, int ifindex, int netns_fd, const char *name)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_talk(host, nlh, NULL, NULL);
}

static int add_addr(struct nl *nl, int ifindex, const struct saved_addr *a)
{
	char buf[512];
	size_t alen = a->family == AF_INET6 ? 16 : 4;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	if (a->has_local)
		mnl_attr_put(nlh, IFA_LOCAL, alen, a->local);
	if (a->has_address)
		mnl_attr_put(nlh, IFA_ADDRESS, alen, a->address);
	return nl_talk(nl, nlh, NULL, NULL);
}

static int link_up(struct nl *nl, int ifindex)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(nl, nlh, NULL, NULL);
}

/* A socket in the namespace of the process behind pidfd, and an fd of that
 * namespace; the caller's namespace is restored before returning. */
static int open_in_netns(int pidfd, struct nl *ret_nl, int *ret_nsfd, struct vs_error *err)
{
	_cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return vs_error_errno(err, errno, "open /proc/self/ns/net");
	if (setns(pidfd, CLONE_NEWNET) < 0)
		return vs_error_errno(err, errno, "enter the container's network namespace");
	int r = nl_open(ret_nl, err);
	*ret_nsfd = r < 0 ? -1 : open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (r == 0 && *ret_nsfd < 0)
		r = vs_error_errno(err, errno, "open the container's network namespace");
	/* Back, whatever happened: the parent goes on in the host's. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	return r;
}

static int move_one(struct nl *host, struct nl *ctr, int nsfd, const struct net_dev *d,
		    struct vs_error *err)
{
	struct addr_dump dump = {.ifindex = (int)if_nametoindex(d->host)};
	if (dump.ifindex == 0)
		return vs_error_errno(err, errno, "no interface %s on the host", d->host);
	if (dump_addrs(host, &dump) < 0)
		return vs_error_errno(err, errno, "list the addresses of %s", d->host);
	const char *name = d->name && d->name[0] ? d->name : d->host;
	int idx;
	/* Checked first: the kernel moves the link, then fails the rename,
	 * leaving it in the container under its host name. */
	if (!strchr(name, '%') && link_index(ctr, name, 0, &idx) == 0)
		return vs_error_errno(
		    err, EEXIST, "the container's network namespace has an interface %s already",
		    name);
	if (move_link(host, dump.ifindex, nsfd, d->name && d->name[0] ? d->name : NULL) < 0)
		return vs_error_errno(err, errno,
				      "move %s into the container's network namespace as %s",
				      d->host, name);
	if (link_index(ctr, strchr(name, '%') ? NULL : name, dump.ifindex, &idx) < 0)
		return vs_error_errno(err, errno ? errno : ENODEV,
				      "find %s in the container's network namespace", name);
	for (size_t i = 0; i < dump.n; i++)
		if (add_addr(ctr, idx, &dump.addrs[i]) < 0)
			return vs_error_errno(err, errno, "restore address %zu of %s", i, name);
	if (link_up(ctr, idx) < 0)
		return vs_error_errno(err, errno, "set %s up", name);
	return 0;
}

int net_devices_move(int pidfd, const struct net_dev *devs, size_t n, struct vs_error *err)
{
	if (n == 0)
		return 0;
	struct nl host = {0}, ctr = {0};
	int nsfd = -1, r = nl_open(&host, err);
	if (r == 0)
		r = open_in_netns(pidfd, &ctr, &nsfd, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = move_one(&host, &ctr, nsfd, &devs[i], err);
		if (r < 0)
			vs_error_wrap(err, "linux.netDevices[\"%s\"]", devs[i].host);
	}
	if (nsfd >= 0)
		close(nsfd);
	nl_close(&ctr);
	nl_close(&host);
	return r;
}
