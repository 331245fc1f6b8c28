/* runtime/seccomp NOTIFY: a forked child loads a filter that notifies on
 * mkdir, hands the notify fd and the state JSON over with
 * sc_send_listener(); this process plays the agent and answers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/seccomp/seccomp.h"
#include "tap.h"

static struct oci_seccomp *notify_profile(void)
{
	struct oci_seccomp *s = vs_malloc0(sizeof(*s));
	s->default_action = vs_strdup("SCMP_ACT_ALLOW");
	s->listener_path = vs_strdup("/run/agent.sock");
	s->listener_metadata = vs_strdup("MKDIR=fake");
	vs_strv_push(&s->flags, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	s->syscalls = vs_malloc0(sizeof(*s->syscalls));
	s->n_syscalls = 1;
	s->syscalls[0].action = vs_strdup("SCMP_ACT_NOTIFY");
	vs_strv_push(&s->syscalls[0].names, "mkdir");
	vs_strv_push(&s->syscalls[0].names, "mkdirat");
	return s;
}

static const char *jstr(yajl_val root, const char *a, const char *b)
{
	const char *path[] = {a, b, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);
	return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static long long jint(yajl_val root, const char *a, const char *b)
{
	const char *path[] = {a, b, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);
	return YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : -1;
}

static void test_listener_payload(void)
{
	struct oci_kv ann[] = {{"a", "b"}};
	struct sc_listener_state st = {.id = "c1",
				       .status = "creating",
				       .pid = 4422,
				       .bundle = "/b",
				       .annotations = ann,
				       .n_annotations = 1,
				       .metadata = "MKNOD=/dev/null"};
	_cleanup_free_ char *json = sc_listener_payload(&st);
	char errbuf[128];
	yajl_val root = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	CHECK(root != NULL, "payload is JSON");
	if (!root)
		return;
	CHECK_STR(jstr(root, "ociVersion", NULL), OCI_SPEC_VERSION);
	const char *fds_path[] = {"fds", NULL};
	yajl_val fds = yajl_tree_get(root, fds_path, yajl_t_array);
	CHECK(fds && fds->u.array.len == 1, "fds has one entry");
	if (fds && fds->u.array.len == 1)
		CHECK_STR(YAJL_GET_STRING(fds->u.array.values[0]), "seccompFd");
	CHECK_INT(jint(root, "pid", NULL), ==, 4422);
	CHECK_STR(jstr(root, "metadata", NULL), "MKNOD=/dev/null");
	CHECK_STR(jstr(root, "state", "id"), "c1");
	CHECK_STR(jstr(root, "state", "status"), "creating");
	CHECK_INT(jint(root, "state", "pid"), ==, 4422);
	CHECK_STR(jstr(root, "state", "bundle"), "/b");
	const char *ap[] = {"state", "annotations", "a", NULL};
	yajl_val a = yajl_tree_get(root, ap, yajl_t_string);
	CHECK_STR(a ? YAJL_GET_STRING(a) : NULL, "b");
	yajl_tree_free(root);
}

/* The child: load, hand over the fd, then mkdir.  Exit 0 when mkdir
 * "succeeded" and nothing was created (only the agent can make that
 * happen). */
static void child(const struct sc_filter *f, int sock, const char *dir)
{
	struct vs_error err = VS_ERROR_INIT;
	int nfd;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(100);
	if (sc_load(f, &nfd, &err) < 0 || nfd < 0)
		_exit(101);
	struct sc_listener_state st = {
	    .id = "t", .pid = getpid(), .bundle = "/", .metadata = sc_filter_listener_metadata(f)};
	char *payload = sc_listener_payload(&st);
	if (sc_send_listener(sock, nfd, payload, &err) < 0)
		_exit(102);
	close(sock);
	close(nfd);
	if (mkdir(dir, 0755) < 0)
		_exit(errno);
	struct stat sb;
	_exit(stat(dir, &sb) == 0 ? 103 : 0);
}

static int recv_fd(int sock, char *buf, size_t cap)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {buf, cap - 1};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int fd = -1;
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Answer one notification with "success"; returns the syscall number. */
static int answer_one(int nfd)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct pollfd p = {nfd, POLLIN, 0};
	if (poll(&p, 1, 5000) != 1)
		return -1;
	memset(&req, 0, sizeof(req));
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return -1;
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		return -1;
	return req.data.nr;
}

static void test_notify(void)
{
	struct oci_seccomp *s = notify_profile();
	struct vs_error err = VS_ERROR_INIT;
	struct sc_filter *f = NULL;
	char dir[] = "/tmp/vessel-sc-notify-XXXXXX";
	int sv[2];

	CHECK_INT(sc_compile(s, &f, &err), ==, 0);
	CHECK_STR(sc_filter_listener_path(f), "/run/agent.sock");
	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	rmdir(dir);
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		child(f, sv[1], dir);
	}
	close(sv[1]);
	char buf[4096];
	int nfd = recv_fd(sv[0], buf, sizeof(buf));
	CHECK_INT(nfd, >=, 0);
	CHECK(strstr(buf, "\"fds\":[\"seccompFd\"]") != NULL, "state names the fd");
	CHECK(strstr(buf, "\"metadata\":\"MKDIR=fake\"") != NULL, "metadata passed");
	int nr = answer_one(nfd);
	CHECK(nr == SYS_mkdir || nr == SYS_mkdirat, "agent saw the mkdir");
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st), "child exited");
	CHECK_INT(WEXITSTATUS(st), ==, 0);
	rmdir(dir);
	close(nfd);
	close(sv[0]);
	sc_filter_free(f);
	sc_profile_free(s);

	/* A NOTIFY filter loaded without a place for the fd is refused
	 * before anything is installed. */
	s = notify_profile();
	CHECK_INT(sc_compile(s, &f, &err), ==, 0);
	CHECK_INT(sc_load(f, NULL, &err), <, 0);
	CHECK(err.msg && strstr(err.msg, "takes no notify fd"), "clear error without fd slot");
	vs_error_clear(&err);
	sc_filter_free(f);
	sc_profile_free(s);
}

/* sc_listener_connect against a real socket, and a missing one. */
static void test_connect(void)
{
	struct vs_error err = VS_ERROR_INIT;
	char path[] = "/tmp/vessel-sc-sock-XXXXXX";
	int fd = -1;
	CHECK(mkdtemp(path) != NULL, "mkdtemp");
	_cleanup_free_ char *sock = vs_strdup_printf("%s/s", path);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	strcpy(addr.sun_path, sock);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_INT(bind(l, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
	CHECK_INT(listen(l, 1), ==, 0);
	CHECK_INT(sc_listener_connect(sock, &fd, &err), ==, 0);
	CHECK_INT(fcntl(fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
	close(fd);
	close(l);
	unlink(sock);
	CHECK_INT(sc_listener_connect(sock, &fd, &err), <, 0);
	CHECK(err.msg && strstr(err.msg, sock), "error names the socket");
	vs_error_clear(&err);
	rmdir(path);
}

int main(void)
{
	test_listener_payload();
	test_notify();
	test_connect();
	return tap_done();
}
