// Package auth implements the user model of the websocket driver: the users
// file, stored password verification, rights, remote-address rules, the
// allowed-events list, the max-priority clamp, the AUTH decryption and
// credential check, the per-IP AUTH throttle and the AES key file.
//
// Everything here is normative per users-and-auth.md and config.md §4 of the
// specification. Values built by this package (Users, User, Remotes,
// AllowedEvents, Verifier, Throttle) are safe for concurrent use; the loaded
// user data is immutable.
//
// Secrets never appear in errors or warnings: not the clear-text password,
// not the decrypted AUTH plaintext and not key bytes.
package auth
