/* runtime/exeseal: the sealed images cannot be written, are recognised as
 * sealed (so a re-exec ends), and the re-exec itself works, privileged (the
 * read-only bind mount) and unprivileged in a user namespace (the memfd
 * fallback), keeping argv and setting the task's name back. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "runtime/exeseal/exeseal.h"
#include "tap.h"

static int reopen(int fd, int flags)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_CLOEXEC);
}

static void test_memfd(void)
{
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_close_ int fd = -1;
	CHECK_INT(exeseal_open_memfd(&fd, &err), ==, 0);
	enum exeseal_kind kind = EXESEAL_WRITABLE;
	CHECK_INT(exeseal_fd_kind(fd, &kind, &err), ==, 0);
	CHECK_INT(kind, ==, EXESEAL_MEMFD);
	/* root passes the 0511 mode (CAP_DAC_OVERRIDE): then the seals alone
	 * must stop the write */
	_cleanup_close_ int w = reopen(fd, O_WRONLY);
	if (w >= 0) {
		errno = 0;
		CHECK(write(w, "x", 1) < 0 && errno == EPERM, "write to the sealed memfd: EPERM");
		errno = 0;
		CHECK(ftruncate(w, 0) < 0 && errno == EPERM, "truncate of the sealed memfd: EPERM");
	} else {
		CHECK_INT(errno, ==, EACCES);
	}
	errno = 0;
	CHECK(reopen(fd, O_WRONLY | O_TRUNC) < 0 && (errno == EPERM || errno == EACCES),
	      "open O_TRUNC: EPERM (EACCES without CAP_DAC_OVERRIDE)");
	struct stat a, b;
	CHECK(fstat(fd, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_size == b.st_size,
	      "the memfd is a whole copy");
	vs_error_clear(&err);
}

static void test_bind(void)
{
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_close_ int fd = -1;
	if (exeseal_open_bind(&fd, &err) < 0) {
		printf("# skip bind: %s\n", err.msg);
		vs_error_clear(&err);
		return;
	}
	enum exeseal_kind kind = EXESEAL_WRITABLE;
	CHECK_INT(exeseal_fd_kind(fd, &kind, &err), ==, 0);
	CHECK_INT(kind, ==, EXESEAL_READONLY);
	/* O_TRUNC asks for write access to the mount first (ETXTBSY would
	 * come first otherwise: this test runs the same file) */
	errno = 0;
	CHECK(reopen(fd, O_WRONLY | O_TRUNC) < 0 && errno == EROFS, "open O_TRUNC: EROFS");
}

static void test_writable(void)
{
	struct vs_error err = VS_ERROR_INIT;
	char path[] = "/tmp/test-exeseal-XXXXXX";
	_cleanup_close_ int fd = mkstemp(path);
	unlink(path);
	enum exeseal_kind kind = EXESEAL_MEMFD;
	CHECK_INT(exeseal_fd_kind(fd, &kind, &err), ==, 0);
	CHECK_INT(kind, ==, EXESEAL_WRITABLE);
	CHECK_STR(exeseal_kind_name(kind), "writable");
}

/* Runs exeseal_ensure in a child (in a new user namespace when userns):
 * the re-executed test binary reports, as its exit status, how it is
 * sealed (see main). */
static int child_kind(bool userns)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (userns && unshare(CLONE_NEWUSER) < 0)
			_exit(100);
		char *argv[] = {(char *)"./test-exeseal-child", (char *)"--child", NULL};
		enum exeseal_kind kind;
		struct vs_error err = VS_ERROR_INIT;
		exeseal_ensure(argv, &kind, &err);
		printf("# ensure: %s\n", err.msg ? err.msg : "returned");
		_exit(101);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

static int report_child(void)
{
	enum exeseal_kind kind = EXESEAL_WRITABLE;
	struct vs_error err = VS_ERROR_INIT;
	char comm[32] = "";
	if (exeseal_ensure((char *[]){(char *)"x/test-exeseal-child", NULL}, &kind, &err) < 0)
		return 102;
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	return strcmp(comm, "test-exeseal-ch") == 0 ? (int)kind : 103;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--child") == 0)
		return report_child();
	test_memfd();
	test_bind();
	test_writable();
	enum exeseal_kind self = EXESEAL_MEMFD;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(exeseal_self_kind(&self, &err), ==, 0);
	if (self == EXESEAL_WRITABLE) {
		CHECK_INT(child_kind(false), ==, EXESEAL_READONLY);
		/* no CAP_SYS_ADMIN over our mount namespace: the fallback */
		CHECK_INT(child_kind(true), ==, EXESEAL_MEMFD);
	} else {
		printf("# skip re-exec: this binary is already sealed\n");
	}
	return tap_done();
}
