#include "util/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_ROOM 8

nrp_result nrp_array_reserve(void *items_ptr, size_t size, size_t need, size_t *cap)
{
    void *items, *grown;
    size_t room = *cap ? *cap : FIRST_ROOM;
    if (need <= *cap)
        return NRP_OK;
    while (room < need) {
        if (room > SIZE_MAX / 2)
            return NRP_NOMEM;
        room *= 2;
    }
    if (size && room > SIZE_MAX / size)
        return NRP_NOMEM;
    /* The caller's pointer is a T *, read and written as bytes: any object
     * pointer has the same representation here, and no T * is ever read
     * through a void * lvalue. */
    memcpy(&items, items_ptr, sizeof items);
    grown = realloc(items, room * size);
    if (!grown)
        return NRP_NOMEM;
    memcpy(items_ptr, &grown, sizeof grown);
    *cap = room;
    return NRP_OK;
}
