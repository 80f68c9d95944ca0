/*
 * dll_host_test.c - the Windows counterpart of capi/test/ws_host_test.c for
 * the package tests: loads vscpl2drv-websocksrv.dll with LoadLibrary and
 * GetProcAddress as a Windows host does, then drives one instance per
 * vscpEvent layout from both sides: the C API, and a websocket client over
 * Winsock (RFC 6455 upgrade, masked client frames, ws1 text protocol).
 * Built with mingw-w64 and run under Wine by packaging/test-packages.sh.
 *
 *   dll_host_test.exe path\to\vscpl2drv-websocksrv.dll
 *
 * Prints one line per check and "N passed, M failed"; exits non-zero when
 * anything failed.
 */
#include "harness.h"

#include "vscpl2drv-websocksrv.h"
#include "ws_harness.h"

static vscpl2drv_open_fn p_open;
static vscpl2drv_close_fn p_close;
static vscpl2drv_write_fn p_write;
static vscpl2drv_read_fn p_read;

/* ---- the C API side ------------------------------------------------------ */

typedef struct {
  long h;
  int rc;
  unsigned char ev[64];
} reader_arg_t;

static DWORD WINAPI blocked_reader(LPVOID p) {
  reader_arg_t *a = p;
  a->rc = p_read(a->h, a->ev, 30000);
  return 0;
}

static void run(const char *abi) {
  int v151 = strcmp(abi, "v15.1") == 0;
  int port = free_port(), rc;
  long h;
  wsconn_t c;
  char status[256], msg[4096], sid[64], cmd[512];
  unsigned char ev[64];
  uint8_t data[3] = {1, 2, 3};
  uint16_t cls = 0, typ = 0, size = 0;
  uint8_t *pdata = NULL;
  const uint8_t *guid = NULL;
  reader_arg_t ra;
  HANDLE thr;
  double t0;
  DWORD waited;

  h = p_open(config_for(port, abi), ifguid);
  check(h >= VSCPL2DRV_FIRST_HANDLE, "[%s] VSCPOpen returns handle %ld", abi, h);
  if (h == 0)
    return;
  rc = p_write(h, NULL, 0);
  check(rc == VSCPL2DRV_ERR_PARAMETER, "[%s] VSCPWrite with a NULL event returns 34 (rc %d)", abi, rc);

  rc = ws_connect(&c, port, "/ws1", status, sizeof status);
  check(rc == 0 && strncmp(status, "HTTP/1.1 101", 12) == 0, "[%s] websocket upgrade answered 101 (got \"%s\")", abi,
        status);
  if (rc != 0) {
    p_close(h);
    return;
  }
  rc = ws_read_text(&c, msg, sizeof msg);
  check(rc == 0 && strncmp(msg, "+;AUTH0;", 8) == 0 && strlen(msg) == 8 + 32,
        "[%s] greeting is +;AUTH0;<32 hex SID> (got \"%s\")", abi, msg);
  snprintf(sid, sizeof sid, "%.32s", strlen(msg) > 8 ? msg + 8 : "");
  /* hex("admin:secret") */
  snprintf(cmd, sizeof cmd, "C;AUTH;%s;61646D696E3A736563726574", sid);
  rc = exchange(&c, cmd, msg, sizeof msg);
  check(rc == 0 && strncmp(msg, "+;AUTH1;0;admin;", 16) == 0, "[%s] AUTH accepted (got \"%s\")", abi, msg);
  rc = exchange(&c, "C;OPEN", msg, sizeof msg);
  check(rc == 0 && strcmp(msg, "+;OPEN") == 0, "[%s] C;OPEN answered +;OPEN (got \"%s\")", abi, msg);

  /* Client -> host; the host frees pdata with free() (both sides use msvcrt). */
  rc = exchange(&c, "E;0,10,6,0,,0,-,1,2", msg, sizeof msg);
  check(rc == 0 && strcmp(msg, "+;EVENT") == 0, "[%s] client event answered +;EVENT (got \"%s\")", abi, msg);
  memset(ev, 0xEE, sizeof ev);
  rc = p_read(h, ev, 5000);
  check(rc == VSCPL2DRV_OK, "[%s] VSCPRead returns the client event (rc %d)", abi, rc);
  if (rc == VSCPL2DRV_OK) {
    if (v151) {
      vscpl2drv_event_v15_1_t *e = (vscpl2drv_event_v15_1_t *)ev;
      cls = e->vscp_class, typ = e->vscp_type, size = e->sizeData, pdata = e->pdata, guid = e->GUID;
      check((e->head & VSCPL2DRV_HEAD_FRAME_MASK) == VSCPL2DRV_HEAD_FRAME_UNIX_NS && e->year == 0xFFFF,
            "[%s] VSCPRead: UNIX_NS frame (head 0x%04X, year 0x%04X)", abi, e->head, e->year);
    } else {
      vscpl2drv_event_v15_0_t *e = (vscpl2drv_event_v15_0_t *)ev;
      cls = e->vscp_class, typ = e->vscp_type, size = e->sizeData, pdata = e->pdata, guid = e->GUID;
      check(e->year >= 2020 && e->month >= 1 && e->month <= 12, "[%s] VSCPRead: date set (%04u-%02u-%02u)", abi,
            e->year, e->month, e->day);
    }
    check(cls == 10 && typ == 6 && size == 2 && pdata && pdata[0] == 1 && pdata[1] == 2,
          "[%s] VSCPRead: class %u, type %u, sizeData %u, data 01 02", abi, cls, typ, size);
    check(memcmp(guid, ifguid, 16) == 0, "[%s] VSCPRead: interface GUID filled in", abi);
    free(pdata);
  }
  rc = p_read(h, ev, 200);
  check(rc == VSCPL2DRV_ERR_TIMEOUT, "[%s] then VSCPRead times out with 32 (rc %d)", abi, rc);

  /* Host -> client. */
  memset(ev, 0, sizeof ev);
  if (v151) {
    vscpl2drv_event_v15_1_t *e = (vscpl2drv_event_v15_1_t *)ev;
    e->vscp_class = 10, e->vscp_type = 6, e->sizeData = 3, e->pdata = data;
  } else {
    vscpl2drv_event_v15_0_t *e = (vscpl2drv_event_v15_0_t *)ev;
    e->vscp_class = 10, e->vscp_type = 6, e->sizeData = 3, e->pdata = data;
  }
  rc = p_write(h, ev, 500);
  check(rc == VSCPL2DRV_OK, "[%s] VSCPWrite returns 0 (rc %d)", abi, rc);
  rc = ws_read_text(&c, msg, sizeof msg);
  check(rc == 0 && strcmp(msg, "E;0,10,6,0,,0," Z16 ",0x01,0x02,0x03") == 0,
        "[%s] the host event reaches the client (got \"%s\")", abi, msg);

  /* Close wakes a blocked VSCPRead with 47. */
  memset(&ra, 0, sizeof ra);
  ra.h = h;
  ra.rc = -1;
  thr = CreateThread(NULL, 0, blocked_reader, &ra, 0, NULL);
  Sleep(200);
  t0 = now_ms();
  rc = p_close(h);
  check(rc == VSCPL2DRV_OK, "[%s] VSCPClose returns 0 (rc %d)", abi, rc);
  waited = WaitForSingleObject(thr, 5000);
  check(waited == WAIT_OBJECT_0 && ra.rc == VSCPL2DRV_ERR_STOPPED,
        "[%s] a blocked VSCPRead returns 47 when the instance closes (rc %d, %.0f ms)", abi, ra.rc,
        now_ms() - t0);
  CloseHandle(thr);
  rc = p_read(h, ev, 0);
  check(rc == VSCPL2DRV_ERR_INVALID_HANDLE, "[%s] VSCPRead after close returns 41 (rc %d)", abi, rc);
  ws_close_socket(&c);
}

int main(int argc, char **argv) {
  static const char *names[] = {"VSCPOpen",       "VSCPClose",        "VSCPWrite",
                                "VSCPRead",       "VSCPBlockingSend", "VSCPBlockingReceive",
                                "VSCPGetVersion", "VSCPGetVendorString"};
  HMODULE lib;
  WSADATA wsa;
  FARPROC fn[8];
  int i, all = 1;
  unsigned long ver;
  const char *vendor;
  long h;

  if (argc != 2) {
    fprintf(stderr, "usage: %s path\\to\\vscpl2drv-websocksrv.dll\n", argv[0]);
    return 2;
  }
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
    fprintf(stderr, "WSAStartup failed\n");
    return 2;
  }
  lib = LoadLibraryA(argv[1]);
  check(lib != NULL, "LoadLibrary(%s) (error %lu)", argv[1], lib ? 0UL : (unsigned long)GetLastError());
  if (!lib)
    goto done;
  for (i = 0; i < 8; i++) {
    fn[i] = GetProcAddress(lib, names[i]);
    if (!fn[i]) {
      all = 0;
      printf("     GetProcAddress(%s) failed\n", names[i]);
    }
  }
  check(all, "GetProcAddress finds all eight exports");
  if (!all)
    goto done;
  p_open = (vscpl2drv_open_fn)(void (*)(void))fn[0];
  p_close = (vscpl2drv_close_fn)(void (*)(void))fn[1];
  p_write = (vscpl2drv_write_fn)(void (*)(void))fn[2];
  p_read = (vscpl2drv_read_fn)(void (*)(void))fn[3];

  ver = ((vscpl2drv_getversion_fn)(void (*)(void))fn[6])();
  check(ver == VSCPL2DRV_WS_VERSION, "VSCPGetVersion is 0x%08lX (header 0x%08lX)", ver,
        (unsigned long)VSCPL2DRV_WS_VERSION);
  vendor = ((vscpl2drv_getvendor_fn)(void (*)(void))fn[7])();
  check(vendor && strncmp(vendor, "vscpl2drv-websocksrv", 20) == 0, "VSCPGetVendorString: \"%s\"",
        vendor ? vendor : "(null)");

  h = p_open("{\"interface\":\"ws://127.0.0.1:1\",\"no-such-key\":", ifguid);
  check(h == 0, "VSCPOpen with broken inline JSON returns 0 (got %ld)", h);
  check(p_close(12345) == VSCPL2DRV_ERR_INVALID_HANDLE, "VSCPClose of a handle never issued returns 41");

  run("v15.0");
  run("v15.1");

done:
  printf("%d passed, %d failed\n", passed, failed);
  fflush(stdout);
  /* The Go runtime cannot be unloaded: no FreeLibrary, exit directly. */
  return failed == 0 && passed > 0 ? 0 : 1;
}
