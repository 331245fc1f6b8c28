/* libsystemd's sd-bus, loaded at first use, and the few systemd manager
 * calls the driver makes (see systemd-internal.h).
 *
 * dlopen(), not a link: a plain `vessel run` and every other command that
 * never uses --systemd-cgroup must not map libsystemd (and, through it,
 * liblzma, libzstd, liblz4, libgcrypt) at start-up.  libsystemd's soname
 * has been libsystemd.so.0 since it exists; the ABI only grows.
 * RTLD_NOW: a library without one of the symbols fails here, naming it. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/dl.h"
#include "lib/util.h"
#include "runtime/cgroup/systemd-internal.h"

#define LIBSYSTEMD_SONAME "libsystemd.so.0"
/* runc waits 30 s for a job too; a healthy systemd answers in ms. */
#define JOB_TIMEOUT_USEC (30ULL * 1000 * 1000)

#define CG_SD_DEFINE(f) __typeof__(f) *cg_sym_##f;
CG_SD_SYMBOLS(CG_SD_DEFINE)
#undef CG_SD_DEFINE

#define CG_SD_ENTRY(f) {#f, (void **)&cg_sym_##f},
static const struct vs_dl_sym symbols[] = {CG_SD_SYMBOLS(CG_SD_ENTRY)};
#undef CG_SD_ENTRY

static int load_libsystemd(struct vs_error *err)
{
	static void *handle;
	if (vs_dl_load(LIBSYSTEMD_SONAME, symbols, ARRAY_SIZE(symbols), &handle, NULL, err) < 0)
		return vs_error_wrap(err, "--systemd-cgroup needs libsystemd");
	return 0;
}

struct cg_sd_bus {
	sd_bus *bus;
	/* the job waited for, and what JobRemoved said about it */
	const char *job;
	char *result;
};

int cg_sd_append_prop(sd_bus_message *m, const char *name, const char *sig, ...)
{
	int r = cg_sym_sd_bus_message_open_container(m, 'r', "sv");
	if (r >= 0)
		r = cg_sym_sd_bus_message_append(m, "s", name);
	if (r >= 0)
		r = cg_sym_sd_bus_message_open_container(m, 'v', sig);
	if (r >= 0) {
		va_list ap;
		va_start(ap, sig);
		/* sd_bus_message_appendv exists, but one basic value is all
		 * this takes: read it by type. */
		switch (sig[0]) {
		case 't':
			r = cg_sym_sd_bus_message_append(m, "t", va_arg(ap, uint64_t));
			break;
		case 'x':
			r = cg_sym_sd_bus_message_append(m, "x", va_arg(ap, int64_t));
			break;
		case 'u':
			r = cg_sym_sd_bus_message_append(m, "u", va_arg(ap, uint32_t));
			break;
		case 'b':
			r = cg_sym_sd_bus_message_append(m, "b", va_arg(ap, int));
			break;
		case 's':
			r = cg_sym_sd_bus_message_append(m, "s", va_arg(ap, const char *));
			break;
		default:
			r = -EINVAL;
		}
		va_end(ap);
	}
	if (r >= 0)
		r = cg_sym_sd_bus_message_close_container(m);
	if (r >= 0)
		r = cg_sym_sd_bus_message_close_container(m);
	return r;
}

static bool systemd_running(void)
{
	/* sd_booted()'s test: systemd creates this directory at boot. */
	return access("/run/systemd/system", F_OK) == 0;
}

static int open_private(sd_bus **ret)
{
	/* No dbus daemon (a minimal host, early boot): systemd's own socket
	 * takes the same calls, from root. */
	int r = cg_sym_sd_bus_new(ret);
	if (r >= 0)
		r = cg_sym_sd_bus_set_address(*ret, "unix:path=/run/systemd/private");
	if (r >= 0)
		r = cg_sym_sd_bus_start(*ret);
	if (r < 0 && *ret)
		*ret = cg_sym_sd_bus_flush_close_unref(*ret);
	return r;
}

/* Whether sd_bus_open_user() has a bus to try; if not, *ret_missing says
 * what is not there (its own errno, ENOENT or ENOMEDIUM, names neither the
 * variable nor the socket). */
static bool user_bus_present(char **ret_missing)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	if (addr && *addr)
		return true;
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (!xdg || !*xdg) {
		*ret_missing = vs_strdup("neither $DBUS_SESSION_BUS_ADDRESS nor $XDG_RUNTIME_DIR "
					 "is set");
		return false;
	}
	_cleanup_free_ char *sock = vs_strdup_printf("%s/bus", xdg);
	if (access(sock, F_OK) < 0) {
		*ret_missing = vs_strdup_printf("$DBUS_SESSION_BUS_ADDRESS is not set and "
						"%s ($XDG_RUNTIME_DIR/bus) does not exist",
						sock);
		return false;
	}
	return true;
}

static int open_user(sd_bus **ret, struct vs_error *err)
{
	_cleanup_free_ char *missing = NULL;
	if (!user_bus_present(&missing))
		return vs_error_set(err,
				    "--systemd-cgroup (rootless): no user bus: %s; the user's "
				    "systemd instance and its bus must run (systemctl start "
				    "user@%u.service or loginctl enable-linger as root, and the "
				    "dbus-user-session package)",
				    missing, (unsigned)geteuid());
	int r = cg_sym_sd_bus_open_user(ret);
	if (r < 0)
		return vs_error_errno(err, -r,
				      "--systemd-cgroup (rootless): connect to the user bus "
				      "(%s)",
				      getenv("DBUS_SESSION_BUS_ADDRESS")
					  ? "$DBUS_SESSION_BUS_ADDRESS"
					  : "$XDG_RUNTIME_DIR/bus");
	return 0;
}

int cg_sd_bus_open(bool user, struct cg_sd_bus **ret, struct vs_error *err)
{
	if (!systemd_running())
		return vs_error_set(err, "--systemd-cgroup: systemd is not running (PID 1 is not "
					 "systemd, /run/systemd/system does not exist), so there "
					 "is no one to create the container's scope; run without "
					 "--systemd-cgroup");
	if (load_libsystemd(err) < 0)
		return -1;
	sd_bus *bus = NULL;
	if (user) {
		if (open_user(&bus, err) < 0)
			return -1;
	} else {
		int r = cg_sym_sd_bus_open_system(&bus);
		if (r < 0) {
			int r2 = geteuid() == 0 ? open_private(&bus) : r;
			if (r2 < 0)
				return vs_error_errno(err, -r,
						      "--systemd-cgroup: connect to the system bus "
						      "(and to /run/systemd/private)");
		}
	}
	struct cg_sd_bus *b = vs_malloc0(sizeof(*b));
	b->bus = bus;
	*ret = b;
	return 0;
}

void cg_sd_bus_close(struct cg_sd_bus *b)
{
	if (!b)
		return;
	if (b->bus)
		cg_sym_sd_bus_flush_close_unref(b->bus);
	free(b->result);
	free(b);
}

static int bus_fail(struct vs_error *err, int r, sd_bus_error *e, const char *what,
		    const char *unit)
{
	if (e && e->message)
		vs_error_set(err, "systemd: %s %s: %s", what, unit, e->message);
	else
		vs_error_errno(err, -r, "systemd: %s %s", what, unit);
	if (e)
		cg_sym_sd_bus_error_free(e);
	return -1;
}

static int new_call(struct cg_sd_bus *b, const char *method, sd_bus_message **ret)
{
	return cg_sym_sd_bus_message_new_method_call(b->bus, ret, "org.freedesktop.systemd1",
						     "/org/freedesktop/systemd1",
						     "org.freedesktop.systemd1.Manager", method);
}

static int on_job_removed(sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
	struct cg_sd_bus *b = data;
	uint32_t id;
	const char *job = NULL, *unit = NULL, *result = NULL;
	if (cg_sym_sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0)
		return 0;
	if (b->job && job && strcmp(job, b->job) == 0 && !b->result)
		b->result = vs_strdup(result ? result : "");
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The JobRemoved signal of the job in the reply m ("o"): queued signals
 * that came with the reply are dispatched by sd_bus_process. */
static int wait_job(struct cg_sd_bus *b, sd_bus_message *reply, const char *what, const char *unit,
		    struct vs_error *err)
{
	const char *job = NULL;
	int r = cg_sym_sd_bus_message_read(reply, "o", &job);
	if (r < 0)
		return bus_fail(err, r, NULL, what, unit);
	b->job = job;
	free(b->result);
	b->result = NULL;
	uint64_t deadline = now_usec() + JOB_TIMEOUT_USEC;
	while (!b->result) {
		r = cg_sym_sd_bus_process(b->bus, NULL);
		if (r < 0)
			break;
		if (r > 0)
			continue;
		uint64_t now = now_usec();
		if (now >= deadline) {
			b->job = NULL;
			return vs_error_set(err, "systemd: %s %s: no answer in 30 s", what, unit);
		}
		r = cg_sym_sd_bus_wait(b->bus, deadline - now);
		if (r < 0)
			break;
	}
	b->job = NULL;
	if (r < 0)
		return bus_fail(err, r, NULL, what, unit);
	if (strcmp(b->result, "done") != 0)
		return vs_error_set(err,
				    "systemd: %s %s: the job ended \"%s\" (see journalctl -u %s)",
				    what, unit, b->result, unit);
	return 0;
}

/* The match goes in before the call: the job may end before the reply is
 * read.  systemd sends a job's signals to the client that queued it even
 * without Subscribe(). */
static int add_job_match(struct cg_sd_bus *b, sd_bus_slot **ret_slot)
{
	return cg_sym_sd_bus_add_match(b->bus, ret_slot,
				       "type='signal',interface='org.freedesktop.systemd1.Manager',"
				       "member='JobRemoved',path='/org/freedesktop/systemd1'",
				       on_job_removed, b);
}

static int append_props(sd_bus_message *m, cg_sd_props_fn props, void *data, struct vs_error *err)
{
	int r = cg_sym_sd_bus_message_open_container(m, 'a', "(sv)");
	if (r < 0)
		return vs_error_errno(err, -r, "build the unit properties");
	if (props(m, data, err) < 0)
		return -1;
	r = cg_sym_sd_bus_message_close_container(m);
	if (r < 0)
		return vs_error_errno(err, -r, "build the unit properties");
	return 0;
}

int cg_sd_bus_set(struct cg_sd_bus *b, const char *unit, cg_sd_props_fn props, void *data,
		  struct vs_error *err)
{
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int ret = -1;
	/* runtime=true: the change lasts until the unit goes, as the unit
	 * does (a transient unit is gone at reboot anyway). */
	int r = new_call(b, "SetUnitProperties", &m);
	if (r >= 0)
		r = cg_sym_sd_bus_message_append(m, "sb", unit, 1);
	if (r < 0) {
		bus_fail(err, r, NULL, "set properties of", unit);
		goto out;
	}
	if (append_props(m, props, data, err) < 0)
		goto out;
	r = cg_sym_sd_bus_call(b->bus, m, 0, &e, &reply);
	if (r < 0) {
		bus_fail(err, r, &e, "set properties of", unit);
		goto out;
	}
	ret = 0;
out:
	if (reply)
		cg_sym_sd_bus_message_unref(reply);
	if (m)
		cg_sym_sd_bus_message_unref(m);
	return ret;
}

static bool unit_unknown(const sd_bus_error *e)
{
	return cg_sym_sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit") ||
	       cg_sym_sd_bus_error_has_name(e, "org.freedesktop.systemd1.LoadFailed");
}

/* A call that queues a job on unit (mode "replace") and waits for it to
 * end: StartTransientUnit with props (then no auxiliary units), StopUnit
 * without.  The match goes in before the call (see add_job_match). */
struct job_call {
	const char *method, *what, *unit;
	cg_sd_props_fn props; /* NULL: no property array */
	void *data;
	bool unknown_ok; /* a unit systemd does not know: nothing to do */
};

static int job_call(struct cg_sd_bus *b, const struct job_call *c, struct vs_error *err)
{
	sd_bus_slot *slot = NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int ret = -1;
	int r = add_job_match(b, &slot);
	if (r >= 0)
		r = new_call(b, c->method, &m);
	if (r >= 0)
		r = cg_sym_sd_bus_message_append(m, "ss", c->unit, "replace");
	if (r < 0) {
		bus_fail(err, r, NULL, c->what, c->unit);
		goto out;
	}
	if (c->props) {
		if (append_props(m, c->props, c->data, err) < 0)
			goto out;
		/* no auxiliary units: a(sa(sv)) */
		r = cg_sym_sd_bus_message_append(m, "a(sa(sv))", 0);
	}
	if (r >= 0)
		r = cg_sym_sd_bus_call(b->bus, m, 0, &e, &reply);
	if (r < 0 && c->unknown_ok && unit_unknown(&e)) {
		cg_sym_sd_bus_error_free(&e);
		ret = 0;
	} else if (r < 0) {
		bus_fail(err, r, &e, c->what, c->unit);
	} else {
		ret = wait_job(b, reply, c->what, c->unit, err);
	}
out:
	if (reply)
		cg_sym_sd_bus_message_unref(reply);
	if (m)
		cg_sym_sd_bus_message_unref(m);
	if (slot)
		cg_sym_sd_bus_slot_unref(slot);
	return ret;
}

int cg_sd_bus_start(struct cg_sd_bus *b, const char *unit, cg_sd_props_fn props, void *data,
		    struct vs_error *err)
{
	const struct job_call c = {.method = "StartTransientUnit",
				   .what = "start",
				   .unit = unit,
				   .props = props,
				   .data = data};
	return job_call(b, &c, err);
}

static void reset_failed(struct cg_sd_bus *b, const char *unit)
{
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	if (new_call(b, "ResetFailedUnit", &m) >= 0 &&
	    cg_sym_sd_bus_message_append(m, "s", unit) >= 0)
		(void)cg_sym_sd_bus_call(b->bus, m, 0, &e, &reply);
	cg_sym_sd_bus_error_free(&e);
	if (reply)
		cg_sym_sd_bus_message_unref(reply);
	if (m)
		cg_sym_sd_bus_message_unref(m);
}

int cg_sd_bus_stop(struct cg_sd_bus *b, const char *unit, struct vs_error *err)
{
	const struct job_call c = {
	    .method = "StopUnit", .what = "stop", .unit = unit, .unknown_ok = true};
	int ret = job_call(b, &c, err);
	reset_failed(b, unit);
	return ret;
}
