package vscp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Token positions of the ws1 event string.
const (
	tokHead = iota
	tokClass
	tokType
	tokOBID
	tokDateTime
	tokTimestamp
	tokGUID
	tokData // first data byte; every later token is data too
)

var tokenNames = [tokData]string{"head", "class", "type", "obid", "datetime", "timestamp", "GUID"}

// AppendEventString appends the ws1/MQTT string form of e without the
// "E;" prefix:
//
//	head,class,type,obid,datetime,timestamp,GUID[,0xD0,0xD1,...]
//
// The datetime is empty when unset and never has a fraction; there is no
// trailing comma when the event has no data.
func AppendEventString(dst []byte, e *Event) []byte {
	dst = strconv.AppendUint(dst, uint64(e.Head), 10)
	dst = append(dst, ',')
	dst = strconv.AppendUint(dst, uint64(e.Class), 10)
	dst = append(dst, ',')
	dst = strconv.AppendUint(dst, uint64(e.Type), 10)
	dst = append(dst, ',')
	dst = strconv.AppendUint(dst, uint64(e.OBID), 10)
	dst = append(dst, ',')
	dst = e.DateTime.AppendText(dst)
	dst = append(dst, ',')
	dst = strconv.AppendUint(dst, uint64(e.Timestamp), 10)
	dst = append(dst, ',')
	dst = e.GUID.AppendText(dst)
	for _, b := range e.Data {
		dst = append(dst, ',', '0', 'x', upperHex[b>>4], upperHex[b&0x0F])
	}
	return dst
}

// ParseEventString parses the ws1/MQTT string form of an event. At least
// head, class and type must be present; obid, datetime, timestamp and GUID
// may be absent or empty, and every token after the GUID is a data byte. An
// unset datetime ("", absent or "0") becomes now. When head carries the
// UNIX_NS frame bits, token 5 is nanoseconds since the epoch (the vscpd 15.1
// string output); either way the frame bits 01 are cleared.
func ParseEventString(s string, now time.Time) (Event, error) {
	t := trim(s)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		return Event{}, fmt.Errorf("event string contains ';' at offset %d", i)
	}
	ntok := strings.Count(t, ",") + 1
	if ntok < tokOBID+1 {
		return Event{}, fmt.Errorf("event string has %d token(s); need at least 4 (head,class,type,obid)", ntok)
	}
	if ndata := ntok - tokData; ndata > MaxData {
		return Event{}, fmt.Errorf("event string has %d data bytes; at most %d", ndata, MaxData)
	}

	var e Event
	var toks [tokData]string // absent tokens stay "", which every field rule treats as empty
	rest := t
	for i := range toks {
		tok, more, found := strings.Cut(rest, ",")
		toks[i] = trim(tok)
		rest = more
		if !found {
			rest = ""
			break
		}
	}
	hasData := ntok > tokData

	num := func(i int, max uint64, required bool) (uint64, error) {
		v, err := ParseNumber(toks[i], max)
		if errors.Is(err, ErrEmpty) {
			if required {
				return 0, fmt.Errorf("token %d (%s): missing", i, tokenNames[i])
			}
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("token %d (%s): %w", i, tokenNames[i], err)
		}
		return v, nil
	}

	head, err := num(tokHead, MaxU16, true)
	if err != nil {
		return Event{}, err
	}
	class, err := num(tokClass, MaxU16, true)
	if err != nil {
		return Event{}, err
	}
	typ, err := num(tokType, MaxU16, true)
	if err != nil {
		return Event{}, err
	}
	obid, err := num(tokOBID, MaxU32, false)
	if err != nil {
		return Event{}, err
	}
	e.Head, e.Class, e.Type, e.OBID = uint16(head), uint16(class), uint16(typ), uint32(obid)

	// Token 4 is validated even when a UNIX_NS time overrides it: a garbage
	// token is a client error whatever else the frame carries.
	if dt := toks[tokDateTime]; dt != "" && dt != "0" {
		d, err := ParseDateTime(dt)
		if err != nil {
			return Event{}, fmt.Errorf("token %d (datetime): %w", tokDateTime, err)
		}
		e.DateTime = d
	}

	unixNS := e.Head&HeadFrameMask == HeadFrameUnixNS
	if unixNS {
		ns, err := num(tokTimestamp, MaxU64, false)
		if err != nil {
			return Event{}, err
		}
		if ns != 0 {
			e.SetUnixNano(ns)
		}
		e.Head &^= HeadFrameMask
	} else {
		ts, err := num(tokTimestamp, MaxU32, false)
		if err != nil {
			return Event{}, err
		}
		e.Timestamp = uint32(ts)
	}
	if e.DateTime.IsUnset() {
		e.DateTime = DateTimeOf(now)
	}

	if e.GUID, err = ParseGUID(toks[tokGUID]); err != nil {
		return Event{}, fmt.Errorf("token %d (GUID): %w", tokGUID, err)
	}

	if hasData {
		e.Data = make([]byte, 0, ntok-tokData)
		for i := tokData; ; i++ {
			tok, more, found := strings.Cut(rest, ",")
			v, err := ParseNumber(tok, MaxU8)
			if errors.Is(err, ErrEmpty) {
				return Event{}, fmt.Errorf("token %d (data byte %d): empty", i, i-tokData)
			}
			if err != nil {
				return Event{}, fmt.Errorf("token %d (data byte %d): %w", i, i-tokData, err)
			}
			e.Data = append(e.Data, byte(v))
			if !found {
				break
			}
			rest = more
		}
	}
	return e, nil
}
