// Package logging builds the per-instance zap logger of the driver
// (docs/configuration.md, the logging object): a console sink on stderr and
// an optional rotating file sink, each with its own level, sharing one line
// format.
//
// Nothing here touches process-wide state: no global logger is installed
// and the standard log package is left alone, so several driver instances in
// one process log independently.
package logging
