package vscp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DecodeEventJSON decodes the JSON event object of ws2 and MQTT. obj is the
// JSON text of the value and must be an object. Every field accepts the
// spellings listed in docs/protocols.md (sending an event); the vscp* key
// wins over the short key, which wins over later aliases, and null means
// absent. Unknown keys are ignored.
//
// Absent numbers are 0, an absent or "now" datetime ("", "0" or the number
// 0) becomes now, an absent GUID is zero. A non-zero timestamp_ns sets the
// datetime to that instant and, unless an explicit non-zero timestamp was
// given, the timestamp to (ns / 1000) mod 2^32. Head frame bits 01 are
// cleared. Any invalid field fails the whole event.
func DecodeEventJSON(obj []byte, now time.Time) (Event, error) {
	m, err := decodeObject(obj, "event")
	if err != nil {
		return Event{}, err
	}
	var e Event
	num := func(max uint64, keys ...string) (uint64, error) {
		k, raw := pick(m, keys...)
		v, _, err := jsonUint(raw, max)
		if err != nil {
			return 0, fmt.Errorf("field %q: %w", k, err)
		}
		return v, nil
	}

	head, err := num(MaxU16, "vscpHead", "head")
	if err != nil {
		return Event{}, err
	}
	obid, err := num(MaxU32, "vscpObId", "obid")
	if err != nil {
		return Event{}, err
	}
	ts, err := num(MaxU32, "vscpTimeStamp", "timestamp")
	if err != nil {
		return Event{}, err
	}
	class, err := num(MaxU16, "vscpClass", "class")
	if err != nil {
		return Event{}, err
	}
	typ, err := num(MaxU16, "vscpType", "type")
	if err != nil {
		return Event{}, err
	}
	ns, err := num(MaxU64, "timestamp_ns")
	if err != nil {
		return Event{}, err
	}
	e.Head, e.OBID, e.Timestamp = uint16(head), uint32(obid), uint32(ts)
	e.Class, e.Type = uint16(class), uint16(typ)

	if k, raw := pick(m, "vscpDateTime", "datetime", "dateTime"); raw != nil {
		if e.DateTime, err = jsonDateTime(raw); err != nil {
			return Event{}, fmt.Errorf("field %q: %w", k, err)
		}
	}
	if k, raw := pick(m, "vscpGuid", "guid"); raw != nil {
		if e.GUID, err = jsonGUID(raw); err != nil {
			return Event{}, fmt.Errorf("field %q: %w", k, err)
		}
	}
	if k, raw := pick(m, "vscpData", "data"); raw != nil {
		if e.Data, err = jsonData(raw); err != nil {
			return Event{}, fmt.Errorf("field %q: %w", k, err)
		}
	}
	if k, raw := pick(m, "vscpNote", "note"); raw != nil {
		if e.Note, err = jsonString(raw); err != nil {
			return Event{}, fmt.Errorf("field %q: %w", k, err)
		}
	}

	if ns != 0 {
		e.DateTime = DateTimeFromUnixNano(ns)
		if e.Timestamp == 0 {
			e.Timestamp = TimestampFromUnixNano(ns)
		}
	}
	if e.Head&HeadFrameMask == HeadFrameUnixNS {
		e.Head &^= HeadFrameMask
	}
	if e.DateTime.IsUnset() {
		e.DateTime = DateTimeOf(now)
	}
	return e, nil
}

// jsonDateTime decodes a datetime value. It returns the unset value for the
// "now" spellings ("" and "0", or the JSON number 0) so the caller applies
// one clock reading.
func jsonDateTime(raw []byte) (DateTime, error) {
	if raw[0] != '"' {
		if string(raw) == "0" {
			return DateTime{}, nil
		}
		return DateTime{}, fmt.Errorf("want a datetime string or the number 0, got %s %s", jsonKind(raw), quote(string(raw)))
	}
	s, err := jsonString(raw)
	if err != nil {
		return DateTime{}, err
	}
	if s = trim(s); s == "" || s == "0" {
		return DateTime{}, nil
	}
	return ParseDateTime(s)
}

// jsonData decodes the data field: an array of number fields ≤ 255, or a
// string of comma-separated number tokens. It streams the array so that an
// oversized one is rejected after MaxData+1 elements, not after decoding all
// of it.
func jsonData(raw []byte) ([]byte, error) {
	switch raw[0] {
	case '"':
		s, err := jsonString(raw)
		if err != nil {
			return nil, err
		}
		return ParseDataList(s)
	case '[':
	default:
		return nil, fmt.Errorf("want an array or a string, got %s", jsonKind(raw))
	}
	// One Unmarshal validates and splits the array; a streaming decoder
	// per element costs several times more on the client-event path.
	var els []json.RawMessage
	if err := json.Unmarshal(raw, &els); err != nil {
		return nil, err
	}
	if len(els) > MaxData {
		return nil, fmt.Errorf("more than %d data bytes", MaxData)
	}
	if len(els) == 0 {
		return nil, nil
	}
	data := make([]byte, 0, len(els))
	for i, el := range els {
		v, present, err := jsonUint(el, MaxU8)
		if err == nil && !present {
			err = errors.New("missing value")
		}
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		data = append(data, byte(v))
	}
	return data, nil
}

// ParseDataList decodes the comma-separated data form "d0,d1,..." used by
// the JSON string variant of data and by MQTT XML attributes: each token is
// trimmed and must be a number ≤ 255 (an empty token is an error), at most
// MaxData of them. The empty or blank string is no data (nil).
func ParseDataList(s string) ([]byte, error) {
	t := trim(s)
	if t == "" {
		return nil, nil
	}
	n := strings.Count(t, ",") + 1
	if n > MaxData {
		return nil, fmt.Errorf("%d data bytes; at most %d", n, MaxData)
	}
	data := make([]byte, 0, n)
	for i := 0; ; i++ {
		tok, more, found := strings.Cut(t, ",")
		v, err := ParseNumber(tok, MaxU8)
		if errors.Is(err, ErrEmpty) {
			return nil, fmt.Errorf("data byte %d: empty", i)
		}
		if err != nil {
			return nil, fmt.Errorf("data byte %d: %w", i, err)
		}
		data = append(data, byte(v))
		if !found {
			return data, nil
		}
		t = more
	}
}

// filterKeys lists the SETFILTER members in Filter field order.
var filterKeys = [8]string{
	"filter_priority", "filter_class", "filter_type", "filter_guid",
	"mask_priority", "mask_class", "mask_type", "mask_guid",
}

// DecodeFilterJSON decodes the SETFILTER argument of ws2: an object or null.
// The filter is replaced as a whole, so missing or null members are 0 or the
// zero GUID, and null, blank input or {} accept all. Numbers are non-negative
// JSON integers or number-grammar strings (priority ≤ 255, class and type ≤
// 65535); GUIDs are strings. Unknown keys are ignored; any invalid value is
// an error.
func DecodeFilterJSON(obj []byte) (Filter, error) {
	t := bytes.TrimSpace(obj)
	if len(t) == 0 || string(t) == "null" {
		return Filter{}, nil
	}
	m, err := decodeObject(t, "filter")
	if err != nil {
		return Filter{}, err
	}
	var f Filter
	nums := [6]struct {
		key string
		max uint64
	}{
		{filterKeys[0], MaxU8}, {filterKeys[1], MaxU16}, {filterKeys[2], MaxU16},
		{filterKeys[4], MaxU8}, {filterKeys[5], MaxU16}, {filterKeys[6], MaxU16},
	}
	var v [6]uint64
	for i, n := range nums {
		if v[i], _, err = jsonUint(m[n.key], n.max); err != nil {
			return Filter{}, fmt.Errorf("field %q: %w", n.key, err)
		}
	}
	f.FilterPriority, f.FilterClass, f.FilterType = uint8(v[0]), uint16(v[1]), uint16(v[2])
	f.MaskPriority, f.MaskClass, f.MaskType = uint8(v[3]), uint16(v[4]), uint16(v[5])
	for _, g := range []struct {
		key string
		dst *GUID
	}{{filterKeys[3], &f.FilterGUID}, {filterKeys[7], &f.MaskGUID}} {
		raw := m[g.key]
		if raw == nil || isNull(raw) {
			continue
		}
		if *g.dst, err = jsonGUID(raw); err != nil {
			return Filter{}, fmt.Errorf("field %q: %w", g.key, err)
		}
	}
	return f, nil
}
