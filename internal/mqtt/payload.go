package mqtt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// Encode appends the publish payload of ev in format to dst:
//
//   - json: the ws2 event object with the keys jf selects,
//     no envelope;
//   - xml: <event name="value" … /> with the same keys in the same order;
//   - string: the ws1 event text without the "E;" prefix;
//   - binary: the 0x00 marker and a type-0 binary frame (EncodeBinary).
//
// Publish entries cannot have the auto format; it and any unknown value are
// encoded as json, the default publish format.
func Encode(dst []byte, ev *vscp.Event, format config.MQTTFormat, jf vscp.JSONFormat) []byte {
	switch format {
	case config.MQTTFormatXML:
		return AppendEventXML(dst, ev, jf)
	case config.MQTTFormatString:
		return vscp.AppendEventString(dst, ev)
	case config.MQTTFormatBinary:
		return EncodeBinary(dst, ev)
	default:
		return vscp.AppendEventJSON(dst, ev, jf)
	}
}

// Decode decodes a received payload in format; MQTTFormatAuto picks the
// format with Detect first. now is the time an unset datetime stands for in
// the json, xml and string forms; a binary frame keeps the datetime it
// carries (the bridge replaces an unset one).
func Decode(payload []byte, format config.MQTTFormat, now time.Time) (vscp.Event, error) {
	if format == config.MQTTFormatAuto {
		format = Detect(payload)
	}
	switch format {
	case config.MQTTFormatJSON:
		return vscp.DecodeEventJSON(payload, now)
	case config.MQTTFormatXML:
		return DecodeEventXML(payload, now)
	case config.MQTTFormatString:
		return vscp.ParseEventString(string(payload), now)
	case config.MQTTFormatBinary:
		return DecodeBinary(payload)
	default:
		return vscp.Event{}, fmt.Errorf("unknown payload format %v", format)
	}
}

// Detect is the auto format rule: a first byte 0x00 with more bytes after it
// is binary; otherwise, after leading ASCII whitespace, '{' is json, '<' is
// xml and anything else (including an empty payload) is string.
func Detect(payload []byte) config.MQTTFormat {
	if len(payload) > 1 && payload[0] == 0x00 {
		return config.MQTTFormatBinary
	}
	i := 0
	for i < len(payload) && isSpace(payload[i]) {
		i++
	}
	if i < len(payload) {
		switch payload[i] {
		case '{':
			return config.MQTTFormatJSON
		case '<':
			return config.MQTTFormatXML
		}
	}
	return config.MQTTFormatString
}

// isSpace reports whether c is ASCII whitespace (SP, HT, CR, LF, VT, FF).
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\v', '\f':
		return true
	}
	return false
}

// The event keys of the ws2 event object in output order: the nine vscp*
// keys, then the nine short keys.
var eventKeys = [18]string{
	"vscpHead", "vscpObId", "vscpDateTime", "vscpTimeStamp", "vscpClass", "vscpType", "vscpGuid", "vscpData", "vscpNote",
	"head", "obid", "datetime", "timestamp", "class", "type", "guid", "data", "note",
}

// AppendEventXML appends the xml payload of ev:
//
//	<event vscpHead="96" … vscpNote="" />
//
// with the keys jf selects (vscp: the first nine, short: the last nine, both
// or an unknown value: all eighteen) in eventKeys order. Numbers are decimal,
// datetime and GUID use the ws1 event text forms, data is 0x%02X bytes joined
// by ','. Values are XML-escaped: & < > " ' as entities, and tab, LF and CR
// as character references so that attribute-value normalisation does not turn
// them into spaces. Characters XML 1.0 cannot carry at all (other C0
// controls, U+FFFE, U+FFFF, invalid UTF-8) become U+FFFD.
func AppendEventXML(dst []byte, ev *vscp.Event, jf vscp.JSONFormat) []byte {
	keys := eventKeys[:]
	switch jf {
	case vscp.JSONVSCP:
		keys = eventKeys[:9]
	case vscp.JSONShort:
		keys = eventKeys[9:]
	}
	dst = append(dst, "<event"...)
	for i, k := range keys {
		dst = append(dst, ' ')
		dst = append(dst, k...)
		dst = append(dst, '=', '"')
		dst = appendXMLValue(dst, ev, i%9)
		dst = append(dst, '"')
	}
	return append(dst, " />"...)
}

// appendXMLValue appends the value of field f (index into the nine keys of
// one spelling) without quotes.
func appendXMLValue(dst []byte, ev *vscp.Event, f int) []byte {
	switch f {
	case 0:
		return strconv.AppendUint(dst, uint64(ev.Head), 10)
	case 1:
		return strconv.AppendUint(dst, uint64(ev.OBID), 10)
	case 2:
		return ev.DateTime.AppendText(dst)
	case 3:
		return strconv.AppendUint(dst, uint64(ev.Timestamp), 10)
	case 4:
		return strconv.AppendUint(dst, uint64(ev.Class), 10)
	case 5:
		return strconv.AppendUint(dst, uint64(ev.Type), 10)
	case 6:
		return ev.GUID.AppendText(dst)
	case 7:
		for i, b := range ev.Data {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '0', 'x', upperDigits[b>>4], upperDigits[b&0x0F])
		}
		return dst
	default:
		return appendXMLEscaped(dst, ev.Note)
	}
}

// appendXMLEscaped appends s escaped for a double-quoted XML attribute.
func appendXMLEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case '&':
				dst = append(dst, "&amp;"...)
			case '<':
				dst = append(dst, "&lt;"...)
			case '>':
				dst = append(dst, "&gt;"...)
			case '"':
				dst = append(dst, "&quot;"...)
			case '\'':
				dst = append(dst, "&apos;"...)
			case '\t':
				dst = append(dst, "&#x9;"...)
			case '\n':
				dst = append(dst, "&#xA;"...)
			case '\r':
				dst = append(dst, "&#xD;"...)
			default:
				if c < 0x20 {
					dst = append(dst, "\uFFFD"...)
				} else {
					dst = append(dst, c)
				}
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// DecodeEventXML decodes an xml payload: a well-formed XML document whose
// root element is named event (any namespace), optionally preceded by an XML
// declaration, comments, a doctype and whitespace, and followed only by
// comments, processing instructions and whitespace.
//
// The unprefixed attributes of the root carry the fields under the names of
// ws2 events (vscpHead/head, vscpObId/obid, vscpDateTime/datetime/dateTime,
// vscpTimeStamp/timestamp, timestamp_ns, vscpClass/class, vscpType/type,
// vscpGuid/guid, vscpData/data, vscpNote/note); with several spellings the
// vscp* one wins, then the one listed first, and a repeated attribute
// resolves to its last occurrence. Numbers follow the number grammar (an
// empty value is 0), datetime the datetime grammar ("" or "0" is now, as is a
// missing datetime), GUIDs the GUID grammar, data is a comma-separated list
// of numbers ≤ 255 ("" is no data). timestamp_ns works as in the JSON codec.
// Other attributes and all content of the root element are ignored.
func DecodeEventXML(payload []byte, now time.Time) (vscp.Event, error) {
	attrs, err := xmlRootAttrs(payload)
	if err != nil {
		return vscp.Event{}, err
	}
	get := func(keys ...string) (string, string, bool) {
		for _, k := range keys {
			if v, ok := attrs[k]; ok {
				return k, v, true
			}
		}
		return "", "", false
	}
	num := func(max uint64, keys ...string) (uint64, error) {
		k, s, ok := get(keys...)
		if !ok {
			return 0, nil
		}
		v, err := vscp.ParseNumber(s, max)
		if errors.Is(err, vscp.ErrEmpty) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("xml attribute %q: %w", k, err)
		}
		return v, nil
	}

	var e vscp.Event
	head, err := num(vscp.MaxU16, "vscpHead", "head")
	if err != nil {
		return vscp.Event{}, err
	}
	obid, err := num(vscp.MaxU32, "vscpObId", "obid")
	if err != nil {
		return vscp.Event{}, err
	}
	ts, err := num(vscp.MaxU32, "vscpTimeStamp", "timestamp")
	if err != nil {
		return vscp.Event{}, err
	}
	class, err := num(vscp.MaxU16, "vscpClass", "class")
	if err != nil {
		return vscp.Event{}, err
	}
	typ, err := num(vscp.MaxU16, "vscpType", "type")
	if err != nil {
		return vscp.Event{}, err
	}
	ns, err := num(vscp.MaxU64, "timestamp_ns")
	if err != nil {
		return vscp.Event{}, err
	}
	e.Head, e.OBID, e.Timestamp = uint16(head), uint32(obid), uint32(ts)
	e.Class, e.Type = uint16(class), uint16(typ)

	if k, s, ok := get("vscpDateTime", "datetime", "dateTime"); ok {
		if s = trimSpace(s); s != "" && s != "0" {
			if e.DateTime, err = vscp.ParseDateTime(s); err != nil {
				return vscp.Event{}, fmt.Errorf("xml attribute %q: %w", k, err)
			}
		}
	}
	if k, s, ok := get("vscpGuid", "guid"); ok {
		if e.GUID, err = vscp.ParseGUID(s); err != nil {
			return vscp.Event{}, fmt.Errorf("xml attribute %q: %w", k, err)
		}
	}
	if k, s, ok := get("vscpData", "data"); ok {
		if e.Data, err = vscp.ParseDataList(s); err != nil {
			return vscp.Event{}, fmt.Errorf("xml attribute %q: %w", k, err)
		}
	}
	if _, s, ok := get("vscpNote", "note"); ok {
		e.Note = s
	}

	if ns != 0 {
		e.DateTime = vscp.DateTimeFromUnixNano(ns)
		if e.Timestamp == 0 {
			e.Timestamp = vscp.TimestampFromUnixNano(ns)
		}
	}
	if e.Head&vscp.HeadFrameMask == vscp.HeadFrameUnixNS {
		e.Head &^= vscp.HeadFrameMask
	}
	if e.DateTime.IsUnset() {
		e.DateTime = vscp.DateTimeOf(now)
	}
	return e, nil
}

// xmlRootAttrs checks the document structure and returns the unprefixed
// attributes of the root element named event.
func xmlRootAttrs(payload []byte) (map[string]string, error) {
	d := xml.NewDecoder(bytes.NewReader(payload))
	d.Strict = true
	var attrs map[string]string
	for attrs == nil {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, errors.New("xml payload: no root element")
		}
		if err != nil {
			return nil, fmt.Errorf("xml payload: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "event" {
				return nil, fmt.Errorf("xml payload: root element is %q, want \"event\"", t.Name.Local)
			}
			attrs = make(map[string]string, len(t.Attr))
			for _, a := range t.Attr {
				if a.Name.Space == "" {
					attrs[a.Name.Local] = a.Value
				}
			}
		case xml.CharData:
			if len(bytes.TrimLeft(t, " \t\r\n")) != 0 {
				return nil, errors.New("xml payload: text before the root element")
			}
		case xml.EndElement:
			return nil, errors.New("xml payload: end tag before the root element")
		}
	}
	if err := d.Skip(); err != nil {
		return nil, fmt.Errorf("xml payload: %w", err)
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return attrs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("xml payload: %w", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimLeft(t, " \t\r\n")) != 0 {
				return nil, errors.New("xml payload: text after the root element")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return nil, errors.New("xml payload: content after the root element")
		}
	}
}
