/* Child side: install the exported program; plus the kernel flag checks the
 * parent makes at compile time. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/seccomp/seccomp-internal.h"
#include "runtime/seccomp/seccomp.h"

static long sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return syscall(SYS_seccomp, op, flags, args);
}

/* A flag the kernel knows gets past the flag check and fails copying the
 * NULL program (EFAULT); an unknown one fails with EINVAL first.  Nothing is
 * installed either way. */
static bool kernel_has_flag(unsigned int flag)
{
	/* WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER. */
	if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return sys_seccomp(SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

int sc_flag_resolve(const char *name, const char *where, unsigned int *ret_flag,
		    struct vs_error *err)
{
	static const struct {
		const char *name;
		unsigned int flag;
	} flags[] = {
	    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (strcmp(name, flags[i].name) != 0)
			continue;
		if (!kernel_has_flag(flags[i].flag))
			return vs_error_set(err, "%s: %s is not supported by the running kernel",
					    where, name);
		*ret_flag = flags[i].flag;
		return 0;
	}
	return vs_error_set(err, "%s: unknown flag \"%s\"", where, name);
}

int sc_load(const struct sc_filter *filter, int *ret_notify_fd, struct vs_error *err)
{
	unsigned int flags;

	if (ret_notify_fd)
		*ret_notify_fd = -1;
	if (!filter)
		return 0;
	flags = filter->flags;
	if ((flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) && !ret_notify_fd)
		return vs_error_set(err, "seccomp: the filter uses SCMP_ACT_NOTIFY but the caller "
					 "takes no notify fd");
	/* The flag only changes how a notifying task waits for the listener;
	 * the kernel rejects it on a filter without one. */
	if (!(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

	struct sock_fprog prog = {.len = filter->n_insns, .filter = filter->insns};
	long r = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0 && errno == EACCES)
		return vs_error_errno(err, errno,
				      "load seccomp filter (without noNewPrivileges it must be "
				      "loaded while CAP_SYS_ADMIN is held)");
	if (r < 0)
		return vs_error_errno(err, errno, "load seccomp filter");
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		*ret_notify_fd = (int)r;
	return 0;
}
