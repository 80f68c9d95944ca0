// Package auth implements the user model of the websocket driver: the users
// file, stored password verification, rights, remote-address rules, the
// allowed-events list, the max-priority clamp, the AUTH decryption and
// credential check, the per-IP AUTH throttle and the AES key file.
//
// The user-visible rules are in docs/security.md, docs/protocols.md (AUTH)
// and docs/configuration.md (key-file, encryption). Values built by this
// package (Users, User, Remotes, AllowedEvents, Verifier, Throttle) are safe
// for concurrent use; the loaded user data is immutable.
//
// Secrets never appear in errors or warnings: not the clear-text password,
// not the decrypted AUTH plaintext and not key bytes.
package auth
