/* libFuzzer target: config.json text -> struct oci_config -> JSON again.
 * The serialised output must parse back (what the parser accepted, the
 * serialiser writes in a form it accepts), and everything is freed (a leak
 * is a finding).  Built by `make fuzz`, run by tests/run-all. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "oci/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_config *c = NULL;
	if (oci_config_parse((const char *)data, size, "config.json", &c, &err) < 0) {
		vs_error_clear(&err);
		return 0;
	}
	char *out = oci_config_to_json(c);
	struct oci_config *again = NULL;
	if (oci_config_parse(out, strlen(out), "serialised", &again, &err) < 0) {
		fprintf(stderr, "the serialised config does not parse: %s\n%s\n", err.msg, out);
		abort();
	}
	oci_config_free(again);
	free(out);
	oci_config_free(c);
	return 0;
}
