/* libcriu at first use: see libcriu-internal.h for why (vs_dl_load:
 * RTLD_LOCAL keeps its symbols, and protobuf-c's, out of the global
 * scope). */
#include <dlfcn.h>
#include <stddef.h>

#include "lib/cleanup.h"
#include "lib/dl.h"
#include "runtime/criu/libcriu-internal.h"

#define CR_LIBCRIU_DEFINE(name, ret, params) ret(*sym_##name) params;
CR_LIBCRIU_SYMBOLS(CR_LIBCRIU_DEFINE)
#undef CR_LIBCRIU_DEFINE

void *cr_opts;

#define CR_LIBCRIU_ENTRY(name, ret, params) {#name, (void **)&sym_##name},
static const struct vs_dl_sym symbols[] = {CR_LIBCRIU_SYMBOLS(CR_LIBCRIU_ENTRY)};
#undef CR_LIBCRIU_ENTRY

static void *handle;

int cr_load_libcriu(struct vs_error *err)
{
	return vs_dl_load(CR_SONAME_LIBCRIU, symbols, ARRAY_SIZE(symbols), &handle,
			  " (is criu installed? Debian: apt-get install criu)", err);
}

/* protobuf-c's ProtobufCFieldDescriptor (protobuf-c.h, ABI of 1.x): its
 * head, up to the offsets used here. */
struct pbc_field {
	const char *name;
	uint32_t id;
	int label;
	int type;
	unsigned quantifier_offset;
	unsigned offset;
};

int cr_set_rpc_field(const char *name, enum cr_rpc_type type, uint32_t value, struct vs_error *err)
{
	static const void *desc;
	if (!desc)
		desc = dlsym(handle, "criu_opts__descriptor");
	const struct pbc_field *f =
	    desc ? sym_protobuf_c_message_descriptor_get_field_by_name(desc, name) : NULL;
	if (!f || f->type != (int)type)
		return vs_error_set(err,
				    "libcriu's request (CriuOpts) has no field %s of the "
				    "expected type",
				    name);
	/* libcriu's struct criu_opts starts with its CriuOpts *rpc (criu
	 * 3.x's lib/c/criu.c): the message the setters fill. */
	char *rpc = *(char **)cr_opts;
	*(int *)(rpc + f->quantifier_offset) = 1; /* has_<name>: protobuf_c_boolean */
	if (type == CR_RPC_BOOL)
		*(int *)(rpc + f->offset) = value != 0;
	else
		*(uint32_t *)(rpc + f->offset) = value;
	return 0;
}
