/* mounts[].options -> mount(2) flags, propagation, mount_setattr attributes
 * and the filesystem's data string.  Pure: no system calls. */
#include <string.h>
#include <sys/mount.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/rootfs/rootfs-internal.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct flag_opt {
	const char *name;
	bool clear; /* the option clears the flag (rw, suid, ...) */
	unsigned long flag;
};

/* mount(8)'s filesystem-independent options. */
static const struct flag_opt flag_opts[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"symfollow", true, MS_NOSYMFOLLOW},
    {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
};

static const struct {
	const char *name;
	unsigned long flag;
} prop_opts[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

struct attr_opt {
	const char *name;
	bool clear;
	uint64_t attr;
};

/* The recursive options (runtime-spec "rro" & co) only exist as
 * mount_setattr(AT_RECURSIVE) attributes; mount(2) has no recursive form. */
static const struct attr_opt attr_opts[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

/* The atime options are one 3-state field in mount_setattr: setting one
 * means clearing MOUNT_ATTR__ATIME and setting the wanted value. */
static const struct {
	const char *name;
	uint64_t value; /* UINT64_MAX: clear only (ratime, rnorelatime) */
} atime_opts[] = {
    {"rnoatime", MOUNT_ATTR_NOATIME},	      {"ratime", UINT64_MAX},
    {"rrelatime", MOUNT_ATTR_RELATIME},	      {"rnorelatime", UINT64_MAX},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME},
};

static const char *const other_opts[] = {"idmap", "ridmap", "tmpcopyup"};

static bool parse_flag(const char *o, struct rootfs_mount_opts *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_opts); i++) {
		if (strcmp(o, flag_opts[i].name) != 0)
			continue;
		if (flag_opts[i].clear) {
			r->flags &= ~flag_opts[i].flag;
			r->clear |= flag_opts[i].flag;
		} else {
			r->flags |= flag_opts[i].flag;
			r->clear &= ~flag_opts[i].flag;
		}
		return true;
	}
	return false;
}

static bool parse_attr(const char *o, struct rootfs_mount_opts *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(attr_opts); i++) {
		if (strcmp(o, attr_opts[i].name) != 0)
			continue;
		if (attr_opts[i].clear) {
			r->rec_attr_set &= ~attr_opts[i].attr;
			r->rec_attr_clr |= attr_opts[i].attr;
		} else {
			r->rec_attr_set |= attr_opts[i].attr;
			r->rec_attr_clr &= ~attr_opts[i].attr;
		}
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(atime_opts); i++) {
		if (strcmp(o, atime_opts[i].name) != 0)
			continue;
		r->rec_attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
		r->rec_attr_clr |= MOUNT_ATTR__ATIME;
		if (atime_opts[i].value != UINT64_MAX)
			r->rec_attr_set |= atime_opts[i].value;
		return true;
	}
	return false;
}

static bool parse_propagation(const char *o, struct rootfs_mount_opts *r, struct vs_error *err,
			      int *ret)
{
	long p = rootfs_parse_propagation(o);
	if (p < 0)
		return false;
	if (r->n_propagation == ROOTFS_MAX_PROPAGATION) {
		*ret =
		    vs_error_set(err, "more than %d propagation options", ROOTFS_MAX_PROPAGATION);
		return true;
	}
	r->propagation[r->n_propagation++] = (unsigned long)p;
	return true;
}

static void data_append(char **data, const char *o)
{
	char *d = *data ? vs_strdup_printf("%s,%s", *data, o) : vs_strdup(o);
	free(*data);
	*data = d;
}

static int parse_one(const char *o, struct rootfs_mount_opts *r, struct vs_error *err)
{
	int ret = 0;
	if (*o == '\0')
		return vs_error_set(err, "empty option");
	if (parse_flag(o, r) || parse_attr(o, r) || parse_propagation(o, r, err, &ret))
		return ret;
	if (strcmp(o, "idmap") == 0)
		r->idmap = true;
	else if (strcmp(o, "ridmap") == 0)
		r->ridmap = true;
	else if (strcmp(o, "tmpcopyup") == 0)
		r->tmpcopyup = true;
	else
		data_append(&r->data, o);
	return 0;
}

int rootfs_parse_mount_options(char *const *options, struct rootfs_mount_opts *ret,
			       struct vs_error *err)
{
	struct rootfs_mount_opts r = {0};
	for (size_t i = 0; options && options[i]; i++) {
		if (parse_one(options[i], &r, err) < 0) {
			free(r.data);
			return vs_error_wrap(err, "options[%zu] \"%s\"", i, options[i]);
		}
	}
	*ret = r;
	return 0;
}

void rootfs_mount_opts_free(struct rootfs_mount_opts *o)
{
	free(o->data);
	o->data = NULL;
}

long rootfs_parse_propagation(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(prop_opts); i++)
		if (strcmp(s, prop_opts[i].name) == 0)
			return (long)prop_opts[i].flag;
	return -1;
}

void rootfs_flags_to_attr(unsigned long set, unsigned long clear, uint64_t *ret_set,
			  uint64_t *ret_clr)
{
	static const struct {
		unsigned long ms;
		uint64_t attr;
	} map[] = {
	    {MS_RDONLY, MOUNT_ATTR_RDONLY},	    {MS_NOSUID, MOUNT_ATTR_NOSUID},
	    {MS_NODEV, MOUNT_ATTR_NODEV},	    {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
	    {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
	};
	uint64_t s = 0, c = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (set & map[i].ms)
			s |= map[i].attr;
		else if (clear & map[i].ms)
			c |= map[i].attr;
	}
	if (set & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
		c |= MOUNT_ATTR__ATIME;
		s |= (set & MS_NOATIME)	      ? MOUNT_ATTR_NOATIME
		     : (set & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME
					      : MOUNT_ATTR_RELATIME;
	} else if (clear & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
		/* atime / norelatime / nostrictatime: back to the default */
		c |= MOUNT_ATTR__ATIME;
		s |= MOUNT_ATTR_RELATIME;
	}
	*ret_set = s;
	*ret_clr = c;
}

const char *const *rootfs_known_mount_options(void)
{
	static const char
	    *names[ARRAY_SIZE(flag_opts) + ARRAY_SIZE(prop_opts) + ARRAY_SIZE(attr_opts) +
		   ARRAY_SIZE(atime_opts) + ARRAY_SIZE(other_opts) + 1];
	if (names[0])
		return names;
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(flag_opts); i++)
		names[n++] = flag_opts[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(prop_opts); i++)
		names[n++] = prop_opts[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(attr_opts); i++)
		names[n++] = attr_opts[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(atime_opts); i++)
		names[n++] = atime_opts[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(other_opts); i++)
		names[n++] = other_opts[i];
	names[n] = NULL;
	return names;
}

bool rootfs_mount_is_bind(const struct oci_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (char **o = m->options; o && *o; o++)
		if (strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0)
			return true;
	return false;
}
