package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// brokerSchemes lists the accepted mqtt host schemes and whether each means
// TLS.
var brokerSchemes = map[string]bool{
	"tcp": false, "mqtt": false, "ws": false,
	"stcp": true, "mqtts": true, "ssl": true, "wss": true,
}

// brokerAddress is a parsed mqtt "host" value.
type brokerAddress struct {
	scheme string // lower-case, "tcp" when none was given
	host   string // without brackets
	port   int    // 0 when the value names none
	path   string // as given, "" when none
}

// parseBrokerHost parses [scheme "://"] name [":" port] ["/" path].
func parseBrokerHost(value string) (brokerAddress, error) {
	b := brokerAddress{scheme: "tcp"}
	rest := value
	if scheme, after, found := strings.Cut(rest, "://"); found {
		b.scheme = lowerASCII(scheme)
		if _, known := brokerSchemes[b.scheme]; !known {
			return brokerAddress{}, fmt.Errorf("unknown scheme %q in %q (want tcp, mqtt, stcp, mqtts, ssl, ws or wss)", scheme, value)
		}
		rest = after
	}
	authority := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, b.path = rest[:i], rest[i:]
	}

	portText, hasPort := "", false
	switch {
	case strings.HasPrefix(authority, "["):
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return brokerAddress{}, fmt.Errorf("missing ']' after IPv6 literal in %q", value)
		}
		b.host = authority[1:end]
		if a, err := netip.ParseAddr(b.host); err != nil || !a.Is6() {
			return brokerAddress{}, fmt.Errorf("invalid IPv6 literal [%s] in %q", b.host, value)
		}
		switch after := authority[end+1:]; {
		case after == "":
		case after[0] == ':':
			portText, hasPort = after[1:], true
		default:
			return brokerAddress{}, fmt.Errorf("unexpected %q after IPv6 literal in %q", after, value)
		}
	case strings.Count(authority, ":") > 1:
		return brokerAddress{}, fmt.Errorf("IPv6 literal must be in brackets in %q", value)
	default:
		b.host, portText, hasPort = strings.Cut(authority, ":")
		if b.host == "" {
			return brokerAddress{}, fmt.Errorf("no broker name in %q", value)
		}
		if err := checkHostName(b.host); err != nil {
			return brokerAddress{}, fmt.Errorf("%w in %q", err, value)
		}
	}
	if hasPort {
		p, err := parsePort(portText)
		if err != nil {
			return brokerAddress{}, fmt.Errorf("%w in %q", err, value)
		}
		if p == 0 {
			return brokerAddress{}, fmt.Errorf("port 0 in %q (want 1..65535)", value)
		}
		b.port = p
	}
	return b, nil
}
