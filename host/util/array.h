/* array.h - the one growable array of the host: arrays of any element
 * type double their room as they fill, through nrp_array_reserve. */
#ifndef NRP_UTIL_ARRAY_H
#define NRP_UTIL_ARRAY_H

#include <stddef.h>

#include "nrp/result.h"

/* Make room for `need` elements of `size` bytes in the array whose pointer
 * is at `items_ptr` (a T **, passed as void * so any T fits) and whose room
 * is *cap elements: the room doubles (from 8) until it holds `need`, and
 * what is there is kept. NRP_OK, or NRP_NOMEM with the array untouched
 * (also when need * size would overflow). */
nrp_result nrp_array_reserve(void *items_ptr, size_t size, size_t need, size_t *cap);

/* Room for one more element in `items` (T *), which holds `count` of
 * `cap` (size_t). NRP_OK or NRP_NOMEM. */
#define NRP_ARRAY_GROW(items, count, cap) \
    ((count) < (cap) ? NRP_OK : nrp_array_reserve(&(items), sizeof *(items), (size_t)(count) + 1, &(cap)))

#endif
