/*
 * shard.h - per-thread copies of counters and histograms, so that code
 * injected into a method never writes a cache line another thread writes.
 *
 * Each sharded series gets a slot when it is created. A thread that
 * records gets its own table on its first record: slot i of that table is
 * the thread's count for a counter, or the address of the thread's own
 * nrp_hist_rec for a histogram (made at its first record). Only the owning
 * thread writes its table, with relaxed stores, so a call costs plain
 * stores on lines that stay in that core's cache. An export adds every
 * live thread's copy to what threads that have exited left behind.
 *
 * When a thread exits, a pthread key destructor folds its copies into the
 * slot's owner (the series' exited total) under the shard lock, which an
 * export holds while it reads, so a record is counted once, never twice
 * and never lost. Slots are never reused; past NRP_SHARD_SLOTS, or when
 * memory runs out, records go to the owner with atomic operations.
 */
#ifndef NRP_METRICS_SHARD_H
#define NRP_METRICS_SHARD_H

#include <stdint.h>

#include "metrics/histogram.h"

#define NRP_SHARD_CHUNK 256u  /* slots per chunk of a thread's table */
#define NRP_SHARD_CHUNKS 256u /* chunks per table */
#define NRP_SHARD_SLOTS (NRP_SHARD_CHUNK * NRP_SHARD_CHUNKS)
#define NRP_SHARD_NONE UINT32_MAX

typedef enum nrp_shard_kind { NRP_SHARD_COUNTER, NRP_SHARD_HISTOGRAM } nrp_shard_kind;

/* One thread's table. Private to shard.c but for the inline lookup. */
typedef struct nrp_shard_table {
    uint64_t *chunks[NRP_SHARD_CHUNKS];
    struct nrp_shard_table *prev, *next; /* the live tables */
} nrp_shard_table;

extern __thread nrp_shard_table *nrp_shard_mine;

/* A new slot whose exited total is *counter_total (a counter, added to
 * atomically) or *histogram_total (a histogram, recorded into shared);
 * NRP_SHARD_NONE when all are taken or out of memory. */
uint32_t nrp_shard_slot_new(nrp_shard_kind kind, uint64_t *counter_total, nrp_hist_rec *histogram_total);

/* The slot's totals are going away (their registry is destroyed): exited
 * threads fold nothing into them any more. */
void nrp_shard_slot_drop(uint32_t slot);

/* The calling thread's cell for slot, made if needed; NULL past the last
 * slot or out of memory. */
uint64_t *nrp_shard_cell_slow(uint32_t slot);

/* The calling thread's cell for slot when its table and chunk exist, else
 * NULL (the caller then takes its slow path). */
static inline uint64_t *nrp_shard_cell_fast(uint32_t slot)
{
    nrp_shard_table *t = nrp_shard_mine;
    uint64_t *chunk;
    if (__builtin_expect(t != NULL && slot < NRP_SHARD_SLOTS && (chunk = t->chunks[slot / NRP_SHARD_CHUNK]) != NULL, 1))
        return &chunk[slot % NRP_SHARD_CHUNK];
    return NULL;
}

/* The slow paths: the thread's first record in this chunk or histogram,
 * a series without a slot, or memory refused. Out of line, so that the
 * fast paths below need no stack frame. */
void nrp_shard_count_slow(uint32_t slot, uint64_t *shared);
void nrp_shard_record_slow(uint32_t slot, nrp_hist_rec *shared, uint64_t ns);

static inline void nrp_shard_count(uint32_t slot, uint64_t *shared)
{
    uint64_t *cell = nrp_shard_cell_fast(slot);
    if (__builtin_expect(cell != NULL, 1))
        __atomic_store_n(cell, *cell + 1, __ATOMIC_RELAXED);
    else
        nrp_shard_count_slow(slot, shared);
}

static inline void nrp_shard_record(uint32_t slot, nrp_hist_rec *shared, uint64_t ns)
{
    uint64_t *cell = nrp_shard_cell_fast(slot);
    nrp_hist_rec *h;
    if (__builtin_expect(cell == NULL || (h = (nrp_hist_rec *)(uintptr_t)*cell) == NULL || !nrp_hist_rec_record_owned(h, ns), 0))
        nrp_shard_record_slow(slot, shared, ns);
}

/* Reading a slot across threads: hold the shard lock between the reads of
 * a series' exited total and of its live copies. */
void nrp_shard_lock(void);
void nrp_shard_unlock(void);
/* Sum of the live threads' counts for slot. Under the lock. */
uint64_t nrp_shard_sum_counter(uint32_t slot);
/* Adds the live threads' histograms for slot into out. Under the lock. */
void nrp_shard_sum_histogram(uint32_t slot, nrp_hist *out);

#endif
