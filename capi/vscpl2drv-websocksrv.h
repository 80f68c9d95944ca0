/*
 * vscpl2drv-websocksrv.h - C interface of the VSCP Level II websocket server
 * driver (Go implementation).
 *
 * This header is for programs that load libvscpl2drv-websocksrv.so (or
 * vscpl2drv-websocksrv.dll) themselves: vscpd does not need it. It is
 * self-contained (it includes only <stdint.h>) and does not clash with the
 * VSCP headers, so it can be used next to vscp.h and canal.h.
 *
 * Using the driver
 *   long h = VSCPOpen("/etc/vscp/websocksrv.json", guid16);   0 = failure
 *   VSCPWrite(h, &ev, 500);    host -> websocket clients
 *   VSCPRead(h, &ev, 50);      websocket clients -> host
 *   VSCPClose(h);
 *
 * Event layout
 *   The library understands two binary layouts of vscpEvent. Nothing at run
 *   time tells which one the host uses, so each instance is told by the
 *   "abi" key of its configuration:
 *     "abi": "v15.0"  (default) vscpl2drv_event_v15_0_t, 56 bytes on LP64:
 *                     vscpd up to 15.0.x.
 *     "abi": "v15.1"  vscpl2drv_event_v15_1_t, 64 bytes on LP64:
 *                     vscpd 15.1.0 and later.
 *   A wrong choice garbles every field. Define VSCPL2DRV_EVENT_V15_1 before
 *   including this header to make vscpl2drv_event_t name the v15.1 layout;
 *   otherwise it names the v15.0 layout.
 *
 * Memory ownership
 *   VSCPOpen    copies config and the 16 GUID bytes during the call.
 *   VSCPWrite   copies the event and its pdata during the call; the caller
 *               keeps both and may free or reuse them when the call returns.
 *   VSCPRead    overwrites the whole struct (the previous pdata is NOT
 *               freed: it is still the caller's). On success pdata is NULL
 *               when sizeData is 0, else a buffer from malloc() that the
 *               caller must free().
 *   VSCPGetVendorString returns a static string; never free it.
 *
 * Threading
 *   Every function may be called from any thread, concurrently, on the same
 *   or different handles. Several instances may be open at once, each on its
 *   own listen port. VSCPClose wakes blocked VSCPRead/VSCPWrite calls of that
 *   instance, which then return VSCPL2DRV_ERR_STOPPED.
 */
#ifndef VSCPL2DRV_WEBSOCKSRV_H
#define VSCPL2DRV_WEBSOCKSRV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Driver version (generated from internal/version by `go generate`; a test
 * checks that they agree). */
/* BEGIN GENERATED VERSION */
#define VSCPL2DRV_WS_VERSION_MAJOR 15
#define VSCPL2DRV_WS_VERSION_MINOR 3
#define VSCPL2DRV_WS_VERSION_RELEASE 0
#define VSCPL2DRV_WS_VERSION_BUILD 0
#define VSCPL2DRV_WS_VERSION_STR "15.3.0-0"
/* END GENERATED VERSION */

/* VSCPGetVersion() packs the version as major<<24 | minor<<16 | release<<8 | build. */
#define VSCPL2DRV_WS_VERSION                                                   \
  (((unsigned long)VSCPL2DRV_WS_VERSION_MAJOR << 24) |                         \
   ((unsigned long)VSCPL2DRV_WS_VERSION_MINOR << 16) |                         \
   ((unsigned long)VSCPL2DRV_WS_VERSION_RELEASE << 8) |                        \
   (unsigned long)VSCPL2DRV_WS_VERSION_BUILD)

/* Largest number of data bytes in one event. */
#define VSCPL2DRV_MAX_DATA 512
/* The first handle VSCPOpen returns in a process; later opens count up and a
 * handle is never reused. */
#define VSCPL2DRV_FIRST_HANDLE 1681

/* Frame version bits of head in the v15.1 layout. */
#define VSCPL2DRV_HEAD_FRAME_MASK 0x0300u
#define VSCPL2DRV_HEAD_FRAME_ORIGINAL 0x0000u /* date fields + 32-bit timestamp */
#define VSCPL2DRV_HEAD_FRAME_UNIX_NS 0x0100u  /* timestamp_ns */

/* Return codes. The values are those of the VSCP/CANAL families; the names
 * carry a prefix so that they never clash with canal.h or vscp.h. */
#define VSCPL2DRV_OK 0                 /* success */
#define VSCPL2DRV_ERR_FIFO_FULL 9      /* Write: out-queue still full at the timeout */
#define VSCPL2DRV_ERR_TIMEOUT 32       /* Read: nothing arrived within the timeout */
#define VSCPL2DRV_ERR_PARAMETER 34     /* NULL event, sizeData > 512, data without pdata */
#define VSCPL2DRV_ERR_MEMORY 35        /* Read: malloc failed; the event stays queued */
#define VSCPL2DRV_ERR_INTERNAL 36      /* internal fault (logged) */
#define VSCPL2DRV_ERR_INVALID_HANDLE 41 /* never issued, or already closed */
#define VSCPL2DRV_ERR_STOPPED 47       /* the instance was closed during the call */

/* vscpEvent as built by vscpd up to 15.0.x ("abi": "v15.0"). All-zero
 * year..second means "date not set". */
typedef struct vscpl2drv_event_v15_0 {
  uint16_t crc; /* ignored on input, 0 on output */
  uint32_t obid;
  uint16_t year;
  uint8_t month, day, hour, minute, second;
  uint32_t timestamp; /* relative microseconds, wraps */
  uint16_t head;      /* priority = (head >> 5) & 7 */
  uint16_t vscp_class;
  uint16_t vscp_type;
  uint8_t GUID[16]; /* MSB first */
  uint16_t sizeData; /* <= VSCPL2DRV_MAX_DATA */
  uint8_t *pdata;
} vscpl2drv_event_v15_0_t;

/* vscpEvent as built by vscpd 15.1.0 and later ("abi": "v15.1"). When
 * (head & VSCPL2DRV_HEAD_FRAME_MASK) == VSCPL2DRV_HEAD_FRAME_UNIX_NS, year is
 * 0xFFFF, month 0xFF and timestamp_ns holds nanoseconds since 1970-01-01 UTC;
 * otherwise day..second and timestamp are used. The driver writes UNIX_NS
 * frames except for dates that nanoseconds since 1970 cannot hold. */
typedef struct vscpl2drv_event_v15_1 {
  uint16_t head;
  uint32_t obid;
  uint16_t year;
  uint8_t month;
  union {
    uint64_t timestamp_ns;
    struct {
      uint8_t day, hour, minute, second;
      uint32_t timestamp;
    };
  };
  uint16_t vscp_class;
  uint16_t vscp_type;
  uint8_t GUID[16];
  uint16_t sizeData;
  uint8_t *pdata;
  uint16_t crc;
} vscpl2drv_event_v15_1_t;

#ifdef VSCPL2DRV_EVENT_V15_1
typedef vscpl2drv_event_v15_1_t vscpl2drv_event_t;
#else
typedef vscpl2drv_event_v15_0_t vscpl2drv_event_t;
#endif

/* vscpEventFilter (same in both generations; not used by this API, provided
 * for embedders). An event passes when every masked bit equals the filter. */
typedef struct vscpl2drv_event_filter {
  uint8_t filter_priority, mask_priority;
  uint16_t filter_class, mask_class, filter_type, mask_type;
  uint8_t filter_GUID[16], mask_GUID[16];
} vscpl2drv_event_filter_t;

/* Layout checks for the targets vscpd runs on: 64-bit (x86-64, arm64) and
 * 32-bit ARM EABI (armhf, where pdata is 4 bytes). Other targets are not
 * checked; the library's own conversion code is compiled against this
 * header, so it always matches the compiler's layout for the target. */
#if defined(UINTPTR_MAX) && defined(UINT64_MAX) && UINTPTR_MAX == UINT64_MAX
#define VSCPL2DRV_CHECK_LAYOUT 64
#elif defined(__arm__) && defined(__ARM_EABI__) && defined(UINTPTR_MAX) && UINTPTR_MAX == UINT32_MAX
#define VSCPL2DRV_CHECK_LAYOUT 32
#endif
#ifdef VSCPL2DRV_CHECK_LAYOUT
#if defined(__cplusplus)
#define VSCPL2DRV_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define VSCPL2DRV_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif
#if defined(__GNUC__) || defined(__clang__)
#define VSCPL2DRV_OFFSETOF(t, f) __builtin_offsetof(t, f)
#else
#define VSCPL2DRV_OFFSETOF(t, f) ((unsigned long)&(((t *)0)->f))
#endif
/* Identical on every checked target. */
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_0_t, crc) == 0, "v15.0 crc at 0");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_0_t, timestamp) == 16, "v15.0 timestamp at 16");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_0_t, head) == 20, "v15.0 head at 20");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_0_t, GUID) == 26, "v15.0 GUID at 26");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_0_t, sizeData) == 42, "v15.0 sizeData at 42");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_1_t, head) == 0, "v15.1 head at 0");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_1_t, timestamp_ns) == 16, "v15.1 timestamp_ns at 16");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_1_t, timestamp) == 20, "v15.1 timestamp at 20");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_1_t, GUID) == 28, "v15.1 GUID at 28");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_1_t, sizeData) == 44, "v15.1 sizeData at 44");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_1_t, pdata) == 48, "v15.1 pdata at 48");
VSCPL2DRV_STATIC_ASSERT(sizeof(vscpl2drv_event_filter_t) == 42, "filter is 42 bytes");
#if VSCPL2DRV_CHECK_LAYOUT == 64
VSCPL2DRV_STATIC_ASSERT(sizeof(vscpl2drv_event_v15_0_t) == 56, "v15.0 event is 56 bytes");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_0_t, pdata) == 48, "v15.0 pdata at 48");
VSCPL2DRV_STATIC_ASSERT(sizeof(vscpl2drv_event_v15_1_t) == 64, "v15.1 event is 64 bytes");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_1_t, crc) == 56, "v15.1 crc at 56");
#else
VSCPL2DRV_STATIC_ASSERT(sizeof(vscpl2drv_event_v15_0_t) == 48, "v15.0 event is 48 bytes on 32-bit ARM");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_0_t, pdata) == 44, "v15.0 pdata at 44 on 32-bit ARM");
VSCPL2DRV_STATIC_ASSERT(sizeof(vscpl2drv_event_v15_1_t) == 56, "v15.1 event is 56 bytes on 32-bit ARM");
VSCPL2DRV_STATIC_ASSERT(VSCPL2DRV_OFFSETOF(vscpl2drv_event_v15_1_t, crc) == 52, "v15.1 crc at 52 on 32-bit ARM");
#endif
#undef VSCPL2DRV_OFFSETOF
#undef VSCPL2DRV_STATIC_ASSERT
#undef VSCPL2DRV_CHECK_LAYOUT
#endif

/* Import declaration on Windows; empty elsewhere. */
#if defined(_WIN32) && !defined(VSCPL2DRV_BUILDING)
#define VSCPL2DRV_API __declspec(dllimport)
#else
#define VSCPL2DRV_API
#endif

/* Types for hosts that resolve the functions with dlsym/GetProcAddress.
 * pEvent points to the layout chosen by the instance's "abi" key. */
typedef long (*vscpl2drv_open_fn)(const char *config, const unsigned char *guid16);
typedef int (*vscpl2drv_close_fn)(long handle);
typedef int (*vscpl2drv_write_fn)(long handle, const void *pEvent, unsigned long timeout_ms);
typedef int (*vscpl2drv_read_fn)(long handle, void *pEvent, unsigned long timeout_ms);
typedef unsigned long (*vscpl2drv_getversion_fn)(void);
typedef const char *(*vscpl2drv_getvendor_fn)(void);

#ifndef VSCPL2DRV_NO_PROTOTYPES
/* Open an instance. config: a path to a JSON file, or inline JSON starting
 * with '{'. guid16: 16 raw interface GUID bytes (MSB first) or NULL for all
 * zero. Returns a handle (>= VSCPL2DRV_FIRST_HANDLE) or 0 on failure, with
 * the reasons on stderr or in the configured log. Binds the listener before
 * returning. */
VSCPL2DRV_API long VSCPOpen(const char *config, const unsigned char *guid16);

/* Close an instance: wakes its blocked calls, closes the websocket sessions
 * (close code 1001) and the listener, and joins everything within 2 s.
 * Returns VSCPL2DRV_OK or VSCPL2DRV_ERR_INVALID_HANDLE. */
VSCPL2DRV_API int VSCPClose(long handle);

/* Queue an event for the websocket clients (host -> clients). Waits up to
 * timeout_ms for queue space; 0 (or more than 2147483647) waits forever.
 * Returns VSCPL2DRV_OK, _FIFO_FULL, _PARAMETER, _INVALID_HANDLE, _STOPPED or
 * _INTERNAL. */
VSCPL2DRV_API int VSCPWrite(long handle, const void *pEvent, unsigned long timeout_ms);

/* Take the next event sent by a websocket client (clients -> host). Waits up
 * to timeout_ms; 0 (or more than 2147483647) waits forever. Returns
 * VSCPL2DRV_OK, _TIMEOUT (only after really waiting), _PARAMETER, _MEMORY,
 * _INVALID_HANDLE, _STOPPED or _INTERNAL. */
VSCPL2DRV_API int VSCPRead(long handle, void *pEvent, unsigned long timeout_ms);

/* Aliases of VSCPWrite and VSCPRead under the driver-interface names. */
VSCPL2DRV_API int VSCPBlockingSend(long handle, const void *pEvent, unsigned long timeout_ms);
VSCPL2DRV_API int VSCPBlockingReceive(long handle, void *pEvent, unsigned long timeout_ms);

/* VSCPL2DRV_WS_VERSION of the loaded library. Needs no open instance. */
VSCPL2DRV_API unsigned long VSCPGetVersion(void);

/* Static vendor description. Needs no open instance; never free it. */
VSCPL2DRV_API const char *VSCPGetVendorString(void);
#endif /* VSCPL2DRV_NO_PROTOTYPES */

#ifdef __cplusplus
}
#endif

#endif /* VSCPL2DRV_WEBSOCKSRV_H */
