//go:build race

package server

// raceDetector: timings are not the code's under the race detector.
const raceDetector = true
