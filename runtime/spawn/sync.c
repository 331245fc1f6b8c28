#include "runtime/spawn/sync-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"

const char *sync_type_name(enum sync_type type)
{
	static const char *const names[] = {
	    [SYNC_IDMAP_REQ] = "idmap-request",
	    [SYNC_IDMAP_ACK] = "idmap-ack",
	    [SYNC_HOOKS_REQ] = "hooks-request",
	    [SYNC_HOOKS_ACK] = "hooks-ack",
	    [SYNC_STATE] = "state",
	    [SYNC_SECCOMP_FD] = "seccomp-fd",
	    [SYNC_SECCOMP_ACK] = "seccomp-ack",
	    [SYNC_PTY] = "pty",
	    [SYNC_READY] = "ready",
	    [SYNC_ERROR] = "error",
	    [SYNC_PID] = "pid",
	};
	if ((size_t)type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

int sync_send(int sock, enum sync_type type, const char *payload, size_t len, int fd,
	      struct vs_error *err)
{
	struct sync_hdr hdr = {.type = type, .len = (uint32_t)len};
	struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {(void *)payload, len}};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	if (len > SYNC_MAX_PAYLOAD)
		return vs_error_set(err, "sync %s: payload too large", sync_type_name(type));
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return vs_error_errno(err, errno, "sync send %s", sync_type_name(type));
	return 0;
}

void sync_send_error(int sock, const struct vs_error *err)
{
	const char *msg = err->msg ? err->msg : "unknown error";
	struct sync_hdr hdr = {
	    .type = SYNC_ERROR, .errnum = err->errnum, .len = (uint32_t)strlen(msg)};
	struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {(void *)msg, strlen(msg)}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	/* Best effort: if the parent is gone there is nobody to tell. */
	(void)!sendmsg(sock, &mh, MSG_NOSIGNAL);
}

static int recv_fd(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
			return fd;
		}
	}
	return -1;
}

int sync_recv(int sock, struct sync_msg *ret, struct vs_error *err)
{
	*ret = (struct sync_msg){.fd = -1};
	/* SEQPACKET: peek with MSG_TRUNC gives the real packet size. */
	ssize_t size;
	struct sync_hdr peek;
	do
		size = recv(sock, &peek, sizeof(peek), MSG_PEEK | MSG_TRUNC);
	while (size < 0 && errno == EINTR);
	if (size < 0)
		return vs_error_errno(err, errno, "sync receive");
	if (size == 0)
		return vs_error_set(err, "connection closed");
	if ((size_t)size < sizeof(struct sync_hdr) ||
	    (size_t)size > sizeof(peek) + SYNC_MAX_PAYLOAD)
		return vs_error_set(err, "sync receive: bad packet of %zd bytes", size);
	_cleanup_free_ char *buf = vs_malloc0((size_t)size + 1);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {buf, (size_t)size};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return vs_error_errno(err, errno, "sync receive");
	struct sync_hdr hdr;
	memcpy(&hdr, buf, sizeof(hdr));
	ret->fd = recv_fd(&mh);
	if (hdr.len != (size_t)n - sizeof(hdr)) {
		sync_msg_clear(ret);
		return vs_error_set(err, "sync receive: length mismatch");
	}
	ret->type = (enum sync_type)hdr.type;
	ret->errnum = hdr.errnum;
	ret->len = hdr.len;
	if (hdr.len) {
		ret->payload = vs_malloc0(hdr.len + 1);
		memcpy(ret->payload, buf + sizeof(hdr), hdr.len);
	}
	return 0;
}

void sync_msg_clear(struct sync_msg *m)
{
	free(m->payload);
	m->payload = NULL;
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int sync_expect(int sock, enum sync_type want, struct sync_msg *ret, struct vs_error *err)
{
	if (sync_recv(sock, ret, err) < 0)
		return vs_error_wrap(err, "waiting for %s", sync_type_name(want));
	if (ret->type == SYNC_ERROR) {
		vs_error_set_raw(err, ret->errnum, ret->payload ? ret->payload : "unknown error");
		sync_msg_clear(ret);
		return -1;
	}
	if (ret->type != want) {
		enum sync_type got = ret->type;
		sync_msg_clear(ret);
		return vs_error_set(err, "sync: expected %s, got %s", sync_type_name(want),
				    sync_type_name(got));
	}
	return 0;
}
