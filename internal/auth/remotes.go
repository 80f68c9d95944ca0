package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Remotes is an ordered list of peer-address rules (docs/configuration.md,
// allow-remotes), used both for a user's "remotes" and for the driver key
// "allow-remotes". The zero value is the empty list, which allows every peer.
// A Remotes value is immutable after parsing and safe for concurrent use.
type Remotes struct {
	rules   []remoteRule
	anyPlus bool
}

type remoteRule struct {
	allow  bool
	prefix netip.Prefix // normalised: host bits cleared, IPv4-mapped rules unmapped
	text   string       // the rule as written, trimmed, for the AUTH1 reply
}

// ParseRemotes parses remote rules. Each entry may itself hold several
// rules separated by ","; rules are trimmed and empty ones skipped. The
// error names the offending rule but not its owner: callers add that.
func ParseRemotes(entries []string) (Remotes, error) {
	var r Remotes
	for _, entry := range entries {
		for _, part := range strings.Split(entry, ",") {
			text := trimASCII(part)
			if text == "" {
				continue
			}
			rule, err := parseRemoteRule(text)
			if err != nil {
				return Remotes{}, fmt.Errorf("rule %q: %w", text, err)
			}
			r.rules = append(r.rules, rule)
			if rule.allow {
				r.anyPlus = true
			}
		}
	}
	return r, nil
}

// ParseRemotesJSON parses a JSON string (rules separated by ",") or an
// array of such strings. Any other JSON type, null included, is an error.
func ParseRemotesJSON(raw json.RawMessage) (Remotes, error) {
	switch jsonKind(raw) {
	case "string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Remotes{}, err
		}
		return ParseRemotes([]string{s})
	case "array":
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return Remotes{}, err
		}
		list := make([]string, len(elems))
		for i, e := range elems {
			if jsonKind(e) != "string" {
				return Remotes{}, fmt.Errorf("element %d: %w", i, typeError("string", e))
			}
			if err := json.Unmarshal(e, &list[i]); err != nil {
				return Remotes{}, fmt.Errorf("element %d: %w", i, err)
			}
		}
		return ParseRemotes(list)
	}
	return Remotes{}, typeError("string or array of strings", raw)
}

func parseRemoteRule(text string) (remoteRule, error) {
	var rule remoteRule
	rule.text = text
	switch text[0] {
	case '+':
		rule.allow = true
	case '-':
	default:
		if text == "*" || strings.HasPrefix(text, "*") {
			return rule, errors.New(`wildcards are not supported; a rule is "+" or "-" followed by an address, e.g. "+0.0.0.0/0"`)
		}
		return rule, errors.New(`missing sign: a rule starts with "+" (allow) or "-" (deny)`)
	}
	body := trimASCII(text[1:])
	if body == "" {
		return rule, errors.New("missing address")
	}
	if strings.Contains(body, "%") {
		return rule, errors.New("zones (%name) are not allowed in a rule")
	}
	addrText, prefixText, hasPrefix := strings.Cut(body, "/")
	if strings.HasPrefix(addrText, "[") && strings.HasSuffix(addrText, "]") && len(addrText) >= 2 {
		addrText = addrText[1 : len(addrText)-1]
	}
	if strings.Contains(addrText, "*") {
		return rule, errors.New("wildcards are not supported; use a prefix such as /24")
	}
	addr, err := netip.ParseAddr(addrText)
	if err != nil {
		return rule, fmt.Errorf("%q is not an IPv4 or IPv6 address (host names are not allowed)", addrText)
	}
	bits := addr.BitLen()
	if hasPrefix {
		if prefixText == "" || !allDecimal(prefixText) {
			return rule, fmt.Errorf("prefix %q is not a decimal number", prefixText)
		}
		n, err := strconv.ParseUint(prefixText, 10, 16)
		if err != nil || n > uint64(addr.BitLen()) {
			return rule, fmt.Errorf("prefix /%s out of range 0-%d", prefixText, addr.BitLen())
		}
		bits = int(n)
	}
	if addr.Is4In6() {
		// A mapped rule is really an IPv4 rule; peers are unmapped before
		// matching, so keeping it as IPv6 would never match anything.
		if bits < 96 {
			return rule, fmt.Errorf("IPv4-mapped rule needs a prefix of at least /96, got /%d", bits)
		}
		addr = addr.Unmap()
		bits -= 96
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return rule, fmt.Errorf("invalid prefix /%d", bits)
	}
	rule.prefix = p
	return rule, nil
}

func allDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Allow evaluates the rules for a TCP peer address: the zone is dropped, an
// IPv4-mapped address is treated as IPv4, the last matching rule wins, and
// when no rule matches the peer is denied if the list has at least one "+"
// rule. An empty list allows every peer.
func (r Remotes) Allow(peer netip.Addr) bool {
	if len(r.rules) == 0 {
		return true
	}
	p := peer.WithZone("").Unmap()
	matched, verdict := false, false
	for _, rule := range r.rules {
		if rule.prefix.Addr().Is4() == p.Is4() && rule.prefix.Contains(p) {
			matched, verdict = true, rule.allow
		}
	}
	if matched {
		return verdict
	}
	return !r.anyPlus
}

// String returns the rules as written (trimmed), joined by ",": the remotes
// field of the ws1 AUTH1 reply. The empty list gives "".
func (r Remotes) String() string {
	parts := make([]string, len(r.rules))
	for i, rule := range r.rules {
		parts[i] = rule.text
	}
	return strings.Join(parts, ",")
}

// Empty reports whether the list has no rules, i.e. allows every peer.
func (r Remotes) Empty() bool { return len(r.rules) == 0 }

// Len returns the number of rules.
func (r Remotes) Len() int { return len(r.rules) }
