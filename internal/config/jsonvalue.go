package config

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// kind is the JSON type of a raw value, used for "expected X, got Y" errors.
type kind string

const (
	kindObject kind = "object"
	kindArray  kind = "array"
	kindString kind = "string"
	kindNumber kind = "number"
	kindBool   kind = "boolean"
	kindNull   kind = "null"
)

// kindOf classifies a syntactically valid JSON value by its first byte.
func kindOf(raw json.RawMessage) kind {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return kindNull
	}
	switch raw[0] {
	case '{':
		return kindObject
	case '[':
		return kindArray
	case '"':
		return kindString
	case 't', 'f':
		return kindBool
	case 'n':
		return kindNull
	}
	return kindNumber
}

// member is one key of a JSON object with its raw value.
type member struct {
	name  string
	value json.RawMessage
}

// decodeObject splits a JSON object into its members in document order.
// A duplicated key keeps the position of its first occurrence and the value
// of its last one (RFC 8259 leaves this open; docs/configuration.md says
// the last occurrence counts).
func decodeObject(raw json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("expected object, got %s", kindOf(raw))
	}
	var members []member
	index := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is not a string")
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		if i, dup := index[name]; dup {
			members[i].value = value
			continue
		}
		index[name] = len(members)
		members = append(members, member{name: name, value: value})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return members, nil
}

// decodeArray splits a JSON array into its raw elements.
func decodeArray(raw json.RawMessage) ([]json.RawMessage, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, err
	}
	return elems, nil
}
