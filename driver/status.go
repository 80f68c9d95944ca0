package driver

import (
	"encoding/json"
	"strconv"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/mqtt"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/version"
)

// Stats is a snapshot of an instance's state and counters.
type Stats struct {
	Started       time.Time
	Uptime        time.Duration
	Sessions      SessionStats
	InDepth       int
	InCapacity    int
	OutDepth      int
	OutCapacity   int
	SessionQueue  SessionQueueStats
	Counters      []stats.Value
	CounterByName map[string]uint64
	// MQTT is the bridge's state; the zero value when the bridge is off.
	MQTT mqtt.Status
}

// SessionStats counts the live websocket sessions.
type SessionStats struct {
	Current, Max, WS1, WS2, Authenticated, Open int
}

// SessionQueueStats describes the per-session queues.
type SessionQueueStats struct {
	Capacity, MaxDepth, TotalDepth int
}

// Stats returns a snapshot.
func (d *Driver) Stats() Stats {
	snap := d.counters.Snapshot()
	sc := d.srv.Sessions()
	byName := make(map[string]uint64, len(snap))
	for _, v := range snap {
		byName[v.Name] = v.Value
	}
	return Stats{
		Started:       d.started.UTC(),
		Uptime:        time.Since(d.started),
		Sessions:      SessionStats{Max: d.cfg.MaxClients, Current: sc.Current, WS1: sc.WS1, WS2: sc.WS2, Authenticated: sc.Authenticated, Open: sc.Open},
		InDepth:       d.in.Len(),
		InCapacity:    d.in.Cap(),
		OutDepth:      d.out.Len(),
		OutCapacity:   d.out.Cap(),
		SessionQueue:  SessionQueueStats{Capacity: d.cfg.MaxClientQueue, MaxDepth: sc.QueueMaxDepth, TotalDepth: sc.QueueTotalDepth},
		Counters:      snap,
		CounterByName: byName,
		MQTT:          d.mqttStatus(),
	}
}

func (d *Driver) mqttStatus() mqtt.Status {
	if d.bridge == nil {
		return mqtt.Status{}
	}
	return d.bridge.Status()
}

// statusDocument renders the status document served at url-rest. The key
// order is part of the format, so it is written by hand rather than from a
// map.
func (d *Driver) statusDocument() []byte {
	st := d.Stats()
	b := make([]byte, 0, 2048)
	str := func(s string) {
		q, _ := json.Marshal(s)
		b = append(b, q...)
	}
	num := func(n int64) { b = strconv.AppendInt(b, n, 10) }
	b = append(b, `{"driver":"vscpl2drv-websocksrv","version":`...)
	str(version.String())
	b = append(b, `,"vendor":`...)
	str(version.Vendor)
	b = append(b, `,"protocols":{"ws1":`...)
	str(version.WS1Protocol)
	b = append(b, `,"ws2":`...)
	str(version.WS2Protocol)
	b = append(b, `},"abi":`...)
	str(d.cfg.ABI.String())
	b = append(b, `,"guid":`...)
	str(d.ifGUID.String())
	b = append(b, `,"started":`...)
	str(st.Started.Format("2006-01-02T15:04:05Z"))
	b = append(b, `,"uptime":`...)
	num(int64(st.Uptime / time.Second))
	b = append(b, `,"sessions":{"current":`...)
	num(int64(st.Sessions.Current))
	b = append(b, `,"max":`...)
	num(int64(st.Sessions.Max))
	b = append(b, `,"ws1":`...)
	num(int64(st.Sessions.WS1))
	b = append(b, `,"ws2":`...)
	num(int64(st.Sessions.WS2))
	b = append(b, `,"authenticated":`...)
	num(int64(st.Sessions.Authenticated))
	b = append(b, `,"open":`...)
	num(int64(st.Sessions.Open))
	b = append(b, `},"queues":{"in":{"depth":`...)
	num(int64(st.InDepth))
	b = append(b, `,"capacity":`...)
	num(int64(st.InCapacity))
	b = append(b, `},"out":{"depth":`...)
	num(int64(st.OutDepth))
	b = append(b, `,"capacity":`...)
	num(int64(st.OutCapacity))
	b = append(b, `},"session":{"capacity":`...)
	num(int64(st.SessionQueue.Capacity))
	b = append(b, `,"max_depth":`...)
	num(int64(st.SessionQueue.MaxDepth))
	b = append(b, `,"total_depth":`...)
	num(int64(st.SessionQueue.TotalDepth))
	b = append(b, `}},"counters":{`...)
	for i, v := range st.Counters {
		if i > 0 {
			b = append(b, ',')
		}
		str(v.Name)
		b = append(b, ':')
		b = strconv.AppendUint(b, v.Value, 10)
	}
	ms := st.MQTT
	b = append(b, `},"mqtt":{"enabled":`...)
	b = strconv.AppendBool(b, ms.Enabled)
	b = append(b, `,"connected":`...)
	b = strconv.AppendBool(b, ms.Connected)
	b = append(b, `,"broker":`...)
	str(ms.Broker)
	b = append(b, `,"subscriptions":`...)
	num(int64(ms.Subscriptions))
	b = append(b, `,"publish_topics":`...)
	num(int64(ms.PublishTopics))
	b = append(b, '}')
	// Appended last, as new keys must be so that readers of the older
	// document are unaffected: the bound address, so that a configured port 0
	// can be found.
	b = append(b, `,"listen":`...)
	str(d.addr.String())
	b = append(b, '}')
	return b
}

// counterFields logs the counters as one structured field.
type counterFields []stats.Value

func (c counterFields) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for _, v := range c {
		enc.AddUint64(v.Name, v.Value)
	}
	return nil
}
