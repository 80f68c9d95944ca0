package auth

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"net/netip"
	"runtime"
	"strings"
)

// Outcome is the result class of an AUTH command (docs/protocols.md, AUTH
// outcomes).
type Outcome int

// AUTH outcomes.
const (
	// OK: the user is authenticated.
	OK Outcome = iota
	// Syntax: malformed iv/crypto or iv not bound to the SID; ws1 code 1,
	// ws2 errcode 8; no state change, no SID rotation.
	Syntax
	// Cred: the credential was not accepted; code 5, the session is
	// de-authenticated and its SID rotated.
	Cred
)

// String names the outcome for logs.
func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Syntax:
		return "syntax"
	case Cred:
		return "cred"
	}
	return "unknown"
}

// Reason is the failure reason logged at warn level.
type Reason string

// Failure reasons. ReasonKeyUnusable only occurs when NewVerifier was given a
// key too short for the encryption, which configuration loading prevents.
const (
	ReasonNone         Reason = ""
	ReasonSyntax       Reason = "syntax"
	ReasonUnknownUser  Reason = "unknown-user"
	ReasonBadPassword  Reason = "bad-password"
	ReasonRemoteDenied Reason = "remote-denied"
	ReasonNoWSRight    Reason = "no-ws-right"
	ReasonKeyUnusable  Reason = "key-unusable"
)

// maxCryptoBytes is the largest decoded AUTH credential (1024 hex digits).
const maxCryptoBytes = 512

// Verifier checks AUTH commands for one driver instance. It is safe for
// concurrent use. Password verifications (tens of ms of CPU for PBKDF2) are
// limited to GOMAXPROCS at a time so that an AUTH flood cannot starve the
// host.
type Verifier struct {
	users   *Users
	enc     Encryption
	block   cipher.Block // nil for EncNone or an unusable key
	bindSID bool
	sem     chan struct{}
}

// NewVerifier builds the verifier of an instance. key holds at least
// enc.KeyLen() bytes (from LoadKeyFile or DefaultKey); only the leading
// enc.KeyLen() bytes are used, and the key is copied into the cipher, so
// the caller may clear its slice. A key too short for the encryption makes
// every AUTH a Cred failure with ReasonKeyUnusable rather than a panic. With
// bindSID the AUTH iv must equal the session SID (auth-bind-sid).
func NewVerifier(users *Users, key []byte, enc Encryption, bindSID bool) *Verifier {
	v := &Verifier{
		users:   users,
		enc:     enc,
		bindSID: bindSID,
		sem:     make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
	}
	if n := enc.KeyLen(); n > 0 && len(key) >= n {
		if b, err := aes.NewCipher(key[:n]); err == nil {
			v.block = b
		}
	}
	return v
}

// Encryption returns the configured encryption.
func (v *Verifier) Encryption() Encryption { return v.enc }

// BindSID reports whether the AUTH iv must equal the session SID.
func (v *Verifier) BindSID() bool { return v.bindSID }

// Users returns the user set the verifier checks against.
func (v *Verifier) Users() *Users { return v.users }

// CheckSyntax performs the syntax checks of AUTH on the iv and crypto
// argument strings: trim ASCII whitespace; iv must be 32 hex digits; crypto
// an even number of hex digits decoding to 1–512 bytes, a multiple of 16 with
// AES; with auth-bind-sid the iv must equal sid ignoring case. A missing
// argument is the caller's to detect: it is a Syntax failure as well. ok
// false means the Syntax outcome.
func (v *Verifier) CheckSyntax(iv, crypto, sid string) (ivBytes, cryptoBytes []byte, ok bool) {
	iv, crypto = trimASCII(iv), trimASCII(crypto)
	if len(iv) != 2*aes.BlockSize || !allHex(iv) {
		return nil, nil, false
	}
	if len(crypto) == 0 || len(crypto)%2 != 0 || len(crypto) > 2*maxCryptoBytes || !allHex(crypto) {
		return nil, nil, false
	}
	if v.enc != EncNone && (len(crypto)/2)%aes.BlockSize != 0 {
		return nil, nil, false
	}
	if v.bindSID && !strings.EqualFold(iv, sid) {
		return nil, nil, false
	}
	ivBytes, err := hex.DecodeString(iv)
	if err != nil {
		return nil, nil, false
	}
	cryptoBytes, err = hex.DecodeString(crypto)
	if err != nil {
		return nil, nil, false
	}
	return ivBytes, cryptoBytes, true
}

// Authenticate decrypts and checks the credential that CheckSyntax accepted;
// the throttle wait between the two is the caller's (see Throttle). It
// returns the user on OK, the outcome, the failure reason, and the user name
// from the credential when one was decrypted, made safe for a log line (at
// most 64 printable characters). Inputs that CheckSyntax would reject give
// Syntax.
func (v *Verifier) Authenticate(ivBytes, cryptoBytes []byte, peer netip.Addr) (*User, Outcome, Reason, string) {
	if len(ivBytes) != aes.BlockSize || len(cryptoBytes) == 0 || len(cryptoBytes) > maxCryptoBytes ||
		(v.enc != EncNone && len(cryptoBytes)%aes.BlockSize != 0) {
		return nil, Syntax, ReasonSyntax, ""
	}
	if v.enc != EncNone && v.block == nil {
		return nil, Cred, ReasonKeyUnusable, ""
	}
	plain := v.decrypt(ivBytes, cryptoBytes)
	defer clear(plain)
	name, password, found := splitCredential(plain)
	logName := printableName(name)
	if !found || name == "" {
		return nil, Cred, ReasonUnknownUser, logName
	}
	u := v.users.Lookup(name)
	if password == "" {
		// Rejected before any verification (step 11); the reason only
		// feeds the log, so it may tell the two cases apart.
		if u == nil {
			return nil, Cred, ReasonUnknownUser, logName
		}
		return nil, Cred, ReasonBadPassword, logName
	}
	v.sem <- struct{}{}
	var match bool
	if u == nil {
		// Same cost as a real verification, so timing does not reveal
		// which names exist.
		v.users.verifyDummy(password)
	} else {
		match = u.password.verify(u.Name, password)
	}
	<-v.sem
	switch {
	case u == nil:
		return nil, Cred, ReasonUnknownUser, logName
	case !match:
		return nil, Cred, ReasonBadPassword, logName
	case !u.Remotes.Allow(peer):
		return nil, Cred, ReasonRemoteDenied, logName
	case !u.Rights.Has(RightWS):
		return nil, Cred, ReasonNoWSRight, logName
	}
	return u, OK, ReasonNone, logName
}

// decrypt is step 6: AES-CBC over all blocks with no padding handling, or
// the bytes themselves with encryption none. The result is a new slice the
// caller clears.
func (v *Verifier) decrypt(iv, ct []byte) []byte {
	plain := make([]byte, len(ct))
	if v.enc == EncNone {
		copy(plain, ct)
	} else {
		cipher.NewCBCDecrypter(v.block, iv).CryptBlocks(plain, ct)
	}
	return plain
}

// splitCredential turns the decrypted bytes into name and password: cut at
// the first NUL; otherwise strip valid PKCS#7 padding when the length is a
// multiple of 16; trim trailing spaces; split at the first ':' (else the
// first ';'); trim both parts. found is false when there is no separator;
// either part may be empty.
func splitCredential(plain []byte) (name, password string, found bool) {
	p := plain
	if i := bytes.IndexByte(p, 0); i >= 0 {
		p = p[:i]
	} else if len(p) > 0 && len(p)%aes.BlockSize == 0 {
		n := int(p[len(p)-1])
		if n >= 1 && n <= aes.BlockSize && n <= len(p) && bytes.Count(p[len(p)-n:], []byte{byte(n)}) == n {
			p = p[:len(p)-n]
		}
	}
	p = bytes.TrimRight(p, " ")
	sep := bytes.IndexByte(p, ':')
	if sep < 0 {
		sep = bytes.IndexByte(p, ';')
	}
	if sep < 0 {
		return "", "", false
	}
	name = trimASCII(string(p[:sep]))
	password = trimASCII(string(p[sep+1:]))
	return name, password, true
}
