/* Every subcommand's entry point; one cmd/<name>.c each. */
#ifndef VESSEL_CMD_COMMANDS_H
#define VESSEL_CMD_COMMANDS_H

#include "cmd/cli.h"

#define VS_COMMANDS(X)                                                                             \
	X(bundle, "make a bundle that runs an imported image on an overlay root")                  \
	X(checkpoint, "checkpoint a running container with CRIU")                                  \
	X(create, "create a container from a bundle")                                              \
	X(delete, "delete a container and its resources")                                          \
	X(events, "print container events and resource statistics")                                \
	X(exec, "run a new process inside a running container")                                    \
	X(features, "print the runtime features as JSON")                                          \
	X(image, "import, list and remove OCI images")                                             \
	X(kill, "send a signal to a container's processes")                                        \
	X(list, "list known containers")                                                           \
	X(pause, "freeze every process of a container")                                            \
	X(ps, "list the processes of a container")                                                 \
	X(restore, "restore a container from a checkpoint")                                        \
	X(resume, "thaw a paused container")                                                       \
	X(run, "create and start a container")                                                     \
	X(spec, "write a default config.json")                                                     \
	X(start, "start a created container")                                                      \
	X(state, "print the state of a container")                                                 \
	X(update, "update the resource limits of a container")

#define X(name, summary) int cmd_##name(struct vs_cli *cli, int argc, char **argv);
VS_COMMANDS(X)
#undef X

#endif
