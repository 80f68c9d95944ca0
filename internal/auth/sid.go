package auth

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// NewSID returns a new session SID: 16 bytes from crypto/rand as 32
// upper-case hex characters. It is made per connection before the greeting
// and after every CRED failure.
func NewSID() string {
	var b [16]byte
	// crypto/rand.Read never fails on supported platforms (Go ≥ 1.24
	// aborts the program instead), so there is no error to return.
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
