/* Handing the user-notification fd to the seccomp agent at listenerPath:
 * one SOCK_STREAM connection, one message carrying the container process
 * state JSON and the fd (SCM_RIGHTS), then the connection is closed. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/oci.h"
#include "runtime/seccomp/seccomp.h"

int sc_listener_connect(const char *path, int *ret_fd, struct vs_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof(addr.sun_path))
		return vs_error_set(err, "seccomp listener %s: path too long for a unix socket",
				    path);
	strcpy(addr.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vs_error_errno(err, errno, "seccomp listener: socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		/* runc's words, which tools and runc's tests match */
		return vs_error_errno(err, errno, "failed to connect with seccomp agent at %s",
				      path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_kv(yajl_gen g, const char *key, const char *value)
{
	gen_str(g, key);
	gen_str(g, value ? value : "");
}

static void gen_state(yajl_gen g, const struct sc_listener_state *st)
{
	yajl_gen_map_open(g);
	gen_kv(g, "ociVersion", OCI_SPEC_VERSION);
	gen_kv(g, "id", st->id);
	gen_kv(g, "status", st->status ? st->status : "creating");
	gen_str(g, "pid");
	yajl_gen_integer(g, st->pid);
	gen_kv(g, "bundle", st->bundle);
	if (st->n_annotations > 0) {
		gen_str(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < st->n_annotations; i++)
			gen_kv(g, st->annotations[i].key, st->annotations[i].value);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

char *sc_listener_payload(const struct sc_listener_state *st)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	gen_kv(g, "ociVersion", OCI_SPEC_VERSION);
	gen_str(g, "fds");
	yajl_gen_array_open(g);
	gen_str(g, "seccompFd");
	yajl_gen_array_close(g);
	gen_str(g, "pid");
	yajl_gen_integer(g, st->pid);
	if (st->metadata)
		gen_kv(g, "metadata", st->metadata);
	gen_str(g, "state");
	gen_state(g, st);
	yajl_gen_map_close(g);

	char *out = NULL;
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
		out = vs_malloc0(len + 1);
		memcpy(out, buf, len);
	}
	yajl_gen_free(g);
	return out;
}

int sc_send_listener(int sock_fd, int notify_fd, const char *payload, struct vs_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)payload, .iov_len = strlen(payload)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	memset(&u, 0, sizeof(u));
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &notify_fd, sizeof(int));

	ssize_t n;
	do
		n = sendmsg(sock_fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return vs_error_errno(err, errno, "send seccomp notify fd to the listener");
	/* The fd travelled with the first byte; the rest of the JSON may need
	 * more writes (the spec allows several sendmsg calls). */
	if ((size_t)n < iov.iov_len &&
	    vs_write_all(sock_fd, payload + n, iov.iov_len - (size_t)n) < 0)
		return vs_error_errno(err, errno, "send seccomp state to the listener");
	return 0;
}
