/* libFuzzer target: state.json text -> struct oci_state -> JSON (both
 * forms).  Built by `make fuzz`, run by tests/run-all. */
#include <stdint.h>
#include <stdlib.h>

#include "lib/error.h"
#include "oci/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_state *s = NULL;
	if (oci_state_parse((const char *)data, size, "state.json", &s, &err) < 0) {
		vs_error_clear(&err);
		return 0;
	}
	free(oci_state_to_json(s, true));
	free(oci_state_to_json(s, false));
	oci_state_free(s);
	return 0;
}
