package auth

import (
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// PBKDF2 parameters of the stored form "salt;hash" (docs/security.md).
const (
	pbkdf2Iterations = 70000
	pbkdf2SaltLen    = 16
	pbkdf2KeyLen     = 32
)

type passwordKind uint8

const (
	passwordMD5 passwordKind = iota + 1
	passwordPBKDF2
)

// storedPassword is a parsed password verifier. It holds only the stored
// hash material, never a clear-text password.
type storedPassword struct {
	kind passwordKind
	salt []byte // PBKDF2 only
	hash []byte // 16 bytes (MD5) or 32 bytes (PBKDF2)
}

var errPasswordFormat = errors.New("unsupported password format: expected 32 hex digits (MD5 of name:password) " +
	"or 32 hex digits, \";\", 64 hex digits (PBKDF2-SHA256); plain-text passwords are not accepted")

// parseStoredPassword recognises the two stored forms. The error never
// quotes the value: a misconfigured file may hold a clear-text password.
func parseStoredPassword(s string) (storedPassword, error) {
	switch {
	case len(s) == 32 && allHex(s):
		h, _ := hex.DecodeString(s)
		return storedPassword{kind: passwordMD5, hash: h}, nil
	case len(s) == 97 && s[32] == ';' && allHex(s[:32]) && allHex(s[33:]):
		salt, _ := hex.DecodeString(s[:32])
		h, _ := hex.DecodeString(s[33:])
		return storedPassword{kind: passwordPBKDF2, salt: salt, hash: h}, nil
	}
	return storedPassword{}, errPasswordFormat
}

// ValidatePasswordHash reports whether stored is a supported stored password
// form (MD5 or PBKDF2 "salt;hash"), e.g. for a password tool.
func ValidatePasswordHash(stored string) error {
	_, err := parseStoredPassword(trimASCII(stored))
	return err
}

// derive computes the hash of name ":" password for this verifier's form.
func (p storedPassword) derive(name, password string) []byte {
	cred := name + ":" + password
	switch p.kind {
	case passwordMD5:
		sum := md5.Sum([]byte(cred))
		return sum[:]
	case passwordPBKDF2:
		dk, err := pbkdf2.Key(sha256.New, cred, p.salt, pbkdf2Iterations, pbkdf2KeyLen)
		if err != nil {
			// Only possible under a FIPS policy rejecting the parameters;
			// the caller then sees a mismatch, never a panic.
			return nil
		}
		return dk
	}
	return nil
}

// verify compares in constant time; the case of the stored hex never
// matters because the comparison is on decoded bytes.
func (p storedPassword) verify(name, password string) bool {
	got := p.derive(name, password)
	return len(got) == len(p.hash) && subtle.ConstantTimeCompare(got, p.hash) == 1
}

// dummyPBKDF2 and dummyMD5 are verified against for unknown users, so that an
// unknown name costs as much as a wrong password, and timing does not reveal
// which names exist. Their hashes match nothing in particular; only the work
// matters.
var (
	dummyPBKDF2 = storedPassword{kind: passwordPBKDF2, salt: []byte("vscp-dummy-salt!"), hash: make([]byte, pbkdf2KeyLen)}
	dummyMD5    = storedPassword{kind: passwordMD5, hash: make([]byte, md5.Size)}
)

// HashMD5 returns the MD5 stored form of a password: lower-case hex of
// MD5(name ":" password), as "echo -n NAME:PASSWORD | md5sum" prints it.
func HashMD5(name, password string) string {
	sum := md5.Sum([]byte(name + ":" + password))
	return hex.EncodeToString(sum[:])
}

// HashPBKDF2 returns the PBKDF2 stored form "SALT;HASH" (upper-case hex) of
// a password with the given 16-byte salt.
func HashPBKDF2(name, password string, salt []byte) (string, error) {
	if len(salt) != pbkdf2SaltLen {
		return "", fmt.Errorf("PBKDF2 salt must be %d bytes, got %d", pbkdf2SaltLen, len(salt))
	}
	p := storedPassword{kind: passwordPBKDF2, salt: salt}
	dk := p.derive(name, password)
	if dk == nil {
		return "", errors.New("PBKDF2 derivation failed")
	}
	return strings.ToUpper(hex.EncodeToString(salt)) + ";" + strings.ToUpper(hex.EncodeToString(dk)), nil
}

// NewPBKDF2Hash is HashPBKDF2 with a new random salt from crypto/rand.
func NewPBKDF2Hash(name, password string) (string, error) {
	salt := make([]byte, pbkdf2SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("PBKDF2 salt: %w", err)
	}
	return HashPBKDF2(name, password, salt)
}
