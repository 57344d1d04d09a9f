/* callback.h - create the ICorProfilerCallback11 object the factory hands
 * to the runtime. */
#ifndef NRP_CORE_CALLBACK_H
#define NRP_CORE_CALLBACK_H

#include "clr/com.h"

/* A new object with one reference, or NULL when out of memory. */
void *nrp_callback_create(void);
HRESULT nrp_callback_query(void *callback, const nrp_guid *iid, void **out);
ULONG nrp_callback_release(void *callback);

#endif
