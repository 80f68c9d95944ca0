package integration

import (
	"fmt"
	"net"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	mochiauth "github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

// MQTT over a websocket (ws:// broker hosts). It uses the in-process
// broker, because the Debian mosquitto here cannot open websocket listeners.
func TestMQTTOverWebsocket(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	srv := mochi.New(nil)
	srv.AddHook(new(mochiauth.AllowHook), nil)
	if err := srv.AddListener(listeners.NewWebsocket(listeners.Config{ID: "ws", Address: fmt.Sprintf("127.0.0.1:%d", port)})); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Close()
	time.Sleep(300 * time.Millisecond)
	cfg, err := driver.ParseConfig([]byte(fmt.Sprintf(`{"interface":"ws://127.0.0.1:0","logging":{"console-log-level":"warn"},"mqtt":{"host":"ws://127.0.0.1:%d","subscribe":[{"topic":"vscp/in/#"}]}}`, port)), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d, err := driver.Open(cfg, driver.GUID{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i := 0; i < 30 && !d.Stats().MQTT.Connected; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if !d.Stats().MQTT.Connected {
		t.Fatal("not connected over ws")
	}
}
