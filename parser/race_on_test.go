//go:build race

package parser

// raceDetector: the test binary runs under -race, which slows the
// parser several times; timing tests allow for it.
const raceDetector = true
