/* fdsock: what the test helpers that play a runtime's peer share (the
 * console socket, the pidfd socket, the seccomp agent): listen on a unix
 * socket, take the one connection, receive the fd sent over it.
 *
 * tests/helpers/Makefile compiles each .c of tests/helpers/lib into every
 * helper; this code uses only libc, so static helpers link it too.  Like
 * the rest of a helper, it prints an error as "PROGRAM: WHAT: strerror"
 * and exits 1. */
#ifndef TESTS_HELPERS_LIB_FDSOCK_H
#define TESTS_HELPERS_LIB_FDSOCK_H

#include <stddef.h>
#include <sys/types.h>

__attribute__((noreturn)) void hl_die(const char *what);

/* Listens on the unix socket PATH and returns the first connection (the
 * listener closed, PATH left in place).  The socket is bound as PATH.tmp
 * and renamed once listening, so a test that waits for PATH to exist can
 * connect at once: a plain bind makes the file before listen(), and a
 * connect in between is refused. */
int hl_accept_one(const char *path);

/* Receives one message on CONN that carries exactly one fd (SCM_RIGHTS,
 * made O_CLOEXEC): its data, NUL-terminated, in DATA (at most CAP - 1
 * bytes), the fd in *ret_fd.  Returns the data's length; dies when the
 * message has no fd, or more than one. */
size_t hl_recv_fd(int conn, char *data, size_t cap, int *ret_fd);

#endif
