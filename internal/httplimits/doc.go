// Package httplimits holds the timeouts and sizes of astapi's HTTP server.
// `astapi serve` uses them, and so does the benchmark baseline
// (cmd/astapi-baseline), whose figures are only comparable under the same
// limits (each timeout costs a deadline per request).
package httplimits
