package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Rights is a user's 64-bit rights mask; the values are exactly vscpd's.
type Rights uint64

// Single rights bits. Only RightWS, the event-sending bits, RightReceiveEvents
// and RightSetFilter are enforced by this driver; the rest are stored and
// reported.
const (
	RightTCPIP         Rights = 0x1
	RightWS            Rights = 0x2 // needed to log in to this driver
	RightWeb           Rights = 0x4
	RightREST          Rights = 0x8
	RightUDP           Rights = 0x10
	RightMQTT          Rights = 0x20
	RightMulticast     Rights = 0x40
	RightSendEvents    Rights = 0x10000
	RightL1Ctrl        Rights = 0x20000 // send class 0 and 512
	RightL2Ctrl        Rights = 0x40000 // send class 1024
	RightHLO           Rights = 0x80000 // send class 1028
	RightReceiveEvents Rights = 0x100000
	RightSetFilter     Rights = 0x4000000
	RightSetGUID       Rights = 0x8000000
	RightTest          Rights = 0x10000000
	RightInterface     Rights = 0x20000000
	RightRestart       Rights = 0x40000000
	RightShutdown      Rights = 0x80000000
)

// Rights groups, as the words of the users file define them.
const (
	RightsAdmin      Rights = 0xFFFFFFFFFFFFFFFF
	RightsDriver     Rights = RightSendEvents | RightL1Ctrl | RightL2Ctrl | RightReceiveEvents // 0x170000
	RightsUser       Rights = RightsDriver | 0x7F                                              // 0x17007F: no set-filter, no hlo-events
	RightsTCP        Rights = RightsDriver | RightTCPIP                                        // 0x170001
	RightsWebsockets Rights = RightsDriver | RightWS                                           // 0x170002
	RightsWeb        Rights = RightsDriver | RightWeb                                          // 0x170004
	RightsREST       Rights = RightsDriver | RightREST                                         // 0x170008
	RightsUDP        Rights = RightsDriver | RightUDP                                          // 0x170010
	RightsMQTT       Rights = RightsDriver | RightMQTT                                         // 0x170020
)

// rightsWords maps the lower-case rights words to their values. "web",
// "rest", "udp" and "mqtt" are group words, as in vscpd.
var rightsWords = map[string]Rights{
	"admin":          RightsAdmin,
	"user":           RightsUser,
	"driver":         RightsDriver,
	"tcp":            RightsTCP,
	"websockets":     RightsWebsockets,
	"web":            RightsWeb,
	"rest":           RightsREST,
	"udp":            RightsUDP,
	"mqtt":           RightsMQTT,
	"tcpip":          RightTCPIP,
	"ws":             RightWS,
	"ws1":            RightWS,
	"ws2":            RightWS,
	"multicast":      RightMulticast,
	"send-events":    RightSendEvents,
	"l1ctrl-events":  RightL1Ctrl,
	"l2ctrl-events":  RightL2Ctrl,
	"hlo-events":     RightHLO,
	"receive-events": RightReceiveEvents,
	"set-filter":     RightSetFilter,
	"set-guid":       RightSetGUID,
	"test":           RightTest,
	"interface":      RightInterface,
	"restart":        RightRestart,
	"shutdown":       RightShutdown,
}

// Has reports whether every bit of want is set.
func (r Rights) Has(want Rights) bool { return r&want == want }

// String renders the mask as in the AUTH1 reply: "0x" and upper-case hex
// without leading zeros ("0x0", "0x17007F").
func (r Rights) String() string { return fmt.Sprintf("0x%X", uint64(r)) }

// ParseRights parses the value of a "rights" key: a JSON integer 0…2^64−1, a
// string of tokens separated by "/" or ",", or an array whose elements are
// such strings or integers. The result is the OR of all tokens; "" and []
// give 0. A missing key means RightsUser, which the caller handles. Unknown
// words, bad numbers and other JSON types are errors.
func ParseRights(raw json.RawMessage) (Rights, error) {
	switch jsonKind(raw) {
	case "number":
		return parseRightsInt(raw)
	case "string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
		return parseRightsString(s)
	case "array":
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return 0, err
		}
		var r Rights
		for i, e := range elems {
			var v Rights
			var err error
			switch jsonKind(e) {
			case "number":
				v, err = parseRightsInt(e)
			case "string":
				var s string
				if err = json.Unmarshal(e, &s); err == nil {
					v, err = parseRightsString(s)
				}
			default:
				err = typeError("string or integer", e)
			}
			if err != nil {
				return 0, fmt.Errorf("element %d: %w", i, err)
			}
			r |= v
		}
		return r, nil
	}
	return 0, typeError("string, array or integer", raw)
}

func parseRightsString(s string) (Rights, error) {
	var r Rights
	for _, group := range strings.Split(s, "/") {
		for _, tok := range strings.Split(group, ",") {
			tok = trimASCII(tok)
			if tok == "" {
				continue
			}
			if v, ok := rightsWords[strings.ToLower(tok)]; ok {
				r |= v
				continue
			}
			v, ok := parseUintToken(tok, math.MaxUint64)
			if !ok {
				return 0, fmt.Errorf("unknown word %q", tok)
			}
			r |= Rights(v)
		}
	}
	return r, nil
}

func parseRightsInt(raw json.RawMessage) (Rights, error) {
	v, err := jsonUint(raw, math.MaxUint64)
	if err != nil {
		return 0, err
	}
	return Rights(v), nil
}

// jsonUint decodes a JSON number that must be an integer in 0…max. Plain
// integer literals are decoded exactly (a float64 cannot hold large rights
// masks); forms with a fraction or exponent are accepted only when their
// value is integral and exactly representable, as the configuration's "int"
// type allows "5.24288e6" (docs/configuration.md, strict checking).
func jsonUint(raw json.RawMessage, max uint64) (uint64, error) {
	if jsonKind(raw) != "number" {
		return 0, typeError("integer", raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var n json.Number
	if err := dec.Decode(&n); err != nil {
		return 0, typeError("integer", raw)
	}
	s := n.String()
	if allDecimal(s) {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v > max {
			return 0, fmt.Errorf("integer %s out of range 0-%d", shortValue(raw), max)
		}
		return v, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("expected integer, got %s", shortValue(raw))
	}
	if f < 0 || f > float64(max) {
		return 0, fmt.Errorf("integer %s out of range 0-%d", shortValue(raw), max)
	}
	if f > 1<<53 {
		return 0, errors.New("integer " + shortValue(raw) + " is not exact; write it without exponent")
	}
	return uint64(f), nil
}
