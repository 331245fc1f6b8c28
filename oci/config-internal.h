/* What the config parser, serializer and free functions share inside oci/:
 * the spec's enumerations and the per-section entry points. */
#ifndef VESSEL_OCI_CONFIG_INTERNAL_H
#define VESSEL_OCI_CONFIG_INTERNAL_H

#include "oci/json-internal.h"
#include "oci/oci.h"

/* NULL-terminated sets of the spec's accepted strings. */
extern const char *const oci_rlimit_names[];
extern const char *const oci_propagations[];
extern const char *const oci_sched_policies[];
extern const char *const oci_sched_flags[];
extern const char *const oci_ioprio_classes[];
extern const char *const oci_seccomp_actions[];
extern const char *const oci_seccomp_ops[];
extern const char *const oci_seccomp_archs[];
extern const char *const oci_seccomp_flags[];
extern const char *const oci_personality_domains[];
extern const char *const oci_ns_names[]; /* indexed by enum oci_ns_type, NULL-terminated */

/* The resource number of "RLIMIT_NOFILE", or -1. */
int oci_rlimit_resource(const char *name);

/* "0-3,7" style cpu/memory-node lists (empty allowed: "no change"). */
int oci_check_cpu_list(struct oj_ctx *c, const char *value);

/* Section parsers: `out` points at the owning pointer (struct oci_X **),
 * which is set before any field is read so a failure frees it with the
 * rest. */
int oci_parse_process(struct oj_ctx *c, yajl_val v, void *out);
int oci_parse_hooks(struct oj_ctx *c, yajl_val v, void *out); /* struct oci_hook_list * */
int oci_parse_linux(struct oj_ctx *c, yajl_val v, void *out);
int oci_parse_resources(struct oj_ctx *c, yajl_val v, void *out);
int oci_parse_seccomp(struct oj_ctx *c, yajl_val v, void *out);
int oci_parse_id_mapping(struct oj_ctx *c, yajl_val v, void *out);

void oci_hook_list_free(struct oci_hook_list *l);
void oci_linux_free(struct oci_linux *l);
void oci_seccomp_free(struct oci_seccomp *s);

void oci_gen_process(yajl_gen g, const struct oci_process *p);
void oci_gen_hooks(yajl_gen g, const struct oci_hook_list *hooks);
void oci_gen_linux(yajl_gen g, const struct oci_linux *l);
void oci_gen_resources(yajl_gen g, const struct oci_resources *r);
void oci_gen_seccomp(yajl_gen g, const struct oci_seccomp *s);
void oci_gen_id_mappings(yajl_gen g, const char *key, const struct oci_id_mapping *m, size_t n);

#endif
