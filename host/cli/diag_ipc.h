/*
 * diag_ipc.h - the .NET runtime's diagnostics IPC, as much of it as
 * `nrprof attach` speaks: finding a process's diagnostics socket, the
 * AttachProfiler request (command set 0x03, command 0x01), the runtime's
 * reply, and what its HRESULTs mean. The message formats are the public
 * ones of the dotnet/diagnostics IPC protocol; everything is little-endian.
 * Pure C apart from nrp_ipc_socket_path and nrp_ipc_exchange.
 */
#ifndef NRP_CLI_DIAG_IPC_H
#define NRP_CLI_DIAG_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nrp/result.h"
#include "util/err.h"

/* "DOTNET_IPC_V1\0", u16 size of the whole message, u8 command set, u8
 * command, u16 reserved. */
#define NRP_IPC_HEADER_SIZE 20
/* A message's size is a u16. */
#define NRP_IPC_MAX_MESSAGE 65535

/* A GUID in text ("{36032161-FFC0-...}", braces optional) as the 16 bytes
 * of its in-memory layout (Data1, Data2 and Data3 little-endian). */
nrp_result nrp_ipc_guid_parse(const char *text, uint8_t out[16]);

/* The AttachProfiler request into out (cap bytes): its length, or 0 when
 * it does not fit, the path is not UTF-8 or the message would pass
 * NRP_IPC_MAX_MESSAGE. timeout_ms is how long the runtime lets the
 * profiler's InitializeForAttach take; client (client_len bytes) is passed
 * to it. */
size_t nrp_ipc_attach_request(uint8_t *out, size_t cap, uint32_t timeout_ms, const uint8_t clsid[16],
                              const char *profiler_path, const uint8_t *client, uint32_t client_len);

/* A reply: header, then a u32. *ok is 1 for the "OK" response (the u32 is
 * the HRESULT of the command), 0 for an error response (the u32 is the
 * error). NRP_ERROR for anything else. */
nrp_result nrp_ipc_parse_reply(const uint8_t *buf, size_t len, int *ok, uint32_t *code);

/* The runtime's answer while it is still starting: ask again a little later. */
#define NRP_IPC_E_NOT_YET_AVAILABLE 0x8013135Bu

/* What an HRESULT of an attach means, in a few words; NULL when unknown. */
const char *nrp_ipc_explain(uint32_t hr);

/* The diagnostics socket of process pid: dotnet-diagnostic-PID-KEY-socket
 * in the folder the process's TMPDIR names (read from /proc/PID/environ
 * when this user may), else this process's TMPDIR, else /tmp; of several
 * (a pid used again), the newest. NRP_ERROR with the reason in err. */
nrp_result nrp_ipc_socket_path(pid_t pid, char *out, size_t cap, nrp_err *err);

/* Connect to path, send the request, and read the reply into reply (cap
 * bytes, *len read), waiting at most wait_ms for it. NRP_ERROR with the
 * reason in err. */
nrp_result nrp_ipc_exchange(const char *path, const uint8_t *request, size_t request_len, uint8_t *reply,
                            size_t cap, size_t *len, unsigned wait_ms, nrp_err *err);

#endif
