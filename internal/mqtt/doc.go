// Package mqtt is the optional MQTT bridge: topic templates, payload formats
// and the paho client that publishes client events and delivers subscribed
// events.
//
// The pure parts (no network), whose formats docs/mqtt.md describes:
//
//   - template.go: the {{name}} topic templates (ParseTemplate,
//     Template.Render, ValidPublishTopic);
//   - payload.go: the json, xml and string payloads and the auto
//     detection (Encode, Decode, Detect);
//   - binary.go: the binary payload, a 0x00 marker byte followed by a VSCP
//     binary frame with a CRC-16/CCITT-FALSE (EncodeBinary, DecodeBinary).
//
// Decoders never panic and never return more than vscp.MaxData data bytes.
// Normalisation of received events (an unset datetime becomes now, a zero
// timestamp the driver's) is the bridge's job; the string, json and xml
// decoders already replace an unset datetime with "now" as their codecs
// require, the binary decoder returns the datetime the frame carries.
package mqtt
