/* Shared between the files of runtime/process only. */
#ifndef VESSEL_RUNTIME_PROCESS_INTERNAL_H
#define VESSEL_RUNTIME_PROCESS_INTERNAL_H

#include "runtime/process/process.h"

/* Scheduler policy and flag names, checked in the parent (no syscall). */
int proc_scheduler_check(const struct oci_scheduler *s, struct vs_error *err);

#endif
