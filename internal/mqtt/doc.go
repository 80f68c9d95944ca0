// Package mqtt is the optional MQTT bridge: topic templates, payload formats
// and the paho client that publishes client events and delivers subscribed
// events.
//
// The pure parts (no network) are specified in routing-and-mqtt.md §8:
//
//   - template.go: the {{name}} topic templates of §8.4 (ParseTemplate,
//     Template.Render, ValidPublishTopic);
//   - payload.go: the json, xml and string payloads of §8.6 and the auto
//     detection of §8.7 (Encode, Decode, Detect);
//   - binary.go: the binary payload, a 0x00 marker byte followed by a VSCP
//     binary frame with a CRC-16/CCITT-FALSE (EncodeBinary, DecodeBinary).
//
// Decoders never panic and never return more than vscp.MaxData data bytes.
// Normalisation of received events (N3/N4 of events-and-filters.md §2) is
// the bridge's job; the string, json and xml decoders already replace an
// unset datetime with "now" as their codecs require, the binary decoder
// returns the datetime the frame carries.
package mqtt
