package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// AllowedEvents is a user's allowed-events list: the class:type pairs the
// user may send. The zero value is the empty list, which allows everything
// (the rights checks still apply). Immutable after parsing.
type AllowedEvents struct {
	entries []eventEntry
}

type eventEntry struct {
	anyClass, anyType bool
	class, typ        uint16
}

// ParseAllowedEvents parses allowed-event entries. Each string may hold
// several entries separated by "," or "/" (upstream's stored form); entries
// are "class:type" with each side "*" or a decimal or 0x-hex number up to
// 65535, trimmed; empty entries are skipped.
func ParseAllowedEvents(entries []string) (AllowedEvents, error) {
	var a AllowedEvents
	for _, s := range entries {
		for _, group := range strings.Split(s, ",") {
			for _, text := range strings.Split(group, "/") {
				text = trimASCII(text)
				if text == "" {
					continue
				}
				e, err := parseEventEntry(text)
				if err != nil {
					return AllowedEvents{}, fmt.Errorf("entry %q: %w", text, err)
				}
				a.entries = append(a.entries, e)
			}
		}
	}
	return a, nil
}

// ParseAllowedEventsJSON parses the JSON value of an "events" /
// "allow-events" key: a string or an array of strings. Other types,
// null included, are errors.
func ParseAllowedEventsJSON(raw json.RawMessage) (AllowedEvents, error) {
	switch jsonKind(raw) {
	case "string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return AllowedEvents{}, err
		}
		return ParseAllowedEvents([]string{s})
	case "array":
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return AllowedEvents{}, err
		}
		list := make([]string, len(elems))
		for i, e := range elems {
			if jsonKind(e) != "string" {
				return AllowedEvents{}, fmt.Errorf("element %d: %w", i, typeError("string", e))
			}
			if err := json.Unmarshal(e, &list[i]); err != nil {
				return AllowedEvents{}, fmt.Errorf("element %d: %w", i, err)
			}
		}
		return ParseAllowedEvents(list)
	}
	return AllowedEvents{}, typeError("string or array of strings", raw)
}

func parseEventEntry(text string) (eventEntry, error) {
	if strings.Contains(text, ";") || strings.Contains(text, "|") {
		// Documented upstream but never implemented; accepting it would
		// silently grant something else than the admin meant.
		return eventEntry{}, errors.New(`the direction form "TX|RX|BOTH;class;type;priority" is not supported; use "class:type"`)
	}
	classText, typeText, ok := strings.Cut(text, ":")
	if !ok {
		return eventEntry{}, errors.New(`missing ":"; an entry is "class:type"`)
	}
	if strings.Contains(typeText, ":") {
		return eventEntry{}, errors.New(`more than one ":"; an entry is "class:type"`)
	}
	var e eventEntry
	var err error
	if e.anyClass, e.class, err = parseEventSide(classText); err != nil {
		return eventEntry{}, fmt.Errorf("class: %w", err)
	}
	if e.anyType, e.typ, err = parseEventSide(typeText); err != nil {
		return eventEntry{}, fmt.Errorf("type: %w", err)
	}
	return e, nil
}

func parseEventSide(s string) (wildcard bool, v uint16, err error) {
	s = trimASCII(s)
	if s == "*" {
		return true, 0, nil
	}
	n, ok := parseUintToken(s, 0xFFFF)
	if !ok {
		return false, 0, fmt.Errorf("%q is not \"*\" or a number 0-65535 (decimal or 0x hex)", s)
	}
	return false, uint16(n), nil
}

// Allows reports whether the user may send an event of this class and type:
// always for an empty list, else iff some entry matches.
func (a AllowedEvents) Allows(class, typ uint16) bool {
	if len(a.entries) == 0 {
		return true
	}
	for _, e := range a.entries {
		if (e.anyClass || e.class == class) && (e.anyType || e.typ == typ) {
			return true
		}
	}
	return false
}

// Empty reports whether the list has no entries (everything allowed).
func (a AllowedEvents) Empty() bool { return len(a.entries) == 0 }

// String returns the entries normalised to CCCC:TTTT (4-digit upper-case
// hex, "*" for a wildcard side) joined by ",": the events field of the ws1
// AUTH1 reply.
func (a AllowedEvents) String() string {
	parts := make([]string, len(a.entries))
	for i, e := range a.entries {
		c, t := "*", "*"
		if !e.anyClass {
			c = fmt.Sprintf("%04X", e.class)
		}
		if !e.anyType {
			t = fmt.Sprintf("%04X", e.typ)
		}
		parts[i] = c + ":" + t
	}
	return strings.Join(parts, ",")
}
