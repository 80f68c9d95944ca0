package vscp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Helpers shared by the JSON decoders of events and filters. Values are kept
// as raw JSON text (json.RawMessage) so that integers are read from their
// digits, exactly, instead of through float64.

// jsonKind names the JSON type of a raw value for error messages.
func jsonKind(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// isNull reports whether raw is the JSON literal null, which every field
// rule treats as absent.
func isNull(raw []byte) bool {
	return string(raw) == "null"
}

// decodeObject parses text that must be a JSON object into its members.
// Duplicate keys resolve to the last occurrence, as with encoding/json.
func decodeObject(text []byte, what string) (map[string]json.RawMessage, error) {
	t := bytes.TrimSpace(text)
	if len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("%s must be a JSON object, got %s", what, jsonKind(t))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(t, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return m, nil
}

// pick returns the first of keys whose value is present and not null: the
// alias precedence of event keys. A null spelling therefore does not hide a
// later one.
func pick(m map[string]json.RawMessage, keys ...string) (string, json.RawMessage) {
	for _, k := range keys {
		if raw, ok := m[k]; ok && !isNull(raw) {
			return k, raw
		}
	}
	return "", nil
}

// jsonUint decodes a number field: a non-negative JSON integer without
// fraction or exponent, or a string in the number grammar. A missing value
// (nil, null or a blank string) yields 0 with present false.
func jsonUint(raw []byte, max uint64) (v uint64, present bool, err error) {
	if raw == nil || isNull(raw) {
		return 0, false, nil
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false, err
		}
		v, err := ParseNumber(s, max)
		if errors.Is(err, ErrEmpty) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, err
		}
		return v, true, nil
	case c == '-':
		return 0, false, fmt.Errorf("negative number %s", quote(string(raw)))
	case c >= '0' && c <= '9':
		if bytes.ContainsAny(raw, ".eE") {
			return 0, false, fmt.Errorf("number %s has a fraction or exponent", quote(string(raw)))
		}
		// The JSON scanner has already checked the digits, and JSON forbids
		// leading zeros, so the number grammar reads them exactly.
		v, err := ParseNumber(string(raw), max)
		if err != nil {
			return 0, false, err
		}
		return v, true, nil
	}
	return 0, false, fmt.Errorf("want a non-negative integer or a numeric string, got %s", jsonKind(raw))
}

// jsonString decodes a string field; any other JSON type is an error.
func jsonString(raw []byte) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("want a string, got %s", jsonKind(raw))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return s, nil
}

// jsonGUID decodes a GUID field: a string in the GUID grammar.
func jsonGUID(raw []byte) (GUID, error) {
	s, err := jsonString(raw)
	if err != nil {
		return GUID{}, err
	}
	return ParseGUID(s)
}
