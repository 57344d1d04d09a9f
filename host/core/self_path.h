/* self_path.h - where the loaded libNewRelicProfiler.so lives, so the
 * bundle is relocatable: config and plugins are found next to it. */
#ifndef NRP_CORE_SELF_PATH_H
#define NRP_CORE_SELF_PATH_H

#include <stddef.h>

#include "nrp/result.h"

/* Folder holding this shared object (from dladdr). */
nrp_result nrp_self_dir(char *out, size_t cap);

#endif
