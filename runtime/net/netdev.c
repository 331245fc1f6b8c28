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

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/net/net.h"

/* A few rtnetlink requests need no library: the kernel's own NLMSG_ and
 * RTA_ macros build and walk the messages.  Not linking libmnl keeps every
 * vessel command free of a shared object to map (bench/NOTES.md). */
struct nl {
	int fd;
	uint32_t seq;
};

typedef void (*nl_cb)(const struct nlmsghdr *nlh, void *data);

static void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static int nl_open(struct nl *nl, struct vs_error *err)
{
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return vs_error_errno(err, errno, "open rtnetlink socket");
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

/* A request of `type` whose fixed header (ifinfomsg, ifaddrmsg) is hdrlen
 * bytes, zeroed, in buf; returns that header. */
static void *nl_msg(void *buf, uint16_t type, uint16_t flags, size_t hdrlen)
{
	struct nlmsghdr *nlh = buf;
	memset(buf, 0, NLMSG_SPACE(hdrlen));
	nlh->nlmsg_len = NLMSG_LENGTH(hdrlen);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return NLMSG_DATA(nlh);
}

/* Appends an attribute; the callers' buffers have room for their few. */
static void nl_attr(struct nlmsghdr *nlh, uint16_t type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static void nl_attr_str(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	nl_attr(nlh, type, s, strlen(s) + 1);
}

/* One answer of the exchange: 1 to read on, 0 at its end (the ack or a
 * dump's NLMSG_DONE), -1 with errno for an NLMSG_ERROR. */
static int nl_answer(const struct nlmsghdr *h, nl_cb cb, void *data)
{
	if (h->nlmsg_type == NLMSG_DONE)
		return 0;
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
			errno = EBADMSG;
			return -1;
		}
		errno = -e->error;
		return e->error ? -1 : 0;
	}
	if (cb && h->nlmsg_type >= NLMSG_MIN_TYPE)
		cb(h, data);
	return 1;
}

/* Send one request and run cb over the answers until the ack (or the end
 * of a dump); an NLMSG_ERROR answer is -1 with errno. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_cb cb, void *data)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	nlh->nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -1;
	for (;;) {
		ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		unsigned len = (unsigned)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			int r = nl_answer(h, cb, data);
			if (r <= 0)
				return r;
		}
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

static void addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;
	const struct ifaddrmsg *ifa = NLMSG_DATA(nlh);
	size_t alen = ifa->ifa_family == AF_INET6 ? 16 : 4;
	if ((int)ifa->ifa_index != d->ifindex || !(ifa->ifa_flags & IFA_F_PERMANENT) ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE || d->n == ARRAY_SIZE(d->addrs))
		return;
	struct saved_addr *a = &d->addrs[d->n];
	*a = (struct saved_addr){.family = ifa->ifa_family, .prefixlen = ifa->ifa_prefixlen};
	int len = (int)IFA_PAYLOAD(nlh);
	for (const struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		uint16_t type = rta->rta_type;
		if ((type != IFA_LOCAL && type != IFA_ADDRESS) || RTA_PAYLOAD(rta) != alen)
			continue;
		memcpy(type == IFA_LOCAL ? a->local : a->address, RTA_DATA(rta), alen);
		*(type == IFA_LOCAL ? &a->has_local : &a->has_address) = true;
	}
	if (a->has_local || a->has_address)
		d->n++;
}

static int dump_addrs(struct nl *nl, struct addr_dump *d)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct ifaddrmsg *ifa =
	    nl_msg(buf, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, sizeof(struct ifaddrmsg));
	ifa->ifa_family = AF_UNSPEC;
	return nl_talk(nl, (struct nlmsghdr *)buf, addr_cb, d);
}

static void link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	*(int *)data = ifi->ifi_index;
}

/* ifindex of NAME in the socket's namespace, or of the link whose index
 * is `index` (a "%d" template's name is the kernel's choice; a move keeps
 * the index when the target namespace has it free). */
static int link_index(struct nl *nl, const char *name, int index, int *ret)
{
	char buf[512] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	/* The ack ends the exchange: a plain get has one answer and no
	 * NLMSG_DONE. */
	struct ifinfomsg *ifi =
	    nl_msg(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, sizeof(struct ifinfomsg));
	ifi->ifi_family = AF_UNSPEC;
	if (name)
		nl_attr_str(nlh, IFLA_IFNAME, name);
	else
		ifi->ifi_index = index;
	*ret = 0;
	return nl_talk(nl, nlh, link_cb, ret) < 0 || *ret <= 0 ? -1 : 0;
}

static int move_link(struct nl *host, int ifindex, int netns_fd, const char *name)
{
	char buf[512] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifi =
	    nl_msg(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, sizeof(struct ifinfomsg));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	uint32_t fd = (uint32_t)netns_fd;
	nl_attr(nlh, IFLA_NET_NS_FD, &fd, sizeof(fd));
	if (name)
		nl_attr_str(nlh, IFLA_IFNAME, name);
	return nl_talk(host, nlh, NULL, NULL);
}

static int add_addr(struct nl *nl, int ifindex, const struct saved_addr *a)
{
	char buf[512] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t alen = a->family == AF_INET6 ? 16 : 4;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifaddrmsg *ifa =
	    nl_msg(buf, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
		   sizeof(struct ifaddrmsg));
	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	if (a->has_local)
		nl_attr(nlh, IFA_LOCAL, a->local, alen);
	if (a->has_address)
		nl_attr(nlh, IFA_ADDRESS, a->address, alen);
	return nl_talk(nl, nlh, NULL, NULL);
}

static int link_up(struct nl *nl, int ifindex)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct ifinfomsg *ifi =
	    nl_msg(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, sizeof(struct ifinfomsg));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(nl, (struct nlmsghdr *)buf, NULL, NULL);
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
	struct nl host = {.fd = -1}, ctr = {.fd = -1};
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
