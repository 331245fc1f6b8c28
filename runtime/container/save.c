/* Persisting changes to a live container (`update`): the effective config
 * in the state dir is what later commands read back with ct_load_config. */
#include "runtime/container/container-internal.h"

#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"

int ct_save_config(struct ct_container *c, const struct oci_config *config, struct vs_error *err)
{
	_cleanup_free_ char *path = ct_path(c, CT_CONFIG_FILE);
	_cleanup_free_ char *json = oci_config_to_json(config);
	if (!json)
		return vs_error_set(err, "%s: cannot serialise the config", path);
	/* Atomic, like state.json: a reader never sees half a config. */
	if (vs_write_file_atomic(path, json, strlen(json), 0600, err) < 0)
		return vs_error_wrap(err, "save %s", path);
	return 0;
}
