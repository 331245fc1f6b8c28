/* Shared between the files of runtime/seccomp/ only. */
#ifndef VESSEL_RUNTIME_SECCOMP_INTERNAL_H
#define VESSEL_RUNTIME_SECCOMP_INTERNAL_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* A compiled filter: plain memory the child can hand to seccomp(2) without
 * allocating.  flags are the seccomp(2) SECCOMP_FILTER_FLAG_* bits. */
struct sc_filter {
	struct sock_filter *insns;
	unsigned short n_insns;
	unsigned int flags;
	char *listener_path; /* set only when the filter uses NOTIFY */
	char *listener_metadata;
};

/* The kernel refuses programs longer than this (BPF_MAXINSNS). */
#define SC_MAX_INSNS 4096

/* Map spec strings to kernel flag bits; -1 with err when the name is not a
 * spec flag or the running kernel does not know it.  `where` names the JSON
 * path for the message. */
int sc_flag_resolve(const char *name, const char *where, unsigned int *ret_flag,
		    struct vs_error *err);

/* Put the ENOSYS stub (see enosys.c) in front of f's program when the
 * default action is an errno other than ENOSYS.  arches: the architecture
 * tokens the filter covers. */
struct oci_seccomp;
int sc_enosys_stub(const struct oci_seccomp *sc, uint32_t default_action, const uint32_t *arches,
		   size_t n_arches, struct sc_filter *f, struct vs_error *err);

/* Logs, at debug level, each syscall name libseccomp does not know (the
 * compile skips them); a cache hit calls it so --debug says the same. */
void sc_log_unknown_names(const struct oci_seccomp *s);

#endif
