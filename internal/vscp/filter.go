package vscp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Filter selects events by priority, class, type and GUID. A mask bit of 1
// means the event bit must equal the filter bit, so the zero Filter accepts
// every event; it is the default for sessions, users and the driver-level
// filters.
type Filter struct {
	FilterPriority, MaskPriority uint8
	FilterClass, MaskClass       uint16
	FilterType, MaskType         uint16
	FilterGUID, MaskGUID         GUID
}

// Match reports whether e passes f. It runs for every event and every
// recipient, so it compares the GUIDs eight bytes at a time and never
// allocates.
func (f *Filter) Match(e *Event) bool {
	if (e.Priority()^f.FilterPriority)&f.MaskPriority != 0 ||
		(e.Class^f.FilterClass)&f.MaskClass != 0 ||
		(e.Type^f.FilterType)&f.MaskType != 0 {
		return false
	}
	le := binary.LittleEndian
	return (le.Uint64(e.GUID[0:8])^le.Uint64(f.FilterGUID[0:8]))&le.Uint64(f.MaskGUID[0:8]) == 0 &&
		(le.Uint64(e.GUID[8:16])^le.Uint64(f.FilterGUID[8:16]))&le.Uint64(f.MaskGUID[8:16]) == 0
}

// ParseFilterHalf parses one half (filter or mask) in the string form
// "priority,class,type,GUID" (docs/configuration.md, filters). The string is
// split on ',' and each token trimmed; 0–4 tokens are accepted, a missing or
// empty number is 0, and the GUID follows ParseGUID ("" and "-" are zero).
func ParseFilterHalf(s string) (prio uint8, class, typ uint16, guid GUID, err error) {
	t := trim(s)
	if t == "" {
		return 0, 0, 0, GUID{}, nil
	}
	if n := strings.Count(t, ",") + 1; n > 4 {
		return 0, 0, 0, GUID{}, fmt.Errorf("%d comma-separated tokens, at most 4 (priority,class,type,GUID)", n)
	}
	var vals [3]uint64
	names := [3]string{"priority", "class", "type"}
	maxes := [3]uint64{MaxU8, MaxU16, MaxU16}
	rest := t
	for i := 0; i < 3 && rest != ""; i++ {
		tok, more, found := strings.Cut(rest, ",")
		v, perr := ParseNumber(tok, maxes[i])
		if perr != nil && !errors.Is(perr, ErrEmpty) {
			return 0, 0, 0, GUID{}, fmt.Errorf("token %d (%s): %w", i, names[i], perr)
		}
		vals[i] = v
		if !found {
			rest = ""
			break
		}
		rest = more
		if i == 2 {
			g, gerr := ParseGUID(rest)
			if gerr != nil {
				return 0, 0, 0, GUID{}, fmt.Errorf("token 3 (GUID): %w", gerr)
			}
			guid = g
		}
	}
	return uint8(vals[0]), uint16(vals[1]), uint16(vals[2]), guid, nil
}

// ParseFilter parses the filter half and the mask half in the string form
// (users file, ws1 SF, config). Either half failing fails the whole filter,
// so a caller never installs half of a new filter.
func ParseFilter(filter, mask string) (Filter, error) {
	var f Filter
	var err error
	f.FilterPriority, f.FilterClass, f.FilterType, f.FilterGUID, err = ParseFilterHalf(filter)
	if err != nil {
		return Filter{}, fmt.Errorf("filter: %w", err)
	}
	f.MaskPriority, f.MaskClass, f.MaskType, f.MaskGUID, err = ParseFilterHalf(mask)
	if err != nil {
		return Filter{}, fmt.Errorf("mask: %w", err)
	}
	return f, nil
}

// FilterText returns the filter half as "priority,class,type,GUID" with
// decimal numbers and the canonical GUID (the AUTH1 reply form).
func (f *Filter) FilterText() string {
	return halfText(f.FilterPriority, f.FilterClass, f.FilterType, f.FilterGUID)
}

// MaskText returns the mask half in the form of FilterText.
func (f *Filter) MaskText() string {
	return halfText(f.MaskPriority, f.MaskClass, f.MaskType, f.MaskGUID)
}

func halfText(prio uint8, class, typ uint16, g GUID) string {
	buf := make([]byte, 0, 16+guidTextLen)
	buf = strconv.AppendUint(buf, uint64(prio), 10)
	buf = append(buf, ',')
	buf = strconv.AppendUint(buf, uint64(class), 10)
	buf = append(buf, ',')
	buf = strconv.AppendUint(buf, uint64(typ), 10)
	buf = append(buf, ',')
	buf = g.AppendText(buf)
	return string(buf)
}
