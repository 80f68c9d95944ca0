/*
 * example_host.c - a minimal program that hosts the websocket server driver
 * the way vscpd does. Copy it as a starting point for embedding the driver.
 *
 * Build:  cc -std=c11 -I/usr/include -o example_host example_host.c -ldl
 * Run:    ./example_host /var/lib/vscp/drivers/level2/libvscpl2drv-websocksrv.so [config]
 *
 * With no config argument it opens an instance on an ephemeral loopback port.
 * It writes a temperature event towards the websocket clients once a second,
 * prints the events the clients send, and closes after a while. Pass a config file path (or inline JSON) and
 * a read time in seconds to keep it running, e.g. for a browser to connect:
 *         ./example_host ./libvscpl2drv-websocksrv.so /etc/vscp/websocksrv.json 60
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* This host uses the v15.0 event layout, the driver's default ("abi":
 * "v15.0"). Build with -DVSCPL2DRV_EVENT_V15_1 for the vscpd >= 15.1 layout,
 * and then give the driver a configuration with "abi": "v15.1": the two
 * must always agree. */
#include "vscpl2drv-websocksrv.h"

#ifdef VSCPL2DRV_EVENT_V15_1
#define EXAMPLE_ABI "v15.1"
#else
#define EXAMPLE_ABI "v15.0"
#endif

int main(int argc, char **argv) {
  const char *config =
      "{\"interface\":\"ws://127.0.0.1:0\",\"abi\":\"" EXAMPLE_ABI "\","
      "\"logging\":{\"console-log-level\":\"warn\"}}";
  const unsigned char guid[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF5,
                                  0x02, 0x88, 0x88, 0x00, 0x00, 0x00, 0x00, 0x01};
  long seconds = 1, i, h;
  void *lib;
  vscpl2drv_open_fn vopen;
  vscpl2drv_close_fn vclose;
  vscpl2drv_write_fn vwrite;
  vscpl2drv_read_fn vread;
  vscpl2drv_getversion_fn vversion;
  vscpl2drv_event_t ev;
  uint8_t data[3] = {0x01, 0x02, 0x03};
  int rc;

  if (argc < 2) {
    fprintf(stderr, "usage: %s library.so [config [seconds]]\n", argv[0]);
    return 2;
  }
  if (argc > 2)
    config = argv[2];
  if (argc > 3)
    seconds = strtol(argv[3], NULL, 10);

  /* vscpd loads drivers lazily and resolves the five functions it needs. */
  lib = dlopen(argv[1], RTLD_LAZY);
  if (!lib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  vopen = (vscpl2drv_open_fn)dlsym(lib, "VSCPOpen");
  vclose = (vscpl2drv_close_fn)dlsym(lib, "VSCPClose");
  vwrite = (vscpl2drv_write_fn)dlsym(lib, "VSCPWrite");
  vread = (vscpl2drv_read_fn)dlsym(lib, "VSCPRead");
  vversion = (vscpl2drv_getversion_fn)dlsym(lib, "VSCPGetVersion");
  if (!vopen || !vclose || !vwrite || !vread || !vversion) {
    fprintf(stderr, "missing symbol: %s\n", dlerror());
    return 1;
  }
  printf("driver version 0x%08lX\n", vversion());

  h = vopen(config, guid);
  if (h == 0) {
    fprintf(stderr, "VSCPOpen failed (see the messages above)\n");
    return 1;
  }
  printf("opened handle %ld\n", h);

  /* Poll as vscpd does, 50 ms at a time. Once a second, write a
   * temperature event towards the clients (host -> clients; the driver
   * copies the event and the data); print what the clients send
   * (clients -> host). */
  for (i = 0; i < seconds * 20; i++) {
    if (i % 20 == 0) {
      memset(&ev, 0, sizeof ev); /* v15.0: all-zero date = not set */
#ifdef VSCPL2DRV_EVENT_V15_1
      ev.head = VSCPL2DRV_HEAD_FRAME_UNIX_NS; /* a UNIX_NS frame ...           */
      ev.year = 0xFFFF;                       /* ... marked as vscpd 15.1 does */
      ev.month = 0xFF;
      ev.timestamp_ns = 0; /* 0 = date not set */
#endif
      ev.vscp_class = 10; /* CLASS1.MEASUREMENT */
      ev.vscp_type = 6;    /* temperature */
      data[2] = (uint8_t)(i / 20);
      ev.sizeData = sizeof data;
      ev.pdata = data;
      rc = vwrite(h, &ev, 500);
      printf("VSCPWrite -> %d\n", rc);
    }
    memset(&ev, 0, sizeof ev);
    rc = vread(h, &ev, 50);
    if (rc == VSCPL2DRV_OK) {
      printf("event from obid %u: class %u type %u, %u data bytes\n", ev.obid, ev.vscp_class,
             ev.vscp_type, ev.sizeData);
      free(ev.pdata); /* the host owns pdata after a successful read */
    } else if (rc != VSCPL2DRV_ERR_TIMEOUT) {
      printf("VSCPRead -> %d\n", rc);
      break;
    }
    fflush(stdout);
  }

  rc = vclose(h);
  printf("VSCPClose -> %d\n", rc);
  /* vscpd never calls dlclose on a driver; neither do we. */
  return rc == VSCPL2DRV_OK ? 0 : 1;
}
