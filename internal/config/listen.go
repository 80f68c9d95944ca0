package config

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"go.uber.org/zap/zapcore"
)

// DefaultPort is the listen port when the interface names none.
const DefaultPort = 8884

// DefaultInterface is the listen URL used when the key is absent.
const DefaultInterface = "ws://localhost:8884"

// Listen is the parsed "interface" listen URL (docs/configuration.md,
// section 3).
type Listen struct {
	// Raw is the configured value, trimmed.
	Raw string
	// Scheme is the lower-case scheme, "" when none was given.
	Scheme string
	// TLS is set for the wss, stcp, tls, ssl and https schemes.
	TLS bool
	// Host is the host without brackets; "" means all interfaces.
	Host string
	// Port is the listen port; 0 asks for an ephemeral port.
	Port int
	// Path is the ignored path after the authority, "" when none.
	Path string
}

// schemeTLS lists the accepted schemes and whether each selects TLS.
var schemeTLS = map[string]bool{
	"ws": false, "tcp": false, "http": false,
	"wss": true, "stcp": true, "tls": true, "ssl": true, "https": true,
}

// parseListen parses an interface value. Warnings (all interfaces, ignored
// path) are recorded as notes; path is the key path used in messages.
func (ld *loader) parseListen(path, value string) (Listen, bool) {
	l, warnings, err := ParseListen(value)
	if err != nil {
		ld.fail(path, "%v", err)
		return Listen{}, false
	}
	for _, w := range warnings {
		ld.note(zapcore.WarnLevel, "%s: %s", path, w)
	}
	return l, true
}

// ParseListen parses a listen URL
// [scheme "://"] [host] [":" port] ["/" ignored-path]. It returns the
// warnings the user must see: a missing host (all interfaces) and an
// ignored path.
func ParseListen(value string) (l Listen, warnings []string, err error) {
	l.Raw = trimSpace(value)
	if l.Raw == "" {
		return Listen{}, nil, fmt.Errorf("empty listen URL")
	}
	rest := l.Raw
	if scheme, after, found := strings.Cut(rest, "://"); found {
		l.Scheme = lowerASCII(scheme)
		tlsOn, known := schemeTLS[l.Scheme]
		if !known {
			return Listen{}, nil, fmt.Errorf("unknown scheme %q in %q (want ws, wss, tcp, stcp, tls, ssl, http or https)", scheme, l.Raw)
		}
		l.TLS = tlsOn
		rest = after
	} else if isDigits(rest) {
		// A bare number is a port on all interfaces.
		port, err := parsePort(rest)
		if err != nil {
			return Listen{}, nil, err
		}
		l.Port = port
		return l, []string{fmt.Sprintf("no host in %q: listening on all interfaces", l.Raw)}, nil
	}

	authority := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, l.Path = rest[:i], rest[i:]
	}
	if l.Path != "" && l.Path != "/" {
		warnings = append(warnings, fmt.Sprintf("path %q in %q is ignored", l.Path, l.Raw))
	}

	host, port, err := splitAuthority(authority)
	if err != nil {
		return Listen{}, nil, fmt.Errorf("%q: %w", l.Raw, err)
	}
	l.Host, l.Port = host, port
	if l.Host == "" {
		warnings = append(warnings, fmt.Sprintf("no host in %q: listening on all interfaces", l.Raw))
	}
	return l, warnings, nil
}

// splitAuthority splits host[:port], where an IPv6 host is bracketed. The
// returned host has no brackets; a missing port is DefaultPort.
func splitAuthority(a string) (host string, port int, err error) {
	portText, hasPort := "", false
	switch {
	case strings.HasPrefix(a, "["):
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", 0, fmt.Errorf("missing ']' after IPv6 literal")
		}
		host = a[1:end]
		addr, perr := netip.ParseAddr(host)
		if perr != nil || !addr.Is6() {
			return "", 0, fmt.Errorf("invalid IPv6 literal [%s]", host)
		}
		switch after := a[end+1:]; {
		case after == "":
		case after[0] == ':':
			portText, hasPort = after[1:], true
		default:
			return "", 0, fmt.Errorf("unexpected %q after IPv6 literal", after)
		}
	case strings.Count(a, ":") > 1:
		return "", 0, fmt.Errorf("IPv6 literal must be in brackets")
	default:
		host, portText, hasPort = strings.Cut(a, ":")
		if err := checkHostName(host); err != nil {
			return "", 0, err
		}
	}
	if !hasPort {
		return host, DefaultPort, nil
	}
	port, err = parsePort(portText)
	if err != nil {
		return "", 0, err
	}
	return host, port, nil
}

// checkHostName accepts "", an IPv4 literal or a DNS name made of letters,
// digits, '-', '_' and '.'. A name of digits and dots only must be a valid
// IPv4 literal, because resolvers would read "1.2.3" or "8884" as an address.
func checkHostName(h string) error {
	if h == "" {
		return nil
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	allNumeric := true
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= '0' && c <= '9', c == '.':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
			allNumeric = false
		default:
			return fmt.Errorf("invalid character %q in host %q", c, h)
		}
	}
	if allNumeric || strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
		return fmt.Errorf("invalid host %q", h)
	}
	return nil
}

// parsePort parses a decimal port 0..65535; leading zeros are allowed.
func parsePort(s string) (int, error) {
	if !isDigits(s) {
		return 0, fmt.Errorf("port %q is not a decimal number", s)
	}
	significant := strings.TrimLeft(s, "0")
	if significant == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(significant)
	if err != nil || len(significant) > 5 || v > 65535 {
		return 0, fmt.Errorf("port %s out of range 0..65535", s)
	}
	return v, nil
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Resolver looks up host names; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Resolve returns the network and address to listen on: "tcp" for all
// interfaces (dual-stack), "tcp4" for IPv4 addresses and localhost (which
// means 127.0.0.1 only), "tcp6" for IPv6 addresses. Other names are looked
// up once with net.DefaultResolver and the first address is used; the
// caller bounds the lookup with ctx (at most 5 s at open).
func (l Listen) Resolve(ctx context.Context) (network, address string, err error) {
	return l.ResolveWith(ctx, net.DefaultResolver)
}

// ResolveWith is Resolve with the given resolver for host names.
func (l Listen) ResolveWith(ctx context.Context, r Resolver) (network, address string, err error) {
	port := strconv.Itoa(l.Port)
	switch {
	case l.Host == "":
		return "tcp", ":" + port, nil
	case strings.EqualFold(l.Host, "localhost"):
		return "tcp4", net.JoinHostPort("127.0.0.1", port), nil
	}
	addr, err := netip.ParseAddr(l.Host)
	if err != nil {
		addrs, lerr := r.LookupNetIP(ctx, "ip", l.Host)
		if lerr != nil {
			return "", "", fmt.Errorf("resolve listen host %q: %w", l.Host, lerr)
		}
		if len(addrs) == 0 {
			return "", "", fmt.Errorf("resolve listen host %q: no addresses", l.Host)
		}
		addr = addrs[0]
	}
	addr = addr.Unmap()
	switch {
	case addr.Is4():
		return "tcp4", net.JoinHostPort(addr.String(), port), nil
	case addr.IsUnspecified():
		// [::] listens on every interface, IPv4 included.
		return "tcp", net.JoinHostPort(addr.String(), port), nil
	}
	return "tcp6", net.JoinHostPort(addr.String(), port), nil
}

// HostPort returns host:port for display, with IPv6 hosts in brackets.
func (l Listen) HostPort() string {
	return net.JoinHostPort(l.Host, strconv.Itoa(l.Port))
}
