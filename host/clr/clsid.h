/*
 * clsid.h - the profiler's CLSID as users write it in CORECLR_PROFILER.
 * NRP_CLSID_PROFILER (guids.c) is the same value as a GUID; unit.com checks
 * that the two agree.
 */
#ifndef NRP_CLR_CLSID_H
#define NRP_CLR_CLSID_H

#define NRP_PROFILER_CLSID_TEXT "{36032161-FFC0-4B61-B559-F6C5D41BAE5A}"

#endif
