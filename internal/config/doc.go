// Package config reads and validates the driver configuration
// (docs/configuration.md).
//
// Load takes VSCPOpen's config argument (a path or inline JSON); Parse
// validates a JSON document. Every key is type-checked strictly: a wrong type
// or an invalid value is an error naming the key path, and all problems of a
// document are reported together. Loading never logs: warnings and
// informational lines are returned as Notes for the caller's logger.
package config
