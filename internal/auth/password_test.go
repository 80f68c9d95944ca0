package auth

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestMD5PasswordVectors(t *testing.T) {
	for _, vec := range loadVectors(t).MD5Passwords {
		t.Run(vec.What, func(t *testing.T) {
			if got := HashMD5(vec.Name, vec.Password); got != vec.Stored {
				t.Fatalf("HashMD5 = %s, want %s", got, vec.Stored)
			}
			for _, stored := range []string{vec.Stored, vec.StoredUpper} {
				p, err := parseStoredPassword(stored)
				if err != nil || p.kind != passwordMD5 {
					t.Fatalf("parse %s: %v", stored, err)
				}
				if !p.verify(vec.Name, vec.Password) {
					t.Fatalf("%s does not verify %s's password", stored, vec.Name)
				}
				if p.verify(vec.Name, vec.Password+"x") || p.verify(vec.Name+"x", vec.Password) {
					t.Fatal("wrong credential verified")
				}
			}
		})
	}
}

func TestPBKDF2PasswordVectors(t *testing.T) {
	for _, vec := range loadVectors(t).PBKDF2Passwords {
		t.Run(vec.What+" "+vec.Salt, func(t *testing.T) {
			if vec.Iterations != pbkdf2Iterations || vec.DKLen != pbkdf2KeyLen {
				t.Fatalf("vector parameters %d/%d differ from ours", vec.Iterations, vec.DKLen)
			}
			salt, err := hex.DecodeString(vec.Salt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := HashPBKDF2(vec.Name, vec.Password, salt)
			if err != nil || got != vec.Stored || !strings.HasSuffix(got, vec.Hash) {
				t.Fatalf("HashPBKDF2 = %s, %v; want %s", got, err, vec.Stored)
			}
			// Either case of the stored hex verifies; wrong passwords do not.
			for _, stored := range []string{vec.Stored, strings.ToLower(vec.Stored)} {
				p, err := parseStoredPassword(stored)
				if err != nil || p.kind != passwordPBKDF2 {
					t.Fatalf("parse: %v", err)
				}
				if !p.verify(vec.Name, vec.Password) {
					t.Fatal("correct password rejected")
				}
			}
			p, _ := parseStoredPassword(vec.Stored)
			if p.verify(vec.Name, "Secret") {
				t.Fatal("wrong password accepted")
			}
		})
	}
}

func TestStoredPasswordFormats(t *testing.T) {
	salt := strings.Repeat("0A", 16)
	hash := strings.Repeat("b1", 32)
	cases := []struct {
		name   string
		stored string
		kind   passwordKind
	}{
		{"md5 lower", strings.Repeat("a", 32), passwordMD5},
		{"md5 mixed case", strings.Repeat("aB", 16), passwordMD5},
		{"pbkdf2", salt + ";" + hash, passwordPBKDF2},
		{"plain text", "secret", 0},
		{"empty", "", 0},
		{"md5 31 digits", strings.Repeat("a", 31), 0},
		{"md5 33 digits", strings.Repeat("a", 33), 0},
		{"md5 non-hex", strings.Repeat("g", 32), 0},
		{"pbkdf2 colon separator", salt + ":" + hash, 0},
		{"pbkdf2 spaces", salt + " ; " + hash, 0},
		{"pbkdf2 short salt", salt[:30] + ";" + hash, 0},
		{"pbkdf2 short hash", salt + ";" + hash[:62], 0},
		{"pbkdf2 non-hex hash", salt + ";" + strings.Repeat("z", 64), 0},
		{"sha256 hex alone", hash, 0},
		{"crypt style", "$6$salt$hash", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := parseStoredPassword(c.stored)
			if c.kind == 0 {
				if err == nil {
					t.Fatalf("%q accepted", c.stored)
				}
				if c.stored != "" && strings.Contains(err.Error(), c.stored) {
					t.Fatal("error quotes the stored value")
				}
				if ValidatePasswordHash(c.stored) == nil {
					t.Fatal("ValidatePasswordHash disagrees")
				}
				return
			}
			if err != nil || p.kind != c.kind {
				t.Fatalf("kind %v, err %v", p.kind, err)
			}
			if ValidatePasswordHash(" "+c.stored+"\n") != nil {
				t.Fatal("ValidatePasswordHash rejects a valid trimmed form")
			}
		})
	}
}

func TestNewPBKDF2Hash(t *testing.T) {
	a, err := NewPBKDF2Hash("admin", "secret")
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewPBKDF2Hash("admin", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two hashes share a salt")
	}
	p, err := parseStoredPassword(a)
	if err != nil || !p.verify("admin", "secret") {
		t.Fatalf("generated hash %s does not verify: %v", a, err)
	}
	if _, err := HashPBKDF2("a", "b", make([]byte, 8)); err == nil {
		t.Fatal("short salt accepted")
	}
}

func TestNameIsHashedAsWritten(t *testing.T) {
	// Upstream rewrote ' " , and spaces in names to _ before hashing; the
	// name is hashed exactly as written here.
	name := `o'brien "x", y`
	p, err := parseStoredPassword(HashMD5(name, "pw"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.verify(name, "pw") || p.verify("o_brien__x___y", "pw") {
		t.Fatal("name must be hashed exactly as written")
	}
}
