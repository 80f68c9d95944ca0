package integration

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

// End-to-end tests of the MQTT bridge (docs/mqtt.md) against a real broker
// (broker_test.go): websocket clients on one side, a paho client of the test
// on the other.
//
// The expected payloads and frames are computed by the reference encoders
// below, written from the documented formats (docs/protocols.md events,
// docs/mqtt.md payload formats) independently of the driver's codecs, and
// checked against fixed known answers first.

// ifgText is ifGUID in text form.
const ifgText = "FF:FF:FF:FF:FF:FF:FF:FE:00:00:00:00:00:00:AB:CD"

// ---------------------------------------------------------------------------
// Reference encoders.

func refGUID(g driver.GUID) string {
	parts := make([]string, len(g))
	for i, b := range g {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func refDateTime(d driver.DateTime) string {
	if d.Year == 0 && d.Month == 0 && d.Day == 0 && d.Hour == 0 && d.Minute == 0 && d.Second == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", d.Year, d.Month, d.Day, d.Hour, d.Minute, d.Second)
}

// refString is the ws1 event text without "E;" (the string payload).
func refString(ev *driver.Event) string {
	s := fmt.Sprintf("%d,%d,%d,%d,%s,%d,%s", ev.Head, ev.Class, ev.Type, ev.OBID, refDateTime(ev.DateTime), ev.Timestamp, refGUID(ev.GUID))
	for _, b := range ev.Data {
		s += fmt.Sprintf(",0x%02X", b)
	}
	return s
}

var (
	vscpKeys  = []string{"vscpHead", "vscpObId", "vscpDateTime", "vscpTimeStamp", "vscpClass", "vscpType", "vscpGuid", "vscpData", "vscpNote"}
	shortKeys = []string{"head", "obid", "datetime", "timestamp", "class", "type", "guid", "data", "note"}
)

// refKeys is the key selection of ws2-event-format.
func refKeys(format string) []string {
	switch format {
	case "vscp":
		return vscpKeys
	case "short":
		return shortKeys
	default:
		return append(slices.Clone(vscpKeys), shortKeys...)
	}
}

// refJSON is the ws2 event object (the json payload).
func refJSON(ev *driver.Event, format string) string {
	q := func(s string) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return strings.TrimSuffix(b.String(), "\n")
	}
	data := make([]string, len(ev.Data))
	for i, b := range ev.Data {
		data[i] = strconv.Itoa(int(b))
	}
	vals := []string{
		strconv.Itoa(int(ev.Head)), strconv.FormatUint(uint64(ev.OBID), 10), q(refDateTime(ev.DateTime)),
		strconv.FormatUint(uint64(ev.Timestamp), 10), strconv.Itoa(int(ev.Class)), strconv.Itoa(int(ev.Type)),
		q(refGUID(ev.GUID)), "[" + strings.Join(data, ",") + "]", q(ev.Note),
	}
	var parts []string
	for i, k := range refKeys(format) {
		parts = append(parts, `"`+k+`":`+vals[i%len(vals)])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// refXML is the xml payload.
func refXML(ev *driver.Event, format string) string {
	data := make([]string, len(ev.Data))
	for i, b := range ev.Data {
		data[i] = fmt.Sprintf("0x%02X", b)
	}
	vals := []string{
		strconv.Itoa(int(ev.Head)), strconv.FormatUint(uint64(ev.OBID), 10), refDateTime(ev.DateTime),
		strconv.FormatUint(uint64(ev.Timestamp), 10), strconv.Itoa(int(ev.Class)), strconv.Itoa(int(ev.Type)),
		refGUID(ev.GUID), strings.Join(data, ","), ev.Note,
	}
	s := "<event"
	for i, k := range refKeys(format) {
		s += " " + k + `="` + xmlEscaper.Replace(vals[i%len(vals)]) + `"`
	}
	return s + " />"
}

// crc16 is CRC-16/CCITT-FALSE.
func crc16(p []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, b := range p {
		crc ^= uint16(b) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// refBinary is the binary payload: marker 0x00, then a type-0 frame.
func refBinary(ev *driver.Event) []byte {
	p := []byte{0x00, 0x00}
	p = binary.BigEndian.AppendUint16(p, ev.Head)
	p = binary.BigEndian.AppendUint32(p, ev.Timestamp)
	dt := ev.DateTime
	p = binary.BigEndian.AppendUint16(p, dt.Year)
	p = append(p, dt.Month, dt.Day, dt.Hour, dt.Minute, dt.Second)
	p = binary.BigEndian.AppendUint16(p, ev.Class)
	p = binary.BigEndian.AppendUint16(p, ev.Type)
	p = append(p, ev.GUID[:]...)
	p = binary.BigEndian.AppendUint16(p, uint16(len(ev.Data)))
	p = append(p, ev.Data...)
	return binary.BigEndian.AppendUint16(p, crc16(p[2:]))
}

// ws1Frame and ws2Frame are what an OPEN session receives.
func ws1Frame(ev *driver.Event) string { return "E;" + refString(ev) }
func ws2Frame(ev *driver.Event, format string) string {
	return `{"type":"EVENT","event":` + refJSON(ev, format) + "}"
}

// e1 is the known-answer event E1, with every field set.
func e1() *driver.Event {
	return &driver.Event{Head: 0x60, Class: 10, Type: 6, OBID: 5, Timestamp: 1234,
		DateTime: driver.DateTime{Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7},
		GUID:     driver.GUID{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, Data: []byte{0x11, 0x22, 0x33}}
}

// TestMQTTReferenceEncoders checks the test's own encoders against the
// fixed known answers before the other tests rely on them.
func TestMQTTReferenceEncoders(t *testing.T) {
	if got := crc16([]byte("123456789")); got != 0x29B1 {
		t.Fatalf("crc16 check value %04X, want 29B1", got)
	}
	m5 := "00000060000004D207E80304050607000A0006000102030405060708090A0B0C0D0E0F00031122337460"
	if got := strings.ToUpper(hex.EncodeToString(refBinary(e1()))); got != m5 {
		t.Errorf("M5: %s, want %s", got, m5)
	}
	m6 := "000000000000000000000000000000000A00060000000000000000000000000000000000000C78"
	if got := strings.ToUpper(hex.EncodeToString(refBinary(&driver.Event{Class: 10, Type: 6}))); got != m6 {
		t.Errorf("M6: %s, want %s", got, m6)
	}
	m9 := `<event vscpHead="96" vscpObId="5" vscpDateTime="2024-03-04T05:06:07Z" vscpTimeStamp="1234" vscpClass="10" vscpType="6" vscpGuid="00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F" vscpData="0x11,0x22,0x33" vscpNote="" />`
	if got := refXML(e1(), "vscp"); got != m9 {
		t.Errorf("M9: %s, want %s", got, m9)
	}
	// The ws2 event example of docs/protocols.md, both key sets.
	host := &driver.Event{Class: 10, Type: 6, Data: []byte{1, 2, 3}}
	want := `{"type":"EVENT","event":{"vscpHead":0,"vscpObId":0,"vscpDateTime":"","vscpTimeStamp":0,"vscpClass":10,"vscpType":6,"vscpGuid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","vscpData":[1,2,3],"vscpNote":"","head":0,"obid":0,"datetime":"","timestamp":0,"class":10,"type":6,"guid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","data":[1,2,3],"note":""}}`
	if got := ws2Frame(host, "both"); got != want {
		t.Errorf("ws2 frame: %s, want %s", got, want)
	}
	if got, want := refString(e1()), "96,10,6,5,2024-03-04T05:06:07Z,1234,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F,0x11,0x22,0x33"; got != want {
		t.Errorf("string: %s, want %s", got, want)
	}
}

// jsonTokens is the token stream of a JSON text: key order and values, with
// string escapes resolved.
func jsonTokens(p []byte) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	var out []any
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, tok)
	}
}

// xmlEventAttrs is the attribute list of the single <event /> element.
func xmlEventAttrs(p []byte) ([]xml.Attr, error) {
	s := string(p)
	if !strings.HasPrefix(s, "<event ") || !strings.HasSuffix(s, " />") {
		return nil, fmt.Errorf("not a self-closing <event … />: %q", p)
	}
	dec := xml.NewDecoder(bytes.NewReader(p))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	se, ok := tok.(xml.StartElement)
	if !ok || se.Name.Local != "event" {
		return nil, fmt.Errorf("first token %v", tok)
	}
	return se.Attr, nil
}

// samePayload compares a payload with the reference: byte for byte, or,
// for a value that JSON or XML lets be escaped in more than one way,
// as the same JSON token stream or the same XML attribute list.
func samePayload(got []byte, want string, kind string) error {
	if string(got) == want {
		return nil
	}
	switch kind {
	case "json":
		g, err1 := jsonTokens(got)
		w, err2 := jsonTokens([]byte(want))
		if err1 == nil && err2 == nil && reflect.DeepEqual(g, w) {
			return nil
		}
	case "xml":
		g, err1 := xmlEventAttrs(got)
		w, err2 := xmlEventAttrs([]byte(want))
		if err1 == nil && err2 == nil && reflect.DeepEqual(g, w) {
			return nil
		}
	}
	return fmt.Errorf("payload\n got %q\nwant %q", got, want)
}

// ---------------------------------------------------------------------------
// Configuration and session helpers.

// mqttBlock is the mqtt object of the snippet for broker b, with
// the given keys set on top.
func mqttBlock(b *broker, kv ...any) conf {
	m := conf{
		"enable": true, "host": b.url(), "clientid": "t-{{rnd}}", "keepalive": 5,
		"reconnect": conf{"delay": 1, "delay-max": 2},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func pubEntry(topic string, qos int, retain bool, format string) conf {
	return conf{"topic": topic, "qos": qos, "retain": retain, "format": format}
}

func subEntry(topic string, qos int, format string) conf {
	return conf{"topic": topic, "qos": qos, "format": format}
}

// openWithGUID opens an instance with interface GUID g, closed when the
// test ends.
func openWithGUID(tb testing.TB, c conf, g driver.GUID) *driver.Driver {
	tb.Helper()
	data, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := driver.ParseConfig(data, tb.TempDir())
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	d, err := driver.Open(cfg, g)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	return d
}

func count(d *driver.Driver, name string) uint64 {
	v, ok := d.Stats().CounterByName[name]
	if !ok {
		panic("no counter " + name)
	}
	return v
}

// awaitCount waits until counter name equals want; it fails when the
// counter passes want or stays below it for longer than settle.
func awaitCount(tb testing.TB, d *driver.Driver, name string, want uint64) {
	tb.Helper()
	deadline := time.Now().Add(settle)
	for {
		got := count(d, name)
		if got == want {
			return
		}
		if got > want || time.Now().After(deadline) {
			tb.Fatalf("counter %s = %d, want %d", name, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkCounts checks counters that must already have their value.
func checkCounts(tb testing.TB, d *driver.Driver, want map[string]uint64) {
	tb.Helper()
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range want {
			if !yield(k) {
				return
			}
		}
	})
	for _, n := range names {
		if got := count(d, n); got != want[n] {
			tb.Errorf("counter %s = %d, want %d", n, got, want[n])
		}
	}
}

// session states a test client is brought into.
type sessMode int

const (
	sessUnauth sessMode = iota
	sessClosed          // authenticated, not OPEN
	sessOpen
)

// dialClient connects a ws1 or ws2 client to d in the given state; it is
// closed when the test ends.
func dialClient(tb testing.TB, d *driver.Driver, ws2 bool, mode sessMode) *client {
	tb.Helper()
	path := "/ws1"
	if ws2 {
		path = "/ws2"
	}
	cl, err := dial("ws://"+d.Addr().String()+path, nil)
	if err != nil {
		tb.Fatalf("dial %s: %v", path, err)
	}
	tb.Cleanup(cl.close)
	switch mode {
	case sessClosed:
		err = cl.authenticate()
	case sessOpen:
		err = cl.login()
	}
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return cl
}

// authenticate logs in as admin:secret without opening the channel.
func (cl *client) authenticate() error {
	cred := credential("admin", "secret")
	var msg, wantPrefix string
	if cl.ws2 {
		msg = `{"type":"CMD","command":"AUTH","args":{"iv":"` + cl.sid + `","crypto":"` + cred + `"}}`
		wantPrefix = `{"type":"+","command":"AUTH","args":null}`
	} else {
		msg, wantPrefix = "C;AUTH;"+cl.sid+";"+cred, "+;AUTH1;0;admin;"
	}
	if err := cl.send(msg); err != nil {
		return err
	}
	got, err := cl.read()
	if err != nil {
		return fmt.Errorf("AUTH: %w", err)
	}
	if !strings.HasPrefix(got, wantPrefix) {
		return fmt.Errorf("AUTH: reply %q, want prefix %q", got, wantPrefix)
	}
	return nil
}

func isEventFrame(f string) bool {
	return strings.HasPrefix(f, "E;") || strings.HasPrefix(f, `{"type":"EVENT"`)
}

// sendEvent sends an event message and waits for its positive reply; event
// frames that arrive before the reply are returned.
func (cl *client) sendEvent(tb testing.TB, msg string) []string {
	tb.Helper()
	want := "+;EVENT"
	if cl.ws2 {
		want = `{"type":"+","command":"EVENT","args":null}`
	}
	if err := cl.send(msg); err != nil {
		tb.Fatalf("send %q: %v", msg, err)
	}
	var events []string
	for {
		f, err := cl.read()
		if err != nil {
			tb.Fatalf("reply to %q: %v", msg, err)
		}
		switch {
		case f == want:
			return events
		case isEventFrame(f):
			events = append(events, f)
		default:
			tb.Fatalf("reply to %q: %q, want %q", msg, f, want)
		}
	}
}

// The marker is a host event written after the events under test: the
// dispatcher is FIFO, so a session that receives the marker has been given
// everything queued before it.
const markerClass, markerType = 9999, 9998

func writeMarker(tb testing.TB, d *driver.Driver) {
	tb.Helper()
	if err := d.Write(&driver.Event{Class: markerClass, Type: markerType}, frameTimeout); err != nil {
		tb.Fatalf("writing the marker: %v", err)
	}
}

func isMarker(f string) bool {
	return strings.HasPrefix(f, fmt.Sprintf("E;0,%d,%d,", markerClass, markerType)) ||
		strings.Contains(f, fmt.Sprintf(`"vscpClass":%d,"vscpType":%d,`, markerClass, markerType)) ||
		strings.Contains(f, fmt.Sprintf(`"class":%d,"type":%d,`, markerClass, markerType))
}

// untilMarker returns the frames a client receives before the marker.
func (cl *client) untilMarker(tb testing.TB, who string) []string {
	tb.Helper()
	var out []string
	for {
		f, err := cl.read()
		if err != nil {
			tb.Fatalf("%s: waiting for the marker after %q: %v", who, out, err)
		}
		if isMarker(f) {
			return out
		}
		out = append(out, f)
	}
}

// frames reads n frames.
func (cl *client) frames(tb testing.TB, n int, who string) []string {
	tb.Helper()
	out := make([]string, 0, n)
	for len(out) < n {
		f, err := cl.read()
		if err != nil {
			tb.Fatalf("%s: frame %d of %d (after %q): %v", who, len(out)+1, n, out, err)
		}
		out = append(out, f)
	}
	return out
}

// silent checks that nothing arrives within d (the read deadline spoils the
// connection, so this is the client's last read).
func (cl *client) silent(tb testing.TB, d time.Duration, who string) {
	tb.Helper()
	_ = cl.c.SetReadDeadline(time.Now().Add(d))
	_, p, err := cl.c.ReadMessage()
	var ne net.Error
	if err == nil {
		tb.Fatalf("%s: unexpected frame %q", who, p)
	}
	if !errors.As(err, &ne) || !ne.Timeout() {
		tb.Fatalf("%s: %v", who, err)
	}
}

// hostRead takes the next client event from the host side.
func hostRead(tb testing.TB, d *driver.Driver) *driver.Event {
	tb.Helper()
	ev, err := d.Read(frameTimeout)
	if err != nil {
		tb.Fatalf("Read: %v", err)
	}
	return ev
}

// noHostEvent checks that the host has nothing to read.
func noHostEvent(tb testing.TB, d *driver.Driver) {
	tb.Helper()
	if ev, err := d.Read(200 * time.Millisecond); !errors.Is(err, driver.ErrTimeout) {
		tb.Fatalf("Read: %v %v, want ErrTimeout (bridge events never go to the host)", ev, err)
	}
}

// statusDoc fetches the status document.
func statusDoc(tb testing.TB, d *driver.Driver) string {
	tb.Helper()
	resp, err := httpClient(tb).Get("http://" + d.Addr().String() + "/rest")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		tb.Fatalf("GET /rest: %d %v", resp.StatusCode, err)
	}
	return string(body)
}

// mqttStatus is the status document's mqtt object as written.
func mqttStatus(tb testing.TB, d *driver.Driver) string {
	tb.Helper()
	doc := statusDoc(tb, d)
	var m struct {
		MQTT json.RawMessage `json:"mqtt"`
	}
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		tb.Fatalf("status document %q: %v", doc, err)
	}
	return string(m.MQTT)
}

func mqttStatusWant(connected bool, broker string, subs, pubs int) string {
	return fmt.Sprintf(`{"enabled":true,"connected":%v,"broker":%q,"subscriptions":%d,"publish_topics":%d}`, connected, broker, subs, pubs)
}

// ---------------------------------------------------------------------------
// Client events → MQTT.

// TestMQTTPublishFormats: accepted client events are published to every
// publish entry with the rendered topic, the exact payload of the entry's
// format, its QoS and retain flag; an event the in-filter rejects is
// acknowledged but not published.
func TestMQTTPublishFormats(t *testing.T) {
	for _, format := range []string{"both", "vscp", "short"} {
		t.Run("ws2-event-format="+format, func(t *testing.T) { publishFormats(t, format) })
	}
}

func publishFormats(t *testing.T, format string) {
	b := startBroker(t, nil)
	sub := newMQTTClient(t, b, nil, "vscp/#", "vscpxml/#", "vscpstr/#", "vscpbin/#")
	c := with(baseConf(),
		"ws2-event-format", format,
		// Types ≥ 0x8000 are rejected on the way in.
		"filter", conf{"in-filter": "0,0,0,-", "in-mask": "0,0,0x8000,-"},
		"mqtt", mqttBlock(b, "publish", []any{
			pubEntry("vscp/{{guid}}/{{class}}/{{type}}", 1, false, "json"),
			pubEntry("vscpxml/{{xclass}}/{{xtype}}/{{nickname}}", 0, false, "XML"),
			pubEntry("vscpstr/{{ifguid}}/{{obid}}/{{type}}", 1, true, "string"),
			pubEntry("vscpbin/{{xguid.lsb}}/{{nodeid}}/{{xhead}}/{{ xobid }}", 2, false, "binary"),
		}))
	d := open(t, c, t.TempDir())
	awaitCount(t, d, "mqtt_connects", 1)

	w1 := dialClient(t, d, false, sessOpen)
	w2 := dialClient(t, d, true, sessClosed)
	w1.sendEvent(t, "E;0x60,10,6,0,2024-03-04T05:06:07Z,1234,-,0x11,0x22,0x33")
	w1.sendEvent(t, "E;0,10,0x8001,0,2024-03-04T05:06:07Z,1,-")
	w2.sendEvent(t, `{"type":"EVENT","event":{"vscpHead":64,"vscpClass":1040,"vscpType":10,"vscpDateTime":"2025-12-31T23:59:58Z",`+
		`"vscpTimeStamp":4294967295,"vscpGuid":"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F","vscpData":[0,255],"vscpNote":"a<b&\"c'"}}`)
	w1.sendEvent(t, "E;0,10,7,0,,0,-")

	// The host copies carry the normalisation (obid, GUID, datetime,
	// timestamp), and the published events must be the same events.
	evA, evB, evC := hostRead(t, d), hostRead(t, d), hostRead(t, d)
	if evA.OBID == 0 || evA.OBID != evC.OBID || evB.OBID == 0 || evB.OBID == evA.OBID {
		t.Fatalf("session ids as obid: ws1 %d, %d; ws2 %d", evA.OBID, evC.OBID, evB.OBID)
	}
	if evA.GUID != ifGUID || evC.GUID != ifGUID || refGUID(evB.GUID) != "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F" {
		t.Fatalf("GUIDs %s %s %s", refGUID(evA.GUID), refGUID(evB.GUID), refGUID(evC.GUID))
	}
	if refDateTime(evA.DateTime) != "2024-03-04T05:06:07Z" || evA.Timestamp != 1234 ||
		refDateTime(evC.DateTime) == "" || evC.Timestamp == 0 || evB.Note != `a<b&"c'` {
		t.Fatalf("normalised events %s / %s / %s", refString(evA), refString(evB), refString(evC))
	}

	type expect struct {
		payload string
		kind    string // how loosely to compare, see samePayload
		qos     byte
	}
	want := map[string]expect{}
	add := func(ev *driver.Event, jsonTopic, xmlTopic string) {
		want[jsonTopic] = expect{refJSON(ev, format), "json", 1}
		want[xmlTopic] = expect{refXML(ev, format), "xml", 0}
		want[fmt.Sprintf("vscpstr/%s/%d/%d", ifgText, ev.OBID, ev.Type)] = expect{refString(ev), "", 1}
		want[fmt.Sprintf("vscpbin/%02X/%d/%04X/%08X", ev.GUID[15], ev.GUID[15], ev.Head, ev.OBID)] = expect{string(refBinary(ev)), "", 2}
	}
	add(evA, "vscp/"+ifgText+"/10/6", "vscpxml/0a/06/43981")
	add(evB, "vscp/00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F/1040/10", "vscpxml/410/0a/3599")
	add(evC, "vscp/"+ifgText+"/10/7", "vscpxml/0a/07/43981")
	if len(want) != 12 {
		t.Fatalf("test bug: %d distinct topics", len(want))
	}
	got := map[string]mqttMsg{}
	for range len(want) {
		m := sub.next(t, fmt.Sprintf("published messages (%d so far)", len(got)))
		if _, dup := got[m.topic]; dup {
			t.Fatalf("topic %q published twice", m.topic)
		}
		got[m.topic] = m
	}
	for topic, w := range want {
		m, ok := got[topic]
		if !ok {
			t.Errorf("nothing published on %q; got topics %v", topic, slices.Sorted(func(y func(string) bool) {
				for k := range got {
					if !y(k) {
						return
					}
				}
			}))
			continue
		}
		if err := samePayload(m.payload, w.payload, w.kind); err != nil {
			t.Errorf("%s: %v", topic, err)
		}
		if m.qos != w.qos {
			t.Errorf("%s: delivered with QoS %d, want %d", topic, m.qos, w.qos)
		}
	}
	awaitCount(t, d, "mqtt_published", 12)
	sub.quiet(t, 300*time.Millisecond, "after the accepted events (the in-filtered one must not be published)")
	checkCounts(t, d, map[string]uint64{
		"in_filtered": 1, "client_events_accepted": 4, "mqtt_publish_errors": 0, "mqtt_publish_dropped": 0,
	})

	// Retain: a late subscriber gets the retained string messages, and
	// nothing retained from the entries without retain.
	late := newMQTTClient(t, b, nil, "vscpstr/#")
	for range 3 {
		m := late.next(t, "retained string message")
		w, ok := want[m.topic]
		if !ok || string(m.payload) != w.payload || !m.retained {
			t.Errorf("late subscriber: %q %q retained %v", m.topic, m.payload, m.retained)
		}
	}
	for _, f := range []string{"vscp/#", "vscpxml/#", "vscpbin/#"} {
		late.subscribe(t, f)
	}
	late.publish(t, "vscp/marker", 1, false, []byte("marker"))
	if m := late.next(t, "marker"); m.topic != "vscp/marker" {
		t.Errorf("late subscriber got %q %q (retained %v) before the marker: only the retain entry may retain", m.topic, m.payload, m.retained)
	}
}

// ---------------------------------------------------------------------------
// MQTT → clients.

// TestMQTTToClients: subscribed messages of every format, and of the auto
// format, reach OPEN ws1 and ws2 sessions in their own encoding, are queued
// for a CLOSED session like host events, never reach an unauthenticated
// session or the host; undecodable payloads are counted and ignored.
func TestMQTTToClients(t *testing.T) {
	b := startBroker(t, nil)
	c := with(baseConf(), "mqtt", mqttBlock(b, "subscribe", []any{
		subEntry("vscp/in/#", 1, "auto"),
		subEntry("vscp/fmt/json", 1, "json"),
		subEntry("vscp/fmt/xml", 1, "xml"),
		subEntry("vscp/fmt/string", 1, "string"),
		subEntry("vscp/fmt/binary", 1, "binary"),
	}))
	d := open(t, c, t.TempDir())
	w1 := dialClient(t, d, false, sessOpen)
	w2 := dialClient(t, d, true, sessOpen)
	unauth := dialClient(t, d, false, sessUnauth)
	closed := dialClient(t, d, false, sessClosed)
	awaitCount(t, d, "mqtt_connects", 1) // subscribed: the count follows the subscriptions
	pub := newMQTTClient(t, b, nil)

	ev := func(typ uint16, obid uint32, note string) *driver.Event {
		return &driver.Event{Head: 0x20, OBID: obid, Class: 20, Type: typ, Timestamp: uint32(typ) * 1000,
			DateTime: driver.DateTime{Year: 2025, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5},
			GUID:     driver.GUID{0x10, 15: byte(typ)}, Data: []byte{byte(typ), 0xA0}, Note: note}
	}
	corrupt := refBinary(ev(14, 0, ""))
	corrupt[30] ^= 0x01 // inside the GUID: the CRC no longer matches (M8)
	encrypted := refBinary(ev(15, 0, ""))
	encrypted[1] = 0x01 // encryption nibble 1; the CRC does not cover this byte
	type msg struct {
		topic   string
		payload []byte
		ev      *driver.Event // nil: must be a decode error
	}
	var msgs []msg
	good := func(topic string, e *driver.Event, payload string) {
		msgs = append(msgs, msg{topic, []byte(payload), e})
	}
	bad := func(topic string, payload []byte) { msgs = append(msgs, msg{topic, payload, nil}) }
	e := ev(1, 101, "j1")
	good("vscp/in/a", e, refJSON(e, "vscp"))
	bad("vscp/in/b", []byte(`{"vscpClass":`))
	e = ev(3, 103, "")
	good("vscp/in/c", e, refString(e))
	e = ev(4, 104, "x4")
	good("vscp/in/d", e, refXML(e, "both"))
	bad("vscp/in/e", []byte("0,20"))
	e = ev(6, 0, "") // the binary frame has no obid and no note
	good("vscp/in/f", e, string(refBinary(e)))
	e = ev(7, 107, "s7")
	good("vscp/in/g", e, " \n\t"+refJSON(e, "short"))
	e = ev(8, 108, "")
	good("vscp/fmt/json", e, refJSON(e, "both"))
	bad("vscp/fmt/string", []byte(`{"class":20,"type":1}`))
	e = ev(10, 110, "")
	good("vscp/fmt/xml", e, refXML(e, "vscp"))
	bad("vscp/fmt/json", []byte(refXML(ev(11, 0, ""), "vscp")))
	e = ev(12, 112, "")
	good("vscp/fmt/string", e, refString(e))
	e = ev(13, 0, "")
	good("vscp/fmt/binary", e, string(refBinary(e)))
	bad("vscp/fmt/binary", corrupt)
	bad("vscp/in/h", encrypted)
	bad("vscp/fmt/xml", []byte("0,20,3,0"))

	var want1, want2 []string
	decodeErrors := 0
	for _, m := range msgs {
		pub.publish(t, m.topic, 1, false, m.payload)
		if m.ev == nil {
			decodeErrors++
			continue
		}
		want1 = append(want1, ws1Frame(m.ev))
		want2 = append(want2, ws2Frame(m.ev, "both"))
	}
	got1 := w1.frames(t, len(want1), "ws1 OPEN")
	got2 := w2.frames(t, len(want2), "ws2 OPEN")
	for i := range want1 {
		if got1[i] != want1[i] {
			t.Errorf("ws1 event %d:\n got %q\nwant %q", i, got1[i], want1[i])
		}
		if got2[i] != want2[i] {
			t.Errorf("ws2 event %d:\n got %q\nwant %q", i, got2[i], want2[i])
		}
	}
	awaitCount(t, d, "mqtt_received", uint64(len(msgs)))
	awaitCount(t, d, "mqtt_decode_errors", uint64(decodeErrors))

	writeMarker(t, d)
	if extra := w1.untilMarker(t, "ws1 OPEN"); len(extra) != 0 {
		t.Errorf("ws1 OPEN: extra frames %q", extra)
	}
	if extra := w2.untilMarker(t, "ws2 OPEN"); len(extra) != 0 {
		t.Errorf("ws2 OPEN: extra frames %q", extra)
	}
	// The CLOSED session had them queued: OPEN releases them, in order.
	if err := closed.command("OPEN"); err != nil {
		t.Fatal(err)
	}
	if got := closed.untilMarker(t, "ws1 CLOSED then OPEN"); !slices.Equal(got, want1) {
		t.Errorf("CLOSED session after OPEN:\n got %q\nwant %q", got, want1)
	}
	if err := unauth.command("NOOP"); err != nil {
		t.Fatal(err)
	}
	unauth.silent(t, 300*time.Millisecond, "unauthenticated session")
	noHostEvent(t, d)
	checkCounts(t, d, map[string]uint64{
		"mqtt_loop_suppressed": 0, "mqtt_out_queue_full": 0, "host_events_read": 0, "mqtt_published": 0,
	})
}

// ---------------------------------------------------------------------------
// Reconnect.

// TestMQTTReconnect: the broker dies; events accepted meanwhile are
// published, in order, once the bridge has reconnected on its schedule (delay
// 1, delay-max 2 → waits 1, 2, 2, …).
func TestMQTTReconnect(t *testing.T) {
	b := startBroker(t, nil)
	c := with(baseConf(), "mqtt", mqttBlock(b, "publish", []any{
		pubEntry("vscp/{{guid}}/{{class}}/{{type}}", 1, false, "json"),
	}))
	d := open(t, c, t.TempDir())
	awaitCount(t, d, "mqtt_connects", 1)
	s1 := newMQTTClient(t, b, nil, "vscp/#")
	cl := dialClient(t, d, false, sessOpen)
	cl.sendEvent(t, "E;0,10,1,0,2024-03-04T05:06:07Z,1,-,1")
	ev := hostRead(t, d)
	if m := s1.next(t, "event before the broker dies"); string(m.payload) != refJSON(ev, "both") {
		t.Fatalf("before the kill: %q, want %q", m.payload, refJSON(ev, "both"))
	}
	awaitCount(t, d, "mqtt_published", 1)

	b.kill()
	awaitCount(t, d, "mqtt_disconnects", 1)
	lost := time.Now()
	if got, want := mqttStatus(t, d), mqttStatusWant(false, b.addr(), 0, 1); got != want {
		t.Errorf("status while the broker is down: %s, want %s", got, want)
	}
	// Hold the port: the bridge's next attempt reaches this listener and
	// fails, so the one after it is a full delay-max (2 s) away, which
	// leaves the restarted broker time to take the test's subscription.
	ph, err := net.Listen("tcp", b.addr())
	if err != nil {
		t.Fatalf("holding the broker port: %v", err)
	}
	type caughtAttempt struct {
		at  time.Time
		err error
	}
	attempt := make(chan caughtAttempt, 1)
	go func() {
		_ = ph.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
		conn, err := ph.Accept()
		at := time.Now()
		if err == nil {
			_ = conn.(*net.TCPConn).SetLinger(0)
			_ = conn.Close()
		}
		_ = ph.Close()
		attempt <- caughtAttempt{at, err}
	}()
	var evs []*driver.Event
	for typ := 2; typ <= 6; typ++ {
		cl.sendEvent(t, fmt.Sprintf("E;0,10,%d,0,2024-03-04T05:06:07Z,%d,-,%d", typ, typ, typ))
		evs = append(evs, hostRead(t, d))
	}
	ca := <-attempt
	if ca.err != nil {
		t.Fatalf("no reconnect attempt on the broker's port: %v", ca.err)
	}
	caught := ca.at
	// Timers never fire early, so the lower bounds are firm; the upper
	// ones leave room for a loaded machine.
	if dt := caught.Sub(lost); dt < 700*time.Millisecond || dt > 2500*time.Millisecond {
		t.Errorf("first reconnect attempt %v after the loss, want about delay = 1 s", dt)
	}
	b.restart()
	s2 := newMQTTClient(t, b, nil, "vscp/#")
	deadline := time.Now().Add(6 * time.Second)
	for count(d, "mqtt_connects") < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := count(d, "mqtt_connects"); n != 2 {
		t.Fatalf("mqtt_connects = %d after the restart, want 2", n)
	}
	if dt := time.Since(caught); dt < 1800*time.Millisecond || dt > 4*time.Second {
		t.Errorf("reconnected %v after the failed attempt, want about delay-max = 2 s", dt)
	}
	for i, ev := range evs {
		m := s2.next(t, fmt.Sprintf("event %d sent while the broker was down", i+2))
		if want := refJSON(ev, "both"); string(m.payload) != want || m.qos != 1 {
			t.Errorf("after the reconnect, message %d: %q QoS %d, want %q QoS 1", i, m.payload, m.qos, want)
		}
	}
	awaitCount(t, d, "mqtt_published", 6)
	checkCounts(t, d, map[string]uint64{"mqtt_connects": 2, "mqtt_disconnects": 1, "mqtt_publish_dropped": 0, "mqtt_publish_errors": 0})
	if got, want := mqttStatus(t, d), mqttStatusWant(true, b.addr(), 0, 1); got != want {
		t.Errorf("status after the reconnect: %s, want %s", got, want)
	}
}

// ---------------------------------------------------------------------------
// TLS.

// TestMQTTBrokerTLS: with the broker's CA the bridge connects over TLS
// (ssl:// scheme, or a cafile with no scheme: the vscpd rule) and publishes;
// with another CA it never connects, yet the instance opens.
func TestMQTTBrokerTLS(t *testing.T) {
	p := newPKI(t)
	certFile, keyFile := p.serverPair("broker", 2)
	b := startBroker(t, &brokerTLS{caFile: p.caFile, certFile: certFile, keyFile: keyFile})
	other := newPKI(t)
	pubs := []any{pubEntry("tls/{{ifguid}}/{{class}}/{{type}}", 1, false, "string")}
	dir := t.TempDir()
	withCA := open(t, with(baseConf(), "mqtt", mqttBlock(b, "publish", pubs, "tls", conf{"cafile": p.caFile})), dir)
	noScheme := open(t, with(baseConf(), "mqtt", mqttBlock(b, "host", b.addr(), "publish", pubs, "tls", conf{"cafile": p.caFile})), dir)
	wrongCA, err := tryOpen(with(baseConf(), "mqtt", mqttBlock(b, "publish", pubs, "tls", conf{"cafile": other.caFile})), dir)
	opened := time.Now()
	if err != nil {
		t.Fatalf("open with an untrusted broker: %v (the broker is never required)", err)
	}
	t.Cleanup(func() { _ = wrongCA.Close() })

	sub := newMQTTClient(t, b, p.clientTLS(), "tls/#")
	for i, d := range []*driver.Driver{withCA, noScheme} {
		awaitCount(t, d, "mqtt_connects", 1)
		cl := dialClient(t, d, false, sessOpen)
		cl.sendEvent(t, fmt.Sprintf("E;0,10,%d,0,2024-03-04T05:06:07Z,9,-", 60+i))
		ev := hostRead(t, d)
		m := sub.next(t, "event published over TLS")
		if wantTopic := fmt.Sprintf("tls/%s/10/%d", ifgText, 60+i); m.topic != wantTopic || string(m.payload) != refString(ev) {
			t.Errorf("over TLS: %q %q, want %q %q", m.topic, m.payload, wantTopic, refString(ev))
		}
		if got, want := mqttStatus(t, d), mqttStatusWant(true, b.addr(), 0, 1); got != want {
			t.Errorf("status: %s, want %s", got, want)
		}
	}
	// By now the untrusted bridge has failed at least twice (at once, and
	// after the 1 s delay).
	time.Sleep(time.Until(opened.Add(1500 * time.Millisecond)))
	if n := count(wrongCA, "mqtt_connects"); n != 0 {
		t.Errorf("wrong CA: mqtt_connects = %d, want 0", n)
	}
	if got, want := mqttStatus(t, wrongCA), mqttStatusWant(false, b.addr(), 0, 1); got != want {
		t.Errorf("wrong CA: status %s, want %s", got, want)
	}
	closeWithinBudget(t, wrongCA, "bridge retrying after TLS failures")
}

// closeWithinBudget closes d and checks Close's 2 s budget, which holds
// while the bridge is retrying because Close stops the retries.
func closeWithinBudget(tb testing.TB, d *driver.Driver, what string) {
	tb.Helper()
	start := time.Now()
	err := d.Close()
	dt := time.Since(start)
	tb.Logf("%s: Close took %v", what, dt)
	if err != nil || dt > 2500*time.Millisecond {
		tb.Errorf("%s: Close took %v: %v", what, dt, err)
	}
}

// ---------------------------------------------------------------------------
// Will.

// TestMQTTWill: an abrupt loss of the connection makes the broker publish the
// will on the rendered topic; a graceful close with a retained will clears
// it.
func TestMQTTWill(t *testing.T) {
	b := startBroker(t, nil)
	px := startProxy(t, b.addr())
	c := with(baseConf(), "mqtt", mqttBlock(b, "host", "tcp://"+px.addr(),
		"will", conf{"topic": "vscp/will/{{ifguid}}", "payload": "down", "qos": 1, "retain": true}))
	s := newMQTTClient(t, b, nil, "vscp/will/#")
	d := open(t, c, t.TempDir())
	awaitCount(t, d, "mqtt_connects", 1)
	s.quiet(t, 100*time.Millisecond, "while the bridge is connected")
	if n := px.cut(); n != 2 {
		t.Fatalf("the proxy cut %d sockets, want 2", n)
	}
	willTopic := "vscp/will/" + ifgText
	m := s.next(t, "the will")
	if m.topic != willTopic || string(m.payload) != "down" || m.qos != 1 {
		t.Fatalf("will: %q %q QoS %d, want %q \"down\" QoS 1", m.topic, m.payload, m.qos, willTopic)
	}
	awaitCount(t, d, "mqtt_disconnects", 1)
	awaitCount(t, d, "mqtt_connects", 2)
	if px.proxied() != 2 {
		t.Fatalf("%d connections through the proxy, want 2", px.proxied())
	}
	late := newMQTTClient(t, b, nil, "vscp/will/#")
	if m := late.next(t, "retained will"); m.topic != willTopic || string(m.payload) != "down" || !m.retained {
		t.Fatalf("late subscriber: %q %q retained %v, want the retained will", m.topic, m.payload, m.retained)
	}

	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if m := s.next(t, "the will being cleared"); m.topic != willTopic || len(m.payload) != 0 {
		t.Errorf("on Close: %q %q, want an empty message on %q", m.topic, m.payload, willTopic)
	}
	s.quiet(t, 300*time.Millisecond, "after a graceful close (no will)")
	late2 := newMQTTClient(t, b, nil, "vscp/will/#")
	late2.publish(t, "vscp/will/marker", 1, false, []byte("marker"))
	if m := late2.next(t, "marker"); m.topic != "vscp/will/marker" {
		t.Errorf("after Close a new subscriber got %q %q (retained %v) before the marker: the retained will was not cleared", m.topic, m.payload, m.retained)
	}
}

// ---------------------------------------------------------------------------
// Loop suppression and scale-out.

// TestMQTTLoopSuppression: a bridge subscribed to its own publish topic does
// not deliver its own events back, unless receive-sent-events is set.
func TestMQTTLoopSuppression(t *testing.T) {
	for _, echo := range []bool{false, true} {
		t.Run(fmt.Sprintf("receive-sent-events=%v", echo), func(t *testing.T) {
			b := startBroker(t, nil)
			c := with(baseConf(), "receive-sent-events", echo, "mqtt", mqttBlock(b,
				"publish", []any{pubEntry("vscp/{{guid}}/{{class}}/{{type}}", 1, false, "json")},
				"subscribe", []any{subEntry("vscp/#", 1, "auto")}))
			d := open(t, c, t.TempDir())
			awaitCount(t, d, "mqtt_connects", 1)
			sender := dialClient(t, d, false, sessOpen)
			other := dialClient(t, d, true, sessOpen)
			if early := sender.sendEvent(t, "E;0,10,6,0,2024-03-04T05:06:07Z,5,-,1,2,3"); len(early) != 0 {
				t.Fatalf("event frames before the reply: %q", early)
			}
			ev := hostRead(t, d)
			awaitCount(t, d, "mqtt_received", 1)
			copies := 1 // local forwarding to the other session
			if echo {
				copies = 2 // … plus the bridge's copy; the sender gets its echo and the bridge's copy
				awaitCount(t, d, "mqtt_loop_suppressed", 0)
				for _, f := range sender.frames(t, 2, "sender") {
					if f != ws1Frame(ev) {
						t.Errorf("sender: %q, want %q", f, ws1Frame(ev))
					}
				}
			} else {
				awaitCount(t, d, "mqtt_loop_suppressed", 1)
			}
			for _, f := range other.frames(t, copies, "other session") {
				if f != ws2Frame(ev, "both") {
					t.Errorf("other session: %q, want %q", f, ws2Frame(ev, "both"))
				}
			}
			writeMarker(t, d)
			if extra := sender.untilMarker(t, "sender"); len(extra) != 0 {
				t.Errorf("sender: extra frames %q", extra)
			}
			if extra := other.untilMarker(t, "other session"); len(extra) != 0 {
				t.Errorf("other session: extra frames %q", extra)
			}
			// Counted at the broker's acknowledgement, which may come after
			// the broker has already delivered the copy back.
			awaitCount(t, d, "mqtt_published", 1)
			checkCounts(t, d, map[string]uint64{"mqtt_decode_errors": 0})
		})
	}
}

// TestMQTTScaleOut: two instances bridged to one broker; an event of a
// client of A reaches B's sessions once through the broker and A's other
// session once through local forwarding.
func TestMQTTScaleOut(t *testing.T) {
	b := startBroker(t, nil)
	c := with(baseConf(), "mqtt", mqttBlock(b,
		"publish", []any{pubEntry("vscp/{{guid}}/{{class}}/{{type}}", 1, false, "json")},
		"subscribe", []any{subEntry("vscp/#", 1, "auto")}))
	guidA := driver.GUID{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 14: 0x0A, 15: 0x01}
	guidB := driver.GUID{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 14: 0x0B, 15: 0x01}
	dA := openWithGUID(t, c, guidA)
	dB := openWithGUID(t, c, guidB)
	awaitCount(t, dA, "mqtt_connects", 1)
	awaitCount(t, dB, "mqtt_connects", 1)
	a1 := dialClient(t, dA, false, sessOpen)
	a2 := dialClient(t, dA, true, sessOpen)
	b1 := dialClient(t, dB, false, sessOpen)
	b2 := dialClient(t, dB, true, sessOpen)

	a1.sendEvent(t, "E;0,10,6,0,2024-03-04T05:06:07Z,77,-,1,2")
	ev := hostRead(t, dA)
	if ev.GUID != guidA {
		t.Fatalf("GUID %s, want A's interface GUID", refGUID(ev.GUID))
	}
	if f := b1.frames(t, 1, "B ws1")[0]; f != ws1Frame(ev) {
		t.Errorf("B ws1: %q, want %q", f, ws1Frame(ev))
	}
	if f := b2.frames(t, 1, "B ws2")[0]; f != ws2Frame(ev, "both") {
		t.Errorf("B ws2: %q, want %q", f, ws2Frame(ev, "both"))
	}
	awaitCount(t, dA, "mqtt_loop_suppressed", 1)
	awaitCount(t, dB, "mqtt_received", 1)
	writeMarker(t, dA)
	writeMarker(t, dB)
	if got := a2.untilMarker(t, "A ws2"); !slices.Equal(got, []string{ws2Frame(ev, "both")}) {
		t.Errorf("A's other session: %q, want the event once", got)
	}
	if extra := a1.untilMarker(t, "A ws1 (sender)"); len(extra) != 0 {
		t.Errorf("sender: %q", extra)
	}
	if extra := b1.untilMarker(t, "B ws1"); len(extra) != 0 {
		t.Errorf("B ws1: extra %q", extra)
	}
	if extra := b2.untilMarker(t, "B ws2"); len(extra) != 0 {
		t.Errorf("B ws2: extra %q", extra)
	}
	noHostEvent(t, dB)
	awaitCount(t, dA, "mqtt_published", 1) // counted at the acknowledgement
	checkCounts(t, dA, map[string]uint64{"mqtt_received": 1, "mqtt_loop_suppressed": 1})
	checkCounts(t, dB, map[string]uint64{"mqtt_published": 0, "mqtt_received": 1, "mqtt_loop_suppressed": 0})
}

// ---------------------------------------------------------------------------
// Status document.

// TestMQTTStatus: the status document's mqtt object and counters.
func TestMQTTStatus(t *testing.T) {
	b := startBroker(t, nil)
	c := with(baseConf(), "mqtt", mqttBlock(b,
		"publish", []any{
			pubEntry("st/a/{{class}}", 0, false, "json"),
			pubEntry("st/b/{{class}}", 1, false, "string"),
			pubEntry("st/c/{{class}}", 1, false, "binary"),
		},
		"subscribe", []any{subEntry("in/one/#", 0, "auto"), subEntry("in/two", 1, "json")}))
	d := open(t, c, t.TempDir())
	awaitCount(t, d, "mqtt_connects", 1)
	if got, want := mqttStatus(t, d), mqttStatusWant(true, b.addr(), 2, 3); got != want {
		t.Errorf("mqtt status %s, want %s", got, want)
	}
	doc := statusDoc(t, d)
	for _, name := range []string{"mqtt_connects", "mqtt_disconnects", "mqtt_published", "mqtt_publish_dropped",
		"mqtt_publish_errors", "mqtt_received", "mqtt_decode_errors", "mqtt_loop_suppressed", "mqtt_out_queue_full"} {
		if !strings.Contains(doc, `"`+name+`":`) {
			t.Errorf("counter %s missing from %s", name, doc)
		}
	}
	docCounter := func(name string) uint64 {
		var m struct {
			Counters map[string]uint64 `json:"counters"`
		}
		if err := json.Unmarshal([]byte(statusDoc(t, d)), &m); err != nil {
			t.Fatal(err)
		}
		return m.Counters[name]
	}
	if docCounter("mqtt_published") != 0 || docCounter("mqtt_received") != 0 || docCounter("mqtt_connects") != 1 {
		t.Errorf("counters before traffic: %s", statusDoc(t, d))
	}
	cl := dialClient(t, d, true, sessOpen)
	cl.sendEvent(t, `{"type":"EVENT","event":{"vscpClass":10,"vscpType":6,"vscpData":[1]}}`)
	awaitCount(t, d, "mqtt_published", 3)
	if v := docCounter("mqtt_published"); v != 3 {
		t.Errorf("status mqtt_published = %d, want 3", v)
	}
	pub := newMQTTClient(t, b, nil)
	pub.publish(t, "in/two", 1, false, []byte(`{"class":10,"type":9}`))
	cl.frames(t, 1, "ws2")
	awaitCount(t, d, "mqtt_received", 1)
	if v := docCounter("mqtt_received"); v != 1 {
		t.Errorf("status mqtt_received = %d, want 1", v)
	}

	off := open(t, with(baseConf(), "mqtt", conf{"enable": false, "host": b.url()}), t.TempDir())
	if got, want := mqttStatus(t, off), `{"enabled":false,"connected":false,"broker":"","subscriptions":0,"publish_topics":0}`; got != want {
		t.Errorf("disabled bridge: %s, want %s", got, want)
	}

	b.kill()
	if !waitFor(func() bool { return mqttStatus(t, d) == mqttStatusWant(false, b.addr(), 2, 3) }) {
		t.Errorf("after the broker died: %s, want connected false", mqttStatus(t, d))
	}
	closeWithinBudget(t, d, "bridge waiting to reconnect")
}
