/* libFuzzer target: a config.json's linux.seccomp -> a compiled BPF filter,
 * never loaded (sc_compile only builds and exports it; sc_load is the
 * child's).  Built by `make fuzz`, run by tests/run-all. */
#include <stdint.h>

#include "lib/error.h"
#include "oci/oci.h"
#include "runtime/seccomp/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_config *c = NULL;
	if (oci_config_parse((const char *)data, size, "config.json", &c, &err) < 0) {
		vs_error_clear(&err);
		return 0;
	}
	struct sc_filter *f = NULL;
	if (c->lnx && sc_compile(c->lnx->seccomp, &f, &err) == 0) {
		(void)sc_filter_size(f);
		(void)sc_filter_listener_path(f);
		sc_filter_free(f);
	}
	vs_error_clear(&err);
	oci_config_free(c);
	return 0;
}
