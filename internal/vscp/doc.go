// Package vscp holds the driver's single internal event type and everything
// that turns text into events and filters and back again: the number, GUID and
// datetime grammars, the ws1 string codec, the ws2/MQTT JSON codec and the
// filter model with its match rule.
//
// Every parser returns a value or a descriptive error. None of them panics or
// reads beyond its input, and a rejected input never yields a half-filled
// value: upstream accepted garbage silently, which is exactly what this
// package exists to stop.
//
// The encoders (AppendEventString, AppendEventJSON) and Filter.Match run once
// per delivered event, so they append into caller-owned buffers and avoid fmt,
// reflection and encoding/json.
package vscp
