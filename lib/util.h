/* Small helpers shared by every module: allocation that cannot fail
 * silently, NULL-terminated string vectors, whole-file I/O, number parsing. */
#ifndef VESSEL_LIB_UTIL_H
#define VESSEL_LIB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

/* Abort on out-of-memory: a runtime that cannot allocate a few bytes cannot
 * clean up reliably either, and every caller checking NULL adds noise. */
void *vs_malloc0(size_t n);
void *vs_realloc(void *p, size_t n);
char *vs_strdup(const char *s);
char *vs_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* NULL-terminated string vectors. */
size_t vs_strv_len(char *const *v);
char **vs_strv_copy(char *const *v);
/* Appends a copy of s; *v may be NULL. */
void vs_strv_push(char ***v, const char *s);
bool vs_strv_contains(char *const *v, const char *s);

/* Read a whole file (at most max_size bytes; 0 = 64 MiB).  ret_len may be
 * NULL.  The buffer is NUL-terminated. */
int vs_read_file(const char *path, size_t max_size, char **ret_buf, size_t *ret_len,
		 struct vs_error *err);
int vs_read_fd(int fd, size_t max_size, char **ret_buf, size_t *ret_len, struct vs_error *err);
/* Write data to path (O_TRUNC|O_CREAT, mode 0644) or at dirfd/name. */
int vs_write_file(const char *path, const void *data, size_t len, struct vs_error *err);
int vs_write_file_at(int dirfd, const char *name, const char *data, struct vs_error *err);
/* Atomic replace: write path.tmp.PID beside path, rename it over path, so a
 * reader sees the old or the new content, never part of one, even when
 * vessel is killed mid-write.  No fsync: for runtime state (the state dir,
 * pid files, caches), which lives on tmpfs in real deployments and means
 * nothing after a reboot; an fsync there cost milliseconds per create on a
 * disk-backed --root. */
int vs_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct vs_error *err);
/* The same, made durable: fsync of the file before the rename and of its
 * directory after it, so the new content survives a crash of the machine.
 * For what must outlive a reboot (the image store's records). */
int vs_write_file_durable(const char *path, const void *data, size_t len, mode_t mode,
			  struct vs_error *err);

/* write()/read() the whole buffer, retrying on EINTR and short counts. */
int vs_write_all(int fd, const void *buf, size_t len);
ssize_t vs_read_all(int fd, void *buf, size_t len);

/* Strict number parsing: the whole string, no sign surprises, range checked.
 * Return 0 or -1 (errno EINVAL / ERANGE). */
int vs_parse_i64(const char *s, int64_t *ret);
int vs_parse_u64(const char *s, uint64_t *ret);
int vs_parse_int(const char *s, int *ret);

/* mkdir -p with mode; existing directories are fine. */
int vs_mkdir_p(const char *path, mode_t mode, struct vs_error *err);

/* RFC 3339 UTC timestamp with nanoseconds, as runc writes "created":
 * of ts, or of now. */
struct timespec;
char *vs_rfc3339(const struct timespec *ts);
char *vs_now_rfc3339(void);

#endif
