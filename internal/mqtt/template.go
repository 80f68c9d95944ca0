package mqtt

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// TemplateKind says which escapes a topic template may use.
type TemplateKind int

const (
	// PublishTopic templates may use every escape.
	PublishTopic TemplateKind = iota
	// InstanceTopic templates (the will topic and subscribe topics) are
	// rendered without an event: only the instance escapes (ifguid and
	// srvguid families, clientid, user, host, driver-name, driver-level)
	// and user escapes have a value. An event escape renders as "" and is
	// reported as a warning, as vscpd does.
	InstanceTopic
)

// DefaultDriverName is the value of {{driver-name}} when neither the
// user escapes nor Instance.DriverName give one.
const DefaultDriverName = "websocksrv"

// Instance holds the values of the instance escapes.
type Instance struct {
	// IfGUID is the interface GUID (VSCPOpen guid16); it is also the value
	// of the srvguid family, a driver having no server GUID of its own.
	IfGUID vscp.GUID
	// ClientID is the rendered MQTT client id ({{rnd}} replaced).
	ClientID string
	// User is the MQTT user name.
	User string
	// Host is the broker host.
	Host string
	// DriverName is user-escapes["driver-name"] if set, else
	// DefaultDriverName. Empty renders as DefaultDriverName.
	DriverName string
}

// escKind is what one escape renders.
type escKind uint8

const (
	escLiteral    escKind = iota // part.lit verbatim (text, user escapes, "" escapes)
	escGUID                      // event GUID, XX:…:XX
	escGUIDDec                   // GUID[idx], decimal
	escGUIDHex                   // GUID[idx], %02X
	escIfGUID                    // interface GUID, XX:…:XX
	escIfGUIDDec                 // IfGUID[idx], decimal
	escIfGUIDHex                 // IfGUID[idx], %02X
	escNickname                  // GUID[14]×256 + GUID[15], decimal
	escClass                     // decimal
	escType                      // decimal
	escXClass                    // %02x lower-case
	escXType                     // %02x lower-case
	escHead                      // decimal
	escXHead                     // %04X
	escOBID                      // decimal
	escXOBID                     // %08X
	escTimestamp                 // decimal
	escXTimestamp                // %08X
	escSizeData                  // decimal
	escXSizeData                 // %04X
	escData                      // data[idx], decimal, "" beyond the data
	escXData                     // data[idx], %02X, "" beyond the data
	escDateTime                  // ws1 datetime text, "" when unset
	escYear                      // decimal, no padding (and the other fields)
	escMonth
	escDay
	escHour
	escMinute
	escSecond
	escClientID
	escUser
	escHost
	escDriverName
	escFmtPublish // json, xml, string or binary
)

// part is one piece of a parsed template: literal text or one escape.
type part struct {
	kind escKind
	idx  int    // byte index for the [i] escapes
	lit  string // escLiteral only
}

// Template is a parsed topic template. The zero value renders as "".
type Template struct {
	text    string
	parts   []part
	literal bool
}

// escape describes a built-in escape name.
type escape struct {
	kind        escKind
	idx         int
	instance    bool   // has a value in instance topics (will, subscribe)
	unsupported bool   // measurement escapes: "" with a warning
	lit         string // escLiteral: the fixed value
}

// builtins maps the fixed escape names; the indexed ones (guid[i], data[i],
// …) are resolved by lookup.
var builtins = map[string]escape{
	"guid":      {kind: escGUID},
	"guid.msb":  {kind: escGUIDDec, idx: 0},
	"guid.lsb":  {kind: escGUIDDec, idx: 15},
	"xguid.msb": {kind: escGUIDHex, idx: 0},
	"xguid.lsb": {kind: escGUIDHex, idx: 15},

	"ifguid":       {kind: escIfGUID, instance: true},
	"ifguid.msb":   {kind: escIfGUIDDec, idx: 0, instance: true},
	"ifguid.lsb":   {kind: escIfGUIDDec, idx: 15, instance: true},
	"xifguid.msb":  {kind: escIfGUIDHex, idx: 0, instance: true},
	"xifguid.lsb":  {kind: escIfGUIDHex, idx: 15, instance: true},
	"srvguid":      {kind: escIfGUID, instance: true},
	"srvguid.msb":  {kind: escIfGUIDDec, idx: 0, instance: true},
	"srvguid.lsb":  {kind: escIfGUIDDec, idx: 15, instance: true},
	"xsrvguid.msb": {kind: escIfGUIDHex, idx: 0, instance: true},
	"xsrvguid.lsb": {kind: escIfGUIDHex, idx: 15, instance: true},

	"nickname":    {kind: escNickname},
	"nodeid":      {kind: escGUIDDec, idx: 15},
	"class":       {kind: escClass},
	"type":        {kind: escType},
	"xclass":      {kind: escXClass},
	"xtype":       {kind: escXType},
	"class-token": {kind: escLiteral},
	"type-token":  {kind: escLiteral},
	"head":        {kind: escHead},
	"xhead":       {kind: escXHead},
	"obid":        {kind: escOBID},
	"xobid":       {kind: escXOBID},
	"timestamp":   {kind: escTimestamp},
	"xtimestamp":  {kind: escXTimestamp},
	"sizedata":    {kind: escSizeData},
	"xsizedata":   {kind: escXSizeData},
	"datetime":    {kind: escDateTime},

	"year": {kind: escYear}, "local-year": {kind: escYear},
	"month": {kind: escMonth}, "local-month": {kind: escMonth},
	"day": {kind: escDay}, "local-day": {kind: escDay},
	"hour": {kind: escHour}, "local-hour": {kind: escHour},
	"minute": {kind: escMinute}, "local-minute": {kind: escMinute},
	"second": {kind: escSecond}, "local-second": {kind: escSecond},

	"clientid":     {kind: escClientID, instance: true},
	"user":         {kind: escUser, instance: true},
	"host":         {kind: escHost, instance: true},
	"driver-name":  {kind: escDriverName, instance: true},
	"driver-level": {kind: escLiteral, instance: true, lit: "level2"},
	"fmtpublish":   {kind: escFmtPublish},

	"is-measurement": {kind: escLiteral, unsupported: true},
}

// indexedPrefixes maps the prefix of an indexed escape name "prefix[i]" to
// its kind, whether it is an instance escape and the largest index.
var indexedPrefixes = map[string]struct {
	kind     escKind
	instance bool
	max      int
}{
	"guid":     {escGUIDDec, false, 15},
	"xguid":    {escGUIDHex, false, 15},
	"ifguid":   {escIfGUIDDec, true, 15},
	"xifguid":  {escIfGUIDHex, true, 15},
	"srvguid":  {escIfGUIDDec, true, 15},
	"xsrvguid": {escIfGUIDHex, true, 15},
	"data":     {escData, false, vscp.MaxData - 1},
	"xdata":    {escXData, false, vscp.MaxData - 1},
}

// lookup resolves a built-in escape name. Indexed names must be written
// canonically: "guid[3]", not "guid[03]" or "guid[ 3 ]".
func lookup(name string) (escape, bool) {
	if e, ok := builtins[name]; ok {
		return e, true
	}
	if strings.HasPrefix(name, "measurement-") {
		return escape{kind: escLiteral, unsupported: true}, true
	}
	open := strings.IndexByte(name, '[')
	if open <= 0 || name[len(name)-1] != ']' {
		return escape{}, false
	}
	p, ok := indexedPrefixes[name[:open]]
	if !ok {
		return escape{}, false
	}
	digits := name[open+1 : len(name)-1]
	if digits == "" || len(digits) > 3 || (len(digits) > 1 && digits[0] == '0') {
		return escape{}, false
	}
	i, err := strconv.Atoi(digits)
	if err != nil || i < 0 || i > p.max || strconv.Itoa(i) != digits {
		return escape{}, false
	}
	return escape{kind: p.kind, idx: i, instance: p.instance}, true
}

// ParseTemplate parses a topic template (docs/mqtt.md, topics).
//
// An escape is "{{" name "}}" or "{{{" name "}}}" where name contains no
// brace; ASCII whitespace around the name is ignored. Names are
// case-sensitive. userEscapes entries override built-in names; their values
// are inserted verbatim (no escaping, no further rendering).
//
// Everything else is literal text. In particular a "{{" that does not start
// a well-formed escape (unterminated "{{x", "{{a{b}}") and a stray "}}" are
// kept literally; scanning resumes one byte later, so "{{{x}}" renders as
// "{" followed by the value of x and "{{x}}}" as the value followed by "}".
// Such braces, and a "}" right after an escape, produce one warning.
//
// The warnings (at most one per distinct name, in order of appearance)
// report unknown names and unsupported measurement escapes, which render as
// "", and event escapes in an InstanceTopic template, which render as "";
// a last warning reports unbalanced braces.
func ParseTemplate(text string, kind TemplateKind, userEscapes map[string]string) (Template, []string) {
	t := Template{text: text, literal: true}
	var warnings []string
	warned := map[string]bool{}
	warn := func(name, format string, args ...any) {
		if warned[name] {
			return
		}
		warned[name] = true
		warnings = append(warnings, fmt.Sprintf("topic %q: ", text)+fmt.Sprintf(format, args...))
	}

	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{kind: escLiteral, lit: lit.String()})
			lit.Reset()
		}
	}
	stray := false
	for i := 0; i < len(text); {
		if strings.HasPrefix(text[i:], "{{") {
			if raw, end, ok := matchEscape(text, i); ok {
				t.literal = false
				name := trimSpace(raw)
				i = end
				if strings.HasPrefix(text[i:], "}") {
					stray = true // "{{x}}}": a brace left over
				}
				if v, ok := userEscapes[name]; ok {
					lit.WriteString(v)
					continue
				}
				e, known := lookup(name)
				switch {
				case !known:
					warn(name, "unknown escape {{%s}} renders as \"\"", name)
					continue
				case e.unsupported:
					warn(name, "unsupported measurement escape {{%s}} renders as \"\"", name)
					continue
				case kind == InstanceTopic && !e.instance:
					warn(name, "event escape {{%s}} renders as \"\" in a will or subscribe topic", name)
					continue
				}
				if e.kind == escLiteral {
					lit.WriteString(e.lit)
					continue
				}
				flush()
				t.parts = append(t.parts, part{kind: e.kind, idx: e.idx})
				continue
			}
			stray = true
		} else if strings.HasPrefix(text[i:], "}}") {
			stray = true
		}
		lit.WriteByte(text[i])
		i++
	}
	flush()
	if stray {
		warnings = append(warnings, fmt.Sprintf("topic %q: unbalanced braces kept literally", text))
	}
	return t, warnings
}

// matchEscape reports whether an escape starts at text[i] (which begins
// with "{{"): the raw name between the braces and the index after the
// closing braces. The triple form is tried first.
func matchEscape(text string, i int) (raw string, end int, ok bool) {
	try := func(n int) (string, int, bool) {
		open := strings.Repeat("{", n)
		if !strings.HasPrefix(text[i:], open) {
			return "", 0, false
		}
		j := i + n
		k := strings.IndexAny(text[j:], "{}")
		if k < 0 {
			return "", 0, false
		}
		k += j
		if !strings.HasPrefix(text[k:], strings.Repeat("}", n)) {
			return "", 0, false
		}
		return text[j:k], k + n, true
	}
	if raw, end, ok = try(3); ok {
		return raw, end, true
	}
	return try(2)
}

// trimSpace strips leading and trailing ASCII whitespace.
func trimSpace(s string) string {
	isSpace := func(c byte) bool {
		return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
	}
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// Literal reports whether the template has no escapes at all, so that
// Render always returns the template text unchanged. Unbalanced braces,
// which are kept literally, do not count as escapes.
func (t Template) Literal() bool { return t.literal }

// String returns the template text as parsed.
func (t Template) String() string { return t.text }

// Render returns the topic for inst and ev. ev is nil for instance topics;
// event escapes then render as "" (as does every instance escape when inst
// is nil). format is the value of {{fmtpublish}}.
func (t Template) Render(inst *Instance, ev *vscp.Event, format config.MQTTFormat) string {
	if t.literal {
		return t.text
	}
	if len(t.parts) == 1 && t.parts[0].kind == escLiteral {
		return t.parts[0].lit
	}
	var buf [128]byte
	return string(t.AppendRender(buf[:0], inst, ev, format))
}

// AppendRender appends the rendered topic to dst (see Render).
func (t Template) AppendRender(dst []byte, inst *Instance, ev *vscp.Event, format config.MQTTFormat) []byte {
	if t.literal {
		return append(dst, t.text...)
	}
	for _, p := range t.parts {
		switch p.kind {
		case escLiteral:
			dst = append(dst, p.lit...)
		case escIfGUID, escIfGUIDDec, escIfGUIDHex:
			if inst != nil {
				dst = appendGUIDEscape(dst, p, inst.IfGUID)
			}
		case escClientID:
			if inst != nil {
				dst = append(dst, inst.ClientID...)
			}
		case escUser:
			if inst != nil {
				dst = append(dst, inst.User...)
			}
		case escHost:
			if inst != nil {
				dst = append(dst, inst.Host...)
			}
		case escDriverName:
			switch {
			case inst != nil && inst.DriverName != "":
				dst = append(dst, inst.DriverName...)
			default:
				dst = append(dst, DefaultDriverName...)
			}
		default:
			if ev != nil {
				dst = appendEventEscape(dst, p, ev, format)
			}
		}
	}
	return dst
}

// appendGUIDEscape renders the GUID escapes of the event and interface
// families.
func appendGUIDEscape(dst []byte, p part, g vscp.GUID) []byte {
	switch p.kind {
	case escGUID, escIfGUID:
		return g.AppendText(dst)
	case escGUIDDec, escIfGUIDDec:
		return strconv.AppendUint(dst, uint64(g[p.idx]), 10)
	default: // escGUIDHex, escIfGUIDHex
		return appendHex(dst, uint64(g[p.idx]), 2, upperDigits)
	}
}

// appendEventEscape renders an escape whose value comes from the event.
func appendEventEscape(dst []byte, p part, ev *vscp.Event, format config.MQTTFormat) []byte {
	dec := func(v uint64) []byte { return strconv.AppendUint(dst, v, 10) }
	switch p.kind {
	case escGUID, escGUIDDec, escGUIDHex:
		return appendGUIDEscape(dst, p, ev.GUID)
	case escNickname:
		return dec(uint64(ev.GUID[14])<<8 | uint64(ev.GUID[15]))
	case escClass:
		return dec(uint64(ev.Class))
	case escType:
		return dec(uint64(ev.Type))
	case escXClass:
		return appendHex(dst, uint64(ev.Class), 2, lowerDigits)
	case escXType:
		return appendHex(dst, uint64(ev.Type), 2, lowerDigits)
	case escHead:
		return dec(uint64(ev.Head))
	case escXHead:
		return appendHex(dst, uint64(ev.Head), 4, upperDigits)
	case escOBID:
		return dec(uint64(ev.OBID))
	case escXOBID:
		return appendHex(dst, uint64(ev.OBID), 8, upperDigits)
	case escTimestamp:
		return dec(uint64(ev.Timestamp))
	case escXTimestamp:
		return appendHex(dst, uint64(ev.Timestamp), 8, upperDigits)
	case escSizeData:
		return dec(uint64(len(ev.Data)))
	case escXSizeData:
		return appendHex(dst, uint64(len(ev.Data)), 4, upperDigits)
	case escData:
		if p.idx < len(ev.Data) {
			return dec(uint64(ev.Data[p.idx]))
		}
	case escXData:
		if p.idx < len(ev.Data) {
			return appendHex(dst, uint64(ev.Data[p.idx]), 2, upperDigits)
		}
	case escDateTime:
		return ev.DateTime.AppendText(dst)
	case escYear:
		return dec(uint64(ev.DateTime.Year))
	case escMonth:
		return dec(uint64(ev.DateTime.Month))
	case escDay:
		return dec(uint64(ev.DateTime.Day))
	case escHour:
		return dec(uint64(ev.DateTime.Hour))
	case escMinute:
		return dec(uint64(ev.DateTime.Minute))
	case escSecond:
		return dec(uint64(ev.DateTime.Second))
	case escFmtPublish:
		return append(dst, format.String()...)
	}
	return dst
}

const (
	upperDigits = "0123456789ABCDEF"
	lowerDigits = "0123456789abcdef"
)

// appendHex appends v in hexadecimal with the given digits, zero-padded to
// at least width digits (printf "%0*X" / "%0*x").
func appendHex(dst []byte, v uint64, width int, digits string) []byte {
	var buf [16]byte
	i := len(buf)
	for v != 0 || len(buf)-i < width {
		i--
		buf[i] = digits[v&0xF]
		v >>= 4
	}
	return append(dst, buf[i:]...)
}

// ValidPublishTopic reports whether a rendered topic may be published: it is
// not empty and contains no wildcard ('+' or '#'). Other topics are counted
// as publish errors by the bridge.
func ValidPublishTopic(s string) bool {
	return s != "" && !strings.ContainsAny(s, "+#")
}
