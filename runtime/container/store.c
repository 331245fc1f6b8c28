/* The state directory: lookup, locking, listing, live status. */
#include "runtime/container/container-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/pidfd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/spawn/spawn.h"

char *ct_path(const struct ct_container *c, const char *name)
{
	return vs_strdup_printf("%s/%s", c->dir, name);
}

struct ct_container *ct_new(const char *root, const char *id)
{
	struct ct_container *c = vs_malloc0(sizeof(*c));
	c->root = vs_strdup(root);
	c->id = vs_strdup(id);
	c->dir = vs_strdup_printf("%s/%s", root, id);
	c->lock_fd = -1;
	c->legacy_lock_fd = -1;
	c->pidfd = -1;
	c->pty_master = -1;
	return c;
}

void ct_free(struct ct_container *c)
{
	if (!c)
		return;
	ct_unlock(c);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->pty_master >= 0)
		close(c->pty_master);
	oci_state_free(c->state);
	free(c->root);
	free(c->id);
	free(c->dir);
	free(c);
}

static int ct_error_not_exist(const struct ct_container *c, struct vs_error *err)
{
	vs_error_set(err, "container \"%s\" does not exist", c->id);
	err->errnum = ENOENT;
	return -1;
}

/* flock fd in mode.  A create holds the lock until its state.json exists,
 * hooks included: a reader (a createRuntime hook running `vessel state`)
 * must not wait for it, and sees what runc shows then, "does not exist". */
static int ct_flock(struct ct_container *c, int fd, const char *what, enum ct_lock mode,
		    bool create, struct vs_error *err)
{
	if (mode == CT_LOCK_SHARED && !create) {
		if (flock(fd, LOCK_SH | LOCK_NB) == 0)
			return 0;
		_cleanup_free_ char *state = ct_path(c, CT_STATE_FILE);
		if (errno == EWOULDBLOCK && access(state, F_OK) < 0 && errno == ENOENT)
			return ct_error_not_exist(c, err);
	}
	int op = mode == CT_LOCK_SHARED ? LOCK_SH : LOCK_EX;
	while (flock(fd, op) < 0)
		if (errno != EINTR)
			return vs_error_errno(err, errno, "lock %s", what);
	return 0;
}

/* A vessel built before the state dir became the lock flocks
 * <dir>/lock instead, so one still running against a container it made
 * (an upgrade with containers up, a shim that execs its old copy) would
 * not exclude us: take that file's lock too, after the directory's.  No
 * cycle: an older vessel takes only the file, a newer one the directory
 * first.  The file exists only in a container an older vessel created (it
 * opens it without O_CREAT but in its own create, whose mkdir of the dir
 * fails here), so one openat that fails with ENOENT is all it costs
 * otherwise. */
static int ct_lock_legacy(struct ct_container *c, int dirfd, enum ct_lock mode, bool create,
			  struct vs_error *err)
{
	_cleanup_close_ int fd =
	    openat(dirfd, CT_LEGACY_LOCK_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	_cleanup_free_ char *path = ct_path(c, CT_LEGACY_LOCK_FILE);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", path);
	if (ct_flock(c, fd, path, mode, create, err) < 0)
		return -1;
	c->legacy_lock_fd = TAKE_FD(fd);
	return 0;
}

int ct_lock(struct ct_container *c, enum ct_lock mode, bool create, struct vs_error *err)
{
	/* The state dir is the lock: flock works on a directory fd, and a
	 * lock file cost every create an inode allocation (on ext4 without
	 * a journal, a scan past every inode freed in the last seconds) and
	 * every delete an unlink. */
	_cleanup_close_ int fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return ct_error_not_exist(c, err);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", c->dir);
	if (ct_flock(c, fd, c->dir, mode, create, err) < 0 ||
	    ct_lock_legacy(c, fd, mode, create, err) < 0)
		return -1;
	c->lock_fd = TAKE_FD(fd);
	return 0;
}

void ct_unlock(struct ct_container *c)
{
	if (c->legacy_lock_fd >= 0)
		close(c->legacy_lock_fd);
	c->legacy_lock_fd = -1;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
}

static int ct_read_state(struct ct_container *c, struct vs_error *err)
{
	_cleanup_free_ char *path = ct_path(c, CT_STATE_FILE);
	struct stat st;
	/* A removed container (delete won the lock before us) or one whose
	 * create failed: no state file means no container. */
	if (stat(path, &st) < 0 && errno == ENOENT)
		return ct_error_not_exist(c, err);
	oci_state_free(c->state);
	c->state = NULL;
	return oci_state_read(path, &c->state, err);
}

int ct_relock(struct ct_container *c, struct vs_error *err)
{
	/* A second flock through a new open file would wait on our own. */
	ct_unlock(c);
	if (ct_lock(c, CT_LOCK_EXCLUSIVE, false, err) < 0)
		return -1;
	return ct_read_state(c, err);
}

int ct_load(const char *root, const char *id, enum ct_lock lock, struct ct_container **ret,
	    struct vs_error *err)
{
	if (ct_validate_id(id, err) < 0)
		return -1;
	_cleanup_ct_ struct ct_container *c = ct_new(root, id);
	if (ct_lock(c, lock, false, err) < 0 || ct_read_state(c, err) < 0)
		return -1;
	*ret = TAKE_PTR(c);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ct_list(const char *root, char ***ret_ids, struct vs_error *err)
{
	char **ids = vs_malloc0(sizeof(char *));
	DIR *d = opendir(root);
	if (!d && errno == ENOENT) {
		*ret_ids = ids;
		return 0;
	}
	if (!d) {
		vs_strv_free(ids);
		return vs_error_errno(err, errno, "open %s", root);
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		struct vs_error ignored = VS_ERROR_INIT;
		if (e->d_type != DT_DIR || ct_validate_id(e->d_name, &ignored) < 0) {
			vs_error_clear(&ignored);
			continue;
		}
		_cleanup_free_ char *state =
		    vs_strdup_printf("%s/%s/%s", root, e->d_name, CT_STATE_FILE);
		if (access(state, F_OK) == 0)
			vs_strv_push(&ids, e->d_name);
	}
	closedir(d);
	qsort(ids, vs_strv_len(ids), sizeof(char *), cmp_str);
	*ret_ids = ids;
	return 0;
}

/* The init is ours while its pid exists with the start time we recorded
 * and it has not exited (a zombie waiting for its reaper has). */
bool ct_init_alive(const struct ct_container *c)
{
	struct vs_error err = VS_ERROR_INIT;
	uint64_t start;
	char state;
	if (!c->state || c->state->pid <= 0)
		return false;
	if (spawn_proc_stat(c->state->pid, &start, &state, &err) < 0) {
		vs_error_clear(&err);
		return false;
	}
	return start == c->state->init_start_time && state != 'Z' && state != 'X';
}

static bool ct_frozen(const struct ct_container *c)
{
	struct vs_error err = VS_ERROR_INIT;
	struct cg_handle *h = NULL;
	bool frozen = false;
	if (!c->state->cgroup_path || !c->state->cgroup_path[0])
		return false;
	if (cg_open(c->state->cgroup_path, &h, &err) < 0 || cg_is_frozen(h, &frozen, &err) < 0)
		frozen = false;
	vs_error_clear(&err);
	cg_handle_free(h);
	return frozen;
}

const char *ct_status(struct ct_container *c)
{
	if (!ct_init_alive(c))
		return OCI_STATUS_STOPPED;
	if (ct_frozen(c))
		return OCI_STATUS_PAUSED;
	_cleanup_free_ char *fifo = ct_path(c, CT_FIFO_FILE);
	if (access(fifo, F_OK) == 0)
		return OCI_STATUS_CREATED;
	return OCI_STATUS_RUNNING;
}

char *ct_state_json(struct ct_container *c)
{
	const char *status = ct_status(c);
	free(c->state->status);
	c->state->status = vs_strdup(status);
	/* runc reports pid 0 for a stopped container. */
	pid_t pid = c->state->pid;
	if (strcmp(status, OCI_STATUS_STOPPED) == 0)
		c->state->pid = 0;
	char *json = oci_state_to_json(c->state, true);
	c->state->pid = pid;
	return json;
}

int ct_pidfd(struct ct_container *c, int *ret_pidfd, struct vs_error *err)
{
	if (c->pidfd >= 0) {
		*ret_pidfd = c->pidfd;
		return 0;
	}
	if (!ct_init_alive(c))
		return vs_error_set(err, "container not running");
	int fd = pidfd_open(c->state->pid, 0);
	if (fd < 0 && errno == ESRCH)
		return vs_error_set(err, "container not running");
	if (fd < 0)
		return vs_error_errno(err, errno, "pidfd_open %d", (int)c->state->pid);
	/* The pidfd pins one process: if the start time still matches now,
	 * it is the init and not a process that reused its pid. */
	if (!ct_init_alive(c)) {
		close(fd);
		return vs_error_set(err, "container not running");
	}
	c->pidfd = fd;
	*ret_pidfd = fd;
	return 0;
}

int ct_load_config(struct ct_container *c, struct oci_config **ret, struct vs_error *err)
{
	_cleanup_free_ char *path = ct_path(c, CT_CONFIG_FILE);
	return oci_config_load(path, ret, err);
}

/* The dir is flat (state, config, fifo, lock, temp files): remove its
 * entries, then it. */
int ct_remove_dir(const char *dir, struct vs_error *err)
{
	DIR *d = opendir(dir);
	if (!d && errno == ENOENT)
		return 0;
	if (!d)
		return vs_error_errno(err, errno, "open %s", dir);
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return vs_error_errno(err, errno, "remove %s", dir);
	return 0;
}

int ct_kill_wait(int pidfd, pid_t pid, struct vs_error *err)
{
	if (pidfd_send_signal(pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return vs_error_errno(err, errno, "kill container init %d", (int)pid);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;
	do
		r = poll(&p, 1, 10000);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return vs_error_set(err, "container init %d did not exit after SIGKILL", (int)pid);
	/* Reaped here if it is our child (run, a create that failed late);
	 * otherwise its parent or init reaps it. */
	siginfo_t si;
	waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG);
	return 0;
}

/* The init a create recorded right after the clone (create.c,
 * record_init): "PID START_TIME". */
static int read_init_record(const char *path, pid_t *ret_pid, uint64_t *ret_start,
			    struct vs_error *err)
{
	_cleanup_free_ char *text = NULL;
	if (vs_read_file(path, 256, &text, NULL, err) < 0)
		return -1;
	int pid, end = 0;
	unsigned long long start;
	if (sscanf(text, "%d %llu%n", &pid, &start, &end) != 2 || pid <= 0 ||
	    (text[end] != '\0' && text[end] != '\n'))
		return vs_error_set(err, "%s: not a \"PID START_TIME\" record", path);
	*ret_pid = pid;
	*ret_start = start;
	return 0;
}

/* The pidfd pins one process: only if the start time still matches once it
 * is open is that process the init, and not one that reused its pid. */
static int kill_recorded_init(pid_t pid, uint64_t start, struct vs_error *err)
{
	_cleanup_close_ int fd = pidfd_open(pid, 0);
	if (fd < 0 && errno == ESRCH)
		return 0;
	if (fd < 0)
		return vs_error_errno(err, errno, "pidfd_open %d", (int)pid);
	struct vs_error ignored = VS_ERROR_INIT;
	uint64_t now;
	char state;
	if (spawn_proc_stat(pid, &now, &state, &ignored) < 0 || now != start || state == 'Z' ||
	    state == 'X') {
		vs_error_clear(&ignored);
		return 0; /* gone, exited, or the pid is someone else's now */
	}
	return ct_kill_wait(fd, pid, err);
}

/* Kill the init a create recorded, if that pid still has the recorded
 * start time. */
static int forget_init(struct ct_container *c, struct vs_error *err)
{
	_cleanup_free_ char *path = ct_path(c, CT_INIT_FILE);
	pid_t pid = 0;
	uint64_t start = 0;
	if (access(path, F_OK) < 0)
		return 0;
	if (read_init_record(path, &pid, &start, err) < 0 ||
	    kill_recorded_init(pid, start, err) < 0)
		return vs_error_wrap(err,
				     "container init recorded by a create that did not finish");
	return 0;
}

/* The cgroup a killed create recorded (create.c, record_cgroup). */
static int forget_cgroup(struct ct_container *c, struct vs_error *err)
{
	_cleanup_free_ char *file = ct_path(c, CT_CGROUP_FILE);
	_cleanup_free_ char *path = NULL;
	size_t len = 0;
	if (access(file, F_OK) < 0)
		return 0;
	if (vs_read_file(file, 0, &path, &len, err) < 0)
		return -1;
	if (len == 0)
		return 0;
	struct cg_handle *h = NULL;
	int r = cg_open(path, &h, err);
	if (r == 0)
		r = cg_destroy(h, err);
	cg_handle_free(h);
	if (r < 0)
		return vs_error_wrap(err, "remove cgroup %s", path);
	return 0;
}

int ct_forget(const char *root, const char *id, struct vs_error *err)
{
	if (ct_validate_id(id, err) < 0)
		return -1;
	_cleanup_ct_ struct ct_container *c = ct_new(root, id);
	if (ct_lock(c, CT_LOCK_EXCLUSIVE, false, err) < 0) {
		if (err->errnum != ENOENT)
			return -1;
		vs_error_clear(err);
		return rmdir(c->dir) < 0 && errno != ENOENT
			   ? vs_error_errno(err, errno, "remove %s", c->dir)
			   : 0;
	}
	_cleanup_free_ char *state = ct_path(c, CT_STATE_FILE);
	if (access(state, F_OK) == 0)
		return 0; /* a real container appeared meanwhile: not ours to remove */
	/* The init and the cgroup go first (without a cgroup, the init record
	 * is the only way to the init): if that fails, the state dir stays and
	 * a later delete --force can retry. */
	if (forget_init(c, err) < 0 || forget_cgroup(c, err) < 0)
		return -1;
	return ct_remove_dir(c->dir, err);
}
