//go:build race

package graph

// raceDetector: timings are not the code's under the race detector.
const raceDetector = true
