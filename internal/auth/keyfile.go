package auth

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
)

// Encryption selects how the AUTH credential is protected
// (docs/configuration.md, key-file and encryption).
// The zero value is EncAES128, the configuration default.
type Encryption int

// Encryption values.
const (
	EncAES128 Encryption = iota
	EncAES192
	EncAES256
	EncNone
)

// ParseEncryption parses the "encryption" configuration word: aes128,
// aes192, aes256 or none, case-insensitive, surrounding whitespace ignored.
func ParseEncryption(word string) (Encryption, error) {
	switch strings.ToLower(trimASCII(word)) {
	case "aes128":
		return EncAES128, nil
	case "aes192":
		return EncAES192, nil
	case "aes256":
		return EncAES256, nil
	case "none":
		return EncNone, nil
	}
	return 0, fmt.Errorf("unknown encryption %q (want aes128, aes192, aes256 or none)", word)
}

// String returns the configuration word.
func (e Encryption) String() string {
	switch e {
	case EncAES128:
		return "aes128"
	case EncAES192:
		return "aes192"
	case EncAES256:
		return "aes256"
	case EncNone:
		return "none"
	}
	return fmt.Sprintf("Encryption(%d)", int(e))
}

// KeyLen is the number of key bytes the mode uses: 16, 24, 32, or 0 for
// EncNone.
func (e Encryption) KeyLen() int {
	switch e {
	case EncAES128:
		return 16
	case EncAES192:
		return 24
	case EncAES256:
		return 32
	}
	return 0
}

// maxKeyFileSize bounds the key file; the upstream sample is 512 hex digits,
// so anything near this size is not a key file.
const maxKeyFileSize = 64 << 10

// defaultKeyMaterial is the public VSCP default key (VSCP_DEFAULT_KEY32).
// Anyone can forge logins with it; the driver warns whenever it is used.
var defaultKeyMaterial = [32]byte{
	0xA4, 0xA8, 0x6F, 0x7D, 0x7E, 0x11, 0x9B, 0xA3, 0xF0, 0xCD, 0x06, 0x88, 0x1E, 0x37, 0x1B, 0x98,
	0x9B, 0x33, 0xB6, 0xD6, 0x06, 0xA8, 0x63, 0xB6, 0x33, 0xEF, 0x52, 0x9D, 0x64, 0x54, 0x4F, 0x8E,
}

// DefaultKey returns a fresh copy of the first enc.KeyLen() bytes of the
// public VSCP default key, used when no key-file is configured. EncNone
// gives nil.
func DefaultKey(enc Encryption) []byte {
	n := enc.KeyLen()
	if n == 0 {
		return nil
	}
	k := make([]byte, n)
	copy(k, defaultKeyMaterial[:n])
	return k
}

// LoadKeyFile reads an AES key file: text of at most 64 KiB, all ASCII
// whitespace removed, hex digits only (no 0x), an even number of them, at
// least 2·N digits for N = enc.KeyLen(). It returns the first N bytes. With
// EncNone the file is not read and the key is nil. Warnings report a group-
// or world-readable file (Unix). Errors name the file but never contain key
// material.
func LoadKeyFile(path string, enc Encryption) (key []byte, warnings []string, err error) {
	n := enc.KeyLen()
	if n == 0 {
		return nil, nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("key file %s: cannot open: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	if w := permissionWarning(f, "key file", path); w != "" {
		warnings = append(warnings, w)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, warnings, fmt.Errorf("key file %s: cannot read: %w", path, unwrapPathError(err))
	}
	defer clear(data)
	if len(data) > maxKeyFileSize {
		return nil, warnings, fmt.Errorf("key file %s: larger than %d bytes; expected hex key text", path, maxKeyFileSize)
	}
	digits := make([]byte, 0, len(data))
	defer func() { clear(digits) }()
	for _, c := range data {
		if !isASCIISpace(c) {
			digits = append(digits, c)
		}
	}
	if len(digits) >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') {
		return nil, warnings, fmt.Errorf("key file %s: must hold bare hex digits, without a 0x prefix", path)
	}
	for i, c := range digits {
		if !isHexDigit(c) {
			return nil, warnings, fmt.Errorf("key file %s: non-hex character at digit %d", path, i+1)
		}
	}
	if len(digits)%2 != 0 {
		return nil, warnings, fmt.Errorf("key file %s: odd number of hex digits (%d)", path, len(digits))
	}
	if len(digits) < 2*n {
		return nil, warnings, fmt.Errorf("key file %s: holds %d bytes, %s needs at least %d", path, len(digits)/2, enc, n)
	}
	key = make([]byte, n)
	if _, err := hex.Decode(key, digits[:2*n]); err != nil {
		return nil, warnings, fmt.Errorf("key file %s: invalid hex", path)
	}
	return key, warnings, nil
}

// unwrapPathError drops the *fs.PathError wrapper, whose text repeats the
// path that our own message already names; errors.Is still works on the
// result.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// permissionWarning returns a warning when a secret file (key or users
// file) is readable by group or others on Unix, else "".
func permissionWarning(f *os.File, what, path string) string {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return ""
	}
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	if fi.Mode().Perm()&0o044 != 0 {
		return fmt.Sprintf("%s %s is readable by group or others (mode %04o); restrict it with chmod 600", what, path, fi.Mode().Perm())
	}
	return ""
}
